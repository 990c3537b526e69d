//! The control API: payer actions on orders (what a person does in the
//! wallet), order diagnostics, fault rules and notification deliveries.
//! Answers are neutral JSON (`serde_json`), not any gateway's format.

use super::clock::now_ms;
use super::faults::FaultRule;
use super::http::neutral;
use super::log;
use super::notify::state_name;
use super::state::SandboxState;
use super::store::{Order, PayerAction};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use paybridge::model::Gateway;
use serde_json::{json, Value};

/// An order as the control API shows it.
pub fn order_json(order: &Order) -> Value {
    let mut v = json!({
        "gateway": order.gateway.as_str(),
        "out_trade_no": order.out_trade_no,
        "gateway_order_id": order.gateway_order_id,
        "transaction_id": order.transaction_id,
        "amount": order.amount,
        "mode": order.mode.as_str(),
        "channel": order.channel.as_str(),
        "state": state_name(order.state),
        "created_ms": order.created_ms,
        "expires_ms": order.expires_ms,
        "settle_at_ms": order.settle_at_ms,
        "notify_url": order.notify_url,
        "refunds": order.refunds.iter().map(|r| json!({"refund_no": r.refund_no, "refund_id": r.refund_id, "amount": r.amount, "created_ms": r.created_ms})).collect::<Vec<_>>(),
    });
    super::sandbox_gateway(order.gateway).describe(order, &mut v);
    v
}

fn no_such_gateway() -> Response {
    neutral(StatusCode::NOT_FOUND, "not_found", "no such sandbox gateway")
}

/// `POST /{gateway}/_control/orders/{out_trade_no}/{action}`: applies a payer
/// action; `{ok, state, order}`, 404 for an unknown order or action, 409
/// when the order is already final. Notifies the new state.
pub async fn act(State(state): State<SandboxState>, Path((gateway, no, action)): Path<(String, String, String)>) -> Response {
    let Some(gw) = Gateway::parse(&gateway) else { return no_such_gateway() };
    let now = now_ms();
    let Some(action) = PayerAction::parse(&action) else {
        return neutral(StatusCode::NOT_FOUND, "unknown_action", "action must be pay, cancel, fail or expire (HiPOS's POS: /hipos/_control/pos/{scan|pair})");
    };
    let mut outcome = Ok(());
    let Some(order) = state.store().update(gw, &no, now, |o| outcome = o.apply(action, now)) else {
        return neutral(StatusCode::NOT_FOUND, "unknown_order", "no such order");
    };
    log::event("sandbox.control", &[("gateway", json!(gw.as_str())), ("out_trade_no", json!(no)), ("state", json!(state_name(order.state))), ("ok", json!(outcome.is_ok()))]);
    match outcome {
        Ok(()) => {
            state.notify_if_new(&order);
            Json(json!({ "ok": true, "state": state_name(order.state), "order": order_json(&order) })).into_response()
        }
        Err(why) => (StatusCode::CONFLICT, Json(json!({ "ok": false, "state": state_name(order.state), "error": why }))).into_response(),
    }
}

/// `GET /{gateway}/_control/orders/{out_trade_no}`: one order, or 404.
pub async fn get_order(State(state): State<SandboxState>, Path((gateway, no)): Path<(String, String)>) -> Response {
    let Some(gw) = Gateway::parse(&gateway) else { return no_such_gateway() };
    match state.store().get(gw, &no, now_ms()) {
        Some(order) => Json(order_json(&order)).into_response(),
        None => neutral(StatusCode::NOT_FOUND, "unknown_order", "no such order"),
    }
}

/// `GET /_control/orders`: every order, oldest first.
pub async fn list_orders(State(state): State<SandboxState>) -> Json<Value> {
    let now = now_ms();
    let mut orders: Vec<Order> = state.store().all().into_iter().filter_map(|o| state.store().get(o.gateway, &o.out_trade_no, now)).collect();
    orders.sort_by(|a, b| (a.created_ms, &a.out_trade_no).cmp(&(b.created_ms, &b.out_trade_no)));
    Json(Value::Array(orders.iter().map(order_json).collect()))
}

/// `GET /_control/faults`: the active rules.
pub async fn list_faults(State(state): State<SandboxState>) -> Json<Value> {
    Json(json!(state.inner.faults.list()))
}

/// `POST /_control/faults`: adds a rule or a list of rules (400 names the
/// first wrong value; then nothing is added).
pub async fn add_faults(State(state): State<SandboxState>, body: axum::body::Bytes) -> Response {
    let rules: Result<Vec<FaultRule>, _> = match serde_json::from_slice::<Value>(&body) {
        Ok(v @ Value::Array(_)) => serde_json::from_value(v),
        Ok(v) => serde_json::from_value(v).map(|r| vec![r]),
        Err(e) => Err(e),
    };
    let added = rules.map_err(|e| e.to_string()).and_then(|rules| state.inner.faults.add(rules));
    match added {
        Ok(()) => Json(json!({ "ok": true, "rules": state.inner.faults.list() })).into_response(),
        Err(why) => neutral(StatusCode::BAD_REQUEST, "bad_fault_rule", &why),
    }
}

/// `DELETE /_control/faults`: removes every rule.
pub async fn clear_faults(State(state): State<SandboxState>) -> Json<Value> {
    state.inner.faults.clear();
    Json(json!({ "ok": true, "rules": [] }))
}

/// `GET /_control/notifications`: every notification delivery.
pub async fn list_notifications(State(state): State<SandboxState>) -> Json<Value> {
    Json(json!(state.inner.deliveries.all()))
}
