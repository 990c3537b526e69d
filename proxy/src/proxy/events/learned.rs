//! Events the proxy learns on its own paths: a verified notification's
//! (committed by [`super::super::notify`] with the notification itself), a
//! status query's ([`learned`]) and a back-office refund's ([`record`]),
//! each before its answer goes out. An
//! in-process set of what this process already recorded keeps repeated
//! polls of a settled order off the store.

use super::order_event::{kind_for, new_event};
use crate::orders::OrderRecord;
use crate::proxy::limits::RecentSet;
use crate::proxy::{now_ms, ProxyError, Shared};
use crate::store::{EventKind, NewEvent, StoreError};
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

    /// Notes that `status` of `order` is in the store (its event recorded,
    /// or none due): later reads of it skip the store.
    pub(crate) fn remember(&self, gateway: Gateway, order: &str, status: &OrderStatus) {
        self.recorded.insert(seen(gateway, order, status));
    }

    /// Wakes the delivery worker for a newly committed `event` and logs it
    /// (an amount mismatch at error level).
    pub(crate) fn announce(&self, event: &NewEvent, source: &'static str) {
        self.wake.notify_one();
        let (kind, gateway, order, amount) = (event.kind.as_str(), event.gateway.as_str(), event.out_trade_no.as_str(), event.amount);
        match event.gateway_amount.filter(|_| event.kind == EventKind::PaymentAmountMismatch) {
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
    let order_record = shared
        .orders
        .lookup(order)
        .await
        .map_err(|e| ProxyError::new(StatusCode::BAD_GATEWAY, "order_source_unavailable", e))?
        .ok_or_else(|| ProxyError::new(StatusCode::NOT_FOUND, "unknown_order", format!("the merchant has no order {order:?}")))?;
    learned_for(shared, gateway, &order_record, status).await
}

/// [`learned`] for a caller that already holds the order's record (the
/// browser path looked it up for the amount and the client secret): no
/// second order-source call.
pub async fn learned_for(shared: &Shared, gateway: Gateway, order_record: &OrderRecord, status: &OrderStatus) -> Result<(), ProxyError> {
    let order = order_record.out_trade_no.as_str();
    if kind_for(status.state).is_none() || shared.events.recorded.contains(&seen(gateway, order, status)) {
        return Ok(());
    }
    if let Some(event) = new_event(gateway, order_record, status) {
        record(shared, &event, "query").await?;
    }
    shared.events.remember(gateway, order, status);
    Ok(())
}

/// Records `event` (learnt by the proxy: a query, a refund's outcome) once
/// per its dedupe key, and wakes the delivery worker when it is new.
pub(crate) async fn record(shared: &Shared, event: &NewEvent, source: &'static str) -> Result<(), StoreError> {
    let (_, created) = shared.store.record_event(event, now_ms()).await?;
    if created {
        shared.events.announce(event, source);
    }
    Ok(())
}

/// The order status a gateway's query answer reads as, if it reads as one.
pub(crate) fn query_status(gateway: Gateway, answer: &Value) -> Option<OrderStatus> {
    protocol(gateway).ok()?.parse_query(answer).ok()
}
