//! Sending a signed request to the gateway: where it goes (base URL and
//! `path_map`), with what method and headers, bounded in time and size.

use super::config::GatewayConfig;
use super::error::ProxyError;
use axum::http::{Method, Request, StatusCode, Uri};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
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

/// The HTTP client for gateway calls: hyper's pooled client (keep-alive,
/// HTTPS through rustls with the webpki roots, HTTP/1.1). It follows no
/// redirect: a signed call goes to the configured upstream only (a 307 would
/// re-send the signed body wherever the answer points), and a 3xx answer
/// fails as not JSON.
pub type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A new [`HttpClient`].
pub fn client() -> HttpClient {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    let https = HttpsConnectorBuilder::new().with_webpki_roots().https_or_http().enable_http1().wrap_connector(http);
    Client::builder(TokioExecutor::new()).build(https)
}

/// Sends `wire` to `url` and reads the answer, within `timeout` overall.
pub async fn send(client: &HttpClient, url: &str, wire: &WireRequest, timeout: Duration) -> Result<UpstreamReply, ProxyError> {
    let method = match wire.http {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
    };
    let uri: Uri = url.parse().map_err(|_| unreachable_upstream())?;
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in &wire.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let request = request.body(Full::new(Bytes::copy_from_slice(&wire.body))).map_err(|_| unreachable_upstream())?;
    let started = Instant::now();
    let exchange = async {
        let response = client.request(request).await.map_err(|_| unreachable_upstream())?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        let mut stream = response.into_body();
        while let Some(frame) = stream.frame().await {
            let Ok(data) = frame.map_err(|_| unreachable_upstream())?.into_data() else { continue };
            if body.len() + data.len() > MAX_UPSTREAM_BODY {
                return Err(ProxyError::bad_upstream_body("the gateway's answer is too large"));
            }
            body.extend_from_slice(&data);
        }
        Ok((status, body))
    };
    let (status, body) =
        tokio::time::timeout(timeout, exchange).await.map_err(|_| ProxyError::new(StatusCode::GATEWAY_TIMEOUT, "upstream_timeout", "the gateway did not answer in time"))??;
    Ok(UpstreamReply { status, body, elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX) })
}

fn unreachable_upstream() -> ProxyError {
    ProxyError::new(StatusCode::BAD_GATEWAY, "upstream_unreachable", "the gateway could not be reached")
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
