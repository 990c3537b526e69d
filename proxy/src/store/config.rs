//! The `[store]` section of the proxy configuration.
//!
//! ```toml
//! [store]
//! url = "sqlite:///var/lib/paybridge/proxy.db"      # or "postgres://paybridge@db.internal:5432/paybridge"
//! ```
//! Without `[store]` the proxy uses `paybridge-proxy.db` beside its
//! configuration file. A PostgreSQL password is best left out of the URL
//! and given in the `PGPASSWORD` environment variable.

use super::error::redact;
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Where the store is.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// `sqlite:///abs/path.db` or `postgres://user@host:port/db`.
    pub url: String,
}

impl StoreConfig {
    /// `paybridge-proxy.db` in `dir` (made absolute).
    pub fn beside(dir: &Path) -> StoreConfig {
        StoreConfig::sqlite(&std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned()).join("paybridge-proxy.db"))
    }

    /// The SQLite file at `path`.
    pub fn sqlite(path: &Path) -> StoreConfig {
        StoreConfig { url: format!("sqlite://{}", path.display()) }
    }

    /// The URL with any password replaced by `***`, for logs.
    pub fn redacted(&self) -> String {
        redact(&self.url)
    }

    /// A file name in the temp dir that no other call of this process (or
    /// other process) uses, e.g. for the demo: `paybridge-{label}-{pid}-{n}-{ns}.db`.
    pub fn fresh_temp_path(label: &str) -> PathBuf {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        std::env::temp_dir().join(format!("paybridge-{label}-{}-{n}-{nanos}.db", std::process::id()))
    }
}

impl fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreConfig").field("url", &self.redacted()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_beside_the_config_and_never_shows_a_password() {
        assert_eq!(StoreConfig::beside(Path::new("/etc/pay")).url, "sqlite:///etc/pay/paybridge-proxy.db");
        assert!(StoreConfig::beside(Path::new(".")).url.starts_with("sqlite:///"));
        let c = StoreConfig { url: "postgres://u:hunter2@db/p".into() };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_ne!(StoreConfig::fresh_temp_path("t"), StoreConfig::fresh_temp_path("t"));
    }
}
