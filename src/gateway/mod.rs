//! The shared interface every gateway implements, and the registry.
//!
//! A gateway module knows its protocol: how to build each *unsigned* request
//! a checkout needs and how to read every response into the normalised
//! [`NextAction`] / [`OrderStatus`] ([`GatewayProtocol`], what the browser
//! uses); which endpoints exist, the signing proxy's allowlist, and which
//! fields only the proxy may set ([`ProxyRules`]); and the refund queries of
//! the back office ([`RefundQuery`]). The browser, the signing proxy and the
//! sandbox all use these same definitions, each through its own accessor
//! ([`protocol`], [`rules`], [`refunds`]), so a browser build links only what
//! it calls. The gateways are listed once, in `registry`: adding a sixth is
//! one new module folder and one registry line (its `mod` line is generated).
//!
//! Every gateway folder has the same shape: `mod.rs` (the unit struct,
//! [`GatewayProtocol`] and the request builders), `parse.rs` (the answer
//! readers), `codes.rs` (the gateway's codes), `rules.rs` ([`ProxyRules`]
//! with the endpoint table, and [`RefundQuery`]), `wire.rs` (signing and
//! notifications, tested in `wire/tests.rs`) and `tests.rs`; a gateway with
//! a checkout step of its own (`crate::checkout::step`: HipoPay's openid,
//! BlueOcean's HK-wallet `wx.config`) has it in `checkout_step.rs` and
//! declares it as `CHECKOUT_STEP` in `mod.rs` (the others declare `None`);
//! files for what only one seed has (BlueOcean's HK wallet, HiPOS's
//! application side and O2O calls) sit beside them.

use crate::error::{ErrorCode, PayError};
use crate::json::Value;
use crate::model::{Channel, Gateway, Mode, NextAction, OrderStatus, RefundStatus};
use crate::url_guard::UrlPolicy;

// Helpers the gateways share. A build with only some gateways leaves some
// of them unused; the test build (every gateway) still reports dead code.
#[cfg_attr(not(test), allow(dead_code))]
mod common;
// What every gateway module imports; a build with only some gateways uses part of it.
#[allow(unused_imports)]
mod prelude;
mod proxy_rules;
pub(crate) mod registry;

/// Declares each registry line's module (`src/gateway/{module}/`), present
/// when its feature is on.
macro_rules! gateway_modules {
    ([] $($variant:ident ($wire:literal, $feature:literal, $module:ident) [$($name:literal),*] hosts [$($host:literal),*],)*) => {
        $(
            #[cfg(feature = $feature)]
            pub mod $module;
        )*
    };
}

registry::with_gateways!(gateway_modules);
#[cfg(feature = "signing")]
pub mod wire;

/// The identifier check requests use, also for the order numbers the checkout keeps in sessionStorage.
pub(crate) use common::check_id;
pub use proxy_rules::{path_matches, truncate_utf8, AppContainer, AppIdSlot, Endpoint, ProxyRules};

/// The HTTP method the gateway itself expects. (Through the proxy every call
/// is a POST; the proxy issues this method upstream.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// HTTP GET.
    Get,
    /// HTTP POST.
    Post,
    /// HTTP PUT.
    Put,
}

/// How the proxy encodes parameters for the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// A JSON object body.
    Json,
    /// An `application/x-www-form-urlencoded` body.
    Form,
    /// A URL query string (GET).
    Query,
    /// BeeCloud GET: the JSON object URL-encoded into the `para` query parameter.
    JsonInPara,
}

/// What an endpoint does, for the proxy's rules and the checkout's flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Create a payment (any mode).
    Create,
    /// Query a payment's status.
    Query,
    /// Close, cancel, reverse or revert an unpaid payment.
    Cancel,
    /// Read a refund's status.
    RefundQuery,
    /// Refund a paid order (back office only).
    Refund,
    /// Obtain an access token (proxy only, never from the browser).
    Token,
    /// Other read-only operations (device authorisation, pickup, trade detail…).
    Read,
    /// Other state-changing operations (pickup confirmation…).
    Write,
}

/// An unsigned request in the gateway's own terms.
#[derive(Clone, Debug, PartialEq)]
pub struct GatewayRequest {
    /// Which gateway the request is for.
    pub gateway: Gateway,
    /// What the request does.
    pub operation: Operation,
    /// The HTTP method the gateway expects upstream.
    pub http: HttpMethod,
    /// The gateway's own path, e.g. `/payment/pay`.
    pub path: String,
    /// A JSON object of the gateway's own parameter names. Server-owned
    /// fields (credentials, amount, notify_url, client IP) are left out.
    pub params: Params,
}

/// A request's parameters as the JSON object text the browser sends: the
/// builders write it member by member (no `Value` tree built only to be
/// serialised, BENCHMARKS.md, Size, round 9); the proxy reads it back with
/// [`Params::value`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params(String);

impl Params {
    /// Parameters written by a builder as a `json::Obj`.
    pub(crate) fn new(obj: crate::json::Obj) -> Params {
        Params(obj.end())
    }

    /// The parameters of the object `value` (a caller's or a test's own).
    pub fn of(value: &Value) -> Params {
        Params(value.to_json())
    }

    /// The JSON object text, as the browser sends it.
    pub fn to_json(&self) -> String {
        self.0.clone()
    }

    /// The parameters parsed, for the proxy's and the tests' reads (what was
    /// written is always an object; an empty one if it could not be read).
    pub fn value(&self) -> Value {
        crate::json::parse(&self.0).unwrap_or_else(|_| Value::Object(Vec::new()))
    }
}

impl GatewayRequest {
    /// The path below the proxy root: `/{gateway}{path}`.
    pub fn proxy_path(&self) -> String {
        crate::text::concat(&["/", self.gateway.as_str(), &self.path])
    }
}

/// What the page asks a gateway to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateParams {
    /// How the payer pays.
    pub mode: Mode,
    /// The wallet.
    pub channel: Channel,
    /// The merchant's order number (8–32 letters and digits in the demo).
    pub out_trade_no: String,
    /// Goods description shown to the payer.
    pub subject: Option<String>,
    /// The payer's openid / Alipay buyer id (JSAPI, mini-program).
    pub openid: Option<String>,
    /// The official-account / mini-program / app id the openid belongs to.
    pub sub_appid: Option<String>,
    /// The payer's code scanned at the counter.
    pub auth_code: Option<String>,
    /// Where the wallet returns the payer after an H5 / WAP payment.
    pub return_url: Option<String>,
    /// Inside a WeChat mini-program (JSAPI then means `wx.requestPayment`).
    pub mini_program: bool,
    /// The wallet's region where the gateway lets the payer's wallet be
    /// chosen: `HK` or `CN` (BlueOcean's `wallet`; `HK` with WeChat JSAPI is
    /// the HK-wallet official-account payment).
    pub wallet: Option<String>,
}

impl CreateParams {
    /// Parameters for `mode` and `channel` with everything optional unset.
    pub fn new(mode: Mode, channel: Channel, out_trade_no: impl Into<String>) -> Self {
        CreateParams {
            mode,
            channel,
            out_trade_no: out_trade_no.into(),
            subject: None,
            openid: None,
            sub_appid: None,
            auth_code: None,
            return_url: None,
            mini_program: false,
            wallet: None,
        }
    }
}

/// Which order a query, cancel or refund query is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRef {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The channel it was created with (some gateways query per wallet).
    pub channel: Channel,
    /// The mode it was created with (some gateways cancel per mode).
    pub mode: Mode,
    /// The gateway's own order id, when the create response gave one.
    pub gateway_order_id: Option<String>,
}

/// The result of reading a create response.
#[derive(Clone, Debug, PartialEq)]
pub struct Created {
    /// What the page must do next.
    pub action: NextAction,
    /// The gateway's own order id (BlueOcean `sn`, HipoPay `order_no`…).
    pub gateway_order_id: Option<String>,
}

/// One gateway's protocol. Implementations are stateless unit structs.
pub trait GatewayProtocol: Sync {
    /// Which gateway this is.
    fn gateway(&self) -> Gateway;

    /// The (mode, channel) pairs it can create.
    fn modes(&self) -> &'static [(Mode, Channel)];

    /// The unsigned create request for `p`.
    fn create_request(&self, p: &CreateParams) -> Result<GatewayRequest, PayError>;

    /// Reads a create response into the page's next action.
    fn parse_create(&self, p: &CreateParams, body: &Value, policy: &UrlPolicy) -> Result<Created, PayError>;

    /// The unsigned status query for an order.
    fn query_request(&self, order: &OrderRef) -> Result<GatewayRequest, PayError>;

    /// Reads a status query response. "Outcome unknown" answers give
    /// [`crate::model::PayState::Unknown`], never an error.
    fn parse_query(&self, body: &Value) -> Result<OrderStatus, PayError>;

    /// The unsigned close / cancel / revert request for an unpaid order.
    fn cancel_request(&self, order: &OrderRef) -> Result<GatewayRequest, PayError>;

    /// Reads a cancel response into the order's resulting status.
    fn parse_cancel(&self, body: &Value) -> Result<OrderStatus, PayError>;

    /// The wallet a create with [`Channel::Any`] turned out to use, read
    /// from its answer (BeeCloud `SCAN`'s `channel_type`) or the payer's
    /// code; `None` when neither says. Later queries and cancels name it.
    fn wallet_of(&self, _p: &CreateParams, _body: &Value) -> Option<Channel> {
        None
    }

    /// Whether the gateway signs the answers that carry an order's state, so
    /// that a status the proxy did not mark `X-Paybridge-Verified: signature`
    /// is not trusted. Gateways that sign none keep this default: TLS to the
    /// gateway is all there is (docs/security.md).
    fn signs_responses(&self) -> bool {
        false
    }

    /// Whether the gateway offers `mode` on `channel`.
    fn supports(&self, mode: Mode, channel: Channel) -> bool {
        self.modes().iter().any(|&(m, c)| m == mode && (c == channel || channel == Channel::Any || c == Channel::Any))
    }
}

/// Read-only refund status, for the merchant's server and back office. Apart
/// from [`GatewayProtocol`] so that a browser build, which never asks, does
/// not carry it (nothing reaches these implementations, so they are not linked).
pub trait RefundQuery: GatewayProtocol {
    /// The unsigned refund query (read-only, for display).
    fn refund_query_request(&self, order: &OrderRef, refund_no: Option<&str>) -> Result<GatewayRequest, PayError>;

    /// Reads a refund query response.
    fn parse_refund_query(&self, body: &Value) -> Result<Vec<RefundStatus>, PayError>;

    /// The unsigned request refunding `amount` (minor units) of the paid
    /// `order`, whose paid amount is `total`, under the merchant's refund
    /// number `refund_no`. `Unsupported` for a gateway whose seed documents
    /// no refund (HiPOS).
    fn refund_request(&self, order: &OrderRef, refund_no: &str, amount: i64, total: i64) -> Result<GatewayRequest, PayError>;

    /// Reads a refund response. A refusal (not paid, over the refundable
    /// amount…) is the gateway's own error; an answer whose outcome is
    /// unknown reads as [`crate::model::RefundState::Unknown`].
    fn parse_refund(&self, body: &Value) -> Result<RefundStatus, PayError>;

    /// The gateway's own order number a refund must name, from a fresh
    /// query's status, for gateways whose refunds take no merchant order
    /// number (HipoPay); `None` elsewhere.
    fn refund_order_id(&self, _status: &OrderStatus) -> Option<String> {
        None
    }
}

/// Checks the arguments every refund request shares: a refund number of
/// 1–`max_len` letters, digits and `extra` characters, and
/// `0 < amount <= total`.
pub fn check_refund(refund_no: &str, max_len: usize, extra: &[u8], amount: i64, total: i64) -> Result<(), PayError> {
    if refund_no.is_empty() || refund_no.len() > max_len || !refund_no.bytes().all(|b| b.is_ascii_alphanumeric() || extra.contains(&b)) {
        return Err(PayError::invalid_argument(detail!("refund number must be 1-{max_len} letters or digits")));
    }
    if amount <= 0 || amount > total {
        return Err(PayError::invalid_argument(detail!("refund amount must be 1-{total} (minor units)")));
    }
    Ok(())
}

/// The one refund a refund answer holds (the first, when a gateway answers
/// a list), as `invalid_payload` when it holds none.
pub fn single_refund(list: Vec<RefundStatus>) -> Result<RefundStatus, PayError> {
    list.into_iter().next().ok_or_else(|| PayError::invalid_payload("the refund answer holds no refund"))
}

/// `gateway`'s unit struct as a `&'static dyn $trait`, or `Unsupported` when
/// the gateway was left out of this build: one arm per registry line.
macro_rules! implementation {
    ($gateway:expr, $trait:path) => {
        registry::with_gateways!(dispatch[$gateway, $trait])
    };
}

/// The body of [`implementation!`], generated from the registry.
macro_rules! dispatch {
    ([$gateway:expr, $trait:path] $($variant:ident ($wire:literal, $feature:literal, $module:ident) [$($name:literal),*] hosts [$($host:literal),*],)*) => {{
        let gateway: Gateway = $gateway;
        let found: Option<&'static dyn $trait> = match gateway {
            $(
                #[cfg(feature = $feature)]
                Gateway::$variant => Some(&$module::$variant),
            )*
            #[allow(unreachable_patterns)]
            _ => None,
        };
        found.ok_or_else(|| not_in_build(gateway))
    }};
}

#[cold]
fn not_in_build(gateway: Gateway) -> PayError {
    PayError::new(ErrorCode::Unsupported).with_detail(detail!("gateway {} is not in this build", gateway.as_str()))
}

/// The wire side (signing, encoding, notifications) of `gateway`, for the
/// proxy and the sandbox; `Unsupported` when it was left out of this build.
#[cfg(feature = "signing")]
pub fn wire(gateway: Gateway) -> Result<&'static dyn wire::GatewayWire, PayError> {
    implementation!(gateway, wire::GatewayWire)
}

/// The protocol of `gateway`, or `Unsupported` when it was left out of this build.
pub fn protocol(gateway: Gateway) -> Result<&'static dyn GatewayProtocol, PayError> {
    implementation!(gateway, GatewayProtocol)
}

/// The refund queries of `gateway`, or `Unsupported` when it was left out of this build.
pub fn refunds(gateway: Gateway) -> Result<&'static dyn RefundQuery, PayError> {
    implementation!(gateway, RefundQuery)
}

/// The proxy rules (endpoint allowlist, server-owned fields) of `gateway`, for
/// the proxy and the sandbox; `Unsupported` when it was left out of this build.
pub fn rules(gateway: Gateway) -> Result<&'static dyn ProxyRules, PayError> {
    implementation!(gateway, ProxyRules)
}

/// The body of [`checkout_step`], generated from the registry.
macro_rules! checkout_steps {
    ([$gateway:expr] $($variant:ident ($wire:literal, $feature:literal, $module:ident) [$($name:literal),*] hosts [$($host:literal),*],)*) => {
        match $gateway {
            $(
                #[cfg(feature = $feature)]
                Gateway::$variant => $module::CHECKOUT_STEP,
            )*
            #[allow(unreachable_patterns)]
            _ => None,
        }
    };
}

/// The checkout step `gateway` adds before its create call: the
/// `CHECKOUT_STEP` its module declares (most declare none), `None` also when
/// the gateway was left out of this build.
#[inline(never)]
pub(crate) fn checkout_step(gateway: Gateway) -> Option<&'static dyn crate::checkout::step::CheckoutStep> {
    registry::with_gateways!(checkout_steps[gateway])
}

/// Parses a body that may be empty or not JSON into a [`Value`], as an
/// `invalid_payload` error otherwise.
pub fn parse_body(text: &str) -> Result<Value, PayError> {
    Ok(crate::json::parse(text)?)
}

/// The refusal for a mode a gateway does not offer.
pub fn unsupported_mode(gateway: Gateway, mode: Mode, channel: Channel) -> PayError {
    PayError::new(ErrorCode::Unsupported).with_detail(detail!("{} does not offer mode {} on channel {}", gateway.as_str(), mode.as_str(), channel.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_patterns() {
        assert!(path_matches("/payment/pay", "/payment/pay"));
        assert!(!path_matches("/payment/pay", "/payment/pay/x"));
        assert!(!path_matches("/payment/pay", "/payment"));
        assert!(path_matches("/2/rest/offline/bill/{bill_no}", "/2/rest/offline/bill/AB12cd34"));
        assert!(!path_matches("/2/rest/offline/bill/{bill_no}", "/2/rest/offline/bill/"));
        assert!(!path_matches("/2/rest/offline/bill/{bill_no}", "/2/rest/offline/bill/a.b"));
        assert!(!path_matches("/2/rest/offline/bill/{bill_no}", "/2/rest/offline/bill/..%2f"));
    }

    /// The parameters each builder writes as text are exactly what the
    /// `Value` tree of the same members serialised to (member order,
    /// escaping, numbers): re-serialising the parsed text gives it back,
    /// for every gateway's create (each mode, with and without the optional
    /// fields), query, cancel, refund query and refund requests.
    #[test]
    fn written_params_are_the_value_trees_json() {
        let mut checked = 0;
        let mut check = |req: Result<GatewayRequest, PayError>| {
            if let Ok(req) = req {
                let value = req.params.value();
                assert!(matches!(value, Value::Object(_)), "{}: {}", req.path, req.params.to_json());
                assert_eq!(value.to_json(), req.params.to_json(), "{}", req.path);
                checked += 1;
            }
        };
        for gateway in Gateway::ALL {
            let Ok(proto) = protocol(gateway) else { continue };
            for &(mode, channel) in proto.modes() {
                let bare = CreateParams::new(mode, channel, "SHOP20240001");
                let full = CreateParams {
                    subject: Some("Tea \"set\" \\ 茶/é".to_owned()),
                    openid: Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".to_owned()),
                    sub_appid: Some("wx2421b1c4370ec43b".to_owned()),
                    auth_code: Some("134567890123456789".to_owned()),
                    return_url: Some("https://shop.example/paid?o=1".to_owned()),
                    wallet: Some("CN".to_owned()),
                    ..bare.clone()
                };
                check(proto.create_request(&bare));
                check(proto.create_request(&full));
                for id in [None, Some("2017062313070231980966651".to_owned())] {
                    let order = OrderRef { out_trade_no: "SHOP20240001".to_owned(), channel, mode, gateway_order_id: id };
                    check(proto.query_request(&order));
                    check(proto.cancel_request(&order));
                    if let Ok(refunds) = refunds(gateway) {
                        check(refunds.refund_query_request(&order, Some("20240001R1")));
                        check(refunds.refund_request(&order, "20240001R1", 10, 100));
                    }
                }
            }
        }
        assert!(checked > 100, "only {checked} requests built");
    }
}
