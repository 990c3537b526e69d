//! The HipoPay sandbox, driven natively: every answer must read with the
//! HipoPay module's own parsers.

use paybridge::error::{ErrorCode, Reason};
use paybridge::gateway::hipopay::minor_to_amount;
use paybridge::gateway::{refunds, rules, wire, CreateParams, Endpoint, GatewayRequest, OrderRef, Params, RefundQuery};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode, NextAction, OrderStatus, PayState, RefundState};
use paybridge::url_guard::UrlPolicy;
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use paybridge_proxy::sandbox::gateway::{Ctx, Reply, SandboxGateway, Settings};
use paybridge_proxy::sandbox::hipopay::{trade_time, HipoPaySandbox};
use paybridge_proxy::sandbox::store::{OrderState, PayerAction, Store};

const NOW: i64 = 1_700_000_000_000;
const BASE: &str = "http://127.0.0.1:1/sandbox";
const AMOUNT: i64 = 10_000;

fn hipopay() -> &'static dyn RefundQuery {
    refunds(Gateway::HipoPay).unwrap()
}

fn policy() -> UrlPolicy {
    UrlPolicy { sandbox_hosts: vec!["127.0.0.1:1".into()], extra_domains: Vec::new() }
}

fn ctx<'a>(store: &'a Store, settings: &'a Settings, now_ms: i64) -> Ctx<'a> {
    Ctx { store, now_ms, settings, base_url: BASE }
}

fn endpoint(path: &str) -> &'static Endpoint {
    rules(Gateway::HipoPay).unwrap().endpoint(path, None).unwrap()
}

/// What `decode_request` gives after the proxy added its fields to `req`.
fn decoded(req: &GatewayRequest, amount: i64) -> Value {
    let mut m = req.params.value().members().unwrap().to_vec();
    if req.path != "/order" && !req.path.ends_with("refund") && !req.path.ends_with("/alipay/order") {
        for (k, v) in
            [("merchant_no", "sandbox-merchant-0001".to_owned()), ("currency", "HKD".into()), ("amount", minor_to_amount(amount, Some("HKD")).unwrap()), ("ip", "10.0.0.8".into())]
        {
            m.push((k.to_owned(), Value::String(v)));
        }
        m.push(("notify_url".to_owned(), Value::str("http://127.0.0.1:9/notify")));
    }
    Value::Object(m)
}

fn send(store: &Store, settings: &Settings, now: i64, req: &GatewayRequest, params: &Value) -> Reply {
    HipoPaySandbox.handle(&ctx(store, settings, now), endpoint(&req.path), &req.path, params)
}

fn params(mode: Mode, channel: Channel, no: &str) -> CreateParams {
    let mut p = CreateParams::new(mode, channel, no);
    p.subject = Some("茶具 Tea set".into());
    match mode {
        Mode::Counter => p.auth_code = Some("135605691981176449".into()),
        Mode::Jsapi => p.openid = Some("oQx43wJiwtsjv8C0lT5Lj7Mw1QZ4".into()),
        Mode::Cashier | Mode::Wap => p.return_url = Some("https://shop.example.com/return".into()),
        _ => {}
    }
    p
}

fn create(store: &Store, settings: &Settings, p: &CreateParams) -> Reply {
    let req = hipopay().create_request(p).unwrap();
    send(store, settings, NOW, &req, &decoded(&req, AMOUNT))
}

fn order_ref(p: &CreateParams) -> OrderRef {
    OrderRef { out_trade_no: p.out_trade_no.clone(), channel: p.channel, mode: p.mode, gateway_order_id: None }
}

fn query(store: &Store, settings: &Settings, now: i64, p: &CreateParams) -> Result<OrderStatus, paybridge::error::PayError> {
    let req = hipopay().query_request(&order_ref(p)).unwrap();
    hipopay().parse_query(&send(store, settings, now, &req, &decoded(&req, 0)).body)
}

fn wallet(no: &str) -> String {
    format!("{BASE}/wallet/hipopay/{no}")
}

#[test]
fn every_create_path_answers_what_the_module_reads() {
    let (store, settings) = (Store::default(), Settings::default());
    let mut cases = vec![
        (params(Mode::Qr, Channel::Wechat, "HPWXQR0001"), "qr"),
        (params(Mode::Counter, Channel::Wechat, "HPWXCT0001"), "await"),
        (params(Mode::Jsapi, Channel::Wechat, "HPWXJS0001"), "jsapi"),
        (params(Mode::App, Channel::Wechat, "HPWXAP0001"), "app"),
        (params(Mode::Cashier, Channel::Wechat, "HPWXPC0001"), "redirect"),
        (params(Mode::Qr, Channel::Alipay, "HPALQR0001"), "qr"),
        (params(Mode::Wap, Channel::Alipay, "HPALWP0001"), "redirect"),
        (params(Mode::Counter, Channel::Alipay, "HPALCT0001"), "await"),
        (params(Mode::App, Channel::Alipay, "HPALAP0001"), "app"),
        (params(Mode::Cashier, Channel::Alipay, "HPALPC0001"), "redirect"),
    ];
    let mut mini = params(Mode::Jsapi, Channel::Wechat, "HPWXMP0001");
    mini.mini_program = true;
    mini.sub_appid = Some("wx-sandbox-test-mini".into());
    cases.push((mini, "jsapi"));
    let mut mp_desk = params(Mode::Cashier, Channel::Wechat, "HPWXMD0001");
    mp_desk.sub_appid = Some("wx-sandbox-test-mp".into());
    cases.push((mp_desk, "redirect"));
    cases[3].0.sub_appid = Some("wx-sandbox-test-app".into());
    for (p, kind) in &cases {
        let reply = create(&store, &settings, p);
        assert_eq!(reply.status, 200, "{}: {}", p.out_trade_no, reply.body.to_json());
        let created = hipopay().parse_create(p, &reply.body, &policy()).unwrap_or_else(|e| panic!("{}: {e:?}", p.out_trade_no));
        let url = wallet(&p.out_trade_no);
        match (&created.action, *kind) {
            (NextAction::Qr { content, .. }, "qr") => assert_eq!(content, &url),
            (NextAction::Redirect { url: u }, "redirect") => assert_eq!(u, &url),
            (NextAction::Await, "await") => {}
            (NextAction::WechatJsapi { params }, "jsapi") => assert!(params.package.starts_with("prepay_id=") && !params.pay_sign.is_empty()),
            (NextAction::App { .. }, "app") => {}
            (other, _) => panic!("{}: expected {kind}, got {other:?}", p.out_trade_no),
        }
        let order = store.get(Gateway::HipoPay, &p.out_trade_no, NOW).unwrap();
        assert_eq!(order.amount, AMOUNT);
        assert_eq!(created.gateway_order_id.as_deref().unwrap_or(&order.gateway_order_id), order.gateway_order_id);
    }
    // 6.1 Alipay scanned_pay: Alipay's own QR page, shown in an iframe.
    let p = params(Mode::Qr, Channel::Alipay, "HPALIF0001");
    let mut req = hipopay().create_request(&p).unwrap();
    req.path = "/alipay/scanned_pay".into();
    let reply = send(&store, &settings, NOW, &req, &decoded(&req, AMOUNT));
    let created = hipopay().parse_create(&p, &reply.body, &policy()).unwrap();
    assert_eq!(created.action, NextAction::Iframe { url: wallet("HPALIF0001") });
}

#[test]
fn paid_orders_query_as_succeeded_with_the_exact_amount() {
    let (store, settings) = (Store::default(), Settings::default());
    for (channel, no) in [(Channel::Wechat, "HPPAYWX001"), (Channel::Alipay, "HPPAYAL001")] {
        let p = params(Mode::Qr, channel, no);
        let req = hipopay().create_request(&p).unwrap();
        assert_eq!(send(&store, &settings, NOW, &req, &decoded(&req, 12_345)).status, 200);
        let pending = query(&store, &settings, NOW + 1, &p).unwrap();
        assert_eq!((pending.state, pending.gateway_state.as_str(), pending.amount), (PayState::Pending, "INIT", Some(12_345)));
        store.update(Gateway::HipoPay, no, NOW + 2, |o| o.apply(PayerAction::Pay, NOW + 2)).unwrap();
        let paid = query(&store, &settings, NOW + 3, &p).unwrap();
        let order = store.get(Gateway::HipoPay, no, NOW + 3).unwrap();
        assert_eq!((paid.state, paid.amount), (PayState::Succeeded, Some(12_345)));
        assert_eq!(paid.transaction_id.as_deref(), Some(order.gateway_order_id.as_str()));
        // By HipoPay's own number too.
        let by_id = OrderRef { gateway_order_id: Some(order.gateway_order_id.clone()), ..order_ref(&p) };
        let mut req = hipopay().query_request(&by_id).unwrap();
        let only_id: Vec<(String, Value)> = req.params.value().members().unwrap().iter().filter(|(k, _)| k == "order_no" || k == "payment_no").cloned().collect();
        req.params = Params::of(&Value::Object(only_id));
        assert_eq!(hipopay().parse_query(&send(&store, &settings, NOW + 3, &req, &req.params.value()).body).unwrap().state, PayState::Succeeded);
    }
}

#[test]
fn counter_payments_wait_for_the_pin_then_settle() {
    let store = Store::default();
    let settings = Settings { counter_pin_ms: 3_000, ..Settings::default() };
    let p = params(Mode::Counter, Channel::Wechat, "HPCOUNT001");
    let reply = create(&store, &settings, &p);
    assert_eq!(hipopay().parse_create(&p, &reply.body, &policy()).unwrap().action, NextAction::Await);
    assert_eq!(query(&store, &settings, NOW + 2_999, &p).unwrap().state, PayState::Pending);
    assert_eq!(query(&store, &settings, NOW + 3_000, &p).unwrap().state, PayState::Succeeded);

    let instant = Settings { counter_pin_ms: 0, ..Settings::default() };
    let p = params(Mode::Counter, Channel::Alipay, "HPCOUNT002");
    let created = hipopay().parse_create(&p, &create(&store, &instant, &p).body, &policy()).unwrap();
    match created.action {
        NextAction::Done { status } => assert_eq!((status.state, status.amount), (PayState::Succeeded, Some(AMOUNT))),
        other => panic!("expected done, got {other:?}"),
    }
}

#[test]
fn unpaid_orders_expire_and_failures_read_as_failed() {
    let (store, settings) = (Store::default(), Settings::default());
    let p = params(Mode::Qr, Channel::Wechat, "HPEXPIRE01");
    create(&store, &settings, &p);
    let expired = query(&store, &settings, NOW + settings.order_ttl_ms, &p).unwrap();
    assert_eq!((expired.state, expired.gateway_state.as_str()), (PayState::Closed, "EXPIRED"));
    let p = params(Mode::Wap, Channel::Alipay, "HPFAILED01");
    create(&store, &settings, &p);
    store.update(Gateway::HipoPay, "HPFAILED01", NOW, |o| o.apply(PayerAction::Cancel, NOW)).unwrap();
    assert_eq!(query(&store, &settings, NOW, &p).unwrap().state, PayState::Failed);
}

#[test]
fn notifications_round_trip_through_the_wire() {
    let (store, settings) = (Store::default(), Settings::default());
    let secrets = sandbox_secrets(Gateway::HipoPay);
    let p = params(Mode::Jsapi, Channel::Wechat, "HPNOTIFY01");
    create(&store, &settings, &p);
    let unpaid = store.get(Gateway::HipoPay, "HPNOTIFY01", NOW).unwrap();
    assert_eq!(HipoPaySandbox.notification(&unpaid, &secrets), None);
    let paid = store.update(Gateway::HipoPay, "HPNOTIFY01", NOW, |o| o.apply(PayerAction::Pay, NOW)).unwrap();
    let fields = HipoPaySandbox.notification(&paid, &secrets).unwrap();
    let w = wire(Gateway::HipoPay).unwrap();
    let request = w.encode_notification(&fields, &secrets, NOW);
    let n = w.decode_notification(&request, &secrets, NOW).unwrap();
    assert_eq!(n.out_trade_no, "HPNOTIFY01");
    assert_eq!((n.status.state, n.status.amount), (PayState::Succeeded, Some(AMOUNT)));
    assert_eq!(n.fields.text("openid"), Some("oQx43wJiwtsjv8C0lT5Lj7Mw1QZ4"));
}

#[test]
fn a_signed_request_round_trips_into_an_order() {
    let (store, settings) = (Store::default(), Settings::default());
    let secrets = sandbox_secrets(Gateway::HipoPay);
    let p = params(Mode::Qr, Channel::Alipay, "HPWIRE0001");
    let req = hipopay().create_request(&p).unwrap();
    let mut with_server_fields = req.params.value().members().unwrap().to_vec();
    with_server_fields.push(("amount".into(), Value::str("2500")));
    with_server_fields.push(("notify_url".into(), Value::str("http://127.0.0.1:9/notify/hipopay")));
    let ep = endpoint(&req.path);
    let w = wire(Gateway::HipoPay).unwrap();
    let encoded = w.encode_request(ep, &req.path, &Value::Object(with_server_fields), &secrets, NOW).unwrap();
    let params = w.decode_request(ep, &encoded, &secrets, NOW).unwrap();
    let reply = HipoPaySandbox.handle(&ctx(&store, &settings, NOW), ep, &req.path, &params);
    let created = hipopay().parse_create(&p, &reply.body, &policy()).unwrap();
    assert_eq!(created.action, NextAction::Qr { content: wallet("HPWIRE0001"), expires_at: None });
    let order = store.get(Gateway::HipoPay, "HPWIRE0001", NOW).unwrap();
    assert_eq!((order.amount, order.notify_url.as_deref()), (2_500, Some("http://127.0.0.1:9/notify/hipopay")));
    assert_eq!(reply.body.get("data").and_then(|d| d.get("order")).and_then(|o| o.text("amount")), Some("25.00"));
}

fn error_status(reply: &Reply) -> (u16, i64) {
    (reply.status, reply.body.get("meta").and_then(|m| m.int("status_code")).unwrap())
}

#[test]
fn refusals_use_the_documented_codes() {
    let (store, settings) = (Store::default(), Settings::default());
    let p = params(Mode::Qr, Channel::Wechat, "HPERROR001");
    assert_eq!(create(&store, &settings, &p).status, 200);
    // A reused number: WeChat's OUT_TRADE_NO_USED inside a 555 on WeChat paths, 400 on Alipay's.
    let dup = create(&store, &settings, &p);
    assert_eq!(error_status(&dup), (555, 555));
    let e = hipopay().parse_create(&p, &dup.body, &policy()).unwrap_err();
    assert_eq!((e.code, e.reason), (ErrorCode::GatewayError, Reason::DuplicateOrder));
    let pa = params(Mode::Qr, Channel::Alipay, "HPERROR002");
    create(&store, &settings, &pa);
    assert_eq!(error_status(&create(&store, &settings, &pa)), (400, 400));
    // Unknown order: 404, an error (not "unknown") for the page.
    let missing = params(Mode::Qr, Channel::Wechat, "HPNOSUCH01");
    assert_eq!(query(&store, &settings, NOW, &missing).unwrap_err().gateway_code.as_deref(), Some("404"));
    // A WeChat order is not found through the Alipay query.
    let wrong_wallet = params(Mode::Qr, Channel::Alipay, "HPERROR001");
    assert!(query(&store, &settings, NOW, &wrong_wallet).is_err());
    // Bad parameters.
    let req = hipopay().create_request(&params(Mode::Qr, Channel::Wechat, "HPERROR003")).unwrap();
    let base = decoded(&req, AMOUNT);
    let with = |key: &str, value: Option<&str>| {
        let mut m: Vec<(String, Value)> = base.members().unwrap().iter().filter(|(k, _)| k != key).cloned().collect();
        if let Some(v) = value {
            m.push((key.to_owned(), Value::str(v)));
        }
        send(&store, &settings, NOW, &req, &Value::Object(m))
    };
    for (key, value, status) in [
        ("ip", None, 400),
        ("amount", Some("1.001"), 400),
        ("amount", Some("0.00"), 400),
        ("amount", Some("-1"), 400),
        ("currency", Some("XXX"), 400),
        ("merchant_no", Some("someone-else"), 403),
        ("agent_order_id", Some("bad no!"), 400),
        ("notify_url", Some("javascript:alert(1)"), 400),
    ] {
        assert_eq!(with(key, value).status, status, "{key}={value:?}");
    }
    assert!(store.get(Gateway::HipoPay, "HPERROR003", NOW).is_none());
    // The JPY amount has no minor unit: "1500" is 1500 yen.
    let mut m: Vec<(String, Value)> = base.members().unwrap().iter().filter(|(k, _)| k != "currency" && k != "amount").cloned().collect();
    m.extend([("currency".to_owned(), Value::str("JPY")), ("amount".to_owned(), Value::str("1500"))]);
    assert_eq!(send(&store, &settings, NOW, &req, &Value::Object(m)).status, 200);
    assert_eq!(store.get(Gateway::HipoPay, "HPERROR003", NOW).unwrap().amount, 1_500);
}

#[test]
fn refund_queries_list_refunds_by_order_and_by_number() {
    let (store, settings) = (Store::default(), Settings::default());
    let p = params(Mode::Qr, Channel::Wechat, "HPREFUND01");
    create(&store, &settings, &p);
    let refund_query = |refund_no: Option<&str>| {
        let req = hipopay().refund_query_request(&order_ref(&p), refund_no).unwrap();
        send(&store, &settings, NOW, &req, &req.params.value())
    };
    assert_eq!(hipopay().parse_refund_query(&refund_query(None).body).unwrap(), Vec::new());
    let order = store.update(Gateway::HipoPay, "HPREFUND01", NOW, |o| {
        o.apply(PayerAction::Pay, NOW).unwrap();
        o.refund("RFHP0001", Some(AMOUNT - 1), NOW).unwrap();
        o.refund("RFHP0002", None, NOW).unwrap();
    });
    let refunds = hipopay().parse_refund_query(&refund_query(None).body).unwrap();
    assert_eq!(refunds.len(), 2);
    assert_eq!((refunds[0].state, refunds[0].amount, refunds[1].amount), (RefundState::Succeeded, Some(AMOUNT - 1), Some(1)));
    let one = hipopay().parse_refund_query(&refund_query(Some("RFHP0002")).body).unwrap();
    assert_eq!((one.len(), one[0].refund_no.as_deref()), (1, Some("RFHP0002")));
    assert_eq!(refund_query(Some("RFNOSUCH01")).status, 404);
    let status = query(&store, &settings, NOW, &p).unwrap();
    assert_eq!((status.state, order.map(|o| o.state)), (PayState::Refunded, Some(OrderState::Refunded)));
}

#[test]
fn outcome_unknown_keeps_the_page_polling() {
    let q = hipopay().parse_query(&HipoPaySandbox.unknown_reply(endpoint("/order")).unwrap().body).unwrap();
    assert_eq!(q.state, PayState::Unknown);
    let p = params(Mode::Counter, Channel::Wechat, "HPUNKNOWN1");
    let reply = HipoPaySandbox.unknown_reply(endpoint("/order/scan_pay")).unwrap();
    assert_eq!(reply.status, 555);
    assert_eq!(hipopay().parse_create(&p, &reply.body, &policy()).unwrap().action, NextAction::Await);
}

#[test]
fn reads_answer_openid_and_rates() {
    let (store, settings) = (Store::default(), Settings::default());
    let c = ctx(&store, &settings, NOW);
    let openid = HipoPaySandbox.handle(
        &c,
        endpoint("/order/openid"),
        "/order/openid",
        &Value::object([("code", Value::str("081abc")), ("merchant_no", Value::str("sandbox-merchant-0001"))]),
    );
    assert!(openid.body.get("data").and_then(|d| d.text("openid")).is_some_and(|o| o.len() == 28));
    let rate = HipoPaySandbox.handle(&c, endpoint("/rate"), "/rate", &Value::object([("currency", Value::str("USD")), ("merchant_no", Value::str("sandbox-merchant-0001"))]));
    assert_eq!(paybridge::gateway::hipopay::parse_rate(&rate.body).unwrap().rate, "6.8575");
    let alipay = HipoPaySandbox.handle(&c, endpoint("/alipay/rate"), "/alipay/rate", &Value::object([("currency", Value::str("HKD"))]));
    assert_eq!(paybridge::gateway::hipopay::parse_rate(&alipay.body).unwrap().rate, "0.8789");
}

#[test]
fn trade_time_is_china_time() {
    assert_eq!(trade_time(1_509_692_687_000), "2017-11-03 15:04:47");
    assert_eq!(trade_time(951_782_400_000), "2000-02-29 08:00:00");
    let back = paybridge::gateway::hipos::expiry_ms(&Value::str(trade_time(NOW)));
    assert_eq!(back, Some(NOW));
}
