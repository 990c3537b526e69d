//! ChaoYing's `method=refund` (seed B3) and `method=refundquery` (B4).

use super::objects::nonce;
use super::{bad_param, envelope, find, param_of, trade_failed};
use crate::sandbox::clock::compact_gmt8;
use crate::sandbox::gateway::{Ctx, Reply};
use crate::sandbox::store::{Order, Refund, RefundRefusal};
use paybridge::gateway::chaoying::paytype;
use paybridge::json::Value;
use paybridge::model::Gateway;

/// A refund number: at most 32 letters, digits, `-` or `_` (the example is
/// `TK-1497769914931-01`).
fn refund_no_ok(no: &str) -> bool {
    (1..=32).contains(&no.len()) && no.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A `paytype` that names another wallet than the order's.
pub(super) fn wrong_paytype(p: &Value, order: &Order) -> bool {
    p.text("paytype").is_some_and(|t| paytype(order.channel).is_some_and(|own| own != t))
}

/// `method=refund`: refunds `refund_fee` of a paid order whose `total_fee`
/// the request states; partial and repeated refunds are allowed up to what
/// was paid. A refund number used before on the same order with the same
/// amount answers that refund again ("需要商户原退款单号重新发起"); used
/// otherwise, beyond what is left, or on an unpaid order: 20008 退款错误.
pub(super) fn refund(ctx: &Ctx, p: &Value) -> Reply {
    let Some(refund_no) = p.text("out_refund_no").filter(|n| refund_no_ok(n)) else { return bad_param("out_refund_no") };
    let Some(fee) = p.int("refund_fee").filter(|f| *f > 0) else { return bad_param("refund_fee") };
    let order = match find(ctx, p) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if p.int("total_fee") != Some(order.amount) {
        return bad_param("total_fee");
    }
    if wrong_paytype(p, &order) {
        return bad_param("paytype");
    }
    if let Some((other, _)) = ctx.store.find_refund(Gateway::ChaoYing, refund_no, ctx.now_ms).filter(|(o, _)| o.out_trade_no != order.out_trade_no) {
        return trade_failed("20008", &format!("退款错误: 退款单号已用于订单 {}", other.out_trade_no));
    }
    let mut outcome = Err(RefundRefusal::NotPaid);
    let updated = ctx.store.update(Gateway::ChaoYing, &order.out_trade_no, ctx.now_ms, |o| outcome = o.refund(refund_no, Some(fee), ctx.now_ms));
    let refund = match outcome {
        Ok(r) => r,
        Err(RefundRefusal::Duplicate(r)) if r.amount == fee => r,
        Err(RefundRefusal::Duplicate(_)) => return trade_failed("20008", "退款错误: 退款单号重复"),
        Err(RefundRefusal::Exceeds { .. }) => return trade_failed("20008", "退款错误: 退款金额超过可退金额"),
        Err(RefundRefusal::FullyRefunded) => return trade_failed("20008", "退款错误: 订单已全额退款"),
        Err(RefundRefusal::NotPaid) => return trade_failed("20008", "退款错误: 订单未支付"),
    };
    let Some(order) = updated else { return trade_failed("20007", "订单不存在") };
    let extra = vec![
        ("mch_id", Value::str(param_of(p, "mch_id"))),
        ("out_trade_no", Value::str(order.out_trade_no.as_str())),
        ("transaction_id", Value::str(order.gateway_order_id.as_str())),
        ("out_transaction_id", Value::str(refund.refund_id.as_str())),
        ("out_refund_no", Value::str(refund.refund_no.as_str())),
        ("refund_id", Value::str(refund.refund_id.as_str())),
        ("refund_channel", Value::str("ORIGINAL")),
        ("base_fee", Value::str(order.amount.to_string())),
        ("total_fee", Value::str(order.amount.to_string())),
        ("base_refund_fee", Value::str(refund.amount.to_string())),
        ("refund_fee", Value::str(refund.amount.to_string())),
        ("paytype", Value::str(paytype(order.channel).unwrap_or(""))),
        ("nonce_str", Value::str(nonce(&order, &refund.refund_no))),
    ];
    envelope("SUCCESS", "10000", "SUCCESS", Some("SUCCESS"), extra)
}

/// One `refund_list` item.
fn item(serial: usize, r: &Refund) -> Value {
    Value::object([
        ("serial_no", Value::str(serial.to_string())),
        ("refund_id", Value::str(r.refund_id.as_str())),
        ("out_refund_id", Value::str(r.refund_id.as_str())),
        ("out_refund_no", Value::str(r.refund_no.as_str())),
        ("base_refund_fee", Value::str(r.amount.to_string())),
        ("refund_fee", Value::str(r.amount.to_string())),
        ("refund_status", Value::str("SUCCESS")),
        ("refund_channel", Value::str("ORIGINAL")),
        ("refund_time", Value::str(compact_gmt8(r.created_ms))),
    ])
}

/// `method=refundquery`: by `out_refund_no` (first) or `refund_id`, the
/// order's refunds with their count and sums; `refund_list` is a JSON
/// string, as the seed prints it. An unknown refund: 20010 退款查询错误.
pub(super) fn refund_query(ctx: &Ctx, p: &Value) -> Reply {
    let hit = match (p.text("out_refund_no"), p.text("refund_id")) {
        (Some(no), _) => ctx.store.find_refund(Gateway::ChaoYing, no, ctx.now_ms),
        (None, Some(id)) => {
            let no = ctx.store.all().into_iter().filter(|o| o.gateway == Gateway::ChaoYing).flat_map(|o| o.refunds).find(|r| r.refund_id == id).map(|r| r.refund_no);
            no.and_then(|no| ctx.store.find_refund(Gateway::ChaoYing, &no, ctx.now_ms))
        }
        (None, None) => return bad_param("out_refund_no"),
    };
    let Some((order, _)) = hit else { return trade_failed("20010", "退款查询错误: 退款单不存在") };
    let list = Value::Array(order.refunds.iter().enumerate().map(|(i, r)| item(i, r)).collect());
    let extra = vec![
        ("mch_id", Value::str(param_of(p, "mch_id"))),
        ("out_trade_no", Value::str(order.out_trade_no.as_str())),
        ("transaction_id", Value::str(order.gateway_order_id.as_str())),
        ("refund_count", Value::str(order.refunds.len().to_string())),
        ("base_refund_fee_summary", Value::str(order.refunded().to_string())),
        ("refund_fee_summary", Value::str(order.refunded().to_string())),
        ("refund_list", Value::String(list.to_json())),
        ("paytype", Value::str(paytype(order.channel).unwrap_or(""))),
        ("nonce_str", Value::str(nonce(&order, "refundquery"))),
    ];
    envelope("SUCCESS", "10000", "SUCCESS", Some("SUCCESS"), extra)
}
