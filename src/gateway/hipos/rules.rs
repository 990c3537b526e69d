//! What the signing proxy may forward and must own (the endpoint table,
//! server-owned fields) and the refund calls of the back office.

use super::*;

/// A back-office call (none is browser-reachable: the pages use the proxy's
/// own O2O paths).
const fn call(path: &'static str, http: HttpMethod, encoding: Encoding, operation: Operation) -> Endpoint {
    Endpoint::new(path, operation).sent(http, encoding).server_only()
}

static ENDPOINTS: [Endpoint; 6] = [
    call(TOKEN_PATH, HttpMethod::Post, Encoding::Json, Operation::Token),
    call(MERCHANT_PATH, HttpMethod::Put, Encoding::Json, Operation::Write),
    call(PAYMENTS_PATH, HttpMethod::Put, Encoding::Json, Operation::Write),
    call(DEVICE_AUTHCODE_PATH, HttpMethod::Get, Encoding::Query, Operation::Read),
    call(TRADES_OVERVIEW_PATH, HttpMethod::Get, Encoding::Query, Operation::Read),
    call(TRADES_DETAIL_PATH, HttpMethod::Get, Encoding::Query, Operation::Read),
];

static SERVER_OWNED: [&str; 3] = ["hostname", "notify_url", "token"];

impl ProxyRules for HiPos {
    fn endpoints(&self) -> &'static [Endpoint] {
        &ENDPOINTS
    }

    fn server_owned_fields(&self) -> &'static [&'static str] {
        &SERVER_OWNED
    }
}

impl RefundQuery for HiPos {
    fn refund_query_request(&self, _order: &OrderRef, _refund_no: Option<&str>) -> Result<GatewayRequest, PayError> {
        Err(unsupported("refund query"))
    }

    fn parse_refund_query(&self, _body: &Value) -> Result<Vec<RefundStatus>, PayError> {
        Err(unsupported("refund query"))
    }

    /// The HiPOS seed documents no refund: `unsupported`.
    fn refund_request(&self, _order: &OrderRef, _refund_no: &str, _amount: i64, _total: i64) -> Result<GatewayRequest, PayError> {
        Err(unsupported("refund"))
    }

    fn parse_refund(&self, _body: &Value) -> Result<RefundStatus, PayError> {
        Err(unsupported("refund"))
    }
}
