//! What a [`super::flow::Flow`] asks the page to do, written straight to
//! the JSON the web driver reads (no effect value is built only to be
//! serialised); the tests read the same JSON back as `Effect`s.

use super::bridge::BridgeKind;
use crate::error::PayError;
use crate::i18n::Locale;
use crate::json::Obj;
#[cfg(test)]
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

/// The effects of one step as the driver's JSON array, `[{op, …}, …]`, in
/// the order they are to be carried out.
#[derive(Clone, Debug)]
pub(crate) struct Effects {
    /// The array so far, without its closing `]` (empty: no effect yet).
    out: String,
    /// The checkout's language: a fetch's `Accept-Language`, an error's message.
    locale: Locale,
}

/// An effect's object with its `op`, the name the driver switches on.
fn op(name: &str) -> Obj {
    let mut o = Obj::new();
    o.text("op", name);
    o
}

impl Effects {
    /// No effect yet, for a checkout in `locale`.
    pub(crate) fn new(locale: Locale) -> Effects {
        Effects { out: String::new(), locale }
    }

    #[inline(never)]
    fn add(&mut self, effect: Obj) {
        self.out.push(if self.out.is_empty() { '[' } else { ',' });
        self.out.push_str(&effect.end());
    }

    /// The array of everything added since the last call, which starts afresh.
    pub(crate) fn take(&mut self) -> String {
        let mut out = std::mem::take(&mut self.out);
        if out.is_empty() {
            out.push('[');
        }
        out.push(']');
        out
    }

    /// Where the effects added from now on begin (for [`Effects::truncate`]).
    pub(crate) fn mark(&self) -> usize {
        self.out.len()
    }

    /// Drops the effects added since `mark`.
    pub(crate) fn truncate(&mut self, mark: usize) {
        self.out.truncate(mark);
    }

    /// POST `body` to `url` (the proxy's); abort after `timeout_ms` and
    /// report a network error; the answer comes back with `tag` and `seq`,
    /// `secret` goes as `Paybridge-Client-Secret`.
    pub(crate) fn fetch(&mut self, tag: Tag, seq: u32, url: &str, body: &str, secret: Option<&str>, timeout_ms: u32) {
        let mut o = op("fetch");
        o.text("tag", tag.as_str()).num("seq", seq.into()).text("url", url).text("body", body).num("timeoutMs", timeout_ms.into());
        if let Some(s) = secret {
            o.text("secret", s);
        }
        // Sent as `Accept-Language`: gateway messages follow the checkout's language.
        o.text("locale", self.locale.as_str());
        self.add(o);
    }

    /// (Re)arm the single timer: a `timer` event after this many ms.
    pub(crate) fn sleep(&mut self, ms: u32) {
        let mut o = op("sleep");
        o.num("ms", ms.into());
        self.add(o);
    }

    /// Emit the `Checkout` event `event` (`action`, `status`, `expired`,
    /// `error`) with `detail`, JSON text (an `error` detail becomes an `Error`).
    pub(crate) fn emit(&mut self, event: &str, detail: &str) {
        let mut o = op("emit");
        o.text("event", event).raw("detail", detail);
        self.add(o);
    }

    /// An `error` event for `e` that does not end the payment.
    pub(crate) fn emit_error(&mut self, e: &PayError) {
        self.emit("error", &error_json(e, self.locale, false));
    }

    /// Draw the QR code of `content` on the order's `qrTarget`, if any.
    pub(crate) fn draw_qr(&mut self, content: &str) {
        let mut o = op("qr");
        o.text("content", content);
        self.add(o);
    }

    /// Wait until the page global exists (or its ready event fires), then a
    /// `bridgeReady` event; `bridgeUnavailable` after `timeout_ms`.
    pub(crate) fn await_bridge(&mut self, global: &str, ready_event: Option<&str>, timeout_ms: u32) {
        let mut o = op("awaitBridge");
        if let Some(r) = ready_event {
            o.text("readyEvent", r);
        }
        o.text("global", global).num("timeoutMs", timeout_ms.into());
        self.add(o);
    }

    /// Invoke a bridge with `payload` (JSON text: jsapi params, `{tradeNO}`,
    /// the navigateTo URL, or the app payload); its answer comes back as a `bridge` event.
    pub(crate) fn bridge(&mut self, kind: BridgeKind, payload: &str) {
        let mut o = op("bridge");
        o.text("kind", kind.as_str()).raw("payload", payload);
        self.add(o);
    }

    /// `location.assign(url)` (allowlisted).
    pub(crate) fn navigate(&mut self, url: &str) {
        self.url("navigate", url);
    }

    /// Show the allowlisted URL in an iframe inside the order's `container`.
    pub(crate) fn iframe(&mut self, url: &str) {
        self.url("iframe", url);
    }

    fn url(&mut self, name: &str, url: &str) {
        let mut o = op(name);
        o.text("url", url);
        self.add(o);
    }

    /// Show the "open in browser" guide (title, text, close label).
    pub(crate) fn guide(&mut self, [title, text, close]: [&str; 3]) {
        let mut o = op("guide");
        o.text("title", title).text("text", text).text("close", close);
        self.add(o);
    }

    /// Keep this pending-order text in sessionStorage (under the driver's key, `paybridge.pending`).
    pub(crate) fn store(&mut self, text: &str) {
        let mut o = op("store");
        o.text("value", text);
        self.add(o);
    }

    /// Forget the pending order.
    pub(crate) fn clear(&mut self) {
        self.add(op("clear"));
    }

    /// Call `renewOrder(out_trade_no)`; answer `renewed` or `renewFailed`.
    pub(crate) fn renew(&mut self, out_trade_no: &str) {
        let mut o = op("renew");
        o.text("outTradeNo", out_trade_no);
        self.add(o);
    }

    /// `pay()` resolves with this outcome (JSON text).
    pub(crate) fn resolve(&mut self, outcome: &str) {
        let mut o = op("resolve");
        o.raw("outcome", outcome);
        self.add(o);
    }

    /// `pay()` rejects with `e`; `emit`: a fatal `error` event says so first.
    pub(crate) fn reject(&mut self, e: &PayError, emit: bool) {
        let error = error_json(e, self.locale, true);
        if emit {
            self.emit("error", &error);
        }
        let mut o = op("reject");
        o.raw("error", &error);
        self.add(o);
    }
}

/// One side effect as the tests read it back from the driver's JSON
/// ([`read`]); the flow writes the JSON through [`Effects`].
#[cfg(test)]
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

/// The effects of a driver's JSON array, as [`Effect`]s (a malformed one panics: the flow wrote it).
#[cfg(test)]
pub(crate) fn read(json: &str) -> Vec<Effect> {
    use crate::error::ErrorCode;
    let Value::Array(items) = crate::json::parse(json).expect("an effect array") else { panic!("not an array: {json}") };
    let text = |v: &Value, key: &str| v.text(key).unwrap_or_else(|| panic!("no `{key}` in {v:?}")).to_owned();
    let fixed = |v: &Value, key: &str| -> &'static str { Box::leak(text(v, key).into_boxed_str()) };
    let num = |v: &Value, key: &str| v.int(key).and_then(|n| u32::try_from(n).ok()).unwrap_or_else(|| panic!("no `{key}` in {v:?}"));
    let json = |v: &Value, key: &str| v.get(key).unwrap_or_else(|| panic!("no `{key}` in {v:?}")).to_json();
    let codes = [
        ErrorCode::GatewayError,
        ErrorCode::InvalidPayload,
        ErrorCode::UnsafeRedirect,
        ErrorCode::ProxyError,
        ErrorCode::Network,
        ErrorCode::BridgeUnavailable,
        ErrorCode::Expired,
        ErrorCode::Cancelled,
        ErrorCode::Unsupported,
        ErrorCode::InvalidArgument,
    ];
    let kinds = [BridgeKind::Wechat, BridgeKind::WechatSdk, BridgeKind::WechatHk, BridgeKind::MiniProgram, BridgeKind::Alipay, BridgeKind::App];
    let effect = |v: &Value| match v.text("op").expect("an op") {
        "fetch" => Effect::Fetch {
            tag: Tag::ALL.into_iter().find(|t| v.text("tag") == Some(t.as_str())).expect("a tag"),
            seq: num(v, "seq"),
            url: text(v, "url"),
            body: text(v, "body"),
            secret: v.text("secret").map(str::to_owned),
            timeout_ms: num(v, "timeoutMs"),
        },
        "sleep" => Effect::Sleep(num(v, "ms")),
        "emit" => Effect::Emit { event: fixed(v, "event"), detail: json(v, "detail") },
        "qr" => Effect::DrawQr(text(v, "content")),
        "awaitBridge" => Effect::AwaitBridge { global: fixed(v, "global"), ready_event: v.text("readyEvent").map(|_| fixed(v, "readyEvent")), timeout_ms: num(v, "timeoutMs") },
        "bridge" => Effect::Bridge { kind: kinds.into_iter().find(|k| v.text("kind") == Some(k.as_str())).expect("a bridge kind"), payload: json(v, "payload") },
        "navigate" => Effect::Navigate(text(v, "url")),
        "iframe" => Effect::Iframe(text(v, "url")),
        "guide" => Effect::Guide([fixed(v, "title"), fixed(v, "text"), fixed(v, "close")]),
        "store" => Effect::Store(text(v, "value")),
        "clear" => Effect::Clear,
        "renew" => Effect::Renew(text(v, "outTradeNo")),
        "resolve" => Effect::Resolve(json(v, "outcome")),
        "reject" => {
            let d = v.get("error").expect("an error");
            assert_eq!(d.get("fatal"), Some(&Value::Bool(true)), "a rejection ends the payment");
            let mut e = PayError::new(codes.into_iter().find(|c| d.text("code") == Some(c.as_str())).expect("a flow's error code"));
            e.gateway_code = d.text("gatewayCode").map(str::to_owned);
            e.gateway_message = d.text("gatewayMessage").map(str::to_owned);
            e.detail = d.text("detail").map(str::to_owned);
            Effect::Reject(e)
        }
        other => panic!("unknown op {other}"),
    };
    items.iter().map(effect).collect()
}
