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

/// The sandbox test credentials, one TOML table per gateway (all values strings).
const CREDENTIALS_TOML: &str = include_str!("../../fixtures/sandbox-credentials.toml");

/// Secrets not in that file: keys too long for it (as the sandbox modules'
/// `fixture_keys` add them) and HiPOS's token (which its sandbox issues).
const MORE_SECRETS: &[(Gateway, &str, &str)] = &[
    (Gateway::HipoPay, "private_key_pem", include_str!("../../fixtures/keys/hipopay-sandbox-test-agent-private.pem")),
    (Gateway::HipoPay, "public_key_pem", include_str!("../../fixtures/keys/hipopay-sandbox-test-agent-public.pem")),
    (Gateway::HipoPay, "hipopay_private_key_pem", include_str!("../../fixtures/keys/hipopay-sandbox-test-gateway-private.pem")),
    (Gateway::HipoPay, "hipopay_public_key_pem", include_str!("../../fixtures/keys/hipopay-sandbox-test-gateway-public.pem")),
    (Gateway::HiPos, "token", "sandbox-test-token-hipos-0000"),
];

/// The sandbox test secrets of `gateway`: its table of
/// `fixtures/sandbox-credentials.toml`, and its [`MORE_SECRETS`].
pub fn secrets(gateway: Gateway) -> Secrets {
    let mut table = "";
    let mut pairs = Vec::new();
    for line in CREDENTIALS_TOML.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            table = name;
        } else if let Some((key, value)) = line.split_once('=').filter(|_| table == gateway.as_str() && !line.starts_with('#')) {
            if let Some(value) = value.trim().strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                pairs.push((key.trim(), value));
            }
        }
    }
    pairs.extend(MORE_SECRETS.iter().filter(|(g, ..)| *g == gateway).map(|&(_, k, v)| (k, v)));
    Secrets::from_pairs(pairs)
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
