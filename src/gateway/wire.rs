//! The wire side of each gateway (feature `signing`, native only): how the
//! proxy signs and encodes a request, verifies a response and a notification,
//! and — the other way round — how the sandbox decodes and verifies a request
//! and signs what it sends back. Both ends share one implementation per
//! gateway, so they cannot drift apart.

use super::{Endpoint, GatewayRequest, HttpMethod};
use crate::error::PayError;
use crate::i18n::Locale;
use crate::json::Value;
use crate::model::OrderStatus;

/// Named secrets and credentials for one gateway, e.g. `appid` + `app_key`
/// (BlueOcean), `agent_no` + `private_key_pem` (HipoPay). Each gateway module
/// documents the names it reads. `Debug` shows the names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets(pub Vec<(String, String)>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.0.iter().map(|(k, _)| (k, "<redacted>"))).finish()
    }
}

impl Secrets {
    /// The value of `name`, or an error naming the missing secret.
    pub fn get(&self, name: &str) -> Result<&str, PayError> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| PayError::new(crate::error::ErrorCode::ProxyError).with_detail(format!("secret `{name}` is not configured")))
    }

    /// Builds secrets from pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Secrets(pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
    }
}

/// An HTTP request (or notification) as it travels on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireRequest {
    /// The HTTP method.
    pub http: HttpMethod,
    /// Path plus query string, e.g. `/order?order_no=1` (no scheme or host).
    pub path_and_query: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body bytes (empty for GET).
    pub body: Vec<u8>,
}

impl WireRequest {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// How far a response could be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseCheck {
    /// The gateway signed it and the signature is right.
    Verified,
    /// The gateway does not sign this response (or this gateway never does).
    Unsigned,
    /// A body of the kind the gateway signs, without a signature: refused
    /// by the proxy when the HTTP status is 2xx and the endpoint's answers
    /// are signed ([`GatewayWire::signs_answers_of`]).
    Missing,
    /// A signature was expected or present and is wrong: refuse the body.
    BadSignature,
}

/// A verified asynchronous notification, reduced to what the proxy needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// The merchant's order number it is about.
    pub out_trade_no: String,
    /// The order's status as the notification reports it.
    pub status: OrderStatus,
    /// Every field as received (for logs and idempotency keys).
    pub fields: Value,
}

const S: u64 = 1_000;
const M: u64 = 60 * S;

/// The retry schedule of a gateway that documents none: a bounded backoff.
pub const DEFAULT_RETRIES_MS: &[u64] = &[0, 2 * S, 10 * S, 30 * S, 2 * M, 10 * M, 30 * M];

/// Where a notification carries the time it was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotifyTime {
    /// A Unix timestamp (seconds or milliseconds) in this request header.
    EpochHeader(&'static str),
    /// A Unix timestamp (seconds or milliseconds) in this notification field.
    EpochField(&'static str),
    /// `yyyyMMddHHmmss` in China time (GMT+8) in this notification field.
    ChinaTimeField(&'static str),
}

/// A token the gateway issued: what its calls carry and the merchant it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedToken {
    /// The access token.
    pub token: String,
    /// The merchant id the token answer names.
    pub merchant_id: String,
}

/// How a gateway whose calls carry an access token issues and refuses it.
/// The proxy keeps one such token (in its store, shared by its instances).
pub trait AccessToken: Sync {
    /// The request asking for a token; callbacks about it go to `notify_url`.
    fn token_request(&self, notify_url: &str) -> GatewayRequest;

    /// Reads a token answer.
    fn parse_token(&self, body: &Value) -> Result<IssuedToken, PayError>;

    /// Whether an answer refuses the token it was called with (the proxy then
    /// fetches a new one and calls again once).
    fn refuses_token(&self, body: &[u8]) -> bool;

    /// Checks a notification that confirms a token, signed with it (in
    /// `secrets`); `None` when `request` is not such a callback.
    fn token_callback(&self, request: &WireRequest, secrets: &Secrets, now_ms: i64) -> Option<Result<(), PayError>>;
}

/// One gateway's signing and encoding, for both the proxy and the sandbox.
pub trait GatewayWire: Sync {
    /// Proxy: adds credentials from `secrets` to `params` (which already hold
    /// the proxy-set amount / notify_url / client IP), signs, and encodes the
    /// request the way the gateway wants. `path` is the concrete gateway path;
    /// `now_ms` is the proxy's clock in Unix milliseconds.
    fn encode_request(&self, endpoint: &Endpoint, path: &str, params: &Value, secrets: &Secrets, now_ms: i64) -> Result<WireRequest, PayError>;

    /// Proxy: makes an encoded request ask for the gateway's messages in
    /// `locale`, where the gateway lets the caller choose (BlueOcean's
    /// `User-Agent` language); most gateways have no such choice.
    fn localize(&self, _request: &mut WireRequest, _locale: Locale) {}

    /// Sandbox: decodes a request back into its parameters after checking its
    /// signature; a refusal is the gateway's own error body to send back
    /// (e.g. BlueOcean `{"code":4004,…}`), paired with the HTTP status.
    fn decode_request(&self, endpoint: &Endpoint, request: &WireRequest, secrets: &Secrets, now_ms: i64) -> Result<Value, (u16, Value)>;

    /// Checks a response body's signature from its bytes:
    /// [`GatewayWire::verify_answer`] of its JSON (`null` for a body that is
    /// not JSON). The proxy, which reads every answer anyway, calls
    /// `verify_answer` with what it read.
    fn verify_response(&self, body: &[u8], secrets: &Secrets) -> ResponseCheck {
        let answer = std::str::from_utf8(body).ok().and_then(|t| crate::json::parse(t).ok()).unwrap_or(Value::Null);
        self.verify_answer(&answer, secrets)
    }

    /// Proxy: checks the signature of an answer already read as JSON (the
    /// proxy reads each answer once, for this and for the page).
    fn verify_answer(&self, answer: &Value, secrets: &Secrets) -> ResponseCheck;

    /// Proxy: whether the gateway signs `endpoint`'s answers, so that a
    /// [`ResponseCheck::Missing`] one is refused (fail closed).
    fn signs_answers_of(&self, _endpoint: &Endpoint) -> bool {
        true
    }

    /// Sandbox: signs a response the way the gateway does (or returns it as is
    /// when the gateway does not sign responses).
    fn sign_response(&self, body: Value, secrets: &Secrets) -> Value;

    /// Sandbox: encodes a payment notification for `notify_url` (method, body
    /// encoding, signature) from the documented fields.
    fn encode_notification(&self, fields: &Value, secrets: &Secrets, now_ms: i64) -> WireRequest;

    /// Proxy: verifies and reads a notification.
    fn decode_notification(&self, request: &WireRequest, secrets: &Secrets, now_ms: i64) -> Result<Notification, PayError>;

    /// The body the gateway expects as an acknowledgement (`SUCCESS`, `success`…).
    fn notification_ack(&self) -> &'static str;

    /// The body that tells the gateway a notification was not accepted (so
    /// it sends it again); `fail` by default.
    fn notification_refusal(&self) -> &'static str {
        "fail"
    }

    /// The content type of the acknowledgement and the refusal; plain text by default.
    fn notification_content_type(&self) -> &'static str {
        "text/plain; charset=utf-8"
    }

    /// Where the gateway stamps when it sent a notification, for the proxy's
    /// replay window; `None` when it does not.
    fn notification_time(&self) -> Option<NotifyTime>;

    /// Sandbox: the delays in milliseconds before each delivery attempt of a
    /// notification (the first is immediate), as the gateway documents them;
    /// by default a bounded backoff.
    fn notification_retries_ms(&self) -> &'static [u64] {
        DEFAULT_RETRIES_MS
    }

    /// The access token the gateway's calls carry, for a gateway whose
    /// calls need one (HiPOS); `None` (the default) for the others.
    fn access_token(&self) -> Option<&'static dyn AccessToken> {
        None
    }
}

/// Percent-encodes `s` as Python 2's `urllib.quote(s, safe="")` does: only
/// `A-Z a-z 0-9 _ . -` stay; everything else becomes `%XX` (uppercase hex)
/// of its UTF-8 bytes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-' {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

/// Encodes pairs as `application/x-www-form-urlencoded` (space as `%20`,
/// which every form parser accepts).
pub fn form_encode(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", quote(k), quote(v))).collect::<Vec<_>>().join("&")
}

/// Decodes an `application/x-www-form-urlencoded` string (`+` is a space).
/// Invalid escapes are kept literally; invalid UTF-8 is replaced.
pub fn form_decode(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match super::common::hex_byte(&b[i + 1..i + 3]) {
                Some(v) => {
                    out.push(v);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Flattens a JSON object's scalar members to text pairs (strings as is,
/// numbers as written, booleans as `true`/`false`; nulls, arrays and objects
/// are left out).
pub fn text_pairs(params: &Value) -> Vec<(String, String)> {
    params
        .members()
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) | Value::Number(s) => Some((k.clone(), s.clone())),
            Value::Bool(b) => Some((k.clone(), b.to_string())),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_matches_python2() {
        assert_eq!(quote("这里"), "%E8%BF%99%E9%87%8C");
        assert_eq!(quote("Tea~Set+/= a"), "Tea%7ESet%2B%2F%3D%20a");
        assert_eq!(quote("A-1_b.c"), "A-1_b.c");
    }

    #[test]
    fn form_round_trip() {
        let pairs = vec![("a b".to_owned(), "x&y=z+中".to_owned()), ("n".to_owned(), String::new())];
        assert_eq!(form_decode(&form_encode(&pairs)), pairs);
        assert_eq!(form_decode("a=1+2&b=%zz&c"), vec![("a".into(), "1 2".into()), ("b".into(), "%zz".into()), ("c".into(), "".into())]);
        assert_eq!(form_decode("a=%4"), vec![("a".into(), "%4".into())]);
        // An escape is exactly two hex digits: a sign is no escape (`u8::from_str_radix` would read "+f"), so the `%` stays and the `+` is a space.
        assert_eq!(form_decode("a=%+f%2b"), vec![("a".into(), "% f+".into())]);
    }
}
