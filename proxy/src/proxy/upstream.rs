//! Sending a signed request to the gateway: where it goes (base URL and
//! `path_map`), with what method and headers, bounded in time and size.

use super::config::GatewayConfig;
use super::error::ProxyError;
use axum::http::StatusCode;
use paybridge::gateway::wire::WireRequest;
use paybridge::gateway::{path_matches, Endpoint, HttpMethod};
use std::time::{Duration, Instant};

/// Largest gateway answer read, in bytes (the JSON reader's own limit).
pub const MAX_UPSTREAM_BODY: usize = paybridge::json::MAX_INPUT;

/// A gateway's answer.
pub struct UpstreamReply {
    pub status: u16,
    pub body: Vec<u8>,
    /// Time from sending to the last byte, in milliseconds.
    pub elapsed_ms: u64,
}

/// The upstream path for `path` (the gateway path the browser named, which
/// matches `endpoint`): the `path_map` entry for the path or its pattern,
/// with `{name}` segments filled from `path`; else `path` itself.
fn mapped_path(config: &GatewayConfig, endpoint: &Endpoint, path: &str) -> String {
    let Some((pattern, target)) = config.path_map.iter().find(|(from, _)| from == path || from == endpoint.path || path_matches(from, path)) else {
        return path.to_owned();
    };
    let mut out = target.clone();
    for (p, s) in pattern.split('/').zip(path.split('/')) {
        if p.starts_with('{') && p.ends_with('}') {
            out = out.replace(p, s);
        }
    }
    out
}

/// The absolute URL `wire` goes to: its path swapped for the mapped one,
/// under `base_url` unless the mapping is itself absolute.
pub fn upstream_url(config: &GatewayConfig, endpoint: &Endpoint, path: &str, wire: &WireRequest) -> String {
    let rest = wire.path_and_query.strip_prefix(path).unwrap_or("");
    let target = mapped_path(config, endpoint, path);
    if target.starts_with("https://") || target.starts_with("http://") {
        format!("{target}{rest}")
    } else {
        format!("{}{target}{rest}", config.base_url.trim_end_matches('/'))
    }
}

/// Sends `wire` to `url` and reads the answer, within `timeout` overall.
pub async fn send(client: &reqwest::Client, url: &str, wire: &WireRequest, timeout: Duration) -> Result<UpstreamReply, ProxyError> {
    let method = match wire.http {
        HttpMethod::Get => reqwest::Method::GET,
        HttpMethod::Post => reqwest::Method::POST,
        HttpMethod::Put => reqwest::Method::PUT,
    };
    let mut request = client.request(method, url).timeout(timeout);
    for (name, value) in &wire.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    if !wire.body.is_empty() || wire.http != HttpMethod::Get {
        request = request.body(wire.body.clone());
    }
    let started = Instant::now();
    let mut response = request.send().await.map_err(network_error)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network_error)? {
        if body.len() + chunk.len() > MAX_UPSTREAM_BODY {
            return Err(ProxyError::bad_upstream_body("the gateway's answer is too large"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(UpstreamReply { status, body, elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX) })
}

fn network_error(e: reqwest::Error) -> ProxyError {
    if e.is_timeout() {
        ProxyError::new(StatusCode::GATEWAY_TIMEOUT, "upstream_timeout", "the gateway did not answer in time")
    } else {
        ProxyError::new(StatusCode::BAD_GATEWAY, "upstream_unreachable", "the gateway could not be reached")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paybridge::gateway::rules;
    use paybridge::gateway::wire::Secrets;
    use paybridge::model::Gateway;

    fn config(path_map: &[(&str, &str)]) -> GatewayConfig {
        GatewayConfig {
            base_url: "https://gw.example/api/".into(),
            secrets: Secrets::default(),
            path_map: path_map.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
            verify_responses: true,
        }
    }

    fn wire(path_and_query: &str) -> WireRequest {
        WireRequest { http: HttpMethod::Get, path_and_query: path_and_query.into(), headers: Vec::new(), body: Vec::new() }
    }

    #[test]
    fn maps_paths_patterns_and_hosts() {
        let bee = rules(Gateway::BeeCloud).unwrap();
        let revert = bee.endpoint("/2/rest/offline/bill/AB123456", None).unwrap();
        let path = "/2/rest/offline/bill/AB123456";
        assert_eq!(upstream_url(&config(&[]), revert, path, &wire(path)), "https://gw.example/api/2/rest/offline/bill/AB123456");
        let c = config(&[("/2/rest/offline/bill/{bill_no}", "/v2/bill/{bill_no}/revert")]);
        assert_eq!(upstream_url(&c, revert, path, &wire(path)), "https://gw.example/api/v2/bill/AB123456/revert");
        let hipo = rules(Gateway::HipoPay).unwrap();
        let query = hipo.endpoint("/order", None).unwrap();
        let c = config(&[("/order", "https://other.example/q")]);
        assert_eq!(upstream_url(&c, query, "/order", &wire("/order?a=1")), "https://other.example/q?a=1");
    }
}
