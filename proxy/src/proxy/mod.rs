//! The reference signing proxy (wire protocol v2, `docs/proxy-protocol.md`,
//! threat model in `docs/security.md`).
//!
//! The browser sends a gateway's own path with an unsigned JSON object of
//! the gateway's own parameters; the proxy answers only allowlisted paths,
//! drops every server-owned field, sets the amount from the merchant's
//! order record, the notify URL and the client IP, signs and encodes the
//! request the gateway's way, sends it, checks the answer's signature and
//! returns the gateway's body verbatim. It also receives the gateways'
//! notifications, holds long-polls until one arrives, and limits the rate
//! per order. What must survive a restart or be shared by several
//! instances is in the store (`crate::store`: notifications seen, events
//! and the paid marks cancel safety reads, the HiPOS token, refunds);
//! rate-limit buckets and held long-polls stay per instance, and the
//! store's order changes wake every instance's long-polls. The merchant's
//! servers query, close and refund orders and read the event log over the
//! back office (`/back-office/…`, bearer token, never CORS), or send their
//! own gateway calls through the same path with [`ProxyState::back_office`].
//!
//! ```no_run
//! # use paybridge_proxy::{orders::OrderSource, proxy::{router, ProxyConfig, ProxyState}, store::Store};
//! # use std::path::Path;
//! # async fn f() -> Result<(), paybridge_proxy::store::StoreError> {
//! let store = Store::open("sqlite:///var/lib/paybridge/proxy.db").await?;
//! let config = ProxyConfig::load(Path::new("/etc/paybridge/proxy.toml")).expect("a valid configuration");
//! let state = ProxyState::new(config, OrderSource::memory(), store);
//! let app = axum::Router::new().nest("/proxy", router(state));
//! # Ok(()) }
//! ```

mod access_token;
mod back_office;
mod client_ip;
mod config;
mod cors;
mod error;
pub mod events;
mod exchange;
mod forward;
mod gateway_info;
mod limits;
mod longpoll;
mod metrics;
mod notify;
mod o2o;
pub(crate) mod openid;
mod order_access;
mod security;
mod upstream;
mod wx_config;

#[cfg(test)]
mod tests;

pub use back_office::BackOfficeConfig;
pub use config::{ClientIpSource, GatewayConfig, ProxyConfig, RateLimit, LONG_POLL_LIMIT};
pub use error::ProxyError;
pub use longpoll::WaitOutcome;
pub use security::{SecurityConfig, CLIENT_SECRET_HEADER, SUB_APPID_MINI_PROGRAM, SUB_APPID_OFFICIAL_ACCOUNT};

use crate::orders::OrderSource;
use crate::store::Store;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// Everything the handlers share.
pub(crate) struct Shared {
    config: ProxyConfig,
    orders: OrderSource,
    client: upstream::HttpClient,
    tokens: access_token::TokenCache,
    /// WeChat `jsapi_ticket`s for signing `wx.config` (HK wallet).
    tickets: wx_config::TicketCache,
    waiters: longpoll::Waiters,
    limiter: limits::RateLimiter,
    /// Events recorded by this process; wakes the delivery worker.
    events: events::Events,
    metrics: metrics::Metrics,
    /// What must survive restarts and be shared by instances (`crate::store`).
    pub(crate) store: Store,
    /// Dropped with the state: ends the task waking long-polls from the store's changes.
    _follow_changes: tokio::sync::oneshot::Sender<()>,
}

/// The proxy's state: configuration, order source, caches. Cheap to clone.
#[derive(Clone)]
pub struct ProxyState(Arc<Shared>);

impl ProxyState {
    /// A proxy serving `config`'s gateways with amounts from `orders`,
    /// keeping what must survive in `store`.
    pub fn new(config: ProxyConfig, orders: OrderSource, store: Store) -> ProxyState {
        let waiters = longpoll::Waiters::new(config.max_long_poll_waiters);
        let shared = Shared {
            client: upstream::client(),
            tokens: access_token::TokenCache::new(config.hipos_token_ttl),
            tickets: wx_config::TicketCache::default(),
            _follow_changes: waiters.follow(store.changes()),
            waiters,
            limiter: limits::RateLimiter::new(config.rate_limit),
            events: events::Events::new(),
            metrics: metrics::Metrics::new(),
            store,
            config,
            orders,
        };
        let shared = Arc::new(shared);
        events::start(&shared);
        ProxyState(shared)
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &ProxyConfig {
        &self.0.config
    }

    /// The store it keeps its state in.
    pub fn store(&self) -> &Store {
        &self.0.store
    }
}

/// The proxy's routes, relative to where it is mounted (the demo uses
/// `/proxy`). Serve it with `into_make_service_with_connect_info::<SocketAddr>()`
/// so the client IP is the peer's.
pub fn router(state: ProxyState) -> Router {
    Router::new()
        .route("/capabilities", get(capabilities))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .route("/notify/{gateway}", post(notify::notify))
        // HiPOS O2O (seed 000 L128-L132): HiPOS's calls to the merchant, and the order's page.
        .route("/notify/hipos/{interface}", post(o2o::app_side))
        .route("/hipos/o2o/{op}", post(o2o::page))
        .route("/wx-config", post(wx_config::wx_config))
        .route("/{gateway}/{*path}", post(forward::forward))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), cors::cors))
        // After the CORS layer, so it never wraps the back office.
        .merge(back_office::routes(state.clone()))
        .with_state(state)
}

/// `GET /capabilities`.
async fn capabilities(State(state): State<ProxyState>) -> Response {
    let gateways: Vec<&str> = state.0.config.gateways.iter().map(|(g, _)| g.as_str()).collect();
    let mut body = serde_json::json!({
        "protocol": 2,
        "clientSecret": state.0.config.security.require_client_secret,
        "gateways": gateways,
        "gatewayInfo": gateway_info::capability(&state.0.config),
        "longPoll": { "maxWait": state.0.config.long_poll_max_wait.as_secs() },
        "notify": true,
    });
    if let Some(authorize) = openid::capability(&state.0.config) {
        body["openidAuthorize"] = authorize;
    }
    json_response(StatusCode::OK, body.to_string())
}

/// `GET /metrics`.
async fn metrics_text(State(state): State<ProxyState>) -> Response {
    let body = state.0.metrics.render(state.0.waiters.held(), state.0.store.event_counts().await.ok());
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(metrics::CONTENT_TYPE));
    response
}

/// `GET /healthz`: 200 `{"ok":true,"store":"sqlite"}` when the store
/// answers, 503 `{"ok":false,…}` when it does not.
async fn healthz(State(state): State<ProxyState>) -> Response {
    let store = &state.0.store;
    match store.ping().await {
        Ok(()) => json_response(StatusCode::OK, serde_json::json!({ "ok": true, "store": store.engine() }).to_string()),
        Err(e) => {
            tracing::warn!(store = store.engine(), error = %e, "health check: the store does not answer");
            json_response(StatusCode::SERVICE_UNAVAILABLE, serde_json::json!({ "ok": false, "store": store.engine() }).to_string())
        }
    }
}

async fn not_found() -> Response {
    ProxyError::new(StatusCode::NOT_FOUND, "not_found", "no such proxy route").into_response()
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    response
}

/// The clock, in Unix milliseconds.
fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
