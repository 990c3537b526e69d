//! Fault injection: rules posted to `/_control/faults` that make the sandbox
//! misbehave the way real gateways and networks do. A rule with `rate` 1
//! (the default) fires every time, deterministically; a lower rate draws
//! from a seeded PRNG, so a run with the same seed and the same requests
//! fires the same way.

use paybridge::model::Gateway;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// The longest `ms` a rule may ask for (latency, timeout hold, clock skew).
pub const MAX_FAULT_MS: u64 = 120_000;
/// How long a `timeout` rule holds a request when it gives no `ms`: longer
/// than any sane client timeout.
pub const DEFAULT_TIMEOUT_HOLD_MS: u64 = 35_000;

/// What a rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Adds `ms` before the request is handled.
    Latency,
    /// Answers HTTP 500 without handling the request.
    #[serde(rename = "http_500")]
    Http500,
    /// Handles the request, then holds the answer for `ms` (default 35 s).
    Timeout,
    /// Handles the request, then answers a truncated, non-JSON body.
    Malformed,
    /// Handles the request, signs the answer, then corrupts the signature.
    BadSignature,
    /// Handles the request, signs the answer, then removes the signature.
    StripSignature,
    /// Handles the request, then answers the gateway's "outcome unknown"
    /// reply (BlueOcean 201, ChaoYing NEED_QUERY…).
    Unknown,
    /// Sends every notification attempt twice.
    DuplicateNotify,
    /// Shifts the clock notifications are encoded with by `ms` (may be negative).
    ClockSkew,
}

impl FaultKind {
    /// Whether the rule shapes notifications rather than gateway answers.
    pub fn is_notification(self) -> bool {
        matches!(self, FaultKind::DuplicateNotify | FaultKind::ClockSkew)
    }
}

/// One rule as posted and listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Only this gateway (`blueocean`, …); all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// Only this gateway path (`/payment/pay`); all when absent. Ignored by
    /// notification rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only requests whose `method` parameter is this (ChaoYing's
    /// `/UnifiedPay/Gateway`: `pay`, `orderquery`…); all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub kind: FaultKind,
    /// Probability of firing on each match, 0 to 1.
    #[serde(default = "always")]
    pub rate: f64,
    /// Fires at most this many times, then is spent; unlimited when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Milliseconds for `latency`, `timeout` and `clock_skew`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<i64>,
}

fn always() -> f64 {
    1.0
}

impl FaultRule {
    /// Checks the rule's values; the error says which one is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(g) = &self.gateway {
            Gateway::parse(g).ok_or_else(|| format!("unknown gateway {g:?}"))?;
        }
        if !(0.0..=1.0).contains(&self.rate) {
            return Err("rate must be between 0 and 1".to_owned());
        }
        let limit = i64::try_from(MAX_FAULT_MS).unwrap_or(i64::MAX);
        match (self.kind, self.ms) {
            (FaultKind::Latency, None) => Err("latency needs ms".to_owned()),
            (FaultKind::ClockSkew, None) => Err("clock_skew needs ms".to_owned()),
            (FaultKind::ClockSkew, Some(ms)) if ms.abs() > limit => Err(format!("ms must be within ±{MAX_FAULT_MS}")),
            (FaultKind::ClockSkew, Some(_)) => Ok(()),
            (_, Some(ms)) if !(0..=limit).contains(&ms) => Err(format!("ms must be 0 to {MAX_FAULT_MS}")),
            _ => Ok(()),
        }
    }

    fn matches(&self, gateway: Gateway, path: Option<&str>, method: Option<&str>) -> bool {
        let gateway_ok = self.gateway.as_deref().is_none_or(|g| g == gateway.as_str());
        let path_ok = match path {
            Some(p) => self.path.as_deref().is_none_or(|want| want == p),
            None => true,
        };
        let method_ok = self.method.is_none() || self.method.as_deref() == method;
        gateway_ok && path_ok && (path.is_none() || method_ok)
    }
}

/// The rule book plus the PRNG that decides partial rates.
#[derive(Debug)]
pub struct Faults {
    inner: Mutex<Book>,
}

#[derive(Debug)]
struct Book {
    rules: Vec<FaultRule>,
    rng: u64,
}

impl Faults {
    /// An empty rule book whose partial rates draw from `seed`.
    pub fn new(seed: u64) -> Faults {
        Faults { inner: Mutex::new(Book { rules: Vec::new(), rng: seed }) }
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds rules after validating all of them (none is added if one is wrong).
    pub fn add(&self, rules: Vec<FaultRule>) -> Result<(), String> {
        rules.iter().try_for_each(FaultRule::validate)?;
        self.book().rules.extend(rules);
        Ok(())
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.book().rules.clear();
    }

    /// The rules still active, with their remaining counts.
    pub fn list(&self) -> Vec<FaultRule> {
        self.book().rules.clone()
    }

    /// The request rules that fire for one request (each fire spends one of
    /// its count).
    pub fn fire_for_request(&self, gateway: Gateway, path: &str, method: Option<&str>) -> Vec<FaultRule> {
        self.fire(|r| !r.kind.is_notification() && r.matches(gateway, Some(path), method))
    }

    /// The notification rules that fire for one notification.
    pub fn fire_for_notification(&self, gateway: Gateway) -> Vec<FaultRule> {
        self.fire(|r| r.kind.is_notification() && r.matches(gateway, None, None))
    }

    fn fire(&self, wanted: impl Fn(&FaultRule) -> bool) -> Vec<FaultRule> {
        let mut book = self.book();
        let Book { rules, rng } = &mut *book;
        let mut fired = Vec::new();
        for rule in rules.iter_mut().filter(|r| wanted(r) && r.count != Some(0)) {
            if rule.rate < 1.0 && unit(next(rng)) >= rule.rate {
                continue;
            }
            if let Some(n) = rule.count.as_mut() {
                *n -= 1;
            }
            fired.push(rule.clone());
        }
        rules.retain(|r| r.count != Some(0));
        fired
    }
}

/// splitmix64: a small, well-mixed, seedable generator.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform draw in `[0, 1)` from 53 random bits.
fn unit(x: u64) -> f64 {
    const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
    (x >> 11) as f64 * SCALE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: FaultKind) -> FaultRule {
        FaultRule { gateway: None, path: None, method: None, kind, rate: 1.0, count: None, ms: None }
    }

    #[test]
    fn counts_run_out_and_filters_apply() {
        let f = Faults::new(1);
        f.add(vec![FaultRule { gateway: Some("blueocean".into()), path: Some("/order/query".into()), count: Some(2), ..rule(FaultKind::Http500) }]).unwrap();
        assert!(f.fire_for_request(Gateway::ChaoYing, "/order/query", None).is_empty());
        assert!(f.fire_for_request(Gateway::BlueOcean, "/payment/pay", None).is_empty());
        assert_eq!(f.fire_for_request(Gateway::BlueOcean, "/order/query", None).len(), 1);
        assert_eq!(f.list()[0].count, Some(1));
        assert_eq!(f.fire_for_request(Gateway::BlueOcean, "/order/query", None).len(), 1);
        assert!(f.fire_for_request(Gateway::BlueOcean, "/order/query", None).is_empty());
        assert!(f.list().is_empty(), "a spent rule is removed");
    }

    #[test]
    fn method_filter_and_notification_rules_are_separate() {
        let f = Faults::new(1);
        f.add(vec![FaultRule { method: Some("orderquery".into()), ..rule(FaultKind::Unknown) }, rule(FaultKind::DuplicateNotify)]).unwrap();
        assert!(f.fire_for_request(Gateway::ChaoYing, "/UnifiedPay/Gateway", Some("pay")).is_empty());
        assert_eq!(f.fire_for_request(Gateway::ChaoYing, "/UnifiedPay/Gateway", Some("orderquery"))[0].kind, FaultKind::Unknown);
        assert_eq!(f.fire_for_notification(Gateway::ChaoYing)[0].kind, FaultKind::DuplicateNotify);
    }

    #[test]
    fn partial_rates_are_seeded() {
        let draws = |seed| {
            let f = Faults::new(seed);
            f.add(vec![FaultRule { rate: 0.5, ..rule(FaultKind::Http500) }]).unwrap();
            (0..64).map(|_| !f.fire_for_request(Gateway::HiPos, "/x", None).is_empty()).collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        let fired = draws(7).iter().filter(|b| **b).count();
        assert!((16..=48).contains(&fired), "about half fire: {fired}");
        let f = Faults::new(7);
        f.add(vec![FaultRule { rate: 0.0, ..rule(FaultKind::Http500) }]).unwrap();
        assert!(f.fire_for_request(Gateway::HiPos, "/x", None).is_empty());
    }

    #[test]
    fn refuses_bad_rules() {
        let f = Faults::new(1);
        assert!(f.add(vec![FaultRule { rate: 1.5, ..rule(FaultKind::Http500) }]).is_err());
        assert!(f.add(vec![rule(FaultKind::Latency)]).is_err());
        assert!(f.add(vec![FaultRule { gateway: Some("nope".into()), ..rule(FaultKind::Http500) }]).is_err());
        assert!(f.add(vec![FaultRule { ms: Some(-5), ..rule(FaultKind::Timeout) }]).is_err());
        assert!(f.add(vec![FaultRule { ms: Some(-5), ..rule(FaultKind::ClockSkew) }]).is_ok());
        let parsed: Vec<FaultRule> = serde_json::from_str(r#"[{"kind":"http_500"},{"kind":"latency","ms":5,"rate":0.5}]"#).unwrap();
        assert_eq!(parsed[0].rate, 1.0);
        assert!(serde_json::from_str::<Vec<FaultRule>>(r#"[{"kind":"explode"}]"#).is_err());
    }
}
