//! BlueOcean Pay (seed 001, "BlueOcean Pay Api Document", 2021-07-09).
//!
//! Every call is a POST of a flat JSON object signed with MD5 (see `wire`),
//! answered with `{"code", "message", "data"}`. One path, `/payment/pay`,
//! creates every kind of payment; its `payment` value picks the kind.
//!
//! | mode, channel | `payment` | next action |
//! |---|---|---|
//! | qr, wechat / alipay / unionpay | `wechat.qrcode` / `alipay.qrcode` / `unionpay.qrcode` | `Qr` from `data.qrcode` |
//! | qr, any | `blueocean.qrcode` (mixed code) | `Qr` from `data.qrcode` |
//! | cashier, any | `blueocean.qrcode` | `Redirect` to `data.qrcode` |
//! | h5, wechat | `wechat.mweb` | `Redirect` to `data.mweb_url` |
//! | jsapi, wechat | `wechat.jsapi` | `WechatJsapi` from `data.jsapi` |
//! | jsapi, wechat, `wallet: "HK"` | `wechat.jsapi` + `wallet: HK` | `WechatJsapi` (the HK wallet's `payConfig`, [`hk_wallet`]) |
//! | wap, alipay | `alipay.wappay` | `Redirect` to `data.qrcode` |
//! | wap, unionpay | `unionpay.link` | `Redirect` to `data.qrcode` |
//! | app, wechat / alipay | `wechat.app` / `alipay.app` | `App` |
//! | counter, any / wechat / alipay | `micropay` (+ `provider`) | `Await` / `Done` |
//!
//! A channel without its own row uses the mode's `any` row (cashier and
//! counter take every wallet); `any` on a mode without such a row takes the
//! mode's first row (wap → Alipay, app → WeChat).
//!
//! Choices where the seed is silent or unclear (the proxy may need to make
//! some of them configurable):
//! - **UPOP is `wap`**: `unionpay.link` returns a bank page to navigate to,
//!   like Alipay WAP; `h5` stays WeChat MWEB only.
//! - **Cashier**: the seed says the mixed code's URL may be opened directly
//!   (L248). It is printed as `http://api.hk.blueoceanpay.com/…`; on the four
//!   documented API hosts, whose API base is https (L113–L127), the scheme
//!   is upgraded to https before the allowlist sees it. In `qr` mode the text
//!   is rendered as given.
//! - **MWEB `redirect_url`**: not appended. BlueOcean documents
//!   `h5_redirect_url` only for HK-wallet JSAPI and Alipay WAP, its MWEB
//!   example returns `mweb_url` without one, and WeChat's default is to
//!   return the payer to the page that opened `mweb_url` — our checkout page,
//!   which then asks and queries. A `redirect_url` on a domain not registered
//!   with WeChat would break the payment.
//! - **`h5_redirect_url`** is sent from `return_url` whenever the page gives
//!   one (the examples send it for MWEB, WAP and Alipay APP).
//! - **Alipay APP**: the payload is the `app_format` order string (what the
//!   Alipay SDK's `payOrder` takes, signed as is); `app` (JSON string or
//!   object) is the fallback. The seed prints `app` as invalid JSON (L604).
//! - **Amounts** reported are `total_fee` (the order amount the proxy set),
//!   not `pay_amount` (after a merchant discount).
//! - **No QR expiry** is documented, so `expiresAt` is left out.
//! - **Unknown outcomes** (201, 4005, 4006, 40400, 492004, 492005): on a
//!   counter create they give `Await` (the payer's code may already be
//!   charged); on a query or cancel they give `PayState::Unknown`. On any
//!   other create they are errors — the payer has seen nothing yet, so
//!   nothing can have been paid; query by `out_trade_no` before creating
//!   again (40106 is a duplicate order number).
//! - **Queries** send `out_trade_no` always and `sn` too when known (the
//!   seed: "sn takes priority").
//! - **`/order/reverse`** (counter cancel) is browser-reachable because the
//!   counter page must be able to give up on a payment; reversing a *paid*
//!   micropay refunds it upstream, so the proxy should forward it only for
//!   an order its last query saw unpaid. `/payment/refund` is back office
//!   only (`browser: false`).
//! - **Close / reverse answers** are undocumented: read like a query; a
//!   success without `trade_state` means the cancel was accepted
//!   (`Cancelled`); 40101 "already paid" gives `Succeeded`.
//! - **Refund queries** accept the documented envelope and the bare refund
//!   object the seed prints (L1043); the refund number is sent as
//!   `customer_refund_no`, the name the request table uses.
//! - **Create answers are read for what they carry** (issue 14 item 5): the
//!   options' mode decides QR versus redirect, but the payload kind comes
//!   from the answer (`jsapi`, `mweb_url`, `app` / `app_format` with
//!   `provider`, `qrcode`), so a caller that leaves the channel at "any" —
//!   or names none, as `parseCreateResponse` does — still reads it; the
//!   signed `jsapi` / `app` payloads pass on verbatim (no format checks on
//!   `timeStamp`, `package`, `signType`, `paySign`). Only what cannot be
//!   shown is refused: a missing payload, a redirect off the allowlist, a
//!   QR text with control characters.
//! - **`wallet`** (L239, "仅支付宝online有效" though the jsapi and UPOP examples
//!   send it): sent as `HK` / `CN` when the page names one; `HK` with WeChat
//!   JSAPI selects the HK wallet ([`hk_wallet`]).
//! - **Language**: the proxy sends the seed's `User-Agent` for the checkout's
//!   locale (L63–L80; `wire::user_agent`).
//!
//! What of seed 001 is implemented, by section:
//! - §1.1–§1.7 (L3–L207): transport, MD5 signing with the PHP reference's
//!   rules (L20–L107, vector V1 reproduced), User-Agent per locale (L63–L80),
//!   the four regional hosts (L110–L127, the proxy's `base_url`), every
//!   response code (L129–L171, `codes`), the envelope (L173–L207).
//! - §2.1 pay (L212–L307) with every `payment` (L243–L258), `trade_state`
//!   (L262–L272; `trade_type`, L274–L284, is not needed to read an answer
//!   and stays in the body the page gets), every example
//!   (L310–L806, fixtures/blueocean), `data.jsapi` (L809) and the HK-wallet
//!   official-account payment (L814–L864: request, `payConfig`, `wx.config`
//!   signed by the proxy, `getH5PrepayRequest` in the page).
//! - the notification (L866–L898), refund (L900–L988), refund query
//!   (L991–L1067), query / close / reverse (L1070–L1143).
//!
//! Deliberately left out (server-side or POS tools, no part of a checkout):
//! order and refund lists (§2.4–§2.5, L1146–L1331), login — which returns
//! the secret `app_key` and must never be browser-reachable — and user
//! admin (§2.6–§2.10, L1333–L1610), POS data upload (§2.11, L1612–L1657),
//! customs declaration and its query (§2.12–§2.13, L1659–L1926), raw data
//! (§2.14, L1928–L1987) and both FX-rate interfaces (§2.15–§2.16,
//! L1989–L2087). The field set of the response `sign` ("用于本地校验",
//! L307) is unspecified; `wire` documents the reading the proxy checks.

mod checkout_step;
mod codes;
pub mod hk_wallet;
mod parse;
mod rules;
#[cfg(feature = "signing")]
mod wire;

#[cfg(test)]
mod tests;

pub use codes::BlueOceanCode;

use super::prelude::*;

/// The BlueOcean Pay gateway.
pub struct BlueOcean;

/// Its checkout step: `wx.config` for WeChat's HK wallet (`checkout_step.rs`).
pub(crate) const CHECKOUT_STEP: Option<&'static dyn crate::checkout::step::CheckoutStep> = Some(&BlueOcean);

/// A `payment` value of `/payment/pay` (seed L243–L258).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payment {
    /// `micropay`: the payer shows a code at the counter.
    Micropay,
    /// `alipay.qrcode`: an Alipay QR code.
    AlipayQrcode,
    /// `alipay.wappay`: Alipay's mobile web page.
    AlipayWappay,
    /// `alipay.app`: Alipay app pay.
    AlipayApp,
    /// `blueocean.qrcode`: BlueOcean's own QR / cashier page.
    BlueoceanQrcode,
    /// `wechat.qrcode`: a WeChat Native QR code.
    WechatQrcode,
    /// `wechat.jsapi`: WeChat JSAPI inside WeChat.
    WechatJsapi,
    /// `wechat.mweb`: WeChat H5 (MWEB) from a mobile browser.
    WechatMweb,
    /// `wechat.app`: WeChat app pay.
    WechatApp,
    /// `unionpay.qrcode`: a UnionPay QR code.
    UnionpayQrcode,
    /// `unionpay.link`: a UnionPay payment link.
    UnionpayLink,
}

impl Payment {
    /// Every kind, in the seed's order.
    pub const ALL: [Payment; 11] = [
        Payment::Micropay,
        Payment::AlipayQrcode,
        Payment::AlipayWappay,
        Payment::AlipayApp,
        Payment::BlueoceanQrcode,
        Payment::WechatQrcode,
        Payment::WechatJsapi,
        Payment::WechatMweb,
        Payment::WechatApp,
        Payment::UnionpayQrcode,
        Payment::UnionpayLink,
    ];

    /// Reads a `payment` value.
    pub fn parse(name: &str) -> Option<Payment> {
        Payment::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The `payment` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Payment::Micropay => "micropay",
            Payment::AlipayQrcode => "alipay.qrcode",
            Payment::AlipayWappay => "alipay.wappay",
            Payment::AlipayApp => "alipay.app",
            Payment::BlueoceanQrcode => "blueocean.qrcode",
            Payment::WechatQrcode => "wechat.qrcode",
            Payment::WechatJsapi => "wechat.jsapi",
            Payment::WechatMweb => "wechat.mweb",
            Payment::WechatApp => "wechat.app",
            Payment::UnionpayQrcode => "unionpay.qrcode",
            Payment::UnionpayLink => "unionpay.link",
        }
    }
}

/// Which `payment` each (mode, channel) creates, each mode's preferred
/// payment first; the one source of [`MODES`].
const PAYMENTS: &[(Mode, Channel, Payment)] = &[
    (Mode::Qr, Channel::Wechat, Payment::WechatQrcode),
    (Mode::Qr, Channel::Alipay, Payment::AlipayQrcode),
    (Mode::Qr, Channel::Unionpay, Payment::UnionpayQrcode),
    (Mode::Qr, Channel::Any, Payment::BlueoceanQrcode),
    (Mode::Cashier, Channel::Any, Payment::BlueoceanQrcode),
    (Mode::H5, Channel::Wechat, Payment::WechatMweb),
    (Mode::Jsapi, Channel::Wechat, Payment::WechatJsapi),
    (Mode::Wap, Channel::Alipay, Payment::AlipayWappay),
    (Mode::Wap, Channel::Unionpay, Payment::UnionpayLink),
    (Mode::App, Channel::Wechat, Payment::WechatApp),
    (Mode::App, Channel::Alipay, Payment::AlipayApp),
    (Mode::Counter, Channel::Any, Payment::Micropay),
    (Mode::Counter, Channel::Wechat, Payment::Micropay),
    (Mode::Counter, Channel::Alipay, Payment::Micropay),
];

static MODES: [(Mode, Channel); PAYMENTS.len()] = {
    let mut out = [(Mode::Qr, Channel::Any); PAYMENTS.len()];
    let mut i = 0;
    while i < PAYMENTS.len() {
        out[i] = (PAYMENTS[i].0, PAYMENTS[i].1);
        i += 1;
    }
    out
};

/// The payment for `mode` on `channel`, read the way
/// [`GatewayProtocol::supports`] reads [`MODES`]: an exact entry, else the
/// mode's `Channel::Any` entry (the mixed code and micropay take every
/// wallet), else — when the page leaves the channel to us — the mode's
/// first entry ([`PAYMENTS`] lists each mode's payments in preference order).
fn payment_for(mode: Mode, channel: Channel) -> Result<Payment, PayError> {
    let entry = |c: Channel| PAYMENTS.iter().find(|(m, pc, _)| *m == mode && *pc == c);
    let first = || PAYMENTS.iter().find(|(m, _, _)| *m == mode).filter(|_| channel == Channel::Any);
    entry(channel).or_else(|| entry(Channel::Any)).or_else(first).map(|(_, _, p)| *p).ok_or_else(|| unsupported_mode(Gateway::BlueOcean, mode, channel))
}

const PAY: &str = "/payment/pay";
const QUERY: &str = "/order/query";
const CLOSE: &str = "/order/close";
const REVERSE: &str = "/order/reverse";
const REFUND_QUERY: &str = "/order/refundquery";
const REFUND: &str = "/payment/refund";

/// A merchant order number we send: 1–32 ASCII letters, digits, `-`, `_`.
fn check_order_no(s: &str) -> Result<&str, PayError> {
    check_id("out_trade_no", s, 1, 32, b"-_")
}

/// A required, non-empty, printable argument of at most 128 bytes.
fn required<'a>(value: Option<&'a str>, what: &str) -> Result<&'a str, PayError> {
    common::required(value, what, 128)
}

/// A payer's code scanned at the counter: 10–32 digits (the seed's examples
/// are 18-digit WeChat and Alipay codes).
fn check_auth_code(code: &str) -> Result<(), PayError> {
    if (10..=32).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PayError::invalid_argument("auth_code must be 10-32 digits"))
    }
}

/// A `wallet` region (seed L239: e.g. `HK`, `CN`), upper-cased.
fn check_wallet(wallet: &str) -> Result<String, PayError> {
    let upper = wallet.to_ascii_uppercase();
    if matches!(upper.as_str(), hk_wallet::HK | "CN") {
        Ok(upper)
    } else {
        Err(PayError::invalid_argument("wallet must be \"HK\" or \"CN\""))
    }
}

/// A return URL: absolute http(s), no spaces or control characters.
fn check_return_url(url: &str) -> Result<(), PayError> {
    let starts = |scheme: &str| url.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme));
    let scheme_ok = starts("https://") || starts("http://");
    if scheme_ok && url.len() <= 1024 && !url.bytes().any(|b| b <= b' ' || b == 0x7f) {
        Ok(())
    } else {
        Err(PayError::invalid_argument("return_url must be an absolute http(s) URL without spaces"))
    }
}

impl BlueOcean {
    fn request(operation: Operation, path: &str, params: Obj) -> GatewayRequest {
        common::request(Gateway::BlueOcean, operation, HttpMethod::Post, path.to_owned(), params)
    }

    /// `/order/query`, `/order/close` and `/order/reverse` share their parameters.
    fn order_params(order: &OrderRef) -> Result<Obj, PayError> {
        let mut params = texts(&[("out_trade_no", check_order_no(&order.out_trade_no)?)]);
        if let Some(sn) = order.gateway_order_id.as_deref().filter(|s| !s.is_empty()) {
            add(&mut params, "sn", required(Some(sn), "sn")?);
        }
        Ok(params)
    }
}

impl GatewayProtocol for BlueOcean {
    fn gateway(&self) -> Gateway {
        Gateway::BlueOcean
    }

    /// Answers carrying an order's state are signed (`data.sign`).
    fn signs_responses(&self) -> bool {
        true
    }

    fn modes(&self) -> &'static [(Mode, Channel)] {
        &MODES
    }

    fn create_request(&self, p: &CreateParams) -> Result<GatewayRequest, PayError> {
        let payment = payment_for(p.mode, p.channel)?;
        let mut params = texts(&[("payment", payment.as_str()), ("out_trade_no", check_order_no(&p.out_trade_no)?)]);
        if let Some(subject) = optional(p.subject.as_deref()) {
            add(&mut params, "body", subject);
        }
        match payment {
            Payment::Micropay => {
                let code = required(p.auth_code.as_deref(), "auth_code")?;
                check_auth_code(code)?;
                add(&mut params, "code", code);
                if matches!(p.channel, Channel::Wechat | Channel::Alipay) {
                    add(&mut params, "provider", p.channel.as_str());
                }
            }
            Payment::WechatJsapi => {
                // The proxy sets the official account's / mini-program's app id it is configured with.
                if let Some(appid) = optional(p.sub_appid.as_deref()) {
                    add(&mut params, "sub_appid", appid);
                }
                add(&mut params, "sub_openid", required(p.openid.as_deref(), "openid")?);
            }
            Payment::WechatApp => add(&mut params, "sub_appid", required(p.sub_appid.as_deref(), "sub_appid")?),
            _ => {}
        }
        if let Some(url) = p.return_url.as_deref() {
            check_return_url(url)?;
            add(&mut params, "h5_redirect_url", url);
        }
        if let Some(wallet) = optional(p.wallet.as_deref()) {
            add(&mut params, "wallet", &check_wallet(wallet)?);
        }
        Ok(Self::request(Operation::Create, PAY, params))
    }

    fn parse_create(&self, p: &CreateParams, body: &Value, policy: &UrlPolicy) -> Result<Created, PayError> {
        parse::parse_create(payment_for(p.mode, p.channel).ok(), p.mode, body, policy)
    }

    fn query_request(&self, order: &OrderRef) -> Result<GatewayRequest, PayError> {
        Ok(Self::request(Operation::Query, QUERY, Self::order_params(order)?))
    }

    fn parse_query(&self, body: &Value) -> Result<OrderStatus, PayError> {
        parse::parse_query(body)
    }

    fn cancel_request(&self, order: &OrderRef) -> Result<GatewayRequest, PayError> {
        let path = if order.mode == Mode::Counter { REVERSE } else { CLOSE };
        Ok(Self::request(Operation::Cancel, path, Self::order_params(order)?))
    }

    fn parse_cancel(&self, body: &Value) -> Result<OrderStatus, PayError> {
        parse::parse_cancel(body)
    }
}
