//! Shared helpers for the sandbox tests: a sandbox server on 127.0.0.1:0
//! that stops when dropped, a client that acts as the signing proxy (it
//! signs with the gateway's wire and the sandbox test credentials), and a
//! tiny notification receiver.
#![allow(dead_code)] // each test binary uses a different part of the helpers

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::routing::any;
use axum::Router;
use paybridge::gateway::wire::{Secrets, WireRequest};
use paybridge::gateway::{rules, wire, HttpMethod};
use paybridge::json::Value;
use paybridge::model::Gateway;
use paybridge::url_guard::UrlPolicy;
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use paybridge_proxy::sandbox::gateway::Settings;
use paybridge_proxy::sandbox::{router, SandboxOptions, SandboxState};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

/// The longest a test waits for something the sandbox does in the background.
pub const WAIT: Duration = Duration::from_secs(15);

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// A listener on 127.0.0.1:0 and its base URL.
async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("local addr"));
    (listener, base)
}

/// Serves `app` until the returned sender is dropped.
fn serve(listener: TcpListener, app: Router) -> oneshot::Sender<()> {
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
    });
    stop
}

/// A running sandbox.
pub struct Sandbox {
    pub base: String,
    pub state: SandboxState,
    pub http: reqwest::Client,
    _stop: oneshot::Sender<()>,
}

/// Test settings: short PIN time; notifications retried after 50 ms, 4 times.
pub fn settings(counter_pin_ms: i64) -> Settings {
    Settings { order_ttl_ms: 10 * 60_000, counter_pin_ms }
}

impl Sandbox {
    /// Starts a sandbox with `settings` and a fast notification schedule.
    pub async fn start(settings: Settings) -> Sandbox {
        let (listener, base) = bind().await;
        let options = SandboxOptions { notify_schedule_ms: Some(vec![0, 50, 50, 50]), notify_timeout_ms: 2_000, ..SandboxOptions::default() };
        let state = SandboxState::with_options(base.clone(), settings, options);
        let stop = serve(listener, router(state.clone()));
        Sandbox { base, state, http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client"), _stop: stop }
    }

    /// The redirect policy a page would use against this sandbox.
    pub fn policy(&self) -> UrlPolicy {
        UrlPolicy { sandbox_hosts: vec![self.base.trim_start_matches("http://").to_owned()], extra_domains: Vec::new() }
    }

    /// Sends `params` to the gateway path as the proxy would (signed with
    /// `secrets`); the status and the raw body.
    pub async fn send(&self, gw: Gateway, path: &str, params: &Value, secrets: &Secrets) -> (u16, String) {
        let request = self.encode(gw, path, params, secrets);
        self.send_wire(gw, &request).await
    }

    /// The proxy's encoding of a request.
    pub fn encode(&self, gw: Gateway, path: &str, params: &Value, secrets: &Secrets) -> WireRequest {
        let proto = rules(gw).expect("proxy rules");
        let endpoint = proto.endpoint(path, params.text("method")).expect("known endpoint");
        wire(gw).expect("wire").encode_request(endpoint, path, params, secrets, now_ms()).expect("encode")
    }

    /// Sends an encoded request to the sandbox.
    pub async fn send_wire(&self, gw: Gateway, request: &WireRequest) -> (u16, String) {
        let method = match request.http {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
        };
        let url = format!("{}/{}{}", self.base, gw.as_str(), request.path_and_query);
        let mut builder = self.http.request(method, url).body(request.body.clone());
        for (k, v) in &request.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let response = builder.send().await.expect("sandbox answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// Sends with the sandbox credentials and parses the JSON answer.
    pub async fn call(&self, gw: Gateway, path: &str, params: &Value) -> Value {
        let (status, text) = self.send(gw, path, params, &sandbox_secrets(gw)).await;
        assert_eq!(status, 200, "{path}: {text}");
        paybridge::json::parse(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e:?}): {text}"))
    }

    /// `POST /{gw}/_control/orders/{no}/{action}`: status and JSON.
    pub async fn control(&self, gw: Gateway, no: &str, action: &str) -> (u16, serde_json::Value) {
        let url = format!("{}/{}/_control/orders/{no}/{action}", self.base, gw.as_str());
        let r = self.http.post(url).send().await.expect("control answers");
        let status = r.status().as_u16();
        let text = r.text().await.expect("control body");
        (status, serde_json::from_str(&text).expect("control JSON"))
    }

    /// `GET /{blueocean}/_control/orders/{no}` as JSON.
    pub async fn control_order(&self, no: &str) -> serde_json::Value {
        serde_json::from_str(&self.get(&format!("/blueocean/_control/orders/{no}")).await.1).expect("order JSON")
    }

    /// `GET` a sandbox path: status and text.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.http.get(format!("{}{path}", self.base)).send().await.expect("sandbox answers");
        (r.status().as_u16(), r.text().await.expect("body"))
    }

    /// Posts fault rules (JSON text); panics unless accepted.
    pub async fn faults(&self, rules: &str) {
        let r = self.http.post(format!("{}/_control/faults", self.base)).body(rules.to_owned()).send().await.expect("faults answer");
        assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap_or_default());
    }

    /// The delivery record of the notification for `no`, once finished.
    pub async fn finished_delivery(&self, no: &str) -> serde_json::Value {
        for _ in 0..300 {
            let (_, text) = self.get("/_control/notifications").await;
            let list: serde_json::Value = serde_json::from_str(&text).expect("deliveries JSON");
            if let Some(record) = list.as_array().into_iter().flatten().find(|r| r["out_trade_no"] == no && r["finished"] == true) {
                return record.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the notification for {no} never finished")
    }
}

/// One request the receiver got.
pub type Received = WireRequest;

/// A notification receiver: answers 500 `fail` to the first `fail_first`
/// requests, then `ack`.
pub struct Receiver {
    pub url: String,
    rx: mpsc::UnboundedReceiver<Received>,
    pub count: Arc<AtomicUsize>,
    _stop: oneshot::Sender<()>,
}

#[derive(Clone)]
struct ReceiverState {
    tx: mpsc::UnboundedSender<Received>,
    count: Arc<AtomicUsize>,
    fail_first: usize,
    ack: &'static str,
}

async fn receive(State(s): State<ReceiverState>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> (axum::http::StatusCode, String) {
    let n = s.count.fetch_add(1, Ordering::SeqCst);
    let http = if method == Method::GET { HttpMethod::Get } else { HttpMethod::Post };
    let headers = headers.iter().filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned()))).collect();
    let _ = s.tx.send(WireRequest { http, path_and_query: uri.to_string(), headers, body: body.to_vec() });
    if n < s.fail_first {
        (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "fail".to_owned())
    } else {
        (axum::http::StatusCode::OK, s.ack.to_owned())
    }
}

impl Receiver {
    /// Starts a receiver on 127.0.0.1:0.
    pub async fn start(ack: &'static str, fail_first: usize) -> Receiver {
        let (tx, rx) = mpsc::unbounded_channel();
        let count = Arc::new(AtomicUsize::new(0));
        let state = ReceiverState { tx, count: count.clone(), fail_first, ack };
        let (listener, base) = bind().await;
        let stop = serve(listener, Router::new().route("/{*path}", any(receive)).with_state(state));
        Receiver { url: format!("{base}/notify"), rx, count, _stop: stop }
    }

    /// The next notification (panics after [`WAIT`]).
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(WAIT, self.rx.recv()).await.expect("a notification arrives").expect("receiver open")
    }

    /// How many requests arrived.
    pub fn received(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}
