//! The delivery worker: claims due events from the store under a lease,
//! POSTs each to `[merchant] events_url` signed, and settles it — a 2xx is
//! delivery; anything else, or no answer within the delivery timeout, is
//! retried on the schedule; a failure after the retry window marks the
//! event failed. It wakes at once when this process commits an event, and
//! every [`CLAIM_INTERVAL`] for retries that fall due and events other
//! instances left (their lease ran out). It holds only a weak reference to
//! the proxy's state and ends when the state is dropped.

use super::config::EventsEndpoint;
use super::schedule::{Next, RetrySchedule};
use super::{payload, signature};
use crate::proxy::{now_ms, Shared};
use crate::store::{Event, Store};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// How often the worker looks for due events without being woken.
pub const CLAIM_INTERVAL: Duration = Duration::from_secs(1);

/// Most deliveries in flight at once per instance.
pub const MAX_IN_FLIGHT: usize = 16;

/// What every delivery of one worker shares.
struct Deliverer {
    store: Store,
    endpoint: EventsEndpoint,
    retry: RetrySchedule,
    client: reqwest::Client,
    /// This process's claim owner id.
    owner: String,
    /// Woken when a delivery ends, so a full worker claims again at once.
    wake: Arc<Notify>,
}

/// Starts the worker for `shared` when `[merchant] events_url` is set and a
/// Tokio runtime is running; it wakes whenever `shared.events` is notified
/// of a commit.
pub(crate) fn start(shared: &Arc<Shared>) {
    let Some(endpoint) = shared.config.merchant.events.clone() else { return };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let merchant = &shared.config.merchant;
    // Merchants' endpoints answer the POST itself; a redirect is a failure, not a place to resend.
    let client = reqwest::Client::builder().timeout(merchant.delivery_timeout).redirect(reqwest::redirect::Policy::none()).build().unwrap_or_default();
    let deliverer = Deliverer { store: shared.store.clone(), endpoint, retry: merchant.retry, client, owner: owner_id(), wake: Arc::clone(&shared.events.wake) };
    let lease = lease_ms(merchant.delivery_timeout);
    tracing::info!(owner = deliverer.owner.as_str(), lease_ms = lease, "event_worker_started");
    runtime.spawn(run(Arc::downgrade(shared), Arc::new(deliverer), lease));
}

/// A claim lasts well beyond one delivery (its timeout, twice, plus 2 s), so
/// no other instance claims an event while an attempt can still be running.
fn lease_ms(delivery_timeout: Duration) -> i64 {
    i64::try_from(delivery_timeout.as_millis()).unwrap_or(i64::MAX / 4).saturating_mul(2).saturating_add(2_000)
}

/// A random claim owner id for this process: `w_` and 16 hex digits.
fn owner_id() -> String {
    format!("w_{:016x}", getrandom::u64().unwrap_or_else(|_| u64::from(std::process::id()) << 20 ^ now_ms().unsigned_abs()))
}

/// A jitter draw in [0, 1).
fn jitter() -> f64 {
    getrandom::u64().map_or(0.5, |r| (r >> 11) as f64 / (1u64 << 53) as f64)
}

async fn run(shared: Weak<Shared>, deliverer: Arc<Deliverer>, lease: i64) {
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    loop {
        if shared.strong_count() == 0 {
            return;
        }
        let free = slots.available_permits();
        if free > 0 {
            match deliverer.store.claim_due(&deliverer.owner, now_ms(), lease, u32::try_from(free).unwrap_or(u32::MAX)).await {
                Ok(events) => {
                    for event in events {
                        // Every claimed event is leased to this owner: each goes out, waiting
                        // for a slot if the store ever handed over more than were free.
                        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else { return };
                        let deliverer = Arc::clone(&deliverer);
                        tokio::spawn(async move {
                            deliverer.deliver(event).await;
                            drop(permit);
                            deliverer.wake.notify_one();
                        });
                    }
                }
                Err(e) => tracing::error!(error = %e, "event_claim_failed"),
            }
        }
        tokio::select! {
            () = deliverer.wake.notified() => {}
            () = tokio::time::sleep(CLAIM_INTERVAL) => {}
        }
    }
}

impl Deliverer {
    /// One attempt at `event` (claimed by this owner), then its settlement.
    async fn deliver(&self, event: Event) {
        let body = payload::body(&event);
        let header = signature::sign(self.endpoint.secret.as_bytes(), now_ms().div_euclid(1000), &body);
        let sent = self.client.post(&self.endpoint.url).header(reqwest::header::CONTENT_TYPE, "application/json").header(signature::HEADER, header).body(body).send().await;
        let outcome = match sent {
            Ok(answer) if answer.status().is_success() => Ok(()),
            Ok(answer) => Err(format!("HTTP {}", answer.status().as_u16())),
            Err(e) if e.is_timeout() => Err("no answer within the delivery timeout".to_owned()),
            Err(_) => Err("the events URL could not be reached".to_owned()),
        };
        let now = now_ms();
        let (id, attempt) = (event.id.as_str(), event.attempts);
        let settled = match outcome {
            Ok(()) => {
                tracing::info!(id, attempt, "event_delivered");
                self.store.mark_delivered(id, &self.owner, now).await
            }
            Err(error) => match self.retry.after_failure(event.created_at_ms, attempt, now, jitter()) {
                Next::RetryAt(at) => {
                    tracing::warn!(id, attempt, error = error.as_str(), retry_in_ms = at - now, "event_delivery_failed");
                    self.store.retry_at(id, &self.owner, at, &error).await
                }
                Next::GiveUp => {
                    let (kind, gateway, order) = (event.kind.as_str(), event.gateway.as_str(), event.out_trade_no.as_str());
                    tracing::error!(id, kind, gateway, order, attempt, error = error.as_str(), "event_failed: not delivered within the retry window");
                    self.store.mark_failed(id, &self.owner, &error).await
                }
            },
        };
        if let Err(e) = settled {
            // The lease ran out (or the store failed): the event stays pending and is claimed again.
            tracing::error!(id, error = %e, "event_settle_failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_outlasts_an_attempt() {
        assert!(lease_ms(Duration::from_secs(10)) > 10_000);
        assert_eq!(lease_ms(Duration::from_millis(500)), 3_000);
    }

    #[test]
    fn owners_and_jitter_are_random() {
        let (a, b) = (owner_id(), owner_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 18);
        assert!((0..100).map(|_| jitter()).all(|j| (0.0..1.0).contains(&j)));
    }
}
