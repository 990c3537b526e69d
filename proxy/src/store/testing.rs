//! Test support: a store in a fresh SQLite file, removed when dropped.

use super::{Store, StoreConfig};
use std::path::PathBuf;

/// A fresh SQLite store file in the temp dir; the file (with its WAL
/// files) is removed on drop.
pub struct TempSqlite {
    /// `sqlite:///tmp/…db`.
    pub url: String,
    path: PathBuf,
}

impl TempSqlite {
    /// A name for a new file (nothing is created yet).
    pub fn new() -> TempSqlite {
        let path = StoreConfig::fresh_temp_path("test-store");
        TempSqlite { url: StoreConfig::sqlite(&path).url, path }
    }

    /// Opens (creating it on first use) the store in the file.
    pub async fn open(&self) -> Store {
        Store::open(&self.url).await.expect("a temp SQLite store opens")
    }
}

impl Default for TempSqlite {
    fn default() -> TempSqlite {
        TempSqlite::new()
    }
}

impl Drop for TempSqlite {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
    }
}
