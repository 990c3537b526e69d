//! A router served on a free 127.0.0.1 port for one test; it stops when the
//! returned sender is dropped.

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A listener on a free loopback port and its base URL (`http://127.0.0.1:N`).
pub async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    (listener, base)
}

/// Serves `app` on `listener` (with the peer address, as the binary does) until the sender drops,
/// keeping `guard` (e.g. a temp store file) until then.
pub fn serve(listener: TcpListener, app: Router, guard: impl Send + 'static) -> oneshot::Sender<()> {
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _guard = guard;
        let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let _ = axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
    });
    stop
}

/// The demo server (shop, proxy, sandbox, pages) on a free port: its base URL and stop handle.
#[allow(dead_code)] // not every test file starts the whole demo
pub async fn demo() -> (String, oneshot::Sender<()>) {
    let (listener, base) = bind().await;
    let db = paybridge_proxy::store::testing::TempSqlite::new();
    let app = paybridge_proxy::demo::app(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")), &base, db.open().await);
    (base.clone(), serve(listener, app, db))
}
