use super::*;
use crate::error::Reason;
use crate::json::parse;
use crate::model::PayState;

pub(super) fn body(text: &str) -> Value {
    parse(text).unwrap()
}

pub(super) fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/hipos/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn order() -> OrderRef {
    OrderRef { out_trade_no: "O2O20151001000001".into(), channel: Channel::Any, mode: Mode::Qr, gateway_order_id: None }
}

#[test]
fn token_examples_from_the_seed() {
    assert!(parse(&fixture("token-success.invalid.txt")).is_err());
    let t = parse_token(&body(&fixture("token-success.json"))).unwrap();
    assert_eq!(t, HiPosToken { token: "b73fc4a175584f8dd13c267467bd717c1aa270c7".into(), merchant_id: "10011".into() });
    let e = parse_token(&body(&fixture("token-6001.json"))).unwrap_err();
    assert_eq!((e.gateway_code.as_deref(), e.reason), (Some("6001"), Reason::Credentials));
    assert_eq!(e.gateway_message.as_deref(), Some("无效的应用，请检查域名（主机名）是否正确。"));
    let e = parse_token(&body(&fixture("token-6002.json"))).unwrap_err();
    assert_eq!(e.gateway_code.as_deref(), Some("6002"));
    // A token that could not travel in a header is refused.
    let bad = body(r#"{"hishop_token_response":{"code":0,"token":"abc\r\nX-Evil: 1","merchant_id":"1"}}"#);
    assert!(parse_token(&bad).is_err());
    let r = token_request("https://www.shop123.com/token_return.ashx");
    assert_eq!((r.operation, r.path.as_str()), (Operation::Token, TOKEN_PATH));
}

#[test]
fn merchant_update_examples_use_the_same_envelope() {
    assert_eq!(read_envelope(&body(&fixture("merchant-update-ok.json"))).unwrap().text("msg"), Some("商户资料更新成功。"));
    assert_eq!(read_envelope(&body(&fixture("merchant-update-6011.json"))).unwrap_err().gateway_code.as_deref(), Some("6011"));
    assert_eq!(read_envelope(&body(&fixture("merchant-update-6012.json"))).unwrap_err().reason, Reason::BadRequest);
    for hostile in ["[]", "null", r#"{"x_response":[]}"#, r#"{"x_response":{"code":{}}}"#, r#"{"x_response":{}}"#] {
        assert!(read_envelope(&body(hostile)).is_err(), "{hostile}");
    }
    assert_eq!(read_envelope(&body(r#"{"x_response":{"code":"99999999999999999999"}}"#)).unwrap_err().reason, Reason::Unknown);
}

#[test]
fn create_and_query_requests() {
    let r = HiPos.create_request(&CreateParams::new(Mode::Qr, Channel::Any, "O2O20151001000001")).unwrap();
    assert_eq!((r.path.as_str(), r.params.to_json()), (PICKUP_PATH, r#"{"out_order_no":"O2O20151001000001"}"#.to_owned()));
    assert_eq!(r.proxy_path(), "/hipos/o2o/pickup", "the merchant's proxy answers it; HiPOS hosts no order endpoint");
    assert!(HiPos.create_request(&CreateParams::new(Mode::Counter, Channel::Any, "O2O1")).is_err());
    assert!(HiPos.create_request(&CreateParams::new(Mode::Qr, Channel::Any, "../x")).is_err());
    assert!(HiPos.create_request(&CreateParams::new(Mode::Qr, Channel::Any, "")).is_err());
    let q = HiPos.query_request(&order()).unwrap();
    assert_eq!((q.http, q.path.as_str(), q.proxy_path().as_str()), (HttpMethod::Post, STATUS_PATH, "/hipos/o2o/status"));
    assert!(HiPos.cancel_request(&order()).is_err());
    assert!(HiPos.refund_query_request(&order(), None).is_err());
    assert_eq!(HiPos.refund_request(&order(), "RF1", 1, 1).unwrap_err().code, crate::error::ErrorCode::Unsupported);
    assert_eq!(HiPos.modes(), &[(Mode::Qr, Channel::Any)]);
}

#[test]
fn endpoint_table() {
    assert!(HiPos.endpoints().iter().all(|e| !e.browser && e.order_ref.is_none()), "no HiPOS endpoint is the page's: the order lives with the merchant");
    for gone in ["/openapi/o2o/orders/pickup_code", "/openapi/o2o/orders/detail", "/openapi/o2o/orders/pickup", PICKUP_PATH, STATUS_PATH] {
        assert!(HiPos.endpoint(gone, None).is_none(), "{gone}");
    }
    assert_eq!(HiPos.endpoint(TOKEN_PATH, None).unwrap().operation, Operation::Token);
    assert_eq!(HiPos.endpoint("/openapi/merchants/10011/stores/S001/authcode", None).unwrap().operation, Operation::Read);
    assert_eq!(HiPos.endpoint("/openapi/merchants/10011", None).unwrap().http, HttpMethod::Put);
    assert!(HiPos.endpoints().iter().all(|e| wrapper_name(e.path) != "error_response"));
    assert!(HiPos.endpoints().iter().all(|e| e.amount_field.is_none()));
    assert!(HiPos.endpoint("/v1/isv/20151001/merchants", None).is_none());
}

#[test]
fn order_states() {
    for (file, state, raw) in [
        ("order-unpaid.json", PayState::Pending, "UNPAID"),
        ("order-paid.json", PayState::Paying, "PAID"),
        ("order-picked-up.json", PayState::Succeeded, "PICKED_UP"),
        ("order-cancelled.json", PayState::Cancelled, "CANCELLED"),
        ("order-refunded.json", PayState::Refunded, "REFUNDED"),
        ("order-refunding.json", PayState::Unknown, "REFUNDING"),
    ] {
        let s = HiPos.parse_query(&body(&fixture(file))).unwrap();
        assert_eq!((s.state, s.gateway_state.as_str(), s.amount), (state, raw, Some(3800)), "{file}");
    }
    assert_eq!(O2oOrderState::parse("canceled"), O2oOrderState::Cancelled);
    assert_eq!(HiPos.parse_query(&body(r#"{"o2o_order_response":{"code":0}}"#)).unwrap().state, PayState::Unknown);
    assert_eq!(HiPos.parse_query(&body(r#"{"o2o_order_response":{"code":0,"status":"PAID","amount":-5}}"#)).unwrap().amount, None);
}

#[test]
fn expiries() {
    assert_eq!(expiry_ms(&body("1443715200")), Some(1_443_715_200_000));
    assert_eq!(expiry_ms(&body("\"1443715200000\"")), Some(1_443_715_200_000));
    assert_eq!(expiry_ms(&body("\"2016-11-23 00:59:13\"")), Some(1_479_833_953_000));
    assert_eq!(expiry_ms(&body("\"1970-01-01 08:00:00\"")), Some(0));
    assert_eq!(expiry_ms(&body("\"2000-02-29 08:00:00\"")), Some(951_782_400_000));
    for bad in ["0", "-1", "99999999999999", "\"2016-13-01 00:00:00\"", "\"2016-11-23T00:59:13\"", "\"２016-11-23 00:59:13\"", "true", "1.5"] {
        assert_eq!(expiry_ms(&body(bad)), None, "{bad}");
    }
}

#[test]
fn back_office_helpers() {
    let r = device_authcode_request("10011", "S001").unwrap();
    assert_eq!(r.path, "/openapi/merchants/10011/stores/S001/authcode");
    assert!(HiPos.endpoint(&r.path, None).is_some());
    assert!(device_authcode_request("10011", "S/../1").is_err());
    let a = parse_device_authcode(&body(&fixture("device-authcode.json"))).unwrap();
    assert_eq!(a, NextAction::Qr { content: "HPD-S001-839201".into(), expires_at: Some(1_479_833_953_000) });
    let t = trades_request(TradeReport::Detail, "10011", "S001", body(r#"{"start_date":"2015-10-01"}"#)).unwrap();
    assert_eq!(t.path, "/openapi/merchants/10011/stores/S001/trades/detail");
    assert!(trades_request(TradeReport::Overview, "10011", "S001", body("[]")).is_err());
    assert_eq!(trades_request(TradeReport::Overview, "10011", "S001", Value::Null).unwrap().params.to_json(), "{}");
    assert_eq!(read_envelope(&body(&fixture("trades-overview.json"))).unwrap().int("trade_amount"), Some(7600));
    assert!(matches!(read_envelope(&body(&fixture("trades-detail.json"))).unwrap().get("trades"), Some(Value::Array(t)) if t.len() == 1));
}
