//! The access token of the gateway whose calls carry one (its wire's
//! `access_token`: HiPOS, which the proxy asks `POST /openapi/token/hishop`
//! with the registered hostname): the proxy keeps it (with the merchant id that comes
//! with it) for the configured lifetime (HiPOS documents none). The browser
//! never sees it. It is the only token the merchant should hold: HiPOS signs
//! notifications with the newest token it issued, so every HiPOS call of the
//! merchant's, browser or back office, on every instance, uses the token in
//! the store: an instance reads the store's token first and fetches one only
//! when there is none, it is older than the lifetime or HiPOS refused it
//! (6001: it is then deleted from the store too), and writes it back. Each
//! instance keeps a copy in memory so the browser path does not read the
//! store on every call. Instances whose token ran out at the same time fetch
//! one between them: the fetching instance holds the store's lease on the
//! fetch, the others wait for its token (a second fetch would make HiPOS
//! sign with a token the first instance never stored).

use super::config::ProxyConfig;
use super::error::ProxyError;
use super::upstream::{send, upstream_url};
use super::{now_ms, Shared};
use crate::store::StoredToken;
use axum::http::StatusCode;
use paybridge::gateway::wire::{AccessToken, IssuedToken};
use paybridge::gateway::{rules, wire};
use paybridge::json::Value;
use paybridge::model::Gateway;
use std::time::Duration;
use tokio::sync::Mutex;

/// How much longer than the upstream timeout a token fetch lease lasts.
const LEASE_MARGIN_MS: i64 = 5_000;
/// How often an instance waiting for another's token fetch reads the store.
const LEASE_POLL: Duration = Duration::from_millis(50);

/// This instance's copy of the shared token.
pub struct TokenCache {
    ttl_ms: i64,
    slot: Mutex<Option<StoredToken>>,
}

impl TokenCache {
    /// An empty cache whose tokens are used for `ttl`.
    pub fn new(ttl: Duration) -> TokenCache {
        TokenCache { ttl_ms: i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX), slot: Mutex::new(None) }
    }

    /// The token to call HiPOS with: this instance's copy while it is young
    /// enough, else the store's, else a freshly fetched one (written to the
    /// store). Concurrent callers of one instance share one fetch.
    pub async fn get(&self, shared: &Shared) -> Result<IssuedToken, ProxyError> {
        let mut slot = self.slot.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| self.fresh(t)) {
            return Ok(issued(token));
        }
        self.refresh(shared, &mut slot).await
    }

    /// The token HiPOS signs notifications with as far as the store knows:
    /// the store's (another instance may have replaced it), else [`Self::get`].
    pub async fn current(&self, shared: &Shared) -> Result<IssuedToken, ProxyError> {
        let mut slot = self.slot.lock().await;
        self.refresh(shared, &mut slot).await
    }

    /// Forgets `token` here and in the store if it is still the current one
    /// (HiPOS refused it).
    pub async fn invalidate(&self, shared: &Shared, token: &str) -> Result<(), ProxyError> {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|t| t.token == token) {
            *slot = None;
        }
        Ok(shared.store.invalidate_hipos_token(token).await?)
    }

    /// Takes the store's token when it is young enough, else one new token
    /// ([`Self::shared_token`]).
    async fn refresh(&self, shared: &Shared, slot: &mut Option<StoredToken>) -> Result<IssuedToken, ProxyError> {
        let token = self.shared_token(shared).await?;
        let answer = issued(&token);
        *slot = Some(token);
        Ok(answer)
    }

    /// The store's token when it is young enough; else the one this instance
    /// fetches while it holds the store's lease on fetching, or the one the
    /// instance holding that lease stores (waited for, at most two leases).
    async fn shared_token(&self, shared: &Shared) -> Result<StoredToken, ProxyError> {
        // A lease outlives the fetch it covers (bounded by the upstream timeout).
        let lease_ms = i64::try_from(shared.config.upstream_timeout.as_millis()).unwrap_or(i64::MAX).saturating_add(LEASE_MARGIN_MS);
        let give_up_ms = now_ms().saturating_add(lease_ms.saturating_mul(2));
        loop {
            if let Some(stored) = shared.store.hipos_token().await?.filter(|t| self.fresh(t)) {
                return Ok(stored);
            }
            let now = now_ms();
            if let Some(lease) = shared.store.claim_hipos_token_fetch(now, now.saturating_add(lease_ms)).await? {
                let token = self.fetch_under_lease(shared).await;
                if let Err(e) = shared.store.release_hipos_token_fetch(&lease).await {
                    tracing::warn!(error = %e, "the HiPOS token fetch lease was not released; it runs out by itself");
                }
                return token;
            }
            if now >= give_up_ms {
                return Err(ProxyError::new(StatusCode::GATEWAY_TIMEOUT, "upstream_timeout", "another instance's HiPOS token fetch did not finish in time"));
            }
            tokio::time::sleep(LEASE_POLL).await;
        }
    }

    /// Under the fetch lease: the store's token if another instance stored a
    /// young one since it was read, else a fetched one, stored.
    async fn fetch_under_lease(&self, shared: &Shared) -> Result<StoredToken, ProxyError> {
        if let Some(stored) = shared.store.hipos_token().await?.filter(|t| self.fresh(t)) {
            return Ok(stored);
        }
        let fetched = fetch(shared).await?;
        let stored = StoredToken { token: fetched.token, merchant_id: fetched.merchant_id, fetched_at_ms: now_ms() };
        shared.store.put_hipos_token(&stored).await?;
        Ok(stored)
    }

    fn fresh(&self, token: &StoredToken) -> bool {
        now_ms().saturating_sub(token.fetched_at_ms) < self.ttl_ms
    }
}

fn issued(token: &StoredToken) -> IssuedToken {
    IssuedToken { token: token.token.clone(), merchant_id: token.merchant_id.clone() }
}

fn auth_failed(message: impl Into<String>) -> ProxyError {
    ProxyError::new(StatusCode::BAD_GATEWAY, "upstream_auth_failed", message)
}

/// The configured gateway whose calls carry an access token, with its
/// token rules (one at most: the store keeps one token).
pub fn token_gateway(config: &ProxyConfig) -> Option<(Gateway, &'static dyn AccessToken)> {
    config.gateways.iter().find_map(|(g, _)| Some((*g, wire(*g).ok()?.access_token()?)))
}

/// Asks the gateway for a token.
async fn fetch(shared: &Shared) -> Result<IssuedToken, ProxyError> {
    let (gw, tokens) = token_gateway(&shared.config).ok_or_else(|| ProxyError::misconfigured("no configured gateway issues access tokens"))?;
    let name = gw.as_str();
    let config = shared.config.gateway(gw).ok_or_else(|| ProxyError::misconfigured(format!("{name} is not configured")))?;
    let request = tokens.token_request(&shared.config.notify_url(gw));
    let path = request.path.as_str();
    let endpoint =
        rules(gw).ok().and_then(|p| p.endpoint_for(path, None, request.http)).ok_or_else(|| ProxyError::misconfigured(format!("this build has no {name} token endpoint")))?;
    let codec = wire(gw).map_err(|e| ProxyError::misconfigured(e.to_string()))?;
    let signed = codec
        .encode_request(endpoint, path, &request.params.value(), &config.secrets, now_ms())
        .map_err(|e| ProxyError::misconfigured(format!("{name} token request: {}", e.detail.as_deref().unwrap_or_default())))?;
    let url = upstream_url(config, endpoint, path, &signed);
    let reply = send(&shared.client, &url, &signed, shared.config.upstream_timeout).await?;
    let body = std::str::from_utf8(&reply.body)
        .ok()
        .and_then(|t| paybridge::json::parse(t).ok())
        .filter(|v| matches!(v, Value::Object(_)))
        .ok_or_else(|| ProxyError::bad_upstream_body(format!("the {name} token answer is not a JSON object")))?;
    tokens.parse_token(&body).map_err(|e| auth_failed(format!("{name} gave no token: {}", e.gateway_code.as_deref().or(e.detail.as_deref()).unwrap_or_default())))
}
