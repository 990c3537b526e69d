//! Shared pieces of the event delivery tests: real `paybridge-proxy proxy`
//! processes (the binary merchants deploy) in front of an in-test sandbox
//! upstream and an in-test order source, and a merchant events endpoint
//! that checks every signature, can be down (500) or hold requests, and
//! records every attempt. Everything listens on 127.0.0.1 and stops on drop.
#![allow(dead_code)] // each test binary uses a different part of the helpers

#[path = "../loopback/mod.rs"]
mod loopback;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use paybridge::gateway::wire;
use paybridge::json::Value;
use paybridge::model::Gateway;
use paybridge_proxy::proxy::events::signature;
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use paybridge_proxy::sandbox::gateway::Settings;
use paybridge_proxy::sandbox::SandboxState;
use paybridge_proxy::store::{EventCounts, Store};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path as FsPath, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{oneshot, watch};

/// The events secret of these tests: a fixture, not a credential.
pub const EVENTS_SECRET: &str = "events-test-fixture-secret";
/// Every order's amount in the in-test order source, in fen.
pub const AMOUNT: i64 = 1234;
/// The longest any test waits for one thing to happen.
pub const WAIT: Duration = Duration::from_secs(40);

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Serves `app` on a free loopback port: its base URL and stop handle.
async fn serve(app: Router) -> (String, oneshot::Sender<()>) {
    let (listener, base) = loopback::bind().await;
    (base, loopback::serve(listener, app, ()))
}

/// The upstream (the sandbox gateways) and the merchant's order source.
pub struct Upstreams {
    pub sandbox: String,
    pub orders: String,
    _stops: [oneshot::Sender<()>; 2],
}

impl Upstreams {
    /// Starts both; the order source knows every well-formed order number, at [`AMOUNT`].
    pub async fn start() -> Upstreams {
        let (listener, sandbox_base) = loopback::bind().await;
        let state = SandboxState::new(format!("{sandbox_base}/sandbox"), Settings::default());
        let sandbox_stop = loopback::serve(listener, Router::new().nest("/sandbox", paybridge_proxy::sandbox::router(state)), ());
        let orders =
            Router::new().route(
                "/orders/{no}",
                get(|Path(no): Path<String>| async move {
                    axum::Json(serde_json::json!({ "amount": AMOUNT, "subject": format!("order {no}"), "clientSecret": format!("cs_test_{no}") }))
                }),
            );
        let (orders_base, orders_stop) = serve(orders).await;
        Upstreams { sandbox: format!("{sandbox_base}/sandbox"), orders: format!("{orders_base}/orders"), _stops: [sandbox_stop, orders_stop] }
    }
}

/// How the merchant's endpoint answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// 500 to everything.
    Down,
    /// Never answers (until the sender goes away or 60 s pass).
    Hold,
    /// 200.
    Up,
}

/// One request the endpoint received.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub id: String,
    pub body: Vec<u8>,
    /// The answer: 500, 200, or 0 while (or because) it was held.
    pub status: u16,
}

#[derive(Default)]
struct Log {
    attempts: Vec<Attempt>,
    in_flight: HashSet<String>,
    /// Times an id arrived while a request with the same id was in flight.
    overlaps: usize,
    bad_signatures: usize,
}

struct MerchantState {
    mode: Mutex<Mode>,
    log: Mutex<Log>,
    changed: watch::Sender<u64>,
}

impl MerchantState {
    fn update(&self, f: impl FnOnce(&mut Log)) {
        f(&mut self.log.lock().unwrap());
        self.changed.send_modify(|n| *n += 1);
    }
}

/// Removes its id from the in-flight set when the request ends, answered or dropped.
struct InFlight {
    state: Arc<MerchantState>,
    id: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let id = self.id.clone();
        self.state.update(|log| {
            log.in_flight.remove(&id);
        });
    }
}

/// The merchant's events endpoint.
pub struct Merchant {
    /// `http://127.0.0.1:N/events`.
    pub url: String,
    state: Arc<MerchantState>,
    _stop: oneshot::Sender<()>,
}

impl Merchant {
    /// Starts the endpoint in `mode`.
    pub async fn start(mode: Mode) -> Merchant {
        let state = Arc::new(MerchantState { mode: Mutex::new(mode), log: Mutex::default(), changed: watch::channel(0).0 });
        let app = Router::new().route("/events", post(receive)).with_state(Arc::clone(&state));
        let (base, stop) = serve(app).await;
        Merchant { url: format!("{base}/events"), state, _stop: stop }
    }

    /// Switches how later requests are answered.
    pub fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
        self.state.changed.send_modify(|n| *n += 1);
    }

    /// Every attempt so far.
    pub fn attempts(&self) -> Vec<Attempt> {
        self.state.log.lock().unwrap().attempts.clone()
    }

    /// The ids answered 200, in order.
    pub fn delivered(&self) -> Vec<String> {
        self.attempts().into_iter().filter(|a| a.status == 200).map(|a| a.id).collect()
    }

    /// The ids being held or answered right now.
    pub fn in_flight(&self) -> HashSet<String> {
        self.state.log.lock().unwrap().in_flight.clone()
    }

    /// Same-id requests that overlapped in time.
    pub fn overlaps(&self) -> usize {
        self.state.log.lock().unwrap().overlaps
    }

    /// Requests whose signature did not verify.
    pub fn bad_signatures(&self) -> usize {
        self.state.log.lock().unwrap().bad_signatures
    }

    /// Waits (at most [`WAIT`]) until `done` holds, re-checking on every
    /// request the endpoint sees; panics with `what` otherwise.
    pub async fn wait_until(&self, what: &str, done: impl Fn(&Merchant) -> bool) {
        let mut changes = self.state.changed.subscribe();
        let waited = tokio::time::timeout(WAIT, async {
            while !done(self) {
                if changes.changed().await.is_err() {
                    return;
                }
            }
        })
        .await;
        assert!(waited.is_ok() && done(self), "timed out waiting until {what}; attempts: {:?}", self.summary());
    }

    fn summary(&self) -> Vec<(String, u16)> {
        self.attempts().into_iter().map(|a| (a.id, a.status)).collect()
    }
}

/// The store's event counts once no event is pending any more (at most
/// [`WAIT`]): the merchant sees its 200 before the proxy commits the
/// delivery, so a count read right after the merchant's last answer can
/// still show that event pending.
pub async fn settled_counts(store: &Store) -> EventCounts {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let counts = store.event_counts().await.expect("event counts");
        if counts.pending == 0 || tokio::time::Instant::now() >= deadline {
            return counts;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn receive(State(state): State<Arc<MerchantState>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = headers.get(signature::HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let signed = signature::verify(EVENTS_SECRET.as_bytes(), header, &body, now_ms() / 1000, signature::DEFAULT_TOLERANCE_SECS).is_ok();
    let id = serde_json::from_slice::<serde_json::Value>(&body).ok().and_then(|v| v["id"].as_str().map(str::to_owned));
    let (Some(id), true, "application/json") = (id, signed, content_type) else {
        state.update(|log| log.bad_signatures += 1);
        return StatusCode::BAD_REQUEST;
    };
    let mode = *state.mode.lock().unwrap();
    let index = {
        let mut log = state.log.lock().unwrap();
        if !log.in_flight.insert(id.clone()) {
            log.overlaps += 1;
        }
        log.attempts.push(Attempt { id: id.clone(), body: body.to_vec(), status: 0 });
        log.attempts.len() - 1
    };
    let _in_flight = InFlight { state: Arc::clone(&state), id };
    let status = match mode {
        Mode::Down => StatusCode::INTERNAL_SERVER_ERROR,
        Mode::Up => StatusCode::OK,
        Mode::Hold => {
            state.changed.send_modify(|n| *n += 1);
            // Dropped with its connection when the sending proxy dies.
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    state.update(|log| log.attempts[index].status = status.as_u16());
    status
}

/// A `paybridge-proxy proxy` process; SIGKILLed when dropped.
pub struct ProxyProcess {
    /// `http://127.0.0.1:N` (the proxy's routes are at the root).
    pub base: String,
    child: Child,
}

impl ProxyProcess {
    /// Starts the binary with `config` and the order source `orders`, logging
    /// to `log` (appended), and waits until it listens.
    pub fn start(config: &FsPath, orders: &str, log: &FsPath) -> ProxyProcess {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("proxy log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_paybridge-proxy"))
            .args(["proxy", "--config"])
            .arg(config)
            .args(["--orders", orders, "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start paybridge-proxy");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("proxy start line");
        // "paybridge proxy: http://127.0.0.1:N/ (…)"
        let base = line.split_whitespace().nth(2).unwrap_or_default().trim_end_matches('/').to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "the proxy did not start: {line:?}");
        ProxyProcess { base, child }
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends a signed BlueOcean `SUCCESS` notification for `order` and
    /// returns the proxy's answer (status, body).
    pub async fn notify_paid(&self, order: &str, transaction_id: &str) -> (u16, String) {
        let fields = Value::object([
            ("out_trade_no", Value::str(order)),
            ("total_fee", Value::int_value(AMOUNT)),
            ("transaction_id", Value::str(transaction_id)),
            ("trade_state", Value::str("SUCCESS")),
        ]);
        let signed = wire(Gateway::BlueOcean).unwrap().encode_notification(&fields, &sandbox_secrets(Gateway::BlueOcean), now_ms());
        let mut request = reqwest::Client::new().post(format!("{}/notify/blueocean", self.base)).body(signed.body);
        for (k, v) in signed.headers {
            request = request.header(k, v);
        }
        let response = request.send().await.expect("notify");
        (response.status().as_u16(), response.text().await.unwrap_or_default())
    }
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A temp directory with a proxy config (and, by default, its SQLite store)
/// in it; removed on drop, after printing the proxies' log if the test failed.
pub struct Setup {
    pub dir: PathBuf,
    /// The proxies' store.
    pub store_url: String,
}

impl Setup {
    /// Writes `proxy.toml`: the store at `store_url` (`None`: a SQLite file
    /// in the directory), BlueOcean at the sandbox, events to `merchant`
    /// with the fixture secret from a file, short retries (0.1–0.4 s) and a
    /// 3 s delivery timeout (an 8 s lease: a held request outlives the
    /// steps of a test, and a killed instance's claims expire soon enough).
    pub fn new(label: &str, store_url: Option<&str>, upstreams: &Upstreams, merchant: &Merchant) -> Setup {
        let dir = std::env::temp_dir().join(format!("paybridge-events-{label}-{}-{}", std::process::id(), now_ms()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("events.secret"), format!("{EVENTS_SECRET}\n")).expect("secret file");
        let store_url = store_url.map_or_else(|| format!("sqlite://{}", dir.join("proxy.db").display()), str::to_owned);
        let secrets: toml::Table = sandbox_secrets(Gateway::BlueOcean).0.into_iter().map(|(k, v)| (k, toml::Value::String(v))).collect();
        let config = format!(
            "insecure_sandbox = true # a loopback sandbox upstream over http://\nnotify_base_url = \"http://127.0.0.1:9/notify\"\n\n[store]\nurl = {store}\n\n[merchant]\nevents_url = {events}\nevents_secret = {{ file = \"events.secret\" }}\nfirst_retry_ms = 100\nmax_retry_ms = 400\ndelivery_timeout_ms = 3000\n\n[gateways.blueocean]\nbase_url = {base}\nsecrets = {secrets}\n",
            store = toml::Value::String(store_url.clone()),
            events = toml::Value::String(merchant.url.clone()),
            base = toml::Value::String(format!("{}/blueocean", upstreams.sandbox)),
            secrets = toml::Value::Table(secrets),
        );
        std::fs::write(dir.join("proxy.toml"), config).expect("config");
        Setup { dir, store_url }
    }

    /// Starts a proxy process on this config.
    pub fn proxy(&self, upstreams: &Upstreams) -> ProxyProcess {
        ProxyProcess::start(&self.dir.join("proxy.toml"), &upstreams.orders, &self.dir.join("proxy.log"))
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- proxy log ---\n{}", std::fs::read_to_string(self.dir.join("proxy.log")).unwrap_or_default());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
