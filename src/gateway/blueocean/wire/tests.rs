//! The seed's signing vector V1 (L22–L61), the digest's derived vectors
//! D2–D9, tampering, the sandbox's refusals and notification round trips.

use super::*;
use crate::gateway::ProxyRules;
use crate::model::PayState;

/// The only key the seed prints, for its own vector (L44).
const SEED_KEY: &str = "sxkj0RH9qMxdaxo0sJ8xlbki4ssOjvXb";
const TEST_KEY: &str = "sandbox-test-key-blueocean-0001";

fn sign_json(text: &str, key: &str) -> String {
    sign_members(json::parse(text).unwrap().members().unwrap(), key)
}

fn secrets(appid: &str, key: &str) -> Secrets {
    Secrets::from_pairs([("appid", appid), ("app_key", key)])
}

fn sandbox() -> Secrets {
    secrets("1000258", TEST_KEY)
}

fn pay_endpoint() -> &'static Endpoint {
    BlueOcean.endpoint("/payment/pay", None).unwrap()
}

fn encode(params: &str, s: &Secrets) -> WireRequest {
    BlueOcean.encode_request(pay_endpoint(), "/payment/pay", &json::parse(params).unwrap(), s, 0).unwrap()
}

fn body_of(req: &WireRequest) -> Value {
    json::parse(std::str::from_utf8(&req.body).unwrap()).unwrap()
}

const V1: &str = r#"{"appid":"1000010","name":"BlueOcean Pay","region":"HK","business":"Online payment"}"#;
const V1_SIGN: &str = "08C612FB4D2D52C8C913EA00E3DABC8B";

#[test]
fn seed_vector_v1_and_derived_vectors() {
    assert_eq!(sign_json(V1, SEED_KEY), V1_SIGN);
    let with = |extra: &str| V1.replacen('{', &format!("{{{extra},"), 1);
    assert_eq!(sign_json(&with(&format!(r#""sign":"{V1_SIGN}""#)), SEED_KEY), V1_SIGN, "D2: sign is excluded");
    assert_eq!(sign_json(&with(r#""key":"whatever""#), SEED_KEY), V1_SIGN, "D3: key is excluded");
    assert_eq!(sign_json(&with(r#""attach":"""#), SEED_KEY), "6DC9D9A66437F02C3C572DB6D3D58E63", "D4: empty values are signed as k=");
    let d5 = r#"{"appid":"1000258","out_trade_no":"T20210329001","payment":"wechat.mweb","h5_redirect_url":"https://www.blueoceanpay.com","spbill_create_ip":"183.14.29.179","total_fee":20}"#;
    assert_eq!(sign_json(d5, SEED_KEY), "279425EAE85AE2EC443A4DAF813D53BF", "D5");
    assert_eq!(sign_json(&d5.replace(":20}", r#":"20"}"#), SEED_KEY), "279425EAE85AE2EC443A4DAF813D53BF", "D6: 20 and \"20\" sign alike");
    let d7 = r#"{"appid":"1000258","body":"测试","payment":"alipay.qrcode","total_fee":10,"wallet":"CN"}"#;
    assert_eq!(sign_json(d7, SEED_KEY), "1E665F5B4385A7C95507D2391FED510C", "D7: UTF-8");
    assert_eq!(sign_json(r#"{"appid":"1000258","sn":"112018020700000000000000000"}"#, SEED_KEY), "C926F5713EBFCDDD2F702557DE15A98F", "D8");
    let d9 = r#"{"appid":"1000258","detail":"{\"goods_detail\":[{\"wxpay_goods_id\":\"7372\"}]}","payment":"wechat.jsapi","sub_appid":"wx6f4b43e000000000","sub_openid":"oxoPW5SUhI000000000000000","total_fee":2}"#;
    assert_eq!(sign_json(d9, SEED_KEY), "5A07FB55764A511A0B4837D620BDCDF0", "D9: nested JSON signed as its text");
}

#[test]
fn the_documented_mistakes_do_not_reproduce_v1() {
    let md5 = |s: &str| md5_hex_upper(s.as_bytes());
    assert_eq!(md5("appid=1000010&business=Online payment&name=BlueOcean Pay&region=HK&key=sxkj0RH9qMxdaxo0sJ8xlbki4ssOjvXb"), V1_SIGN);
    assert_eq!(md5("appid=1000010&business=Online+payment&name=BlueOcean+Pay&region=HK&key=sxkj0RH9qMxdaxo0sJ8xlbki4ssOjvXb"), "8D80CA0DFC97482B7231E4428BB0FADB");
    assert_ne!(sign_json(V1, "sxkj0RH9qMxdaxo0sJ8xlbki4ssOjvXc"), V1_SIGN, "another key");
}

#[test]
fn encode_request_signs_adds_appid_and_the_user_agent() {
    let req =
        encode(r#"{"name":"BlueOcean Pay","region":"HK","business":"Online payment","appid":"forged","sign":"x","key":"y","attach":"","n":null}"#, &secrets("1000010", SEED_KEY));
    assert_eq!(req.http, HttpMethod::Post);
    assert_eq!(req.path_and_query, "/payment/pay");
    assert_eq!(req.header("user-agent"), Some("BoPayPos/1.1.0 NetType/WIFI Language/zh_CN"));
    assert!(req.header("content-type").is_some_and(|c| c.starts_with("application/json")));
    let body = body_of(&req);
    assert_eq!(body.text("appid"), Some("1000010"), "appid comes from the secrets");
    assert_eq!(body.text("sign"), Some(V1_SIGN), "empty and null members are left out, so V1 reproduces");
    for k in ["key", "attach", "n"] {
        assert_eq!(body.get(k), None, "{k}");
    }
    let d5 = encode(
        r#"{"out_trade_no":"T20210329001","payment":"wechat.mweb","h5_redirect_url":"https://www.blueoceanpay.com","spbill_create_ip":"183.14.29.179","total_fee":20}"#,
        &secrets("1000258", SEED_KEY),
    );
    assert_eq!(body_of(&d5).text("sign"), Some("279425EAE85AE2EC443A4DAF813D53BF"));
    let d9 = encode(
        r#"{"detail":{"goods_detail":[{"wxpay_goods_id":"7372"}]},"payment":"wechat.jsapi","sub_appid":"wx6f4b43e000000000","sub_openid":"oxoPW5SUhI000000000000000","total_fee":2}"#,
        &secrets("1000258", SEED_KEY),
    );
    assert_eq!(body_of(&d9).text("sign"), Some("5A07FB55764A511A0B4837D620BDCDF0"), "a nested object travels as its JSON text");
}

#[test]
fn encode_request_refuses_what_cannot_be_signed() {
    let fails = |params: &str, s: &Secrets| BlueOcean.encode_request(pay_endpoint(), "/payment/pay", &json::parse(params).unwrap(), s, 0).unwrap_err().code;
    assert_eq!(fails(r#"{"x":true}"#, &sandbox()), crate::error::ErrorCode::InvalidArgument);
    assert_eq!(fails(r#"{"total_fee":0.2}"#, &sandbox()), crate::error::ErrorCode::InvalidArgument);
    assert_eq!(fails("[]", &sandbox()), crate::error::ErrorCode::InvalidArgument);
    assert_eq!(fails("{}", &Secrets::from_pairs([("appid", "1")])), crate::error::ErrorCode::ProxyError);
}

#[test]
fn sandbox_accepts_what_the_proxy_signs_and_refuses_tampering() {
    let req = encode(r#"{"payment":"alipay.qrcode","out_trade_no":"T1","total_fee":10,"body":"测试"}"#, &sandbox());
    let params = BlueOcean.decode_request(pay_endpoint(), &req, &sandbox(), 0).unwrap();
    assert_eq!((params.text("appid"), params.int("total_fee"), params.get("sign")), (Some("1000258"), Some(10), None));
    let refused = |req: &WireRequest, s: &Secrets| BlueOcean.decode_request(pay_endpoint(), req, s, 0).unwrap_err();
    let code = |r: (u16, Value)| (r.0, r.1.text("code").map(str::to_owned), r.1.text("message").map(str::to_owned));
    let tamper = |from: &str, to: &str| WireRequest { body: String::from_utf8(req.body.clone()).unwrap().replacen(from, to, 1).into_bytes(), ..req.clone() };
    assert_eq!(code(refused(&tamper("\"total_fee\":10", "\"total_fee\":1"), &sandbox())), (200, Some("4004".into()), Some("签名错误".into())));
    assert_eq!(code(refused(&tamper("测试", "测验"), &sandbox())).1.as_deref(), Some("4004"));
    assert_eq!(code(refused(&tamper("\"sign\":", "\"sig\":"), &sandbox())).1.as_deref(), Some("4003"));
    assert_eq!(code(refused(&tamper("{", "{\"extra\":\"1\","), &sandbox())).1.as_deref(), Some("4004"), "an added field breaks the sign");
    assert_eq!(code(refused(&req, &secrets("1000258", "sandbox-test-key-other"))).1.as_deref(), Some("4004"));
    assert_eq!(code(refused(&req, &secrets("1000259", TEST_KEY))).1.as_deref(), Some("4002"));
    assert_eq!(code(refused(&tamper("\"appid\":", "\"appId\":"), &sandbox())).1.as_deref(), Some("4003"));
    assert_eq!(code(refused(&WireRequest { http: HttpMethod::Get, ..req.clone() }, &sandbox())).1.as_deref(), Some("4007"));
    assert_eq!(code(refused(&WireRequest { body: b"appid=1".to_vec(), ..req.clone() }, &sandbox())).1.as_deref(), Some("4001"));
    assert_eq!(code(refused(&WireRequest { body: vec![0xff, 0xfe], ..req.clone() }, &sandbox())).1.as_deref(), Some("40110"));
    assert_eq!(code(refused(&req, &Secrets::default())).0, 500);
}

#[test]
fn responses_are_signed_over_data_and_tampering_is_caught() {
    let body = json::parse(
        r#"{"code":200,"message":"success","data":{"appid":1000258,"sn":"11","trade_state":"SUCCESS","total_fee":"10","attach":"","jsapi":"{\"a\":1}","sign":"stale"}}"#,
    )
    .unwrap();
    let signed = BlueOcean.sign_response(body, &sandbox()).to_json();
    assert_eq!(BlueOcean.verify_response(signed.as_bytes(), &sandbox()), ResponseCheck::Verified);
    assert!(!signed.contains("stale"));
    for (from, to) in [("\"SUCCESS\"", "\"NOTPAY\""), ("\"10\"", "\"1\""), ("\"attach\":\"\"", "\"attach\":\"x\""), ("\"sn\":\"11\"", "\"sn\":\"12\"")] {
        assert_eq!(BlueOcean.verify_response(signed.replacen(from, to, 1).as_bytes(), &sandbox()), ResponseCheck::BadSignature, "{to}");
    }
    assert_eq!(BlueOcean.verify_response(signed.as_bytes(), &secrets("1000258", "sandbox-test-key-other")), ResponseCheck::BadSignature);
    assert_eq!(BlueOcean.verify_response(br#"{"code":4004,"message":"x"}"#, &sandbox()), ResponseCheck::Unsigned);
    assert_eq!(BlueOcean.verify_response(br#"{"code":200,"data":{"sn":"1"}}"#, &sandbox()), ResponseCheck::Missing, "a stripped result");
    assert_eq!(BlueOcean.verify_response(br#"{"trade_state":"SUCCESS"}"#, &sandbox()), ResponseCheck::Missing);
    assert_eq!(BlueOcean.verify_response(br#"{"code":200,"data":{"sn":"1","sign":7}}"#, &sandbox()), ResponseCheck::BadSignature);
    assert_eq!(BlueOcean.verify_response(b"<html>", &sandbox()), ResponseCheck::Unsigned);
    assert_eq!(BlueOcean.verify_response(signed.as_bytes(), &Secrets::default()), ResponseCheck::BadSignature);
    let refund = json::parse(r#"{"refund_status":"SUCCESS","refund_fee":"5","sign":"x"}"#).unwrap();
    let refund = BlueOcean.sign_response(refund, &sandbox()).to_json();
    assert_eq!(BlueOcean.verify_response(refund.as_bytes(), &sandbox()), ResponseCheck::Verified, "envelope-less answers sign the whole object");
    assert_eq!(BlueOcean.verify_response(refund.replace("\"5\"", "\"50\"").as_bytes(), &sandbox()), ResponseCheck::BadSignature);
    let error = json::parse(r#"{"code":4004,"message":"签名错误"}"#).unwrap();
    assert_eq!(BlueOcean.sign_response(error.clone(), &sandbox()), error, "error envelopes stay unsigned");
}

const NOTIFY: &str = r#"{"bank_type":"CFT","cash_fee":20,"cash_fee_type":"CNY","fee_type":"HKD","out_trade_no":"11201802091347484054542598","transaction_id":"P5631VZG299QZN94JD","time_end":"20190402162714","total_fee":20,"trade_type":"NATIVE","nonce_str":"O2r8GjZ46e","version":"1.0","sn":"1120180209000","attach":"a b&c=d"}"#;

fn notification() -> WireRequest {
    BlueOcean.encode_notification(&json::parse(NOTIFY).unwrap(), &sandbox(), 1_700_000_000_000)
}

#[test]
fn notification_round_trip() {
    let req = notification();
    assert_eq!(req.http, HttpMethod::Post);
    assert!(req.header("content-type").is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")));
    let n = BlueOcean.decode_notification(&req, &sandbox(), 0).unwrap();
    assert_eq!(n.out_trade_no, "11201802091347484054542598");
    assert_eq!((n.status.state, n.status.gateway_state.as_str(), n.status.amount), (PayState::Succeeded, "SUCCESS", Some(20)));
    assert_eq!(n.status.transaction_id.as_deref(), Some("P5631VZG299QZN94JD"));
    assert_eq!((n.fields.text("appid"), n.fields.text("attach"), n.fields.text("time_end")), (Some("1000258"), Some("a b&c=d"), Some("20190402162714")));
    assert_eq!(BlueOcean.notification_ack(), "SUCCESS");
    let no_nonce = BlueOcean.encode_notification(&json::parse(r#"{"out_trade_no":"T1","total_fee":1}"#).unwrap(), &sandbox(), 5);
    let n = BlueOcean.decode_notification(&no_nonce, &sandbox(), 0).unwrap();
    assert_eq!(n.fields.text("nonce_str").map(str::len), Some(10));
}

#[test]
fn notification_tampering_is_refused() {
    let req = notification();
    let text = String::from_utf8(req.body.clone()).unwrap();
    let with_body = |b: String| WireRequest { body: b.into_bytes(), ..req.clone() };
    let refused = |r: &WireRequest, s: &Secrets| BlueOcean.decode_notification(r, s, 0).unwrap_err().reason;
    assert_eq!(refused(&with_body(text.replacen("total_fee=20", "total_fee=2000", 1)), &sandbox()), Reason::Signature);
    assert_eq!(refused(&with_body(format!("{text}&trade_state=SUCCESS")), &sandbox()), Reason::Signature, "an added field breaks the sign");
    assert_eq!(refused(&with_body(format!("{text}&total_fee=1")), &sandbox()), Reason::BadRequest, "repeated fields are ambiguous");
    let unsigned: String = text.split('&').filter(|p| !p.starts_with("sign=")).collect::<Vec<_>>().join("&");
    assert_eq!(refused(&with_body(unsigned), &sandbox()), Reason::Signature);
    assert_eq!(refused(&req, &secrets("1000258", "sandbox-test-key-other")), Reason::Signature);
    assert_eq!(refused(&req, &secrets("1000259", TEST_KEY)), Reason::Credentials);
    assert_eq!(refused(&WireRequest { http: HttpMethod::Get, ..req.clone() }, &sandbox()), Reason::BadRequest);
    let no_order = BlueOcean.encode_notification(&json::parse(r#"{"total_fee":1}"#).unwrap(), &sandbox(), 0);
    assert_eq!(refused(&no_order, &sandbox()), Reason::BadRequest);
    assert_eq!(BlueOcean.decode_notification(&req, &Secrets::default(), 0).unwrap_err().code, crate::error::ErrorCode::ProxyError);
}

#[test]
fn notification_accepts_plus_for_space_as_php_sends_it() {
    let pairs = [("appid", "1000258"), ("out_trade_no", "T1"), ("attach", "a b"), ("total_fee", "1")];
    let sign = sign_pairs(pairs.iter().map(|(k, v)| (*k, Cow::Borrowed(*v))), TEST_KEY);
    let body = format!("appid=1000258&out_trade_no=T1&attach=a+b&total_fee=1&sign={sign}");
    let req = WireRequest { http: HttpMethod::Post, path_and_query: "/notify".into(), headers: vec![], body: body.into_bytes() };
    assert_eq!(BlueOcean.decode_notification(&req, &sandbox(), 0).unwrap().fields.text("attach"), Some("a b"));
}

/// Seed L63–L80: the three User-Agent examples, one per checkout locale;
/// the language is a header, outside the signed body.
#[test]
fn user_agent_follows_the_checkout_locale() {
    let seed = [
        (Locale::En, "BoPayPos/1.1.0 NetType/WIFI Language/en_US"),
        (Locale::ZhCn, "BoPayPos/1.1.0 NetType/WIFI Language/zh_CN"),
        (Locale::ZhHk, "BoPayPos/1.1.0 NetType/WIFI Language/zh_HK"),
    ];
    let plain = encode(V1, &secrets("1000010", SEED_KEY));
    assert_eq!(plain.header("user-agent"), Some(USER_AGENT), "no locale: the zh_CN example");
    for (locale, ua) in seed {
        assert_eq!(user_agent(locale), ua);
        let mut req = encode(V1, &secrets("1000010", SEED_KEY));
        BlueOcean.localize(&mut req, locale);
        assert_eq!(req.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("user-agent")).count(), 1, "one User-Agent");
        assert_eq!(req.header("user-agent"), Some(ua));
        assert_eq!(req.body, plain.body, "the body and its signature do not change");
    }
}
