//! HiPOS O2O in the seed's direction over loopback: the order's page gets
//! its pickup code from the proxy; HiPOS (played here with the proxy's own
//! token) calls the application-side interfaces; unsigned, stale and forged
//! calls are refused with nothing recorded; a pickup with the POS's payment
//! is committed as events before HiPOS hears "PICKED_UP", wakes the page's
//! long-poll, and a repeat changes nothing; a pairing becomes
//! `device.authorised`.

use super::fake::{Fake, Reply};
use super::{Proxy, ORDER};
use crate::store::EventKind;
use paybridge::gateway::hipos::app::{sign_call, DeviceAuthorised, OfflinePayment, OrderQuery, PickupConfirm, DEVICE_INTERFACE, ORDER_INTERFACE, PICKUP_INTERFACE};
use paybridge::json::Value;
use std::time::Duration;

/// HiPOS's call: `body` to `interface`, signed with `token` at `at_ms` (`None`: unsigned).
async fn hipos_call(proxy: &Proxy, interface: &str, body: &Value, token: Option<&str>, at_ms: i64) -> (u16, serde_json::Value) {
    let notify_url = proxy.server.url("/proxy/notify/hipos");
    let signed = sign_call(&notify_url, interface, body, token.unwrap_or("x"), at_ms);
    let mut request = reqwest::Client::new().post(&signed.path_and_query).body(signed.body.clone());
    for (name, value) in signed.headers.iter().filter(|(n, _)| token.is_some() || n.eq_ignore_ascii_case("content-type")) {
        request = request.header(name.as_str(), value.as_str());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap())
}

fn inner(answer: &serde_json::Value) -> &serde_json::Value {
    answer.as_object().and_then(|m| m.values().next()).unwrap()
}

async fn kinds(proxy: &Proxy, subject: &str) -> Vec<EventKind> {
    proxy.state.store().order_events(paybridge::model::Gateway::HiPos, subject).await.unwrap().into_iter().map(|e| e.body.kind).collect()
}

#[tokio::test]
async fn pickup_and_pairing_run_from_hipos_to_the_merchant() {
    let (upstream, fake) = Fake::start(|_, _, _| Reply::raw("{}")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let order = format!(r#"{{"out_order_no":"{ORDER}"}}"#);
    let page: serde_json::Value = serde_json::from_slice(&proxy.post("/hipos/o2o/pickup", &order).await.bytes().await.unwrap()).unwrap();
    let code = page["o2o_pickup_code_response"]["pickup_code"].as_str().unwrap().to_owned();
    assert_eq!(page["o2o_pickup_code_response"]["status"], "UNPAID");
    assert!(code.starts_with(&format!("{ORDER}.")), "{code}");
    assert_eq!(fake.token_calls(), 1, "the application is authorised with HiPOS before its code is shown");
    assert_eq!(proxy.post_as(None, "/hipos/o2o/pickup", &order).await.status(), 403, "only the order's own page");
    let token = fake.hipos_token.lock().unwrap().clone();
    let now = super::super::now_ms();

    // 获取订单详情: only HiPOS, now, with the current token.
    let query = OrderQuery { pickup_code: code.clone(), device_id: Some("POS-01".into()) }.to_value();
    for (who, at, code_expected) in [(None, now, "6030"), (Some(token.as_str()), now - 10 * 60_000, "6031"), (Some("tok-forged"), now, "6032")] {
        let (status, answer) = hipos_call(&proxy, ORDER_INTERFACE, &query, who, at).await;
        assert_eq!((status, inner(&answer)["code"].to_string()), (401, code_expected.to_owned()));
    }
    let (status, answer) = hipos_call(&proxy, ORDER_INTERFACE, &query, Some(&token), now).await;
    assert_eq!(status, 200);
    assert_eq!((inner(&answer)["status"].as_str(), inner(&answer)["amount"].as_i64()), (Some("UNPAID"), Some(super::AMOUNT)));
    let guessed = OrderQuery { pickup_code: format!("{ORDER}.0000000000000000"), device_id: None }.to_value();
    assert_eq!(inner(&hipos_call(&proxy, ORDER_INTERFACE, &guessed, Some(&token), now).await.1)["code"], 6021, "a made-up code names no order");

    // The page holds a long-poll while the POS takes the payment and HiPOS confirms the pickup.
    let waiting = tokio::spawn({
        let url = proxy.server.url("/proxy/hipos/o2o/status?wait=20");
        let order = order.clone();
        async move {
            let r = reqwest::Client::new().post(url).header(super::super::CLIENT_SECRET_HEADER, super::SECRET).body(order).send().await.unwrap();
            let wait = r.headers().get("x-paybridge-wait").map(|v| v.to_str().unwrap().to_owned());
            (wait, serde_json::from_slice::<serde_json::Value>(&r.bytes().await.unwrap()).unwrap())
        }
    });
    let mut confirm = PickupConfirm {
        out_order_no: ORDER.into(),
        pickup_code: code.clone(),
        device_id: Some("POS-01".into()),
        offline: Some(OfflinePayment { trade_no: "HP1".into(), amount: 1 }),
    };
    let (status, answer) = hipos_call(&proxy, PICKUP_INTERFACE, &confirm.to_value(), Some(&token), now).await;
    assert_eq!((status, inner(&answer)["code"].as_i64()), (200, Some(6023)), "another amount than the order's is no pickup");
    assert_eq!(kinds(&proxy, ORDER).await, [EventKind::PaymentAmountMismatch]);
    let unsigned = hipos_call(&proxy, PICKUP_INTERFACE, &confirm.to_value(), None, now).await;
    assert_eq!(unsigned.0, 401);
    confirm.offline = Some(OfflinePayment { trade_no: "HP2".into(), amount: super::AMOUNT });
    let (status, answer) = hipos_call(&proxy, PICKUP_INTERFACE, &confirm.to_value(), Some(&token), now).await;
    assert_eq!((status, inner(&answer)["status"].as_str()), (200, Some("PICKED_UP")));
    assert_eq!(kinds(&proxy, ORDER).await, [EventKind::PaymentAmountMismatch, EventKind::PaymentSucceeded, EventKind::OrderPickedUp], "committed before the answer");
    let (wait, held) = tokio::time::timeout(Duration::from_secs(15), waiting).await.unwrap().unwrap();
    assert_eq!(held["o2o_order_response"]["status"], "PICKED_UP");
    assert_eq!(held["o2o_order_response"]["trade_no"], "HP2");
    assert_eq!(wait.as_deref(), Some("notified"));
    let again = hipos_call(&proxy, PICKUP_INTERFACE, &confirm.to_value(), Some(&token), now).await;
    assert_eq!((again.0, inner(&again.1)["status"].as_str()), (200, Some("PICKED_UP")), "a repeat gets the same answer");
    assert_eq!(kinds(&proxy, ORDER).await.len(), 3, "and records nothing twice");

    // [回调]返回授权Token通知: acknowledged only for the token the proxy holds, and only when current.
    let codec = paybridge::gateway::wire(paybridge::model::Gateway::HiPos).unwrap();
    let callback = |token: &str, at: i64| {
        let mut secrets = crate::sandbox::credentials::sandbox_secrets(paybridge::model::Gateway::HiPos);
        secrets.0.push(("token".to_owned(), token.to_owned()));
        let fields = Value::object([("notify_url", Value::str(proxy.server.url("/proxy/notify/hipos"))), ("merchant_id", Value::str("42"))]);
        codec.encode_notification(&fields, &secrets, at).body
    };
    for (body, status) in [(callback(&token, now), 200), (callback("tok-forged", now), 400), (callback(&token, now - 10 * 60_000), 400)] {
        let res = reqwest::Client::new().post(proxy.server.url("/proxy/notify/hipos")).body(body).send().await.unwrap();
        assert_eq!(res.status().as_u16(), status);
    }

    // [回调]设备授权成功通知.
    assert_eq!(proxy.state.hipos_device_status("HPD-store01-000001", Duration::ZERO).await.unwrap(), None);
    let device = DeviceAuthorised { auth_code: "HPD-store01-000001".into(), store_id: "store01".into(), device_id: "POS-02".into() }.to_value();
    assert_eq!(hipos_call(&proxy, DEVICE_INTERFACE, &device, None, now).await.0, 401);
    assert_eq!(kinds(&proxy, "HPD-store01-000001").await, [], "an unsigned pairing records nothing");
    for _ in 0..2 {
        let (status, answer) = hipos_call(&proxy, DEVICE_INTERFACE, &device, Some(&token), now).await;
        assert_eq!((status, inner(&answer)["code"].as_i64()), (200, Some(0)));
    }
    assert_eq!(kinds(&proxy, "HPD-store01-000001").await, [EventKind::DeviceAuthorised]);
    assert_eq!(proxy.state.hipos_device_status("HPD-store01-000001", Duration::ZERO).await.unwrap().as_deref(), Some("POS-02"));
}
