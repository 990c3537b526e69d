//! `POST /hipos/o2o/{pickup|status}`: the O2O order's page asks the
//! merchant's proxy — not HiPOS, which hosts no order — for its pickup code
//! and its status (paths and answers ours: `paybridge::gateway::hipos`
//! [`PICKUP_PATH`](paybridge::gateway::hipos::PICKUP_PATH) /
//! [`STATUS_PATH`](paybridge::gateway::hipos::STATUS_PATH)). Same rules as
//! the forwarded calls: the order's client secret, the per-order rate limit;
//! the status takes `?wait=N` and is held until the order's events change
//! (a pickup recorded by any instance wakes it) or N elapses.

use super::status::{order_state, trade_no};
use crate::orders::OrderRecord;
use crate::proxy::longpoll::WaitOutcome;
use crate::proxy::{ProxyError, Shared};
use axum::http::{HeaderMap, StatusCode};
use paybridge::gateway::hipos::app::pickup_code;
use paybridge::gateway::hipos::{wrapper_name, O2oOrderState, PICKUP_PATH, STATUS_PATH};
use paybridge::json::Value;
use paybridge::model::Gateway;
use std::time::Duration;

/// The order a page call is about, after the client-secret and rate checks.
pub async fn authorised_order(shared: &Shared, headers: &HeaderMap, body: &Value) -> Result<OrderRecord, ProxyError> {
    let no = body.text("out_order_no").filter(|n| !n.is_empty()).ok_or_else(|| ProxyError::bad_request("out_order_no (the order reference) is required"))?;
    crate::proxy::order_access::authorised_order(shared, headers, "hipos", no).await
}

fn envelope(path: &str, fields: Vec<(&str, Value)>) -> Value {
    let mut inner = vec![("code".to_owned(), Value::int_value(0)), ("msg".to_owned(), Value::str("OK"))];
    inner.extend(fields.into_iter().map(|(k, v)| (k.to_owned(), v)));
    Value::object([(wrapper_name(path), Value::Object(inner))])
}

/// The pickup code (unless the order is already collected or refunded),
/// after making sure the proxy holds a HiPOS token: HiPOS identifies the
/// application by it (seed L31) and the POS's calls are signed with it, so
/// the application is authorised before the code can be used (业务授权,
/// L28: the token comes before any POS business).
pub async fn pickup(shared: &Shared, record: &OrderRecord) -> Result<Value, ProxyError> {
    shared.tokens.get(shared).await?;
    let secret = record
        .client_secret
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ProxyError::new(StatusCode::CONFLICT, "pickup_unavailable", "a pickup code is keyed with the order's clientSecret, and this order has none"))?;
    let events = shared.store.events_of_order(&record.out_trade_no).await?;
    let state = order_state(&events);
    let mut fields = vec![("out_order_no", Value::str(&record.out_trade_no))];
    if !matches!(state, O2oOrderState::PickedUp | O2oOrderState::Refunded) {
        fields.push(("pickup_code", Value::String(pickup_code(&record.out_trade_no, secret))));
    }
    fields.push(("status", Value::str(state.as_str())));
    fields.push(("amount", Value::int_value(record.amount)));
    if let Some(trade) = trade_no(&events) {
        fields.push(("trade_no", Value::str(trade)));
    }
    Ok(envelope(PICKUP_PATH, fields))
}

/// The order's status, held up to `wait` while it is open (unpaid or paid,
/// not collected); the outcome for `X-Paybridge-Wait` when it was asked to wait.
pub async fn status(shared: &Shared, record: &OrderRecord, wait: Option<Duration>) -> Result<(Value, Option<WaitOutcome>), ProxyError> {
    let no = record.out_trade_no.as_str();
    let wait = wait.filter(|w| !w.is_zero()).map(|w| w.min(shared.config.long_poll_max_wait));
    // Subscribed before the first read: a pickup committed in between still wakes it.
    let mut subscription =
        match wait {
            Some(_) => Some(shared.waiters.subscribe(Gateway::HiPos, no).ok_or_else(|| {
                ProxyError::new(StatusCode::SERVICE_UNAVAILABLE, "too_many_waiters", "too many long-polls are held; retry, or query without wait").retry_after(2)
            })?),
            None => None,
        };
    let mut events = shared.store.events_of_order(no).await?;
    let first = order_state(&events);
    let mut outcome = None;
    if let (Some(sub), Some(wait)) = (subscription.as_mut(), wait) {
        outcome = Some(WaitOutcome::Settled);
        if matches!(first, O2oOrderState::Unpaid | O2oOrderState::Paid) {
            let until = tokio::time::Instant::now() + wait;
            outcome = Some(loop {
                let left = until.saturating_duration_since(tokio::time::Instant::now());
                let woke = sub.wait(left.min(shared.config.long_poll_recheck)).await;
                events = shared.store.events_of_order(no).await?;
                let now_left = until.saturating_duration_since(tokio::time::Instant::now());
                match woke {
                    _ if order_state(&events) != first => break if woke == WaitOutcome::Notified { WaitOutcome::Notified } else { WaitOutcome::Changed },
                    WaitOutcome::Elapsed if now_left.is_zero() => break WaitOutcome::Elapsed,
                    _ => continue,
                }
            });
        }
    }
    let state = order_state(&events);
    let mut fields = vec![("out_order_no", Value::str(no)), ("status", Value::str(state.as_str())), ("amount", Value::int_value(record.amount))];
    if let Some(trade) = trade_no(&events) {
        fields.push(("trade_no", Value::str(trade)));
    }
    Ok((envelope(STATUS_PATH, fields), outcome))
}
