//! The payer's openid for HipoPay's WeChat JSAPI and mini-program orders
//! (seed 002 §4.1 and §4.4), so that a merchant passes nothing but the order.
//! Other gateways take the openid the merchant gives, as before.
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
//!
//! A `code` outside a mini-program is not exchanged (an official account's
//! own OAuth `code` belongs to another app id); a mini-program page without
//! a code, and a WeChat page whose proxy names no container, fail at once
//! with `invalid_argument`, before any order exists.

use super::bridge::percent_encode;
use super::{Order, Settings};
use crate::error::PayError;
use crate::gateway::GatewayRequest;
use crate::json::{self, Value};
use crate::model::{Channel, Gateway, Mode};

/// The parameter naming the waiting order on the authorization URL (and so
/// on the way back).
pub(crate) const ORDER_PARAM: &str = "paybridge_order";
/// The page URL parameter HipoPay's container appends.
pub(crate) const OPENID_PARAM: &str = "openid";
/// The page URL parameter a mini-program passes its `wx.login()` code in.
pub(crate) const CODE_PARAM: &str = "code";

/// What the flow does before creating the order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Step {
    /// The order has its openid; `forget_awaiting` when it was waiting in
    /// sessionStorage for the container's return (drop the entry, so a reload
    /// does not create it twice).
    Ready {
        /// Drop the [`Awaiting`] entry.
        forget_awaiting: bool,
    },
    /// Exchange the code first (4.4 step 2); read the answer with [`read_answer`].
    /// (Only HipoPay asks for an openid, so builds without it never make one.)
    #[cfg_attr(not(feature = "hipopay"), allow(dead_code))]
    Exchange(GatewayRequest),
    /// Keep `awaiting` in sessionStorage, then navigate to `url` (allowlisted).
    Authorize {
        /// The authorization URL with the page's parameters.
        url: String,
        /// The [`Awaiting`] text to store.
        awaiting: String,
    },
}

/// The openid step of one payment: the container's authorization URL from the
/// proxy's capabilities, and when the payment started.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Openid {
    authorize_url: Option<String>,
    started_ms: i64,
}

impl Openid {
    /// Reads `openidAuthorize.hipopay` of a capabilities body.
    pub(crate) fn new(caps: Option<&str>, now_ms: i64) -> Openid {
        let url = caps.and_then(|c| json::parse(c).ok()).and_then(|v| v.get("openidAuthorize").and_then(|o| o.text(Gateway::HipoPay.as_str())).map(str::to_owned));
        Openid { authorize_url: url, started_ms: now_ms }
    }

    /// The step before creating `order` in `mode` / `channel` (`mini_program`:
    /// the page runs in a mini-program web-view). Sets `order.openid` when the
    /// page URL ([`Settings::page_query`]) carries it.
    pub(crate) fn step(&self, settings: &Settings, mode: Mode, channel: Channel, mini_program: bool, order: &mut Order) -> Result<Step, PayError> {
        let given = order.openid.as_deref().is_some_and(|o| !o.trim().is_empty());
        // Without the `hipopay` feature no flow reaches here with HipoPay (`plan` refuses it), and the rest drops out.
        if given || !cfg!(feature = "hipopay") || settings.gateway != Gateway::HipoPay || mode != Mode::Jsapi || channel != Channel::Wechat {
            return Ok(Step::Ready { forget_awaiting: false });
        }
        let page = query_pairs(&settings.page_query);
        let param = |name: &str| page.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
        if let Some(openid) = param(OPENID_PARAM) {
            order.openid = Some(openid.to_owned());
            return Ok(Step::Ready { forget_awaiting: param(ORDER_PARAM) == Some(order.out_trade_no.as_str()) });
        }
        if mini_program {
            return match param(CODE_PARAM) {
                Some(code) => exchange(code, &order.out_trade_no),
                None => Err(PayError::invalid_argument("HipoPay mini-program payments need the payer's openid, or the wx.login() code in the page URL (`code`)")),
            };
        }
        let base = self.authorize_url.as_deref().ok_or_else(|| {
            PayError::invalid_argument("HipoPay JSAPI payments need the payer's openid: the page URL has none and the proxy names no openid container (openidAuthorize)")
        })?;
        let mut pairs: Vec<(String, String)> = page.into_iter().filter(|(k, _)| ![OPENID_PARAM, CODE_PARAM, ORDER_PARAM].contains(&k.as_str())).collect();
        pairs.push((ORDER_PARAM.to_owned(), order.out_trade_no.clone()));
        let joiner = if base.contains('?') { "&" } else { "?" };
        let mut url = format!("{base}{joiner}");
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                url.push('&');
            }
            percent_encode(k, &mut url);
            url.push('=');
            percent_encode(v, &mut url);
        }
        settings.policy.check(&url)?;
        let waiting = Awaiting { gateway: settings.gateway, order: order.clone(), channel, until_ms: self.started_ms.saturating_add(i64::from(settings.order_ttl_ms)) };
        Ok(Step::Authorize { url, awaiting: waiting.encode() })
    }
}

#[cfg(feature = "hipopay")]
fn exchange(code: &str, out_trade_no: &str) -> Result<Step, PayError> {
    crate::gateway::hipopay::openid_request(code, out_trade_no).map(Step::Exchange)
}

#[cfg(not(feature = "hipopay"))]
fn exchange(_code: &str, _out_trade_no: &str) -> Result<Step, PayError> {
    Err(crate::gateway::protocol(Gateway::HipoPay).err().unwrap_or_else(|| PayError::invalid_argument("HipoPay")))
}

/// The payer's openid from the 4.4 step 2 answer.
pub(crate) fn read_answer(body: &Value) -> Result<String, PayError> {
    #[cfg(feature = "hipopay")]
    return crate::gateway::hipopay::parse_openid(body);
    #[cfg(not(feature = "hipopay"))]
    {
        let _ = body;
        Err(PayError::invalid_argument("HipoPay is not in this build"))
    }
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
    /// The stored JSON text. It has no `deadline`, so it never reads as a
    /// [`super::pending::Pending`] payment to poll.
    pub(crate) fn encode(&self) -> String {
        let mut m = vec![
            ("awaiting", Value::str(OPENID_PARAM)),
            ("gateway", Value::str(self.gateway.as_str())),
            ("outTradeNo", Value::str(&self.order.out_trade_no)),
            ("channel", Value::str(self.channel.as_str())),
            ("until", Value::int_value(self.until_ms)),
        ];
        for (k, v) in [("subject", &self.order.subject), ("clientSecret", &self.order.client_secret)] {
            if let Some(v) = v {
                m.push((k, Value::str(v)));
            }
        }
        Value::object(m).to_json()
    }

    /// Reads stored text; anything else (a pending payment, a tampered entry) is `None`.
    pub(crate) fn decode(text: &str) -> Option<Awaiting> {
        let v = json::parse(text).ok()?;
        if v.text("awaiting") != Some(OPENID_PARAM) {
            return None;
        }
        let no = v.text("outTradeNo").filter(|s| (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))?;
        let mut order = Order::new(no, Some(Mode::Jsapi));
        let channel = Channel::parse(v.text("channel")?)?;
        order.channel = Some(channel);
        order.subject = v.text("subject").map(str::to_owned);
        order.client_secret = v.text("clientSecret").filter(|s| s.len() <= 256 && s.bytes().all(|b| b.is_ascii_graphic())).map(str::to_owned);
        Some(Awaiting { gateway: Gateway::parse(v.text("gateway")?)?, order, channel, until_ms: v.int("until")? })
    }
}

/// The order to create after the container brought the payer back: the
/// stored entry, for `gateway`, still in time, named by the page URL's
/// [`ORDER_PARAM`] and with an `openid` there; else `None`.
pub(crate) fn returned(stored: &str, gateway: Gateway, page_query: &str, now_ms: i64) -> Option<Order> {
    let waiting = Awaiting::decode(stored).filter(|a| a.gateway == gateway && a.until_ms > now_ms)?;
    let page = query_pairs(page_query);
    let param = |name: &str| page.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    (param(ORDER_PARAM) == Some(waiting.order.out_trade_no.as_str()) && param(OPENID_PARAM).is_some()).then_some(waiting.order)
}

/// The `name=value` pairs of a `location.search` (percent- and `+`-decoded;
/// a pair that does not decode to UTF-8 is skipped).
pub(crate) fn query_pairs(search: &str) -> Vec<(String, String)> {
    let decode = |s: &str| -> Option<String> {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())?;
                    out.push(hex);
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).ok()
    };
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

#[cfg(all(test, feature = "hipopay"))]
mod tests;
