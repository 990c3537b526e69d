//! The BlueOcean Pay sandbox (seed 001; digest `reference/seed-blueocean.md`).
//!
//! Answers `/payment/pay` for every `payment` value, `/order/query`,
//! `/order/close`, `/order/reverse`, `/payment/refund` and
//! `/order/refundquery` with the seed's envelope `{code, message, data}`
//! and the examples' field names and types (`data` is signed by the wire).
//!
//! Choices where the seed is silent:
//! - **Micropay** answers `201` (刷卡交易未知状态, no `data`) while the payer
//!   "enters the PIN" (`Settings::counter_pin_ms`), after which the order
//!   succeeds by itself; with a PIN time of 0 it answers 200 `SUCCESS`. The
//!   payer's code picks the wallet by prefix (10–15 WeChat, 25–30 Alipay;
//!   other codes: 40500); a `provider` that disagrees is refused (40500); a
//!   code used before is refused (40111).
//! - **Wallet URLs**: `qrcode` (QR, mixed code, WAP, UPOP) and `mweb_url`
//!   point at the sandbox wallet page, so a person or a test can pay them.
//!   MWEB and UPOP orders start in `USERPAYING`, as in the examples.
//! - **Close** works on unpaid (and failed) orders; a paid one gives 40101,
//!   closed or expired 40103, reversed 40104, refunded 40105. **Reverse**
//!   also reverses a paid order (refunding it), as WeChat's reverse does.
//! - **Refunds** (§3.3) may be partial and several; `refund_fee` left out
//!   refunds what is left; beyond what is left is 492001 (参数格式不符合指定要求,
//!   message 退款金额超出可退金额: the seed has no own code); an unpaid order
//!   40100 (订单未支付); a fully refunded one 40105; a refund number used
//!   before 493001. The order reads `REFUND` once fully refunded, `SUCCESS`
//!   with `refundable` / `total_refund_fee` while partly refunded. The refund
//!   query (§3.4) answers the documented envelope. No refund notification:
//!   §7 documents payment notifications only.
//! - **Missing or malformed parameters**: 40109 (message names the field)
//!   and 492001; a duplicate `out_trade_no` is 40106; an unknown order 40102.
//! - **Notifications** (§7) are sent for paid orders only, with the
//!   documented fields; `time_end` is `yyyyMMddHHmmss` in GMT+8.

mod objects;
pub mod wechat;

use super::clock::{compact_gmt8, paid_at_ms};
use super::gateway::{Ctx, Reply, SandboxGateway};
use super::store::{Order, OrderState, RefundRefusal};
use objects::{order_data, trade_type, KindTraits};
use paybridge::gateway::blueocean::BlueOceanCode;
use paybridge::gateway::blueocean::Payment;
use paybridge::gateway::wire::{text_pairs, Secrets};
use paybridge::gateway::{CreateParams, Endpoint};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway};

/// The BlueOcean sandbox.
pub struct BlueOceanSandbox;

/// This gateway's sandbox, as the registry finds it.
pub static SANDBOX: BlueOceanSandbox = BlueOceanSandbox;

/// The envelope for a refusal with the table's meaning as `message`.
fn refuse(code: BlueOceanCode) -> Reply {
    refuse_with(&code, code.meaning())
}

fn refuse_with(code: &BlueOceanCode, message: &str) -> Reply {
    let number = code.as_str().parse().map_or_else(|_| Value::str(code.as_str()), Value::int_value);
    Reply::ok(Value::object([("code", number), ("message", Value::str(message))]))
}

/// 40109 naming the missing parameter.
fn missing(name: &str) -> Reply {
    refuse_with(&BlueOceanCode::ParameterMissing, &format!("缺少参数: {name}"))
}

fn success(data: Value) -> Reply {
    Reply::ok(Value::object([("code", Value::int_value(200)), ("message", Value::str("success")), ("data", data)]))
}

/// A merchant order number BlueOcean accepts: 1–32 letters, digits, `-`, `_`.
fn order_no_ok(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The wallet a payer's code belongs to, by its prefix.
fn code_provider(code: &str) -> Option<Channel> {
    match code.get(..2)?.parse::<u8>().ok()? {
        10..=15 => Some(Channel::Wechat),
        25..=30 => Some(Channel::Alipay),
        _ => None,
    }
}

fn pay(ctx: &Ctx, p: &Value) -> Reply {
    let Some(name) = p.text("payment") else { return missing("payment") };
    let Some(kind) = Payment::parse(name) else { return refuse(BlueOceanCode::ParameterFormat) };
    let amount = match p.get("total_fee") {
        None => return missing("total_fee"),
        Some(v) => match v.as_i64().filter(|a| (1..=100_000_000_000).contains(a)) {
            Some(a) => a,
            None => return refuse(BlueOceanCode::ParameterFormat),
        },
    };
    let no = match p.text("out_trade_no") {
        Some(no) if order_no_ok(no) => no.to_owned(),
        Some(_) => return refuse(BlueOceanCode::ParameterFormat),
        None => format!("11{}", ctx.now_ms),
    };
    for (field, needed) in [("spbill_create_ip", kind == Payment::WechatMweb), ("sub_appid", kind.needs_sub_appid()), ("sub_openid", kind == Payment::WechatJsapi)] {
        if needed && p.text(field).is_none() {
            return missing(field);
        }
    }
    let mut channel = kind.channel();
    if kind == Payment::Micropay {
        let Some(code) = p.text("code") else { return missing("code") };
        if !(10..=32).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return refuse(BlueOceanCode::ParameterFormat);
        }
        let provider = code_provider(code);
        let asked = p.text("provider").map(Channel::parse);
        if provider.is_none() || asked.is_some_and(|a| a != provider) {
            return refuse_with(&BlueOceanCode::PaymentError, "付款码与支付方式不符");
        }
        let used = ctx.store.all().iter().any(|o| o.gateway == Gateway::BlueOcean && o.params.iter().any(|(k, v)| k == "code" && v == code));
        if used {
            return refuse(BlueOceanCode::AuthCodeUsed);
        }
        channel = provider.unwrap_or(Channel::Any);
    }
    let mut order = Order::new(Gateway::BlueOcean, &CreateParams::new(kind.mode(), channel, no.clone()), amount, ctx.now_ms, ctx.settings.order_ttl_ms);
    order.notify_url = p.text("notify_url").map(str::to_owned);
    order.params = text_pairs(p);
    if kind.starts_paying() {
        order.state = OrderState::Paying;
    }
    let counter_pending = kind == Payment::Micropay && ctx.settings.counter_pin_ms > 0;
    if counter_pending {
        order.state = OrderState::Paying;
        order.settle_at_ms = Some(ctx.now_ms + ctx.settings.counter_pin_ms);
    }
    if !ctx.store.insert(order) {
        return refuse(BlueOceanCode::DuplicateOrderNo);
    }
    if kind == Payment::Micropay && !counter_pending {
        let _ = ctx.store.update(Gateway::BlueOcean, &no, ctx.now_ms, |o| o.apply(super::store::PayerAction::Pay, ctx.now_ms));
    }
    if counter_pending {
        return refuse(BlueOceanCode::TradeStateUnknown);
    }
    match ctx.store.get(Gateway::BlueOcean, &no, ctx.now_ms) {
        Some(order) => success(order_data(ctx, &order)),
        None => refuse(BlueOceanCode::General),
    }
}

/// The order a query, close, reverse or refund names: `sn` first, then
/// `out_trade_no`, then `transaction_id`.
fn find(ctx: &Ctx, p: &Value) -> Result<Order, Reply> {
    let found = if let Some(sn) = p.text("sn") {
        ctx.store.find_by_gateway_id(Gateway::BlueOcean, sn, ctx.now_ms)
    } else if let Some(no) = p.text("out_trade_no") {
        ctx.store.get(Gateway::BlueOcean, no, ctx.now_ms)
    } else if let Some(tx) = p.text("transaction_id") {
        let hit = ctx.store.all().into_iter().find(|o| o.gateway == Gateway::BlueOcean && o.transaction_id.as_deref() == Some(tx));
        hit.and_then(|o| ctx.store.get(Gateway::BlueOcean, &o.out_trade_no, ctx.now_ms))
    } else {
        return Err(missing("sn / out_trade_no"));
    };
    found.ok_or_else(|| refuse(BlueOceanCode::OrderNotFound))
}

/// Moves the order to `to` if `allowed` says so; the refusal otherwise.
fn transition(ctx: &Ctx, p: &Value, to: OrderState, allowed: fn(OrderState) -> Result<(), BlueOceanCode>) -> Reply {
    let order = match find(ctx, p) {
        Ok(o) => o,
        Err(reply) => return reply,
    };
    if let Err(code) = allowed(order.state) {
        return refuse(code);
    }
    let updated = ctx.store.update(Gateway::BlueOcean, &order.out_trade_no, ctx.now_ms, |o| {
        o.state = to;
        o.settle_at_ms = None;
    });
    match updated {
        Some(o) => success(order_data(ctx, &o)),
        None => refuse(BlueOceanCode::OrderNotFound),
    }
}

/// The refusal for an order that can no longer change, by its state.
fn settled(state: OrderState) -> Result<(), BlueOceanCode> {
    match state {
        OrderState::Paid => Err(BlueOceanCode::OrderPaid),
        OrderState::Closed | OrderState::Expired => Err(BlueOceanCode::OrderClosed),
        OrderState::Reverted => Err(BlueOceanCode::OrderRevoked),
        OrderState::Refunded => Err(BlueOceanCode::OrderRefunded),
        OrderState::Unpaid | OrderState::Paying | OrderState::Failed => Ok(()),
    }
}

fn reverse_allowed(state: OrderState) -> Result<(), BlueOceanCode> {
    if state == OrderState::Paid {
        Ok(())
    } else {
        settled(state)
    }
}

fn refund(ctx: &Ctx, p: &Value) -> Reply {
    let order = match find(ctx, p) {
        Ok(o) => o,
        Err(reply) => return reply,
    };
    let amount = match p.get("refund_fee") {
        None => None,
        Some(v) => match v.as_i64() {
            Some(fee) => Some(fee),
            None => return refuse(BlueOceanCode::ParameterFormat),
        },
    };
    let refund_no = p.text("out_refund_no").map_or_else(|| format!("R{}{:02}", order.gateway_order_id, order.refunds.len()), str::to_owned);
    if !order_no_ok(&refund_no) {
        return refuse(BlueOceanCode::ParameterFormat);
    }
    if ctx.store.find_refund(Gateway::BlueOcean, &refund_no, ctx.now_ms).is_some() {
        return refuse(BlueOceanCode::DuplicateRefundNo);
    }
    let mut outcome = Err(RefundRefusal::NotPaid);
    let updated = ctx.store.update(Gateway::BlueOcean, &order.out_trade_no, ctx.now_ms, |o| outcome = o.refund(&refund_no, amount, ctx.now_ms));
    match (outcome, updated) {
        (Ok(refund), Some(o)) => success(objects::refund_data(ctx, &o, &refund)),
        (Err(RefundRefusal::Duplicate(_)), _) => refuse(BlueOceanCode::DuplicateRefundNo),
        (Err(RefundRefusal::FullyRefunded), _) => refuse(BlueOceanCode::OrderRefunded),
        (Err(RefundRefusal::Exceeds { .. }), _) => refuse_with(&BlueOceanCode::ParameterFormat, "退款金额超出可退金额"),
        (Err(RefundRefusal::NotPaid), _) => refuse_with(&BlueOceanCode::InvalidRequest, "订单未支付"),
        (Ok(_), None) => refuse(BlueOceanCode::OrderNotFound),
    }
}

fn refund_query(ctx: &Ctx, p: &Value) -> Reply {
    let Some(no) = p.text("customer_refund_no") else { return missing("customer_refund_no") };
    match ctx.store.find_refund(Gateway::BlueOcean, no, ctx.now_ms) {
        Some((order, refund)) => success(objects::refund_data(ctx, &order, &refund)),
        None => refuse(BlueOceanCode::DataNotFound),
    }
}

impl SandboxGateway for BlueOceanSandbox {
    fn gateway(&self) -> Gateway {
        Gateway::BlueOcean
    }

    /// The sandbox's WeChat API: the official account's jsapi_ticket for `wx.config` (HK wallet).
    fn demo_secrets(&self, base: &str) -> Vec<(String, String)> {
        vec![("wechat_api_base".to_owned(), format!("{base}/sandbox/wechat"))]
    }

    fn handle(&self, ctx: &Ctx, endpoint: &Endpoint, _path: &str, params: &Value) -> Reply {
        match endpoint.path {
            "/payment/pay" => pay(ctx, params),
            "/order/query" => match find(ctx, params) {
                Ok(order) => success(order_data(ctx, &order)),
                Err(reply) => reply,
            },
            "/order/close" => transition(ctx, params, OrderState::Closed, settled),
            "/order/reverse" => transition(ctx, params, OrderState::Reverted, reverse_allowed),
            "/payment/refund" => refund(ctx, params),
            "/order/refundquery" => refund_query(ctx, params),
            _ => refuse(BlueOceanCode::WrongPath),
        }
    }

    /// Seed §7: sent after payment completes, with these fields (`appid`,
    /// `nonce_str` and `sign` are added by the wire).
    fn notification(&self, order: &Order, _secrets: &Secrets) -> Option<Value> {
        if order.state != OrderState::Paid {
            return None;
        }
        let paid_ms = paid_at_ms(order.transaction_id.as_deref()).unwrap_or(order.created_ms);
        let bank_type = match order.channel {
            Channel::Alipay => "ALIPAYACCOUNT",
            Channel::Unionpay => "UNIONPAY",
            _ => "CFT",
        };
        let mut fields = vec![
            ("bank_type", Value::str(bank_type)),
            ("cash_fee", Value::int_value(order.amount)),
            ("cash_fee_type", Value::str("HKD")),
            ("fee_type", Value::str("HKD")),
            ("out_trade_no", Value::str(order.out_trade_no.as_str())),
            ("transaction_id", Value::str(order.transaction_id.clone().unwrap_or_default())),
            ("time_end", Value::str(compact_gmt8(paid_ms))),
            ("total_fee", Value::int_value(order.amount)),
            ("trade_type", Value::str(trade_type(order))),
            ("version", Value::str("1.0")),
            ("sn", Value::str(order.gateway_order_id.as_str())),
        ];
        if let Some((_, attach)) = order.params.iter().find(|(k, v)| k == "attach" && !v.is_empty()) {
            fields.push(("attach", Value::str(attach.as_str())));
        }
        Some(Value::object(fields))
    }

    /// Code 201 (刷卡交易未知状态): "query the order".
    fn unknown_reply(&self, _endpoint: &Endpoint) -> Option<Reply> {
        Some(refuse(BlueOceanCode::TradeStateUnknown))
    }
}
