use super::bridge::{hint, mini_program_url, BridgeKind, Hint};
use super::effect::{Effect, Tag};
use super::event::Event;
use super::flow::{long_poll_wait, Flow};
use super::methods::{environment_from_json, methods};
use super::pending::Pending;
use super::{Order, Settings};
use crate::env::{detect, Environment, Hints};
use crate::error::ErrorCode;
use crate::json::{parse, Value};
use crate::model::{Channel, Gateway, Mode, WechatJsapiParams};

const T0: i64 = 1_700_000_000_000;
const QR_CREATED: &str = include_str!("../../fixtures/blueocean/pay-alipay-qrcode.response.json");
const JSAPI_CREATED: &str = include_str!("../../fixtures/blueocean/pay-wechat-jsapi.response.json");
const MWEB_CREATED: &str = include_str!("../../fixtures/blueocean/pay-wechat-mweb.response.json");
const WAP_CREATED: &str = include_str!("../../fixtures/blueocean/pay-alipay-wappay.response.json");
const QUERY: &str = include_str!("../../fixtures/blueocean/order-query.response.json");

fn query(state: &str) -> String {
    QUERY.replace("CLOSED", state)
}

fn env(ua: &str) -> Environment {
    detect(ua, &Hints::default())
}

const DESKTOP: &str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36";
const WECHAT: &str = "Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36 MicroMessenger/8.0.40";
const MINI: &str = "Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36 MicroMessenger/8.0.40 miniProgram";
const ALIPAY: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile AlipayClient/10.5";

fn settings() -> Settings {
    let mut s = Settings::new(Gateway::BlueOcean, "/proxy/");
    s.locale = crate::i18n::Locale::En;
    s.sub_appid = Some("wx6f4b43e".into());
    s
}

fn order(mode: Mode, channel: Channel) -> Order {
    let mut o = Order::new("ORDER1234", Some(mode));
    o.channel = Some(channel);
    o.openid = Some("oPayer1".into());
    o
}

fn http(tag: Tag, seq: u32, status: u16, body: &str) -> Event<'_> {
    Event::Http { tag, seq, status, body, verified: true }
}

fn fetches(fx: &[Effect]) -> Vec<(Tag, u32, &str)> {
    fx.iter().filter_map(|e| if let Effect::Fetch { tag, seq, url, .. } = e { Some((*tag, *seq, url.as_str())) } else { None }).collect()
}

fn secrets(fx: &[Effect]) -> Vec<Option<&str>> {
    fx.iter().filter_map(|e| if let Effect::Fetch { secret, .. } = e { Some(secret.as_deref()) } else { None }).collect()
}

/// The details of the `event` events, read back from their JSON text.
fn emitted(fx: &[Effect], event: &str) -> Vec<Value> {
    fx.iter().filter_map(|e| if let Effect::Emit { event: ev, detail } = e { (*ev == event).then(|| parse(detail).expect("JSON detail")) } else { None }).collect()
}

/// The payload of the `kind` bridge, read back from its JSON text.
fn bridged(fx: &[Effect], kind: BridgeKind) -> Option<Value> {
    fx.iter().find_map(|e| if let Effect::Bridge { kind: k, payload } = e { (*k == kind).then(|| parse(payload).expect("JSON payload")) } else { None })
}

fn resolved(fx: &[Effect]) -> Option<(String, bool)> {
    fx.iter().find_map(|e| match e {
        Effect::Resolve(v) => parse(v).ok().and_then(|v| Some((v.text("state")?.to_owned(), v.get("verified") == Some(&Value::Bool(true))))),
        _ => None,
    })
}

fn rejected(fx: &[Effect]) -> Option<ErrorCode> {
    fx.iter().find_map(|e| if let Effect::Reject(e) = e { Some(e.code) } else { None })
}

fn sleep_ms(fx: &[Effect]) -> Option<u32> {
    fx.iter().find_map(|e| if let Effect::Sleep(ms) = e { Some(*ms) } else { None })
}

/// Starts a QR payment and answers its create call; returns the flow.
fn qr_flow(s: Settings) -> Flow {
    let ttl = i64::from(s.order_ttl_ms);
    let mut f = Flow::new(s, env(DESKTOP), order(Mode::Qr, Channel::Alipay));
    let fx = f.step(T0, 1, Event::Start { caps: None });
    assert_eq!(fetches(&fx), [(Tag::Create, 0, "/proxy/blueocean/payment/pay")]);
    let fx = f.step(T0 + 50, 1, http(Tag::Create, 0, 200, QR_CREATED));
    assert!(fx.contains(&Effect::DrawQr("https://qr.alipay.com/bax03112k12liy7lrysg2004".into())));
    let action = emitted(&fx, "action").remove(0);
    assert_eq!(action.text("kind"), Some("qr"));
    assert_eq!(action.text("outTradeNo"), Some("ORDER1234"));
    assert_eq!(action.int("deadline"), Some(T0 + 50 + ttl));
    assert!(sleep_ms(&fx).is_some());
    f
}

#[test]
fn qr_polls_until_paid_and_resolves_verified() {
    let mut f = qr_flow(settings());
    let fx = f.step(T0 + 2_000, 1, Event::Timer);
    assert_eq!(fetches(&fx), [(Tag::Query, 1, "/proxy/blueocean/order/query")]);
    let fx = f.step(T0 + 2_100, 1, http(Tag::Query, 1, 200, &query("NOTPAY")));
    assert_eq!(emitted(&fx, "status")[0].text("state"), Some("pending"));
    assert!(resolved(&fx).is_none() && sleep_ms(&fx).is_some());
    let fx = f.step(T0 + 4_000, 1, Event::Timer);
    assert_eq!(fetches(&fx)[0].1, 2);
    let fx = f.step(T0 + 4_100, 1, http(Tag::Query, 2, 200, &query("SUCCESS")));
    assert_eq!(resolved(&fx), Some(("succeeded".into(), true)));
    assert!(fx.contains(&Effect::Clear));
    assert!(f.step(T0 + 5_000, 1, Event::Timer).is_empty(), "nothing after the end");
}

#[test]
fn network_and_proxy_errors_and_unknown_answers_keep_polling() {
    let mut f = qr_flow(settings());
    let mut now = T0 + 2_000;
    let proxy = r#"{"proxy_error":{"code":"upstream_timeout","message":"slow"}}"#;
    for (seq, answer) in (1..).zip([None, Some((502, proxy.to_owned())), Some((500, "oops".to_owned())), Some((200, r#"{"code":201,"message":"busy"}"#.to_owned()))]) {
        let fx = f.step(now, 1, Event::Timer);
        let q = fetches(&fx);
        assert_eq!(q.len(), 1, "a query is due");
        assert_eq!(q[0].1, seq);
        let ev = match &answer {
            None => Event::NetworkError { tag: Tag::Query, seq },
            Some((status, body)) => http(Tag::Query, seq, *status, body),
        };
        let fx = f.step(now + 100, 1, ev);
        assert!(resolved(&fx).is_none() && rejected(&fx).is_none());
        for e in emitted(&fx, "error") {
            assert_eq!(e.get("fatal"), Some(&Value::Bool(false)));
        }
        now += i64::from(sleep_ms(&fx).expect("waits, then queries again")) + 100;
    }
}

#[test]
fn stale_and_unrelated_answers_are_ignored() {
    let mut f = qr_flow(settings());
    f.step(T0 + 2_000, 1, Event::Timer);
    assert!(f.step(T0 + 2_100, 1, http(Tag::Query, 7, 200, &query("SUCCESS"))).is_empty());
    assert!(f.step(T0 + 2_100, 1, http(Tag::Create, 0, 200, QR_CREATED)).is_empty());
}

#[test]
fn create_errors_reject_with_their_codes() {
    let mut f = Flow::new(settings(), env(DESKTOP), order(Mode::Qr, Channel::Alipay));
    f.step(T0, 1, Event::Start { caps: None });
    let fx = f.step(T0, 1, http(Tag::Create, 0, 404, r#"{"proxy_error":{"code":"unknown_order","message":"no such order"}}"#));
    assert_eq!(rejected(&fx), Some(ErrorCode::ProxyError));
    let err = emitted(&fx, "error").remove(0);
    assert_eq!(err.text("gatewayCode"), Some("unknown_order"));
    assert_eq!(err.get("fatal"), Some(&Value::Bool(true)));

    let mut f = Flow::new(settings(), env(DESKTOP), order(Mode::Qr, Channel::Alipay));
    f.step(T0, 1, Event::Start { caps: None });
    assert_eq!(rejected(&f.step(T0, 1, Event::NetworkError { tag: Tag::Create, seq: 0 })), Some(ErrorCode::Network));

    let mut f = Flow::new(settings(), env(DESKTOP), order(Mode::Counter, Channel::Any));
    assert_eq!(rejected(&f.step(T0, 1, Event::Start { caps: None })), Some(ErrorCode::InvalidArgument), "counter needs authCode");
    let mut hipos = Flow::new(Settings::new(Gateway::HiPos, "/p"), env(DESKTOP), order(Mode::H5, Channel::Wechat));
    assert_eq!(rejected(&hipos.step(T0, 1, Event::Start { caps: None })), Some(ErrorCode::Unsupported));
}

#[test]
fn jsapi_outside_a_wallet_fails_at_once_without_creating() {
    for ua in [DESKTOP, "Mozilla/5.0 (Windows NT 10.0) WindowsWechat MicroMessenger/7.0"] {
        let mut f = Flow::new(settings(), env(ua), order(Mode::Jsapi, Channel::Wechat));
        let fx = f.step(T0, 1, Event::Start { caps: None });
        assert_eq!(rejected(&fx), Some(ErrorCode::BridgeUnavailable));
        assert!(fetches(&fx).is_empty());
    }
    let mut f = Flow::new(settings(), env(DESKTOP), order(Mode::App, Channel::Wechat));
    assert_eq!(rejected(&f.step(T0, 1, Event::Start { caps: None })), Some(ErrorCode::BridgeUnavailable), "no appBridge");
}

fn wechat_jsapi(s: Settings) -> (Flow, Vec<Effect>) {
    let mut f = Flow::new(s, env(WECHAT), order(Mode::Jsapi, Channel::Wechat));
    let fx = f.step(T0, 1, Event::Start { caps: None });
    assert_eq!(fx, [Effect::AwaitBridge { global: "WeixinJSBridge", ready_event: Some("WeixinJSBridgeReady"), timeout_ms: 5_000 }]);
    let fx = f.step(T0, 1, Event::BridgeReady { mini_program: false });
    assert_eq!(fetches(&fx)[0].0, Tag::Create);
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, JSAPI_CREATED));
    (f, fx)
}

#[test]
fn wechat_ok_is_confirmed_by_a_query_before_success() {
    let (mut f, fx) = wechat_jsapi(settings());
    let payload = bridged(&fx, BridgeKind::Wechat).expect("bridge");
    assert_eq!(payload.text("package"), Some("prepay_id=wx04100341876500f618f0cxxxxxxxxxxxxxx"));
    let fx = f.step(T0 + 500, 1, Event::Bridge { result: "get_brand_wcpay_request:ok" });
    assert!(resolved(&fx).is_none(), "a hint is not success");
    assert_eq!(fetches(&fx)[0], (Tag::Confirm, 1, "/proxy/blueocean/order/query"));
    let fx = f.step(T0 + 600, 1, http(Tag::Confirm, 1, 200, &query("NOTPAY")));
    assert!(resolved(&fx).is_none(), "not paid yet: keep polling");
    let q = fetches(&fx);
    assert_eq!(q[0].0, Tag::Query, "the nudge queries at once");
    let fx = f.step(T0 + 700, 1, http(Tag::Query, q[0].1, 200, &query("SUCCESS")));
    assert_eq!(resolved(&fx), Some(("succeeded".into(), true)));
}

#[test]
fn the_bridge_never_ready_is_bridge_unavailable() {
    let mut f = Flow::new(settings(), env(WECHAT), order(Mode::Jsapi, Channel::Wechat));
    f.step(T0, 1, Event::Start { caps: None });
    assert_eq!(rejected(&f.step(T0 + 5_000, 1, Event::BridgeUnavailable)), Some(ErrorCode::BridgeUnavailable));
}

#[test]
fn js_sdk_gets_lowercase_timestamp_and_no_app_id() {
    let mut s = settings();
    s.wechat_js_sdk = true;
    let mut f = Flow::new(s, env(WECHAT), order(Mode::Jsapi, Channel::Wechat));
    assert!(matches!(f.step(T0, 1, Event::Start { caps: None })[0], Effect::AwaitBridge { global: "wx", ready_event: None, .. }));
    f.step(T0, 1, Event::BridgeReady { mini_program: false });
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, JSAPI_CREATED));
    let payload = bridged(&fx, BridgeKind::WechatSdk).expect("sdk");
    assert_eq!(payload.text("timestamp"), Some("1530669821"));
    assert!(payload.get("timeStamp").is_none() && payload.get("appId").is_none());
}

#[test]
fn a_cancel_gets_one_query_then_cancelled_unverified_unless_paid() {
    let (mut f, _) = wechat_jsapi(settings());
    f.step(T0 + 500, 1, Event::Bridge { result: "get_brand_wcpay_request:cancel" });
    let fx = f.step(T0 + 600, 1, http(Tag::Confirm, 1, 200, &query("NOTPAY")));
    assert_eq!(resolved(&fx), Some(("cancelled".into(), false)));

    let (mut f, _) = wechat_jsapi(settings());
    f.step(T0 + 500, 1, Event::Bridge { result: "get_brand_wcpay_request:cancel" });
    let fx = f.step(T0 + 600, 1, http(Tag::Confirm, 1, 200, &query("SUCCESS")));
    assert_eq!(resolved(&fx), Some(("succeeded".into(), true)), "the gateway's word wins");

    let (mut f, _) = wechat_jsapi(settings());
    f.step(T0 + 500, 1, Event::Bridge { result: "get_brand_wcpay_request:fail" });
    let fx = f.step(T0 + 600, 1, Event::NetworkError { tag: Tag::Confirm, seq: 1 });
    assert!(resolved(&fx).is_none(), "no answer yet: keep asking");
    let q = fetches(&fx);
    let fx = f.step(T0 + 700, 1, http(Tag::Query, q[0].1, 200, &query("NOTPAY")));
    assert_eq!(resolved(&fx), Some(("failed".into(), false)));
}

#[test]
fn bridge_answers_map_to_hints() {
    use BridgeKind::*;
    let cases = [
        (Wechat, "get_brand_wcpay_request:ok", Hint::Paid),
        (Wechat, "get_brand_wcpay_request:cancel", Hint::Cancelled),
        (Wechat, "get_brand_wcpay_request:fail", Hint::Failed),
        (Wechat, "get_brand_wcpay_request:fail_nosupport", Hint::Failed),
        (WechatSdk, "chooseWXPay:ok", Hint::Paid),
        (MiniProgram, "requestPayment:fail cancel", Hint::Cancelled),
        (Wechat, "", Hint::Maybe),
        (Alipay, "9000", Hint::Paid),
        (Alipay, "8000", Hint::Maybe),
        (Alipay, "6004", Hint::Maybe),
        (Alipay, "6002", Hint::Maybe),
        (Alipay, "6001", Hint::Cancelled),
        (Alipay, "4000", Hint::Failed),
        (App, "ok", Hint::Maybe),
        (App, "cancel", Hint::Cancelled),
        (App, "fail", Hint::Failed),
    ];
    for (kind, result, want) in cases {
        assert_eq!(hint(kind, result), want, "{kind:?} {result}");
    }
}

#[test]
fn alipay_jsapi_waits_for_its_bridge_where_the_gateway_offers_it() {
    let mut f = Flow::new(Settings::new(Gateway::ChaoYing, "/proxy"), env(ALIPAY), order(Mode::Jsapi, Channel::Alipay));
    let fx = f.step(T0, 1, Event::Start { caps: None });
    assert_eq!(fx, [Effect::AwaitBridge { global: "AlipayJSBridge", ready_event: Some("AlipayJSBridgeReady"), timeout_ms: 5_000 }]);
    // BlueOcean offers no Alipay jsapi: refused before anything is created.
    let mut f = Flow::new(settings(), env(ALIPAY), order(Mode::Jsapi, Channel::Alipay));
    let fx = f.step(T0, 1, Event::Start { caps: None });
    assert_eq!((rejected(&fx), fetches(&fx).len()), (Some(ErrorCode::Unsupported), 0));
}

#[test]
fn mini_program_hands_off_with_only_the_payment_fields() {
    let mut f = Flow::new(settings(), env(MINI), order(Mode::Jsapi, Channel::Wechat));
    assert!(matches!(f.step(T0, 1, Event::Start { caps: None })[0], Effect::AwaitBridge { global: "wx", .. }));
    f.step(T0, 1, Event::BridgeReady { mini_program: false });
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, JSAPI_CREATED));
    let payload = bridged(&fx, BridgeKind::MiniProgram);
    let url = payload.as_ref().and_then(Value::as_text).expect("navigateTo");
    assert_eq!(
        url,
        "/pages/paybridge/pay?timeStamp=1530669821&nonceStr=lNTHG8Uf5K72iVgZEyJH&package=prepay_id%3Dwx04100341876500f618f0cxxxxxxxxxxxxxx&signType=MD5&paySign=CED5552DA5C377F3E65818C7A66AF45C&gateway=blueocean&outTradeNo=ORDER1234"
    );
    let stored = fx.iter().find_map(|e| if let Effect::Store(t) = e { Pending::decode(t) } else { None }).expect("pending kept");
    assert_eq!((stored.mode, stored.out_trade_no.as_str()), (Mode::Jsapi, "ORDER1234"));
    // Hidden while the native page pays; back: one query at once.
    f.step(T0 + 10, 1, Event::Hidden);
    assert!(fetches(&f.step(T0 + 30_000, 1, Event::Timer)).is_empty(), "no query while hidden");
    let fx = f.step(T0 + 31_000, 1, Event::Visible);
    assert_eq!(fetches(&fx)[0].0, Tag::Query);
}

#[test]
fn a_wechat_ios_page_that_turns_out_a_mini_program_hands_off() {
    let ios = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.40";
    let mut f = Flow::new(settings(), env(ios), order(Mode::Jsapi, Channel::Wechat));
    f.step(T0, 1, Event::Start { caps: None });
    f.step(T0, 1, Event::BridgeReady { mini_program: true });
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, JSAPI_CREATED));
    assert!(fx.iter().any(|e| matches!(e, Effect::Bridge { kind: BridgeKind::MiniProgram, .. })));
}

#[test]
fn h5_keeps_the_pending_order_and_navigates() {
    let mobile = "Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36";
    let mut f = Flow::new(settings(), env(mobile), order(Mode::H5, Channel::Wechat));
    f.step(T0, 1, Event::Start { caps: None });
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, MWEB_CREATED));
    let store = fx.iter().position(|e| matches!(e, Effect::Store(_))).expect("stored");
    let nav = fx.iter().position(|e| matches!(e, Effect::Navigate(u) if u.starts_with("https://wx.tenpay.com/"))).expect("navigates");
    assert!(store < nav, "stored before leaving");
}

#[test]
fn wap_inside_wechat_shows_the_browser_guide() {
    let mut f = Flow::new(settings(), env(WECHAT), order(Mode::Wap, Channel::Alipay));
    f.step(T0, 1, Event::Start { caps: None });
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, WAP_CREATED));
    assert!(fx.iter().any(|e| matches!(e, Effect::Guide(_))));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Navigate(_))));
    assert_eq!(emitted(&fx, "action")[0].text("kind"), Some("openInBrowser"));
}

#[test]
fn unionpay_link_inside_wechat_gets_the_same_guide_but_wechat_pages_do_not() {
    let mut f = Flow::new(settings(), env(WECHAT), order(Mode::Wap, Channel::Unionpay));
    f.step(T0, 1, Event::Start { caps: None });
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, WAP_CREATED));
    assert!(fx.iter().any(|e| matches!(e, Effect::Guide(_))), "WeChat blocks UnionPay pages too");
    let mobile = "Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36";
    let mut f = Flow::new(settings(), env(mobile), order(Mode::Wap, Channel::Unionpay));
    f.step(T0, 1, Event::Start { caps: None });
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, WAP_CREATED));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Guide(_))), "no guide outside WeChat");
    assert!(fx.iter().any(|e| matches!(e, Effect::Navigate(_))));
}

#[test]
fn unsafe_redirects_are_refused() {
    let mobile = "Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36";
    let mut f = Flow::new(settings(), env(mobile), order(Mode::H5, Channel::Wechat));
    f.step(T0, 1, Event::Start { caps: None });
    let evil = MWEB_CREATED.replace("https://wx.tenpay.com/", "javascript://wx.tenpay.com/");
    assert_eq!(rejected(&f.step(T0, 1, http(Tag::Create, 0, 200, &evil))), Some(ErrorCode::UnsafeRedirect));
}

#[test]
fn resume_asks_the_payer_and_queries_at_once() {
    let pending = Pending {
        gateway: Gateway::BlueOcean,
        out_trade_no: "ORDER1234".into(),
        mode: Mode::H5,
        channel: Channel::Wechat,
        gateway_order_id: Some("sn1".into()),
        deadline_ms: T0 + 60_000,
        client_secret: Some("pcs_resume".into()),
    };
    let decoded = Pending::decode(&pending.encode());
    assert_eq!(decoded.as_ref(), Some(&pending));
    let mut f = Flow::resume(settings(), env(DESKTOP), pending);
    let fx = f.step(T0, 1, Event::Start { caps: None });
    assert_eq!(emitted(&fx, "action")[0].text("kind"), Some("confirm"));
    assert_eq!(fetches(&fx)[0].0, Tag::Query);
    assert_eq!(secrets(&fx), [Some("pcs_resume")], "the stored secret goes with the queries after a return");
    let fx = f.step(T0 + 100, 1, http(Tag::Query, 1, 200, &query("SUCCESS")));
    assert_eq!(resolved(&fx), Some(("succeeded".into(), true)));
}

#[test]
fn pending_text_that_was_tampered_with_is_dropped() {
    for bad in [
        "",
        "{}",
        r#"{"gateway":"evil","outTradeNo":"A1","mode":"h5","channel":"wechat","deadline":1}"#,
        r#"{"gateway":"blueocean","outTradeNo":"<img>","mode":"h5","channel":"wechat","deadline":1}"#,
        r#"{"gateway":"blueocean","outTradeNo":"A1","mode":"h5","channel":"wechat","deadline":"soon"}"#,
    ] {
        assert_eq!(Pending::decode(bad), None, "{bad}");
    }
}

#[test]
fn expiry_renews_a_qr_order_when_configured() {
    let mut s = settings();
    s.can_renew = true;
    s.order_ttl_ms = 10_000;
    let mut f = qr_flow(s);
    // Past the deadline: one last query, then expired + renew.
    let fx = f.step(T0 + 20_000, 1, Event::Timer);
    let q = fetches(&fx);
    let fx = f.step(T0 + 20_100, 1, http(Tag::Query, q[0].1, 200, &query("NOTPAY")));
    assert_eq!(emitted(&fx, "expired")[0].get("renewing"), Some(&Value::Bool(true)));
    assert!(fx.contains(&Effect::Renew("ORDER1234".into())));
    let fx = f.step(T0 + 20_200, 1, Event::Renewed { out_trade_no: "ORDER5678", client_secret: None });
    assert_eq!(fetches(&fx)[0].0, Tag::Create);
    let fx = f.step(T0 + 20_300, 1, http(Tag::Create, 0, 200, QR_CREATED));
    assert_eq!(emitted(&fx, "action")[0].text("outTradeNo"), Some("ORDER5678"));
}

#[test]
fn expiry_without_renewal_rejects_expired() {
    let mut s = settings();
    s.order_ttl_ms = 10_000;
    let mut f = qr_flow(s);
    let fx = f.step(T0 + 20_000, 1, Event::Timer);
    let q = fetches(&fx);
    let fx = f.step(T0 + 20_100, 1, Event::NetworkError { tag: Tag::Query, seq: q[0].1 });
    let fx = if rejected(&fx).is_some() { fx } else { f.step(T0 + 30_000, 1, Event::Timer) };
    assert_eq!(rejected(&fx), Some(ErrorCode::Expired));
    assert_eq!(emitted(&fx, "expired").len(), 1);
}

fn counter_flow() -> Flow {
    let mut s = settings();
    s.counter_timeout_ms = 5_000;
    let mut o = order(Mode::Counter, Channel::Any);
    o.auth_code = Some("134567890123456789".into());
    let mut f = Flow::new(s, env(DESKTOP), o);
    f.step(T0, 1, Event::Start { caps: None });
    let paying = QR_CREATED.replace("NOTPAY", "USERPAYING");
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, &paying));
    assert_eq!(emitted(&fx, "action")[0].text("kind"), Some("await"));
    // Past the counter timeout, the poller's last query reads USERPAYING.
    let fx = f.step(T0 + 6_000, 1, Event::Timer);
    let q = fetches(&fx);
    let fx = f.step(T0 + 6_100, 1, http(Tag::Query, q[0].1, 200, &query("USERPAYING")));
    assert_eq!(fetches(&fx)[0].0, Tag::Cancel, "unpaid after the timeout: cancel");
    f
}

#[test]
fn counter_timeout_cancels_and_a_refused_cancel_means_query() {
    let mut f = counter_flow();
    let fx = f.step(T0 + 6_200, 1, http(Tag::Cancel, 0, 409, r#"{"proxy_error":{"code":"cancel_refused","message":"paid"}}"#));
    assert_eq!(fetches(&fx)[0].0, Tag::Final);
    let fx = f.step(T0 + 6_300, 1, http(Tag::Final, 0, 200, &query("SUCCESS")));
    assert_eq!(resolved(&fx), Some(("succeeded".into(), true)));

    let mut f = counter_flow();
    let fx = f.step(T0 + 6_200, 1, http(Tag::Cancel, 0, 200, &query("REVOKED")));
    assert_eq!(resolved(&fx).map(|r| r.1), Some(true));

    let mut f = counter_flow();
    f.step(T0 + 6_200, 1, Event::NetworkError { tag: Tag::Cancel, seq: 0 });
    let fx = f.step(T0 + 6_300, 1, Event::NetworkError { tag: Tag::Final, seq: 0 });
    assert_eq!(resolved(&fx), Some(("unknown".into(), false)), "no answer at all: say so");

    // A cancel that did not take while the payer still pays: one more period, one more cancel.
    let mut f = counter_flow();
    f.step(T0 + 6_200, 1, http(Tag::Cancel, 0, 404, r#"{"proxy_error":{"code":"path_not_allowed","message":"no"}}"#));
    let fx = f.step(T0 + 6_300, 1, http(Tag::Final, 0, 200, &query("USERPAYING")));
    assert!(resolved(&fx).is_none() && sleep_ms(&fx).is_some(), "polls again");
    let fx = f.step(T0 + 20_000, 1, Event::Timer);
    let q = fetches(&fx);
    let fx = f.step(T0 + 20_100, 1, http(Tag::Query, q[0].1, 200, &query("USERPAYING")));
    assert_eq!(fetches(&fx)[0].0, Tag::Cancel, "second cancel");
    f.step(T0 + 20_200, 1, Event::NetworkError { tag: Tag::Cancel, seq: 0 });
    let fx = f.step(T0 + 20_300, 1, http(Tag::Final, 0, 200, &query("USERPAYING")));
    assert_eq!(resolved(&fx), Some(("unknown".into(), false)), "given up, unverified");
}

#[test]
fn page_cancel_rejects_cancelled_without_an_error_event() {
    let mut f = qr_flow(settings());
    let fx = f.step(T0 + 100, 1, Event::Cancel);
    assert_eq!(rejected(&fx), Some(ErrorCode::Cancelled));
    assert!(emitted(&fx, "error").is_empty());
    assert!(fx.contains(&Effect::Clear));
}

#[test]
fn long_poll_when_the_proxy_offers_it() {
    assert_eq!(long_poll_wait(r#"{"protocol":1,"longPoll":{"maxWait":30}}"#), 25);
    assert_eq!(long_poll_wait(r#"{"protocol":1,"longPoll":{"maxWait":10}}"#), 10);
    assert_eq!(long_poll_wait(r#"{"protocol":1}"#), 0);
    assert_eq!(long_poll_wait("nonsense"), 0);
    let mut f = Flow::new(settings(), env(DESKTOP), order(Mode::Qr, Channel::Alipay));
    f.step(T0, 1, Event::Start { caps: Some(r#"{"longPoll":{"maxWait":30}}"#) });
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, QR_CREATED));
    assert_eq!(fetches(&fx), [(Tag::Query, 1, "/proxy/blueocean/order/query?wait=25")]);
}

#[test]
fn auto_mode_follows_the_environment() {
    let mut o = Order::new("ORDER1234", None);
    o.channel = Some(Channel::Wechat);
    let mut f = Flow::new(settings(), env(WECHAT), o.clone());
    assert!(matches!(f.step(T0, 1, Event::Start { caps: None })[0], Effect::AwaitBridge { global: "WeixinJSBridge", .. }));
    let mut f = Flow::new(settings(), env(DESKTOP), o);
    assert_eq!(fetches(&f.step(T0, 1, Event::Start { caps: None }))[0].0, Tag::Create);
}

#[test]
fn methods_list_what_works_here_best_first() {
    let bo = crate::gateway::protocol(Gateway::BlueOcean).map(|p| p.modes()).unwrap_or(&[]);
    let wechat = methods(bo, &env(WECHAT));
    assert_eq!(wechat[0], (Mode::Jsapi, Channel::Wechat));
    assert!(!wechat.iter().any(|&(m, _)| m == Mode::H5 || m == Mode::Counter));
    let desktop = methods(bo, &env(DESKTOP));
    assert!(desktop.iter().all(|&(m, _)| m == Mode::Qr || m == Mode::Cashier));
    let js = parse(r#"{"container":"mobile","os":"android","mobile":true,"recommendedModes":["h5","wap","qr"]}"#).ok();
    let mobile = environment_from_json(&js.unwrap_or(Value::Null)).expect("environment");
    assert_eq!(methods(bo, &mobile)[..2], [(Mode::H5, Channel::Wechat), (Mode::Wap, Channel::Alipay)]);
}

#[test]
fn environments_read_back_every_container_and_os_by_its_js_name() {
    use crate::env::{Container, Os};
    let containers = [Container::Wechat, Container::WechatMiniProgram, Container::Alipay, Container::AlipayMiniProgram, Container::Unionpay, Container::Mobile, Container::Desktop];
    for c in containers {
        for os in [Os::Ios, Os::Android, Os::Other] {
            let text = format!(r#"{{"container":"{}","os":"{}"}}"#, c.as_str(), os.as_str());
            let env = parse(&text).ok().as_ref().and_then(environment_from_json).expect("an environment");
            assert_eq!((env.container, env.os), (c, os), "{text}");
        }
    }
    for unknown in [r#"{"container":"wechat2"}"#, r#"{"container":""}"#, r#"{"os":"ios"}"#] {
        assert_eq!(parse(unknown).ok().as_ref().and_then(environment_from_json), None, "{unknown}");
    }
}

#[test]
fn mini_program_url_encodes_and_appends() {
    let p = WechatJsapiParams {
        app_id: "wx1".into(),
        time_stamp: "1".into(),
        nonce_str: "n n".into(),
        package: "prepay_id=1&x".into(),
        sign_type: "RSA".into(),
        pay_sign: "a+b/c=".into(),
    };
    let url = mini_program_url("/pages/pay?from=h5", &p, Gateway::HipoPay, "A1");
    assert_eq!(url, "/pages/pay?from=h5&timeStamp=1&nonceStr=n%20n&package=prepay_id%3D1%26x&signType=RSA&paySign=a%2Bb%2Fc%3D&gateway=hipopay&outTradeNo=A1");
    assert!(!url.contains("wx1"), "appId is not needed by wx.requestPayment");
}

#[test]
fn events_parse_from_driver_json() {
    // Events borrow their texts from the parsed JSON: each check reads one parse.
    let ev = |t: &str, want: Option<Event>| assert_eq!(parse(t).ok().as_ref().and_then(Event::from_json), want, "{t}");
    ev(r#"{"type":"http","tag":"query","seq":3,"status":200,"body":"{}","verified":true}"#, Some(http(Tag::Query, 3, 200, "{}")));
    let unverified = Event::Http { tag: Tag::Query, seq: 3, status: 200, body: "{}", verified: false };
    let no_header = parse(r#"{"type":"http","tag":"query","seq":3,"status":200,"body":"{}"}"#).unwrap();
    assert_eq!(Event::from_json(&no_header), Some(unverified), "no header: not verified");
    let renewed = r#"{"type":"renewed","outTradeNo":"ORDER5678","clientSecret":"pcs_x"}"#;
    ev(renewed, Some(Event::Renewed { out_trade_no: "ORDER5678", client_secret: Some("pcs_x") }));
    ev(r#"{"type":"bridgeReady","wxjsEnvironment":"miniprogram"}"#, Some(Event::BridgeReady { mini_program: true }));
    ev(r#"{"type":"confirm","paid":true}"#, Some(Event::Confirm { paid: true }));
    ev(r#"{"type":"http","tag":"nope","status":200}"#, None);
    ev(r#"{"type":"other"}"#, None);
    // Every tag reads back from the name the flow gave it (the reader's word list follows `Tag::ALL`).
    for tag in Tag::ALL {
        let text = format!(r#"{{"type":"neterr","tag":"{}","seq":7}}"#, tag.as_str());
        ev(&text, Some(Event::NetworkError { tag, seq: 7 }));
    }
}

#[test]
fn every_proxy_call_carries_the_orders_client_secret() {
    let mut s = settings();
    s.can_renew = true;
    s.order_ttl_ms = 10_000;
    let mut o = order(Mode::Qr, Channel::Alipay);
    o.client_secret = Some("pcs_first".into());
    let mut f = Flow::new(s, env(DESKTOP), o);
    let fx = f.step(T0, 1, Event::Start { caps: None });
    assert_eq!(secrets(&fx), [Some("pcs_first")], "create");
    let fx = f.step(T0 + 50, 1, http(Tag::Create, 0, 200, QR_CREATED));
    assert!(sleep_ms(&fx).is_some());
    let json = f.on_event(T0 + 20_000, 1, Event::Timer);
    let fx = crate::checkout::effect::read(&json);
    assert_eq!(secrets(&fx), [Some("pcs_first")], "query");
    assert!(json.contains(r#""secret":"pcs_first""#), "{json}");
    let q = fetches(&fx)[0].1;
    f.step(T0 + 20_100, 1, http(Tag::Query, q, 200, &query("NOTPAY")));
    let fx = f.step(T0 + 20_200, 1, Event::Renewed { out_trade_no: "ORDER5678", client_secret: Some("pcs_second") });
    assert_eq!(secrets(&fx), [Some("pcs_second")], "a renewed order's create carries its own secret");
}

#[test]
fn unverified_answers_of_a_signing_gateway_are_never_paid() {
    fn unverified(tag: Tag, seq: u32, body: &str) -> Event<'_> {
        Event::Http { tag, seq, status: 200, body, verified: false }
    }
    let mut f = qr_flow(settings());
    let fx = f.step(T0 + 2_000, 1, Event::Timer);
    let q = fetches(&fx)[0].1;
    let fx = f.step(T0 + 2_100, 1, unverified(Tag::Query, q, &query("SUCCESS")));
    assert_eq!(resolved(&fx), None, "a stripped SUCCESS is not paid");
    assert_eq!(emitted(&fx, "status")[0].text("state"), Some("unknown"));
    assert!(sleep_ms(&fx).is_some(), "polling goes on");
    let fx = f.step(T0 + 6_000, 1, Event::Timer);
    let q = fetches(&fx)[0].1;
    let fx = f.step(T0 + 6_100, 1, http(Tag::Query, q, 200, &query("SUCCESS")));
    assert_eq!(resolved(&fx), Some(("succeeded".into(), true)), "the verified answer settles it");
    // HipoPay signs no answers: there the header cannot be asked for.
    let signs = |g| crate::gateway::protocol(g).is_ok_and(|p| p.signs_responses());
    assert!(!signs(Gateway::HipoPay) && signs(Gateway::BlueOcean) && signs(Gateway::ChaoYing));
}

/// A ChaoYing counter payment (channel any) waiting for the payer's PIN.
fn chaoying_counter_flow(code: &str) -> (Flow, Vec<Effect>) {
    let mut s = Settings::new(Gateway::ChaoYing, "/proxy");
    s.counter_timeout_ms = 60_000;
    let mut o = order(Mode::Counter, Channel::Any);
    o.out_trade_no = "CYORDER0001".into();
    o.auth_code = Some(code.into());
    let mut f = Flow::new(s, env(DESKTOP), o);
    f.step(T0, 1, Event::Start { caps: None });
    let paying = r#"{"state":"SUCCESS","code":"10001","msg":"支付中","trade_state":"PROCESSING","sign":"X"}"#;
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, paying));
    (f, fx)
}

fn fetch_body(fx: &[Effect], tag: Tag) -> Value {
    let body = fx.iter().find_map(|e| if let Effect::Fetch { tag: t, body, .. } = e { (*t == tag).then_some(body.as_str()) } else { None }).expect("a fetch");
    parse(body).unwrap()
}

#[test]
fn page_cancel_of_a_counter_payment_cancels_it_at_the_gateway() {
    let (mut f, fx) = chaoying_counter_flow("134567890123456789");
    assert_eq!(emitted(&fx, "action")[0].text("channel"), Some("wechat"), "the payer's code names the wallet");
    let fx = f.step(T0 + 1_000, 1, Event::Cancel);
    assert_eq!(rejected(&fx), None, "not before the gateway answered");
    let cancel = fetch_body(&fx, Tag::Cancel);
    assert_eq!((cancel.text("method"), cancel.text("paytype")), (Some("cancel"), Some("WECHAT")));
    let revoked = r#"{"state":"SUCCESS","code":"10000","msg":"SUCCESS","trade_state":"SUCCESS","out_trade_no":"CYORDER0001","paytype":"WECHAT","sign":"X"}"#;
    let fx = f.step(T0 + 1_200, 1, http(Tag::Cancel, 0, 200, revoked));
    assert_eq!(rejected(&fx), Some(ErrorCode::Cancelled));
    assert_eq!(emitted(&fx, "status")[0].text("state"), Some("cancelled"));

    // Refused because the payer paid meanwhile: the final query says so and the payment resolves.
    let (mut f, _) = chaoying_counter_flow("284567890123456789");
    let fx = f.step(T0 + 1_000, 1, Event::Cancel);
    assert_eq!(fetch_body(&fx, Tag::Cancel).text("paytype"), Some("ALIPAY"));
    let fx = f.step(T0 + 1_200, 1, http(Tag::Cancel, 0, 409, r#"{"proxy_error":{"code":"cancel_refused","message":"paid"}}"#));
    assert_eq!(fetch_body(&fx, Tag::Final).text("method"), Some("orderquery"));
    let paid =
        r#"{"state":"SUCCESS","code":"10000","msg":"成功","trade_state":"SUCCESS","out_trade_no":"CYORDER0001","transaction_id":"T1","base_fee":"1","total_fee":"1","sign":"X"}"#;
    let fx = f.step(T0 + 1_300, 1, http(Tag::Final, 0, 200, paid));
    assert_eq!(resolved(&fx), Some(("succeeded".into(), true)));
    assert_eq!(rejected(&fx), None);

    // Still paying after the cancel: no second wait, the page hears "unknown".
    let (mut f, _) = chaoying_counter_flow("134567890123456789");
    f.step(T0 + 1_000, 1, Event::Cancel);
    f.step(T0 + 1_200, 1, Event::NetworkError { tag: Tag::Cancel, seq: 0 });
    let paying = r#"{"state":"SUCCESS","code":"10001","msg":"支付中","trade_state":"PROCESSING","sign":"X"}"#;
    let fx = f.step(T0 + 1_300, 1, http(Tag::Final, 0, 200, paying));
    assert_eq!(resolved(&fx), Some(("unknown".into(), false)));
}

#[test]
fn a_scan_bill_keeps_the_wallet_its_channel_type_names() {
    let mut s = Settings::new(Gateway::BeeCloud, "/proxy");
    s.counter_timeout_ms = 60_000;
    let mut o = order(Mode::Counter, Channel::Any);
    o.auth_code = Some("284567890123456789".into());
    let mut f = Flow::new(s, env(DESKTOP), o);
    let fx = f.step(T0, 1, Event::Start { caps: None });
    assert_eq!(fetch_body(&fx, Tag::Create).text("channel"), Some("SCAN"));
    let fx = f.step(T0, 1, http(Tag::Create, 0, 200, r#"{"result_code":0,"result_msg":"OK","err_detail":"","channel_type":"ALI_SCAN"}"#));
    assert_eq!(emitted(&fx, "action")[0].text("channel"), Some("alipay"));
    let fx = if fetches(&fx).is_empty() { f.step(T0 + 10_000, 1, Event::Timer) } else { fx };
    assert_eq!(fetch_body(&fx, Tag::Query).text("channel"), Some("ALI_SCAN"), "status names the barcode channel, not SCAN");
    let q = fetches(&fx);
    let fx = f.step(T0 + 10_100, 1, http(Tag::Query, q[0].1, 200, r#"{"result_code":0,"result_msg":"OK","pay_result":true}"#));
    let outcome = fx.iter().find_map(|e| if let Effect::Resolve(v) = e { parse(v).ok() } else { None }).expect("resolved");
    assert_eq!((outcome.text("state"), outcome.text("channel")), (Some("succeeded"), Some("alipay")));
}
