//! Two real `paybridge-proxy proxy` processes on one throwaway PostgreSQL
//! database in front of the sandbox gateways (served here on 127.0.0.1): a
//! notification delivered to instance A wakes the long-poll instance B
//! holds; the store's state reaches both; `/healthz` follows the database.

mod pg;

use axum::extract::Path;
use axum::routing::get;
use axum::Router;
use paybridge::gateway::{protocol, CreateParams, OrderRef};
use paybridge::model::{Channel, Gateway, Mode};
use paybridge_proxy::sandbox::{self, gateway::Settings, SandboxState};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The test order's client secret, which its page holds.
const CLIENT_SECRET: &str = "pcs_two_instances_0123456789abcdef";

const ORDER: &str = "PB2INST0001";

/// A `paybridge-proxy proxy` process, killed on drop.
struct Instance {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Instance {
    /// Starts one on `port` with `config`; returns once it listens.
    async fn start(dir: &std::path::Path, name: &str, port: u16, config: &str, orders: &str) -> Instance {
        let config_path = dir.join(format!("{name}.toml"));
        std::fs::write(&config_path, config).unwrap();
        let log = dir.join(format!("{name}.log"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_paybridge-proxy"))
            .args(["proxy", "--config", config_path.to_str().unwrap(), "--orders", orders, "--port", &port.to_string()])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start paybridge-proxy");
        let stdout = child.stdout.take().unwrap();
        // The first stdout line says it listens; reading it ends when the process exits too.
        let first = tokio::task::spawn_blocking(move || BufReader::new(stdout).lines().next().and_then(Result::ok)).await.unwrap();
        let instance = Instance { child, base: format!("http://127.0.0.1:{port}"), log };
        assert!(first.as_deref().is_some_and(|l| l.starts_with("paybridge proxy:")), "{name} did not start: {first:?}\n{}", instance.logs());
        instance
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn post(&self, path: &str, body: String) -> reqwest::Response {
        let request = reqwest::Client::new().post(format!("{}{path}", self.base)).header("content-type", "application/json");
        request.header("paybridge-client-secret", CLIENT_SECRET).body(body).send().await.unwrap()
    }

    async fn health(&self) -> (u16, serde_json::Value) {
        let res = reqwest::get(format!("{}/healthz", self.base)).await.unwrap();
        (res.status().as_u16(), serde_json::from_slice(&res.bytes().await.unwrap()).unwrap())
    }

    /// Long-poll queries this instance holds now (its /metrics).
    async fn held(&self) -> u64 {
        let text = reqwest::get(format!("{}/metrics", self.base)).await.unwrap().text().await.unwrap();
        text.lines().find_map(|l| l.strip_prefix("paybridge_proxy_long_polls_held ")).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temp dir removed on drop (also when the test panics).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The proxy config: BlueOcean at the sandbox, notifications to `notify_port`, the store at `store`.
fn config(sandbox: &str, notify_port: u16, store: &str) -> String {
    let secrets: Vec<String> =
        paybridge_proxy::sandbox::credentials::sandbox_secrets(Gateway::BlueOcean).0.iter().map(|(k, v)| format!("{k} = {}", toml::Value::String(v.clone()))).collect();
    format!(
        "insecure_sandbox = true # a loopback sandbox upstream over http://\nnotify_base_url = \"http://127.0.0.1:{notify_port}/notify\"\n\n[gateways.blueocean]\nbase_url = \"{sandbox}/sandbox/blueocean\"\nsecrets = {{ {} }}\n\n[store]\nurl = \"{store}\"\n",
        secrets.join(", ")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_to_one_instance_wakes_a_long_poll_held_by_the_other() {
    let cluster = pg::Cluster::start();
    let store = cluster.database("two_instances");

    // The sandbox gateways and the merchant's order records, on one loopback server.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = format!("http://{}", listener.local_addr().unwrap());
    let orders = Router::new().route(
        "/{no}",
        get(|Path(no): Path<String>| async move { axum::Json(serde_json::json!({ "amount": 1234, "subject": format!("Tea {no}"), "clientSecret": CLIENT_SECRET })) }),
    );
    let app = Router::new().nest("/sandbox", sandbox::router(SandboxState::new(format!("{upstream}/sandbox"), Settings::default()))).nest("/orders", orders);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).with_graceful_shutdown(async move { drop(stopped.await) }).await;
    });

    // Declared before the instances: removed after they are killed.
    let dir = TempDir(std::env::temp_dir().join(format!("paybridge-two-instances-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let (port_a, port_b) = (free_port(), free_port());
    let text = config(&upstream, port_a, &store);
    let a = Instance::start(&dir.0, "a", port_a, &text, &format!("{upstream}/orders")).await;
    let b = Instance::start(&dir.0, "b", port_b, &text, &format!("{upstream}/orders")).await;
    for instance in [&a, &b] {
        assert_eq!(instance.health().await, (200, serde_json::json!({"ok": true, "store": "postgres"})));
    }

    // The page creates a QR order through B.
    let proto = protocol(Gateway::BlueOcean).unwrap();
    let create = proto.create_request(&CreateParams::new(Mode::Qr, Channel::Wechat, ORDER.to_owned())).unwrap();
    let created = b.post(&create.proxy_path(), create.params.to_json()).await;
    assert_eq!(created.status(), 200, "{}", b.logs());

    // B holds a long-poll for it.
    let query = proto.query_request(&OrderRef { out_trade_no: ORDER.to_owned(), channel: Channel::Wechat, mode: Mode::Qr, gateway_order_id: None }).unwrap();
    let (b_base, path, body) = (b.base.clone(), format!("{}?wait=25", query.proxy_path()), query.params.to_json());
    let held = tokio::spawn(async move {
        let request = reqwest::Client::new().post(format!("{b_base}{path}")).header("content-type", "application/json");
        request.header("paybridge-client-secret", CLIENT_SECRET).body(body).send().await.unwrap()
    });
    // Held only once B has asked the sandbox and found the order unpaid: watch B's gauge (bounded).
    let mut is_held = false;
    for _ in 0..200 {
        if b.held().await == 1 {
            is_held = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(is_held, "B never held the query\n{}", b.logs());

    // The payer pays; the sandbox notifies A (notify_base_url), A commits and NOTIFYs, B wakes.
    let paid = reqwest::Client::new().post(format!("{upstream}/sandbox/blueocean/_control/orders/{ORDER}/pay")).send().await.unwrap();
    assert!(paid.status().is_success(), "pay: {}", paid.status());
    let answer = tokio::time::timeout(Duration::from_secs(60), held).await.expect("the held query ends").unwrap();
    assert_eq!(answer.headers()["x-paybridge-wait"], "notified", "A: {}\nB: {}", a.logs(), b.logs());
    assert!(answer.text().await.unwrap().contains("SUCCESS"));

    // The database goes away: both instances say so.
    drop(cluster);
    assert_eq!(a.health().await.0, 503);
    assert_eq!(b.health().await.0, 503);
    drop((a, b, stop));
}
