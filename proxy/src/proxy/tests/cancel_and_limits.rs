//! Cancel safety, rate limits, CORS, capabilities.

use super::fake::{blueocean_query, Fake};
use super::{error_code, Proxy, ORDER, SECRET, SHOP_ORIGIN};
use crate::proxy::RateLimit;
use paybridge::gateway::Operation;
use paybridge::i18n::Locale;
use paybridge::model::{Gateway, Mode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[tokio::test]
async fn a_reverse_is_forwarded_only_for_an_unpaid_order() {
    let paid = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&paid);
    let (upstream, fake) = Fake::start(move |_, _, _| blueocean_query(if flag.load(Ordering::SeqCst) { "SUCCESS" } else { "USERPAYING" })).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let body = format!(r#"{{"out_trade_no":"{ORDER}"}}"#);
    let refused = proxy.post("/blueocean/order/reverse", &body).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(error_code(refused).await, "cancel_refused");
    let ops: Vec<Operation> = fake.seen().iter().map(|s| s.operation).collect();
    assert_eq!(ops, vec![Operation::Query], "only the safety query reached the gateway");

    paid.store(false, Ordering::SeqCst);
    assert_eq!(proxy.post("/blueocean/order/reverse", &body).await.status(), 200);
    let ops: Vec<Operation> = fake.seen().iter().map(|s| s.operation).collect();
    assert_eq!(ops, vec![Operation::Query, Operation::Query, Operation::Cancel]);
}

#[tokio::test]
async fn requests_per_order_are_rate_limited() {
    let (upstream, _fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |c| c.rate_limit = RateLimit { per_second: 0.001, burst: 2 }).await;
    let body = format!(r#"{{"out_trade_no":"{ORDER}"}}"#);
    assert_eq!(proxy.post("/blueocean/order/query", &body).await.status(), 200);
    assert_eq!(proxy.post("/blueocean/order/query", &body).await.status(), 200);
    let limited = proxy.post("/blueocean/order/query", &body).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(error_code(limited).await, "rate_limited");
}

#[tokio::test]
async fn cors_allows_listed_origins_only() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, proxy.server.url("/proxy/blueocean/order/query"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type, paybridge-client-secret")
            .send()
    };
    let ok = preflight(SHOP_ORIGIN).await.unwrap();
    assert_eq!(ok.status(), 204);
    assert_eq!(ok.headers()["access-control-allow-origin"], SHOP_ORIGIN);
    assert!(ok.headers()["access-control-allow-methods"].to_str().unwrap().contains("POST"));
    assert!(ok.headers()["access-control-allow-headers"].to_str().unwrap().contains("Paybridge-Client-Secret"));
    let evil = preflight("https://evil.example").await.unwrap();
    assert_eq!(evil.status(), 403);
    assert!(evil.headers().get("access-control-allow-origin").is_none());
    assert!(evil.headers().get("access-control-allow-headers").is_none());

    let body = format!(r#"{{"out_trade_no":"{ORDER}"}}"#);
    let post = |origin: &'static str| {
        let url = proxy.server.url("/proxy/blueocean/order/query");
        client.post(url).header("origin", origin).header(crate::proxy::CLIENT_SECRET_HEADER, SECRET).body(body.clone()).send()
    };
    let allowed = post(SHOP_ORIGIN).await.unwrap();
    assert_eq!(allowed.status(), 200);
    assert!(allowed.headers()["access-control-expose-headers"].to_str().unwrap().contains("X-Paybridge-Verified"));
    assert_eq!(error_code(post("https://evil.example").await.unwrap()).await, "origin_not_allowed");
    // The Host header is the client's to choose: it admits nobody.
    let spoofed = format!("http://{}", proxy.server.addr);
    let host =
        client.post(proxy.server.url("/proxy/blueocean/order/query")).header("origin", &spoofed).header(crate::proxy::CLIENT_SECRET_HEADER, SECRET).body(body.clone()).send();
    assert_eq!(error_code(host.await.unwrap()).await, "origin_not_allowed");
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn capabilities_and_health() {
    let (upstream, _fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |c| c.long_poll_max_wait = std::time::Duration::from_secs(20)).await;
    let mut caps: serde_json::Value = reqwest::get(proxy.server.url("/proxy/capabilities")).await.unwrap().bytes().await.map(|b| serde_json::from_slice(&b).unwrap()).unwrap();
    let info = caps.as_object_mut().unwrap().remove("gatewayInfo").expect("gatewayInfo");
    let registered: Vec<&str> = Gateway::ALL.iter().map(|g| g.as_str()).collect();
    assert_eq!(caps, serde_json::json!({"protocol":2,"clientSecret":true,"gateways":registered,"longPoll":{"maxWait":20},"notify":true}));
    // Every registered gateway, named in each locale from the registry, with the modes its protocol offers.
    let mut described: Vec<&str> = info.as_object().unwrap().keys().map(String::as_str).collect();
    described.sort_unstable();
    assert_eq!(described, {
        let mut r = registered.clone();
        r.sort_unstable();
        r
    });
    for g in Gateway::ALL {
        let names: Vec<&str> = [Locale::ZhCn, Locale::ZhHk, Locale::En].into_iter().map(|l| g.display_name(l)).collect();
        assert_eq!(info[g.as_str()]["name"], serde_json::json!({"zh-CN": names[0], "zh-HK": names[1], "en": names[2]}));
        let offered = paybridge::gateway::protocol(g).unwrap().modes();
        let modes: Vec<&str> = Mode::ALL.into_iter().filter(|m| offered.iter().any(|(o, _)| o == m)).map(Mode::as_str).collect();
        assert_eq!(info[g.as_str()]["modes"], serde_json::json!(modes), "{}", g.as_str());
    }
    assert_eq!(info["blueocean"]["name"]["zh-HK"], "藍海支付 BlueOcean");
    assert_eq!(info["hipos"]["modes"], serde_json::json!(["qr"]));
    assert!(info["beecloud"]["modes"].as_array().unwrap().contains(&serde_json::json!("counter")));
    let health: serde_json::Value = reqwest::get(proxy.server.url("/proxy/healthz")).await.unwrap().bytes().await.map(|b| serde_json::from_slice(&b).unwrap()).unwrap();
    assert_eq!(health, serde_json::json!({"ok":true,"store":"sqlite"}));
    let missing = reqwest::get(proxy.server.url("/proxy/nothing")).await.unwrap();
    assert_eq!(missing.status(), 404);
}

/// ChaoYing's `method=cancel` (交易撤销) from a page: the client secret
/// first, then the same safety query (with the cancel's `paytype`); a paid
/// order is refused with `cancel_refused`, an unpaid one forwarded.
#[tokio::test]
async fn a_chaoying_cancel_is_forwarded_only_for_an_unpaid_order_with_its_secret() {
    use paybridge::json::Value;
    use paybridge::model::Gateway;
    let paid = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&paid);
    let (upstream, fake) = Fake::start(move |_, _, _| {
        let (code, trade_state) = if flag.load(Ordering::SeqCst) { ("10000", "SUCCESS") } else { ("10003", "SUCCESS") };
        let answer = [("state", "SUCCESS"), ("code", code), ("msg", "SUCCESS"), ("trade_state", trade_state), ("out_trade_no", ORDER), ("paytype", "WECHAT")];
        super::fake::Reply::signed(Gateway::ChaoYing, Value::object(answer.map(|(k, v)| (k, Value::str(v)))))
    })
    .await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let body = format!(r#"{{"method":"cancel","paytype":"WECHAT","out_trade_no":"{ORDER}"}}"#);
    let stranger = proxy.post_as(None, "/chaoying/UnifiedPay/Gateway", &body).await;
    assert_eq!(error_code(stranger).await, "client_secret_mismatch");
    assert!(fake.seen().is_empty(), "nothing reached the gateway without the secret");

    let refused = proxy.post("/chaoying/UnifiedPay/Gateway", &body).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(error_code(refused).await, "cancel_refused");
    let seen = fake.seen();
    assert_eq!(seen.iter().map(|s| s.operation).collect::<Vec<_>>(), vec![Operation::Query], "only the safety query");
    assert_eq!((seen[0].params.text("method"), seen[0].params.text("paytype")), (Some("orderquery"), Some("WECHAT")));

    paid.store(false, Ordering::SeqCst);
    let done = proxy.post("/chaoying/UnifiedPay/Gateway", &body).await;
    assert_eq!(done.status(), 200);
    let seen = fake.seen();
    assert_eq!(seen.iter().map(|s| s.operation).collect::<Vec<_>>(), vec![Operation::Query, Operation::Query, Operation::Cancel]);
    assert_eq!((seen[2].params.text("method"), seen[2].params.text("op_user_id")), (Some("cancel"), Some("00000001")));
}
