//! HiPOS Open API (seed `000_7269aac09f0042f2.txt`): O2O "buy online, pick
//! up in store". Entirely server-to-server: the page reaches HiPOS only
//! through the proxy, which holds the token.
//!
//! The seed documents the token call, merchant update and ISV registration;
//! the rest are headings. Everything marked **ours** below is this crate's
//! definition, not HiPOS's; the proxy maps the `pub const` paths if a real
//! HiPOS differs.
//!
//! ## Direction (seed L9-L28, L128-L132)
//! Two sides. The merchant (the proxy, on behalf of the shop's "cloud mall")
//! calls **HiPOS cloud** (L26 `O2O HiPOS云端接口`: token, merchant, payments,
//! device code, trades). **HiPOS calls the merchant** on the four
//! application-side interfaces (L128 `O2O 应用端接口`), which the proxy
//! serves ([`app`], feature `signing`): L129 `[回调]返回授权Token通知`, L130
//! `[回调]设备授权成功通知`, L131 `获取订单详情`, L132 `确认提货`. The
//! 扫码提货 diagram (L20) runs customer → POS 扫码提货 → HiPOS 提货交易 →
//! 云商城 获取订单状态 → (alt 尚未支付: POS 线下付款) → 云商城 确认提货 →
//! POS 完成; the 门店增加POS机 diagram (L16) has the mall ask for a device
//! code and wait for the device-authorised callback. The order lives with
//! the merchant: HiPOS hosts no order endpoint.
//!
//! Every HiPOS answer is `{"<name>_response": {"code": 0, "msg": "…", …}}`;
//! a non-zero `code` is an error ([`HiPosCode`]), read by [`read_envelope`].
//! The merchant's answers to HiPOS and to the order's page use the same
//! envelope (ours).
//!
//! | path | method | operation | page? | wrapper |
//! |------|--------|-----------|-------|---------|
//! | [`TOKEN_PATH`] (seed L30-L71) | POST JSON `hostname`, `notify_url` | Token | no | `hishop_token_response`: `token`, `merchant_id` |
//! | [`MERCHANT_PATH`] (seed L73-L114) | PUT JSON `name`, `contact`, `mobile` | Write | no | `merchant_update_response` |
//! | [`PAYMENTS_PATH`] (seed L116-L117 path, ours body) | PUT JSON | Write | no | `payments_update_response` |
//! | [`DEVICE_AUTHCODE_PATH`] (seed L119-L120 path) | GET | Read | no | `device_authcode_response`: `store_id`, `auth_code`, `expire_at` (ours) |
//! | [`TRADES_OVERVIEW_PATH`] (seed L122-L123 path) | GET, filters in the query | Read | no | `trades_overview_response`: `store_id`, `trade_count`, `trade_amount`, `devices: [{device_id, trade_count, trade_amount}]` (ours) |
//! | [`TRADES_DETAIL_PATH`] (seed L125-L126 path) | GET, filters in the query | Read | no | `trades_detail_response`: `trades: [{trade_no, out_order_no, device_id, amount, pay_channel, status, trade_time}]` (ours) |
//!
//! The order's page talks to the **merchant's proxy**, not to HiPOS (ours,
//! served by the proxy from its store, never forwarded):
//!
//! | path | operation | answer |
//! |------|-----------|--------|
//! | [`PICKUP_PATH`] `{"out_order_no"}` | Create | `o2o_pickup_code_response`: `out_order_no`, `pickup_code`, `status`, `amount` |
//! | [`STATUS_PATH`] `{"out_order_no"}` (`?wait=N`) | Query | `o2o_order_response`: `out_order_no`, `status`, `amount`, `trade_no` |
//!
//! Amounts are integer fen. `expire_at` is Unix seconds or milliseconds (the
//! seed's own `YYYY-MM-DD HH:MM:SS`, China time, is read too). `merchant_id`
//! is a number in the token answer and a string elsewhere: kept as text.
//!
//! Order `status` (ours, [`O2oOrderState`]): `UNPAID` → pending, `PAID` →
//! paying (paid, not collected: keep polling), `PICKED_UP` → succeeded,
//! `REFUNDED` → refunded, `CANCELLED` → cancelled, anything else → unknown.
//!
//! Protocol mapping: modes `[(qr, any)]`. Create asks the merchant's proxy
//! for the order's pickup code (a QR the store's POS scans); an order
//! already collected answers `done`. Query reads the order's status from the
//! proxy. Cancel and refund are unsupported: the order lives in the
//! merchant's mall. The back office uses [`device_authcode_request`] /
//! [`parse_device_authcode`] (the device authorisation QR),
//! [`trades_request`] and, in the proxy, [`token_request`] / [`parse_token`].
//!
//! ## What of seed 000 is implemented, what is left out
//! - Implemented: token (L30-L71, examples as fixtures incl. the invalid
//!   JSON at L53-L54), merchant update (L73-L114, examples as fixtures),
//!   payments / device code / trades (L116-L126, paths only: the bodies are
//!   ours), the four application-side interfaces (L128-L132, shapes and
//!   their authentication ours, see [`app`]), the scenarios 门店增加POS机
//!   (L14-L16) and 扫码提货 (L18-L20) end to end with the sandbox.
//! - Left out: the ISV API (L135-L172, `/v1/isv/...`): its authentication
//!   (`isvId`/`isvSecret`, L138) is undocumented and a payment client has no
//!   use for registering merchants. The 商户资料及支付设置 (L10-L12) and
//!   查询交易信息 (L22-L24) scenarios are back-office calls only (no page).
//!
//! Error codes 6020-6024 and 6030-6032 are ours (see [`HiPosCode`]). The
//! wire side (token presentation, the token callback) is in `wire`, the
//! application-side interfaces in `app` (both feature `signing`).

#[cfg(feature = "signing")]
pub mod app;
mod codes;
mod o2o;
mod parse;
mod rules;
#[cfg(test)]
mod tests;
#[cfg(feature = "signing")]
pub mod wire;

pub use codes::HiPosCode;
pub use o2o::{device_authcode_request, token_request, trades_request, TradeReport};
pub use parse::{expiry_ms, order_status, parse_device_authcode, parse_token, read_envelope, token_is_safe, HiPosToken, O2oOrderState};

use super::prelude::*;
use o2o::{check_id, request};
use parse::qr_action;

/// The HiPOS Open API.
pub struct HiPos;

/// No checkout step of its own (`crate::checkout::step`).
pub(crate) const CHECKOUT_STEP: Option<&'static dyn crate::checkout::step::CheckoutStep> = None;

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
/// The order's page asks the merchant's proxy for its pickup code (ours; not a HiPOS path).
pub const PICKUP_PATH: &str = "/o2o/pickup";
/// The order's page reads its O2O status from the merchant's proxy (ours; not a HiPOS path).
pub const STATUS_PATH: &str = "/o2o/status";

static MODES: [(Mode, Channel); 1] = [(Mode::Qr, Channel::Any)];

/// The `*_response` wrapper name each path answers in (HiPOS's endpoints,
/// for the sandbox and the error bodies; the proxy's page paths).
pub fn wrapper_name(endpoint_path: &str) -> &'static str {
    match endpoint_path {
        TOKEN_PATH => "hishop_token_response",
        MERCHANT_PATH => "merchant_update_response",
        PAYMENTS_PATH => "payments_update_response",
        DEVICE_AUTHCODE_PATH => "device_authcode_response",
        TRADES_OVERVIEW_PATH => "trades_overview_response",
        TRADES_DETAIL_PATH => "trades_detail_response",
        PICKUP_PATH => "o2o_pickup_code_response",
        STATUS_PATH => "o2o_order_response",
        _ => "error_response",
    }
}

fn unsupported(what: &str) -> PayError {
    PayError::new(ErrorCode::Unsupported).with_detail(detail!("HiPOS has no {what}"))
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
        Ok(request(Operation::Create, HttpMethod::Post, PICKUP_PATH.to_owned(), texts(&[("out_order_no", order)])))
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
        Ok(request(Operation::Query, HttpMethod::Post, STATUS_PATH.to_owned(), texts(&[("out_order_no", no)])))
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
