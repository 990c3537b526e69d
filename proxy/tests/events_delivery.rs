//! Payment events reach the merchant with real `paybridge-proxy` processes
//! on a real SQLite store: through an outage of the merchant's endpoint,
//! and across a SIGKILL between the gateway's acknowledgement and the
//! merchant's 2xx — every event delivered, with the id it was created with.

mod events_support;

use events_support::{Merchant, Mode, Setup, Upstreams};
use paybridge_proxy::store::Store;
use std::collections::{BTreeMap, BTreeSet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_outage_delays_events_but_loses_none() {
    let upstreams = Upstreams::start().await;
    let merchant = Merchant::start(Mode::Down).await;
    let setup = Setup::new("outage", None, &upstreams, &merchant);
    let proxy = setup.proxy(&upstreams);
    let orders = ["PBOUTAGE0001", "PBOUTAGE0002", "PBOUTAGE0003"];
    for (i, order) in orders.iter().enumerate() {
        let (status, body) = proxy.notify_paid(order, &format!("42000000{i}")).await;
        assert_eq!((status, body.as_str()), (200, "SUCCESS"), "{order}: acknowledged once committed");
    }
    // Down: every event is attempted, refused, and retried.
    merchant
        .wait_until("each event failed twice", |m| {
            let failed: Vec<String> = m.attempts().into_iter().filter(|a| a.status == 500).map(|a| a.id).collect();
            let ids: BTreeSet<&String> = failed.iter().collect();
            ids.len() == orders.len() && ids.iter().all(|id| failed.iter().filter(|f| f == id).count() >= 2)
        })
        .await;
    merchant.set_mode(Mode::Up);
    merchant.wait_until("every event delivered", |m| m.delivered().len() >= orders.len()).await;

    let attempts = merchant.attempts();
    let delivered = merchant.delivered();
    let refused: BTreeSet<String> = attempts.iter().filter(|a| a.status == 500).map(|a| a.id.clone()).collect();
    assert_eq!(delivered.iter().cloned().collect::<BTreeSet<_>>(), refused, "the events delivered are the ones refused, same ids");
    assert_eq!(delivered.len(), orders.len(), "each delivered once: {delivered:?}");
    // Every attempt of an event carried the same bytes; each order got its one payment.succeeded.
    let mut bodies: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for a in &attempts {
        assert_eq!(*bodies.entry(&a.id).or_insert(&a.body), a.body.as_slice(), "retries are byte-identical");
    }
    let mut paid: Vec<String> = bodies
        .values()
        .map(|b| {
            let v: serde_json::Value = serde_json::from_slice(b).unwrap();
            assert_eq!((v["type"].as_str(), v["state"].as_str(), v["amount"].as_i64()), (Some("payment.succeeded"), Some("succeeded"), Some(events_support::AMOUNT)));
            v["outTradeNo"].as_str().unwrap().to_owned()
        })
        .collect();
    paid.sort();
    assert_eq!(paid, orders);
    assert_eq!((merchant.overlaps(), merchant.bad_signatures()), (0, 0));

    // The gateway sends the same notification again: acknowledged, no new event.
    let (status, _) = proxy.notify_paid(orders[0], "420000000").await;
    assert_eq!(status, 200);
    let store = Store::open(&setup.store_url).await.expect("the proxy's store");
    let counts = events_support::settled_counts(&store).await;
    assert_eq!((counts.pending, counts.failed, counts.delivered), (0, 0, 3), "three events, all delivered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_killed_before_the_merchant_answers_delivers_after_restart_with_the_same_id() {
    let upstreams = Upstreams::start().await;
    let merchant = Merchant::start(Mode::Hold).await;
    let setup = Setup::new("kill", None, &upstreams, &merchant);
    let mut first = setup.proxy(&upstreams);
    let (status, body) = first.notify_paid("PBKILLED00001", "4200000099").await;
    assert_eq!((status, body.as_str()), (200, "SUCCESS"));
    merchant.wait_until("the delivery is held", |m| m.in_flight().len() == 1).await;
    let held = merchant.attempts()[0].clone();

    // SIGKILL while the merchant holds the request: the gateway has its ack, the merchant no 2xx.
    first.kill();
    merchant.wait_until("the killed proxy's request is gone", |m| m.in_flight().is_empty()).await;
    merchant.set_mode(Mode::Up);
    let _second = setup.proxy(&upstreams);
    merchant.wait_until("the event is delivered after the restart", |m| !m.delivered().is_empty()).await;

    let attempts = merchant.attempts();
    let delivered: Vec<_> = attempts.iter().filter(|a| a.status == 200).collect();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].id, held.id, "the same event id after the restart");
    assert_eq!(delivered[0].body, held.body, "the same bytes");
    assert_eq!((merchant.overlaps(), merchant.bad_signatures()), (0, 0));
}
