//! ChaoYing's wire side (feature `signing`): MD5 signing of form requests,
//! signed JSON answers and signed form notifications (seed L200-L214,
//! digest §2 and §6).
//!
//! **Signature (§2.1).** Take every parameter except `sign`, drop those
//! whose value is empty (`""`; `"0"` and blanks are kept, nothing is
//! trimmed), sort by name in byte order, join as `k=v&k=v` with the
//! *decoded* values, append `&key=KEY`, MD5 the UTF-8 bytes, upper-case the
//! hex. Verification takes every received field, known or not.
//!
//! **JSON answers** (§2.2): strings are signed as is, numbers as written
//! (`7200`), booleans as `true`/`false`, `null` is skipped, and a nested
//! array or object as its compact JSON text. An answer without `sign`
//! is [`ResponseCheck::Missing`]: accepted from the pre-orders, which never
//! sign theirs (and carry no order state), refused from
//! `/UnifiedPay/Gateway`, which signs every answer
//! ([`GatewayWire::signs_answers_of`]).
//!
//! **Secrets** read: `key` (the MD5 key), `agent_id` (代理商编号) and
//! `mch_id` (超赢商户号) — required; `pid` (调用方产品名称, default
//! `paybridge`) and `version` (调用方版本号, default `1.0`) — optional.
//!
//! **Requests.** The proxy's `encode_request` sets `agent_id`, `mch_id`,
//! `pid`, `version`, the endpoint's `method` (gateway endpoints) or a
//! `nonce_str` (pre-orders, the only ones that list it), and on `cancel` an
//! `op_user_id` defaulting to the merchant number as the seed says. The
//! body is the sorted non-empty fields plus `sign`, form-encoded. The
//! sandbox's `decode_request` answers a bad signature as ChaoYing does:
//! `{"state":"FAIL","code":"20002","msg":"签名错误"}` (signed, HTTP 200);
//! the seed's own failure example uses `10002` for the same error, which
//! the parser reads as a signature error too.
//!
//! **Notifications** (§6) are form bodies (JSON accepted defensively),
//! verified like requests; paid means `state` and `result_code` are
//! `SUCCESS` (or `0`, per the seed's "都为0" wording) and `pay_result=0`.
//! The acknowledgement is the plain string `success`.

use std::collections::BTreeMap;

use super::ChaoYing;
use crate::error::{ErrorCode, PayError, Reason};
use crate::gateway::wire::{form_decode, form_encode, GatewayWire, Notification, NotifyTime, ResponseCheck, Secrets, WireRequest};
use crate::gateway::{Endpoint, HttpMethod, Operation};
use crate::json::Value;
use crate::model::{OrderStatus, PayState};
use crate::sign::{md5_hex, md5_hex_upper, same_signature};

const FORM: &str = "application/x-www-form-urlencoded";

/// The text a JSON value is signed as; `None` for `null`.
fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(_) | Value::Object(_) => Some(v.to_json()),
    }
}

/// The name/value pairs of a JSON object, as signed; `None` if not an object.
fn object_pairs(v: &Value) -> Option<Vec<(String, String)>> {
    Some(v.members()?.iter().filter_map(|(k, v)| value_text(v).map(|t| (k.clone(), t))).collect())
}

/// The signed fields: all but `sign` and empty values, sorted by name (a
/// repeated name keeps its last value).
fn signed_fields<'a>(pairs: impl IntoIterator<Item = &'a (String, String)>) -> BTreeMap<&'a str, &'a str> {
    pairs.into_iter().filter(|(k, v)| k != "sign" && !v.is_empty()).map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// `stringSignTemp` of §2.1: the sorted non-empty fields except `sign`,
/// joined as `k=v&…`, then `&key=KEY`.
pub fn signing_string(pairs: &[(String, String)], key: &str) -> String {
    let mut out = String::new();
    for (k, v) in signed_fields(pairs) {
        out.push_str(k);
        out.push('=');
        out.push_str(v);
        out.push('&');
    }
    out.push_str("key=");
    out.push_str(key);
    out
}

/// The `sign` of `pairs`: upper-case hex MD5 of [`signing_string`].
pub fn sign_pairs(pairs: &[(String, String)], key: &str) -> String {
    md5_hex_upper(signing_string(pairs, key).as_bytes())
}

/// Whether `pairs` carry a `sign` that matches; `None` when they carry none.
fn check_sign(pairs: &[(String, String)], key: &str) -> Option<bool> {
    let given = pairs.iter().rev().find(|(k, _)| k == "sign").map(|(_, v)| v.as_str()).filter(|s| !s.is_empty())?;
    Some(same_signature(given, &sign_pairs(pairs, key)))
}

/// Sorted pairs plus their `sign`, form-encoded.
fn signed_form(fields: BTreeMap<String, String>, key: &str) -> String {
    let mut pairs: Vec<(String, String)> = fields.into_iter().filter(|(k, v)| k != "sign" && !v.is_empty()).collect();
    let sign = sign_pairs(&pairs, key);
    let at = pairs.partition_point(|(k, _)| k.as_str() < "sign");
    pairs.insert(at, ("sign".to_owned(), sign));
    form_encode(&pairs)
}

/// A 32-hex nonce from the clock, the order number and the key (so it is
/// not guessable without the key).
fn nonce(now_ms: i64, fields: &BTreeMap<String, String>, key: &str) -> String {
    let order = fields.get("out_trade_no").map_or("", String::as_str);
    md5_hex(format!("{now_ms}|{order}|{key}").as_bytes())
}

/// A body's text, for form or JSON decoding.
fn body_text(body: &[u8]) -> Option<&str> {
    std::str::from_utf8(body).ok()
}

/// A form body's pairs, or a JSON object's (accepted defensively).
fn body_pairs(text: &str) -> Option<Vec<(String, String)>> {
    if text.trim_start().starts_with('{') {
        object_pairs(&crate::json::parse(text).ok()?)
    } else {
        Some(form_decode(crate::text::trim(text)))
    }
}

fn signature_error(detail: &str) -> PayError {
    PayError::invalid_payload(detail.to_owned()).with_reason(Reason::Signature)
}

/// `state` / `result_code` values the notification treats as success.
fn success_word(v: Option<&str>) -> bool {
    matches!(v, Some("SUCCESS" | "0"))
}

/// The status a verified notification reports.
fn notification_status(fields: &BTreeMap<&str, &str>) -> OrderStatus {
    let get = |k: &str| fields.get(k).copied();
    let (state, raw) = match (get("state"), get("result_code"), get("pay_result")) {
        (s, _, _) if !success_word(s) => (PayState::Unknown, s.unwrap_or("")),
        (_, None, _) => (PayState::Unknown, ""),
        (_, Some(r), _) if !success_word(Some(r)) => (PayState::Failed, r),
        (_, _, Some("0")) => (PayState::Succeeded, "SUCCESS"),
        (_, _, Some(other)) => (PayState::Failed, other),
        (_, _, None) => (PayState::Unknown, ""),
    };
    OrderStatus {
        state,
        gateway_state: raw.to_owned(),
        amount: get("total_fee").and_then(|t| crate::text::trim(t).parse().ok()).filter(|n: &i64| *n >= 0),
        transaction_id: get("transaction_id").map(str::to_owned),
    }
}

impl ChaoYing {
    /// ChaoYing's refusal body `{"state":"FAIL","code":…,"msg":…}`, signed.
    fn refusal(&self, code: &str, msg: &str, secrets: &Secrets) -> Value {
        self.sign_response(Value::object([("state", Value::str("FAIL")), ("code", Value::str(code)), ("msg", Value::str(msg))]), secrets)
    }
}

impl GatewayWire for ChaoYing {
    fn encode_request(&self, endpoint: &Endpoint, path: &str, params: &Value, secrets: &Secrets, now_ms: i64) -> Result<WireRequest, PayError> {
        let key = secrets.get("key")?;
        let mch_id = secrets.get("mch_id")?;
        let pairs = object_pairs(params).ok_or_else(|| PayError::invalid_argument("ChaoYing request parameters must be a JSON object"))?;
        let mut fields: BTreeMap<String, String> = pairs.into_iter().filter(|(k, _)| k != "key").collect();
        fields.insert("agent_id".into(), secrets.get("agent_id")?.to_owned());
        fields.insert("mch_id".into(), mch_id.to_owned());
        fields.insert("pid".into(), secrets.get("pid").unwrap_or("paybridge").to_owned());
        fields.insert("version".into(), secrets.get("version").unwrap_or("1.0").to_owned());
        match endpoint.method_param {
            Some(method) => {
                fields.insert("method".into(), method.to_owned());
            }
            None => {
                let n = nonce(now_ms, &fields, key);
                fields.insert("nonce_str".into(), n);
            }
        }
        if endpoint.operation == Operation::Cancel && fields.get("op_user_id").map_or(true, String::is_empty) {
            fields.insert("op_user_id".into(), mch_id.to_owned());
        }
        Ok(WireRequest { http: endpoint.http, path_and_query: path.to_owned(), headers: vec![("Content-Type".into(), FORM.into())], body: signed_form(fields, key).into_bytes() })
    }

    fn decode_request(&self, endpoint: &Endpoint, request: &WireRequest, secrets: &Secrets, _now_ms: i64) -> Result<Value, (u16, Value)> {
        let Ok(key) = secrets.get("key") else {
            return Err((500, self.refusal("20006", "系统错误", secrets)));
        };
        let pairs = body_text(&request.body).map(form_decode).ok_or_else(|| (200, self.refusal("20004", "参数错误", secrets)))?;
        if check_sign(&pairs, key) != Some(true) {
            return Err((200, self.refusal("20002", "签名错误", secrets)));
        }
        let fields = signed_fields(&pairs);
        let matches_secret = |name: &str| secrets.get(name).map_or(true, |want| fields.get(name) == Some(&want));
        if !matches_secret("agent_id") {
            return Err((200, self.refusal("20012", "代理商错误", secrets)));
        }
        if !matches_secret("mch_id") {
            return Err((200, self.refusal("20005", "商户错误", secrets)));
        }
        let method_ok = endpoint.method_param.map_or(true, |m| fields.get("method") == Some(&m));
        if !method_ok || !fields.contains_key("pid") || !fields.contains_key("version") {
            return Err((200, self.refusal("20004", "参数错误", secrets)));
        }
        Ok(Value::object(pairs.into_iter().filter(|(k, _)| k != "sign").map(|(k, v)| (k, Value::String(v)))))
    }

    fn verify_answer(&self, answer: &Value, secrets: &Secrets) -> ResponseCheck {
        let Some(pairs) = object_pairs(answer) else {
            return ResponseCheck::Unsigned;
        };
        let Ok(key) = secrets.get("key") else {
            return if pairs.iter().any(|(k, v)| k == "sign" && !v.is_empty()) { ResponseCheck::BadSignature } else { ResponseCheck::Unsigned };
        };
        match check_sign(&pairs, key) {
            None => ResponseCheck::Missing,
            Some(true) => ResponseCheck::Verified,
            Some(false) => ResponseCheck::BadSignature,
        }
    }

    fn signs_answers_of(&self, endpoint: &Endpoint) -> bool {
        endpoint.path == super::GATEWAY
    }

    fn sign_response(&self, body: Value, secrets: &Secrets) -> Value {
        let (Ok(key), Some(pairs)) = (secrets.get("key"), object_pairs(&body)) else {
            return body;
        };
        let sign = sign_pairs(&pairs, key);
        let Value::Object(members) = body else {
            return body;
        };
        let mut members: Vec<(String, Value)> = members.into_iter().filter(|(k, _)| k != "sign").collect();
        members.push(("sign".to_owned(), Value::String(sign)));
        Value::Object(members)
    }

    fn encode_notification(&self, fields: &Value, secrets: &Secrets, now_ms: i64) -> WireRequest {
        // Without a key the notification goes out unverifiable, and the
        // receiving proxy refuses it: a visible failure, not a silent one.
        let key = secrets.get("key").unwrap_or("");
        let mut map: BTreeMap<String, String> = object_pairs(fields).unwrap_or_default().into_iter().collect();
        if let (None, Ok(mch_id)) = (map.get("mch_id"), secrets.get("mch_id")) {
            map.insert("mch_id".into(), mch_id.to_owned());
        }
        if map.get("nonce_str").map_or(true, String::is_empty) {
            let n = nonce(now_ms, &map, key);
            map.insert("nonce_str".into(), n);
        }
        WireRequest { http: HttpMethod::Post, path_and_query: "/".into(), headers: vec![("Content-Type".into(), FORM.into())], body: signed_form(map, key).into_bytes() }
    }

    fn decode_notification(&self, request: &WireRequest, secrets: &Secrets, _now_ms: i64) -> Result<Notification, PayError> {
        let key = secrets.get("key")?;
        let pairs =
            body_text(&request.body).and_then(body_pairs).filter(|p| !p.is_empty()).ok_or_else(|| PayError::invalid_payload("ChaoYing notification is not a form or JSON body"))?;
        match check_sign(&pairs, key) {
            Some(true) => {}
            Some(false) => return Err(signature_error("ChaoYing notification signature does not match")),
            None => return Err(signature_error("ChaoYing notification has no sign")),
        }
        let fields = signed_fields(&pairs);
        if let (Ok(want), Some(got)) = (secrets.get("mch_id"), fields.get("mch_id")) {
            if want != *got {
                return Err(PayError::new(ErrorCode::InvalidPayload).with_reason(Reason::Credentials).with_detail("ChaoYing notification is for another merchant (mch_id)"));
            }
        }
        let out_trade_no = fields.get("out_trade_no").ok_or_else(|| PayError::invalid_payload("ChaoYing notification has no out_trade_no"))?.to_string();
        let status = notification_status(&fields);
        Ok(Notification { out_trade_no, status, fields: Value::object(pairs.into_iter().map(|(k, v)| (k, Value::String(v)))) })
    }

    fn notification_ack(&self) -> &'static str {
        "success"
    }
    fn notification_time(&self) -> Option<NotifyTime> {
        Some(NotifyTime::ChinaTimeField("time_end"))
    }

    /// Seed 004 §6.1, verbatim: 0/15s/15s/15s/30s/3m/3m/30m/30m/30m/30m/1h.
    fn notification_retries_ms(&self) -> &'static [u64] {
        const S: u64 = 1_000;
        const M: u64 = 60 * S;
        &[0, 15 * S, 15 * S, 15 * S, 30 * S, 3 * M, 3 * M, 30 * M, 30 * M, 30 * M, 30 * M, 60 * M]
    }
}

#[cfg(test)]
mod tests;
