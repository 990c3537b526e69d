//! Where a page that has no payer openid sends the payer to get one: HipoPay's
//! container (seed 002 §4.1 step 1), whose authorization URL HipoPay gives the
//! agent when it binds the agent's pay page. The proxy is configured with it
//! (the gateway secret [`AUTHORIZE_URL_SECRET`]) and publishes it in
//! `GET /capabilities` as `"openidAuthorize": {"hipopay": "<url>"}`; the page
//! navigates there with its own parameters and comes back with `openid`.

use super::config::ProxyConfig;
use paybridge::gateway::hipopay::AUTHORIZE_PATH;
use paybridge::model::Gateway;

/// The gateway secret holding the container's authorization URL.
pub const AUTHORIZE_URL_SECRET: &str = "openid_authorize_url";

/// Points HipoPay's openid container at the sandbox's (`{base_url}/sandbox`),
/// as HipoPay would give it to the sandbox agent: the demo's configuration.
pub fn use_sandbox_container(config: &mut ProxyConfig, base_url: &str) {
    for (_, c) in config.gateways.iter_mut().filter(|(g, _)| *g == Gateway::HipoPay) {
        let agent = c.secrets.get("agent_no").unwrap_or_default().to_owned();
        let url = format!("{}/sandbox/hipopay{AUTHORIZE_PATH}?agent_no={agent}", base_url.trim_end_matches('/'));
        c.secrets.0.push((AUTHORIZE_URL_SECRET.to_owned(), url));
    }
}

/// The `openidAuthorize` member of the capabilities, when a gateway has one.
pub(super) fn capability(config: &ProxyConfig) -> Option<serde_json::Value> {
    let urls: serde_json::Map<String, serde_json::Value> = config
        .gateways
        .iter()
        .filter(|(g, _)| *g == Gateway::HipoPay)
        .filter_map(|(g, c)| Some((g.as_str().to_owned(), serde_json::Value::from(c.secrets.get(AUTHORIZE_URL_SECRET).ok()?))))
        .collect();
    (!urls.is_empty()).then_some(serde_json::Value::Object(urls))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_publishes_its_sandbox_container() {
        let mut demo = ProxyConfig::demo("http://127.0.0.1:8080/");
        assert_eq!(capability(&demo), None, "only a proxy told of a container publishes one");
        use_sandbox_container(&mut demo, "http://127.0.0.1:8080/");
        assert_eq!(capability(&demo), Some(serde_json::json!({"hipopay": "http://127.0.0.1:8080/sandbox/hipopay/order/authorize?agent_no=900001"})));
        let mut none = demo.clone();
        none.gateways.retain(|(g, _)| *g != Gateway::HipoPay);
        assert_eq!(capability(&none), None);
    }
}
