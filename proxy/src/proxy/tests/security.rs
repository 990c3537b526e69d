//! Issue 13's probes: strangers, stripped signatures, a hung order source,
//! many long-polls on one order, redirects, replays, the endpoint tables.

use super::fake::{blueocean_query, Fake, Reply};
use super::notifications::blueocean_notification_at;
use super::{error_code, Proxy, Server, ORDER, SECRET};
use crate::orders::OrderSource;
use crate::proxy::RateLimit;
use axum::Router;
use paybridge::gateway::{rules, Operation};
use paybridge::json::Value;
use paybridge::model::Gateway;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn order_body() -> String {
    format!(r#"{{"out_trade_no":"{ORDER}"}}"#)
}

fn qr_body() -> String {
    format!(r#"{{"payment":"wechat.qrcode","out_trade_no":"{ORDER}"}}"#)
}

#[tokio::test]
async fn strangers_cannot_create_read_or_close_nor_spend_the_owners_budget() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |c| c.rate_limit = RateLimit { per_second: 0.001, burst: 2 }).await;
    for secret in [None, Some("pcs_guess"), Some(&SECRET[..SECRET.len() - 1])] {
        for (path, body) in [("/blueocean/payment/pay", qr_body()), ("/blueocean/order/query", order_body()), ("/blueocean/order/close", order_body())] {
            let res = proxy.post_as(secret, path, &body).await;
            assert_eq!(res.status(), 403, "{path} with {secret:?}");
            assert_eq!(error_code(res).await, "client_secret_mismatch");
        }
        let held = proxy.post_as(secret, "/blueocean/order/query?wait=5", &order_body()).await;
        assert_eq!(error_code(held).await, "client_secret_mismatch");
    }
    assert!(fake.seen().is_empty(), "no stranger reached the gateway");
    assert_eq!(proxy.post("/blueocean/order/query", &order_body()).await.status(), 200, "twelve stranger calls left the owner's burst of 2 untouched");
    assert_eq!(proxy.post("/blueocean/order/query", &order_body()).await.status(), 200);
}

#[tokio::test]
async fn a_record_without_a_client_secret_is_refused_unless_configured_unsafe() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let orders = OrderSource::memory();
    orders.insert(crate::orders::OrderRecord { out_trade_no: ORDER.to_owned(), amount: 1, subject: String::new(), client_secret: None });
    let strict = Proxy::start_with(&upstream, orders.clone(), |_| {}).await;
    assert_eq!(error_code(strict.post("/blueocean/order/query", &order_body()).await).await, "client_secret_mismatch");
    assert!(fake.seen().is_empty());
    let lax = Proxy::start_with(&upstream, orders, |c| c.security.require_client_secret = false).await;
    assert_eq!(lax.post_as(None, "/blueocean/order/query", &order_body()).await.status(), 200);
}

/// Every browser call about one order (create, query, long-poll, close, the
/// O2O page's calls) answers an order the merchant does not have exactly as
/// it answers a wrong secret for one it has, whatever secret comes with it,
/// and so does a record without a secret: order numbers cannot be probed.
/// Only with secrets switched off is an unknown order 404 `unknown_order`.
#[tokio::test]
async fn an_unknown_order_is_refused_exactly_like_a_wrong_secret() {
    const UNKNOWN: &str = "PB99999999";
    const NO_SECRET: &str = "PB00000077";
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let orders = OrderSource::memory();
    orders.insert(crate::orders::OrderRecord { out_trade_no: ORDER.to_owned(), amount: 1, subject: String::new(), client_secret: Some(SECRET.to_owned()) });
    orders.insert(crate::orders::OrderRecord { out_trade_no: NO_SECRET.to_owned(), amount: 1, subject: String::new(), client_secret: None });
    let proxy = Proxy::start_with(&upstream, orders.clone(), |_| {}).await;
    let o2o_body = format!(r#"{{"out_order_no":"{ORDER}"}}"#);
    let calls = [
        ("/blueocean/payment/pay", qr_body()),
        ("/blueocean/order/query", order_body()),
        ("/blueocean/order/query?wait=5", order_body()),
        ("/blueocean/order/close", order_body()),
        ("/hipos/o2o/pickup", o2o_body.clone()),
        ("/hipos/o2o/status?wait=5", o2o_body),
    ];
    for (path, body) in &calls {
        let res = proxy.post_as(Some("pcs_guess"), path, body).await;
        let wrong_secret = (res.status().as_u16(), res.text().await.unwrap());
        assert_eq!(wrong_secret.0, 403, "{path}: {}", wrong_secret.1);
        for (order, secret) in [(UNKNOWN, None), (UNKNOWN, Some("pcs_guess")), (UNKNOWN, Some(SECRET)), (NO_SECRET, Some(SECRET))] {
            let res = proxy.post_as(secret, path, &body.replace(ORDER, order)).await;
            assert_eq!((res.status().as_u16(), res.text().await.unwrap()), wrong_secret, "{path} for {order} with {secret:?}");
        }
    }
    assert!(fake.seen().is_empty(), "nothing refused reached the gateway");
    let lax = Proxy::start_with(&upstream, orders, |c| c.security.require_client_secret = false).await;
    let unknown = lax.post_as(None, "/blueocean/order/query", &order_body().replace(ORDER, UNKNOWN)).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(error_code(unknown).await, "unknown_order");
}

/// A signed BlueOcean query answer with its `data.sign` removed or changed.
fn tampered(strip: bool) -> Reply {
    let mut body = paybridge::json::parse(&blueocean_query("SUCCESS").body).unwrap();
    if let Value::Object(members) = &mut body {
        for (k, v) in members.iter_mut() {
            if let (true, Value::Object(data)) = (k == "data", v) {
                for (dk, dv) in data.iter_mut() {
                    if dk == "sign" {
                        *dv = Value::str("0123456789ABCDEF0123456789ABCDEF");
                    }
                }
                if strip {
                    data.retain(|(dk, _)| dk != "sign");
                }
            }
        }
    }
    Reply::raw(&body.to_json())
}

#[tokio::test]
async fn stripped_or_corrupted_signatures_are_502_never_the_body() {
    for strip in [true, false] {
        let (upstream, _fake) = Fake::start(move |_, _, _| tampered(strip)).await;
        let proxy = Proxy::start(&upstream, |_| {}).await;
        let res = proxy.post("/blueocean/order/query", &order_body()).await;
        assert_eq!(res.status(), 502, "strip={strip}");
        let text = res.text().await.unwrap();
        assert!(!text.contains("SUCCESS"), "{text}");
        assert!(text.contains("upstream_bad_signature"), "{text}");
    }
    // ChaoYing's /UnifiedPay/Gateway signs every answer: an unsigned one is refused.
    let unsigned = |_: Gateway, _: &paybridge::gateway::Endpoint, _: &Value| Reply::raw(r#"{"state":"SUCCESS","trade_state":"SUCCESS","code":"0"}"#);
    let (upstream, _fake) = Fake::start(unsigned).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let res = proxy.post("/chaoying/UnifiedPay/Gateway", &format!(r#"{{"method":"orderquery","out_trade_no":"{ORDER}"}}"#)).await;
    assert_eq!(error_code(res).await, "upstream_bad_signature");
}

#[tokio::test]
async fn a_hung_order_source_is_504_order_source_timeout() {
    let release = Arc::new(tokio::sync::Notify::new());
    let hold = Arc::clone(&release);
    let hung = Router::new().fallback(move || {
        let hold = Arc::clone(&hold);
        async move {
            // Held until the test ends (bounded, in case it never does).
            let _ = tokio::time::timeout(Duration::from_secs(30), hold.notified()).await;
            "{}"
        }
    });
    let source = Server::start(hung).await;
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let orders = OrderSource::http(source.url("/orders"), Duration::from_millis(200), Duration::from_millis(300));
    let proxy = Proxy::start_with(&upstream, orders, |_| {}).await;
    let res = proxy.post("/blueocean/order/query", &order_body()).await;
    assert_eq!(res.status(), 504);
    assert_eq!(error_code(res).await, "order_source_timeout");
    assert!(fake.seen().is_empty());
    release.notify_waiters();
}

#[tokio::test]
async fn concurrent_long_polls_on_one_order_share_one_query_per_period() {
    const WAITERS: usize = 20;
    let period = Duration::from_millis(250);
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Arc::new(Proxy::start(&upstream, |c| c.long_poll_recheck = period).await);
    let started = Instant::now();
    let polls: Vec<_> = (0..WAITERS)
        .map(|_| {
            let proxy = Arc::clone(&proxy);
            tokio::spawn(async move { proxy.post("/blueocean/order/query?wait=1", &order_body()).await.status() })
        })
        .collect();
    for poll in polls {
        assert_eq!(poll.await.unwrap(), 200);
    }
    let elapsed = started.elapsed();
    let queries = fake.seen().iter().filter(|s| s.operation == Operation::Query).count();
    let periods = usize::try_from(elapsed.as_millis() / period.as_millis()).unwrap() + 1;
    assert!(queries <= periods, "{queries} upstream queries for {WAITERS} waiters in {elapsed:?}: more than one per {period:?}");
}

#[tokio::test]
async fn held_long_polls_are_capped_with_503_and_retry_after() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Arc::new(Proxy::start(&upstream, |c| c.max_long_poll_waiters = 1).await);
    let holder = Arc::clone(&proxy);
    let held = tokio::spawn(async move { holder.post("/blueocean/order/query?wait=2", &order_body()).await.status() });
    fake.wait_for(1).await;
    let busy = proxy.post("/blueocean/order/query?wait=2", &order_body()).await;
    assert_eq!(busy.status(), 503);
    assert!(busy.headers()["retry-after"].to_str().unwrap().parse::<u64>().is_ok());
    assert_eq!(error_code(busy).await, "too_many_waiters");
    assert_eq!(held.await.unwrap(), 200);
}

#[tokio::test]
async fn return_urls_outside_the_allowlist_are_dropped_and_subjects_cleaned() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |c| c.security.allowed_return_urls = vec!["https://shop.example/".to_owned()]).await;
    for url in ["https://evil.example/phish", "https://shop.example/paid?o=1"] {
        let body = format!(r#"{{"payment":"alipay.wappay","out_trade_no":"{ORDER}","h5_redirect_url":"{url}","body":"Free\u0000 money\r\n"}}"#);
        assert_eq!(proxy.post("/blueocean/payment/pay", &body).await.status(), 200);
    }
    let seen = fake.seen();
    assert_eq!(seen[0].params.text("h5_redirect_url"), None, "outside the allowlist: dropped");
    assert_eq!(seen[1].params.text("h5_redirect_url"), Some("https://shop.example/paid?o=1"));
    assert_eq!(seen[0].params.text("body"), Some("Tea set"), "the order record's description, not the page's");
}

#[tokio::test]
async fn notifications_older_than_the_window_are_refused() {
    let (upstream, _fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let client = reqwest::Client::new();
    let day_ms = 24 * 60 * 60 * 1000;
    let old = client.execute(blueocean_notification_at(&proxy, "4200000009", super::super::now_ms() - day_ms - 60_000)).await.unwrap();
    assert_eq!(old.status(), 400);
    let fresh = client.execute(blueocean_notification_at(&proxy, "4200000010", super::super::now_ms() - 60_000)).await.unwrap();
    assert_eq!(fresh.status(), 200);
}

#[test]
fn every_browser_reachable_endpoint_names_its_order() {
    for gateway in Gateway::ALL {
        for e in rules(gateway).unwrap().endpoints().iter().filter(|e| e.browser) {
            assert!(e.order_ref.is_some(), "{} {} ({:?}) is browser-reachable but names no order", gateway.as_str(), e.path, e.method_param);
        }
    }
}

#[tokio::test]
async fn blueocean_refundquery_is_not_browser_reachable() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    assert_eq!(error_code(proxy.post("/blueocean/order/refundquery", r#"{"out_refund_no":"R1"}"#).await).await, "path_not_allowed");
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn currency_and_fee_type_are_the_servers() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |c| {
        if let Some((_, bo)) = c.gateways.iter_mut().find(|(g, _)| *g == Gateway::BlueOcean) {
            bo.secrets.0.push(("fee_type".to_owned(), "HKD".to_owned()));
        }
    })
    .await;
    let body = format!(r#"{{"payment":"wechat.qrcode","out_trade_no":"{ORDER}","fee_type":"JPY","currency":"JPY"}}"#);
    assert_eq!(proxy.post("/blueocean/payment/pay", &body).await.status(), 200);
    let seen = fake.seen();
    assert_eq!(seen[0].params.text("fee_type"), Some("HKD"));
    assert_eq!(seen[0].params.get("currency"), None);
}

#[tokio::test]
async fn sub_appid_is_the_configured_one_per_container() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |c| {
        for (g, gc) in c.gateways.iter_mut().filter(|(g, _)| matches!(g, Gateway::BlueOcean | Gateway::ChaoYing | Gateway::HipoPay)) {
            gc.secrets.0.retain(|(k, _)| !k.starts_with("sub_appid_"));
            gc.secrets.0.push(("sub_appid_official_account".to_owned(), format!("wxoa{}", g.as_str())));
            gc.secrets.0.push(("sub_appid_mini_program".to_owned(), format!("wxmp{}", g.as_str())));
        }
    })
    .await;
    let calls = [
        ("/blueocean/payment/pay", format!(r#"{{"payment":"wechat.jsapi","out_trade_no":"{ORDER}","sub_openid":"o1"}}"#)),
        ("/blueocean/payment/pay", format!(r#"{{"payment":"wechat.jsapi","out_trade_no":"{ORDER}","sub_openid":"o1","sub_appid":"wxevil"}}"#)),
        ("/blueocean/payment/pay", format!(r#"{{"payment":"wechat.jsapi","out_trade_no":"{ORDER}","sub_openid":"o1","sub_appid":"wxmpblueocean"}}"#)),
        ("/chaoying/Open/WECHAT_PreOrder", format!(r#"{{"trade_type":"JSPAY","out_trade_no":"{ORDER}","buyer_id":"o1","is_minipg":"1","sub_appid":"wxevil"}}"#)),
        ("/chaoying/Open/WECHAT_PreOrder", format!(r#"{{"trade_type":"JSPAY","out_trade_no":"{ORDER}","buyer_id":"o1","is_minipg":"0"}}"#)),
        ("/hipopay/order/mini_program_pay", format!(r#"{{"agent_order_id":"{ORDER}","product_info":"x","openid":"o1"}}"#)),
    ];
    for (path, body) in &calls {
        assert_eq!(proxy.post(path, body).await.status(), 200, "{path} {body}");
    }
    let got: Vec<Option<String>> =
        fake.seen().iter().map(|s| s.params.text("sub_appid").or(s.params.text("appid").filter(|_| s.gateway == Gateway::HipoPay)).map(str::to_owned)).collect();
    let want = ["wxoablueocean", "wxoablueocean", "wxmpblueocean", "wxmpchaoying", "wxoachaoying", "wxmphipopay"];
    assert_eq!(got, want.map(|s| Some(s.to_owned())), "the page neither has to pass it nor can choose another");
}
