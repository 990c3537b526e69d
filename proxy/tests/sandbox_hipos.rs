//! The HiPOS sandbox's cloud endpoints, driven natively: every answer must
//! read with the HiPOS module's own parsers. (Its POS calling the merchant
//! runs over loopback in `shop_o2o.rs`.)

use paybridge::gateway::hipos::{device_authcode_request, parse_device_authcode, parse_token, read_envelope, token_request, trades_request, TradeReport, MERCHANT_PATH};
use paybridge::gateway::wire::Secrets;
use paybridge::gateway::{rules, wire, CreateParams, GatewayRequest, Params, ProxyRules};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode, NextAction};
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use paybridge_proxy::sandbox::gateway::{Ctx, Reply, SandboxGateway, Settings};
use paybridge_proxy::sandbox::hipos::HiPosSandbox;
use paybridge_proxy::sandbox::store::{Order, OrderState, Store};

const NOW: i64 = 1_700_000_000_000;
const BASE: &str = "http://127.0.0.1:1/sandbox";

fn hipos() -> &'static dyn ProxyRules {
    rules(Gateway::HiPos).unwrap()
}

fn send(store: &Store, settings: &Settings, now: i64, req: &GatewayRequest) -> Reply {
    let ctx = Ctx { store, now_ms: now, settings, base_url: BASE };
    let endpoint = hipos().endpoint(&req.path, None).unwrap();
    // The wire adds the path's `{name}` segments to the parameters.
    let mut params = req.params.value().members().unwrap_or_default().to_vec();
    for (pattern, segment) in endpoint.path.split('/').zip(req.path.split('/')) {
        if let Some(name) = pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            params.push((name.to_owned(), Value::str(segment)));
        }
    }
    HiPosSandbox.handle(&ctx, endpoint, &req.path, &Value::Object(params))
}

/// A trade the POS took for `no` on `device` (what a scanned, unpaid pickup leaves in the book).
fn pos_trade(store: &Store, no: &str, amount: i64, device: Option<&str>) {
    let mut order = Order::new(Gateway::HiPos, &CreateParams::new(Mode::Counter, Channel::Any, no), amount, NOW, 1_000_000);
    order.state = OrderState::Paid;
    order.transaction_id = Some(format!("HP{no}"));
    order.params.extend(device.map(|d| ("device_id".to_owned(), d.to_owned())));
    store.insert(order);
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
    let params = w.decode_request(ep, &w.encode_request(ep, &token_req.path, &token_req.params.value(), &secrets, NOW).unwrap(), &secrets, NOW).unwrap();
    let token = parse_token(&HiPosSandbox.handle(&ctx, ep, &token_req.path, &params).body).unwrap();
    assert_eq!((token.token.len(), token.merchant_id.as_str()), (40, "10011"));

    secrets.0.push(("token".into(), token.token.clone()));
    let req = device_authcode_request("10011", "S001").unwrap();
    let ep = hipos().endpoint(&req.path, None).unwrap();
    let encoded = w.encode_request(ep, &req.path, &req.params.value(), &secrets, NOW).unwrap();
    let wrong = Secrets(vec![("hostname".into(), "shop.sandbox.paybridge.test".into()), ("token".into(), "0".repeat(40))]);
    assert_eq!(w.decode_request(ep, &encoded, &wrong, NOW).unwrap_err().0, 401);
    let params = w.decode_request(ep, &encoded, &secrets, NOW).unwrap();
    let code = parse_device_authcode(&HiPosSandbox.handle(&ctx, ep, &req.path, &params).body).unwrap();
    assert!(matches!(code, NextAction::Qr { content, .. } if content.starts_with("HPD-S001-")));
}

#[test]
fn hipos_hosts_no_order_of_the_merchants() {
    for gone in ["/openapi/o2o/orders/pickup_code", "/openapi/o2o/orders/detail", "/openapi/o2o/orders/pickup"] {
        assert!(hipos().endpoint(gone, None).is_none(), "{gone}");
    }
    let store = Store::default();
    pos_trade(&store, "O2ONOTIFY1", 1_000, Some("POS-01"));
    let order = store.get(Gateway::HiPos, "O2ONOTIFY1", NOW).unwrap();
    assert_eq!(HiPosSandbox.notification(&order, &sandbox_secrets(Gateway::HiPos)), None, "HiPOS tells the merchant through its application-side calls");
}

#[test]
fn refusals_use_the_documented_codes() {
    let (store, settings) = (Store::default(), Settings::default());
    let bad = trades_request(TradeReport::Detail, "10011", "S001", Value::object([("limit", Value::int_value(-1))])).unwrap();
    let reply = send(&store, &settings, NOW, &bad);
    assert_eq!((reply.status, code_of(&reply).as_str()), (400, "6020"));
    let update = |id: &str, mobile: &str| {
        let req = GatewayRequest {
            gateway: Gateway::HiPos,
            operation: paybridge::gateway::Operation::Write,
            http: paybridge::gateway::HttpMethod::Put,
            path: MERCHANT_PATH.replace("{merchant_id}", id),
            params: Params::of(&Value::object([("name", Value::str("海商咖啡")), ("contact", Value::str("吕轻候")), ("mobile", Value::str(mobile))])),
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
        pos_trade(&store, no, 3_800, device);
    }
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
