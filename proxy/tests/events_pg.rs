//! Two `paybridge-proxy` processes on one throwaway PostgreSQL cluster: the
//! one holding the delivery claims is SIGKILLed while the merchant holds
//! its requests; the survivor delivers every event after the lease ran
//! out, with the same ids, and the merchant never has the same event id
//! in flight twice.

mod events_support;
mod pg;

use events_support::{Merchant, Mode, Setup, Upstreams};
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_survivor_delivers_what_a_killed_instance_had_claimed() {
    let cluster = pg::Cluster::start();
    let url = cluster.database("events");
    let upstreams = Upstreams::start().await;
    let merchant = Merchant::start(Mode::Hold).await;
    let setup = Setup::new("pg-a", Some(&url), &upstreams, &merchant);
    let mut first = setup.proxy(&upstreams);
    let orders = ["PBPGKILL0001", "PBPGKILL0002", "PBPGKILL0003"];
    for (i, order) in orders.iter().enumerate() {
        let (status, body) = first.notify_paid(order, &format!("42000001{i}")).await;
        assert_eq!((status, body.as_str()), (200, "SUCCESS"), "{order}");
    }
    // The first instance claimed all three; the merchant holds them.
    merchant.wait_until("all three deliveries are held", |m| m.in_flight().len() == orders.len()).await;
    let held: BTreeSet<String> = merchant.in_flight().into_iter().collect();

    // A second instance on the same database: the claims are leased, it sends nothing yet.
    let second_setup = Setup::new("pg-b", Some(&url), &upstreams, &merchant);
    let _second = second_setup.proxy(&upstreams);
    first.kill();
    merchant.wait_until("the killed instance's requests are gone", |m| m.in_flight().is_empty()).await;
    merchant.set_mode(Mode::Up);
    merchant.wait_until("the survivor delivered every event", |m| m.delivered().len() >= orders.len()).await;

    let delivered: Vec<String> = merchant.delivered();
    assert_eq!(delivered.len(), orders.len(), "each once: {delivered:?}");
    assert_eq!(delivered.into_iter().collect::<BTreeSet<_>>(), held, "the same ids the killed instance was sending");
    assert_eq!(merchant.overlaps(), 0, "no event id was ever in flight twice at once");
    assert_eq!(merchant.bad_signatures(), 0);
}
