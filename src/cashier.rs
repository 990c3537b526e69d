//! The built-in cashier desk's model: the amount as text (integer
//! arithmetic, the currency's minor unit), the payment methods that fit the
//! gateway and the page's environment, their labels, the countdown and the
//! desk's texts (from the widget table, [`crate::i18n::WIDGETS`]). No web
//! types: the facade (`web/cashier.rs`) hands [`DeskJson`]'s text to the view.
//!
//! # Methods
//!
//! One button per wallet, best first, taken from the checkout's own list
//! ([`crate::checkout::methods::methods`], the environment's recommended
//! modes that the gateway offers), so the desk never offers what
//! `Checkout.methods` would not. A gateway whose modes are all
//! wallet-neutral (`Channel::Any`, e.g. HiPOS's pickup code) gets one
//! "scan to pay" method instead.

use crate::env::Environment;
use crate::i18n::{Locale, WIDGETS};
use crate::json::{Arr, Obj};
use crate::model::{Channel, Mode};
use crate::text::push_decimal;

/// Digits after the decimal point for an ISO 4217 `currency` (CNY, HKD,
/// USD… 2; JPY, KRW… 0; KWD, BHD… 3; anything unknown 2).
pub(crate) fn minor_unit(currency: &str) -> u32 {
    // The codes run together, three letters each: a scan of 48 bytes of data
    // instead of a `match` that compares the text against each literal in code.
    let listed = |codes: &[u8]| codes.chunks(3).any(|code| code.eq_ignore_ascii_case(currency.as_bytes()));
    if listed(b"JPYKRWVNDCLPISKUGXXAFXOFPYG") {
        0
    } else if listed(b"KWDBHDJODOMRTNDLYDIQD") {
        3
    } else {
        2
    }
}

/// Appends `amount` minor units as decimal text with `minor_unit` decimals,
/// by integer arithmetic: `(1288, 2)` → `12.88`, `(-5, 2)` → `-0.05`.
pub(crate) fn push_amount(out: &mut String, amount: i64, minor_unit: u32) {
    if amount < 0 {
        out.push('-');
    }
    let abs = amount.unsigned_abs();
    match 10u64.checked_pow(minor_unit) {
        Some(scale) if minor_unit > 0 => {
            push_decimal(out, abs / scale, 1);
            out.push('.');
            push_decimal(out, abs % scale, minor_unit as usize);
        }
        _ => push_decimal(out, abs, 1),
    }
}

/// The amount with its currency sign: `¥12.88`, `HK$12.88`, `USD 12.88`,
/// written into one string (the code upper-cased, then the sign in its place).
pub(crate) fn display_amount(amount: i64, currency: &str) -> String {
    let mut out = currency.to_ascii_uppercase();
    let unit = minor_unit(&out);
    // The codes with a sign as one word list (one scan, not a compare per code).
    let sign = match crate::text::position("CNY RMB HKD MOP USD", b' ', &out) {
        Some(0 | 1) => Some("¥"),
        Some(2) => Some("HK$"),
        Some(3) => Some("MOP$"),
        Some(4) => Some("US$"),
        _ => None,
    };
    match sign {
        Some(sign) => {
            out.clear();
            out.push_str(sign);
        }
        None => out.push(' '),
    }
    push_amount(&mut out, amount, unit);
    out
}

/// Time left as `mm:ss` (`h:mm:ss` from an hour), whole seconds rounded up
/// so the desk never shows 00:00 before the deadline; past it, `00:00`.
pub(crate) fn countdown(ms_left: i64) -> String {
    let secs = if ms_left <= 0 { 0 } else { (ms_left - 1) as u64 / 1000 + 1 };
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        push_decimal(&mut out, h, 1);
        out.push(':');
    }
    push_decimal(&mut out, m, 2);
    out.push(':');
    push_decimal(&mut out, s, 2);
    out
}

/// One payment method the desk offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Method {
    /// How the payer pays.
    pub mode: Mode,
    /// With which wallet ([`Channel::Any`] for a wallet-neutral code).
    pub channel: Channel,
}

/// The methods for a gateway offering `supported` (its
/// `GatewayProtocol::modes()`) in `env`, best first, each handed to `add`:
/// the first method per wallet of [`crate::checkout::methods::methods`]
/// (what `Checkout.methods` answers), or its first wallet-neutral one when it
/// has no other. Handed over, not collected: the desk writes each at once.
pub(crate) fn methods(supported: &[(Mode, Channel)], env: &Environment, mut add: impl FnMut(Method)) {
    let all = crate::checkout::methods::methods(supported, env);
    // The wallets given so far, one bit per channel.
    let mut seen = 0u8;
    for &(mode, channel) in &all {
        let bit = 1 << channel as u8;
        if channel != Channel::Any && seen & bit == 0 {
            seen |= bit;
            add(Method { mode, channel });
        }
    }
    if seen == 0 {
        if let Some(&(mode, channel)) = all.first() {
            add(Method { mode, channel });
        }
    }
}

/// The wallet's name as payers know it.
pub(crate) fn channel_label(channel: Channel, locale: Locale) -> &'static str {
    WIDGETS.text("channel", channel.as_str(), locale).unwrap_or("")
}

/// A short line saying what choosing the method does.
pub(crate) fn mode_hint(mode: Mode, locale: Locale) -> &'static str {
    WIDGETS.text("mode", mode.as_str(), locale).unwrap_or("")
}

/// The desk's fixed texts, by the key the view uses.
pub(crate) fn texts(locale: Locale) -> impl Iterator<Item = (&'static str, &'static str)> {
    WIDGETS.section("desk", locale)
}

/// A widget's fixed texts (`texts` of the desk or the counter) as one JSON
/// object of texts by key, for its view.
#[inline(never)]
pub(crate) fn texts_json(texts: impl Iterator<Item = (&'static str, &'static str)>) -> String {
    let mut json = Obj::new();
    for (key, text) in texts {
        json.text(key, text);
    }
    json.end()
}

/// The desk's JSON text for its view, written as the options are read (no
/// desk value built only to be serialised): the methods as they come, the
/// rest at [`DeskJson::end`].
pub(crate) struct DeskJson {
    methods: Arr,
    locale: Locale,
}

impl DeskJson {
    /// A desk in `locale` with no method yet.
    pub(crate) fn new(locale: Locale) -> DeskJson {
        DeskJson { methods: Arr::new(), locale }
    }

    /// One more method (best first): `mode`, `channel`, `label`, `hint`.
    pub(crate) fn method(&mut self, m: Method) {
        let mut method = Obj::new();
        method.text("mode", m.mode.as_str()).text("channel", m.channel.as_str());
        method.text("label", channel_label(m.channel, self.locale)).text("hint", mode_hint(m.mode, self.locale));
        self.methods.obj(method);
    }

    /// The desk: `amount` (with its sign), `outTradeNo`, `locale`,
    /// `methods`, `texts` (the desk's fixed texts by key) and `subject` (goods
    /// description, shown as text, never as HTML) when there is one.
    pub(crate) fn end(self, amount: &str, subject: Option<&str>, out_trade_no: &str) -> String {
        let mut desk = Obj::new();
        desk.text("amount", amount).text("outTradeNo", out_trade_no).text("locale", self.locale.as_str());
        desk.arr("methods", self.methods);
        desk.raw("texts", &texts_json(texts(self.locale)));
        if let Some(s) = subject {
            desk.text("subject", s);
        }
        desk.end()
    }
}

#[cfg(test)]
mod tests;
