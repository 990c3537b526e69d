//! The values the store keeps and hands back.

use paybridge::model::{Gateway, PayState};

/// An order whose state changed (an event or a notification was committed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderChange {
    pub gateway: Gateway,
    pub out_trade_no: String,
}

/// What an event says happened to an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    PaymentSucceeded,
    PaymentFailed,
    PaymentClosed,
    PaymentRefunded,
    /// The gateway reported an amount that differs from the order record.
    PaymentAmountMismatch,
    RefundSucceeded,
    RefundFailed,
    /// HiPOS confirmed that the store handed over an O2O order (seed 000
    /// L132 确认提货).
    OrderPickedUp,
    /// HiPOS reported a POS paired with a store (seed 000 L130
    /// [回调]设备授权成功通知). It has no order: see [`EventKind::is_device`].
    DeviceAuthorised,
    /// A kind this build does not know (a row written by a newer version).
    Unknown(String),
}

impl EventKind {
    const NAMED: [(EventKind, &'static str); 9] = [
        (EventKind::PaymentSucceeded, "payment.succeeded"),
        (EventKind::PaymentFailed, "payment.failed"),
        (EventKind::PaymentClosed, "payment.closed"),
        (EventKind::PaymentRefunded, "payment.refunded"),
        (EventKind::PaymentAmountMismatch, "payment.amount_mismatch"),
        (EventKind::RefundSucceeded, "refund.succeeded"),
        (EventKind::RefundFailed, "refund.failed"),
        (EventKind::OrderPickedUp, "order.picked_up"),
        (EventKind::DeviceAuthorised, "device.authorised"),
    ];

    /// The event type as merchants see it, e.g. `payment.succeeded`.
    pub fn as_str(&self) -> &str {
        match self {
            EventKind::Unknown(name) => name,
            known => EventKind::NAMED.iter().find(|(k, _)| k == known).map_or("", |(_, name)| name),
        }
    }

    /// The kind named `name` (`Unknown` for any other name).
    pub fn parse(name: &str) -> EventKind {
        EventKind::NAMED.iter().find(|(_, n)| *n == name).map_or_else(|| EventKind::Unknown(name.to_owned()), |(k, _)| k.clone())
    }

    /// Whether an event of this kind means the order was paid (cancel safety).
    pub fn means_paid(&self) -> bool {
        matches!(self, EventKind::PaymentSucceeded | EventKind::PaymentAmountMismatch | EventKind::PaymentRefunded | EventKind::OrderPickedUp)
            || self.as_str().starts_with("refund.")
    }

    /// Whether the event is about a device, not an order (`device.*`). Such
    /// an event keeps the device authorisation code in `out_trade_no` (its
    /// subject: the code's long-poll waits on it) and the POS's id in
    /// `transaction_id`; `amount` is `None` and `state` `succeeded`. The
    /// merchant's JSON names them `authCode` and `deviceId` instead
    /// (`docs/events.md`).
    pub fn is_device(&self) -> bool {
        self.as_str().starts_with("device.")
    }
}

/// An event to record: what happened to which order. A recorded [`Event`]
/// carries it with the log's bookkeeping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub gateway: Gateway,
    pub out_trade_no: String,
    pub state: PayState,
    /// In fen, from the merchant's order record.
    pub amount: Option<i64>,
    /// In fen, as the gateway reported it.
    pub gateway_amount: Option<i64>,
    pub transaction_id: Option<String>,
    pub refund_no: Option<String>,
}

impl NewEvent {
    /// The key an event is recorded once under:
    /// `{gateway}/{out_trade_no}/{kind}`, plus `/{refund_no}` for `refund.*`
    /// and `/{gateway_amount}` for `payment.amount_mismatch`.
    pub fn dedupe_key(&self) -> String {
        let mut key = format!("{}/{}/{}", self.gateway.as_str(), self.out_trade_no, self.kind.as_str());
        if self.kind.as_str().starts_with("refund.") {
            key = format!("{key}/{}", self.refund_no.as_deref().unwrap_or_default());
        }
        if self.kind == EventKind::PaymentAmountMismatch {
            key = format!("{key}/{}", self.gateway_amount.map(|a| a.to_string()).unwrap_or_default());
        }
        key
    }
}

/// Where an event's delivery to the merchant stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Pending,
    Delivered,
    /// Given up after the retry schedule; kept and visible.
    Failed,
}

impl Delivery {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Pending => "pending",
            Delivery::Delivered => "delivered",
            Delivery::Failed => "failed",
        }
    }

    pub(super) fn parse(name: &str) -> Option<Delivery> {
        [Delivery::Pending, Delivery::Delivered, Delivery::Failed].into_iter().find(|d| d.as_str() == name)
    }
}

/// A recorded event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// `evt_` + 32 hex digits, random, fixed when the event was recorded.
    pub id: String,
    /// Position in the log (commit order within one instance).
    pub seq: i64,
    /// What happened (its fields read through the event: `event.kind`).
    pub body: NewEvent,
    pub created_at_ms: i64,
    pub delivery: Delivery,
    /// Delivery attempts started (each claim counts one).
    pub attempts: u32,
    /// Not claimed for delivery before this time.
    pub next_attempt_ms: i64,
    pub last_error: Option<String>,
}

impl std::ops::Deref for Event {
    type Target = NewEvent;

    fn deref(&self) -> &NewEvent {
        &self.body
    }
}

/// How many events are in each delivery state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EventCounts {
    pub pending: u64,
    pub failed: u64,
    pub delivered: u64,
}

/// The HiPOS token as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken {
    pub token: String,
    pub merchant_id: String,
    pub fetched_at_ms: i64,
}

/// `PayState` from its stored name.
pub(super) fn parse_state(name: &str) -> Option<PayState> {
    use PayState::*;
    [Pending, Paying, Succeeded, Failed, Closed, Cancelled, Refunded, Unknown].into_iter().find(|s| s.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_dedupe_keys_follow_the_seam() {
        for (kind, name) in EventKind::NAMED {
            assert_eq!(kind.as_str(), name);
            assert_eq!(EventKind::parse(name), kind);
        }
        assert_eq!(EventKind::parse("x.y"), EventKind::Unknown("x.y".into()));
        let mut e = NewEvent {
            kind: EventKind::RefundSucceeded,
            gateway: Gateway::HipoPay,
            out_trade_no: "PB1".into(),
            state: PayState::Refunded,
            amount: Some(100),
            gateway_amount: Some(90),
            transaction_id: None,
            refund_no: Some("R1".into()),
        };
        assert_eq!(e.dedupe_key(), "hipopay/PB1/refund.succeeded/R1");
        e.kind = EventKind::PaymentAmountMismatch;
        assert_eq!(e.dedupe_key(), "hipopay/PB1/payment.amount_mismatch/90");
        assert!(e.kind.means_paid() && EventKind::RefundFailed.means_paid() && !EventKind::PaymentClosed.means_paid());
        assert!(EventKind::OrderPickedUp.means_paid() && !EventKind::DeviceAuthorised.means_paid());
        assert!(EventKind::DeviceAuthorised.is_device() && !EventKind::OrderPickedUp.is_device());
        e.kind = EventKind::OrderPickedUp;
        assert_eq!(e.dedupe_key(), "hipopay/PB1/order.picked_up");
    }
}
