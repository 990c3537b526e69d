//! Wire tests: the digest's signing vectors V1-V5 byte for byte, the
//! seed's request examples rebuilt, tampering, and round trips.
//! KEY is the digest's synthetic test key (§2.4); the seed prints none.

use super::super::*;
use super::*;
use crate::gateway::wire::{form_decode, GatewayWire, ResponseCheck, Secrets, WireRequest};
use crate::model::PayState;

const KEY: &str = "TESTKEY0123456789abcdefTESTKEY01";

fn fixture(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/chaoying/");
    std::fs::read_to_string(format!("{path}{name}")).unwrap()
}

fn pairs(s: &str) -> Vec<(String, String)> {
    form_decode(s.trim())
}

fn secrets(agent_id: &str) -> Secrets {
    Secrets::from_pairs([("key", KEY), ("agent_id", agent_id), ("mch_id", "00000001"), ("pid", "yunpos"), ("version", "1.0")])
}

fn sorted(mut p: Vec<(String, String)>) -> Vec<(String, String)> {
    p.retain(|(k, _)| k != "sign");
    p.sort();
    p
}

fn endpoint_of(r: &GatewayRequest) -> &'static Endpoint {
    ChaoYing.endpoint(&r.path, r.params.value().text("method")).unwrap()
}

/// Encodes `r` as the proxy does (after it set `extra`), returning the body's pairs.
fn encode(r: &GatewayRequest, extra: &[(&str, &str)], s: &Secrets) -> (WireRequest, Vec<(String, String)>) {
    let mut params = r.params.value();
    if let Value::Object(m) = &mut params {
        m.extend(extra.iter().map(|(k, v)| (k.to_string(), Value::str(*v))));
    }
    let wire = ChaoYing.encode_request(endpoint_of(r), &r.path, &params, s, 1_700_000_000_000).unwrap();
    let body = pairs(std::str::from_utf8(&wire.body).unwrap());
    (wire, body)
}

fn sign_of(p: &[(String, String)]) -> &str {
    p.iter().find(|(k, _)| k == "sign").map(|(_, v)| v.as_str()).unwrap()
}

#[test]
fn v1_orderquery_request_matches_the_seed_example_and_vector() {
    let q = ChaoYing.query_request(&OrderRef { out_trade_no: "1497769914931".into(), channel: Channel::Wechat, mode: Mode::Qr, gateway_order_id: None }).unwrap();
    let (wire, body) = encode(&q, &[], &secrets("13000000000000000000"));
    assert_eq!(sorted(body.clone()), sorted(pairs(&fixture("orderquery-request.txt"))), "same fields as seed L804");
    assert_eq!(
        signing_string(&body, KEY),
        "agent_id=13000000000000000000&mch_id=00000001&method=orderquery&out_trade_no=1497769914931&paytype=WECHAT&pid=yunpos&version=1.0&key=TESTKEY0123456789abcdefTESTKEY01"
    );
    assert_eq!(sign_of(&body), "00C9D12A6254A0052E41CEED2FA5692D");
    assert_eq!(
        std::str::from_utf8(&wire.body).unwrap(),
        "agent_id=13000000000000000000&mch_id=00000001&method=orderquery&out_trade_no=1497769914931&paytype=WECHAT&pid=yunpos&sign=00C9D12A6254A0052E41CEED2FA5692D&version=1.0"
    );
    assert_eq!(wire.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(wire.path_and_query, "/UnifiedPay/Gateway");
}

#[test]
fn cancel_and_refundquery_requests_match_the_seed_examples() {
    let o = OrderRef { out_trade_no: "1497769914931".into(), channel: Channel::Wechat, mode: Mode::Counter, gateway_order_id: None };
    let c = ChaoYing.cancel_request(&o).unwrap();
    let (_, body) = encode(&c, &[("op_user_id", "yzq")], &secrets("13000000000000000000"));
    assert_eq!(sorted(body), sorted(pairs(&fixture("cancel-request.txt"))), "seed L1061");
    let (_, body) = encode(&c, &[], &secrets("13000000000000000000"));
    assert!(body.contains(&("op_user_id".into(), "00000001".into())), "op_user_id defaults to the merchant number");
    let r = ChaoYing.refund_query_request(&o, Some("TKT0020190524102840000")).unwrap();
    let (_, body) = encode(&r, &[], &secrets("130000000000000000"));
    assert_eq!(sorted(body), sorted(pairs(&fixture("refundquery-request.txt"))), "seed L959");
}

#[test]
fn pre_order_requests_match_the_repaired_seed_examples_plus_nonce() {
    let mut p = CreateParams::new(Mode::Qr, Channel::Alipay, "1497769914931");
    p.subject = Some("超赢支付聚合支付".into());
    let r = ChaoYing.create_request(&p).unwrap();
    let (_, body) = encode(&r, &[("total_fee", "1")], &secrets("13000000000000000"));
    let mut expected = pairs(&fixture("alipay-preorder-request.txt"));
    expected.push(("product_id".into(), "1497769914931".into()));
    let nonce = body.iter().find(|(k, _)| k == "nonce_str").cloned().unwrap();
    assert_eq!(nonce.1.len(), 32);
    expected.push(nonce);
    assert_eq!(sorted(body), sorted(expected), "seed L1361-L1363 plus product_id and nonce_str");
    let s = secrets("13000000000000000");
    for (file, path, method) in [
        ("alipay-preorder-request.invalid.txt", ALIPAY_PRE_ORDER, None),
        ("wechat-preorder-request.invalid.txt", WECHAT_PRE_ORDER, None),
        ("pay-request.invalid.txt", GATEWAY, Some("pay")),
        ("pay-request.txt", GATEWAY, Some("pay")),
    ] {
        let wire = WireRequest { http: HttpMethod::Post, path_and_query: path.into(), headers: vec![], body: fixture(file).into_bytes() };
        let ep = ChaoYing.endpoint(path, method).unwrap();
        let refusal = ChaoYing.decode_request(ep, &wire, &s, 0).unwrap_err().1;
        assert_eq!(refusal.text("code"), Some("20002"), "{file}: the seed's placeholder sign is refused");
    }
}

#[test]
fn v2_v3_v4_v5_synthetic_vectors() {
    let wechat = pairs(&fixture("notify-wechat.txt"));
    assert_eq!(sign_pairs(&wechat, KEY), "FD0DFE582DA8DEB5F3FD3AC854D25571");
    let alipay = pairs(&fixture("notify-alipay.txt"));
    assert!(signing_string(&alipay, KEY).contains("&buyer_logon_id=138000000000@qq.com&"), "decoded values are signed");
    assert!(signing_string(&alipay, KEY).contains(r#"&fund_bill_list=[{"amount":"0.01","fundChannel":"ALIPAYACCOUNT"}]&gmt_create=20180417094613&"#));
    assert_eq!(sign_pairs(&alipay, KEY), "12B72289454E2EC5D1700ACF697E9F6D");
    let v4 = pairs("agent_id=130000000000000000&body=超赢支付聚合支付&buyer_id=oRA5quGvJc1wwwjMW-tnpLLqD-FM&is_minipg=0&mch_id=00000001&notify_url=https://merchant.example/notify&out_trade_no=A100011&pid=yunpos&sub_appid=wxaee08d155d9de0c5&total_fee=1&trade_type=JSPAY&version=1.0&attach=");
    assert!(!signing_string(&v4, KEY).contains("attach"), "empty values are not signed");
    assert_eq!(sign_pairs(&v4, KEY), "7C396BB4814C8F2310235AE0857E46F3");
    let cancel = crate::json::parse(&fixture("cancel-success.json")).unwrap();
    let signed = ChaoYing.sign_response(cancel, &secrets("x"));
    assert_eq!(signed.text("sign"), Some("37CFFA3C85856DD89DE9925949690EF4"));
}

#[test]
fn v4_jsapi_pre_order_through_encode_request() {
    let mut p = CreateParams::new(Mode::Jsapi, Channel::Wechat, "A100011");
    p.subject = Some("超赢支付聚合支付".into());
    p.openid = Some("oRA5quGvJc1wwwjMW-tnpLLqD-FM".into());
    p.sub_appid = Some("wxaee08d155d9de0c5".into());
    let r = ChaoYing.create_request(&p).unwrap();
    let extra = [("total_fee", "1"), ("notify_url", "https://merchant.example/notify"), ("attach", "")];
    let (wire, body) = encode(&r, &extra, &secrets("130000000000000000"));
    assert!(!body.iter().any(|(k, _)| k == "attach"));
    let s = secrets("130000000000000000");
    let decoded = ChaoYing.decode_request(endpoint_of(&r), &wire, &s, 0).unwrap();
    assert_eq!(decoded.text("notify_url"), Some("https://merchant.example/notify"));
    assert_eq!(decoded.text("body"), Some("超赢支付聚合支付"));
    // Without this build's additions (nonce_str, product_id) the signature is V4's.
    let v4: Vec<_> = body.into_iter().filter(|(k, _)| k != "nonce_str" && k != "product_id").collect();
    assert_eq!(sign_pairs(&v4, KEY), "7C396BB4814C8F2310235AE0857E46F3");
}

#[test]
fn sandbox_refuses_bad_signatures_and_wrong_credentials() {
    let s = secrets("130000000000000000");
    let q = ChaoYing.query_request(&OrderRef { out_trade_no: "1497769914931".into(), channel: Channel::Wechat, mode: Mode::Qr, gateway_order_id: None }).unwrap();
    let ep = endpoint_of(&q);
    let (wire, _) = encode(&q, &[], &s);
    let params = ChaoYing.decode_request(ep, &wire, &s, 0).unwrap();
    assert_eq!((params.text("method"), params.text("sign")), (Some("orderquery"), None));
    let refused = |w: &WireRequest, s: &Secrets| ChaoYing.decode_request(ep, w, s, 0).unwrap_err();
    let tampered = WireRequest { body: String::from_utf8(wire.body.clone()).unwrap().replace("1497769914931", "1497769914932").into_bytes(), ..wire.clone() };
    let (status, body) = refused(&tampered, &s);
    assert_eq!((status, body.text("state"), body.text("code"), body.text("msg")), (200, Some("FAIL"), Some("20002"), Some("签名错误")));
    assert_eq!(ChaoYing.verify_response(body.to_json().as_bytes(), &s), ResponseCheck::Verified, "refusals are signed");
    let err = ChaoYing.parse_query(&body).unwrap_err();
    assert_eq!(err.gateway_code.as_deref(), Some("20002"));
    let unsigned = WireRequest { body: b"method=orderquery&mch_id=00000001".to_vec(), ..wire.clone() };
    assert_eq!(refused(&unsigned, &s).1.text("code"), Some("20002"));
    assert_eq!(refused(&WireRequest { body: vec![0xff, 0xfe], ..wire.clone() }, &s).1.text("code"), Some("20004"));
    let other_agent = Secrets::from_pairs([("key", KEY), ("agent_id", "999"), ("mch_id", "00000001")]);
    assert_eq!(refused(&wire, &other_agent).1.text("code"), Some("20012"));
    let other_mch = Secrets::from_pairs([("key", KEY), ("agent_id", "130000000000000000"), ("mch_id", "00000002")]);
    assert_eq!(refused(&wire, &other_mch).1.text("code"), Some("20005"));
    let cancel_ep = ChaoYing.endpoint(GATEWAY, Some("cancel")).unwrap();
    assert_eq!(ChaoYing.decode_request(cancel_ep, &wire, &s, 0).unwrap_err().1.text("code"), Some("20004"), "method must match");
    assert!(ChaoYing.encode_request(ep, GATEWAY, &q.params.value(), &Secrets::default(), 0).is_err(), "missing secrets are named");
    assert!(ChaoYing.encode_request(ep, GATEWAY, &Value::Null, &s, 0).is_err());
}

#[test]
fn browser_cannot_override_credentials() {
    let s = secrets("130000000000000000");
    let q = ChaoYing.query_request(&OrderRef { out_trade_no: "1497769914931".into(), channel: Channel::Wechat, mode: Mode::Qr, gateway_order_id: None }).unwrap();
    let (_, body) = encode(&q, &[("agent_id", "evil"), ("mch_id", "evil"), ("method", "refund"), ("key", "x"), ("sign", "0")], &s);
    let get = |k: &str| body.iter().filter(|(n, _)| n == k).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
    assert_eq!((get("agent_id"), get("mch_id"), get("method"), get("key")), (vec!["130000000000000000"], vec!["00000001"], vec!["orderquery"], vec![]));
    assert_eq!(get("sign").len(), 1);
}

#[test]
fn responses_verify_and_tampering_breaks_them() {
    let s = secrets("x");
    let seed = fixture("cancel-success.json");
    assert_eq!(ChaoYing.verify_response(seed.as_bytes(), &s), ResponseCheck::BadSignature, "the seed's zero placeholder");
    let v5 = seed.replace("00000000000000000000000000000000", "37CFFA3C85856DD89DE9925949690EF4");
    assert_eq!(ChaoYing.verify_response(v5.as_bytes(), &s), ResponseCheck::Verified);
    assert_eq!(ChaoYing.verify_response(v5.replace("WECHAT", "ALIPAY").as_bytes(), &s), ResponseCheck::BadSignature);
    assert_eq!(ChaoYing.verify_response(v5.replace("\"1497769914931\"", "\"1497769914930\"").as_bytes(), &s), ResponseCheck::BadSignature);
    let extended = v5.replace("\"paytype\"", "\"new_field\": \"x\", \"paytype\"");
    assert_eq!(ChaoYing.verify_response(extended.as_bytes(), &s), ResponseCheck::BadSignature, "unknown fields are signed too");
    for name in ["pay-success.json", "refundquery-success.json", "response-success.json"] {
        let body = crate::json::parse(&fixture(name)).unwrap();
        let signed = ChaoYing.sign_response(body, &s).to_json();
        assert_eq!(ChaoYing.verify_response(signed.as_bytes(), &s), ResponseCheck::Verified, "{name}");
        let tampered = signed.replacen("SUCCESS", "FAIL", 1);
        assert_eq!(ChaoYing.verify_response(tampered.as_bytes(), &s), ResponseCheck::BadSignature, "{name}");
    }
    let numbers = br#"{"openid":"o1","session_key":"k","expires_in":7200,"unionid":null}"#;
    let signed = ChaoYing.sign_response(crate::json::parse(std::str::from_utf8(numbers).unwrap()).unwrap(), &s);
    let expected = sign_pairs(&pairs("expires_in=7200&openid=o1&session_key=k"), KEY);
    assert_eq!(signed.text("sign"), Some(expected.as_str()), "numbers as written, null skipped");
    assert_eq!(ChaoYing.verify_response(&fixture("alipay-preorder-native.json").into_bytes(), &s), ResponseCheck::Missing, "pre-orders are unsigned");
    assert!(!ChaoYing.signs_answers_of(&ChaoYing.endpoints()[0]), "pre-orders never sign their answers");
    assert!(ChaoYing.endpoints().iter().filter(|e| e.path == super::super::GATEWAY).all(|e| ChaoYing.signs_answers_of(e)));
    assert_eq!(ChaoYing.verify_response(b"<html>502</html>", &s), ResponseCheck::Unsigned);
    assert_eq!(ChaoYing.verify_response(v5.as_bytes(), &Secrets::default()), ResponseCheck::BadSignature, "no key, no trust");
}

#[test]
fn seed_notifications_verify_with_the_vectors_only() {
    let s = Secrets::from_pairs([("key", KEY)]);
    let post = |body: String| WireRequest { http: HttpMethod::Post, path_and_query: "/notify".into(), headers: vec![], body: body.into_bytes() };
    let zeros = "00000000000000000000000000000000";
    for (file, sign, amount_no) in
        [("notify-wechat.txt", "FD0DFE582DA8DEB5F3FD3AC854D25571", "1523929500000"), ("notify-alipay.txt", "12B72289454E2EC5D1700ACF697E9F6D", "15239295000000")]
    {
        let seed = fixture(file);
        let err = ChaoYing.decode_notification(&post(seed.clone()), &s, 0).unwrap_err();
        assert_eq!(err.reason, crate::error::Reason::Signature, "{file}: zero placeholder");
        let n = ChaoYing.decode_notification(&post(seed.replace(zeros, sign)), &s, 0).unwrap();
        assert_eq!((n.out_trade_no.as_str(), n.status.state, n.status.amount), (amount_no, PayState::Succeeded, Some(1)));
        assert_eq!(n.status.transaction_id.as_deref(), Some("199520439266201804177199552446"));
        assert_eq!(n.fields.text("sign"), Some(sign));
        let tampered = seed.replace(zeros, sign).replace("total_fee=1", "total_fee=100");
        assert!(ChaoYing.decode_notification(&post(tampered), &s, 0).is_err(), "{file}: tampered amount");
    }
    let broken = fixture("notify-alipay.invalid.txt").replace(zeros, "12B72289454E2EC5D1700ACF697E9F6D");
    assert!(ChaoYing.decode_notification(&post(broken), &s, 0).is_err(), "the seed's line break splits gmt_create");
    assert!(ChaoYing.decode_notification(&post(String::new()), &s, 0).is_err());
    assert_eq!(ChaoYing.notification_ack(), "success");
}

#[test]
fn notification_round_trip() {
    let s = secrets("130000000000000000");
    let fields = Value::object([
        ("state", Value::str("SUCCESS")),
        ("result_code", Value::str("SUCCESS")),
        ("pay_result", Value::str("0")),
        ("out_trade_no", Value::str("A100011")),
        ("transaction_id", Value::str("199520439266201804177199552446")),
        ("total_fee", Value::int_value(1)),
        ("trade_type", Value::str("pay.weixin.jspay")),
        ("time_end", Value::str("20180417094729")),
        ("attach", Value::str("")),
        ("promotion_detail", Value::str(r#"{"promotion_detail":[]}"#)),
    ]);
    let wire = ChaoYing.encode_notification(&fields, &s, 1_700_000_000_000);
    let text = String::from_utf8(wire.body.clone()).unwrap();
    let keys: Vec<String> = pairs(&text).into_iter().map(|(k, _)| k).collect();
    let mut in_order = keys.clone();
    in_order.sort();
    assert_eq!(keys, in_order, "sorted, sign in place, like the seed's examples");
    assert!(keys.contains(&"mch_id".to_owned()) && keys.contains(&"nonce_str".to_owned()) && !keys.contains(&"attach".to_owned()));
    let n = ChaoYing.decode_notification(&wire, &s, 0).unwrap();
    assert_eq!((n.out_trade_no.as_str(), n.status.state, n.status.amount), ("A100011", PayState::Succeeded, Some(1)));
    assert_eq!(n.fields.text("promotion_detail"), Some(r#"{"promotion_detail":[]}"#));
    let failed =
        ChaoYing.encode_notification(&Value::object([("state", Value::str("SUCCESS")), ("result_code", Value::str("FAIL")), ("out_trade_no", Value::str("A100012"))]), &s, 0);
    assert_eq!(ChaoYing.decode_notification(&failed, &s, 0).unwrap().status.state, PayState::Failed);
    let zero_words = ChaoYing.encode_notification(
        &Value::object([("state", Value::str("0")), ("result_code", Value::str("0")), ("pay_result", Value::str("0")), ("out_trade_no", Value::str("A100013"))]),
        &s,
        0,
    );
    assert_eq!(ChaoYing.decode_notification(&zero_words, &s, 0).unwrap().status.state, PayState::Succeeded, "the seed's 都为0 wording");
    let other = Secrets::from_pairs([("key", KEY), ("mch_id", "00000002")]);
    assert!(ChaoYing.decode_notification(&wire, &other, 0).is_err(), "another merchant's notification");
    let json = WireRequest {
        body: format!("{{\"out_trade_no\":\"A100011\",\"state\":\"SUCCESS\",\"sign\":\"{}\"}}", sign_pairs(&pairs("out_trade_no=A100011&state=SUCCESS"), KEY)).into_bytes(),
        ..wire.clone()
    };
    assert_eq!(
        ChaoYing.decode_notification(&json, &Secrets::from_pairs([("key", KEY)]), 0).unwrap().status.state,
        PayState::Unknown,
        "JSON accepted; no result_code means unknown"
    );
    let tampered = WireRequest { body: text.replace("A100011", "A100099").into_bytes(), ..wire };
    assert!(ChaoYing.decode_notification(&tampered, &s, 0).is_err());
}
