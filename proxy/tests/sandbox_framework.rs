//! The sandbox framework over real HTTP: routing, payer controls, every
//! fault kind, notification faults and the wallet page.

mod sandbox_support;

use paybridge::gateway::wire::ResponseCheck;
use paybridge::gateway::{protocol, wire, CreateParams, OrderRef};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode, PayState};
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use sandbox_support::{settings, Receiver, Sandbox};
use std::time::{Duration, Instant};

const GW: Gateway = Gateway::BlueOcean;

/// Creates a BlueOcean QR order as the proxy would.
async fn create(sb: &Sandbox, no: &str, subject: &str, notify_url: Option<&str>) {
    let mut p = CreateParams::new(Mode::Qr, Channel::Wechat, no);
    p.subject = Some(subject.into());
    p.return_url = Some("https://shop.example/back?a=1&b=2".into());
    let request = protocol(GW).unwrap().create_request(&p).unwrap();
    let Value::Object(mut members) = request.params.value() else { panic!() };
    members.push(("total_fee".into(), Value::int_value(1999)));
    if let Some(url) = notify_url {
        members.push(("notify_url".into(), Value::str(url)));
    }
    assert_eq!(sb.call(GW, &request.path, &Value::Object(members)).await.int("code"), Some(200));
}

fn query_params(no: &str) -> Value {
    let order = OrderRef { out_trade_no: no.into(), channel: Channel::Wechat, mode: Mode::Qr, gateway_order_id: None };
    protocol(GW).unwrap().query_request(&order).unwrap().params.value()
}

async fn query_raw(sb: &Sandbox, no: &str) -> (u16, String) {
    sb.send(GW, "/order/query", &query_params(no), &sandbox_secrets(GW)).await
}

#[tokio::test]
async fn unknown_gateways_paths_orders_and_actions_are_404() {
    let sb = Sandbox::start(settings(60_000)).await;
    for path in ["/nosuch/payment/pay", "/blueocean/admin/secret", "/blueocean/_control/orders/NOSUCH01", "/wallet/blueocean/NOSUCH01"] {
        assert_eq!(sb.get(path).await.0, 404, "{path}");
    }
    let (status, body) = sb.get("/blueocean/user/login").await;
    assert_eq!(status, 404);
    assert!(body.contains("\"error\"") && !body.contains("code\":4"), "neutral body: {body}");
    assert_eq!(sb.control(GW, "NOSUCH01", "pay").await.0, 404);
    create(&sb, "FWCONTROL01", "Tea", None).await;
    assert_eq!(sb.control(GW, "FWCONTROL01", "explode").await.0, 404);
    assert_eq!(sb.control(GW, "FWCONTROL01", "cancel").await, (200, serde_json::json!({"ok": true, "state": "reverted", "order": sb.control_order("FWCONTROL01").await})));
    let (status, json) = sb.control(GW, "FWCONTROL01", "pay").await;
    assert_eq!((status, json["ok"].as_bool(), json["state"].as_str()), (409, Some(false), Some("reverted")));
    let (_, list) = sb.get("/_control/orders").await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list[0]["out_trade_no"], "FWCONTROL01");
    assert_eq!(list[0]["amount"], 1999);
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let sb = Sandbox::start(settings(60_000)).await;
    create(&sb, "FWLATENCY01", "Tea", None).await;
    sb.faults(r#"{"kind":"latency","ms":300,"path":"/order/query","count":1}"#).await;
    let started = Instant::now();
    assert_eq!(query_raw(&sb, "FWLATENCY01").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300), "held at least the rule's ms");
}

#[tokio::test]
async fn http_500_then_normal_once_the_count_is_spent() {
    let sb = Sandbox::start(settings(60_000)).await;
    create(&sb, "FWHTTP5001", "Tea", None).await;
    sb.faults(r#"[{"gateway":"blueocean","kind":"http_500","count":2}]"#).await;
    assert_eq!(query_raw(&sb, "FWHTTP5001").await.0, 500);
    assert_eq!(query_raw(&sb, "FWHTTP5001").await.0, 500);
    assert_eq!(query_raw(&sb, "FWHTTP5001").await.0, 200);
    assert_eq!(sb.get("/_control/faults").await.1, "[]", "spent rules are gone");
}

#[tokio::test]
async fn timeout_holds_the_answer_after_handling_the_request() {
    let sb = Sandbox::start(settings(60_000)).await;
    sb.faults(r#"{"kind":"timeout","ms":20000,"path":"/payment/pay","count":1}"#).await;
    let mut p = CreateParams::new(Mode::Qr, Channel::Wechat, "FWTIMEOUT01");
    p.subject = Some("Tea".into());
    let request = protocol(GW).unwrap().create_request(&p).unwrap();
    let Value::Object(mut members) = request.params.value() else { panic!() };
    members.push(("total_fee".into(), Value::int_value(5)));
    let wire_request = sb.encode(GW, "/payment/pay", &Value::Object(members), &sandbox_secrets(GW));
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let err = impatient.post(format!("{}/blueocean/payment/pay", sb.base)).header("Content-Type", "application/json").body(wire_request.body).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(sb.get("/blueocean/_control/orders/FWTIMEOUT01").await.0, 200, "the order was created anyway");
}

#[tokio::test]
async fn malformed_bad_signature_and_unknown_answers() {
    let sb = Sandbox::start(settings(60_000)).await;
    create(&sb, "FWSHAPE0001", "Tea", None).await;
    sb.faults(r#"{"kind":"malformed","count":1}"#).await;
    let (status, text) = query_raw(&sb, "FWSHAPE0001").await;
    assert_eq!(status, 200);
    assert!(paybridge::json::parse(&text).is_err(), "not JSON: {text}");

    let (_, good) = query_raw(&sb, "FWSHAPE0001").await;
    assert_eq!(wire(GW).unwrap().verify_response(good.as_bytes(), &sandbox_secrets(GW)), ResponseCheck::Verified);
    sb.faults(r#"{"kind":"bad_signature","count":1}"#).await;
    let (_, bad) = query_raw(&sb, "FWSHAPE0001").await;
    assert_eq!(wire(GW).unwrap().verify_response(bad.as_bytes(), &sandbox_secrets(GW)), ResponseCheck::BadSignature);

    sb.faults(r#"{"kind":"unknown","count":1}"#).await;
    let (_, unknown) = query_raw(&sb, "FWSHAPE0001").await;
    let body = paybridge::json::parse(&unknown).unwrap();
    assert_eq!(body.int("code"), Some(201));
    assert_eq!(protocol(GW).unwrap().parse_query(&body).unwrap().state, PayState::Unknown);
}

#[tokio::test]
async fn partial_rates_and_rule_management() {
    let sb = Sandbox::start(settings(60_000)).await;
    create(&sb, "FWRATES0001", "Tea", None).await;
    sb.faults(r#"{"kind":"http_500","rate":0}"#).await;
    for _ in 0..5 {
        assert_eq!(query_raw(&sb, "FWRATES0001").await.0, 200, "rate 0 never fires");
    }
    let r = sb.http.post(format!("{}/_control/faults", sb.base)).body(r#"{"kind":"http_500","rate":2}"#).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = sb.http.post(format!("{}/_control/faults", sb.base)).body("not json").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let listed: serde_json::Value = serde_json::from_str(&sb.get("/_control/faults").await.1).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let r = sb.http.delete(format!("{}/_control/faults", sb.base)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(sb.get("/_control/faults").await.1, "[]");
}

#[tokio::test]
async fn duplicate_notify_and_clock_skew() {
    let sb = Sandbox::start(settings(60_000)).await;
    let mut receiver = Receiver::start("SUCCESS", 0).await;
    create(&sb, "FWNOTIFY001", "Tea", Some(&receiver.url)).await;
    sb.faults(r#"[{"kind":"duplicate_notify","count":1},{"kind":"clock_skew","ms":-60000,"count":1}]"#).await;
    sb.control(GW, "FWNOTIFY001", "pay").await;
    let first = receiver.next().await;
    let second = receiver.next().await;
    assert_eq!(first.body, second.body, "the same notification twice");
    let record = sb.finished_delivery("FWNOTIFY001").await;
    assert_eq!((record["attempts"].as_u64(), record["copies"].as_u64(), record["skew_ms"].as_i64()), (Some(1), Some(2), Some(-60000)));
    assert_eq!(receiver.received(), 2);
}

#[tokio::test]
async fn wallet_page_renders_escaped_and_its_buttons_work() {
    let sb = Sandbox::start(settings(60_000)).await;
    create(&sb, "FWWALLET001", "<script>alert(1)</script>", None).await;
    let r = sb.http.get(format!("{}/wallet/blueocean/FWWALLET001?lang=en", sb.base)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let csp = r.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"), "{csp}");
    let html = r.text().await.unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
    assert!(!html.contains("<script>") && !html.contains("style="), "no inline script or style: {html}");
    assert!(html.contains(r#"<script src="../../wallet.js" defer></script>"#));
    assert!(html.contains("19.99 HKD") && html.contains("FWWALLET001") && html.contains("Awaiting payment"));
    assert!(html.contains(r#"href="https://shop.example/back?a=1&amp;b=2""#), "return link: {html}");
    assert!(html.contains(r#"data-control="../../blueocean/_control/orders/FWWALLET001/""#));
    assert!(html.contains(r#"data-action="pay""#) && html.contains(r#"data-action="fail""#) && html.contains(r#"data-action="cancel""#));

    // What the Pay button does: POST {data-control}pay, resolved against the page's URL.
    let control = html.split("data-control=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("data-control");
    let page = reqwest::Url::parse(&format!("{}/wallet/blueocean/FWWALLET001", sb.base)).unwrap();
    let r = sb.http.post(page.join(&format!("{control}pay")).unwrap()).send().await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!((json["ok"].as_bool(), json["state"].as_str()), (Some(true), Some("paid")));
    let zh = sb.get("/wallet/blueocean/FWWALLET001").await.1;
    assert!(zh.contains("已支付") && zh.contains("lang=\"zh-CN\"") && zh.contains(" disabled"), "{zh}");

    let (status, js) = sb.get("/wallet.js").await;
    assert!(status == 200 && js.contains("data-control"));
    let r = sb.http.get(format!("{}/wallet.css", sb.base)).send().await.unwrap();
    assert_eq!(r.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("text/css; charset=utf-8"));
}
