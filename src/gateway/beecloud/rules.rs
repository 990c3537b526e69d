//! What the signing proxy may forward and must own (the endpoint table,
//! server-owned fields) and the refund calls of the back office.

use super::*;

/// A JSON `POST` naming the bill in `bill_no`.
const fn bill_call(path: &'static str, operation: Operation) -> Endpoint {
    Endpoint::new(path, operation).order("bill_no")
}

/// Status comes before the revert pattern, which would also match it.
static ENDPOINTS: [Endpoint; 5] = [
    bill_call(BILL_PATH, Operation::Create).amount("total_fee").subject("title", TITLE_MAX_BYTES),
    bill_call(STATUS_PATH, Operation::Query),
    bill_call(REVERT_PATH, Operation::Cancel),
    bill_call(BILLS_PATH, Operation::RefundQuery).sent(HttpMethod::Get, Encoding::JsonInPara),
    bill_call(REFUND_PATH, Operation::Refund).server_only(),
];

static SERVER_OWNED: [&str; 7] = ["app_id", "timestamp", "app_sign", "notify_url", "total_fee", "master_secret", "app_secret"];

impl ProxyRules for BeeCloud {
    fn endpoints(&self) -> &'static [Endpoint] {
        &ENDPOINTS
    }

    fn server_owned_fields(&self) -> &'static [&'static str] {
        &SERVER_OWNED
    }
}

impl RefundQuery for BeeCloud {
    fn refund_query_request(&self, order: &OrderRef, _refund_no: Option<&str>) -> Result<GatewayRequest, PayError> {
        let bill_no = check_bill_no(&order.out_trade_no)?;
        Ok(request(Operation::RefundQuery, HttpMethod::Get, BILLS_PATH.to_owned(), texts(&[("bill_no", bill_no)])))
    }

    fn parse_refund_query(&self, body: &Value) -> Result<Vec<RefundStatus>, PayError> {
        parse::refund_query(body)
    }

    /// `POST /2/rest/offline/refund` (seed A3.5, signed with `master_secret`
    /// by the wire): `bill_no`, `refund_no`, `refund_fee` in fen. BeeCloud
    /// refunds a bill successfully once; a second refund is refused.
    fn refund_request(&self, order: &OrderRef, refund_no: &str, amount: i64, total: i64) -> Result<GatewayRequest, PayError> {
        check_refund(refund_no, 32, b"", amount, total)?;
        let mut params = texts(&[("bill_no", check_bill_no(&order.out_trade_no)?), ("refund_no", check_refund_no(refund_no)?)]);
        params.num("refund_fee", amount);
        Ok(request(Operation::Refund, HttpMethod::Post, REFUND_PATH.to_owned(), params))
    }

    /// `result_code` 0 with `refund_result` true is a refund done, false one
    /// accepted and in progress; codes 7 and 14 leave the outcome open;
    /// others (8–13: no such bill, not paid, too late, already refunding,
    /// amount too large…) are refusals.
    fn parse_refund(&self, body: &Value) -> Result<RefundStatus, PayError> {
        parse::refund(body)
    }
}
