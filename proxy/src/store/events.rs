//! Notifications and events: de-duplication, the event log and its reads.

use super::model::parse_state;
use super::{changes::NOTIFY_SQL, random_hex, Delivery, Event, EventCounts, EventKind, NewEvent, Store, StoreError};
use paybridge::model::Gateway;

/// The event columns, in [`EventRow`] order.
pub(super) const EVENT_COLUMNS: &str =
    "seq, id, kind, gateway, out_trade_no, state, amount, gateway_amount, transaction_id, refund_no, created_at_ms, delivery, attempts, next_attempt_ms, last_error";

/// An `events` row as stored.
#[derive(sqlx::FromRow)]
pub(super) struct EventRow {
    seq: i64,
    id: String,
    kind: String,
    gateway: String,
    out_trade_no: String,
    state: String,
    amount: Option<i64>,
    gateway_amount: Option<i64>,
    transaction_id: Option<String>,
    refund_no: Option<String>,
    created_at_ms: i64,
    delivery: String,
    attempts: i64,
    next_attempt_ms: i64,
    last_error: Option<String>,
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;

    fn try_from(r: EventRow) -> Result<Event, StoreError> {
        let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("event {}: {what} {value:?}", r.id));
        Ok(Event {
            body: NewEvent {
                gateway: Gateway::parse(&r.gateway).ok_or_else(|| corrupt("gateway", &r.gateway))?,
                state: parse_state(&r.state).ok_or_else(|| corrupt("state", &r.state))?,
                kind: EventKind::parse(&r.kind),
                out_trade_no: r.out_trade_no,
                amount: r.amount,
                gateway_amount: r.gateway_amount,
                transaction_id: r.transaction_id,
                refund_no: r.refund_no,
            },
            delivery: Delivery::parse(&r.delivery).ok_or_else(|| corrupt("delivery", &r.delivery))?,
            attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
            seq: r.seq,
            id: r.id,
            created_at_ms: r.created_at_ms,
            next_attempt_ms: r.next_attempt_ms,
            last_error: r.last_error,
        })
    }
}

/// Rows into events.
pub(super) fn events(rows: Vec<EventRow>) -> Result<Vec<Event>, StoreError> {
    rows.into_iter().map(Event::try_from).collect()
}

/// Taken (PostgreSQL) by every transaction that inserts events, before it
/// allocates a `seq`, and held until it commits: event inserts commit one at
/// a time, in `seq` order, so a reader paging with `seq > cursor` (the back
/// office's `events?after=`) never sees a higher `seq` while a lower one is
/// still uncommitted and would be skipped (the key is any number no other
/// lock uses). SQLite needs no lock: it runs one
/// write transaction at a time, from its first write to its commit.
const EVENTS_LOCK_SQL: &str = "SELECT pg_advisory_xact_lock(7061796272696467)";

/// Inserts `$event` once per dedupe key inside the transaction `$tx` (after
/// taking [`EVENTS_LOCK_SQL`] there on PostgreSQL) and notifies the change
/// there on PostgreSQL; evaluates to `(row, created)`.
macro_rules! insert_event {
    ($store:expr, $tx:expr, $event:expr, $now_ms:expr) => {{
        let event: &NewEvent = $event;
        if $store.is_postgres() {
            sqlx::query(EVENTS_LOCK_SQL).execute(&mut *$tx).await?;
        }
        let insert = format!(
            "INSERT INTO events (id, dedupe_key, kind, gateway, out_trade_no, state, amount, gateway_amount, transaction_id, refund_no, created_at_ms, next_attempt_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT (dedupe_key) DO NOTHING RETURNING {EVENT_COLUMNS}"
        );
        let created: Option<EventRow> = sqlx::query_as(&insert)
            .bind(format!("evt_{}", random_hex(16)))
            .bind(event.dedupe_key())
            .bind(event.kind.as_str())
            .bind(event.gateway.as_str())
            .bind(&event.out_trade_no)
            .bind(event.state.as_str())
            .bind(event.amount)
            .bind(event.gateway_amount)
            .bind(&event.transaction_id)
            .bind(&event.refund_no)
            .bind($now_ms)
            .fetch_optional(&mut *$tx)
            .await?;
        match created {
            Some(row) => {
                if let Some((channel, payload)) = $store.notice(event.gateway, &event.out_trade_no) {
                    sqlx::query(NOTIFY_SQL).bind(channel).bind(payload).execute(&mut *$tx).await?;
                }
                (row, true)
            }
            None => {
                let select = format!("SELECT {EVENT_COLUMNS} FROM events WHERE dedupe_key = $1");
                (sqlx::query_as(&select).bind(event.dedupe_key()).fetch_one(&mut *$tx).await?, false)
            }
        }
    }};
}

impl Store {
    /// De-duplicates a verified notification by (gateway, key) and records
    /// `event` (if any, once per its dedupe key) in one transaction;
    /// `Ok(false)` = seen before, nothing written. Committed when it returns.
    pub async fn record_notification(&self, gateway: Gateway, key: &str, event: Option<&NewEvent>, now_ms: i64) -> Result<bool, StoreError> {
        let created = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query("INSERT INTO notifications (gateway, notification_key, received_at_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(gateway.as_str())
                .bind(key)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            let created = match event {
                Some(event) => insert_event!(self, tx, event, now_ms).1,
                None => false,
            };
            tx.commit().await?;
            created
        });
        if let (Some(event), true) = (event, created) {
            self.changed(event.gateway, &event.out_trade_no);
        }
        Ok(true)
    }

    /// Records an event once per dedupe key; returns the stored event (the
    /// earlier one if it existed) and whether this call created it.
    pub async fn record_event(&self, event: &NewEvent, now_ms: i64) -> Result<(Event, bool), StoreError> {
        let (row, created) = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let recorded = insert_event!(self, tx, event, now_ms);
            tx.commit().await?;
            recorded
        });
        if created {
            self.changed(event.gateway, &event.out_trade_no);
        }
        Ok((Event::try_from(row)?, created))
    }

    /// Records `events` in one transaction, each once per its dedupe key
    /// (all or none committed); for each, the stored event and whether this
    /// call created it.
    pub async fn record_events(&self, events: &[NewEvent], now_ms: i64) -> Result<Vec<(Event, bool)>, StoreError> {
        let rows = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut rows = Vec::with_capacity(events.len());
            for event in events {
                rows.push(insert_event!(self, tx, event, now_ms));
            }
            tx.commit().await?;
            rows
        });
        let mut recorded = Vec::with_capacity(rows.len());
        for (event, (row, created)) in events.iter().zip(rows) {
            if created {
                self.changed(event.gateway, &event.out_trade_no);
            }
            recorded.push((Event::try_from(row)?, created));
        }
        Ok(recorded)
    }

    /// The events of `out_trade_no` through any gateway (the merchant's
    /// order may be paid online through one and picked up through HiPOS),
    /// oldest first; `device.*` events are no order's.
    pub async fn events_of_order(&self, out_trade_no: &str) -> Result<Vec<Event>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE out_trade_no = $1 AND kind NOT LIKE 'device.%' ORDER BY seq");
        events(with_pool!(self, pool => sqlx::query_as(&sql).bind(out_trade_no).fetch_all(pool).await?))
    }

    /// An order's events, oldest first (cancel safety: see
    /// [`EventKind::means_paid`]).
    pub async fn order_events(&self, gateway: Gateway, out_trade_no: &str) -> Result<Vec<Event>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE gateway = $1 AND out_trade_no = $2 ORDER BY seq");
        events(with_pool!(self, pool => sqlx::query_as(&sql).bind(gateway.as_str()).bind(out_trade_no).fetch_all(pool).await?))
    }

    /// The log after event id `after` (`None`: from the start), oldest
    /// first, at most `limit`; `Err(UnknownCursor)` for an unknown id.
    pub async fn events_after(&self, after: Option<&str>, limit: u32) -> Result<Vec<Event>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2");
        with_pool!(self, pool => {
            let from: i64 = match after {
                None => 0,
                Some(id) => sqlx::query_scalar("SELECT seq FROM events WHERE id = $1").bind(id).fetch_optional(pool).await?.ok_or(StoreError::UnknownCursor)?,
            };
            events(sqlx::query_as(&sql).bind(from).bind(i64::from(limit)).fetch_all(pool).await?)
        })
    }

    /// How many events are pending, failed and delivered.
    pub async fn event_counts(&self) -> Result<EventCounts, StoreError> {
        let rows: Vec<(String, i64)> = with_pool!(self, pool => sqlx::query_as("SELECT delivery, COUNT(*) FROM events GROUP BY delivery").fetch_all(pool).await?);
        let mut counts = EventCounts::default();
        for (delivery, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match Delivery::parse(&delivery) {
                Some(Delivery::Pending) => counts.pending = n,
                Some(Delivery::Failed) => counts.failed = n,
                Some(Delivery::Delivered) => counts.delivered = n,
                None => return Err(StoreError::Corrupt(format!("delivery state {delivery:?}"))),
            }
        }
        Ok(counts)
    }
}
