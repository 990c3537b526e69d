//! Delivery claims: an instance leases due events for a while; only the
//! lease owner settles them, and an expired lease lets another owner claim
//! the event again. Two instances never hold the same event at once: the
//! claim re-checks the lease in the same statement that takes it (and on
//! PostgreSQL skips rows another claim has locked).

use super::events::{events, EventRow, EVENT_COLUMNS};
use super::{Delivery, Event, Store, StoreError};

impl Store {
    /// Leases up to `limit` pending events that are due at `now_ms` and not
    /// leased (or whose lease ran out) to `owner` for `lease_ms`, counting
    /// one attempt each; oldest first.
    pub async fn claim_due(&self, owner: &str, now_ms: i64, lease_ms: i64, limit: u32) -> Result<Vec<Event>, StoreError> {
        let lock = if self.is_postgres() { "FOR UPDATE SKIP LOCKED" } else { "" };
        let open = "delivery = 'pending' AND (lease_until_ms IS NULL OR lease_until_ms <= $3)";
        // The due rows are picked once, in a materialised CTE: as a plain `IN
        // (subquery)` PostgreSQL re-ran the subquery when it rechecked a row
        // another claim had just updated, and a claim then took more than
        // `limit` events (seen under load: 35 for a limit of 9).
        let sql = format!(
            "WITH due AS MATERIALIZED (SELECT seq FROM events WHERE {open} AND next_attempt_ms <= $3 ORDER BY seq LIMIT $4 {lock}) \
             UPDATE events SET lease_owner = $1, lease_until_ms = $2, attempts = attempts + 1 \
             WHERE seq IN (SELECT seq FROM due) AND {open} \
             RETURNING {EVENT_COLUMNS}"
        );
        let rows: Vec<EventRow> =
            with_pool!(self, pool => sqlx::query_as(&sql).bind(owner).bind(now_ms.saturating_add(lease_ms)).bind(now_ms).bind(i64::from(limit)).fetch_all(pool).await?);
        let mut claimed = events(rows)?;
        claimed.sort_by_key(|e| e.seq);
        Ok(claimed)
    }

    /// Marks an event leased to `owner` delivered.
    pub async fn mark_delivered(&self, id: &str, owner: &str, now_ms: i64) -> Result<(), StoreError> {
        self.settle(id, owner, Settle { delivery: Delivery::Delivered, next_attempt_ms: None, delivered_at_ms: Some(now_ms), error: None }).await
    }

    /// Releases an event leased to `owner` for another attempt at `next_attempt_ms`.
    pub async fn retry_at(&self, id: &str, owner: &str, next_attempt_ms: i64, error: &str) -> Result<(), StoreError> {
        self.settle(id, owner, Settle { delivery: Delivery::Pending, next_attempt_ms: Some(next_attempt_ms), delivered_at_ms: None, error: Some(error) }).await
    }

    /// Gives up on an event leased to `owner`: kept as failed, with `error`.
    pub async fn mark_failed(&self, id: &str, owner: &str, error: &str) -> Result<(), StoreError> {
        self.settle(id, owner, Settle { delivery: Delivery::Failed, next_attempt_ms: None, delivered_at_ms: None, error: Some(error) }).await
    }

    /// Ends the lease `owner` holds on a pending event, writing `how`.
    async fn settle(&self, id: &str, owner: &str, how: Settle<'_>) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE events SET delivery = $3, next_attempt_ms = COALESCE($4, next_attempt_ms), delivered_at_ms = $5, last_error = $6, \
                           lease_owner = NULL, lease_until_ms = NULL WHERE id = $1 AND lease_owner = $2 AND delivery = 'pending'";
        let changed = with_pool!(self, pool => sqlx::query(SQL)
            .bind(id)
            .bind(owner)
            .bind(how.delivery.as_str())
            .bind(how.next_attempt_ms)
            .bind(how.delivered_at_ms)
            .bind(how.error)
            .execute(pool)
            .await?
            .rows_affected());
        if changed == 0 {
            return Err(StoreError::NotLeaseOwner { id: id.to_owned() });
        }
        Ok(())
    }
}

/// What settling a claimed event writes.
struct Settle<'a> {
    delivery: Delivery,
    next_attempt_ms: Option<i64>,
    delivered_at_ms: Option<i64>,
    error: Option<&'a str>,
}
