//! The store against the real engines: one suite, run on a SQLite file and
//! on a throwaway PostgreSQL cluster (`pg`).

mod pg;

use paybridge::model::{Gateway, PayState};
use paybridge_proxy::store::testing::TempSqlite;
use paybridge_proxy::store::{Delivery, EventKind, NewEvent, Store, StoreError, StoredToken};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn paid(order: &str) -> NewEvent {
    NewEvent {
        kind: EventKind::PaymentSucceeded,
        gateway: Gateway::BlueOcean,
        out_trade_no: order.to_owned(),
        state: PayState::Succeeded,
        amount: Some(1234),
        gateway_amount: Some(1234),
        transaction_id: Some(format!("T{order}")),
        refund_no: None,
    }
}

/// Notifications and events de-duplicate, also after reopening; migrations
/// run again harmlessly.
async fn dedupe_survives_reopening(url: &str) {
    let store = Store::open(url).await.unwrap();
    store.ping().await.unwrap();
    assert!(store.record_notification(Gateway::BlueOcean, "PB1/T1/SUCCESS", Some(&paid("PB1")), 1_000).await.unwrap());
    assert!(!store.record_notification(Gateway::BlueOcean, "PB1/T1/SUCCESS", Some(&paid("PB1")), 2_000).await.unwrap());
    assert!(store.record_notification(Gateway::HipoPay, "PB1/T1/SUCCESS", None, 2_000).await.unwrap(), "the key is per gateway");
    drop(store);
    let store = Store::open(url).await.unwrap();
    assert!(!store.record_notification(Gateway::BlueOcean, "PB1/T1/SUCCESS", None, 3_000).await.unwrap());
    // Another notification for the same payment: the event stays one.
    assert!(store.record_notification(Gateway::BlueOcean, "PB1/T1/SUCCESS/again", Some(&paid("PB1")), 3_000).await.unwrap());
    let events = store.order_events(Gateway::BlueOcean, "PB1").await.unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert!(e.id.starts_with("evt_") && e.id.len() == 36, "{}", e.id);
    assert_eq!(
        (e.kind.clone(), e.state, e.amount, e.created_at_ms, e.delivery, e.attempts),
        (EventKind::PaymentSucceeded, PayState::Succeeded, Some(1234), 1_000, Delivery::Pending, 0)
    );
    let (again, created) = store.record_event(&paid("PB1"), 9_000).await.unwrap();
    assert!(!created);
    assert_eq!(&again, e);
    assert!(store.order_events(Gateway::HipoPay, "PB1").await.unwrap().is_empty());
}

/// The log pages by event id; an unknown id is an error.
async fn events_after_pages(url: &str) {
    let store = Store::open(url).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(store.record_event(&paid(&format!("PG{i}")), 1_000 + i).await.unwrap().0.id);
    }
    let first = store.events_after(None, 2).await.unwrap();
    assert_eq!(first.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), ids[..2]);
    let rest = store.events_after(Some(&ids[1]), 10).await.unwrap();
    assert_eq!(rest.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), ids[2..]);
    assert!(store.events_after(Some(&ids[4]), 10).await.unwrap().is_empty());
    assert!(matches!(store.events_after(Some("evt_nope"), 10).await, Err(StoreError::UnknownCursor)));
    let counts = store.event_counts().await.unwrap();
    assert_eq!((counts.pending, counts.failed, counts.delivered), (5, 0, 0));
}

/// Leases: only the owner settles; an expired lease goes to the next owner.
async fn leases_and_owners(url: &str) {
    let store = Store::open(url).await.unwrap();
    let (e, _) = store.record_event(&paid("PL1"), 1_000).await.unwrap();
    let a = store.claim_due("a", 1_000, 500, 10).await.unwrap();
    assert_eq!(a.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), [e.id.as_str()]);
    assert_eq!(a[0].attempts, 1);
    assert!(store.claim_due("b", 1_400, 500, 10).await.unwrap().is_empty(), "a live lease is not handed out");
    assert!(matches!(store.mark_delivered(&e.id, "b", 1_400).await, Err(StoreError::NotLeaseOwner { .. })));
    let b = store.claim_due("b", 1_500, 500, 10).await.unwrap();
    assert_eq!(b.len(), 1, "the expired lease goes to b");
    assert_eq!(b[0].attempts, 2);
    assert!(store.retry_at(&e.id, "a", 5_000, "late").await.is_err(), "a lost its lease");
    store.retry_at(&e.id, "b", 5_000, "HTTP 500").await.unwrap();
    assert!(store.claim_due("a", 4_999, 500, 10).await.unwrap().is_empty(), "not due yet");
    let again = store.claim_due("a", 5_000, 500, 10).await.unwrap();
    assert_eq!(again[0].last_error.as_deref(), Some("HTTP 500"));
    store.mark_delivered(&e.id, "a", 5_001).await.unwrap();
    assert!(store.mark_delivered(&e.id, "a", 5_002).await.is_err(), "settled once");
    assert!(store.claim_due("a", 99_000, 500, 10).await.unwrap().is_empty());
    let (f, _) = store.record_event(&paid("PL2"), 1_000).await.unwrap();
    store.claim_due("c", 6_000, 500, 10).await.unwrap();
    store.mark_failed(&f.id, "c", "gave up").await.unwrap();
    let counts = store.event_counts().await.unwrap();
    assert_eq!((counts.pending, counts.failed, counts.delivered), (0, 1, 1));
    assert_eq!(store.order_events(Gateway::BlueOcean, "PL2").await.unwrap()[0].delivery, Delivery::Failed);
}

/// Two handles claiming concurrently never hold one event at once.
async fn concurrent_claims_are_exclusive(url: &str) {
    let (one, two) = (Store::open(url).await.unwrap(), Store::open(url).await.unwrap());
    const N: usize = 40;
    for i in 0..N {
        one.record_event(&paid(&format!("PC{i:02}")), 1_000).await.unwrap();
    }
    let claims: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let worker = |store: Store, owner: &'static str| {
        let claims = Arc::clone(&claims);
        async move {
            for _ in 0..200 {
                let got = store.claim_due(owner, 2_000, 600_000, 3).await.unwrap();
                assert!(got.len() <= 3, "a claim took {} events, over its limit of 3", got.len());
                if got.is_empty() {
                    break;
                }
                for e in got {
                    let earlier = claims.lock().unwrap().insert(e.id.clone(), owner.to_owned());
                    assert_eq!(earlier, None, "{} claimed twice", e.id);
                    store.mark_delivered(&e.id, owner, 2_001).await.unwrap();
                }
            }
        }
    };
    tokio::join!(worker(one.clone(), "one"), worker(two.clone(), "two"), worker(one.clone(), "three"), worker(two, "four"));
    assert_eq!(claims.lock().unwrap().len(), N);
    assert_eq!(one.event_counts().await.unwrap().delivered, N as u64);
}

/// The shared HiPOS token: put, read, invalidated only while it is current.
async fn hipos_token_is_shared(url: &str) {
    let (one, two) = (Store::open(url).await.unwrap(), Store::open(url).await.unwrap());
    assert_eq!(one.hipos_token().await.unwrap(), None);
    let t1 = StoredToken { token: "tok1".into(), merchant_id: "M1".into(), fetched_at_ms: 1_000 };
    one.put_hipos_token(&t1).await.unwrap();
    assert_eq!(two.hipos_token().await.unwrap(), Some(t1.clone()));
    let t2 = StoredToken { token: "tok2".into(), fetched_at_ms: 2_000, ..t1.clone() };
    two.put_hipos_token(&t2).await.unwrap();
    one.invalidate_hipos_token("tok1").await.unwrap();
    assert_eq!(one.hipos_token().await.unwrap(), Some(t2));
    one.invalidate_hipos_token("tok2").await.unwrap();
    assert_eq!(two.hipos_token().await.unwrap(), None);
}

/// The lease on fetching the HiPOS token: one holder at a time across
/// handles, taken over once it ran out, released only by its holder.
async fn hipos_token_fetch_is_leased(url: &str) {
    let (one, two) = (Store::open(url).await.unwrap(), Store::open(url).await.unwrap());
    let first = one.claim_hipos_token_fetch(1_000, 2_000).await.unwrap().expect("a free lease is taken");
    assert_eq!(two.claim_hipos_token_fetch(1_999, 3_000).await.unwrap(), None, "a live lease is not handed out");
    let second = two.claim_hipos_token_fetch(2_000, 3_000).await.unwrap().expect("a lease that ran out is taken over");
    assert_ne!(first, second);
    one.release_hipos_token_fetch(&first).await.unwrap();
    assert_eq!(one.claim_hipos_token_fetch(2_100, 3_100).await.unwrap(), None, "a former holder cannot release the new holder's lease");
    two.release_hipos_token_fetch(&second).await.unwrap();
    assert!(one.claim_hipos_token_fetch(2_100, 3_100).await.unwrap().is_some(), "a released lease is free");
}

/// A handle sees its own committed changes at once.
async fn own_changes_arrive(url: &str) {
    let store = Store::open(url).await.unwrap();
    let mut changes = store.changes();
    store.record_event(&paid("PX1"), 1_000).await.unwrap();
    let change = tokio::time::timeout(std::time::Duration::from_secs(5), changes.recv()).await.unwrap().unwrap();
    assert_eq!((change.gateway, change.out_trade_no.as_str()), (Gateway::BlueOcean, "PX1"));
    store.announce_change(Gateway::HiPos, "PX2").await.unwrap();
    assert_eq!(changes.recv().await.unwrap().out_trade_no, "PX2");
}

/// A change committed through one handle reaches another (another
/// instance) through LISTEN/NOTIFY; a handle does not hear itself twice.
async fn changes_reach_other_handles(url: &str) {
    let (one, two) = (Store::open(url).await.unwrap(), Store::open(url).await.unwrap());
    let (mut mine, mut theirs) = (one.changes(), two.changes());
    let started = std::time::Instant::now();
    one.record_event(&paid("PN1"), 1_000).await.unwrap();
    let change = tokio::time::timeout(std::time::Duration::from_secs(10), theirs.recv()).await.expect("the other handle hears the change").unwrap();
    eprintln!("change reached the other handle after {:?}", started.elapsed());
    assert_eq!((change.gateway, change.out_trade_no.as_str()), (Gateway::BlueOcean, "PN1"));
    one.announce_change(Gateway::HiPos, "PN2").await.unwrap();
    assert_eq!(tokio::time::timeout(std::time::Duration::from_secs(10), theirs.recv()).await.unwrap().unwrap().out_trade_no, "PN2");
    assert_eq!(mine.recv().await.unwrap().out_trade_no, "PN1");
    assert_eq!(mine.recv().await.unwrap().out_trade_no, "PN2");
    assert!(mine.try_recv().is_err(), "no echo of its own notices");
    // A notification seen before announces nothing.
    assert!(one.record_notification(Gateway::BlueOcean, "k", Some(&paid("PN1")), 2_000).await.unwrap());
    two.record_event(&paid("PN3"), 1_000).await.unwrap();
    assert_eq!(tokio::time::timeout(std::time::Duration::from_secs(10), mine.recv()).await.unwrap().unwrap().out_trade_no, "PN3");
}

/// PostgreSQL: while a transaction that took a lower `seq` is uncommitted,
/// a later event insert waits for it, so no reader paging by `seq` skips it.
/// A is held inside its insert (after it took its `seq`) by an uncommitted
/// row with its dedupe key; B must then wait for A, not commit past it.
async fn events_commit_in_seq_order(url: &str) {
    let store = Store::open(url).await.unwrap();
    let raw = sqlx::PgPool::connect(url).await.unwrap();
    let mut holder = raw.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO events (id, dedupe_key, kind, gateway, out_trade_no, state, created_at_ms, next_attempt_ms) \
         VALUES ('evt_holder', $1, 'payment.succeeded', 'blueocean', 'PSA', 'succeeded', 0, 0)",
    )
    .bind(paid("PSA").dedupe_key())
    .execute(&mut *holder)
    .await
    .unwrap();
    let a = tokio::spawn({
        let store = store.clone();
        async move { store.record_event(&paid("PSA"), 1_000).await }
    });
    wait_for_lock_wait(&raw, "transactionid").await;
    let mut b = tokio::spawn({
        let store = store.clone();
        async move { store.record_event(&paid("PSB"), 2_000).await }
    });
    tokio::select! {
        done = &mut b => panic!("B committed while A, holding a lower seq, was uncommitted: {done:?}"),
        () = wait_for_lock_wait(&raw, "advisory") => {}
    }
    assert!(store.events_after(None, 10).await.unwrap().is_empty(), "nothing is visible while A is uncommitted");
    holder.rollback().await.unwrap();
    let (a, a_created) = a.await.unwrap().unwrap();
    let (b, b_created) = b.await.unwrap().unwrap();
    assert!(a_created && b_created);
    assert!(a.seq < b.seq, "{} < {}", a.seq, b.seq);
    let paged: Vec<String> = store.events_after(None, 10).await.unwrap().into_iter().map(|e| e.id).collect();
    assert_eq!(paged, [a.id, b.id]);
}

/// Waits (bounded) until a session of the database waits for a lock of
/// `kind` (`pg_stat_activity.wait_event`).
async fn wait_for_lock_wait(raw: &sqlx::PgPool, kind: &str) {
    const SQL: &str = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = $1";
    for _ in 0..400 {
        let waiting: i64 = sqlx::query_scalar(SQL).bind(kind).fetch_one(raw).await.unwrap();
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no session waited for a {kind} lock within 10 s");
}

/// A fresh database records, for each migration, the description and
/// checksum the per-engine files shipped before recorded (the fixture
/// `migration-checksums.txt`): a database they migrated opens unchanged. A
/// recorded checksum that differs by one bit stops the store from opening.
async fn migrations_keep_their_checksums(url: &str) {
    let engine = Store::open(url).await.unwrap().engine();
    let shipped: Vec<(i64, String, String)> = include_str!("migration-checksums.txt")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| match line.split(' ').collect::<Vec<_>>()[..] {
            [e, version, description, sha384] if e == engine => Some((version.parse().unwrap(), description.to_owned(), sha384.to_owned())),
            _ => None,
        })
        .collect();
    assert_eq!(shipped.len(), 3, "{engine} rows in the fixture");
    let recorded = recorded_migrations(url).await;
    let recorded: Vec<_> = recorded.iter().map(|(v, d, sum)| (*v, d.clone(), sum.iter().map(|b| format!("{b:02x}")).collect::<String>())).collect();
    assert_eq!(recorded, shipped);
    Store::open(url).await.expect("reopens with the recorded checksums");
    let mut changed = recorded_migrations(url).await[1].2.clone();
    changed[0] ^= 1;
    let sql = "UPDATE _sqlx_migrations SET checksum = $1 WHERE version = 2";
    if url.starts_with("sqlite:") {
        sqlx::query(sql).bind(changed).execute(&sqlx::SqlitePool::connect(url).await.unwrap()).await.unwrap();
    } else {
        sqlx::query(sql).bind(changed).execute(&sqlx::PgPool::connect(url).await.unwrap()).await.unwrap();
    }
    let err = Store::open(url).await.err().expect("a changed checksum stops the store");
    assert!(matches!(err, StoreError::Migrate(sqlx::migrate::MigrateError::VersionMismatch(2))), "{err}");
}

/// `(version, description, checksum)` of every applied migration, in order.
async fn recorded_migrations(url: &str) -> Vec<(i64, String, Vec<u8>)> {
    let sql = "SELECT version, description, checksum FROM _sqlx_migrations ORDER BY version";
    if url.starts_with("sqlite:") {
        sqlx::query_as(sql).fetch_all(&sqlx::SqlitePool::connect(url).await.unwrap()).await.unwrap()
    } else {
        sqlx::query_as(sql).fetch_all(&sqlx::PgPool::connect(url).await.unwrap()).await.unwrap()
    }
}

/// Runs check `n` of the suite on the store at `url`.
async fn check(n: usize, url: &str) {
    match n {
        0 => dedupe_survives_reopening(url).await,
        1 => events_after_pages(url).await,
        2 => leases_and_owners(url).await,
        3 => concurrent_claims_are_exclusive(url).await,
        4 => hipos_token_is_shared(url).await,
        5 => own_changes_arrive(url).await,
        6 => hipos_token_fetch_is_leased(url).await,
        _ => migrations_keep_their_checksums(url).await,
    }
}

const CHECKS: usize = 8;

#[tokio::test]
async fn sqlite_suite() {
    for n in 0..CHECKS {
        let db = TempSqlite::new();
        check(n, &db.url).await;
    }
}

#[tokio::test]
async fn postgres_suite() {
    let cluster = pg::Cluster::start();
    for n in 0..CHECKS {
        check(n, &cluster.database(&format!("suite{n}"))).await;
    }
    changes_reach_other_handles(&cluster.database("changes")).await;
    events_commit_in_seq_order(&cluster.database("seq_order")).await;
}

#[tokio::test]
async fn bad_urls_are_typed_errors_without_passwords() {
    let err = Store::open("mysql://u:pw@h/db").await.err().unwrap();
    assert!(matches!(err, StoreError::UnsupportedUrl(_)));
    let err = Store::open("postgres://u:hunter2@127.0.0.1:1/db").await.err().unwrap();
    assert!(matches!(err, StoreError::Connect { .. }), "{err}");
    assert!(!err.to_string().contains("hunter2") && !format!("{err:?}").contains("hunter2"), "{err}");
}
