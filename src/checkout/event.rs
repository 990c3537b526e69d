//! The events the web driver feeds a [`super::flow::Flow`], read from its JSON.

use super::effect::Tag;
use crate::json::Value;

/// Something that happened on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Event<'a> {
    /// Begin; `caps` is the body of `GET {proxy}/capabilities` if it answered.
    Start {
        /// The capabilities body.
        caps: Option<&'a str>,
    },
    /// An HTTP answer (any status) to a [`Effect::Fetch`].
    Http {
        /// The request's tag.
        tag: Tag,
        /// The request's sequence number.
        seq: u32,
        /// The HTTP status.
        status: u16,
        /// The body text.
        body: &'a str,
        /// Whether the proxy checked the gateway's signature
        /// (`X-Paybridge-Verified: signature`).
        verified: bool,
    },
    /// A fetch failed: no connection, aborted, timed out.
    NetworkError {
        /// The request's tag.
        tag: Tag,
        /// The request's sequence number.
        seq: u32,
    },
    /// The timer armed by [`Effect::Sleep`] fired.
    Timer,
    /// The awaited bridge is there; `mini_program` when
    /// `__wxjs_environment` then said "miniprogram" (iOS tells only now).
    BridgeReady {
        /// Whether the page turned out to be a mini-program web-view.
        mini_program: bool,
    },
    /// The bridge never became ready, or invoking it threw.
    BridgeUnavailable,
    /// The bridge answered (`err_msg`, `resultCode`, `ok`/`cancel`/`fail`).
    Bridge {
        /// The raw answer.
        result: &'a str,
    },
    /// `document.hidden` became true.
    Hidden,
    /// The page shows again (`visibilitychange`, `pageshow`).
    Visible,
    /// The payer answered the return prompt: paid, or had a problem.
    Confirm {
        /// "I have paid" (else "I had a problem").
        paid: bool,
    },
    /// `renewOrder` gave a fresh order number.
    Renewed {
        /// The new order number.
        out_trade_no: &'a str,
        /// Its client secret, when `renewOrder` gave one.
        client_secret: Option<&'a str>,
    },
    /// `renewOrder` threw or gave no order number.
    RenewFailed,
    /// The page called `cancel()`.
    Cancel,
}

impl<'a> Event<'a> {
    /// Reads the driver's JSON event (`{"type": …}`), `None` if malformed.
    pub(crate) fn from_json(v: &'a Value) -> Option<Event<'a>> {
        // The tags' names as one word list, in `Tag::ALL`'s order (one scan, no compare per tag).
        let tag = || Some(Tag::ALL[crate::text::position("create|query|confirm|cancel|final|step", b'|', v.text("tag")?)?]);
        let seq = || v.int("seq").and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        // One scan of a word list (the driver's event types, in this order) instead of a compare per type.
        let ty = v.text("type")?;
        Some(match crate::text::position("start|http|neterr|timer|bridgeReady|bridgeUnavailable|bridge|hidden|visible|confirm|renewed|renewFailed|cancel", b'|', ty)? {
            0 => Event::Start { caps: v.text("caps") },
            1 => Event::Http {
                tag: tag()?,
                seq: seq(),
                status: v.int("status").and_then(|n| u16::try_from(n).ok())?,
                body: v.text("body").unwrap_or(""),
                verified: v.get("verified").and_then(Value::as_bool_lenient).unwrap_or(false),
            },
            2 => Event::NetworkError { tag: tag()?, seq: seq() },
            3 => Event::Timer,
            4 => Event::BridgeReady { mini_program: v.text("wxjsEnvironment") == Some("miniprogram") },
            5 => Event::BridgeUnavailable,
            6 => Event::Bridge { result: v.text("result").unwrap_or("") },
            7 => Event::Hidden,
            8 => Event::Visible,
            9 => Event::Confirm { paid: v.get("paid").and_then(Value::as_bool_lenient).unwrap_or(false) },
            10 => Event::Renewed { out_trade_no: v.text("outTradeNo")?, client_secret: v.text("clientSecret") },
            11 => Event::RenewFailed,
            12 => Event::Cancel,
            _ => return None,
        })
    }
}
