//! Forwarding: allowlist, orders, server-owned fields, the three signing
//! styles, response checks and upstream failures.

use super::fake::{blueocean_query, Fake, Reply};
use super::{error_code, Proxy, AMOUNT, ORDER};
use paybridge::gateway::{HttpMethod, Operation};
use paybridge::json::Value;
use paybridge::model::Gateway;
use std::time::Duration;

fn blueocean_qr() -> Reply {
    let data = Value::object([("qrcode", Value::str("weixin://wxpay/bizpayurl?pr=abc")), ("out_trade_no", Value::str(ORDER))]);
    Reply::signed(Gateway::BlueOcean, Value::object([("code", Value::int_value(200)), ("message", Value::str("ok")), ("data", data)]))
}

#[tokio::test]
async fn blueocean_request_is_signed_with_the_servers_amount_and_fields() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_qr()).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let body = format!(
        r#"{{"payment":"wechat.qrcode","out_trade_no":"{ORDER}","total_fee":1,"notify_url":"https://evil.example/n","appid":"999","spbill_create_ip":"6.6.6.6","attach":"x"}}"#
    );
    let res = proxy.post("/blueocean/payment/pay", &body).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-paybridge-verified"], "signature");
    let text = res.text().await.unwrap();
    assert_eq!(text, blueocean_qr().body, "the gateway's body comes back verbatim");
    let seen = fake.seen();
    assert_eq!((seen.len(), seen[0].gateway, seen[0].path.as_str()), (1, Gateway::BlueOcean, "/payment/pay"));
    let p = &seen[0].params;
    assert_eq!(p.int("total_fee"), Some(AMOUNT));
    assert_eq!(p.text("notify_url"), Some(proxy.state.config().notify_url(Gateway::BlueOcean).as_str()));
    assert_eq!(p.text("appid"), Some("1000258"));
    assert_eq!(p.text("spbill_create_ip"), Some("127.0.0.1"));
    assert_eq!(p.text("body"), Some("Tea set"));
    assert_eq!(p.get("attach"), None);
}

#[tokio::test]
async fn chaoying_form_request_is_signed_and_method_routed() {
    let (upstream, fake) = Fake::start(|_, _, _| {
        Reply::signed(Gateway::ChaoYing, Value::object([("state", Value::str("SUCCESS")), ("trade_state", Value::str("NOTPAY")), ("code", Value::str("0"))]))
    })
    .await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let body = format!(r#"{{"trade_type":"NATIVE","out_trade_no":"{ORDER}","body":"x","total_fee":"1","mch_id":"evil","agent_id":"evil"}}"#);
    let res = proxy.post("/chaoying/Open/WECHAT_PreOrder", &body).await;
    assert_eq!(res.status(), 200);
    let p = &fake.seen()[0].params;
    assert_eq!(p.text("total_fee"), Some("1234"));
    assert_eq!(p.text("mch_id"), Some("00000001"));
    assert_eq!(p.text("agent_id"), Some("130000000000000001"));
    assert_eq!(p.text("mch_create_ip"), Some("127.0.0.1"));
    assert!(p.text("notify_url").is_some_and(|u| u.ends_with("/proxy/notify/chaoying")));

    let query = proxy.post("/chaoying/UnifiedPay/Gateway", &format!(r#"{{"method":"orderquery","out_trade_no":"{ORDER}"}}"#)).await;
    assert_eq!(query.status(), 200);
    assert_eq!(query.headers()["x-paybridge-verified"], "signature");
    let cancel = proxy.post("/chaoying/UnifiedPay/Gateway", &format!(r#"{{"method":"cancel","out_trade_no":"{ORDER}"}}"#)).await;
    // A page may ask for a cancel now, but only through the safety query: this
    // answer does not read as unpaid, so no cancel reaches the gateway.
    assert_eq!(error_code(cancel).await, "cancel_refused");
    let ops: Vec<Operation> = fake.seen().iter().map(|s| s.operation).collect();
    assert_eq!(ops, vec![Operation::Create, Operation::Query, Operation::Query]);
}

#[tokio::test]
async fn hipopay_request_carries_rsa_headers_and_decimal_amount() {
    let (upstream, fake) = Fake::start(|_, _, _| Reply::raw(r#"{"meta":{"status_code":200,"message":"ok","success":true},"data":{"code_url":"weixin://x"}}"#)).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let body = format!(r#"{{"agent_order_id":"{ORDER}","product_info":"Tea","amount":"0.01","currency":"JPY","ip":"6.6.6.6"}}"#);
    let res = proxy.post("/hipopay/order/scanned_pay", &body).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-paybridge-verified"], "unsigned");
    let p = &fake.seen()[0].params;
    assert_eq!(p.text("amount"), Some("12.34"));
    assert_eq!(p.text("currency"), Some("HKD"));
    assert_eq!(p.text("ip"), Some("127.0.0.1"));
    assert_eq!(p.text("merchant_no"), Some("sandbox-merchant-0001"));

    let query = proxy.post("/hipopay/order", &format!(r#"{{"agent_order_id":"{ORDER}"}}"#)).await;
    assert_eq!(query.status(), 200);
    assert_eq!(fake.seen()[1].path, "/order");
    assert_eq!(fake.seen()[1].http, HttpMethod::Get, "GET endpoints are reached with POST and sent upstream as GET");
}

#[tokio::test]
async fn refuses_what_is_not_allowed() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_qr()).await;
    let proxy = Proxy::start(&upstream, |c| c.max_body_bytes = 256).await;
    let order = format!(r#"{{"out_trade_no":"{ORDER}"}}"#);
    assert_eq!(error_code(proxy.post("/blueocean/payment/refund", &order).await).await, "path_not_allowed");
    assert_eq!(error_code(proxy.post("/blueocean/user/login", &order).await).await, "path_not_allowed");
    assert_eq!(error_code(proxy.post("/hipos/openapi/token/hishop", "{}").await).await, "path_not_allowed");
    let unknown = proxy.post("/paypal/v1/pay", &order).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(error_code(unknown).await, "unknown_gateway");
    let not_object = proxy.post("/blueocean/order/query", "[1]").await;
    assert_eq!(not_object.status(), 400);
    assert_eq!(error_code(not_object).await, "bad_request");
    let repeated = proxy.post("/blueocean/order/query", &format!(r#"{{"out_trade_no":"{ORDER}","out_trade_no":"OTHER0001"}}"#)).await;
    assert_eq!(error_code(repeated).await, "bad_request");
    let big = format!(r#"{{"out_trade_no":"{ORDER}","body":"{}"}}"#, "x".repeat(300));
    assert_eq!(proxy.post("/blueocean/payment/pay", &big).await.status(), 413);
    // Refused like a wrong client secret (another order's secret is one), so order numbers cannot be probed.
    let unknown_order = proxy.post("/blueocean/payment/pay", r#"{"payment":"wechat.qrcode","out_trade_no":"PB99999999"}"#).await;
    assert_eq!(unknown_order.status(), 403);
    assert_eq!(error_code(unknown_order).await, "client_secret_mismatch");
    assert!(fake.seen().is_empty(), "nothing refused reaches the gateway");
}

#[tokio::test]
async fn checks_what_comes_back() {
    let (upstream, fake) = Fake::start(|_, _, _| {
        let mut reply = blueocean_query("SUCCESS");
        reply.body = reply.body.replace("1234", "1");
        reply
    })
    .await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let order = format!(r#"{{"out_trade_no":"{ORDER}"}}"#);
    let tampered = proxy.post("/blueocean/order/query", &order).await;
    assert_eq!(tampered.status(), 502);
    assert_eq!(error_code(tampered).await, "upstream_bad_signature");

    fake.answer(|_, _, _| Reply::raw("<html>502 Bad Gateway</html>"));
    let malformed = proxy.post("/blueocean/order/query", &order).await;
    assert_eq!(malformed.status(), 502);
    assert_eq!(error_code(malformed).await, "upstream_bad_body");

    fake.answer(|_, _, _| Reply::raw(r#"{"code":4004,"message":"签名错误"}"#));
    let refusal = proxy.post("/blueocean/order/query", &order).await;
    assert_eq!(refusal.status(), 200);
    assert_eq!(refusal.headers()["x-paybridge-verified"], "unsigned");
}

#[tokio::test]
async fn upstream_timeout_and_unreachable() {
    let (upstream, _fake) = Fake::start(|_, _, _| Reply { delay: Some(Duration::from_secs(5)), ..blueocean_query("NOTPAY") }).await;
    let proxy = Proxy::start(&upstream, |c| c.upstream_timeout = Duration::from_millis(100)).await;
    let order = format!(r#"{{"out_trade_no":"{ORDER}"}}"#);
    let slow = proxy.post("/blueocean/order/query", &order).await;
    assert_eq!(slow.status(), 504);
    assert_eq!(error_code(slow).await, "upstream_timeout");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let proxy = Proxy::start(&upstream, |c| {
        for (_, g) in &mut c.gateways {
            g.base_url = format!("http://{closed}");
        }
    })
    .await;
    let down = proxy.post("/blueocean/order/query", &order).await;
    assert_eq!(down.status(), 502);
    assert_eq!(error_code(down).await, "upstream_unreachable");
}

#[tokio::test]
async fn hipos_token_is_fetched_cached_and_refreshed_on_6001() {
    let (upstream, fake) = Fake::start(|_, _, _| Reply::raw(r#"{"device_authcode_response":{"code":0,"msg":"OK","auth_code":"HPD-1"}}"#)).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let request = paybridge::gateway::hipos::device_authcode_request("42", "store01").unwrap();
    proxy.state.back_office(&request).await.unwrap();
    proxy.state.back_office(&request).await.unwrap();
    assert_eq!(fake.token_calls(), 1, "the token is cached");
    *fake.hipos_token.lock().unwrap() = "revoked".to_owned();
    proxy.state.back_office(&request).await.unwrap();
    assert_eq!(fake.token_calls(), 2, "a 6001 answer fetches a new token and retries once");
    assert_eq!(fake.seen().len(), 3);
}

/// The checkout's locale (sent as `Accept-Language`) picks BlueOcean's
/// `User-Agent` language (seed L63–L80); without one it stays zh_CN.
#[tokio::test]
async fn blueocean_language_follows_the_checkout_locale() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_qr()).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let body = format!(r#"{{"payment":"wechat.qrcode","out_trade_no":"{ORDER}"}}"#);
    let cases = [
        (Some("en"), "Language/en_US"),
        (Some("zh-HK"), "Language/zh_HK"),
        (Some("zh-CN,zh;q=0.9"), "Language/zh_CN"),
        (None, "Language/zh_CN"),
        (Some("fr-FR,zh-TW;q=0.8,en;q=0.5"), "Language/zh_HK"),
    ];
    for (i, (accept, language)) in cases.into_iter().enumerate() {
        let mut request = reqwest::Client::new()
            .post(proxy.server.url("/proxy/blueocean/payment/pay"))
            .header("content-type", "application/json")
            .header(super::super::CLIENT_SECRET_HEADER, super::SECRET);
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        assert_eq!(request.body(body.clone()).send().await.unwrap().status(), 200);
        let seen = fake.seen();
        let ua = seen[i].user_agent.as_deref().unwrap_or_default();
        assert_eq!(ua, format!("BoPayPos/1.1.0 NetType/WIFI {language}"), "{accept:?}");
    }
}

#[tokio::test]
async fn an_upstream_redirect_is_not_followed() {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::post;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    let followed = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&followed);
    let app =
        axum::Router::new().route("/sandbox/blueocean/order/query", post(|| async { (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, "/elsewhere")]).into_response() })).route(
            "/elsewhere",
            post(move || async move {
                counter.fetch_add(1, Ordering::SeqCst);
                blueocean_query("NOTPAY").body
            }),
        );
    let upstream = super::Server::start(app).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let res = proxy.post("/blueocean/order/query", &format!(r#"{{"out_trade_no":"{ORDER}"}}"#)).await;
    assert_eq!(res.status(), 502);
    assert_eq!(error_code(res).await, "upstream_bad_body");
    assert_eq!(followed.load(Ordering::SeqCst), 0, "the signed call went nowhere but the configured upstream");
}
