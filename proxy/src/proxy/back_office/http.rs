//! The back office over HTTP, server to server: a fresh order query, close,
//! refunds (idempotent on the merchant's refund number, never beyond what was
//! paid) and the event log. Final states read are recorded as events
//! ([`learned`], refunds' own `refund.*`) before the answer. Every route needs `Authorization: Bearer
//! <[back_office] token>`; without `[back_office]` each answers 404. The
//! routes are mounted outside the CORS middleware: no browser may call them.

use super::super::error::ProxyError;
use super::super::events::{learned, payload};
use super::super::{now_ms, ProxyState, Shared};
use crate::orders::is_order_number;
use crate::store::{Event, EventKind, NewEvent, NewRefund, RefundInsert, RefundRecord, RefundState, StoreError};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use paybridge::error::{ErrorCode, PayError};
use paybridge::gateway::wire::form_decode;
use paybridge::gateway::{protocol, refunds, GatewayRequest, OrderRef};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode, OrderStatus, PayState, RefundState as GatewayRefundState};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Events a page of `GET /back-office/events` holds unless `limit` says otherwise.
const DEFAULT_EVENTS: u32 = 100;
/// Most events one page may hold.
const MAX_EVENTS: u32 = 1000;

/// The back-office routes, relative to the proxy's root, behind the bearer
/// check. One catch-all route dispatched here: routes below a static
/// prefix cannot sit beside a catch-all in the router, and the browser
/// path's `/{gateway}/{*path}` must never see these paths.
pub(in crate::proxy) fn routes(state: ProxyState) -> Router<ProxyState> {
    Router::new().route("/back-office", any(dispatch)).route("/back-office/{*rest}", any(dispatch)).layer(axum::middleware::from_fn_with_state(state, guard))
}

/// Routes `/back-office/…` by its segments and method.
async fn dispatch(State(state): State<ProxyState>, method: Method, uri: Uri, body: Bytes) -> Response {
    let rest = uri.path().strip_prefix("/back-office").unwrap_or_default();
    let segments: Vec<&str> = rest.split('/').skip(1).collect();
    let query = uri.query();
    let (allowed, result) = match (segments.as_slice(), &method) {
        (["events"], &Method::GET) => (true, event_page(&state, query).await),
        ([gw, "orders", no], &Method::GET) => (true, read_order(&state, gw, no, query).await),
        ([gw, "orders", no, "close"], &Method::POST) => (true, close_order(&state, gw, no, query).await),
        ([_, "refunds"], &Method::POST) => (true, refund(&state, segments[0], &body).await),
        ([gw, "refunds", no], &Method::GET) => (true, refresh_refund(&state, gw, no, query).await),
        (["events"] | [_, "orders", _] | [_, "orders", _, "close"] | [_, "refunds"] | [_, "refunds", _], _) => (false, Err(not_found())),
        _ => (true, Err(not_found())),
    };
    let result = if allowed { result } else { Err(ProxyError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", format!("{method} is not allowed here"))) };
    let status = result.as_ref().map_or_else(|e| e.status.as_u16(), |_| 200);
    tracing::info!(method = %method, path = uri.path(), status, error = result.as_ref().err().map(|e| e.code), "back_office_http");
    answer(result)
}

/// 404 without `[back_office]`; 401 on a missing or wrong bearer token.
async fn guard(State(state): State<ProxyState>, request: Request, next: Next) -> Response {
    let Some(config) = &state.0.config.back_office else {
        return not_found().into_response();
    };
    if !authorized(&config.token, request.headers()) {
        let mut response = ProxyError::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid Authorization: Bearer token is required").into_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    next.run(request).await
}

/// Whether the request carries `Bearer <token>`, compared in constant time
/// (over digests, so the length leaks nothing either).
fn authorized(token: &str, headers: &HeaderMap) -> bool {
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).unwrap_or("");
    !given.is_empty() && bool::from(Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(token.as_bytes())))
}

fn not_found() -> ProxyError {
    ProxyError::new(StatusCode::NOT_FOUND, "not_found", "no such back-office route")
}

fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn answer(result: Result<serde_json::Value, ProxyError>) -> Response {
    match result {
        Ok(body) => json(StatusCode::OK, &body),
        Err(e) => e.into_response(),
    }
}

/// A gateway this proxy serves, else 404 `unknown_gateway`.
fn gateway(shared: &Shared, name: &str) -> Result<Gateway, ProxyError> {
    let unknown = || ProxyError::new(StatusCode::NOT_FOUND, "unknown_gateway", format!("this proxy does not serve gateway {name:?}"));
    let gw = Gateway::parse(name).ok_or_else(unknown)?;
    shared.config.gateway(gw).ok_or_else(unknown)?;
    Ok(gw)
}

fn check_order_no(no: &str) -> Result<(), ProxyError> {
    if is_order_number(no) {
        Ok(())
    } else {
        Err(ProxyError::new(StatusCode::BAD_REQUEST, "invalid_order_number", "outTradeNo must be 8-32 letters and digits"))
    }
}

/// A merchant refund number: 1–32 letters, digits, `-` or `_` (a gateway may
/// ask for less: BeeCloud's starts with the day's date).
fn check_refund_no(no: &str) -> Result<(), ProxyError> {
    if (1..=32).contains(&no.len()) && no.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        Ok(())
    } else {
        Err(ProxyError::new(StatusCode::BAD_REQUEST, "invalid_refund_number", "refundNo must be 1-32 letters, digits, '-' or '_'"))
    }
}

/// The wallet and mode an order was created with, from `channel` / `mode`
/// (query string or body): HipoPay queries and refunds per wallet, ChaoYing
/// names it (`paytype`), BlueOcean reverses counter payments instead of
/// closing them. Default: any wallet, QR mode.
fn order_ref(out_trade_no: &str, channel: Option<&str>, mode: Option<&str>) -> Result<OrderRef, ProxyError> {
    let bad = |what: &str, v: &str| ProxyError::new(StatusCode::BAD_REQUEST, "bad_request", format!("unknown {what} {v:?}"));
    let channel = channel.map_or(Ok(Channel::Any), |c| Channel::parse(c).ok_or_else(|| bad("channel", c)))?;
    let mode = mode.map_or(Ok(Mode::Qr), |m| Mode::parse(m).ok_or_else(|| bad("mode", m)))?;
    Ok(OrderRef { out_trade_no: out_trade_no.to_owned(), channel, mode, gateway_order_id: None })
}

/// The gateway and order a `{gateway}/orders/{outTradeNo}[?channel=&mode=]`
/// path names, each checked.
fn order_target(shared: &Shared, gw: &str, no: &str, query: Option<&str>) -> Result<(Gateway, OrderRef), ProxyError> {
    let gw = gateway(shared, gw)?;
    check_order_no(no)?;
    let pairs = form_decode(query.unwrap_or(""));
    Ok((gw, order_ref(no, param(&pairs, "channel"), param(&pairs, "mode"))?))
}

/// One query-string parameter.
fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

/// A request the gateway module could not build: 400.
fn unbuildable(e: PayError) -> ProxyError {
    let code = if e.code == ErrorCode::Unsupported { "operation_unsupported" } else { "bad_request" };
    ProxyError::new(StatusCode::BAD_REQUEST, code, e.detail.clone().unwrap_or_else(|| e.to_string()))
}

/// A gateway answer that reads as a refusal or not at all: 502 `gateway_error`.
fn refused(e: &PayError) -> ProxyError {
    let code = e.gateway_code.as_deref().unwrap_or("?");
    ProxyError::new(StatusCode::BAD_GATEWAY, "gateway_error", format!("the gateway answered {code}: {e}"))
}

impl ProxyState {
    /// Sends `request` and reads the answer with the gateway module's `parse`.
    async fn exchange<T>(&self, request: &GatewayRequest, parse: impl FnOnce(&Value) -> Result<T, PayError>) -> Result<T, ProxyError> {
        let value = self.back_office(request).await?;
        parse(&value).map_err(|e| refused(&e))
    }

    /// A fresh status query.
    async fn fresh_status(&self, gw: Gateway, order: &OrderRef) -> Result<OrderStatus, ProxyError> {
        let proto = protocol(gw).map_err(unbuildable)?;
        let request = proto.query_request(order).map_err(unbuildable)?;
        self.exchange(&request, |v| proto.parse_query(v)).await
    }
}

/// The normalised order answer.
fn order_json(out_trade_no: &str, status: &OrderStatus) -> serde_json::Value {
    serde_json::json!({
        "outTradeNo": out_trade_no,
        "state": status.state.as_str(),
        "amount": status.amount,
        "gatewayState": status.gateway_state,
        "transactionId": status.transaction_id,
    })
}

/// The order record's amount, if the merchant's order source knows the order.
async fn record_amount(shared: &Shared, out_trade_no: &str) -> Result<Option<i64>, ProxyError> {
    shared.orders.lookup(out_trade_no).await.map(|r| r.map(|r| r.amount)).map_err(|e| ProxyError::new(StatusCode::BAD_GATEWAY, "order_source_unavailable", e))
}

/// `GET /back-office/{gateway}/orders/{outTradeNo}[?channel=&mode=]`.
async fn read_order(state: &ProxyState, gw: &str, no: &str, query: Option<&str>) -> Result<serde_json::Value, ProxyError> {
    let shared = &state.0;
    let (gw, order) = order_target(shared, gw, no, query)?;
    let status = state.fresh_status(gw, &order).await?;
    learned(shared, gw, no, &status).await?;
    Ok(order_json(no, &status))
}

/// `POST /back-office/{gateway}/orders/{outTradeNo}/close[?channel=&mode=]`:
/// through cancel safety (a paid order: 409 `cancel_refused`).
async fn close_order(state: &ProxyState, gw: &str, no: &str, query: Option<&str>) -> Result<serde_json::Value, ProxyError> {
    let shared = &state.0;
    let (gw, order) = order_target(shared, gw, no, query)?;
    let proto = protocol(gw).map_err(unbuildable)?;
    let request = proto.cancel_request(&order).map_err(unbuildable)?;
    let status = state.exchange(&request, |v| proto.parse_cancel(v)).await?;
    learned(shared, gw, no, &status).await?;
    Ok(order_json(no, &status))
}

/// `POST /back-office/{gateway}/refunds`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefundBody {
    out_trade_no: String,
    refund_no: String,
    amount: i64,
    channel: Option<String>,
    mode: Option<String>,
}

/// The refund answer.
fn refund_json(r: &RefundRecord) -> serde_json::Value {
    serde_json::json!({
        "refundNo": r.refund_no,
        "outTradeNo": r.out_trade_no,
        "state": r.state.as_str(),
        "amount": r.amount,
        "gatewayRefundId": r.gateway_refund_id,
        "gatewayState": r.gateway_state,
    })
}

/// The same refund again answers it; the same number for another order or
/// amount is 409 `refund_conflict`.
fn same_refund(existing: RefundRecord, body: &RefundBody) -> Result<serde_json::Value, ProxyError> {
    if existing.out_trade_no == body.out_trade_no && existing.amount == body.amount {
        Ok(refund_json(&existing))
    } else {
        Err(ProxyError::new(StatusCode::CONFLICT, "refund_conflict", format!("refund {} exists for another order or amount", existing.refund_no)))
    }
}

/// Validates, checks the order is paid and how much is left, commits the
/// refund row, then calls the gateway and records its answer.
async fn refund(state: &ProxyState, gw: &str, body: &[u8]) -> Result<serde_json::Value, ProxyError> {
    let shared = &state.0;
    let gw = gateway(shared, gw)?;
    let body: RefundBody = serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ProxyError::new(StatusCode::BAD_REQUEST, "invalid_body", format!("the body must be {{\"outTradeNo\",\"refundNo\",\"amount\"}}: {e}")),
        _ => ProxyError::new(StatusCode::BAD_REQUEST, "invalid_json", "the body is not JSON"),
    })?;
    check_order_no(&body.out_trade_no)?;
    check_refund_no(&body.refund_no)?;
    if body.amount <= 0 {
        return Err(ProxyError::new(StatusCode::BAD_REQUEST, "invalid_amount", "amount must be a positive integer in minor units"));
    }
    if let Some(existing) = shared.store.refund(gw, &body.refund_no).await? {
        return same_refund(existing, &body);
    }
    let record = record_amount(shared, &body.out_trade_no)
        .await?
        .ok_or_else(|| ProxyError::new(StatusCode::NOT_FOUND, "unknown_order", "the merchant's order source does not know this order"))?;
    let mut order = order_ref(&body.out_trade_no, body.channel.as_deref(), body.mode.as_deref())?;
    let proto = refunds(gw).map_err(unbuildable)?;
    // A gateway without refunds (HiPOS) is refused before anything is asked.
    if let Err(e) = proto.refund_request(&order, &body.refund_no, body.amount, body.amount) {
        if e.code == ErrorCode::Unsupported {
            return Err(unbuildable(e));
        }
    }
    let status = state.fresh_status(gw, &order).await?;
    learned(shared, gw, &body.out_trade_no, &status).await?;
    if !matches!(status.state, PayState::Succeeded | PayState::Refunded) {
        return Err(ProxyError::new(StatusCode::CONFLICT, "order_not_paid", format!("a fresh query reads the order {}", status.state.as_str())));
    }
    if status.amount.is_some_and(|paid| paid != record) {
        return Err(ProxyError::new(StatusCode::CONFLICT, "amount_mismatch", "the gateway's paid amount differs from the order record"));
    }
    order.gateway_order_id = proto.refund_order_id(&status);
    let request = proto.refund_request(&order, &body.refund_no, body.amount, record).map_err(|e| match e.code {
        ErrorCode::Unsupported => unbuildable(e),
        _ => ProxyError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_refund", e.detail.clone().unwrap_or_else(|| e.to_string())),
    })?;
    let new = NewRefund { gateway: gw, refund_no: body.refund_no.clone(), out_trade_no: body.out_trade_no.clone(), amount: body.amount, paid: record };
    match shared.store.insert_refund(&new, now_ms()).await? {
        RefundInsert::Created(_) => {}
        RefundInsert::Existing(existing) => return same_refund(existing, &body),
        RefundInsert::OverLimit { refundable } => {
            return Err(ProxyError::new(StatusCode::UNPROCESSABLE_ENTITY, "refund_exceeds_paid", format!("at most {refundable} may still be refunded")));
        }
    }
    let outcome = state.back_office(&request).await;
    let (refund_state, refund_id, raw) = match outcome {
        Ok(value) => match proto.parse_refund(&value) {
            Ok(r) => (stored_state(r.state), r.refund_id, Some(r.gateway_state)),
            // A refusal: the gateway did not refund.
            Err(e) if e.gateway_code.is_some() => (RefundState::Failed, None, e.gateway_code.clone()),
            Err(_) => (RefundState::Refunding, None, None),
        },
        // No answer, or one the proxy could not trust: the outcome is open.
        Err(e) => (RefundState::Refunding, None, Some(e.code.to_owned())),
    };
    let stored = shared.store.update_refund(gw, &body.refund_no, &refund_state, refund_id.as_deref(), raw.as_deref(), now_ms()).await?;
    refund_learned(shared, &stored, record).await?;
    Ok(refund_json(&stored))
}

/// How a gateway's refund state is kept: only success and failure are final.
fn stored_state(state: GatewayRefundState) -> RefundState {
    match state {
        GatewayRefundState::Succeeded => RefundState::Succeeded,
        GatewayRefundState::Failed => RefundState::Failed,
        GatewayRefundState::Processing | GatewayRefundState::Unknown => RefundState::Refunding,
    }
}

/// Records `refund.succeeded` / `refund.failed` for a refund that reached
/// a final state (once per refund number: the dedupe key), with the
/// refund's amount and the order's state (`refunded` once nothing is left).
async fn refund_learned(shared: &Shared, r: &RefundRecord, paid: i64) -> Result<(), StoreError> {
    let kind = match r.state {
        RefundState::Succeeded => EventKind::RefundSucceeded,
        RefundState::Failed => EventKind::RefundFailed,
        _ => return Ok(()),
    };
    let refunded: i64 = shared.store.order_refunds(r.gateway, &r.out_trade_no).await?.iter().filter(|x| x.state == RefundState::Succeeded).map(|x| x.amount).sum();
    let event = NewEvent {
        kind,
        gateway: r.gateway,
        out_trade_no: r.out_trade_no.clone(),
        state: if refunded >= paid { PayState::Refunded } else { PayState::Succeeded },
        amount: Some(r.amount),
        gateway_amount: None,
        transaction_id: None,
        refund_no: Some(r.refund_no.clone()),
    };
    super::super::events::record(shared, &event, "refund").await
}

/// `GET /back-office/{gateway}/refunds/{refundNo}?outTradeNo=…[&channel=&mode=]`.
/// The stored refund; a `refunding` one is first refreshed from the
/// gateway's refund query (best effort: a failed query answers the stored row).
async fn refresh_refund(state: &ProxyState, gw: &str, no: &str, query: Option<&str>) -> Result<serde_json::Value, ProxyError> {
    let shared = &state.0;
    let gw = gateway(shared, gw)?;
    check_refund_no(no)?;
    let pairs = form_decode(query.unwrap_or(""));
    let unknown = || ProxyError::new(StatusCode::NOT_FOUND, "unknown_refund", "no refund with this number for this order");
    let stored = shared.store.refund(gw, no).await?.ok_or_else(unknown)?;
    if param(&pairs, "outTradeNo").is_some_and(|o| o != stored.out_trade_no) {
        return Err(unknown());
    }
    if stored.state != RefundState::Refunding {
        return Ok(refund_json(&stored));
    }
    let proto = refunds(gw).map_err(unbuildable)?;
    let order = order_ref(&stored.out_trade_no, param(&pairs, "channel"), param(&pairs, "mode"))?;
    let request = proto.refund_query_request(&order, Some(no)).map_err(unbuildable)?;
    let found = match state.exchange(&request, |v| proto.parse_refund_query(v)).await {
        Ok(list) => {
            let mine = list.iter().position(|r| r.refund_no.as_deref() == Some(no) || (r.refund_id.is_some() && r.refund_id == stored.gateway_refund_id));
            mine.or((list.len() == 1).then_some(0)).and_then(|i| list.into_iter().nth(i))
        }
        Err(e) => {
            tracing::warn!(gateway = gw.as_str(), refund_no = no, error = e.code, "back_office_refund_refresh_failed");
            None
        }
    };
    let Some(found) = found.filter(|r| stored_state(r.state) != RefundState::Refunding) else { return Ok(refund_json(&stored)) };
    let updated = shared.store.update_refund(gw, no, &stored_state(found.state), found.refund_id.as_deref(), Some(&found.gateway_state), now_ms()).await?;
    let paid = record_amount(shared, &stored.out_trade_no).await?.unwrap_or(i64::MAX);
    refund_learned(shared, &updated, paid).await?;
    Ok(refund_json(&updated))
}

/// `GET /back-office/events?after=<id>&limit=N`.
async fn event_page(state: &ProxyState, query: Option<&str>) -> Result<serde_json::Value, ProxyError> {
    let pairs = form_decode(query.unwrap_or(""));
    let limit = match param(&pairs, "limit") {
        None => DEFAULT_EVENTS,
        Some(l) => l
            .parse()
            .ok()
            .filter(|n| (1..=MAX_EVENTS).contains(n))
            .ok_or_else(|| ProxyError::new(StatusCode::BAD_REQUEST, "invalid_limit", format!("limit must be 1-{MAX_EVENTS}")))?,
    };
    let after = param(&pairs, "after");
    let page = state.0.store.events_after(after, limit).await.map_err(|e| match e {
        StoreError::UnknownCursor => ProxyError::new(StatusCode::BAD_REQUEST, "unknown_cursor", "after names no event in the log"),
        other => ProxyError::from(other),
    })?;
    let next = page.last().map(|e| e.id.clone()).or_else(|| after.map(str::to_owned));
    Ok(serde_json::json!({ "events": page.iter().map(event_json).collect::<Vec<_>>(), "next": next }))
}

/// One event of the log: the body the merchant receives
/// ([`payload::body`]) plus its delivery state.
fn event_json(e: &Event) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_slice(&payload::body(e)).unwrap_or_default();
    if let Some(members) = value.as_object_mut() {
        members.insert("delivery".to_owned(), e.delivery.as_str().into());
        members.insert("attempts".to_owned(), e.attempts.into());
        members.insert("lastError".to_owned(), e.last_error.clone().into());
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_compare_whole() {
        let token = "0123456789abcdef0123";
        let headers = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
            h
        };
        assert!(authorized(token, &headers("Bearer 0123456789abcdef0123")));
        for wrong in ["Bearer 0123456789abcdef012", "Bearer 0123456789abcdef01234", "bearer 0123456789abcdef0123", "0123456789abcdef0123", "Bearer "] {
            assert!(!authorized(token, &headers(wrong)), "{wrong}");
        }
        assert!(!authorized(token, &HeaderMap::new()));
    }
}
