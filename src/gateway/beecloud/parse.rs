//! Reading BeeCloud's answers: `result_code`, the `pay_result` /
//! `revert_status` flags and the bills lookup.

use super::*;

/// The `result_code` of a response; a body without one is not BeeCloud's.
fn result_code(body: &Value) -> Result<BeeCloudCode, PayError> {
    body.get("result_code").and_then(Value::as_text).map(BeeCloudCode::parse).ok_or_else(|| PayError::invalid_payload("BeeCloud response without result_code"))
}

/// `err_detail`, else `result_msg`, for the error's gateway message.
fn message(body: &Value) -> Option<&str> {
    body.text("err_detail").or_else(|| body.text("result_msg"))
}

/// Splits a response into success (`Ok(None)`), an open outcome
/// (`Ok(Some(code))`, codes 7 and 14) and a refusal.
fn outcome(body: &Value) -> Result<Option<BeeCloudCode>, PayError> {
    match result_code(body)? {
        BeeCloudCode::Ok => Ok(None),
        code if code.outcome_unknown() => Ok(Some(code)),
        code => Err(code.to_error(message(body))),
    }
}

/// A boolean flag, read leniently (`true`, `"true"`, `1`).
fn flag(body: &Value, key: &str) -> Option<bool> {
    body.get(key).and_then(Value::as_bool_lenient)
}

fn status(state: PayState, gateway_state: &str) -> OrderStatus {
    OrderStatus::new(state, gateway_state)
}

/// The status a `pay_result` flag means.
fn pay_result_status(paid: Option<bool>) -> OrderStatus {
    match paid {
        Some(true) => status(PayState::Succeeded, "pay_result=true"),
        Some(false) => status(PayState::Pending, "pay_result=false"),
        None => status(PayState::Unknown, "pay_result missing"),
    }
}

/// One entry of `GET /2/rest/bills` (seed L223-L239) as an order status.
fn bill_status(bill: &Value) -> OrderStatus {
    let mut s = if flag(bill, "refund_result") == Some(true) {
        status(PayState::Refunded, "refund_result=true")
    } else if flag(bill, "revert_result") == Some(true) {
        status(PayState::Cancelled, "revert_result=true")
    } else {
        // `spay_result` in v2, `pay_result` in v1 (digest A8.3).
        match flag(bill, "spay_result").or_else(|| flag(bill, "pay_result")) {
            Some(true) => status(PayState::Succeeded, "spay_result=true"),
            Some(false) => status(PayState::Pending, "spay_result=false"),
            None => status(PayState::Unknown, "spay_result missing"),
        }
    };
    s.amount = bill.int("total_fee").filter(|&fee| fee >= 0);
    s.transaction_id = bill.text("trade_no").map(str::to_owned);
    s
}

/// The `bills` list of a bills response.
fn bills(body: &Value) -> Result<&[Value], PayError> {
    match body.get("bills") {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(PayError::invalid_payload("BeeCloud bills response without a bills list")),
    }
}

/// A create answer: the QR, or at the counter a paid flag (else poll).
pub(super) fn create(p: &CreateParams, body: &Value) -> Result<Created, PayError> {
    let open = outcome(body)?;
    let action = match p.mode {
        Mode::Qr => {
            if let Some(code) = open {
                return Err(code.to_error(message(body)));
            }
            let content = body.text("code_url").or_else(|| body.text("qr_code")).ok_or_else(|| PayError::invalid_payload("BeeCloud QR answer without code_url or qr_code"))?;
            NextAction::Qr { content: content.to_owned(), expires_at: None }
        }
        Mode::Counter => match (open, flag(body, "pay_result")) {
            (None, Some(true)) => NextAction::Done { status: pay_result_status(Some(true)) },
            // false: the payer is entering a PIN; 7/14 or no flag (SCAN): unknown. Poll.
            _ => NextAction::Await,
        },
        _ => return Err(unsupported_mode(Gateway::BeeCloud, p.mode, p.channel)),
    };
    Ok(Created { action, gateway_order_id: None })
}

/// The wallet `SCAN`'s `channel_type` names (see `wallet_of`).
pub(super) fn wallet(p: &CreateParams, body: &Value) -> Option<Channel> {
    if p.mode != Mode::Counter {
        return None;
    }
    // `strip_prefix`, not `trim_start_matches("BC_")`: a `&str` pattern
    // links the two-way searcher and the `str` slicing panic (BENCHMARKS.md, Size).
    let mut kind = crate::text::trim(body.text("channel_type")?);
    while let Some(rest) = kind.strip_prefix("BC_") {
        kind = rest;
    }
    match kind {
        "WX_SCAN" => Some(Channel::Wechat),
        "ALI_SCAN" => Some(Channel::Alipay),
        _ => None,
    }
}

/// A status answer: the `pay_result` flag or a bills lookup entry.
pub(super) fn query(body: &Value) -> Result<OrderStatus, PayError> {
    if let Some(code) = outcome(body)? {
        return Ok(status(PayState::Unknown, &code.code()));
    }
    if body.get("bills").is_some() {
        return Ok(bills(body)?.first().map_or_else(|| status(PayState::Unknown, "bills empty"), bill_status));
    }
    Ok(pay_result_status(flag(body, "pay_result")))
}

/// A revert answer: `revert_status` (or `revert_result`).
pub(super) fn cancel(body: &Value) -> Result<OrderStatus, PayError> {
    if let Some(code) = outcome(body)? {
        return Ok(status(PayState::Unknown, &code.code()));
    }
    Ok(match flag(body, "revert_status").or_else(|| flag(body, "revert_result")) {
        Some(true) => status(PayState::Cancelled, "revert_status=true"),
        // Not confirmed: query again (the payer may have paid at the last moment).
        Some(false) => status(PayState::Unknown, "revert_status=false"),
        None => status(PayState::Unknown, "revert_status missing"),
    })
}

/// The bills lookup as refunds: one per bill with `refund_result` true.
pub(super) fn refund_query(body: &Value) -> Result<Vec<RefundStatus>, PayError> {
    if let Some(code) = outcome(body)? {
        return Ok(vec![RefundStatus { state: RefundState::Unknown, gateway_state: code.code(), amount: None, refund_id: None, refund_no: None }]);
    }
    Ok(bills(body)?
        .iter()
        .filter(|bill| flag(bill, "refund_result") == Some(true))
        .map(|_| RefundStatus { state: RefundState::Succeeded, gateway_state: "refund_result=true".to_owned(), amount: None, refund_id: None, refund_no: None })
        .collect())
}

/// A refund answer (see `RefundQuery::parse_refund`).
pub(super) fn refund(body: &Value) -> Result<RefundStatus, PayError> {
    let (state, gateway_state) = match outcome(body)? {
        Some(code) => (RefundState::Unknown, code.code()),
        None if flag(body, "refund_result") == Some(true) => (RefundState::Succeeded, "refund_result=true".to_owned()),
        None => (RefundState::Processing, "refund_result=false".to_owned()),
    };
    Ok(RefundStatus { state, gateway_state, amount: None, refund_id: body.text("id").map(str::to_owned), refund_no: None })
}
