//! Where a page that has no payer openid sends the payer to get one: HipoPay's
//! container (seed 002 §4.1 step 1), whose authorization URL HipoPay gives the
//! agent when it binds the agent's pay page. The proxy is configured with it
//! (the gateway secret [`AUTHORIZE_URL_SECRET`]) and publishes it in
//! `GET /capabilities` as `"openidAuthorize": {"hipopay": "<url>"}`; the page
//! navigates there with its own parameters and comes back with `openid`.

use super::config::ProxyConfig;
use paybridge::gateway::rules;

/// The gateway secret holding the container's authorization URL.
pub const AUTHORIZE_URL_SECRET: &str = "openid_authorize_url";

/// The `openidAuthorize` member of the capabilities, when a gateway whose
/// rules declare an openid container has its URL configured.
pub(crate) fn capability(config: &ProxyConfig) -> Option<serde_json::Value> {
    let urls: serde_json::Map<String, serde_json::Value> = config
        .gateways
        .iter()
        .filter(|(g, _)| rules(*g).is_ok_and(|r| r.openid_container()))
        .filter_map(|(g, c)| Some((g.as_str().to_owned(), serde_json::Value::from(c.secrets.get(AUTHORIZE_URL_SECRET).ok()?))))
        .collect();
    (!urls.is_empty()).then_some(serde_json::Value::Object(urls))
}
