//! The redirect / iframe allowlist. A gateway URL leaves the page only if it
//! is `https` on a known gateway or wallet domain (or on a host the merchant
//! configured, such as the local sandbox). `javascript:`, `data:`, userinfo
//! tricks (`https://alipay.com@evil.example`), look-alike and non-ASCII hosts
//! are refused.

use crate::error::{ErrorCode, PayError};

/// Generates [`DEFAULT_HOSTS`]: the wallets' domains given, then each
/// registry line's `hosts` (`crate::gateway::registry`), in its order.
macro_rules! default_hosts {
    ([$($wallet:literal,)*] $($variant:ident ($wire:literal, $feature:literal, $module:ident) [$($name:literal),*] hosts [$($host:literal),*],)*) => {
        /// Gateway and wallet domains whose https URLs may be opened, each
        /// followed by `|` (one string, not an array of `&str`: eight bytes
        /// less per domain in the wasm). A URL matches when its host is one
        /// of these or a subdomain of one.
        pub const DEFAULT_HOSTS: &str = concat!($($wallet, "|",)* $($($host, "|",)*)*);
    };
}

crate::gateway::registry::with_gateways!(default_hosts[
    // WeChat Pay (MWEB pages, JS-SDK).
    "tenpay.com",
    "weixin.qq.com",
    "wechatpay.com.hk",
    // Alipay (mainland and Hong Kong).
    "alipay.com",
    "alipay.hk",
    "alipayhk.com",
    "alipayplus.com",
    // UnionPay.
    "unionpay.com",
    "95516.com",
]);

/// Where redirects may go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    /// Extra hosts (`host` or `host:port`) allowed over http or https, e.g.
    /// the sandbox at `127.0.0.1:8080`. Matched exactly, not by suffix.
    pub sandbox_hosts: Vec<String>,
    /// Extra domains allowed over https, matched like [`DEFAULT_HOSTS`].
    pub extra_domains: Vec<String>,
}

impl UrlPolicy {
    /// Checks `url` and returns it unchanged when it may be opened.
    // Out of line: with the refusals folded into one error it is small
    // enough that the gateways' redirect readers would inline copies.
    #[inline(never)]
    pub fn check<'a>(&self, url: &'a str) -> Result<&'a str, PayError> {
        match self.refusal(url) {
            None => Ok(url),
            Some(why) => Err(PayError::new(ErrorCode::UnsafeRedirect).with_detail(why)),
        }
    }

    /// Why `url` may not be opened (a developer detail), `None` when it may:
    /// one error built in [`UrlPolicy::check`], not one per refusal.
    fn refusal(&self, url: &str) -> Option<&'static str> {
        if url.is_empty() || url.len() > 4096 {
            return Some("empty or oversized URL");
        }
        if url.bytes().any(|b| b <= b' ' || b == b'\\' || b == 0x7f) {
            return Some("URL contains whitespace, control characters or backslashes");
        }
        let Some((scheme, rest)) = crate::text::split_once(url, "://") else {
            return Some("not an absolute http(s) URL");
        };
        let https = scheme.eq_ignore_ascii_case("https");
        if !https && !scheme.eq_ignore_ascii_case("http") {
            return Some("scheme is not http(s)");
        }
        let authority = crate::text::split(rest, b"/?#").next().unwrap_or("");
        if crate::text::contains(authority, "@") {
            return Some("URL carries userinfo");
        }
        if !authority.is_ascii() || authority.is_empty() {
            return Some("host is empty or not ASCII");
        }
        if self.sandbox_hosts.iter().any(|h| h.eq_ignore_ascii_case(authority)) {
            return None;
        }
        if !https {
            return Some("plain http outside the sandbox");
        }
        let host = match crate::text::rsplit_once(authority, b':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => authority,
        };
        let b = host.as_bytes();
        if matches!(b.first(), None | Some(b'.')) || b.last() == Some(&b'.') || !b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.') {
            return Some("malformed host");
        }
        let allowed = crate::text::split(DEFAULT_HOSTS, b"|").any(|d| domain_matches(host, d)) || self.extra_domains.iter().any(|d| domain_matches(host, d));
        (!allowed).then_some("host is not on the allowlist")
    }
}

/// Whether `host` (any case) is `domain` (any case) or a subdomain of it.
/// Below the domain, the host is compared lower-cased against the domain as
/// given (a merchant's `Pay.Example.com` matches only itself), without
/// building a lower-cased copy. An empty domain matches nothing.
fn domain_matches(host: &str, domain: &str) -> bool {
    let (h, d) = (host.as_bytes(), crate::text::trim_byte(domain, b'.', true, false).as_bytes());
    if h.eq_ignore_ascii_case(d) {
        return true;
    }
    let Some(dot) = h.len().checked_sub(d.len() + 1) else { return false };
    h.get(dot) == Some(&b'.') && h.get(dot + 1..).is_some_and(|tail| tail.iter().zip(d).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(p: &UrlPolicy, u: &str) -> bool {
        p.check(u).is_ok()
    }

    #[test]
    fn allows_gateway_and_wallet_https_urls() {
        let p = UrlPolicy::default();
        assert!(ok(&p, "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&package=2"));
        assert!(ok(&p, "https://qr.alipay.com/bax03112k12liy7lrysg2004"));
        assert!(ok(&p, "https://api.yedpay.com/o-wap/NMJVPOM78RMMK70RL8"));
        assert!(ok(&p, "HTTPS://MAPI.ALIPAY.COM:443/gateway.do?x=1"));
        assert!(ok(&p, "https://apigw.gnete.com.hk/easyLinkApi/Payment/CreateChannelData?amount=0.1"));
    }

    #[test]
    fn refuses_dangerous_and_look_alike_urls() {
        let p = UrlPolicy::default();
        for u in [
            "javascript:alert(1)",
            "JaVaScRiPt://alipay.com/%0Aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://qr.alipay.com/bax",
            "https://alipay.com.evil.example/",
            "https://evilalipay.com/",
            "https://alipay.com@evil.example/",
            "https://user:pw@qr.alipay.com/",
            "https://xn--lipay-7ve.com/",
            "https://аlipay.com/",
            "https://qr.alipay.com\\@evil.example/",
            "https://qr.alipay.com /x",
            "//qr.alipay.com/x",
            "https:///path",
            "https://.alipay.com/",
            "",
        ] {
            assert!(!ok(&p, u), "{u} must be refused");
            assert_eq!(p.check(u).unwrap_err().code, ErrorCode::UnsafeRedirect);
        }
    }

    #[test]
    fn sandbox_hosts_are_exact_and_may_use_http() {
        let p = UrlPolicy { sandbox_hosts: vec!["127.0.0.1:8080".into()], extra_domains: vec!["pay.example.com".into()] };
        assert!(ok(&p, "http://127.0.0.1:8080/sandbox/blueocean/wallet/abc"));
        assert!(!ok(&p, "http://127.0.0.1:9090/x"));
        assert!(!ok(&p, "http://127.0.0.1/x"));
        assert!(ok(&p, "https://pay.example.com/x"));
        assert!(ok(&p, "https://m.pay.example.com/x"));
        assert!(!ok(&p, "http://pay.example.com/x"));
        assert!(ok(&p, "https://M.PAY.Example.COM/x"), "hosts in any case");
        let mixed = UrlPolicy { extra_domains: vec!["Pay.Example.com".into(), ".dot.example".into(), "".into()], ..UrlPolicy::default() };
        assert!(ok(&mixed, "https://pay.example.com/x"), "the domain itself in any case");
        assert!(!ok(&mixed, "https://m.pay.example.com/x"), "below it, the lower-cased host against the domain as given");
        assert!(ok(&mixed, "https://a.dot.example/x") && ok(&mixed, "https://dot.example/x"), "a leading dot is dropped");
        assert!(!ok(&mixed, "https://evil.example/x"), "an empty domain matches nothing");
    }

    #[test]
    fn every_default_domain_and_its_subdomains_and_nothing_around_them() {
        let p = UrlPolicy::default();
        let domains: Vec<&str> = crate::text::split(DEFAULT_HOSTS, b"|").filter(|d| !d.is_empty()).collect();
        assert_eq!(domains.len(), 19);
        assert_eq!((domains[0], domains[domains.len() - 1]), ("tenpay.com", "pos.cn"));
        for d in domains {
            assert!(ok(&p, &format!("https://{d}/x")) && ok(&p, &format!("https://a.{d}/x")), "{d}");
            assert!(!ok(&p, &format!("https://{d}.evil.example/")) && !ok(&p, &format!("https://x{d}/")), "{d}");
        }
    }
}
