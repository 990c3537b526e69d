//! HipoPay open API, agent (服务商) edition — seed `002_601bc67645f6d3f8.txt`.
//!
//! # Transport
//! REST, no base URL in the seed (the proxy configures it). GET endpoints take
//! a query string, POST endpoints an `application/x-www-form-urlencoded`
//! body; every request carries the headers `AgentNo`, `Signature`, `Version`
//! (`1.0`) and `Timestamp` (signing: the `wire` submodule, feature `signing`). Every
//! response is `{"meta":{"status_code","message","success"},"data":{…}}`,
//! except the Alipay rate (§6.8), which puts `rate` at the top level.
//! Responses are not signed.
//!
//! # Modes
//! | mode, channel | path (seed §) | next action |
//! |---|---|---|
//! | qr, wechat | `POST /order/scanned_pay` (4.3) | `qr` from `code_url` (or `qr_code`) |
//! | counter, wechat | `POST /order/scan_pay` (4.2) | `done` when settled, else `await` |
//! | jsapi, wechat | `POST /order/jsapi_pay` (4.1, path chosen); the openid from the container (below) | `wechatJsapi` |
//! | jsapi, wechat, mini-program | `POST /order/mini_program_pay` (4.4, path chosen); the openid from `POST /order/openid` | `wechatJsapi` (for `wx.requestPayment`) |
//! | app, wechat | `POST /order/app_pay` (4.5, path chosen) | `app` (OpenSDK `PayReq` fields) |
//! | cashier, wechat | `POST /order/pc_desk` (4.6, path chosen); with `sub_appid` set (the page runs in an official account) `POST /order/mp_desk` (4.7, path chosen) | `redirect` |
//! | qr, alipay | `POST /alipay/qrcode_pay` (7.1) | `qr` from `qrcode`; a 6.1 `POST /alipay/scanned_pay` answer (`url`, Alipay's own QR page) reads as `iframe` |
//! | cashier, alipay | `POST /alipay/pc_desk` (6.4, path chosen) | `redirect` |
//! | wap, alipay | `POST /alipay/wap_pay` (6.3) | `redirect` |
//! | counter, alipay | `POST /alipay/scan_pay` (7.2) | `done` when settled, else `await` |
//! | app, alipay | `POST /alipay/app_pay` (6.2.1, path chosen) | `app` (`prepay_string`) |
//!
//! The seed prints no path for JSAPI, mini-program, app and the cashier
//! desks; [`CHOSEN_PATHS`] lists the paths used here so that a proxy maps
//! them onto the real upstream paths it is configured with. Their responses
//! are read leniently: JSAPI parameters flat in `data` or under `js_param`
//! (object or JSON string); desks answer a URL in `data.url` (or `pay_url`,
//! `cashier_url`, `redirect_url`). Reading a response depends only on the
//! mode and the wallet (the JS `parseCreateResponse` knows nothing more),
//! so `sub_appid` is at most a fallback for a missing `appId`.
//!
//! # Status, refunds, cancel
//! Queries: `GET /order` (WeChat) or `GET /alipay/order` (Alipay), chosen by
//! [`OrderRef::channel`] (`any` only where the mode implies the wallet:
//! JSAPI → WeChat, WAP → Alipay), naming the merchant's order
//! (`agent_order_id` / `out_order_no`) and HipoPay's (`order_no` /
//! `payment_no`) when known. Refund queries: `GET /refund` (`agent_order_id`)
//! and `GET /alipay/refund` (`outer_order_no`, as §6.7 names it), with the
//! merchant's refund number as `outer_refund_no` when one is asked for.
//! Refunds (4.8 `POST /refund`, 6.6 `POST /alipay/refund`) are back-office
//! only (`browser: false`), told apart from the queries on the same paths by
//! their method; the rate endpoints are allowlisted for the merchant's
//! server only (they name no order). `POST /order/openid` (4.4 step 2, code
//! → openid, [`openid_request`] / [`parse_openid`]) names the order being
//! paid as `agent_order_id`, so the proxy checks the page's client secret;
//! the wire sends HipoPay only `code` and `merchant_no`.
//! HTTP-style codes 500, 503, other 5xx and 555 (WeChat service error) read
//! as [`PayState::Unknown`](crate::model::PayState::Unknown) on a query —
//! never as failure. The seed has **no close / cancel endpoint**:
//! [`GatewayProtocol::cancel_request`] answers `unsupported`; an unpaid order
//! ends when HipoPay expires it (`EXPIRED`).
//!
//! # Server-owned fields and amounts
//! `merchant_no` (an agent-assigned merchant id: proxy configuration),
//! `currency` (fixed with the amount, or a payer could swap HKD for JPY),
//! `amount`, `notify_url`, `ip` and the four headers never come from the
//! browser. With feature `signing` the proxy passes the amount as integer
//! minor units and the wire code writes HipoPay's major-unit decimal
//! (`10000` HKD cents → `"100.00"`; JPY and KRW have no minor unit). Order
//! numbers (25 digits) always stay strings.
//!
//! # The payer's openid (4.1, 4.4)
//! A merchant passes no openid (`checkout_step.rs`): the page reads
//! the one HipoPay's container appends to the bound pay page's URL (4.1 step
//! 1, L83-L84), or, in a mini-program web-view, exchanges the `wx.login()`
//! code the mini-program puts in the web-view URL (4.4 steps 1–2,
//! L222-L239). Without either, in WeChat, it navigates to the container's
//! authorization URL ([`AUTHORIZE_PATH`], chosen: the seed prints none;
//! HipoPay gives it to the agent with the binding, the proxy publishes it as
//! `openidAuthorize` in its capabilities) with its own query parameters and
//! `paybridge_order`; the order waits in sessionStorage and `resume()`
//! creates it when the container brings the payer back.
//!
//! # Lenient where HipoPay has spoken
//! A create answer reads without the wallet (`any`): the envelope and every
//! mode's shape tell it. Values WeChat or Alipay signed (`timeStamp`,
//! `paySign`, `package`, the `prepay_string`, URLs) go on verbatim; only a
//! missing field, an oversized or control-character value, or a URL outside
//! the allowlist is refused.
//!
//! # Seed 002 coverage (line numbers of `002_601bc67645f6d3f8.txt`)
//! Implemented:
//! - §2 authentication L3-L54 (`AgentNo`, RSA-SHA256 `Signature`, `Version`,
//!   `Timestamp`; wire submodule) and §3 error codes L55-L71 (555's JSON
//!   `message`): [`HipoPayCode`], [`WechatError`].
//! - §4.1 JSAPI L80-L102: openid step 1 L83-L84 (above), order step 2
//!   L85-L97, wallet step 3 L98-L100 (sample missing), query step 4 L101-L102.
//! - §4.2 scan_pay L103-L160, §4.3 scanned_pay L161-L220.
//! - §4.4 mini-program L221-L271: code L222-L223, code → openid L224-L239,
//!   order L240-L265, hand-off to `wx.requestPayment` L266-L269 (sample
//!   missing), query L270-L271.
//! - §4.5 APP L272-L317 (payload only), §4.6 PC desk L318-L349, §4.7 MP
//!   desk L350-L381 (return parameters read as untrusted: the page queries).
//! - §4.8 refund L382-L418 (back office), §4.9 query V1 / V2 L419-L503,
//!   §4.10 refund query L504-L529, §4.11 rate L530-L560 ([`parse_rate`]).
//! - §5 HK wallet L561-L571: the same 4.2 / 4.8 / 4.9 / 4.10 calls.
//! - §6.1 Alipay QR page L573-L638, §6.2.1 `prepay_string` L644-L692,
//!   §6.3 WAP L722-L792, §6.4 desk L793-L824, §6.5 query L825-L892,
//!   §6.6 refund L893-L937, §6.7 refund query L938-L975, §6.8 rate L976-L1010.
//! - §7.1 dynamic QR L1012-L1081, §7.2 scan_pay L1082-L1151, §7.3–7.5
//!   L1152-L1157 (the 6.x calls).
//! - §10 notifications L1368-L1403 (raw or encoded sign string, ack `success`).
//! - §11.1–11.3 order, refund and currency tables L1405-L1445.
//!
//! Deliberately left out:
//! - §6.2.2 calling Alipay's SDK L693-L721 and the 4.5.3 WeChat SDK steps
//!   L311-L317: native app code; the page hands the payload to `appBridge`.
//! - §8 statement export L1158-L1164 and §9 customs declaration L1165-L1367
//!   with its codes §11.4–11.5 L1446-L1478: reconciliation and customs are
//!   the merchant's back office, no payment step; the seed prints no paths.
//! - §10.1 notification rules L1369 (heading only) and §11.6 SDKs L1479-L1481.
//! - A `code` outside a mini-program (4.4 is the only code the seed
//!   exchanges) and the code's five-minute life (L223): WeChat issues and
//!   ages codes; the sandbox accepts any.

mod checkout_step;
mod codes;
mod parse;
mod rules;
#[cfg(feature = "signing")]
mod wire;

#[cfg(test)]
mod tests;

pub use codes::{amount_to_minor, currency_exponent, minor_to_amount, HipoPayCode};
pub use parse::{parse_openid, parse_rate, Rate};
#[cfg(feature = "signing")]
pub use wire::sign_string;

use super::prelude::*;

/// The HipoPay gateway (agent edition).
pub struct HipoPay;

/// Its checkout step: the payer's openid (`checkout_step.rs`).
pub(crate) const CHECKOUT_STEP: Option<&'static dyn crate::checkout::step::CheckoutStep> = Some(&HipoPay);

/// The field carrying the agent-assigned merchant id (server-owned).
pub const MERCHANT_NO_FIELD: &str = "merchant_no";
/// The field carrying the client / terminal IP (server-owned; 4.2 and 4.3 only).
pub const CLIENT_IP_FIELD: &str = "ip";
/// The field carrying the notification URL (server-owned).
pub const NOTIFY_URL_FIELD: &str = "notify_url";
/// The field carrying the amount (server-owned).
pub const AMOUNT_FIELD: &str = "amount";
/// The field carrying the currency (server-owned: it gives the amount its value).
pub const CURRENCY_FIELD: &str = "currency";

/// 4.4 step 2: a mini-program's `wx.login` code → the payer's openid (path chosen).
pub const OPENID_PATH: &str = "/order/openid";
/// 4.1 step 1: the authorization URL whose container runs the agent's bound
/// pay page with every parameter it was given plus `openid` (path chosen;
/// the page navigates there, nothing is signed).
pub const AUTHORIZE_PATH: &str = "/order/authorize";

/// Paths the seed leaves out, as chosen here: `(path, seed section and purpose)`.
/// A proxy maps each onto the upstream path HipoPay gives the agent.
pub const CHOSEN_PATHS: &[(&str, &str)] = &[
    ("/order/jsapi_pay", "4.1 WeChat official-account (JSAPI) order"),
    (OPENID_PATH, "4.4 step 2 WeChat mini-program code → openid"),
    ("/order/mini_program_pay", "4.4 step 3 WeChat mini-program order"),
    ("/order/app_pay", "4.5 WeChat APP prepay"),
    ("/order/pc_desk", "4.6 WeChat PC cashier desk (PC_DESK)"),
    ("/order/mp_desk", "4.7 WeChat official-account cashier desk (MP_DESK)"),
    ("/alipay/app_pay", "6.2.1 Alipay APP prepay_string"),
    ("/alipay/pc_desk", "6.4 Alipay PC cashier desk (DESK)"),
];

const MODES: &[(Mode, Channel)] = &[
    (Mode::Qr, Channel::Wechat),
    (Mode::Counter, Channel::Wechat),
    (Mode::Jsapi, Channel::Wechat),
    (Mode::App, Channel::Wechat),
    (Mode::Cashier, Channel::Wechat),
    (Mode::Qr, Channel::Alipay),
    (Mode::Cashier, Channel::Alipay),
    (Mode::Wap, Channel::Alipay),
    (Mode::Counter, Channel::Alipay),
    (Mode::App, Channel::Alipay),
];

/// Which create call a checkout makes, and so which response shape it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    WechatQr,
    WechatCounter,
    WechatJsapi,
    WechatMiniProgram,
    WechatApp,
    WechatPcDesk,
    WechatMpDesk,
    AlipayQr,
    AlipayWap,
    AlipayCounter,
    AlipayApp,
    AlipayDesk,
}

impl Route {
    fn of(p: &CreateParams) -> Result<Route, PayError> {
        let route = match (p.mode, wallet(p.channel, p.mode)?) {
            (Mode::Qr, Channel::Wechat) => Route::WechatQr,
            (Mode::Counter, Channel::Wechat) => Route::WechatCounter,
            (Mode::Jsapi, Channel::Wechat) if p.mini_program => Route::WechatMiniProgram,
            (Mode::Jsapi, Channel::Wechat) => Route::WechatJsapi,
            (Mode::App, Channel::Wechat) => Route::WechatApp,
            (Mode::Cashier, Channel::Wechat) if p.sub_appid.is_some() => Route::WechatMpDesk,
            (Mode::Cashier, Channel::Wechat) => Route::WechatPcDesk,
            (Mode::Qr, Channel::Alipay) => Route::AlipayQr,
            (Mode::Cashier, Channel::Alipay) => Route::AlipayDesk,
            (Mode::Wap, Channel::Alipay) => Route::AlipayWap,
            (Mode::Counter, Channel::Alipay) => Route::AlipayCounter,
            (Mode::App, Channel::Alipay) => Route::AlipayApp,
            (mode, channel) => return Err(unsupported_mode(Gateway::HipoPay, mode, channel)),
        };
        Ok(route)
    }

    fn path(self) -> &'static str {
        match self {
            Route::WechatQr => "/order/scanned_pay",
            Route::WechatCounter => "/order/scan_pay",
            Route::WechatJsapi => "/order/jsapi_pay",
            Route::WechatMiniProgram => "/order/mini_program_pay",
            Route::WechatApp => "/order/app_pay",
            Route::WechatPcDesk => "/order/pc_desk",
            Route::WechatMpDesk => "/order/mp_desk",
            Route::AlipayQr => "/alipay/qrcode_pay",
            Route::AlipayWap => "/alipay/wap_pay",
            Route::AlipayCounter => "/alipay/scan_pay",
            Route::AlipayApp => "/alipay/app_pay",
            Route::AlipayDesk => "/alipay/pc_desk",
        }
    }

    fn is_alipay(self) -> bool {
        matches!(self, Route::AlipayQr | Route::AlipayWap | Route::AlipayCounter | Route::AlipayApp | Route::AlipayDesk)
    }
}

/// The wallet a request goes to. HipoPay's endpoints are per wallet, so
/// `any` is resolved only where the mode leaves no choice (JSAPI is
/// WeChat-only, WAP Alipay-only); queries resolve it the same way from
/// [`OrderRef::mode`], so an order that could be created can be polled.
fn wallet(channel: Channel, mode: Mode) -> Result<Channel, PayError> {
    match (channel, mode) {
        (Channel::Wechat | Channel::Alipay, _) => Ok(channel),
        (Channel::Any, Mode::Jsapi) => Ok(Channel::Wechat),
        (Channel::Any, Mode::Wap) => Ok(Channel::Alipay),
        _ => Err(unsupported_mode(Gateway::HipoPay, mode, channel).with_detail(detail!("HipoPay needs channel wechat or alipay for mode {}", mode.as_str()))),
    }
}

/// A required caller text (at most 2048 bytes, no control characters).
fn required<'a>(value: &'a Option<String>, what: &str) -> Result<&'a str, PayError> {
    common::required(value.as_deref(), what, 2048)
}

fn request(operation: Operation, http: HttpMethod, path: &str, params: Obj) -> GatewayRequest {
    common::request(Gateway::HipoPay, operation, http, path.to_owned(), params)
}

/// The 4.4 step 2 exchange of a mini-program's `wx.login` `code` for the
/// payer's openid, for the order `out_trade_no` (the proxy's order reference;
/// not sent to HipoPay). Read the answer with [`parse_openid`].
pub fn openid_request(code: &str, out_trade_no: &str) -> Result<GatewayRequest, PayError> {
    let (out_trade_no, code) = openid_fields(code, out_trade_no)?;
    Ok(request(Operation::Read, HttpMethod::Post, OPENID_PATH, texts(&[("agent_order_id", out_trade_no), ("code", code)])))
}

/// The checked order number and code of an [`openid_request`] (the page's
/// step writes them straight into the call's JSON body).
fn openid_fields<'a>(code: &'a str, out_trade_no: &'a str) -> Result<(&'a str, &'a str), PayError> {
    let out_trade_no = check_order_no(out_trade_no)?;
    let code = crate::text::trim(code);
    if code.is_empty() || code.len() > 128 || !code.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(PayError::invalid_argument("the wx.login code must be 1–128 printable ASCII characters"));
    }
    Ok((out_trade_no, code))
}

/// An order (or refund) number: 1–64 letters, digits, `-` or `_`.
fn check_order_no(no: &str) -> Result<&str, PayError> {
    check_id("order number", no, 1, 64, b"-_")
}

/// The merchant's order number, plus the gateway's own id when known, in
/// the names the query endpoints of each wallet use.
fn order_keys(order: &OrderRef, merchant_key: &'static str, gateway_key: &'static str) -> Result<Obj, PayError> {
    let mut params = texts(&[(merchant_key, check_order_no(&order.out_trade_no)?)]);
    if let Some(id) = order.gateway_order_id.as_deref().filter(|id| !id.is_empty()) {
        add(&mut params, gateway_key, id);
    }
    Ok(params)
}

fn query_wallet(order: &OrderRef) -> Result<Channel, PayError> {
    wallet(order.channel, order.mode).map_err(|_| PayError::invalid_argument(detail!("HipoPay queries per wallet: channel {} must be wechat or alipay", order.channel.as_str())))
}

impl GatewayProtocol for HipoPay {
    fn gateway(&self) -> Gateway {
        Gateway::HipoPay
    }

    fn modes(&self) -> &'static [(Mode, Channel)] {
        MODES
    }

    fn supports(&self, mode: Mode, channel: Channel) -> bool {
        wallet(channel, mode).is_ok_and(|c| MODES.contains(&(mode, c)))
    }

    fn create_request(&self, p: &CreateParams) -> Result<GatewayRequest, PayError> {
        let route = Route::of(p)?;
        let no = check_order_no(&p.out_trade_no)?;
        let subject = optional(p.subject.as_deref()).unwrap_or(&p.out_trade_no);
        let (no_key, subject_key) = if route.is_alipay() { ("out_order_no", "subject") } else { ("agent_order_id", "product_info") };
        let mut params = texts(&[(no_key, no), (subject_key, subject)]);
        match route {
            Route::WechatCounter | Route::AlipayCounter => {
                let code = required(&p.auth_code, "the payer's code (auth_code)")?;
                add(&mut params, "auth_code", check_id("auth_code", code, 1, 64, b"")?);
            }
            Route::WechatJsapi => add(&mut params, "openid", required(&p.openid, "the payer's openid")?),
            Route::WechatMiniProgram => {
                add(&mut params, "openid", required(&p.openid, "the payer's openid")?);
                // The proxy sets the mini-program's app id it is configured with.
                if let Some(appid) = p.sub_appid.as_deref().filter(|s| !crate::text::trim(s).is_empty()) {
                    add(&mut params, "appid", appid);
                }
            }
            Route::WechatApp => add(&mut params, "appid", required(&p.sub_appid, "the app's appid (sub_appid)")?),
            Route::WechatPcDesk | Route::WechatMpDesk | Route::AlipayWap | Route::AlipayDesk => {
                add(&mut params, "return_url", required(&p.return_url, "a return_url")?);
            }
            Route::WechatQr | Route::AlipayQr | Route::AlipayApp => {}
        }
        Ok(request(Operation::Create, HttpMethod::Post, route.path(), params))
    }

    /// Reads the answer without being told the wallet too (`any`): the
    /// envelope, an error answer and every mode's body shape do not depend
    /// on it.
    fn parse_create(&self, p: &CreateParams, body: &Value, policy: &UrlPolicy) -> Result<Created, PayError> {
        let wallet = wallet(p.channel, p.mode).unwrap_or(p.channel);
        if !MODES.iter().any(|&(mode, channel)| mode == p.mode && (channel == wallet || wallet == Channel::Any)) {
            return Err(unsupported_mode(Gateway::HipoPay, p.mode, p.channel));
        }
        parse::create(p.mode, wallet, p, body, policy)
    }

    fn query_request(&self, order: &OrderRef) -> Result<GatewayRequest, PayError> {
        let (path, params) = match query_wallet(order)? {
            Channel::Alipay => ("/alipay/order", order_keys(order, "out_order_no", "payment_no")?),
            _ => ("/order", order_keys(order, "agent_order_id", "order_no")?),
        };
        Ok(request(Operation::Query, HttpMethod::Get, path, params))
    }

    fn parse_query(&self, body: &Value) -> Result<OrderStatus, PayError> {
        parse::query(body)
    }

    /// HipoPay has no close / cancel / reverse endpoint (seed §4–§7).
    fn cancel_request(&self, order: &OrderRef) -> Result<GatewayRequest, PayError> {
        let mut e =
            PayError::new(ErrorCode::Unsupported).with_detail(detail!("HipoPay has no close or cancel endpoint; order {} ends when HipoPay expires it", order.out_trade_no));
        e.gateway = Some(Gateway::HipoPay);
        Err(e)
    }

    /// Never reached: [`HipoPay::cancel_request`] refuses first.
    fn parse_cancel(&self, _body: &Value) -> Result<OrderStatus, PayError> {
        let mut e = PayError::new(ErrorCode::Unsupported).with_detail("HipoPay has no close or cancel endpoint");
        e.gateway = Some(Gateway::HipoPay);
        Err(e)
    }
}
