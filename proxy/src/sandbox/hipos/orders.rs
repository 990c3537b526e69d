//! HiPOS O2O orders in the sandbox: the pickup code, the order detail, the
//! pickup confirmation and the order notification (all the HiPOS module's
//! definitions, the seed having only their headings).
//!
//! Store states map to `status`: unpaid → `UNPAID`, paid → `PAID` (paid, not
//! collected) until a pickup confirmation marks it `PICKED_UP`; failed,
//! closed, expired or reverted → `CANCELLED`; refunded → `REFUNDED`.

use super::{ok, refuse, HiPosCode};
use crate::sandbox::gateway::{Ctx, Reply};
use crate::sandbox::store::{Order, OrderState, Store};
use paybridge::gateway::hipos::{wrapper_name, ORDER_DETAIL_PATH, PICKUP_CODE_PATH, PICKUP_CONFIRM_PATH};
use paybridge::gateway::CreateParams;
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode};

/// The order parameter marking a collected order.
const PICKED_UP: &str = "picked_up";

fn param<'a>(order: &'a Order, name: &str) -> Option<&'a str> {
    order.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Whether the order was collected (confirmed at the POS).
pub fn picked_up(order: &Order) -> bool {
    order.state == OrderState::Paid && param(order, PICKED_UP).is_some()
}

/// The order's `status`.
pub fn status_text(order: &Order) -> &'static str {
    match order.state {
        OrderState::Unpaid | OrderState::Paying => "UNPAID",
        OrderState::Paid if picked_up(order) => "PICKED_UP",
        OrderState::Paid => "PAID",
        OrderState::Refunded => "REFUNDED",
        OrderState::Failed | OrderState::Closed | OrderState::Expired | OrderState::Reverted => "CANCELLED",
    }
}

/// Whether `value` may be an order number (the module's rule: 1–64 letters,
/// digits, `-`, `_`).
fn valid_id(value: &str) -> bool {
    (1..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The order fields every answer and the notification carry. The pickup
/// code and (while unpaid) its expiry in `expiry_unit_ms` units go along
/// unless the order is collected or cancelled.
fn order_fields(order: &Order, expiry_unit_ms: i64) -> Vec<(String, Value)> {
    let status = status_text(order);
    let mut f = vec![("out_order_no".to_owned(), Value::str(&order.out_trade_no)), ("status".to_owned(), Value::str(status))];
    if order.amount > 0 {
        f.push(("amount".to_owned(), Value::int_value(order.amount)));
    }
    if let Some(trade_no) = &order.transaction_id {
        f.push(("trade_no".to_owned(), Value::str(trade_no)));
    }
    if matches!(status, "UNPAID" | "PAID") {
        f.push(("pickup_code".to_owned(), Value::str(param(order, "pickup_code").unwrap_or_default())));
    }
    if status == "UNPAID" {
        f.push(("expire_at".to_owned(), Value::int_value(order.expires_ms / expiry_unit_ms)));
    }
    f
}

/// `POST` pickup code: creates the O2O order on first use (amount in fen
/// from an optional `amount`) and answers its pickup code, the sandbox
/// wallet page, with `expire_at` in Unix seconds. Asking again for the same
/// order answers the same code (or `done` states), not an error.
pub(super) fn pickup_code(ctx: &Ctx, params: &Value) -> Reply {
    let wrapper = wrapper_name(PICKUP_CODE_PATH);
    let Some(no) = params.text("out_order_no").filter(|n| valid_id(n)) else {
        return refuse(wrapper, HiPosCode::ParamInvalid, "out_order_no 缺失或不合法。");
    };
    let amount = match params.get("amount") {
        None | Some(Value::Null) => 0,
        Some(v) => match v.as_i64().filter(|&a| a >= 0) {
            Some(a) => a,
            None => return refuse(wrapper, HiPosCode::ParamInvalid, "amount 必须是以分为单位的非负整数。"),
        },
    };
    let notify_url = params.text("notify_url");
    if notify_url.is_some_and(|u| !u.starts_with("http://") && !u.starts_with("https://")) {
        return refuse(wrapper, HiPosCode::ParamInvalid, "notify_url 必须是 http(s) 地址。");
    }
    let mut order = Order::new(Gateway::HiPos, &CreateParams::new(Mode::Qr, Channel::Any, no), amount, ctx.now_ms, ctx.settings.order_ttl_ms);
    order.notify_url = notify_url.map(str::to_owned);
    order.params.push(("pickup_code".to_owned(), ctx.wallet_url(Gateway::HiPos, no)));
    ctx.store.insert(order);
    match ctx.store.get(Gateway::HiPos, no, ctx.now_ms) {
        Some(order) => ok(wrapper, order_fields(&order, 1000)),
        None => refuse(wrapper, HiPosCode::OrderNotFound, HiPosCode::OrderNotFound.message()),
    }
}

/// `GET` order detail (`expire_at` in Unix milliseconds).
pub(super) fn detail(ctx: &Ctx, params: &Value) -> Reply {
    let wrapper = wrapper_name(ORDER_DETAIL_PATH);
    let Some(no) = params.text("out_order_no") else {
        return refuse(wrapper, HiPosCode::ParamInvalid, "缺少 out_order_no。");
    };
    match ctx.store.get(Gateway::HiPos, no, ctx.now_ms) {
        Some(order) => ok(wrapper, order_fields(&order, 1)),
        None => refuse(wrapper, HiPosCode::OrderNotFound, HiPosCode::OrderNotFound.message()),
    }
}

/// Confirms the pickup of a paid order at a POS (`PAID` → `PICKED_UP`),
/// checking the scanned `pickup_code` when given. For the confirmation
/// endpoint and for a sandbox control that plays the store's POS.
pub fn confirm_pickup(store: &Store, out_order_no: &str, pickup_code: Option<&str>, device_id: Option<&str>, now_ms: i64) -> Result<Order, (HiPosCode, &'static str)> {
    let order = store.get(Gateway::HiPos, out_order_no, now_ms).ok_or((HiPosCode::OrderNotFound, HiPosCode::OrderNotFound.message()))?;
    if pickup_code.is_some_and(|c| Some(c) != param(&order, "pickup_code")) {
        return Err((HiPosCode::ParamInvalid, "提货码与订单不符。"));
    }
    match status_text(&order) {
        "PAID" => {}
        "UNPAID" => return Err((HiPosCode::OrderStateConflict, "订单尚未支付，不能提货。")),
        _ => return Err((HiPosCode::OrderStateConflict, HiPosCode::OrderStateConflict.message())),
    }
    let updated = store.update(Gateway::HiPos, out_order_no, now_ms, |o| {
        o.params.push((PICKED_UP.to_owned(), now_ms.to_string()));
        if let Some(device) = device_id {
            o.params.push(("device_id".to_owned(), device.to_owned()));
        }
    });
    updated.ok_or((HiPosCode::OrderNotFound, HiPosCode::OrderNotFound.message()))
}

/// `POST` pickup confirmation.
pub(super) fn confirm(ctx: &Ctx, params: &Value) -> Reply {
    let wrapper = wrapper_name(PICKUP_CONFIRM_PATH);
    let Some(no) = params.text("out_order_no") else {
        return refuse(wrapper, HiPosCode::ParamInvalid, "缺少 out_order_no。");
    };
    match confirm_pickup(ctx.store, no, params.text("pickup_code"), params.text("device_id"), ctx.now_ms) {
        Ok(order) => ok(wrapper, order_fields(&order, 1)),
        Err((code, msg)) => refuse(wrapper, code, msg),
    }
}

/// The order notification fields (paid, collected or cancelled orders),
/// with `notify_url` for the wire encoder, which takes the path from it.
pub fn notification_fields(order: &Order) -> Option<Value> {
    if matches!(order.state, OrderState::Unpaid | OrderState::Paying | OrderState::Refunded) {
        return None;
    }
    let mut f = order_fields(order, 1);
    f.retain(|(k, _)| k != "expire_at");
    if let Some(url) = &order.notify_url {
        f.push(("notify_url".to_owned(), Value::str(url)));
    }
    Some(Value::Object(f))
}

/// The trades (paid or collected orders, newest first) for the trade reports.
pub(super) fn trades(store: &Store, now_ms: i64) -> Vec<Order> {
    let mut list: Vec<Order> = store
        .all()
        .into_iter()
        .filter(|o| o.gateway == Gateway::HiPos)
        .filter_map(|o| store.get(Gateway::HiPos, &o.out_trade_no, now_ms))
        .filter(|o| matches!(o.state, OrderState::Paid | OrderState::Refunded))
        .collect();
    list.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then_with(|| a.out_trade_no.cmp(&b.out_trade_no)));
    list
}

/// The POS that confirmed the pickup, if any.
pub(super) fn device_of(order: &Order) -> Option<&str> {
    param(order, "device_id")
}
