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
        /// Gateway and wallet domains whose https URLs may be opened. A URL
        /// matches when its host is one of these or a subdomain of one.
        pub const DEFAULT_HOSTS: &[&str] = &[$($wallet,)* $($($host,)*)*];
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
    pub fn check<'a>(&self, url: &'a str) -> Result<&'a str, PayError> {
        let refuse = |why: &str| Err(PayError::new(ErrorCode::UnsafeRedirect).with_detail(why));
        if url.is_empty() || url.len() > 4096 {
            return refuse("empty or oversized URL");
        }
        if url.bytes().any(|b| b <= b' ' || b == b'\\' || b == 0x7f) {
            return refuse("URL contains whitespace, control characters or backslashes");
        }
        let Some((scheme, rest)) = crate::text::split_once(url, "://") else {
            return refuse("not an absolute http(s) URL");
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return refuse("scheme is not http(s)");
        }
        let authority = crate::text::split(rest, b"/?#").next().unwrap_or("");
        if crate::text::contains(authority, "@") {
            return refuse("URL carries userinfo");
        }
        if !authority.is_ascii() || authority.is_empty() {
            return refuse("host is empty or not ASCII");
        }
        let authority = authority.to_ascii_lowercase();
        if self.sandbox_hosts.iter().any(|h| h.eq_ignore_ascii_case(&authority)) {
            return Ok(url);
        }
        if scheme != "https" {
            return refuse("plain http outside the sandbox");
        }
        let host = match crate::text::rsplit_once(&authority, b':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => authority.as_str(),
        };
        if host.is_empty() || host.starts_with('.') || host.ends_with('.') || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
            return refuse("malformed host");
        }
        let allowed = DEFAULT_HOSTS.iter().copied().chain(self.extra_domains.iter().map(String::as_str)).any(|d| domain_matches(host, d));
        if allowed {
            Ok(url)
        } else {
            refuse("host is not on the allowlist")
        }
    }
}

fn domain_matches(host: &str, domain: &str) -> bool {
    let domain = crate::text::trim_byte(domain, b'.', true, false);
    host.eq_ignore_ascii_case(domain) || (host.len() > domain.len() && host.ends_with(domain) && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
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
    }
}
