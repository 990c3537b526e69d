//! WeChat's HK wallet through the demo over loopback (BlueOcean seed 001
//! L814–L864): the proxy signs `wx.config` with the official account's
//! `jsapi_ticket` (fetched from the sandbox's WeChat API) only for an
//! order's own page, and the HK-wallet create answers `getH5PrepayRequest`'s
//! fields with a SHA-1 `paySign` that reaches the page verbatim — checked
//! here the way WeChat's client would.

use paybridge::gateway::blueocean::hk_wallet::{js_sdk_signature, sha1_pay_sign};
use paybridge::gateway::{protocol, CreateParams};
use paybridge::json::{self, Value};
use paybridge::model::{Channel, Gateway, Mode, NextAction};
use paybridge::url_guard::UrlPolicy;
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use std::time::Duration;

mod loopback;

const APP_ID: &str = "wx0sandbox0app";

struct Demo {
    base: String,
    http: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Demo {
    async fn start() -> Demo {
        let (base, stop) = loopback::demo().await;
        Demo { base, http: reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("client"), _stop: stop }
    }

    async fn post(&self, path: &str, secret: Option<&str>, body: &str) -> (u16, Value) {
        let mut request = self.http.post(format!("{}{path}", self.base)).header("content-type", "application/json");
        if let Some(secret) = secret {
            request = request.header("paybridge-client-secret", secret);
        }
        let res = request.body(body.to_owned()).send().await.expect("request");
        let status = res.status().as_u16();
        (status, json::parse(&res.text().await.unwrap_or_default()).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        json::parse(&self.http.get(format!("{}{path}", self.base)).send().await.expect("request").text().await.unwrap()).unwrap()
    }

    async fn shop_order(&self) -> (String, String) {
        let (status, v) = self.post("/shop/orders", None, r#"{"amount":1288,"subject":"HK wallet"}"#).await;
        assert_eq!(status, 201);
        (v.text("out_trade_no").unwrap().to_owned(), v.text("clientSecret").unwrap().to_owned())
    }

    /// The account's ticket, asked of the sandbox's WeChat API as WeChat's client knows it.
    async fn ticket(&self) -> String {
        let secret = sandbox_secrets(Gateway::BlueOcean).get("wechat_app_secret").unwrap().to_owned();
        let token = self.get(&format!("/sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid={APP_ID}&secret={secret}")).await;
        let ticket = self.get(&format!("/sandbox/wechat/cgi-bin/ticket/getticket?access_token={}&type=jsapi", token.text("access_token").unwrap())).await;
        assert_eq!(ticket.int("errcode"), Some(0));
        ticket.text("ticket").unwrap().to_owned()
    }
}

#[tokio::test]
async fn wx_config_is_signed_for_the_orders_own_page_only() {
    let demo = Demo::start().await;
    let (order, secret) = demo.shop_order().await;
    let page = format!("{}/checkout.html?gateway=blueocean&wallet=HK", demo.base);
    let body = |url: &str| format!(r#"{{"gateway":"blueocean","outTradeNo":"{order}","url":"{url}"}}"#);
    let (status, config) = demo.post("/proxy/wx-config", Some(&secret), &body(&format!("{page}#pay"))).await;
    assert_eq!(status, 200, "{}", config.to_json());
    assert_eq!((config.get("beta"), config.get("debug")), (Some(&Value::Bool(true)), Some(&Value::Bool(false))));
    assert_eq!(config.get("jsApiList").map(Value::to_json).as_deref(), Some(r#"["getH5PrepayRequest"]"#));
    assert_eq!(config.text("appId"), Some(APP_ID));
    let (nonce, timestamp) = (config.text("nonceStr").unwrap(), config.int("timestamp").unwrap());
    assert_eq!(nonce.len(), 16);
    let ticket = demo.ticket().await;
    assert_eq!(config.text("signature"), Some(js_sdk_signature(&ticket, nonce, timestamp, &page).as_str()), "SHA-1 over the ticket and the page without its fragment");
    let (_, again) = demo.post("/proxy/wx-config", Some(&secret), &body(&page)).await;
    assert_ne!(again.text("nonceStr"), Some(nonce), "a fresh nonce each time");

    let refused = [
        (demo.post("/proxy/wx-config", Some("pcs_wrong"), &body(&page)).await, 403, "client_secret_mismatch"),
        (demo.post("/proxy/wx-config", None, &body(&page)).await, 403, "client_secret_mismatch"),
        (demo.post("/proxy/wx-config", Some(&secret), &body("javascript:alert(1)")).await, 400, "bad_request"),
        // An order the merchant does not have: refused like a wrong secret (order numbers cannot be probed).
        (demo.post("/proxy/wx-config", Some(&secret), &body(&page).replace(&order, "NOSUCHORDER1")).await, 403, "client_secret_mismatch"),
        (demo.post("/proxy/wx-config", Some(&secret), &body(&page).replace("blueocean", "nosuchgateway")).await, 404, "unknown_gateway"),
        (demo.post("/proxy/wx-config", Some(&secret), "[]").await, 400, "bad_request"),
    ];
    for ((status, answer), want_status, want_code) in refused {
        assert_eq!((status, answer.get("proxy_error").and_then(|e| e.text("code"))), (want_status, Some(want_code)), "{}", answer.to_json());
        assert!(answer.get("signature").is_none());
    }
    // HipoPay's proxy configuration names no official account for wx.config.
    let (status, answer) = demo.post("/proxy/wx-config", Some(&secret), &body(&page).replace("blueocean", "hipopay")).await;
    assert_eq!((status, answer.get("proxy_error").and_then(|e| e.text("code"))), (404, Some("wx_config_not_configured")));
}

#[tokio::test]
async fn hk_wallet_create_answers_a_sha1_pay_config_verbatim() {
    let demo = Demo::start().await;
    let (order, secret) = demo.shop_order().await;
    let mut p = CreateParams::new(Mode::Jsapi, Channel::Wechat, order.clone());
    p.openid = Some("oHkPayer0001".into());
    p.wallet = Some("hk".into());
    p.return_url = Some(format!("{}/checkout.html", demo.base));
    let proto = protocol(Gateway::BlueOcean).unwrap();
    let request = proto.create_request(&p).unwrap();
    assert_eq!((request.params.value().text("payment"), request.params.value().text("wallet")), (Some("wechat.jsapi"), Some("HK")));
    let (status, answer) = demo.post(&format!("/proxy{}", request.proxy_path()), Some(&secret), &request.params.to_json()).await;
    assert_eq!(status, 200, "{}", answer.to_json());
    let data = answer.get("data").unwrap();
    assert_eq!((data.text("wallet"), data.text("trade_state")), (Some("HK"), Some("NOTPAY")));
    let policy = UrlPolicy { sandbox_hosts: vec![demo.base.trim_start_matches("http://").to_owned()], extra_domains: vec![] };
    let NextAction::WechatJsapi { params } = proto.parse_create(&p, &answer, &policy).unwrap().action else { panic!("jsapi") };
    assert_eq!((params.app_id.as_str(), params.sign_type.as_str()), (APP_ID, "SHA1"), "the proxy's official account; SHA-1 as the seed says (L851)");
    let key = sandbox_secrets(Gateway::BlueOcean).get("hk_pay_sign_key").unwrap().to_owned();
    assert_eq!(params.pay_sign, sha1_pay_sign(&params.app_id, &key, &params.nonce_str, &params.package, &params.time_stamp));
    let raw = json::parse(data.text("jsapi").unwrap()).unwrap();
    assert_eq!(raw.text("paySign"), Some(params.pay_sign.as_str()), "passed on verbatim");
}

#[tokio::test]
async fn the_sandboxs_wechat_api_refuses_like_wechat() {
    let demo = Demo::start().await;
    let wrong = demo.get(&format!("/sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid={APP_ID}&secret=nope")).await;
    assert_eq!((wrong.int("errcode"), wrong.text("errmsg")), (Some(40125), Some("invalid appsecret")));
    let forged = demo.get("/sandbox/wechat/cgi-bin/ticket/getticket?access_token=sandbox-at-wx0sandbox0app-000000000000000000000000&type=jsapi").await;
    assert_eq!(forged.int("errcode"), Some(40001));
    assert!(!demo.ticket().await.is_empty());
}
