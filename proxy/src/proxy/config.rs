//! The proxy's configuration: one TOML file, with secrets taken from
//! environment variables or files so the file itself can be committed.
//!
//! ```toml
//! notify_base_url = "https://shop.example/proxy/notify"   # + "/{gateway}"
//! allowed_origins = ["https://shop.example"]
//! upstream_timeout_ms = 10000
//! max_body_bytes = 65536
//! long_poll_max_wait_secs = 30           # at most 30
//! client_ip = "peer"                     # or "x-forwarded-for"
//! trusted_proxy_hops = 1                 # with "x-forwarded-for"
//! hipos_token_ttl_secs = 1800
//! rate_limit = { per_second = 10.0, burst = 20 }
//! max_long_poll_waiters = 1000           # beyond it: 503 + Retry-After
//! long_poll_recheck_ms = 4000            # one upstream re-check per order per period
//! require_client_secret = true           # false is unsafe (docs/security.md)
//! allowed_return_urls = ["https://shop.example/paid"]
//! order_source_connect_timeout_ms = 2000
//! order_source_timeout_ms = 5000
//! notification_window_secs = 86400
//! insecure_sandbox = false               # true allows http:// upstreams and verify_responses = false
//!
//! [gateways.blueocean]
//! base_url = "https://api.hk.blueoceanpay.com"
//! verify_responses = true
//! secrets = { appid = "1000258", app_key = { env = "PAYBRIDGE_BLUEOCEAN_APP_KEY" },
//!             sub_appid_official_account = "wx…", sub_appid_mini_program = "wx…" }
//!
//! [gateways.hipopay]
//! base_url = "https://api.hipopay.example"
//! path_map = { "/order/jsapi_pay" = "/order/wechat_jsapi" }
//! secrets = { agent_no = "900001", private_key_pem = { file = "hipopay-agent.pem" } }
//!
//! [store]                                # default: paybridge-proxy.db beside this file
//! url = "postgres://paybridge@db.internal:5432/paybridge"
//! ```
//!
//! `[merchant]` (where payment events go, and their retries) is described in
//! `events/config.rs` and `docs/events.md`.
//!
//! A secret is a plain string (for identifiers that are not secret), `{ env
//! = "NAME" }` or `{ file = "path" }` (relative to the config file).
//! `path_map` maps a gateway path as the browser names it (or its pattern,
//! e.g. `/2/rest/offline/bill/{bill_no}`) onto the upstream path, or onto an
//! absolute `https://…` URL when the gateway splits its API across hosts
//! (ChaoYing's `/Open/*` pre-orders and `/UnifiedPay/Gateway`).

use super::security::{self, SecurityConfig};
use crate::store::StoreConfig;
use paybridge::gateway::wire::Secrets;
use paybridge::model::Gateway;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// The longest long-poll wait the protocol allows.
pub const LONG_POLL_LIMIT: Duration = Duration::from_secs(30);

/// Where the client IP the proxy puts into gateway requests comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientIpSource {
    /// The TCP peer (the proxy faces browsers directly).
    Peer,
    /// The `hops`-th address from the right of `X-Forwarded-For`, written by
    /// the `hops` reverse proxies in front of this one (1: the nearest).
    ForwardedFor { hops: usize },
}

/// A token bucket per (gateway, order reference).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Tokens added per second.
    pub per_second: f64,
    /// Bucket size: the burst allowed after a quiet period.
    pub burst: u32,
}

/// One gateway's upstream and credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayConfig {
    /// The gateway's API root, e.g. `https://api.hk.blueoceanpay.com`.
    pub base_url: String,
    /// The credentials the gateway module reads (see each module's doc).
    pub secrets: Secrets,
    /// Browser path (or endpoint pattern) → upstream path or absolute URL.
    pub path_map: Vec<(String, String)>,
    /// Whether signed responses are checked (off only with `insecure_sandbox`).
    pub verify_responses: bool,
}

/// Everything the proxy needs to run.
#[derive(Clone, Debug, PartialEq)]
pub struct ProxyConfig {
    /// The gateways this proxy serves.
    pub gateways: Vec<(Gateway, GatewayConfig)>,
    /// Notification URLs given to gateways are `{notify_base_url}/{gateway}`.
    pub notify_base_url: String,
    /// Origins allowed to call the proxy from a browser (`*` for any).
    /// Same-origin calls are always allowed.
    pub allowed_origins: Vec<String>,
    /// Longest wait for a gateway's answer.
    pub upstream_timeout: Duration,
    /// Largest browser or notification body, in bytes.
    pub max_body_bytes: usize,
    /// Longest long-poll hold (clamped to [`LONG_POLL_LIMIT`]).
    pub long_poll_max_wait: Duration,
    /// Most long-poll requests held at once; beyond it 503 + `Retry-After`.
    pub max_long_poll_waiters: usize,
    /// How often held long-polls re-check an order upstream (one shared
    /// query per order per period, whatever the number of waiters).
    pub long_poll_recheck: Duration,
    pub client_ip: ClientIpSource,
    /// How long a HiPOS token is used before the proxy fetches a new one
    /// (HiPOS documents no lifetime).
    pub hipos_token_ttl: Duration,
    pub rate_limit: RateLimit,
    /// Where the store is (`[store]`, `crate::store::StoreConfig`).
    pub store: StoreConfig,
    /// The back office over HTTP (`None`: its routes answer 404).
    pub back_office: Option<super::back_office::BackOfficeConfig>,
    /// `[merchant]`: payment events to the merchant's back end.
    pub merchant: super::events::MerchantConfig,
    /// Client secrets, fail-closed switches, allowlists, timeouts.
    pub security: SecurityConfig,
}

impl ProxyConfig {
    /// The configuration of `gateway`, if this proxy serves it.
    pub fn gateway(&self, gateway: Gateway) -> Option<&GatewayConfig> {
        self.gateways.iter().find(|(g, _)| *g == gateway).map(|(_, c)| c)
    }

    /// The notification URL given to `gateway`.
    pub fn notify_url(&self, gateway: Gateway) -> String {
        format!("{}/{}", self.notify_base_url.trim_end_matches('/'), gateway.as_str())
    }

    /// Reads a TOML file; secrets come from the environment and from files
    /// relative to the file's directory.
    pub fn load(path: &Path) -> Result<ProxyConfig, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        ProxyConfig::from_toml(&text, &|name| std::env::var(name).ok(), dir)
    }

    /// Parses TOML text; `env` looks up environment variables and `dir` is
    /// where relative secret files are. Refuses what would fail open
    /// ([`security::check_startup`]); errors never quote the file's text.
    pub fn from_toml(text: &str, env: &dyn Fn(&str) -> Option<String>, dir: &Path) -> Result<ProxyConfig, String> {
        let file: FileConfig = toml::from_str(text).map_err(|e| security::redacted_toml_error(&e, text))?;
        let defaults = ProxyConfig::defaults();
        let mut gateways = Vec::new();
        for (name, g) in file.gateways {
            let gateway = Gateway::parse(&name).ok_or_else(|| format!("proxy config: unknown gateway {name:?}"))?;
            let mut secrets = Vec::new();
            for (key, source) in g.secrets {
                secrets.push((key.clone(), source.resolve(&key, env, dir)?));
            }
            let config =
                GatewayConfig { base_url: g.base_url, secrets: Secrets(secrets), path_map: g.path_map.into_iter().collect(), verify_responses: g.verify_responses.unwrap_or(true) };
            gateways.push((gateway, config));
        }
        let client_ip = match file.client_ip.as_deref().unwrap_or("peer") {
            "peer" => ClientIpSource::Peer,
            "x-forwarded-for" => ClientIpSource::ForwardedFor { hops: file.trusted_proxy_hops.unwrap_or(1).max(1) },
            other => return Err(format!("proxy config: client_ip must be \"peer\" or \"x-forwarded-for\", not {other:?}")),
        };
        let rate_limit = file.rate_limit.map_or(defaults.rate_limit, |r| RateLimit { per_second: r.per_second, burst: r.burst.max(1) });
        if !rate_limit.per_second.is_finite() || rate_limit.per_second <= 0.0 {
            return Err("proxy config: rate_limit.per_second must be positive".to_owned());
        }
        let ms = |v: Option<u64>, d: Duration| v.map_or(d, Duration::from_millis);
        let security = SecurityConfig {
            insecure_sandbox: file.insecure_sandbox.unwrap_or(false),
            require_client_secret: file.require_client_secret.unwrap_or(true),
            allowed_return_urls: file.allowed_return_urls,
            order_source_connect_timeout: ms(file.order_source_connect_timeout_ms, security::DEFAULT_ORDER_SOURCE_CONNECT),
            order_source_timeout: ms(file.order_source_timeout_ms, security::DEFAULT_ORDER_SOURCE_TOTAL),
            notification_window: file.notification_window_secs.map_or(security::DEFAULT_NOTIFICATION_WINDOW, Duration::from_secs),
        };
        let config = ProxyConfig {
            gateways,
            notify_base_url: file.notify_base_url,
            allowed_origins: file.allowed_origins,
            upstream_timeout: file.upstream_timeout_ms.map_or(defaults.upstream_timeout, Duration::from_millis),
            max_body_bytes: file.max_body_bytes.unwrap_or(defaults.max_body_bytes),
            long_poll_max_wait: file.long_poll_max_wait_secs.map_or(defaults.long_poll_max_wait, Duration::from_secs).min(LONG_POLL_LIMIT),
            max_long_poll_waiters: file.max_long_poll_waiters.unwrap_or(defaults.max_long_poll_waiters),
            long_poll_recheck: ms(file.long_poll_recheck_ms, defaults.long_poll_recheck).max(Duration::from_millis(100)),
            client_ip,
            hipos_token_ttl: file.hipos_token_ttl_secs.map_or(defaults.hipos_token_ttl, Duration::from_secs),
            rate_limit,
            store: file.store.unwrap_or_else(|| StoreConfig::beside(dir)),
            back_office: file.back_office.map(|b| b.resolve(env, dir)).transpose()?,
            merchant: file.merchant.map(|m| m.resolve(env, dir)).transpose()?.unwrap_or_default(),
            security,
        };
        security::check_startup(&config)?;
        Ok(config)
    }

    /// Defaults for everything but gateways, notify URL and origins.
    pub fn defaults() -> ProxyConfig {
        ProxyConfig {
            gateways: Vec::new(),
            notify_base_url: String::new(),
            allowed_origins: Vec::new(),
            upstream_timeout: Duration::from_secs(10),
            max_body_bytes: 64 * 1024,
            long_poll_max_wait: LONG_POLL_LIMIT,
            max_long_poll_waiters: 1000,
            long_poll_recheck: Duration::from_secs(4),
            client_ip: ClientIpSource::Peer,
            hipos_token_ttl: Duration::from_secs(30 * 60),
            rate_limit: RateLimit { per_second: 10.0, burst: 20 },
            store: StoreConfig::beside(Path::new(".")),
            back_office: None,
            merchant: super::events::MerchantConfig::default(),
            security: SecurityConfig::default(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    notify_base_url: String,
    #[serde(default)]
    allowed_origins: Vec<String>,
    upstream_timeout_ms: Option<u64>,
    max_body_bytes: Option<usize>,
    long_poll_max_wait_secs: Option<u64>,
    max_long_poll_waiters: Option<usize>,
    client_ip: Option<String>,
    trusted_proxy_hops: Option<usize>,
    hipos_token_ttl_secs: Option<u64>,
    rate_limit: Option<FileRateLimit>,
    long_poll_recheck_ms: Option<u64>,
    insecure_sandbox: Option<bool>,
    require_client_secret: Option<bool>,
    #[serde(default)]
    allowed_return_urls: Vec<String>,
    order_source_connect_timeout_ms: Option<u64>,
    order_source_timeout_ms: Option<u64>,
    notification_window_secs: Option<u64>,
    #[serde(default)]
    gateways: BTreeMap<String, FileGateway>,
    store: Option<StoreConfig>,
    back_office: Option<super::back_office::FileBackOffice>,
    merchant: Option<super::events::FileMerchant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRateLimit {
    per_second: f64,
    burst: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileGateway {
    base_url: String,
    verify_responses: Option<bool>,
    #[serde(default)]
    path_map: BTreeMap<String, String>,
    #[serde(default)]
    secrets: BTreeMap<String, SecretSource>,
}

/// Where one secret's value comes from.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum SecretSource {
    Plain(String),
    Env { env: String },
    File { file: String },
}

impl SecretSource {
    pub(super) fn resolve(self, key: &str, env: &dyn Fn(&str) -> Option<String>, dir: &Path) -> Result<String, String> {
        match self {
            SecretSource::Plain(v) => Ok(v),
            SecretSource::Env { env: name } => env(&name).filter(|v| !v.is_empty()).ok_or_else(|| format!("proxy config: secret {key}: environment variable {name} is not set")),
            SecretSource::File { file } => {
                let path = dir.join(file);
                std::fs::read_to_string(&path).map_err(|e| format!("proxy config: secret {key}: cannot read {}: {e}", path.display()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
insecure_sandbox = true
notify_base_url = "https://shop.example/proxy/notify/"
allowed_origins = ["https://shop.example"]
long_poll_max_wait_secs = 90
client_ip = "x-forwarded-for"
trusted_proxy_hops = 2
rate_limit = { per_second = 2.5, burst = 5 }

[gateways.blueocean]
base_url = "https://api.example"
secrets = { appid = "1000258", app_key = { env = "BO_KEY" } }

[gateways.chaoying]
base_url = "https://pay.storepos.cn"
verify_responses = false
path_map = { "/Open/WECHAT_PreOrder" = "https://qrpay.pos.cn/Open/WECHAT_PreOrder" }
"#;

    fn env(name: &str) -> Option<String> {
        (name == "BO_KEY").then(|| "k3y".to_owned())
    }

    #[test]
    fn reads_toml_with_env_secrets() {
        let c = ProxyConfig::from_toml(SAMPLE, &env, Path::new(".")).unwrap();
        let bo = c.gateway(Gateway::BlueOcean).unwrap();
        assert_eq!(bo.secrets.get("app_key").unwrap(), "k3y");
        assert!(bo.verify_responses);
        assert!(!c.gateway(Gateway::ChaoYing).unwrap().verify_responses);
        assert_eq!(c.gateway(Gateway::ChaoYing).unwrap().path_map.len(), 1);
        assert_eq!(c.long_poll_max_wait, LONG_POLL_LIMIT);
        assert_eq!(c.client_ip, ClientIpSource::ForwardedFor { hops: 2 });
        assert_eq!(c.notify_url(Gateway::HiPos), "https://shop.example/proxy/notify/hipos");
        assert_eq!(c.rate_limit, RateLimit { per_second: 2.5, burst: 5 });
        assert_eq!(c.store, StoreConfig::beside(Path::new(".")));
        let with_store = format!("{SAMPLE}\n[store]\nurl = \"postgres://pay@db/pay\"\n");
        assert_eq!(ProxyConfig::from_toml(&with_store, &env, Path::new(".")).unwrap().store.url, "postgres://pay@db/pay");
    }

    #[test]
    fn missing_env_secret_and_unknown_gateway_are_errors() {
        let no_env = |_: &str| None;
        assert!(ProxyConfig::from_toml(SAMPLE, &no_env, Path::new(".")).unwrap_err().contains("BO_KEY"));
        let bad = "notify_base_url = \"x\"\n[gateways.paypal]\nbase_url = \"y\"\n";
        assert!(ProxyConfig::from_toml(bad, &env, Path::new(".")).unwrap_err().contains("paypal"));
    }

    #[test]
    fn refuses_to_fail_open_without_insecure_sandbox() {
        let strict = SAMPLE.replace("insecure_sandbox = true", "");
        let e = ProxyConfig::from_toml(&strict, &env, Path::new(".")).unwrap_err();
        assert!(e.contains("verify_responses = false") && e.contains("insecure_sandbox"), "{e}");
        let plain = "notify_base_url = \"x\"\n[gateways.hipos]\nbase_url = \"http://hipos.example\"\n";
        let e = ProxyConfig::from_toml(plain, &env, Path::new(".")).unwrap_err();
        assert!(e.contains("http://") && e.contains("https://"), "{e}");
        let sandbox = format!("insecure_sandbox = true\n{plain}");
        assert!(ProxyConfig::from_toml(&sandbox, &env, Path::new(".")).unwrap().security.insecure_sandbox);
        let c = ProxyConfig::from_toml("notify_base_url = \"x\"\n", &env, Path::new(".")).unwrap();
        assert!(c.security.require_client_secret && !c.security.insecure_sandbox);
        assert!(c.security.order_source_timeout <= Duration::from_secs(5));
    }

    #[test]
    fn reads_secret_files_relative_to_the_config() {
        let dir = std::env::temp_dir().join(format!("paybridge-proxy-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("key.pem"), "PEM").unwrap();
        let text = "notify_base_url = \"x\"\n[gateways.hipopay]\nbase_url = \"y\"\nsecrets = { private_key_pem = { file = \"key.pem\" } }\n";
        let c = ProxyConfig::from_toml(text, &env, &dir).unwrap();
        assert_eq!(c.gateway(Gateway::HipoPay).unwrap().secrets.get("private_key_pem").unwrap(), "PEM");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
