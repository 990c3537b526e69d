//! The HiPOS token every instance shares: one row, replaced by whoever
//! fetched a token last, deleted when HiPOS refuses it.

use super::{Store, StoreError, StoredToken};

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
}
