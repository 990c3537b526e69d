//! HipoPay on the wire (feature `signing`): RSA request signing for the
//! proxy, verification for the sandbox, and the payment notification.
//!
//! # Requests (seed §2)
//! The sent fields (GET query or POST form) are sorted by name in byte
//! order, keys and values are encoded like Python 2 `urllib.quote(s,
//! safe="")` (only `A–Z a–z 0–9 _ . -` stay, so `~` → `%7E`, space →
//! `%20`), joined as `k=v&…`, then `,` and the `Timestamp` header value are
//! appended ([`sign_string`]). The signature is RSASSA-PKCS1-v1_5 / SHA-256,
//! base64 (standard, padded). Headers: `AgentNo`, `Signature`, `Version:
//! 1.0`, `Timestamp` (integer Unix seconds). Empty fields are not sent.
//! The sandbox answers 401 for a wrong signature or agent and 411 when the
//! timestamp is unreadable or more than [`SIGNATURE_WINDOW_SECS`] away from
//! its clock (the seed gives no window), each in the `meta` envelope with
//! the same HTTP status.
//!
//! # Notifications (seed §10)
//! A POST form to `notify_url` with `Timestamp` and `Signature` headers,
//! signed by HipoPay. §10.3 does not URL-encode the values: the string is
//! the raw `k=v&…` of the decoded form plus `,` and the timestamp
//! ([`sign_string_raw`]); a body that verifies only in the encoded form
//! (as for requests) is accepted too. No freshness window is applied (a
//! retried notification may carry its first timestamp); the proxy re-queries
//! before fulfilling anyway. Acknowledged with `success`.
//!
//! # Secrets
//! - `agent_no`: the `AgentNo` header (proxy and sandbox).
//! - `private_key_pem`: the agent's PKCS#1 private key (proxy signs requests).
//! - `public_key_pem`: the agent's public key, SPKI or PKCS#1 PEM (sandbox verifies).
//! - `merchant_no`, `currency`: added to create (and rate) requests that lack them.
//! - `hipopay_public_key_pem`: HipoPay's notification key (proxy verifies).
//! - `hipopay_private_key_pem`: the sandbox's stand-in for HipoPay's key (signs notifications).
//! - `openid_authorize_url`: the container's authorization URL HipoPay gives
//!   the agent for its bound pay page (§4.1); the proxy publishes it in its
//!   capabilities, pages without an openid send the payer there.
//! - `bound_pay_page`: the sandbox's record of that bound page (§4.1).

use super::codes::{minor_to_amount, HipoPayCode};
use super::parse::order_status;
use super::{HipoPay, CURRENCY_FIELD, MERCHANT_NO_FIELD, OPENID_PATH};
use crate::error::{ErrorCode, PayError, Reason};
use crate::gateway::wire::{form_decode, form_encode, quote, text_pairs, GatewayWire, Notification, NotifyTime, ResponseCheck, Secrets, WireRequest};
use crate::gateway::common;
use crate::gateway::{Encoding, Endpoint, HttpMethod, Operation};
use crate::json::Value;
use crate::model::Gateway;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The `Version` header (seed §2.3: the only version).
const VERSION: &str = "1.0";
/// How far a request `Timestamp` may be from the sandbox's clock, in seconds.
const SIGNATURE_WINDOW_SECS: i64 = 300;

/// The request sign string (§2.2): sorted, quoted `k=v` pairs, `,`, timestamp.
pub fn sign_string(pairs: &[(String, String)], timestamp: &str) -> String {
    joined(pairs, timestamp, quote)
}

/// The notification sign string (§10.3): sorted raw `k=v` pairs, `,`, timestamp.
fn sign_string_raw(pairs: &[(String, String)], timestamp: &str) -> String {
    joined(pairs, timestamp, str::to_owned)
}

fn joined(pairs: &[(String, String)], timestamp: &str, encode: impl Fn(&str) -> String) -> String {
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort();
    let body: Vec<String> = sorted.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    format!("{},{timestamp}", body.join("&"))
}

fn proxy_error(detail: impl Into<String>) -> PayError {
    PayError::new(ErrorCode::ProxyError).with_detail(detail)
}

fn private_key(pem: &str) -> Result<RsaPrivateKey, PayError> {
    RsaPrivateKey::from_pkcs1_pem(pem).or_else(|_| RsaPrivateKey::from_pkcs8_pem(pem)).map_err(|_| proxy_error("HipoPay private key is not a PKCS#1 or PKCS#8 PEM RSA key"))
}

fn public_key(pem: &str) -> Result<RsaPublicKey, PayError> {
    RsaPublicKey::from_public_key_pem(pem).or_else(|_| RsaPublicKey::from_pkcs1_pem(pem)).map_err(|_| proxy_error("HipoPay public key is not an SPKI or PKCS#1 PEM RSA key"))
}

/// The DER `DigestInfo` prefix of a SHA-256 digest (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

/// RSASSA-PKCS1-v1_5 with SHA-256 (python-rsa `rsa.sign(…, "SHA-256")`,
/// OpenSSL `dgst -sha256 -sign`, Java `SHA256withRSA`).
fn pkcs1v15_sha256() -> Pkcs1v15Sign {
    Pkcs1v15Sign { hash_len: Some(32), prefix: Box::new(SHA256_DIGEST_INFO) }
}

fn sign(message: &str, key_pem: &str) -> Result<String, PayError> {
    let digest = Sha256::digest(message.as_bytes());
    let signature = private_key(key_pem)?.sign(pkcs1v15_sha256(), &digest).map_err(|_| proxy_error("RSA signing failed"))?;
    Ok(BASE64.encode(signature))
}

fn verifies(message: &str, signature: &[u8], key: &RsaPublicKey) -> bool {
    key.verify(pkcs1v15_sha256(), &Sha256::digest(message.as_bytes()), signature).is_ok()
}

fn signature_of(text: &str) -> Option<Vec<u8>> {
    BASE64.decode(crate::text::trim(text)).ok().filter(|b| !b.is_empty())
}

/// Unix seconds from a `Timestamp` value: `1509692687` or the Python
/// samples' `1509692687.12`.
fn timestamp_secs(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || !digits(whole) || !digits(fraction) || fraction.len() > 9 {
        return None;
    }
    whole.parse().ok()
}

/// Pairs without repeated names (a repeated name makes the signed string
/// ambiguous), or the repeated name.
fn unique(pairs: Vec<(String, String)>) -> Result<Vec<(String, String)>, String> {
    let mut seen = BTreeMap::new();
    for (k, v) in pairs {
        if seen.contains_key(&k) {
            return Err(k);
        }
        seen.insert(k, v);
    }
    Ok(seen.into_iter().collect())
}

/// Adds `merchant_no` and `currency` from configuration where the endpoint
/// takes them and the proxy did not set them, keeps only `code` and
/// `merchant_no` for the code → openid exchange, and writes the amount
/// (integer minor units from the order record) as HipoPay's decimal.
fn complete(endpoint: &Endpoint, fields: &mut BTreeMap<String, String>, secrets: &Secrets) -> Result<(), PayError> {
    let create = endpoint.operation == Operation::Create;
    let rate = endpoint.path.ends_with("/rate");
    let openid = endpoint.path == OPENID_PATH;
    if openid {
        // 4.4 step 2 takes `code` and `merchant_no`; the order reference the
        // proxy checked the page against stays behind.
        fields.retain(|k, _| k == "code" || k == MERCHANT_NO_FIELD);
    }
    if create || rate || openid {
        // The Alipay rate (6.8) takes no merchant_no.
        if endpoint.path != "/alipay/rate" && !fields.contains_key(MERCHANT_NO_FIELD) {
            fields.insert(MERCHANT_NO_FIELD.to_owned(), secrets.get(MERCHANT_NO_FIELD)?.to_owned());
        }
    }
    if (create || rate) && !fields.contains_key(CURRENCY_FIELD) {
        fields.insert(CURRENCY_FIELD.to_owned(), secrets.get(CURRENCY_FIELD)?.to_owned());
    }
    if let Some(field) = endpoint.amount_field {
        let minor = fields.get(field).ok_or_else(|| proxy_error(format!("`{field}` must be set from the order record")))?;
        let minor: i64 = minor.parse().map_err(|_| proxy_error(format!("`{field}` must be integer minor units, got {minor:?}")))?;
        // A refund sends no currency: its amount is in the configured one.
        let currency = fields.get(CURRENCY_FIELD).map(String::as_str).or_else(|| secrets.get(CURRENCY_FIELD).ok());
        let amount = minor_to_amount(minor, currency).ok_or_else(|| proxy_error("amount is negative"))?;
        fields.insert(field.to_owned(), amount);
    }
    Ok(())
}

fn envelope(code: &HipoPayCode, detail: &str) -> (u16, Value) {
    let meta = Value::object([
        ("status_code", Value::int_value(i64::from(code.http_status()))),
        ("message", Value::str(format!("{}: {detail}", code.seed_message()))),
        ("success", Value::Bool(false)),
    ]);
    (code.http_status(), Value::object([("meta", meta), ("data", Value::Object(Vec::new()))]))
}

fn bad_notification(detail: &str) -> PayError {
    let mut e = PayError::invalid_payload(detail.to_owned());
    e.reason = Reason::Signature;
    e.gateway = Some(Gateway::HipoPay);
    e
}

impl GatewayWire for HipoPay {
    fn encode_request(&self, endpoint: &Endpoint, path: &str, params: &Value, secrets: &Secrets, now_ms: i64) -> Result<WireRequest, PayError> {
        if path.contains(['?', '#']) {
            return Err(proxy_error("HipoPay path must not carry a query"));
        }
        let mut fields: BTreeMap<String, String> = text_pairs(params).into_iter().filter(|(_, v)| !v.is_empty()).collect();
        complete(endpoint, &mut fields, secrets)?;
        let pairs: Vec<(String, String)> = fields.into_iter().collect();
        let timestamp = now_ms.div_euclid(1000).to_string();
        let signature = sign(&sign_string(&pairs, &timestamp), secrets.get("private_key_pem")?)?;
        let mut headers = vec![
            ("AgentNo".to_owned(), secrets.get("agent_no")?.to_owned()),
            ("Signature".to_owned(), signature),
            ("Version".to_owned(), VERSION.to_owned()),
            ("Timestamp".to_owned(), timestamp),
        ];
        let encoded = form_encode(&pairs);
        match endpoint.encoding {
            Encoding::Query => {
                let path_and_query = if encoded.is_empty() { path.to_owned() } else { format!("{path}?{encoded}") };
                Ok(WireRequest { http: HttpMethod::Get, path_and_query, headers, body: Vec::new() })
            }
            Encoding::Form => {
                headers.push(("Content-Type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned()));
                Ok(WireRequest { http: HttpMethod::Post, path_and_query: path.to_owned(), headers, body: encoded.into_bytes() })
            }
            other => Err(proxy_error(format!("HipoPay does not use {other:?} encoding"))),
        }
    }

    fn decode_request(&self, endpoint: &Endpoint, request: &WireRequest, secrets: &Secrets, now_ms: i64) -> Result<Value, (u16, Value)> {
        let text = match endpoint.encoding {
            Encoding::Query => request.path_and_query.split_once('?').map_or("", |(_, q)| q),
            _ => std::str::from_utf8(&request.body).map_err(|_| envelope(&HipoPayCode::BadRequest, "form body is not UTF-8"))?,
        };
        let pairs = unique(form_decode(text)).map_err(|name| envelope(&HipoPayCode::BadRequest, &format!("parameter {name} is repeated")))?;
        let agent = secrets.get("agent_no").map_err(|_| envelope(&HipoPayCode::InternalError, "agent_no is not configured"))?;
        if request.header("AgentNo") != Some(agent) {
            return Err(envelope(&HipoPayCode::Unauthorized, "unknown AgentNo"));
        }
        if request.header("Version") != Some(VERSION) {
            return Err(envelope(&HipoPayCode::BadRequest, "Version must be 1.0"));
        }
        let timestamp = request.header("Timestamp").unwrap_or("");
        match timestamp_secs(timestamp) {
            Some(t) if (now_ms.div_euclid(1000) - t).abs() <= SIGNATURE_WINDOW_SECS => {}
            _ => return Err(envelope(&HipoPayCode::TimestampError, "Timestamp is missing, malformed or outside the window")),
        }
        let key = secrets.get("public_key_pem").and_then(public_key).map_err(|_| envelope(&HipoPayCode::InternalError, "public_key_pem is not configured"))?;
        let signature = request.header("Signature").and_then(signature_of).ok_or_else(|| envelope(&HipoPayCode::Unauthorized, "Signature is missing or not base64"))?;
        if !verifies(&sign_string(&pairs, timestamp), &signature, &key) {
            return Err(envelope(&HipoPayCode::Unauthorized, "signature does not verify"));
        }
        Ok(Value::object(pairs.into_iter().map(|(k, v)| (k, Value::String(v)))))
    }

    /// HipoPay does not sign responses (seed §1, §2).
    fn verify_answer(&self, _answer: &Value, _secrets: &Secrets) -> ResponseCheck {
        ResponseCheck::Unsigned
    }

    fn sign_response(&self, body: Value, _secrets: &Secrets) -> Value {
        body
    }

    /// A form POST signed with `hipopay_private_key_pem` over the raw sign
    /// string. Without a usable key the notification goes out unsigned, and
    /// every receiver refuses it.
    fn encode_notification(&self, fields: &Value, secrets: &Secrets, now_ms: i64) -> WireRequest {
        let pairs: Vec<(String, String)> = text_pairs(fields).into_iter().collect::<BTreeMap<_, _>>().into_iter().collect();
        let timestamp = now_ms.div_euclid(1000).to_string();
        let mut headers = vec![("Content-Type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned())];
        if let Ok(signature) = secrets.get("hipopay_private_key_pem").and_then(|pem| sign(&sign_string_raw(&pairs, &timestamp), pem)) {
            headers.push(("Signature".to_owned(), signature));
        }
        headers.push(("Timestamp".to_owned(), timestamp));
        WireRequest { http: HttpMethod::Post, path_and_query: "/".to_owned(), headers, body: form_encode(&pairs).into_bytes() }
    }

    fn decode_notification(&self, request: &WireRequest, secrets: &Secrets, _now_ms: i64) -> Result<Notification, PayError> {
        let text = std::str::from_utf8(&request.body).map_err(|_| PayError::invalid_payload("notification body is not UTF-8"))?;
        // §10.2 prints the content as JSON although §10.3 says form: take both.
        let pairs = if text.trim_start().starts_with('{') { text_pairs(&crate::json::parse(text)?) } else { form_decode(text) };
        let pairs = unique(pairs).map_err(|name| PayError::invalid_payload(format!("notification repeats field {name}")))?;
        let timestamp = request.header("Timestamp").ok_or_else(|| bad_notification("notification has no Timestamp header"))?;
        let signature = request.header("Signature").and_then(signature_of).ok_or_else(|| bad_notification("notification Signature is missing or not base64"))?;
        let key = public_key(secrets.get("hipopay_public_key_pem")?)?;
        if !verifies(&sign_string_raw(&pairs, timestamp), &signature, &key) && !verifies(&sign_string(&pairs, timestamp), &signature, &key) {
            return Err(bad_notification("notification signature does not verify"));
        }
        let fields = Value::object(pairs.into_iter().map(|(k, v)| (k, Value::String(v))));
        let out_trade_no = common::first(&fields, "agent_order_id out_order_no outer_order_no")
            .ok_or_else(|| PayError::invalid_payload("notification names no merchant order (agent_order_id / out_order_no)"))?
            .to_owned();
        let status = order_status(&fields, None)?;
        Ok(Notification { out_trade_no, status, fields })
    }

    fn notification_ack(&self) -> &'static str {
        "success"
    }
    /// The signed `Timestamp` header (seconds).
    fn notification_time(&self) -> Option<NotifyTime> {
        Some(NotifyTime::EpochHeader("Timestamp"))
    }
}

#[cfg(test)]
mod tests;
