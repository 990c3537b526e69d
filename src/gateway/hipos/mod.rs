//! HiPOS Open API (seed `000_7269aac09f0042f2.txt`): O2O "buy online, pick
//! up in store". Entirely server-to-server: the page reaches HiPOS only
//! through the proxy, which holds the token.
//!
//! The seed documents the token call, merchant update and ISV registration;
//! the O2O pieces a checkout needs are only headings. Everything marked
//! **ours** below is this crate's definition, not HiPOS's; the proxy maps
//! the `pub const` paths if a real HiPOS differs.
//!
//! Every answer is `{"<name>_response": {"code": 0, "msg": "…", …}}`; a
//! non-zero `code` is an error ([`HiPosCode`]), read by [`read_envelope`].
//!
//! | path | method | operation | page? | wrapper |
//! |------|--------|-----------|-------|---------|
//! | [`TOKEN_PATH`] (seed) | POST JSON `hostname`, `notify_url` | Token | no | `hishop_token_response`: `token`, `merchant_id` |
//! | [`MERCHANT_PATH`] (seed) | PUT JSON `name`, `contact`, `mobile` | Write | no | `merchant_update_response` |
//! | [`PAYMENTS_PATH`] (seed path, ours body) | PUT JSON | Write | no | `payments_update_response` |
//! | [`DEVICE_AUTHCODE_PATH`] (seed path) | GET | Read | no | `device_authcode_response`: `store_id`, `auth_code`, `expire_at` (ours) |
//! | [`TRADES_OVERVIEW_PATH`] (seed path) | GET, filters in the query | Read | no | `trades_overview_response`: `store_id`, `trade_count`, `trade_amount`, `devices: [{device_id, trade_count, trade_amount}]` (ours) |
//! | [`TRADES_DETAIL_PATH`] (seed path) | GET, filters in the query | Read | no | `trades_detail_response`: `trades: [{trade_no, out_order_no, device_id, amount, pay_channel, status, trade_time}]` (ours) |
//! | [`PICKUP_CODE_PATH`] (ours) | POST JSON `out_order_no` | Create | yes | `pickup_code_response`: `out_order_no`, `pickup_code`, `expire_at`, `status` |
//! | [`ORDER_DETAIL_PATH`] (ours) | GET `?out_order_no=` | Query | yes | `o2o_order_response`: `out_order_no`, `status`, `amount`, `trade_no`, `pickup_code`, `expire_at` |
//! | [`PICKUP_CONFIRM_PATH`] (ours) | POST JSON `out_order_no`, `pickup_code` | Write | no | `pickup_confirm_response`: `out_order_no`, `status` |
//!
//! Amounts are integer fen. `expire_at` is Unix seconds or milliseconds (the
//! seed's own `YYYY-MM-DD HH:MM:SS`, China time, is read too). `merchant_id`
//! is a number in the token answer and a string elsewhere: kept as text.
//!
//! Order `status` (ours, [`O2oOrderState`]): `UNPAID` → pending, `PAID` →
//! paying (paid, not collected: keep polling), `PICKED_UP` → succeeded,
//! `CANCELLED` → cancelled, anything else → unknown.
//!
//! Protocol mapping: modes `[(qr, any)]`. Create asks HiPOS for the order's
//! pickup code, shown as a QR for the store's POS to scan (B4.3); an order
//! already collected or cancelled answers `done`. Query reads the order
//! detail. Cancel and refund query are unsupported: the order lives in the
//! merchant's mall, and HiPOS offers neither. The back office uses
//! [`device_authcode_request`] / [`parse_device_authcode`] (the device
//! authorisation QR), [`pickup_confirm_request`], [`trades_request`] and, in
//! the proxy, [`token_request`] / [`parse_token`]. The ISV API
//! (`/v1/isv/...`) is not modelled: its authentication is undocumented.
//!
//! Error codes 6020–6022 are ours (see [`HiPosCode`]). The wire side
//! (token presentation, notifications) is in `wire` (feature `signing`).

mod codes;
mod o2o;
#[cfg(test)]
mod tests;
#[cfg(feature = "signing")]
pub mod wire;

pub use codes::HiPosCode;
pub use o2o::{
    device_authcode_request, expiry_ms, order_status, parse_device_authcode, parse_pickup_confirm, parse_token, pickup_confirm_request, read_envelope, token_is_safe,
    token_request, trades_request, HiPosToken, O2oOrderState, TradeReport,
};

use super::{unsupported_mode, CreateParams, Created, Encoding, Endpoint, GatewayProtocol, GatewayRequest, HttpMethod, Operation, OrderRef, ProxyRules, RefundQuery};
use crate::error::{ErrorCode, PayError};
use crate::json::Value;
use crate::model::{Channel, Gateway, Mode, NextAction, OrderStatus, RefundStatus};
use crate::url_guard::UrlPolicy;
use o2o::{check_id, qr_action, request};

/// The HiPOS Open API.
pub struct HiPos;

/// Token by registered hostname (seed L33).
pub const TOKEN_PATH: &str = "/openapi/token/hishop";
/// Update the merchant profile (seed L74).
pub const MERCHANT_PATH: &str = "/openapi/merchants/{merchant_id}";
/// Update payment methods (seed L117, heading only).
pub const PAYMENTS_PATH: &str = "/openapi/merchants/{merchantId}/payments";
/// Request a device authorisation code (seed L120, heading only).
pub const DEVICE_AUTHCODE_PATH: &str = "/openapi/merchants/{merchantId}/stores/{storeId}/authcode";
/// Trade statistics (seed L123, heading only).
pub const TRADES_OVERVIEW_PATH: &str = "/openapi/merchants/{merchantId}/stores/{storeId}/trades/overview";
/// Trade details (seed L126, heading only).
pub const TRADES_DETAIL_PATH: &str = "/openapi/merchants/{merchantId}/stores/{storeId}/trades/detail";
/// Issue an order's pickup code (ours).
pub const PICKUP_CODE_PATH: &str = "/openapi/o2o/orders/pickup_code";
/// O2O order detail (ours; the seed's 获取订单详情 heading, L131).
pub const ORDER_DETAIL_PATH: &str = "/openapi/o2o/orders/detail";
/// Confirm a pickup (ours; the seed's 确认提货 heading, L132).
pub const PICKUP_CONFIRM_PATH: &str = "/openapi/o2o/orders/pickup";

const fn endpoint(path: &'static str, http: HttpMethod, encoding: Encoding, operation: Operation, browser: bool, order_ref: Option<&'static str>) -> Endpoint {
    Endpoint { path, method_param: None, http, encoding, operation, browser, order_ref, amount_field: None }
}

static ENDPOINTS: [Endpoint; 9] = [
    endpoint(TOKEN_PATH, HttpMethod::Post, Encoding::Json, Operation::Token, false, None),
    endpoint(MERCHANT_PATH, HttpMethod::Put, Encoding::Json, Operation::Write, false, None),
    endpoint(PAYMENTS_PATH, HttpMethod::Put, Encoding::Json, Operation::Write, false, None),
    endpoint(DEVICE_AUTHCODE_PATH, HttpMethod::Get, Encoding::Query, Operation::Read, false, None),
    endpoint(TRADES_OVERVIEW_PATH, HttpMethod::Get, Encoding::Query, Operation::Read, false, None),
    endpoint(TRADES_DETAIL_PATH, HttpMethod::Get, Encoding::Query, Operation::Read, false, None),
    // The pickup order's amount (fen) is the merchant's: the proxy sets it from the order record.
    Endpoint { amount_field: Some("amount"), ..endpoint(PICKUP_CODE_PATH, HttpMethod::Post, Encoding::Json, Operation::Create, true, Some("out_order_no")) },
    endpoint(ORDER_DETAIL_PATH, HttpMethod::Get, Encoding::Query, Operation::Query, true, Some("out_order_no")),
    endpoint(PICKUP_CONFIRM_PATH, HttpMethod::Post, Encoding::Json, Operation::Write, false, Some("out_order_no")),
];

static MODES: [(Mode, Channel); 1] = [(Mode::Qr, Channel::Any)];

static SERVER_OWNED: [&str; 4] = ["hostname", "notify_url", "token", "amount"];

/// The `*_response` wrapper name each endpoint answers in (for the sandbox
/// and the error bodies).
pub fn wrapper_name(endpoint_path: &str) -> &'static str {
    match endpoint_path {
        TOKEN_PATH => "hishop_token_response",
        MERCHANT_PATH => "merchant_update_response",
        PAYMENTS_PATH => "payments_update_response",
        DEVICE_AUTHCODE_PATH => "device_authcode_response",
        TRADES_OVERVIEW_PATH => "trades_overview_response",
        TRADES_DETAIL_PATH => "trades_detail_response",
        PICKUP_CODE_PATH => "pickup_code_response",
        ORDER_DETAIL_PATH => "o2o_order_response",
        PICKUP_CONFIRM_PATH => "pickup_confirm_response",
        _ => "error_response",
    }
}

fn unsupported(what: &str) -> PayError {
    PayError::new(ErrorCode::Unsupported).with_detail(format!("HiPOS has no {what}"))
}

impl GatewayProtocol for HiPos {
    fn gateway(&self) -> Gateway {
        Gateway::HiPos
    }

    fn modes(&self) -> &'static [(Mode, Channel)] {
        &MODES
    }

    fn create_request(&self, p: &CreateParams) -> Result<GatewayRequest, PayError> {
        if p.mode != Mode::Qr {
            return Err(unsupported_mode(Gateway::HiPos, p.mode, p.channel));
        }
        let order = check_id("out_order_no", &p.out_trade_no)?;
        Ok(request(Operation::Create, HttpMethod::Post, PICKUP_CODE_PATH.to_owned(), vec![("out_order_no", Value::str(order))]))
    }

    fn parse_create(&self, p: &CreateParams, body: &Value, _policy: &UrlPolicy) -> Result<Created, PayError> {
        if p.mode != Mode::Qr {
            return Err(unsupported_mode(Gateway::HiPos, p.mode, p.channel));
        }
        let inner = read_envelope(body)?;
        let status = order_status(inner);
        let action = if inner.get("status").is_some() && status.state.is_terminal() { NextAction::Done { status } } else { qr_action(inner, "pickup_code")? };
        Ok(Created { action, gateway_order_id: None })
    }

    fn query_request(&self, order: &OrderRef) -> Result<GatewayRequest, PayError> {
        let no = check_id("out_order_no", &order.out_trade_no)?;
        Ok(request(Operation::Query, HttpMethod::Get, ORDER_DETAIL_PATH.to_owned(), vec![("out_order_no", Value::str(no))]))
    }

    fn parse_query(&self, body: &Value) -> Result<OrderStatus, PayError> {
        Ok(order_status(read_envelope(body)?))
    }

    fn cancel_request(&self, _order: &OrderRef) -> Result<GatewayRequest, PayError> {
        Err(unsupported("order cancel (the order lives in the merchant's mall)"))
    }

    fn parse_cancel(&self, _body: &Value) -> Result<OrderStatus, PayError> {
        Err(unsupported("order cancel (the order lives in the merchant's mall)"))
    }
}

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
