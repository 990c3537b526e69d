//! BeeCloud on the wire (feature `signing`): signing for the proxy,
//! verification for the sandbox, and webhooks.
//!
//! Secrets read: `app_id`, `app_secret` (every call but refund and the
//! webhook) and `master_secret` (only `POST /2/rest/offline/refund`; a
//! checkout never needs it, so a proxy serving only pages can leave it out).
//!
//! Requests (seed L35-L39): the body gets `app_id`, `timestamp` (the proxy's
//! clock, Unix ms) and `app_sign = md5(app_id + timestamp + secret)` in
//! lowercase hex (BeeCloud accepts either case). The signature covers
//! neither path nor body, which is why the proxy must fix the amount and
//! allow only its listed paths. POST bodies are compact JSON with
//! `Content-Type: application/json;charset=utf-8`; `GET /2/rest/bills` sends
//! the same JSON as `?para=<URL-encoded JSON>` (seed L184-L186). Responses
//! are unsigned.
//!
//! **BC edition** (secret `barcode_channels = "bc"`): an app that settles
//! through BeeCloud's own acquiring (seed L55-L56: `BC_ALI_SCAN`,
//! `BC_WX_SCAN`, "BC版…条形码支付") is a property of the merchant's BeeCloud
//! app, not of a page, so the signer maps the page's barcode channels:
//! `WX_SCAN` → `BC_WX_SCAN`, `ALI_SCAN` → `BC_ALI_SCAN` on create and
//! status (L40, L130 list both), and drops them from revert (whose list,
//! L161, has no `BC_*`; `channel` is optional there). `SCAN` has no BC form
//! and stays. Unset or `"own"`: channels go as the page sent them.
//!
//! The sandbox answers a bad or missing signature, or an unknown `app_id`,
//! with `result_code` 1 `APP_INVALID` (seed L82), a missing auth field with 4
//! `MISS_PARAM` and an unreadable body with 5 `PARAM_INVALID`, all with HTTP
//! 200 (BeeCloud reports errors in the body; the seed documents no HTTP
//! statuses). It does not check the timestamp's age: the seed sets no window.
//!
//! Webhooks (seed A7 gives only `notify_url` and `optional`; **our
//! assumption**, following BeeCloud's published webhook format): a `POST`
//! with a JSON body of `sign`, `timestamp` (ms), `channel_type` (`WX`, `ALI`…),
//! `sub_channel_type` (`WX_NATIVE`, `ALI_SCAN`…), `transaction_type` (`PAY` or
//! `REFUND`), `transaction_id` (the `bill_no`; for refunds the `refund_no`, so
//! a refund webhook also carries `bill_no`), `transaction_fee` (fen),
//! `trade_success` (bool; `false` does not mean failed), `message_detail`
//! (the wallet's data) and `optional`. `sign = md5(app_id + app_secret +
//! timestamp)`, lowercase hex, the same md5 family as `app_sign`. The
//! acknowledgement is the literal `success`.

use crate::gateway::common::first;
use super::{check_bill_no, BeeCloud, BeeCloudCode, REFUND_PATH, REVERT_PATH};
use crate::error::{PayError, Reason};
use crate::gateway::wire::{form_decode, quote, GatewayWire, Notification, NotifyTime, ResponseCheck, Secrets, WireRequest};
use crate::gateway::{Encoding, Endpoint, HttpMethod};
use crate::json::Value;
use crate::model::{OrderStatus, PayState};
use crate::sign::{md5_hex, same_signature};

/// The secret choosing the barcode channels' edition (`own` or `bc`).
const BARCODE_CHANNELS_SECRET: &str = "barcode_channels";

/// Rewrites a barcode `channel` for a BC-edition app (see the module doc).
fn bc_edition(endpoint: &Endpoint, body: &mut Vec<(String, Value)>) {
    let bc = |ch: &str| match ch {
        "WX_SCAN" => Some("BC_WX_SCAN"),
        "ALI_SCAN" => Some("BC_ALI_SCAN"),
        _ => None,
    };
    let Some(at) = body.iter().position(|(k, v)| k == "channel" && v.as_text().and_then(bc).is_some()) else { return };
    if endpoint.path == REVERT_PATH {
        body.remove(at);
    } else if let Some(to) = body[at].1.as_text().and_then(bc) {
        body[at].1 = Value::str(to);
    }
}

/// The request fields the signature adds (dropped from anything the page sent).
const AUTH_FIELDS: [&str; 3] = ["app_id", "timestamp", "app_sign"];

/// `app_sign = md5(app_id + timestamp + secret)`, lowercase hex (seed L39).
pub fn app_sign(app_id: &str, timestamp_ms: i64, secret: &str) -> String {
    md5_hex(format!("{app_id}{timestamp_ms}{secret}").as_bytes())
}

/// The webhook `sign = md5(app_id + app_secret + timestamp)` (our assumption,
/// see the module doc); `timestamp` is the text as sent.
pub fn webhook_sign(app_id: &str, app_secret: &str, timestamp: &str) -> String {
    md5_hex(format!("{app_id}{app_secret}{timestamp}").as_bytes())
}

/// Which secret signs calls to `endpoint`.
fn secret_name(endpoint: &Endpoint) -> &'static str {
    if endpoint.path == REFUND_PATH {
        "master_secret"
    } else {
        "app_secret"
    }
}

/// BeeCloud's error body for `code`, as the sandbox answers it.
pub fn error_body(code: &BeeCloudCode, detail: &str) -> Value {
    Value::object([("result_code", Value::Number(code.code())), ("result_msg", Value::str(code.name())), ("err_detail", Value::str(detail))])
}

/// The path of a URL (`https://h/p?q` → `/p?q`), or `/`.
fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or_else(|| "/".to_owned(), |i| rest[i..].to_owned())
}

/// The last segment of a path without its query: the revert path's `bill_no`.
fn last_segment(path: &str) -> &str {
    path.split('?').next().unwrap_or_default().rsplit('/').next().unwrap_or_default()
}

fn refuse(code: BeeCloudCode, detail: &str) -> (u16, Value) {
    (200, error_body(&code, detail))
}

fn bad_signature(detail: &str) -> PayError {
    let mut e = PayError::invalid_payload(detail.to_owned());
    e.reason = Reason::Signature;
    e
}

impl GatewayWire for BeeCloud {
    fn encode_request(&self, endpoint: &Endpoint, path: &str, params: &Value, secrets: &Secrets, now_ms: i64) -> Result<WireRequest, PayError> {
        if !endpoint.matches(path, None) {
            return Err(PayError::invalid_argument(format!("path {path} is not {}", endpoint.path)));
        }
        let app_id = secrets.get("app_id")?;
        let secret = secrets.get(secret_name(endpoint))?;
        let members = params.members().ok_or_else(|| PayError::invalid_argument("BeeCloud parameters must be a JSON object"))?;
        let mut body: Vec<(String, Value)> = members.iter().filter(|(k, _)| !AUTH_FIELDS.contains(&k.as_str())).cloned().collect();
        if endpoint.path == REVERT_PATH {
            let in_path = check_bill_no(last_segment(path))?;
            if body.iter().any(|(k, v)| k == "bill_no" && v.as_text() != Some(in_path)) {
                return Err(PayError::invalid_argument("bill_no in the body differs from the one in the path"));
            }
            body.retain(|(k, _)| k != "bill_no");
        }
        match secrets.get(BARCODE_CHANNELS_SECRET).ok() {
            None | Some("own") => {}
            Some("bc") => bc_edition(endpoint, &mut body),
            Some(other) => {
                let detail = format!("secret `{BARCODE_CHANNELS_SECRET}` must be \"own\" or \"bc\", not {other:?}");
                return Err(PayError::new(crate::error::ErrorCode::ProxyError).with_detail(detail));
            }
        }
        body.push(("app_id".to_owned(), Value::str(app_id)));
        body.push(("timestamp".to_owned(), Value::int_value(now_ms)));
        body.push(("app_sign".to_owned(), Value::str(app_sign(app_id, now_ms, secret))));
        let json = Value::Object(body).to_json();
        Ok(match endpoint.encoding {
            Encoding::JsonInPara => WireRequest { http: HttpMethod::Get, path_and_query: format!("{path}?para={}", quote(&json)), headers: Vec::new(), body: Vec::new() },
            _ => WireRequest {
                http: endpoint.http,
                path_and_query: path.to_owned(),
                headers: vec![("Content-Type".to_owned(), "application/json;charset=utf-8".to_owned())],
                body: json.into_bytes(),
            },
        })
    }

    fn decode_request(&self, endpoint: &Endpoint, request: &WireRequest, secrets: &Secrets, _now_ms: i64) -> Result<Value, (u16, Value)> {
        let text = match endpoint.encoding {
            Encoding::JsonInPara => {
                let query = request.path_and_query.split_once('?').map_or("", |(_, q)| q);
                form_decode(query).into_iter().find(|(k, _)| k == "para").map(|(_, v)| v).unwrap_or_default()
            }
            _ => String::from_utf8_lossy(&request.body).into_owned(),
        };
        let params = match crate::json::parse(&text) {
            Ok(v @ Value::Object(_)) => v,
            _ => return Err(refuse(BeeCloudCode::ParamInvalid, "the request is not a JSON object")),
        };
        let (Some(app_id), Some(timestamp), Some(sign)) = (params.text("app_id"), params.get("timestamp"), params.text("app_sign")) else {
            return Err(refuse(BeeCloudCode::MissParam, "app_id, timestamp and app_sign are required"));
        };
        let Some(timestamp) = timestamp.as_i64() else {
            return Err(refuse(BeeCloudCode::ParamInvalid, "timestamp must be an integer (ms)"));
        };
        let (Ok(our_id), Ok(secret)) = (secrets.get("app_id"), secrets.get(secret_name(endpoint))) else {
            return Err(refuse(BeeCloudCode::RuntimeError, "sandbox secrets are not configured"));
        };
        if app_id != our_id || !same_signature(sign, &app_sign(app_id, timestamp, secret)) {
            return Err(refuse(BeeCloudCode::AppInvalid, "根据app_id找不到对应的APP或者app_sign不正确"));
        }
        let mut out: Vec<(String, Value)> = params.members().unwrap_or_default().iter().filter(|(k, _)| !AUTH_FIELDS.contains(&k.as_str())).cloned().collect();
        if endpoint.path == REVERT_PATH {
            out.retain(|(k, _)| k != "bill_no");
            out.push(("bill_no".to_owned(), Value::str(last_segment(&request.path_and_query))));
        }
        Ok(Value::Object(out))
    }

    fn verify_answer(&self, _answer: &Value, _secrets: &Secrets) -> ResponseCheck {
        ResponseCheck::Unsigned
    }

    fn sign_response(&self, body: Value, _secrets: &Secrets) -> Value {
        body
    }

    fn encode_notification(&self, fields: &Value, secrets: &Secrets, now_ms: i64) -> WireRequest {
        let app_id = secrets.get("app_id").unwrap_or_default();
        let app_secret = secrets.get("app_secret").unwrap_or_default();
        let timestamp = now_ms.to_string();
        let path = fields.text("notify_url").map_or_else(|| "/".to_owned(), url_path);
        let mut body: Vec<(String, Value)> =
            fields.members().unwrap_or_default().iter().filter(|(k, _)| !["sign", "timestamp", "notify_url"].contains(&k.as_str())).cloned().collect();
        body.push(("timestamp".to_owned(), Value::Number(timestamp.clone())));
        body.push(("sign".to_owned(), Value::str(webhook_sign(app_id, app_secret, &timestamp))));
        WireRequest {
            http: HttpMethod::Post,
            path_and_query: path,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: Value::Object(body).to_json().into_bytes(),
        }
    }

    fn decode_notification(&self, request: &WireRequest, secrets: &Secrets, _now_ms: i64) -> Result<Notification, PayError> {
        let fields = crate::json::parse(&String::from_utf8_lossy(&request.body))?;
        if !matches!(fields, Value::Object(_)) {
            return Err(PayError::invalid_payload("BeeCloud webhook is not a JSON object"));
        }
        let (Some(sign), Some(timestamp)) = (fields.text("sign"), fields.get("timestamp").and_then(Value::as_text)) else {
            return Err(bad_signature("BeeCloud webhook without sign or timestamp"));
        };
        if !same_signature(sign, &webhook_sign(secrets.get("app_id")?, secrets.get("app_secret")?, timestamp)) {
            return Err(bad_signature("BeeCloud webhook sign does not match"));
        }
        let out_trade_no = first(&fields, "bill_no transaction_id transactionId")
            .ok_or_else(|| PayError::invalid_payload("BeeCloud webhook without bill_no or transaction_id"))?
            .to_owned();
        let kind = first(&fields, "transaction_type transactionType").unwrap_or_default().to_ascii_uppercase();
        let success = fields.get("trade_success").or_else(|| fields.get("tradeSuccess")).and_then(Value::as_bool_lenient);
        let state = match (kind.as_str(), success) {
            ("PAY", Some(true)) => PayState::Succeeded,
            ("REFUND", Some(true)) => PayState::Refunded,
            // trade_success=false "does not mean the payment failed": query.
            _ => PayState::Unknown,
        };
        let mut status = OrderStatus::new(state, format!("{kind}:trade_success={}", success.map_or("missing", |b| if b { "true" } else { "false" })));
        status.amount = fields.get("transaction_fee").or_else(|| fields.get("transactionFee")).and_then(Value::as_i64).filter(|&fee| fee >= 0);
        let detail = fields.nested_object("message_detail").or_else(|| fields.nested_object("messageDetail"));
        status.transaction_id = detail.as_ref().and_then(|d| first(d, "transaction_id trade_no")).map(str::to_owned);
        Ok(Notification { out_trade_no, status, fields })
    }

    fn notification_ack(&self) -> &'static str {
        "success"
    }
    fn notification_time(&self) -> Option<NotifyTime> {
        Some(NotifyTime::EpochField("timestamp"))
    }
}

#[cfg(test)]
mod tests;
