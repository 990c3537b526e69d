//! Asynchronous notifications: when an order reaches a state its gateway
//! notifies (`SandboxGateway::notification` gives fields), the sandbox
//! encodes them with the gateway's wire and POSTs them to the order's
//! `notify_url` in a background task, retrying on a bounded schedule until
//! the gateway's documented acknowledgement comes back. Each (order, state)
//! is notified once; counter payments that settle by themselves are watched
//! by a task that sleeps until their settle time.

use super::faults::FaultKind;
use super::log;
use super::sandbox_gateway;
use super::state::SandboxState;
use super::store::{Order, OrderState};
use crate::sandbox::clock::now_ms;
use paybridge::gateway::wire::WireRequest;
use paybridge::gateway::{wire, HttpMethod};
use paybridge::model::Gateway;
use serde::Serialize;
use serde_json::json;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// How many delivery records the log keeps (oldest dropped first).
const MAX_RECORDS: usize = 1_000;

/// The gateway's documented retry schedule: delays in milliseconds before
/// each attempt (the first is immediate), as its wire declares it.
pub fn default_schedule_ms(gateway: Gateway) -> &'static [u64] {
    paybridge::gateway::wire(gateway).map_or(paybridge::gateway::wire::DEFAULT_RETRIES_MS, |w| w.notification_retries_ms())
}

/// One notification's delivery, for diagnostics (`GET /_control/notifications`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: u64,
    pub gateway: &'static str,
    pub out_trade_no: String,
    /// The order state notified (`paid`, …).
    pub state: &'static str,
    /// Attempts made so far (each may send `copies` requests).
    pub attempts: u32,
    /// Requests per attempt (2 under `duplicate_notify`).
    pub copies: u32,
    /// Clock shift the notification was encoded with (`clock_skew`).
    pub skew_ms: i64,
    /// HTTP status of the last answer, if any came.
    pub last_status: Option<u16>,
    /// Whether the receiver acknowledged it.
    pub acked: bool,
    /// Whether delivery stopped (acknowledged or schedule exhausted).
    pub finished: bool,
}

/// The delivery records, newest last.
#[derive(Debug, Default)]
pub struct DeliveryLog {
    records: Mutex<Vec<DeliveryRecord>>,
}

impl DeliveryLog {
    /// A copy of every record.
    pub fn all(&self) -> Vec<DeliveryRecord> {
        self.records.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn start(&self, mut record: DeliveryRecord) -> u64 {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        record.id = records.last().map_or(1, |r| r.id + 1);
        if records.len() >= MAX_RECORDS {
            records.remove(0);
        }
        let id = record.id;
        records.push(record);
        id
    }

    fn update(&self, id: u64, f: impl FnOnce(&mut DeliveryRecord)) {
        if let Some(r) = self.records.lock().unwrap_or_else(|e| e.into_inner()).iter_mut().find(|r| r.id == id) {
            f(r);
        }
    }
}

/// Which (order, state) pairs were notified and which orders are watched.
#[derive(Debug, Default)]
pub struct Dispatcher {
    /// (gateway, order, state, phase): `phase` is the notification's own
    /// `status` field where it has one, so a HiPOS pickup after payment (same
    /// order state, new status) is notified too.
    notified: Mutex<HashSet<(Gateway, String, OrderState, String)>>,
    watched: Mutex<HashSet<(Gateway, String)>>,
}

/// The store's state name used on the control API and in records.
pub fn state_name(state: OrderState) -> &'static str {
    match state {
        OrderState::Unpaid => "unpaid",
        OrderState::Paying => "paying",
        OrderState::Paid => "paid",
        OrderState::Failed => "failed",
        OrderState::Closed => "closed",
        OrderState::Expired => "expired",
        OrderState::Reverted => "reverted",
        OrderState::Refunded => "refunded",
    }
}

impl SandboxState {
    /// Sends the notification for `order`'s current state, once per state,
    /// when its gateway notifies that state and the order has a `notify_url`.
    pub fn notify_if_new(&self, order: &Order) {
        let Some(url) = order.notify_url.clone().filter(|u| u.starts_with("http://") || u.starts_with("https://")) else { return };
        let gateway = order.gateway;
        let secrets = self.secrets_for(gateway, None);
        let Some(fields) = sandbox_gateway(gateway).notification(order, &secrets) else { return };
        let Ok(gw_wire) = wire(gateway) else { return };
        let phase = phase_of(&fields);
        let key = (gateway, order.out_trade_no.clone(), order.state, phase);
        if !self.inner.dispatcher.notified.lock().unwrap_or_else(|e| e.into_inner()).insert(key) {
            return;
        }
        let faults = self.inner.faults.fire_for_notification(gateway);
        let copies = if faults.iter().any(|f| f.kind == FaultKind::DuplicateNotify) { 2 } else { 1 };
        let skew_ms: i64 = faults.iter().filter(|f| f.kind == FaultKind::ClockSkew).filter_map(|f| f.ms).sum();
        let request = gw_wire.encode_notification(&fields, &secrets, now_ms() + skew_ms);
        let schedule = match &self.inner.options.notify_schedule_ms {
            Some(s) => s.clone(),
            None => default_schedule_ms(gateway).to_vec(),
        };
        let id = self.inner.deliveries.start(DeliveryRecord {
            id: 0,
            gateway: gateway.as_str(),
            out_trade_no: order.out_trade_no.clone(),
            state: state_name(order.state),
            attempts: 0,
            copies,
            skew_ms,
            last_status: None,
            acked: false,
            finished: false,
        });
        let delivery = Delivery { state: self.clone(), id, url, request, ack: gw_wire.notification_ack(), copies };
        tokio::spawn(delivery.run(schedule));
    }

    /// For an order that will settle by itself (a counter payment with
    /// `settle_at_ms`), starts one task that sleeps until then and sends the
    /// notification even if nobody queries.
    pub fn watch_settlement(&self, order: &Order) {
        let Some(settle_at) = order.settle_at_ms.filter(|_| order.state == OrderState::Paying) else { return };
        let key = (order.gateway, order.out_trade_no.clone());
        if !self.inner.dispatcher.watched.lock().unwrap_or_else(|e| e.into_inner()).insert(key.clone()) {
            return;
        }
        let state = self.clone();
        // Never sleeps past the order's own expiry (the store's bound on a counter payment).
        let until = settle_at.min(order.expires_ms);
        tokio::spawn(async move {
            let wait = u64::try_from(until - now_ms()).unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(wait)).await;
            if let Some(order) = state.inner.store.get(key.0, &key.1, now_ms().max(until)) {
                state.notify_if_new(&order);
            }
        });
    }
}

/// One notification on its way.
struct Delivery {
    state: SandboxState,
    id: u64,
    url: String,
    request: WireRequest,
    ack: &'static str,
    copies: u32,
}

impl Delivery {
    async fn run(self, schedule: Vec<u64>) {
        let log_log = &self.state.inner.deliveries;
        for (attempt, delay) in (1u32..).zip(schedule) {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            let mut acked = false;
            let mut last_status = None;
            for _ in 0..self.copies {
                let answer = self.send().await;
                if let Some((status, body)) = &answer {
                    last_status = Some(*status);
                    acked |= (200..300).contains(status) && body.trim() == self.ack;
                }
            }
            log_log.update(self.id, |r| {
                r.attempts = attempt;
                r.last_status = last_status;
                r.acked = acked;
            });
            log::event("sandbox.notify", &[("delivery", json!(self.id)), ("attempt", json!(attempt)), ("status", json!(last_status)), ("acked", json!(acked))]);
            if acked {
                break;
            }
        }
        log_log.update(self.id, |r| r.finished = true);
    }

    /// One POST (or the wire's method) to the notify URL: the answer's
    /// status and body, or `None` when none came.
    async fn send(&self) -> Option<(u16, String)> {
        let method = match self.request.http {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
        };
        let mut builder = self.state.inner.client.request(method, &self.url).body(self.request.body.clone());
        for (name, value) in &self.request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let response = builder.send().await.ok()?;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        Some((status, body))
    }
}

/// The notification's own status (HiPOS `status` inside its wrapper, or a
/// top-level `status`), empty when it has none.
fn phase_of(fields: &paybridge::json::Value) -> String {
    let direct = fields.text("status");
    let wrapped = fields.members().and_then(|m| m.iter().find_map(|(_, v)| v.text("status")));
    direct.or(wrapped).unwrap_or_default().to_owned()
}
