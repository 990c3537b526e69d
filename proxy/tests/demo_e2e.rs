//! End to end over real HTTP on loopback, through the demo server exactly as
//! a page uses it: the shop creates an order, the page's unsigned request
//! (built by the client's own gateway module) goes through the proxy to the
//! sandbox, the payer pays with a control, the notification is acknowledged,
//! and the status query (long-polled) reports the payment. Then the refusals
//! and the injected faults: never a false success.

use paybridge::gateway::{protocol, rules, CreateParams, GatewayRequest, Operation, OrderRef};
use paybridge::json::{self, Value};
use paybridge::model::{Channel, Gateway, Mode, NextAction, PayState};
use paybridge::url_guard::UrlPolicy;
use std::time::Duration;

mod loopback;

struct Demo {
    base: String,
    http: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start() -> Demo {
    let (base, stop) = loopback::demo().await;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(40)).build().expect("client");
    Demo { base, http, _stop: stop }
}

impl Demo {
    async fn post(&self, path: &str, body: &str) -> (u16, String) {
        let res = self.http.post(format!("{}{path}", self.base)).header("content-type", "application/json").body(body.to_owned()).send().await.expect("request");
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let res = self.http.get(format!("{}{path}", self.base)).send().await.expect("request");
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }

    /// A shop order: its number and the client secret its page gets.
    async fn shop_order(&self, amount: i64) -> (String, String) {
        let (status, body) = self.post("/shop/orders", &format!(r#"{{"amount":{amount},"subject":"e2e"}}"#)).await;
        assert_eq!(status, 201, "{body}");
        let v = json::parse(&body).unwrap();
        (v.text("out_trade_no").unwrap().to_owned(), v.text("clientSecret").unwrap().to_owned())
    }

    /// Sends a client-built request through the proxy, with extra
    /// browser-forged fields merged into its body.
    async fn through_proxy(&self, secret: &str, req: &GatewayRequest, query: &str, forged: &[(&str, Value)]) -> (u16, String) {
        let mut params = req.params.value();
        if let Value::Object(m) = &mut params {
            m.extend(forged.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        }
        let url = format!("{}/proxy{}{query}", self.base, req.proxy_path());
        let res = self.http.post(url).header("content-type", "application/json").header("paybridge-client-secret", secret).body(params.to_json()).send().await.expect("request");
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }
}

/// The QR case every gateway here offers.
/// The gateways whose proxy rules let a page create at the gateway (HiPOS's
/// O2O order is the merchant's, and HiPOS calls the merchant: tests/shop_o2o.rs).
fn page_created() -> Vec<Gateway> {
    Gateway::ALL.into_iter().filter(|&g| rules(g).unwrap().endpoints().iter().any(|e| e.operation == Operation::Create)).collect()
}

fn case(_gw: Gateway) -> (Mode, Channel) {
    (Mode::Qr, Channel::Wechat)
}

fn policy(demo: &Demo) -> UrlPolicy {
    UrlPolicy { sandbox_hosts: vec![demo.base.trim_start_matches("http://").to_owned()], extra_domains: vec![] }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_gateway_pays_end_to_end_through_the_proxy() {
    let demo = start().await;
    // HiPOS's O2O runs the other way (HiPOS calls the merchant): tests/shop_o2o.rs.
    for gw in page_created() {
        let proto = protocol(gw).unwrap();
        let amount = 1234;
        let (no, secret) = demo.shop_order(amount).await;
        let (mode, channel) = case(gw);
        let params = CreateParams::new(mode, channel, &no);
        let create = proto.create_request(&params).unwrap();
        // The browser tries to choose the amount and the notify_url: both ignored.
        let forged = [("total_fee", Value::int_value(1)), ("amount", Value::int_value(1)), ("notify_url", Value::str("https://evil.example/n"))];
        let (status, body) = demo.through_proxy(&secret, &create, "", &forged).await;
        assert_eq!(status, 200, "{gw:?} create: {body}");
        let created = proto.parse_create(&params, &json::parse(&body).unwrap(), &policy(&demo)).unwrap();
        let NextAction::Qr { content, .. } = &created.action else { panic!("{gw:?}: {:?}", created.action) };
        assert!(content.contains(&format!("/sandbox/wallet/{}/{no}", gw.as_str())), "{gw:?} QR leads to the wallet: {content}");
        let (_, sandbox_order) = demo.get(&format!("/sandbox/{}/_control/orders/{no}", gw.as_str())).await;
        let sandbox_order = json::parse(&sandbox_order).unwrap();
        assert_eq!(sandbox_order.int("amount"), Some(amount), "{gw:?}: the upstream saw the order record's amount");
        assert!(sandbox_order.text("notify_url").is_some_and(|u| u.starts_with(&demo.base)), "{gw:?}: {sandbox_order:?}");

        let order = OrderRef { out_trade_no: no.clone(), channel, mode, gateway_order_id: created.gateway_order_id.clone() };
        let query = proto.query_request(&order).unwrap();
        let (_, before) = demo.through_proxy(&secret, &query, "", &[]).await;
        assert_ne!(proto.parse_query(&json::parse(&before).unwrap()).unwrap().state, PayState::Succeeded, "{gw:?} not paid yet");

        // Long-poll: the query is held until the payment's notification arrives.
        let waiting = {
            let (http, url, body) = (demo.http.clone(), format!("{}/proxy{}?wait=20", demo.base, query.proxy_path()), query.params.to_json());
            let secret = secret.clone();
            tokio::spawn(async move {
                http.post(url).header("content-type", "application/json").header("paybridge-client-secret", secret).body(body).send().await.unwrap().text().await.unwrap()
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (status, body) = demo.post(&format!("/sandbox/{}/_control/orders/{no}/pay", gw.as_str()), "").await;
        assert_eq!(status, 200, "{gw:?} pay: {body}");
        let answer = tokio::time::timeout(Duration::from_secs(30), waiting).await.expect("long-poll answered").unwrap();
        let mut status = proto.parse_query(&json::parse(&answer).unwrap()).unwrap();
        for _ in 0..20 {
            if status.state == PayState::Succeeded {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            let (_, body) = demo.through_proxy(&secret, &query, "", &[]).await;
            status = proto.parse_query(&json::parse(&body).unwrap()).unwrap();
        }
        assert_eq!(status.state, PayState::Succeeded, "{gw:?}: {answer}");
        // BeeCloud's status answer carries no amount; where one is reported it must be the order's.
        assert!(status.amount.is_none() || status.amount == Some(amount), "{gw:?} amount {:?}", status.amount);

        // The notification reached the merchant (verified by the proxy) and was acknowledged.
        // Bounded at 20 s: deliveries are asynchronous and a busy CI machine can be slow.
        let mut notified = None;
        for _ in 0..200 {
            let (_, shop) = demo.get(&format!("/shop/orders/{no}")).await;
            notified = json::parse(&shop).unwrap().text("notified").map(str::to_owned);
            if notified.as_deref() == Some("succeeded") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(notified.as_deref(), Some("succeeded"), "{gw:?}: merchant notified");
        let (_, deliveries) = demo.get("/sandbox/_control/notifications").await;
        assert!(deliveries.contains(&no) && deliveries.contains("\"acked\":true"), "{gw:?}: {deliveries}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_faults_never_give_a_false_success() {
    let demo = start().await;
    let (status, body) = demo.post("/proxy/blueocean/user/login", "{}").await;
    assert_eq!(status, 404);
    assert!(body.contains("path_not_allowed"));

    for gw in page_created() {
        let proto = protocol(gw).unwrap();
        let (no, secret) = demo.shop_order(500).await;
        let (mode, channel) = case(gw);
        let params = CreateParams::new(mode, channel, &no);
        let (status, body) = demo.through_proxy(&secret, &proto.create_request(&params).unwrap(), "", &[]).await;
        assert_eq!(status, 200, "{gw:?}: {body}");
        let order = OrderRef { out_trade_no: no.clone(), channel, mode, gateway_order_id: None };
        let query = proto.query_request(&order).unwrap();
        for kind in ["http_500", "malformed", "bad_signature", "unknown", "latency"] {
            let rule = format!(r#"[{{"gateway":"{}","kind":"{kind}","ms":50}}]"#, gw.as_str());
            assert_eq!(demo.post("/sandbox/_control/faults", &rule).await.0, 200);
            let (status, body) = demo.through_proxy(&secret, &query, "", &[]).await;
            let reading = json::parse(&body).ok().map(|v| proto.parse_query(&v));
            let succeeded = matches!(reading, Some(Ok(ref s)) if s.state == PayState::Succeeded);
            assert!(!succeeded, "{gw:?} {kind}: false success from {status} {body}");
            if kind == "bad_signature" && proto.signs_responses() {
                assert_eq!(status, 502, "{gw:?} signs responses: tampering is refused");
                assert!(body.contains("upstream_bad_signature"), "{body}");
            }
            let res = demo.http.delete(format!("{}/sandbox/_control/faults", demo.base)).send().await.unwrap();
            assert!(res.status().is_success());
        }
    }
}
