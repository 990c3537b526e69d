//! `/metrics` counts what the proxy answered.

use super::fake::{Fake, Reply};
use super::{Proxy, ORDER};
use paybridge::json::Value;
use paybridge::model::Gateway;

#[tokio::test]
async fn metrics_count_calls_by_gateway_and_status() {
    let (upstream, _fake) = Fake::start(|_, _, _| {
        let data = Value::object([("trade_state", Value::str("NOTPAY")), ("out_trade_no", Value::str(ORDER))]);
        Reply::signed(Gateway::BlueOcean, Value::object([("code", Value::int_value(200)), ("message", Value::str("ok")), ("data", data)]))
    })
    .await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    assert_eq!(proxy.post("/blueocean/payment/pay", &format!(r#"{{"payment":"wechat.qrcode","out_trade_no":"{ORDER}"}}"#)).await.status(), 200);
    assert_eq!(proxy.post("/blueocean/no/such/path", "{}").await.status(), 404);
    let res = reqwest::get(proxy.server.url("/proxy/metrics")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let text = res.text().await.unwrap();
    assert!(text.contains(r#"paybridge_proxy_requests_total{gateway="blueocean",status="200"} 1"#), "{text}");
    assert!(text.contains(r#"paybridge_proxy_requests_total{gateway="blueocean",status="404"} 1"#), "{text}");
    assert!(text.contains(r#"paybridge_proxy_upstream_seconds_count{gateway="blueocean"} 1"#), "{text}");
    assert!(text.contains("paybridge_proxy_long_polls_held 0"), "{text}");
    assert!(text.contains(r#"paybridge_proxy_events{delivery="pending"} 0"#), "the store's event counts: {text}");
}
