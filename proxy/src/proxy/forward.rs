//! `POST /{gateway}/{*path}`: a browser's unsigned request, checked against
//! the allowlist, with every server-owned field dropped and set by the
//! proxy (amount from the order record, notify URL, client IP), then
//! signed, sent and checked by [`super::exchange`].

use super::client_ip::client_ip;
use super::error::ProxyError;
use super::exchange::{self, Answer};
use super::longpoll::WaitOutcome;
use super::order_access::authorised_order;
use super::{security, ProxyState, Shared};
use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paybridge::gateway::{rules, truncate_utf8, Endpoint, Operation, ProxyRules};
use paybridge::json::Value;
use paybridge::model::Gateway;
use std::time::Duration;

/// What one forwarded request logs.
#[derive(Default)]
struct Trace {
    order: Option<String>,
    upstream_ms: Option<u64>,
    verified: Option<bool>,
    wait: Option<&'static str>,
}

/// The handler.
pub async fn forward(State(state): State<ProxyState>, Path((gateway, path)): Path<(String, String)>, RawQuery(query): RawQuery, request: Request) -> Response {
    let path = format!("/{path}");
    let mut trace = Trace::default();
    let result = handle(&state.0, &gateway, &path, query.as_deref(), request, &mut trace).await;
    let (response, code) = match result {
        Ok(r) => (r, None),
        Err(e) => (e.clone().into_response(), Some(e.code)),
    };
    state.0.metrics.request(&gateway, response.status().as_u16(), trace.upstream_ms);
    tracing::info!(
        gateway,
        path,
        order = trace.order.as_deref(),
        status = response.status().as_u16(),
        error = code,
        upstream_ms = trace.upstream_ms,
        verified = trace.verified,
        wait = trace.wait,
        "proxy_request"
    );
    response
}

async fn handle(shared: &Shared, gateway: &str, path: &str, query: Option<&str>, request: Request, trace: &mut Trace) -> Result<Response, ProxyError> {
    let unknown = || ProxyError::new(StatusCode::NOT_FOUND, "unknown_gateway", format!("this proxy does not serve gateway {gateway:?}"));
    let gw = Gateway::parse(gateway).ok_or_else(unknown)?;
    shared.config.gateway(gw).ok_or_else(unknown)?;
    let proto = rules(gw).map_err(|_| unknown())?;
    let wait = wait_param(query)?;
    let peer_ip = client_ip(&shared.config, &request);
    let headers = request.headers().clone();
    let bytes = axum::body::to_bytes(request.into_body(), shared.config.max_body_bytes)
        .await
        .map_err(|_| ProxyError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("the body exceeds {} bytes", shared.config.max_body_bytes)))?;
    let body = parse_object(&bytes)?;
    let not_allowed = || ProxyError::new(StatusCode::NOT_FOUND, "path_not_allowed", format!("{path} is not on the {gateway} allowlist"));
    // Every browser-reachable endpoint names its order (a test sweeps the tables).
    let endpoint = proto.endpoint(path, body.text("method")).filter(|e| e.browser && e.order_ref.is_some()).ok_or_else(not_allowed)?;

    let owned = proto.server_owned_fields();
    let mut params: Vec<(String, Value)> = body.members().unwrap_or(&[]).iter().filter(|(k, _)| !owned.contains(&k.as_str())).cloned().collect();
    let order = order_reference(endpoint, path, &body)?.ok_or_else(not_allowed)?;
    trace.order = Some(order.clone());
    let record = authorised_order(shared, &headers, gateway, &order).await?;
    if let Some(field) = endpoint.amount_field {
        set(&mut params, field, Value::int_value(record.amount));
    }
    if let Some((field, max)) = endpoint.subject.filter(|_| endpoint.operation == Operation::Create) {
        let given = params.iter().find(|(k, _)| k == field).and_then(|(_, v)| v.as_text()).map(security::clean_subject).unwrap_or_default();
        let subject = Some(security::clean_subject(&record.subject)).filter(|s| !s.is_empty()).unwrap_or(given);
        params.retain(|(k, _)| k != field);
        if !subject.is_empty() {
            set(&mut params, field, Value::str(truncate_utf8(&subject, max)));
        }
    }
    keep_allowed_return_urls(&mut params, &shared.config.security.allowed_return_urls);
    if let Some((field, appid)) = shared.config.gateway(gw).and_then(|c| security::configured_sub_appid(proto, endpoint, &params, &c.secrets)) {
        set(&mut params, field, Value::str(appid));
    }
    if endpoint.operation == Operation::Create {
        set(&mut params, "notify_url", Value::str(shared.config.notify_url(gw)));
    }
    if let Some(field) = endpoint.client_ip {
        set(&mut params, field, Value::str(peer_ip));
    }
    let params = Value::Object(params);

    if endpoint.operation == Operation::Cancel {
        exchange::ensure_unpaid(shared, gw, &order, gateway_order_id(proto, &params), proto.request_wallet(&params)).await?;
    }
    let (answer, outcome) = match (endpoint.operation, wait) {
        (Operation::Query, Some(wait)) if !wait.is_zero() => {
            let wait = wait.min(shared.config.long_poll_max_wait);
            let call = exchange::Call { gateway: gw, endpoint, path, params: &params, locale: checkout_locale(&headers) };
            let (answer, outcome) = exchange::long_poll(shared, &call, &order, wait).await?;
            (answer, Some(outcome))
        }
        _ => (exchange::call_in(shared, gw, endpoint, path, &params, checkout_locale(&headers)).await?, None),
    };
    // A settled state is committed as an event before the caller hears of it.
    if let (Operation::Query, Some(status)) = (endpoint.operation, super::events::query_status(gw, &answer.value)) {
        super::events::learned_for(shared, gw, &record, &status).await?;
    }
    trace.upstream_ms = Some(answer.upstream_ms);
    trace.verified = Some(answer.verified);
    trace.wait = outcome.map(WaitOutcome::as_str);
    Ok(respond(answer, outcome))
}

/// The gateway's answer, verbatim, with the proxy's headers.
fn respond(answer: Answer, outcome: Option<WaitOutcome>) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = (status, Body::from(answer.body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-paybridge-verified", HeaderValue::from_static(if answer.verified { "signature" } else { "unsigned" }));
    if let Some(outcome) = outcome {
        headers.insert("x-paybridge-wait", HeaderValue::from_static(outcome.as_str()));
    }
    response
}

/// The checkout's locale: `Accept-Language`, which the client sets to it,
/// read by the library's one tag parser (gateway messages follow it where
/// the gateway lets the caller choose, e.g. BlueOcean's `User-Agent` language).
fn checkout_locale(headers: &axum::http::HeaderMap) -> Option<paybridge::i18n::Locale> {
    headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok().and_then(paybridge::i18n::Locale::negotiate)
}

/// `?wait=N` (whole seconds, 0–30); other query parameters are ignored.
fn wait_param(query: Option<&str>) -> Result<Option<Duration>, ProxyError> {
    let Some(value) = query.into_iter().flat_map(|q| q.split('&')).find_map(|p| p.strip_prefix("wait=")) else { return Ok(None) };
    let secs: u64 = value.parse().map_err(|_| ProxyError::bad_request("wait must be a whole number of seconds"))?;
    Ok(Some(Duration::from_secs(secs.min(super::config::LONG_POLL_LIMIT.as_secs()))))
}

/// The body as a JSON object without repeated names (an empty body is `{}`).
fn parse_object(bytes: &[u8]) -> Result<Value, ProxyError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ProxyError::bad_request("the body is not UTF-8"))?;
    if text.trim().is_empty() {
        return Ok(Value::Object(Vec::new()));
    }
    let value = paybridge::json::parse(text).map_err(|_| ProxyError::bad_request("the body is not JSON"))?;
    let members = value.members().ok_or_else(|| ProxyError::bad_request("the body must be a JSON object"))?;
    let mut names: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Err(ProxyError::bad_request("a field is repeated"));
    }
    Ok(value)
}

/// The order the request is about: the endpoint's order-reference field in
/// the body, or the `{field}` segment of the path (BeeCloud's revert).
pub(super) fn order_reference(endpoint: &Endpoint, path: &str, body: &Value) -> Result<Option<String>, ProxyError> {
    let Some(field) = endpoint.order_ref else { return Ok(None) };
    let placeholder = format!("{{{field}}}");
    let in_path = endpoint.path.split('/').zip(path.split('/')).find(|(p, _)| *p == placeholder).map(|(_, s)| s);
    let in_body = body.get(field).and_then(Value::as_text).filter(|s| !s.is_empty());
    match (in_body, in_path) {
        (Some(b), Some(p)) if b != p => Err(ProxyError::bad_request(format!("{field} in the body differs from the path"))),
        (Some(v), _) | (None, Some(v)) => Ok(Some(v.to_owned())),
        (None, None) => Err(ProxyError::bad_request(format!("{field} (the order reference) is required"))),
    }
}

/// Replaces (or adds) a member.
fn set(params: &mut Vec<(String, Value)>, field: &str, value: Value) {
    params.retain(|(k, _)| k != field);
    params.push((field.to_owned(), value));
}

/// The fields naming where a wallet returns the payer after paying.
const RETURN_URL_FIELDS: [&str; 4] = ["return_url", "h5_redirect_url", "redirect_url", "callback_url"];

/// Drops every return / redirect URL not on the configured allowlist.
fn keep_allowed_return_urls(params: &mut Vec<(String, Value)>, allowed: &[String]) {
    params.retain(|(k, v)| !RETURN_URL_FIELDS.contains(&k.as_str()) || v.as_text().and_then(|url| security::allowed_return_url(allowed, url)).is_some());
}

/// The gateway's own order id in a cancel request, for the safety query.
pub(super) fn gateway_order_id<'a>(rules: &dyn ProxyRules, params: &'a Value) -> Option<&'a str> {
    params.text(rules.gateway_order_id_field()?)
}
