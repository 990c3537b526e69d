//! HiPOS on the wire (feature `signing`).
//!
//! Secrets read: `hostname` (the registered host name the token is issued
//! to) and `token` (the current token; the proxy obtains it with
//! [`super::token_request`], caches it and passes it here).
//!
//! Requests: the token call carries `hostname` (from the secrets) and
//! `notify_url` (set by the proxy) in a JSON body and nothing else. Every
//! other call presents the token as `Authorization: Bearer <token>`, **our
//! choice**: the seed does not say how the token travels. JSON bodies go with
//! `Content-Type: application/json;charset=utf-8`; GET parameters go into
//! the query string. Nothing is signed and responses are unsigned.
//!
//! The sandbox answers a wrong `hostname` on the token call with the seed's
//! 6001 in `hishop_token_response` (HTTP 200), a missing or wrong token with
//! 6001 in the endpoint's own wrapper (HTTP 401), and an unreadable body or a
//! missing `notify_url` with 6020 (HTTP 400). A proxy that gets 6001 on a
//! non-token call refreshes the token once and retries.
//!
//! HiPOS sends the merchant no order notifications: it calls the
//! application-side interfaces instead (`app`). The one callback posted to
//! the token call's `notify_url` itself is the token callback
//! (`[回调]返回授权Token通知`, seed L129; its body is **ours**):
//! [`GatewayWire::encode_notification`] / [`decode_token_notification`],
//! `{"hishop_token_notify": {"hostname", "token", "merchant_id",
//! "notify_time"}}`. It carries its own token, so it proves nothing by
//! itself: it is accepted only when hostname and token equal the ones the
//! proxy already holds from the synchronous answer and its `notify_time`
//! is within five minutes (a replay is stale), and a proxy never adopts a
//! token from it. It is acknowledged with [`ACK`], `{"code":0,"msg":"OK"}`.

use super::{wrapper_name, HiPos, HiPosCode, HiPosToken, TOKEN_PATH};
use crate::error::{PayError, Reason};
use crate::gateway::wire::{form_decode, form_encode, text_pairs, AccessToken, GatewayWire, IssuedToken, Notification, NotifyTime, ResponseCheck, Secrets, WireRequest};
use crate::gateway::{Encoding, Endpoint, GatewayRequest, HttpMethod};
use crate::json::Value;

/// The acknowledgement body of the token callback (ours).
pub const ACK: &str = r#"{"code":0,"msg":"OK"}"#;

/// The sandbox's answer for a missing or wrong token (ours; 6001-style).
const BAD_TOKEN_MESSAGE: &str = "无效的令牌（Token），请重新获取。";

/// `{wrapper: {"code": …, "msg": …}}`, HiPOS's error shape.
pub fn error_body(wrapper: &str, code: &HiPosCode, msg: &str) -> Value {
    Value::object([(wrapper, Value::object([("code", Value::Number(code.code())), ("msg", Value::str(msg))]))])
}

/// Compares two tokens without an early exit (exact, case-sensitive).
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The bearer token of a request, if any.
fn bearer(request: &WireRequest) -> Option<&str> {
    let value = crate::text::trim(request.header("authorization")?);
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| crate::text::trim(token))
}

fn token_header(secrets: &Secrets) -> Result<(String, String), PayError> {
    let token = secrets.get("token")?;
    if !super::token_is_safe(token) {
        return Err(PayError::invalid_argument("the HiPOS token has characters a header cannot carry"));
    }
    Ok(("Authorization".to_owned(), format!("Bearer {token}")))
}

fn json_request(path: String, headers: Vec<(String, String)>, body: &Value) -> WireRequest {
    let mut headers = headers;
    headers.push(("Content-Type".to_owned(), "application/json;charset=utf-8".to_owned()));
    WireRequest { http: HttpMethod::Post, path_and_query: path, headers, body: body.to_json().into_bytes() }
}

/// The `{name}` segments of `pattern` with their values in `path`.
fn path_params(pattern: &str, path: &str) -> Vec<(String, Value)> {
    pattern.split('/').zip(path.split('/')).filter_map(|(p, s)| p.strip_prefix('{').and_then(|p| p.strip_suffix('}')).map(|name| (name.to_owned(), Value::str(s)))).collect()
}

/// The path of a URL (`https://h/p?q` → `/p?q`), or `/`.
fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or_else(|| "/".to_owned(), |i| rest[i..].to_owned())
}

fn signature_error(detail: &str) -> PayError {
    let mut e = PayError::invalid_payload(detail.to_owned());
    e.reason = Reason::Signature;
    e
}

/// The object inside `wrapper` of a notification body.
fn notify_fields(request: &WireRequest, wrapper: &str) -> Result<(Value, Value), PayError> {
    let body = crate::json::parse(&String::from_utf8_lossy(&request.body))?;
    let inner = body.get(wrapper).filter(|v| matches!(v, Value::Object(_))).cloned().ok_or_else(|| PayError::invalid_payload(format!("HiPOS notification without {wrapper}")))?;
    Ok((body, inner))
}

/// Proxy: reads a token callback; accepted only when it confirms the
/// hostname and token the proxy already holds and its `notify_time` (Unix
/// ms) is within five minutes of `now_ms`.
fn decode_token_notification(request: &WireRequest, secrets: &Secrets, now_ms: i64) -> Result<HiPosToken, PayError> {
    let (_, inner) = notify_fields(request, "hishop_token_notify")?;
    // Like the application-side calls: one sent more than five minutes from now is stale (a replay).
    if !inner.int("notify_time").is_some_and(|t| t.abs_diff(now_ms) <= super::app::MAX_SKEW_MS.unsigned_abs()) {
        return Err(signature_error("token callback without a current notify_time"));
    }
    let (Some(hostname), Some(token)) = (inner.text("hostname"), inner.text("token")) else {
        return Err(PayError::invalid_payload("token callback without hostname or token"));
    };
    if !same_token(hostname, secrets.get("hostname")?) || !same_token(token, secrets.get("token")?) {
        return Err(signature_error("token callback does not match the token the proxy holds"));
    }
    Ok(HiPosToken { token: token.to_owned(), merchant_id: inner.text("merchant_id").unwrap_or_default().to_owned() })
}

impl GatewayWire for HiPos {
    fn encode_request(&self, endpoint: &Endpoint, path: &str, params: &Value, secrets: &Secrets, _now_ms: i64) -> Result<WireRequest, PayError> {
        if !endpoint.matches(path, None) {
            return Err(PayError::invalid_argument(format!("path {path} is not {}", endpoint.path)));
        }
        let members = params.members().ok_or_else(|| PayError::invalid_argument("HiPOS parameters must be a JSON object"))?;
        let mut fields: Vec<(String, Value)> = members.iter().filter(|(k, _)| k != "token" && k != "hostname").cloned().collect();
        let mut headers = Vec::new();
        if endpoint.path == TOKEN_PATH {
            if !fields.iter().any(|(k, v)| k == "notify_url" && v.as_text().is_some_and(|s| !s.is_empty())) {
                return Err(PayError::invalid_argument("the HiPOS token call needs notify_url"));
            }
            fields.insert(0, ("hostname".to_owned(), Value::str(secrets.get("hostname")?)));
        } else {
            headers.push(token_header(secrets)?);
        }
        let fields = Value::Object(fields);
        Ok(match endpoint.encoding {
            Encoding::Query | Encoding::Form | Encoding::JsonInPara => {
                let query = form_encode(&text_pairs(&fields));
                let path_and_query = if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") };
                WireRequest { http: endpoint.http, path_and_query, headers, body: Vec::new() }
            }
            Encoding::Json => WireRequest { http: endpoint.http, ..json_request(path.to_owned(), headers, &fields) },
        })
    }

    fn decode_request(&self, endpoint: &Endpoint, request: &WireRequest, secrets: &Secrets, _now_ms: i64) -> Result<Value, (u16, Value)> {
        let wrapper = wrapper_name(endpoint.path);
        let refuse = |status: u16, code: HiPosCode, msg: &str| (status, error_body(wrapper, &code, msg));
        let (path, query) = request.path_and_query.split_once('?').unwrap_or((&request.path_and_query, ""));
        let mut fields = match endpoint.encoding {
            Encoding::Json => match crate::json::parse(&String::from_utf8_lossy(&request.body)) {
                Ok(Value::Object(m)) => m,
                _ => return Err(refuse(400, HiPosCode::ParamInvalid, "请求体不是 JSON 对象。")),
            },
            _ => form_decode(query).into_iter().map(|(k, v)| (k, Value::String(v))).collect(),
        };
        let value = Value::Object(fields.clone());
        if endpoint.path == TOKEN_PATH {
            let registered = secrets.get("hostname").unwrap_or_default();
            if registered.is_empty() || !value.text("hostname").is_some_and(|h| h.eq_ignore_ascii_case(registered)) {
                return Err(refuse(200, HiPosCode::InvalidApp, HiPosCode::InvalidApp.message()));
            }
            if value.text("notify_url").is_none() {
                return Err(refuse(400, HiPosCode::ParamInvalid, "缺少 notify_url。"));
            }
        } else {
            let expected = secrets.get("token").unwrap_or_default();
            if expected.is_empty() || !bearer(request).is_some_and(|t| same_token(t, expected)) {
                return Err(refuse(401, HiPosCode::InvalidApp, BAD_TOKEN_MESSAGE));
            }
        }
        fields.extend(path_params(endpoint.path, path));
        Ok(Value::Object(fields))
    }

    fn verify_answer(&self, _answer: &Value, _secrets: &Secrets) -> ResponseCheck {
        ResponseCheck::Unsigned
    }

    fn sign_response(&self, body: Value, _secrets: &Secrets) -> Value {
        body
    }

    /// The token callback (the only HiPOS notification): `fields` carry
    /// `notify_url` (whose path it is posted to) and `merchant_id`; the
    /// hostname and token come from `secrets`.
    fn encode_notification(&self, fields: &Value, secrets: &Secrets, now_ms: i64) -> WireRequest {
        let path = fields.text("notify_url").map_or_else(|| "/".to_owned(), url_path);
        let inner = Value::object([
            ("hostname", Value::str(secrets.get("hostname").unwrap_or_default())),
            ("token", Value::str(secrets.get("token").unwrap_or_default())),
            ("merchant_id", Value::str(fields.text("merchant_id").unwrap_or_default())),
            ("notify_time", Value::int_value(now_ms)),
        ]);
        json_request(path, Vec::new(), &Value::object([("hishop_token_notify", inner)]))
    }

    /// HiPOS has no order notification: it calls the application-side
    /// interfaces (`app`); anything else posted here is refused.
    fn decode_notification(&self, _request: &WireRequest, _secrets: &Secrets, _now_ms: i64) -> Result<Notification, PayError> {
        Err(PayError::invalid_payload("HiPOS sends no order notifications: its calls go to the application-side interfaces"))
    }

    fn notification_ack(&self) -> &'static str {
        ACK
    }
    fn notification_refusal(&self) -> &'static str {
        r#"{"code":1,"msg":"FAIL"}"#
    }

    fn notification_content_type(&self) -> &'static str {
        "application/json; charset=utf-8"
    }

    fn notification_time(&self) -> Option<NotifyTime> {
        Some(NotifyTime::EpochField("notify_time"))
    }

    fn access_token(&self) -> Option<&'static dyn AccessToken> {
        Some(&HiPos)
    }
}

/// The token of seed 000 L33-L70: fetched with the registered hostname,
/// refused with 6001, confirmed by the `hishop_token_notify` callback.
impl AccessToken for HiPos {
    fn token_request(&self, notify_url: &str) -> GatewayRequest {
        super::token_request(notify_url)
    }

    fn parse_token(&self, body: &Value) -> Result<IssuedToken, PayError> {
        let HiPosToken { token, merchant_id } = super::parse_token(body)?;
        Ok(IssuedToken { token, merchant_id })
    }

    /// Code 6001 in any `*_response`.
    fn refuses_token(&self, body: &[u8]) -> bool {
        let Some(value) = std::str::from_utf8(body).ok().and_then(|t| crate::json::parse(t).ok()) else { return false };
        value.members().unwrap_or(&[]).iter().any(|(k, v)| k.ends_with("_response") && v.get("code").and_then(Value::as_text) == Some("6001"))
    }

    fn token_callback(&self, request: &WireRequest, secrets: &Secrets, now_ms: i64) -> Option<Result<(), PayError>> {
        String::from_utf8_lossy(&request.body).contains("\"hishop_token_notify\"").then(|| decode_token_notification(request, secrets, now_ms).map(drop))
    }
}

#[cfg(test)]
mod tests;
