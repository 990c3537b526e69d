//! The sandbox test credentials, compiled in from `fixtures/`. Both the
//! sandbox gateways (which verify) and the demo proxy (which signs) use them.
//! They are test fixtures, clearly named as such, and sign nothing real.

use paybridge::gateway::wire::Secrets;
use paybridge::model::Gateway;
use std::sync::LazyLock;

const CREDENTIALS_TOML: &str = include_str!("../../../fixtures/sandbox-credentials.toml");

/// The sandbox's secrets for `gateway`: what the sandbox gateway verifies
/// with, and (for the demo) what the proxy signs with. HiPOS's `token` is not
/// here: the sandbox issues it and the proxy fetches it. The fixture is
/// parsed once per process (the sandbox asks on every request).
pub fn sandbox_secrets(gateway: Gateway) -> Secrets {
    static PARSED: LazyLock<Vec<(Gateway, Secrets)>> = LazyLock::new(|| Gateway::ALL.iter().map(|&g| (g, parse(g))).collect());
    PARSED.iter().find(|(g, _)| *g == gateway).map(|(_, s)| s.clone()).unwrap_or_else(|| parse(gateway))
}

fn parse(gateway: Gateway) -> Secrets {
    let table: toml::Table = CREDENTIALS_TOML.parse().unwrap_or_default();
    let mut pairs: Vec<(String, String)> = table
        .get(gateway.as_str())
        .and_then(toml::Value::as_table)
        .map(|t| t.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned()))).collect())
        .unwrap_or_default();
    // Keys too long for the TOML file come from the gateway's sandbox module.
    pairs.extend(super::sandbox_gateway(gateway).fixture_keys().iter().map(|&(k, v)| (k.to_owned(), v.to_owned())));
    Secrets(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gateway_has_its_credentials() {
        assert!(sandbox_secrets(Gateway::BlueOcean).get("app_key").is_ok());
        assert!(sandbox_secrets(Gateway::HipoPay).get("private_key_pem").unwrap().contains("BEGIN RSA PRIVATE KEY"));
        assert!(sandbox_secrets(Gateway::BeeCloud).get("app_secret").is_ok());
        assert!(sandbox_secrets(Gateway::ChaoYing).get("key").is_ok());
        assert!(sandbox_secrets(Gateway::HiPos).get("hostname").is_ok());
    }
}
