//! Substring search without `core::str::pattern`: `str::contains(&str)`,
//! `find(&str)` and `split_once(&str)` pull the two-way searcher and the
//! `str` slicing panic machinery (~5 KB) into the wasm; these byte loops do
//! the same job for the short needles the crate uses (BENCHMARKS.md, Size,
//! round 2).

/// Byte offset of the first occurrence of `needle` in `hay` (`Some(0)` for
/// an empty needle), like `str::find`.
pub(crate) fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?).find(|&i| h.get(i..i + n.len()) == Some(n))
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
}
