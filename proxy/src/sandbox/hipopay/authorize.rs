//! HipoPay's container redirect (seed 002 §4.1 step 1, L83-L84): "用户授权完成后,
//! 我们会将服务商自己的支付页面run在我们的容器当中(这个页面地址需要提前告知我们,
//! 我们会和服务商绑定,我们会把授权url里面的参数全部带回去,同时会增加一个参数:openid)".
//!
//! `GET /hipopay/order/authorize?agent_no=…&…` (the seed prints no URL: the
//! path is [`AUTHORIZE_PATH`], `agent_no` names whose bound page to run) plays
//! the WeChat authorisation — silent, as a `snsapi_base` one is — and answers
//! `302` to the agent's pay page bound in advance (`bound_pay_page` among the
//! sandbox credentials, on the sandbox's origin) with every parameter of the
//! authorization URL brought back plus `openid`: the sandbox payer's, stable
//! per agent. An unknown agent is `403`, a missing one `400` (plain text: a
//! person's browser reads it).

use crate::sandbox::credentials::sandbox_secrets;
use crate::sandbox::SandboxState;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use paybridge::gateway::hipopay::AUTHORIZE_PATH;
use paybridge::gateway::wire::{form_decode, form_encode, Secrets};
use paybridge::model::Gateway;
use paybridge::sign::md5_hex;

/// The route, relative to the sandbox root.
pub fn route() -> String {
    format!("/hipopay{AUTHORIZE_PATH}")
}

/// The handler.
pub async fn authorize(State(state): State<SandboxState>, RawQuery(query): RawQuery) -> Response {
    match container_redirect(state.base_url(), query.as_deref().unwrap_or(""), &sandbox_secrets(Gateway::HipoPay)) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location), (header::CACHE_CONTROL, "no-store".to_owned())]).into_response(),
        Err((status, why)) => (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], why).into_response(),
    }
}

/// The sandbox payer's openid for `agent_no` (28 characters, as WeChat's).
pub fn payer_openid(agent_no: &str) -> String {
    format!("o{}", &md5_hex(format!("{agent_no}:sandbox-payer").as_bytes())[..27])
}

/// Where the container sends the payer: the bound page on the origin of
/// `base_url` with the authorization URL's `query` (without an `openid` of
/// its own) and `openid` appended.
pub fn container_redirect(base_url: &str, query: &str, secrets: &Secrets) -> Result<String, (StatusCode, &'static str)> {
    let mut params = form_decode(query);
    let agent = params.iter().find(|(k, _)| k == "agent_no").map(|(_, v)| v.clone()).ok_or((StatusCode::BAD_REQUEST, "agent_no is required"))?;
    if secrets.get("agent_no").ok() != Some(agent.as_str()) {
        return Err((StatusCode::FORBIDDEN, "no pay page is bound to this agent_no"));
    }
    let page = secrets.get("bound_pay_page").map_err(|_| (StatusCode::INTERNAL_SERVER_ERROR, "the agent has bound no pay page"))?;
    params.retain(|(k, _)| k != "openid");
    params.push(("openid".to_owned(), payer_openid(&agent)));
    let page = if page.starts_with("http://") || page.starts_with("https://") { page.to_owned() } else { format!("{}{page}", origin(base_url)) };
    let joiner = if page.contains('?') { '&' } else { '?' };
    Ok(format!("{page}{joiner}{}", form_encode(&params)))
}

/// `scheme://host[:port]` of an absolute URL.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..].find('/').map_or(url, |i| &url[..after_scheme + i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> Secrets {
        Secrets::from_pairs([("agent_no", "900001"), ("bound_pay_page", "/checkout.html")])
    }

    #[test]
    fn every_parameter_comes_back_with_the_openid() {
        let location = container_redirect("http://127.0.0.1:8080/sandbox", "agent_no=900001&gateway=hipopay&mode=jsapi&note=%E8%8C%B6%20a%26b", &secrets()).unwrap();
        let openid = payer_openid("900001");
        assert_eq!(openid.len(), 28);
        assert_eq!(location, format!("http://127.0.0.1:8080/checkout.html?agent_no=900001&gateway=hipopay&mode=jsapi&note=%E8%8C%B6%20a%26b&openid={openid}"));
        let forged = container_redirect("http://127.0.0.1:8080/sandbox", "agent_no=900001&openid=oAttacker", &secrets()).unwrap();
        assert!(forged.ends_with(&format!("?agent_no=900001&openid={openid}")), "{forged}");
    }

    /// The same round trip the client's tests read (fixtures/hipopay/container-redirect-4.1-L84.json).
    #[test]
    fn the_fixtures_round_trip() {
        let fixture: serde_json::Value = serde_json::from_str(include_str!("../../../../fixtures/hipopay/container-redirect-4.1-L84.json")).unwrap();
        let (authorize, back) = (fixture["authorize"].as_str().unwrap(), fixture["back"].as_str().unwrap());
        let (_, query) = authorize.split_once('?').unwrap();
        assert_eq!(container_redirect("http://127.0.0.1:8080/sandbox", query, &secrets()).unwrap(), back);
    }

    #[test]
    fn only_the_bound_agent_is_served() {
        assert_eq!(container_redirect("http://h/sandbox", "agent_no=1", &secrets()).unwrap_err().0, StatusCode::FORBIDDEN);
        assert_eq!(container_redirect("http://h/sandbox", "mode=jsapi", &secrets()).unwrap_err().0, StatusCode::BAD_REQUEST);
        let absolute = Secrets::from_pairs([("agent_no", "900001"), ("bound_pay_page", "https://shop.example.com/pay?x=1")]);
        assert!(container_redirect("http://h/sandbox", "agent_no=900001", &absolute).unwrap().starts_with("https://shop.example.com/pay?x=1&agent_no=900001&openid=o"));
        assert_eq!(origin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
