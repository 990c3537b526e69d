//! The demo merchant back end: creates orders with server-side amounts and
//! learns of payments from the proxy's signed payment events, over HTTP as
//! a merchant's back end does (`docs/events.md`).
//!
//! `POST /shop/orders {"amount": fen, "subject": "..."}` →
//! `{"out_trade_no": "...", "amount": fen, "clientSecret": "..."}` (the
//! page hands the secret to `Checkout`; the shop never shows it again);
//! `GET /shop/orders/{no}` → the record without its secret and, as
//! `notified`, the state its events reported.
//!
//! `POST /shop/events`: the proxy's `[merchant] events_url` in the demo.
//! The `Paybridge-Signature` is checked with [`DEMO_EVENTS_SECRET`]; events
//! are de-duplicated by id, and a late event never takes an order back
//! (a `payment.closed` arriving after `payment.succeeded` is ignored).
//!
//! `GET /shop/hipos/device-code[?store=ID]` → `{"store_id", "auth_code",
//! "expires_at"}` (Unix ms): a HiPOS device-authorisation code for the
//! store's "add POS" QR. `GET /shop/hipos/device-code/{code}[?wait=N]` →
//! `{"auth_code", "status": "waiting"|"paired", "device_id", "notified"}`:
//! whether HiPOS reported the pairing (门店增加POS机: the shop waits for the
//! callback), held up to N seconds; `notified` says the shop also received
//! its `device.authorised` event. A back-office call, never the payer's (the proxy
//! refuses it from browsers): the shop sends it through the proxy's
//! server-side entry point, [`ProxyState::back_office`], with the proxy's
//! own HiPOS token. A token of its own would break the proxy's HiPOS
//! notifications: HiPOS signs them with the newest token it issued.

use crate::orders::{OrderRecord, OrderSource};
use crate::proxy::events::signature;
use crate::proxy::{ProxyError, ProxyState};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use paybridge::error::PayError;
use paybridge::gateway::hipos::{device_authcode_request, parse_device_authcode};
use paybridge::model::NextAction;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Largest amount the demo shop accepts (¥1,000,000.00 in fen).
pub const MAX_AMOUNT: i64 = 100_000_000;

/// The events secret the demo proxy signs with and the demo shop checks: a
/// demo fixture known to everyone, not a credential. A merchant's lives in
/// their secret store (`[merchant] events_secret = { env = … }`).
pub const DEMO_EVENTS_SECRET: &str = "demo-events-secret-not-a-credential";

/// The store whose device code `GET /shop/hipos/device-code` asks for by default.
pub const DEMO_STORE_ID: &str = "store01";

/// The shop's state: the order source the proxy reads, what the proxy's
/// events reported per order, and optionally the proxy its back-office
/// calls go through.
#[derive(Clone)]
pub struct Shop {
    orders: OrderSource,
    notified: Arc<Mutex<Notified>>,
    seq: Arc<AtomicU32>,
    proxy: Option<ProxyState>,
}

impl Shop {
    /// A shop writing its orders into `orders` (an in-memory source).
    pub fn new(orders: OrderSource) -> Shop {
        Shop { orders, notified: Arc::default(), seq: Arc::default(), proxy: None }
    }

    /// Sends the shop's back-office calls through `proxy`
    /// ([`ProxyState::back_office`]), so they share its HiPOS token.
    pub fn with_proxy(self, proxy: ProxyState) -> Shop {
        Shop { proxy: Some(proxy), ..self }
    }

    /// A fresh order number: `PB`, Unix milliseconds and a sequence number —
    /// letters and digits only, 21 characters, accepted by every gateway.
    fn next_order_number(&self) -> String {
        let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
        format!("PB{ms}{:06}", self.seq.fetch_add(1, Ordering::Relaxed) % 1_000_000)
    }
}

/// Bytes of randomness in a client secret (192 bits).
const CLIENT_SECRET_BYTES: usize = 24;

/// A fresh client secret: `pcs_` and 48 hex digits from the OS's generator.
fn new_client_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; CLIENT_SECRET_BYTES];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().fold(String::from("pcs_"), |mut s, b| {
        s.push_str(&format!("{b:02x}"));
        s
    }))
}

/// The shop's routes, to be mounted at `/shop`.
pub fn router(shop: Shop) -> Router {
    Router::new()
        .route("/orders", post(create_order))
        .route("/orders/{no}", get(get_order))
        .route("/events", post(receive_event))
        .route("/hipos/device-code", get(device_code))
        .route("/hipos/device-code/{code}", get(device_status))
        .with_state(shop)
}

/// What the shop learnt from events: each order's state and event types,
/// the POS each device code paired, and the ids seen.
#[derive(Default)]
struct Notified {
    states: HashMap<String, String>,
    types: HashMap<String, Vec<String>>,
    devices: HashMap<String, String>,
    ids: HashSet<String>,
}

/// How far along an order a state is: an event never moves an order back
/// (events may arrive out of order: retries, several instances).
fn progress(state: &str) -> u8 {
    match state {
        "refunded" => 4,
        "succeeded" => 3,
        // payment.amount_mismatch: paid, but not for the order's amount.
        "unknown" => 2,
        _ => 1,
    }
}

/// `POST /shop/events`: a payment event from the proxy. 400 for a bad
/// signature or body (the proxy retries, and a forgery gets nowhere), else
/// 200 — for a repeated id too, so the proxy stops resending it.
async fn receive_event(State(shop): State<Shop>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let header = headers.get(signature::HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let now_secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    if let Err(e) = signature::verify(DEMO_EVENTS_SECRET.as_bytes(), header, &body, now_secs, signature::DEFAULT_TOLERANCE_SECS) {
        return error(StatusCode::BAD_REQUEST, &e.to_string());
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "body must be JSON");
    };
    let (Some(id), Some(kind)) = (event["id"].as_str(), event["type"].as_str()) else {
        return error(StatusCode::BAD_REQUEST, "an event has id and type");
    };
    if kind.starts_with("device.") {
        let Some(code) = event["authCode"].as_str() else { return error(StatusCode::BAD_REQUEST, "a device event has authCode") };
        let mut notified = shop.notified.lock().unwrap_or_else(|e| e.into_inner());
        if notified.ids.insert(id.to_owned()) {
            notified.devices.insert(code.to_owned(), event["deviceId"].as_str().unwrap_or_default().to_owned());
        }
        return Json(json!({ "received": id })).into_response();
    }
    let (Some(order), Some(state)) = (event["outTradeNo"].as_str(), event["state"].as_str()) else {
        return error(StatusCode::BAD_REQUEST, "an order event has outTradeNo and state");
    };
    let mut notified = shop.notified.lock().unwrap_or_else(|e| e.into_inner());
    if notified.ids.insert(id.to_owned()) {
        notified.types.entry(order.to_owned()).or_default().push(kind.to_owned());
        let current = notified.states.get(order).map_or(0, |s| progress(s));
        if progress(state) >= current {
            notified.states.insert(order.to_owned(), state.to_owned());
        }
    }
    Json(json!({ "received": id })).into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn create_order(State(shop): State<Shop>, body: axum::body::Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "body must be JSON");
    };
    let Some(amount) = req.get("amount").and_then(Value::as_i64).filter(|a| (1..=MAX_AMOUNT).contains(a)) else {
        return error(StatusCode::BAD_REQUEST, "amount must be a whole number of fen between 1 and 100000000");
    };
    let subject: String = req.get("subject").and_then(Value::as_str).unwrap_or("paybridge demo").chars().take(64).collect();
    let Ok(client_secret) = new_client_secret() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "no randomness for the client secret");
    };
    let out_trade_no = shop.next_order_number();
    shop.orders.insert(OrderRecord { out_trade_no: out_trade_no.clone(), amount, subject: subject.clone(), client_secret: Some(client_secret.clone()) });
    (StatusCode::CREATED, Json(json!({ "out_trade_no": out_trade_no, "amount": amount, "subject": subject, "clientSecret": client_secret }))).into_response()
}

async fn get_order(State(shop): State<Shop>, Path(no): Path<String>) -> Response {
    match shop.orders.lookup(&no).await {
        Ok(Some(r)) => {
            let (notified, events) = {
                let n = shop.notified.lock().unwrap_or_else(|e| e.into_inner());
                (n.states.get(&no).cloned(), n.types.get(&no).cloned().unwrap_or_default())
            };
            Json(json!({ "out_trade_no": r.out_trade_no, "amount": r.amount, "subject": r.subject, "notified": notified, "events": events })).into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, "no such order"),
        Err(e) => error(StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}

async fn device_code(State(shop): State<Shop>, Query(query): Query<HashMap<String, String>>) -> Response {
    let Some(proxy) = shop.proxy.as_ref() else {
        return error(StatusCode::NOT_FOUND, "this shop has no HiPOS back office");
    };
    let store = query.get("store").map_or(DEMO_STORE_ID, String::as_str);
    if !(1..=32).contains(&store.len()) || !store.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return error(StatusCode::BAD_REQUEST, "store must be 1-32 letters or digits");
    }
    hipos_device_code(proxy, store).await.map_or_else(|e| e, |body| Json(body).into_response())
}

/// Whether HiPOS reported `code` paired, asked of the proxy's store and held
/// up to `?wait=N` seconds (at most the proxy's long-poll limit).
async fn device_status(State(shop): State<Shop>, Path(code): Path<String>, Query(query): Query<HashMap<String, String>>) -> Response {
    let Some(proxy) = shop.proxy.as_ref() else {
        return error(StatusCode::NOT_FOUND, "this shop has no HiPOS back office");
    };
    if !(1..=64).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return error(StatusCode::BAD_REQUEST, "a device code is 1-64 letters, digits, '-' or '_'");
    }
    let wait = query.get("wait").and_then(|w| w.parse::<u64>().ok()).map_or(std::time::Duration::ZERO, std::time::Duration::from_secs);
    match proxy.hipos_device_status(&code, wait).await {
        Ok(device) => {
            let notified = shop.notified.lock().unwrap_or_else(|e| e.into_inner()).devices.contains_key(&code);
            let status = if device.is_some() { "paired" } else { "waiting" };
            Json(json!({ "auth_code": code, "status": status, "device_id": device, "notified": notified })).into_response()
        }
        Err(e) => back_office_failed(&e),
    }
}

/// A failed back-office call: 404 when the proxy does not serve HiPOS, else 502.
fn back_office_failed(e: &ProxyError) -> Response {
    if e.code == "unknown_gateway" {
        return error(StatusCode::NOT_FOUND, "this shop has no HiPOS back office");
    }
    error(StatusCode::BAD_GATEWAY, &format!("HiPOS back-office call failed: {} ({})", e.message, e.code))
}

/// The store's device-authorisation code, asked through the proxy's
/// back-office entry point (its HiPOS token and merchant id).
async fn hipos_device_code(proxy: &ProxyState, store: &str) -> Result<Value, Response> {
    let merchant_id = proxy.hipos_merchant_id().await.map_err(|e| back_office_failed(&e))?;
    let invalid = |e: PayError| error(StatusCode::BAD_GATEWAY, &format!("HiPOS back-office call failed: {e}"));
    let request = device_authcode_request(&merchant_id, store).map_err(invalid)?;
    let answer = proxy.back_office(&request).await.map_err(|e| back_office_failed(&e))?;
    match parse_device_authcode(&answer).map_err(invalid)? {
        NextAction::Qr { content, expires_at } => Ok(json!({ "store_id": store, "auth_code": content, "expires_at": expires_at })),
        _ => Err(error(StatusCode::BAD_GATEWAY, "HiPOS back-office call failed: no device code in the answer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_are_valid_and_distinct() {
        let shop = Shop::new(OrderSource::memory());
        let a = shop.next_order_number();
        let b = shop.next_order_number();
        assert_ne!(a, b);
        assert!(crate::orders::is_order_number(&a), "{a}");
    }

    async fn send(shop: &Shop, id: &str, state: &str, secret: &str) -> StatusCode {
        let body =
            format!(r#"{{"id":"{id}","type":"payment.x","gateway":"blueocean","outTradeNo":"PB00000001","state":"{state}","amount":1,"transactionId":null,"createdAt":"x"}}"#);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let mut headers = HeaderMap::new();
        headers.insert(signature::HEADER, signature::sign(secret.as_bytes(), i64::try_from(now).unwrap(), body.as_bytes()).parse().unwrap());
        receive_event(State(shop.clone()), headers, body.into()).await.status()
    }

    fn state(shop: &Shop) -> Option<String> {
        shop.notified.lock().unwrap().states.get("PB00000001").cloned()
    }

    #[tokio::test]
    async fn events_are_checked_deduplicated_and_never_move_an_order_back() {
        let shop = Shop::new(OrderSource::memory());
        assert_eq!(send(&shop, "evt_1", "succeeded", "forged").await, StatusCode::BAD_REQUEST);
        assert_eq!(state(&shop), None, "a forged event changes nothing");
        assert_eq!(send(&shop, "evt_1", "succeeded", DEMO_EVENTS_SECRET).await, StatusCode::OK);
        assert_eq!(send(&shop, "evt_1", "succeeded", DEMO_EVENTS_SECRET).await, StatusCode::OK, "a repeat is acknowledged");
        assert_eq!(send(&shop, "evt_2", "closed", DEMO_EVENTS_SECRET).await, StatusCode::OK);
        assert_eq!(state(&shop).as_deref(), Some("succeeded"), "a late closed does not undo a payment");
        assert_eq!(send(&shop, "evt_3", "refunded", DEMO_EVENTS_SECRET).await, StatusCode::OK);
        assert_eq!(state(&shop).as_deref(), Some("refunded"));
    }

    #[test]
    fn client_secrets_are_long_and_distinct() {
        let (a, b) = (new_client_secret().unwrap(), new_client_secret().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 2 * CLIENT_SECRET_BYTES);
        const { assert!(CLIENT_SECRET_BYTES * 8 >= 128) };
    }
}
