//! The checkout flow as pure logic: which mode fits, what to create, what a
//! wallet bridge's answer means, when to query, when to give up — with time,
//! randomness and every side effect injected, so all of it is tested natively.
//!
//! The web facade (`src/web/checkout/`) runs one [`flow::Flow`] per payment:
//! it feeds page events in ([`flow::Event`]) and carries the returned
//! [`effect::Effect`]s out (fetch through the signing proxy, arm a timer,
//! invoke a bridge, navigate, emit an event, resolve the payment). The
//! polling schedule itself is [`crate::poll::Poller`].
//!
//! - [`event`] / [`effect`]: what goes in and out of a flow, as the driver's JSON;
//! - [`bridge`]: wallet-bridge answers as hints, the mini-program hand-off URL;
//! - [`pending`]: the order reference kept in sessionStorage across a redirect;
//! - [`step`]: the hook through which a gateway adds its own step before the create call;
//! - [`methods`]: what a gateway offers in an environment (for a cashier desk);
//! - [`text`]: the guide and prompt texts in zh-CN / zh-HK / en.

pub(crate) mod bridge;
pub(crate) mod effect;
pub(crate) mod event;
pub(crate) mod flow;
pub(crate) mod methods;
pub(crate) mod pending;
pub(crate) mod step;
pub(crate) mod text;

use crate::i18n::Locale;
use crate::model::{Channel, Gateway, Mode};
use crate::url_guard::UrlPolicy;

/// Default life of an order whose gateway names no expiry (5 min).
pub(crate) const DEFAULT_ORDER_TTL_MS: u32 = 300_000;
/// Default wait for a counter payment before it is cancelled (60 s).
pub(crate) const DEFAULT_COUNTER_TIMEOUT_MS: u32 = 60_000;
/// Default wait for `WeixinJSBridgeReady` / `AlipayJSBridgeReady` (5 s).
pub(crate) const DEFAULT_BRIDGE_TIMEOUT_MS: u32 = 5_000;
/// Default native page a mini-program web-view hands the payment to.
pub(crate) const DEFAULT_MINI_PROGRAM_PAGE: &str = "/pages/paybridge/pay";

/// What the `Checkout` constructor was given, checked.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Settings {
    /// The gateway every payment goes through.
    pub gateway: Gateway,
    /// The signing proxy's root, e.g. `/proxy` (no trailing slash needed).
    pub proxy: String,
    /// Language of messages and texts.
    pub locale: Locale,
    /// The wallet when an order names none.
    pub channel: Channel,
    /// The redirect / iframe allowlist additions.
    pub policy: UrlPolicy,
    /// Where H5 / WAP payments return the payer.
    pub return_url: Option<String>,
    /// The JSAPI / mini-program app id.
    pub sub_appid: Option<String>,
    /// Whether `renewOrder` was given (a fresh QR gets a fresh order number).
    pub can_renew: bool,
    /// Whether `appBridge` was given.
    pub has_app_bridge: bool,
    /// Pay with the JS-SDK's `wx.chooseWXPay` (the page ran `wx.config`)
    /// rather than `WeixinJSBridge`.
    pub wechat_js_sdk: bool,
    /// The mini-program's native pay page.
    pub mini_program_page: String,
    /// The wallet region when an order names none (`HK`: WeChat's HK wallet,
    /// paid with `wx.config` + `getH5PrepayRequest`; see BlueOcean's checkout step).
    pub wallet: Option<String>,
    /// Wait for a wallet bridge to become ready.
    pub bridge_timeout_ms: u32,
    /// Deadline for orders whose gateway gives no expiry.
    pub order_ttl_ms: u32,
    /// Give up an unpaid counter payment after this long.
    pub counter_timeout_ms: u32,
    /// The page's `location.search` when the payment started (where
    /// HipoPay's container appends the payer's openid, see [`openid`]).
    pub page_query: String,
}

impl Settings {
    /// Settings for `gateway` behind `proxy` with every default (the tests';
    /// the web facade builds its settings once from the options it read).
    #[cfg(test)]
    pub(crate) fn new(gateway: Gateway, proxy: impl Into<String>) -> Self {
        Settings {
            gateway,
            proxy: proxy.into(),
            locale: Locale::default(),
            channel: Channel::Any,
            policy: UrlPolicy::default(),
            return_url: None,
            sub_appid: None,
            can_renew: false,
            has_app_bridge: false,
            wechat_js_sdk: false,
            mini_program_page: DEFAULT_MINI_PROGRAM_PAGE.to_owned(),
            wallet: None,
            bridge_timeout_ms: DEFAULT_BRIDGE_TIMEOUT_MS,
            order_ttl_ms: DEFAULT_ORDER_TTL_MS,
            counter_timeout_ms: DEFAULT_COUNTER_TIMEOUT_MS,
            page_query: String::new(),
        }
    }
}

/// What `pay()` was given, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Order {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The mode, or `None` for "auto".
    pub mode: Option<Mode>,
    /// The wallet, or `None` for the configured default.
    pub channel: Option<Channel>,
    /// The payer's openid / buyer id (JSAPI).
    pub openid: Option<String>,
    /// The payer's code scanned at the counter.
    pub auth_code: Option<String>,
    /// Goods description.
    pub subject: Option<String>,
    /// The order's client secret from the merchant's back end, sent to the
    /// proxy as `Paybridge-Client-Secret` on every call.
    pub client_secret: Option<String>,
    /// The wallet region (`HK` / `CN`), or `None` for the configured one.
    pub wallet: Option<String>,
    /// The paying page's URL (the JS-SDK signs it for `wx.config`).
    pub page_url: Option<String>,
}

impl Order {
    /// An order in mode `mode` ("auto" when `None`) with nothing else set
    /// (the tests; the facade, `Flow::resume` and HipoPay's step build theirs whole).
    #[cfg(test)]
    pub(crate) fn new(out_trade_no: impl Into<String>, mode: Option<Mode>) -> Self {
        Order { out_trade_no: out_trade_no.into(), mode, channel: None, openid: None, auth_code: None, subject: None, client_secret: None, wallet: None, page_url: None }
    }
}

// The flow is gateway-neutral, but its tests drive it with real gateway
// modules (each with the modes and answers a case needs): all five must be in.
#[cfg(all(test, feature = "blueocean", feature = "hipopay", feature = "beecloud", feature = "chaoying", feature = "hipos"))]
mod tests;
