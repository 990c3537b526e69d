//! The hook through which a gateway adds a step of its own to a checkout,
//! before the create call (HipoPay finds the payer's openid; BlueOcean has
//! the proxy sign `wx.config` for WeChat's HK wallet). The flow calls the
//! hook and never names a gateway; a gateway with a step implements
//! [`CheckoutStep`] in its own folder and declares it (`CHECKOUT_STEP` in
//! its module; the others declare `None`). The hook is reached through the registry's dispatch, so a build
//! without a gateway does not link its step.

use super::bridge::BridgeKind;
use super::{Order, Settings};
use crate::error::{ErrorCode, PayError};
use crate::json::Value;
use crate::model::{Channel, Gateway, Mode, WechatJsapiParams};

/// What the flow knows when it asks a gateway's step before a create call.
/// (A build without the gateways that have a step reads none of it; the
/// test build, with every gateway, still reports what nothing reads.)
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Context<'a> {
    /// The checkout's settings (gateway, proxy, page URL parameters…).
    pub settings: &'a Settings,
    /// The settled mode.
    pub mode: Mode,
    /// The settled wallet.
    pub channel: Channel,
    /// The bridge the payment goes through, if any.
    pub bridge: Option<BridgeKind>,
    /// The proxy's capabilities body, as the page was given it.
    pub caps: Option<&'a str>,
    /// When the payment started (Unix ms).
    pub started_ms: i64,
    /// What the step's own call answered, once it has ([`CheckoutStep::answer`]).
    pub kept: Option<&'a Value>,
}

/// What the flow does before a create call.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(test), allow(dead_code))] // as `Context`
pub(crate) enum Before {
    /// Create now; `forget`: drop the sessionStorage entry first (an order
    /// that waited for the payer's return, so a reload does not create it twice).
    Create {
        /// Drop the stored entry.
        forget: bool,
    },
    /// POST `body` to `path` below the proxy root first (with the order's
    /// client secret, tagged [`super::effect::Tag::Step`]); its answer goes to
    /// [`CheckoutStep::answer`], then the flow asks again.
    Fetch {
        /// The path below the proxy root.
        path: String,
        /// The JSON body.
        body: String,
        /// Abort the call after this long.
        timeout_ms: u32,
    },
    /// Leave the page: keep `entry` in sessionStorage, show the action
    /// `{kind, url}`, navigate to `url` (allowlisted).
    /// [`CheckoutStep::returned`] picks the order up when the payer is back.
    Leave {
        /// Where the payer goes.
        url: String,
        /// The text to store.
        entry: String,
        /// The kind of the action reported to the page.
        kind: &'static str,
    },
}

/// The payload of the HK wallet's bridge, from what the step kept
/// ([`Context::kept`]) and the create answer's six jsapi strings.
pub(crate) type HkWalletPayload = fn(kept: Option<&Value>, params: &WechatJsapiParams) -> String;

/// A gateway's own checkout step, which its module declares as
/// `pub(crate) const CHECKOUT_STEP: Option<&'static dyn CheckoutStep>`
/// (`None` for a gateway without one).
pub(crate) trait CheckoutStep: Sync {
    /// When the gateway pays WeChat's HK wallet inside WeChat's browser (the
    /// [`BridgeKind::WechatHk`] bridge, `wallet: "HK"`): how that bridge's
    /// payload is written. `None` (the default): the gateway does not.
    fn wechat_hk_wallet(&self) -> Option<HkWalletPayload> {
        None
    }

    /// The step before each create call; may set fields of `order`.
    fn before_create(&self, cx: &Context<'_>, order: &mut Order) -> Result<Before, PayError>;

    /// The answer to the step's call (already read: a `proxy_error` or a
    /// non-JSON error status never gets here). `Ok(Some(v))` keeps `v` for
    /// the rest of the payment ([`Context::kept`], the HK bridge's payload).
    fn answer(&self, answer: &Value, order: &mut Order) -> Result<Option<Value>, PayError>;

    /// The order to create now that the payer is back from a [`Before::Leave`]:
    /// the `stored` entry (its JSON), if it is this step's, still in time at `now_ms`
    /// and named by the page URL; else `None`.
    fn returned(&self, _settings: &Settings, _stored: &Value, _now_ms: i64) -> Option<Order> {
        None
    }
}

/// The step before a create call: the gateway's, if it declares one.
pub(crate) fn before_create(cx: &Context<'_>, order: &mut Order) -> Result<Before, PayError> {
    match crate::gateway::checkout_step(cx.settings.gateway) {
        Some(step) => step.before_create(cx, order),
        None => Ok(Before::Create { forget: false }),
    }
}

/// The answer to the step's call, read by the gateway's step.
pub(crate) fn answer(gateway: Gateway, answer: &Value, order: &mut Order) -> Result<Option<Value>, PayError> {
    crate::gateway::checkout_step(gateway).ok_or_else(|| PayError::new(ErrorCode::InvalidPayload))?.answer(answer, order)
}

/// The order's wallet region, upper-cased: its own, else the configured one.
pub(crate) fn wallet(settings: &Settings, order: &Order) -> Option<String> {
    order.wallet.as_deref().or(settings.wallet.as_deref()).map(crate::text::trim).filter(|w| !w.is_empty()).map(str::to_ascii_uppercase)
}

/// The bridge to pay with: WeChat's browser bridges become the HK wallet's
/// when the wallet is `HK` and the gateway pays it; a gateway that documents
/// no HK wallet refuses it as `unsupported` before anything is created;
/// every other bridge stays.
pub(crate) fn bridge(gateway: Gateway, kind: Option<BridgeKind>, wallet: Option<&str>) -> Result<Option<BridgeKind>, PayError> {
    match kind {
        Some(BridgeKind::Wechat | BridgeKind::WechatSdk) if wallet == Some("HK") => match crate::gateway::checkout_step(gateway) {
            Some(step) if step.wechat_hk_wallet().is_some() => Ok(Some(BridgeKind::WechatHk)),
            _ => Err(PayError::new(ErrorCode::Unsupported).with_detail(detail!("{} offers no WeChat HK-wallet payment", gateway.as_str()))),
        },
        other => Ok(other),
    }
}

/// The HK bridge's payload, written by `gateway` (`None` unless it pays the HK wallet).
pub(crate) fn hk_wallet_payload(gateway: Gateway, kept: Option<&Value>, params: &WechatJsapiParams) -> Option<String> {
    Some(crate::gateway::checkout_step(gateway)?.wechat_hk_wallet()?(kept, params))
}

/// The order that waited for the payer's return (see [`CheckoutStep::returned`]).
pub(crate) fn returned(settings: &Settings, stored: &Value, now_ms: i64) -> Option<Order> {
    crate::gateway::checkout_step(settings.gateway)?.returned(settings, stored, now_ms)
}
