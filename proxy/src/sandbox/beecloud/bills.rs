//! BeeCloud's bill records (`GET /2/rest/bills`, seed L184-L239) and the
//! webhook fields of a settled bill (the BeeCloud module's format).

use super::{ok, param, refuse};
use crate::sandbox::gateway::{Ctx, Reply};
use crate::sandbox::store::{Order, OrderState};
use paybridge::gateway::beecloud::BeeCloudCode;
use paybridge::json::Value;
use paybridge::model::Gateway;
use paybridge::sign::md5_hex;

/// Most bills one lookup returns (seed: `limit` at most 50, default 10).
const MAX_LIMIT: i64 = 50;

/// A record id in BeeCloud's UUID form, derived from `seed`.
pub(super) fn record_id(seed: &str) -> String {
    let h = md5_hex(seed.as_bytes());
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// The parent channel (`WX`, `ALI`) of a sub-channel.
fn parent_channel(sub_channel: &str) -> &'static str {
    if sub_channel.starts_with("ALI") || sub_channel.starts_with("BC_ALI") {
        "ALI"
    } else {
        "WX"
    }
}

fn paid(order: &Order) -> bool {
    matches!(order.state, OrderState::Paid | OrderState::Refunded)
}

/// The wallet's own record of a paid bill (`message_detail`).
fn message_detail(order: &Order) -> Value {
    let mut f = vec![("out_trade_no", Value::str(&order.out_trade_no)), ("total_fee", Value::int_value(order.amount))];
    if let Some(trade_no) = &order.transaction_id {
        f.push(("transaction_id", Value::str(trade_no)));
    }
    Value::object(f)
}

/// One entry of `bills`.
fn bill_object(order: &Order, need_detail: bool) -> Value {
    let sub = param(order, "sub_channel").unwrap_or("WX_NATIVE");
    let mut f = vec![
        ("id", Value::String(record_id(&order.gateway_order_id))),
        ("bill_no", Value::str(&order.out_trade_no)),
        ("total_fee", Value::int_value(order.amount)),
        ("channel", Value::str(parent_channel(sub))),
        ("sub_channel", Value::str(sub)),
        ("title", Value::str(param(order, "title").unwrap_or_default())),
        ("spay_result", Value::Bool(paid(order))),
        ("create_time", Value::int_value(order.created_ms)),
        ("optional", Value::str(param(order, "optional").unwrap_or("{}"))),
        ("revert_result", Value::Bool(order.state == OrderState::Reverted)),
        ("refund_result", Value::Bool(order.state == OrderState::Refunded)),
    ];
    if let Some(trade_no) = order.transaction_id.as_deref().filter(|_| paid(order)) {
        f.push(("trade_no", Value::str(trade_no)));
    }
    if need_detail {
        f.push(("message_detail", Value::String(message_detail(order).to_json())));
    }
    Value::object(f)
}

fn flag(params: &Value, key: &str) -> Result<Option<bool>, Reply> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_bool_lenient().map(Some).ok_or_else(|| refuse(BeeCloudCode::ParamInvalid, &format!("{key} 必须是 Bool"))),
    }
}

fn int(params: &Value, key: &str) -> Result<Option<i64>, Reply> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().filter(|&n| n >= 0).map(Some).ok_or_else(|| refuse(BeeCloudCode::ParamInvalid, &format!("{key} 必须是非负整数"))),
    }
}

/// `GET /2/rest/bills`: the sandbox's bills matching every given filter
/// (`bill_no`, `channel`, `spay_result`, `refund_result`, `start_time`,
/// `end_time` on the creation time), newest first, `skip` / `limit` applied.
pub(super) fn bills(ctx: &Ctx, params: &Value) -> Result<Reply, Reply> {
    let (spay, refunded) = (flag(params, "spay_result")?, flag(params, "refund_result")?);
    let need_detail = flag(params, "need_detail")?.unwrap_or(false);
    let (start, end) = (int(params, "start_time")?, int(params, "end_time")?);
    let skip = int(params, "skip")?.unwrap_or(0);
    let limit = int(params, "limit")?.unwrap_or(10);
    if limit > MAX_LIMIT {
        return Err(refuse(BeeCloudCode::ParamInvalid, "limit 最大为50"));
    }
    let (bill_no, channel) = (params.text("bill_no"), params.text("channel"));
    let mut found: Vec<Order> = ctx
        .store
        .all()
        .into_iter()
        .filter(|o| o.gateway == Gateway::BeeCloud)
        .map(|o| ctx.store.get(Gateway::BeeCloud, &o.out_trade_no, ctx.now_ms).unwrap_or(o))
        .filter(|o| bill_no.is_none_or(|b| b == o.out_trade_no))
        .filter(|o| channel.is_none_or(|c| param(o, "sub_channel").is_some_and(|sub| c == sub || c == parent_channel(sub))))
        .filter(|o| spay.is_none_or(|s| s == paid(o)) && refunded.is_none_or(|r| r == (o.state == OrderState::Refunded)))
        .filter(|o| start.is_none_or(|t| o.created_ms >= t) && end.is_none_or(|t| o.created_ms <= t))
        .collect();
    found.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then_with(|| a.out_trade_no.cmp(&b.out_trade_no)));
    let page = found.iter().skip(usize::try_from(skip).unwrap_or(usize::MAX)).take(usize::try_from(limit).unwrap_or(0));
    Ok(ok([("bills", Value::Array(page.map(|o| bill_object(o, need_detail)).collect()))]))
}

/// The webhook fields for a paid (`PAY`) or refunded (`REFUND`) bill;
/// `notify_url` rides along for the wire encoder, which takes the path from it.
pub(super) fn webhook(order: &Order) -> Option<Value> {
    let sub = param(order, "sub_channel").unwrap_or("WX_NATIVE");
    let optional = param(order, "optional").and_then(|o| paybridge::json::parse(o).ok()).unwrap_or(Value::Object(Vec::new()));
    let (kind, id, fee) = match order.state {
        OrderState::Paid => ("PAY", order.out_trade_no.clone(), order.amount),
        OrderState::Refunded => {
            let refund = order.refunds.last()?;
            ("REFUND", refund.refund_no.clone(), refund.amount)
        }
        _ => return None,
    };
    let mut f = vec![
        ("channel_type", Value::str(parent_channel(sub))),
        ("sub_channel_type", Value::str(sub)),
        ("transaction_type", Value::str(kind)),
        ("transaction_id", Value::String(id)),
        ("bill_no", Value::str(&order.out_trade_no)),
        ("transaction_fee", Value::int_value(fee)),
        ("trade_success", Value::Bool(true)),
        ("message_detail", message_detail(order)),
        ("optional", optional),
    ];
    if let Some(url) = &order.notify_url {
        f.push(("notify_url", Value::str(url)));
    }
    Some(Value::object(f))
}
