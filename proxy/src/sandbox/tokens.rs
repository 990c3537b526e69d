//! Tokens the sandbox issued, for gateways whose requests carry a bearer
//! token instead of a signature (HiPOS).
//!
//! The hook is independent of [`super::gateway::SandboxGateway`]: when an
//! endpoint whose operation is [`paybridge::gateway::Operation::Token`]
//! answers with a 2xx status, the framework records every string member
//! named `token` in the reply (at any depth up to four levels), and from
//! then on passes a `token` secret to that gateway's `decode_request`,
//! `sign_response`, `notification` and `encode_notification`: the request's
//! own bearer token when the sandbox issued it, else the newest one (so a
//! wrong or stale token is refused by the wire's check). A handler may also
//! be given tokens directly through [`Tokens::issue`].

use paybridge::gateway::wire::WireRequest;
use paybridge::json::Value;
use paybridge::model::Gateway;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// How many tokens per gateway are remembered (older ones stop working).
pub const MAX_TOKENS: usize = 32;

/// Issued tokens per gateway, newest last.
#[derive(Debug, Default)]
pub struct Tokens {
    issued: Mutex<HashMap<Gateway, VecDeque<String>>>,
}

impl Tokens {
    /// Records a token the sandbox issued for `gateway`.
    pub fn issue(&self, gateway: Gateway, token: &str) {
        let mut map = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        let list = map.entry(gateway).or_default();
        list.retain(|t| t != token);
        list.push_back(token.to_owned());
        while list.len() > MAX_TOKENS {
            list.pop_front();
        }
    }

    /// Records every `token` string member of a token endpoint's reply.
    pub fn issue_from_reply(&self, gateway: Gateway, body: &Value) {
        let mut found = Vec::new();
        collect_tokens(body, 0, &mut found);
        for token in found {
            self.issue(gateway, &token);
        }
    }

    /// The newest token issued for `gateway`.
    pub fn latest(&self, gateway: Gateway) -> Option<String> {
        self.issued.lock().unwrap_or_else(|e| e.into_inner()).get(&gateway).and_then(|l| l.back().cloned())
    }

    /// The `token` secret for checking `request`: its bearer token when
    /// issued by the sandbox, else the newest issued token, else `None`.
    pub fn secret_for(&self, gateway: Gateway, request: Option<&WireRequest>) -> Option<String> {
        let map = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        let list = map.get(&gateway)?;
        let bearer = request.and_then(|r| r.header("authorization")).and_then(|v| v.trim().strip_prefix("Bearer ")).map(str::trim);
        match bearer {
            Some(b) if list.iter().any(|t| t == b) => Some(b.to_owned()),
            _ => list.back().cloned(),
        }
    }
}

fn collect_tokens(v: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > 4 {
        return;
    }
    if let Some(members) = v.members() {
        for (k, child) in members {
            match child {
                Value::String(s) if k == "token" && !s.is_empty() => out.push(s.clone()),
                _ => collect_tokens(child, depth + 1, out),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paybridge::gateway::HttpMethod;

    fn request(auth: &str) -> WireRequest {
        WireRequest { http: HttpMethod::Get, path_and_query: "/x".into(), headers: vec![("Authorization".into(), auth.into())], body: Vec::new() }
    }

    #[test]
    fn issues_from_replies_and_picks_the_presented_token() {
        let t = Tokens::default();
        assert_eq!(t.secret_for(Gateway::HiPos, None), None);
        let reply = paybridge::json::parse(r#"{"hishop_token_response":{"token":"T1","merchant_id":1}}"#).unwrap();
        t.issue_from_reply(Gateway::HiPos, &reply);
        t.issue(Gateway::HiPos, "T2");
        assert_eq!(t.latest(Gateway::HiPos).as_deref(), Some("T2"));
        assert_eq!(t.secret_for(Gateway::HiPos, Some(&request("Bearer T1"))).as_deref(), Some("T1"));
        assert_eq!(t.secret_for(Gateway::HiPos, Some(&request("Bearer nope"))).as_deref(), Some("T2"));
        assert_eq!(t.secret_for(Gateway::BlueOcean, Some(&request("Bearer T1"))), None);
    }
}
