//! The demo shop's HiPOS back office over real HTTP on loopback:
//! `GET /shop/hipos/device-code` asks the sandbox, through the proxy's
//! server-side back-office entry point, for the store's
//! device-authorisation code and answers code and expiry; the proxy still
//! refuses the same call from a browser, and its HiPOS notifications keep
//! verifying after the shop's call (one token for both).

use paybridge::gateway::{protocol, CreateParams};
use paybridge::json::{self, Value};
use paybridge::model::{Channel, Gateway, Mode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod loopback;

async fn start() -> (String, tokio::sync::oneshot::Sender<()>) {
    loopback::demo().await
}

async fn get(base: &str, path: &str) -> (u16, Value) {
    let res = reqwest::Client::new().get(format!("{base}{path}")).timeout(Duration::from_secs(20)).send().await.expect("request");
    let status = res.status().as_u16();
    (status, json::parse(&res.text().await.expect("body")).expect("JSON"))
}

async fn post(base: &str, path: &str, body: &str) -> (u16, String) {
    post_as(base, "", path, body).await
}

/// POSTs as an order's own page, with its client secret.
async fn post_as(base: &str, secret: &str, path: &str, body: &str) -> (u16, String) {
    let res = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .header("paybridge-client-secret", secret)
        .body(body.to_owned())
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .expect("request");
    (res.status().as_u16(), res.text().await.expect("body"))
}

fn now_ms() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis()).expect("ms")
}

#[tokio::test]
async fn device_code_comes_from_the_sandbox() {
    let (base, _stop) = start().await;
    let (status, body) = get(&base, "/shop/hipos/device-code").await;
    assert_eq!(status, 200, "{body:?}");
    assert_eq!(body.text("store_id"), Some(paybridge_proxy::shop::DEMO_STORE_ID));
    let code = body.text("auth_code").expect("auth_code");
    assert!(code.starts_with("HPD-store01-"), "{code}");
    let expires = body.int("expires_at").expect("expires_at");
    let left = expires - now_ms();
    assert!((9 * 60_000..=10 * 60_000 + 2_000).contains(&left), "expires in {left} ms");

    let (status, body) = get(&base, "/shop/hipos/device-code?store=S2").await;
    assert_eq!(status, 200, "{body:?}");
    assert_eq!(body.text("store_id"), Some("S2"));
    assert!(body.text("auth_code").is_some_and(|c| c.starts_with("HPD-S2-")), "{body:?}");
}

#[tokio::test]
async fn device_code_refuses_a_bad_store() {
    let (base, _stop) = start().await;
    let (status, body) = get(&base, "/shop/hipos/device-code?store=a%2Fb").await;
    assert_eq!(status, 400);
    assert!(body.text("error").is_some(), "{body:?}");
}

#[tokio::test]
async fn browsers_still_cannot_ask_the_proxy() {
    let (base, _stop) = start().await;
    let res = reqwest::Client::new()
        .post(format!("{base}/proxy/hipos/openapi/merchants/10011/stores/store01/authcode"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 404);
    let body = json::parse(&res.text().await.expect("body")).expect("JSON");
    assert_eq!(body.get("proxy_error").and_then(|e| e.text("code")), Some("path_not_allowed"));
}

/// Regression: the device code used to be fetched with the shop's own HiPOS
/// token; the sandbox, like HiPOS, signs notifications with the newest
/// token, so the proxy refused every HiPOS notification after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hipos_notifications_still_verify_after_a_device_code() {
    let (base, _stop) = start().await;
    let (status, body) = post(&base, "/shop/orders", r#"{"amount":1234,"subject":"o2o"}"#).await;
    assert_eq!(status, 201, "{body}");
    let order = json::parse(&body).expect("JSON");
    let no = order.text("out_trade_no").expect("out_trade_no").to_owned();
    let secret = order.text("clientSecret").expect("clientSecret");
    // The page creates the pickup order through the proxy (which fetches its token)…
    let create = protocol(Gateway::HiPos).expect("HiPOS").create_request(&CreateParams::new(Mode::Qr, Channel::Any, &no)).expect("create request");
    let (status, body) = post_as(&base, secret, &format!("/proxy{}", create.proxy_path()), &create.params.to_json()).await;
    assert_eq!(status, 200, "create: {body}");
    // …then the back office asks for a device code…
    let (status, body) = get(&base, "/shop/hipos/device-code").await;
    assert_eq!(status, 200, "{body:?}");
    // …and then the payer pays and picks up.
    for control in ["pay", "pickup"] {
        let (status, body) = post(&base, &format!("/sandbox/hipos/_control/orders/{no}/{control}"), "").await;
        assert_eq!(status, 200, "{control}: {body}");
    }
    // The proxy accepted the notification: the shop heard of it (bounded at 10 s).
    let mut notified = None;
    for _ in 0..100 {
        notified = get(&base, &format!("/shop/orders/{no}")).await.1.text("notified").map(str::to_owned);
        if notified.as_deref() == Some("succeeded") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, deliveries) = get(&base, "/sandbox/_control/notifications").await;
    assert_eq!(notified.as_deref(), Some("succeeded"), "the proxy refused the HiPOS notification: {deliveries:?}");
    let Value::Array(all) = &deliveries else { panic!("{deliveries:?}") };
    let ours: Vec<&Value> = all.iter().filter(|d| d.text("out_trade_no") == Some(no.as_str())).collect();
    assert!(ours.iter().any(|d| d.get("acked") == Some(&Value::Bool(true))), "{ours:?}");
    assert!(ours.iter().all(|d| d.int("last_status") != Some(400)), "no delivery was refused: {ours:?}");
}
