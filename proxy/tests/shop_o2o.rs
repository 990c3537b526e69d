//! HiPOS O2O in the seed's direction over real HTTP on loopback (the demo:
//! shop, proxy, sandbox): `GET /shop/hipos/device-code` asks the sandbox,
//! through the proxy's back-office entry point, for the store's
//! device-authorisation code, which a POS then enters (the sandbox's
//! device-authorised callback reaches the proxy, the shop hears of it); the
//! store's POS scans an unpaid order's pickup code, takes the payment and
//! HiPOS confirms the pickup with the merchant (seed 000 L16, L20); an
//! unsigned call from anywhere else is refused and changes nothing.

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

/// A shop order and its pickup code, asked through the proxy as its page does.
async fn order_with_code(base: &str) -> (String, String, String) {
    let (status, body) = post(base, "/shop/orders", r#"{"amount":4200,"subject":"o2o"}"#).await;
    assert_eq!(status, 201, "{body}");
    let order = json::parse(&body).expect("JSON");
    let no = order.text("out_trade_no").expect("out_trade_no").to_owned();
    let secret = order.text("clientSecret").expect("clientSecret").to_owned();
    let create = protocol(Gateway::HiPos).expect("HiPOS").create_request(&CreateParams::new(Mode::Qr, Channel::Any, &no)).expect("create request");
    let (status, body) = post_as(base, &secret, &format!("/proxy{}", create.proxy_path()), &create.params.to_json()).await;
    assert_eq!(status, 200, "pickup code: {body}");
    let code = json::parse(&body).expect("JSON").get("o2o_pickup_code_response").and_then(|r| r.text("pickup_code")).expect("pickup_code").to_owned();
    (no, secret, code)
}

async fn page_status(base: &str, no: &str, secret: &str) -> String {
    let (status, body) = post_as(base, secret, "/proxy/hipos/o2o/status", &format!(r#"{{"out_order_no":"{no}"}}"#)).await;
    assert_eq!(status, 200, "{body}");
    json::parse(&body).expect("JSON").get("o2o_order_response").and_then(|r| r.text("status")).expect("status").to_owned()
}

/// Polls `path` until `done` holds for its JSON (bounded at 10 s).
async fn eventually(base: &str, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        last = get(base, path).await.1;
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never got there: {last:?}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pos_scans_an_unpaid_order_takes_the_payment_and_hipos_confirms_the_pickup() {
    let (base, _stop) = start().await;
    // The back office's device code first: the POS's calls must still verify after it (one token for both).
    assert_eq!(get(&base, "/shop/hipos/device-code").await.0, 200);
    let (no, secret, code) = order_with_code(&base).await;
    assert_eq!(page_status(&base, &no, &secret).await, "UNPAID");
    let (status, body) = post(&base, "/sandbox/hipos/_control/pos/scan", &format!(r#"{{"pickup_code":"{code}","device_id":"POS-01"}}"#)).await;
    assert_eq!(status, 200, "{body}");
    let scan = json::parse(&body).expect("JSON");
    let result = scan.get("result").expect("result");
    assert_eq!((result.get("paid_offline"), result.int("amount")), (Some(&Value::Bool(true)), Some(4200)), "{body}");
    let Some(Value::Array(steps)) = scan.get("steps") else { panic!("{body}") };
    let interfaces: Vec<_> = steps.iter().map(|s| (s.text("interface").unwrap_or_default().to_owned(), s.int("status"))).collect();
    assert_eq!(interfaces, [("order".to_owned(), Some(200)), ("pickup".to_owned(), Some(200))], "获取订单状态, then 确认提货");
    assert_eq!(page_status(&base, &no, &secret).await, "PICKED_UP");
    let trade = get(&base, &format!("/sandbox/hipos/_control/orders/{no}")).await.1;
    assert_eq!((trade.text("state"), trade.int("amount"), trade.get("picked_up")), (Some("paid"), Some(4200), Some(&Value::Bool(true))), "{trade:?}");
    let shop = eventually(&base, &format!("/shop/orders/{no}"), |v| matches!(v.get("events"), Some(Value::Array(e)) if e.len() == 2)).await;
    let Some(Value::Array(events)) = shop.get("events") else { panic!("{shop:?}") };
    let mut kinds: Vec<&str> = events.iter().filter_map(Value::as_text).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["order.picked_up", "payment.succeeded"], "delivered (in either order: the worker sends them side by side)");
    // Scanning the same code again hands nothing over twice.
    let (status, body) = post(&base, "/sandbox/hipos/_control/pos/scan", &format!(r#"{{"pickup_code":"{code}"}}"#)).await;
    assert_eq!(status, 409, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_or_forged_calls_from_elsewhere_are_refused() {
    let (base, _stop) = start().await;
    let (no, secret, code) = order_with_code(&base).await;
    let body = format!(r#"{{"out_order_no":"{no}","pickup_code":"{code}","trade_no":"HPFAKE","paid_amount":4200}}"#);
    let (status, answer) = post(&base, "/proxy/notify/hipos/pickup", &body).await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(json::parse(&answer).expect("JSON").get("o2o_pickup_confirm_response").and_then(|r| r.int("code")), Some(6030));
    let forged = reqwest::Client::new()
        .post(format!("{base}/proxy/notify/hipos/pickup"))
        .header("X-HiPOS-Timestamp", now_ms().to_string())
        .header("X-HiPOS-Signature", "0".repeat(64))
        .body(body)
        .send()
        .await
        .expect("request");
    assert_eq!(forged.status().as_u16(), 401);
    assert!(forged.text().await.expect("body").contains("6032"));
    assert_eq!(page_status(&base, &no, &secret).await, "UNPAID", "nothing was recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_entering_the_device_code_pairs_it_and_the_shop_hears_of_it() {
    let (base, _stop) = start().await;
    let (status, body) = get(&base, "/shop/hipos/device-code").await;
    assert_eq!(status, 200, "{body:?}");
    let code = body.text("auth_code").expect("auth_code").to_owned();
    let waiting = get(&base, &format!("/shop/hipos/device-code/{code}")).await.1;
    assert_eq!(waiting.text("status"), Some("waiting"));
    let held = tokio::spawn({
        let (base, code) = (base.clone(), code.clone());
        async move { get(&base, &format!("/shop/hipos/device-code/{code}?wait=15")).await.1 }
    });
    let (status, body) = post(&base, "/sandbox/hipos/_control/pos/pair", &format!(r#"{{"auth_code":"{code}","device_id":"POS-07"}}"#)).await;
    assert_eq!(status, 200, "{body}");
    let paired = tokio::time::timeout(Duration::from_secs(20), held).await.expect("bounded").expect("task");
    assert_eq!((paired.text("status"), paired.text("device_id")), (Some("paired"), Some("POS-07")), "{paired:?}");
    eventually(&base, &format!("/shop/hipos/device-code/{code}"), |v| v.get("notified") == Some(&Value::Bool(true))).await;
    let (status, body) = post(&base, "/sandbox/hipos/_control/pos/pair", &format!(r#"{{"auth_code":"{code}"}}"#)).await;
    assert_eq!(status, 409, "a code pairs once: {body}");
    let (status, _) = post(&base, "/sandbox/hipos/_control/pos/pair", r#"{"auth_code":"HPD-store01-000000"}"#).await;
    assert_eq!(status, 409, "an unknown code pairs nothing");
}
