//! The back office: the merchant's own servers (never a browser) query,
//! close and refund orders and read the event log.
//!
//! - Over HTTP ([`http`]): `/back-office/…` behind `Authorization: Bearer
//!   <[back_office] token>` ([`config`]), outside CORS.
//! - In Rust: [`ProxyState::back_office`] sends any allowlisted endpoint of a
//!   gateway, browser-facing or not, through the same round trip as the
//!   browser's calls ([`super::exchange::call`]): the gateway's signing and
//!   encoding, the one HiPOS token cache with its refresh on 6001, the
//!   upstream timeout and the response check.

mod config;
mod http;

pub use config::BackOfficeConfig;
pub(super) use config::FileBackOffice;
pub(super) use http::routes;

use super::error::ProxyError;
use super::exchange;
use super::forward::{gateway_order_id, order_reference};
use super::ProxyState;
use axum::http::StatusCode;
use paybridge::gateway::{rules, GatewayRequest, Operation};
use paybridge::json::Value;

impl ProxyState {
    /// Sends `request` (built by the merchant's server, e.g. with
    /// `paybridge::gateway::hipos::device_authcode_request`) to
    /// `request.gateway` and returns the gateway's answer as parsed JSON,
    /// whatever its HTTP status: gateway errors are in the body, as for
    /// browser calls.
    ///
    /// The request is the merchant's own and trusted: its parameters go as
    /// they are (no amount from the order record, no notify URL or client
    /// IP is added); the proxy adds the credentials, the signature and, for
    /// HiPOS, its cached token. A cancel passes the cancel-safety rule
    /// first, as from a browser. Refused with [`ProxyError`]: a gateway the
    /// proxy does not serve (`unknown_gateway`), a path not on the
    /// gateway's allowlist or the token endpoint, whose token the proxy
    /// manages itself (`path_not_allowed`); then every error of a browser
    /// call (`upstream_timeout`, `upstream_bad_signature`…).
    pub async fn back_office(&self, request: &GatewayRequest) -> Result<Value, ProxyError> {
        let result = self.send_back_office(request).await;
        let (verified, upstream_ms) = result.as_ref().map_or((None, None), |a| (Some(a.verified), Some(a.upstream_ms)));
        tracing::info!(
            gateway = request.gateway.as_str(),
            path = request.path,
            status = result.as_ref().map_or_else(|e| e.status.as_u16(), |a| a.status),
            error = result.as_ref().err().map(|e| e.code),
            upstream_ms,
            verified,
            "back_office_request"
        );
        result.map(|answer| answer.value)
    }

    /// The HiPOS merchant id that came with the proxy's cached token
    /// (fetching a token first when there is none), for the back-office
    /// paths that name it (`{merchantId}`).
    pub async fn hipos_merchant_id(&self) -> Result<String, ProxyError> {
        let shared = &self.0;
        super::access_token::token_gateway(&shared.config)
            .ok_or_else(|| ProxyError::new(StatusCode::NOT_FOUND, "unknown_gateway", "this proxy serves no gateway that issues tokens (HiPOS)"))?;
        Ok(shared.tokens.get(shared).await?.merchant_id)
    }

    async fn send_back_office(&self, request: &GatewayRequest) -> Result<exchange::Answer, ProxyError> {
        let shared = &self.0;
        let gw = request.gateway;
        let unknown = || ProxyError::new(StatusCode::NOT_FOUND, "unknown_gateway", format!("this proxy does not serve gateway {:?}", gw.as_str()));
        shared.config.gateway(gw).ok_or_else(unknown)?;
        let proto = rules(gw).map_err(|_| unknown())?;
        let path = request.path.as_str();
        let params = request.params.value();
        let endpoint = proto
            .endpoint_for(path, params.text("method"), request.http)
            .filter(|e| e.operation != Operation::Token)
            .ok_or_else(|| ProxyError::new(StatusCode::NOT_FOUND, "path_not_allowed", format!("{path} is not on the {} allowlist", gw.as_str())))?;
        if endpoint.operation == Operation::Cancel {
            let order = order_reference(endpoint, path, &params)?.ok_or_else(|| ProxyError::bad_request("a cancel must name its order"))?;
            exchange::ensure_unpaid(shared, gw, &order, gateway_order_id(proto, &params), proto.request_wallet(&params)).await?;
        }
        exchange::call(shared, gw, endpoint, path, &params).await
    }
}
