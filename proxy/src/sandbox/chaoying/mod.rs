//! The ChaoYing sandbox (seed 004, API v2.9.0; digest `reference/seed-chaoying.md`).
//!
//! Pre-orders (`/Open/WECHAT_PreOrder`, `/Open/ALIPAY_PreOrder`: JSPAY with
//! `pay_info` as a JSON string, NATIVE with `code_url`, APP with an app
//! payload) and the `/UnifiedPay/Gateway` methods `pay` (counter),
//! `orderquery`, `cancel`, `refund` and `refundquery`. Every answer carries `state`,
//! `code`, `msg` and `trade_state` (§1.3); business fields only when `state`
//! and `trade_state` are both `SUCCESS`. The wire signs every answer.
//!
//! Choices where the seed is silent:
//! - **Order state in `orderquery`** is the 1000x `code` (§5): 10003 unpaid,
//!   10001 paying, 10000 paid, 10006 payment error, 10004 closed or
//!   expired, 10005 revoked, 10002 refunded.
//! - **Counter `pay`** answers `trade_state=PROCESSING`, code 10001 while the
//!   PIN timer runs (`Settings::counter_pin_ms`), then the order succeeds by
//!   itself; with a PIN time of 0 it answers the paid order at once. The
//!   wallet is inferred from the code's prefix (10–15 WeChat, 25–30 Alipay,
//!   62 UnionPay); other codes: `trade_state=FAIL`, 10006.
//! - **Errors**: a missing or malformed parameter is `state=FAIL`, 20004
//!   (the message names the field); an unknown order is
//!   `trade_state=FAIL`, 20007; a refund number that matches nothing 20010.
//! - **A repeated pre-order** with the same number and amount on an unpaid
//!   order answers the same pre-order again (idempotent); otherwise 20004
//!   订单号重复.
//! - **Cancel** (交易撤销, L1026-L1099): "支付失败的关单，支付成功的撤销支付" — an unpaid or paying
//!   order is revoked (10000), a failed one closed (10004); a paid one is
//!   revoked within 5 minutes of creation, else 20011 (the proxy's cancel
//!   safety never forwards that one from a page). A `paytype` naming another
//!   wallet than the order's is 20004; a missing one is tolerated, as on
//!   `orderquery`, whose `paytype` rows the seed lost (L794-L796).
//! - **Refunds** (B3) may be partial and several, up to what was paid; the
//!   order reads 10002 转入退款 once fully refunded, 10000 before. Refusals
//!   are `trade_state=FAIL`, 20008 退款错误; refunds settle at once, and the
//!   refund query (B4) lists the order's refunds as `SUCCESS`.
//! - **Notifications** (§6) are sent for paid orders only (§6 documents no
//!   refund notification); `trade_type` is
//!   `pay.weixin.*` / `pay.alipay.*`; `time_end` is `yyyyMMddHHmmss` GMT+8.

mod objects;
mod refunds;

use super::clock::{compact_gmt8, paid_at_ms};
use super::gateway::{Ctx, Reply, SandboxGateway};
use super::store::{Order, OrderState, PayerAction};
use paybridge::gateway::chaoying::{code_wallet, paytype, ALIPAY_PRE_ORDER, WECHAT_PRE_ORDER};
use paybridge::gateway::wire::{text_pairs, Secrets};
use paybridge::gateway::{CreateParams, Endpoint};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode};

/// The ChaoYing sandbox.
pub struct ChaoYingSandbox;

/// This gateway's sandbox, as the registry finds it.
pub static SANDBOX: ChaoYingSandbox = ChaoYingSandbox;

/// How long after creation a paid order may still be revoked (seed: 5 minutes).
const CANCEL_WINDOW_MS: i64 = 5 * 60_000;

/// `{state, code, msg, trade_state}` plus `extra` members.
fn envelope(state: &str, code: &str, msg: &str, trade_state: Option<&str>, extra: Vec<(&str, Value)>) -> Reply {
    let mut members = vec![("state", Value::str(state)), ("code", Value::str(code)), ("msg", Value::str(msg))];
    if let Some(t) = trade_state {
        members.push(("trade_state", Value::str(t)));
    }
    members.extend(extra);
    Reply::ok(Value::object(members))
}

/// A refused call: `state=FAIL`.
fn call_failed(code: &str, msg: &str) -> Reply {
    envelope("FAIL", code, msg, None, Vec::new())
}

/// A call that went through but whose business result failed.
fn trade_failed(code: &str, msg: &str) -> Reply {
    envelope("SUCCESS", code, msg, Some("FAIL"), Vec::new())
}

fn bad_param(name: &str) -> Reply {
    call_failed("20004", &format!("参数错误: {name}"))
}

/// 5–32 letters and digits (plus `_` on the gateway's methods).
fn order_no_ok(no: &str, underscore: bool) -> bool {
    (5..=32).contains(&no.len()) && no.bytes().all(|b| b.is_ascii_alphanumeric() || (underscore && b == b'_'))
}

fn amount(p: &Value) -> Result<i64, Reply> {
    p.int("total_fee").filter(|a| (1..=100_000_000_000).contains(a)).ok_or_else(|| bad_param("total_fee"))
}

/// The 1000x code and message for an order state (§5).
fn state_code(state: OrderState) -> (&'static str, &'static str) {
    match state {
        OrderState::Paid => ("10000", "成功"),
        OrderState::Paying => ("10001", "支付中"),
        OrderState::Refunded => ("10002", "转入退款"),
        OrderState::Unpaid => ("10003", "未支付"),
        OrderState::Closed | OrderState::Expired => ("10004", "已关闭"),
        OrderState::Reverted => ("10005", "已撤销"),
        OrderState::Failed => ("10006", "支付错误"),
    }
}

fn pre_order(ctx: &Ctx, path: &str, p: &Value) -> Reply {
    let channel = if path == WECHAT_PRE_ORDER { Channel::Wechat } else { Channel::Alipay };
    let Some(no) = p.text("out_trade_no").filter(|n| order_no_ok(n, false)) else { return bad_param("out_trade_no") };
    let total = match amount(p) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if p.text("body").is_none() {
        return bad_param("body");
    }
    let mode = match p.text("trade_type") {
        Some("JSPAY") => Mode::Jsapi,
        Some("NATIVE") => Mode::Qr,
        Some("APP" | "APP_BANK") => Mode::App,
        _ => return bad_param("trade_type"),
    };
    let needs = |field: &str| p.text(field).is_none();
    let missing = match (channel, mode) {
        (Channel::Wechat, Mode::Jsapi) => ["sub_appid", "buyer_id"].into_iter().find(|f| needs(f)),
        (Channel::Wechat, Mode::Qr) => ["product_id"].into_iter().find(|f| needs(f)),
        (Channel::Wechat, _) => ["sub_appid"].into_iter().find(|f| needs(f)),
        (_, Mode::Jsapi) if needs("buyer_id") && needs("buyer_logon_id") => Some("buyer_id"),
        _ => None,
    };
    if let Some(field) = missing {
        return bad_param(field);
    }
    let mut order = Order::new(Gateway::ChaoYing, &CreateParams::new(mode, channel, no), total, ctx.now_ms, ctx.settings.order_ttl_ms);
    order.notify_url = p.text("notify_url").map(str::to_owned);
    order.params = text_pairs(p);
    if !ctx.store.insert(order) {
        let same = ctx.store.get(Gateway::ChaoYing, no, ctx.now_ms).filter(|o| o.amount == total && o.mode == mode && o.state == OrderState::Unpaid);
        if same.is_none() {
            return call_failed("20004", "订单号重复");
        }
    }
    match ctx.store.get(Gateway::ChaoYing, no, ctx.now_ms) {
        Some(order) => envelope("SUCCESS", "10000", "SUCCESS", Some("SUCCESS"), objects::pre_order_fields(ctx, &order)),
        None => call_failed("20006", "系统错误"),
    }
}

fn counter_pay(ctx: &Ctx, p: &Value) -> Reply {
    let Some(no) = p.text("out_trade_no").filter(|n| order_no_ok(n, true)) else { return bad_param("out_trade_no") };
    let total = match amount(p) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(code) = p.text("auth_code") else { return bad_param("auth_code") };
    if p.text("body").is_none() {
        return bad_param("body");
    }
    let Some(channel) = code_wallet(code) else { return trade_failed("10006", "付款码无效") };
    let mut order = Order::new(Gateway::ChaoYing, &CreateParams::new(Mode::Counter, channel, no), total, ctx.now_ms, ctx.settings.order_ttl_ms);
    order.notify_url = p.text("notify_url").map(str::to_owned);
    order.params = text_pairs(p);
    let pin = ctx.settings.counter_pin_ms;
    order.state = OrderState::Paying;
    order.settle_at_ms = Some(ctx.now_ms + pin);
    if !ctx.store.insert(order) {
        return call_failed("20004", "订单号重复");
    }
    if pin > 0 {
        let extra = vec![("mch_id", Value::str(param_of(p, "mch_id"))), ("out_trade_no", Value::str(no))];
        return envelope("SUCCESS", "10001", "支付中，请等待用户输入密码", Some("PROCESSING"), extra);
    }
    let settled = ctx.store.update(Gateway::ChaoYing, no, ctx.now_ms, |o| o.apply(PayerAction::Pay, ctx.now_ms));
    match settled {
        Some(order) => order_answer(&order),
        None => call_failed("20006", "系统错误"),
    }
}

fn param_of<'a>(p: &'a Value, name: &str) -> &'a str {
    p.text(name).unwrap_or("")
}

/// The order named by `out_trade_no` (preferred) or `transaction_id`.
fn find(ctx: &Ctx, p: &Value) -> Result<Order, Reply> {
    let found = match (p.text("out_trade_no"), p.text("transaction_id")) {
        (Some(no), _) => ctx.store.get(Gateway::ChaoYing, no, ctx.now_ms),
        (None, Some(tx)) => ctx
            .store
            .all()
            .into_iter()
            .find(|o| o.gateway == Gateway::ChaoYing && (o.gateway_order_id == tx || o.transaction_id.as_deref() == Some(tx)))
            .and_then(|o| ctx.store.get(Gateway::ChaoYing, &o.out_trade_no, ctx.now_ms)),
        (None, None) => return Err(bad_param("out_trade_no")),
    };
    found.ok_or_else(|| trade_failed("20007", "订单不存在"))
}

/// An order's state in a query-shaped answer.
fn order_answer(order: &Order) -> Reply {
    let (code, msg) = state_code(order.state);
    envelope("SUCCESS", code, msg, Some("SUCCESS"), objects::order_fields(order))
}

fn cancel(ctx: &Ctx, p: &Value) -> Reply {
    let order = match find(ctx, p) {
        Ok(o) => o,
        Err(r) => return r,
    };
    // `paytype` is required (L1052); the sandbox refuses only one naming another wallet.
    if refunds::wrong_paytype(p, &order) {
        return bad_param("paytype");
    }
    let next = match order.state {
        OrderState::Unpaid | OrderState::Paying => OrderState::Reverted,
        OrderState::Failed => OrderState::Closed,
        OrderState::Paid if ctx.now_ms - order.created_ms <= CANCEL_WINDOW_MS => OrderState::Reverted,
        OrderState::Paid | OrderState::Refunded => return trade_failed("20011", "交易撤销错误"),
        OrderState::Closed | OrderState::Expired | OrderState::Reverted => return order_answer(&order),
    };
    let updated = ctx.store.update(Gateway::ChaoYing, &order.out_trade_no, ctx.now_ms, |o| {
        o.state = next;
        o.settle_at_ms = None;
    });
    let Some(order) = updated else { return trade_failed("20007", "订单不存在") };
    let code = if next == OrderState::Closed { "10004" } else { "10000" };
    let extra = vec![
        ("mch_id", Value::str(param_of(p, "mch_id"))),
        ("out_trade_no", Value::str(order.out_trade_no.as_str())),
        ("paytype", Value::str(paytype(order.channel).unwrap_or(""))),
        ("nonce_str", Value::str(objects::nonce(&order, "cancel"))),
    ];
    envelope("SUCCESS", code, "SUCCESS", Some("SUCCESS"), extra)
}

impl SandboxGateway for ChaoYingSandbox {
    fn gateway(&self) -> Gateway {
        Gateway::ChaoYing
    }

    fn handle(&self, ctx: &Ctx, endpoint: &Endpoint, path: &str, params: &Value) -> Reply {
        match (endpoint.path, endpoint.method_param) {
            (WECHAT_PRE_ORDER | ALIPAY_PRE_ORDER, _) => pre_order(ctx, path, params),
            (_, Some("pay")) => counter_pay(ctx, params),
            (_, Some("orderquery")) => match find(ctx, params) {
                Ok(order) => order_answer(&order),
                Err(r) => r,
            },
            (_, Some("cancel")) => cancel(ctx, params),
            (_, Some("refund")) => refunds::refund(ctx, params),
            (_, Some("refundquery")) => refunds::refund_query(ctx, params),
            _ => call_failed("20004", "参数错误: method"),
        }
    }

    /// §6.2 / §6.3 fields for a paid order (`mch_id`, `nonce_str` and
    /// `sign` are added by the wire).
    fn notification(&self, order: &Order, _secrets: &Secrets) -> Option<Value> {
        if order.state != OrderState::Paid {
            return None;
        }
        let paid_ms = paid_at_ms(order.transaction_id.as_deref()).unwrap_or(order.created_ms);
        let mut fields = vec![
            ("state", Value::str("SUCCESS")),
            ("result_code", Value::str("SUCCESS")),
            ("pay_result", Value::str("0")),
            ("out_trade_no", Value::str(order.out_trade_no.as_str())),
            ("transaction_id", Value::str(order.gateway_order_id.as_str())),
            ("out_transaction_id", Value::str(order.transaction_id.clone().unwrap_or_default())),
            ("fee_type", Value::str("CNY")),
            ("total_fee", Value::str(order.amount.to_string())),
            ("time_end", Value::str(compact_gmt8(paid_ms))),
            ("trade_type", Value::str(objects::notify_trade_type(order))),
        ];
        match order.channel {
            Channel::Alipay => fields.extend([
                ("bank_type", Value::str("ALIPAYACCOUNT")),
                ("buyer_user_id", Value::str("2088000000000000")),
                ("invoice_amount", Value::str(order.amount.to_string())),
            ]),
            _ => fields.push(("bank_type", Value::str("CFT"))),
        }
        Some(Value::object(fields))
    }

    /// `trade_state=NEED_QUERY` (需要查询): "query the order".
    fn unknown_reply(&self, _endpoint: &Endpoint) -> Option<Reply> {
        Some(envelope("SUCCESS", "10001", "需要查询", Some("NEED_QUERY"), Vec::new()))
    }
}
