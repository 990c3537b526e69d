//! `UrlPolicy::check` on arbitrary text: an accepted URL is returned
//! unchanged, is http(s), and carries no whitespace, control characters,
//! backslashes or userinfo; plain http only for the sandbox host.
#![no_main]
use libfuzzer_sys::fuzz_target;
use paybridge_fuzz::policy;

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else { return };
    for p in [paybridge::url_guard::UrlPolicy::default(), policy()] {
        if let Ok(out) = p.check(url) {
            assert_eq!(out, url);
            assert!(!url.bytes().any(|b| b <= b' ' || b == b'\\' || b == 0x7f));
            let lower = url.to_ascii_lowercase();
            let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).expect("accepted a non-http(s) URL");
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            assert!(!authority.contains('@') && !authority.is_empty() && authority.is_ascii());
            if lower.starts_with("http://") {
                assert_eq!(authority, "127.0.0.1:8080", "plain http outside the sandbox: {url}");
            }
        }
    }
});
