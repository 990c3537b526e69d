//! The refunds table on both real engines: the insert is idempotent on the
//! refund number and never lets an order's refunds together exceed what was
//! paid, also when several handles (instances) insert at once.

mod pg;

use paybridge::model::Gateway;
use paybridge_proxy::store::testing::TempSqlite;
use paybridge_proxy::store::{NewRefund, RefundInsert, RefundState, Store};

fn refund(no: &str, order: &str, amount: i64) -> NewRefund {
    NewRefund { gateway: Gateway::BlueOcean, refund_no: no.to_owned(), out_trade_no: order.to_owned(), amount, paid: 1000 }
}

/// Created, Existing, OverLimit, failed refunds no longer counting.
async fn semantics(store: &Store) {
    let RefundInsert::Created(first) = store.insert_refund(&refund("RF1", "ORDER0001", 600), 1).await.unwrap() else { panic!("created") };
    assert_eq!((&first.state, first.amount, first.created_at_ms), (&RefundState::Refunding, 600, 1));
    assert_eq!(store.insert_refund(&refund("RF1", "ORDER0001", 600), 2).await.unwrap(), RefundInsert::Existing(first.clone()));
    assert_eq!(store.insert_refund(&refund("RF2", "ORDER0001", 401), 3).await.unwrap(), RefundInsert::OverLimit { refundable: 400 });
    let other = NewRefund { gateway: Gateway::HipoPay, ..refund("RF1", "ORDER0001", 1000) };
    assert!(matches!(store.insert_refund(&other, 4).await.unwrap(), RefundInsert::Created(_)), "numbers are per gateway");
    let failed = store.update_refund(Gateway::BlueOcean, "RF1", &RefundState::Failed, Some("G1"), Some("40100"), 5).await.unwrap();
    assert_eq!((&failed.state, failed.gateway_refund_id.as_deref(), failed.updated_at_ms), (&RefundState::Failed, Some("G1"), 5));
    assert!(matches!(store.insert_refund(&refund("RF3", "ORDER0001", 1000), 6).await.unwrap(), RefundInsert::Created(_)), "a failed refund frees its amount");
    let kept = store.update_refund(Gateway::BlueOcean, "RF3", &RefundState::Succeeded, None, Some("SUCCESS"), 7).await.unwrap();
    assert_eq!(kept.gateway_refund_id, None);
    assert_eq!(store.refund(Gateway::BlueOcean, "RF3").await.unwrap(), Some(kept));
    assert_eq!(store.order_refunds(Gateway::BlueOcean, "ORDER0001").await.unwrap().len(), 2);
    assert_eq!(store.refund(Gateway::BlueOcean, "NOSUCH").await.unwrap(), None);
}

/// Eight handles race 8 × 300 onto an order paid 1000: exactly three win.
async fn race(url: &str) {
    let mut handles = Vec::new();
    for _ in 0..8 {
        handles.push(Store::open(url).await.unwrap());
    }
    let tasks: Vec<_> = handles
        .into_iter()
        .enumerate()
        .map(|(i, store)| tokio::spawn(async move { store.insert_refund(&refund(&format!("RACE{i}"), "ORDER0002", 300), 10).await.unwrap() }))
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            RefundInsert::Created(_) => created += 1,
            RefundInsert::OverLimit { refundable } => assert!(refundable < 300, "{refundable}"),
            RefundInsert::Existing(r) => panic!("unexpected {r:?}"),
        }
    }
    assert_eq!(created, 3, "1000 paid fits three refunds of 300");
    let store = Store::open(url).await.unwrap();
    let total: i64 = store.order_refunds(Gateway::BlueOcean, "ORDER0002").await.unwrap().iter().map(|r| r.amount).sum();
    assert_eq!(total, 900);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_refunds() {
    let db = TempSqlite::new();
    semantics(&db.open().await).await;
    race(&db.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refunds() {
    let cluster = pg::Cluster::start();
    let url = cluster.database("refunds");
    semantics(&Store::open(&url).await.unwrap()).await;
    race(&url).await;
}
