//! Wire tests: the token call, token presentation and the token callback.

use super::super::tests::{body, fixture};
use super::super::*;
use crate::error::Reason;
use crate::gateway::hipos::wire::{decode_token_notification, ACK};
use crate::gateway::wire::{GatewayWire, Secrets, WireRequest};
use crate::json::parse;

const TOKEN: &str = "sandbox-test-token-0000000000000000000000";

fn secrets() -> Secrets {
    Secrets::from_pairs([("hostname", "www.shop123.com"), ("token", TOKEN)])
}

fn ep(path: &str) -> &'static Endpoint {
    HiPos.endpoint(path, None).unwrap()
}

#[test]
fn token_call_carries_hostname_not_token() {
    let r = token_request("https://www.shop123.com/token_return.ashx");
    let wire = HiPos.encode_request(ep(TOKEN_PATH), TOKEN_PATH, &r.params.value(), &secrets(), 0).unwrap();
    assert_eq!(String::from_utf8_lossy(&wire.body), r#"{"hostname":"www.shop123.com","notify_url":"https://www.shop123.com/token_return.ashx"}"#);
    assert_eq!(wire.header("authorization"), None);
    assert!(HiPos.decode_request(ep(TOKEN_PATH), &wire, &secrets(), 0).is_ok());
    let other = Secrets::from_pairs([("hostname", "www.evil.example"), ("token", TOKEN)]);
    let (status, err) = HiPos.decode_request(ep(TOKEN_PATH), &wire, &other, 0).unwrap_err();
    assert_eq!(status, 200);
    assert_eq!(parse_token(&err).unwrap_err().gateway_code.as_deref(), Some("6001"));
    assert!(HiPos.encode_request(ep(TOKEN_PATH), TOKEN_PATH, &body("{}"), &secrets(), 0).is_err());
    let no_notify = WireRequest { body: br#"{"hostname":"www.shop123.com"}"#.to_vec(), ..wire };
    assert_eq!(HiPos.decode_request(ep(TOKEN_PATH), &no_notify, &secrets(), 0).unwrap_err().0, 400);
}

#[test]
fn bearer_token_round_trips_and_refuses_tampering() {
    let path = "/openapi/merchants/10011";
    let p = body(r#"{"name":"海商咖啡","contact":"吕轻候","mobile":"18866667777","token":"from-the-browser"}"#);
    let wire = HiPos.encode_request(ep(path), path, &p, &secrets(), 0).unwrap();
    assert_eq!(wire.header("Authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(wire.header("content-type"), Some("application/json;charset=utf-8"));
    assert_eq!(HiPos.decode_request(ep(path), &wire, &secrets(), 0).unwrap().text("name"), Some("海商咖啡"));
    let with_auth = |v: &str| WireRequest { headers: vec![("authorization".into(), v.into())], ..wire.clone() };
    assert!(HiPos.decode_request(ep(path), &with_auth(&format!("bearer {TOKEN}")), &secrets(), 0).is_ok());
    for bad in [format!("Bearer {TOKEN}x"), format!("Basic {TOKEN}"), TOKEN.to_owned(), "Bearer ".into()] {
        let (status, err) = HiPos.decode_request(ep(path), &with_auth(&bad), &secrets(), 0).unwrap_err();
        assert_eq!(status, 401);
        assert_eq!(read_envelope(&err).unwrap_err().gateway_code.as_deref(), Some("6001"), "{bad}");
        assert!(err.get("merchant_update_response").is_some());
    }
    let garbage = WireRequest { body: b"{".to_vec(), ..wire.clone() };
    assert_eq!(HiPos.decode_request(ep(path), &garbage, &secrets(), 0).unwrap_err().0, 400);
    let unsafe_token = Secrets::from_pairs([("hostname", "h"), ("token", "a b\r\n")]);
    assert!(HiPos.encode_request(ep(path), path, &p, &unsafe_token, 0).is_err());
}

#[test]
fn get_endpoints_use_the_query_string_and_path_segments() {
    let t = trades_request(TradeReport::Detail, "10011", "S001", body(r#"{"start_date":"2015-10-01"}"#)).unwrap();
    let wire = HiPos.encode_request(ep(&t.path), &t.path, &t.params.value(), &secrets(), 0).unwrap();
    assert_eq!((wire.http, wire.path_and_query.as_str()), (HttpMethod::Get, "/openapi/merchants/10011/stores/S001/trades/detail?start_date=2015-10-01"));
    assert!(wire.body.is_empty());
    let d = device_authcode_request("10011", "S001").unwrap();
    let endpoint = ep(&d.path);
    let wire = HiPos.encode_request(endpoint, &d.path, &d.params.value(), &secrets(), 0).unwrap();
    assert_eq!(wire.path_and_query, "/openapi/merchants/10011/stores/S001/authcode");
    let back = HiPos.decode_request(endpoint, &wire, &secrets(), 0).unwrap();
    assert_eq!((back.text("merchantId"), back.text("storeId")), (Some("10011"), Some("S001")));
    assert!(HiPos.encode_request(endpoint, "/openapi/merchants/10011", &d.params.value(), &secrets(), 0).is_err());
}

#[test]
fn no_order_notifications_only_the_token_callback() {
    let req = HiPos.encode_notification(&body(r#"{"notify_url":"https://shop.example/notify/hipos","merchant_id":"10011"}"#), &secrets(), 1_443_690_000_000);
    assert_eq!(req.path_and_query, "/notify/hipos");
    assert!(HiPos.decode_notification(&req, &secrets(), 0).is_err(), "HiPOS posts no order notification");
    assert_eq!(HiPos.notification_ack(), ACK);
    assert_eq!(parse(ACK).unwrap().int("code"), Some(0));
}

#[test]
fn token_callbacks_only_confirm_the_held_token() {
    const SENT: i64 = 1_796_536_435_123;
    let req = HiPos.encode_notification(&body(r#"{"notify_url":"https://www.shop123.com/token_return.ashx","merchant_id":"10011"}"#), &secrets(), SENT);
    assert_eq!(req.path_and_query, "/token_return.ashx");
    let t = decode_token_notification(&req, &secrets(), SENT + 300_000).unwrap();
    assert_eq!((t.token.as_str(), t.merchant_id.as_str()), (TOKEN, "10011"));
    for stale in [SENT + 300_001, SENT - 300_001] {
        assert_eq!(decode_token_notification(&req, &secrets(), stale).unwrap_err().reason, Reason::Signature, "a replayed callback is stale");
    }
    let forged = String::from_utf8(req.body.clone()).unwrap().replace(TOKEN, "sandbox-test-token-forged");
    let e = decode_token_notification(&WireRequest { body: forged.into_bytes(), ..req.clone() }, &secrets(), SENT).unwrap_err();
    assert_eq!(e.reason, Reason::Signature);
    assert!(decode_token_notification(&WireRequest { body: b"{}".to_vec(), ..req.clone() }, &secrets(), SENT).is_err());
    // The fixture (ours; the seed's token L53 and hostname L42): the token the seed's answer issued.
    let seed = Secrets::from_pairs([("hostname", "www.shop123.com"), ("token", "b73fc4a175584f8dd13c267467bd717c1aa270c7")]);
    let fixture_req = WireRequest { body: fixture("token-callback.json").into_bytes(), ..req };
    assert_eq!(decode_token_notification(&fixture_req, &seed, SENT).unwrap().merchant_id, "10011");
}

#[test]
fn recognises_the_token_refusal() {
    let tokens = HiPos.access_token().unwrap();
    assert!(tokens.refuses_token(br#"{"o2o_order_response":{"code":6001,"msg":"x"}}"#));
    assert!(tokens.refuses_token(br#"{"o2o_order_response":{"code":"6001"}}"#));
    assert!(!tokens.refuses_token(br#"{"o2o_order_response":{"code":0}}"#));
    assert!(!tokens.refuses_token(b"not json"));
}
