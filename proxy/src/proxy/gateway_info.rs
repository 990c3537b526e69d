//! What a page needs to offer the gateways this proxy serves: each one's
//! display name in every locale and the modes it can create, published in
//! `GET /capabilities` as `"gatewayInfo": {"blueocean": {"name": {"zh-CN": …,
//! "zh-HK": …, "en": …}, "modes": ["qr", …]}, …}` (names from the gateway
//! registry, modes from the gateway's protocol).

use super::config::ProxyConfig;
use paybridge::i18n::Locale;
use paybridge::model::{Gateway, Mode};
use serde_json::{Map, Value};

/// The `gatewayInfo` member of the capabilities: one entry per configured gateway.
pub(super) fn capability(config: &ProxyConfig) -> Value {
    Value::Object(config.gateways.iter().map(|(g, _)| (g.as_str().to_owned(), info(*g))).collect())
}

fn info(gateway: Gateway) -> Value {
    let name: Map<String, Value> = [Locale::ZhCn, Locale::ZhHk, Locale::En].into_iter().map(|l| (l.as_str().to_owned(), Value::from(gateway.display_name(l)))).collect();
    let offered = paybridge::gateway::protocol(gateway).map(|p| p.modes()).unwrap_or_default();
    let modes: Vec<&str> = Mode::ALL.into_iter().filter(|m| offered.iter().any(|(o, _)| o == m)).map(Mode::as_str).collect();
    serde_json::json!({ "name": name, "modes": modes })
}
