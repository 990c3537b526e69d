//! HiPOS O2O in the seed's direction (seed 000 L16, L20, L128-L132): the
//! proxy, on behalf of the merchant's shop ("云商城"), serves
//! - the application-side interfaces HiPOS calls ([`app_side`]): `POST
//!   /notify/hipos/{order|pickup|device}`, below the token call's
//!   `notify_url` (the token callback itself stays at `/notify/hipos`);
//! - the O2O order's page ([`page`]): `POST /hipos/o2o/{pickup|status}`;
//! - the shop's back office: [`ProxyState::hipos_device_status`], how a
//!   device code it asked for stands (paired or not), held like a long-poll.
//!
//! Nothing here is forwarded to HiPOS: the order lives with the merchant,
//! and what HiPOS reports (pickups, the POS's payments, pairings) becomes
//! events in the store, delivered to the merchant like every other.

mod app_side;
mod page;
mod status;

use super::client_ip::client_ip;
use super::longpoll::WaitOutcome;
use super::{now_ms, ProxyError, ProxyState, Shared};
use crate::store::EventKind;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paybridge::gateway::hipos::app::verify_call;
use paybridge::gateway::wire::WireRequest;
use paybridge::gateway::HttpMethod;
use paybridge::json::Value;
use paybridge::model::Gateway;
use std::time::Duration;

fn json(status: StatusCode, body: &Value, wait: Option<WaitOutcome>) -> Response {
    let mut response = (status, body.to_json()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(outcome) = wait {
        headers.insert("x-paybridge-wait", HeaderValue::from_static(outcome.as_str()));
    }
    response
}

fn serves_hipos(shared: &Shared) -> Result<(), ProxyError> {
    shared.config.gateway(Gateway::HiPos).map(drop).ok_or_else(|| ProxyError::new(StatusCode::NOT_FOUND, "unknown_gateway", "this proxy does not serve HiPOS"))
}

async fn body_bytes(shared: &Shared, request: Request) -> Result<(axum::http::HeaderMap, Vec<u8>), ProxyError> {
    let headers = request.headers().clone();
    let bytes = axum::body::to_bytes(request.into_body(), shared.config.max_body_bytes)
        .await
        .map_err(|_| ProxyError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("the body exceeds {} bytes", shared.config.max_body_bytes)))?;
    Ok((headers, bytes.to_vec()))
}

/// `POST /notify/hipos/{interface}`: a call of HiPOS's.
pub async fn app_side(State(state): State<ProxyState>, Path(interface): Path<String>, request: Request) -> Response {
    let shared = &state.0;
    let peer = client_ip(&shared.config, &request);
    let result = async {
        serves_hipos(shared)?;
        let (headers, body) = body_bytes(shared, request).await?;
        let headers = headers.iter().filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned()))).collect();
        let wire = WireRequest { http: HttpMethod::Post, path_and_query: String::new(), headers, body };
        let token = shared.tokens.current(shared).await?;
        match verify_call(&wire, &interface, &token.token, now_ms()) {
            Ok(value) => app_side::answer(shared, &interface, &value).await,
            Err(code) => Ok(app_side::refused(&interface, code)),
        }
    }
    .await;
    match result {
        Ok((status, body)) => {
            let code = body.members().and_then(|m| m.first()).and_then(|(_, v)| v.get("code")).and_then(Value::as_text).unwrap_or_default().to_owned();
            tracing::info!(interface, peer, status = status.as_u16(), code, "hipos_app_call");
            json(status, &body, None)
        }
        Err(e) => {
            tracing::warn!(interface, peer, status = e.status.as_u16(), error = e.code, "hipos_app_call");
            e.into_response()
        }
    }
}

/// `POST /hipos/o2o/{pickup|status}`: the order's page.
pub async fn page(State(state): State<ProxyState>, Path(op): Path<String>, RawQuery(query): RawQuery, request: Request) -> Response {
    let shared = &state.0;
    let result = async {
        serves_hipos(shared)?;
        let wait = wait_param(query.as_deref())?;
        let (headers, bytes) = body_bytes(shared, request).await?;
        let text = std::str::from_utf8(&bytes).map_err(|_| ProxyError::bad_request("the body is not UTF-8"))?;
        let body = paybridge::json::parse(text).ok().filter(|v| matches!(v, Value::Object(_))).ok_or_else(|| ProxyError::bad_request("the body must be a JSON object"))?;
        let record = page::authorised_order(shared, &headers, &body).await?;
        match op.as_str() {
            "pickup" => Ok((page::pickup(shared, &record).await?, None)),
            "status" => page::status(shared, &record, wait).await,
            _ => Err(ProxyError::new(StatusCode::NOT_FOUND, "path_not_allowed", format!("/o2o/{op} is not on the hipos allowlist"))),
        }
    }
    .await;
    shared.metrics.request("hipos", result.as_ref().map_or_else(|e| e.status.as_u16(), |_| 200), None);
    match result {
        Ok((body, wait)) => {
            let mut response = json(StatusCode::OK, &body, wait);
            response.headers_mut().insert("x-paybridge-verified", HeaderValue::from_static("unsigned"));
            response
        }
        Err(e) => e.into_response(),
    }
}

/// `?wait=N` (whole seconds); other parameters are ignored.
fn wait_param(query: Option<&str>) -> Result<Option<Duration>, ProxyError> {
    let Some(value) = query.into_iter().flat_map(|q| q.split('&')).find_map(|p| p.strip_prefix("wait=")) else { return Ok(None) };
    let secs: u64 = value.parse().map_err(|_| ProxyError::bad_request("wait must be a whole number of seconds"))?;
    Ok(Some(Duration::from_secs(secs.min(super::config::LONG_POLL_LIMIT.as_secs()))))
}

impl ProxyState {
    /// The POS a HiPOS device authorisation code paired (`None`: not yet),
    /// from the store's `device.authorised` events; waits up to `wait`
    /// (at most the long-poll limit) for the pairing when there is none yet.
    pub async fn hipos_device_status(&self, auth_code: &str, wait: Duration) -> Result<Option<String>, ProxyError> {
        let shared = &self.0;
        serves_hipos(shared)?;
        let wait = wait.min(shared.config.long_poll_max_wait);
        let mut subscription = shared.waiters.subscribe(Gateway::HiPos, auth_code);
        let until = tokio::time::Instant::now() + wait;
        loop {
            let events = shared.store.order_events(Gateway::HiPos, auth_code).await?;
            if let Some(e) = events.iter().find(|e| e.kind == EventKind::DeviceAuthorised) {
                return Ok(Some(e.transaction_id.clone().unwrap_or_default()));
            }
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            match subscription.as_mut() {
                Some(sub) if !left.is_zero() => {
                    sub.wait(left.min(shared.config.long_poll_recheck)).await;
                }
                _ => return Ok(None),
            }
        }
    }
}
