use super::codes::{pay_state, refund_state, WechatError};
use super::*;
use crate::error::Reason;
use crate::model::{NextAction, PayState, RefundState};

fn params(mode: Mode, channel: Channel) -> CreateParams {
    let mut p = CreateParams::new(mode, channel, "SHOP20240001");
    p.subject = Some("测试商品".into());
    p
}

fn order(channel: Channel, mode: Mode, id: Option<&str>) -> OrderRef {
    OrderRef { out_trade_no: "SHOP20240001".into(), channel, mode, gateway_order_id: id.map(str::to_owned) }
}

fn keys(req: &GatewayRequest) -> Vec<String> {
    req.params.value().members().unwrap_or(&[]).iter().map(|(k, _)| k.clone()).collect()
}

fn json(text: &str) -> Value {
    crate::json::parse(text).expect("test JSON")
}

#[test]
fn every_mode_goes_to_its_path_with_its_fields() {
    let mut cases: Vec<(CreateParams, &str, Vec<&str>)> = Vec::new();
    cases.push((params(Mode::Qr, Channel::Wechat), "/order/scanned_pay", vec!["agent_order_id", "product_info"]));
    let mut p = params(Mode::Counter, Channel::Wechat);
    p.auth_code = Some("135605691981176449".into());
    cases.push((p, "/order/scan_pay", vec!["agent_order_id", "product_info", "auth_code"]));
    let mut p = params(Mode::Jsapi, Channel::Wechat);
    p.openid = Some("o1".into());
    cases.push((p.clone(), "/order/jsapi_pay", vec!["agent_order_id", "product_info", "openid"]));
    p.mini_program = true;
    cases.push((p.clone(), "/order/mini_program_pay", vec!["agent_order_id", "product_info", "openid"]));
    p.sub_appid = Some("wx1".into());
    cases.push((p, "/order/mini_program_pay", vec!["agent_order_id", "product_info", "openid", "appid"]));
    let mut p = params(Mode::App, Channel::Wechat);
    p.sub_appid = Some("wx1".into());
    cases.push((p, "/order/app_pay", vec!["agent_order_id", "product_info", "appid"]));
    let mut p = params(Mode::Cashier, Channel::Wechat);
    p.return_url = Some("https://shop.example.com/r".into());
    cases.push((p.clone(), "/order/pc_desk", vec!["agent_order_id", "product_info", "return_url"]));
    p.sub_appid = Some("wx1".into());
    cases.push((p, "/order/mp_desk", vec!["agent_order_id", "product_info", "return_url"]));
    cases.push((params(Mode::Qr, Channel::Alipay), "/alipay/qrcode_pay", vec!["out_order_no", "subject"]));
    let mut p = params(Mode::Cashier, Channel::Alipay);
    p.return_url = Some("https://shop.example.com/r".into());
    cases.push((p.clone(), "/alipay/pc_desk", vec!["out_order_no", "subject", "return_url"]));
    p.mode = Mode::Wap;
    cases.push((p, "/alipay/wap_pay", vec!["out_order_no", "subject", "return_url"]));
    let mut p = params(Mode::Counter, Channel::Alipay);
    p.auth_code = Some("281234567890123456".into());
    cases.push((p, "/alipay/scan_pay", vec!["out_order_no", "subject", "auth_code"]));
    cases.push((params(Mode::App, Channel::Alipay), "/alipay/app_pay", vec!["out_order_no", "subject"]));

    for (p, path, fields) in cases {
        let req = HipoPay.create_request(&p).expect(path);
        assert_eq!(req.path, path);
        assert_eq!((req.http, req.operation), (HttpMethod::Post, Operation::Create));
        assert_eq!(keys(&req), fields, "{path}");
        assert!(keys(&req).iter().all(|k| !HipoPay.server_owned_fields().contains(&k.as_str())), "{path} sends a server-owned field");
        let endpoint = HipoPay.endpoint(path, None).expect("create path on the allowlist");
        assert_eq!((endpoint.encoding, endpoint.operation, endpoint.amount_field), (Encoding::Form, Operation::Create, Some("amount")));
        assert_eq!(req.params.value().text(endpoint.order_ref.unwrap_or("")), Some("SHOP20240001"));
        assert!(HipoPay.supports(p.mode, p.channel));
    }
}

#[test]
fn endpoints_are_consistent() {
    for e in HipoPay.endpoints() {
        let expected = if e.http == HttpMethod::Get { Encoding::Query } else { Encoding::Form };
        assert_eq!(e.encoding, expected, "{}", e.path);
    }
    for (path, _) in CHOSEN_PATHS {
        assert!(HipoPay.endpoint(path, None).is_some(), "{path} is chosen but not allowlisted");
    }
    for field in ["merchant_no", "currency", "amount", "notify_url", "ip"] {
        assert!(HipoPay.server_owned_fields().contains(&field));
    }
}

#[test]
fn missing_or_bad_arguments_are_refused() {
    let refused = |p: &CreateParams| HipoPay.create_request(p).unwrap_err().code;
    assert_eq!(refused(&params(Mode::Jsapi, Channel::Wechat)), ErrorCode::InvalidArgument);
    assert_eq!(refused(&params(Mode::Wap, Channel::Alipay)), ErrorCode::InvalidArgument);
    assert_eq!(refused(&params(Mode::Cashier, Channel::Alipay)), ErrorCode::InvalidArgument);
    assert_eq!(refused(&params(Mode::Cashier, Channel::Wechat)), ErrorCode::InvalidArgument);
    assert_eq!(refused(&params(Mode::Counter, Channel::Wechat)), ErrorCode::InvalidArgument);
    assert_eq!(refused(&params(Mode::App, Channel::Wechat)), ErrorCode::InvalidArgument);
    let mut p = params(Mode::Counter, Channel::Wechat);
    p.auth_code = Some("13560569<script>".into());
    assert_eq!(refused(&p), ErrorCode::InvalidArgument);
    let mut p = params(Mode::Qr, Channel::Wechat);
    p.out_trade_no = "a&b=c".into();
    assert_eq!(refused(&p), ErrorCode::InvalidArgument);
    assert_eq!(refused(&params(Mode::H5, Channel::Wechat)), ErrorCode::Unsupported);
    assert_eq!(refused(&params(Mode::Jsapi, Channel::Alipay)), ErrorCode::Unsupported);
    assert_eq!(refused(&params(Mode::Qr, Channel::Unionpay)), ErrorCode::Unsupported);
    assert_eq!(refused(&params(Mode::Counter, Channel::Any)), ErrorCode::Unsupported);
    assert!(!HipoPay.supports(Mode::Counter, Channel::Any));
    assert!(!HipoPay.supports(Mode::H5, Channel::Wechat));
}

#[test]
fn any_channel_resolves_only_where_the_mode_decides() {
    let mut p = params(Mode::Jsapi, Channel::Any);
    p.openid = Some("o1".into());
    assert_eq!(HipoPay.create_request(&p).map(|r| r.path), Ok("/order/jsapi_pay".to_owned()));
    assert_eq!(HipoPay.query_request(&order(Channel::Any, Mode::Jsapi, None)).map(|r| r.path), Ok("/order".to_owned()));
    assert_eq!(HipoPay.query_request(&order(Channel::Any, Mode::Wap, None)).map(|r| r.path), Ok("/alipay/order".to_owned()));
    assert_eq!(HipoPay.query_request(&order(Channel::Any, Mode::Qr, None)).unwrap_err().code, ErrorCode::InvalidArgument);
    assert!(HipoPay.supports(Mode::Wap, Channel::Any));
}

#[test]
fn a_missing_subject_falls_back_to_the_order_number() {
    let mut p = params(Mode::Qr, Channel::Alipay);
    p.subject = Some("  ".into());
    assert_eq!(HipoPay.create_request(&p).unwrap().params.value().text("subject"), Some("SHOP20240001"));
}

#[test]
fn queries_pick_the_wallet_and_name_the_order_both_ways() {
    let q = HipoPay.query_request(&order(Channel::Wechat, Mode::Qr, Some("2017062313070231980966651"))).unwrap();
    assert_eq!((q.path.as_str(), q.http, q.operation), ("/order", HttpMethod::Get, Operation::Query));
    assert_eq!(q.params.value().text("agent_order_id"), Some("SHOP20240001"));
    assert_eq!(q.params.value().text("order_no"), Some("2017062313070231980966651"));
    let q = HipoPay.query_request(&order(Channel::Alipay, Mode::Qr, None)).unwrap();
    assert_eq!(q.path, "/alipay/order");
    assert_eq!(keys(&q), vec!["out_order_no"]);

    let r = HipoPay.refund_query_request(&order(Channel::Wechat, Mode::Qr, None), Some("2017073101")).unwrap();
    assert_eq!((r.path.as_str(), r.operation), ("/refund", Operation::RefundQuery));
    assert_eq!(keys(&r), vec!["agent_order_id", "outer_refund_no"], "the merchant's refund number");
    let r = HipoPay.refund_query_request(&order(Channel::Alipay, Mode::Qr, Some("2018")), None).unwrap();
    assert_eq!(r.path, "/alipay/refund");
    assert_eq!(keys(&r), vec!["outer_order_no", "payment_no"]);
    for req in [&q, &r] {
        let e = HipoPay.endpoint(&req.path, None).unwrap();
        assert_eq!(e.encoding, Encoding::Query);
        assert!(req.params.value().text(e.order_ref.unwrap()).is_some());
    }
}

#[test]
fn cancel_is_unsupported() {
    let e = HipoPay.cancel_request(&order(Channel::Wechat, Mode::Qr, None)).unwrap_err();
    assert_eq!((e.code, e.gateway), (ErrorCode::Unsupported, Some(Gateway::HipoPay)));
    assert!(HipoPay.endpoints().iter().all(|e| e.operation != Operation::Cancel));
}

#[test]
fn codes_parse_map_and_round_trip() {
    for raw in ["200", "400", "401", "403", "404", "411", "500", "503", "555", "418"] {
        assert_eq!(HipoPayCode::parse(raw).as_str(), raw);
    }
    assert_eq!(HipoPayCode::parse("401").reason(), Reason::Signature);
    assert_eq!(HipoPayCode::parse("411").reason(), Reason::StaleRequest);
    assert_eq!(HipoPayCode::parse("404").reason(), Reason::OrderNotFound);
    assert_eq!(HipoPayCode::parse("418").reason(), Reason::Unknown);
    assert_eq!(HipoPayCode::parse("504").reason(), Reason::Busy);
    for unknown in ["500", "503", "555", "502"] {
        assert!(HipoPayCode::parse(unknown).is_outcome_unknown(), "{unknown}");
    }
    for definite in ["400", "401", "404", "411", "abc", ""] {
        assert!(!HipoPayCode::parse(definite).is_outcome_unknown(), "{definite}");
    }
    // Read as an integer would: sign, leading zeros and junk as `parse::<u16>` takes them.
    for raw in ["+555", "0503", "00599", "+0500", " 501 ", "600", "499", "0", "+", "++555", "-555", "5555", "65536", "5a5", "50"] {
        assert_eq!(HipoPayCode::parse(raw).is_outcome_unknown(), matches!(raw.trim().parse::<u16>(), Ok(500..=599)), "{raw:?}");
    }
    assert_eq!(HipoPayCode::parse("411").http_status(), 411);
    assert_eq!(HipoPayCode::parse("nonsense").http_status(), 500);
}

#[test]
fn code_555_carries_the_wechat_error_as_json_text() {
    let wx = WechatError::parse(r#"{"wx_code":"NOTENOUGH","wx_message":"余额不足"}"#);
    assert_eq!((wx.code(), wx.message()), (Some("NOTENOUGH"), Some("余额不足")));
    assert_eq!(wx.reason(), Reason::PaymentDeclined);
    assert!(!wx.is_outcome_unknown());
    let plain = WechatError::parse("微信服务错误");
    assert_eq!((plain.code(), plain.message()), (None, Some("微信服务错误")));
    assert!(plain.is_outcome_unknown());

    let body = json(r#"{"meta":{"status_code":555,"message":"{\"wx_code\":\"ORDERPAID\",\"wx_message\":\"订单已支付\"}","success":false}}"#);
    let e = HipoPay.parse_create(&params(Mode::Qr, Channel::Wechat), &body, &UrlPolicy::default()).unwrap_err();
    assert_eq!((e.code, e.reason, e.gateway_code.as_deref(), e.gateway_message.as_deref()), (ErrorCode::GatewayError, Reason::OrderPaid, Some("555"), Some("订单已支付")));
}

#[test]
fn amounts_convert_exactly() {
    let hkd = Some("HKD");
    assert_eq!(amount_to_minor("100", hkd), Some(10000));
    assert_eq!(amount_to_minor("0.10", hkd), Some(10));
    assert_eq!(amount_to_minor("0.1", hkd), Some(10));
    assert_eq!(amount_to_minor("46.440", None), Some(4644));
    assert_eq!(amount_to_minor(" 1 ", hkd), Some(100));
    assert_eq!(amount_to_minor("0.877", hkd), None);
    assert_eq!(amount_to_minor("1500", Some("jpy")), Some(1500));
    assert_eq!(amount_to_minor("1500.5", Some("JPY")), None);
    for bad in ["", "-1", "1e3", "1.2.3", "abc", ".5", "9999999999999999", "12345678901234567890123"] {
        assert_eq!(amount_to_minor(bad, hkd), None, "{bad}");
    }
    assert_eq!(amount_to_minor("999999999999999", hkd), Some(99_999_999_999_999_900));
    assert_eq!(minor_to_amount(10000, hkd).as_deref(), Some("100.00"));
    assert_eq!(minor_to_amount(5, hkd).as_deref(), Some("0.05"));
    assert_eq!(minor_to_amount(1500, Some("KRW")).as_deref(), Some("1500"));
    assert_eq!(minor_to_amount(-1, hkd), None);
    for minor in [0, 1, 99, 100, 123_456] {
        assert_eq!(minor_to_amount(minor, hkd).and_then(|a| amount_to_minor(&a, hkd)), Some(minor));
    }
}

#[test]
fn states_follow_the_seed_tables() {
    assert_eq!(pay_state("INIT", None, false), PayState::Pending);
    assert_eq!(pay_state("PAID", Some("None"), false), PayState::Succeeded);
    assert_eq!(pay_state("PAID", Some("NONE"), false), PayState::Succeeded);
    assert_eq!(pay_state("PAID", Some("full"), false), PayState::Refunded);
    assert_eq!(pay_state("PAID", None, true), PayState::Refunded);
    assert_eq!(pay_state("FAIL", Some("PART"), false), PayState::Failed);
    assert_eq!(pay_state("EXPIRED", None, false), PayState::Closed);
    assert_eq!(pay_state("", None, false), PayState::Unknown);
    assert_eq!(refund_state("SUCCESS"), RefundState::Succeeded);
    assert_eq!(refund_state("PROCESSING"), RefundState::Processing);
    assert_eq!(refund_state("FAIL"), RefundState::Failed);
    assert_eq!(refund_state("???"), RefundState::Unknown);
}

#[test]
fn order_numbers_stay_text() {
    let body = json(r#"{"meta":{"status_code":200,"message":"","success":true},"data":{"code_url":"weixin://x","order":{"no":2017062312381442716795237,"status":"INIT"}}}"#);
    let created = HipoPay.parse_create(&params(Mode::Qr, Channel::Wechat), &body, &UrlPolicy::default()).unwrap();
    assert_eq!(created.gateway_order_id.as_deref(), Some("2017062312381442716795237"));
    let mini = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/hipopay/wechat-mini-program-pay-4.4-L242.json")).unwrap();
    let mut p = params(Mode::Jsapi, Channel::Wechat);
    p.mini_program = true;
    p.sub_appid = Some("wx1".into());
    let created = HipoPay.parse_create(&p, &json(&mini), &UrlPolicy::default()).unwrap();
    assert_eq!(created.gateway_order_id.as_deref(), Some("2017062317201074212938080"));
    match created.action {
        NextAction::WechatJsapi { params } => assert_eq!((params.app_id.as_str(), params.package.as_str()), ("wx1", "prepay_id=wc1312341312312")),
        other => panic!("expected wechatJsapi, got {other:?}"),
    }
}

#[test]
fn hostile_bodies_are_errors_not_panics() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(crate::gateway::parse_body(&deep).unwrap_err().code, ErrorCode::InvalidPayload);
    let policy = UrlPolicy::default();
    for text in [
        "[]",
        "null",
        r#"{"meta":[]}"#,
        r#"{"meta":{}}"#,
        r#"{"meta":{"status_code":200,"success":true},"data":[]}"#,
        r#"{"meta":{"status_code":200,"success":true},"data":{"order":{"status":"PAID","amount":"1e999999"}}}"#,
        r#"{"meta":{"status_code":200,"success":true},"data":{"code_url":"a\u0000b"}}"#,
    ] {
        let body = json(text);
        for mode in Mode::ALL {
            for channel in [Channel::Wechat, Channel::Alipay] {
                let mut p = params(mode, channel);
                p.return_url = Some("https://shop.example.com/r".into());
                let _ = HipoPay.parse_create(&p, &body, &policy);
            }
        }
        let _ = HipoPay.parse_query(&body);
        let _ = HipoPay.parse_refund_query(&body);
        let _ = parse_rate(&body);
    }
    let huge = json(r#"{"meta":{"status_code":200,"success":true},"data":{"order":{"status":"PAID","amount":"1e999999"}}}"#);
    assert_eq!(HipoPay.parse_query(&huge).unwrap().amount, None);
    let nul = json(r#"{"meta":{"status_code":200,"success":true},"data":{"code_url":"a\u0000b"}}"#);
    assert_eq!(HipoPay.parse_create(&params(Mode::Qr, Channel::Wechat), &nul, &policy).unwrap_err().code, ErrorCode::InvalidPayload);
}

#[test]
fn counter_created_paid_is_done() {
    let body = json(
        r#"{"meta":{"status_code":"200","message":"请求成功","success":"true"},"data":{"order":{"payment_no":"2017062312381442716795237","status":"PAID","amount":"0.10","currency":"HKD"}}}"#,
    );
    let mut p = params(Mode::Counter, Channel::Alipay);
    p.auth_code = Some("281234567890123456".into());
    let created = HipoPay.parse_create(&p, &body, &UrlPolicy::default()).unwrap();
    match created.action {
        NextAction::Done { status } => assert_eq!((status.state, status.amount), (PayState::Succeeded, Some(10))),
        other => panic!("expected done, got {other:?}"),
    }
    assert_eq!(created.gateway_order_id.as_deref(), Some("2017062312381442716795237"));
}

#[test]
fn parsing_refuses_modes_hipopay_does_not_offer() {
    let body = json(r#"{"meta":{"status_code":200,"success":true},"data":{"url":"https://qr.alipay.com/x"}}"#);
    for (mode, channel) in [(Mode::H5, Channel::Wechat), (Mode::Jsapi, Channel::Alipay), (Mode::H5, Channel::Any), (Mode::Qr, Channel::Unionpay)] {
        let e = HipoPay.parse_create(&params(mode, channel), &body, &UrlPolicy::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::Unsupported, "{mode:?} {channel:?}");
    }
}

#[test]
fn rates_read_both_shapes() {
    let read = |file: &str| {
        let text = std::fs::read_to_string(format!("{}/fixtures/hipopay/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        parse_rate(&json(&text)).unwrap()
    };
    assert_eq!(read("wechat-rate-4.11-L546.json"), Rate { currency: "USD".into(), rate: "6.8575".into() });
    assert_eq!(read("alipay-rate-6.8-L992.json"), Rate { currency: "HKD".into(), rate: "0.860000".into() });
    let refused = json(r#"{"meta":{"status_code":403,"message":"Forbidden","success":false}}"#);
    assert_eq!(parse_rate(&refused).unwrap_err().reason, Reason::Credentials);
}

/// The JS `parseCreateResponse` knows only the mode and the channel: every
/// fixture must read the same with and without the case's create params.
#[test]
fn fixture_outcomes_do_not_depend_on_create_params() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/");
    let cases: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!("{dir}hipopay/cases.json")).unwrap()).unwrap();
    let policy = UrlPolicy { sandbox_hosts: vec!["127.0.0.1:8080".into()], extra_domains: vec![] };
    let mut checked = 0;
    for case in cases.as_array().unwrap().iter().filter(|c| c["op"] == "create") {
        let text = match case["body"].as_str() {
            Some(file) => std::fs::read_to_string(format!("{dir}{file}")).unwrap(),
            None => case["bodyText"].as_str().unwrap().to_owned(),
        };
        let Ok(body) = crate::json::parse(&text) else { continue };
        let bare = CreateParams::new(Mode::parse(case["mode"].as_str().unwrap()).unwrap(), Channel::parse(case["channel"].as_str().unwrap()).unwrap(), "");
        let mut full = bare.clone();
        let param = |k: &str| case["params"][k].as_str().map(str::to_owned);
        (full.openid, full.sub_appid, full.auth_code, full.return_url) = (param("openid"), param("subAppid"), param("authCode"), param("returnUrl"));
        full.mini_program = case["params"]["miniProgram"].as_bool().unwrap_or(false);
        let outcome = |p: &CreateParams| HipoPay.parse_create(p, &body, &policy).map(|c| c.action).map_err(|e| (e.code, e.gateway_code.clone()));
        assert_eq!(outcome(&bare), outcome(&full), "{}", case["name"]);
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} create cases");
}

#[test]
fn refunds_go_to_4_8_or_6_6_by_wallet_and_name_hipopays_order() {
    let r = HipoPay.refund_request(&order(Channel::Wechat, Mode::Qr, Some("2017062015040461510")), "RF1", 10, 100).unwrap();
    assert_eq!((r.path.as_str(), r.http, r.operation), ("/refund", HttpMethod::Post, Operation::Refund));
    assert_eq!(keys(&r), ["order_no", "outer_refund_no", "refund_amount"]);
    assert_eq!(r.params.value().text("refund_amount"), Some("10"), "minor units: the wire writes the decimal");
    let r = HipoPay.refund_request(&order(Channel::Alipay, Mode::Qr, Some("2017062015040461510")), "RF1", 10, 100).unwrap();
    assert_eq!((r.path.as_str(), keys(&r)[0].as_str()), ("/alipay/refund", "payment_no"));
    assert!(HipoPay.refund_request(&order(Channel::Wechat, Mode::Qr, None), "RF1", 10, 100).is_err(), "HipoPay's order number is required");
    assert!(HipoPay.refund_request(&order(Channel::Wechat, Mode::Qr, Some("1")), "RF1", 101, 100).is_err());
    let refund = HipoPay.endpoint_for("/refund", None, HttpMethod::Post).unwrap();
    let query = HipoPay.endpoint_for("/refund", None, HttpMethod::Get).unwrap();
    assert_eq!((refund.operation, refund.browser, query.operation), (Operation::Refund, false, Operation::RefundQuery));
    assert_eq!(HipoPay.endpoint("/refund", None).unwrap().operation, Operation::RefundQuery, "a path-only lookup (the browser's) finds the query");
}

/// Issue 14 item 5: HipoPay's paths differ by wallet, but its answers do not
/// need the wallet to be read — a QR, Alipay's QR page, an app payload and
/// an error answer read the same with the channel left at `any`.
#[test]
fn answers_read_without_being_told_the_wallet() {
    let policy = UrlPolicy::default();
    let read = |mode: Mode, text: &str| HipoPay.parse_create(&params(mode, Channel::Any), &json(text), &policy);
    let wechat_qr =
        r#"{"meta":{"status_code":200,"success":true},"data":{"code_url":"weixin://wxpay/bizpayurl?pr=3CaDEKX","order":{"no":"2017062312381442716795237","status":"INIT"}}}"#;
    let created = read(Mode::Qr, wechat_qr).unwrap();
    assert_eq!(created.action, NextAction::Qr { content: "weixin://wxpay/bizpayurl?pr=3CaDEKX".into(), expires_at: None });
    assert_eq!(created.gateway_order_id.as_deref(), Some("2017062312381442716795237"));
    let alipay_qr = r#"{"meta":{"status_code":200,"success":true},"data":{"qrcode":"https://qr.alipay.com/bax04448a1pogrhduko280d3"}}"#;
    assert_eq!(read(Mode::Qr, alipay_qr).unwrap().action, NextAction::Qr { content: "https://qr.alipay.com/bax04448a1pogrhduko280d3".into(), expires_at: None });
    let alipay_page = r#"{"meta":{"status_code":200,"success":true},"data":{"url":"https://mapi.alipay.com/gateway.do?service=create_forex_trade&sign=x"}}"#;
    assert!(matches!(read(Mode::Qr, alipay_page).unwrap().action, NextAction::Iframe { .. }));
    let prepay = r#"{"meta":{"status_code":200,"success":true},"data":{"prepay_string":"partner=\"2088\"&sign=\"x\"&sign_type=\"RSA\""}}"#;
    assert!(matches!(read(Mode::App, prepay).unwrap().action, NextAction::App { provider: crate::model::AppProvider::Alipay, .. }));
    let refused = r#"{"meta":{"status_code":401,"message":"Unauthorized","success":false},"data":{}}"#;
    for mode in [Mode::Qr, Mode::Counter, Mode::App, Mode::Cashier] {
        let e = read(mode, refused).unwrap_err();
        assert_eq!((e.code, e.gateway_code.as_deref()), (ErrorCode::GatewayError, Some("401")), "{mode:?}");
    }
}

/// Issue 14 item 5: the prepay parameters are signed by WeChat; a
/// `timeStamp` of another length or form goes to the wallet as it came.
#[test]
fn signed_timestamps_pass_verbatim() {
    let policy = UrlPolicy::default();
    for stamp in ["1509692687123", "1509692687.12", "2017-06-22T21:29:47"] {
        let mini = format!(
            r#"{{"meta":{{"status_code":200,"success":true}},"data":{{"timeStamp":"{stamp}","prepay_id":"wc1","nonceStr":"n","paySign":"55511808baf7f301b5270d7334a4cec0","order_no":"1"}}}}"#
        );
        let mut p = params(Mode::Jsapi, Channel::Wechat);
        p.mini_program = true;
        match HipoPay.parse_create(&p, &json(&mini), &policy).unwrap().action {
            NextAction::WechatJsapi { params } => assert_eq!(params.time_stamp, stamp),
            other => panic!("expected wechatJsapi, got {other:?}"),
        }
        let app = format!(
            r#"{{"meta":{{"status_code":200,"success":true}},"data":{{"appid":"wx1","partnerId":"4","prepayId":"wx13","packageValue":"Sign=WXPay","nonceStr":"7","timeStamp":"{stamp}","sign":"46"}}}}"#
        );
        match HipoPay.parse_create(&params(Mode::App, Channel::Wechat), &json(&app), &policy).unwrap().action {
            NextAction::App { payload, .. } => assert_eq!(payload.text("timeStamp"), Some(stamp)),
            other => panic!("expected app, got {other:?}"),
        }
    }
}

/// 4.4 step 2 (seed L230-L239): the code → openid answer, and its refusals.
#[test]
fn the_openid_answer_reads_as_printed() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/hipopay/wechat-openid-4.4-L230.json")).unwrap();
    assert_eq!(parse_openid(&json(&text)).as_deref(), Ok("kxc13i13J123"));
    let expired = json(r#"{"meta":{"status_code":555,"message":"{\"wx_code\":\"40029\",\"wx_message\":\"invalid code\"}","success":false}}"#);
    assert_eq!(parse_openid(&expired).unwrap_err().code, ErrorCode::GatewayError);
    assert_eq!(parse_openid(&json(r#"{"meta":{"status_code":200,"success":true},"data":{}}"#)).unwrap_err().code, ErrorCode::InvalidPayload);
    let req = openid_request(" 0a3Xkl000sandbox ", "SHOP20240001").unwrap();
    assert_eq!(keys(&req), ["agent_order_id", "code"]);
    assert_eq!(req.params.value().text("code"), Some("0a3Xkl000sandbox"));
    for (code, order) in [("", "SHOP1"), ("a b", "SHOP1"), ("c", "bad/no")] {
        assert_eq!(openid_request(code, order).unwrap_err().code, ErrorCode::InvalidArgument, "{code:?} {order:?}");
    }
}
