//! BeeCloud offline REST API v2 (seed `003_867c8e57628e179b.txt`).
//!
//! Endpoints (all JSON; the host is a proxy setting):
//! - `POST /2/rest/offline/bill`: create. QR channels answer `code_url`
//!   (Part 2 of the seed and the v1 docs say `qr_code`; both are read),
//!   barcode channels answer `pay_result` (`false` = the payer is still
//!   entering a PIN: poll).
//! - `POST /2/rest/offline/bill/status`: `bill_no` (+ optional `channel`) →
//!   `pay_result`.
//! - `POST /2/rest/offline/bill/{bill_no}` with `"method":"REVERT"` →
//!   `revert_status` (the bills list and v1 call it `revert_result`; both are read).
//! - `GET /2/rest/bills` (`?para=<URL-encoded JSON>`): the bill lookup. It
//!   is our refund query, see below.
//! - `POST /2/rest/offline/refund`: back office only (signed with
//!   `master_secret`), never browser-reachable.
//!
//! (mode, channel) → BeeCloud `channel` (see [`channel_value`]):
//!
//! | mode    | channel | `channel`            |
//! |---------|---------|----------------------|
//! | qr      | wechat  | `WX_NATIVE`          |
//! | qr      | alipay  | `ALI_OFFLINE_QRCODE` |
//! | counter | any     | `SCAN` (unified barcode; BeeCloud recognises the wallet) |
//! | counter | wechat  | `WX_SCAN`            |
//! | counter | alipay  | `ALI_SCAN`           |
//!
//! BeeCloud has no mixed QR code, so qr + any is refused (`unsupported`).
//! `BC_WX_SCAN` / `BC_ALI_SCAN` (L55-L56, "BC版": the app settles through
//! BeeCloud's own acquiring) are the same counter payments for a BC-edition
//! app: a property of the merchant's BeeCloud app, not of the page, so the
//! proxy's signer sends them when its `barcode_channels = "bc"` secret says
//! so (`wire`), for create and status; their answers read like `WX_SCAN` /
//! `ALI_SCAN`.
//!
//! Decisions where the seed is silent or contradicts itself (all of them
//! should be configurable in the proxy):
//! - `title` is required: the page's subject, cut to 32 UTF-8 bytes on a
//!   character boundary (the seed's "32 bytes, 16 汉字" cannot both hold);
//!   without a subject the `bill_no` is the title.
//! - `auth_code` is sent for `SCAN` too (the seed's required-list omits it).
//! - `SCAN` answers only `channel_type`; without `pay_result` the page waits
//!   and polls. The wallet `channel_type` names is kept
//!   (`GatewayProtocol::wallet_of`): the page's status events and outcome
//!   carry it as `channel`, and status and revert name `WX_SCAN` /
//!   `ALI_SCAN` (their channel lists do not have `SCAN`; before the answer
//!   names one they go without `channel`). Revert only names the channels
//!   its own list has (`WX_SCAN`, `ALI_OFFLINE_QRCODE`, `ALI_SCAN`).
//! - The revert request carries `bill_no` in the body too, so the proxy can
//!   find the order like for every other call; the wire encoder checks it
//!   equals the path segment and drops it from the body (as BeeCloud's PHP
//!   SDK sends it).
//! - Codes 7 `CHANNEL_ERROR` and 14 `RUNTIME_ERROR` leave the outcome open:
//!   a counter create answers [`NextAction::Await`], a status or revert
//!   query gives [`PayState::Unknown`]; the page keeps polling.
//! - `pay_result: false` on a status query is [`PayState::Pending`]; the
//!   seed has no failed or closed state.
//! - Refund query: the offline API has none. `GET /2/rest/bills` with
//!   `bill_no` tells whether the bill was refunded (`refund_result`), not how
//!   much nor whether a refund is in progress. A refunded bill gives one
//!   succeeded [`RefundStatus`] without amount; otherwise the list is empty.
//!   BeeCloud allows one successful refund per bill, so `refund_no` is not
//!   needed (and cannot be filtered on).
//! - The wire side (feature `signing`) is in `wire`; webhooks there are
//!   our assumption, documented in that module.
//! - Lenient where the gateway has spoken: `result_code` and the flags are
//!   read as numbers, strings or booleans alike; the parsers branch on the
//!   mode only, so an answer (or an error) reads the same whatever channel
//!   the options left; a webhook `timestamp` in seconds is not refused as
//!   stale by the proxy's replay window.
//!
//! Seed coverage (line numbers of seed 003):
//! - Implemented: 支付 `POST /2/rest/offline/bill` L24-L114 with every
//!   channel (`WX_NATIVE`, `ALI_OFFLINE_QRCODE`, `WX_SCAN`, `ALI_SCAN`,
//!   `SCAN` and its `channel_type`, `BC_WX_SCAN`, `BC_ALI_SCAN`); 订单状态查询
//!   L115-L145; 撤销订单 L146-L178 (page, through the proxy's cancel safety);
//!   订单查询 `GET /2/rest/bills` L179-L241 (refund query, back office); 退款
//!   L242-L294 (back office); the barcode and QR scenarios of Part 2
//!   L295-L312 (counter: poll while `pay_result` is false, revert on timeout).
//! - Deliberately left out: the server list L9-L22 (the host is a proxy
//!   setting); `optional` and `analysis` L46-L47 (the page's order carries
//!   neither); the Alipay barcode `terminal_id` / `store_id` L59-L64
//!   (device and store identifiers a web checkout does not have); the bills
//!   lookup's filters beyond `bill_no` (`spay_result`, `start_time`,
//!   `limit`… L194-L202), which serve reporting, not a payment.

mod codes;
mod parse;
mod rules;
#[cfg(test)]
mod tests;
#[cfg(feature = "signing")]
pub mod wire;

pub use codes::BeeCloudCode;

use super::prelude::*;

/// The BeeCloud offline REST API v2.
pub struct BeeCloud;

/// No checkout step of its own (`crate::checkout::step`).
pub(crate) const CHECKOUT_STEP: Option<&'static dyn crate::checkout::step::CheckoutStep> = None;

/// Create a bill (pay).
pub const BILL_PATH: &str = "/2/rest/offline/bill";
/// Query a bill's status.
pub const STATUS_PATH: &str = "/2/rest/offline/bill/status";
/// Revert (cancel) a bill; `{bill_no}` is the order number.
pub const REVERT_PATH: &str = "/2/rest/offline/bill/{bill_no}";
/// The bill lookup (GET, JSON in `para`).
pub const BILLS_PATH: &str = "/2/rest/bills";
/// Refund (back office only, `master_secret`).
pub const REFUND_PATH: &str = "/2/rest/offline/refund";

/// Longest `title` in UTF-8 bytes.
pub const TITLE_MAX_BYTES: usize = 32;

static MODES: [(Mode, Channel); 5] =
    [(Mode::Qr, Channel::Wechat), (Mode::Qr, Channel::Alipay), (Mode::Counter, Channel::Any), (Mode::Counter, Channel::Wechat), (Mode::Counter, Channel::Alipay)];

/// The BeeCloud `channel` for a mode and wallet (the table in the module doc).
pub fn channel_value(mode: Mode, channel: Channel) -> Option<&'static str> {
    Some(match (mode, channel) {
        (Mode::Qr, Channel::Wechat) => "WX_NATIVE",
        (Mode::Qr, Channel::Alipay) => "ALI_OFFLINE_QRCODE",
        (Mode::Counter, Channel::Any) => "SCAN",
        (Mode::Counter, Channel::Wechat) => "WX_SCAN",
        (Mode::Counter, Channel::Alipay) => "ALI_SCAN",
        _ => return None,
    })
}

/// Checks a `bill_no`: 8–32 ASCII letters and digits (seed L42). It also
/// goes into the revert path, so nothing else may pass.
pub fn check_bill_no(bill_no: &str) -> Result<&str, PayError> {
    check_id("bill_no", bill_no, 8, 32, b"")
}

/// Checks a `refund_no`: an 8-digit date, then a 3–24 letter-or-digit
/// serial not starting with `000` (seed A3.5; the PHP SDK's reading). The
/// date must be the day of the request (China time): the gateway checks it.
pub fn check_refund_no(refund_no: &str) -> Result<&str, PayError> {
    let ok = refund_no.is_ascii() && refund_no.len() >= 11 && {
        let (date, serial) = refund_no.split_at(8);
        date.bytes().all(|b| b.is_ascii_digit()) && (3..=24).contains(&serial.len()) && serial.bytes().all(|b| b.is_ascii_alphanumeric()) && !serial.starts_with("000")
    };
    if ok {
        Ok(refund_no)
    } else {
        Err(PayError::invalid_argument("BeeCloud refund_no must be the date (yyyyMMdd) then 3-24 letters or digits not starting with 000"))
    }
}

fn request(operation: Operation, http: HttpMethod, path: String, params: Obj) -> GatewayRequest {
    common::request(Gateway::BeeCloud, operation, http, path, params)
}

impl GatewayProtocol for BeeCloud {
    fn gateway(&self) -> Gateway {
        Gateway::BeeCloud
    }

    fn modes(&self) -> &'static [(Mode, Channel)] {
        &MODES
    }

    fn create_request(&self, p: &CreateParams) -> Result<GatewayRequest, PayError> {
        let channel = channel_value(p.mode, p.channel).ok_or_else(|| unsupported_mode(Gateway::BeeCloud, p.mode, p.channel))?;
        let bill_no = check_bill_no(&p.out_trade_no)?;
        let title = optional(p.subject.as_deref()).map_or(bill_no, |s| truncate_utf8(s, TITLE_MAX_BYTES));
        let mut params = texts(&[("channel", channel), ("bill_no", bill_no), ("title", title)]);
        if p.mode == Mode::Counter {
            let code = p.auth_code.as_deref().map(crate::text::trim).unwrap_or_default();
            add(&mut params, "auth_code", check_id("auth_code", code, 1, 64, b"")?);
        }
        Ok(request(Operation::Create, HttpMethod::Post, BILL_PATH.to_owned(), params))
    }

    fn parse_create(&self, p: &CreateParams, body: &Value, _policy: &UrlPolicy) -> Result<Created, PayError> {
        parse::create(p, body)
    }

    /// `SCAN`'s `channel_type` (seed L107-L111): `WX_SCAN` is WeChat,
    /// `ALI_SCAN` Alipay (their `BC_` forms too). The flow keeps it, so
    /// status and revert name the barcode channel (their lists lack `SCAN`)
    /// and the page's status and outcome carry the wallet.
    fn wallet_of(&self, p: &CreateParams, body: &Value) -> Option<Channel> {
        parse::wallet(p, body)
    }

    fn query_request(&self, order: &OrderRef) -> Result<GatewayRequest, PayError> {
        let bill_no = check_bill_no(&order.out_trade_no)?;
        let mut params = texts(&[("bill_no", bill_no)]);
        // The status channel list has every channel we send except SCAN.
        if let Some(ch) = channel_value(order.mode, order.channel).filter(|&c| c != "SCAN") {
            add(&mut params, "channel", ch);
        }
        Ok(request(Operation::Query, HttpMethod::Post, STATUS_PATH.to_owned(), params))
    }

    fn parse_query(&self, body: &Value) -> Result<OrderStatus, PayError> {
        parse::query(body)
    }

    fn cancel_request(&self, order: &OrderRef) -> Result<GatewayRequest, PayError> {
        let bill_no = check_bill_no(&order.out_trade_no)?;
        let mut params = texts(&[("method", "REVERT"), ("bill_no", bill_no)]);
        if let Some(ch) = channel_value(order.mode, order.channel).filter(|c| ["WX_SCAN", "ALI_OFFLINE_QRCODE", "ALI_SCAN"].contains(c)) {
            add(&mut params, "channel", ch);
        }
        Ok(request(Operation::Cancel, HttpMethod::Post, crate::text::concat(&["/2/rest/offline/bill/", bill_no]), params))
    }

    fn parse_cancel(&self, body: &Value) -> Result<OrderStatus, PayError> {
        parse::cancel(body)
    }
}
