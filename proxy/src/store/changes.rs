//! Order changes: every commit that changes an order is announced to this
//! instance at once (a broadcast channel) and, on PostgreSQL, to every other
//! instance with `NOTIFY` inside the committing transaction; each instance
//! runs a `LISTEN` task that forwards the others' notices and reconnects
//! when its connection drops.

use super::{OrderChange, Store, StoreError};
use paybridge::model::Gateway;
use sqlx::postgres::{PgListener, PgPool};
use std::time::Duration;
use tokio::sync::{broadcast, oneshot};

/// The PostgreSQL channel order changes travel on.
const CHANNEL: &str = "paybridge_order_changes";
/// The `NOTIFY` statement (run on PostgreSQL only).
pub(super) const NOTIFY_SQL: &str = "SELECT pg_notify($1, $2)";

impl Store {
    /// Every order change committed by any instance: this one at once,
    /// others through PostgreSQL `LISTEN/NOTIFY` (within 1 s). The proxy
    /// wakes its long-polls from it.
    pub fn changes(&self) -> broadcast::Receiver<OrderChange> {
        self.0.changes.subscribe()
    }

    /// Announces a change of an order that no event recorded (e.g. a new
    /// notification without an event) to every instance.
    pub async fn announce_change(&self, gateway: Gateway, out_trade_no: &str) -> Result<(), StoreError> {
        if let super::Pool::Postgres(pool) = &self.0.pool {
            sqlx::query(NOTIFY_SQL).bind(CHANNEL).bind(self.payload(gateway, out_trade_no)).execute(pool).await?;
        }
        self.changed(gateway, out_trade_no);
        Ok(())
    }

    /// The `NOTIFY` arguments for a change; `None` on SQLite.
    pub(super) fn notice(&self, gateway: Gateway, out_trade_no: &str) -> Option<(&'static str, String)> {
        self.is_postgres().then(|| (CHANNEL, self.payload(gateway, out_trade_no)))
    }

    /// Tells this instance's subscribers (after the commit).
    pub(super) fn changed(&self, gateway: Gateway, out_trade_no: &str) {
        let _ = self.0.changes.send(OrderChange { gateway, out_trade_no: out_trade_no.to_owned() });
    }

    fn payload(&self, gateway: Gateway, out_trade_no: &str) -> String {
        format!("{}\n{}\n{}", self.0.instance, gateway.as_str(), out_trade_no)
    }
}

/// Starts listening (before it returns) and forwards other instances'
/// changes to `sender` until the returned sender is dropped.
pub(super) async fn listen(pool: PgPool, sender: broadcast::Sender<OrderChange>, instance: String) -> Result<oneshot::Sender<()>, sqlx::Error> {
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.listen(CHANNEL).await?;
    let (stop, mut stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            let next = tokio::select! {
                _ = &mut stopped => break,
                next = listener.try_recv() => next,
            };
            match next {
                Ok(Some(notice)) => {
                    if let Some(change) = parse(notice.payload(), &instance) {
                        let _ = sender.send(change);
                    }
                }
                // The connection dropped and was re-established: notices sent meanwhile are lost
                // (long-polls fall back to their periodic re-check).
                Ok(None) => tracing::warn!(target: "paybridge::store", "order-change listener reconnected"),
                Err(e) => {
                    tracing::warn!(target: "paybridge::store", error = %e, "order-change listener lost its connection; retrying");
                    tokio::select! {
                        _ = &mut stopped => break,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        }
    });
    Ok(stop)
}

/// A change from a notice's payload, unless this instance sent it.
fn parse(payload: &str, own_instance: &str) -> Option<OrderChange> {
    let mut parts = payload.splitn(3, '\n');
    let (instance, gateway, order) = (parts.next()?, parts.next()?, parts.next()?);
    (instance != own_instance).then_some(())?;
    Some(OrderChange { gateway: Gateway::parse(gateway)?, out_trade_no: order.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_other_instances_notices_only() {
        assert_eq!(parse("a1\nhipos\nPB1", "b2"), Some(OrderChange { gateway: Gateway::HiPos, out_trade_no: "PB1".into() }));
        assert_eq!(parse("b2\nhipos\nPB1", "b2"), None);
        assert_eq!(parse("a1\npaypal\nPB1", "b2"), None);
        assert_eq!(parse("garbage", "b2"), None);
    }
}
