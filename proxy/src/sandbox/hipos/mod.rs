//! The HiPOS sandbox (seed `000` plus the HiPOS module's own definitions):
//! HiPOS cloud's endpoints — the token, the merchant profile and payment
//! settings, the device authorisation code, the trade reports — each
//! answered inside its `*_response` wrapper; and HiPOS cloud + the store's
//! POS calling the merchant's application-side interfaces ([`pos`]): a
//! scanned pickup code (with an offline payment when the order is unpaid)
//! and a paired device. HiPOS hosts no order of the merchant's: the
//! sandbox's book holds only the POS's own trades.
//!
//! - Token: one fresh 40-hex token per call for the registered hostname
//!   (the wire code already refused any other with 6001), with the sandbox
//!   merchant id `10011` as a number, as the seed prints it. The framework
//!   records the token from the reply and checks later calls against it;
//!   [`after_handle`] sends the token callback to the call's `notify_url`
//!   and keeps that URL (where the POS's calls go) and every device code
//!   issued ([`registry`]).
//! - The merchant is [`SANDBOX_MERCHANT_ID`]; any other id is 6011.
//!   Malformed merchant data is 6012; a missing or malformed parameter 6020
//!   (HTTP 400).
//! - Trade reports cover the POS's trades: the sandbox has one store.
//! - No "outcome unknown" answer: HiPOS defines none.

pub mod pos;
pub mod registry;

use super::gateway::{Ctx, Reply, SandboxGateway};
use super::state::SandboxState;
use super::store::{Order, OrderState, Store};
use paybridge::gateway::hipos::wire::error_body;
use paybridge::gateway::hipos::{wrapper_name, HiPosCode, DEVICE_AUTHCODE_PATH, MERCHANT_PATH, PAYMENTS_PATH, TOKEN_PATH, TRADES_DETAIL_PATH, TRADES_OVERVIEW_PATH};
use paybridge::gateway::wire::Secrets;
use paybridge::gateway::{Endpoint, Operation};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway};
use paybridge::sign::md5_hex;

/// The HiPOS sandbox.
pub struct HiPosSandbox;

/// This gateway's sandbox, as the registry finds it.
pub static SANDBOX: HiPosSandbox = HiPosSandbox;

/// The merchant id the sandbox issues tokens for.
pub const SANDBOX_MERCHANT_ID: i64 = 10011;

/// How long a device authorisation code lives.
const DEVICE_CODE_TTL_MS: i64 = 10 * 60_000;

/// `{wrapper: {"code": 0, "msg": msg, …fields}}`.
fn ok_with(wrapper: &str, msg: &str, fields: Vec<(String, Value)>) -> Reply {
    let mut inner = vec![("code".to_owned(), Value::int_value(0)), ("msg".to_owned(), Value::str(msg))];
    inner.extend(fields);
    Reply::ok(Value::object([(wrapper, Value::Object(inner))]))
}

/// `{wrapper: {"code": 0, "msg": "OK", …fields}}`.
fn ok(wrapper: &str, fields: Vec<(String, Value)>) -> Reply {
    ok_with(wrapper, "OK", fields)
}

/// HiPOS's error shape; 6020 goes with HTTP 400 as the wire code's own
/// refusals do, the others with 200 as the seed's examples.
fn refuse(wrapper: &str, code: HiPosCode, msg: &str) -> Reply {
    let status = if code == HiPosCode::ParamInvalid { 400 } else { 200 };
    Reply { status, body: error_body(wrapper, &code, msg) }
}

fn fields<const N: usize>(pairs: [(&str, Value); N]) -> Vec<(String, Value)> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The merchant a path names (`{merchant_id}` or `{merchantId}`), or 6011.
fn check_merchant(params: &Value, wrapper: &str) -> Option<Reply> {
    let id = params.text("merchant_id").or_else(|| params.text("merchantId"));
    (id != Some(SANDBOX_MERCHANT_ID.to_string().as_str())).then(|| refuse(wrapper, HiPosCode::MerchantNotFound, HiPosCode::MerchantNotFound.message()))
}

fn token(ctx: &Ctx, params: &Value) -> Reply {
    let hostname = params.text("hostname").unwrap_or_default();
    let first = md5_hex(format!("{hostname}|{}", ctx.now_ms).as_bytes());
    let token = format!("{first}{}", &md5_hex(first.as_bytes())[..8]);
    ok_with(wrapper_name(TOKEN_PATH), "已获取授权并成功通知。", fields([("token", Value::String(token)), ("merchant_id", Value::int_value(SANDBOX_MERCHANT_ID))]))
}

fn merchant_update(params: &Value) -> Reply {
    let wrapper = wrapper_name(MERCHANT_PATH);
    if let Some(refusal) = check_merchant(params, wrapper) {
        return refusal;
    }
    let mobile_ok = params.text("mobile").is_some_and(|m| m.len() == 11 && m.starts_with('1') && m.bytes().all(|b| b.is_ascii_digit()));
    if params.text("name").is_none() || params.text("contact").is_none() || !mobile_ok {
        return refuse(wrapper, HiPosCode::MerchantDataInvalid, HiPosCode::MerchantDataInvalid.message());
    }
    ok_with(wrapper, "商户资料更新成功。", Vec::new())
}

fn device_authcode(ctx: &Ctx, params: &Value) -> Reply {
    let wrapper = wrapper_name(DEVICE_AUTHCODE_PATH);
    if let Some(refusal) = check_merchant(params, wrapper) {
        return refusal;
    }
    let store = params.text("storeId").unwrap_or_default();
    let code = format!("HPD-{store}-{:06}", ctx.now_ms.rem_euclid(1_000_000));
    let expire_at = (ctx.now_ms + DEVICE_CODE_TTL_MS) / 1000;
    ok(wrapper, fields([("store_id", Value::str(store)), ("auth_code", Value::String(code)), ("expire_at", Value::int_value(expire_at))]))
}

fn pay_channel(channel: Channel) -> Option<&'static str> {
    match channel {
        Channel::Wechat => Some("WECHAT"),
        Channel::Alipay => Some("ALIPAY"),
        Channel::Unionpay => Some("UNIONPAY"),
        Channel::Any => None,
    }
}

fn param<'a>(order: &'a Order, name: &str) -> Option<&'a str> {
    order.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Whether the merchant confirmed the pickup the POS's trade paid for.
fn picked_up(order: &Order) -> bool {
    order.state == OrderState::Paid && param(order, pos::PICKED_UP).is_some()
}

/// The POS's trades (paid or refunded, newest first) for the trade reports.
fn pos_trades(store: &Store, now_ms: i64) -> Vec<Order> {
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

fn trade(order: &Order) -> Value {
    let status = if order.state == OrderState::Refunded { "REFUNDED" } else { "PAID" };
    let mut f = fields([
        ("trade_no", Value::str(order.transaction_id.as_deref().unwrap_or_default())),
        ("out_order_no", Value::str(&order.out_trade_no)),
        ("device_id", Value::str(param(order, "device_id").unwrap_or_default())),
        ("amount", Value::int_value(order.amount)),
        ("status", Value::str(status)),
        ("trade_time", Value::int_value(order.created_ms)),
    ]);
    if let Some(channel) = pay_channel(order.channel) {
        f.push(("pay_channel".to_owned(), Value::str(channel)));
    }
    Value::Object(f)
}

/// The trade reports; `skip` / `limit` page the detail.
fn trades(ctx: &Ctx, params: &Value, overview: bool) -> Reply {
    let wrapper = wrapper_name(if overview { TRADES_OVERVIEW_PATH } else { TRADES_DETAIL_PATH });
    if let Some(refusal) = check_merchant(params, wrapper) {
        return refusal;
    }
    let number = |key: &str, default: usize| params.get(key).map_or(Some(default), |v| v.as_i64().and_then(|n| usize::try_from(n).ok()));
    let (Some(skip), Some(limit)) = (number("skip", 0), number("limit", 50)) else {
        return refuse(wrapper, HiPosCode::ParamInvalid, "skip 与 limit 必须是非负整数。");
    };
    let list = pos_trades(ctx.store, ctx.now_ms);
    if !overview {
        return ok(wrapper, fields([("trades", Value::Array(list.iter().skip(skip).take(limit).map(trade).collect()))]));
    }
    let mut devices: Vec<(String, i64, i64)> = Vec::new();
    for order in &list {
        let Some(id) = param(order, "device_id") else { continue };
        match devices.iter_mut().find(|(d, _, _)| d == id) {
            Some(entry) => (entry.1, entry.2) = (entry.1 + 1, entry.2 + order.amount),
            None => devices.push((id.to_owned(), 1, order.amount)),
        }
    }
    let devices = devices
        .into_iter()
        .map(|(id, count, amount)| Value::object([("device_id", Value::String(id)), ("trade_count", Value::int_value(count)), ("trade_amount", Value::int_value(amount))]));
    let count = i64::try_from(list.len()).unwrap_or(i64::MAX);
    ok(
        wrapper,
        fields([
            ("store_id", Value::str(params.text("storeId").unwrap_or_default())),
            ("trade_count", Value::int_value(count)),
            ("trade_amount", Value::int_value(list.iter().map(|o| o.amount).sum())),
            ("devices", Value::Array(devices.collect())),
        ]),
    )
}

impl SandboxGateway for HiPosSandbox {
    fn gateway(&self) -> Gateway {
        Gateway::HiPos
    }

    fn handle(&self, ctx: &Ctx, endpoint: &Endpoint, _path: &str, params: &Value) -> Reply {
        match endpoint.path {
            TOKEN_PATH => token(ctx, params),
            MERCHANT_PATH => merchant_update(params),
            PAYMENTS_PATH => {
                let wrapper = wrapper_name(PAYMENTS_PATH);
                check_merchant(params, wrapper).unwrap_or_else(|| ok_with(wrapper, "支付方式更新成功。", Vec::new()))
            }
            DEVICE_AUTHCODE_PATH => device_authcode(ctx, params),
            TRADES_OVERVIEW_PATH => trades(ctx, params, true),
            TRADES_DETAIL_PATH => trades(ctx, params, false),
            other => refuse(wrapper_name(other), HiPosCode::ParamInvalid, "未知接口。"),
        }
    }

    /// HiPOS notifies no order: the POS's outcome reaches the merchant
    /// through the application-side calls ([`pos`]).
    fn notification(&self, _order: &Order, _secrets: &Secrets) -> Option<Value> {
        None
    }

    fn unknown_reply(&self, _endpoint: &Endpoint) -> Option<Reply> {
        None
    }

    fn after_success(&self, state: &SandboxState, endpoint: &Endpoint, params: &Value, reply: &Value, now_ms: i64) {
        after_handle(state, endpoint, params, reply, now_ms);
    }

    /// A POS trade whose goods the merchant confirmed handed over.
    fn describe(&self, order: &Order, view: &mut serde_json::Value) {
        view["picked_up"] = serde_json::Value::Bool(picked_up(order));
    }
}

/// Framework hook after a HiPOS endpoint answered: keeps the token call's
/// `notify_url` and the device codes issued ([`registry::Registry`]), and
/// sends the token callback (`[回调]返回授权Token通知`, seed L129; the answer
/// says 已获取授权并成功通知: "authorised and notified") to that `notify_url`.
fn after_handle(state: &SandboxState, endpoint: &Endpoint, params: &Value, reply: &Value, now_ms: i64) {
    if endpoint.operation == Operation::Token {
        if let Some(url) = params.text("notify_url").filter(|u| u.starts_with("http://") || u.starts_with("https://")) {
            state.inner.hipos.set_callback(url);
            let inner = reply.get(wrapper_name(TOKEN_PATH));
            if let (Some(token), Some(merchant)) = (inner.and_then(|r| r.text("token")), inner.and_then(|r| r.get("merchant_id")).and_then(Value::as_text)) {
                send_token_callback(state, url, token, merchant, now_ms);
            }
        }
    }
    state.inner.hipos.issue_from_reply(reply, now_ms);
}

/// One attempt, in the background: the token is the merchant's from the
/// answer on already (the callback only confirms it), so nothing waits on it.
fn send_token_callback(state: &SandboxState, url: &str, token: &str, merchant_id: &str, now_ms: i64) {
    let Ok(codec) = paybridge::gateway::wire(Gateway::HiPos) else { return };
    let mut secrets = super::credentials::sandbox_secrets(Gateway::HiPos);
    secrets.0.push(("token".to_owned(), token.to_owned()));
    let request = codec.encode_notification(&Value::object([("notify_url", Value::str(url)), ("merchant_id", Value::str(merchant_id))]), &secrets, now_ms);
    let mut builder = state.inner.client.post(url).body(request.body);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    tokio::spawn(async move {
        let status = builder.send().await.ok().map(|r| r.status().as_u16());
        super::log::event("sandbox.hipos_token_callback", &[("status", serde_json::json!(status))]);
    });
}
