//! `POST /notify/{gateway}`: a gateway's asynchronous payment notification.
//! It is verified with the gateway's own rules (a bad one gets 400 and the
//! gateway's failure word, and nothing is recorded); a terminal state
//! becomes an event with the amount from the merchant's order record; the
//! notification (de-duplicated by its key) and its event are committed to
//! the store in one transaction (which wakes the order's long-polls on
//! every instance), and only then is it acknowledged the way the gateway
//! expects. One older than the configured window (a replay) is refused
//! like a bad one. An order source or store failure answers the
//! gateway's failure word with a 5xx, so the gateway sends it again.

use super::{events, now_ms, security, ProxyState, Shared};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paybridge::gateway::wire::{GatewayWire, Notification, WireRequest};
use paybridge::gateway::{wire, HttpMethod};
use paybridge::model::Gateway;

/// The handler.
pub async fn notify(State(state): State<ProxyState>, Path(gateway): Path<String>, request: Request) -> Response {
    let Some(gw) = Gateway::parse(&gateway).filter(|g| state.0.config.gateway(*g).is_some()) else {
        return super::error::ProxyError::new(StatusCode::NOT_FOUND, "unknown_gateway", format!("this proxy does not serve gateway {gateway:?}")).into_response();
    };
    let Ok(codec) = wire(gw) else {
        return super::error::ProxyError::new(StatusCode::NOT_FOUND, "unknown_gateway", format!("this build has no gateway {gateway:?}")).into_response();
    };
    let (status, body, event) = handle(&state.0, gw, codec, request).await;
    state.0.metrics.notification(gw.as_str(), status.as_u16());
    tracing::info!(gateway, status = status.as_u16(), outcome = event.outcome, order = event.order.as_deref(), "notification");
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(codec.notification_content_type()));
    response
}

/// What a notification log line says.
struct Event {
    outcome: &'static str,
    order: Option<String>,
}

impl Event {
    fn of(outcome: &'static str) -> Event {
        Event { outcome, order: None }
    }
}

async fn handle(shared: &Shared, gw: Gateway, codec: &dyn GatewayWire, request: Request) -> (StatusCode, String, Event) {
    let failure_body = || codec.notification_refusal().to_owned();
    let refuse = |status: StatusCode, outcome: &'static str| (status, failure_body(), Event::of(outcome));
    let Some(config) = shared.config.gateway(gw) else {
        return refuse(StatusCode::NOT_FOUND, "not_configured");
    };
    let path_and_query = request.uri().path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let headers: Vec<(String, String)> = request.headers().iter().filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned()))).collect();
    let Ok(body) = axum::body::to_bytes(request.into_body(), shared.config.max_body_bytes).await else {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    };
    let wire_request = WireRequest { http: HttpMethod::Post, path_and_query, headers, body: body.to_vec() };
    let mut secrets = config.secrets.clone();
    if let Some(tokens) = codec.access_token() {
        match shared.tokens.current(shared).await {
            Ok(token) => secrets.0.push(("token".to_owned(), token.token)),
            Err(_) => return refuse(StatusCode::SERVICE_UNAVAILABLE, "no_token"),
        }
        if let Some(confirmed) = tokens.token_callback(&wire_request, &secrets, now_ms()) {
            return match confirmed {
                Ok(()) => (StatusCode::OK, codec.notification_ack().to_owned(), Event::of("token_confirmed")),
                Err(_) => refuse(StatusCode::BAD_REQUEST, "bad_signature"),
            };
        }
    }
    let notification = match codec.decode_notification(&wire_request, &secrets, now_ms()) {
        Ok(n) => n,
        Err(e) if e.code == paybridge::error::ErrorCode::ProxyError => return refuse(StatusCode::INTERNAL_SERVER_ERROR, "misconfigured"),
        Err(_) => return refuse(StatusCode::BAD_REQUEST, "bad_signature"),
    };
    // Replays: refused beyond the window, by the gateway's own timestamp where it sends one.
    let sent_ms = codec.notification_time().and_then(|at| security::notification_time_ms(at, &wire_request, &notification));
    if !security::within_window(sent_ms, now_ms(), shared.config.security.notification_window) {
        return refuse(StatusCode::BAD_REQUEST, "too_old");
    }
    let order = notification.out_trade_no.clone();
    let logged = |outcome| Event { outcome, order: Some(order.clone()) };
    // The event needs the order record's amount; without it nothing is acknowledged, so the gateway retries.
    let event = match events::kind_for(notification.status.state) {
        None => None,
        Some(_) => match shared.orders.lookup(&order).await {
            Ok(Some(record)) => events::new_event(gw, &record, &notification.status),
            Ok(None) => return (StatusCode::INTERNAL_SERVER_ERROR, failure_body(), logged("unknown_order")),
            Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, failure_body(), logged("order_source_unavailable")),
        },
    };
    let key = notification_key(&notification);
    match shared.store.record_notification(gw, &key, event.as_ref(), now_ms()).await {
        Ok(new) => {
            shared.events.remember(gw, &order, &notification.status);
            if let (true, Some(event)) = (new, &event) {
                shared.events.announce(event, "notification");
            }
            if new && event.is_none() {
                // No event announces this change (e.g. HiPOS paid, not picked up yet): wake the long-polls.
                if let Err(e) = shared.store.announce_change(gw, &order).await {
                    tracing::warn!(gateway = gw.as_str(), order = order.as_str(), error = %e, "order change not announced");
                }
            }
            (StatusCode::OK, codec.notification_ack().to_owned(), logged(if new { "accepted" } else { "duplicate" }))
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, failure_body(), logged("store_unavailable")),
    }
}

/// The key a notification is de-duplicated by, per gateway: order,
/// transaction and the gateway's reported state.
fn notification_key(n: &Notification) -> String {
    format!("{}/{}/{}", n.out_trade_no, n.status.transaction_id.as_deref().unwrap_or_default(), n.status.gateway_state)
}
