//! Proxy-side failures: `{"proxy_error": {"code": "...", "message": "..."}}`
//! with a 4xx/5xx status. Messages never carry a secret or a signature.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A refusal or failure of the proxy itself (not of the gateway).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyError {
    pub status: StatusCode,
    /// A stable code from the protocol document (`path_not_allowed`…).
    pub code: &'static str,
    /// A developer-facing explanation in English.
    pub message: String,
    /// Seconds for a `Retry-After` header (503 when too busy).
    pub retry_after: Option<u64>,
}

impl ProxyError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ProxyError {
        ProxyError { status, code, message: message.into(), retry_after: None }
    }

    /// The same error with a `Retry-After` of `secs`.
    pub fn retry_after(self, secs: u64) -> ProxyError {
        ProxyError { retry_after: Some(secs), ..self }
    }

    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> ProxyError {
        ProxyError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 502 `upstream_bad_body`.
    pub fn bad_upstream_body(message: impl Into<String>) -> ProxyError {
        ProxyError::new(StatusCode::BAD_GATEWAY, "upstream_bad_body", message)
    }

    /// 500 `proxy_misconfigured` (a missing secret, an unusable key…).
    pub fn misconfigured(message: impl Into<String>) -> ProxyError {
        ProxyError::new(StatusCode::INTERNAL_SERVER_ERROR, "proxy_misconfigured", message)
    }

    /// The JSON body.
    pub fn body(&self) -> String {
        serde_json::json!({ "proxy_error": { "code": self.code, "message": self.message } }).to_string()
    }
}

impl IntoResponse for ProxyError {
    fn into_response(self) -> Response {
        let mut res = (self.status, self.body()).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}
