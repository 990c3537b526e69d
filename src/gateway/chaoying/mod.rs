//! ChaoYing (超赢聚合支付 API v2.9.0, seed 004; English digest
//! `reference/seed-chaoying.md`).
//!
//! Endpoints (form-encoded POST, JSON answers):
//! - pre-orders `/Open/WECHAT_PreOrder` and `/Open/ALIPAY_PreOrder`:
//!   `trade_type=JSPAY` gives `pay_info` (a JSON string) for WeChat JSAPI /
//!   mini-program or Alipay `tradePay`, `NATIVE` gives `code_url` for a QR
//!   code, `APP` gives an app-pay payload;
//! - the gateway `/UnifiedPay/Gateway`, multiplexed by the `method`
//!   parameter ([`super::Endpoint::method_param`]): `pay` (counter, the clerk
//!   scans the payer's code), `orderquery`, `cancel`, `refundquery`.
//!
//! Every answer carries `state` (call), `code` (§4.6, [`ChaoYingCode`]),
//! `msg`, `trade_state` and, except on pre-orders, `sign`; the business
//! fields come only when `state` and `trade_state` are both `SUCCESS`.
//!
//! Decisions where the seed is silent or contradicts itself:
//! - **Hosts are proxy configuration.** The seed puts pre-orders on
//!   `https://qrpay.pos.cn` and the gateway on `https://pay.storepos.cn`
//!   (L1203, L660). Paths here are exactly the seed's; the proxy maps
//!   `/Open/*` and `/UnifiedPay/Gateway` to their two base URLs.
//! - **Merchant identity is server-owned.** `mch_id` (the merchant's
//!   ChaoYing number), `agent_id`, `pid`, `version`, `nonce_str`, `sign`,
//!   `notify_url`, `total_fee` and `mch_create_ip` are set by the proxy.
//! - **`body`** (required goods description) is the order subject, or the
//!   order number when the page gave none.
//! - **`product_id`** (required for NATIVE on WeChat, for JSPAY on Alipay
//!   per a probable copy error) is the order number, sent on every QR and
//!   JSAPI pre-order.
//! - **`paytype`** is required by `orderquery`, `cancel` and `refundquery`
//!   but the counter `pay` infers the wallet from the payer's code. For an
//!   order whose channel is [`Channel::Any`] the field is left out.
//! - **Pre-order "unknown" answers** (`PROCESSING`, `NEED_QUERY`) move no
//!   money, so they are a retryable `gateway_error` (reason `Busy`) rather
//!   than a wait; the counter `pay` with those (or with a transient
//!   `state=FAIL`, 30001/20006/20009) gives [`NextAction::Await`].
//! - **Amounts read back** are `base_fee` (应付, the order amount) when
//!   present, else `total_fee` (实付 since v2.5.0).
//! - **`state=FAIL` with `code=10002`** is a signature error, as in the
//!   seed's failure example (L296), not "moved to refund".
//! - **Cancel (交易撤销) is reachable from the page, guarded.** `cancel`
//!   closes a failed order and *reverses a paid one* within five minutes
//!   (L1030), so the proxy forwards it only through its cancel safety: the
//!   order's client secret, no recorded payment, and a fresh `orderquery`
//!   reading unpaid or paying; anything else is 409 `cancel_refused`. The
//!   page sends it when `cancel()` stops a waiting counter payment, or at
//!   the counter deadline. `paytype` (required, L1052) is the wallet the
//!   order's channel names, or for a counter order created with "any" the
//!   wallet `wallet_of` read (the answer's `paytype`, else the
//!   payer's code). The refund query stays back-office only.
//! - **WeChat mini-program `pay_info`** may lack `appId`
//!   (`wx.requestPayment` takes none); then it comes from the response's
//!   `appid` or the request's `sub_appid`. The other five are required.
//! - **App payloads**: WeChat `pay_info` must hold the OpenSDK `PayReq`
//!   fields (`appid partnerid prepayid package noncestr timestamp sign`);
//!   Alipay `pay_info` must be an SDK order string with `app_id` and `sign`.
//! - **Lenient where the gateway has spoken**: `pay_info` is passed on as
//!   signed — a 13-digit `timeStamp`, `nonceStr` equal to it, extra keys
//!   (`status`, `callback_url`) or numbers where strings are documented are
//!   never refused or "fixed" (digest §7.25). An answer read with the
//!   channel left at "any" takes the wallet from its `pay_info` (WeChat's
//!   has `package` / `prepayid` / `paySign`), and error answers are read
//!   before any wallet matters.
//!
//! Seed coverage (line numbers of seed 004):
//! - Implemented: signing L200-L214 and the request / answer formats
//!   L216-L300 (wire); `state`, `code`, `trade_state`, `paytype` L325-L383
//!   (`codes.rs`); 被扫支付 `pay` L640-L769 (counter); 订单查询 `orderquery`
//!   L770-L837; 退款 `refund` L838-L925 and 退款查询 `refundquery`
//!   L927-L1025 (back office); 交易撤销 `cancel` L1026-L1099 (page through
//!   the cancel safety, and back office); 微信预下单 L1187-L1307 and
//!   支付宝预下单 L1308-L1399 (JSPAY, NATIVE, APP); the two 预下单结果通知
//!   L1400-L1540 (proxy notifications, ack `success`).
//! - Deliberately left out: 刷脸支付 `getfaceauth` / `facepay` L454-L639
//!   (face-recognition devices, not a web checkout); 付款码查询买家Id
//!   `authcodetoopenid` L1101-L1186 (a POS lookup no checkout step needs);
//!   运维管理 L1541-L2088 — virtual-merchant registration, SMS, merchant
//!   number and info, mini-program `code` login (the merchant brings the
//!   openid), WeChat sub-merchant config, PayBox terminals — which are
//!   onboarding and device setup, not payments; the onboarding
//!   enumerations L384-L453; `scene` L357 (unused by any interface); the
//!   optional request fields `attach`, `time_start` / `time_expire`,
//!   `goods_detail`, `goods_tag`, `limit_pay`, store and profit-sharing
//!   fields (the page's order carries none of them).

mod codes;
mod parse;
mod rules;
#[cfg(feature = "signing")]
mod wire;

#[cfg(test)]
mod tests;

#[cfg(feature = "signing")]
pub use wire::{sign_pairs, signing_string};

use super::prelude::*;

/// The ChaoYing gateway.
pub struct ChaoYing;

/// No checkout step of its own (`crate::checkout::step`).
pub(crate) const CHECKOUT_STEP: Option<&'static dyn crate::checkout::step::CheckoutStep> = None;

/// The WeChat pre-order path.
pub const WECHAT_PRE_ORDER: &str = "/Open/WECHAT_PreOrder";
/// The Alipay pre-order path.
pub const ALIPAY_PRE_ORDER: &str = "/Open/ALIPAY_PreOrder";
/// The `method`-multiplexed gateway path.
pub const GATEWAY: &str = "/UnifiedPay/Gateway";

static MODES: [(Mode, Channel); 7] = [
    (Mode::Jsapi, Channel::Wechat),
    (Mode::Jsapi, Channel::Alipay),
    (Mode::Qr, Channel::Wechat),
    (Mode::Qr, Channel::Alipay),
    (Mode::App, Channel::Wechat),
    (Mode::App, Channel::Alipay),
    (Mode::Counter, Channel::Any),
];

/// ChaoYing's `paytype` for a channel (§4.6), `None` for [`Channel::Any`].
pub fn paytype(channel: Channel) -> Option<&'static str> {
    match channel {
        Channel::Wechat => Some("WECHAT"),
        Channel::Alipay => Some("ALIPAY"),
        Channel::Unionpay => Some("UNIONPAY"),
        Channel::Any => None,
    }
}

/// The wallet of a payer's code by its prefix (WeChat 10–15, Alipay 25–30,
/// UnionPay 62: the wallets' published ranges, which the seed does not
/// print), `None` for any other.
pub fn code_wallet(code: &str) -> Option<Channel> {
    let [a @ b'0'..=b'9', b @ b'0'..=b'9', ..] = *crate::text::trim(code).as_bytes() else {
        return None;
    };
    match (a - b'0') * 10 + (b - b'0') {
        10..=15 => Some(Channel::Wechat),
        25..=30 => Some(Channel::Alipay),
        62 => Some(Channel::Unionpay),
        _ => None,
    }
}

/// The channel a `paytype` names (§4.6); `None` for any other value.
pub fn paytype_wallet(value: &str) -> Option<Channel> {
    match value {
        "WECHAT" => Some(Channel::Wechat),
        "ALIPAY" => Some(Channel::Alipay),
        "UNIONPAY" => Some(Channel::Unionpay),
        _ => None,
    }
}

/// Checks an order number against the seed's rule: 5 to 32 letters and
/// digits, plus `_` where `underscore` (gateway endpoints; the pre-orders
/// allow letters and digits only).
fn check_order_no(no: &str, underscore: bool) -> Result<&str, PayError> {
    check_id("out_trade_no", no, 5, 32, if underscore { b"_" } else { b"" })
}

/// A required caller text (at most 2048 bytes, no control characters).
fn required<'a>(value: Option<&'a str>, what: &str) -> Result<&'a str, PayError> {
    common::required(value, what, 2048)
}

fn request(operation: Operation, path: &str, params: Obj) -> GatewayRequest {
    common::request(Gateway::ChaoYing, operation, HttpMethod::Post, path.to_owned(), params)
}

/// The goods description: the page's subject, else the order number.
fn subject(p: &CreateParams) -> &str {
    p.subject.as_deref().filter(|s| !s.is_empty()).unwrap_or(&p.out_trade_no)
}

/// A pre-order or the counter `pay`: the fields are laid out once, in the
/// order they are sent, each present or not by mode and wallet, and one
/// loop makes them parameters.
fn create(p: &CreateParams) -> Result<GatewayRequest, PayError> {
    let counter = p.mode == Mode::Counter;
    let no = check_order_no(&p.out_trade_no, counter)?;
    let wechat = p.channel == Channel::Wechat;
    let appid = p.sub_appid.as_deref().filter(|s| !s.is_empty());
    let (path, lead, auth_code, appid) = if counter {
        let code = check_id("auth_code", required(p.auth_code.as_deref(), "the payer's code (auth_code) at the counter")?, 1, 64, b"")?;
        (GATEWAY, ("method", "pay"), Some(code), appid)
    } else {
        let path = match p.channel {
            Channel::Wechat => WECHAT_PRE_ORDER,
            Channel::Alipay => ALIPAY_PRE_ORDER,
            _ => return Err(super::unsupported_mode(Gateway::ChaoYing, p.mode, p.channel)),
        };
        let (trade_type, appid) = match p.mode {
            // The proxy sets the official account's / mini-program's app id it is configured with.
            Mode::Jsapi => ("JSPAY", optional(p.sub_appid.as_deref())),
            Mode::Qr => ("NATIVE", appid),
            _ if wechat => ("APP", Some(required(p.sub_appid.as_deref(), "sub_appid (the app's AppId) for WeChat app pay")?)),
            _ => ("APP", None),
        };
        (path, ("trade_type", trade_type), None, appid.filter(|_| wechat))
    };
    let jsapi = p.mode == Mode::Jsapi;
    let buyer_id = if jsapi {
        Some(required(p.openid.as_deref(), if wechat { "the payer's openid for WeChat JSAPI" } else { "the payer's Alipay buyer id for JSAPI" })?)
    } else {
        None
    };
    let fields = [
        lead,
        ("out_trade_no", no),
        ("auth_code", auth_code.unwrap_or_default()),
        ("body", subject(p)),
        ("product_id", if counter || p.mode == Mode::App { "" } else { no }),
        ("sub_appid", appid.unwrap_or_default()),
        ("buyer_id", buyer_id.unwrap_or_default()),
        ("is_minipg", if !(jsapi && wechat) { "" } else if p.mini_program { "1" } else { "0" }),
    ];
    let mut params = Obj::new();
    for (key, value) in fields {
        if !value.is_empty() {
            add(&mut params, key, value);
        }
    }
    Ok(request(Operation::Create, path, params))
}

/// `method`, `paytype` (when known) and `out_trade_no` for an order.
fn order_params(method: &str, order: &OrderRef) -> Result<Obj, PayError> {
    let no = check_order_no(&order.out_trade_no, true)?;
    let mut params = texts(&[("method", method)]);
    if let Some(t) = paytype(order.channel) {
        add(&mut params, "paytype", t);
    }
    add(&mut params, "out_trade_no", no);
    Ok(params)
}

impl GatewayProtocol for ChaoYing {
    fn gateway(&self) -> Gateway {
        Gateway::ChaoYing
    }

    /// Answers carrying an order's state are signed (`sign`).
    fn signs_responses(&self) -> bool {
        true
    }

    fn modes(&self) -> &'static [(Mode, Channel)] {
        &MODES
    }

    fn create_request(&self, p: &CreateParams) -> Result<GatewayRequest, PayError> {
        if !self.supports(p.mode, p.channel) {
            return Err(super::unsupported_mode(Gateway::ChaoYing, p.mode, p.channel));
        }
        create(p)
    }

    /// No ChaoYing answer carries a URL the page must open, so the redirect
    /// policy is not consulted (Alipay's `pay_url` is "reference only").
    fn parse_create(&self, p: &CreateParams, body: &Value, _policy: &UrlPolicy) -> Result<Created, PayError> {
        let action = match p.mode {
            Mode::Counter => parse::counter(body)?,
            _ => parse::pre_order(p, body)?,
        };
        let gateway_order_id = match &action {
            NextAction::Done { status } => status.transaction_id.clone(),
            _ => None,
        };
        Ok(Created { action, gateway_order_id })
    }

    /// A counter payment's wallet: the answer's `paytype` (pay answers carry
    /// it since v2.7.0, L57 and L738), else the payer's code ([`code_wallet`]), so
    /// `orderquery` and `cancel` can send the `paytype` they require.
    fn wallet_of(&self, p: &CreateParams, body: &Value) -> Option<Channel> {
        if p.mode != Mode::Counter {
            return None;
        }
        body.text("paytype").and_then(paytype_wallet).or_else(|| p.auth_code.as_deref().and_then(code_wallet))
    }

    fn query_request(&self, order: &OrderRef) -> Result<GatewayRequest, PayError> {
        Ok(request(Operation::Query, GATEWAY, order_params("orderquery", order)?))
    }

    fn parse_query(&self, body: &Value) -> Result<OrderStatus, PayError> {
        parse::query(body)
    }

    fn cancel_request(&self, order: &OrderRef) -> Result<GatewayRequest, PayError> {
        Ok(request(Operation::Cancel, GATEWAY, order_params("cancel", order)?))
    }

    fn parse_cancel(&self, body: &Value) -> Result<OrderStatus, PayError> {
        parse::cancel(body)
    }
}
