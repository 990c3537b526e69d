//! The HiPOS token: the proxy asks `POST /openapi/token/hishop` for it with
//! the registered hostname, caches it (with the merchant id that comes with
//! it) for the configured lifetime (HiPOS documents none), and drops it when
//! HiPOS answers 6001 so the next call fetches a fresh one. The browser
//! never sees it. It is the only token the merchant should hold: HiPOS signs
//! notifications with the newest token it issued, so every HiPOS call of the
//! merchant's, browser or back office, goes through this one cache.

use super::error::ProxyError;
use super::upstream::{send, upstream_url};
use super::{now_ms, Shared};
use axum::http::StatusCode;
use paybridge::gateway::hipos::{parse_token, token_request, HiPosToken, TOKEN_PATH};
use paybridge::gateway::{rules, wire};
use paybridge::json::Value;
use paybridge::model::Gateway;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The cached token (with its merchant id) and when it was fetched.
pub struct TokenCache {
    ttl: Duration,
    slot: Mutex<Option<(HiPosToken, Instant)>>,
}

impl TokenCache {
    /// An empty cache whose tokens are used for `ttl`.
    pub fn new(ttl: Duration) -> TokenCache {
        TokenCache { ttl, slot: Mutex::new(None) }
    }

    /// The cached token, fetching one first when there is none or it is
    /// older than the lifetime. Concurrent callers share one fetch.
    pub async fn get(&self, shared: &Shared) -> Result<HiPosToken, ProxyError> {
        let mut slot = self.slot.lock().await;
        if let Some((token, at)) = slot.as_ref() {
            if at.elapsed() < self.ttl {
                return Ok(token.clone());
            }
        }
        let token = fetch(shared).await?;
        *slot = Some((token.clone(), Instant::now()));
        Ok(token)
    }

    /// Forgets `token` if it is still the cached one (HiPOS refused it).
    pub async fn invalidate(&self, token: &str) {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|(t, _)| t.token == token) {
            *slot = None;
        }
    }
}

fn auth_failed(message: impl Into<String>) -> ProxyError {
    ProxyError::new(StatusCode::BAD_GATEWAY, "upstream_auth_failed", message)
}

/// Asks HiPOS for a token.
async fn fetch(shared: &Shared) -> Result<HiPosToken, ProxyError> {
    let config = shared.config.gateway(Gateway::HiPos).ok_or_else(|| ProxyError::misconfigured("HiPOS is not configured"))?;
    let endpoint = rules(Gateway::HiPos).ok().and_then(|p| p.endpoint(TOKEN_PATH, None)).ok_or_else(|| ProxyError::misconfigured("this build has no HiPOS token endpoint"))?;
    let codec = wire(Gateway::HiPos).map_err(|e| ProxyError::misconfigured(e.to_string()))?;
    let request = token_request(&shared.config.notify_url(Gateway::HiPos));
    let signed = codec
        .encode_request(endpoint, TOKEN_PATH, &request.params, &config.secrets, now_ms())
        .map_err(|e| ProxyError::misconfigured(format!("HiPOS token request: {}", e.detail.as_deref().unwrap_or_default())))?;
    let url = upstream_url(config, endpoint, TOKEN_PATH, &signed);
    let reply = send(&shared.client, &url, &signed, shared.config.upstream_timeout).await?;
    let body = std::str::from_utf8(&reply.body)
        .ok()
        .and_then(|t| paybridge::json::parse(t).ok())
        .filter(|v| matches!(v, Value::Object(_)))
        .ok_or_else(|| ProxyError::bad_upstream_body("the HiPOS token answer is not a JSON object"))?;
    parse_token(&body).map_err(|e| auth_failed(format!("HiPOS gave no token: {}", e.gateway_code.as_deref().or(e.detail.as_deref()).unwrap_or_default())))
}

/// Whether a HiPOS answer refuses the token (code 6001 in any `*_response`).
pub fn refuses_token(body: &[u8]) -> bool {
    let Some(value) = std::str::from_utf8(body).ok().and_then(|t| paybridge::json::parse(t).ok()) else { return false };
    value.members().unwrap_or(&[]).iter().any(|(k, v)| k.ends_with("_response") && v.get("code").and_then(Value::as_text) == Some("6001"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_token_refusal() {
        assert!(refuses_token(br#"{"o2o_order_response":{"code":6001,"msg":"x"}}"#));
        assert!(refuses_token(br#"{"o2o_order_response":{"code":"6001"}}"#));
        assert!(!refuses_token(br#"{"o2o_order_response":{"code":0}}"#));
        assert!(!refuses_token(b"not json"));
    }
}
