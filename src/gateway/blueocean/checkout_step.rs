//! BlueOcean's checkout step (`crate::checkout::step`): WeChat's HK wallet
//! inside WeChat's browser (seed 001 L814–L864, "香港钱包公众号支付"). A merchant selects it with `wallet: "HK"`
//! (on the `Checkout` config or on one order) and mode `jsapi`, channel
//! `wechat`; the payer's WeChat then pays from its HK wallet:
//!
//! 1. the page has loaded WeChat's JS-SDK (`wx`); the flow waits for it;
//! 2. before anything is created, the proxy signs `wx.config` for this page
//!    (`POST {proxy}/wx-config`, SHA-1 with the official account's
//!    `jsapi_ticket`: the page never holds a key) — a proxy that cannot sign
//!    fails the payment with no order left at the gateway;
//! 3. the order is created (`wechat.jsapi` with `wallet: "HK"`); its
//!    `data.jsapi` is the `payConfig` BlueOcean returns, passed on verbatim;
//! 4. the driver runs `wx.config(config)`, then in `wx.ready`
//!    `wx.invoke('getH5PrepayRequest', payConfig, cb)`; `cb`'s
//!    `errMsg || err_msg` is a hint the flow confirms with a query, while it
//!    polls as every jsapi payment does. A `wx.error` (the config was
//!    refused) is `bridge_unavailable`.
//!
//! Outside WeChat's browser (a mini-program web-view hands off to
//! `wx.requestPayment`) the wallet option changes only the create request.

use super::BlueOcean;
use crate::checkout::bridge::BridgeKind;
use crate::checkout::step::{Before, CheckoutStep, Context, HkWalletPayload};
use crate::checkout::{Order, Settings};
use crate::error::PayError;
use crate::json::{Obj, Value};
use crate::model::WechatJsapiParams;

/// The proxy route that signs `wx.config` (docs/proxy-protocol.md).
const ROUTE: &str = "/wx-config";

/// The four `wx.config` fields the seed marks required (L829–L832), besides `jsApiList`.
const REQUIRED: [&str; 4] = ["appId", "timestamp", "nonceStr", "signature"];

/// Abort the signing call after this long.
const TIMEOUT_MS: u32 = 10_000;

impl CheckoutStep for BlueOcean {
    fn wechat_hk_wallet(&self) -> Option<HkWalletPayload> {
        Some(hk_wallet_payload)
    }

    /// Through the HK bridge, the proxy signs `wx.config` before anything is created.
    fn before_create(&self, cx: &Context<'_>, order: &mut Order) -> Result<Before, PayError> {
        if cx.bridge != Some(BridgeKind::WechatHk) || cx.kept.is_some() {
            return Ok(Before::Create { forget: false });
        }
        request(cx.settings, order)
    }

    fn answer(&self, answer: &Value, _order: &mut Order) -> Result<Option<Value>, PayError> {
        read(answer).map(|config| Some(config.clone()))
    }
}

/// The signing call: `{gateway, outTradeNo, url}` to the proxy, with the
/// order's client secret (only the order's own page gets a signature).
fn request(settings: &Settings, order: &Order) -> Result<Before, PayError> {
    let url = order.page_url.as_deref().filter(|u| !u.is_empty()).ok_or_else(|| PayError::invalid_argument("the HK wallet needs the page's URL to sign wx.config"))?;
    let url = crate::text::split(url, b"#").next().unwrap_or(url);
    let mut body = Obj::new();
    body.text("gateway", settings.gateway.as_str()).text("outTradeNo", &order.out_trade_no).text("url", url);
    Ok(Before::Fetch { path: ROUTE.to_owned(), body: body.end(), timeout_ms: TIMEOUT_MS })
}

/// The proxy's answer (already read: a `proxy_error` body is a
/// `proxy_error`): the `wx.config` object, passed on as it came (the proxy
/// signed it; nothing here reformats a field), once it has the four required
/// fields.
fn read(value: &Value) -> Result<&Value, PayError> {
    if value.members().is_none() || REQUIRED.iter().any(|k| value.text(k).is_none()) {
        return Err(PayError::invalid_payload("the proxy's wx.config lacks appId, timestamp, nonceStr or signature"));
    }
    Ok(value)
}

/// What the HK bridge's driver gets: `{config, payConfig}` — the signed
/// `wx.config` the step kept and the gateway's six `getH5PrepayRequest`
/// fields, both verbatim.
fn hk_wallet_payload(config: Option<&Value>, params: &WechatJsapiParams) -> String {
    let mut o = Obj::new();
    o.value("config", config.unwrap_or(&Value::Null)).obj("payConfig", Obj::jsapi(params, false));
    o.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkout::step::{bridge, wallet};
    use crate::error::ErrorCode;
    use crate::model::Gateway;

    fn order() -> Order {
        let mut o = Order::new("T1", None);
        o.page_url = Some("https://shop.example/pay?o=T1#top".into());
        o.client_secret = Some("pcs_1".into());
        o
    }

    #[test]
    fn wallet_and_bridge() {
        let mut settings = Settings::new(Gateway::BlueOcean, "/proxy/");
        let mut o = order();
        assert_eq!(wallet(&settings, &o), None);
        settings.wallet = Some("hk".into());
        assert_eq!(wallet(&settings, &o).as_deref(), Some("HK"));
        o.wallet = Some("CN".into());
        assert_eq!(wallet(&settings, &o).as_deref(), Some("CN"), "the order's own wins");
        let bo = |kind, wallet| bridge(Gateway::BlueOcean, kind, wallet).unwrap();
        assert_eq!(bo(Some(BridgeKind::Wechat), Some("HK")), Some(BridgeKind::WechatHk));
        assert_eq!(bo(Some(BridgeKind::WechatSdk), Some("HK")), Some(BridgeKind::WechatHk));
        assert_eq!(bo(Some(BridgeKind::Wechat), Some("CN")), Some(BridgeKind::Wechat));
        assert_eq!(bo(Some(BridgeKind::MiniProgram), Some("HK")), Some(BridgeKind::MiniProgram));
        assert_eq!(bo(None, Some("HK")), None);
        assert_eq!(bridge(Gateway::HipoPay, Some(BridgeKind::Wechat), Some("HK")).unwrap_err().code, ErrorCode::Unsupported);
        assert_eq!(bridge(Gateway::HipoPay, Some(BridgeKind::Wechat), None).unwrap(), Some(BridgeKind::Wechat));
    }

    #[test]
    fn request_names_the_order_and_the_page_without_its_fragment() {
        let settings = Settings::new(Gateway::BlueOcean, "/proxy/");
        let Before::Fetch { path, body, .. } = request(&settings, &order()).unwrap() else { panic!() };
        assert_eq!(path, "/wx-config", "below the proxy root; the flow sends it with the order's client secret (flow_tests)");
        assert_eq!(body, r#"{"gateway":"blueocean","outTradeNo":"T1","url":"https://shop.example/pay?o=T1"}"#);
        let mut no_url = order();
        no_url.page_url = None;
        assert!(request(&settings, &no_url).is_err());
    }

    #[test]
    fn read_passes_the_signed_config_verbatim() {
        let text = r#"{"beta":true,"debug":false,"appId":"wx1","timestamp":1414587457,"nonceStr":"n","signature":"0f9de62f","jsApiList":["getH5PrepayRequest"]}"#;
        let json = |t: &str| crate::json::parse(t).unwrap();
        assert_eq!(read(&json(text)).unwrap().to_json(), text);
        assert!(read(&json(r#"{"appId":"wx1","timestamp":1,"nonceStr":"n"}"#)).is_err(), "no signature");
    }

    #[test]
    fn payload_carries_both_objects() {
        let params = WechatJsapiParams {
            app_id: "wx1".into(),
            time_stamp: "1530669821".into(),
            nonce_str: "n".into(),
            package: "prepay_id=p".into(),
            sign_type: "SHA1".into(),
            pay_sign: "s".into(),
        };
        let p = crate::json::parse(&hk_wallet_payload(Some(&Value::object([("appId", Value::str("wx1"))])), &params)).expect("JSON");
        assert_eq!(p.get("config").and_then(|c| c.text("appId")), Some("wx1"));
        assert_eq!(p.get("payConfig").and_then(|c| c.text("signType")), Some("SHA1"));
        assert_eq!(p.get("payConfig").and_then(|c| c.text("timeStamp")), Some("1530669821"));
    }
}

/// The whole HK-wallet flow on BlueOcean's answers (the seed's shapes).
#[cfg(test)]
mod flow_tests {
    use super::BridgeKind;
    use crate::checkout::effect::{Effect, Tag};
    use crate::checkout::event::Event;
    use crate::checkout::flow::Flow;
    use crate::checkout::{Order, Settings};
    use crate::env::{detect, Hints};
    use crate::error::ErrorCode;
    use crate::json::{parse, Value};
    use crate::model::{Channel, Gateway, Mode};

    const T0: i64 = 1_700_000_000_000;
    const WECHAT: &str = "Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36 MicroMessenger/8.0.40";
    const CREATED: &str = include_str!("../../../fixtures/blueocean/pay-wechat-jsapi-hk.response.json");
    const QUERY: &str = include_str!("../../../fixtures/blueocean/order-query.response.json");
    const CONFIG: &str = r#"{"beta":true,"debug":false,"appId":"wx6f4b43e000000000","timestamp":1530669821,"nonceStr":"Wm3WZYTPz0wzccnW","signature":"0f9de62fce790f9a083d5c99e95740ceb90c27ed","jsApiList":["getH5PrepayRequest"]}"#;

    fn http(tag: Tag, seq: u32, status: u16, body: &str) -> Event<'_> {
        Event::Http { tag, seq, status, body, verified: true }
    }

    fn fetch(fx: &[Effect]) -> Option<(Tag, u32, &str, &str)> {
        fx.iter().find_map(|e| if let Effect::Fetch { tag, seq, url, body, .. } = e { Some((*tag, *seq, url.as_str(), body.as_str())) } else { None })
    }

    /// A WeChat-browser flow with `wallet: "HK"` on the config, run to the bridge call.
    fn started() -> (Flow, Vec<Effect>) {
        let mut s = Settings::new(Gateway::BlueOcean, "/proxy/");
        s.wallet = Some("HK".into());
        let mut o = Order::new("ORDER1234", Some(Mode::Jsapi));
        o.channel = Some(Channel::Wechat);
        o.openid = Some("oPayer1".into());
        o.page_url = Some("https://shop.example/pay?o=1#x".into());
        o.client_secret = Some("pcs_1".into());
        let mut f = Flow::new(s, detect(WECHAT, &Hints::default()), o);
        assert!(matches!(f.step(T0, 1, Event::Start { caps: None })[..], [Effect::AwaitBridge { global: "wx", ready_event: None, .. }]));
        let fx = f.step(T0, 1, Event::BridgeReady { mini_program: false });
        let (tag, _, url, body) = fetch(&fx).expect("the signing call first");
        assert_eq!((tag, url), (Tag::Step, "/proxy/wx-config"));
        assert!(fx.iter().any(|e| matches!(e, Effect::Fetch { secret: Some(s), .. } if s == "pcs_1")), "only the order's own page gets a signature");
        assert_eq!(body, r#"{"gateway":"blueocean","outTradeNo":"ORDER1234","url":"https://shop.example/pay?o=1"}"#);
        let fx = f.step(T0 + 50, 1, http(Tag::Step, 0, 200, CONFIG));
        let (tag, _, url, body) = fetch(&fx).expect("then the create call");
        assert_eq!((tag, url), (Tag::Create, "/proxy/blueocean/payment/pay"));
        let body = parse(body).unwrap();
        assert_eq!((body.text("payment"), body.text("wallet"), body.text("sub_openid")), (Some("wechat.jsapi"), Some("HK"), Some("oPayer1")));
        let fx = f.step(T0 + 100, 1, http(Tag::Create, 0, 200, CREATED));
        (f, fx)
    }

    #[test]
    fn config_then_get_h5_prepay_request_then_a_confirming_query() {
        let (mut f, fx) = started();
        let payload = fx.iter().find_map(|e| if let Effect::Bridge { kind: BridgeKind::WechatHk, payload } = e { parse(payload).ok() } else { None }).expect("the HK bridge");
        assert_eq!(payload.get("config").map(Value::to_json).as_deref(), Some(CONFIG), "the proxy's config, verbatim");
        let pay = payload.get("payConfig").unwrap();
        assert_eq!((pay.text("signType"), pay.text("paySign")), (Some("SHA1"), Some("979b05c591345d28bb4c1691f27883899cb20f69")), "the gateway's, verbatim");
        assert!(fx.iter().any(|e| matches!(e, Effect::Sleep(_) | Effect::Fetch { tag: Tag::Query, .. })), "polls beside the bridge");
        let fx = f.step(T0 + 500, 1, Event::Bridge { result: "getH5PrepayRequest:ok" });
        let (tag, seq, ..) = fetch(&fx).expect("a confirming query");
        assert_eq!(tag, Tag::Confirm);
        let fx = f.step(T0 + 600, 1, http(Tag::Confirm, seq, 200, &QUERY.replace("CLOSED", "SUCCESS")));
        let outcome = fx.iter().find_map(|e| if let Effect::Resolve(v) = e { parse(v).ok() } else { None }).expect("resolved");
        assert_eq!((outcome.text("state"), outcome.get("verified")), (Some("succeeded"), Some(&Value::Bool(true))));
    }

    #[test]
    fn a_cancel_in_the_wallet_is_confirmed_then_cancelled() {
        let (mut f, _) = started();
        let fx = f.step(T0 + 500, 1, Event::Bridge { result: "getH5PrepayRequest:cancel" });
        let (_, seq, ..) = fetch(&fx).unwrap();
        let fx = f.step(T0 + 600, 1, http(Tag::Confirm, seq, 200, &QUERY.replace("CLOSED", "NOTPAY")));
        let outcome = fx.iter().find_map(|e| if let Effect::Resolve(v) = e { parse(v).ok() } else { None }).expect("resolved");
        assert_eq!((outcome.text("state"), outcome.get("verified")), (Some("cancelled"), Some(&Value::Bool(false))));
    }

    #[test]
    fn a_proxy_that_cannot_sign_leaves_no_order() {
        let refusals = [
            (404, r#"{"proxy_error":{"code":"wx_config_not_configured","message":"no"}}"#, ErrorCode::ProxyError, Some("wx_config_not_configured")),
            (403, r#"{"proxy_error":{"code":"client_secret_mismatch","message":"no"}}"#, ErrorCode::ProxyError, Some("client_secret_mismatch")),
            (502, "<html>", ErrorCode::Network, None),
        ];
        for (status, body, code, gateway_code) in refusals {
            let mut s = Settings::new(Gateway::BlueOcean, "/proxy");
            s.wallet = Some("HK".into());
            let mut o = Order::new("ORDER1234", Some(Mode::Jsapi));
            o.page_url = Some("https://shop.example/pay".into());
            let mut f = Flow::new(s, detect(WECHAT, &Hints::default()), o);
            f.step(T0, 1, Event::Start { caps: None });
            f.step(T0, 1, Event::BridgeReady { mini_program: false });
            let fx = f.step(T0, 1, http(Tag::Step, 0, status, body));
            assert!(fetch(&fx).is_none(), "nothing created");
            let e = fx.iter().find_map(|e| if let Effect::Reject(e) = e { Some(e.clone()) } else { None }).expect("rejected");
            assert_eq!((e.code, e.gateway_code.as_deref()), (code, gateway_code), "HTTP {status}");
            let fx = f.step(T0, 1, Event::NetworkError { tag: Tag::Step, seq: 0 });
            assert!(fx.is_empty(), "settled once");
        }
    }

    #[test]
    fn without_the_hk_wallet_nothing_changes() {
        let mut o = Order::new("ORDER1234", Some(Mode::Jsapi));
        o.openid = Some("oPayer1".into());
        o.wallet = Some("CN".into());
        let mut f = Flow::new(Settings::new(Gateway::BlueOcean, "/proxy"), detect(WECHAT, &Hints::default()), o);
        assert!(matches!(f.step(T0, 1, Event::Start { caps: None })[..], [Effect::AwaitBridge { global: "WeixinJSBridge", .. }]));
        let fx = f.step(T0, 1, Event::BridgeReady { mini_program: false });
        let (tag, _, _, body) = fetch(&fx).unwrap();
        assert_eq!((tag, parse(body).unwrap().text("wallet")), (Tag::Create, Some("CN")));
    }
}
