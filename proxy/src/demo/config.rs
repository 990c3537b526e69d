//! The demo proxy's configuration: every gateway pointed at the sandbox and
//! signing with the sandbox test credentials. Demo-only knowledge, kept out
//! of the production proxy (`crate::proxy`), which reads its configuration
//! from a TOML file.

use crate::proxy::{GatewayConfig, ProxyConfig, SecurityConfig, SUB_APPID_MINI_PROGRAM, SUB_APPID_OFFICIAL_ACCOUNT};
use crate::sandbox::credentials::sandbox_secrets;
use crate::sandbox::sandbox_gateway;
use paybridge::model::Gateway;

/// The WeChat app id the demo proxy sets on JSAPI and mini-program payments.
const DEMO_SUB_APPID: &str = "wx0sandbox0app";

/// Every gateway at `{base_url}/sandbox/{gateway}` with the sandbox test
/// credentials, notifications to `{base_url}/proxy/notify/{gateway}`, and
/// `base_url` (also spelt with `localhost` / `127.0.0.1` swapped) as the
/// allowed origin.
pub fn proxy_config(base_url: &str) -> ProxyConfig {
    let base = base_url.trim_end_matches('/');
    let gateways = Gateway::ALL
        .iter()
        .map(|&g| {
            let mut secrets = sandbox_secrets(g);
            // Read only where the gateway's rules say a create names its WeChat container's app id.
            for name in [SUB_APPID_OFFICIAL_ACCOUNT, SUB_APPID_MINI_PROGRAM] {
                secrets.0.push((name.to_owned(), DEMO_SUB_APPID.to_owned()));
            }
            secrets.0.extend(sandbox_gateway(g).demo_secrets(base));
            let config = GatewayConfig { base_url: format!("{base}/sandbox/{}", g.as_str()), secrets, path_map: Vec::new(), verify_responses: true };
            (g, config)
        })
        .collect();
    let mut origins = vec![base.to_owned()];
    for (a, b) in [("//127.0.0.1", "//localhost"), ("//localhost", "//127.0.0.1")] {
        if base.contains(a) {
            origins.push(base.replacen(a, b, 1));
        }
    }
    let security = SecurityConfig { insecure_sandbox: true, allowed_return_urls: vec![format!("{base}/")], ..SecurityConfig::default() };
    ProxyConfig { gateways, notify_base_url: format!("{base}/proxy/notify"), allowed_origins: origins, security, ..ProxyConfig::defaults() }
}

/// Points the openid containers of the gateways that have one (HipoPay) at
/// the sandbox's (`{base_url}/sandbox`), as the gateway would give it to the
/// sandbox agent.
pub fn use_sandbox_container(config: &mut ProxyConfig, base_url: &str) {
    for (g, c) in &mut config.gateways {
        if let Some(secret) = sandbox_gateway(*g).demo_container(base_url.trim_end_matches('/'), &c.secrets) {
            c.secrets.0.push(secret);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::openid::capability;

    #[test]
    fn demo_points_at_the_sandbox() {
        let c = proxy_config("http://127.0.0.1:8080/");
        assert_eq!(c.gateways.len(), 5);
        assert_eq!(c.gateway(Gateway::HipoPay).unwrap().base_url, "http://127.0.0.1:8080/sandbox/hipopay");
        assert_eq!(c.notify_url(Gateway::BlueOcean), "http://127.0.0.1:8080/proxy/notify/blueocean");
        assert_eq!(c.allowed_origins, vec!["http://127.0.0.1:8080", "http://localhost:8080"]);
    }

    #[test]
    fn the_demo_publishes_its_sandbox_container() {
        let mut demo = proxy_config("http://127.0.0.1:8080/");
        assert_eq!(capability(&demo), None, "only a proxy told of a container publishes one");
        use_sandbox_container(&mut demo, "http://127.0.0.1:8080/");
        assert_eq!(capability(&demo), Some(serde_json::json!({"hipopay": "http://127.0.0.1:8080/sandbox/hipopay/order/authorize?agent_no=900001"})));
        let mut none = demo.clone();
        none.gateways.retain(|(g, _)| *g != Gateway::HipoPay);
        assert_eq!(capability(&none), None);
    }
}
