//! The demo server: everything on one port (DESIGN.md "Demo server").
//!
//! | path | what |
//! |---|---|
//! | `/` | the demo pages (`www/`; each page inside the shell all share, see `pages`) |
//! | `/pkg/` | the built client (`pkg/`) |
//! | `/proxy/` | the reference signing proxy, configured for the sandbox; its back office at `/proxy/back-office/` |
//! | `/sandbox/` | the five sandbox gateways (the proxy's upstream) |
//! | `/shop/` | the demo merchant back end (`POST /shop/orders`, `POST /shop/events` — the proxy's `events_url` —, `GET /shop/hipos/device-code`) |
//!
//! Every response carries a strict Content-Security-Policy.

pub mod config;
mod pages;

use crate::orders::OrderSource;
use crate::proxy::events::EventsEndpoint;
use crate::proxy::{self, BackOfficeConfig, ProxyState};
use crate::sandbox::{self, gateway::Settings, SandboxState};
use crate::shop::{self, Shop};
use crate::store::Store;
use axum::http::{header, HeaderValue};
use axum::Router;
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy every demo page runs under: no inline script, no eval beyond
/// compiling wasm, nothing from other origins.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// The demo application for a server reachable at `base_url`
/// (e.g. `http://127.0.0.1:8080`), serving files below `root`, with the
/// proxy's state in `store`.
pub fn app(root: &Path, base_url: &str, store: Store) -> Router {
    let orders = OrderSource::memory();
    let mut config = config::proxy_config(base_url);
    config::use_sandbox_container(&mut config, base_url);
    config.back_office = Some(demo_back_office());
    // The demo runs what merchants deploy: the shop learns of payments from signed events over HTTP.
    let events_url = format!("{}/shop/events", base_url.trim_end_matches('/'));
    config.merchant.events = Some(EventsEndpoint { url: events_url, secret: shop::DEMO_EVENTS_SECRET.to_owned() });
    let shop = Shop::new(orders.clone());
    let proxy_state = ProxyState::new(config, orders, store);
    let shop = shop.with_proxy(proxy_state.clone());
    let sandbox_state = SandboxState::new(format!("{base_url}/sandbox"), Settings::default());
    Router::new()
        .nest("/proxy", proxy::router(proxy_state))
        .nest("/sandbox", sandbox::router(sandbox_state))
        .nest("/shop", shop::router(shop))
        .nest_service("/pkg", ServeDir::new(root.join("pkg")))
        .fallback_service(pages::router(root.join("www")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
}

/// The demo back office's bearer token: `PAYBRIDGE_BACK_OFFICE_TOKEN`, else
/// a random one (32 hex digits) printed at start.
fn demo_back_office() -> BackOfficeConfig {
    if let Ok(token) = std::env::var("PAYBRIDGE_BACK_OFFICE_TOKEN") {
        match BackOfficeConfig::new(token) {
            Ok(config) => return config,
            Err(e) => eprintln!("PAYBRIDGE_BACK_OFFICE_TOKEN ignored: {e}"),
        }
    }
    let mut bytes = [0u8; 16];
    // No OS random source: a token nobody can know, so the back office stays shut.
    let token: String = match getrandom::fill(&mut bytes) {
        Ok(()) => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        Err(_) => return BackOfficeConfig { token: String::new() },
    };
    println!("back office: Authorization: Bearer {token} (set PAYBRIDGE_BACK_OFFICE_TOKEN to choose it)");
    BackOfficeConfig { token }
}
