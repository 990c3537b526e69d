//! The sandbox's HTTP surface: [`router`] and the gateway endpoint handler
//! (`/{gateway}/{*path}`), which decodes and verifies a request with the
//! gateway's wire, applies faults, calls the sandbox gateway, signs and
//! answers.

use super::clock::now_ms;
use super::faults::{FaultKind, FaultRule, DEFAULT_TIMEOUT_HOLD_MS};
use super::state::SandboxState;
use super::{controls, log, sandbox_gateway, wallet};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use paybridge::gateway::wire::{form_decode, WireRequest};
use paybridge::gateway::{rules, wire, Endpoint, HttpMethod, Operation};
use paybridge::json::Value;
use paybridge::model::Gateway;
use serde_json::json;
use std::time::Duration;

/// The largest request body a sandbox gateway accepts.
const MAX_BODY: usize = 256 * 1024;

/// The sandbox routes, relative to where they are mounted (the demo mounts
/// them at `/sandbox`):
/// - `/{gateway}/{*path}`: the gateway's endpoints (any method);
/// - `POST /{gateway}/_control/orders/{out_trade_no}/{pay|cancel|fail|expire}`,
///   `GET /{gateway}/_control/orders/{out_trade_no}`, `GET /_control/orders`:
///   payer controls and diagnostics;
/// - `POST /hipos/_control/pos/{scan|pair}`: HiPOS's POS calling the
///   merchant (`super::hipos::pos`);
/// - `GET|POST|DELETE /_control/faults`: fault injection;
/// - `GET /_control/notifications`: notification deliveries;
/// - `GET /wallet/{gateway}/{out_trade_no}`, `/wallet.js`, `/wallet.css`:
///   the simulated wallet page;
/// - `GET /hipopay/order/authorize`: HipoPay's container redirect (§4.1).
/// - `GET /wechat/cgi-bin/token`, `/wechat/cgi-bin/ticket/getticket`: WeChat's
///   access token and JS-SDK ticket for HK-wallet `wx.config` (`blueocean::wechat`).
pub fn router(state: SandboxState) -> Router {
    Router::new()
        .route("/_control/orders", get(controls::list_orders))
        .route("/_control/faults", get(controls::list_faults).post(controls::add_faults).delete(controls::clear_faults))
        .route("/_control/notifications", get(controls::list_notifications))
        .route("/{gateway}/_control/orders/{out_trade_no}", get(controls::get_order))
        .route("/{gateway}/_control/orders/{out_trade_no}/{action}", post(controls::act))
        .route("/hipos/_control/pos/{action}", post(super::hipos::pos::control))
        .route("/wallet/{gateway}/{out_trade_no}", get(wallet::page))
        .route("/wallet.js", get(wallet::script))
        .route("/wallet.css", get(wallet::style))
        .route(&super::hipopay::authorize::route(), get(super::hipopay::authorize::authorize))
        .route("/wechat/cgi-bin/token", get(super::blueocean::wechat::token))
        .route("/wechat/cgi-bin/ticket/getticket", get(super::blueocean::wechat::ticket))
        .route("/{gateway}/{*path}", any(gateway_endpoint))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// A JSON answer that belongs to no gateway (unknown path, bad control call).
pub(super) fn neutral(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({ "error": { "code": code, "message": message } }))).into_response()
}

/// A JSON body from our `Value` with `status`.
fn json_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response()
}

/// The `method` parameter of a request, for gateways that multiplex a path
/// by it (ChaoYing): a form field of the body, else a query parameter.
fn method_param(body: &[u8], query: Option<&str>) -> Option<String> {
    let from = |text: &str| form_decode(text).into_iter().find(|(k, _)| k == "method").map(|(_, v)| v);
    std::str::from_utf8(body).ok().and_then(from).or_else(|| query.and_then(from))
}

async fn gateway_endpoint(State(state): State<SandboxState>, Path((gateway, rest)): Path<(String, String)>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let Some((gw, proto)) = Gateway::parse(&gateway).and_then(|g| Some((g, rules(g).ok()?))) else {
        return neutral(StatusCode::NOT_FOUND, "not_found", "no such sandbox gateway");
    };
    let path = format!("/{rest}");
    let multiplexed = proto.endpoints().iter().any(|e| e.method_param.is_some());
    let method_value = if multiplexed { method_param(&body, uri.query()) } else { None };
    let http = match method {
        Method::GET => HttpMethod::Get,
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        _ => return neutral(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "use the gateway's method"),
    };
    let Some(endpoint) = proto.endpoint_for(&path, method_value.as_deref(), http) else {
        return neutral(StatusCode::NOT_FOUND, "not_found", "no such endpoint");
    };
    let path_and_query = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    let request = WireRequest {
        http,
        path_and_query,
        headers: headers.iter().filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned()))).collect(),
        body: body.to_vec(),
    };
    let faults = state.inner.faults.fire_for_request(gw, &path, method_value.as_deref());
    let (status, text) = answer(&state, gw, endpoint, &path, &request, &faults).await;
    log::event(
        "sandbox.request",
        &[
            ("gateway", json!(gw.as_str())),
            ("path", json!(path)),
            ("method", json!(method_value)),
            ("status", json!(status)),
            ("faults", json!(faults.iter().map(|f| f.kind).collect::<Vec<_>>())),
        ],
    );
    json_response(status, text)
}

/// Handles one decoded request under the fired `faults`; the status and body text.
async fn answer(state: &SandboxState, gw: Gateway, endpoint: &Endpoint, path: &str, request: &WireRequest, faults: &[FaultRule]) -> (u16, String) {
    let fired = |kind: FaultKind| faults.iter().find(|f| f.kind == kind);
    let latency: i64 = faults.iter().filter(|f| f.kind == FaultKind::Latency).filter_map(|f| f.ms).sum();
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(u64::try_from(latency).unwrap_or(0))).await;
    }
    if fired(FaultKind::Http500).is_some() {
        return (500, r#"{"error":{"code":"internal","message":"Internal Server Error"}}"#.to_owned());
    }
    let Ok(gw_wire) = wire(gw) else {
        return (501, r#"{"error":{"code":"unsupported","message":"gateway not in this build"}}"#.to_owned());
    };
    let secrets = state.secrets_for(gw, Some(request));
    let now = now_ms();
    let (status, body) = match gw_wire.decode_request(endpoint, request, &secrets, now) {
        Err(refusal) => refusal,
        Ok(params) => {
            let sandbox = sandbox_gateway(gw);
            let reply = sandbox.handle(&state.ctx(now), endpoint, path, &params);
            after_handle(state, gw, endpoint, &params, &reply.body, reply.status);
            match fired(FaultKind::Unknown).and_then(|_| sandbox.unknown_reply(endpoint)) {
                Some(unknown) => (unknown.status, unknown.body),
                None => (reply.status, reply.body),
            }
        }
    };
    let secrets = state.secrets_for(gw, Some(request));
    let mut body = gw_wire.sign_response(body, &secrets);
    if fired(FaultKind::BadSignature).is_some() {
        corrupt_signature(&mut body, 0);
    }
    if fired(FaultKind::StripSignature).is_some() {
        strip_signature(&mut body, 0);
    }
    let mut text = body.to_json();
    if fired(FaultKind::Malformed).is_some() {
        malform(&mut text);
    }
    if let Some(rule) = fired(FaultKind::Timeout) {
        let hold = rule.ms.and_then(|ms| u64::try_from(ms).ok()).unwrap_or(DEFAULT_TIMEOUT_HOLD_MS);
        tokio::time::sleep(Duration::from_millis(hold)).await;
    }
    (status, text)
}

/// Framework duties after a handler ran: record issued tokens, watch a
/// counter payment until it settles, and notify a state change.
fn after_handle(state: &SandboxState, gw: Gateway, endpoint: &Endpoint, params: &Value, reply: &Value, status: u16) {
    if endpoint.operation == Operation::Token && (200..300).contains(&status) {
        state.tokens().issue_from_reply(gw, reply);
    }
    if (200..300).contains(&status) {
        super::sandbox_gateway(gw).after_success(state, endpoint, params, reply, now_ms());
    }
    let Some(no) = endpoint.order_ref.and_then(|field| params.text(field)) else { return };
    if let Some(order) = state.store().get(gw, no, now_ms()) {
        state.watch_settlement(&order);
        state.notify_if_new(&order);
    }
}

/// The `malformed` fault: the first half of the body, cut at a character
/// boundary (the bodies carry Chinese messages), then an HTML tag.
fn malform(text: &mut String) {
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    text.push_str("<html>");
}

/// Replaces the first `sign` member found (top level, then nested objects)
/// with a wrong value of the same shape; adds one when there is none.
fn corrupt_signature(body: &mut Value, depth: usize) -> bool {
    let Value::Object(members) = body else { return false };
    if let Some((_, v)) = members.iter_mut().find(|(k, _)| k == "sign") {
        let old = v.as_text().unwrap_or("").to_owned();
        let flipped: String = old.chars().map(|c| if c == '0' { '1' } else { '0' }).collect();
        *v = Value::String(if flipped.is_empty() { "0".repeat(32) } else { flipped });
        return true;
    }
    if depth < 2 && members.iter_mut().any(|(_, v)| corrupt_signature(v, depth + 1)) {
        return true;
    }
    if depth == 0 {
        members.push(("sign".to_owned(), Value::str("0".repeat(32))));
    }
    depth == 0
}

/// Removes every `sign` member down to `data`'s level.
fn strip_signature(body: &mut Value, depth: usize) {
    if let Value::Object(members) = body {
        members.retain(|(k, _)| k != "sign");
        if depth < 2 {
            members.iter_mut().for_each(|(_, v)| strip_signature(v, depth + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_nested_signatures() {
        let mut v = paybridge::json::parse(r#"{"code":200,"sign":"X","data":{"a":1,"sign":"ABC0"}}"#).unwrap();
        strip_signature(&mut v, 0);
        assert_eq!(v.to_json(), r#"{"code":200,"data":{"a":1}}"#);
    }

    #[test]
    fn corrupts_nested_signatures() {
        let mut v = paybridge::json::parse(r#"{"code":200,"data":{"a":1,"sign":"ABC0"}}"#).unwrap();
        corrupt_signature(&mut v, 0);
        assert_eq!(v.get("data").and_then(|d| d.text("sign")), Some("0001"));
        let mut bare = paybridge::json::parse(r#"{"code":201}"#).unwrap();
        corrupt_signature(&mut bare, 0);
        assert_eq!(bare.text("sign").map(str::len), Some(32));
    }

    #[test]
    fn malformed_bodies_cut_at_a_character_boundary() {
        // 17 bytes: half (8) falls inside "支" (bytes 6 to 8).
        let mut text = r#"{"m":"支付中"}"#.to_owned();
        malform(&mut text);
        assert_eq!(text, r#"{"m":"<html>"#);
        let mut ascii = r#"{"a":1}"#.to_owned();
        malform(&mut ascii);
        assert_eq!(ascii, r#"{"a<html>"#);
    }

    #[test]
    fn finds_the_method_in_the_form_or_the_query() {
        assert_eq!(method_param(b"a=1&method=orderquery", None).as_deref(), Some("orderquery"));
        assert_eq!(method_param(b"{}", Some("method=pay")).as_deref(), Some("pay"));
        assert_eq!(method_param(b"", None), None);
    }
}
