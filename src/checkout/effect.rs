//! What a [`super::flow::Flow`] asks the page to do, and the JSON the web
//! driver reads.

use super::bridge::BridgeKind;
use super::pending::STORAGE_KEY;
use crate::error::PayError;
use crate::i18n::Locale;
use crate::json::Value;

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
        /// The listener's argument (an `error` detail becomes an `Error`).
        detail: Value,
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
        /// What to pass: jsapi params, `{tradeNO}`, the navigateTo URL, or the app payload.
        payload: Value,
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
    /// `pay()` resolves with this outcome.
    Resolve(Value),
    /// `pay()` rejects with this error.
    Reject(PayError),
}

/// A JS-shaped error: `code`, localised `message`, gateway code and message,
/// detail, and whether it ended the payment.
pub(crate) fn error_json(e: &PayError, locale: Locale, fatal: bool) -> Value {
    let mut m = vec![("code", Value::str(e.code.as_str())), ("message", Value::str(e.message(locale))), ("fatal", Value::Bool(fatal))];
    for (k, v) in [("gatewayCode", &e.gateway_code), ("gatewayMessage", &e.gateway_message), ("detail", &e.detail)] {
        if let Some(v) = v {
            m.push((k, Value::str(v)));
        }
    }
    Value::object(m)
}

impl Effect {
    /// The effect as the driver reads it: `{op, …}`.
    pub(crate) fn to_json_value(&self, locale: Locale) -> Value {
        let op = |name: &str, rest: Vec<(&str, Value)>| {
            let mut m = vec![("op", Value::str(name))];
            m.extend(rest);
            Value::object(m)
        };
        let num = |n: u32| Value::int_value(i64::from(n));
        match self {
            Effect::Fetch { tag, seq, url, body, secret, timeout_ms } => op(
                "fetch",
                vec![
                    ("tag", Value::str(tag.as_str())),
                    ("seq", num(*seq)),
                    ("url", Value::str(url)),
                    ("body", Value::str(body)),
                    ("secret", secret.as_deref().map_or(Value::Null, Value::str)),
                    ("timeoutMs", num(*timeout_ms)),
                    // Sent as `Accept-Language`: gateway messages follow the checkout's language.
                    ("locale", Value::str(locale.as_str())),
                ],
            ),
            Effect::Sleep(ms) => op("sleep", vec![("ms", num(*ms))]),
            Effect::Emit { event, detail } => op("emit", vec![("event", Value::str(*event)), ("detail", detail.clone())]),
            Effect::DrawQr(content) => op("qr", vec![("content", Value::str(content))]),
            Effect::AwaitBridge { global, ready_event, timeout_ms } => {
                op("awaitBridge", vec![("global", Value::str(*global)), ("readyEvent", ready_event.map_or(Value::Null, Value::str)), ("timeoutMs", num(*timeout_ms))])
            }
            Effect::Bridge { kind, payload } => op("bridge", vec![("kind", Value::str(kind.as_str())), ("payload", payload.clone())]),
            Effect::Navigate(url) => op("navigate", vec![("url", Value::str(url))]),
            Effect::Iframe(url) => op("iframe", vec![("url", Value::str(url))]),
            Effect::Guide(t) => op("guide", vec![("title", Value::str(t[0])), ("text", Value::str(t[1])), ("close", Value::str(t[2]))]),
            Effect::Store(text) => op("store", vec![("key", Value::str(STORAGE_KEY)), ("value", Value::str(text))]),
            Effect::Clear => op("clear", vec![("key", Value::str(STORAGE_KEY))]),
            Effect::Renew(no) => op("renew", vec![("outTradeNo", Value::str(no))]),
            Effect::Resolve(outcome) => op("resolve", vec![("outcome", outcome.clone())]),
            Effect::Reject(e) => op("reject", vec![("error", error_json(e, locale, true))]),
        }
    }
}

/// A batch of effects as one JSON array text.
pub(crate) fn to_json(effects: &[Effect], locale: Locale) -> String {
    Value::Array(effects.iter().map(|e| e.to_json_value(locale)).collect()).to_json()
}
