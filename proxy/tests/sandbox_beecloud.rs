//! The BeeCloud sandbox, driven natively: every answer must read with the
//! BeeCloud module's own parsers.

use paybridge::gateway::beecloud::{BILLS_PATH, REFUND_PATH};
use paybridge::gateway::{refunds, rules, wire, CreateParams, GatewayRequest, OrderRef, ProxyRules, RefundQuery};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode, NextAction, OrderStatus, PayState, RefundState};
use paybridge::url_guard::UrlPolicy;
use paybridge_proxy::sandbox::beecloud::BeeCloudSandbox;
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use paybridge_proxy::sandbox::gateway::{Ctx, Reply, SandboxGateway, Settings};
use paybridge_proxy::sandbox::store::{OrderState, PayerAction, Store};

const NOW: i64 = 1_700_000_000_000;
const BASE: &str = "http://127.0.0.1:1/sandbox";

fn beecloud() -> &'static dyn RefundQuery {
    refunds(Gateway::BeeCloud).unwrap()
}

fn beecloud_rules() -> &'static dyn ProxyRules {
    rules(Gateway::BeeCloud).unwrap()
}

fn policy() -> UrlPolicy {
    UrlPolicy { sandbox_hosts: vec!["127.0.0.1:1".into()], extra_domains: Vec::new() }
}

fn send(store: &Store, settings: &Settings, now: i64, path: &str, params: &Value) -> Reply {
    let ctx = Ctx { store, now_ms: now, settings, base_url: BASE };
    BeeCloudSandbox.handle(&ctx, beecloud_rules().endpoint(path, None).unwrap(), path, params)
}

/// The request's parameters as the sandbox sees them after decoding, with
/// the proxy's `total_fee` (and `notify_url`) on creates.
fn decoded(req: &GatewayRequest, fee: i64) -> Value {
    let mut m = req.params.value().members().unwrap().to_vec();
    if req.path == "/2/rest/offline/bill" {
        m.push(("total_fee".into(), Value::int_value(fee)));
        m.push(("notify_url".into(), Value::str("http://127.0.0.1:9/notify/beecloud")));
    }
    Value::Object(m)
}

fn params(mode: Mode, channel: Channel, no: &str) -> CreateParams {
    let mut p = CreateParams::new(mode, channel, no);
    p.subject = Some("白开水".into());
    if mode == Mode::Counter {
        p.auth_code = Some("134567890123456789".into());
    }
    p
}

fn create(store: &Store, settings: &Settings, p: &CreateParams, fee: i64) -> Reply {
    let req = beecloud().create_request(p).unwrap();
    send(store, settings, NOW, &req.path, &decoded(&req, fee))
}

fn order_ref(p: &CreateParams) -> OrderRef {
    OrderRef { out_trade_no: p.out_trade_no.clone(), channel: p.channel, mode: p.mode, gateway_order_id: None }
}

fn query(store: &Store, settings: &Settings, now: i64, p: &CreateParams) -> Result<OrderStatus, paybridge::error::PayError> {
    let req = beecloud().query_request(&order_ref(p)).unwrap();
    beecloud().parse_query(&send(store, settings, now, &req.path, &req.params.value()).body)
}

fn cancel(store: &Store, settings: &Settings, p: &CreateParams) -> OrderStatus {
    let req = beecloud().cancel_request(&order_ref(p)).unwrap();
    beecloud().parse_cancel(&send(store, settings, NOW, &req.path, &req.params.value()).body).unwrap()
}

fn result_code(reply: &Reply) -> i64 {
    assert_eq!(reply.status, 200);
    reply.body.int("result_code").unwrap()
}

#[test]
fn qr_bills_show_the_wallet_and_query_as_paid_with_the_amount() {
    let (store, settings) = (Store::default(), Settings::default());
    for (channel, no) in [(Channel::Wechat, "BCQRWX0001"), (Channel::Alipay, "BCQRAL0001")] {
        let p = params(Mode::Qr, channel, no);
        let created = beecloud().parse_create(&p, &create(&store, &settings, &p, 1_234).body, &policy()).unwrap();
        assert_eq!(created.action, NextAction::Qr { content: format!("{BASE}/wallet/beecloud/{no}"), expires_at: None });
        assert_eq!(query(&store, &settings, NOW, &p).unwrap().state, PayState::Pending);
        store.update(Gateway::BeeCloud, no, NOW, |o| o.apply(PayerAction::Pay, NOW)).unwrap();
        assert_eq!(query(&store, &settings, NOW, &p).unwrap().state, PayState::Succeeded);
        // The bills lookup carries the amount and the wallet's transaction id.
        let bills = send(&store, &settings, NOW, BILLS_PATH, &Value::object([("bill_no", Value::str(no))]));
        let status = beecloud().parse_query(&bills.body).unwrap();
        let order = store.get(Gateway::BeeCloud, no, NOW).unwrap();
        assert_eq!((status.state, status.amount, status.transaction_id), (PayState::Succeeded, Some(1_234), order.transaction_id));
    }
}

#[test]
fn barcode_bills_wait_for_the_pin_then_settle() {
    let store = Store::default();
    let settings = Settings { counter_pin_ms: 3_000, ..Settings::default() };
    for (channel, no) in [(Channel::Wechat, "BCSCANWX01"), (Channel::Any, "BCSCANANY1")] {
        let p = params(Mode::Counter, channel, no);
        let reply = create(&store, &settings, &p, 500);
        assert_eq!(beecloud().parse_create(&p, &reply.body, &policy()).unwrap().action, NextAction::Await);
        assert_eq!(query(&store, &settings, NOW + 2_999, &p).unwrap().state, PayState::Pending);
        assert_eq!(query(&store, &settings, NOW + 3_000, &p).unwrap().state, PayState::Succeeded);
    }
    let unified = create(&store, &settings, &CreateParams { auth_code: Some("286543210987654321".into()), ..params(Mode::Counter, Channel::Any, "BCSCANANY2") }, 500);
    assert_eq!(unified.body.text("channel_type"), Some("ALI_SCAN"));

    let instant = Settings { counter_pin_ms: 0, ..Settings::default() };
    let p = params(Mode::Counter, Channel::Alipay, "BCSCANAL01");
    match beecloud().parse_create(&p, &create(&store, &instant, &p, 500).body, &policy()).unwrap().action {
        NextAction::Done { status } => assert_eq!(status.state, PayState::Succeeded),
        other => panic!("expected done, got {other:?}"),
    }
}

#[test]
fn revert_cancels_unpaid_bills_only() {
    let (store, settings) = (Store::default(), Settings::default());
    let p = params(Mode::Qr, Channel::Alipay, "BCREVERT01");
    create(&store, &settings, &p, 100);
    assert_eq!(cancel(&store, &settings, &p).state, PayState::Cancelled);
    assert_eq!(store.get(Gateway::BeeCloud, "BCREVERT01", NOW).unwrap().state, OrderState::Reverted);
    let bills = send(&store, &settings, NOW, BILLS_PATH, &Value::object([("bill_no", Value::str("BCREVERT01"))]));
    assert_eq!(beecloud().parse_query(&bills.body).unwrap().state, PayState::Cancelled);
    // A paid bill is not reverted: the page queries again and finds it paid.
    let p = params(Mode::Qr, Channel::Wechat, "BCREVERT02");
    create(&store, &settings, &p, 100);
    store.update(Gateway::BeeCloud, "BCREVERT02", NOW, |o| o.apply(PayerAction::Pay, NOW)).unwrap();
    assert_eq!(cancel(&store, &settings, &p).state, PayState::Unknown);
    assert_eq!(query(&store, &settings, NOW, &p).unwrap().state, PayState::Succeeded);
}

#[test]
fn webhooks_round_trip_for_payments_and_refunds() {
    let (store, settings) = (Store::default(), Settings::default());
    let secrets = sandbox_secrets(Gateway::BeeCloud);
    let w = wire(Gateway::BeeCloud).unwrap();
    let p = params(Mode::Qr, Channel::Wechat, "BCWEBHOOK1");
    create(&store, &settings, &p, 800);
    assert_eq!(BeeCloudSandbox.notification(&store.get(Gateway::BeeCloud, "BCWEBHOOK1", NOW).unwrap(), &secrets), None);
    let paid = store.update(Gateway::BeeCloud, "BCWEBHOOK1", NOW, |o| o.apply(PayerAction::Pay, NOW)).unwrap();
    let request = w.encode_notification(&BeeCloudSandbox.notification(&paid, &secrets).unwrap(), &secrets, NOW);
    assert_eq!(request.path_and_query, "/notify/beecloud");
    let n = w.decode_notification(&request, &secrets, NOW).unwrap();
    assert_eq!((n.out_trade_no.as_str(), n.status.state, n.status.amount), ("BCWEBHOOK1", PayState::Succeeded, Some(800)));
    assert_eq!(n.status.transaction_id, paid.transaction_id);

    // Back-office refund (partial), then the bills lookup and the REFUND webhook.
    let refund = |no: &str, fee: i64| {
        send(&store, &settings, NOW, REFUND_PATH, &Value::object([("refund_no", Value::str(no)), ("bill_no", Value::str("BCWEBHOOK1")), ("refund_fee", Value::int_value(fee))]))
    };
    assert_eq!(result_code(&refund("20231114001", 801)), 12);
    assert_eq!(result_code(&refund("20231114000", 300)), 5);
    assert_eq!(result_code(&refund("20231114001", 300)), 0);
    assert_eq!(result_code(&refund("20231114002", 300)), 11);
    let refunded = store.get(Gateway::BeeCloud, "BCWEBHOOK1", NOW).unwrap();
    let request = w.encode_notification(&BeeCloudSandbox.notification(&refunded, &secrets).unwrap(), &secrets, NOW);
    let n = w.decode_notification(&request, &secrets, NOW).unwrap();
    assert_eq!((n.out_trade_no.as_str(), n.status.state, n.status.amount), ("BCWEBHOOK1", PayState::Refunded, Some(300)));
    let req = beecloud().refund_query_request(&order_ref(&p), None).unwrap();
    let refunds = beecloud().parse_refund_query(&send(&store, &settings, NOW, &req.path, &req.params.value()).body).unwrap();
    assert_eq!(refunds.iter().map(|r| r.state).collect::<Vec<_>>(), vec![RefundState::Succeeded]);
}

#[test]
fn signed_requests_round_trip_through_the_wire() {
    let (store, settings) = (Store::default(), Settings::default());
    let secrets = sandbox_secrets(Gateway::BeeCloud);
    let w = wire(Gateway::BeeCloud).unwrap();
    let p = params(Mode::Qr, Channel::Alipay, "BCWIRE0001");
    let through_wire = |req: &GatewayRequest, fee: i64| {
        let ep = beecloud_rules().endpoint(&req.path, None).unwrap();
        let encoded = w.encode_request(ep, &req.path, &decoded(req, fee), &secrets, NOW).unwrap();
        let params = w.decode_request(ep, &encoded, &secrets, NOW).unwrap();
        send(&store, &settings, NOW, &req.path, &params)
    };
    let created = through_wire(&beecloud().create_request(&p).unwrap(), 4_200);
    assert!(matches!(beecloud().parse_create(&p, &created.body, &policy()).unwrap().action, NextAction::Qr { .. }));
    let order = store.get(Gateway::BeeCloud, "BCWIRE0001", NOW).unwrap();
    assert_eq!((order.amount, order.notify_url.as_deref()), (4_200, Some("http://127.0.0.1:9/notify/beecloud")));
    let bills = through_wire(&beecloud().refund_query_request(&order_ref(&p), None).unwrap(), 0);
    assert_eq!(beecloud().parse_query(&bills.body).unwrap().amount, Some(4_200));
    let reverted = through_wire(&beecloud().cancel_request(&order_ref(&p)).unwrap(), 0);
    assert_eq!(beecloud().parse_cancel(&reverted.body).unwrap().state, PayState::Cancelled);
}

#[test]
fn refusals_use_the_documented_result_codes() {
    let (store, settings) = (Store::default(), Settings::default());
    let p = params(Mode::Qr, Channel::Wechat, "BCERROR001");
    assert_eq!(result_code(&create(&store, &settings, &p, 100)), 0);
    let dup = create(&store, &settings, &p, 100);
    assert_eq!(result_code(&dup), 5);
    assert_eq!(beecloud().parse_create(&p, &dup.body, &policy()).unwrap_err().gateway_code.as_deref(), Some("5"));
    assert_eq!(query(&store, &settings, NOW, &params(Mode::Qr, Channel::Wechat, "BCNOSUCH01")).unwrap_err().gateway_code.as_deref(), Some("8"));
    let req = beecloud().create_request(&params(Mode::Counter, Channel::Wechat, "BCERROR002")).unwrap();
    let base = decoded(&req, 100);
    let with = |key: &str, value: Option<Value>| {
        let mut m: Vec<(String, Value)> = base.members().unwrap().iter().filter(|(k, _)| k != key).cloned().collect();
        if let Some(v) = value {
            m.push((key.to_owned(), v));
        }
        result_code(&send(&store, &settings, NOW, &req.path, &Value::Object(m)))
    };
    assert_eq!(with("total_fee", None), 4);
    assert_eq!(with("total_fee", Some(Value::int_value(0))), 5);
    assert_eq!(with("total_fee", Some(Value::Number("1.5".into()))), 5);
    assert_eq!(with("auth_code", None), 4);
    assert_eq!(with("channel", Some(Value::str("WX_JSAPI"))), 3);
    assert_eq!(with("title", Some(Value::str("一二三四五六七八九十十一"))), 5);
    assert_eq!(with("bill_no", Some(Value::str("short"))), 5);
    assert_eq!(with("notify_url", Some(Value::str("ftp://x"))), 5);
    assert!(store.get(Gateway::BeeCloud, "BCERROR002", NOW).is_none());
    assert_eq!(result_code(&send(&store, &settings, NOW, BILLS_PATH, &Value::object([("limit", Value::int_value(51))]))), 5);
    let revert = send(&store, &settings, NOW, "/2/rest/offline/bill/BCERROR001", &Value::object([("bill_no", Value::str("BCERROR001")), ("method", Value::str("PAY"))]));
    assert_eq!(result_code(&revert), 5);
}

#[test]
fn outcome_unknown_keeps_the_page_polling() {
    let reply = BeeCloudSandbox.unknown_reply(beecloud_rules().endpoint("/2/rest/offline/bill", None).unwrap()).unwrap();
    let p = params(Mode::Counter, Channel::Wechat, "BCUNKNOWN1");
    assert_eq!(beecloud().parse_create(&p, &reply.body, &policy()).unwrap().action, NextAction::Await);
    assert_eq!(beecloud().parse_query(&reply.body).unwrap().state, PayState::Unknown);
}

#[test]
fn unpaid_bills_stay_unpaid_after_expiry() {
    let (store, settings) = (Store::default(), Settings::default());
    let p = params(Mode::Qr, Channel::Wechat, "BCEXPIRE01");
    create(&store, &settings, &p, 100);
    let later = NOW + settings.order_ttl_ms;
    assert_eq!(query(&store, &settings, later, &p).unwrap().state, PayState::Pending);
    assert_eq!(store.get(Gateway::BeeCloud, "BCEXPIRE01", later).unwrap().state, OrderState::Expired);
    assert!(store.update(Gateway::BeeCloud, "BCEXPIRE01", later, |o| o.apply(PayerAction::Pay, later)).unwrap().state == OrderState::Expired);
}

/// A BC-edition app (`barcode_channels = "bc"` among the proxy's secrets):
/// the page's WX_SCAN / ALI_SCAN bills reach the gateway as BC_WX_SCAN /
/// BC_ALI_SCAN (seed L55-L56), are queried as such and reverted without a
/// channel; a SCAN bill's `channel_type` is the wallet later calls name.
#[test]
fn bc_edition_and_scan_bills_through_the_wire() {
    let (store, settings) = (Store::default(), Settings { counter_pin_ms: 3_000, ..Settings::default() });
    let mut secrets = sandbox_secrets(Gateway::BeeCloud);
    secrets.0.push(("barcode_channels".into(), "bc".into()));
    let w = wire(Gateway::BeeCloud).unwrap();
    let through_wire = |req: &GatewayRequest, fee: i64| {
        let ep = beecloud_rules().endpoint(&req.path, None).unwrap();
        let encoded = w.encode_request(ep, &req.path, &decoded(req, fee), &secrets, NOW).unwrap();
        let params = w.decode_request(ep, &encoded, &secrets, NOW).unwrap();
        send(&store, &settings, NOW, &req.path, &params)
    };
    let sub_channel = |no: &str| {
        let bills = send(&store, &settings, NOW, BILLS_PATH, &Value::object([("bill_no", Value::str(no))]));
        match bills.body.get("bills") {
            Some(Value::Array(items)) => items.first().and_then(|b| b.text("sub_channel")).map(str::to_owned),
            _ => None,
        }
    };
    for (channel, no, bc) in [(Channel::Wechat, "BCEDITIONWX1", "BC_WX_SCAN"), (Channel::Alipay, "BCEDITIONAL1", "BC_ALI_SCAN")] {
        let p = params(Mode::Counter, channel, no);
        let created = through_wire(&beecloud().create_request(&p).unwrap(), 300);
        assert_eq!(result_code(&created), 0, "{:?}", created.body.to_json());
        assert_eq!(beecloud().parse_create(&p, &created.body, &policy()).unwrap().action, NextAction::Await);
        assert_eq!(sub_channel(no).as_deref(), Some(bc));
        let status = through_wire(&beecloud().query_request(&order_ref(&p)).unwrap(), 0);
        assert_eq!(beecloud().parse_query(&status.body).unwrap().state, PayState::Pending);
        let reverted = through_wire(&beecloud().cancel_request(&order_ref(&p)).unwrap(), 0);
        assert_eq!(beecloud().parse_cancel(&reverted.body).unwrap().state, PayState::Cancelled);
    }

    let scan = CreateParams { auth_code: Some("286543210987654321".into()), ..params(Mode::Counter, Channel::Any, "BCEDITIONSC1") };
    let created = through_wire(&beecloud().create_request(&scan).unwrap(), 300);
    let wallet = beecloud().wallet_of(&scan, &created.body).expect("channel_type names the wallet");
    assert_eq!(wallet, Channel::Alipay);
    let learned = OrderRef { channel: wallet, ..order_ref(&scan) };
    let status = through_wire(&beecloud().query_request(&learned).unwrap(), 0);
    assert_eq!(result_code(&status), 0, "the status list has the kept barcode channel");
    assert_eq!(sub_channel("BCEDITIONSC1").as_deref(), Some("ALI_SCAN"));
}
