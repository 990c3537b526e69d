//! Two proxy instances whose HiPOS token ran out together (two store
//! handles over one database: a SQLite file, then a throwaway PostgreSQL
//! cluster), against the HiPOS sandbox on loopback. HiPOS signs with the
//! newest token it issued, so the instances must fetch one token between
//! them: the first fetches (the sandbox holds its answer), the second waits
//! for that token instead of fetching another that would replace it.

mod loopback;
mod pg;

use axum::Router;
use paybridge::model::Gateway;
use paybridge_proxy::demo::config::proxy_config;
use paybridge_proxy::orders::OrderSource;
use paybridge_proxy::proxy::{self, ProxyState};
use paybridge_proxy::sandbox::{self, gateway::Settings, SandboxState};
use paybridge_proxy::store::testing::TempSqlite;
use paybridge_proxy::store::Store;
use std::time::Duration;

/// How long the sandbox holds its answer to the first token fetch (the
/// second instance asks meanwhile).
const HOLD_MS: i64 = 3_000;

async fn one_fetch_between_two_instances(url: &str) {
    let (listener, base) = loopback::bind().await;
    let sandbox = SandboxState::new(format!("{base}/sandbox"), Settings::default());
    let one = ProxyState::new(proxy_config(&base), OrderSource::memory(), Store::open(url).await.unwrap());
    let two = ProxyState::new(proxy_config(&base), OrderSource::memory(), Store::open(url).await.unwrap());
    // Instance one takes HiPOS's token callback.
    let app = Router::new().nest("/proxy", proxy::router(one.clone())).nest("/sandbox", sandbox::router(sandbox.clone()));
    let _stop = loopback::serve(listener, app, ());
    let rule = serde_json::json!({ "gateway": "hipos", "path": "/openapi/token/hishop", "kind": "timeout", "ms": HOLD_MS, "count": 1 });
    let res = reqwest::Client::new().post(format!("{base}/sandbox/_control/faults")).body(rule.to_string()).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);

    let first = tokio::spawn({
        let one = one.clone();
        async move { one.hipos_merchant_id().await }
    });
    let issued = issued_token(&sandbox).await;
    // Instance one is fetching (the sandbox issued the token and holds the answer); two needs a token now.
    let second = tokio::spawn({
        let two = two.clone();
        async move { two.hipos_merchant_id().await }
    });
    let (first, second) = (first.await.unwrap().unwrap(), second.await.unwrap().unwrap());
    assert_eq!((first.as_str(), second.as_str()), ("10011", "10011"));
    assert_eq!(sandbox.tokens().latest(Gateway::HiPos).as_ref(), Some(&issued), "HiPOS issued one token between the two instances");
    for state in [&one, &two] {
        assert_eq!(state.store().hipos_token().await.unwrap().map(|t| t.token).as_ref(), Some(&issued), "the store holds the token HiPOS signs with");
    }
}

/// The first token the sandbox issued (waits, bounded, for the fetch to reach it).
async fn issued_token(sandbox: &SandboxState) -> String {
    for _ in 0..400 {
        if let Some(token) = sandbox.tokens().latest(Gateway::HiPos) {
            return token;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no HiPOS token fetch reached the sandbox within 10 s");
}

#[tokio::test]
async fn sqlite_instances_fetch_one_token() {
    let db = TempSqlite::new();
    one_fetch_between_two_instances(&db.url).await;
}

#[tokio::test]
async fn postgres_instances_fetch_one_token() {
    let cluster = pg::Cluster::start();
    one_fetch_between_two_instances(&cluster.database("tokens")).await;
}
