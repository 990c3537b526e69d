//! Faithful stand-ins for the five gateways (the HTTP framework is filled in
//! by the sandbox work).

pub mod beecloud;
pub mod blueocean;
pub mod chaoying;
pub mod credentials;
pub mod gateway;
pub mod hipopay;
pub mod hipos;
pub mod store;

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
