//! The sandbox plays HiPOS cloud and the store's POS for the two scenarios
//! that run through the merchant (seed 000 L14-L20), calling the merchant's
//! application-side interfaces (`paybridge::gateway::hipos::app`) signed
//! with the newest token it issued, at the `notify_url` of that token call:
//!
//! - `POST /hipos/_control/pos/scan {"pickup_code", "device_id"?}` — the
//!   clerk scans the customer's pickup code (扫码提货, L20): the sandbox asks
//!   the merchant for the order (获取订单状态); when it is `UNPAID` the POS
//!   takes the payment offline (线下付款: a paid trade in the sandbox's
//!   book, which the trade reports list); then it confirms the pickup
//!   (确认提货) with that payment. A trade already taken for the order is
//!   reused, never taken twice.
//! - `POST /hipos/_control/pos/pair {"auth_code", "device_id"?}` — a POS
//!   enters a device code the merchant asked for (门店增加POS机, L16): the
//!   sandbox checks the code (issued, not expired, not used) and sends
//!   `[回调]设备授权成功通知` (L130).
//!
//! Answers are neutral JSON: `{"ok", "steps": [...]}`, each step the
//! interface called, the HTTP status and the merchant's answer.

use super::registry::Registry;
use crate::sandbox::clock::now_ms;
use crate::sandbox::http::neutral;
use crate::sandbox::log;
use crate::sandbox::state::SandboxState;
use crate::sandbox::store::{Order, OrderState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use paybridge::gateway::hipos::app::{sign_call, DeviceAuthorised, OfflinePayment, OrderQuery, PickupConfirm, DEVICE_INTERFACE, ORDER_INTERFACE, PICKUP_INTERFACE};
use paybridge::gateway::hipos::{read_envelope, O2oOrderState};
use paybridge::gateway::CreateParams;
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode};
use serde_json::json;

/// The POS the controls play when none is named.
pub const DEFAULT_DEVICE: &str = "sandbox-pos";

/// `POST /hipos/_control/pos/{scan|pair}`.
pub async fn control(State(state): State<SandboxState>, Path(action): Path<String>, body: axum::body::Bytes) -> Response {
    let Ok(serde_json::Value::Object(req)) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return neutral(StatusCode::BAD_REQUEST, "bad_request", "the body must be a JSON object");
    };
    let text = |k: &str| req.get(k).and_then(serde_json::Value::as_str).filter(|v| !v.is_empty()).map(str::to_owned);
    let device = text("device_id").unwrap_or_else(|| DEFAULT_DEVICE.to_owned());
    let Some((url, token)) = state.inner.hipos.callback().zip(state.tokens().latest(Gateway::HiPos)) else {
        return neutral(StatusCode::CONFLICT, "no_application", "no application holds a HiPOS token yet (the merchant has not asked for one)");
    };
    let mut pos = Pos { state: &state, url, token, steps: Vec::new() };
    let outcome = match (action.as_str(), text("pickup_code"), text("auth_code")) {
        ("scan", Some(code), _) => pos.scan(&code, &device).await,
        ("pair", _, Some(code)) => pos.pair(&code, &device).await,
        ("scan", ..) => Err((StatusCode::BAD_REQUEST, "pickup_code is required".to_owned())),
        ("pair", ..) => Err((StatusCode::BAD_REQUEST, "auth_code is required".to_owned())),
        _ => Err((StatusCode::NOT_FOUND, "action must be scan or pair".to_owned())),
    };
    log::event("sandbox.pos", &[("action", json!(action)), ("ok", json!(outcome.is_ok())), ("steps", json!(pos.steps.len()))]);
    match outcome {
        Ok(extra) => Json(json!({ "ok": true, "steps": pos.steps, "result": extra })).into_response(),
        Err((status, why)) => (status, Json(json!({ "ok": false, "error": why, "steps": pos.steps }))).into_response(),
    }
}

type Outcome = Result<serde_json::Value, (StatusCode, String)>;

struct Pos<'a> {
    state: &'a SandboxState,
    url: String,
    token: String,
    steps: Vec<serde_json::Value>,
}

impl Pos<'_> {
    /// One signed call; the merchant's answer as our JSON value, recorded as a step.
    async fn call(&mut self, interface: &str, body: &Value) -> Result<Value, (StatusCode, String)> {
        let request = sign_call(&self.url, interface, body, &self.token, now_ms());
        let mut builder = self.state.inner.client.post(&request.path_and_query).body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let unreachable = |e: reqwest::Error| (StatusCode::BAD_GATEWAY, format!("the merchant's {interface} interface did not answer: {e}"));
        let response = builder.send().await.map_err(unreachable)?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(unreachable)?;
        self.steps.push(json!({ "interface": interface, "status": status, "answer": serde_json::from_str::<serde_json::Value>(&text).unwrap_or(json!(text)) }));
        paybridge::json::parse(&text).map_err(|_| (StatusCode::BAD_GATEWAY, format!("the merchant's {interface} answer is not JSON")))
    }

    async fn scan(&mut self, code: &str, device: &str) -> Outcome {
        let detail = self.call(ORDER_INTERFACE, &OrderQuery { pickup_code: code.to_owned(), device_id: Some(device.to_owned()) }.to_value()).await?;
        let order = read_envelope(&detail).map_err(|e| (StatusCode::CONFLICT, format!("the merchant refused the order query: {e}")))?;
        let (Some(no), Some(amount)) = (order.text("out_order_no"), order.int("amount")) else {
            return Err((StatusCode::BAD_GATEWAY, "the merchant's order answer has no out_order_no or amount".to_owned()));
        };
        let status = O2oOrderState::parse(order.text("status").unwrap_or_default());
        let offline = match status {
            O2oOrderState::Unpaid => Some(self.take_payment(no, amount, device)),
            O2oOrderState::Paid => None,
            other => return Err((StatusCode::CONFLICT, format!("the order is {}: nothing to hand over", other.as_str()))),
        };
        let confirm = PickupConfirm { out_order_no: no.to_owned(), pickup_code: code.to_owned(), device_id: Some(device.to_owned()), offline: offline.clone() };
        let answer = self.call(PICKUP_INTERFACE, &confirm.to_value()).await?;
        read_envelope(&answer).map_err(|e| (StatusCode::CONFLICT, format!("the merchant refused the pickup: {e}")))?;
        self.state.store().update(Gateway::HiPos, no, now_ms(), |o| o.params.push((PICKED_UP.to_owned(), now_ms().to_string())));
        Ok(json!({ "out_order_no": no, "paid_offline": offline.is_some(), "trade_no": offline.map(|p| p.trade_no), "amount": amount }))
    }

    /// 线下付款: the POS's trade for the order (the one already taken, if any).
    fn take_payment(&self, no: &str, amount: i64, device: &str) -> OfflinePayment {
        let store = self.state.store();
        let now = now_ms();
        if let Some(trade) = store.get(Gateway::HiPos, no, now).filter(|o| o.state == OrderState::Paid) {
            return OfflinePayment { trade_no: trade.transaction_id.unwrap_or_default(), amount: trade.amount };
        }
        let mut trade = Order::new(Gateway::HiPos, &CreateParams::new(Mode::Counter, Channel::Any, no), amount, now, i64::MAX / 4);
        let trade_no = format!("HP{now}{:04}", now.rem_euclid(10_000));
        trade.state = OrderState::Paid;
        trade.transaction_id = Some(trade_no.clone());
        trade.params.push(("device_id".to_owned(), device.to_owned()));
        store.insert(trade);
        OfflinePayment { trade_no, amount }
    }

    async fn pair(&mut self, code: &str, device: &str) -> Outcome {
        let registry: &Registry = &self.state.inner.hipos;
        let store_id = registry.check_device_code(code, now_ms()).map_err(|why| (StatusCode::CONFLICT, why.to_owned()))?;
        let body = DeviceAuthorised { auth_code: code.to_owned(), store_id: store_id.clone(), device_id: device.to_owned() }.to_value();
        let answer = self.call(DEVICE_INTERFACE, &body).await?;
        read_envelope(&answer).map_err(|e| (StatusCode::CONFLICT, format!("the merchant refused the pairing: {e}")))?;
        self.state.inner.hipos.mark_paired(code, device);
        Ok(json!({ "auth_code": code, "store_id": store_id, "device_id": device }))
    }
}

/// The trade parameter marking a handed-over order.
pub const PICKED_UP: &str = "picked_up";
