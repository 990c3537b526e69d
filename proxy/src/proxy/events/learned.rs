//! Events the proxy learns on its own paths: a verified notification's
//! (committed by [`super::super::notify`] with the notification itself) and
//! a status query's ([`learned`]), both before their answer goes out. An
//! in-process set of what this process already recorded keeps repeated
//! polls of a settled order off the store.

use super::order_event::{kind_for, new_event};
use crate::proxy::limits::RecentSet;
use crate::proxy::{now_ms, ProxyError, Shared};
use crate::store::NewEvent;
use axum::http::StatusCode;
use paybridge::gateway::protocol;
use paybridge::json::Value;
use paybridge::model::{Gateway, OrderStatus};
use std::sync::Arc;
use tokio::sync::Notify;

/// Most (order, state) pairs remembered as recorded.
const RECORDED: usize = 65_536;

/// What a status read records once: gateway, order, state and the gateway's amount.
type Seen = (Gateway, String, &'static str, Option<i64>);

/// The proxy's event bookkeeping (one per [`crate::proxy::ProxyState`]).
pub(crate) struct Events {
    recorded: RecentSet<Seen>,
    /// Wakes the delivery worker after a commit.
    pub(crate) wake: Arc<Notify>,
}

impl Events {
    /// Nothing recorded yet.
    pub(crate) fn new() -> Events {
        Events { recorded: RecentSet::new(RECORDED), wake: Arc::new(Notify::new()) }
    }

    /// Notes that `status` of `order` is in the store (an event recorded, or
    /// none due) and wakes the worker; `event` is logged, an amount mismatch
    /// at error level.
    pub(crate) fn committed(&self, gateway: Gateway, order: &str, status: &OrderStatus, event: Option<&NewEvent>, source: &'static str) {
        self.recorded.insert(seen(gateway, order, status));
        let Some(event) = event else { return };
        self.wake.notify_one();
        let (kind, gateway, amount) = (event.kind.as_str(), gateway.as_str(), event.amount);
        match event.gateway_amount {
            Some(gateway_amount) => {
                tracing::error!(kind, gateway, order, source, amount, gateway_amount, "amount_mismatch: the gateway reports a payment of another amount than the order record")
            }
            None => tracing::info!(kind, gateway, order, source, amount, "event_recorded"),
        }
    }
}

fn seen(gateway: Gateway, order: &str, status: &OrderStatus) -> Seen {
    (gateway, order.to_owned(), status.state.as_str(), status.amount)
}

/// Records the event `status` (read from a query of `order` that the proxy
/// is about to answer: browser, long-poll or back office) means, committed
/// before the answer goes out. Open states record nothing; a state this
/// process recorded before costs a set lookup, not a store round trip.
/// Fails with the order source's or the store's error: the caller answers
/// that, not a settled state the merchant was never told of.
pub async fn learned(shared: &Shared, gateway: Gateway, order: &str, status: &OrderStatus) -> Result<(), ProxyError> {
    if kind_for(status.state).is_none() || shared.events.recorded.contains(&seen(gateway, order, status)) {
        return Ok(());
    }
    let record = shared
        .orders
        .lookup(order)
        .await
        .map_err(|e| ProxyError::new(StatusCode::BAD_GATEWAY, "order_source_unavailable", e))?
        .ok_or_else(|| ProxyError::new(StatusCode::NOT_FOUND, "unknown_order", format!("the merchant has no order {order:?}")))?;
    let event = new_event(gateway, &record, status);
    if let Some(event) = &event {
        shared.store.record_event(event, now_ms()).await?;
    }
    shared.events.committed(gateway, order, status, event.as_ref(), "query");
    Ok(())
}

/// The order status a gateway's query answer reads as, if it reads as one.
pub(crate) fn query_status(gateway: Gateway, answer: &Value) -> Option<OrderStatus> {
    protocol(gateway).ok()?.parse_query(answer).ok()
}
