//! Faithful stand-ins for the five gateways. The framework here does the
//! HTTP ([`router`]): it decodes and verifies each request with the
//! gateway's `GatewayWire`, applies fault rules ([`faults`]), calls the
//! gateway's [`SandboxGateway`], signs the reply, sends notifications with
//! retries ([`notify`]), and serves the payer controls ([`controls`]) and a
//! simulated wallet page ([`wallet`]). Start one with
//! `router(SandboxState::new(base_url, Settings::default()))`.

pub mod beecloud;
pub mod blueocean;
pub mod chaoying;
pub mod clock;
pub mod controls;
pub mod credentials;
pub mod faults;
pub mod gateway;
pub mod hipopay;
pub mod hipos;
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

/// The sandbox implementation of `gateway`.
pub fn sandbox_gateway(gateway: Gateway) -> &'static dyn SandboxGateway {
    match gateway {
        Gateway::BlueOcean => &blueocean::BlueOceanSandbox,
        Gateway::HipoPay => &hipopay::HipoPaySandbox,
        Gateway::BeeCloud => &beecloud::BeeCloudSandbox,
        Gateway::ChaoYing => &chaoying::ChaoYingSandbox,
        Gateway::HiPos => &hipos::HiPosSandbox,
    }
}
