//! Notification → merchant event, measured (`tests/bench/events.sh`). One
//! process on 127.0.0.1: the signing proxy with its store at `STORE_URL`
//! (a SQLite file or PostgreSQL) and `[merchant] events_url` pointing at an
//! in-process merchant endpoint that answers 200 at once.
//!
//! 1. Latency: `N` orders one after the other; for each, a signed BlueOcean
//!    `SUCCESS` notification is POSTed to `/proxy/notify/blueocean` and the
//!    clock stops when the merchant endpoint receives that order's
//!    `payment.succeeded` (verification, order lookup, the commit, the ack
//!    and the delivery worker's signed POST all inside).
//! 2. Throughput: `BURST` notifications sent 16 at a time; events per second
//!    from the first send until the merchant has received the last event.
//!
//! Usage: `events_bench STORE_URL [N] [BURST]` (defaults 300 and 2000).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use paybridge::gateway::wire;
use paybridge::json::Value;
use paybridge::model::Gateway;
use paybridge_proxy::demo::config::proxy_config;
use paybridge_proxy::orders::{OrderRecord, OrderSource};
use paybridge_proxy::proxy::events::EventsEndpoint;
use paybridge_proxy::proxy::{router, ProxyState};
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use paybridge_proxy::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};

/// Every order's amount, in fen.
const AMOUNT: i64 = 100;
/// Notifications in flight at once during the burst.
const CONCURRENCY: usize = 16;
/// The longest wait for one event before the run is called stuck.
const STUCK: Duration = Duration::from_secs(60);

/// Orders whose event the merchant endpoint is waiting for.
type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<Instant>>>>;

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The merchant endpoint: notes when each order's event arrived.
async fn receive(State(waiting): State<Waiting>, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let order = paybridge::json::parse(std::str::from_utf8(&body).unwrap_or_default()).ok().and_then(|v| v.text("outTradeNo").map(str::to_owned));
    if let Some(sender) = order.and_then(|o| waiting.lock().unwrap_or_else(|e| e.into_inner()).remove(&o)) {
        let _ = sender.send(at);
    }
    StatusCode::OK
}

async fn serve(app: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// One signed BlueOcean payment notification for `order`, sent to the proxy;
/// the receipt to wait for.
async fn notify(http: &reqwest::Client, proxy: &str, orders: &OrderSource, waiting: &Waiting, order: String) -> Result<oneshot::Receiver<Instant>, String> {
    orders.insert(OrderRecord { out_trade_no: order.clone(), amount: AMOUNT, subject: "bench".to_owned(), client_secret: None });
    let (sender, receiver) = oneshot::channel();
    waiting.lock().unwrap_or_else(|e| e.into_inner()).insert(order.clone(), sender);
    let fields = Value::object([
        ("out_trade_no", Value::str(&order)),
        ("total_fee", Value::int_value(AMOUNT)),
        ("transaction_id", Value::str(format!("T{order}"))),
        ("trade_state", Value::str("SUCCESS")),
    ]);
    let signed = wire(Gateway::BlueOcean).map_err(|e| e.to_string())?.encode_notification(&fields, &sandbox_secrets(Gateway::BlueOcean), now_ms());
    let mut request = http.post(format!("{proxy}/proxy/notify/blueocean")).body(signed.body);
    for (k, v) in signed.headers {
        request = request.header(k, v);
    }
    let status = request.send().await.map_err(|e| e.to_string())?.status();
    if !status.is_success() {
        return Err(format!("the proxy answered the notification for {order} with {status}"));
    }
    Ok(receiver)
}

async fn received(receiver: oneshot::Receiver<Instant>) -> Result<Instant, String> {
    tokio::time::timeout(STUCK, receiver).await.map_err(|_| "an event never arrived".to_owned())?.map_err(|_| "dropped".to_owned())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    // Rank of the p-th percentile in a sorted sample (nearest rank).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[tokio::main]
async fn main() -> Result<(), String> {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new("warn")).with_writer(std::io::stderr).init();
    let args: Vec<String> = std::env::args().collect();
    let store_url = args.get(1).ok_or("usage: events_bench STORE_URL [N] [BURST]")?;
    let n: usize = args.get(2).map_or(Ok(300), |a| a.parse()).map_err(|_| "N must be a number")?;
    let burst: usize = args.get(3).map_or(Ok(2000), |a| a.parse()).map_err(|_| "BURST must be a number")?;

    let waiting: Waiting = Arc::default();
    let merchant = serve(Router::new().route("/events", post(receive)).with_state(Arc::clone(&waiting))).await;
    let store = Store::open(store_url).await.map_err(|e| e.to_string())?;
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let proxy = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
    let mut config = proxy_config(&proxy);
    config.merchant.events = Some(EventsEndpoint { url: format!("{merchant}/events"), secret: "bench-fixture-secret".to_owned() });
    let orders = OrderSource::memory();
    let state = ProxyState::new(config, orders.clone(), store.clone());
    let app = Router::new().nest("/proxy", router(state));
    tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await });

    let http = reqwest::Client::new();
    let run = now_ms();
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let sent = Instant::now();
        let receiver = notify(&http, &proxy, &orders, &waiting, format!("BL{run}{i:06}")).await?;
        latencies.push(received(receiver).await? - sent);
    }
    latencies.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("store {} · {n} notifications one at a time", store.engine());
    println!("notification → merchant event: p50 {:.2} ms · p95 {:.2} ms · max {:.2} ms", ms(percentile(&latencies, 0.5)), ms(percentile(&latencies, 0.95)), ms(latencies[n - 1]));

    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(CONCURRENCY));
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..burst {
        let permit = Arc::clone(&gate).acquire_owned().await.map_err(|e| e.to_string())?;
        let (http, proxy, orders, waiting) = (http.clone(), proxy.clone(), orders.clone(), Arc::clone(&waiting));
        sends.spawn(async move {
            let receiver = notify(&http, &proxy, &orders, &waiting, format!("BB{run}{i:06}")).await;
            drop(permit);
            received(receiver?).await
        });
    }
    let mut last = started;
    while let Some(done) = sends.join_next().await {
        last = last.max(done.map_err(|e| e.to_string())??);
    }
    let seconds = (last - started).as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let rate = burst as f64 / seconds;
    println!("burst of {burst} ({CONCURRENCY} at a time): all delivered in {seconds:.2} s = {rate:.0} events/s");
    Ok(())
}
