//! Small text helpers that keep std's heavier machinery out of the wasm.
//!
//! Substring search without `core::str::pattern`: `str::contains(&str)`,
//! `find(&str)` and `split_once(&str)` pull the two-way searcher and the
//! `str` slicing panic machinery (~5 KB) into the wasm; these byte loops do
//! the same job for the short needles the crate uses (BENCHMARKS.md, Size,
//! round 2; a plain loop rather than `find` over a `RangeInclusive`, round
//! 5). Decimal numbers without `core::fmt`: [`push_decimal`] instead of
//! `format!` with integer arguments, whose argument lists and padding cost
//! more code at each call site than the digits themselves (round 5). The
//! browser build links no `core::fmt` at all (BENCHMARKS.md, Size): text is joined with
//! `concat` / `push_str` and numbers go through [`push_decimal`], so one
//! `format!` or integer `to_string` reachable from the wasm brings ~2 KB back.

/// Byte offset of the first occurrence of `needle` in `hay` (`Some(0)` for
/// an empty needle), like `str::find`.
pub(crate) fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let mut start = 0;
    while start + n.len() <= h.len() {
        if h.get(start..start + n.len()) == Some(n) {
            return Some(start);
        }
        start += 1;
    }
    None
}

/// Whether `needle` occurs in `hay`, like `str::contains`.
pub(crate) fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `hay` split around the first `needle`, like `str::split_once`.
pub(crate) fn split_once<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let i = find(hay, needle)?;
    Some((hay.get(..i)?, hay.get(i + needle.len()..)?))
}

/// `hay` split around the last `sep` (an ASCII byte), like
/// `str::rsplit_once` with a `char`.
pub(crate) fn rsplit_once(hay: &str, sep: u8) -> Option<(&str, &str)> {
    let i = hay.bytes().rposition(|b| b == sep)?;
    Some((hay.get(..i)?, hay.get(i + 1..)?))
}

/// `text`'s fields between any of the ASCII bytes `seps`, like `str::split`
/// with a `char` or an array of them (one searcher instead of std's one per
/// pattern type).
pub(crate) fn split<'a>(text: &'a str, seps: &'a [u8]) -> Fields<'a> {
    Fields { rest: Some(text), seps }
}

/// The index of `word` among the fields of `list` split at `sep` (a word
/// list standing for an enum: its position is the variant), out of line so
/// each table's lookup is one call.
#[inline(never)]
pub(crate) fn position(list: &str, sep: u8, word: &str) -> Option<usize> {
    split(list, &[sep]).position(|w| w == word)
}

/// The iterator of [`split`].
pub(crate) struct Fields<'a> {
    rest: Option<&'a str>,
    seps: &'a [u8],
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    // Not `seps.contains(&b)`: `[u8]::contains` is memchr, ~0.4 KB of wasm
    // for separators one or three bytes long.
    #[allow(clippy::manual_contains)]
    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.bytes().position(|b| self.seps.iter().any(|&s| s == b)) {
            Some(i) => {
                self.rest = rest.get(i + 1..);
                rest.get(..i)
            }
            None => self.rest.take(),
        }
    }
}

/// `text` without leading and trailing white space (`char::is_whitespace`),
/// exactly as `str::trim`, in one forward pass over its chars. std's
/// double-ended search (`trim_matches` with a reverse UTF-8 decoder, 476 B
/// raw, and more inlined at each call site) made every build 70–90 B gz
/// larger (BENCHMARKS.md, Size, round 9). The pass reads the whole text, not
/// only its ends: the texts trimmed are codes, ids and bodies read in full anyway.
pub(crate) fn trim(text: &str) -> &str {
    let (mut from, mut to) = (None, 0);
    for (i, c) in text.char_indices() {
        if !c.is_whitespace() {
            from.get_or_insert(i);
            to = i + c.len_utf8();
        }
    }
    text.get(from.unwrap_or(0)..to).unwrap_or_default()
}

/// `text` without the leading and trailing runs of the ASCII byte `b`
/// (`start` / `end` pick the sides), like `str::trim_start_matches` /
/// `trim_end_matches` / `trim_matches` with a `char`.
pub(crate) fn trim_byte(text: &str, b: u8, start: bool, end: bool) -> &str {
    let bytes = text.as_bytes();
    let (mut from, mut to) = (0, bytes.len());
    while start && from < to && bytes.get(from) == Some(&b) {
        from += 1;
    }
    while end && to > from && bytes.get(to - 1) == Some(&b) {
        to -= 1;
    }
    text.get(from..to).unwrap_or(text)
}

/// A decimal integer like `str::parse::<i64>`: one optional `+` or `-`, then
/// ASCII digits only; `None` for anything else or outside `i64` (std's
/// generic integer parser is ~0.6 KB of wasm, this a fraction of it).
pub(crate) fn parse_i64(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    if digits.is_empty() {
        return None;
    }
    // Summed as a negative number, so `i64::MIN` fits.
    let mut n: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_sub(i64::from(b - b'0'))?;
    }
    if negative {
        Some(n)
    } else {
        n.checked_neg()
    }
}

/// The pieces joined into one `String`, like `[&str]::concat` (whose
/// generic join is larger in the wasm).
pub(crate) fn concat(pieces: &[&str]) -> String {
    let mut out = String::new();
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

/// Appends `n` in decimal, zero-padded to at least `min_digits` digits
/// (at most 20, `u64::MAX`'s length): `(7, 2)` → `07`, `(1288, 1)` → `1288`.
pub(crate) fn push_decimal(out: &mut String, mut n: u64, min_digits: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let min_start = digits.len() - min_digits.clamp(1, digits.len());
    while n > 0 || start > min_start {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
}

/// `n` in decimal, with a `-` when negative (what `i64::to_string` gives).
pub(crate) fn decimal(n: i64) -> String {
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    push_decimal(&mut out, n.unsigned_abs(), 1);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_str() {
        for (h, n) in
            [("", ""), ("a", ""), ("", "a"), ("abc", "abc"), ("abcd", "cd"), ("ab", "abc"), ("https://x", "://"), ("x://y://z", "://"), ("支付sign=1", "sign="), ("é", "\u{301}")]
        {
            assert_eq!(find(h, n), h.find(n), "{h:?} {n:?}");
            assert_eq!(contains(h, n), h.contains(n));
            assert_eq!(split_once(h, n), h.split_once(n));
        }
    }

    /// Every white-space code point (and neighbours that are not) alone, on
    /// either side, on both, and inside, trimmed exactly as `str::trim` does.
    #[test]
    fn trims_like_str() {
        let spaces: Vec<char> = (0..=0x3000u32).filter_map(char::from_u32).filter(|c| c.is_whitespace() || (*c as u32) < 0x30).collect();
        assert!(spaces.contains(&'\u{3000}') && spaces.contains(&'\u{a0}') && spaces.contains(&'\u{85}'));
        for &w in &spaces {
            for core in ["", "a", "支付", "a b", "x\u{3000}y", "é"] {
                for text in [format!("{w}{core}"), format!("{core}{w}"), format!("{w}{core}{w}{w}"), format!("{w}{w}"), core.to_owned()] {
                    assert_eq!(trim(&text), text.trim(), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn byte_patterns_like_str() {
        for h in ["", ":", "a:b:c", "::", "host:443", "支付:x", "a", "/a//", "//", "\"x\"", "?a=1&b=&c", "zh-Hant_TW", "a-", "-"] {
            assert_eq!(rsplit_once(h, b':'), h.rsplit_once(':'), "{h:?}");
            assert_eq!(split(h, b"&").collect::<Vec<_>>(), h.split('&').collect::<Vec<_>>(), "{h:?}");
            assert_eq!(split(h, b"-_").collect::<Vec<_>>(), h.split(['-', '_']).collect::<Vec<_>>(), "{h:?}");
            assert_eq!(split(h, b"/?#").next(), h.split(['/', '?', '#']).next(), "{h:?}");
            assert_eq!(split(h, b":").nth(1), h.split(':').nth(1), "{h:?}");
            for w in ["", "a", "b", "c", "host", "443", "x"] {
                assert_eq!(position(h, b':', w), h.split(':').position(|f| f == w), "{h:?} {w:?}");
            }
            assert_eq!(trim_byte(h, b'/', false, true), h.trim_end_matches('/'), "{h:?}");
            assert_eq!(trim_byte(h, b'/', true, false), h.trim_start_matches('/'), "{h:?}");
            assert_eq!(trim_byte(h, b'"', true, true), h.trim_matches('"'), "{h:?}");
        }
    }

    #[test]
    fn concat_like_std() {
        for pieces in [&[][..], &[""], &["/", "hipos", "/api/x"], &["支付", "", "é"]] {
            assert_eq!(concat(pieces), pieces.concat());
        }
    }

    #[test]
    fn integers_parse_like_std() {
        let cases = [
            "",
            "+",
            "-",
            "0",
            "-0",
            "+0",
            "7",
            "+7",
            "-7",
            "007",
            "1288",
            " 1",
            "1 ",
            "1_000",
            "1.0",
            "1e3",
            "0x10",
            "--1",
            "+-1",
            "١",
            "٣٤",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999",
            "6001",
        ];
        for t in cases {
            assert_eq!(parse_i64(t), t.parse::<i64>().ok(), "{t:?}");
        }
    }

    #[test]
    fn decimals_like_format() {
        for n in [0, 1, 7, 10, 99, 100, 1288, 4_294_967_296, u64::MAX] {
            for width in [0, 1, 2, 3, 19, 20] {
                let mut out = String::from("x");
                push_decimal(&mut out, n, width);
                assert_eq!(out, format!("x{n:0width$}"), "{n} {width}");
            }
        }
        for n in [0, 5, -5, 1288, -1288, i64::MAX, i64::MIN] {
            assert_eq!(decimal(n), n.to_string());
        }
    }
}
