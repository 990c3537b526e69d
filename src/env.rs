//! Where the page runs, from the user agent plus hints the web facade reads
//! from the page, and which payment modes fit there.
//!
//! Detection, in order:
//! - **WeChat** (`MicroMessenger`). Inside it, a mini-program web-view is
//!   recognised from `wx.miniProgram.getEnv` (strongest), then
//!   `window.__wxjs_environment === "miniprogram"`, then a `miniProgram` UA
//!   token (WeChat ≥ 7.0.0). Known iOS quirk: the iOS UA may lack
//!   `miniProgram`, and `__wxjs_environment` is only set after
//!   `WeixinJSBridgeReady`, so on iOS without a hint the result is "wechat"
//!   with `certain: false`; the facade should detect again once the bridge
//!   is ready.
//! - **Desktop WeChat** (`WindowsWechat` / `MacWechat`) stays container
//!   "wechat" (its browser blocks Alipay like the phone app does) but is not
//!   mobile: JSAPI does not work there, so it recommends QR.
//! - **WeChat Work** (`wxwork`, whose UA also says `MicroMessenger`) is not a
//!   WeChat Pay container: it is treated as the plain mobile or desktop
//!   browser it runs on.
//! - **Alipay** (`AlipayClient`, `AliApp(AP/…)`, `AlipayDefined`; AlipayHK's
//!   `AlipayClientHK` included). `MiniProgram` in its UA, or `my.getEnv`,
//!   means an Alipay mini-program web-view. Other Ali apps (`AliApp(DingTalk…)`,
//!   `AliApp(TB…)`) are plain browsers.
//! - **UnionPay** Quick Pass (`UnionPay/` or `CloudPay`, as Jeepay's cashier checks).
//! - Otherwise **mobile** (iPhone, iPad, iPod, Android, `Mobi`; iPadOS in
//!   desktop mode is a `Macintosh` UA with touch points) or **desktop**.
//!
//! Recommended modes, best first (see [`recommended_modes`]):
//!
//! | container | modes |
//! |---|---|
//! | wechat (phone) | jsapi, qr, cashier |
//! | wechat (desktop app) | qr, cashier |
//! | wechat-miniprogram | jsapi (hand-off to a native page), qr |
//! | alipay | jsapi, wap, qr, cashier |
//! | alipay-miniprogram | jsapi (hand-off), qr |
//! | unionpay | cashier, qr |
//! | mobile | h5, wap, qr, cashier |
//! | desktop | qr, cashier |
//!
//! `counter` (clerk-facing) and `app` (needs a native bridge) are never
//! recommended: the merchant asks for them explicitly.

use crate::model::{Channel, Mode};

/// The container the page runs in (DESIGN.md's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Container {
    /// WeChat's in-app browser (phone or desktop app).
    Wechat,
    /// A WeChat mini-program's web-view.
    WechatMiniProgram,
    /// Alipay's in-app browser.
    Alipay,
    /// An Alipay mini-program's web-view.
    AlipayMiniProgram,
    /// UnionPay Quick Pass (云闪付).
    Unionpay,
    /// Any other phone or tablet browser.
    Mobile,
    /// Any other desktop browser, and anything unrecognised.
    Desktop,
}

impl Container {
    /// The name used in the JS API (`detectEnvironment`'s answer).
    #[cfg(any(test, feature = "low-level-api"))]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Container::Wechat => "wechat",
            Container::WechatMiniProgram => "wechat-miniprogram",
            Container::Alipay => "alipay",
            Container::AlipayMiniProgram => "alipay-miniprogram",
            Container::Unionpay => "unionpay",
            Container::Mobile => "mobile",
            Container::Desktop => "desktop",
        }
    }

    /// The wallet whose in-app payment (jsapi) this container offers.
    pub(crate) fn wallet(self) -> Option<Channel> {
        match self {
            Container::Wechat | Container::WechatMiniProgram => Some(Channel::Wechat),
            Container::Alipay | Container::AlipayMiniProgram => Some(Channel::Alipay),
            Container::Unionpay => Some(Channel::Unionpay),
            Container::Mobile | Container::Desktop => None,
        }
    }
}

/// The device's operating system, as far as payment flows care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Os {
    /// iPhone, iPad, iPod.
    Ios,
    /// Android.
    Android,
    /// Anything else (desktops, HarmonyOS NEXT, unknown).
    Other,
}

impl Os {
    /// The name used in the JS API (`detectEnvironment`'s answer).
    #[cfg(any(test, feature = "low-level-api"))]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Os::Ios => "ios",
            Os::Android => "android",
            Os::Other => "other",
        }
    }
}

/// What the facade could read from the page besides the user agent. Every
/// field defaults to "not known".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hints {
    /// `window.__wxjs_environment` when it is defined (`"miniprogram"` or
    /// `"browser"`); read it after `WeixinJSBridgeReady`, before it is unset.
    pub wxjs_environment: Option<String>,
    /// `res.miniprogram` from `wx.miniProgram.getEnv`, when it answered.
    pub wechat_mini_program: Option<bool>,
    /// `res.miniprogram` from Alipay's `my.getEnv`, when it answered.
    pub alipay_mini_program: Option<bool>,
    /// Whether `window.WeixinJSBridge` exists.
    pub wechat_bridge: bool,
    /// Whether `window.AlipayJSBridge` exists.
    pub alipay_bridge: bool,
    /// `navigator.maxTouchPoints`, which tells iPadOS from a Mac.
    pub max_touch_points: Option<u32>,
}

/// The detection result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Environment {
    /// The container.
    pub container: Container,
    /// The operating system (what `detectEnvironment` reports; payment flows read `mobile`).
    #[cfg(any(test, feature = "low-level-api"))]
    pub os: Os,
    /// A phone or tablet (false for desktop apps and browsers).
    pub mobile: bool,
    /// False when the container was guessed: iOS WeChat without a
    /// mini-program hint, a wallet known only from its bridge, an empty or
    /// non-browser user agent. (What `detectEnvironment` reports; no flow reads it.)
    #[cfg(any(test, feature = "low-level-api"))]
    pub certain: bool,
    /// Modes that fit, best first (the module's table).
    pub recommended_modes: Vec<Mode>,
}

/// The user-agent tokens detection looks for, lower case, `|`-separated, in
/// the order of the bits of [`tokens`]' mask (the constants below).
const TOKENS: &str =
    "macintosh|iphone|ipad|ipod|android|windowswechat|macwechat|mobi|micromessenger|wxwork|alipayclient|aliapp(ap/|alipaydefined|mozilla/|miniprogram|unionpay/|cloudpay";
const MACINTOSH: u32 = 1;
const IOS_DEVICE: u32 = 0b1110; // iphone, ipad, ipod
const ANDROID: u32 = 1 << 4;
const DESKTOP_WECHAT: u32 = 0b11 << 5; // windowswechat, macwechat
const MOBI: u32 = 1 << 7;
const MICROMESSENGER: u32 = 1 << 8;
const WXWORK: u32 = 1 << 9;
const ALIPAY: u32 = 0b111 << 10; // alipayclient, aliapp(ap/, alipaydefined
#[cfg(any(test, feature = "low-level-api"))]
const MOZILLA: u32 = 1 << 13;
const MINIPROGRAM: u32 = 1 << 14;
const UNIONPAY: u32 = 0b11 << 15; // unionpay/, cloudpay

/// Which of [`TOKENS`] the lower-cased `ua` contains: bit `i` for the `i`th.
/// One loop over a table instead of one `contains` call per token.
fn tokens(ua: &str) -> u32 {
    let mut mask = 0;
    for (i, token) in crate::text::split(TOKENS, b"|").enumerate() {
        if crate::text::contains(ua, token) {
            mask |= 1 << i;
        }
    }
    mask
}

/// Detects the environment from `user_agent` and the page's `hints`.
pub(crate) fn detect(user_agent: &str, hints: &Hints) -> Environment {
    let found = tokens(&user_agent.to_ascii_lowercase());
    let has = |tokens: u32| found & tokens != 0;
    let apple_touch = has(MACINTOSH) && hints.max_touch_points.is_some_and(|n| n > 1);
    let os = if has(IOS_DEVICE) || apple_touch {
        Os::Ios
    } else if has(ANDROID) {
        Os::Android
    } else {
        Os::Other
    };
    let mobile = !has(DESKTOP_WECHAT) && (os != Os::Other || has(MOBI));
    let wechat = has(MICROMESSENGER) && !has(WXWORK);
    let container = if wechat {
        if wechat_mini_program(hints, has(MINIPROGRAM)).0 {
            Container::WechatMiniProgram
        } else {
            Container::Wechat
        }
    } else if has(ALIPAY) {
        if hints.alipay_mini_program.unwrap_or(has(MINIPROGRAM)) {
            Container::AlipayMiniProgram
        } else {
            Container::Alipay
        }
    } else if has(UNIONPAY) {
        Container::Unionpay
    } else if hints.wechat_bridge && !has(WXWORK) {
        Container::Wechat
    } else if hints.alipay_bridge {
        Container::Alipay
    } else if mobile {
        Container::Mobile
    } else {
        Container::Desktop
    };
    let env = Environment::new(container, mobile, None);
    #[cfg(any(test, feature = "low-level-api"))]
    let env = Environment {
        os,
        certain: has(MOZILLA)
            && match container {
                // iOS WeChat without a hint or the UA token: a mini-program is not ruled out.
                _ if wechat => wechat_mini_program(hints, has(MINIPROGRAM)).1 || os != Os::Ios,
                // A wallet known only from its bridge.
                Container::Wechat => false,
                Container::Alipay => has(ALIPAY),
                _ => true,
            },
        ..env
    };
    env
}

impl Environment {
    /// `container` on a `mobile` device or not, with `modes` (default: the
    /// module's table). In the builds that report `os` and `certain`
    /// (`detectEnvironment`; no payment flow reads either) they start as
    /// `Os::Other` and `true`; the callers there set what they know.
    pub(crate) fn new(container: Container, mobile: bool, modes: Option<Vec<Mode>>) -> Environment {
        Environment {
            container,
            #[cfg(any(test, feature = "low-level-api"))]
            os: Os::Other,
            mobile,
            #[cfg(any(test, feature = "low-level-api"))]
            certain: true,
            recommended_modes: modes.unwrap_or_else(|| recommended_modes(container, mobile).to_vec()),
        }
    }
}

/// Whether a WeChat page is a mini-program web-view, and whether a hint or
/// the UA token settled it (their absence proves nothing on iOS).
fn wechat_mini_program(hints: &Hints, ua_token: bool) -> (bool, bool) {
    if let Some(mini) = hints.wechat_mini_program {
        return (mini, true);
    }
    match hints.wxjs_environment.as_deref() {
        Some(env) => (env == "miniprogram" || ua_token, true),
        None => (ua_token, ua_token),
    }
}

/// The module table: modes that fit `container`, best first. `mobile`
/// matters only for WeChat (its desktop app cannot run JSAPI).
pub(crate) fn recommended_modes(container: Container, mobile: bool) -> &'static [Mode] {
    match container {
        Container::Wechat if mobile => &[Mode::Jsapi, Mode::Qr, Mode::Cashier],
        Container::Wechat | Container::Desktop => &[Mode::Qr, Mode::Cashier],
        Container::WechatMiniProgram | Container::AlipayMiniProgram => &[Mode::Jsapi, Mode::Qr],
        Container::Alipay => &[Mode::Jsapi, Mode::Wap, Mode::Qr, Mode::Cashier],
        Container::Unionpay => &[Mode::Cashier, Mode::Qr],
        Container::Mobile => &[Mode::H5, Mode::Wap, Mode::Qr, Mode::Cashier],
    }
}

/// The mode "auto" picks: the first recommended mode the gateway offers for
/// `channel` (`supported` is the gateway's `GatewayProtocol::modes()`).
///
/// A wallet-bound mode needs that wallet: `jsapi` pays with the container's
/// own wallet (with [`Channel::Any`], the gateway must offer jsapi for that
/// wallet), `h5` is WeChat MWEB and `wap` is Alipay WAP, so neither is
/// picked for another channel or for [`Channel::Any`].
pub(crate) fn choose_mode(env: &Environment, supported: &[(Mode, Channel)], channel: Channel) -> Option<Mode> {
    env.recommended_modes.iter().copied().find(|&mode| {
        let wallet = match mode {
            Mode::Jsapi => env.container.wallet(),
            Mode::H5 => Some(Channel::Wechat),
            Mode::Wap => Some(Channel::Alipay),
            _ => return offers(supported, mode, channel),
        };
        match wallet {
            Some(w) if channel == w || (channel == Channel::Any && mode == Mode::Jsapi) => offers(supported, mode, w),
            _ => false,
        }
    })
}

/// `GatewayProtocol::supports` over a plain list: a pair matches the same
/// channel, and [`Channel::Any`] on either side matches every channel.
fn offers(supported: &[(Mode, Channel)], mode: Mode, channel: Channel) -> bool {
    supported.iter().any(|&(m, c)| m == mode && (c == channel || channel == Channel::Any || c == Channel::Any))
}

#[cfg(test)]
mod tests;
