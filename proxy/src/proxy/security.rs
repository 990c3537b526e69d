//! The proxy's security rules (docs/security.md): per-order client secrets,
//! the start-up refusal of unsafe upstreams, return-URL allowlisting,
//! goods-description cleaning and the notification replay window.

use super::config::ProxyConfig;
use super::error::ProxyError;
use crate::orders::OrderRecord;
use axum::http::{HeaderMap, StatusCode};
use paybridge::gateway::wire::{Notification, NotifyTime, Secrets, WireRequest};
use paybridge::gateway::{AppContainer, AppIdSlot, Endpoint, Operation, ProxyRules};
use paybridge::json::Value;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The request header carrying the order's client secret.
pub const CLIENT_SECRET_HEADER: &str = "paybridge-client-secret";

/// Default age beyond which a notification is refused (24 h).
pub const DEFAULT_NOTIFICATION_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// Default connect and total timeouts of the order source.
pub const DEFAULT_ORDER_SOURCE_CONNECT: Duration = Duration::from_secs(2);
/// See [`DEFAULT_ORDER_SOURCE_CONNECT`].
pub const DEFAULT_ORDER_SOURCE_TOTAL: Duration = Duration::from_secs(5);

/// Longest goods description sent, in characters (before the gateway's own byte cap).
pub const SUBJECT_MAX_CHARS: usize = 64;

/// The gateway secret naming the WeChat official account's app id.
pub const SUB_APPID_OFFICIAL_ACCOUNT: &str = "sub_appid_official_account";
/// The gateway secret naming the WeChat mini-program's app id.
pub const SUB_APPID_MINI_PROGRAM: &str = "sub_appid_mini_program";

/// The security settings of [`ProxyConfig`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityConfig {
    /// Allows `http://` upstreams and `verify_responses = false` (the
    /// sandbox only: both let anyone on the path forge a payment).
    pub insecure_sandbox: bool,
    /// Refuses orders whose record carries no `clientSecret`. `false` is
    /// unsafe: anyone who knows an order number can then read and close it.
    pub require_client_secret: bool,
    /// URL prefixes a return / redirect URL may start with; others are dropped.
    pub allowed_return_urls: Vec<String>,
    /// Connect timeout of the order source.
    pub order_source_connect_timeout: Duration,
    /// Total timeout of one order-source lookup.
    pub order_source_timeout: Duration,
    /// Notifications whose gateway timestamp is older than this are refused.
    pub notification_window: Duration,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            insecure_sandbox: false,
            require_client_secret: true,
            allowed_return_urls: Vec::new(),
            order_source_connect_timeout: DEFAULT_ORDER_SOURCE_CONNECT,
            order_source_timeout: DEFAULT_ORDER_SOURCE_TOTAL,
            notification_window: DEFAULT_NOTIFICATION_WINDOW,
        }
    }
}

/// Refuses a configuration that would fail open: an `http://` upstream or a
/// gateway with `verify_responses = false`, unless `insecure_sandbox` is set.
pub fn check_startup(config: &ProxyConfig) -> Result<(), String> {
    if config.security.insecure_sandbox {
        return Ok(());
    }
    for (gateway, g) in &config.gateways {
        let name = gateway.as_str();
        let plain = std::iter::once(g.base_url.as_str()).chain(g.path_map.iter().map(|(_, to)| to.as_str())).find(|u| u.to_ascii_lowercase().starts_with("http://"));
        if let Some(url) = plain {
            return Err(format!(
                "proxy config: gateways.{name} uses {url:?}: an http:// upstream lets anyone on the path read and forge answers; use https:// (or set insecure_sandbox = true for a local sandbox)"
            ));
        }
        if !g.verify_responses {
            return Err(format!(
                "proxy config: gateways.{name} has verify_responses = false: unsigned or forged answers would reach the page; remove it (or set insecure_sandbox = true for a local sandbox)"
            ));
        }
    }
    Ok(())
}

/// 403 `client_secret_mismatch`: the one answer to a browser call that does
/// not prove it comes from the order's own page. A missing or wrong secret,
/// a record without one and an order the merchant does not have all answer
/// it byte for byte, so a stranger cannot learn which order numbers exist.
pub fn client_secret_refused() -> ProxyError {
    ProxyError::new(StatusCode::FORBIDDEN, "client_secret_mismatch", "Paybridge-Client-Secret is missing or does not match the order")
}

/// Checks the `Paybridge-Client-Secret` header against the order record, in
/// constant time: [`client_secret_refused`] when missing or wrong, or when
/// the record has none and `require` is set (logged: the merchant's records
/// are wrong).
pub fn check_client_secret(record: &OrderRecord, headers: &HeaderMap, require: bool) -> Result<(), ProxyError> {
    let Some(expected) = record.client_secret.as_deref().filter(|s| !s.is_empty()) else {
        if require {
            tracing::warn!(order = record.out_trade_no, "the merchant's order record carries no clientSecret: every call about it is refused");
            return Err(client_secret_refused());
        }
        return Ok(());
    };
    let given = headers.get(CLIENT_SECRET_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    if bool::from(given.ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(client_secret_refused())
    }
}

/// The WeChat app id of a JSAPI / mini-program create, as the proxy is
/// configured for the container (`sub_appid_official_account`,
/// `sub_appid_mini_program` among the gateway's secrets): the field and the
/// value to set, or `None` when the call takes none or nothing is
/// configured (then the page's own value, if any, goes). The gateway's rules
/// say where the call names it and which container the call runs in
/// ([`AppIdSlot`]).
pub fn configured_sub_appid(rules: &dyn ProxyRules, endpoint: &Endpoint, params: &[(String, Value)], secrets: &Secrets) -> Option<(&'static str, String)> {
    if endpoint.operation != Operation::Create {
        return None;
    }
    let AppIdSlot { field, container } = rules.app_id_slot(endpoint, params)?;
    let mini_id = secrets.get(SUB_APPID_MINI_PROGRAM).ok();
    let mini = match container {
        AppContainer::MiniProgram => true,
        AppContainer::OfficialAccount => false,
        AppContainer::AsGiven => mini_id.is_some() && params.iter().find(|(k, _)| k == field).and_then(|(_, v)| v.as_text()) == mini_id,
    };
    let configured = if mini { mini_id } else { secrets.get(SUB_APPID_OFFICIAL_ACCOUNT).ok() };
    configured.map(|id| (field, id.to_owned()))
}

/// `url` if it starts with one of the allowed prefixes (a prefix ending in
/// `/` or naming a whole origin, so `https://shop.example` does not admit
/// `https://shop.example.evil`).
pub fn allowed_return_url<'a>(allowed: &[String], url: &'a str) -> Option<&'a str> {
    let ok = allowed.iter().any(|prefix| {
        let Some(rest) = url.strip_prefix(prefix.as_str()) else { return false };
        prefix.ends_with('/') || rest.is_empty() || rest.starts_with(['/', '?', '#'])
    });
    (ok && !url.chars().any(char::is_control)).then_some(url)
}

/// A goods description as sent: control characters removed, whitespace
/// trimmed, at most [`SUBJECT_MAX_CHARS`] characters.
pub fn clean_subject(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect::<String>().trim().chars().take(SUBJECT_MAX_CHARS).collect()
}

/// The gateway's own timestamp of a notification, in Unix ms, read where
/// its wire says it is (`at`): HipoPay's `Timestamp` header (s), BeeCloud's
/// `timestamp` and HiPOS's `notify_time` (ms), BlueOcean's and ChaoYing's
/// `time_end` (`yyyyMMddHHmmss`, GMT+8).
pub fn notification_time_ms(at: NotifyTime, request: &WireRequest, notification: &Notification) -> Option<i64> {
    match at {
        NotifyTime::EpochHeader(name) => epoch_ms(request.header(name)?),
        NotifyTime::EpochField(name) => epoch_ms(&find_field(&notification.fields, name)?),
        NotifyTime::ChinaTimeField(name) => gmt8_compact_ms(&find_field(&notification.fields, name)?),
    }
}

/// A signed Unix timestamp in ms whatever its length: up to 11 digits are
/// seconds (a gateway that sends seconds where ms were expected, or the
/// reverse, is not refused as stale or future for it).
fn epoch_ms(text: &str) -> Option<i64> {
    let n: i64 = text.trim().parse().ok()?;
    if n.abs() < 100_000_000_000 {
        n.checked_mul(1000)
    } else {
        Some(n)
    }
}

/// Refuses a notification older than `window` by its gateway timestamp.
pub fn within_window(time_ms: Option<i64>, now_ms: i64, window: Duration) -> bool {
    let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
    time_ms.is_none_or(|t| now_ms.saturating_sub(t) <= window_ms)
}

/// A member's text (numbers as their digits), at the top level or one object down.
fn find_field(value: &Value, name: &str) -> Option<String> {
    let direct = |v: &Value| v.get(name).and_then(|f| f.as_text().map(str::to_owned).or_else(|| f.as_i64().map(|n| n.to_string())));
    direct(value).or_else(|| value.members()?.iter().find_map(|(_, v)| direct(v)))
}

/// `yyyyMMddHHmmss` in GMT+8 as Unix ms.
fn gmt8_compact_ms(text: &str) -> Option<i64> {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| text[r].parse::<i64>().ok();
    let (y, m, d, hh, mm, ss) = (n(0..4)?, n(4..6)?, n(6..8)?, n(8..10)?, n(10..12)?, n(12..14)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + hh * 3600 + mm * 60 + ss) - 8 * 3600) * 1000)
}

/// Replaces the text of a TOML error with its message and position only:
/// the default rendering quotes the offending line, which may hold a secret.
pub fn redacted_toml_error(e: &toml::de::Error, text: &str) -> String {
    let at = e.span().map(|s| {
        let before = &text[..s.start.min(text.len())];
        format!(" at line {}, column {}", before.matches('\n').count() + 1, before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1)
    });
    format!("proxy config: {}{}", e.message().trim_end(), at.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn record(secret: Option<&str>) -> OrderRecord {
        OrderRecord { out_trade_no: "PB00000001".into(), amount: 1, subject: String::new(), client_secret: secret.map(str::to_owned) }
    }

    #[test]
    fn client_secret_is_compared_and_required() {
        let mut h = HeaderMap::new();
        assert_eq!(check_client_secret(&record(Some("s3cret")), &h, true).unwrap_err().code, "client_secret_mismatch");
        h.insert(CLIENT_SECRET_HEADER, HeaderValue::from_static("s3cre"));
        assert!(check_client_secret(&record(Some("s3cret")), &h, true).is_err());
        h.insert(CLIENT_SECRET_HEADER, HeaderValue::from_static("s3cret"));
        assert!(check_client_secret(&record(Some("s3cret")), &h, true).is_ok());
        assert!(check_client_secret(&record(None), &h, true).is_err());
        assert!(check_client_secret(&record(None), &HeaderMap::new(), false).is_ok());
    }

    #[test]
    fn return_urls_need_an_allowed_prefix() {
        let allowed = vec!["https://shop.example".to_owned(), "https://m.example/pay/".to_owned()];
        assert!(allowed_return_url(&allowed, "https://shop.example/done?o=1").is_some());
        assert!(allowed_return_url(&allowed, "https://shop.example").is_some());
        assert!(allowed_return_url(&allowed, "https://m.example/pay/x").is_some());
        assert!(allowed_return_url(&allowed, "https://shop.example.evil/").is_none());
        assert!(allowed_return_url(&allowed, "https://m.example/other").is_none());
        assert!(allowed_return_url(&allowed, "https://evil.example/?https://shop.example").is_none());
        assert!(allowed_return_url(&[], "https://shop.example/").is_none());
    }

    #[test]
    fn subjects_lose_control_characters_and_length() {
        assert_eq!(clean_subject(" Tea\u{0}\r\n set\u{7f} "), "Tea set");
        assert_eq!(clean_subject(&"茶".repeat(100)).chars().count(), SUBJECT_MAX_CHARS);
    }

    #[test]
    fn gmt8_times_and_the_window() {
        // 2017-06-20 15:00:00 GMT+8 = 07:00:00 UTC.
        assert_eq!(gmt8_compact_ms("20170620150000"), Some(1_497_942_000_000));
        assert_eq!(gmt8_compact_ms("2017062015000"), None);
        assert_eq!(gmt8_compact_ms("20171320150000"), None);
        assert_eq!((epoch_ms("1435890533"), epoch_ms("1435890533866"), epoch_ms(" 1435890533866 ")), (Some(1_435_890_533_000), Some(1_435_890_533_866), Some(1_435_890_533_866)));
        let day = DEFAULT_NOTIFICATION_WINDOW;
        assert!(within_window(Some(1_000), 1_000 + 86_400_000, day));
        assert!(!within_window(Some(1_000), 1_001 + 86_400_000, day));
        assert!(within_window(None, i64::MAX, day));
    }

    #[test]
    fn toml_errors_do_not_quote_the_line() {
        let text = "notify_base_url = \"x\"\n[gateways.blueocean]\nsecrets = { app_key = \"TOPSECRET\" \n";
        let e = toml::from_str::<toml::Table>(text).unwrap_err();
        let shown = redacted_toml_error(&e, text);
        assert!(!shown.contains("TOPSECRET"), "{shown}");
        assert!(e.to_string().contains("TOPSECRET"), "the raw rendering quotes the line (what this guards against)");
        assert!(shown.contains("line 3"), "{shown}");
    }
}
