//! HiPOS answers: the `*_response` envelope, the token, O2O order states,
//! pickup and device-authorisation codes.

use super::HiPosCode;
use crate::error::PayError;
use crate::json::Value;
use crate::model::{NextAction, OrderStatus, PayState};

/// The inner object of a HiPOS answer, after checking its `code`: the
/// first top-level member whose key ends in `_response` (seed 000 L47-L113).
/// A non-zero code is the error; an answer without wrapper or code is not
/// HiPOS's.
pub fn read_envelope(body: &Value) -> Result<&Value, PayError> {
    let inner = body
        .members()
        .and_then(|m| m.iter().find(|(k, v)| k.ends_with("_response") && matches!(v, Value::Object(_))))
        .map(|(_, v)| v)
        .ok_or_else(|| PayError::invalid_payload("HiPOS answer without a *_response object"))?;
    let code = inner.get("code").and_then(Value::as_text).map(HiPosCode::parse).ok_or_else(|| PayError::invalid_payload("HiPOS answer without code"))?;
    match code {
        HiPosCode::Ok => Ok(inner),
        code => Err(code.to_error(inner.text("msg"))),
    }
}

/// The state of an O2O (buy online, pick up in store) order, our definition
/// of the `status` field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum O2oOrderState {
    /// `UNPAID`: created, not paid; the POS can take the payment at pickup.
    Unpaid,
    /// `PAID`: paid (online or at the POS), not collected yet.
    Paid,
    /// `PICKED_UP`: collected; the checkout's success.
    PickedUp,
    /// `REFUNDED`: refunded before pickup; nothing to hand over.
    Refunded,
    /// `CANCELLED`: cancelled before pickup.
    Cancelled,
    /// Any other value, as received.
    Unknown(String),
}

impl O2oOrderState {
    /// Reads a `status` value (case-insensitive; `CANCELED` too).
    pub fn parse(raw: &str) -> O2oOrderState {
        match crate::text::trim(raw).to_ascii_uppercase().as_str() {
            "UNPAID" => O2oOrderState::Unpaid,
            "PAID" => O2oOrderState::Paid,
            "PICKED_UP" => O2oOrderState::PickedUp,
            "REFUNDED" => O2oOrderState::Refunded,
            "CANCELLED" | "CANCELED" => O2oOrderState::Cancelled,
            _ => O2oOrderState::Unknown(crate::text::trim(raw).to_owned()),
        }
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            O2oOrderState::Unpaid => "UNPAID",
            O2oOrderState::Paid => "PAID",
            O2oOrderState::PickedUp => "PICKED_UP",
            O2oOrderState::Refunded => "REFUNDED",
            O2oOrderState::Cancelled => "CANCELLED",
            O2oOrderState::Unknown(raw) => raw,
        }
    }

    /// The normalised state. `PAID` keeps polling ([`PayState::Paying`]):
    /// the checkout ends at the pickup.
    pub fn pay_state(&self) -> PayState {
        match self {
            O2oOrderState::Unpaid => PayState::Pending,
            O2oOrderState::Paid => PayState::Paying,
            O2oOrderState::PickedUp => PayState::Succeeded,
            O2oOrderState::Refunded => PayState::Refunded,
            O2oOrderState::Cancelled => PayState::Cancelled,
            O2oOrderState::Unknown(_) => PayState::Unknown,
        }
    }
}

/// An order object (order detail, pickup confirmation, notification) as a
/// status; no `status` gives [`PayState::Unknown`].
pub fn order_status(order: &Value) -> OrderStatus {
    let state = order.text("status").map(O2oOrderState::parse);
    let mut s = match &state {
        Some(st) => OrderStatus::new(st.pay_state(), st.as_str()),
        None => OrderStatus::new(PayState::Unknown, "status missing"),
    };
    s.amount = order.int("amount").filter(|&a| a >= 0);
    s.transaction_id = order.text("trade_no").map(str::to_owned);
    s
}

/// An expiry as Unix milliseconds: 10-digit seconds, 13-digit milliseconds,
/// or the seed's `YYYY-MM-DD HH:MM:SS` (000 L170) read as China time (UTC+8).
pub fn expiry_ms(v: &Value) -> Option<i64> {
    if let Some(n) = v.as_i64() {
        return match n {
            1..=99_999_999_999 => n.checked_mul(1000),
            100_000_000_000..=9_999_999_999_999 => Some(n),
            _ => None,
        };
    }
    china_time_ms(v.as_text()?)
}

fn china_time_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 19 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(10) != Some(&b' ') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let num = |from: usize, to: usize| s.get(from..to).filter(|t| t.bytes().all(|c| c.is_ascii_digit())).and_then(crate::text::parse_i64);
    let (y, mo, d, h, mi, se) = (num(0, 4)?, num(5, 7)?, num(8, 10)?, num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    // Days from 1970-01-01 (Howard Hinnant's days_from_civil).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some((days * 86_400 + h * 3_600 + mi * 60 + se - 8 * 3_600) * 1_000)
}

/// A code to show as a QR (`pickup_code`, `auth_code`): non-empty printable
/// text without control characters, at most 512 bytes.
pub(super) fn qr_action(obj: &Value, key: &str) -> Result<NextAction, PayError> {
    let content = obj.text(key).ok_or_else(|| PayError::invalid_payload(detail!("HiPOS answer without {key}")))?;
    if content.len() > 512 || content.chars().any(char::is_control) {
        return Err(PayError::invalid_payload(detail!("HiPOS {key} is not printable text")));
    }
    Ok(NextAction::Qr { content: content.to_owned(), expires_at: obj.get("expire_at").and_then(expiry_ms) })
}

/// A token as `POST /openapi/token/hishop` answers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HiPosToken {
    /// The access token.
    pub token: String,
    /// A number in the token answer, a string elsewhere; kept as text.
    pub merchant_id: String,
}

/// Whether `token` can travel in a header: 1–256 characters of base64url,
/// base64 and `.~`.
pub fn token_is_safe(token: &str) -> bool {
    (1..=256).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b))
}

/// Reads a token answer (seed 000 L47-L70) or its token callback: 6001 and
/// 6002 become errors; a token that could not travel in a header is refused.
pub fn parse_token(body: &Value) -> Result<HiPosToken, PayError> {
    let inner = read_envelope(body)?;
    let token = inner.text("token").filter(|t| token_is_safe(t)).ok_or_else(|| PayError::invalid_payload("HiPOS token answer without a usable token"))?;
    let merchant_id = inner.text("merchant_id").ok_or_else(|| PayError::invalid_payload("HiPOS token answer without merchant_id"))?;
    Ok(HiPosToken { token: token.to_owned(), merchant_id: merchant_id.to_owned() })
}

/// Reads `device_authcode_response` into the QR the POS scans to pair.
pub fn parse_device_authcode(body: &Value) -> Result<NextAction, PayError> {
    qr_action(read_envelope(body)?, "auth_code")
}
