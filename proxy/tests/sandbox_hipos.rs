//! The HiPOS sandbox, driven natively: every answer must read with the
//! HiPOS module's own parsers.

use paybridge::gateway::hipos::{
    device_authcode_request, parse_device_authcode, parse_pickup_confirm, parse_token, pickup_confirm_request, read_envelope, token_request, trades_request, TradeReport,
    MERCHANT_PATH,
};
use paybridge::gateway::wire::Secrets;
use paybridge::gateway::{rules, wire, CreateParams, GatewayRequest, OrderRef, ProxyRules};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode, NextAction, OrderStatus, PayState};
use paybridge::url_guard::UrlPolicy;
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use paybridge_proxy::sandbox::gateway::{Ctx, Reply, SandboxGateway, Settings};
use paybridge_proxy::sandbox::hipos::{confirm_pickup, HiPosSandbox};
use paybridge_proxy::sandbox::store::{PayerAction, Store};

const NOW: i64 = 1_700_000_000_000;
const BASE: &str = "http://127.0.0.1:1/sandbox";

fn hipos() -> &'static dyn ProxyRules {
    rules(Gateway::HiPos).unwrap()
}

fn policy() -> UrlPolicy {
    UrlPolicy { sandbox_hosts: vec!["127.0.0.1:1".into()], extra_domains: Vec::new() }
}

fn send(store: &Store, settings: &Settings, now: i64, req: &GatewayRequest) -> Reply {
    let ctx = Ctx { store, now_ms: now, settings, base_url: BASE };
    let endpoint = hipos().endpoint(&req.path, None).unwrap();
    // The wire adds the path's `{name}` segments to the parameters.
    let mut params = req.params.members().unwrap_or_default().to_vec();
    for (pattern, segment) in endpoint.path.split('/').zip(req.path.split('/')) {
        if let Some(name) = pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            params.push((name.to_owned(), Value::str(segment)));
        }
    }
    HiPosSandbox.handle(&ctx, endpoint, &req.path, &Value::Object(params))
}

fn pickup(store: &Store, settings: &Settings, no: &str, amount: i64) -> (CreateParams, Reply) {
    let p = CreateParams::new(Mode::Qr, Channel::Any, no);
    let mut req = hipos().create_request(&p).unwrap();
    let mut m = req.params.members().unwrap().to_vec();
    m.push(("amount".into(), Value::int_value(amount)));
    m.push(("notify_url".into(), Value::str("http://127.0.0.1:9/notify/hipos")));
    req.params = Value::Object(m);
    let reply = send(store, settings, NOW, &req);
    (p, reply)
}

fn query(store: &Store, settings: &Settings, now: i64, no: &str) -> Result<OrderStatus, paybridge::error::PayError> {
    let req = hipos().query_request(&OrderRef { out_trade_no: no.into(), channel: Channel::Any, mode: Mode::Qr, gateway_order_id: None }).unwrap();
    hipos().parse_query(&send(store, settings, now, &req).body)
}

fn code_of(reply: &Reply) -> String {
    read_envelope(&reply.body).err().and_then(|e| e.gateway_code.clone()).unwrap_or_else(|| "0".into())
}

#[test]
fn token_then_pickup_code_through_the_wire() {
    let (store, settings) = (Store::default(), Settings::default());
    let w = wire(Gateway::HiPos).unwrap();
    let mut secrets = sandbox_secrets(Gateway::HiPos);
    let ctx = Ctx { store: &store, now_ms: NOW, settings: &settings, base_url: BASE };
    let token_req = token_request("http://127.0.0.1:9/token");
    let ep = hipos().endpoint(&token_req.path, None).unwrap();
    let params = w.decode_request(ep, &w.encode_request(ep, &token_req.path, &token_req.params, &secrets, NOW).unwrap(), &secrets, NOW).unwrap();
    let token = parse_token(&HiPosSandbox.handle(&ctx, ep, &token_req.path, &params).body).unwrap();
    assert_eq!((token.token.len(), token.merchant_id.as_str()), (40, "10011"));

    secrets.0.push(("token".into(), token.token.clone()));
    let p = CreateParams::new(Mode::Qr, Channel::Any, "O2OWIRE001");
    let req = hipos().create_request(&p).unwrap();
    let ep = hipos().endpoint(&req.path, None).unwrap();
    let encoded = w.encode_request(ep, &req.path, &req.params, &secrets, NOW).unwrap();
    let wrong = Secrets(vec![("hostname".into(), "shop.sandbox.paybridge.test".into()), ("token".into(), "0".repeat(40))]);
    assert_eq!(w.decode_request(ep, &encoded, &wrong, NOW).unwrap_err().0, 401);
    let params = w.decode_request(ep, &encoded, &secrets, NOW).unwrap();
    let created = hipos().parse_create(&p, &HiPosSandbox.handle(&ctx, ep, &req.path, &params).body, &policy()).unwrap();
    let expires = (NOW + settings.order_ttl_ms) / 1000 * 1000;
    assert_eq!(created.action, NextAction::Qr { content: format!("{BASE}/wallet/hipos/O2OWIRE001"), expires_at: Some(expires) });
}

#[test]
fn paid_orders_wait_for_the_pickup_then_succeed() {
    let (store, settings) = (Store::default(), Settings::default());
    let (p, reply) = pickup(&store, &settings, "O2OPICK001", 3_800);
    assert!(matches!(hipos().parse_create(&p, &reply.body, &policy()).unwrap().action, NextAction::Qr { .. }));
    assert_eq!(query(&store, &settings, NOW, "O2OPICK001").unwrap().state, PayState::Pending);
    let confirm = pickup_confirm_request("O2OPICK001", None).unwrap();
    assert_eq!(code_of(&send(&store, &settings, NOW, &confirm)), "6022");
    store.update(Gateway::HiPos, "O2OPICK001", NOW, |o| o.apply(PayerAction::Pay, NOW)).unwrap();
    let paid = query(&store, &settings, NOW, "O2OPICK001").unwrap();
    assert_eq!((paid.state, paid.gateway_state.as_str(), paid.amount), (PayState::Paying, "PAID", Some(3_800)));
    let wrong_code = pickup_confirm_request("O2OPICK001", Some("HPU-nope")).unwrap();
    assert_eq!(code_of(&send(&store, &settings, NOW, &wrong_code)), "6020");
    let code = format!("{BASE}/wallet/hipos/O2OPICK001");
    let done = parse_pickup_confirm(&send(&store, &settings, NOW, &pickup_confirm_request("O2OPICK001", Some(&code)).unwrap()).body).unwrap();
    assert_eq!((done.state, done.gateway_state.as_str()), (PayState::Succeeded, "PICKED_UP"));
    assert_eq!(query(&store, &settings, NOW, "O2OPICK001").unwrap().state, PayState::Succeeded);
    assert_eq!(code_of(&send(&store, &settings, NOW, &confirm)), "6022");
    // Asking for the code again: done, not an error.
    let (p, again) = pickup(&store, &settings, "O2OPICK001", 3_800);
    match hipos().parse_create(&p, &again.body, &policy()).unwrap().action {
        NextAction::Done { status } => assert_eq!((status.state, status.amount), (PayState::Succeeded, Some(3_800))),
        other => panic!("expected done, got {other:?}"),
    }
}

#[test]
fn notifications_round_trip_with_the_token() {
    let (store, settings) = (Store::default(), Settings::default());
    let w = wire(Gateway::HiPos).unwrap();
    let mut secrets = sandbox_secrets(Gateway::HiPos);
    secrets.0.push(("token".into(), "b73fc4a175584f8dd13c267467bd717c1aa270c7".into()));
    pickup(&store, &settings, "O2ONOTIFY1", 1_000);
    assert_eq!(HiPosSandbox.notification(&store.get(Gateway::HiPos, "O2ONOTIFY1", NOW).unwrap(), &secrets), None);
    let paid = store.update(Gateway::HiPos, "O2ONOTIFY1", NOW, |o| o.apply(PayerAction::Pay, NOW)).unwrap();
    let decode = |order| {
        let fields = HiPosSandbox.notification(order, &secrets).unwrap();
        let request = w.encode_notification(&fields, &secrets, NOW);
        assert_eq!(request.path_and_query, "/notify/hipos");
        w.decode_notification(&request, &secrets, NOW).unwrap()
    };
    let n = decode(&paid);
    assert_eq!((n.out_trade_no.as_str(), n.status.state, n.status.amount), ("O2ONOTIFY1", PayState::Paying, Some(1_000)));
    let picked = confirm_pickup(&store, "O2ONOTIFY1", None, Some("POS-01"), NOW).unwrap();
    assert_eq!(decode(&picked).status.state, PayState::Succeeded);
    pickup(&store, &settings, "O2ONOTIFY2", 1_000);
    let expired = store.get(Gateway::HiPos, "O2ONOTIFY2", NOW + settings.order_ttl_ms).unwrap();
    assert_eq!(decode(&expired).status.state, PayState::Cancelled);
}

#[test]
fn unpaid_orders_expire_as_cancelled() {
    let (store, settings) = (Store::default(), Settings::default());
    pickup(&store, &settings, "O2OEXPIRE1", 500);
    let status = query(&store, &settings, NOW + settings.order_ttl_ms, "O2OEXPIRE1").unwrap();
    assert_eq!((status.state, status.gateway_state.as_str()), (PayState::Cancelled, "CANCELLED"));
}

#[test]
fn refusals_use_the_documented_codes() {
    let (store, settings) = (Store::default(), Settings::default());
    assert_eq!(query(&store, &settings, NOW, "O2ONOSUCH1").unwrap_err().gateway_code.as_deref(), Some("6021"));
    let mut bad = hipos().create_request(&CreateParams::new(Mode::Qr, Channel::Any, "O2OBAD0001")).unwrap();
    bad.params = Value::object([("out_order_no", Value::str("bad no!"))]);
    let reply = send(&store, &settings, NOW, &bad);
    assert_eq!((reply.status, code_of(&reply).as_str()), (400, "6020"));
    bad.params = Value::object([("out_order_no", Value::str("O2OBAD0001")), ("amount", Value::int_value(-1))]);
    assert_eq!(code_of(&send(&store, &settings, NOW, &bad)), "6020");
    let update = |id: &str, mobile: &str| {
        let req = GatewayRequest {
            gateway: Gateway::HiPos,
            operation: paybridge::gateway::Operation::Write,
            http: paybridge::gateway::HttpMethod::Put,
            path: MERCHANT_PATH.replace("{merchant_id}", id),
            params: Value::object([("name", Value::str("海商咖啡")), ("contact", Value::str("吕轻候")), ("mobile", Value::str(mobile))]),
        };
        code_of(&send(&store, &settings, NOW, &req))
    };
    assert_eq!(update("10011", "18866667777"), "0");
    assert_eq!(update("10012", "18866667777"), "6011");
    assert_eq!(update("10011", "12345"), "6012");
    assert_eq!(code_of(&send(&store, &settings, NOW, &device_authcode_request("99", "S001").unwrap())), "6011");
    assert!(HiPosSandbox.unknown_reply(hipos().endpoint(&bad.path, None).unwrap()).is_none());
}

#[test]
fn device_codes_and_trade_reports() {
    let (store, settings) = (Store::default(), Settings::default());
    let device = parse_device_authcode(&send(&store, &settings, NOW, &device_authcode_request("10011", "S001").unwrap()).body).unwrap();
    match device {
        NextAction::Qr { content, expires_at } => assert!(content.starts_with("HPD-S001-") && expires_at.is_some_and(|t| t > NOW)),
        other => panic!("expected a QR, got {other:?}"),
    }
    for (no, device) in [("O2OTRADE01", Some("POS-01")), ("O2OTRADE02", Some("POS-01")), ("O2OTRADE03", None)] {
        pickup(&store, &settings, no, 3_800);
        store.update(Gateway::HiPos, no, NOW, |o| o.apply(PayerAction::Pay, NOW)).unwrap();
        if device.is_some() {
            confirm_pickup(&store, no, None, device, NOW).unwrap();
        }
    }
    pickup(&store, &settings, "O2OTRADE04", 100);
    let overview = send(&store, &settings, NOW, &trades_request(TradeReport::Overview, "10011", "S001", Value::Null).unwrap());
    let inner = read_envelope(&overview.body).unwrap();
    assert_eq!((inner.int("trade_count"), inner.int("trade_amount")), (Some(3), Some(11_400)));
    let devices = inner.get("devices").unwrap().to_json();
    assert_eq!(devices, r#"[{"device_id":"POS-01","trade_count":2,"trade_amount":7600}]"#);
    let detail = send(&store, &settings, NOW, &trades_request(TradeReport::Detail, "10011", "S001", Value::object([("limit", Value::int_value(2))])).unwrap());
    let Some(Value::Array(trades)) = read_envelope(&detail.body).unwrap().get("trades").cloned() else { panic!("no trades") };
    assert_eq!(trades.len(), 2);
    assert!(trades.iter().all(|t| t.int("amount") == Some(3_800) && t.text("trade_no").is_some()));
}
