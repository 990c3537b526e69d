//! One signed round trip to a gateway, and what the proxy checks in it: the
//! HiPOS token (refreshed once on 6001), a JSON answer, the response
//! signature. Also the two rules built on queries: cancel safety and
//! long-poll.

use super::error::ProxyError;
use super::longpoll::WaitOutcome;
use super::upstream::{send, upstream_url};
use super::{now_ms, Shared};
use axum::http::StatusCode;
use paybridge::error::ErrorCode;
use paybridge::gateway::wire::{ResponseCheck, Secrets};
use paybridge::gateway::{protocol, rules, wire, Endpoint, OrderRef};
use paybridge::i18n::Locale;
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode, PayState};
use std::time::Duration;

/// A gateway answer that passed the proxy's checks.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    /// The gateway's body, verbatim.
    pub body: Vec<u8>,
    /// The parsed body.
    pub value: Value,
    /// Whether a response signature was checked and right.
    pub verified: bool,
    /// Time spent waiting for the gateway, in milliseconds.
    pub upstream_ms: u64,
}

/// Signs `params` for `endpoint` at the concrete `path`, sends them, and
/// checks the answer. HiPOS calls carry the cached token; on a 6001 answer
/// the token is fetched again and the call repeated once.
pub async fn call(shared: &Shared, gateway: Gateway, endpoint: &Endpoint, path: &str, params: &Value) -> Result<Answer, ProxyError> {
    call_in(shared, gateway, endpoint, path, params, None).await
}

/// [`call`] asking for the gateway's messages in `locale` (the checkout's,
/// from the browser's `Accept-Language`) where the gateway offers a choice.
pub async fn call_in(shared: &Shared, gateway: Gateway, endpoint: &Endpoint, path: &str, params: &Value, locale: Option<Locale>) -> Result<Answer, ProxyError> {
    let config = shared.config.gateway(gateway).ok_or_else(|| ProxyError::misconfigured(format!("{} is not configured", gateway.as_str())))?;
    let codec = wire(gateway).map_err(|e| ProxyError::misconfigured(e.to_string()))?;
    let mut upstream_ms = 0;
    for attempt in 0..2 {
        let mut secrets: Secrets = config.secrets.clone();
        let token = match codec.access_token() {
            Some(_) => Some(shared.tokens.get(shared).await?.token),
            None => None,
        };
        if let Some(t) = &token {
            secrets.0.push(("token".to_owned(), t.clone()));
        }
        let mut signed = codec.encode_request(endpoint, path, params, &secrets, now_ms()).map_err(|e| {
            let detail = e.detail.clone().unwrap_or_else(|| e.to_string());
            if e.code == ErrorCode::ProxyError {
                ProxyError::misconfigured(detail)
            } else {
                ProxyError::bad_request(detail)
            }
        })?;
        if let Some(locale) = locale {
            codec.localize(&mut signed, locale);
        }
        let url = upstream_url(config, endpoint, path, &signed);
        let reply = send(&shared.client, &url, &signed, shared.config.upstream_timeout).await?;
        upstream_ms += reply.elapsed_ms;
        if let Some(t) = token {
            if attempt == 0 && codec.access_token().is_some_and(|a| a.refuses_token(&reply.body)) {
                shared.tokens.invalidate(shared, &t).await?;
                continue;
            }
        }
        let value = std::str::from_utf8(&reply.body)
            .ok()
            .and_then(|t| paybridge::json::parse(t).ok())
            .filter(|v| matches!(v, Value::Object(_)))
            .ok_or_else(|| ProxyError::bad_upstream_body(format!("the gateway answered HTTP {} without a JSON object", reply.status)))?;
        // Fail closed: a 2xx answer of a kind the gateway signs must carry a right signature.
        let check = match (config.verify_responses, codec.verify_answer(&value, &secrets)) {
            (false, _) => ResponseCheck::Unsigned,
            (true, ResponseCheck::Missing) if (200..300).contains(&reply.status) && codec.signs_answers_of(endpoint) => ResponseCheck::BadSignature,
            (true, ResponseCheck::Missing) => ResponseCheck::Unsigned,
            (true, check) => check,
        };
        if check == ResponseCheck::BadSignature {
            return Err(ProxyError::new(StatusCode::BAD_GATEWAY, "upstream_bad_signature", "the gateway's answer has a missing, malformed or wrong signature"));
        }
        return Ok(Answer { status: reply.status, body: reply.body, value, verified: check == ResponseCheck::Verified, upstream_ms });
    }
    Err(ProxyError::new(StatusCode::BAD_GATEWAY, "upstream_auth_failed", format!("{} refused a freshly fetched token", gateway.as_str())))
}

/// The order's state from a query answer, if it reads as one.
fn query_state(gateway: Gateway, answer: &Answer) -> Option<PayState> {
    protocol(gateway).ok()?.parse_query(&answer.value).ok().map(|s| s.state)
}

fn cancel_refused(message: String) -> ProxyError {
    ProxyError::new(StatusCode::CONFLICT, "cancel_refused", message)
}

/// The cancel-safety rule: a cancel (close, reverse, revert) is forwarded
/// only when the store records no payment event for the order (see
/// `EventKind::means_paid`; any instance may have recorded it) and a fresh
/// status query through the same upstream (naming the cancel's wallet,
/// `channel`, where it names one) reads `pending` or `paying`. Anything
/// else — paid, closed, unknown, unreadable — refuses it with 409
/// `cancel_refused`, because reversing a paid counter payment refunds it.
pub async fn ensure_unpaid(shared: &Shared, gateway: Gateway, order: &str, gateway_order_id: Option<&str>, channel: Channel) -> Result<(), ProxyError> {
    if shared.store.order_events(gateway, order).await?.iter().any(|e| e.kind.means_paid()) {
        return Err(cancel_refused("the store records a payment for this order".to_owned()));
    }
    let proto = rules(gateway).map_err(|e| ProxyError::misconfigured(e.to_string()))?;
    let order_ref = OrderRef { out_trade_no: order.to_owned(), channel, mode: Mode::Counter, gateway_order_id: gateway_order_id.map(str::to_owned) };
    let query = proto.query_request(&order_ref).map_err(|e| cancel_refused(format!("the order cannot be queried first: {}", e.detail.as_deref().unwrap_or_default())))?;
    let params = query.params.value();
    let endpoint = proto.endpoint(&query.path, params.text("method")).ok_or_else(|| cancel_refused("the gateway has no status query".to_owned()))?;
    let answer = call(shared, gateway, endpoint, &query.path, &params).await?;
    match query_state(gateway, &answer) {
        Some(PayState::Pending | PayState::Paying) => Ok(()),
        Some(state) => Err(cancel_refused(format!("a fresh status query reads {state:?}, not unpaid"))),
        None => Err(cancel_refused("a fresh status query did not confirm the order is unpaid".to_owned())),
    }
}

/// A browser's gateway call: where it goes, and the checkout's language.
#[derive(Clone, Copy)]
pub struct Call<'a> {
    pub gateway: Gateway,
    pub endpoint: &'a Endpoint,
    pub path: &'a str,
    pub params: &'a Value,
    pub locale: Option<Locale>,
}

/// Long-poll: subscribes to the order, queries; if the order is not final
/// yet, holds until its notification arrives or `wait` elapses, then
/// queries again. An answer that is final (`Settled`) or does not read as a
/// status at all (`Error`) comes back at once; a re-check or a wake-up whose
/// answer does not read as a status ends the hold as `Error` too. The answer
/// is always the gateway's own. Every query goes through the order's shared
/// check (one upstream query per order per re-check period); beyond
/// `max_long_poll_waiters` held requests the answer is 503 `too_many_waiters`.
pub async fn long_poll(shared: &Shared, call: &Call<'_>, order: &str, wait: Duration) -> Result<(Answer, WaitOutcome), ProxyError> {
    let Call { gateway, endpoint, path, params, locale } = *call;
    let Some(mut subscription) = shared.waiters.subscribe(gateway, order) else {
        let busy = ProxyError::new(StatusCode::SERVICE_UNAVAILABLE, "too_many_waiters", "too many long-polls are held; retry, or query without wait");
        return Err(busy.retry_after(LONG_POLL_RETRY_AFTER_S));
    };
    let period = shared.config.long_poll_recheck;
    let key = format!("{path} {} {}", params.to_json(), locale.map_or("", Locale::as_str));
    let query = || call_in(shared, gateway, endpoint, path, params, locale);
    let first = subscription.shared_query(&key, period, query).await?;
    let first_state = match query_state(gateway, &first) {
        None => return Ok((first, WaitOutcome::Error)),
        Some(s) if s.is_terminal() => return Ok((first, WaitOutcome::Settled)),
        open => open,
    };
    // Gateways notify payments, not failures or expiries: re-check upstream
    // every period while holding, so those end the hold too.
    let until = tokio::time::Instant::now() + wait;
    let mut upstream_ms = first.upstream_ms;
    loop {
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        let outcome = subscription.wait(left.min(period)).await;
        let mut answer = subscription.shared_query(&key, period, query).await?;
        upstream_ms += answer.upstream_ms;
        let now_left = until.saturating_duration_since(tokio::time::Instant::now());
        let state = query_state(gateway, &answer);
        let outcome = match outcome {
            // Whatever ended the hold, an answer that does not read as a status says so.
            _ if state.is_none() => WaitOutcome::Error,
            WaitOutcome::Elapsed if state != first_state => WaitOutcome::Changed,
            WaitOutcome::Elapsed if !now_left.is_zero() => continue,
            other => other,
        };
        drop(subscription);
        answer.upstream_ms = upstream_ms;
        return Ok((answer, outcome));
    }
}

/// `Retry-After` (seconds) when too many long-polls are held.
const LONG_POLL_RETRY_AFTER_S: u64 = 2;
