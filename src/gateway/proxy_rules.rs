//! What the signing proxy and the sandbox learn from a gateway, declared as
//! data: its endpoints ([`Endpoint`], built with one `const` builder) and the
//! per-gateway rules of [`ProxyRules`], whose defaults are what most gateways
//! share. The proxy reads them generically; it names no gateway.

use super::{Encoding, GatewayProtocol, HttpMethod, Operation};
use crate::json::Value;
use crate::model::Channel;

/// One endpoint of a gateway, as the proxy's allowlist and the sandbox see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The gateway's path; `{name}` matches one path segment
    /// (e.g. `/2/rest/offline/bill/{bill_no}`).
    pub path: &'static str,
    /// For gateways that multiplex one path by a `method` parameter
    /// (ChaoYing's `/UnifiedPay/Gateway`): the value it must have.
    pub method_param: Option<&'static str>,
    /// The HTTP method the gateway expects.
    pub http: HttpMethod,
    /// How the parameters travel.
    pub encoding: Encoding,
    /// What the endpoint does.
    pub operation: Operation,
    /// Whether a browser may reach it through the proxy (refunds, tokens and
    /// back-office calls may not).
    pub browser: bool,
    /// The field carrying the merchant's order number, whose amount the proxy
    /// looks up (`out_trade_no`, `bill_no`, `agent_order_id`, `out_order_no`).
    pub order_ref: Option<&'static str>,
    /// The field the proxy fills with the amount from the order record.
    pub amount_field: Option<&'static str>,
    /// The goods-description field the proxy fills from the order record
    /// (when the page sent none), with its limit in UTF-8 bytes.
    pub subject: Option<(&'static str, usize)>,
    /// The field the proxy fills with the payer's IP, where the gateway takes one.
    pub client_ip: Option<&'static str>,
}

impl Endpoint {
    /// A browser-reachable `POST` with a JSON body doing `operation` at
    /// `path`, naming no order: the builder's start, which the `const`
    /// methods below adjust.
    pub const fn new(path: &'static str, operation: Operation) -> Endpoint {
        Endpoint {
            path,
            method_param: None,
            http: HttpMethod::Post,
            encoding: Encoding::Json,
            operation,
            browser: true,
            order_ref: None,
            amount_field: None,
            subject: None,
            client_ip: None,
        }
    }

    /// Sent with `http`, its parameters encoded as `encoding`.
    pub const fn sent(mut self, http: HttpMethod, encoding: Encoding) -> Endpoint {
        self.http = http;
        self.encoding = encoding;
        self
    }

    /// Told apart on a shared path by its `method` parameter.
    pub const fn method(mut self, method: &'static str) -> Endpoint {
        self.method_param = Some(method);
        self
    }

    /// Not reachable from a browser (refunds, tokens, back office).
    pub const fn server_only(mut self) -> Endpoint {
        self.browser = false;
        self
    }

    /// Names its order in `field`.
    pub const fn order(mut self, field: &'static str) -> Endpoint {
        self.order_ref = Some(field);
        self
    }

    /// Carries the order's amount, set by the proxy, in `field`.
    pub const fn amount(mut self, field: &'static str) -> Endpoint {
        self.amount_field = Some(field);
        self
    }

    /// Carries the goods description in `field`, at most `max_bytes` long.
    pub const fn subject(mut self, field: &'static str, max_bytes: usize) -> Endpoint {
        self.subject = Some((field, max_bytes));
        self
    }

    /// Carries the payer's IP, set by the proxy, in `field`.
    pub const fn client_ip(mut self, field: &'static str) -> Endpoint {
        self.client_ip = Some(field);
        self
    }

    /// Whether a concrete path (and `method` parameter, if any) is this endpoint.
    pub fn matches(&self, path: &str, method_param: Option<&str>) -> bool {
        path_matches(self.path, path) && (self.method_param.is_none() || self.method_param == method_param)
    }
}

/// Whether `path` fits `pattern`, where `{x}` stands for one non-empty segment
/// of letters, digits, `-` and `_`.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('/');
    let mut s = path.split('/');
    loop {
        match (p.next(), s.next()) {
            (None, None) => return true,
            (Some(ps), Some(ss)) if ps.starts_with('{') && ps.ends_with('}') => {
                if ss.is_empty() || !ss.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                    return false;
                }
            }
            (Some(ps), Some(ss)) if ps == ss => {}
            _ => return false,
        }
    }
}

/// `text` cut to at most `max` UTF-8 bytes, never inside a character.
pub fn truncate_utf8(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    // `get`, not `[..end]`: `end` is a boundary, and indexing would link the
    // `str` slicing panic (BENCHMARKS.md, Size).
    text.get(..end).unwrap_or_default()
}

/// Which WeChat app a JSAPI / mini-program create runs in, as the call says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppContainer {
    /// A mini-program.
    MiniProgram,
    /// An official account.
    OfficialAccount,
    /// The call does not say: the mini-program when the page's own value in
    /// the field is the configured mini-program id, else the official account.
    AsGiven,
}

/// Where a create names the WeChat app id of its container, which the proxy
/// sets from its configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppIdSlot {
    /// The field carrying the app id (`sub_appid`, `appid`).
    pub field: &'static str,
    /// Which of the configured app ids goes there.
    pub container: AppContainer,
}

/// What the signing proxy may forward and must own, for the proxy and the
/// sandbox. Apart from [`GatewayProtocol`] so that a browser build, which
/// never asks, does not carry the endpoint tables (nothing reaches these
/// implementations, so they are not linked). Only the endpoint table and the
/// server-owned fields are per gateway; the rest defaults to what most
/// gateways do.
pub trait ProxyRules: GatewayProtocol {
    /// Every endpoint the proxy may forward (the allowlist) and the sandbox serves.
    fn endpoints(&self) -> &'static [Endpoint];

    /// Body fields only the proxy may set (credentials, notify_url, client IP,
    /// amount…); the proxy drops them from browser requests.
    fn server_owned_fields(&self) -> &'static [&'static str];

    /// The endpoint a concrete path (and ChaoYing-style `method`) names.
    fn endpoint(&self, path: &str, method_param: Option<&str>) -> Option<&'static Endpoint> {
        self.endpoints().iter().find(|e| e.matches(path, method_param))
    }

    /// The endpoint a path names for one HTTP method, for the paths HipoPay
    /// uses twice (`GET /refund` queries refunds, `POST /refund` makes one);
    /// else the path's first endpoint.
    fn endpoint_for(&self, path: &str, method_param: Option<&str>, http: HttpMethod) -> Option<&'static Endpoint> {
        let all = self.endpoints().iter().filter(|e| e.matches(path, method_param));
        all.clone().find(|e| e.http == http).or_else(|| all.into_iter().next())
    }

    /// The field of a query or cancel request carrying the gateway's own
    /// order id, for the proxy's cancel safety query; `None` by default.
    fn gateway_order_id_field(&self) -> Option<&'static str> {
        None
    }

    /// The wallet a request names (the cancel safety query asks for it);
    /// [`Channel::Any`] by default.
    fn request_wallet(&self, _params: &Value) -> Channel {
        Channel::Any
    }

    /// Where a create through `endpoint` with `params` names its WeChat
    /// container's app id; `None` (the default) when it names none.
    fn app_id_slot(&self, _endpoint: &Endpoint, _params: &[(String, Value)]) -> Option<AppIdSlot> {
        None
    }

    /// Whether the gateway sends a payer without an openid through its own
    /// authorization container (the proxy then publishes its URL); no by default.
    fn openid_container(&self) -> bool {
        false
    }

    /// The currency of an amount whose request named none (ISO 4217); CNY by default.
    fn default_currency(&self) -> &'static str {
        "CNY"
    }
}
