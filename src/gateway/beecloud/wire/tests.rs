//! Signing tests: the synthetic `app_sign` / webhook vectors, round trips
//! through the wire, and the forged fields a browser may not set.

use super::super::tests::{body, order, params};
use super::super::*;
use crate::error::{ErrorCode, Reason};
use crate::gateway::beecloud::wire::{app_sign, webhook_sign};
use crate::gateway::wire::{GatewayWire, Secrets, WireRequest};
use crate::json::parse;

const APP_ID: &str = "0950c062-5e41-44e3-8f52-f89d8cf2b6eb";
const TS: i64 = 1435890533866;

fn secrets() -> Secrets {
    Secrets::from_pairs([("app_id", APP_ID), ("app_secret", "test-app-secret"), ("master_secret", "test-master-secret")])
}

fn ep(path: &str) -> &'static Endpoint {
    BeeCloud.endpoint(path, None).unwrap()
}

#[test]
fn synthetic_vectors() {
    assert_eq!(app_sign(APP_ID, TS, "test-app-secret"), "84018257695b914be4317a067c556d1d");
    assert_eq!(app_sign(APP_ID, TS, "test-master-secret"), "e9c217cf012672a69e207e4f0357cfb0");
    assert_eq!(webhook_sign(APP_ID, "test-app-secret", "1426817510111"), "cb63639ff1c2ca05ac1681728b022e50");
}

#[test]
fn signed_create_round_trips() {
    let req = BeeCloud.create_request(&params(Mode::Qr, Channel::Wechat)).unwrap();
    let mut p = req.params.value();
    if let Value::Object(m) = &mut p {
        m.push(("total_fee".into(), Value::int_value(1)));
        m.push(("app_sign".into(), Value::str("forged-by-browser")));
    }
    let wire = BeeCloud.encode_request(ep(BILL_PATH), BILL_PATH, &p, &secrets(), TS).unwrap();
    let sent = parse(std::str::from_utf8(&wire.body).unwrap()).unwrap();
    assert_eq!(sent.text("app_sign"), Some("84018257695b914be4317a067c556d1d"));
    assert_eq!(sent.int("timestamp"), Some(TS));
    assert_eq!(wire.header("content-type"), Some("application/json;charset=utf-8"));
    let back = BeeCloud.decode_request(ep(BILL_PATH), &wire, &secrets(), TS).unwrap();
    assert_eq!(back.to_json(), r#"{"channel":"WX_NATIVE","bill_no":"201506101035040000001","title":"201506101035040000001","total_fee":1}"#);
}

#[test]
fn tampering_is_refused_with_app_invalid() {
    let wire = BeeCloud.encode_request(ep(STATUS_PATH), STATUS_PATH, &body(r#"{"bill_no":"201506101035040000001"}"#), &secrets(), TS).unwrap();
    let text = String::from_utf8(wire.body.clone()).unwrap();
    let upper = text.replace("84018257695b914be4317a067c556d1d", "84018257695B914BE4317A067C556D1D");
    let with = |t: String| WireRequest { body: t.into_bytes(), ..wire.clone() };
    assert!(BeeCloud.decode_request(ep(STATUS_PATH), &with(upper), &secrets(), TS).is_ok());
    for tampered in [
        text.replace("1435890533866", "1435890533867"),
        text.replace("84018257695b914be4317a067c556d1d", "84018257695b914be4317a067c556d1e"),
        text.replace(APP_ID, "0950c062-5e41-44e3-8f52-f89d8cf2b6ec"),
    ] {
        let (status, err) = BeeCloud.decode_request(ep(STATUS_PATH), &with(tampered), &secrets(), TS).unwrap_err();
        assert_eq!((status, err.int("result_code"), err.text("result_msg")), (200, Some(1), Some("APP_INVALID")));
    }
    let (_, err) = BeeCloud.decode_request(ep(STATUS_PATH), &with(r#"{"app_id":"x"}"#.into()), &secrets(), TS).unwrap_err();
    assert_eq!(err.int("result_code"), Some(4));
    let (_, err) = BeeCloud.decode_request(ep(STATUS_PATH), &with("not json".into()), &secrets(), TS).unwrap_err();
    assert_eq!(err.int("result_code"), Some(5));
    let e = BeeCloud.parse_query(&err).unwrap_err();
    assert_eq!(e.gateway_code.as_deref(), Some("5"));
}

#[test]
fn refund_uses_master_secret_only() {
    let p = body(r#"{"bill_no":"201506101035040000001","refund_no":"20150610001","refund_fee":1}"#);
    let wire = BeeCloud.encode_request(ep(REFUND_PATH), REFUND_PATH, &p, &secrets(), TS).unwrap();
    assert!(String::from_utf8_lossy(&wire.body).contains("e9c217cf012672a69e207e4f0357cfb0"));
    assert!(BeeCloud.decode_request(ep(REFUND_PATH), &wire, &secrets(), TS).is_ok());
    // A request signed with app_secret cannot reach refund.
    let status = BeeCloud.encode_request(ep(STATUS_PATH), STATUS_PATH, &p, &secrets(), TS).unwrap();
    let forged = WireRequest { path_and_query: REFUND_PATH.into(), ..status };
    assert!(BeeCloud.decode_request(ep(REFUND_PATH), &forged, &secrets(), TS).is_err());
    // A checkout-only proxy without master_secret still signs everything else.
    let checkout = Secrets::from_pairs([("app_id", APP_ID), ("app_secret", "test-app-secret")]);
    assert!(BeeCloud.encode_request(ep(REFUND_PATH), REFUND_PATH, &p, &checkout, TS).is_err());
    assert!(BeeCloud.encode_request(ep(STATUS_PATH), STATUS_PATH, &p, &checkout, TS).is_ok());
}

#[test]
fn bills_travel_in_para() {
    let req = BeeCloud.refund_query_request(&order(Mode::Qr, Channel::Wechat), None).unwrap();
    let wire = BeeCloud.encode_request(ep(BILLS_PATH), BILLS_PATH, &req.params.value(), &secrets(), TS).unwrap();
    assert_eq!(wire.http, HttpMethod::Get);
    assert!(wire.body.is_empty());
    assert_eq!(
        wire.path_and_query,
        "/2/rest/bills?para=%7B%22bill_no%22%3A%22201506101035040000001%22%2C%22app_id%22%3A%220950c062-5e41-44e3-8f52-f89d8cf2b6eb%22%2C%22timestamp%22%3A1435890533866%2C%22app_sign%22%3A%2284018257695b914be4317a067c556d1d%22%7D"
    );
    let back = BeeCloud.decode_request(ep(BILLS_PATH), &wire, &secrets(), TS).unwrap();
    assert_eq!(back.to_json(), r#"{"bill_no":"201506101035040000001"}"#);
    // The seed's own para example (L186).
    assert_eq!(crate::gateway::wire::quote(r#"{"key_a":1,"key_b":"value_b"}"#), "%7B%22key_a%22%3A1%2C%22key_b%22%3A%22value_b%22%7D");
}

/// A BC-edition app (secret `barcode_channels = "bc"`): the page's
/// barcode channels go as `BC_WX_SCAN` / `BC_ALI_SCAN` (seed L55-L56) on
/// create and status, and revert names none (its list, L161, has no BC_*).
#[test]
fn a_bc_edition_app_sends_the_bc_barcode_channels() {
    let bc = Secrets::from_pairs([("app_id", APP_ID), ("app_secret", "test-app-secret"), ("barcode_channels", "bc")]);
    let sent = |req: &GatewayRequest, secrets: &Secrets| {
        let wire = BeeCloud.encode_request(ep(&req.path), &req.path, &req.params.value(), secrets, TS).unwrap();
        BeeCloud.decode_request(ep(&req.path), &wire, secrets, TS).unwrap()
    };
    let wechat = BeeCloud.create_request(&params(Mode::Counter, Channel::Wechat)).unwrap();
    assert_eq!(sent(&wechat, &bc).text("channel"), Some("BC_WX_SCAN"));
    assert_eq!(sent(&wechat, &bc).text("auth_code"), Some("23891113455872"));
    assert_eq!(sent(&wechat, &secrets()).text("channel"), Some("WX_SCAN"), "unset: as the page sent it");
    let alipay = BeeCloud.query_request(&order(Mode::Counter, Channel::Alipay)).unwrap();
    assert_eq!(sent(&alipay, &bc).text("channel"), Some("BC_ALI_SCAN"));
    let scan = BeeCloud.create_request(&params(Mode::Counter, Channel::Any)).unwrap();
    assert_eq!(sent(&scan, &bc).text("channel"), Some("SCAN"), "SCAN has no BC form");
    let qr = BeeCloud.create_request(&params(Mode::Qr, Channel::Wechat)).unwrap();
    assert_eq!(sent(&qr, &bc).text("channel"), Some("WX_NATIVE"));
    let revert = BeeCloud.cancel_request(&order(Mode::Counter, Channel::Wechat)).unwrap();
    let back = sent(&revert, &bc);
    assert_eq!((back.text("channel"), back.text("method")), (None, Some("REVERT")));
    let wrong = Secrets::from_pairs([("app_id", APP_ID), ("app_secret", "test-app-secret"), ("barcode_channels", "BC")]);
    let refused = BeeCloud.encode_request(ep(BILL_PATH), BILL_PATH, &wechat.params.value(), &wrong, TS).unwrap_err();
    assert_eq!(refused.code, ErrorCode::ProxyError, "a misspelt setting is a configuration error, not a silent default");
}

#[test]
fn revert_keeps_bill_no_in_the_path() {
    let req = BeeCloud.cancel_request(&order(Mode::Counter, Channel::Wechat)).unwrap();
    let endpoint = ep(&req.path);
    let wire = BeeCloud.encode_request(endpoint, &req.path, &req.params.value(), &secrets(), TS).unwrap();
    assert_eq!(wire.path_and_query, "/2/rest/offline/bill/201506101035040000001");
    let sent = String::from_utf8_lossy(&wire.body).into_owned();
    assert!(!sent.contains("bill_no") && sent.contains(r#""method":"REVERT""#));
    let back = BeeCloud.decode_request(endpoint, &wire, &secrets(), TS).unwrap();
    assert_eq!(back.text("bill_no"), Some("201506101035040000001"));
    let other = body(r#"{"method":"REVERT","bill_no":"OTHERBILL0001"}"#);
    assert!(BeeCloud.encode_request(endpoint, &req.path, &other, &secrets(), TS).is_err());
    assert!(BeeCloud.encode_request(endpoint, STATUS_PATH, &req.params.value(), &secrets(), TS).is_err());
    assert!(BeeCloud.encode_request(endpoint, BILL_PATH, &req.params.value(), &secrets(), TS).is_err());
}

#[test]
fn webhooks_round_trip_and_refuse_tampering() {
    let fields = body(
        r#"{"notify_url":"https://shop.example/notify/beecloud?x=1","channel_type":"WX","sub_channel_type":"WX_NATIVE","transaction_type":"PAY","transaction_id":"201506101035040000001","transaction_fee":1,"trade_success":true,"message_detail":"{\"transaction_id\":\"4200000001\"}","optional":{"k":"v"}}"#,
    );
    let req = BeeCloud.encode_notification(&fields, &secrets(), 1426817510111);
    assert_eq!(req.path_and_query, "/notify/beecloud?x=1");
    assert!(String::from_utf8_lossy(&req.body).contains("cb63639ff1c2ca05ac1681728b022e50"));
    let n = BeeCloud.decode_notification(&req, &secrets(), 0).unwrap();
    assert_eq!(n.out_trade_no, "201506101035040000001");
    assert_eq!((n.status.state, n.status.amount, n.status.transaction_id.as_deref()), (PayState::Succeeded, Some(1), Some("4200000001")));
    assert_eq!(BeeCloud.notification_ack(), "success");

    let text = String::from_utf8(req.body.clone()).unwrap();
    for tampered in [
        text.replace("1426817510111", "1426817510112"),
        text.replace("cb63639ff1c2ca05ac1681728b022e50", "cb63639ff1c2ca05ac1681728b022e51"),
        text.replace(r#","sign":"cb63639ff1c2ca05ac1681728b022e50""#, ""),
    ] {
        let e = BeeCloud.decode_notification(&WireRequest { body: tampered.into_bytes(), ..req.clone() }, &secrets(), 0).unwrap_err();
        assert_eq!(e.reason, Reason::Signature);
    }
    let other_key = Secrets::from_pairs([("app_id", APP_ID), ("app_secret", "another-secret")]);
    assert!(BeeCloud.decode_notification(&req, &other_key, 0).is_err());

    let refund = body(r#"{"transaction_type":"REFUND","transaction_id":"20150610001","bill_no":"201506101035040000001","trade_success":true}"#);
    let n = BeeCloud.decode_notification(&BeeCloud.encode_notification(&refund, &secrets(), 1), &secrets(), 0).unwrap();
    assert_eq!((n.out_trade_no.as_str(), n.status.state), ("201506101035040000001", PayState::Refunded));
    let pending = body(r#"{"transaction_type":"PAY","transaction_id":"201506101035040000001","trade_success":false}"#);
    let n = BeeCloud.decode_notification(&BeeCloud.encode_notification(&pending, &secrets(), 1), &secrets(), 0).unwrap();
    assert_eq!(n.status.state, PayState::Unknown);
    for hostile in ["", "[]", "{", "{\"sign\":1}"] {
        assert!(BeeCloud.decode_notification(&WireRequest { body: hostile.into(), ..req.clone() }, &secrets(), 0).is_err());
    }
}
