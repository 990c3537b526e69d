//! An O2O order's state as the merchant's store records it: the order lives
//! with the merchant, so its status is what its events say, whichever
//! gateway recorded them (paid online through one, picked up through HiPOS).

use crate::store::{Event, EventKind};
use paybridge::gateway::hipos::O2oOrderState;

/// The state `events` (one order's, oldest first) add up to: picked up once
/// HiPOS confirmed the pickup; refunded once any refund settled; paid once a
/// payment for the order's amount succeeded; else unpaid (an amount
/// mismatch is no payment to hand goods over for).
pub fn order_state(events: &[Event]) -> O2oOrderState {
    let has = |pred: &dyn Fn(&EventKind) -> bool| events.iter().any(|e| pred(&e.kind));
    if has(&|k| *k == EventKind::OrderPickedUp) {
        O2oOrderState::PickedUp
    } else if has(&|k| *k == EventKind::PaymentRefunded || *k == EventKind::RefundSucceeded) {
        O2oOrderState::Refunded
    } else if has(&|k| *k == EventKind::PaymentSucceeded) {
        O2oOrderState::Paid
    } else {
        O2oOrderState::Unpaid
    }
}

/// The HiPOS trade number the pickup or its payment recorded, if any.
pub fn trade_no(events: &[Event]) -> Option<&str> {
    events.iter().rev().filter(|e| matches!(e.kind, EventKind::OrderPickedUp | EventKind::PaymentSucceeded)).find_map(|e| e.transaction_id.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Delivery, NewEvent};
    use paybridge::model::{Gateway, PayState};

    fn event(kind: EventKind, tx: Option<&str>) -> Event {
        Event {
            id: "evt_1".into(),
            seq: 1,
            body: NewEvent {
                kind,
                gateway: Gateway::HiPos,
                out_trade_no: "PB00000001".into(),
                state: PayState::Succeeded,
                amount: Some(3800),
                gateway_amount: None,
                transaction_id: tx.map(str::to_owned),
                refund_no: None,
            },
            created_at_ms: 0,
            delivery: Delivery::Pending,
            attempts: 0,
            next_attempt_ms: 0,
            last_error: None,
        }
    }

    #[test]
    fn events_add_up_to_the_o2o_state() {
        assert_eq!(order_state(&[]), O2oOrderState::Unpaid);
        assert_eq!(order_state(&[event(EventKind::PaymentAmountMismatch, None)]), O2oOrderState::Unpaid);
        assert_eq!(order_state(&[event(EventKind::PaymentClosed, None)]), O2oOrderState::Unpaid);
        let paid = event(EventKind::PaymentSucceeded, Some("4200001"));
        assert_eq!(order_state(std::slice::from_ref(&paid)), O2oOrderState::Paid);
        assert_eq!(order_state(&[paid.clone(), event(EventKind::RefundSucceeded, None)]), O2oOrderState::Refunded);
        let picked = event(EventKind::OrderPickedUp, Some("HP1"));
        assert_eq!(order_state(&[paid.clone(), picked.clone()]), O2oOrderState::PickedUp);
        assert_eq!(trade_no(&[paid.clone(), picked]), Some("HP1"));
        assert_eq!(trade_no(&[paid, event(EventKind::OrderPickedUp, None)]), Some("4200001"));
    }
}
