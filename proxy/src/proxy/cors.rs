//! Browser origins: preflights from allowed origins get their CORS answer
//! (which alone admits the `Paybridge-Client-Secret` header), requests from
//! any other origin are refused with 403 `origin_not_allowed` before
//! anything else happens. Requests without `Origin` (servers, gateways'
//! notifications) pass. Only the configured list decides: the `Host`
//! header, which a client chooses, plays no part (a same-origin page must
//! be listed too).

use super::error::ProxyError;
use super::ProxyState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Headers a browser may read from proxy answers.
const EXPOSED: &str = "X-Paybridge-Verified, X-Paybridge-Wait, Retry-After";
/// Headers a browser may send (to allowed origins only).
const ALLOWED_HEADERS: &str = "Content-Type, Paybridge-Client-Secret";

/// The middleware.
pub async fn cors(State(state): State<ProxyState>, request: Request, next: Next) -> Response {
    let Some(origin) = request.headers().get(header::ORIGIN).cloned() else {
        return next.run(request).await;
    };
    let preflight = request.method() == Method::OPTIONS && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let allowed = origin.to_str().is_ok_and(|o| origin_allowed(&state.0.config.allowed_origins, o));
    let mut response = if !allowed {
        ProxyError::new(StatusCode::FORBIDDEN, "origin_not_allowed", "this origin may not call the proxy").into_response()
    } else if preflight {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, GET"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOWED_HEADERS));
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        r
    } else {
        next.run(request).await
    };
    let h = response.headers_mut();
    if allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED));
    }
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// Whether `origin` is listed or `*` is listed.
fn origin_allowed(list: &[String], origin: &str) -> bool {
    list.iter().any(|o| o == "*" || o.trim_end_matches('/').eq_ignore_ascii_case(origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let list = vec!["https://shop.example".to_owned()];
        assert!(origin_allowed(&list, "https://shop.example"));
        assert!(!origin_allowed(&list, "https://shop.example.evil"));
        assert!(!origin_allowed(&list, "null"));
        assert!(origin_allowed(&["*".to_owned()], "https://x"));
    }
}
