//! What the proxy keeps in its store: de-duplication across instances, the
//! shared HiPOS token, cancel safety from recorded payments, long-polls woken
//! by committed changes.

use super::fake::{blueocean_query, Fake, Reply};
use super::notifications::blueocean_notification;
use super::{error_code, Proxy, AMOUNT, ORDER};
use crate::store::{EventKind, NewEvent};
use paybridge::gateway::Operation;
use paybridge::model::{Gateway, PayState};
use std::sync::Arc;

fn payment(kind: EventKind) -> NewEvent {
    NewEvent {
        kind,
        gateway: Gateway::BlueOcean,
        out_trade_no: ORDER.to_owned(),
        state: PayState::Succeeded,
        amount: Some(AMOUNT),
        gateway_amount: Some(AMOUNT),
        transaction_id: Some("4200000001".to_owned()),
        refund_no: None,
    }
}

#[tokio::test]
async fn a_notification_counts_once_across_instances() {
    let (upstream, _fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let one = Proxy::start(&upstream, |_| {}).await;
    let two = one.sibling(&upstream).await;
    let client = reqwest::Client::new();
    for proxy in [&one, &two, &one] {
        let res = client.execute(blueocean_notification(proxy, "4200000001")).await.unwrap();
        assert_eq!((res.status().as_u16(), res.text().await.unwrap()), (200, "SUCCESS".to_owned()), "a duplicate is still acknowledged");
    }
    let store = two.state.store();
    assert!(!store.record_notification(Gateway::BlueOcean, &format!("{ORDER}/4200000001/SUCCESS"), None, 0).await.unwrap(), "recorded once, under its key");
    assert_eq!(store.order_events(Gateway::BlueOcean, ORDER).await.unwrap().len(), 1);
}

#[tokio::test]
async fn instances_share_one_hipos_token() {
    let (upstream, fake) = Fake::start(|_, _, _| Reply::raw(r#"{"device_authcode_response":{"code":0,"msg":"OK","auth_code":"HPD-1"}}"#)).await;
    let one = Proxy::start(&upstream, |_| {}).await;
    let two = one.sibling(&upstream).await;
    let request = paybridge::gateway::hipos::device_authcode_request("42", "store01").unwrap();
    one.state.back_office(&request).await.unwrap();
    two.state.back_office(&request).await.unwrap();
    assert_eq!(fake.token_calls(), 1, "the second instance reads the first one's token from the store");
    *fake.hipos_token.lock().unwrap() = "revoked".to_owned();
    one.state.back_office(&request).await.unwrap();
    assert_eq!(fake.token_calls(), 2, "6001: one fresh token");
    two.state.back_office(&request).await.unwrap();
    assert_eq!(fake.token_calls(), 2, "the other instance's refused copy is replaced by the stored token, not a new fetch");
    assert_eq!(one.state.store().hipos_token().await.unwrap().map(|t| t.token).as_deref(), Some("tok-2"));
}

#[tokio::test]
async fn a_recorded_payment_refuses_a_cancel_without_asking_the_gateway() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("USERPAYING")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    proxy.state.store().record_event(&payment(EventKind::PaymentClosed), 1_000).await.unwrap();
    let body = format!(r#"{{"out_trade_no":"{ORDER}"}}"#);
    assert_eq!(proxy.post("/blueocean/order/reverse", &body).await.status(), 200, "a closed event is not a payment");
    assert_eq!(fake.seen().iter().map(|s| s.operation).collect::<Vec<_>>(), [Operation::Query, Operation::Cancel]);
    proxy.state.store().record_event(&payment(EventKind::PaymentSucceeded), 2_000).await.unwrap();
    let seen = fake.seen().len();
    let refused = proxy.post("/blueocean/order/reverse", &body).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(error_code(refused).await, "cancel_refused");
    assert_eq!(fake.seen().len(), seen, "refused before any gateway call");
}

#[tokio::test]
async fn a_committed_event_wakes_the_held_query() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Arc::new(Proxy::start(&upstream, |_| {}).await);
    let poller = Arc::clone(&proxy);
    let held = tokio::spawn(async move { poller.post("/blueocean/order/query?wait=25", &format!(r#"{{"out_trade_no":"{ORDER}"}}"#)).await });
    fake.wait_for(1).await;
    proxy.state.store().record_event(&payment(EventKind::PaymentSucceeded), 1_000).await.unwrap();
    let res = held.await.unwrap();
    assert_eq!(res.headers()["x-paybridge-wait"], "notified");
}
