//! What the signing proxy may forward and must own (the endpoint table,
//! server-owned fields) and the refund calls of the back office.

use super::*;
use crate::gateway::{AppContainer, AppIdSlot};

/// A form `POST` naming the order in `out_trade_no`; a create also
/// carries the amount, the goods description and the payer's IP.
const fn order_call(path: &'static str, method: Option<&'static str>, operation: Operation) -> Endpoint {
    let e = Endpoint::new(path, operation).sent(HttpMethod::Post, Encoding::Form).order("out_trade_no");
    let e = match method {
        Some(m) => e.method(m),
        None => e,
    };
    match operation {
        Operation::Create => e.amount("total_fee").subject("body", 128).client_ip("mch_create_ip"),
        _ => e,
    }
}

static ENDPOINTS: [Endpoint; 7] = [
    order_call(WECHAT_PRE_ORDER, None, Operation::Create),
    order_call(ALIPAY_PRE_ORDER, None, Operation::Create),
    order_call(GATEWAY, Some("pay"), Operation::Create),
    order_call(GATEWAY, Some("orderquery"), Operation::Query),
    // Reachable from the page only through the proxy's cancel safety (a paid order is refused).
    order_call(GATEWAY, Some("cancel"), Operation::Cancel),
    // refundquery names a refund (`out_refund_no`), not an order.
    Endpoint::new(GATEWAY, Operation::RefundQuery).sent(HttpMethod::Post, Encoding::Form).method("refundquery").server_only(),
    order_call(GATEWAY, Some("refund"), Operation::Refund).server_only(),
];

static SERVER_OWNED: [&str; 10] = ["agent_id", "mch_id", "pid", "version", "nonce_str", "sign", "notify_url", "total_fee", "mch_create_ip", "key"];

impl ProxyRules for ChaoYing {
    fn endpoints(&self) -> &'static [Endpoint] {
        &ENDPOINTS
    }

    fn server_owned_fields(&self) -> &'static [&'static str] {
        &SERVER_OWNED
    }

    /// The `paytype` a request names (`orderquery` takes the one its `cancel` carries).
    fn request_wallet(&self, params: &Value) -> Channel {
        params.text("paytype").and_then(paytype_wallet).unwrap_or(Channel::Any)
    }

    /// `sub_appid`, when a JSAPI pre-order says by `is_minipg` which container it runs in.
    fn app_id_slot(&self, _endpoint: &Endpoint, params: &[(String, Value)]) -> Option<AppIdSlot> {
        let minipg = params.iter().find(|(k, _)| k == "is_minipg").and_then(|(_, v)| v.as_text())?;
        let container = if minipg == "1" { AppContainer::MiniProgram } else { AppContainer::OfficialAccount };
        Some(AppIdSlot { field: "sub_appid", container })
    }
}

impl RefundQuery for ChaoYing {
    fn refund_query_request(&self, order: &OrderRef, refund_no: Option<&str>) -> Result<GatewayRequest, PayError> {
        let refund_no = check_id("out_refund_no", required(refund_no, "a refund number (out_refund_no) to query")?, 1, 32, b"-_")?;
        let mut params = texts(&[("method", "refundquery")]);
        if let Some(t) = paytype(order.channel) {
            add(&mut params, "paytype", t);
        }
        add(&mut params, "out_refund_no", refund_no);
        Ok(request(Operation::RefundQuery, GATEWAY, params))
    }

    fn parse_refund_query(&self, body: &Value) -> Result<Vec<RefundStatus>, PayError> {
        parse::refund_query(body)
    }

    /// `method=refund` (seed B3, L833–L925): `paytype` (when known),
    /// `out_trade_no`, `out_refund_no` (≤ 32 characters, `-` allowed as in
    /// the example), `total_fee` (the order's amount) and `refund_fee`, in
    /// fen. `op_user_id` defaults to the merchant number and is left out, as
    /// in the seed's example.
    fn refund_request(&self, order: &OrderRef, refund_no: &str, amount: i64, total: i64) -> Result<GatewayRequest, PayError> {
        check_refund(refund_no, 32, b"-_", amount, total)?;
        let mut params = order_params("refund", order)?;
        params.text("out_refund_no", refund_no).text("total_fee", &total.to_string()).text("refund_fee", &amount.to_string());
        Ok(request(Operation::Refund, GATEWAY, params))
    }

    fn parse_refund(&self, body: &Value) -> Result<RefundStatus, PayError> {
        parse::refund(body)
    }
}
