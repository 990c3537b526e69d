//! Loopback tests of the proxy: a real proxy server in front of a fake
//! upstream that verifies every request with the gateway's own
//! `decode_request` and answers fixture-like bodies.

mod back_office;
mod cancel_and_limits;
mod events;
mod fake;
mod forwarding;
mod long_poll;
mod metrics;
mod notifications;
mod o2o;
mod security;
mod store;

use super::{router, ProxyConfig, ProxyState};
use crate::orders::{OrderRecord, OrderSource};
use crate::store::testing::TempSqlite;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

/// The order every test pays for.
pub const ORDER: &str = "PB00000001";
/// Its amount in fen, from the merchant's record.
pub const AMOUNT: i64 = 1234;
/// The order's client secret, which only its own page holds.
pub const SECRET: &str = "pcs_0123456789abcdef0123456789abcdef";
/// The origin the test proxy allows.
pub const SHOP_ORIGIN: &str = "https://shop.example";

/// A server on 127.0.0.1 with an OS-chosen port, stopped when dropped.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl Server {
    /// Serves `app` (with the peer address available to handlers).
    pub async fn start(app: Router) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            let _ = axum::serve(listener, service)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Server { addr, stop: Some(stop) }
    }

    /// `http://127.0.0.1:port{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A proxy mounted at `/proxy` whose gateways all point at `upstream`
/// (at `/sandbox/{gateway}`, as in the demo), with the test order on record.
pub struct Proxy {
    pub server: Server,
    pub state: ProxyState,
    /// The proxy's store file, removed with the last proxy using it.
    db: Arc<TempSqlite>,
}

impl Proxy {
    /// Starts a proxy; `tweak` adjusts the configuration first.
    pub async fn start(upstream: &Server, tweak: impl FnOnce(&mut ProxyConfig)) -> Proxy {
        let orders = OrderSource::memory();
        orders.insert(OrderRecord { out_trade_no: ORDER.to_owned(), amount: AMOUNT, subject: "Tea set".to_owned(), client_secret: Some(SECRET.to_owned()) });
        Proxy::start_with(upstream, orders, tweak).await
    }

    /// Starts a proxy reading order records from `orders`.
    pub async fn start_with(upstream: &Server, orders: OrderSource, tweak: impl FnOnce(&mut ProxyConfig)) -> Proxy {
        Proxy::start_on(upstream, orders, tweak, Arc::new(TempSqlite::new())).await
    }

    /// Another instance in front of `upstream` on this one's store file (its
    /// own store handle, caches and long-polls), with the test order on record.
    pub async fn sibling(&self, upstream: &Server) -> Proxy {
        let orders = OrderSource::memory();
        orders.insert(OrderRecord { out_trade_no: ORDER.to_owned(), amount: AMOUNT, subject: "Tea set".to_owned(), client_secret: Some(SECRET.to_owned()) });
        Proxy::start_on(upstream, orders, |_| {}, Arc::clone(&self.db)).await
    }

    async fn start_on(upstream: &Server, orders: OrderSource, tweak: impl FnOnce(&mut ProxyConfig), db: Arc<TempSqlite>) -> Proxy {
        let mut config = crate::demo::config::proxy_config(&upstream.url(""));
        config.allowed_origins = vec![SHOP_ORIGIN.to_owned()];
        tweak(&mut config);
        let state = ProxyState::new(config, orders, db.open().await);
        let server = Server::start(Router::new().nest("/proxy", router(state.clone()))).await;
        Proxy { server, state, db }
    }

    /// POSTs `body` to `/proxy{path}` as the order's own page (with [`SECRET`]).
    pub async fn post(&self, path: &str, body: &str) -> reqwest::Response {
        self.post_as(Some(SECRET), path, body).await
    }

    /// POSTs `body` to `/proxy{path}` with `secret` as `Paybridge-Client-Secret` (none: without it).
    pub async fn post_as(&self, secret: Option<&str>, path: &str, body: &str) -> reqwest::Response {
        let mut request = reqwest::Client::new().post(self.server.url(&format!("/proxy{path}"))).header("content-type", "application/json");
        if let Some(secret) = secret {
            request = request.header(super::CLIENT_SECRET_HEADER, secret);
        }
        request.body(body.to_owned()).send().await.unwrap()
    }
}

/// The `proxy_error.code` of an answer.
pub async fn error_code(response: reqwest::Response) -> String {
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    body["proxy_error"]["code"].as_str().unwrap_or_default().to_owned()
}
