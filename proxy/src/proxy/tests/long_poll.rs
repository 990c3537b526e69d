//! Long-poll: woken by a notification, running out, or answered at once.

use super::fake::{blueocean_query, Fake, Reply};
use super::notifications::blueocean_notification;
use super::{Proxy, ORDER};
use paybridge::gateway::Operation;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[tokio::test]
async fn a_notification_wakes_the_held_query() {
    let paid = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&paid);
    let (upstream, fake) = Fake::start(move |_, _, _| blueocean_query(if flag.load(Ordering::SeqCst) { "SUCCESS" } else { "NOTPAY" })).await;
    let proxy = Arc::new(Proxy::start(&upstream, |_| {}).await);
    let poller = Arc::clone(&proxy);
    let held = tokio::spawn(async move { poller.post("/blueocean/order/query?wait=25", &format!(r#"{{"out_trade_no":"{ORDER}"}}"#)).await });
    fake.wait_for(1).await;
    paid.store(true, Ordering::SeqCst);
    let ack = reqwest::Client::new().execute(blueocean_notification(&proxy, "4200000001")).await.unwrap();
    assert_eq!(ack.status(), 200);
    let res = held.await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-paybridge-wait"], "notified");
    assert!(res.text().await.unwrap().contains("\"SUCCESS\""));
    let queries = fake.seen().iter().filter(|s| s.operation == Operation::Query).count();
    assert_eq!(queries, 2, "one query before holding, one after the wake-up");
}

#[tokio::test]
async fn the_hold_runs_out_and_still_answers_from_the_gateway() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("NOTPAY")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let res = proxy.post("/blueocean/order/query?wait=1", &format!(r#"{{"out_trade_no":"{ORDER}"}}"#)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-paybridge-wait"], "elapsed");
    assert!(res.text().await.unwrap().contains("NOTPAY"));
    assert_eq!(fake.seen().len(), 1, "within one re-check period (4 s) the first answer serves the end of the hold");
}

#[tokio::test]
async fn a_final_state_is_answered_at_once() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("SUCCESS")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let res = proxy.post("/blueocean/order/query?wait=30", &format!(r#"{{"out_trade_no":"{ORDER}"}}"#)).await;
    assert_eq!(res.headers()["x-paybridge-wait"], "settled");
    assert_eq!(fake.seen().len(), 1);
    let bad = proxy.post("/blueocean/order/query?wait=soon", &format!(r#"{{"out_trade_no":"{ORDER}"}}"#)).await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn an_error_first_answer_is_not_called_settled() {
    let (upstream, fake) = Fake::start(|_, _, _| Reply { status: 500, body: r#"{"error":{"code":"internal","message":"Internal Server Error"}}"#.to_owned(), delay: None }).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let res = proxy.post("/blueocean/order/query?wait=30", &format!(r#"{{"out_trade_no":"{ORDER}"}}"#)).await;
    assert_eq!(res.status(), 500, "the gateway's own status");
    assert_eq!(res.headers()["x-paybridge-wait"], "error", "an error is not a final state");
    assert!(res.text().await.unwrap().contains("Internal Server Error"), "the gateway's own body");
    assert_eq!(fake.seen().len(), 1, "answered at once, no hold");
}

#[tokio::test]
async fn an_error_during_the_hold_is_not_called_changed() {
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let (upstream, fake) = Fake::start(move |_, _, _| {
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            blueocean_query("NOTPAY")
        } else {
            Reply { status: 500, body: r#"{"error":{"code":"internal","message":"Internal Server Error"}}"#.to_owned(), delay: None }
        }
    })
    .await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    // The hold re-checks upstream after 4 s; that answer is an error.
    let res = proxy.post("/blueocean/order/query?wait=10", &format!(r#"{{"out_trade_no":"{ORDER}"}}"#)).await;
    assert_eq!(res.status(), 500, "the gateway's own status");
    assert_eq!(res.headers()["x-paybridge-wait"], "error", "an unreadable re-check is not a state change");
    assert_eq!(fake.seen().len(), 2, "one query before holding, one re-check");
}
