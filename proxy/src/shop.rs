//! The demo merchant back end: creates orders with server-side amounts and
//! learns of payments from the proxy's verified notifications.
//!
//! `POST /shop/orders {"amount": fen, "subject": "..."}` →
//! `{"out_trade_no": "...", "amount": fen}`; `GET /shop/orders/{no}` →
//! the record and whether a verified notification said it was paid.

use crate::orders::{OrderRecord, OrderSource};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use paybridge::model::PayState;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Largest amount the demo shop accepts (¥1,000,000.00 in fen).
pub const MAX_AMOUNT: i64 = 100_000_000;

/// The shop's state: the order source the proxy reads, and what the proxy's
/// notifications reported per order.
#[derive(Clone)]
pub struct Shop {
    orders: OrderSource,
    paid: Arc<Mutex<HashMap<String, PayState>>>,
    seq: Arc<AtomicU32>,
}

impl Shop {
    /// A shop writing its orders into `orders` (an in-memory source).
    pub fn new(orders: OrderSource) -> Shop {
        Shop { orders, paid: Arc::default(), seq: Arc::default() }
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
    Router::new().route("/orders", post(create_order)).route("/orders/{no}", get(get_order)).with_state(shop)
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
