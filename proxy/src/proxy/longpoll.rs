//! Long-poll waiters: a query with `?wait=N` subscribes to its order before
//! it asks the gateway, so a change of the order arriving at any moment
//! after that wakes it. Held queries live in this process; the wake-ups come
//! from the store's order changes ([`Waiters::follow`]), so a notification
//! or event committed by any instance wakes the queries every instance
//! holds for that order (PostgreSQL `LISTEN/NOTIFY`; at once on SQLite).
//!
//! The waiters of one order share their upstream queries
//! ([`Subscription::shared_query`]): one query at a time (single flight),
//! and its answer serves every waiter until the re-check period has passed
//! or a wake-up made it stale — so upstream sees at most one query per
//! order per period, whatever the number of waiters.

use super::error::ProxyError;
use super::exchange::Answer;
use crate::store::OrderChange;
use paybridge::model::Gateway;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::{oneshot, watch};
use tokio::time::Instant;

type Key = (Gateway, String);

/// Why a long-poll hold ended (the `X-Paybridge-Wait` header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitOutcome {
    /// A verified notification for the order arrived.
    Notified,
    /// The wait ran out.
    Elapsed,
    /// The first query already showed a final state: no hold.
    Settled,
    /// The first query's answer did not read as the order's status (a
    /// gateway error, an HTTP 5xx with an error body…): no hold.
    Error,
    /// A periodic re-check upstream saw the order's state change (a change
    /// the gateway does not notify, such as a failure or an expiry).
    Changed,
}

impl WaitOutcome {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitOutcome::Notified => "notified",
            WaitOutcome::Elapsed => "elapsed",
            WaitOutcome::Settled => "settled",
            WaitOutcome::Error => "error",
            WaitOutcome::Changed => "changed",
        }
    }
}

/// The last upstream query made for an order's waiters.
struct Check {
    /// The query (path and parameters) it answered.
    key: String,
    /// The wake-up count when it was sent.
    generation: u64,
    sent: Instant,
    result: Result<Answer, ProxyError>,
}

type SharedCheck = Arc<tokio::sync::Mutex<Option<Check>>>;

struct Slot {
    sender: watch::Sender<u64>,
    waiters: usize,
    check: SharedCheck,
}

/// The registry of held queries, bounded in count.
pub struct Waiters {
    max: usize,
    inner: Arc<Mutex<(HashMap<Key, Slot>, usize)>>,
}

/// One held query's subscription; leaving it unregisters.
pub struct Subscription {
    key: Key,
    receiver: watch::Receiver<u64>,
    check: SharedCheck,
    registry: Arc<Mutex<(HashMap<Key, Slot>, usize)>>,
}

impl Waiters {
    /// A registry holding at most `max` queries at once.
    pub fn new(max: usize) -> Waiters {
        Waiters { max, inner: Arc::default() }
    }

    /// Subscribes to `order` of `gateway`; `None` when `max` are held already.
    pub fn subscribe(&self, gateway: Gateway, order: &str) -> Option<Subscription> {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (slots, total) = &mut *guard;
        if *total >= self.max {
            return None;
        }
        *total += 1;
        let key = (gateway, order.to_owned());
        let slot = slots.entry(key.clone()).or_insert_with(|| Slot { sender: watch::channel(0).0, waiters: 0, check: SharedCheck::default() });
        slot.waiters += 1;
        let receiver = slot.sender.subscribe();
        Some(Subscription { key, receiver, check: Arc::clone(&slot.check), registry: Arc::clone(&self.inner) })
    }

    /// How many queries are held now.
    pub fn held(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).1
    }

    /// Wakes every query held for `order` of `gateway`.
    pub fn wake(&self, gateway: Gateway, order: &str) {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = guard.0.get(&(gateway, order.to_owned())) {
            slot.sender.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Wakes every held query (order changes were missed).
    fn wake_all(&self) {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        for slot in guard.0.values() {
            slot.sender.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Wakes the queries held for each order in `changes` (a task), until
    /// the returned sender is dropped or the store closes. Without a tokio
    /// runtime nothing follows the changes.
    pub fn follow(&self, mut changes: broadcast::Receiver<OrderChange>) -> oneshot::Sender<()> {
        let (stop, mut stopped) = oneshot::channel::<()>();
        let waiters = Waiters { max: self.max, inner: Arc::clone(&self.inner) };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                loop {
                    let change = tokio::select! {
                        _ = &mut stopped => break,
                        change = changes.recv() => change,
                    };
                    match change {
                        Ok(c) => waiters.wake(c.gateway, &c.out_trade_no),
                        Err(RecvError::Lagged(_)) => waiters.wake_all(),
                        Err(RecvError::Closed) => break,
                    }
                }
            });
        }
        stop
    }
}

impl Subscription {
    /// The answer to the upstream query `key`, shared by the order's
    /// waiters: the last one's result when it was sent less than `period`
    /// ago and no wake-up came since; else `query` runs, one at a time.
    pub async fn shared_query<F>(&self, key: &str, period: Duration, query: impl FnOnce() -> F) -> Result<Answer, ProxyError>
    where
        F: Future<Output = Result<Answer, ProxyError>>,
    {
        let mut last = self.check.lock().await;
        let generation = *self.receiver.borrow();
        if let Some(check) = last.as_ref().filter(|c| c.key == key && c.generation == generation && c.sent.elapsed() < period) {
            return check.result.clone();
        }
        let sent = Instant::now();
        let result = query().await;
        *last = Some(Check { key: key.to_owned(), generation, sent, result: result.clone() });
        result
    }

    /// Waits until a wake-up after [`Waiters::subscribe`] or until `wait`
    /// elapses.
    pub async fn wait(&mut self, wait: Duration) -> WaitOutcome {
        match tokio::time::timeout(wait, self.receiver.changed()).await {
            Ok(Ok(())) => WaitOutcome::Notified,
            _ => WaitOutcome::Elapsed,
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut guard = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        let (slots, total) = &mut *guard;
        *total = total.saturating_sub(1);
        if let Some(slot) = slots.get_mut(&self.key) {
            slot.waiters = slot.waiters.saturating_sub(1);
            if slot.waiters == 0 {
                slots.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wake_after_subscribing_is_not_lost() {
        let waiters = Waiters::new(2);
        let mut sub = waiters.subscribe(Gateway::BlueOcean, "PB00000001").unwrap();
        waiters.wake(Gateway::BlueOcean, "PB00000001");
        assert_eq!(sub.wait(Duration::from_secs(5)).await, WaitOutcome::Notified);
        waiters.wake(Gateway::BlueOcean, "OTHER0001");
        assert_eq!(sub.wait(Duration::from_millis(10)).await, WaitOutcome::Elapsed);
    }

    #[test]
    fn count_is_bounded_and_released() {
        let waiters = Waiters::new(1);
        let sub = waiters.subscribe(Gateway::HipoPay, "A1234567").unwrap();
        assert!(waiters.subscribe(Gateway::HipoPay, "B1234567").is_none());
        drop(sub);
        assert_eq!(waiters.inner.lock().unwrap().1, 0);
        assert!(waiters.subscribe(Gateway::HipoPay, "B1234567").is_some());
    }
}
