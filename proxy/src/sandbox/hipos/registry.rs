//! What HiPOS remembers of the application outside the order book: the
//! `notify_url` of the newest token call (where the application-side calls
//! go) and the device authorisation codes it issued, until a POS uses one.

use paybridge::gateway::hipos::expiry_ms;
use paybridge::json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// Most device codes remembered (the oldest are forgotten first).
const MAX_CODES: usize = 1_000;

/// An issued device code.
#[derive(Clone, Debug)]
struct DeviceCode {
    store_id: String,
    expires_ms: i64,
    issued_ms: i64,
    paired: Option<String>,
}

/// The HiPOS sandbox's registrations (part of the sandbox state).
#[derive(Debug, Default)]
pub struct Registry {
    callback: Mutex<Option<String>>,
    codes: Mutex<HashMap<String, DeviceCode>>,
}

impl Registry {
    /// Notes a token call's `notify_url`.
    pub fn set_callback(&self, notify_url: &str) {
        *self.callback.lock().unwrap_or_else(|e| e.into_inner()) = Some(notify_url.to_owned());
    }

    /// The newest token call's `notify_url`.
    pub fn callback(&self) -> Option<String> {
        self.callback.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Notes the code of a `device_authcode_response` answer.
    pub fn issue_from_reply(&self, reply: &Value, now_ms: i64) {
        let Some(inner) = reply.get("device_authcode_response") else { return };
        let (Some(code), Some(store_id), Some(expires_ms)) = (inner.text("auth_code"), inner.text("store_id"), inner.get("expire_at").and_then(expiry_ms)) else { return };
        let mut codes = self.codes.lock().unwrap_or_else(|e| e.into_inner());
        if codes.len() >= MAX_CODES {
            if let Some(oldest) = codes.iter().min_by_key(|(_, c)| c.issued_ms).map(|(k, _)| k.clone()) {
                codes.remove(&oldest);
            }
        }
        codes.insert(code.to_owned(), DeviceCode { store_id: store_id.to_owned(), expires_ms, issued_ms: now_ms, paired: None });
    }

    /// The store of an issued, unexpired, unused `code`, or why not.
    pub fn check_device_code(&self, code: &str, now_ms: i64) -> Result<String, &'static str> {
        let codes = self.codes.lock().unwrap_or_else(|e| e.into_inner());
        match codes.get(code) {
            None => Err("no such device code"),
            Some(c) if c.paired.is_some() => Err("the device code was used already"),
            Some(c) if now_ms >= c.expires_ms => Err("the device code has expired"),
            Some(c) => Ok(c.store_id.clone()),
        }
    }

    /// Marks `code` used by `device` (after the merchant acknowledged it).
    pub fn mark_paired(&self, code: &str, device: &str) {
        if let Some(c) = self.codes.lock().unwrap_or_else(|e| e.into_inner()).get_mut(code) {
            c.paired = Some(device.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_codes_are_single_use_and_expire() {
        let r = Registry::default();
        let reply = paybridge::json::parse(r#"{"device_authcode_response":{"code":0,"store_id":"store01","auth_code":"HPD-store01-000001","expire_at":2000}}"#).unwrap();
        r.issue_from_reply(&reply, 1_000_000);
        assert_eq!(r.check_device_code("HPD-store01-000001", 1_999_999), Ok("store01".to_owned()));
        assert_eq!(r.check_device_code("HPD-store01-000001", 2_000_000), Err("the device code has expired"));
        assert_eq!(r.check_device_code("HPD-nope", 0), Err("no such device code"));
        r.mark_paired("HPD-store01-000001", "POS-1");
        assert_eq!(r.check_device_code("HPD-store01-000001", 1_000_001), Err("the device code was used already"));
        assert_eq!(r.callback(), None);
        r.set_callback("http://127.0.0.1:1/proxy/notify/hipos");
        assert_eq!(r.callback().as_deref(), Some("http://127.0.0.1:1/proxy/notify/hipos"));
    }
}
