//! The HipoPay sandbox (seed `002`): every create path of the module's
//! endpoint table, `GET /order`, `GET /alipay/order`, the refund queries,
//! `POST /order/openid` and the two rates, answered in the
//! `{"meta": …, "data": …}` envelope with the seed's codes.
//!
//! - Amounts arrive as HipoPay's decimal in `currency` (§11.3 only) and are
//!   read back exactly; answers write them the same way (`"100.00"`).
//! - `merchant_no` must be the sandbox merchant (else 403); a missing
//!   required field, a malformed order number or amount is 400; an unknown
//!   order 404. The merchant reference (`agent_order_id` / `out_order_no`),
//!   optional in the seed, is required here: the sandbox keys orders by it.
//!   A reused one is 555 `OUT_TRADE_NO_USED` on the WeChat paths (WeChat's
//!   own error, passed on as §3 describes) and 400 on the Alipay paths.
//! - QR texts, the Alipay iframe, WAP and desk URLs are the sandbox wallet page.
//! - Counter payments (`scan_pay`) answer `INIT` while the payer types the
//!   PIN and settle by themselves after `counter_pin_ms`.
//! - No cancel exists (seed); a payer's cancel reads as `FAIL`.
//! - Refunds (4.8 `POST /refund`, 6.6 `POST /alipay/refund`) name HipoPay's
//!   order number, may be partial and several; the order stays `PAID` with
//!   `refund_status` `PART` / `FULL` and `refundable_amount` (§11.1), as the
//!   seed's examples show. Refund queries (4.10, 6.7) answer them.
//! - Notifications (§10): only `PAID`, with the §10.2 fields (the seed
//!   documents no refund notification).
//! - The §4.1 container redirect (`GET /hipopay/order/authorize`, a page
//!   navigation, unsigned): [`authorize`].
//! - Outcome unknown (fault injection): 555 `SYSTEMERROR` on the WeChat
//!   create paths, 503 elsewhere.

pub mod authorize;
mod objects;
mod query;

pub use objects::{order_object, rate, status_text, trade_time, SANDBOX_MP_APPID};

use super::credentials::sandbox_secrets;
use super::gateway::{Ctx, Reply, SandboxGateway};
use super::store::{Order, OrderState};
use crate::proxy::openid::AUTHORIZE_URL_SECRET;
use paybridge::gateway::hipopay::{amount_to_minor, HipoPayCode, AUTHORIZE_PATH};
use paybridge::gateway::wire::{text_pairs, Secrets};
use paybridge::gateway::{CreateParams, Endpoint, Operation};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode};

/// The HipoPay sandbox.
pub struct HipoPaySandbox;

/// This gateway's sandbox, as the registry finds it.
pub static SANDBOX: HipoPaySandbox = HipoPaySandbox;

/// One create path: its wallet, mode, `trade_type` and the fields it requires
/// beyond `merchant_no`, `currency`, `amount`, the description and the order number.
struct CreatePath {
    path: &'static str,
    wallet: Channel,
    mode: Mode,
    trade_type: &'static str,
    required: &'static [&'static str],
}

const fn wechat(path: &'static str, mode: Mode, trade_type: &'static str, required: &'static [&'static str]) -> CreatePath {
    CreatePath { path, wallet: Channel::Wechat, mode, trade_type, required }
}

const fn alipay(path: &'static str, mode: Mode, trade_type: &'static str, required: &'static [&'static str]) -> CreatePath {
    CreatePath { path, wallet: Channel::Alipay, mode, trade_type, required }
}

const CREATE_PATHS: [CreatePath; 13] = [
    wechat("/order/scanned_pay", Mode::Qr, "NATIVE", &["ip"]),
    wechat("/order/scan_pay", Mode::Counter, "MICRO", &["ip", "auth_code"]),
    wechat("/order/jsapi_pay", Mode::Jsapi, "JSAPI", &["openid"]),
    wechat("/order/mini_program_pay", Mode::Jsapi, "JSAPI", &["openid", "appid"]),
    wechat("/order/app_pay", Mode::App, "APP", &["appid"]),
    wechat("/order/pc_desk", Mode::Cashier, "PC_DESK", &["return_url"]),
    wechat("/order/mp_desk", Mode::Cashier, "MP_DESK", &["return_url"]),
    alipay("/alipay/qrcode_pay", Mode::Qr, "NATIVE", &[]),
    alipay("/alipay/scanned_pay", Mode::Qr, "NATIVE", &[]),
    alipay("/alipay/wap_pay", Mode::Wap, "WAP", &["return_url"]),
    alipay("/alipay/scan_pay", Mode::Counter, "MICRO", &["auth_code"]),
    alipay("/alipay/app_pay", Mode::App, "APP", &[]),
    alipay("/alipay/pc_desk", Mode::Cashier, "DESK", &["return_url"]),
];

fn meta(code: &HipoPayCode, message: String) -> Value {
    Value::object([("status_code", Value::int_value(i64::from(code.http_status()))), ("message", Value::String(message)), ("success", Value::Bool(*code == HipoPayCode::Success))])
}

/// The `meta` of a successful answer.
fn success_meta() -> Value {
    meta(&HipoPayCode::Success, HipoPayCode::Success.seed_message().to_owned())
}

/// A 200 answer with `data`.
fn ok(data: Value) -> Reply {
    Reply::ok(Value::object([("meta", success_meta()), ("data", data)]))
}

/// A refusal with the seed's code, its message and the detail.
fn refuse(code: HipoPayCode, detail: &str) -> Reply {
    let body = Value::object([("meta", meta(&code, format!("{}: {detail}", code.seed_message()))), ("data", Value::Object(Vec::new()))]);
    Reply { status: code.http_status(), body }
}

/// A 555 carrying WeChat's error as the JSON string §3 describes.
fn wechat_error(wx_code: &str, wx_message: &str) -> Reply {
    let message = Value::object([("wx_code", Value::str(wx_code)), ("wx_message", Value::str(wx_message))]).to_json();
    let code = HipoPayCode::WechatServiceError;
    Reply { status: code.http_status(), body: Value::object([("meta", meta(&code, message)), ("data", Value::Object(Vec::new()))]) }
}

/// Whether `no` can be an order number (1–64 letters, digits, `-`, `_`).
fn valid_no(no: &str) -> bool {
    (1..=64).contains(&no.len()) && no.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check_merchant(params: &Value) -> Option<Reply> {
    let configured = sandbox_secrets(Gateway::HipoPay);
    match params.text("merchant_no") {
        None => Some(refuse(HipoPayCode::BadRequest, "merchant_no is required")),
        Some(m) if Some(m) != configured.get("merchant_no").ok() => Some(refuse(HipoPayCode::Forbidden, "the agent may not act for this merchant_no")),
        Some(_) => None,
    }
}

fn create(ctx: &Ctx, route: &CreatePath, params: &Value) -> Reply {
    let alipay = route.wallet == Channel::Alipay;
    let (no_key, subject_key) = if alipay { ("out_order_no", "subject") } else { ("agent_order_id", "product_info") };
    let mut required = ["currency", "amount", subject_key, no_key].into_iter().chain(route.required.iter().copied());
    if let Some(missing) = required.find(|k| params.text(k).is_none()) {
        return refuse(HipoPayCode::BadRequest, &format!("{missing} is required"));
    }
    if let Some(refusal) = check_merchant(params) {
        return refusal;
    }
    let field = |k: &str| params.text(k).unwrap_or_default();
    let no = field(no_key);
    if !valid_no(no) {
        return refuse(HipoPayCode::BadRequest, &format!("{no_key} must be 1-64 letters, digits, '-' or '_'"));
    }
    let currency = field("currency");
    if rate(currency).is_none() {
        return refuse(HipoPayCode::BadRequest, &format!("currency {currency} is not supported (§11.3)"));
    }
    let Some(amount) = amount_to_minor(field("amount"), Some(currency)).filter(|&a| a > 0) else {
        return refuse(HipoPayCode::BadRequest, &format!("amount {:?} is not a positive {currency} amount", field("amount")));
    };
    let notify_url = params.text("notify_url");
    if notify_url.is_some_and(|u| !u.starts_with("http://") && !u.starts_with("https://")) {
        return refuse(HipoPayCode::BadRequest, "notify_url must be an http(s) URL");
    }
    let mut p = CreateParams::new(route.mode, route.wallet, no);
    p.mini_program = route.path == "/order/mini_program_pay";
    let mut order = Order::new(Gateway::HipoPay, &p, amount, ctx.now_ms, ctx.settings.order_ttl_ms);
    order.notify_url = notify_url.map(str::to_owned);
    order.params = text_pairs(params);
    order.params.push(("trade_type".to_owned(), route.trade_type.to_owned()));
    if route.mode == Mode::Counter {
        // The payer confirms on the phone; with no PIN delay it settles now.
        order.state = OrderState::Paying;
        order.settle_at_ms = Some(ctx.now_ms + ctx.settings.counter_pin_ms.max(0));
        order.tick(ctx.now_ms);
    }
    if !ctx.store.insert(order.clone()) {
        let detail = format!("{no_key} {no} has been used");
        return if alipay { refuse(HipoPayCode::BadRequest, &detail) } else { wechat_error("OUT_TRADE_NO_USED", &detail) };
    }
    ok(created_data(ctx, route, &order))
}

/// The `data` of a create answer, per path (4.2–4.7, 6.1–6.4, 7.1, 7.2).
fn created_data(ctx: &Ctx, route: &CreatePath, order: &Order) -> Value {
    let wallet = Value::String(ctx.wallet_url(Gateway::HipoPay, &order.out_trade_no));
    let with_order = |key: &str, value: Value| Value::object([(key, value), ("order", order_object(order, true))]);
    match route.path {
        "/order/scanned_pay" => with_order("code_url", wallet),
        "/alipay/qrcode_pay" => with_order("qrcode", wallet),
        "/order/scan_pay" | "/alipay/scan_pay" => Value::object([("order", order_object(order, true))]),
        "/order/jsapi_pay" => {
            Value::object([("js_param", objects::js_param(order, ctx.now_ms)), ("order_no", Value::str(&order.gateway_order_id)), ("order", order_object(order, true))])
        }
        "/order/mini_program_pay" => objects::mini_program_data(order, ctx.now_ms),
        "/order/app_pay" => objects::wechat_app_data(order, ctx.now_ms),
        "/alipay/app_pay" => with_order("prepay_string", Value::String(objects::alipay_prepay_string(order))),
        _ => with_order("url", wallet),
    }
}

impl SandboxGateway for HipoPaySandbox {
    fn gateway(&self) -> Gateway {
        Gateway::HipoPay
    }

    fn handle(&self, ctx: &Ctx, endpoint: &Endpoint, _path: &str, params: &Value) -> Reply {
        if let Some(route) = CREATE_PATHS.iter().find(|r| r.path == endpoint.path) {
            return create(ctx, route, params);
        }
        match endpoint.path {
            "/order" => query::order(ctx, Channel::Wechat, params),
            "/alipay/order" => query::order(ctx, Channel::Alipay, params),
            "/refund" if endpoint.operation == Operation::Refund => query::refund(ctx, Channel::Wechat, params),
            "/alipay/refund" if endpoint.operation == Operation::Refund => query::refund(ctx, Channel::Alipay, params),
            "/refund" => query::refunds(ctx, Channel::Wechat, params),
            "/alipay/refund" => query::refunds(ctx, Channel::Alipay, params),
            "/order/openid" => check_merchant(params).unwrap_or_else(|| query::openid(params)),
            "/rate" => check_merchant(params).unwrap_or_else(|| query::rate_answer(params, false)),
            "/alipay/rate" => query::rate_answer(params, true),
            other => refuse(HipoPayCode::NotFound, &format!("no endpoint {other}")),
        }
    }

    fn notification(&self, order: &Order, _secrets: &Secrets) -> Option<Value> {
        (order.state == OrderState::Paid).then(|| objects::notification_fields(order))
    }

    /// The sandbox's container (`{base}/sandbox/hipopay/order/authorize`), as
    /// HipoPay would give it to the sandbox agent.
    fn demo_container(&self, base: &str, secrets: &Secrets) -> Option<(String, String)> {
        let agent = secrets.get("agent_no").unwrap_or_default();
        Some((AUTHORIZE_URL_SECRET.to_owned(), format!("{base}/sandbox/hipopay{AUTHORIZE_PATH}?agent_no={agent}")))
    }

    /// The sandbox agent's and the sandbox gateway's test RSA key pairs.
    fn fixture_keys(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("private_key_pem", include_str!("../../../../fixtures/keys/hipopay-sandbox-test-agent-private.pem")),
            ("public_key_pem", include_str!("../../../../fixtures/keys/hipopay-sandbox-test-agent-public.pem")),
            ("hipopay_private_key_pem", include_str!("../../../../fixtures/keys/hipopay-sandbox-test-gateway-private.pem")),
            ("hipopay_public_key_pem", include_str!("../../../../fixtures/keys/hipopay-sandbox-test-gateway-public.pem")),
        ]
    }

    fn unknown_reply(&self, endpoint: &Endpoint) -> Option<Reply> {
        if endpoint.operation == Operation::Create && endpoint.path.starts_with("/order/") {
            return Some(wechat_error("SYSTEMERROR", "系统超时,请查询订单状态"));
        }
        Some(refuse(HipoPayCode::ServiceUnavailable, "sandbox fault injection"))
    }
}
