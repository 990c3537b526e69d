//! The BeeCloud sandbox (seed `003`, offline REST API v2): create
//! (`/2/rest/offline/bill`), status, revert, the bills lookup and the
//! back-office refund, answered with `result_code` / `result_msg` /
//! `err_detail` (always HTTP 200, as BeeCloud reports errors in the body).
//!
//! - QR channels (`WX_NATIVE`, `ALI_OFFLINE_QRCODE`) answer `code_url`, the
//!   sandbox wallet page. Barcode channels answer `pay_result`: `false`
//!   while the payer types the PIN (`counter_pin_ms`), then the bill settles
//!   by itself. `SCAN` answers only `channel_type` (seed), chosen from the
//!   code's prefix: 25–30 is Alipay, anything else WeChat.
//! - Missing fields are 4 `MISS_PARAM`, malformed ones 5 `PARAM_INVALID`, an
//!   unknown `channel` 3 `CHANNEL_INVALID`. The seed has no code for a reused
//!   `bill_no` ("同一订单号不可重复提交") nor for an unknown one outside
//!   refunds: the sandbox answers 5 and 8 `NO_SUCH_BILL`.
//! - Revert: an unpaid bill is reverted (`revert_status: true`); a paid one
//!   is not (`false`: the page queries again and finds it paid).
//! - Refund (A3.5, back office, `master_secret`): one full or partial refund
//!   per paid bill ("仅能退款成功一次"), after which the bill reads refunded
//!   (`refund_result` true) and a `REFUND` webhook goes out; a second refund
//!   is 11 `ALREADY_REFUNDING`, more than paid 12 `REFUND_AMOUNT_TOO_LARGE`,
//!   an unpaid bill 9 `BILL_UNSUCCESS`. The refund date in `refund_no` is
//!   not checked.
//! - Webhooks: the format the BeeCloud module defines (`PAY` when paid,
//!   `REFUND` when refunded). Outcome unknown: 14 `RUNTIME_ERROR`.

mod bills;

use super::gateway::{Ctx, Reply, SandboxGateway};
use super::store::{Order, OrderState, RefundRefusal};
use paybridge::gateway::beecloud::wire::error_body;
use paybridge::gateway::beecloud::{check_bill_no, check_refund_no, BeeCloudCode, BILLS_PATH, BILL_PATH, REFUND_PATH, REVERT_PATH, STATUS_PATH, TITLE_MAX_BYTES};
use paybridge::gateway::wire::Secrets;
use paybridge::gateway::{CreateParams, Endpoint};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode};

/// The BeeCloud sandbox.
pub struct BeeCloudSandbox;

/// This gateway's sandbox, as the registry finds it.
pub static SANDBOX: BeeCloudSandbox = BeeCloudSandbox;

/// The create channels: BeeCloud name, mode, wallet (`Any` for `SCAN`).
const CHANNELS: [(&str, Mode, Channel); 7] = [
    ("WX_NATIVE", Mode::Qr, Channel::Wechat),
    ("ALI_OFFLINE_QRCODE", Mode::Qr, Channel::Alipay),
    ("WX_SCAN", Mode::Counter, Channel::Wechat),
    ("ALI_SCAN", Mode::Counter, Channel::Alipay),
    ("SCAN", Mode::Counter, Channel::Any),
    ("BC_WX_SCAN", Mode::Counter, Channel::Wechat),
    ("BC_ALI_SCAN", Mode::Counter, Channel::Alipay),
];

/// The channels the status call accepts (every create channel but `SCAN`).
const STATUS_CHANNELS: [&str; 6] = ["WX_NATIVE", "WX_SCAN", "ALI_OFFLINE_QRCODE", "ALI_SCAN", "BC_ALI_SCAN", "BC_WX_SCAN"];
/// The channels the revert call accepts (seed: only these three).
const REVERT_CHANNELS: [&str; 3] = ["WX_SCAN", "ALI_OFFLINE_QRCODE", "ALI_SCAN"];

/// `result_code` 0 with the call's own fields.
fn ok<const N: usize>(fields: [(&str, Value); N]) -> Reply {
    let mut body = vec![("result_code", Value::int_value(0)), ("result_msg", Value::str("OK")), ("err_detail", Value::str(""))];
    body.extend(fields);
    Reply::ok(Value::object(body))
}

fn refuse(code: BeeCloudCode, detail: &str) -> Reply {
    Reply::ok(error_body(&code, detail))
}

/// A create-request parameter the bill kept.
fn param<'a>(order: &'a Order, name: &str) -> Option<&'a str> {
    order.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The barcode channel a `SCAN` code belongs to.
fn scan_channel(auth_code: &str) -> (&'static str, Channel) {
    match auth_code.get(..2).and_then(|p| p.parse::<u8>().ok()) {
        Some(25..=30) => ("ALI_SCAN", Channel::Alipay),
        _ => ("WX_SCAN", Channel::Wechat),
    }
}

/// The required text `key`, or the refusal for its absence.
fn required<'a>(params: &'a Value, key: &str) -> Result<&'a str, Reply> {
    params.text(key).ok_or_else(|| refuse(BeeCloudCode::MissParam, &format!("缺少必填参数 {key}")))
}

fn create(ctx: &Ctx, params: &Value) -> Result<Reply, Reply> {
    let name = required(params, "channel")?;
    let &(name, mode, wallet) = CHANNELS.iter().find(|(n, _, _)| *n == name).ok_or_else(|| refuse(BeeCloudCode::ChannelInvalid, &format!("channel {name} 不合法")))?;
    let fee = params.get("total_fee").ok_or_else(|| refuse(BeeCloudCode::MissParam, "缺少必填参数 total_fee"))?;
    let fee = fee.as_i64().filter(|&f| f > 0).ok_or_else(|| refuse(BeeCloudCode::ParamInvalid, "total_fee 必须是正整数，单位为分"))?;
    let bill_no = check_bill_no(required(params, "bill_no")?).map_err(|_| refuse(BeeCloudCode::ParamInvalid, "bill_no 必须是8到32位数字和/或字母"))?;
    let title = required(params, "title")?;
    if title.len() > TITLE_MAX_BYTES {
        return Err(refuse(BeeCloudCode::ParamInvalid, "title 必须在32个字节内"));
    }
    let notify_url = params.text("notify_url");
    if notify_url.is_some_and(|u| !u.starts_with("http://") && !u.starts_with("https://")) {
        return Err(refuse(BeeCloudCode::ParamInvalid, "notify_url 必须以http://或https://开头"));
    }
    let optional = match params.get("optional") {
        None | Some(Value::Null) => "{}".to_owned(),
        Some(map @ Value::Object(_)) => map.to_json(),
        Some(_) => return Err(refuse(BeeCloudCode::ParamInvalid, "optional 必须是 Map")),
    };
    let (sub_channel, wallet) = if mode == Mode::Counter {
        let code = required(params, "auth_code")?;
        if name == "SCAN" {
            scan_channel(code)
        } else {
            (name, wallet)
        }
    } else {
        (name, wallet)
    };
    let mut p = CreateParams::new(mode, wallet, bill_no);
    p.subject = Some(title.to_owned());
    let mut order = Order::new(Gateway::BeeCloud, &p, fee, ctx.now_ms, ctx.settings.order_ttl_ms);
    order.notify_url = notify_url.map(str::to_owned);
    order.params = vec![("channel".into(), name.into()), ("sub_channel".into(), sub_channel.into()), ("title".into(), title.into()), ("optional".into(), optional)];
    if mode == Mode::Counter {
        // The payer may have to type a PIN; with no delay the bill settles now.
        order.state = OrderState::Paying;
        order.settle_at_ms = Some(ctx.now_ms + ctx.settings.counter_pin_ms.max(0));
        order.tick(ctx.now_ms);
    }
    if !ctx.store.insert(order.clone()) {
        return Err(refuse(BeeCloudCode::ParamInvalid, &format!("bill_no {bill_no} 已存在，同一订单号不可重复提交")));
    }
    Ok(match (mode, name) {
        (Mode::Qr, _) => ok([("code_url", Value::String(ctx.wallet_url(Gateway::BeeCloud, bill_no)))]),
        (_, "SCAN") => ok([("channel_type", Value::str(sub_channel))]),
        _ => ok([("pay_result", Value::Bool(order.state == OrderState::Paid))]),
    })
}

/// The bill `bill_no` names, after checking an optional `channel` against `allowed`.
fn bill(ctx: &Ctx, params: &Value, allowed: &[&str]) -> Result<Order, Reply> {
    if let Some(ch) = params.text("channel").filter(|ch| !allowed.contains(ch)) {
        return Err(refuse(BeeCloudCode::ChannelInvalid, &format!("channel {ch} 不合法")));
    }
    let bill_no = required(params, "bill_no")?;
    ctx.store.get(Gateway::BeeCloud, bill_no, ctx.now_ms).ok_or_else(|| refuse(BeeCloudCode::NoSuchBill, "没有该订单"))
}

fn status(ctx: &Ctx, params: &Value) -> Result<Reply, Reply> {
    let order = bill(ctx, params, &STATUS_CHANNELS)?;
    Ok(ok([("pay_result", Value::Bool(matches!(order.state, OrderState::Paid | OrderState::Refunded)))]))
}

fn revert(ctx: &Ctx, params: &Value) -> Result<Reply, Reply> {
    match required(params, "method")? {
        "REVERT" => {}
        other => return Err(refuse(BeeCloudCode::ParamInvalid, &format!("method {other} 不合法，REVERT代表取消订单"))),
    }
    let order = bill(ctx, params, &REVERT_CHANNELS)?;
    let order = ctx
        .store
        .update(Gateway::BeeCloud, &order.out_trade_no, ctx.now_ms, |o| {
            if !o.state.is_final() {
                o.state = OrderState::Reverted;
                o.settle_at_ms = None;
            }
        })
        .unwrap_or(order);
    let reverted = !matches!(order.state, OrderState::Paid | OrderState::Refunded);
    Ok(ok([("revert_status", Value::Bool(reverted))]))
}

fn refund(ctx: &Ctx, params: &Value) -> Result<Reply, Reply> {
    if let Some(ch) = params.text("channel").filter(|ch| !["ALI", "WX"].contains(ch)) {
        return Err(refuse(BeeCloudCode::ChannelInvalid, &format!("channel {ch} 不合法")));
    }
    let refund_no = required(params, "refund_no")?;
    if check_refund_no(refund_no).is_err() {
        return Err(refuse(BeeCloudCode::ParamInvalid, "refund_no 格式为:退款日期(8位) + 流水号(3~24 位)"));
    }
    let fee = params.get("refund_fee").ok_or_else(|| refuse(BeeCloudCode::MissParam, "缺少必填参数 refund_fee"))?;
    let fee = fee.as_i64().filter(|&f| f > 0).ok_or_else(|| refuse(BeeCloudCode::ParamInvalid, "refund_fee 必须为正整数，单位为分"))?;
    let order = bill(ctx, params, &["ALI", "WX"])?;
    let mut outcome = Err(RefundRefusal::NotPaid);
    ctx.store.update(Gateway::BeeCloud, &order.out_trade_no, ctx.now_ms, |o| {
        outcome = o.refund(refund_no, Some(fee), ctx.now_ms);
        // "同一笔订单，仅能退款成功一次": a refunded bill, partly or not, is refunded.
        if outcome.is_ok() {
            o.state = OrderState::Refunded;
        }
    });
    match outcome {
        Ok(refund) => Ok(ok([("id", Value::String(bills::record_id(&refund.refund_no))), ("refund_result", Value::Bool(true))])),
        Err(RefundRefusal::Exceeds { .. }) => Err(refuse(BeeCloudCode::RefundAmountTooLarge, "提交的退款金额超出可退额度")),
        Err(RefundRefusal::FullyRefunded | RefundRefusal::Duplicate(_)) => Err(refuse(BeeCloudCode::AlreadyRefunding, "该订单已经退款")),
        Err(RefundRefusal::NotPaid) => Err(refuse(BeeCloudCode::BillUnsuccess, "该订单没有支付成功")),
    }
}

impl SandboxGateway for BeeCloudSandbox {
    fn gateway(&self) -> Gateway {
        Gateway::BeeCloud
    }

    fn handle(&self, ctx: &Ctx, endpoint: &Endpoint, _path: &str, params: &Value) -> Reply {
        let answer = match endpoint.path {
            BILL_PATH => create(ctx, params),
            STATUS_PATH => status(ctx, params),
            REVERT_PATH => revert(ctx, params),
            BILLS_PATH => bills::bills(ctx, params),
            REFUND_PATH => refund(ctx, params),
            other => Err(refuse(BeeCloudCode::ParamInvalid, &format!("no endpoint {other}"))),
        };
        answer.unwrap_or_else(|refusal| refusal)
    }

    fn notification(&self, order: &Order, _secrets: &Secrets) -> Option<Value> {
        bills::webhook(order)
    }

    fn unknown_reply(&self, _endpoint: &Endpoint) -> Option<Reply> {
        Some(refuse(BeeCloudCode::RuntimeError, "运行时错误"))
    }
}
