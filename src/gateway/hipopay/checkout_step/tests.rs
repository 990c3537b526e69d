//! The openid step alone, then whole HipoPay JSAPI / mini-program payments
//! through [`Flow`] without a merchant-supplied openid.

use super::*;
use crate::checkout::effect::{Effect, Tag};
use crate::checkout::event::Event;
use crate::checkout::flow::Flow;
use crate::checkout::pending::Pending;
use crate::env::{detect, Hints};
use crate::error::ErrorCode;
use crate::url_guard::UrlPolicy;

const T0: i64 = 1_700_000_000_000;
const WECHAT: &str = "Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36 MicroMessenger/8.0.40";
const MINI: &str = "Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36 MicroMessenger/8.0.40 miniProgram";
const CONTAINER: &str = "http://127.0.0.1:8080/sandbox/hipopay/order/authorize?agent_no=900001";
const CAPS: &str = r#"{"protocol":2,"openidAuthorize":{"hipopay":"http://127.0.0.1:8080/sandbox/hipopay/order/authorize?agent_no=900001"}}"#;
/// The seed's 4.4 step 2 answer (L230-L239).
const OPENID_ANSWER: &str = include_str!("../../../../fixtures/hipopay/wechat-openid-4.4-L230.json");
/// The container's round trip (authorization URL, the page it comes back to), which the sandbox's tests read too.
const CONTAINER_FIXTURE: &str = include_str!("../../../../fixtures/hipopay/container-redirect-4.1-L84.json");
/// The seed's 4.4 step 3 answer (L242-L255).
const MINI_CREATED: &str = include_str!("../../../../fixtures/hipopay/wechat-mini-program-pay-4.4-L242.json");

fn settings(page_query: &str) -> Settings {
    let mut s = Settings::new(Gateway::HipoPay, "/proxy");
    s.policy = UrlPolicy { sandbox_hosts: vec!["127.0.0.1:8080".into()], extra_domains: vec![] };
    s.page_query = page_query.to_owned();
    s
}

/// [`super::returned`] of the stored text, as `Checkout.resume()` parses it (not JSON: `null`).
fn returned(stored: &str, gateway: Gateway, page_query: &str, now_ms: i64) -> Option<Order> {
    super::returned(&json::parse(stored).unwrap_or(Value::Null), gateway, page_query, now_ms)
}

fn order() -> Order {
    let mut o = Order::new("SHOP20240001", Some(Mode::Jsapi));
    o.client_secret = Some("s3cret".into());
    o.subject = Some("茶具".into());
    o
}

/// HipoPay's step before creating `order` in mode `mode` on WeChat.
fn step_in(settings: &Settings, mode: Mode, mini_program: bool, caps: Option<&str>, order: &mut Order) -> Result<Before, PayError> {
    let bridge = Some(if mini_program { BridgeKind::MiniProgram } else { BridgeKind::Wechat });
    let cx = Context { settings, mode, channel: Channel::Wechat, bridge, caps, started_ms: T0, kept: None };
    HipoPay.before_create(&cx, order)
}

fn step(page_query: &str, mini_program: bool, caps: Option<&str>) -> (Result<Before, PayError>, Order) {
    let mut o = order();
    let r = step_in(&settings(page_query), Mode::Jsapi, mini_program, caps, &mut o);
    (r, o)
}

#[test]
fn the_containers_openid_in_the_page_url_is_used() {
    let (r, o) = step("?gateway=hipopay&openid=oQx43wJiwtsjv8C0lT5Lj7Mw1QZ4", false, None);
    assert_eq!(r, Ok(Before::Create { forget: false }));
    assert_eq!(o.openid.as_deref(), Some("oQx43wJiwtsjv8C0lT5Lj7Mw1QZ4"));
    let (r, _) = step("?paybridge_order=SHOP20240001&openid=o1", false, None);
    assert_eq!(r, Ok(Before::Create { forget: true }), "back from the container: the waiting entry goes");
}

#[test]
fn nothing_changes_where_the_openid_is_not_hipopays_to_find() {
    let page = "?openid=oFromUrl&code=c1";
    let mut given = order();
    given.openid = Some("oMerchant".into());
    assert_eq!(step_in(&settings(page), Mode::Jsapi, true, Some(CAPS), &mut given), Ok(Before::Create { forget: false }));
    assert_eq!(given.openid.as_deref(), Some("oMerchant"), "the merchant's openid wins");
    let mut blue = order();
    let mut s = settings(page);
    s.gateway = Gateway::BlueOcean;
    let cx = Context { settings: &s, mode: Mode::Jsapi, channel: Channel::Wechat, bridge: Some(BridgeKind::Wechat), caps: Some(CAPS), started_ms: T0, kept: None };
    let blue_step = crate::checkout::step::before_create(&cx, &mut blue);
    assert_eq!(blue_step, Ok(Before::Create { forget: false }), "BlueOcean's step looks for no openid");
    assert_eq!(blue.openid, None);
    let mut qr = order();
    assert_eq!(step_in(&settings(page), Mode::Qr, false, Some(CAPS), &mut qr), Ok(Before::Create { forget: false }));
}

#[test]
fn a_mini_program_code_is_exchanged_for_the_order() {
    let (r, mut o) = step("?gateway=hipopay&code=0a3Xkl000sandbox", true, None);
    let Ok(Before::Fetch { path, body, .. }) = r else { panic!("expected an exchange, got {r:?}") };
    assert_eq!(path, "/hipopay/order/openid");
    let params = json::parse(&body).unwrap();
    assert_eq!((params.text("agent_order_id"), params.text("code")), (Some("SHOP20240001"), Some("0a3Xkl000sandbox")));
    assert_eq!(o.openid, None);
    HipoPay.answer(&json::parse(OPENID_ANSWER).unwrap(), &mut o).unwrap();
    assert_eq!(o.openid.as_deref(), Some("kxc13i13J123"));
    let (r, _) = step("?gateway=hipopay", true, Some(CAPS));
    assert_eq!(r.unwrap_err().code, ErrorCode::InvalidArgument, "no code in a mini-program: the container cannot help there");
}

#[test]
fn without_openid_the_payer_goes_through_the_container_and_comes_back() {
    let page = "?gateway=hipopay&mode=jsapi&note=%E8%8C%B6+a%26b&code=oauth&openid=";
    let (r, _) = step(page, false, Some(CAPS));
    let Ok(Before::Leave { url, entry: awaiting, .. }) = r else { panic!("expected the container, got {r:?}") };
    assert_eq!(url, format!("{CONTAINER}&gateway=hipopay&mode=jsapi&note=%E8%8C%B6%20a%26b&paybridge_order=SHOP20240001"));
    let waiting = Awaiting::decode(&awaiting).expect("decodes");
    assert_eq!((waiting.order.out_trade_no.as_str(), waiting.order.client_secret.as_deref(), waiting.order.subject.as_deref()), ("SHOP20240001", Some("s3cret"), Some("茶具")));
    assert_eq!(waiting.until_ms, T0 + i64::from(crate::checkout::DEFAULT_ORDER_TTL_MS));
    assert_eq!(Pending::decode(&awaiting), None, "never polled as a created payment");
    assert!(!awaiting.contains("amount"));

    // The container's return: every parameter back, plus openid.
    let back = "?gateway=hipopay&mode=jsapi&note=%E8%8C%B6%20a%26b&paybridge_order=SHOP20240001&agent_no=900001&openid=oSandboxPayer";
    let o = returned(&awaiting, Gateway::HipoPay, back, T0 + 1_000).expect("the waiting order");
    assert_eq!((o.out_trade_no.as_str(), o.mode, o.channel, o.client_secret.as_deref()), ("SHOP20240001", Some(Mode::Jsapi), Some(Channel::Wechat), Some("s3cret")));
    assert_eq!(returned(&awaiting, Gateway::BlueOcean, back, T0), None);
    assert_eq!(returned(&awaiting, Gateway::HipoPay, back, waiting.until_ms), None, "stale");
    assert_eq!(returned(&awaiting, Gateway::HipoPay, "?paybridge_order=SHOP20240001", T0), None, "no openid");
    assert_eq!(returned(&awaiting, Gateway::HipoPay, "?paybridge_order=OTHER&openid=o1", T0), None, "another order");
}

#[test]
fn the_container_must_be_known_and_allowlisted() {
    let (r, _) = step("?gateway=hipopay", false, None);
    assert_eq!(r.unwrap_err().code, ErrorCode::InvalidArgument);
    let evil = r#"{"openidAuthorize":{"hipopay":"https://hipopay.com.evil.example/authorize"}}"#;
    let (r, _) = step("", false, Some(evil));
    assert_eq!(r.unwrap_err().code, ErrorCode::UnsafeRedirect);
}

#[test]
fn page_queries_decode() {
    let pairs = query_pairs("?a=1&b=x+y%20z&c&%E8%8C%B6=%E5%85%B7&bad=%ZZ&&d=%26");
    let want: Vec<(String, String)> = [("a", "1"), ("b", "x y z"), ("c", ""), ("茶", "具"), ("d", "&")].iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    assert_eq!(pairs, want);
    assert!(query_pairs("").is_empty());
}

fn fetches(fx: &[Effect]) -> Vec<(Tag, &str, &str, Option<&str>)> {
    fx.iter().filter_map(|e| if let Effect::Fetch { tag, url, body, secret, .. } = e { Some((*tag, url.as_str(), body.as_str(), secret.as_deref())) } else { None }).collect()
}

/// §4.4 end to end: the mini-program's code, exchanged through the proxy with
/// the order's secret, then the order created with that openid and handed off.
#[test]
fn a_mini_program_payment_needs_only_the_order() {
    let env = detect(MINI, &Hints::default());
    let mut f = Flow::new(settings("?gateway=hipopay&code=0a3Xkl000sandbox"), env, order());
    assert!(matches!(f.step(T0, 1, Event::Start { caps: Some(CAPS) })[0], Effect::AwaitBridge { global: "wx", .. }));
    let fx = f.step(T0, 1, Event::BridgeReady { mini_program: false });
    assert_eq!(fetches(&fx), [(Tag::Step, "/proxy/hipopay/order/openid", r#"{"agent_order_id":"SHOP20240001","code":"0a3Xkl000sandbox"}"#, Some("s3cret"))]);
    let fx = f.step(T0 + 10, 1, Event::Http { tag: Tag::Step, seq: 0, status: 200, body: OPENID_ANSWER, verified: false });
    let created = fetches(&fx);
    assert_eq!((created[0].0, created[0].1), (Tag::Create, "/proxy/hipopay/order/mini_program_pay"));
    assert!(created[0].2.contains(r#""openid":"kxc13i13J123""#), "{}", created[0].2);
    let fx = f.step(T0 + 20, 1, Event::Http { tag: Tag::Create, seq: 0, status: 200, body: MINI_CREATED, verified: false });
    assert!(fx.iter().any(|e| matches!(e, Effect::Bridge { kind: BridgeKind::MiniProgram, .. })));

    // An expired code: the gateway's refusal ends the payment before any order.
    let mut f = Flow::new(settings("?code=old"), detect(MINI, &Hints::default()), order());
    f.step(T0, 1, Event::Start { caps: None });
    f.step(T0, 1, Event::BridgeReady { mini_program: false });
    let refused = r#"{"meta":{"status_code":555,"message":"{\"wx_code\":\"40029\",\"wx_message\":\"invalid code\"}","success":false}}"#;
    let fx = f.step(T0 + 10, 1, Event::Http { tag: Tag::Step, seq: 0, status: 555, body: refused, verified: false });
    assert!(fx.iter().any(|e| matches!(e, Effect::Reject(e) if e.code == ErrorCode::GatewayError)));
    assert!(fetches(&fx).is_empty());
}

/// §4.1 end to end: off to the container (the order kept, nothing created),
/// then the page that came back creates it with the appended openid.
#[test]
fn an_official_account_payment_goes_through_the_container() {
    let env = || detect(WECHAT, &Hints::default());
    let mut f = Flow::new(settings("?gateway=hipopay&mode=jsapi"), env(), order());
    f.step(T0, 1, Event::Start { caps: Some(CAPS) });
    let fx = f.step(T0, 1, Event::BridgeReady { mini_program: false });
    assert!(fetches(&fx).is_empty(), "nothing created before the openid");
    let url = format!("{CONTAINER}&gateway=hipopay&mode=jsapi&paybridge_order=SHOP20240001");
    assert_eq!(fx.last(), Some(&Effect::Navigate(url)));
    let Some(Effect::Store(awaiting)) = fx.first() else { panic!("the order is kept first: {fx:?}") };

    let back = "?gateway=hipopay&mode=jsapi&paybridge_order=SHOP20240001&agent_no=900001&openid=oSandboxPayer";
    let o = returned(awaiting, Gateway::HipoPay, back, T0 + 5_000).expect("waiting");
    let mut f = Flow::new(settings(back), env(), o);
    f.step(T0 + 5_000, 1, Event::Start { caps: Some(CAPS) });
    let fx = f.step(T0 + 5_000, 1, Event::BridgeReady { mini_program: false });
    assert_eq!(fx[0], Effect::Clear, "a reload must not create it twice");
    let created = fetches(&fx);
    assert_eq!((created[0].1, created[0].3), ("/proxy/hipopay/order/jsapi_pay", Some("s3cret")));
    assert!(created[0].2.contains(r#""openid":"oSandboxPayer""#), "{}", created[0].2);
}

#[test]
fn the_container_fixture_goes_and_comes_back() {
    let fixture = json::parse(CONTAINER_FIXTURE).unwrap();
    let (authorize, back) = (fixture.text("authorize").unwrap(), fixture.text("back").unwrap());
    let (r, _) = step("?gateway=hipopay&mode=jsapi&note=%E8%8C%B6%20a%26b", false, Some(CAPS));
    let Ok(Before::Leave { url, entry: awaiting, .. }) = r else { panic!("expected the container, got {r:?}") };
    assert_eq!(url, authorize);
    let search = &back[back.find('?').unwrap()..];
    assert_eq!(returned(&awaiting, Gateway::HipoPay, search, T0).map(|o| o.out_trade_no), Some("SHOP20240001".to_owned()));
    let (r, o) = step(search, false, Some(CAPS));
    assert_eq!((r, o.openid.as_deref()), (Ok(Before::Create { forget: true }), Some("o1de2b623aa171d43091213468df")));
}
