//! Signing tests. RSA signing is slow in debug builds, so each test signs at
//! most once or twice and checks everything else by verification.

use super::super::*;
use super::*;
use crate::error::Reason;
use crate::gateway::wire::{form_decode, form_encode, GatewayWire, Secrets, WireRequest};
use crate::model::PayState;

const AGENT_PRIVATE: &str = include_str!("../../../../fixtures/keys/hipopay-sandbox-test-agent-private.pem");
const AGENT_PUBLIC: &str = include_str!("../../../../fixtures/keys/hipopay-sandbox-test-agent-public.pem");
const AGENT_PUBLIC_PKCS1: &str = include_str!("../../../../fixtures/keys/hipopay-sandbox-test-agent-public-pkcs1.pem");
const GATEWAY_PRIVATE: &str = include_str!("../../../../fixtures/keys/hipopay-sandbox-test-gateway-private.pem");
const GATEWAY_PUBLIC: &str = include_str!("../../../../fixtures/keys/hipopay-sandbox-test-gateway-public.pem");
/// `openssl dgst -sha256 -sign` of `order_no=xxxx,1509692687` with the agent test key.
const OPENSSL_ORDER_QUERY: &str = include_str!("../../../../fixtures/hipopay/sign-vector-4.9-order-query.sig.b64");
/// `openssl dgst -sha256 -sign` of the §10.2 example, raw and encoded, with the gateway test key.
const OPENSSL_NOTIFY_RAW: &str = include_str!("../../../../fixtures/hipopay/notify-10.2-raw.sig.b64");
const OPENSSL_NOTIFY_ENCODED: &str = include_str!("../../../../fixtures/hipopay/notify-10.2-encoded.sig.b64");
const NOTIFY_JSON: &str = include_str!("../../../../fixtures/hipopay/notify-10.2-L1385.json");

/// The doc's sample timestamp, in the milliseconds the wire code takes.
const NOW_MS: i64 = 1_509_692_687_000;

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn proxy_secrets() -> Secrets {
    Secrets::from_pairs([("agent_no", "sandbox-test-agent-123456"), ("private_key_pem", AGENT_PRIVATE), ("merchant_no", "sandbox-test-merchant"), ("currency", "HKD")])
}

fn sandbox_secrets(public: &str) -> Secrets {
    Secrets::from_pairs([("agent_no", "sandbox-test-agent-123456"), ("public_key_pem", public)])
}

fn endpoint(path: &str) -> &'static Endpoint {
    HipoPay.endpoint(path, None).expect("allowlisted")
}

fn status_of(refusal: Result<Value, (u16, Value)>) -> u16 {
    let (status, body) = refusal.expect_err("refused");
    let meta = body.get("meta").expect("meta");
    assert_eq!(meta.int("status_code"), Some(i64::from(status)));
    assert_eq!(meta.get("success"), Some(&Value::Bool(false)));
    status
}

#[test]
fn derived_sign_strings_of_section_2_5_are_byte_exact() {
    let ts = "1509692687";
    let cases: [(&[(&str, &str)], &str); 11] = [
        (
            &[("merchant_no", "xxx"), ("currency", "HKD"), ("amount", "100"), ("product_info", "这里是商品的描述"), ("ip", "102.142.32.12"), ("auth_code", "135605691981176449")],
            "amount=100&auth_code=135605691981176449&currency=HKD&ip=102.142.32.12&merchant_no=xxx&product_info=%E8%BF%99%E9%87%8C%E6%98%AF%E5%95%86%E5%93%81%E7%9A%84%E6%8F%8F%E8%BF%B0,1509692687",
        ),
        (
            &[("merchant_no", "xxx"), ("currency", "HKD"), ("amount", "100"), ("product_info", "这是一个商品的名称"), ("ip", "102.142.32.12")],
            "amount=100&currency=HKD&ip=102.142.32.12&merchant_no=xxx&product_info=%E8%BF%99%E6%98%AF%E4%B8%80%E4%B8%AA%E5%95%86%E5%93%81%E7%9A%84%E5%90%8D%E7%A7%B0,1509692687",
        ),
        (&[("order_no", "2017062015040461510")], "order_no=2017062015040461510,1509692687"),
        (&[("order_no", "xxxx")], "order_no=xxxx,1509692687"),
        (&[("refund_no", "2017073101xxxxx")], "refund_no=2017073101xxxxx,1509692687"),
        (&[("merchant_no", "xxx"), ("currency", "USD")], "currency=USD&merchant_no=xxx,1509692687"),
        (
            &[("merchant_no", "xxx"), ("currency", "HKD"), ("amount", "100"), ("subject", "这是一个商品的名称")],
            "amount=100&currency=HKD&merchant_no=xxx&subject=%E8%BF%99%E6%98%AF%E4%B8%80%E4%B8%AA%E5%95%86%E5%93%81%E7%9A%84%E5%90%8D%E7%A7%B0,1509692687",
        ),
        (&[("out_order_no", "xxxx")], "out_order_no=xxxx,1509692687"),
        (&[("payment_no", "2017062015040461510")], "payment_no=2017062015040461510,1509692687"),
        (&[("currency", "HKD")], "currency=HKD,1509692687"),
        (
            &[("merchant_no", "xxx"), ("currency", "HKD"), ("amount", "100"), ("auth_code", "123456"), ("subject", "这是一个商品的名称")],
            "amount=100&auth_code=123456&currency=HKD&merchant_no=xxx&subject=%E8%BF%99%E6%98%AF%E4%B8%80%E4%B8%AA%E5%95%86%E5%93%81%E7%9A%84%E5%90%8D%E7%A7%B0,1509692687",
        ),
    ];
    for (fields, expected) in cases {
        assert_eq!(sign_string(&pairs(fields), ts), expected);
    }
}

#[test]
fn sign_string_edge_cases_tilde_and_float_timestamp() {
    let edge = pairs(&[
        ("notify_url", "https://m.example.com/cb?a=1&b=x y"),
        ("product_info", "Tea~Set+/="),
        ("amount", "0.1"),
        ("agent_order_id", "A-1_b.c"),
        ("out_order_no", "o1"),
        ("outer_refund_no", "r1"),
    ]);
    assert_eq!(
        sign_string(&edge, "1509692687"),
        "agent_order_id=A-1_b.c&amount=0.1&notify_url=https%3A%2F%2Fm.example.com%2Fcb%3Fa%3D1%26b%3Dx%20y&out_order_no=o1&outer_refund_no=r1&product_info=Tea%7ESet%2B%2F%3D,1509692687"
    );
    assert_eq!(sign_string(&pairs(&[("order_no", "xxxx")]), "1509692687.12"), "order_no=xxxx,1509692687.12");
    assert_eq!(sign_string(&[], "1"), ",1");
    // Byte order: `_` (0x5F) sorts before lowercase letters, upper case before both.
    assert_eq!(sign_string(&pairs(&[("no", "1"), ("notify_url", "u"), ("No", "2"), ("n_o", "3")]), "1"), "No=2&n_o=3&no=1&notify_url=u,1");
}

#[test]
fn notification_sign_string_is_raw() {
    let fields = pairs(&[("trade_time", "2017-06-22 21:29:47"), ("status", "PAID")]);
    assert_eq!(sign_string_raw(&fields, "1509692687"), "status=PAID&trade_time=2017-06-22 21:29:47,1509692687");
}

#[test]
fn get_request_signature_matches_openssl_and_round_trips() {
    let params = Value::object([("order_no", Value::str("xxxx"))]);
    let req = HipoPay.encode_request(endpoint("/order"), "/order", &params, &proxy_secrets(), NOW_MS + 999).unwrap();
    assert_eq!(req.http, HttpMethod::Get);
    assert_eq!(req.path_and_query, "/order?order_no=xxxx");
    assert!(req.body.is_empty());
    assert_eq!(req.header("AgentNo"), Some("sandbox-test-agent-123456"));
    assert_eq!(req.header("Version"), Some("1.0"));
    assert_eq!(req.header("Timestamp"), Some("1509692687"));
    assert_eq!(req.header("Signature"), Some(OPENSSL_ORDER_QUERY.trim()));
    assert_eq!(req.header("Signature").map(str::len), Some(344));

    // The sandbox accepts it with either public-key format…
    for public in [AGENT_PUBLIC, AGENT_PUBLIC_PKCS1] {
        let decoded = HipoPay.decode_request(endpoint("/order"), &req, &sandbox_secrets(public), NOW_MS).unwrap();
        assert_eq!(decoded.text("order_no"), Some("xxxx"));
    }
    // …and refuses a tampered query, a tampered timestamp, or the wrong key.
    let secrets = sandbox_secrets(AGENT_PUBLIC);
    let mut tampered = req.clone();
    tampered.path_and_query = "/order?order_no=xxxy".into();
    assert_eq!(status_of(HipoPay.decode_request(endpoint("/order"), &tampered, &secrets, NOW_MS)), 401);
    let mut tampered = req.clone();
    tampered.headers.retain(|(k, _)| k != "Timestamp");
    tampered.headers.push(("Timestamp".into(), "1509692688".into()));
    assert_eq!(status_of(HipoPay.decode_request(endpoint("/order"), &tampered, &secrets, NOW_MS)), 401);
    assert_eq!(status_of(HipoPay.decode_request(endpoint("/order"), &req, &sandbox_secrets(GATEWAY_PUBLIC), NOW_MS)), 401);
}

#[test]
fn post_request_round_trip_and_every_tampering_is_refused() {
    let params = Value::object([
        ("agent_order_id", Value::str("SHOP20240001")),
        ("product_info", Value::str("Tea~Set 茶具")),
        ("amount", Value::int_value(10000)),
        ("ip", Value::str("102.142.32.12")),
        ("notify_url", Value::str("https://shop.example.com/notify?a=1&b=2")),
        ("device_info", Value::str("")),
    ]);
    let e = endpoint("/order/scanned_pay");
    let req = HipoPay.encode_request(e, "/order/scanned_pay", &params, &proxy_secrets(), NOW_MS).unwrap();
    assert_eq!((req.http, req.path_and_query.as_str()), (HttpMethod::Post, "/order/scanned_pay"));
    assert_eq!(req.header("content-type"), Some("application/x-www-form-urlencoded; charset=utf-8"));
    let body = String::from_utf8(req.body.clone()).unwrap();
    assert_eq!(
        body,
        "agent_order_id=SHOP20240001&amount=100.00&currency=HKD&ip=102.142.32.12&merchant_no=sandbox-test-merchant&notify_url=https%3A%2F%2Fshop.example.com%2Fnotify%3Fa%3D1%26b%3D2&product_info=Tea%7ESet%20%E8%8C%B6%E5%85%B7"
    );

    let secrets = sandbox_secrets(AGENT_PUBLIC);
    let decoded = HipoPay.decode_request(e, &req, &secrets, NOW_MS + 30_000).unwrap();
    assert_eq!(decoded.text("product_info"), Some("Tea~Set 茶具"));
    assert_eq!(decoded.text("amount"), Some("100.00"));
    assert_eq!(decoded.get("device_info"), None);

    let fields = form_decode(&body);
    for i in 0..fields.len() {
        let mut changed = fields.clone();
        changed[i].1.push('0');
        let mut tampered = req.clone();
        tampered.body = form_encode(&changed).into_bytes();
        assert_eq!(status_of(HipoPay.decode_request(e, &tampered, &secrets, NOW_MS)), 401, "tampered {}", changed[i].0);
    }
    let mut added = fields.clone();
    added.push(("product_id".into(), "p1".into()));
    let mut tampered = req.clone();
    tampered.body = form_encode(&added).into_bytes();
    assert_eq!(status_of(HipoPay.decode_request(e, &tampered, &secrets, NOW_MS)), 401);

    let with_header = |name: &str, value: Option<&str>| {
        let mut r: WireRequest = req.clone();
        r.headers.retain(|(k, _)| k != name);
        if let Some(v) = value {
            r.headers.push((name.to_owned(), v.to_owned()));
        }
        r
    };
    assert_eq!(status_of(HipoPay.decode_request(e, &with_header("Timestamp", Some("1509692686")), &secrets, NOW_MS)), 401);
    assert_eq!(status_of(HipoPay.decode_request(e, &req, &secrets, NOW_MS + (SIGNATURE_WINDOW_SECS + 1) * 1000)), 411);
    assert_eq!(status_of(HipoPay.decode_request(e, &req, &secrets, NOW_MS - (SIGNATURE_WINDOW_SECS + 1) * 1000)), 411);
    assert_eq!(status_of(HipoPay.decode_request(e, &with_header("Timestamp", Some("soon")), &secrets, NOW_MS)), 411);
    assert_eq!(status_of(HipoPay.decode_request(e, &with_header("Timestamp", None), &secrets, NOW_MS)), 411);
    assert_eq!(status_of(HipoPay.decode_request(e, &with_header("AgentNo", Some("123456")), &secrets, NOW_MS)), 401);
    assert_eq!(status_of(HipoPay.decode_request(e, &with_header("Signature", None), &secrets, NOW_MS)), 401);
    assert_eq!(status_of(HipoPay.decode_request(e, &with_header("Signature", Some("539cae75aacf7d6533d288ded0f47b07")), &secrets, NOW_MS)), 401);
    assert_eq!(status_of(HipoPay.decode_request(e, &with_header("Version", Some("2.0")), &secrets, NOW_MS)), 400);
    let mut repeated = req.clone();
    repeated.body.extend_from_slice(b"&amount=1.00");
    assert_eq!(status_of(HipoPay.decode_request(e, &repeated, &secrets, NOW_MS)), 400);
}

#[test]
fn encoding_refuses_what_it_cannot_sign_honestly() {
    let e = endpoint("/order/scanned_pay");
    let secrets = proxy_secrets();
    let with_amount = |a: Value| Value::object([("agent_order_id", Value::str("SHOP20240001")), ("amount", a)]);
    for bad in [Value::str("100.00"), Value::int_value(-1), Value::str("abc")] {
        assert_eq!(HipoPay.encode_request(e, e.path, &with_amount(bad), &secrets, NOW_MS).unwrap_err().code, ErrorCode::ProxyError);
    }
    let no_amount = Value::object([("agent_order_id", Value::str("SHOP20240001"))]);
    assert_eq!(HipoPay.encode_request(e, e.path, &no_amount, &secrets, NOW_MS).unwrap_err().code, ErrorCode::ProxyError);
    let no_merchant = Secrets::from_pairs([("agent_no", "a"), ("private_key_pem", AGENT_PRIVATE), ("currency", "HKD")]);
    let err = HipoPay.encode_request(e, e.path, &with_amount(Value::int_value(1)), &no_merchant, NOW_MS).unwrap_err();
    assert!(err.detail.clone().unwrap_or_default().contains("merchant_no"));
    let q = endpoint("/order");
    assert_eq!(HipoPay.encode_request(q, "/order?x=1", &Value::object::<&str>([]), &secrets, NOW_MS).unwrap_err().code, ErrorCode::ProxyError);
    let bad_key = Secrets::from_pairs([("agent_no", "a"), ("private_key_pem", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")]);
    assert_eq!(HipoPay.encode_request(q, "/order", &Value::object([("order_no", Value::str("1"))]), &bad_key, NOW_MS).unwrap_err().code, ErrorCode::ProxyError);
}

fn seed_notification(signature: &str) -> WireRequest {
    let fields = crate::json::parse(NOTIFY_JSON).unwrap();
    let pairs = crate::gateway::wire::text_pairs(&fields);
    WireRequest {
        http: HttpMethod::Post,
        path_and_query: "/notify/hipopay".into(),
        headers: vec![("Timestamp".into(), "1509692687".into()), ("Signature".into(), signature.trim().into())],
        body: form_encode(&pairs).into_bytes(),
    }
}

fn proxy_notify_secrets(public: &str) -> Secrets {
    Secrets::from_pairs([("hipopay_public_key_pem", public)])
}

#[test]
fn seed_notification_verifies_raw_or_encoded() {
    let secrets = proxy_notify_secrets(GATEWAY_PUBLIC);
    for signature in [OPENSSL_NOTIFY_RAW, OPENSSL_NOTIFY_ENCODED] {
        let n = HipoPay.decode_notification(&seed_notification(signature), &secrets, NOW_MS).unwrap();
        assert_eq!(n.out_trade_no, "xxxx");
        assert_eq!((n.status.state, n.status.amount, n.status.transaction_id.as_deref()), (PayState::Succeeded, Some(100), Some("xxxx")));
        assert_eq!(n.fields.text("trade_time"), Some("2017-06-22 21:29:47"));
    }
    // §10.2 prints the content as JSON: the same signature covers that body.
    let mut as_json = seed_notification(OPENSSL_NOTIFY_RAW);
    as_json.body = NOTIFY_JSON.as_bytes().to_vec();
    assert!(HipoPay.decode_notification(&as_json, &secrets, NOW_MS).is_ok());

    let mut tampered = seed_notification(OPENSSL_NOTIFY_RAW);
    tampered.body = String::from_utf8(tampered.body).unwrap().replace("amount=1&", "amount=100&").into_bytes();
    let e = HipoPay.decode_notification(&tampered, &secrets, NOW_MS).unwrap_err();
    assert_eq!((e.code, e.reason), (ErrorCode::InvalidPayload, Reason::Signature));
    let mut later = seed_notification(OPENSSL_NOTIFY_RAW);
    later.headers[0].1 = "1509692688".into();
    assert!(HipoPay.decode_notification(&later, &secrets, NOW_MS).is_err());
    assert!(HipoPay.decode_notification(&seed_notification(OPENSSL_NOTIFY_RAW), &proxy_notify_secrets(AGENT_PUBLIC), NOW_MS).is_err());
    assert_eq!(HipoPay.decode_notification(&seed_notification(OPENSSL_NOTIFY_RAW), &Secrets::default(), NOW_MS).unwrap_err().code, ErrorCode::ProxyError);
}

#[test]
fn notification_round_trip() {
    let fields = Value::object([
        ("status", Value::str("PAID")),
        ("no", Value::str("2017062313070231980966651")),
        ("agent_order_id", Value::str("SHOP20240001")),
        ("amount", Value::str("100.00")),
        ("currency", Value::str("HKD")),
        ("trade_type", Value::str("NATIVE")),
        ("trade_time", Value::str("2017-06-22 21:29:47")),
        ("product_info", Value::str("a&b=c ~")),
    ]);
    let sandbox = Secrets::from_pairs([("hipopay_private_key_pem", GATEWAY_PRIVATE)]);
    let request = HipoPay.encode_notification(&fields, &sandbox, NOW_MS);
    assert_eq!(request.http, HttpMethod::Post);
    assert_eq!(request.header("Timestamp"), Some("1509692687"));
    let n = HipoPay.decode_notification(&request, &proxy_notify_secrets(GATEWAY_PUBLIC), NOW_MS + 86_400_000).unwrap();
    assert_eq!(n.out_trade_no, "SHOP20240001");
    assert_eq!((n.status.state, n.status.amount), (PayState::Succeeded, Some(10000)));
    assert_eq!(n.fields.text("product_info"), Some("a&b=c ~"));
    assert_eq!(HipoPay.notification_ack(), "success");

    let body = String::from_utf8(request.body.clone()).unwrap();
    for (name, _) in form_decode(&body) {
        let changed: Vec<(String, String)> = form_decode(&body).into_iter().map(|(k, v)| if k == name { (k, format!("{v}1")) } else { (k, v) }).collect();
        let mut tampered = request.clone();
        tampered.body = form_encode(&changed).into_bytes();
        assert!(HipoPay.decode_notification(&tampered, &proxy_notify_secrets(GATEWAY_PUBLIC), NOW_MS).is_err(), "tampered {name}");
    }
    let unsigned = HipoPay.encode_notification(&fields, &Secrets::default(), NOW_MS);
    assert_eq!(unsigned.header("Signature"), None);
    assert!(HipoPay.decode_notification(&unsigned, &proxy_notify_secrets(GATEWAY_PUBLIC), NOW_MS).is_err());
}

#[test]
fn responses_are_unsigned() {
    let body = Value::object([("meta", Value::object([("status_code", Value::int_value(200))]))]);
    assert_eq!(HipoPay.verify_response(body.to_json().as_bytes(), &Secrets::default()), crate::gateway::wire::ResponseCheck::Unsigned);
    assert_eq!(HipoPay.sign_response(body.clone(), &Secrets::default()), body);
}

/// 4.4 step 2 lists `code` and `merchant_no` only: the order reference the
/// proxy checked the page's client secret against is not sent.
#[test]
fn the_openid_exchange_sends_code_and_merchant_only() {
    let req = openid_request("0a3Xkl000sandbox", "SHOP20240001").unwrap();
    assert_eq!((req.path.as_str(), req.operation), (OPENID_PATH, Operation::Read));
    let e = endpoint(OPENID_PATH);
    assert!(e.browser, "the page exchanges the code through the proxy");
    assert_eq!(e.order_ref, Some("agent_order_id"));
    let wire = HipoPay.encode_request(e, OPENID_PATH, &req.params.value(), &proxy_secrets(), NOW_MS).unwrap();
    let fixture: Vec<&str> = include_str!("../../../../fixtures/hipopay/wechat-openid-4.4-L225.request.txt").lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(String::from_utf8(wire.body.clone()).unwrap(), fixture[0]);
    let sent = form_decode(fixture[0]);
    assert_eq!(sign_string(&sent, "1509692687"), fixture[1]);
    let decoded = HipoPay.decode_request(e, &wire, &sandbox_secrets(AGENT_PUBLIC), NOW_MS).unwrap();
    assert_eq!((decoded.text("code"), decoded.get("agent_order_id")), (Some("0a3Xkl000sandbox"), None));
}
