//! The HiPOS token every instance shares: one row, replaced by whoever
//! fetched a token last, deleted when HiPOS refuses it; and the lease on
//! fetching it, so that instances whose token ran out fetch one new token
//! between them (HiPOS signs with the newest token it issued: a second fetch
//! would leave the first instance's token stale).

use super::{random_hex, Store, StoreError, StoredToken};

impl Store {
    /// The shared HiPOS token, if one is stored.
    pub async fn hipos_token(&self) -> Result<Option<StoredToken>, StoreError> {
        let row: Option<(String, String, i64)> =
            with_pool!(self, pool => sqlx::query_as("SELECT token, merchant_id, fetched_at_ms FROM hipos_token WHERE id = 1").fetch_optional(pool).await?);
        Ok(row.map(|(token, merchant_id, fetched_at_ms)| StoredToken { token, merchant_id, fetched_at_ms }))
    }

    /// Stores `token` as the shared one.
    pub async fn put_hipos_token(&self, token: &StoredToken) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO hipos_token (id, token, merchant_id, fetched_at_ms) VALUES (1, $1, $2, $3) \
                           ON CONFLICT (id) DO UPDATE SET token = excluded.token, merchant_id = excluded.merchant_id, fetched_at_ms = excluded.fetched_at_ms";
        with_pool!(self, pool => sqlx::query(SQL).bind(&token.token).bind(&token.merchant_id).bind(token.fetched_at_ms).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Forgets the shared token if it is still `token` (HiPOS refused it).
    pub async fn invalidate_hipos_token(&self, token: &str) -> Result<(), StoreError> {
        with_pool!(self, pool => sqlx::query("DELETE FROM hipos_token WHERE id = 1 AND token = $1").bind(token).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Leases fetching the shared token until `until_ms` unless another
    /// instance's lease is live at `now_ms`: the lease's id while it is this
    /// caller's, `None` while another instance fetches.
    pub async fn claim_hipos_token_fetch(&self, now_ms: i64, until_ms: i64) -> Result<Option<String>, StoreError> {
        // One statement: the row is taken, or taken over once its lease ran
        // out, atomically on both engines (PostgreSQL locks the conflicting row).
        const SQL: &str = "INSERT INTO hipos_token_lease (id, owner, until_ms) VALUES (1, $1, $2) \
                           ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms WHERE hipos_token_lease.until_ms <= $3";
        let lease = random_hex(16);
        let taken = with_pool!(self, pool => sqlx::query(SQL).bind(&lease).bind(until_ms).bind(now_ms).execute(pool).await?.rows_affected());
        Ok((taken == 1).then_some(lease))
    }

    /// Ends the lease `lease` (from [`Store::claim_hipos_token_fetch`]) if it is still held.
    pub async fn release_hipos_token_fetch(&self, lease: &str) -> Result<(), StoreError> {
        with_pool!(self, pool => sqlx::query("DELETE FROM hipos_token_lease WHERE id = 1 AND owner = $1").bind(lease).execute(pool).await?.rows_affected());
        Ok(())
    }
}
