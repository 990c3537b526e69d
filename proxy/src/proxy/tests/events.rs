//! Events learnt from the status queries the proxy answers, committed
//! before the answer; a store that cannot commit turns answers and acks
//! into 503s.

use super::fake::{blueocean_query, Fake};
use super::notifications::blueocean_paid;
use super::{error_code, Proxy, AMOUNT, ORDER, SECRET};
use crate::orders::OrderRecord;
use crate::proxy::events::EventsEndpoint;
use crate::store::{Delivery, EventKind};
use paybridge::model::{Gateway, PayState};
use std::time::Duration;

const OTHER: &str = "PB00000002";

#[tokio::test]
async fn a_settled_query_records_its_event_once_before_answering() {
    let (upstream, _fake) = Fake::start(|_, _, _| blueocean_query("SUCCESS")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let store = proxy.state.store().clone();
    let query = format!(r#"{{"out_trade_no":"{ORDER}"}}"#);

    let res = proxy.post("/blueocean/order/query", &query).await;
    assert_eq!(res.status(), 200);
    let events = store.order_events(Gateway::BlueOcean, ORDER).await.unwrap();
    assert_eq!(events.len(), 1, "recorded before the answer went out");
    assert_eq!((&events[0].kind, events[0].state, events[0].amount), (&EventKind::PaymentSucceeded, PayState::Succeeded, Some(AMOUNT)));

    // Break the store: repeated polls of a settled order do not touch it…
    let db = sqlx::SqlitePool::connect(&proxy.db.url).await.unwrap();
    sqlx::query("DROP TABLE events").execute(&db).await.unwrap();
    sqlx::query("DROP TABLE notifications").execute(&db).await.unwrap();
    for _ in 0..3 {
        assert_eq!(proxy.post("/blueocean/order/query", &query).await.status(), 200);
    }
    // …but a state that is not recorded yet is not answered (nor acknowledged) without its event.
    proxy.state.0.orders.insert(OrderRecord { out_trade_no: OTHER.to_owned(), amount: AMOUNT, subject: "Tea".to_owned(), client_secret: Some(SECRET.to_owned()) });
    let res = proxy.post("/blueocean/order/query", &format!(r#"{{"out_trade_no":"{OTHER}"}}"#)).await;
    assert_eq!(res.status(), 503);
    assert_eq!(error_code(res).await, "store_unavailable");
    let res = reqwest::Client::new().execute(blueocean_paid(&proxy, OTHER, "4200000005", AMOUNT)).await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(res.text().await.unwrap(), "FAIL");
}

#[tokio::test]
async fn an_open_state_records_nothing() {
    let (upstream, _fake) = Fake::start(|_, _, _| blueocean_query("USERPAYING")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    assert_eq!(proxy.post("/blueocean/order/query", &format!(r#"{{"out_trade_no":"{ORDER}"}}"#)).await.status(), 200);
    assert!(proxy.state.store().order_events(Gateway::BlueOcean, ORDER).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_event_undelivered_past_its_window_is_kept_as_failed() {
    let (upstream, _fake) = Fake::start(|_, _, _| blueocean_query("SUCCESS")).await;
    // The fake upstream has no events route: every delivery gets a 404.
    let events_url = upstream.url("/merchant/events");
    let proxy = Proxy::start(&upstream, |c| {
        c.merchant.events = Some(EventsEndpoint { url: events_url, secret: "test-fixture-secret".to_owned() });
        c.merchant.retry.window = Duration::from_millis(1);
    })
    .await;
    assert_eq!(proxy.post("/blueocean/order/query", &format!(r#"{{"out_trade_no":"{ORDER}"}}"#)).await.status(), 200);
    let store = proxy.state.store().clone();
    let mut counts = store.event_counts().await.unwrap();
    for _ in 0..200 {
        if counts.failed > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        counts = store.event_counts().await.unwrap();
    }
    assert_eq!((counts.pending, counts.failed, counts.delivered), (0, 1, 0));
    let event = store.order_events(Gateway::BlueOcean, ORDER).await.unwrap().remove(0);
    assert_eq!((event.delivery, event.attempts, event.last_error.as_deref()), (Delivery::Failed, 1, Some("HTTP 404")));
}
