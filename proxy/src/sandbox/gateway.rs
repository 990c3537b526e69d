//! The interface each sandbox gateway implements. The framework
//! (`sandbox/mod.rs`) does the HTTP: it decodes and verifies requests with
//! the gateway's `GatewayWire`, applies faults, calls [`SandboxGateway::handle`],
//! signs the reply with `GatewayWire::sign_response`, and sends notifications.

use super::store::{Order, Store};
use super::SandboxState;
use paybridge::gateway::wire::Secrets;
use paybridge::gateway::Endpoint;
use paybridge::json::Value;
use paybridge::model::Gateway;

/// An answer in the gateway's own format.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// A 200 reply.
    pub fn ok(body: Value) -> Reply {
        Reply { status: 200, body }
    }
}

/// Sandbox behaviour settings (shared by all gateways).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// How long an unpaid order lives.
    pub order_ttl_ms: i64,
    /// How long a counter payment sits in USERPAYING before it succeeds by
    /// itself, as when a payer types a PIN (0: succeeds at once).
    pub counter_pin_ms: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { order_ttl_ms: 5 * 60_000, counter_pin_ms: 3_000 }
    }
}

/// What a gateway's handler can use.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub now_ms: i64,
    pub settings: &'a Settings,
    /// Absolute URL of the sandbox root, e.g. `http://127.0.0.1:8080/sandbox`.
    pub base_url: &'a str,
}

impl Ctx<'_> {
    /// The simulated wallet page for an order: what QR codes encode and
    /// redirects point at, so a person (or a test) can pay it.
    pub fn wallet_url(&self, gateway: Gateway, out_trade_no: &str) -> String {
        format!("{}/wallet/{}/{}", self.base_url, gateway.as_str(), out_trade_no)
    }
}

/// One sandbox gateway: answers the seed's endpoints with the seed's shapes.
pub trait SandboxGateway: Send + Sync {
    /// Which gateway this is.
    fn gateway(&self) -> Gateway;

    /// Answers a request that the framework has already decoded and whose
    /// signature it verified, for `endpoint` at the concrete `path`.
    /// Creates orders in `ctx.store`, reads and changes them, and answers
    /// with the gateway's documented success and error bodies.
    fn handle(&self, ctx: &Ctx, endpoint: &Endpoint, path: &str, params: &Value) -> Reply;

    /// The documented notification fields for an order that just settled, or
    /// `None` when the gateway does not notify that state.
    fn notification(&self, order: &Order, secrets: &Secrets) -> Option<Value>;

    /// The gateway's "outcome unknown" answer for `endpoint` (BlueOcean 201,
    /// ChaoYing NEED_QUERY…), used by fault injection; `None` if it has none.
    fn unknown_reply(&self, endpoint: &Endpoint) -> Option<Reply>;

    /// After a successful answer: what the gateway does besides answering
    /// (HiPOS calls the merchant's token callback). Nothing by default.
    fn after_success(&self, _state: &SandboxState, _endpoint: &Endpoint, _params: &Value, _reply: &Value, _now_ms: i64) {}

    /// Test-fixture secrets kept in files of their own (HipoPay's RSA keys),
    /// added to the gateway's `fixtures/sandbox-credentials.toml` table.
    fn fixture_keys(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// What the demo proxy needs, besides the sandbox credentials, to run this
    /// gateway against the sandbox served at `base` (e.g.
    /// `http://127.0.0.1:8080`; BlueOcean: the sandbox's WeChat API). Nothing by default.
    fn demo_secrets(&self, _base: &str) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The openid container the gateway gives its agent, pointed at the
    /// sandbox's: the proxy secret naming it, for a demo whose pages send
    /// payers there (HipoPay). `secrets` are the demo's for this gateway. None by default.
    fn demo_container(&self, _base: &str, _secrets: &Secrets) -> Option<(String, String)> {
        None
    }

    /// Adds the gateway's own facts about `order` to its controls view
    /// (HiPOS: whether its goods were picked up). Nothing by default.
    fn describe(&self, _order: &Order, _view: &mut serde_json::Value) {}
}
