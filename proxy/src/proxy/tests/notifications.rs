//! Notifications: verified, committed to the store with their event before
//! the ack, de-duplicated, acknowledged the gateway's way; forgeries and
//! notifications the proxy cannot record are stored nowhere and not
//! acknowledged.

use super::fake::{blueocean_query, Fake};
use super::{Proxy, AMOUNT, ORDER};
use crate::store::EventKind;
use paybridge::gateway::wire;
use paybridge::json::Value;
use paybridge::model::{Gateway, PayState};

/// A signed BlueOcean payment notification for `order` paid `total_fee`
/// at `paid_ms` (its `time_end`, GMT+8), as a request to the proxy's notify route.
pub fn blueocean_paid_at(proxy: &Proxy, order: &str, transaction_id: &str, total_fee: i64, paid_ms: i64) -> reqwest::Request {
    let fields = Value::object([
        ("out_trade_no", Value::str(order)),
        ("total_fee", Value::int_value(total_fee)),
        ("transaction_id", Value::str(transaction_id)),
        ("trade_state", Value::str("SUCCESS")),
        ("time_end", Value::str(crate::sandbox::clock::compact_gmt8(paid_ms))),
    ]);
    let secrets = crate::sandbox::credentials::sandbox_secrets(Gateway::BlueOcean);
    let signed = wire(Gateway::BlueOcean).unwrap().encode_notification(&fields, &secrets, super::super::now_ms());
    let mut request = reqwest::Client::new().post(proxy.server.url("/proxy/notify/blueocean")).body(signed.body);
    for (k, v) in signed.headers {
        request = request.header(k, v);
    }
    request.build().unwrap()
}

/// A signed BlueOcean payment notification for `order` paid `total_fee` now.
pub fn blueocean_paid(proxy: &Proxy, order: &str, transaction_id: &str, total_fee: i64) -> reqwest::Request {
    blueocean_paid_at(proxy, order, transaction_id, total_fee, super::super::now_ms())
}

/// A signed BlueOcean payment notification for the test order.
pub fn blueocean_notification(proxy: &Proxy, transaction_id: &str) -> reqwest::Request {
    blueocean_paid(proxy, ORDER, transaction_id, AMOUNT)
}

/// The same, for a payment made at `paid_ms`.
pub fn blueocean_notification_at(proxy: &Proxy, transaction_id: &str, paid_ms: i64) -> reqwest::Request {
    blueocean_paid_at(proxy, ORDER, transaction_id, AMOUNT, paid_ms)
}

#[tokio::test]
async fn a_notification_and_its_event_are_committed_once_and_forgeries_nowhere() {
    let (upstream, _fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let store = proxy.state.store().clone();
    let client = reqwest::Client::new();

    let forged = blueocean_notification(&proxy, "4200000002");
    let body = String::from_utf8(forged.body().unwrap().as_bytes().unwrap().to_vec()).unwrap().replace("total_fee=1234", "total_fee=1");
    let res = client.post(proxy.server.url("/proxy/notify/blueocean")).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.text().await.unwrap(), "FAIL");
    let unsigned = client.post(proxy.server.url("/proxy/notify/blueocean")).body(format!("out_trade_no={ORDER}&trade_state=SUCCESS&total_fee=1234")).send().await.unwrap();
    assert_eq!(unsigned.status(), 400);
    assert!(store.order_events(Gateway::BlueOcean, ORDER).await.unwrap().is_empty(), "a forged or unsigned notification records no event");
    assert!(store.record_notification(Gateway::BlueOcean, &format!("{ORDER}/4200000002/SUCCESS"), None, 0).await.unwrap(), "nor its key");

    for _ in 0..2 {
        let res = client.execute(blueocean_notification(&proxy, "4200000001")).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.text().await.unwrap(), "SUCCESS");
    }
    // Acknowledged means committed: the event is in the store when the ack arrives.
    let events = store.order_events(Gateway::BlueOcean, ORDER).await.unwrap();
    assert_eq!(events.len(), 1, "a repeated notification is one event: {events:?}");
    let e = &events[0];
    assert_eq!((&e.kind, e.state, e.amount, e.transaction_id.as_deref()), (&EventKind::PaymentSucceeded, PayState::Succeeded, Some(AMOUNT), Some("4200000001")));
    assert!(!store.record_notification(Gateway::BlueOcean, &format!("{ORDER}/4200000001/SUCCESS"), None, 0).await.unwrap(), "the notification's key is recorded");

    let unknown = client.post(proxy.server.url("/proxy/notify/paypal")).body("x").send().await.unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn a_payment_of_another_amount_is_a_mismatch_and_an_unknown_order_is_not_acknowledged() {
    let (upstream, _fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let store = proxy.state.store().clone();
    let client = reqwest::Client::new();

    let res = client.execute(blueocean_paid(&proxy, ORDER, "4200000003", 1)).await.unwrap();
    assert_eq!(res.status(), 200, "a verified notification is acknowledged");
    let events = store.order_events(Gateway::BlueOcean, ORDER).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((&events[0].kind, events[0].state, events[0].amount, events[0].gateway_amount), (&EventKind::PaymentAmountMismatch, PayState::Unknown, Some(AMOUNT), Some(1)));

    // No order record: no amount to check against, so no ack — the gateway retries.
    let res = client.execute(blueocean_paid(&proxy, "PB99999999", "4200000004", AMOUNT)).await.unwrap();
    assert_eq!(res.status(), 500);
    assert_eq!(res.text().await.unwrap(), "FAIL");
    assert!(store.order_events(Gateway::BlueOcean, "PB99999999").await.unwrap().is_empty());
    assert!(store.record_notification(Gateway::BlueOcean, "PB99999999/4200000004/SUCCESS", None, 0).await.unwrap(), "its key was not recorded");
}

/// A webhook timestamp is signed (BeeCloud: `md5(app_id + app_secret +
/// timestamp)`): one in seconds where ms are documented is read as such,
/// not refused as 55 years stale; one truly older than the window still is.
#[tokio::test]
async fn a_signed_timestamp_in_seconds_is_not_refused_as_stale() {
    let (upstream, _fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let secrets = crate::sandbox::credentials::sandbox_secrets(Gateway::BeeCloud);
    let (app_id, app_secret) = (secrets.get("app_id").unwrap(), secrets.get("app_secret").unwrap());
    let client = reqwest::Client::new();
    let send = |timestamp: i64, transaction: &'static str| {
        let sign = paybridge::gateway::beecloud::wire::webhook_sign(app_id, app_secret, &timestamp.to_string());
        let body = Value::object([
            ("sign", Value::str(sign)),
            ("timestamp", Value::int_value(timestamp)),
            ("channel_type", Value::str("WX")),
            ("sub_channel_type", Value::str("WX_SCAN")),
            ("transaction_type", Value::str("PAY")),
            ("transaction_id", Value::str(ORDER)),
            ("transaction_fee", Value::int_value(AMOUNT)),
            ("trade_success", Value::Bool(true)),
            ("message_detail", Value::object([("transaction_id", Value::str(transaction))])),
        ]);
        client.post(proxy.server.url("/proxy/notify/beecloud")).header("content-type", "application/json").body(body.to_json()).send()
    };
    let now = super::super::now_ms();
    let stale = send(now - 2 * 86_400_000, "4200000011").await.unwrap();
    assert_eq!(stale.status(), 400, "two days old");
    let seconds = send(now / 1000, "4200000012").await.unwrap();
    assert_eq!(seconds.status(), 200);
    assert_eq!(seconds.text().await.unwrap(), "success");
}
