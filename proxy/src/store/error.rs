//! Store failures. Their text never carries a password: URLs are redacted
//! before they are kept, and driver errors are kept without the URL.

use crate::proxy::ProxyError;
use axum::http::StatusCode;
use std::fmt;

/// Why a store operation failed.
#[derive(Debug)]
pub enum StoreError {
    /// The URL is neither `sqlite://…` nor `postgres://…` (redacted URL).
    UnsupportedUrl(String),
    /// The database could not be opened or reached (redacted URL).
    Connect { url: String, source: sqlx::Error },
    /// Migrating the schema failed.
    Migrate(sqlx::migrate::MigrateError),
    /// A statement failed.
    Query(sqlx::Error),
    /// `events_after` was given an event id the log does not have.
    UnknownCursor,
    /// The caller does not hold the lease on the event (or it does not exist).
    NotLeaseOwner { id: String },
    /// A stored row holds a value this build cannot read.
    Corrupt(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::UnsupportedUrl(url) => write!(f, "store URL {url} is neither sqlite:// nor postgres://"),
            StoreError::Connect { url, source } => write!(f, "cannot open the store at {url}: {source}"),
            StoreError::Migrate(e) => write!(f, "store migration failed: {e}"),
            StoreError::Query(e) => write!(f, "store query failed: {e}"),
            StoreError::UnknownCursor => f.write_str("unknown event id"),
            StoreError::NotLeaseOwner { id } => write!(f, "event {id} is not leased to this owner"),
            StoreError::Corrupt(what) => write!(f, "unreadable store row: {what}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        StoreError::Query(e)
    }
}

impl From<StoreError> for ProxyError {
    /// 503 `store_unavailable`.
    fn from(e: StoreError) -> ProxyError {
        ProxyError::new(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", e.to_string())
    }
}

/// `url` with any password replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let tail = redact_query(tail);
    let Some(at) = authority.rfind('@') else { return format!("{scheme}://{authority}{tail}") };
    let (userinfo, host) = authority.split_at(at);
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{host}{tail}"),
        None => format!("{scheme}://{authority}{tail}"),
    }
}

/// A path and query with the value of a `password` parameter replaced.
fn redact_query(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else { return tail.to_owned() };
    let params: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => p.to_owned(),
        })
        .collect();
    format!("{path}?{}", params.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact("postgres://app:s3cr@t@db:5432/pay?sslmode=require"), "postgres://app:***@db:5432/pay?sslmode=require");
        assert_eq!(redact("postgres://app@db/pay"), "postgres://app@db/pay");
        assert_eq!(redact("sqlite:///var/lib/p.db"), "sqlite:///var/lib/p.db");
        assert_eq!(redact("postgres://db/pay?user=a&password=pw&x=1"), "postgres://db/pay?user=a&password=***&x=1");
    }
}
