//! Reading HipoPay bodies: the `meta` envelope, the create shapes of every
//! mode, order queries (V1 strings and V2 numbers with `refunds[]`), refund
//! queries and the rate (whose 6.8 variant sits outside `data`).

use super::codes::{amount_to_minor, outcome_unknown, pay_state, refund_state, refund_succeeded, refusal, WechatError, WECHAT_SERVICE_ERROR};
use crate::error::PayError;
use crate::gateway::common::{self, first};
use crate::gateway::{CreateParams, Created};
use crate::json::Value;
use crate::model::{AppProvider, Channel, Gateway, Mode, NextAction, OrderStatus, PayState, RefundStatus, WechatJsapiParams};
use crate::url_guard::UrlPolicy;

/// Where Alipay QR text may be (7.1 prints `qrcode`).
const ALIPAY_QR: &str = "qrcode qr_code code_url";
/// Where the Alipay APP order string may be (6.2.1 prints `prepay_string`).
const PREPAY_STRING: &str = "prepay_string perpay_string order_string";

/// A refused request, as `meta` describes it: the code as HipoPay wrote it
/// (trimmed: the text [`super::HipoPayCode::parse`] reads, never built into
/// the enum here) and the message, both borrowed from the body (the error is
/// built only where it is returned).
struct Refused<'a> {
    code: &'a str,
    message: &'a str,
}

impl Refused<'_> {
    /// The error for the refusal ([`refusal`]).
    fn error(&self) -> PayError {
        refusal(self.code, self.message)
    }
}

/// Checks `meta`: `Ok(())` when the request succeeded (`status_code` 200).
fn envelope(body: &Value) -> Result<Result<(), Refused<'_>>, PayError> {
    let meta = body.get("meta").filter(|m| matches!(m, Value::Object(_))).ok_or_else(|| PayError::invalid_payload("HipoPay body has no meta object"))?;
    let code = meta.get("status_code").and_then(Value::as_text).map(crate::text::trim);
    let success = meta.get("success").and_then(Value::as_bool_lenient);
    let message = meta.get("message").and_then(Value::as_text).unwrap_or("");
    let code = match (code, success) {
        (None, None) => return Err(PayError::invalid_payload("HipoPay meta has neither status_code nor success")),
        (Some("200") | None, Some(true)) | (Some("200"), None) => return Ok(Ok(())),
        (Some(code), _) => code,
        (None, Some(false)) => "",
    };
    Ok(Err(Refused { code, message }))
}

/// Checks `meta` where every refusal is an error.
fn accepted(body: &Value) -> Result<(), PayError> {
    envelope(body)?.map_err(|refused| refused.error())
}

fn is_object(v: &&Value) -> bool {
    matches!(v, Value::Object(_))
}

fn data(body: &Value) -> Result<&Value, PayError> {
    body.get("data").filter(is_object).ok_or_else(|| PayError::invalid_payload("HipoPay body has no data object"))
}

/// Text passed on or shown: at most [`common::MAX_PAYLOAD`] bytes, no control characters.
fn clean(text: &str, what: &str) -> Result<String, PayError> {
    common::clean(Gateway::HipoPay, text, what, common::MAX_PAYLOAD)
}

/// A required member: the first of `keys` in `src` (HipoPay spells members
/// several ways), else `or`, cleaned; missing, it is refused naming `what`.
/// One out-of-line read for every create reader.
#[inline(never)]
fn need(src: &Value, keys: &str, or: Option<&str>, what: &str) -> Result<String, PayError> {
    clean(first(src, keys).or(or).ok_or_else(|| common::missing(Gateway::HipoPay, what))?, what)
}

/// The gateway's order number: `order.no` (WeChat), `order.payment_no`
/// (Alipay) or a flat `order_no` (mini-program, app).
fn gateway_order_id(data: &Value) -> Option<String> {
    let order = data.get("order").filter(is_object);
    order.and_then(|o| first(o, "no payment_no")).or_else(|| first(data, "order_no payment_no no")).map(str::to_owned)
}

/// Reads a create response for `mode` on `wallet` (WeChat, Alipay, or `any`
/// when the caller did not say: the body then tells — QR text or Alipay's
/// QR page, a `prepay_string` or WeChat's `PayReq` fields).
pub(super) fn create(mode: Mode, wallet: Channel, p: &CreateParams, body: &Value, policy: &UrlPolicy) -> Result<Created, PayError> {
    let counter = mode == Mode::Counter;
    if let Err(refused) = envelope(body)? {
        // At the counter a 5xx (or a 555 where WeChat left the payment open)
        // may hide a charge: wait and poll rather than fail.
        let open = outcome_unknown(refused.code) && (refused.code != WECHAT_SERVICE_ERROR || WechatError::parse(refused.message).is_outcome_unknown());
        if counter && open {
            return Ok(Created { action: NextAction::Await, gateway_order_id: None });
        }
        return Err(refused.error());
    }
    let data = data(body)?;
    let action = match (mode, wallet) {
        // 6.1 answers Alipay's own QR page as `url`; a body without QR text
        // but with a URL reads so whatever wallet it was asked of.
        (Mode::Qr, _) if first(data, ALIPAY_QR).is_none() && data.text("url").is_some() => NextAction::Iframe { url: url(data, policy)? },
        (Mode::Qr, Channel::Alipay) => qr(data, ALIPAY_QR)?,
        (Mode::Qr, _) => qr(data, "code_url qr_code qrcode")?,
        (Mode::Counter, _) => {
            let status = order_status(data.get("order").filter(is_object).unwrap_or(data), None)?;
            if status.state.is_terminal() {
                NextAction::Done { status }
            } else {
                NextAction::Await
            }
        }
        (Mode::Jsapi, _) => NextAction::WechatJsapi { params: Box::new(jsapi(data, p)?) },
        (Mode::App, Channel::Alipay) => alipay_app(data)?,
        (Mode::App, Channel::Any) if first(data, PREPAY_STRING).is_some() => alipay_app(data)?,
        (Mode::App, _) => wechat_app(data)?,
        (Mode::Cashier | Mode::Wap | Mode::H5, _) => NextAction::Redirect { url: url(data, policy)? },
    };
    Ok(Created { action, gateway_order_id: gateway_order_id(data) })
}

fn qr(data: &Value, keys: &str) -> Result<NextAction, PayError> {
    Ok(NextAction::Qr { content: need(data, keys, None, keys)?, expires_at: None })
}

fn url(data: &Value, policy: &UrlPolicy) -> Result<String, PayError> {
    let url = first(data, "url pay_url cashier_url redirect_url").ok_or_else(|| PayError::invalid_payload("HipoPay payload misses url"))?;
    Ok(policy.check(url)?.to_owned())
}

/// The six `getBrandWCPayRequest` / `wx.requestPayment` strings, from a
/// ready-made object (`js_param`, as object or JSON string) or from flat
/// fields as in 4.4 (`prepay_id` without its `prepay_id=` prefix, no
/// `appId`, no `signType`). A missing `appId` is the appid the order was
/// created for; when that is unknown too, only the 4.4 mini-program form may
/// leave it empty (`wx.requestPayment` takes no appId). A missing `signType`
/// is inferred from `paySign` (32 hex: MD5, 64 hex: HMAC-SHA256). Anything
/// else missing is `invalid_payload`. The values are signed by WeChat and
/// passed on verbatim: a `timeStamp` of another length or form is not
/// refused (only what is missing, oversized or holds control characters).
fn jsapi(data: &Value, p: &CreateParams) -> Result<WechatJsapiParams, PayError> {
    // The first of the ready-made objects, borrowed (or parsed from its JSON text).
    let (nested, parsed) = ["js_param", "jsapi_param", "pay_info"]
        .iter()
        .find_map(|&key| match data.get(key)? {
            object @ Value::Object(_) => Some((Some(object), None)),
            Value::String(text) => crate::json::parse(text).ok().filter(|v| matches!(v, Value::Object(_))).map(|v| (None, Some(v))),
            _ => None,
        })
        .unwrap_or_default();
    let nested = nested.or(parsed.as_ref());
    let src = nested.unwrap_or(data);
    let has_package = src.text("package").is_some();
    let mini_program_form = nested.is_none() && !has_package && src.text("prepay_id").is_some();
    // A missing appId is the order's, else (4.4 form only) empty.
    let app_id = need(src, "appId appid", p.sub_appid.as_deref().or(mini_program_form.then_some("")), "appId")?;
    let pay_sign = need(src, "paySign pay_sign sign", None, "paySign")?;
    // `package`, else the bare `prepay_id` with its prefix put back.
    let package = need(src, "package prepay_id prepayId", None, "package / prepay_id")?;
    let package = if has_package || package.starts_with("prepay_id=") { package } else { crate::text::concat(&["prepay_id=", &package]) };
    let hex = pay_sign.bytes().all(|b| b.is_ascii_hexdigit());
    let inferred = match pay_sign.len() {
        32 if hex => Some("MD5"),
        64 if hex => Some("HMAC-SHA256"),
        _ => None,
    };
    Ok(WechatJsapiParams {
        app_id,
        time_stamp: need(src, "timeStamp timestamp", None, "timeStamp")?,
        nonce_str: need(src, "nonceStr noncestr nonce_str", None, "nonceStr")?,
        package,
        sign_type: need(src, "signType sign_type", inferred, "signType")?,
        pay_sign,
    })
}

/// WeChat OpenSDK `PayReq` members (4.5, which prints `appid`), each
/// required and passed on verbatim.
fn wechat_app(data: &Value) -> Result<NextAction, PayError> {
    const FIELDS: [&str; 7] = ["appId appid", "partnerId partnerid", "prepayId prepayid prepay_id", "packageValue package", "nonceStr noncestr", "timeStamp timestamp", "sign paySign"];
    Ok(NextAction::App { provider: AppProvider::Wechat, payload: common::app_object(Gateway::HipoPay, data, &FIELDS)? })
}

/// The Alipay `prepay_string` (6.2.1), passed on byte for byte.
fn alipay_app(data: &Value) -> Result<NextAction, PayError> {
    let order = need(data, PREPAY_STRING, None, "prepay_string")?;
    if !crate::text::contains(&order, "sign=") {
        return Err(PayError::invalid_payload("Alipay prepay_string is not signed"));
    }
    Ok(NextAction::App { provider: AppProvider::Alipay, payload: Value::String(order) })
}

/// An order object (§11.1, 6.5) as a status. `refunds` is the V2 list.
pub(super) fn order_status(order: &Value, refunds: Option<&Value>) -> Result<OrderStatus, PayError> {
    let raw = order.text("status").ok_or_else(|| PayError::invalid_payload("HipoPay order has no status"))?;
    let refunded = matches!(refunds, Some(Value::Array(items)) if items.iter().any(|r| r.text("status").is_some_and(refund_succeeded)));
    Ok(OrderStatus {
        state: pay_state(raw, order.text("refund_status"), refunded),
        gateway_state: clean(raw, "status")?,
        amount: order.text("amount").and_then(|a| amount_to_minor(a, order.text("currency"))),
        transaction_id: first(order, "no payment_no").map(str::to_owned),
    })
}

/// Reads an order query (4.9 V1 and V2, 6.5). Every 5xx and 555 is
/// `unknown`: the payment may still go through.
pub(super) fn query(body: &Value) -> Result<OrderStatus, PayError> {
    if let Err(refused) = envelope(body)? {
        if outcome_unknown(refused.code) {
            return Ok(OrderStatus::new(PayState::Unknown, refused.code));
        }
        return Err(refused.error());
    }
    let data = data(body)?;
    order_status(data.get("order").filter(is_object).unwrap_or(data), data.get("refunds"))
}

/// Reads a refund query: one refund (`data.refund`, as 4.8 / 6.6 print it)
/// or a list (`data.refunds`, `data.refund` as an array, or `data` itself).
/// Refund objects carry no currency, so amounts assume two decimals unless
/// one is given.
pub(super) fn refunds(body: &Value) -> Result<Vec<RefundStatus>, PayError> {
    accepted(body)?;
    let data = body.get("data").ok_or_else(|| PayError::invalid_payload("HipoPay body has no data"))?;
    let items: Vec<&Value> = match data {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => match (data.get("refunds"), data.get("refund")) {
            (Some(Value::Array(items)), _) | (_, Some(Value::Array(items))) => items.iter().collect(),
            (_, Some(one @ Value::Object(_))) => vec![one],
            _ if data.get("status").is_some() => vec![data],
            _ => Vec::new(),
        },
        Value::Null => Vec::new(),
        _ => return Err(PayError::invalid_payload("HipoPay refund data is neither an object nor a list")),
    };
    items
        .into_iter()
        .map(|item| {
            let raw = item.text("status").ok_or_else(|| PayError::invalid_payload("HipoPay refund has no status"))?;
            Ok(RefundStatus {
                state: refund_state(raw),
                gateway_state: clean(raw, "refund status")?,
                amount: item.text("refund_amount").and_then(|a| amount_to_minor(a, item.text("currency"))),
                refund_id: first(item, "refund_no no").map(str::to_owned),
                refund_no: item.text("outer_refund_no").map(str::to_owned),
            })
        })
        .collect()
}

/// A reference exchange rate: one unit of `currency` in CNY.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rate {
    /// The foreign currency, e.g. `HKD`.
    pub currency: String,
    /// CNY per unit, as the gateway wrote it (`"0.860000"`).
    pub rate: String,
}

/// Reads `GET /rate` (4.11, rate inside `data`) or `GET /alipay/rate`
/// (6.8, `rate` at the top level beside `meta`).
pub fn parse_rate(body: &Value) -> Result<Rate, PayError> {
    accepted(body)?;
    let src = body
        .get("rate")
        .filter(is_object)
        .or_else(|| body.get("data").filter(is_object))
        .ok_or_else(|| PayError::invalid_payload("HipoPay rate body has neither rate nor data"))?;
    Ok(Rate { currency: need(src, "currency", None, "currency")?, rate: need(src, "rate", None, "rate")? })
}

/// Reads the 4.4 step 2 answer (`POST /order/openid`, code → openid):
/// `data.openid`, passed on verbatim.
pub fn parse_openid(body: &Value) -> Result<String, PayError> {
    accepted(body)?;
    need(data(body)?, "openid", None, "openid")
}
