//! The JSON body of an event as the merchant receives it, built only from
//! the stored row: every retry, from any instance, sends the same bytes.
//!
//! ```json
//! {"id":"evt_…","type":"payment.succeeded","gateway":"blueocean","outTradeNo":"PB…",
//!  "state":"succeeded","amount":1234,"transactionId":"4200…","createdAt":"2026-12-06T05:53:55.123Z"}
//! ```
//! `createdAt` is when the proxy recorded the event, ISO-8601 in UTC with
//! milliseconds. `refundNo` is present only on `refund.*` events,
//! `gatewayAmount` only on `payment.amount_mismatch`. A `device.*` event
//! names no order: `{"id","type","gateway","authCode","deviceId","createdAt"}`
//! (see `EventKind::is_device` for how the store keeps it).

use crate::calendar::civil_from_days;
use crate::store::Event;
use serde::Serialize;

/// The wire shape, members in the documented order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Payload<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    gateway: &'a str,
    out_trade_no: &'a str,
    state: &'a str,
    amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway_amount: Option<i64>,
    transaction_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refund_no: Option<&'a str>,
    created_at: String,
}

/// A `device.*` event's wire shape.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DevicePayload<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    gateway: &'a str,
    auth_code: &'a str,
    device_id: Option<&'a str>,
    created_at: String,
}

/// The body sent to the merchant for `event`.
pub fn body(event: &Event) -> Vec<u8> {
    if event.kind.is_device() {
        let payload = DevicePayload {
            id: &event.id,
            kind: event.kind.as_str(),
            gateway: event.gateway.as_str(),
            auth_code: &event.out_trade_no,
            device_id: event.transaction_id.as_deref(),
            created_at: iso8601_utc(event.created_at_ms),
        };
        return serde_json::to_vec(&payload).unwrap_or_default();
    }
    let payload = Payload {
        id: &event.id,
        kind: event.kind.as_str(),
        gateway: event.gateway.as_str(),
        out_trade_no: &event.out_trade_no,
        state: event.state.as_str(),
        amount: event.amount,
        gateway_amount: event.gateway_amount,
        transaction_id: event.transaction_id.as_deref(),
        refund_no: event.refund_no.as_deref(),
        created_at: iso8601_utc(event.created_at_ms),
    };
    // Serialising plain strings and integers cannot fail.
    serde_json::to_vec(&payload).unwrap_or_default()
}

/// Unix milliseconds as `YYYY-MM-DDThh:mm:ss.mmmZ` (proleptic Gregorian, UTC).
pub fn iso8601_utc(unix_ms: i64) -> String {
    let (days, ms_of_day) = (unix_ms.div_euclid(86_400_000), unix_ms.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    let (h, m, s, ms) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Delivery, EventKind, NewEvent};
    use paybridge::model::{Gateway, PayState};

    pub(crate) fn event(kind: EventKind, state: PayState) -> Event {
        Event {
            id: "evt_0123456789abcdef0123456789abcdef".into(),
            seq: 7,
            body: NewEvent {
                kind,
                gateway: Gateway::BlueOcean,
                out_trade_no: "PB00000001".into(),
                state,
                amount: Some(1234),
                gateway_amount: None,
                transaction_id: Some("4200000001".into()),
                refund_no: None,
            },
            created_at_ms: 1_796_536_435_123,
            delivery: Delivery::Pending,
            attempts: 0,
            next_attempt_ms: 0,
            last_error: None,
        }
    }

    #[test]
    fn dates_are_utc_iso8601_with_milliseconds() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_utc(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601_utc(1_796_536_435_123), "2026-12-06T05:53:55.123Z");
        assert_eq!(iso8601_utc(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn the_body_has_the_documented_members_in_order() {
        let body = String::from_utf8(super::body(&event(EventKind::PaymentSucceeded, PayState::Succeeded))).unwrap();
        assert_eq!(
            body,
            r#"{"id":"evt_0123456789abcdef0123456789abcdef","type":"payment.succeeded","gateway":"blueocean","outTradeNo":"PB00000001","state":"succeeded","amount":1234,"transactionId":"4200000001","createdAt":"2026-12-06T05:53:55.123Z"}"#
        );
    }

    #[test]
    fn optional_members_appear_only_where_they_belong() {
        let mut mismatch = event(EventKind::PaymentAmountMismatch, PayState::Succeeded);
        mismatch.body.gateway_amount = Some(1);
        let body: serde_json::Value = serde_json::from_slice(&super::body(&mismatch)).unwrap();
        assert_eq!(body["gatewayAmount"], 1);
        assert!(body.get("refundNo").is_none());
        let mut refund = event(EventKind::RefundSucceeded, PayState::Refunded);
        refund.body.refund_no = Some("RF00000001".into());
        refund.body.transaction_id = None;
        let body: serde_json::Value = serde_json::from_slice(&super::body(&refund)).unwrap();
        assert_eq!(body["refundNo"], "RF00000001");
        assert!(body["transactionId"].is_null() && body.get("gatewayAmount").is_none());
    }

    #[test]
    fn a_device_event_names_its_code_and_device_not_an_order() {
        let mut e = event(EventKind::DeviceAuthorised, PayState::Succeeded);
        e.body.gateway = Gateway::HiPos;
        e.body.out_trade_no = "HPD-store01-839201".into();
        e.body.transaction_id = Some("POS-02".into());
        e.body.amount = None;
        assert_eq!(
            String::from_utf8(super::body(&e)).unwrap(),
            r#"{"id":"evt_0123456789abcdef0123456789abcdef","type":"device.authorised","gateway":"hipos","authCode":"HPD-store01-839201","deviceId":"POS-02","createdAt":"2026-12-06T05:53:55.123Z"}"#
        );
    }

    #[test]
    fn the_same_row_gives_the_same_bytes() {
        let mut e = event(EventKind::PaymentClosed, PayState::Closed);
        let first = super::body(&e);
        // Delivery bookkeeping changes between attempts; the body does not.
        e.attempts = 5;
        e.next_attempt_ms = 99;
        e.last_error = Some("HTTP 500".into());
        assert_eq!(super::body(&e), first);
    }
}
