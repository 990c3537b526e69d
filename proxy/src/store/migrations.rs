//! The schema migrations: one SQL source per migration (`proxy/migrations/`),
//! rendered for each engine by substituting `{{name}}` placeholders from that
//! engine's table, and handed to sqlx as its migrations.
//!
//! sqlx records the SHA-384 of each applied migration's text and refuses to
//! start when it changes, so a rendered text must stay byte for byte what
//! that engine's database has applied (the test in `proxy/tests/store.rs`
//! compares against `proxy/tests/migration-checksums.txt`). A new migration
//! is a new file here plus a line in [`SOURCES`]; an applied one never
//! changes.

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

/// The migrations in version order: version, description, source.
const SOURCES: &[(i64, &str, &str)] = &[
    (1, "store", include_str!("../../migrations/0001_store.sql")),
    (2, "refunds", include_str!("../../migrations/0002_refunds.sql")),
    (3, "hipos_token_lease", include_str!("../../migrations/0003_hipos_token_lease.sql")),
];

/// An engine's spelling of what the engines spell differently.
#[derive(Debug, Clone, Copy)]
pub(super) struct Dialect {
    /// Placeholder names (between `{{` and `}}`) and their text.
    substitutions: &'static [(&'static str, &'static str)],
}

impl Dialect {
    /// SQLite's spelling.
    pub(super) const SQLITE: Dialect = Dialect { substitutions: &[("engine", "SQLite"), ("other_engine_dir", "postgres"), ("serial_key", "INTEGER PRIMARY KEY AUTOINCREMENT")] };
    /// PostgreSQL's spelling.
    pub(super) const POSTGRES: Dialect = Dialect { substitutions: &[("engine", "PostgreSQL"), ("other_engine_dir", "sqlite"), ("serial_key", "BIGSERIAL PRIMARY KEY")] };

    /// `source` with each placeholder replaced by this engine's text.
    fn render(&self, source: &str) -> String {
        let mut sql = source.to_owned();
        for (name, text) in self.substitutions {
            sql = sql.replace(&format!("{{{{{name}}}}}"), text);
        }
        sql
    }

    /// Every migration, rendered.
    fn migrations(&self) -> Vec<Migration> {
        SOURCES
            .iter()
            .map(|(version, description, source)| Migration::new(*version, Cow::Borrowed(*description), MigrationType::Simple, Cow::Owned(self.render(source)), false))
            .collect()
    }
}

impl MigrationSource<'static> for Dialect {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        Box::pin(async move { Ok(self.migrations()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every placeholder of every source has a text in both engines' tables.
    #[test]
    fn no_placeholder_is_left() {
        for dialect in [Dialect::SQLITE, Dialect::POSTGRES] {
            for m in dialect.migrations() {
                assert!(!m.sql.contains("{{") && !m.sql.contains("}}"), "{dialect:?} migration {}: {}", m.version, m.sql);
            }
        }
    }
}
