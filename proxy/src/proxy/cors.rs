//! Browser origins: preflights from allowed origins get their CORS answer,
//! requests from any other origin are refused with 403 `origin_not_allowed`
//! before anything else happens. Requests without `Origin` (servers,
//! gateways' notifications) pass. Same-origin requests always pass.

use super::error::ProxyError;
use super::ProxyState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Headers a browser may read from proxy answers.
const EXPOSED: &str = "X-Paybridge-Verified, X-Paybridge-Wait";

/// The middleware.
pub async fn cors(State(state): State<ProxyState>, request: Request, next: Next) -> Response {
    let Some(origin) = request.headers().get(header::ORIGIN).cloned() else {
        return next.run(request).await;
    };
    let preflight = request.method() == Method::OPTIONS && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let allowed = origin.to_str().is_ok_and(|o| origin_allowed(&state.0.config.allowed_origins, o, request.headers()));
    let mut response = if !allowed {
        ProxyError::new(StatusCode::FORBIDDEN, "origin_not_allowed", "this origin may not call the proxy").into_response()
    } else if preflight {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, GET"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Content-Type"));
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

/// Whether `origin` is listed, `*` is listed, or it is the proxy's own
/// origin (its host equals the `Host` header).
fn origin_allowed(list: &[String], origin: &str, headers: &HeaderMap) -> bool {
    if list.iter().any(|o| o == "*" || o.trim_end_matches('/').eq_ignore_ascii_case(origin)) {
        return true;
    }
    let host = origin.split_once("://").map(|(_, h)| h);
    let own = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    matches!((host, own), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let list = vec!["https://shop.example".to_owned()];
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("proxy.example:8443"));
        assert!(origin_allowed(&list, "https://shop.example", &h));
        assert!(origin_allowed(&list, "https://proxy.example:8443", &h));
        assert!(!origin_allowed(&list, "https://shop.example.evil", &h));
        assert!(!origin_allowed(&list, "null", &h));
        assert!(origin_allowed(&["*".to_owned()], "https://x", &h));
    }
}
