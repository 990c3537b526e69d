//! Reading BlueOcean's responses: the `{code, message, data}` envelope,
//! `trade_state`, and each payment kind's `data` fields (seed 001 §2.1–§2.3).

use super::codes::BlueOceanCode;
use super::Payment;
use crate::error::PayError;
use crate::gateway::common::{self, clean, JsapiNames};
use crate::gateway::Created;
use crate::json::Value;
use crate::model::{AppProvider, Gateway, Mode, NextAction, OrderStatus, PayState, RefundState, RefundStatus};
use crate::url_guard::UrlPolicy;

/// The common envelope (seed L173–L207). `data` is absent on most errors.
struct Envelope<'a> {
    code: BlueOceanCode,
    message: Option<&'a str>,
    data: Option<&'a Value>,
}

impl<'a> Envelope<'a> {
    fn read(body: &'a Value) -> Result<Self, PayError> {
        if body.members().is_none() {
            return Err(PayError::invalid_payload("BlueOcean body is not a JSON object"));
        }
        let code = body.get("code").and_then(Value::as_text).ok_or_else(|| PayError::invalid_payload("BlueOcean body has no `code`"))?;
        Ok(Envelope { code: BlueOceanCode::parse(code), message: body.text("message"), data: body.get("data") })
    }

    /// `data` of a success, which must be an object.
    fn data_object(&self) -> Result<&'a Value, PayError> {
        self.data.filter(|d| d.members().is_some()).ok_or_else(|| PayError::invalid_payload("BlueOcean success without a `data` object"))
    }

    fn error(&self) -> PayError {
        self.code.to_error(self.message)
    }
}

/// The `trade_state` values (seed L262–L272), one space between, in the order of [`PAY_STATES`].
const TRADE_STATES: &str = "NOTPAY USERPAYING SUCCESS REFUND CLOSED REVOKED PAYERROR";

/// What each of [`TRADE_STATES`] means.
const PAY_STATES: [PayState; 7] = [PayState::Pending, PayState::Paying, PayState::Succeeded, PayState::Refunded, PayState::Closed, PayState::Cancelled, PayState::Failed];

/// `trade_state` (seed L262–L272); anything else is `Unknown`, so polling goes on.
pub(super) fn pay_state(trade_state: &str) -> PayState {
    crate::text::position(TRADE_STATES, b' ', trade_state).and_then(|i| PAY_STATES.get(i).copied()).unwrap_or(PayState::Unknown)
}

/// A non-negative amount in cents (`10` or `"10"`).
fn cents(data: &Value, key: &str) -> Option<i64> {
    data.int(key).filter(|n| *n >= 0)
}

/// The order status in a `data` object; without `trade_state` the state is
/// `without_state` and the raw state is the envelope's code.
fn order_status(code: &BlueOceanCode, data: Option<&Value>, without_state: PayState) -> OrderStatus {
    let Some(data) = data.filter(|d| d.members().is_some()) else {
        return OrderStatus::new(without_state, code.as_str());
    };
    let mut status = match data.text("trade_state") {
        Some(s) => OrderStatus::new(pay_state(s), s),
        None => OrderStatus::new(without_state, code.as_str()),
    };
    status.amount = cents(data, "total_fee");
    status.transaction_id = data.text("transaction_id").map(str::to_owned);
    status
}

/// A query or cancel answer. Codes that say where the order stands
/// (40101, 40103–40105) become that state; unknown outcomes become
/// `Unknown`; other codes are errors.
fn status(body: &Value, without_state: PayState) -> Result<OrderStatus, PayError> {
    let env = Envelope::read(body)?;
    let (data, state) = match &env.code {
        BlueOceanCode::Success => (env.data, without_state),
        code if code.outcome_unknown() => (None, PayState::Unknown),
        BlueOceanCode::OrderPaid => (None, PayState::Succeeded),
        BlueOceanCode::OrderClosed => (None, PayState::Closed),
        BlueOceanCode::OrderRevoked => (None, PayState::Cancelled),
        BlueOceanCode::OrderRefunded => (None, PayState::Refunded),
        _ => return Err(env.error()),
    };
    Ok(order_status(&env.code, data, state))
}

/// An `/order/query` answer; a success without `trade_state` is `Unknown`.
pub(super) fn parse_query(body: &Value) -> Result<OrderStatus, PayError> {
    status(body, PayState::Unknown)
}

/// An `/order/close` or `/order/reverse` answer (undocumented; read like a
/// query). A success without `trade_state` means the cancel was accepted.
pub(super) fn parse_cancel(body: &Value) -> Result<OrderStatus, PayError> {
    status(body, PayState::Cancelled)
}

/// A `/payment/pay` answer in `mode`. `requested` is the payment the
/// options name (if they name one); the answer itself decides when it
/// carries another kind's payload (e.g. an Alipay APP answer read with the
/// channel left at "any"), so a signed answer is never refused for what the
/// caller did not say.
pub(super) fn parse_create(requested: Option<Payment>, mode: Mode, body: &Value, policy: &UrlPolicy) -> Result<Created, PayError> {
    let env = Envelope::read(body)?;
    if mode == Mode::Counter || requested == Some(Payment::Micropay) {
        return counter(&env);
    }
    if env.code != BlueOceanCode::Success {
        return Err(env.error());
    }
    let data = env.data_object()?;
    let payment = requested.filter(|p| carries(data, *p)).or_else(|| answered(data, mode)).or(requested);
    let action = match payment {
        Some(Payment::BlueoceanQrcode) if mode == Mode::Cashier => NextAction::Redirect { url: redirect(policy, &upgrade_api_http(field(data, "qrcode")?))? },
        Some(Payment::WechatQrcode | Payment::AlipayQrcode | Payment::UnionpayQrcode | Payment::BlueoceanQrcode) => {
            NextAction::Qr { content: qr_text(field(data, "qrcode")?)?, expires_at: None }
        }
        Some(Payment::WechatMweb) => NextAction::Redirect { url: redirect(policy, field(data, "mweb_url")?)? },
        Some(Payment::AlipayWappay | Payment::UnionpayLink) => NextAction::Redirect { url: redirect(policy, field(data, "qrcode")?)? },
        Some(Payment::WechatJsapi) => NextAction::WechatJsapi { params: Box::new(common::jsapi(Gateway::BlueOcean, &nested(data, "jsapi")?, &JSAPI, None)?) },
        Some(Payment::WechatApp) => NextAction::App { provider: AppProvider::Wechat, payload: common::app_object(Gateway::BlueOcean, &nested(data, "app")?, &WECHAT_APP)? },
        Some(Payment::AlipayApp) => NextAction::App { provider: AppProvider::Alipay, payload: alipay_app(data)? },
        Some(Payment::Micropay) => return counter(&env),
        None => return Err(PayError::invalid_payload("BlueOcean data carries no payment to show (no qrcode, mweb_url, jsapi or app)")),
    };
    Ok(Created { action, gateway_order_id: data.text("sn").map(str::to_owned) })
}

/// Whether `data` carries the payload `payment` is read from (for app
/// payments: from that wallet, when `provider` names one).
fn carries(data: &Value, payment: Payment) -> bool {
    let provider = data.text("provider");
    match payment {
        Payment::WechatJsapi => data.get("jsapi").is_some(),
        Payment::WechatMweb => data.text("mweb_url").is_some(),
        Payment::WechatApp => data.get("app").is_some() && data.get("app_format").is_none() && matches!(provider, None | Some("wechat")),
        Payment::AlipayApp => (data.get("app").is_some() || data.text("app_format").is_some()) && matches!(provider, None | Some("alipay")),
        Payment::Micropay => true,
        _ => data.text("qrcode").is_some(),
    }
}

/// The payment an answer's own members show, read for `mode` (a `qrcode`
/// is drawn in qr mode and opened in the redirect modes).
fn answered(data: &Value, mode: Mode) -> Option<Payment> {
    let provider = data.text("provider");
    let app = data.get("app").is_some();
    if data.get("jsapi").is_some() {
        Some(Payment::WechatJsapi)
    } else if data.text("mweb_url").is_some() {
        Some(Payment::WechatMweb)
    } else if data.text("app_format").is_some() || (app && provider == Some("alipay")) {
        Some(Payment::AlipayApp)
    } else if app {
        Some(Payment::WechatApp)
    } else if data.text("qrcode").is_none() {
        None
    } else {
        Some(match mode {
            Mode::Cashier => Payment::BlueoceanQrcode,
            Mode::Wap | Mode::H5 if provider == Some("unionpay") => Payment::UnionpayLink,
            Mode::Wap | Mode::H5 => Payment::AlipayWappay,
            _ => Payment::BlueoceanQrcode,
        })
    }
}

/// Micropay: the payer's code was already taken, so anything short of a
/// settled state (NOTPAY, USERPAYING, 201, busy) means "wait and query";
/// a settled state is `Done`; other codes (40111 code used…) are errors.
fn counter(env: &Envelope) -> Result<Created, PayError> {
    let data = env.data.filter(|d| d.members().is_some());
    let action = match &env.code {
        BlueOceanCode::Success => {
            let status = order_status(&env.code, data, PayState::Unknown);
            if status.state.is_terminal() {
                NextAction::Done { status }
            } else {
                NextAction::Await
            }
        }
        code if code.outcome_unknown() => NextAction::Await,
        _ => return Err(env.error()),
    };
    Ok(Created { action, gateway_order_id: data.and_then(|d| d.text("sn")).map(str::to_owned) })
}

/// A required non-empty text member of `data`.
fn field<'a>(data: &'a Value, key: &str) -> Result<&'a str, PayError> {
    data.text(key).ok_or_else(|| common::missing(Gateway::BlueOcean, key))
}

/// QR text: any wallet scheme (`weixin://`, `https://`, the mixed code's
/// `http://`) is fine to draw, but not control characters or a text no QR
/// symbol can hold.
fn qr_text(text: &str) -> Result<String, PayError> {
    clean(Gateway::BlueOcean, text, "qrcode", 2048)
}

fn redirect(policy: &UrlPolicy, url: &str) -> Result<String, PayError> {
    policy.check(url).map(str::to_owned)
}

/// The documented API hosts (seed L113–L127); their API base is https.
const API_HOSTS: [&str; 4] = ["api.hk.blueoceanpay.com", "api.au.blueoceanpay.com", "api.us.blueoceanpay.com", "api.uk.blueoceanpay.com"];

/// `http://` on a documented API host becomes `https://` (the mixed code's
/// URL is printed as `http://api.hk.blueoceanpay.com/order/qrcode/97736`);
/// every other URL is returned as is.
fn upgrade_api_http(url: &str) -> String {
    let scheme = url.get(..7).filter(|s| s.eq_ignore_ascii_case("http://"));
    let rest = url.get(7..).unwrap_or("");
    let host = crate::text::split(rest, b"/?#").next().unwrap_or("");
    if scheme.is_some() && API_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        crate::text::concat(&["https://", rest])
    } else {
        url.to_owned()
    }
}

/// A JSON object member, also when sent as a JSON string (seed L809:
/// `JSON.parse(data.jsapi)`).
fn nested(data: &Value, key: &str) -> Result<Value, PayError> {
    data.nested_object(key).ok_or_else(|| common::missing(Gateway::BlueOcean, key))
}

/// `data.jsapi` (seed L674): all six `getBrandWCPayRequest` fields, under their own names.
const JSAPI: JsapiNames = ["appId", "timeStamp", "nonceStr", "package", "signType", "paySign"];

/// The WeChat OpenSDK fields of `data.app` (seed L731), passed on as strings
/// under their printed names (a native wrapper maps `paySign` to `sign`).
const WECHAT_APP: [&str; 7] = ["appid", "partnerid", "prepayid", "package", "noncestr", "timestamp", "paySign"];

/// The fields a legacy Alipay `mobile.securitypay.pay` order must carry
/// (seed L604–L605).
const ALIPAY_APP_FIELDS: [&str; 6] = ["service", "partner", "out_trade_no", "total_fee", "sign", "sign_type"];

/// Alipay APP: the `app_format` order string when it is well formed, else
/// the `app` object; either must carry [`ALIPAY_APP_FIELDS`].
fn alipay_app(data: &Value) -> Result<Value, PayError> {
    if let Some(order) = data.text("app_format").filter(|s| order_string_ok(s)) {
        return Ok(Value::str(order));
    }
    let obj = nested(data, "app")?;
    common::app_object(Gateway::BlueOcean, &obj, &ALIPAY_APP_FIELDS)?;
    Ok(obj)
}

/// Whether `s` is a `key="value"&…` order string with every required field.
fn order_string_ok(s: &str) -> bool {
    if s.len() > 8192 || s.chars().any(char::is_control) {
        return false;
    }
    let value_of = |key: &str| crate::text::split(s, b"&").find_map(|pair| crate::text::split_once(pair, "=").filter(|(k, _)| *k == key).map(|(_, v)| crate::text::trim_byte(v, b'"', true, true)));
    ALIPAY_APP_FIELDS.iter().all(|k| value_of(k).is_some_and(|v| !v.is_empty()))
}

/// A refund query answer: the documented envelope with one refund (or a
/// list) in `data`, or — as the seed prints it (L1043–L1066) — the refund
/// object itself with no envelope.
pub(super) fn parse_refunds(body: &Value) -> Result<Vec<RefundStatus>, PayError> {
    if body.get("code").is_none() && body.get("refund_status").is_some() {
        return Ok(vec![refund(body)?]);
    }
    let env = Envelope::read(body)?;
    match (&env.code, env.data) {
        (BlueOceanCode::Success, Some(Value::Array(items))) => items.iter().map(refund).collect(),
        (BlueOceanCode::Success, _) => Ok(vec![refund(env.data_object()?)?]),
        (code, _) if code.outcome_unknown() => {
            Ok(vec![RefundStatus { state: RefundState::Unknown, gateway_state: code.as_str().to_owned(), amount: None, refund_id: None, refund_no: None }])
        }
        _ => Err(env.error()),
    }
}

/// One refund object (`refund_status` per seed L1264–L1270).
fn refund(item: &Value) -> Result<RefundStatus, PayError> {
    let raw = field(item, "refund_status")?;
    let state = match raw {
        "SUCCESS" => RefundState::Succeeded,
        "PROCESSING" => RefundState::Processing,
        "REFUNDCLOSE" | "CHANGE" => RefundState::Failed,
        _ => RefundState::Unknown,
    };
    let refund_id = item.text("refund_id").or_else(|| item.text("out_refund_no")).map(str::to_owned);
    Ok(RefundStatus { state, gateway_state: raw.to_owned(), amount: cents(item, "refund_fee"), refund_id, refund_no: item.text("out_refund_no").map(str::to_owned) })
}
