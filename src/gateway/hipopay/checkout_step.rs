//! HipoPay's checkout step (`crate::checkout::step`): the payer's openid
//! for WeChat JSAPI and mini-program orders (seed 002 §4.1 and §4.4), so that
//! a merchant passes nothing but the order. Other gateways take the openid
//! the merchant gives, as before.
//!
//! Right before the create call, an order without an openid gets one:
//! 1. **From the page URL** (§4.1 step 1, L84): HipoPay runs the agent's
//!    bound pay page in its container "with every parameter of the
//!    authorization URL brought back, plus one: `openid`". The page reads it.
//! 2. **From a mini-program code** (§4.4 steps 1–2, L222-L239): inside a
//!    mini-program web-view the page cannot call `wx.login()`; the
//!    mini-program passes the code (valid 5 minutes) in the web-view URL as
//!    `code`, and the page exchanges it through the proxy (`POST
//!    /order/openid`, naming the order: the proxy checks its client secret).
//! 3. **By the container redirect** (§4.1 step 1) in WeChat: the page
//!    navigates to the container's authorization URL — which HipoPay gives
//!    the agent when binding the pay page; the proxy publishes it in its
//!    capabilities (`openidAuthorize.hipopay`) — with its own query
//!    parameters and [`ORDER_PARAM`] added. The order waits in sessionStorage
//!    ([`Awaiting`], under the pending-order key); HipoPay brings the payer
//!    back to the bound page with all those parameters plus `openid`, and
//!    `Checkout.resume()` picks the order up ([`returned`]) and creates it.
//!    (The container's authorization URL comes from the proxy's `openidAuthorize`.)
//!
//! A `code` outside a mini-program is not exchanged (an official account's
//! own OAuth `code` belongs to another app id); a mini-program page without
//! a code, and a WeChat page whose proxy names no container, fail at once
//! with `invalid_argument`, before any order exists.

use super::HipoPay;
use crate::checkout::bridge::{percent_encode, BridgeKind};
use crate::checkout::pending::printable;
use crate::checkout::step::{Before, CheckoutStep, Context};
use crate::checkout::{Order, Settings};
use crate::error::PayError;
use crate::json::{self, Obj, Value};
use crate::model::{Channel, Gateway, Mode};

/// The parameter naming the waiting order on the authorization URL (and so
/// on the way back).
pub(crate) const ORDER_PARAM: &str = "paybridge_order";
/// The page URL parameter HipoPay's container appends.
pub(crate) const OPENID_PARAM: &str = "openid";
/// The page URL parameter a mini-program passes its `wx.login()` code in.
pub(crate) const CODE_PARAM: &str = "code";

/// [`super::OPENID_PATH`] below the proxy root (`GatewayRequest::proxy_path`).
const OPENID_PROXY_PATH: &str = "/hipopay/order/openid";

/// Abort the code exchange after this long.
const EXCHANGE_TIMEOUT_MS: u32 = 20_000;

impl CheckoutStep for HipoPay {
    /// The openid step before creating `order`: the order's own openid, else
    /// the page URL's ([`Settings::page_query`], set on the order), else the
    /// exchange of a mini-program's code, else the container.
    fn before_create(&self, cx: &Context<'_>, order: &mut Order) -> Result<Before, PayError> {
        let given = order.openid.as_deref().is_some_and(|o| !crate::text::trim(o).is_empty());
        if given || cx.mode != Mode::Jsapi || cx.channel != Channel::Wechat {
            return Ok(Before::Create { forget: false });
        }
        let settings = cx.settings;
        let page = query_pairs(&settings.page_query);
        let param = |name: &str| page.iter().find(|(k, _)| k == name).map(|(_, v)| crate::text::trim(v)).filter(|v| !v.is_empty());
        if let Some(openid) = param(OPENID_PARAM) {
            order.openid = Some(openid.to_owned());
            return Ok(Before::Create { forget: param(ORDER_PARAM) == Some(order.out_trade_no.as_str()) });
        }
        if cx.bridge == Some(BridgeKind::MiniProgram) {
            return match param(CODE_PARAM) {
                Some(code) => {
                    // [`super::openid_request`]'s call, its body written as JSON at once.
                    let (no, code) = super::openid_fields(code, &order.out_trade_no)?;
                    let mut body = Obj::new();
                    body.text("agent_order_id", no).text("code", code);
                    Ok(Before::Fetch { path: OPENID_PROXY_PATH.to_owned(), body: body.end(), timeout_ms: EXCHANGE_TIMEOUT_MS })
                }
                None => Err(PayError::invalid_argument("HipoPay mini-program payments need the payer's openid, or the wx.login() code in the page URL (`code`)")),
            };
        }
        let base = authorize_url(cx.caps).ok_or_else(|| {
            PayError::invalid_argument("HipoPay JSAPI payments need the payer's openid: the page URL has none and the proxy names no openid container (openidAuthorize)")
        })?;
        // The page's own parameters but ours, then the waiting order's number,
        // each pair written straight into the URL.
        let mut url = base;
        let mut separator = if crate::text::contains(&url, "?") { '&' } else { '?' };
        let mut pair = |k: &str, v: &str| {
            url.push(separator);
            separator = '&';
            percent_encode(k, &mut url);
            url.push('=');
            percent_encode(v, &mut url);
        };
        for (k, v) in &page {
            if ![OPENID_PARAM, CODE_PARAM, ORDER_PARAM].contains(&k.as_str()) {
                pair(k, v);
            }
        }
        pair(ORDER_PARAM, &order.out_trade_no);
        settings.policy.check(&url)?;
        let until_ms = cx.started_ms.saturating_add(i64::from(settings.order_ttl_ms));
        let entry = Awaiting::encode(settings.gateway, order, cx.channel, until_ms);
        Ok(Before::Leave { url, entry, kind: "openidAuthorize" })
    }

    /// The 4.4 step 2 answer: the payer's openid.
    fn answer(&self, answer: &Value, order: &mut Order) -> Result<Option<Value>, PayError> {
        order.openid = Some(super::parse_openid(answer)?);
        Ok(None)
    }

    fn returned(&self, settings: &Settings, stored: &Value, now_ms: i64) -> Option<Order> {
        returned(stored, settings.gateway, &settings.page_query, now_ms)
    }
}

/// The container's authorization URL: `openidAuthorize.hipopay` of the proxy's capabilities.
fn authorize_url(caps: Option<&str>) -> Option<String> {
    let caps = json::parse(caps?).ok()?;
    caps.get("openidAuthorize")?.text(Gateway::HipoPay.as_str()).map(str::to_owned)
}

/// An order waiting for the container's return: what `pay()` was given
/// (never an amount), kept in sessionStorage until the page comes back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Awaiting {
    /// The gateway.
    pub gateway: Gateway,
    /// The order as `pay()` had it.
    pub order: Order,
    /// The wallet.
    pub channel: Channel,
    /// Forget it after this (Unix ms).
    pub until_ms: i64,
}

impl Awaiting {
    /// The stored JSON text of `order` waiting (written from its parts: no
    /// copy of the order is made to store it). It has no `deadline`, so it never reads as a
    /// [`super::pending::Pending`] payment to poll.
    pub(crate) fn encode(gateway: Gateway, order: &Order, channel: Channel, until_ms: i64) -> String {
        let mut m = Obj::new();
        m.text("awaiting", OPENID_PARAM).text("gateway", gateway.as_str()).text("outTradeNo", &order.out_trade_no);
        m.text("channel", channel.as_str()).num("until", until_ms);
        for (k, v) in [("subject", &order.subject), ("clientSecret", &order.client_secret)] {
            if let Some(v) = v {
                m.text(k, v);
            }
        }
        m.end()
    }

    /// Reads stored text ([`Awaiting::read`] of its JSON).
    #[cfg(test)]
    pub(crate) fn decode(text: &str) -> Option<Awaiting> {
        Awaiting::read(&json::parse(text).ok()?)
    }

    /// Reads the stored text's JSON; anything else (a pending payment, a tampered entry) is `None`.
    pub(crate) fn read(v: &Value) -> Option<Awaiting> {
        if v.text("awaiting") != Some(OPENID_PARAM) {
            return None;
        }
        // The order number as requests check it (1–64 letters, digits, `-`, `_`).
        let no = super::check_order_no(v.text("outTradeNo")?).ok()?;
        let channel = Channel::parse(v.text("channel")?)?;
        let (gateway, until_ms) = (Gateway::parse(v.text("gateway")?)?, v.int("until")?);
        // Built once, every member checked first.
        let order = Order {
            out_trade_no: no.to_owned(),
            mode: Some(Mode::Jsapi),
            channel: Some(channel),
            openid: None,
            auth_code: None,
            subject: v.text("subject").map(str::to_owned),
            // A malformed secret is left out (the order still waits).
            client_secret: printable(v, "clientSecret", 256).flatten(),
            wallet: None,
            page_url: None,
        };
        Some(Awaiting { gateway, order, channel, until_ms })
    }
}

/// The order to create after the container brought the payer back: the
/// stored entry, for `gateway`, still in time, named by the page URL's
/// [`ORDER_PARAM`] and with an `openid` there; else `None`.
pub(crate) fn returned(stored: &Value, gateway: Gateway, page_query: &str, now_ms: i64) -> Option<Order> {
    let waiting = Awaiting::read(stored).filter(|a| a.gateway == gateway && a.until_ms > now_ms)?;
    let page = query_pairs(page_query);
    let param = |name: &str| page.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    (param(ORDER_PARAM) == Some(waiting.order.out_trade_no.as_str()) && param(OPENID_PARAM).is_some()).then_some(waiting.order)
}

/// The `name=value` pairs of a `location.search` (percent- and `+`-decoded;
/// a pair that does not decode to UTF-8 is skipped).
pub(crate) fn query_pairs(search: &str) -> Vec<(String, String)> {
    let decode = |s: &str| crate::gateway::common::percent_decode(s, true);
    let mut pairs = Vec::new();
    // A plain loop: the `filter` / `filter_map` chain was an inlined state machine.
    for p in crate::text::split(crate::text::trim_byte(search, b'?', true, false), b"&").filter(|p| !p.is_empty()) {
        let (k, v) = crate::text::split_once(p, "=").unwrap_or((p, ""));
        if let (Some(k), Some(v)) = (decode(k), decode(v)) {
            pairs.push((k, v));
        }
    }
    pairs
}

#[cfg(test)]
mod tests;
