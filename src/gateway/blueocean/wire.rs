//! BlueOcean's wire side (feature `signing`): MD5 signing of JSON bodies,
//! the sandbox's checks, response signatures and the form-encoded
//! notification.
//!
//! Secrets read: `appid` and `app_key` (the merchant's signing key, from the
//! back office or `/user/login`; it never reaches the browser); optionally
//! `fee_type` (e.g. `HKD`), set on every create — the page cannot choose it.
//!
//! Signing (seed L20–L107): the members except `sign` and `key`, sorted by
//! name (byte order), written `k=v` with raw values (no URL-encoding),
//! joined with `&`, then `&key=<app_key>`; MD5, uppercase hex. Values are
//! what PHP's `"{$k}={$v}"` prints for the decoded JSON: strings as is,
//! numbers as written (`20` and `"20"` sign the same), `true` → `1`,
//! `false`/`null` → empty, arrays and objects → `Array`.
//!
//! Choices where the seed is silent:
//! - Requests leave out empty strings and nulls (the seed does not say
//!   whether empty values are signed; left out, both readings agree), send
//!   nested JSON as a JSON string (L11), and refuse booleans and fractions.
//! - The User-Agent is the seed's example for the checkout's locale
//!   ([`user_agent`]: zh_CN, zh_HK or en_US; zh_CN when the page names none).
//! - The sandbox answers refusals with HTTP 200 and BlueOcean's envelope,
//!   e.g. `{"code":4004,"message":"签名错误"}`; a missing User-Agent is not
//!   refused.
//! - Responses: the seed calls `data.sign` "for local verification" without
//!   its field set; we take the request algorithm over every `data` member
//!   (the whole object for the seed's envelope-less refund answers). An
//!   error envelope without `data` (BlueOcean signs none) is `Unsigned`: it
//!   carries no order state. A `data` (or envelope-less object) without
//!   `sign` is `Missing` (the proxy refuses it when the HTTP status is 2xx),
//!   a wrong `sign` is `BadSignature`.
//! - Notifications: every posted field but `sign` is signed, `version`
//!   included. They are sent only "after payment completes" (L868) and carry
//!   no `trade_state`, so one reads as `SUCCESS` unless it says otherwise.

use super::codes::BlueOceanCode;
use super::BlueOcean;
use crate::error::{PayError, Reason};
use crate::gateway::wire::{form_decode, form_encode, text_pairs, GatewayWire, Notification, NotifyTime, ResponseCheck, Secrets, WireRequest};
use crate::gateway::{Endpoint, HttpMethod, Operation};
use crate::i18n::Locale;
use crate::json::{self, Value};
use crate::model::{Gateway, OrderStatus, PayState};
use crate::sign::{md5_hex, md5_hex_upper, same_signature};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The User-Agent a request carries unless the checkout's locale says
/// otherwise (seed L63–L80, the zh_CN example).
const USER_AGENT: &str = "BoPayPos/1.1.0 NetType/WIFI Language/zh_CN";

/// The seed's User-Agent for a checkout locale (L63–L80: `en_US`, `zh_CN`,
/// `zh_HK`), so BlueOcean's `message`s come in the payer's language.
pub(super) fn user_agent(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => USER_AGENT,
        Locale::ZhHk => "BoPayPos/1.1.0 NetType/WIFI Language/zh_HK",
        Locale::En => "BoPayPos/1.1.0 NetType/WIFI Language/en_US",
    }
}

/// What PHP's string interpolation prints for a decoded JSON value.
fn php_text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) | Value::Number(s) => Cow::Borrowed(s),
        Value::Bool(true) => Cow::Borrowed("1"),
        Value::Bool(false) | Value::Null => Cow::Borrowed(""),
        Value::Array(_) | Value::Object(_) => Cow::Borrowed("Array"),
    }
}

/// The signature of text pairs: a repeated name keeps its last value, as
/// PHP's `json_decode` does.
pub(super) fn sign_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, Cow<'a, str>)>, app_key: &str) -> String {
    let sorted: BTreeMap<&str, Cow<str>> = pairs.into_iter().filter(|(k, _)| *k != "sign" && *k != "key").collect();
    let mut text = String::new();
    for (k, v) in &sorted {
        text.push_str(k);
        text.push('=');
        text.push_str(v);
        text.push('&');
    }
    text.push_str("key=");
    text.push_str(app_key);
    md5_hex_upper(text.as_bytes())
}

/// The signature of a JSON object's members.
pub(super) fn sign_members(members: &[(String, Value)], app_key: &str) -> String {
    sign_pairs(members.iter().map(|(k, v)| (k.as_str(), php_text(v))), app_key)
}

/// A parameter as sent: `None` to leave it out.
fn wire_value(key: &str, v: &Value) -> Result<Option<Value>, PayError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(_) => Ok(Some(v.clone())),
        Value::Number(_) if v.as_i64().is_some() => Ok(Some(v.clone())),
        Value::Array(_) | Value::Object(_) => Ok(Some(Value::str(v.to_json()))),
        Value::Number(_) | Value::Bool(_) => Err(PayError::invalid_argument(format!("`{key}`: booleans and fractions have no agreed signed form"))),
    }
}

/// `obj` with its `sign` member replaced by a fresh signature.
fn with_sign(obj: Value, app_key: &str) -> Value {
    let Value::Object(mut members) = obj else { return obj };
    members.retain(|(k, _)| k != "sign");
    let sign = sign_members(&members, app_key);
    members.push(("sign".to_owned(), Value::str(sign)));
    Value::Object(members)
}

/// The part of a response BlueOcean signs: `data` of an envelope, or the
/// whole object when there is no envelope (seed L954, L1043).
fn signed_part(body: &Value) -> Option<&Value> {
    if body.get("code").is_some() {
        body.get("data").filter(|d| d.members().is_some())
    } else {
        body.members().map(|_| body)
    }
}

/// BlueOcean's error envelope for `code`, as the sandbox sends it.
fn refusal(code: &BlueOceanCode) -> (u16, Value) {
    let number = code.as_str().parse().map_or_else(|_| Value::str(code.as_str()), Value::int_value);
    (200, Value::object([("code", number), ("message", Value::str(code.meaning()))]))
}

/// A refused notification.
fn bad_notification(reason: Reason, detail: &str) -> PayError {
    let mut e = PayError::invalid_payload(format!("BlueOcean notification: {detail}"));
    e.reason = reason;
    e.gateway = Some(Gateway::BlueOcean);
    e
}

impl GatewayWire for BlueOcean {
    fn encode_request(&self, endpoint: &Endpoint, path: &str, params: &Value, secrets: &Secrets, _now_ms: i64) -> Result<WireRequest, PayError> {
        let appid = secrets.get("appid")?;
        let app_key = secrets.get("app_key")?;
        let members = params.members().ok_or_else(|| PayError::invalid_argument("BlueOcean parameters must be a JSON object"))?;
        let mut body = BTreeMap::new();
        for (k, v) in members.iter().filter(|(k, _)| !matches!(k.as_str(), "appid" | "sign" | "key")) {
            match wire_value(k, v)? {
                Some(v) => body.insert(k.clone(), v),
                None => body.remove(k),
            };
        }
        body.insert("appid".to_owned(), Value::str(appid));
        if let (Operation::Create, Ok(fee_type)) = (endpoint.operation, secrets.get("fee_type")) {
            body.insert("fee_type".to_owned(), Value::str(fee_type));
        }
        let mut members: Vec<(String, Value)> = body.into_iter().collect();
        let sign = sign_members(&members, app_key);
        members.push(("sign".to_owned(), Value::str(sign)));
        Ok(WireRequest {
            http: endpoint.http,
            path_and_query: path.to_owned(),
            headers: vec![("Content-Type".to_owned(), "application/json; charset=utf-8".to_owned()), ("User-Agent".to_owned(), USER_AGENT.to_owned())],
            body: Value::Object(members).to_json().into_bytes(),
        })
    }

    fn localize(&self, request: &mut WireRequest, locale: Locale) {
        request.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("user-agent"));
        request.headers.push(("User-Agent".to_owned(), user_agent(locale).to_owned()));
    }

    fn decode_request(&self, _endpoint: &Endpoint, request: &WireRequest, secrets: &Secrets, _now_ms: i64) -> Result<Value, (u16, Value)> {
        let (Ok(appid), Ok(app_key)) = (secrets.get("appid"), secrets.get("app_key")) else {
            return Err((500, Value::object([("code", Value::int_value(0)), ("message", Value::str("sandbox secrets appid/app_key are not configured"))])));
        };
        if request.http != HttpMethod::Post {
            return Err(refusal(&BlueOceanCode::WrongHttpMethod));
        }
        let text = std::str::from_utf8(&request.body).map_err(|_| refusal(&BlueOceanCode::EncodingError))?;
        let params = json::parse(text).ok().filter(|v| v.members().is_some()).ok_or_else(|| refusal(&BlueOceanCode::BadDataFormat))?;
        match params.text("appid") {
            None => return Err(refusal(&BlueOceanCode::MissingParameter)),
            Some(sent) if sent != appid => return Err(refusal(&BlueOceanCode::InvalidAppId)),
            Some(_) => {}
        }
        let sent = params.text("sign").ok_or_else(|| refusal(&BlueOceanCode::MissingParameter))?;
        let members = params.members().unwrap_or(&[]);
        if !same_signature(sent, &sign_members(members, app_key)) {
            return Err(refusal(&BlueOceanCode::SignatureError));
        }
        Ok(Value::Object(members.iter().filter(|(k, _)| k != "sign").cloned().collect()))
    }

    fn verify_answer(&self, answer: &Value, secrets: &Secrets) -> ResponseCheck {
        let Ok(app_key) = secrets.get("app_key") else { return ResponseCheck::BadSignature };
        let Some(signed) = signed_part(answer) else { return ResponseCheck::Unsigned };
        match signed.get("sign").map(Value::as_text) {
            // A result BlueOcean signs, stripped of its signature.
            None => ResponseCheck::Missing,
            Some(Some(sent)) if same_signature(sent, &sign_members(signed.members().unwrap_or(&[]), app_key)) => ResponseCheck::Verified,
            Some(_) => ResponseCheck::BadSignature,
        }
    }

    fn sign_response(&self, body: Value, secrets: &Secrets) -> Value {
        let Ok(app_key) = secrets.get("app_key") else { return body };
        match body {
            Value::Object(members) if members.iter().any(|(k, _)| k == "code") => {
                Value::Object(members.into_iter().map(|(k, v)| if k == "data" && v.members().is_some() { (k, with_sign(v, app_key)) } else { (k, v) }).collect())
            }
            bare @ Value::Object(_) => with_sign(bare, app_key),
            other => other,
        }
    }

    /// Signs `fields` with `appid` from the secrets and a `nonce_str` when
    /// missing. The path is `/`: the sandbox posts to the order's
    /// `notify_url`. Without `app_key` the signature cannot verify.
    fn encode_notification(&self, fields: &Value, secrets: &Secrets, now_ms: i64) -> WireRequest {
        let mut map: BTreeMap<String, String> = text_pairs(fields).into_iter().filter(|(k, _)| k != "sign" && k != "key").collect();
        if let Ok(appid) = secrets.get("appid") {
            map.insert("appid".to_owned(), appid.to_owned());
        }
        map.entry("nonce_str".to_owned()).or_insert_with(|| md5_hex(now_ms.to_string().as_bytes()).chars().take(10).collect());
        let sign = sign_pairs(map.iter().map(|(k, v)| (k.as_str(), Cow::Borrowed(v.as_str()))), secrets.get("app_key").unwrap_or(""));
        let mut pairs: Vec<(String, String)> = map.into_iter().collect();
        pairs.push(("sign".to_owned(), sign));
        WireRequest {
            http: HttpMethod::Post,
            path_and_query: "/".to_owned(),
            headers: vec![("Content-Type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned())],
            body: form_encode(&pairs).into_bytes(),
        }
    }

    fn decode_notification(&self, request: &WireRequest, secrets: &Secrets, _now_ms: i64) -> Result<Notification, PayError> {
        let appid = secrets.get("appid")?;
        let app_key = secrets.get("app_key")?;
        if request.http != HttpMethod::Post {
            return Err(bad_notification(Reason::BadRequest, "not a POST"));
        }
        let text = std::str::from_utf8(&request.body).map_err(|_| bad_notification(Reason::BadRequest, "body is not UTF-8"))?;
        let pairs = form_decode(text);
        let mut names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(bad_notification(Reason::BadRequest, "a field is repeated"));
        }
        let fields = Value::object(pairs.iter().map(|(k, v)| (k.as_str(), Value::str(v.as_str()))));
        let sent = fields.text("sign").ok_or_else(|| bad_notification(Reason::Signature, "no sign"))?;
        if !same_signature(sent, &sign_pairs(pairs.iter().map(|(k, v)| (k.as_str(), Cow::Borrowed(v.as_str()))), app_key)) {
            return Err(bad_notification(Reason::Signature, "wrong sign"));
        }
        if fields.text("appid") != Some(appid) {
            return Err(bad_notification(Reason::Credentials, "appid is not this merchant's"));
        }
        let out_trade_no = fields.text("out_trade_no").ok_or_else(|| bad_notification(Reason::BadRequest, "no out_trade_no"))?.to_owned();
        let mut status = match fields.text("trade_state") {
            Some(s) => OrderStatus::new(super::parse::pay_state(s), s),
            None => OrderStatus::new(PayState::Succeeded, "SUCCESS"),
        };
        status.amount = fields.int("total_fee").filter(|n| *n >= 0);
        status.transaction_id = fields.text("transaction_id").map(str::to_owned);
        Ok(Notification { out_trade_no, status, fields })
    }

    fn notification_ack(&self) -> &'static str {
        "SUCCESS"
    }
    fn notification_refusal(&self) -> &'static str {
        "FAIL"
    }

    /// Not documented (seed 001 L866–L898: "re-sent"); a bounded backoff:
    /// 0, 2 s, 10 s, 30 s, 1 min, 5 min, 10 min, 30 min.
    fn notification_retries_ms(&self) -> &'static [u64] {
        &[0, 2_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000]
    }

    /// `time_end`, `yyyyMMddHHmmss` China time.
    fn notification_time(&self) -> Option<NotifyTime> {
        Some(NotifyTime::ChinaTimeField("time_end"))
    }
}

#[cfg(test)]
mod tests;
