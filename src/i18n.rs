//! User-facing texts in Simplified Chinese, Traditional Chinese (Hong Kong)
//! and English, and the one locale type everything uses.
//!
//! Each surface has one table: client messages ([`messages`]: error
//! messages and the checkout's texts, Rust arms, the cheapest layout for the
//! core), widgets ([`WIDGETS`]: the cashier desk and the counter screen) and
//! the demo pages (`www/strings.txt`, read by the pages and by the sandbox's
//! wallet page). The last two are [`Table`]s, data files of
//! `key|zh-CN|zh-HK|en` rows: no pointer per text, one reader.

use crate::error::{ErrorCode, Reason};

/// A supported display language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    /// Simplified Chinese (mainland).
    ZhCn,
    /// Traditional Chinese (Hong Kong).
    ZhHk,
    /// English.
    En,
}

impl Locale {
    /// Every locale, in the order of a table row's columns.
    pub const ALL: [Locale; 3] = [Locale::ZhCn, Locale::ZhHk, Locale::En];

    /// Parses one language tag (a `lang` value, `navigator.language`, the JS
    /// `locale` option) as [`Locale::negotiate`] reads each entry: Chinese
    /// with a `Hant`, `HK`, `TW` or `MO` subtag is zh-HK, other Chinese
    /// zh-CN, anything else English.
    pub fn parse(tag: &str) -> Locale {
        Locale::of_tag(tag).unwrap_or(Locale::En)
    }

    /// The best supported locale for a language tag or an `Accept-Language`
    /// list (`zh-HK,zh;q=0.9,en;q=0.8`): of the entries that are Chinese or
    /// English (each read as [`Locale::parse`] reads a tag), the one with the
    /// highest `q` (the first among equals, `q=0` never). `None` when no entry
    /// is supported.
    pub fn negotiate(tags: &str) -> Option<Locale> {
        let mut best: Option<(u16, Locale)> = None;
        for entry in crate::text::split(tags, b",") {
            let mut parts = crate::text::split(entry, b";");
            let Some(locale) = Locale::of_tag(parts.next().unwrap_or("")) else { continue };
            let q = parts.find_map(|p| crate::text::trim(p).strip_prefix("q=")).map_or(1000, quality);
            if q > best.map_or(0, |(b, _)| b) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, locale)| locale)
    }

    /// The locale of one tag, `None` unless it is Chinese or English.
    fn of_tag(tag: &str) -> Option<Locale> {
        let mut subtags = crate::text::split(crate::text::trim(tag), b"-_");
        let primary = subtags.next()?;
        if primary.eq_ignore_ascii_case("en") {
            return Some(Locale::En);
        }
        if !primary.eq_ignore_ascii_case("zh") {
            return None;
        }
        let traditional = subtags.any(|s| ["hant", "hk", "tw", "mo"].iter().any(|t| s.eq_ignore_ascii_case(t)));
        Some(if traditional { Locale::ZhHk } else { Locale::ZhCn })
    }

    /// The canonical tag.
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::ZhHk => "zh-HK",
            Locale::En => "en",
        }
    }
}

/// An `Accept-Language` weight in thousandths (`1` → 1000, `0.8` → 800);
/// malformed weights count as 0 (not acceptable).
fn quality(q: &str) -> u16 {
    match crate::text::split_once(q, ".").unwrap_or((q, "")) {
        ("1", _) => 1000,
        ("0", fraction) if fraction.bytes().all(|b| b.is_ascii_digit()) => fraction.bytes().chain(*b"000").take(3).fold(0, |n, d| n * 10 + u16::from(d - b'0')),
        _ => 0,
    }
}

/// A string table: one row per key, `key|zh-CN|zh-HK|en`; blank lines and
/// lines starting with `#` are comments. Keys are dotted, `section.name`.
#[derive(Clone, Copy, Debug)]
pub struct Table(&'static str);

impl Table {
    /// The table in `text`.
    pub const fn new(text: &'static str) -> Table {
        Table(text)
    }

    /// The text of `section.name` in `locale`, `None` when the table has no such row.
    pub fn text(self, section: &str, name: &str, locale: Locale) -> Option<&'static str> {
        self.section(section, locale).find_map(|(n, text)| (n == name).then_some(text))
    }

    /// The rows of `section` as (name after `section.`, text in `locale`), in
    /// table order. (A comment or blank line has no key in any section.)
    pub fn section<'a>(self, section: &'a str, locale: Locale) -> impl Iterator<Item = (&'static str, &'static str)> + 'a {
        crate::text::split(self.0, b"\n").filter_map(move |line| {
            let mut fields = crate::text::split(line, b"|");
            let name = fields.next()?.strip_prefix(section)?.strip_prefix(".")?;
            Some((name, fields.nth(locale as usize).unwrap_or("")))
        })
    }

    /// Checks the table's shape: every row has a key and exactly one
    /// non-empty text per locale, and no key appears twice. The error lists
    /// the rows at fault.
    pub fn check(self) -> Result<(), String> {
        let mut faults = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for line in self.0.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (key, texts) = line.split_once('|').unwrap_or((line, ""));
            let texts: Vec<&str> = texts.split('|').collect();
            if key.is_empty() || texts.len() != Locale::ALL.len() || texts.iter().any(|t| crate::text::trim(t).is_empty()) {
                faults.push(format!("{key}: wants one text per locale ({}), has {texts:?}", Locale::ALL.map(Locale::as_str).join(", ")));
            }
            if !seen.insert(key) {
                faults.push(format!("{key}: twice"));
            }
        }
        if faults.is_empty() {
            Ok(())
        } else {
            Err(faults.join("\n"))
        }
    }
}

/// Widget texts: the built-in cashier desk (payer-facing: `desk.…`, the
/// view's `texts`; `channel.<channel>`, a wallet's name as payers know it;
/// `mode.<mode>`, what choosing a method does) and the counter screen
/// (clerk-facing: `counter.…`, the view's `texts`). No comments in the file:
/// all of it ships in the wasm.
#[cfg(any(feature = "cashier-desk", feature = "counter-screen"))]
pub const WIDGETS: Table = Table::new(include_str!("i18n/widgets.txt"));

pub(crate) mod messages;

/// The message for an error code and reason: the reason's when it has one,
/// else the code's.
pub fn message(code: ErrorCode, reason: Reason, locale: Locale) -> &'static str {
    messages::text(code, reason, locale)
}

#[cfg(test)]
mod tests;
