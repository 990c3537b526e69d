use super::*;
use crate::error::{ErrorCode, Reason};
use crate::json::parse;

fn params(mode: Mode, channel: Channel) -> CreateParams {
    let mut p = CreateParams::new(mode, channel, "201506101035040000001");
    p.auth_code = Some("23891113455872".into());
    p
}

fn order(mode: Mode, channel: Channel) -> OrderRef {
    OrderRef { out_trade_no: "201506101035040000001".into(), channel, mode, gateway_order_id: None }
}

fn body(text: &str) -> Value {
    parse(text).unwrap()
}

#[test]
fn channel_table() {
    assert_eq!(channel_value(Mode::Qr, Channel::Wechat), Some("WX_NATIVE"));
    assert_eq!(channel_value(Mode::Qr, Channel::Alipay), Some("ALI_OFFLINE_QRCODE"));
    assert_eq!(channel_value(Mode::Counter, Channel::Any), Some("SCAN"));
    assert_eq!(channel_value(Mode::Counter, Channel::Wechat), Some("WX_SCAN"));
    assert_eq!(channel_value(Mode::Counter, Channel::Alipay), Some("ALI_SCAN"));
    assert_eq!(channel_value(Mode::Qr, Channel::Any), None);
    assert_eq!(channel_value(Mode::H5, Channel::Wechat), None);
    for &(m, c) in BeeCloud.modes() {
        assert!(channel_value(m, c).is_some());
    }
}

#[test]
fn create_requests() {
    let r = BeeCloud.create_request(&params(Mode::Counter, Channel::Any)).unwrap();
    assert_eq!(r.path, BILL_PATH);
    assert_eq!(r.proxy_path(), "/beecloud/2/rest/offline/bill");
    assert_eq!(r.params.to_json(), r#"{"channel":"SCAN","bill_no":"201506101035040000001","title":"201506101035040000001","auth_code":"23891113455872"}"#);
    let mut p = params(Mode::Qr, Channel::Wechat);
    p.subject = Some("白开水".into());
    let r = BeeCloud.create_request(&p).unwrap();
    assert_eq!(r.params.to_json(), r#"{"channel":"WX_NATIVE","bill_no":"201506101035040000001","title":"白开水"}"#);
    assert!(r.params.get("total_fee").is_none());
}

#[test]
fn create_refuses_bad_input() {
    let e = BeeCloud.create_request(&params(Mode::Qr, Channel::Any)).unwrap_err();
    assert_eq!(e.code, ErrorCode::Unsupported);
    let mut p = params(Mode::Counter, Channel::Wechat);
    p.auth_code = None;
    assert_eq!(BeeCloud.create_request(&p).unwrap_err().code, ErrorCode::InvalidArgument);
    p.auth_code = Some("12 34".into());
    assert_eq!(BeeCloud.create_request(&p).unwrap_err().code, ErrorCode::InvalidArgument);
    for bad in ["short", "has-dash-123456", "../../etc/passwd", "123456789012345678901234567890123", "订单号订单号订单号"] {
        let mut p = params(Mode::Qr, Channel::Wechat);
        p.out_trade_no = bad.into();
        assert_eq!(BeeCloud.create_request(&p).unwrap_err().code, ErrorCode::InvalidArgument, "{bad}");
    }
}

#[test]
fn titles_are_cut_on_character_boundaries() {
    let long = "一二三四五六七八九十一二三四五六";
    assert_eq!(truncate_utf8(long, TITLE_MAX_BYTES), "一二三四五六七八九十");
    assert_eq!(truncate_utf8("abc", 32), "abc");
    let mut p = params(Mode::Qr, Channel::Alipay);
    p.subject = Some(long.into());
    let r = BeeCloud.create_request(&p).unwrap();
    assert_eq!(r.params.text("title"), Some("一二三四五六七八九十"));
}

#[test]
fn create_answers() {
    let policy = UrlPolicy::default();
    let qr = |text: &str, ch| BeeCloud.parse_create(&params(Mode::Qr, ch), &body(text), &policy);
    let got = qr(r#"{"result_code":0,"result_msg":"OK","err_detail":"","code_url":"weixin://wxpay/bizpayurl?pr=abc"}"#, Channel::Wechat).unwrap();
    assert_eq!(got.action, NextAction::Qr { content: "weixin://wxpay/bizpayurl?pr=abc".into(), expires_at: None });
    let got = qr(r#"{"result_code":"0","qr_code":"https://qr.alipay.com/bax1"}"#, Channel::Alipay).unwrap();
    assert_eq!(got.action, NextAction::Qr { content: "https://qr.alipay.com/bax1".into(), expires_at: None });
    assert_eq!(qr(r#"{"result_code":0}"#, Channel::Wechat).unwrap_err().code, ErrorCode::InvalidPayload);
    let e = qr(r#"{"result_code":7,"result_msg":"CHANNEL_ERROR","err_detail":"微信超时"}"#, Channel::Wechat).unwrap_err();
    assert_eq!((e.gateway_code.as_deref(), e.reason), (Some("7"), Reason::Upstream));

    let counter = |text: &str| BeeCloud.parse_create(&params(Mode::Counter, Channel::Any), &body(text), &policy).map(|c| c.action);
    assert!(matches!(counter(r#"{"result_code":0,"pay_result":true}"#).unwrap(), NextAction::Done { status } if status.state == PayState::Succeeded));
    assert_eq!(counter(r#"{"result_code":0,"pay_result":false}"#).unwrap(), NextAction::Await);
    assert_eq!(counter(r#"{"result_code":0,"channel_type":"WX_SCAN"}"#).unwrap(), NextAction::Await);
    assert_eq!(counter(r#"{"result_code":14,"result_msg":"RUNTIME_ERROR"}"#).unwrap(), NextAction::Await);
    let e = counter(r#"{"result_code":5,"result_msg":"PARAM_INVALID","err_detail":"auth_code 不合法"}"#).unwrap_err();
    assert_eq!(e.gateway_message.as_deref(), Some("auth_code 不合法"));
}

#[test]
fn hostile_answers_are_errors() {
    let policy = UrlPolicy::default();
    for text in ["[]", "null", "\"x\"", r#"{"result_code":{}}"#, r#"{"code_url":"x"}"#, r#"{"result_code":1e400}"#] {
        let p = params(Mode::Qr, Channel::Wechat);
        let e = BeeCloud.parse_create(&p, &body(text), &policy).unwrap_err();
        assert!(matches!(e.code, ErrorCode::InvalidPayload | ErrorCode::GatewayError), "{text}: {e:?}");
        assert!(BeeCloud.parse_query(&body(text)).is_err(), "{text}");
    }
    let e = BeeCloud.parse_query(&body(r#"{"result_code":"99999999999999999999999"}"#)).unwrap_err();
    assert_eq!(e.reason, Reason::Unknown);
    assert_eq!(BeeCloud.parse_refund_query(&body(r#"{"result_code":0,"bills":{}}"#)).unwrap_err().code, ErrorCode::InvalidPayload);
}

/// `SCAN` answers `channel_type` (seed L107-L111): the wallet the flow keeps.
#[test]
fn a_scan_answer_names_its_wallet() {
    let scan = params(Mode::Counter, Channel::Any);
    assert_eq!(BeeCloud.wallet_of(&scan, &body(r#"{"result_code":0,"channel_type":"WX_SCAN"}"#)), Some(Channel::Wechat));
    assert_eq!(BeeCloud.wallet_of(&scan, &body(r#"{"result_code":0,"channel_type":"ALI_SCAN"}"#)), Some(Channel::Alipay));
    assert_eq!(BeeCloud.wallet_of(&scan, &body(r#"{"result_code":0,"channel_type":"BC_ALI_SCAN"}"#)), Some(Channel::Alipay));
    assert_eq!(BeeCloud.wallet_of(&scan, &body(r#"{"result_code":0,"channel_type":"UN_SCAN"}"#)), None);
    assert_eq!(BeeCloud.wallet_of(&scan, &body(r#"{"result_code":0,"pay_result":false}"#)), None);
    assert_eq!(BeeCloud.wallet_of(&params(Mode::Qr, Channel::Wechat), &body(r#"{"channel_type":"WX_SCAN"}"#)), None);
    // The kept wallet makes status name the barcode channel (its list has no SCAN).
    assert_eq!(BeeCloud.query_request(&order(Mode::Counter, Channel::Alipay)).unwrap().params.text("channel"), Some("ALI_SCAN"));
}

#[test]
fn query_and_cancel_requests() {
    let q = BeeCloud.query_request(&order(Mode::Qr, Channel::Wechat)).unwrap();
    assert_eq!((q.path.as_str(), q.params.to_json()), (STATUS_PATH, r#"{"bill_no":"201506101035040000001","channel":"WX_NATIVE"}"#.to_owned()));
    let q = BeeCloud.query_request(&order(Mode::Counter, Channel::Any)).unwrap();
    assert_eq!(q.params.to_json(), r#"{"bill_no":"201506101035040000001"}"#);
    let c = BeeCloud.cancel_request(&order(Mode::Qr, Channel::Wechat)).unwrap();
    assert_eq!(c.path, "/2/rest/offline/bill/201506101035040000001");
    assert_eq!(c.params.to_json(), r#"{"method":"REVERT","bill_no":"201506101035040000001"}"#);
    let c = BeeCloud.cancel_request(&order(Mode::Counter, Channel::Alipay)).unwrap();
    assert_eq!(c.params.text("channel"), Some("ALI_SCAN"));
    assert_eq!(BeeCloud.endpoint(&c.path, None).map(|e| e.operation), Some(Operation::Cancel));
    assert_eq!(BeeCloud.endpoint(STATUS_PATH, None).map(|e| e.operation), Some(Operation::Query));
    let r = BeeCloud.refund_query_request(&order(Mode::Qr, Channel::Wechat), Some("20150610001")).unwrap();
    assert_eq!((r.http, r.path.as_str()), (HttpMethod::Get, BILLS_PATH));
    let mut bad = order(Mode::Qr, Channel::Wechat);
    bad.out_trade_no = "status".into();
    assert!(BeeCloud.cancel_request(&bad).is_err());
}

#[test]
fn endpoints_for_the_proxy() {
    let refund = BeeCloud.endpoint(REFUND_PATH, None).unwrap();
    assert!(!refund.browser);
    assert!(BeeCloud.endpoints().iter().filter(|e| e.path != REFUND_PATH).all(|e| e.browser && e.order_ref == Some("bill_no")));
    assert_eq!(BeeCloud.endpoint(BILL_PATH, None).unwrap().amount_field, Some("total_fee"));
    assert_eq!(BeeCloud.endpoint(BILLS_PATH, None).unwrap().encoding, Encoding::JsonInPara);
    for f in ["app_id", "timestamp", "app_sign", "notify_url", "total_fee", "master_secret"] {
        assert!(BeeCloud.server_owned_fields().contains(&f), "{f}");
    }
    assert!(BeeCloud.endpoint("/2/rest/offline/bill/a/b", None).is_none());
}

#[test]
fn status_revert_and_bills_answers() {
    let q = |t: &str| BeeCloud.parse_query(&body(t)).unwrap();
    assert_eq!(q(r#"{"result_code":0,"pay_result":true}"#).state, PayState::Succeeded);
    assert_eq!(q(r#"{"result_code":0,"pay_result":"false"}"#).state, PayState::Pending);
    assert_eq!(q(r#"{"result_code":0}"#).state, PayState::Unknown);
    assert_eq!(q(r#"{"result_code":7}"#), OrderStatus::new(PayState::Unknown, "7"));
    let bill = q(r#"{"result_code":0,"bills":[{"bill_no":"201506101035040000001","total_fee":1,"trade_no":"4001","spay_result":true}]}"#);
    assert_eq!((bill.state, bill.amount, bill.transaction_id.as_deref()), (PayState::Succeeded, Some(1), Some("4001")));
    assert_eq!(q(r#"{"result_code":0,"bills":[{"spay_result":true,"revert_result":true}]}"#).state, PayState::Cancelled);
    assert_eq!(q(r#"{"result_code":0,"bills":[]}"#).state, PayState::Unknown);

    let c = |t: &str| BeeCloud.parse_cancel(&body(t)).unwrap();
    assert_eq!(c(r#"{"result_code":0,"revert_status":true}"#).state, PayState::Cancelled);
    assert_eq!(c(r#"{"result_code":0,"revert_result":true}"#).state, PayState::Cancelled);
    assert_eq!(c(r#"{"result_code":0,"revert_status":false}"#).state, PayState::Unknown);
    assert_eq!(BeeCloud.parse_cancel(&body(r#"{"result_code":3,"result_msg":"CHANNEL_INVALID"}"#)).unwrap_err().reason, Reason::BadRequest);

    let r = |t: &str| BeeCloud.parse_refund_query(&body(t)).unwrap();
    assert_eq!(r(r#"{"result_code":0,"bills":[{"refund_result":true,"total_fee":1}]}"#).len(), 1);
    assert!(r(r#"{"result_code":0,"bills":[{"refund_result":false}]}"#).is_empty());
    assert_eq!(r(r#"{"result_code":14}"#)[0].state, RefundState::Unknown);
}

#[cfg(feature = "signing")]
mod wire_tests {
    use super::*;
    use crate::gateway::beecloud::wire::{app_sign, webhook_sign};
    use crate::gateway::wire::{GatewayWire, Secrets, WireRequest};

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
        let mut p = req.params.clone();
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
        let wire = BeeCloud.encode_request(ep(BILLS_PATH), BILLS_PATH, &req.params, &secrets(), TS).unwrap();
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
            let wire = BeeCloud.encode_request(ep(&req.path), &req.path, &req.params, secrets, TS).unwrap();
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
        let refused = BeeCloud.encode_request(ep(BILL_PATH), BILL_PATH, &wechat.params, &wrong, TS).unwrap_err();
        assert_eq!(refused.code, ErrorCode::ProxyError, "a misspelt setting is a configuration error, not a silent default");
    }

    #[test]
    fn revert_keeps_bill_no_in_the_path() {
        let req = BeeCloud.cancel_request(&order(Mode::Counter, Channel::Wechat)).unwrap();
        let endpoint = ep(&req.path);
        let wire = BeeCloud.encode_request(endpoint, &req.path, &req.params, &secrets(), TS).unwrap();
        assert_eq!(wire.path_and_query, "/2/rest/offline/bill/201506101035040000001");
        let sent = String::from_utf8_lossy(&wire.body).into_owned();
        assert!(!sent.contains("bill_no") && sent.contains(r#""method":"REVERT""#));
        let back = BeeCloud.decode_request(endpoint, &wire, &secrets(), TS).unwrap();
        assert_eq!(back.text("bill_no"), Some("201506101035040000001"));
        let other = body(r#"{"method":"REVERT","bill_no":"OTHERBILL0001"}"#);
        assert!(BeeCloud.encode_request(endpoint, &req.path, &other, &secrets(), TS).is_err());
        assert!(BeeCloud.encode_request(endpoint, STATUS_PATH, &req.params, &secrets(), TS).is_err());
        assert!(BeeCloud.encode_request(endpoint, BILL_PATH, &req.params, &secrets(), TS).is_err());
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
}

#[test]
fn refund_request_and_refund_number_rule() {
    let r = BeeCloud.refund_request(&order(Mode::Qr, Channel::Wechat), "20150610001", 1, 1).unwrap();
    assert_eq!((r.path.as_str(), r.operation, r.params.text("refund_no"), r.params.int("refund_fee")), (REFUND_PATH, Operation::Refund, Some("20150610001"), Some(1)));
    for bad in ["2015061000", "20150610000123", "2015061x001", "20150610001-"] {
        assert_eq!(BeeCloud.refund_request(&order(Mode::Qr, Channel::Wechat), bad, 1, 1).unwrap_err().code, ErrorCode::InvalidArgument, "{bad}");
    }
    assert!(!BeeCloud.endpoint(REFUND_PATH, None).unwrap().browser);
}
