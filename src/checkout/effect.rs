//! What a [`super::flow::Flow`] asks the page to do, and the JSON the web
//! driver reads.

use super::bridge::BridgeKind;
use super::pending::STORAGE_KEY;
use crate::error::PayError;
use crate::i18n::Locale;
use crate::json::Obj;

/// Which request an HTTP answer belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tag {
    /// The create call.
    Create,
    /// A scheduled status query (the poller's).
    Query,
    /// A one-off query confirming a bridge hint or the payer's "I have paid".
    Confirm,
    /// The gateway's cancel / revert of an unpaid counter payment.
    Cancel,
    /// The last query after a cancel.
    Final,
    /// The call of a gateway's own step before the create call ([`super::step`]).
    Step,
}

impl Tag {
    /// Every tag.
    pub(crate) const ALL: [Tag; 6] = [Tag::Create, Tag::Query, Tag::Confirm, Tag::Cancel, Tag::Final, Tag::Step];

    /// The name carried through the driver.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Tag::Create => "create",
            Tag::Query => "query",
            Tag::Confirm => "confirm",
            Tag::Cancel => "cancel",
            Tag::Final => "final",
            Tag::Step => "step",
        }
    }
}

/// One side effect.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Effect {
    /// POST `body` to `url` (GET when `body` is `None`); abort after
    /// `timeout_ms` and report a network error; answer with `tag` and `seq`.
    Fetch {
        /// Which request this is.
        tag: Tag,
        /// Sequence number to echo (the poller's, for queries).
        seq: u32,
        /// The proxy URL.
        url: String,
        /// The JSON body.
        body: String,
        /// The order's client secret (the `Paybridge-Client-Secret` header).
        secret: Option<String>,
        /// Abort after this long.
        timeout_ms: u32,
    },
    /// (Re)arm the single timer: a `timer` event after this many ms.
    Sleep(u32),
    /// Emit a `Checkout` event to the page's listeners.
    Emit {
        /// `action`, `status`, `expired` or `error`.
        event: &'static str,
        /// The listener's argument as JSON text (an `error` detail becomes an `Error`).
        detail: String,
    },
    /// Draw the QR code on the order's `qrTarget`, if any.
    DrawQr(String),
    /// Wait until the page global exists (or its ready event fires), then a
    /// `bridgeReady` event; `bridgeUnavailable` after the timeout.
    AwaitBridge {
        /// `WeixinJSBridge`, `AlipayJSBridge` or `wx`.
        global: &'static str,
        /// The event announcing it, if it has one.
        ready_event: Option<&'static str>,
        /// How long to wait for it.
        timeout_ms: u32,
    },
    /// Invoke a bridge; its answer comes back as a `bridge` event.
    Bridge {
        /// Which bridge.
        kind: BridgeKind,
        /// What to pass, as JSON text: jsapi params, `{tradeNO}`, the navigateTo URL, or the app payload.
        payload: String,
    },
    /// `location.assign(url)` (allowlisted).
    Navigate(String),
    /// Show the allowlisted URL in an iframe inside the order's `container`.
    Iframe(String),
    /// Show the "open in browser" guide (title, text, close label).
    Guide([&'static str; 3]),
    /// Keep this pending-order text in sessionStorage.
    Store(String),
    /// Forget the pending order.
    Clear,
    /// Call `renewOrder(out_trade_no)`; answer `renewed` or `renewFailed`.
    Renew(String),
    /// `pay()` resolves with this outcome (JSON text).
    Resolve(String),
    /// `pay()` rejects with this error.
    Reject(PayError),
}

/// A JS-shaped error: `code`, localised `message`, gateway code and message,
/// detail, and whether it ended the payment.
pub(crate) fn error_json(e: &PayError, locale: Locale, fatal: bool) -> String {
    let mut o = Obj::new();
    o.text("code", e.code.as_str()).text("message", e.message(locale)).flag("fatal", fatal);
    for (k, v) in [("gatewayCode", &e.gateway_code), ("gatewayMessage", &e.gateway_message), ("detail", &e.detail)] {
        if let Some(v) = v {
            o.text(k, v);
        }
    }
    o.end()
}

impl Effect {
    /// The name the driver switches on.
    fn op(&self) -> &'static str {
        match self {
            Effect::Fetch { .. } => "fetch",
            Effect::Sleep(_) => "sleep",
            Effect::Emit { .. } => "emit",
            Effect::DrawQr(_) => "qr",
            Effect::AwaitBridge { .. } => "awaitBridge",
            Effect::Bridge { .. } => "bridge",
            Effect::Navigate(_) => "navigate",
            Effect::Iframe(_) => "iframe",
            Effect::Guide(_) => "guide",
            Effect::Store(_) => "store",
            Effect::Clear => "clear",
            Effect::Renew(_) => "renew",
            Effect::Resolve(_) => "resolve",
            Effect::Reject(_) => "reject",
        }
    }

    /// The effect as the driver reads it: `{op, …}`, written straight to text.
    fn write(&self, locale: Locale) -> String {
        let mut o = Obj::new();
        o.text("op", self.op());
        let num = |n: &u32| i64::from(*n);
        match self {
            Effect::Fetch { tag, seq, url, body, secret, timeout_ms } => {
                o.text("tag", tag.as_str()).num("seq", num(seq)).text("url", url).text("body", body).num("timeoutMs", num(timeout_ms));
                if let Some(s) = secret {
                    o.text("secret", s);
                }
                // Sent as `Accept-Language`: gateway messages follow the checkout's language.
                o.text("locale", locale.as_str())
            }
            Effect::Sleep(ms) => o.num("ms", num(ms)),
            Effect::Emit { event, detail } => o.text("event", event).raw("detail", detail),
            Effect::DrawQr(content) => o.text("content", content),
            Effect::AwaitBridge { global, ready_event, timeout_ms } => {
                if let Some(r) = ready_event {
                    o.text("readyEvent", r);
                }
                o.text("global", global).num("timeoutMs", num(timeout_ms))
            }
            Effect::Bridge { kind, payload } => o.text("kind", kind.as_str()).raw("payload", payload),
            Effect::Navigate(url) | Effect::Iframe(url) => o.text("url", url),
            Effect::Guide([title, text, close]) => o.text("title", title).text("text", text).text("close", close),
            Effect::Store(text) => o.text("key", STORAGE_KEY).text("value", text),
            Effect::Clear => o.text("key", STORAGE_KEY),
            Effect::Renew(no) => o.text("outTradeNo", no),
            Effect::Resolve(outcome) => o.raw("outcome", outcome),
            Effect::Reject(e) => o.raw("error", &error_json(e, locale, true)),
        };
        o.end()
    }
}

/// A batch of effects as one JSON array text.
pub(crate) fn to_json(effects: &[Effect], locale: Locale) -> String {
    let mut out = String::from("[");
    for (i, e) in effects.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&e.write(locale));
    }
    out.push(']');
    out
}
