//! HipoPay's status codes (seed §3), the WeChat error inside a 555, the
//! order / refund states (§11.1, §11.2) and exact amount conversion.

use crate::error::{PayError, Reason};
use crate::json::Value;
use crate::model::{Gateway, PayState, RefundState};

/// `meta.status_code` of a HipoPay response (seed §3), which mirrors the
/// HTTP status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HipoPayCode {
    /// 200: the request succeeded.
    Success,
    /// 400 Bad Request – 请求参数错误.
    BadRequest,
    /// 401 Unauthorized – 签名错误.
    Unauthorized,
    /// 403 Forbidden – 权限错误.
    Forbidden,
    /// 404 Not Found – 未找到资源或对象.
    NotFound,
    /// 411 Timestamp Error – 请求已过时.
    TimestampError,
    /// 500 Internal Server Error – 内部服务出错,请稍后重试.
    InternalError,
    /// 503 Service Unavailable – 服务不可用,请稍后重试.
    ServiceUnavailable,
    /// 555 Wechat Service Error – 微信服务错误 (`message` is a JSON string).
    WechatServiceError,
    /// Any other code, as received.
    Unknown(String),
}

/// The known codes in variant order, as HipoPay writes them (three digits,
/// one space between: a word list whose position is the variant).
const KNOWN: &str = "200 400 401 403 404 411 500 503 555";

/// The shared reason for messages of each of [`KNOWN`].
const KNOWN_REASONS: [Reason; 9] =
    [Reason::General, Reason::BadRequest, Reason::Signature, Reason::Credentials, Reason::OrderNotFound, Reason::StaleRequest, Reason::Busy, Reason::Busy, Reason::Upstream];

impl HipoPayCode {
    /// Parses the code as HipoPay writes it (`200`, `"401"`…).
    pub fn parse(raw: &str) -> HipoPayCode {
        let raw = crate::text::trim(raw);
        match crate::text::position(KNOWN, b' ', raw) {
            Some(0) => HipoPayCode::Success,
            Some(1) => HipoPayCode::BadRequest,
            Some(2) => HipoPayCode::Unauthorized,
            Some(3) => HipoPayCode::Forbidden,
            Some(4) => HipoPayCode::NotFound,
            Some(5) => HipoPayCode::TimestampError,
            Some(6) => HipoPayCode::InternalError,
            Some(7) => HipoPayCode::ServiceUnavailable,
            Some(_) => HipoPayCode::WechatServiceError,
            None => HipoPayCode::Unknown(raw.to_owned()),
        }
    }

    /// The row of [`KNOWN`] of a known code; `None` for [`HipoPayCode::Unknown`].
    fn known(&self) -> Option<(&'static str, Reason)> {
        let row = match self {
            HipoPayCode::Success => 0,
            HipoPayCode::BadRequest => 1,
            HipoPayCode::Unauthorized => 2,
            HipoPayCode::Forbidden => 3,
            HipoPayCode::NotFound => 4,
            HipoPayCode::TimestampError => 5,
            HipoPayCode::InternalError => 6,
            HipoPayCode::ServiceUnavailable => 7,
            HipoPayCode::WechatServiceError => 8,
            HipoPayCode::Unknown(_) => return None,
        };
        Some((KNOWN.get(row * 4..row * 4 + 3)?, *KNOWN_REASONS.get(row)?))
    }

    /// The code as text (`"411"`).
    pub fn as_str(&self) -> &str {
        match (self, self.known()) {
            (_, Some((text, _))) => text,
            (HipoPayCode::Unknown(raw), None) => raw,
            (_, None) => "",
        }
    }

    /// The HTTP status that goes with the code (the sandbox answers with it).
    pub fn http_status(&self) -> u16 {
        self.as_str().parse().ok().filter(|s| (100..=599).contains(s)).unwrap_or(500)
    }

    /// The seed's own description, used as `meta.message` by the sandbox.
    #[cfg(feature = "signing")]
    pub fn seed_message(&self) -> &'static str {
        match self {
            HipoPayCode::Success => "请求成功",
            HipoPayCode::BadRequest => "Bad Request – 请求参数错误",
            HipoPayCode::Unauthorized => "Unauthorized – 签名错误",
            HipoPayCode::Forbidden => "Forbidden – 权限错误",
            HipoPayCode::NotFound => "Not Found – 未找到资源或对象",
            HipoPayCode::TimestampError => "Timestamp Error – 请求已过时",
            HipoPayCode::InternalError => "Internal Server Error – 内部服务出错,请稍后重试",
            HipoPayCode::ServiceUnavailable => "Service Unavailable – 服务不可用,请稍后重试",
            HipoPayCode::WechatServiceError => "Wechat Service Error – 微信服务错误",
            HipoPayCode::Unknown(_) => "Unknown error",
        }
    }

    /// The shared reason for messages.
    pub fn reason(&self) -> Reason {
        match self.known() {
            Some((_, reason)) => reason,
            None => unknown_code_reason(self.as_str()),
        }
    }

    /// Whether the code leaves the payment's outcome open (every 5xx, 555
    /// included): a query then reads as `unknown` and polling goes on.
    pub fn is_outcome_unknown(&self) -> bool {
        outcome_unknown(self.as_str())
    }
}

/// [`HipoPayCode::reason`] of a code as HipoPay wrote it (trimmed): the
/// answer readers keep the code as text and never build the enum.
pub(super) fn code_reason(code: &str) -> Reason {
    match crate::text::position(KNOWN, b' ', code).and_then(|row| KNOWN_REASONS.get(row)) {
        Some(&reason) => reason,
        None => unknown_code_reason(code),
    }
}

/// The reason of a code outside [`KNOWN`]: busy when it leaves the outcome open.
fn unknown_code_reason(code: &str) -> Reason {
    if outcome_unknown(code) {
        Reason::Busy
    } else {
        Reason::Unknown
    }
}

/// [`HipoPayCode::is_outcome_unknown`] of a code as HipoPay wrote it.
pub(super) fn outcome_unknown(code: &str) -> bool {
    matches!(crate::text::parse_i64(crate::text::trim(code)), Some(500..=599))
}

/// The code of WeChat's errors (seed §3: 555, the WeChat error in `message`).
pub(super) const WECHAT_SERVICE_ERROR: &str = "555";

/// The WeChat error a 555 carries as a JSON string in `meta.message`
/// (`{"wx_code": …, "wx_message": …}`). Its texts are read from the parsed
/// message (or the message itself) where they are asked for, never copied.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct WechatError<'a> {
    /// The message as JSON, when it is the documented object.
    json: Option<Value>,
    /// The message as HipoPay sent it.
    raw: &'a str,
}

impl<'a> WechatError<'a> {
    /// Decodes `meta.message`; a message that is not the documented JSON
    /// keeps its text as the WeChat message.
    pub(super) fn parse(message: &'a str) -> WechatError<'a> {
        WechatError { json: crate::json::parse(message).ok().filter(|v| matches!(v, Value::Object(_))), raw: message }
    }

    /// `wx_code`, e.g. `USERPAYING`, `AUTHCODEEXPIRE`.
    pub(super) fn code(&self) -> Option<&str> {
        self.json.as_ref()?.text("wx_code")
    }

    /// `wx_message` (the whole message when it is not JSON).
    pub(super) fn message(&self) -> Option<&str> {
        match &self.json {
            Some(v) => v.text("wx_message"),
            None => Some(self.raw).filter(|m| !m.is_empty()),
        }
    }

    /// Whether WeChat left the payment open (the payer is entering a PIN,
    /// or WeChat failed mid-way): a counter payment must be polled, not failed.
    pub(super) fn is_outcome_unknown(&self) -> bool {
        matches!(self.code(), None | Some("USERPAYING" | "SYSTEMERROR" | "BANKERROR"))
    }

    /// The shared reason for WeChat's own error codes ([`WECHAT_CODES`];
    /// any other is `Upstream`).
    pub(super) fn reason(&self) -> Reason {
        let row = crate::text::position(WECHAT_CODES, b' ', self.code().unwrap_or(""));
        row.and_then(|i| WECHAT_REASONS.get(i).copied()).unwrap_or(Reason::Upstream)
    }
}

/// WeChat's error codes (in a 555) with a reason of their own, one space
/// between, in the order of [`WECHAT_REASONS`] (a word list: its position
/// is the row; no pointer per code).
const WECHAT_CODES: &str = "ORDERPAID ORDERCLOSED ORDERREVERSED ORDERNOTEXIST TRADE_NOT_EXIST OUT_TRADE_NO_USED AUTHCODEEXPIRE AUTH_CODE_ERROR AUTH_CODE_INVALID NOTENOUGH NOTSUPORTCARD BUYER_MISMATCH PAYER_ACCOUNT_ERROR NOAUTH NOT_ALLOWED PARAM_ERROR INVALID_REQUEST XML_FORMAT_ERROR SIGNERROR";

/// The reason of each of [`WECHAT_CODES`].
const WECHAT_REASONS: [Reason; 19] = [Reason::OrderPaid, Reason::OrderClosed, Reason::OrderClosed, Reason::OrderNotFound, Reason::OrderNotFound, Reason::DuplicateOrder, Reason::AuthCodeInvalid, Reason::AuthCodeInvalid, Reason::AuthCodeInvalid, Reason::PaymentDeclined, Reason::PaymentDeclined, Reason::PaymentDeclined, Reason::PaymentDeclined, Reason::NotEnabled, Reason::NotEnabled, Reason::BadRequest, Reason::BadRequest, Reason::BadRequest, Reason::Signature];

/// The error for a refused response: HipoPay's code and message are kept;
/// for a 555 the reason and message come from the WeChat error inside.
/// `code` is as HipoPay wrote it (trimmed, [`HipoPayCode::as_str`] of its parse).
pub(super) fn refusal(code: &str, message: &str) -> PayError {
    if code == WECHAT_SERVICE_ERROR {
        let wx = WechatError::parse(message);
        let mut e = PayError::gateway(Gateway::HipoPay, code, wx.reason(), wx.message());
        if let Some(c) = wx.code() {
            e = e.with_detail(detail!("WeChat error {c}"));
        }
        return e;
    }
    PayError::gateway(Gateway::HipoPay, code, code_reason(code), Some(message))
}

/// The row of `status` (trimmed, in any case) in the lower-case word list
/// `list`: one out-of-line reader for every state table below. Lower case:
/// every build links std's lower-caser already (for the user agent).
#[inline(never)]
fn row(list: &str, status: &str) -> Option<usize> {
    crate::text::position(list, b' ', &crate::text::trim(status).to_ascii_lowercase())
}

/// The payment state for an order `status` (§11.1: INIT, PAID, FAIL,
/// EXPIRED). A paid order whose `refund_status` is `PART` or `FULL`, or that
/// lists a successful refund (`refunded`), is refunded.
pub(super) fn pay_state(status: &str, refund_status: Option<&str>, refunded: bool) -> PayState {
    match row("init paid fail failed expired", status) {
        Some(0) => PayState::Pending,
        Some(1) if refunded || refund_status.and_then(|r| row("part full", r)).is_some() => PayState::Refunded,
        Some(1) => PayState::Succeeded,
        Some(2 | 3) => PayState::Failed,
        Some(4) => PayState::Closed,
        _ => PayState::Unknown,
    }
}

/// Whether a refund `status` (trimmed, in any case) is a succeeded one: all
/// an order query asks, without [`refund_state`]'s other rows.
pub(super) fn refund_succeeded(status: &str) -> bool {
    row("success succeeded refunded", status).is_some()
}

/// A refund's state (§11.2 gives only `SUCCESS`; the rest are read by their
/// usual names, anything else is unknown).
pub(super) fn refund_state(status: &str) -> RefundState {
    if refund_succeeded(status) {
        return RefundState::Succeeded;
    }
    match row("init pending processing refunding fail failed closed change", status) {
        Some(0..=3) => RefundState::Processing,
        Some(_) => RefundState::Failed,
        None => RefundState::Unknown,
    }
}

/// Decimal places of a currency's amounts: none for JPY and KRW, two for
/// the other §11.3 currencies (and for an unknown or absent currency).
pub fn currency_exponent(currency: Option<&str>) -> u32 {
    match currency.and_then(|c| row("jpy krw", c)) {
        Some(_) => 0,
        None => 2,
    }
}

/// An amount as HipoPay writes it (`"100"`, `"0.10"`, `1`, `0.877`) in
/// minor units, exactly. `None` for a sign, an exponent, more decimals
/// than the currency has (unless they are zeros) or more than 15 integer
/// digits — never rounded.
pub fn amount_to_minor(text: &str, currency: Option<&str>) -> Option<i64> {
    let exponent = currency_exponent(currency);
    let text = crate::text::trim(text);
    let (whole, fraction) = crate::text::split_once(text, ".").unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 15 || !digits(whole) || !digits(fraction) {
        return None;
    }
    let kept = fraction.get(..fraction.len().min(exponent as usize))?;
    if fraction.bytes().skip(kept.len()).any(|b| b != b'0') {
        return None;
    }
    let mut minor = crate::text::parse_i64(whole)?;
    for i in 0..exponent as usize {
        let d = kept.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
        minor = minor.checked_mul(10)?.checked_add(d)?;
    }
    Some(minor)
}

/// Minor units as HipoPay's major-unit decimal (`10000` HKD → `"100.00"`,
/// `100` JPY → `"100"`); `None` for a negative amount.
pub fn minor_to_amount(minor: i64, currency: Option<&str>) -> Option<String> {
    if minor < 0 {
        return None;
    }
    Some(match currency_exponent(currency) {
        0 => minor.to_string(),
        _ => format!("{}.{:02}", minor / 100, minor % 100),
    })
}
