//! `POST /notify/hipos/{interface}`: HiPOS calls the merchant (seed 000
//! L130-L132; shapes and authentication in `paybridge::gateway::hipos::app`).
//! Each call is verified against the proxy's current HiPOS token first
//! (unsigned, stale or forged: 401 with 6030/6031/6032 and nothing done).
//! What HiPOS is told is committed to the store before the answer: a
//! pickup (with the POS's payment, if it took one) and a pairing are events
//! (`order.picked_up`, `payment.succeeded`, `device.authorised`), recorded
//! once per order or code, so a repeated call gets the same answer.

use super::status::order_state;
use crate::orders::OrderRecord;
use crate::proxy::{events, now_ms, ProxyError, Shared};
use crate::store::{EventKind, NewEvent};
use axum::http::StatusCode;
use paybridge::gateway::hipos::app::{
    device_answer, order_answer, pickup_answer, pickup_code_matches, pickup_code_order, refusal, refusal_status, wrapper, DeviceAuthorised, OrderQuery, PickupConfirm,
    DEVICE_INTERFACE, ORDER_INTERFACE, PICKUP_INTERFACE,
};
use paybridge::gateway::hipos::{HiPosCode, O2oOrderState};
use paybridge::json::Value;
use paybridge::model::{Gateway, OrderStatus, PayState};

/// An answer to HiPOS: HTTP status and body.
pub type Reply = (StatusCode, Value);

pub(super) fn refused(interface: &str, code: HiPosCode) -> Reply {
    let status = StatusCode::from_u16(refusal_status(&code)).unwrap_or(StatusCode::BAD_REQUEST);
    (status, refusal(wrapper(interface), &code))
}

/// Answers a verified call to `interface` with its body.
pub async fn answer(shared: &Shared, interface: &str, body: &Value) -> Result<Reply, ProxyError> {
    match interface {
        ORDER_INTERFACE => order_detail(shared, body).await,
        PICKUP_INTERFACE => confirm_pickup(shared, body).await,
        DEVICE_INTERFACE => device_authorised(shared, body).await,
        _ => Err(ProxyError::new(StatusCode::NOT_FOUND, "not_found", "no such HiPOS application-side interface")),
    }
}

/// The order a scanned pickup code names, when the code is that order's:
/// anything else is "no such order" (6021), never a hint that it exists.
async fn order_of_code(shared: &Shared, code: &str) -> Result<Option<OrderRecord>, ProxyError> {
    let Some(no) = pickup_code_order(code) else { return Ok(None) };
    let record = shared.orders.lookup(no).await.map_err(|e| ProxyError::new(StatusCode::SERVICE_UNAVAILABLE, "order_source_unavailable", e))?;
    Ok(record.filter(|r| r.client_secret.as_deref().is_some_and(|secret| pickup_code_matches(code, no, secret))))
}

/// 获取订单详情 (L131): the order behind the scanned code and its state.
async fn order_detail(shared: &Shared, body: &Value) -> Result<Reply, ProxyError> {
    let Ok(query) = OrderQuery::parse(body) else { return Ok(refused(ORDER_INTERFACE, HiPosCode::ParamInvalid)) };
    let Some(record) = order_of_code(shared, &query.pickup_code).await? else { return Ok(refused(ORDER_INTERFACE, HiPosCode::OrderNotFound)) };
    let state = order_state(&shared.store.events_of_order(&record.out_trade_no).await?);
    Ok((StatusCode::OK, order_answer(&record.out_trade_no, &state, record.amount, &record.subject)))
}

/// 确认提货 (L132). Paid (online, or now at the POS for the order's
/// amount): the pickup is recorded, with the POS's payment in the same
/// transaction. A POS payment of another amount is recorded as
/// `payment.amount_mismatch` and the pickup refused (6023); an unpaid or
/// refunded order is refused (6022).
async fn confirm_pickup(shared: &Shared, body: &Value) -> Result<Reply, ProxyError> {
    let Ok(confirm) = PickupConfirm::parse(body) else { return Ok(refused(PICKUP_INTERFACE, HiPosCode::ParamInvalid)) };
    let record = match order_of_code(shared, &confirm.pickup_code).await? {
        Some(r) if r.out_trade_no == confirm.out_order_no => r,
        _ => return Ok(refused(PICKUP_INTERFACE, HiPosCode::OrderNotFound)),
    };
    let state = order_state(&shared.store.events_of_order(&record.out_trade_no).await?);
    if state == O2oOrderState::PickedUp {
        // A repeat (HiPOS retrying after a lost answer): the same answer, nothing recorded twice.
        return Ok((StatusCode::OK, pickup_answer(&record.out_trade_no)));
    }
    if state == O2oOrderState::Refunded {
        return Ok(refused(PICKUP_INTERFACE, HiPosCode::OrderStateConflict));
    }
    let mut to_record = Vec::new();
    let mut trade_no = None;
    if let Some(paid) = &confirm.offline {
        let status = OrderStatus { state: PayState::Succeeded, gateway_state: "PAID".to_owned(), amount: Some(paid.amount), transaction_id: Some(paid.trade_no.clone()) };
        let payment = events::new_event(Gateway::HiPos, &record, &status).ok_or_else(|| ProxyError::misconfigured("a success made no event"))?;
        if payment.kind == EventKind::PaymentAmountMismatch {
            commit(shared, &[payment]).await?;
            return Ok(refused(PICKUP_INTERFACE, HiPosCode::AmountMismatch));
        }
        trade_no = Some(paid.trade_no.clone());
        to_record.push(payment);
    } else if state != O2oOrderState::Paid {
        return Ok(refused(PICKUP_INTERFACE, HiPosCode::OrderStateConflict));
    }
    to_record.push(NewEvent {
        kind: EventKind::OrderPickedUp,
        gateway: Gateway::HiPos,
        out_trade_no: record.out_trade_no.clone(),
        state: PayState::Succeeded,
        amount: Some(record.amount),
        gateway_amount: None,
        transaction_id: trade_no,
        refund_no: None,
    });
    commit(shared, &to_record).await?;
    Ok((StatusCode::OK, pickup_answer(&record.out_trade_no)))
}

/// [回调]设备授权成功通知 (L130): the pairing, as a `device.authorised`
/// event keyed by the code (see `EventKind::is_device`).
async fn device_authorised(shared: &Shared, body: &Value) -> Result<Reply, ProxyError> {
    let Ok(device) = DeviceAuthorised::parse(body) else { return Ok(refused(DEVICE_INTERFACE, HiPosCode::ParamInvalid)) };
    let event = NewEvent {
        kind: EventKind::DeviceAuthorised,
        gateway: Gateway::HiPos,
        out_trade_no: device.auth_code.clone(),
        state: PayState::Succeeded,
        amount: None,
        gateway_amount: None,
        transaction_id: Some(device.device_id.clone()),
        refund_no: None,
    };
    commit(shared, &[event]).await?;
    Ok((StatusCode::OK, device_answer(&device.auth_code)))
}

/// Commits `list` in one transaction, then wakes the delivery worker for
/// each new one.
async fn commit(shared: &Shared, list: &[NewEvent]) -> Result<(), ProxyError> {
    let recorded = shared.store.record_events(list, now_ms()).await?;
    for (event, (_, created)) in list.iter().zip(recorded) {
        if created {
            shared.events.announce(event, "hipos_app");
        }
    }
    Ok(())
}
