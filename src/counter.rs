//! Counter checkout (the clerk scans the payer's code): payer-code
//! recognition, masking, and a keyboard-wedge scanner detector.
//!
//! # Payer codes
//!
//! | wallet | rule | where documented |
//! |---|---|---|
//! | WeChat Pay | 18 digits, starting 10–15 | WeChat Pay's micropay guide ("18位纯数字，以10、11、12、13、14、15开头"); every seed example fits: BlueOcean `134519771100657507` (`reference/seed-blueocean.md`, `code`), HipoPay `135605691981176449` (`/order/scan_pay`), ChaoYing `130000000000000000` (`method=pay`) |
//! | Alipay | 16–24 digits, starting 25–30 | Alipay's barcode-pay guide ("25~30开头的长度为16~24位的数字"); BlueOcean's example `288271620985824610` |
//! | UnionPay | 19 digits, starting 62 | UnionPay QuickPass C2B codes ("62开头19位") |
//!
//! BlueOcean says its server "uses the code to tell the providers apart";
//! ChaoYing dropped `paytype` from `method=pay` (v2.2.0) for the same reason;
//! BeeCloud's `WX_SCAN` / `ALI_SCAN` and HipoPay's `/order/scan_pay` vs
//! `/alipay/scan_pay` need the wallet up front. BeeCloud's example
//! `23891113455872` (14 digits) fits no rule: the digest warns not to
//! hard-validate, so a merchant who must accept such codes can pay with
//! channel `any` on gateways that take it — the counter component refuses
//! unrecognised codes before any order is created.
//!
//! # Scanner detection
//!
//! A keyboard-wedge scanner "types" the code within a few milliseconds per
//! key and ends with Enter. [`Scanner`] sees every keystroke with its time
//! (injected, so it is testable): at least [`Scanner::MIN_SCAN_LEN`]
//! characters arriving (mostly) closer together than the threshold, then
//! Enter, is a scan; slower typing ended by Enter is manual entry. Other keys
//! (Backspace, Tab, arrows…) and a pause of [`Scanner::PAUSE_RESET_MS`]
//! drop what came before; modifiers are ignored; the buffer is bounded.

use crate::error::{PayError, Reason};
use crate::i18n::{Locale, WIDGETS};
use crate::model::Channel;

/// The wallet a payer's code belongs to, by prefix and length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    /// WeChat Pay: 18 digits starting 10–15.
    Wechat,
    /// Alipay: 16–24 digits starting 25–30.
    Alipay,
    /// UnionPay: 19 digits starting 62.
    Unionpay,
    /// None of the above.
    Unknown,
}

impl CodeKind {
    /// The channel to pay with, `None` for [`CodeKind::Unknown`].
    pub fn channel(self) -> Option<Channel> {
        match self {
            CodeKind::Wechat => Some(Channel::Wechat),
            CodeKind::Alipay => Some(Channel::Alipay),
            CodeKind::Unionpay => Some(Channel::Unionpay),
            CodeKind::Unknown => None,
        }
    }
}

/// Recognises a payer's code (surrounding whitespace ignored).
pub fn recognise(code: &str) -> CodeKind {
    let code = crate::text::trim(code);
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return CodeKind::Unknown;
    }
    let prefix = code.get(..2).and_then(crate::text::parse_i64).unwrap_or(0);
    match (prefix, code.len()) {
        (10..=15, 18) => CodeKind::Wechat,
        (25..=30, 16..=24) => CodeKind::Alipay,
        (62, 19) => CodeKind::Unionpay,
        _ => CodeKind::Unknown,
    }
}

/// The channel for `code`, or an `invalid_argument` error whose message
/// asks for a fresh code (reason `AuthCodeInvalid`). The detail shows only
/// the masked code.
pub fn channel_for(code: &str) -> Result<Channel, PayError> {
    recognise(code)
        .channel()
        .ok_or_else(|| PayError::invalid_argument(detail!("payer code {} is not a WeChat, Alipay or UnionPay code", mask(code))).with_reason(Reason::AuthCodeInvalid))
}

/// The code with all but its first 4 and last 4 characters replaced by `*`
/// (codes of 8 characters or fewer are masked wholly), for display and logs.
pub fn mask(code: &str) -> String {
    let code = crate::text::trim(code);
    let n = code.chars().count();
    let mut masked = String::new();
    for (i, c) in code.chars().enumerate() {
        masked.push(if n > 8 && (i < 4 || i >= n - 4) { c } else { '*' });
    }
    masked
}

/// The counter screen's fixed texts (clerk-facing), by the key the view
/// uses, from the widget table ([`crate::i18n::WIDGETS`]).
pub fn texts(locale: Locale) -> impl Iterator<Item = (&'static str, &'static str)> {
    WIDGETS.section("counter", locale)
}

/// A code read by the [`Scanner`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// The characters read (letters and digits).
    pub code: String,
    /// True for a scanner burst, false for manual typing.
    pub scanned: bool,
}

/// Keyboard-wedge scanner detector: feed it every key with its time.
#[derive(Clone, Debug)]
pub struct Scanner {
    threshold_ms: f64,
    buffer: String,
    last_ms: Option<f64>,
    /// Gaps between the buffer's keys (and the Enter), and how many were fast.
    gaps: usize,
    fast: usize,
    overflow: bool,
}

impl Scanner {
    /// Default gap below which keys count as a scanner's.
    pub const DEFAULT_THRESHOLD_MS: f64 = 35.0;
    /// Fewest characters a scan has.
    pub const MIN_SCAN_LEN: usize = 8;
    /// Longest code kept; longer input is discarded up to the next Enter.
    pub const MAX_LEN: usize = 32;
    /// A pause after which earlier, unfinished typing is dropped.
    pub const PAUSE_RESET_MS: f64 = 3_000.0;

    /// A detector with `threshold_ms` (non-finite or ≤ 0 means the default).
    pub fn new(threshold_ms: f64) -> Scanner {
        let threshold_ms = if threshold_ms.is_finite() && threshold_ms > 0.0 { threshold_ms } else { Self::DEFAULT_THRESHOLD_MS };
        Scanner { threshold_ms, buffer: String::new(), last_ms: None, gaps: 0, fast: 0, overflow: false }
    }

    /// Forgets everything typed so far.
    pub fn reset(&mut self) {
        self.buffer.clear();
        self.last_ms = None;
        self.gaps = 0;
        self.fast = 0;
        self.overflow = false;
    }

    /// Feeds one key (`KeyboardEvent.key`) pressed at `at_ms`. Returns a
    /// reading when Enter completes a non-empty code: a scan when it has at
    /// least [`Self::MIN_SCAN_LEN`] characters and at least three in four of
    /// its gaps (the Enter's included) were under the threshold — a busy
    /// machine may delay a few of a scanner's keys.
    pub fn key(&mut self, key: &str, at_ms: f64) -> Option<Reading> {
        match key {
            "Enter" => {
                self.count_gap(at_ms);
                let scanned = self.buffer.len() >= Self::MIN_SCAN_LEN && self.fast * 4 >= self.gaps * 3;
                let reading = (!self.overflow && !self.buffer.is_empty()).then(|| Reading { code: std::mem::take(&mut self.buffer), scanned });
                self.reset();
                reading
            }
            _ => {
                // One ASCII letter or digit (a one-byte key is one ASCII
                // character); a modifier (the word list, one scan instead of a
                // compare per name) changes nothing; any other key resets.
                match key.as_bytes() {
                    [c] if c.is_ascii_alphanumeric() => self.push(char::from(*c), at_ms),
                    _ if crate::text::position("Shift CapsLock Control Alt AltGraph Meta NumLock Unidentified Process", b' ', key).is_some() => {}
                    _ => self.reset(),
                }
                None
            }
        }
    }

    fn count_gap(&mut self, at_ms: f64) {
        if let Some(last) = self.last_ms {
            self.gaps += 1;
            if at_ms - last < self.threshold_ms {
                self.fast += 1;
            }
        }
        self.last_ms = Some(at_ms);
    }

    fn push(&mut self, c: char, at_ms: f64) {
        if self.last_ms.is_some_and(|t| at_ms - t >= Self::PAUSE_RESET_MS) {
            self.reset();
        }
        self.count_gap(at_ms);
        if self.buffer.len() >= Self::MAX_LEN {
            self.overflow = true;
        } else {
            self.buffer.push(c);
        }
    }
}

#[cfg(test)]
mod tests;
