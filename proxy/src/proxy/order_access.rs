//! The gate in front of every browser call about one order: the merchant's
//! order source must know the order, the caller must hold its client secret,
//! and the order's rate limit must allow the call — in that order, so a
//! stranger spends nothing of the owner's (no rate-limit token, no gateway
//! call). An order the merchant does not have is refused exactly like a
//! wrong client secret, so order numbers cannot be probed; only with
//! `require_client_secret = false` (no secrets: order numbers are the only
//! key) is it 404 `unknown_order`.

use super::{security, ProxyError, Shared};
use crate::orders::{OrderRecord, OrderSourceError};
use axum::http::{HeaderMap, StatusCode};
use std::time::Instant;

/// The merchant's record of `order`, once `headers` carry its client secret
/// and the rate limit for `{gateway}/{order}` allows one more call.
pub async fn authorised_order(shared: &Shared, headers: &HeaderMap, gateway: &str, order: &str) -> Result<OrderRecord, ProxyError> {
    let record = match shared.orders.lookup(order).await {
        Ok(Some(record)) => record,
        Ok(None) if shared.config.security.require_client_secret => {
            tracing::info!(gateway, order, "the merchant has no such order: refused as a client secret mismatch");
            return Err(security::client_secret_refused());
        }
        Ok(None) => return Err(ProxyError::new(StatusCode::NOT_FOUND, "unknown_order", format!("the merchant has no order {order:?}"))),
        Err(OrderSourceError::Timeout) => return Err(ProxyError::new(StatusCode::GATEWAY_TIMEOUT, "order_source_timeout", "the merchant's order source did not answer in time")),
        Err(e) => return Err(ProxyError::new(StatusCode::BAD_GATEWAY, "order_source_unavailable", e)),
    };
    security::check_client_secret(&record, headers, shared.config.security.require_client_secret)?;
    if !shared.limiter.allow(&format!("{gateway}/{order}"), Instant::now()) {
        return Err(ProxyError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests for this order; slow down"));
    }
    Ok(record)
}
