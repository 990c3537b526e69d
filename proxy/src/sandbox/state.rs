//! [`SandboxState`]: what every sandbox route shares — the order book, the
//! settings, the fault rules, issued tokens, the notification log and an
//! HTTP client for notifications.

use super::credentials::sandbox_secrets;
use super::faults::Faults;
use super::gateway::{Ctx, Settings};
use super::notify::{DeliveryLog, Dispatcher};
use super::store::Store;
use super::tokens::Tokens;
use paybridge::gateway::wire::{Secrets, WireRequest};
use paybridge::model::Gateway;
use std::sync::Arc;
use std::time::Duration;

/// Knobs the framework owns (beyond the gateways' [`Settings`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxOptions {
    /// Delays between notification attempts, in milliseconds, for every
    /// gateway; `None` uses each gateway's documented schedule
    /// ([`super::notify::default_schedule_ms`]). Tests use short ones.
    pub notify_schedule_ms: Option<Vec<u64>>,
    /// How long one notification attempt may take before it counts as failed.
    pub notify_timeout_ms: u64,
    /// Seed of the PRNG behind partial fault rates.
    pub fault_seed: u64,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions { notify_schedule_ms: None, notify_timeout_ms: 3_000, fault_seed: 0x5EED_5EED }
    }
}

/// The shared sandbox state; cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct SandboxState {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub store: Store,
    pub settings: Settings,
    pub faults: Faults,
    pub base_url: String,
    pub client: reqwest::Client,
    pub options: SandboxOptions,
    pub tokens: Tokens,
    pub deliveries: DeliveryLog,
    pub dispatcher: Dispatcher,
    /// HiPOS's registrations: the application's callback URL, device codes.
    pub hipos: super::hipos::registry::Registry,
}

impl SandboxState {
    /// A sandbox whose absolute root URL is `base_url` (e.g.
    /// `http://127.0.0.1:8080/sandbox`, no trailing slash), with default options.
    pub fn new(base_url: String, settings: Settings) -> SandboxState {
        SandboxState::with_options(base_url, settings, SandboxOptions::default())
    }

    /// A sandbox with explicit framework options.
    pub fn with_options(base_url: String, settings: Settings, options: SandboxOptions) -> SandboxState {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(options.notify_timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        SandboxState {
            inner: Arc::new(Inner {
                store: Store::default(),
                settings,
                faults: Faults::new(options.fault_seed),
                base_url: base_url.trim_end_matches('/').to_owned(),
                client,
                options,
                tokens: Tokens::default(),
                deliveries: DeliveryLog::default(),
                dispatcher: Dispatcher::default(),
                hipos: Default::default(),
            }),
        }
    }

    /// The order book.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The gateways' behaviour settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The absolute root URL of the sandbox.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Tokens the sandbox issued (HiPOS-style bearer tokens).
    pub fn tokens(&self) -> &Tokens {
        &self.inner.tokens
    }

    /// What a gateway handler sees at `now_ms`.
    pub fn ctx(&self, now_ms: i64) -> Ctx<'_> {
        Ctx { store: &self.inner.store, now_ms, settings: &self.inner.settings, base_url: &self.inner.base_url }
    }

    /// The secrets the sandbox verifies `request` with: the gateway's test
    /// credentials plus, when the sandbox has issued tokens for it, a
    /// `token` secret (see [`Tokens::secret_for`]).
    pub fn secrets_for(&self, gateway: Gateway, request: Option<&WireRequest>) -> Secrets {
        let mut secrets = sandbox_secrets(gateway);
        if let Some(token) = self.inner.tokens.secret_for(gateway, request) {
            secrets.0.push(("token".to_owned(), token));
        }
        secrets
    }
}
