//! Payment events for the merchant's back end (`[merchant] events_url`).
//!
//! Every terminal order state the proxy learns — from a verified
//! notification ([`super::notify`]) or from a status query it answers
//! ([`learned`]) — becomes an event committed to the store before the
//! gateway or the caller is answered. A delivery worker POSTs each event's
//! JSON ([`payload`]) signed with `Paybridge-Signature` ([`signature`]),
//! retries failures on a capped backoff ([`schedule`]) and keeps what it
//! could not deliver within the window as failed. Merchant documentation:
//! `docs/events.md`.

mod config;
mod learned;
mod order_event;
pub mod payload;
mod schedule;
pub mod signature;
mod worker;
pub(crate) use config::FileMerchant;
pub use config::{EventsEndpoint, MerchantConfig};

pub(crate) use learned::{learned, learned_for, query_status, record, Events};
pub use order_event::{kind_for, new_event};
pub use schedule::{Next, RetrySchedule};
pub(crate) use worker::start;
