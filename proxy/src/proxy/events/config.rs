//! `[merchant]`: where the proxy delivers payment events and how it retries.
//!
//! ```toml
//! [merchant]
//! events_url = "https://shop.example/paybridge/events"
//! events_secret = { env = "PAYBRIDGE_EVENTS_SECRET" }   # or "plain", or { file = "events.secret" }
//! first_retry_ms = 1000          # the first retry comes within 2 × this (jitter)
//! max_retry_ms = 900000          # the longest wait between two attempts (15 min)
//! retry_for_hours = 24           # then the event is kept as failed
//! delivery_timeout_ms = 10000    # a slower answer counts as a failure
//! ```
//! Without `events_url` no event is delivered (they are still recorded, for
//! the back office's event log).

use super::schedule::RetrySchedule;
use crate::proxy::config::SecretSource;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// Where events go, and the secret they are signed with.
#[derive(Clone, PartialEq, Eq)]
pub struct EventsEndpoint {
    /// The merchant's `POST` endpoint (http or https).
    pub url: String,
    /// The HMAC key of `Paybridge-Signature`.
    pub secret: String,
}

impl std::fmt::Debug for EventsEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventsEndpoint").field("url", &self.url).field("secret", &"<redacted>").finish()
    }
}

/// The `[merchant]` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantConfig {
    /// Where events are delivered; `None`: nowhere.
    pub events: Option<EventsEndpoint>,
    /// When failed deliveries are retried.
    pub retry: RetrySchedule,
    /// Longest wait for the merchant's answer to one delivery.
    pub delivery_timeout: Duration,
}

impl Default for MerchantConfig {
    fn default() -> Self {
        MerchantConfig {
            events: None,
            retry: RetrySchedule { first: Duration::from_secs(1), cap: Duration::from_secs(15 * 60), window: Duration::from_secs(24 * 3600) },
            delivery_timeout: Duration::from_secs(10),
        }
    }
}

/// `[merchant]` as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileMerchant {
    events_url: Option<String>,
    events_secret: Option<SecretSource>,
    first_retry_ms: Option<u64>,
    max_retry_ms: Option<u64>,
    retry_for_hours: Option<u64>,
    delivery_timeout_ms: Option<u64>,
}

impl FileMerchant {
    /// The checked section; `env` and `dir` resolve the secret.
    pub(crate) fn resolve(self, env: &dyn Fn(&str) -> Option<String>, dir: &Path) -> Result<MerchantConfig, String> {
        let defaults = MerchantConfig::default();
        let events = match (self.events_url, self.events_secret) {
            (None, None) => None,
            (None, Some(_)) => return Err("proxy config: merchant.events_secret is set without events_url".to_owned()),
            (Some(_), None) => return Err("proxy config: merchant.events_url needs events_secret (events are always signed)".to_owned()),
            (Some(url), Some(secret)) => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(format!("proxy config: merchant.events_url must be an http(s) URL, not {url:?}"));
                }
                let secret = secret.resolve("merchant.events_secret", env, dir)?.trim().to_owned();
                if secret.is_empty() {
                    return Err("proxy config: merchant.events_secret is empty".to_owned());
                }
                Some(EventsEndpoint { url, secret })
            }
        };
        let first = self.first_retry_ms.map_or(defaults.retry.first, Duration::from_millis);
        let cap = self.max_retry_ms.map_or(defaults.retry.cap, Duration::from_millis);
        let window = self.retry_for_hours.map_or(defaults.retry.window, |h| Duration::from_secs(h.saturating_mul(3600)));
        if first.is_zero() || cap < first {
            return Err("proxy config: merchant.first_retry_ms must be positive and at most max_retry_ms".to_owned());
        }
        if window.is_zero() {
            return Err("proxy config: merchant.retry_for_hours must be at least 1".to_owned());
        }
        let delivery_timeout = self.delivery_timeout_ms.map_or(defaults.delivery_timeout, Duration::from_millis);
        if delivery_timeout.is_zero() {
            return Err("proxy config: merchant.delivery_timeout_ms must be positive".to_owned());
        }
        Ok(MerchantConfig { events, retry: RetrySchedule { first, cap, window }, delivery_timeout })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<MerchantConfig, String> {
        let file: FileMerchant = toml::from_str(text).map_err(|e| e.to_string())?;
        file.resolve(&|name| (name == "EV_SECRET").then(|| "s3cret\n".to_owned()), Path::new("."))
    }

    #[test]
    fn reads_the_section_with_defaults() {
        let c = parse("events_url = \"https://shop.example/events\"\nevents_secret = { env = \"EV_SECRET\" }\nfirst_retry_ms = 500\n").unwrap();
        let events = c.events.as_ref().unwrap();
        assert_eq!((events.url.as_str(), events.secret.as_str()), ("https://shop.example/events", "s3cret"));
        assert_eq!(c.retry.first, Duration::from_millis(500));
        assert_eq!(c.retry.cap, MerchantConfig::default().retry.cap);
        assert!(c.retry.window >= Duration::from_secs(24 * 3600));
        assert!(!format!("{c:?}").contains("s3cret"), "Debug never shows the secret");
        assert_eq!(parse("").unwrap(), MerchantConfig::default());
    }

    #[test]
    fn refuses_unsigned_or_unusable_settings() {
        assert!(parse("events_url = \"https://x.example/e\"").unwrap_err().contains("events_secret"));
        assert!(parse("events_secret = \"k\"").unwrap_err().contains("events_url"));
        assert!(parse("events_url = \"ftp://x\"\nevents_secret = \"k\"").unwrap_err().contains("http"));
        assert!(parse("events_url = \"https://x.example/e\"\nevents_secret = \" \"").unwrap_err().contains("empty"));
        assert!(parse("first_retry_ms = 5000\nmax_retry_ms = 1000").is_err());
        assert!(parse("retry_for_hours = 0").is_err());
        assert!(parse("events_url = \"https://x.example/e\"\nevents_secret = { env = \"NOPE\" }").unwrap_err().contains("NOPE"));
    }
}
