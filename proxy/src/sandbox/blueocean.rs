//! The BlueOcean sandbox gateway (placeholder until its sandbox is written).

use super::gateway::{Ctx, Reply, SandboxGateway};
use super::store::Order;
use paybridge::gateway::wire::Secrets;
use paybridge::gateway::Endpoint;
use paybridge::json::Value;
use paybridge::model::Gateway;

/// The BlueOcean sandbox.
pub struct BlueOceanSandbox;

impl SandboxGateway for BlueOceanSandbox {
    fn gateway(&self) -> Gateway {
        Gateway::BlueOcean
    }

    fn handle(&self, _ctx: &Ctx, _endpoint: &Endpoint, _path: &str, _params: &Value) -> Reply {
        Reply { status: 501, body: Value::object([("error", Value::str("not implemented"))]) }
    }

    fn notification(&self, _order: &Order, _secrets: &Secrets) -> Option<Value> {
        None
    }

    fn unknown_reply(&self, _endpoint: &Endpoint) -> Option<Reply> {
        None
    }
}
