//! What the signing proxy may forward and must own (the endpoint table,
//! server-owned fields) and the refund calls of the back office.

use super::*;
use crate::gateway::{AppContainer, AppIdSlot};

/// A checkout call: JSON `POST` naming the order in `out_trade_no`.
const fn order_call(path: &'static str, operation: Operation) -> Endpoint {
    Endpoint::new(path, operation).order("out_trade_no")
}

/// The proxy's allowlist. Only what a checkout needs is browser-reachable;
/// `/payment/refund` is there for the sandbox, server-side only. Login,
/// user admin, lists, customs, raw data and FX are left out.
static ENDPOINTS: [Endpoint; 6] = [
    order_call(PAY, Operation::Create).amount("total_fee").subject("body", 128).client_ip("spbill_create_ip"),
    order_call(QUERY, Operation::Query),
    order_call(CLOSE, Operation::Cancel),
    order_call(REVERSE, Operation::Cancel),
    // Names a refund, not an order: the merchant's server asks it, never a page.
    Endpoint::new(REFUND_QUERY, Operation::RefundQuery).server_only(),
    order_call(REFUND, Operation::Refund).server_only(),
];

/// Fields only the proxy sets: credentials, the amount and anything that
/// moves money or routes it (`discount` is sent by the L482 example though
/// undocumented; `store_id` / `sub_blue_mch_id` pick the receiving store;
/// `attach` comes back in notifications the merchant's server trusts;
/// `fee_type` / `currency` give the amount its value: the proxy sets them
/// from its `fee_type` secret, when configured).
pub(super) const SERVER_OWNED: &[&str] =
    &["appid", "sign", "key", "app_key", "notify_url", "spbill_create_ip", "total_fee", "discount", "store_id", "sub_blue_mch_id", "attach", "password", "fee_type", "currency"];

impl ProxyRules for BlueOcean {
    fn endpoints(&self) -> &'static [Endpoint] {
        &ENDPOINTS
    }

    fn server_owned_fields(&self) -> &'static [&'static str] {
        SERVER_OWNED
    }

    /// `sn`, which query, close and reverse take beside `out_trade_no`.
    fn gateway_order_id_field(&self) -> Option<&'static str> {
        Some("sn")
    }

    /// `sub_appid` of a `wechat.jsapi` pay; the request does not say which
    /// container it runs in.
    fn app_id_slot(&self, _endpoint: &Endpoint, params: &[(String, Value)]) -> Option<AppIdSlot> {
        let jsapi = params.iter().any(|(k, v)| k == "payment" && v.as_text() == Some("wechat.jsapi"));
        jsapi.then_some(AppIdSlot { field: "sub_appid", container: AppContainer::AsGiven })
    }

    /// BlueOcean's amounts are HKD unless `fee_type` says otherwise.
    fn default_currency(&self) -> &'static str {
        "HKD"
    }
}

impl RefundQuery for BlueOcean {
    fn refund_query_request(&self, _order: &OrderRef, refund_no: Option<&str>) -> Result<GatewayRequest, PayError> {
        let refund_no = required(refund_no, "refund number (customer_refund_no)")?;
        Ok(Self::request(Operation::RefundQuery, REFUND_QUERY, texts(&[("customer_refund_no", refund_no)])))
    }

    fn parse_refund_query(&self, body: &Value) -> Result<Vec<RefundStatus>, PayError> {
        parse::parse_refunds(body)
    }

    /// `/payment/refund` (seed §3.3, L900–L988): `out_trade_no` (and `sn`
    /// when known), `out_refund_no`, `refund_fee` in minor units — always
    /// sent, so a missing amount never means "refund in full".
    fn refund_request(&self, order: &OrderRef, refund_no: &str, amount: i64, total: i64) -> Result<GatewayRequest, PayError> {
        check_refund(refund_no, 32, b"-_", amount, total)?;
        let mut params = Self::order_params(order)?;
        params.text("out_refund_no", refund_no).num("refund_fee", amount);
        Ok(Self::request(Operation::Refund, REFUND, params))
    }

    /// The documented envelope or the bare refund object of the example.
    fn parse_refund(&self, body: &Value) -> Result<RefundStatus, PayError> {
        single_refund(parse::parse_refunds(body)?)
    }
}
