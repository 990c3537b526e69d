//! Which event an order's status becomes: a terminal state is an event, an
//! open one (pending, paying, unknown) is none. A success whose gateway
//! amount differs from the merchant's order record is never
//! `payment.succeeded`: it is `payment.amount_mismatch`, with state
//! `unknown` (the proxy cannot confirm the payment) and the gateway's amount.

use crate::orders::OrderRecord;
use crate::store::{EventKind, NewEvent};
use paybridge::model::{Gateway, OrderStatus, PayState};

/// The kind a state becomes before the amount check; `None` for open states.
pub fn kind_for(state: PayState) -> Option<EventKind> {
    match state {
        PayState::Succeeded => Some(EventKind::PaymentSucceeded),
        PayState::Failed => Some(EventKind::PaymentFailed),
        PayState::Closed | PayState::Cancelled => Some(EventKind::PaymentClosed),
        PayState::Refunded => Some(EventKind::PaymentRefunded),
        PayState::Pending | PayState::Paying | PayState::Unknown => None,
    }
}

/// The event `status` (from a verified notification or a query) makes of
/// the merchant's order `record`, if any. `amount` is always the record's.
pub fn new_event(gateway: Gateway, record: &OrderRecord, status: &OrderStatus) -> Option<NewEvent> {
    let mut kind = kind_for(status.state)?;
    let mut state = status.state;
    let mut gateway_amount = None;
    if let (EventKind::PaymentSucceeded, Some(reported)) = (&kind, status.amount) {
        if reported != record.amount {
            kind = EventKind::PaymentAmountMismatch;
            state = PayState::Unknown;
            gateway_amount = Some(reported);
        }
    }
    Some(NewEvent {
        kind,
        gateway,
        out_trade_no: record.out_trade_no.clone(),
        state,
        amount: Some(record.amount),
        gateway_amount,
        transaction_id: status.transaction_id.clone().filter(|t| !t.is_empty()),
        refund_no: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> OrderRecord {
        OrderRecord { out_trade_no: "PB00000001".into(), amount: 1234, subject: "Tea".into(), client_secret: None }
    }

    fn status(state: PayState, amount: Option<i64>) -> OrderStatus {
        OrderStatus { state, gateway_state: "X".into(), amount, transaction_id: Some("4200000001".into()) }
    }

    #[test]
    fn terminal_states_become_their_events_and_open_ones_none() {
        let cases = [
            (PayState::Succeeded, Some(EventKind::PaymentSucceeded)),
            (PayState::Failed, Some(EventKind::PaymentFailed)),
            (PayState::Closed, Some(EventKind::PaymentClosed)),
            (PayState::Cancelled, Some(EventKind::PaymentClosed)),
            (PayState::Refunded, Some(EventKind::PaymentRefunded)),
            (PayState::Pending, None),
            (PayState::Paying, None),
            (PayState::Unknown, None),
        ];
        for (state, kind) in cases {
            let event = new_event(Gateway::HipoPay, &record(), &status(state, Some(1234)));
            assert_eq!(event.as_ref().map(|e| e.kind.clone()), kind, "{state:?}");
            if let Some(e) = event {
                assert_eq!((e.state, e.amount, e.gateway_amount, e.gateway), (state, Some(1234), None, Gateway::HipoPay));
                assert_eq!(e.transaction_id.as_deref(), Some("4200000001"));
            }
        }
    }

    #[test]
    fn a_success_for_another_amount_is_a_mismatch_never_a_success() {
        let e = new_event(Gateway::BlueOcean, &record(), &status(PayState::Succeeded, Some(1))).unwrap();
        assert_eq!(e.kind, EventKind::PaymentAmountMismatch);
        assert_eq!((e.state, e.amount, e.gateway_amount), (PayState::Unknown, Some(1234), Some(1)));
        // A gateway that reports no amount (BeeCloud's query) cannot be checked: the record's amount stands.
        let e = new_event(Gateway::BeeCloud, &record(), &status(PayState::Succeeded, None)).unwrap();
        assert_eq!((e.kind, e.amount), (EventKind::PaymentSucceeded, Some(1234)));
    }
}
