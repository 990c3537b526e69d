//! Shared helpers for the fuzz targets: how the first bytes of an input pick
//! a gateway / mode / channel / endpoint, and the sandbox test secrets.

use paybridge::gateway::wire::{Secrets, WireRequest};
use paybridge::gateway::HttpMethod;
use paybridge::model::{Channel, Gateway, Mode};
use paybridge::url_guard::UrlPolicy;

/// A fixed clock (Unix ms) for every wire call, so runs are reproducible.
pub const NOW_MS: i64 = 1_700_000_000_000;

/// Picks from a slice by a selector byte.
pub fn pick<T: Copy>(all: &[T], b: u8) -> T {
    all[usize::from(b) % all.len()]
}

/// The gateway named by selector byte `b`.
pub fn gateway(b: u8) -> Gateway {
    pick(&Gateway::ALL, b)
}

/// The mode named by selector byte `b`.
pub fn mode(b: u8) -> Mode {
    pick(&Mode::ALL, b)
}

/// The channel named by selector byte `b`.
pub fn channel(b: u8) -> Channel {
    pick(&Channel::ALL, b)
}

/// The HTTP method named by selector byte `b`.
pub fn http(b: u8) -> HttpMethod {
    pick(&[HttpMethod::Get, HttpMethod::Post, HttpMethod::Put], b)
}

/// The redirect policy the demo uses (sandbox host allowed over http).
pub fn policy() -> UrlPolicy {
    UrlPolicy { sandbox_hosts: vec!["127.0.0.1:8080".into()], extra_domains: vec!["pay.example.com".into()] }
}

const HIPOPAY_AGENT_PRIVATE: &str = include_str!("../../fixtures/keys/hipopay-sandbox-test-agent-private.pem");
const HIPOPAY_AGENT_PUBLIC: &str = include_str!("../../fixtures/keys/hipopay-sandbox-test-agent-public.pem");
const HIPOPAY_GATEWAY_PRIVATE: &str = include_str!("../../fixtures/keys/hipopay-sandbox-test-gateway-private.pem");
const HIPOPAY_GATEWAY_PUBLIC: &str = include_str!("../../fixtures/keys/hipopay-sandbox-test-gateway-public.pem");

/// The sandbox test secrets of `gateway` (values from
/// `fixtures/sandbox-credentials.toml`; HiPOS gets a fixed test token).
pub fn secrets(gateway: Gateway) -> Secrets {
    let pairs: &[(&str, &str)] = match gateway {
        Gateway::BlueOcean => &[("appid", "1000258"), ("app_key", "sandbox-test-key-blueocean-0000000000")],
        Gateway::HipoPay => &[
            ("agent_no", "900001"),
            ("merchant_no", "sandbox-merchant-0001"),
            ("currency", "HKD"),
            ("private_key_pem", HIPOPAY_AGENT_PRIVATE),
            ("public_key_pem", HIPOPAY_AGENT_PUBLIC),
            ("hipopay_private_key_pem", HIPOPAY_GATEWAY_PRIVATE),
            ("hipopay_public_key_pem", HIPOPAY_GATEWAY_PUBLIC),
        ],
        Gateway::BeeCloud => {
            &[("app_id", "0950c062-5e41-44e3-8f52-sandbox00001"), ("app_secret", "sandbox-test-app-secret-beecloud"), ("master_secret", "sandbox-test-master-secret-beecloud")]
        }
        Gateway::ChaoYing => &[("agent_id", "130000000000000001"), ("mch_id", "00000001"), ("key", "sandbox-test-key-chaoying-00000000"), ("pid", "paybridge"), ("version", "1.0")],
        Gateway::HiPos => &[("hostname", "shop.sandbox.paybridge.test"), ("token", "sandbox-test-token-hipos-0000")],
    };
    Secrets::from_pairs(pairs.iter().copied())
}

/// A wire request from text: `path?query`, then `Name: value` header lines,
/// an empty line, and the body (everything after it, raw bytes).
pub fn wire_request(http: HttpMethod, data: &[u8]) -> WireRequest {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split('\n');
    let path_and_query = lines.next().unwrap_or("/").to_owned();
    let headers = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect();
    WireRequest { http, path_and_query, headers, body: body.to_vec() }
}

/// A concrete path for an endpoint pattern (`{x}` → a valid order number).
pub fn concrete_path(pattern: &str) -> String {
    pattern.split('/').map(|s| if s.starts_with('{') && s.ends_with('}') { "AB12cd34EF" } else { s }).collect::<Vec<_>>().join("/")
}
