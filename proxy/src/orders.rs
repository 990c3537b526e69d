//! The merchant's order records: where the proxy takes an order's amount
//! and client secret from. The browser never chooses an amount.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One order as the merchant's back end knows it.
#[derive(Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// The merchant's order number (8–32 letters and digits).
    pub out_trade_no: String,
    /// Amount in minor units (fen / cents).
    pub amount: i64,
    /// Goods description.
    pub subject: String,
    /// The secret only the order's own page holds (≥ 128 random bits),
    /// sent as `Paybridge-Client-Secret`. Redacted in `Debug`.
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for OrderRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderRecord")
            .field("out_trade_no", &self.out_trade_no)
            .field("amount", &self.amount)
            .field("subject", &self.subject)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Why the order source could not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderSourceError {
    /// No answer within the configured connect or total timeout.
    Timeout,
    /// Unreachable, or an answer that is not a record.
    Unavailable(String),
}

impl std::fmt::Display for OrderSourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrderSourceError::Timeout => f.write_str("order source: no answer in time"),
            OrderSourceError::Unavailable(why) => f.write_str(why),
        }
    }
}

impl From<OrderSourceError> for String {
    fn from(e: OrderSourceError) -> String {
        e.to_string()
    }
}

/// Where order records come from.
#[derive(Clone, Debug)]
pub enum OrderSource {
    /// In this process (the demo shop writes here).
    Memory(Arc<Mutex<HashMap<String, OrderRecord>>>),
    /// The merchant's back end: `GET {url}/{out_trade_no}` answers
    /// `{"amount": fen, "subject": "...", "clientSecret": "..."}` or 404.
    Http { url: String, client: reqwest::Client },
}

impl OrderSource {
    /// An empty in-memory source.
    pub fn memory() -> Self {
        OrderSource::Memory(Arc::default())
    }

    /// The merchant's back end at `url`, asked with a connect and a total timeout.
    pub fn http(url: impl Into<String>, connect_timeout: Duration, timeout: Duration) -> Self {
        let client = reqwest::Client::builder().connect_timeout(connect_timeout).timeout(timeout).build().unwrap_or_default();
        OrderSource::Http { url: url.into(), client }
    }

    /// Stores a record (in-memory sources only; a no-op for HTTP sources).
    pub fn insert(&self, record: OrderRecord) {
        if let OrderSource::Memory(map) = self {
            map.lock().unwrap_or_else(|e| e.into_inner()).insert(record.out_trade_no.clone(), record);
        }
    }

    /// The record for `out_trade_no`: `Ok(None)` when the merchant has no
    /// such order, `Err` when the source could not be asked.
    pub async fn lookup(&self, out_trade_no: &str) -> Result<Option<OrderRecord>, OrderSourceError> {
        match self {
            OrderSource::Memory(map) => Ok(map.lock().unwrap_or_else(|e| e.into_inner()).get(out_trade_no).cloned()),
            OrderSource::Http { url, client } => {
                if !is_order_number(out_trade_no) {
                    return Ok(None);
                }
                let failed = |e: reqwest::Error| if e.is_timeout() { OrderSourceError::Timeout } else { OrderSourceError::Unavailable("order source: unreachable".to_owned()) };
                let res = client.get(format!("{}/{}", url.trim_end_matches('/'), out_trade_no)).send().await.map_err(failed)?;
                if res.status() == reqwest::StatusCode::NOT_FOUND {
                    return Ok(None);
                }
                if !res.status().is_success() {
                    return Err(OrderSourceError::Unavailable(format!("order source answered {}", res.status())));
                }
                let bytes = res.bytes().await.map_err(failed)?;
                let bad = |why: &str| OrderSourceError::Unavailable(format!("order source: {why}"));
                let body: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad("the answer is not JSON"))?;
                let amount = body.get("amount").and_then(serde_json::Value::as_i64).filter(|a| *a > 0).ok_or_else(|| bad("no positive integer amount"))?;
                let subject = body.get("subject").and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
                let client_secret = body.get("clientSecret").and_then(serde_json::Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
                Ok(Some(OrderRecord { out_trade_no: out_trade_no.to_owned(), amount, subject, client_secret }))
            }
        }
    }
}

/// Whether `s` is a valid order number: 8–32 ASCII letters and digits, which
/// every gateway's rules accept.
pub fn is_order_number(s: &str) -> bool {
    (8..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers() {
        assert!(is_order_number("PB2026112300001"));
        assert!(!is_order_number("short"));
        assert!(!is_order_number("has-dash-1234"));
        assert!(!is_order_number(&"9".repeat(33)));
    }

    #[tokio::test]
    async fn memory_source_round_trip() {
        let src = OrderSource::memory();
        src.insert(OrderRecord { out_trade_no: "PB00000001".into(), amount: 1234, subject: "tea".into(), client_secret: Some("s3cret".into()) });
        assert_eq!(src.lookup("PB00000001").await.unwrap().unwrap().amount, 1234);
        assert_eq!(src.lookup("PB00000002").await.unwrap(), None);
    }

    #[test]
    fn debug_hides_the_client_secret() {
        let r = OrderRecord { out_trade_no: "PB00000001".into(), amount: 1, subject: String::new(), client_secret: Some("s3cret".into()) };
        assert!(!format!("{r:?}").contains("s3cret"));
    }
}
