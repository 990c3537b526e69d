//! `GET /metrics`: the proxy's counters in the Prometheus / OpenMetrics text
//! format, through the `prometheus-client` crate. Counts only: no order
//! number, secret or body ever becomes a label.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `paybridge_proxy_requests_total` | counter | `gateway`, `status` (HTTP status of the browser call) |
//! | `paybridge_proxy_notifications_total` | counter | `gateway`, `status` |
//! | `paybridge_proxy_upstream_seconds` | histogram | `gateway` (time waiting for the gateway) |
//! | `paybridge_proxy_long_polls_held` | gauge | — (this instance) |
//! | `paybridge_proxy_events` | gauge | `delivery` (`pending`, `failed`, `delivered`: payment events in the store, all instances) |
//!
//! Serve it where only the monitoring system reaches it (the load balancer
//! should not route `/metrics` from the internet).

use crate::store::EventCounts;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The content type of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Upper bounds of the upstream latency buckets, in seconds.
const UPSTREAM_BUCKETS: [f64; 12] = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    gateway: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GatewayLabel {
    gateway: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabel {
    delivery: &'static str,
}

/// The proxy's metric families and the registry that renders them.
pub struct Metrics {
    registry: Registry,
    requests: Family<CallLabels, Counter>,
    notifications: Family<CallLabels, Counter>,
    upstream: Family<GatewayLabel, Histogram>,
    long_polls: Gauge,
    events: Family<DeliveryLabel, Gauge>,
}

impl Metrics {
    /// Every family registered, all zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("paybridge_proxy");
        let requests = Family::<CallLabels, Counter>::default();
        let notifications = Family::<CallLabels, Counter>::default();
        let upstream = Family::<GatewayLabel, Histogram>::new_with_constructor(|| Histogram::new(UPSTREAM_BUCKETS));
        let long_polls = Gauge::default();
        let events = Family::<DeliveryLabel, Gauge>::default();
        registry.register("requests", "Browser calls answered, by gateway and HTTP status", requests.clone());
        registry.register("notifications", "Gateway notifications answered, by gateway and HTTP status", notifications.clone());
        registry.register("upstream_seconds", "Time spent waiting for the gateway per browser call", upstream.clone());
        registry.register("long_polls_held", "Long-poll queries held by this instance now", long_polls.clone());
        registry.register("events", "Payment events in the store by delivery state, all instances", events.clone());
        Metrics { registry, requests, notifications, upstream, long_polls, events }
    }

    /// Counts one browser call answered with `status`, which waited
    /// `upstream_ms` for the gateway (`None`: it never reached the gateway).
    pub fn request(&self, gateway: &str, status: u16, upstream_ms: Option<u64>) {
        self.requests.get_or_create(&CallLabels { gateway: label(gateway), status }).inc();
        if let Some(ms) = upstream_ms {
            // Milliseconds to seconds: exact for every realistic value.
            #[allow(clippy::cast_precision_loss)]
            self.upstream.get_or_create(&GatewayLabel { gateway: label(gateway) }).observe(ms as f64 / 1000.0);
        }
    }

    /// Counts one notification answered with `status`.
    pub fn notification(&self, gateway: &str, status: u16) {
        self.notifications.get_or_create(&CallLabels { gateway: label(gateway), status }).inc();
    }

    /// The text exposition, with the gauges read now: `long_polls_held`, and
    /// the store's event counts (`None`: the store did not answer; the last
    /// values stay).
    pub fn render(&self, long_polls_held: usize, events: Option<EventCounts>) -> String {
        self.long_polls.set(i64::try_from(long_polls_held).unwrap_or(i64::MAX));
        if let Some(counts) = events {
            for (delivery, n) in [("pending", counts.pending), ("failed", counts.failed), ("delivered", counts.delivered)] {
                self.events.get_or_create(&DeliveryLabel { delivery }).set(i64::try_from(n).unwrap_or(i64::MAX));
            }
        }
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// A gateway name as a label: only the five known names pass, anything
/// else a caller typed becomes `other` (labels must stay few).
fn label(gateway: &str) -> String {
    match paybridge::model::Gateway::parse(gateway) {
        Some(g) => g.as_str().to_owned(),
        None => "other".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_in_the_text_format() {
        let metrics = Metrics::new();
        metrics.request("blueocean", 200, Some(12));
        metrics.request("blueocean", 200, Some(3));
        metrics.request("../etc", 404, None);
        metrics.notification("hipos", 400);
        let text = metrics.render(7, Some(EventCounts { pending: 2, failed: 1, delivered: 40 }));
        assert!(text.contains(r#"paybridge_proxy_requests_total{gateway="blueocean",status="200"} 2"#), "{text}");
        assert!(text.contains(r#"paybridge_proxy_requests_total{gateway="other",status="404"} 1"#), "{text}");
        assert!(text.contains(r#"paybridge_proxy_notifications_total{gateway="hipos",status="400"} 1"#), "{text}");
        assert!(text.contains(r#"paybridge_proxy_upstream_seconds_count{gateway="blueocean"} 2"#), "{text}");
        assert!(text.contains(r#"paybridge_proxy_upstream_seconds_bucket{le="0.005",gateway="blueocean"} 1"#), "{text}");
        assert!(text.contains("paybridge_proxy_long_polls_held 7"), "{text}");
        assert!(text.contains(r#"paybridge_proxy_events{delivery="pending"} 2"#) && text.contains(r#"paybridge_proxy_events{delivery="failed"} 1"#), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
