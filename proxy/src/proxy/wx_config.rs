//! `POST /wx-config`: the signed `wx.config` a WeChat HK-wallet payment
//! needs (BlueOcean seed 001 L814–L834; BlueOcean's checkout step in the core,
//! `src/gateway/blueocean/checkout_step.rs`).
//!
//! The page sends `{"gateway", "outTradeNo", "url"}` with the order's client
//! secret; the proxy answers `{"beta":true,"debug":false,"appId",
//! "timestamp","nonceStr","signature","jsApiList":["getH5PrepayRequest"]}`,
//! `signature` being the JS-SDK's SHA-1 over the official account's
//! `jsapi_ticket`, a fresh nonce, the time and the page URL. Only an order's
//! own page gets one (client secret, rate limit, as for gateway calls).
//!
//! The gateway's secrets name the official account: `sub_appid_official_account`
//! (its app id, also sent as `sub_appid`) and `wechat_app_secret` (its
//! AppSecret); `wechat_api_base` (default `https://api.weixin.qq.com`) is
//! where the access token and the ticket are fetched (`/cgi-bin/token`,
//! `/cgi-bin/ticket/getticket`). The ticket is kept per instance until five
//! minutes before WeChat's `expires_in` ends.

use super::error::ProxyError;
use super::order_access::authorised_order;
use super::{now_ms, security, ProxyState, Shared};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paybridge::gateway::blueocean::hk_wallet::{js_config, js_sdk_signature, parse_wechat_answer, ticket_url, token_url};
use paybridge::gateway::wire::WireRequest;
use paybridge::gateway::HttpMethod;
use paybridge::json::Value;
use paybridge::model::Gateway;
use std::collections::HashMap;
use tokio::sync::Mutex;

/// WeChat's API, where no `wechat_api_base` is configured.
const WECHAT_API: &str = "https://api.weixin.qq.com";
/// A ticket is fetched again this long before WeChat says it expires.
const TICKET_MARGIN_MS: i64 = 300_000;

/// This instance's `jsapi_ticket`s, by official-account app id.
#[derive(Default)]
pub struct TicketCache(Mutex<HashMap<String, (String, i64)>>);

impl TicketCache {
    /// The account's ticket: the kept one while it is young enough, else a
    /// fresh one (access token, then ticket). Callers share one fetch.
    async fn get(&self, shared: &Shared, api_base: &str, app_id: &str, app_secret: &str) -> Result<String, ProxyError> {
        let mut slot = self.0.lock().await;
        let now = now_ms();
        if let Some((ticket, _)) = slot.get(app_id).filter(|(_, until)| *until > now) {
            return Ok(ticket.clone());
        }
        let (token, _) = wechat_get(shared, &token_url(api_base, app_id, app_secret), "access_token").await?;
        let (ticket, life_s) = wechat_get(shared, &ticket_url(api_base, &token), "ticket").await?;
        let until = now + (life_s * 1000 - TICKET_MARGIN_MS).max(0);
        slot.insert(app_id.to_owned(), (ticket.clone(), until));
        Ok(ticket)
    }
}

/// One WeChat API `GET`, bounded by the upstream timeout: `field` and its life.
async fn wechat_get(shared: &Shared, url: &str, field: &str) -> Result<(String, i64), ProxyError> {
    let get = WireRequest { http: HttpMethod::Get, path_and_query: String::new(), headers: Vec::new(), body: Vec::new() };
    let reply = super::upstream::send(&shared.client, url, &get, shared.config.upstream_timeout).await.map_err(|e| match e.code {
        "upstream_timeout" | "upstream_unreachable" => ProxyError::new(e.status, e.code, format!("WeChat's API did not answer the {field} request")),
        _ => e,
    })?;
    let body = std::str::from_utf8(&reply.body)
        .ok()
        .and_then(|t| paybridge::json::parse(t).ok())
        .ok_or_else(|| ProxyError::bad_upstream_body(format!("WeChat's {field} answer is not JSON")))?;
    parse_wechat_answer(&body, field).map_err(|e| {
        let code = e.gateway_code.clone().unwrap_or_default();
        ProxyError::new(
            StatusCode::BAD_GATEWAY,
            "wechat_refused",
            format!("WeChat refused the {field} request (errcode {code}); check the official account's AppSecret and IP allowlist"),
        )
    })
}

/// The page URL to sign: absolute http(s), at most 1024 bytes, no spaces or
/// control characters; the `#` fragment is not signed.
fn page_url(url: &str) -> Result<&str, ProxyError> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://")) && url.len() <= 1024 && !url.bytes().any(|b| b <= b' ' || b == 0x7f);
    if !ok {
        return Err(ProxyError::bad_request("url must be the paying page's absolute http(s) URL"));
    }
    Ok(url.split('#').next().unwrap_or(url))
}

/// A random nonce of 16 letters and digits.
fn nonce() -> Result<String, ProxyError> {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| ProxyError::misconfigured("the OS random source failed"))?;
    Ok(bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect())
}

/// The handler.
pub async fn wx_config(State(state): State<ProxyState>, request: Request) -> Response {
    match handle(&state.0, request).await {
        Ok(config) => {
            let mut response = (StatusCode::OK, config.to_json()).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => {
            tracing::info!(status = e.status.as_u16(), error = e.code, "wx_config");
            e.into_response()
        }
    }
}

async fn handle(shared: &Shared, request: Request) -> Result<Value, ProxyError> {
    let headers = request.headers().clone();
    let bytes = axum::body::to_bytes(request.into_body(), shared.config.max_body_bytes)
        .await
        .map_err(|_| ProxyError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "the body is too large"))?;
    let body = std::str::from_utf8(&bytes).ok().and_then(|t| paybridge::json::parse(t).ok()).ok_or_else(|| ProxyError::bad_request("the body must be a JSON object"))?;
    let text = |k: &str| body.text(k).ok_or_else(|| ProxyError::bad_request(format!("`{k}` is required")));
    let name = text("gateway")?;
    let unknown = || ProxyError::new(StatusCode::NOT_FOUND, "unknown_gateway", format!("this proxy does not serve gateway {name:?}"));
    let gateway = Gateway::parse(name).ok_or_else(unknown)?;
    let config = shared.config.gateway(gateway).ok_or_else(unknown)?;
    let not_configured =
        || ProxyError::new(StatusCode::NOT_FOUND, "wx_config_not_configured", "no WeChat official account (sub_appid_official_account, wechat_app_secret) is configured");
    let app_id = config.secrets.get(security::SUB_APPID_OFFICIAL_ACCOUNT).map_err(|_| not_configured())?;
    let app_secret = config.secrets.get("wechat_app_secret").map_err(|_| not_configured())?;
    let api_base = config.secrets.get("wechat_api_base").unwrap_or(WECHAT_API);
    if !api_base.starts_with("https://") && !shared.config.security.insecure_sandbox {
        return Err(ProxyError::misconfigured("wechat_api_base must be https (http only with insecure_sandbox)"));
    }
    let url = page_url(text("url")?)?;
    let order = text("outTradeNo")?;
    authorised_order(shared, &headers, name, order).await?;
    let ticket = shared.tickets.get(shared, api_base, app_id, app_secret).await?;
    let timestamp = now_ms() / 1000;
    let nonce = nonce()?;
    Ok(js_config(app_id, timestamp, &nonce, &js_sdk_signature(&ticket, &nonce, timestamp, url)))
}

#[cfg(test)]
mod tests {
    use super::page_url;

    #[test]
    fn page_urls() {
        assert_eq!(page_url("https://shop.example/pay?o=1#x").unwrap(), "https://shop.example/pay?o=1");
        for bad in ["javascript:alert(1)", "/pay", "https://shop.example/a b", ""] {
            assert!(page_url(bad).is_err(), "{bad}");
        }
    }
}
