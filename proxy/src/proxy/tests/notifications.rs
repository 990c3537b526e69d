//! Notifications: verified, de-duplicated, acknowledged the gateway's way.

use super::fake::{blueocean_query, Fake};
use super::{Proxy, AMOUNT, ORDER};
use paybridge::gateway::wire;
use paybridge::json::Value;
use paybridge::model::{Gateway, PayState};
use std::sync::{Arc, Mutex};

/// A signed BlueOcean payment notification for the test order, as a request
/// to the proxy's notify route.
pub fn blueocean_notification(proxy: &Proxy, transaction_id: &str) -> reqwest::Request {
    let fields = Value::object([
        ("out_trade_no", Value::str(ORDER)),
        ("total_fee", Value::int_value(AMOUNT)),
        ("transaction_id", Value::str(transaction_id)),
        ("trade_state", Value::str("SUCCESS")),
    ]);
    let secrets = crate::sandbox::credentials::sandbox_secrets(Gateway::BlueOcean);
    let signed = wire(Gateway::BlueOcean).unwrap().encode_notification(&fields, &secrets, super::super::now_ms());
    let mut request = reqwest::Client::new().post(proxy.server.url("/proxy/notify/blueocean")).body(signed.body);
    for (k, v) in signed.headers {
        request = request.header(k, v);
    }
    request.build().unwrap()
}

#[tokio::test]
async fn duplicates_reach_the_hook_once_and_forgeries_never() {
    let (upstream, _fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let calls: Arc<Mutex<Vec<(Gateway, String, PayState)>>> = Arc::default();
    let sink = Arc::clone(&calls);
    let state = proxy.state.clone().on_notification(move |g, n| sink.lock().unwrap().push((g, n.out_trade_no.clone(), n.status.state)));
    drop(state);
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let res = client.execute(blueocean_notification(&proxy, "4200000001")).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.text().await.unwrap(), "SUCCESS");
    }
    assert_eq!(*calls.lock().unwrap(), vec![(Gateway::BlueOcean, ORDER.to_owned(), PayState::Succeeded)]);

    let forged = blueocean_notification(&proxy, "4200000002");
    let body = String::from_utf8(forged.body().unwrap().as_bytes().unwrap().to_vec()).unwrap().replace("total_fee=1234", "total_fee=1");
    let res = client.post(proxy.server.url("/proxy/notify/blueocean")).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.text().await.unwrap(), "FAIL");
    assert_eq!(calls.lock().unwrap().len(), 1, "a forged notification is not recorded");

    let unknown = client.post(proxy.server.url("/proxy/notify/paypal")).body("x").send().await.unwrap();
    assert_eq!(unknown.status(), 404);
}
