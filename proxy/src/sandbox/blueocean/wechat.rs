//! The two WeChat official-account API calls an HK-wallet `wx.config`
//! needs (outside seed 001, which links WeChat's JS-SDK page at L832), as
//! the sandbox's stand-in for `api.weixin.qq.com`, under `/wechat`:
//! - `GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…` →
//!   `{"access_token","expires_in":7200}`; a wrong secret is WeChat's
//!   `{"errcode":40125,"errmsg":"invalid appsecret"}`;
//! - `GET /cgi-bin/ticket/getticket?access_token=…&type=jsapi` →
//!   `{"errcode":0,"errmsg":"ok","ticket","expires_in":7200}`; an unknown
//!   token is `{"errcode":40001,"errmsg":"invalid credential"}`.
//!
//! Token and ticket are derived from the app id and the test secret, so
//! they stay the same for a run (like WeChat's within their 2 hours) and a
//! test acting as WeChat's client can ask for the ticket it verifies with.

use super::super::credentials::sandbox_secrets;
use axum::extract::Query;
use axum::Json;
use paybridge::model::Gateway;
use paybridge::sign::md5_hex;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The official account's AppSecret the sandbox accepts.
fn app_secret() -> String {
    sandbox_secrets(Gateway::BlueOcean).get("wechat_app_secret").map(str::to_owned).unwrap_or_default()
}

/// An access token names its account: `sandbox-at-{app_id}-{check}`.
fn access_token(app_id: &str) -> String {
    format!("sandbox-at-{app_id}-{}", &md5_hex(format!("token|{app_id}|{}", app_secret()).as_bytes())[..24])
}

/// The account an access token was issued to, if the sandbox issued it.
fn token_account(token: &str) -> Option<&str> {
    let rest = token.strip_prefix("sandbox-at-")?;
    let (app_id, _) = rest.rsplit_once('-')?;
    (access_token(app_id) == token).then_some(app_id)
}

/// The `jsapi_ticket` of an official account, as the sandbox issues it.
pub fn jsapi_ticket(app_id: &str) -> String {
    format!("sandbox-ticket-{}", &md5_hex(format!("ticket|{}", access_token(app_id)).as_bytes())[..24])
}

fn refusal(code: u32, message: &str) -> Json<Value> {
    Json(json!({ "errcode": code, "errmsg": message }))
}

/// `GET /wechat/cgi-bin/token`.
pub async fn token(Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    let (Some(app_id), Some(secret)) = (q.get("appid").filter(|a| a.starts_with("wx")), q.get("secret")) else {
        return refusal(40013, "invalid appid");
    };
    if q.get("grant_type").map(String::as_str) != Some("client_credential") {
        return refusal(40002, "invalid grant_type");
    }
    if *secret != app_secret() {
        return refusal(40125, "invalid appsecret");
    }
    Json(json!({ "access_token": access_token(app_id), "expires_in": 7200 }))
}

/// `GET /wechat/cgi-bin/ticket/getticket`.
pub async fn ticket(Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    let token = q.get("access_token").map(String::as_str).unwrap_or_default();
    if q.get("type").map(String::as_str) != Some("jsapi") {
        return refusal(40097, "invalid args");
    }
    match token_account(token) {
        Some(app_id) => Json(json!({ "errcode": 0, "errmsg": "ok", "ticket": jsapi_ticket(app_id), "expires_in": 7200 })),
        None => refusal(40001, "invalid credential"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_account() {
        let token = access_token("wx0sandbox0app");
        assert_eq!(token_account(&token), Some("wx0sandbox0app"));
        assert_eq!(token_account(&token.replace("wx0", "wx1")), None);
        assert_eq!(token_account("sandbox-at-wx1-0000"), None);
        assert_ne!(jsapi_ticket("wx0sandbox0app"), jsapi_ticket("wx1"));
    }
}
