//! The back office over HTTP on loopback, against the real sandbox gateways
//! and a real SQLite file: bearer auth, no CORS, refunds per gateway
//! (partial, full, idempotent, over-refund and unpaid refused, refund
//! query), close, and the event log's paging.

mod loopback;

use axum::Router;
use paybridge::gateway::{protocol, CreateParams};
use paybridge::model::{Channel, Gateway, Mode};
use paybridge_proxy::demo::config::proxy_config;
use paybridge_proxy::orders::{OrderRecord, OrderSource};
use paybridge_proxy::proxy::{self, BackOfficeConfig, ProxyState};
use paybridge_proxy::sandbox::{self, gateway::Settings, SandboxState};
use paybridge_proxy::store::testing::TempSqlite;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

const TOKEN: &str = "test-back-office-token-0123456789";
const AMOUNT: i64 = 1000;

struct Server {
    base: String,
    orders: OrderSource,
    http: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(back_office: bool) -> Server {
    let (listener, base) = loopback::bind().await;
    let db = TempSqlite::new();
    let mut config = proxy_config(&base);
    config.back_office = back_office.then(|| BackOfficeConfig::new(TOKEN).unwrap());
    let orders = OrderSource::memory();
    let state = ProxyState::new(config, orders.clone(), db.open().await);
    let sandbox = SandboxState::new(format!("{base}/sandbox"), Settings { counter_pin_ms: 0, ..Settings::default() });
    let app = Router::new().nest("/proxy", proxy::router(state)).nest("/sandbox", sandbox::router(sandbox));
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    Server { _stop: loopback::serve(listener, app, db), base, orders, http }
}

/// A fresh order number.
fn number(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}{:08}", N.fetch_add(1, Ordering::Relaxed))
}

impl Server {
    /// A back-office call with the token: status, body (JSON) and headers.
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}/proxy/back-office{path}", self.base)).bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, serde_json::from_str(&res.text().await.unwrap()).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// An order created through the proxy's browser path, paid by the payer when `pay`.
    async fn order(&self, gw: Gateway, pay: bool) -> String {
        let no = number("BO");
        // The order's page creates it with the order's client secret.
        let secret = format!("pcs_{no}");
        self.orders.insert(OrderRecord { out_trade_no: no.clone(), amount: AMOUNT, subject: "back office".into(), client_secret: Some(secret.clone()) });
        let create = protocol(gw).unwrap().create_request(&CreateParams::new(Mode::Qr, Channel::Wechat, &no)).unwrap();
        let url = format!("{}/proxy{}", self.base, create.proxy_path());
        let res = self.http.post(url).body(create.params.to_json()).header("content-type", "application/json").header("paybridge-client-secret", secret).send().await.unwrap();
        assert_eq!(res.status(), 200, "{gw:?} create: {}", res.text().await.unwrap());
        if pay {
            let res = self.http.post(format!("{}/sandbox/{}/_control/orders/{no}/pay", self.base, gw.as_str())).send().await.unwrap();
            assert_eq!(res.status(), 200, "{gw:?} pay");
        }
        no
    }
}

fn code(body: &Value) -> &str {
    body["proxy_error"]["code"].as_str().unwrap_or_default()
}

/// A refund number each gateway accepts (BeeCloud's starts with a date).
fn refund_no(gw: Gateway, n: u32) -> String {
    match gw {
        Gateway::BeeCloud => format!("20240101{}{n:03}", number("9")),
        _ => format!("RF{}{n}", number("")),
    }
}

/// `?channel=wechat` where the gateway needs the wallet (HipoPay, ChaoYing).
const WALLET: &str = "?channel=wechat";

async fn refund_flow(s: &Server, gw: Gateway) {
    let refund = |no: &str, r: &str, amount: i64| json!({"outTradeNo": no, "refundNo": r, "amount": amount, "channel": "wechat"});
    let path = format!("/{}/refunds", gw.as_str());

    // Unpaid: refused before anything is written.
    let unpaid = s.order(gw, false).await;
    let (status, body) = s.post(&path, refund(&unpaid, &refund_no(gw, 1), 100)).await;
    assert_eq!((status, code(&body)), (409, "order_not_paid"), "{gw:?}: {body}");

    // Partial, then its repeat and a conflicting reuse of its number.
    let paid = s.order(gw, true).await;
    let first = refund_no(gw, 2);
    let (status, partial) = s.post(&path, refund(&paid, &first, 300)).await;
    assert_eq!(status, 200, "{gw:?}: {partial}");
    assert_eq!((partial["refundNo"].as_str(), partial["outTradeNo"].as_str(), partial["amount"].as_i64()), (Some(first.as_str()), Some(paid.as_str()), Some(300)));
    let expected = if gw == Gateway::ChaoYing { "refunding" } else { "succeeded" };
    assert_eq!(partial["state"], expected, "{gw:?}: {partial}");
    let (status, again) = s.post(&path, refund(&paid, &first, 300)).await;
    assert_eq!((status, &again), (200, &partial), "{gw:?}: the same request answers the same refund");
    let (status, body) = s.post(&path, refund(&paid, &first, 301)).await;
    assert_eq!((status, code(&body)), (409, "refund_conflict"), "{gw:?}");
    let sandbox: Value =
        serde_json::from_str(&s.http.get(format!("{}/sandbox/{}/_control/orders/{paid}", s.base, gw.as_str())).send().await.unwrap().text().await.unwrap()).unwrap();
    assert_eq!(sandbox["refunds"].as_array().map(Vec::len), Some(1), "{gw:?}: one refund at the gateway: {sandbox}");

    // The refund query (ChaoYing's accepted refund settles here).
    let (status, read) = s.get(&format!("/{}/refunds/{first}?outTradeNo={paid}&channel=wechat", gw.as_str())).await;
    assert_eq!((status, read["state"].as_str(), read["amount"].as_i64()), (200, Some("succeeded"), Some(300)), "{gw:?}: {read}");
    let (status, body) = s.get(&format!("/{}/refunds/{first}?outTradeNo=BOOTHER00001", gw.as_str())).await;
    assert_eq!((status, code(&body)), (404, "unknown_refund"));

    // Over-refund: 700 are left.
    let (status, body) = s.post(&path, refund(&paid, &refund_no(gw, 3), 701)).await;
    assert_eq!((status, code(&body)), (422, "refund_exceeds_paid"), "{gw:?}: {body}");

    // The rest: BeeCloud refunds a bill once, so its second refund fails at the gateway.
    let (status, rest) = s.post(&path, refund(&paid, &refund_no(gw, 4), 700)).await;
    assert_eq!(status, 200, "{gw:?}: {rest}");
    if gw == Gateway::BeeCloud {
        assert_eq!(rest["state"], "failed", "one refund per bill: {rest}");
    } else {
        let no = rest["refundNo"].as_str().unwrap().to_owned();
        let (_, rest) = s.get(&format!("/{}/refunds/{no}{WALLET}", gw.as_str())).await;
        assert_eq!(rest["state"], "succeeded", "{gw:?}: {rest}");
    }
    // BeeCloud's status query (A3.2) tells paid only; its bills lookup tells refunded.
    let (status, order) = s.get(&format!("/{}/orders/{paid}{WALLET}", gw.as_str())).await;
    let state = if gw == Gateway::BeeCloud { "succeeded" } else { "refunded" };
    assert_eq!((status, order["state"].as_str()), (200, Some(state)), "{gw:?}: {order}");
    let (status, body) = s.post(&path, refund(&paid, &refund_no(gw, 5), 1)).await;
    assert!(status == 422 || (status == 200 && body["state"] == "failed"), "{gw:?}: nothing is left: {status} {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_per_gateway() {
    let s = start(true).await;
    for gw in [Gateway::BlueOcean, Gateway::HipoPay, Gateway::BeeCloud, Gateway::ChaoYing] {
        refund_flow(&s, gw).await;
    }
    // HiPOS documents no refund.
    let no = number("BO");
    s.orders.insert(OrderRecord { out_trade_no: no.clone(), amount: AMOUNT, subject: String::new(), client_secret: None });
    let (status, body) = s.post("/hipos/refunds", json!({"outTradeNo": no, "refundNo": "RF1", "amount": 1})).await;
    assert_eq!((status, code(&body)), (400, "operation_unsupported"), "{body}");
    // Every succeeded refund is an event.
    let (_, log) = s.get("/events?limit=1000").await;
    let refunds = log["events"].as_array().unwrap().iter().filter(|e| e["type"] == "refund.succeeded").count();
    assert_eq!(refunds, 7, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_checked_and_coded() {
    let s = start(true).await;
    let paid = s.order(Gateway::BlueOcean, true).await;
    for (body, expected) in [
        (Value::String("{not json".into()), "invalid_body"),
        (json!({"outTradeNo": paid, "refundNo": "a b", "amount": 1}), "invalid_refund_number"),
        (json!({"outTradeNo": paid, "refundNo": "RF1", "amount": 0}), "invalid_amount"),
        (json!({"outTradeNo": "x", "refundNo": "RF1", "amount": 1}), "invalid_order_number"),
        (json!({"outTradeNo": paid, "refundNo": "RF1"}), "invalid_body"),
    ] {
        let (status, answer) = s.post("/blueocean/refunds", body).await;
        assert_eq!((status, code(&answer)), (400, expected), "{answer}");
    }
    let res = s.http.post(format!("{}/proxy/back-office/blueocean/refunds", s.base)).bearer_auth(TOKEN).body("{not json").send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(code(&serde_json::from_str(&res.text().await.unwrap()).unwrap()), "invalid_json");
    let (status, body) = s.post("/paypal/refunds", json!({})).await;
    assert_eq!((status, code(&body)), (404, "unknown_gateway"));
    let (status, body) = s.get("/blueocean/orders/BONOSUCH0001/x").await;
    assert_eq!((status, code(&body)), (404, "not_found"));
    let (status, body) = s.post("/blueocean/refunds", json!({"outTradeNo": "BONOSUCH0001", "refundNo": "RF1", "amount": 1})).await;
    assert_eq!((status, code(&body)), (404, "unknown_order"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_token_and_no_cors() {
    let s = start(true).await;
    let url = format!("{}/proxy/back-office/events", s.base);
    let no_token = s.http.get(&url).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(no_token.status(), 401);
    assert_eq!(no_token.headers().get("www-authenticate").unwrap(), "Bearer");
    assert_eq!(code(&serde_json::from_str(&no_token.text().await.unwrap()).unwrap()), "unauthorized");
    for wrong in ["Bearer nope", "Bearer test-back-office-token-012345678", "Basic dGVzdA==", TOKEN] {
        assert_eq!(s.http.get(&url).header("authorization", wrong).send().await.unwrap().status(), 401, "{wrong}");
    }
    // Same-origin or listed, a browser Origin gets no CORS headers here, ever.
    for origin in [s.base.as_str(), "https://evil.example"] {
        let ok = s.http.get(&url).bearer_auth(TOKEN).header("origin", origin).send().await.unwrap();
        assert_eq!(ok.status(), 200);
        let preflight = s.http.request(reqwest::Method::OPTIONS, &url).header("origin", origin).header("access-control-request-method", "GET").send().await.unwrap();
        assert_ne!(preflight.status(), 204);
        for res in [&ok, &preflight] {
            assert!(res.headers().keys().all(|k| !k.as_str().starts_with("access-control-")), "{origin}: {:?}", res.headers());
        }
    }
    // The browser path still answers CORS for its own origin: the layer is in place, just not here.
    let browser = s.http.get(format!("{}/proxy/capabilities", s.base)).header("origin", s.base.as_str()).send().await.unwrap();
    assert!(browser.headers().contains_key("access-control-allow-origin"));

    // Without [back_office] every route is 404, token or not.
    let off = start(false).await;
    for path in ["/events", "/blueocean/orders/BO0000000001", "/nothing"] {
        let res = off.http.get(format!("{}/proxy/back-office{path}", off.base)).bearer_auth(TOKEN).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    let res = off.http.post(format!("{}/proxy/back-office/blueocean/refunds", off.base)).body("{}").send().await.unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_query_and_close_through_cancel_safety() {
    let s = start(true).await;
    let unpaid = s.order(Gateway::BlueOcean, false).await;
    let (status, order) = s.get(&format!("/blueocean/orders/{unpaid}")).await;
    assert_eq!((status, order["state"].as_str(), order["outTradeNo"].as_str()), (200, Some("pending"), Some(unpaid.as_str())), "{order}");
    let (status, closed) = s.post(&format!("/blueocean/orders/{unpaid}/close"), json!({})).await;
    assert_eq!((status, closed["state"].as_str()), (200, Some("closed")), "{closed}");

    let paid = s.order(Gateway::BlueOcean, true).await;
    let (status, order) = s.get(&format!("/blueocean/orders/{paid}")).await;
    assert_eq!((status, order["state"].as_str(), order["amount"].as_i64()), (200, Some("succeeded"), Some(AMOUNT)), "{order}");
    assert!(order["transactionId"].is_string() && order["gatewayState"] == "SUCCESS", "{order}");
    let (status, body) = s.post(&format!("/blueocean/orders/{paid}/close"), json!({})).await;
    assert_eq!((status, code(&body)), (409, "cancel_refused"), "{body}");
    let (status, body) = s.post(&format!("/hipopay/orders/{paid}/close?channel=wechat"), json!({})).await;
    assert_eq!((status, code(&body)), (400, "operation_unsupported"), "HipoPay has no close: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_log_pages() {
    let s = start(true).await;
    for _ in 0..3 {
        let no = s.order(Gateway::BlueOcean, true).await;
        assert_eq!(s.get(&format!("/blueocean/orders/{no}")).await.0, 200);
    }
    let (status, all) = s.get("/events").await;
    assert_eq!(status, 200);
    let all = all["events"].as_array().unwrap().clone();
    assert!(all.len() >= 3 && all.iter().all(|e| e["id"].as_str().is_some_and(|id| id.starts_with("evt_"))), "{all:?}");
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..all.len() + 1 {
        let path = after.as_ref().map_or("/events?limit=2".to_owned(), |a| format!("/events?limit=2&after={a}"));
        let (status, page) = s.get(&path).await;
        assert_eq!(status, 200);
        let events = page["events"].as_array().unwrap();
        if events.is_empty() {
            assert_eq!(page["next"].as_str(), after.as_deref(), "an empty page keeps the cursor");
            break;
        }
        assert!(events.len() <= 2);
        seen.extend(events.iter().cloned());
        after = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, all, "pages in order, none lost or repeated");
    for (path, expected) in [("/events?after=evt_nosuch", "unknown_cursor"), ("/events?limit=0", "invalid_limit"), ("/events?limit=1001", "invalid_limit")] {
        let (status, body) = s.get(path).await;
        assert_eq!((status, code(&body)), (400, expected), "{path}");
    }
    assert_eq!(s.get("/events?limit=1000").await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refunds_never_exceed_what_was_paid() {
    let s = std::sync::Arc::new(start(true).await);
    let paid = s.order(Gateway::BlueOcean, true).await;
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let (s, paid) = (s.clone(), paid.clone());
            tokio::spawn(async move { s.post("/blueocean/refunds", json!({"outTradeNo": paid, "refundNo": format!("RFRACE{i}"), "amount": 400})).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        outcomes.push((status, body["state"].as_str().map(str::to_owned).unwrap_or_else(|| code(&body).to_owned())));
    }
    outcomes.sort();
    let expected = vec![(200, "succeeded".to_owned()), (200, "succeeded".to_owned()), (422, "refund_exceeds_paid".to_owned()), (422, "refund_exceeds_paid".to_owned())];
    assert_eq!(outcomes, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_refund_makes_no_gateway_call_and_a_lost_answer_stays_refunding() {
    let s = start(true).await;
    let paid = s.order(Gateway::BlueOcean, true).await;
    let refund = |no: &str| json!({"outTradeNo": paid, "refundNo": no, "amount": 100});
    let (status, first) = s.post("/blueocean/refunds", refund("RFONCE01")).await;
    assert_eq!((status, first["state"].as_str()), (200, Some("succeeded")));
    // The next refund call that reaches the sandbox answers HTTP 500.
    let rule = r#"[{"gateway":"blueocean","path":"/payment/refund","kind":"http_500","count":1}]"#;
    let res = s.http.post(format!("{}/sandbox/_control/faults", s.base)).body(rule).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(s.post("/blueocean/refunds", refund("RFONCE01")).await, (200, first), "answered from the store");
    // The fault is still armed: the repeat did not reach the gateway. A new refund meets it.
    let (status, lost) = s.post("/blueocean/refunds", refund("RFONCE02")).await;
    assert_eq!((status, lost["state"].as_str()), (200, Some("refunding")), "an answer that is no refund leaves it open: {lost}");
    // Its outcome stays open (the gateway knows no such refund yet) and it still counts.
    let (_, read) = s.get(&format!("/blueocean/refunds/RFONCE02?outTradeNo={paid}")).await;
    assert_eq!(read["state"], "refunding", "{read}");
    let (status, body) = s.post("/blueocean/refunds", json!({"outTradeNo": paid, "refundNo": "RFONCE03", "amount": 801})).await;
    assert_eq!((status, code(&body)), (422, "refund_exceeds_paid"));
}
