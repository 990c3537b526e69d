//! The demo merchant back end: creates orders with server-side amounts and
//! learns of payments from the proxy's verified notifications.
//!
//! `POST /shop/orders {"amount": fen, "subject": "..."}` →
//! `{"out_trade_no": "...", "amount": fen}`; `GET /shop/orders/{no}` →
//! the record and whether a verified notification said it was paid.
//!
//! `GET /shop/hipos/device-code[?store=ID]` → `{"store_id", "auth_code",
//! "expires_at"}` (Unix ms): a HiPOS device-authorisation code for the
//! store's "add POS" QR. A back-office call, never the payer's (the proxy
//! refuses it from browsers): the shop signs it itself with the merchant's
//! HiPOS credentials (token, then `…/stores/{storeId}/authcode`).

use crate::orders::{OrderRecord, OrderSource};
use crate::proxy::GatewayConfig;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use paybridge::gateway::hipos::{device_authcode_request, parse_device_authcode, parse_token, token_request, HiPosToken};
use paybridge::gateway::{protocol, wire, GatewayRequest, HttpMethod};
use paybridge::model::{Gateway, NextAction, PayState};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Largest amount the demo shop accepts (¥1,000,000.00 in fen).
pub const MAX_AMOUNT: i64 = 100_000_000;

/// The store whose device code `GET /shop/hipos/device-code` asks for by default.
pub const DEMO_STORE_ID: &str = "store01";

/// How long the shop waits for HiPOS.
const HIPOS_TIMEOUT: Duration = Duration::from_secs(10);

/// The shop's state: the order source the proxy reads, what the proxy's
/// notifications reported per order, and optionally a HiPOS back office.
#[derive(Clone)]
pub struct Shop {
    orders: OrderSource,
    paid: Arc<Mutex<HashMap<String, PayState>>>,
    seq: Arc<AtomicU32>,
    hipos: Option<Arc<HiPosBackOffice>>,
}

/// The shop's own HiPOS client for back-office calls. Its token is fetched
/// once and kept until HiPOS refuses it: the sandbox, like HiPOS, sends
/// notifications with the newest token, so a fresh one per call would stop
/// the proxy's notifications verifying until the proxy's own token renews.
struct HiPosBackOffice {
    config: GatewayConfig,
    notify_url: String,
    client: reqwest::Client,
    token: tokio::sync::Mutex<Option<HiPosToken>>,
}

impl Shop {
    /// A shop writing its orders into `orders` (an in-memory source).
    pub fn new(orders: OrderSource) -> Shop {
        Shop { orders, paid: Arc::default(), seq: Arc::default(), hipos: None }
    }

    /// Gives the shop a HiPOS back office: `config` holds the merchant's
    /// HiPOS upstream and credentials, `notify_url` goes with the token call.
    pub fn with_hipos(self, config: GatewayConfig, notify_url: String) -> Shop {
        let back_office = HiPosBackOffice { config, notify_url, client: reqwest::Client::new(), token: tokio::sync::Mutex::default() };
        Shop { hipos: Some(Arc::new(back_office)), ..self }
    }

    /// Records what a verified notification said about an order.
    pub fn record_notification(&self, out_trade_no: &str, state: PayState) {
        self.paid.lock().unwrap_or_else(|e| e.into_inner()).insert(out_trade_no.to_owned(), state);
    }

    /// A fresh order number: `PB`, Unix milliseconds and a sequence number —
    /// letters and digits only, 21 characters, accepted by every gateway.
    fn next_order_number(&self) -> String {
        let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
        format!("PB{ms}{:06}", self.seq.fetch_add(1, Ordering::Relaxed) % 1_000_000)
    }
}

/// The shop's routes, to be mounted at `/shop`.
pub fn router(shop: Shop) -> Router {
    Router::new().route("/orders", post(create_order)).route("/orders/{no}", get(get_order)).route("/hipos/device-code", get(device_code)).with_state(shop)
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
    let out_trade_no = shop.next_order_number();
    shop.orders.insert(OrderRecord { out_trade_no: out_trade_no.clone(), amount, subject: subject.clone() });
    (StatusCode::CREATED, Json(json!({ "out_trade_no": out_trade_no, "amount": amount, "subject": subject }))).into_response()
}

async fn get_order(State(shop): State<Shop>, Path(no): Path<String>) -> Response {
    match shop.orders.lookup(&no).await {
        Ok(Some(r)) => {
            let notified = shop.paid.lock().unwrap_or_else(|e| e.into_inner()).get(&no).map(|s| s.as_str());
            Json(json!({ "out_trade_no": r.out_trade_no, "amount": r.amount, "subject": r.subject, "notified": notified })).into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, "no such order"),
        Err(e) => error(StatusCode::BAD_GATEWAY, &e),
    }
}

async fn device_code(State(shop): State<Shop>, Query(query): Query<HashMap<String, String>>) -> Response {
    let Some(hipos) = shop.hipos.as_deref() else {
        return error(StatusCode::NOT_FOUND, "this shop has no HiPOS back office");
    };
    let store = query.get("store").map_or(DEMO_STORE_ID, String::as_str);
    if !(1..=32).contains(&store.len()) || !store.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return error(StatusCode::BAD_REQUEST, "store must be 1-32 letters or digits");
    }
    hipos.device_code(store).await.map_or_else(|e| e, |body| Json(body).into_response())
}

fn bad_gateway(e: impl std::fmt::Display) -> Response {
    error(StatusCode::BAD_GATEWAY, &format!("HiPOS back-office call failed: {e}"))
}

impl HiPosBackOffice {
    /// The store's device-authorisation code, fetching a token first when
    /// there is none or HiPOS refused the kept one (6001).
    async fn device_code(&self, store: &str) -> Result<Value, Response> {
        let mut kept = self.token.lock().await;
        for _ in 0..2 {
            let token = match kept.take() {
                Some(token) => token,
                None => parse_token(&self.call(&token_request(&self.notify_url), None).await?).map_err(bad_gateway)?,
            };
            let request = device_authcode_request(&token.merchant_id, store).map_err(bad_gateway)?;
            let answer = parse_device_authcode(&self.call(&request, Some(&token.token)).await?);
            if answer.as_ref().is_err_and(|e| e.gateway_code.as_deref() == Some("6001")) {
                continue;
            }
            *kept = Some(token);
            return match answer.map_err(bad_gateway)? {
                NextAction::Qr { content, expires_at } => Ok(json!({ "store_id": store, "auth_code": content, "expires_at": expires_at })),
                _ => Err(bad_gateway("no device code in the answer")),
            };
        }
        Err(bad_gateway("HiPOS refused a freshly fetched token"))
    }

    /// Encodes `request` the HiPOS way (with `token` as the bearer), sends
    /// it and reads the JSON answer, whatever its HTTP status.
    async fn call(&self, request: &GatewayRequest, token: Option<&str>) -> Result<paybridge::json::Value, Response> {
        let endpoint = protocol(Gateway::HiPos).ok().and_then(|p| p.endpoint(&request.path, None)).ok_or_else(|| bad_gateway("no such endpoint"))?;
        let mut secrets = self.config.secrets.clone();
        secrets.0.extend(token.map(|t| ("token".to_owned(), t.to_owned())));
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let signed = wire(Gateway::HiPos).and_then(|w| w.encode_request(endpoint, &request.path, &request.params, &secrets, now)).map_err(bad_gateway)?;
        let method = match signed.http {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
        };
        let url = format!("{}{}", self.config.base_url.trim_end_matches('/'), signed.path_and_query);
        let mut builder = self.client.request(method, url).timeout(HIPOS_TIMEOUT).body(signed.body);
        for (name, value) in &signed.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let text = builder.send().await.map_err(|_| bad_gateway("HiPOS unreachable"))?.text().await.map_err(|_| bad_gateway("unreadable answer"))?;
        paybridge::json::parse(&text).map_err(|_| bad_gateway("the answer is not JSON"))
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
}
