//! A fake upstream for all five gateways at `/sandbox/{gateway}/…`: it
//! checks each request with the gateway's `decode_request` (so a request
//! the proxy signed wrongly is refused exactly as the gateway would),
//! records what it decoded, and answers with the test's chosen reply.

use super::Server;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use paybridge::gateway::hipos::TOKEN_PATH;
use paybridge::gateway::wire::{form_decode, Secrets, WireRequest};
use paybridge::gateway::{rules, wire, Endpoint, HttpMethod, Operation};
use paybridge::json::Value;
use paybridge::model::Gateway;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// What the fake answers: HTTP status, raw body, and an optional delay.
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub delay: Option<Duration>,
}

impl Reply {
    /// A 200 answer of `body`, signed the gateway's way.
    pub fn signed(gateway: Gateway, body: Value) -> Reply {
        let secrets = crate::sandbox::credentials::sandbox_secrets(gateway);
        let codec = wire(gateway).unwrap();
        Reply { status: 200, body: codec.sign_response(body, &secrets).to_json(), delay: None }
    }

    /// A 200 answer of `body` as is.
    pub fn raw(body: &str) -> Reply {
        Reply { status: 200, body: body.to_owned(), delay: None }
    }
}

/// One request the fake accepted.
#[derive(Clone, Debug)]
pub struct Seen {
    pub gateway: Gateway,
    pub path: String,
    pub http: HttpMethod,
    pub operation: Operation,
    pub params: Value,
    /// The request's `User-Agent`, if any.
    pub user_agent: Option<String>,
}

type Behaviour = Box<dyn Fn(Gateway, &Endpoint, &Value) -> Reply + Send + Sync>;

/// The fake's state.
pub struct Fake {
    behaviour: Mutex<Behaviour>,
    seen: Mutex<Vec<Seen>>,
    arrived: Notify,
    /// The HiPOS token it accepts; the token call issues `tok-{n}`.
    pub hipos_token: Mutex<String>,
    token_calls: Mutex<u32>,
}

impl Fake {
    /// Starts the fake; `behaviour` answers every verified request.
    pub async fn start(behaviour: impl Fn(Gateway, &Endpoint, &Value) -> Reply + Send + Sync + 'static) -> (Server, Arc<Fake>) {
        let fake = Arc::new(Fake {
            behaviour: Mutex::new(Box::new(behaviour)),
            seen: Mutex::default(),
            arrived: Notify::new(),
            hipos_token: Mutex::default(),
            token_calls: Mutex::new(0),
        });
        let server = Server::start(Router::new().fallback(handle).with_state(Arc::clone(&fake))).await;
        (server, fake)
    }

    /// Replaces the behaviour.
    pub fn answer(&self, behaviour: impl Fn(Gateway, &Endpoint, &Value) -> Reply + Send + Sync + 'static) {
        *self.behaviour.lock().unwrap() = Box::new(behaviour);
    }

    /// Every request accepted so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many HiPOS tokens were issued.
    pub fn token_calls(&self) -> u32 {
        *self.token_calls.lock().unwrap()
    }

    /// Waits (at most 200 wake-ups) until `n` requests were accepted.
    pub async fn wait_for(&self, n: usize) {
        for _ in 0..200 {
            let notified = self.arrived.notified();
            if self.seen.lock().unwrap().len() >= n {
                return;
            }
            let _ = tokio::time::timeout(Duration::from_millis(100), notified).await;
        }
        panic!("the fake upstream never saw {n} requests");
    }
}

async fn handle(State(fake): State<Arc<Fake>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let Some((gateway, path)) = split(&path_and_query) else { return StatusCode::NOT_FOUND.into_response() };
    let http = match method {
        Method::GET => HttpMethod::Get,
        Method::PUT => HttpMethod::Put,
        _ => HttpMethod::Post,
    };
    let request = WireRequest {
        http,
        path_and_query: path.clone(),
        headers: headers.iter().filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned()))).collect(),
        body: body.to_vec(),
    };
    let bare = path.split('?').next().unwrap_or_default().to_owned();
    let method_param = form_decode(&String::from_utf8_lossy(&body)).into_iter().find(|(k, _)| k == "method").map(|(_, v)| v);
    let Some(endpoint) = rules(gateway).unwrap().endpoints().iter().find(|e| e.matches(&bare, method_param.as_deref())) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut secrets: Secrets = crate::sandbox::credentials::sandbox_secrets(gateway);
    if gateway == Gateway::HiPos {
        secrets.0.push(("token".to_owned(), fake.hipos_token.lock().unwrap().clone()));
    }
    let params = match wire(gateway).unwrap().decode_request(endpoint, &request, &secrets, super::super::now_ms()) {
        Ok(p) => p,
        Err((status, body)) => return reply(Reply { status, body: body.to_json(), delay: None }).await,
    };
    if gateway == Gateway::HiPos && endpoint.path == TOKEN_PATH {
        let n = {
            let mut calls = fake.token_calls.lock().unwrap();
            *calls += 1;
            *calls
        };
        let token = format!("tok-{n}");
        *fake.hipos_token.lock().unwrap() = token.clone();
        let body = format!(r#"{{"hishop_token_response":{{"code":0,"msg":"OK","token":"{token}","merchant_id":42}}}}"#);
        return reply(Reply::raw(&body)).await;
    }
    let answer = (fake.behaviour.lock().unwrap())(gateway, endpoint, &params);
    let user_agent = request.header("user-agent").map(str::to_owned);
    fake.seen.lock().unwrap().push(Seen { gateway, path: bare, http, operation: endpoint.operation, params, user_agent });
    fake.arrived.notify_waiters();
    reply(answer).await
}

async fn reply(r: Reply) -> Response {
    if let Some(delay) = r.delay {
        tokio::time::sleep(delay).await;
    }
    (StatusCode::from_u16(r.status).unwrap(), r.body).into_response()
}

/// `/sandbox/{gateway}/rest` → (gateway, `/rest`).
fn split(path_and_query: &str) -> Option<(Gateway, String)> {
    let rest = path_and_query.strip_prefix("/sandbox/")?;
    let (name, tail) = rest.split_once('/').map_or((rest, ""), |(n, t)| (n, t));
    Some((Gateway::parse(name)?, format!("/{tail}")))
}

/// A BlueOcean query answer for `state` (signed).
pub fn blueocean_query(state: &str) -> Reply {
    let data = Value::object([
        ("out_trade_no", Value::str(super::ORDER)),
        ("trade_state", Value::str(state)),
        ("total_fee", Value::int_value(super::AMOUNT)),
        ("transaction_id", Value::str("4200000001")),
    ]);
    Reply::signed(Gateway::BlueOcean, Value::object([("code", Value::int_value(200)), ("message", Value::str("ok")), ("data", data)]))
}
