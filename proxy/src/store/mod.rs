//! The proxy's store: what must survive a restart and be shared by several
//! instances, in a real SQLite file (embedded default) or a PostgreSQL
//! database (several instances).
//!
//! It holds the verified notifications received (unique per gateway and key:
//! de-duplication survives restarts and spans instances), the payment events
//! for the merchant with their delivery state and lease-based claims, which
//! are also the paid marks cancel safety reads, and the HiPOS token shared by
//! instances. Rate-limit buckets and held long-polls stay per instance; a
//! committed order change reaches every instance through [`Store::changes`]
//! (PostgreSQL `LISTEN/NOTIFY`), which wakes their long-polls.
//!
//! Migrations (`proxy/migrations/`, one source per migration rendered for
//! each engine) run when the store is opened. The SQL is shared by both
//! engines (`$1` parameters work on both) except the schema's auto-increment
//! key, the claim's row locking and `NOTIFY`.
//!
//! ```no_run
//! # async fn f() -> Result<(), paybridge_proxy::store::StoreError> {
//! let store = paybridge_proxy::store::Store::open("sqlite:///var/lib/paybridge/proxy.db").await?;
//! assert_eq!(store.engine(), "sqlite");
//! # Ok(()) }
//! ```

/// Runs `$body` with `$pool` bound to whichever engine's pool the store has:
/// one SQL text, compiled for both drivers.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.0.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}

mod changes;
mod claims;
mod config;
mod error;
mod events;
mod migrations;
mod model;
mod refunds;
pub mod testing;
mod tokens;

pub use config::StoreConfig;
pub use error::StoreError;
pub use model::{Delivery, Event, EventCounts, EventKind, NewEvent, OrderChange, StoredToken};
pub use refunds::{NewRefund, RefundInsert, RefundRecord, RefundState};

use migrations::Dialect;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, oneshot};

/// How long a statement waits for a lock (SQLite) or a connection.
const WAIT: Duration = Duration::from_secs(5);
/// Order changes buffered per subscriber before it lags.
const CHANGES_BUFFER: usize = 1024;

enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

struct Inner {
    pool: Pool,
    changes: broadcast::Sender<OrderChange>,
    /// Tells this instance's own notifications apart from others'.
    instance: String,
    /// Dropped with the store: ends the PostgreSQL listener task.
    _listener: Option<oneshot::Sender<()>>,
}

/// A handle to the proxy's store: a real SQLite file or a PostgreSQL
/// database. Cheap to clone.
#[derive(Clone)]
pub struct Store(Arc<Inner>);

impl Store {
    /// Opens `sqlite:///abs/path.db` (created if missing, WAL, busy timeout)
    /// or `postgres://user@host:port/db`, and runs the migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let redacted = error::redact(url);
        let connect = |source| StoreError::Connect { url: redacted.clone(), source };
        let (sender, _) = broadcast::channel(CHANGES_BUFFER);
        let instance = random_hex(8);
        let (pool, listener) = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(WAIT);
            let pool = SqlitePoolOptions::new().max_connections(4).acquire_timeout(WAIT).connect_with(options).await.map_err(connect)?;
            Migrator::new(Dialect::SQLITE).await.map_err(StoreError::Migrate)?.run(&pool).await.map_err(StoreError::Migrate)?;
            (Pool::Sqlite(pool), None)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).map_err(connect)?;
            let pool = PgPoolOptions::new().max_connections(10).acquire_timeout(WAIT).connect_with(options).await.map_err(connect)?;
            Migrator::new(Dialect::POSTGRES).await.map_err(StoreError::Migrate)?.run(&pool).await.map_err(StoreError::Migrate)?;
            let stop = changes::listen(pool.clone(), sender.clone(), instance.clone()).await.map_err(connect)?;
            (Pool::Postgres(pool), Some(stop))
        } else {
            return Err(StoreError::UnsupportedUrl(redacted));
        };
        Ok(Store(Arc::new(Inner { pool, changes: sender, instance, _listener: listener })))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(drop).map_err(StoreError::from))
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn engine(&self) -> &'static str {
        match self.0.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    fn is_postgres(&self) -> bool {
        matches!(self.0.pool, Pool::Postgres(_))
    }
}

/// `n` random bytes as lowercase hex.
fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the OS random source failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
