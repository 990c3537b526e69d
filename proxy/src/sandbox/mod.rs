//! Faithful stand-ins for the five gateways. The framework here does the
//! HTTP ([`router`]): it decodes and verifies each request with the
//! gateway's `GatewayWire`, applies fault rules ([`faults`]), calls the
//! gateway's [`SandboxGateway`], signs the reply, sends notifications with
//! retries ([`notify`]), and serves the payer controls ([`controls`]) and a
//! simulated wallet page ([`wallet`]). Start one with
//! `router(SandboxState::new(base_url, Settings::default()))`.

pub mod clock;
pub mod controls;
pub mod credentials;
pub mod faults;
pub mod gateway;
mod http;
mod log;
pub mod notify;
mod state;
pub mod store;
pub mod tokens;
pub mod wallet;

pub use http::router;
pub use state::{SandboxOptions, SandboxState};

use gateway::SandboxGateway;
use paybridge::model::Gateway;

/// Declares each registry line's sandbox module (`sandbox/{module}/`, whose
/// `SANDBOX` is its [`SandboxGateway`]) and `sandbox_gateway`.
macro_rules! sandboxes {
    ([] $($variant:ident ($wire:literal, $feature:literal, $module:ident) [$($name:literal),*] hosts [$($host:literal),*],)*) => {
        $(pub mod $module;)*

        /// The sandbox implementation of `gateway`.
        pub fn sandbox_gateway(gateway: Gateway) -> &'static dyn SandboxGateway {
            match gateway {
                $(Gateway::$variant => &$module::SANDBOX,)*
            }
        }
    };
}

paybridge::with_gateways!(sandboxes);
