//! Back-office refunds: one row per (gateway, merchant refund number),
//! inserted atomically against over-refunding across instances and updated
//! with what the gateway answered.
//!
//! The insert holds a lock per order while it sums the order's refunds and
//! adds the new one: a transaction-scoped advisory lock on PostgreSQL
//! (`pg_advisory_xact_lock`, keyed by a hash of gateway and order), an
//! immediate (write-locking) transaction on SQLite. Two instances refunding
//! the same order at once therefore never together exceed what was paid.

use super::{Pool, Store, StoreError};
use paybridge::model::Gateway;

/// Where a refund stands, as the back office reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundState {
    /// Committed, sent or being sent; the gateway has not confirmed it yet.
    Refunding,
    /// The gateway confirmed it.
    Succeeded,
    /// The gateway refused it or reports it failed; it no longer counts.
    Failed,
    /// A state this build does not know (a row written by a newer version).
    Unknown(String),
}

impl RefundState {
    /// `refunding`, `succeeded`, `failed`.
    pub fn as_str(&self) -> &str {
        match self {
            RefundState::Refunding => "refunding",
            RefundState::Succeeded => "succeeded",
            RefundState::Failed => "failed",
            RefundState::Unknown(s) => s,
        }
    }

    /// The state named `s`.
    pub fn parse(s: &str) -> RefundState {
        match s {
            "refunding" => RefundState::Refunding,
            "succeeded" => RefundState::Succeeded,
            "failed" => RefundState::Failed,
            other => RefundState::Unknown(other.to_owned()),
        }
    }
}

/// A stored refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRecord {
    /// The gateway refunding.
    pub gateway: Gateway,
    /// The merchant's refund number.
    pub refund_no: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// Minor units.
    pub amount: i64,
    pub state: RefundState,
    /// The gateway's refund id, once it answered one.
    pub gateway_refund_id: Option<String>,
    /// The gateway's own refund state or code, once it answered.
    pub gateway_state: Option<String>,
    /// When it was inserted (Unix ms).
    pub created_at_ms: i64,
    /// When it last changed (Unix ms).
    pub updated_at_ms: i64,
}

/// A refund to insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRefund {
    /// The gateway refunding.
    pub gateway: Gateway,
    /// The merchant's refund number.
    pub refund_no: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// Minor units.
    pub amount: i64,
    /// What the order was paid, the ceiling of its refunds together.
    pub paid: i64,
}

/// What [`Store::insert_refund`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundInsert {
    /// A new row, in state `refunding`.
    Created(RefundRecord),
    /// A row with this refund number existed; nothing was written.
    Existing(RefundRecord),
    /// The order's refunds (not failed) plus this one would exceed what
    /// was paid; `refundable` is what is left.
    OverLimit { refundable: i64 },
}

#[derive(sqlx::FromRow)]
struct RefundRow {
    gateway: String,
    refund_no: String,
    out_trade_no: String,
    amount: i64,
    state: String,
    gateway_refund_id: Option<String>,
    gateway_state: Option<String>,
    created_at_ms: i64,
    updated_at_ms: i64,
}

const COLUMNS: &str = "gateway, refund_no, out_trade_no, amount, state, gateway_refund_id, gateway_state, created_at_ms, updated_at_ms";

impl TryFrom<RefundRow> for RefundRecord {
    type Error = StoreError;

    fn try_from(r: RefundRow) -> Result<RefundRecord, StoreError> {
        Ok(RefundRecord {
            gateway: Gateway::parse(&r.gateway).ok_or_else(|| StoreError::Corrupt(format!("refund {}: gateway {:?}", r.refund_no, r.gateway)))?,
            state: RefundState::parse(&r.state),
            refund_no: r.refund_no,
            out_trade_no: r.out_trade_no,
            amount: r.amount,
            gateway_refund_id: r.gateway_refund_id,
            gateway_state: r.gateway_state,
            created_at_ms: r.created_at_ms,
            updated_at_ms: r.updated_at_ms,
        })
    }
}

/// The advisory-lock key of an order: FNV-1a of `gateway/out_trade_no`.
fn lock_key(gateway: Gateway, out_trade_no: &str) -> i64 {
    let hash = format!("refund/{}/{out_trade_no}", gateway.as_str()).bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// The insert's steps inside the locked transaction `$tx`; evaluates to
/// `(RefundInsert, write)`, where `write` says whether to commit.
macro_rules! insert_locked {
    ($tx:expr, $new:expr, $now_ms:expr) => {{
        let new: &NewRefund = $new;
        let select = format!("SELECT {COLUMNS} FROM refunds WHERE gateway = $1 AND refund_no = $2");
        let existing: Option<RefundRow> = sqlx::query_as(&select).bind(new.gateway.as_str()).bind(&new.refund_no).fetch_optional(&mut *$tx).await?;
        if let Some(row) = existing {
            (RefundInsert::Existing(RefundRecord::try_from(row)?), false)
        } else {
            let committed: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM refunds WHERE gateway = $1 AND out_trade_no = $2 AND state <> 'failed'")
                .bind(new.gateway.as_str())
                .bind(&new.out_trade_no)
                .fetch_one(&mut *$tx)
                .await?;
            if committed + new.amount > new.paid {
                (RefundInsert::OverLimit { refundable: (new.paid - committed).max(0) }, false)
            } else {
                let insert = format!(
                    "INSERT INTO refunds ({COLUMNS}) VALUES ($1, $2, $3, $4, 'refunding', NULL, NULL, $5, $5) ON CONFLICT (gateway, refund_no) DO NOTHING RETURNING {COLUMNS}"
                );
                let row: Option<RefundRow> = sqlx::query_as(&insert)
                    .bind(new.gateway.as_str())
                    .bind(&new.refund_no)
                    .bind(&new.out_trade_no)
                    .bind(new.amount)
                    .bind($now_ms)
                    .fetch_optional(&mut *$tx)
                    .await?;
                match row {
                    Some(row) => (RefundInsert::Created(RefundRecord::try_from(row)?), true),
                    // The same number for another order, inserted meanwhile under that order's lock.
                    None => {
                        let row: RefundRow = sqlx::query_as(&select).bind(new.gateway.as_str()).bind(&new.refund_no).fetch_one(&mut *$tx).await?;
                        (RefundInsert::Existing(RefundRecord::try_from(row)?), false)
                    }
                }
            }
        }
    }};
}

impl Store {
    /// Inserts a refund in state `refunding`, atomically against
    /// over-refunding across instances: `Existing` when the refund number
    /// is known (nothing written), `OverLimit` when the order's refunds that
    /// have not failed plus this one would exceed `paid`. Committed when it
    /// returns `Created`.
    pub async fn insert_refund(&self, new: &NewRefund, now_ms: i64) -> Result<RefundInsert, StoreError> {
        match &self.0.pool {
            Pool::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let (outcome, write) = insert_locked!(tx, new, now_ms);
                if write {
                    tx.commit().await?;
                }
                Ok(outcome)
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(lock_key(new.gateway, &new.out_trade_no)).execute(&mut *tx).await?;
                let (outcome, write) = insert_locked!(tx, new, now_ms);
                if write {
                    tx.commit().await?;
                }
                Ok(outcome)
            }
        }
    }

    /// The refund with this number, if any.
    pub async fn refund(&self, gateway: Gateway, refund_no: &str) -> Result<Option<RefundRecord>, StoreError> {
        let select = format!("SELECT {COLUMNS} FROM refunds WHERE gateway = $1 AND refund_no = $2");
        let row: Option<RefundRow> = with_pool!(self, pool => sqlx::query_as(&select).bind(gateway.as_str()).bind(refund_no).fetch_optional(pool).await?);
        row.map(RefundRecord::try_from).transpose()
    }

    /// Records what the gateway answered about a refund: its state, and its
    /// refund id and raw state when given (kept otherwise). Returns the row.
    pub async fn update_refund(
        &self,
        gateway: Gateway,
        refund_no: &str,
        state: &RefundState,
        gateway_refund_id: Option<&str>,
        gateway_state: Option<&str>,
        now_ms: i64,
    ) -> Result<RefundRecord, StoreError> {
        let update = format!(
            "UPDATE refunds SET state = $3, gateway_refund_id = COALESCE($4, gateway_refund_id), gateway_state = COALESCE($5, gateway_state), updated_at_ms = $6 \
             WHERE gateway = $1 AND refund_no = $2 RETURNING {COLUMNS}"
        );
        let row: Option<RefundRow> = with_pool!(self, pool => sqlx::query_as(&update)
            .bind(gateway.as_str())
            .bind(refund_no)
            .bind(state.as_str())
            .bind(gateway_refund_id)
            .bind(gateway_state)
            .bind(now_ms)
            .fetch_optional(pool)
            .await?);
        row.map(RefundRecord::try_from).transpose()?.ok_or_else(|| StoreError::Corrupt(format!("refund {refund_no} vanished")))
    }

    /// An order's refunds, oldest first.
    pub async fn order_refunds(&self, gateway: Gateway, out_trade_no: &str) -> Result<Vec<RefundRecord>, StoreError> {
        let select = format!("SELECT {COLUMNS} FROM refunds WHERE gateway = $1 AND out_trade_no = $2 ORDER BY created_at_ms, refund_no");
        let rows: Vec<RefundRow> = with_pool!(self, pool => sqlx::query_as(&select).bind(gateway.as_str()).bind(out_trade_no).fetch_all(pool).await?);
        rows.into_iter().map(RefundRecord::try_from).collect()
    }
}
