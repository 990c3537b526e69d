//! Protocol tests: the requests each checkout step builds, the allowlist,
//! and hostile input. The seed's answers are covered by
//! `fixtures/chaoying/cases.json` (run by `tests/fixtures.rs`).

use super::*;
use crate::error::ErrorCode;
use crate::model::{AppProvider, PayState};

fn params(mode: Mode, channel: Channel) -> CreateParams {
    let mut p = CreateParams::new(mode, channel, "A100011");
    p.subject = Some("超赢支付聚合支付".into());
    p.openid = Some("oRA5quGvJc1wwwjMW-tnpLLqD-FM".into());
    p.sub_appid = Some("wxaee08d155d9de0c5".into());
    p
}

fn order(channel: Channel) -> OrderRef {
    OrderRef { out_trade_no: "1497769914931".into(), channel, mode: Mode::Qr, gateway_order_id: None }
}

fn text(r: &GatewayRequest, key: &str) -> Option<String> {
    r.params.value().text(key).map(str::to_owned)
}

#[test]
fn wechat_jsapi_pre_order_carries_the_payer_and_appid() {
    let r = ChaoYing.create_request(&params(Mode::Jsapi, Channel::Wechat)).unwrap();
    assert_eq!(r.path, WECHAT_PRE_ORDER);
    assert_eq!(r.proxy_path(), "/chaoying/Open/WECHAT_PreOrder");
    assert_eq!(r.operation, Operation::Create);
    assert_eq!(text(&r, "trade_type").as_deref(), Some("JSPAY"));
    assert_eq!(text(&r, "buyer_id").as_deref(), Some("oRA5quGvJc1wwwjMW-tnpLLqD-FM"));
    assert_eq!(text(&r, "sub_appid").as_deref(), Some("wxaee08d155d9de0c5"));
    assert_eq!(text(&r, "is_minipg").as_deref(), Some("0"));
    assert_eq!(text(&r, "body").as_deref(), Some("超赢支付聚合支付"));
    assert_eq!(text(&r, "method").as_deref(), None, "pre-orders have no method parameter");
    for owned in ChaoYing.server_owned_fields() {
        assert!(r.params.value().get(owned).is_none(), "{owned} must be left to the proxy");
    }
    let mut mini = params(Mode::Jsapi, Channel::Wechat);
    mini.mini_program = true;
    assert_eq!(text(&ChaoYing.create_request(&mini).unwrap(), "is_minipg").as_deref(), Some("1"));
}

#[test]
fn qr_app_and_alipay_pre_orders() {
    let r = ChaoYing.create_request(&params(Mode::Qr, Channel::Wechat)).unwrap();
    assert_eq!((text(&r, "trade_type").as_deref(), text(&r, "product_id").as_deref()), (Some("NATIVE"), Some("A100011")));
    assert_eq!(text(&r, "buyer_id").as_deref(), None);
    let r = ChaoYing.create_request(&params(Mode::Qr, Channel::Alipay)).unwrap();
    assert_eq!(r.path, ALIPAY_PRE_ORDER);
    assert_eq!(text(&r, "sub_appid").as_deref(), None, "the Alipay pre-order has no sub_appid");
    let r = ChaoYing.create_request(&params(Mode::Jsapi, Channel::Alipay)).unwrap();
    assert_eq!((text(&r, "trade_type").as_deref(), text(&r, "buyer_id").as_deref()), (Some("JSPAY"), Some("oRA5quGvJc1wwwjMW-tnpLLqD-FM")));
    let r = ChaoYing.create_request(&params(Mode::App, Channel::Wechat)).unwrap();
    assert_eq!((text(&r, "trade_type").as_deref(), text(&r, "product_id").as_deref()), (Some("APP"), None));
    let mut no_subject = params(Mode::Qr, Channel::Alipay);
    no_subject.subject = None;
    assert_eq!(text(&ChaoYing.create_request(&no_subject).unwrap(), "body").as_deref(), Some("A100011"));
}

#[test]
fn counter_pay_goes_through_the_gateway() {
    let mut p = params(Mode::Counter, Channel::Any);
    p.auth_code = Some(" 130000000000000000 ".into());
    let r = ChaoYing.create_request(&p).unwrap();
    assert_eq!((r.path.as_str(), text(&r, "method").as_deref()), (GATEWAY, Some("pay")));
    assert_eq!(text(&r, "auth_code").as_deref(), Some("130000000000000000"));
    assert_eq!(text(&r, "paytype").as_deref(), None, "pay takes no paytype since v2.2.0");
    assert_eq!(ChaoYing.endpoint(GATEWAY, Some("pay")).map(|e| e.operation), Some(Operation::Create));
}

#[test]
fn query_cancel_and_refund_query_requests() {
    let q = ChaoYing.query_request(&order(Channel::Wechat)).unwrap();
    assert_eq!((q.path.as_str(), text(&q, "method").as_deref(), text(&q, "paytype").as_deref()), (GATEWAY, Some("orderquery"), Some("WECHAT")));
    assert_eq!(text(&q, "out_trade_no").as_deref(), Some("1497769914931"));
    let c = ChaoYing.cancel_request(&order(Channel::Alipay)).unwrap();
    assert_eq!((c.operation, text(&c, "method").as_deref(), text(&c, "paytype").as_deref()), (Operation::Cancel, Some("cancel"), Some("ALIPAY")));
    let any = ChaoYing.query_request(&order(Channel::Any)).unwrap();
    assert_eq!(text(&any, "paytype").as_deref(), None);
    let r = ChaoYing.refund_query_request(&order(Channel::Wechat), Some("TK-1497769914931-01")).unwrap();
    assert_eq!((text(&r, "method").as_deref(), text(&r, "out_refund_no").as_deref()), (Some("refundquery"), Some("TK-1497769914931-01")));
    assert_eq!(text(&r, "out_trade_no").as_deref(), None, "removed from refundquery in v2.5.1");
    assert_eq!(ChaoYing.refund_query_request(&order(Channel::Wechat), None).unwrap_err().code, ErrorCode::InvalidArgument);
    assert_eq!(ChaoYing.refund_query_request(&order(Channel::Wechat), Some("a&b=c")).unwrap_err().code, ErrorCode::InvalidArgument);
}

#[test]
fn allowlist_is_keyed_by_path_and_method() {
    let op = |path: &str, method: Option<&str>| ChaoYing.endpoint(path, method).map(|e| e.operation);
    assert_eq!(op(GATEWAY, Some("orderquery")), Some(Operation::Query));
    assert_eq!(op(GATEWAY, Some("cancel")), Some(Operation::Cancel));
    assert_eq!(op(GATEWAY, Some("refundquery")), Some(Operation::RefundQuery));
    assert_eq!(op(GATEWAY, Some("refund")), Some(Operation::Refund), "back office only");
    assert!(!ChaoYing.endpoint(GATEWAY, Some("refund")).unwrap().browser);
    assert_eq!(op(GATEWAY, None), None);
    assert_eq!(op(WECHAT_PRE_ORDER, None), Some(Operation::Create));
    assert_eq!(op("/open/wechat_preorder", None), None, "paths are case-sensitive");
    for e in ChaoYing.endpoints() {
        assert_eq!((e.http, e.encoding), (HttpMethod::Post, Encoding::Form));
        // Cancel too since the page may cancel an unpaid counter payment (the proxy's cancel safety guards it).
        let browser = matches!(e.operation, Operation::Create | Operation::Query | Operation::Cancel);
        assert_eq!(e.browser, browser, "{} {:?}", e.path, e.method_param);
        assert_eq!(e.amount_field.is_some(), e.operation == Operation::Create);
    }
}

#[test]
fn bad_arguments_are_refused() {
    let refused = |p: &CreateParams| ChaoYing.create_request(p).unwrap_err().code;
    for bad in ["A1", "A_10001", "javascript:alert(1)", "中文订单号12345", &"9".repeat(33)] {
        let mut p = params(Mode::Qr, Channel::Wechat);
        p.out_trade_no = bad.into();
        assert_eq!(refused(&p), ErrorCode::InvalidArgument, "{bad}");
    }
    let mut p = params(Mode::Counter, Channel::Any);
    p.out_trade_no = "A_10001".into();
    p.auth_code = Some("130000000000000000".into());
    assert!(ChaoYing.create_request(&p).is_ok(), "the gateway allows _");
    p.auth_code = Some("13&x=1".into());
    assert_eq!(refused(&p), ErrorCode::InvalidArgument);
    p.auth_code = None;
    assert_eq!(refused(&p), ErrorCode::InvalidArgument);
    let mut p = params(Mode::Jsapi, Channel::Wechat);
    p.openid = Some("  ".into());
    assert_eq!(refused(&p), ErrorCode::InvalidArgument);
    let mut p = params(Mode::Jsapi, Channel::Wechat);
    p.sub_appid = None;
    let jsapi = ChaoYing.create_request(&p).unwrap();
    assert_eq!(text(&jsapi, "sub_appid").as_deref(), None, "JSAPI leaves sub_appid to the proxy's configuration");
    for (mode, channel) in [(Mode::H5, Channel::Wechat), (Mode::Wap, Channel::Alipay), (Mode::Qr, Channel::Unionpay), (Mode::Cashier, Channel::Any)] {
        assert_eq!(refused(&params(mode, channel)), ErrorCode::Unsupported, "{mode:?} {channel:?}");
    }
    assert_eq!(ChaoYing.query_request(&OrderRef { out_trade_no: String::new(), ..order(Channel::Wechat) }).unwrap_err().code, ErrorCode::InvalidArgument);
}

#[test]
fn hostile_answers_give_errors_not_panics() {
    let p = params(Mode::Jsapi, Channel::Wechat);
    let policy = UrlPolicy::default();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let bodies = [
        Value::Null,
        Value::str("SUCCESS"),
        Value::object([("state", Value::Array(vec![]))]),
        Value::object([("state", Value::str("SUCCESS")), ("trade_state", Value::str("SUCCESS")), ("pay_info", Value::str(deep.clone()))]),
        Value::object([("state", Value::str("SUCCESS")), ("pay_info", Value::int_value(1))]),
    ];
    for body in &bodies {
        let err = ChaoYing.parse_create(&p, body, &policy).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidPayload, "{body:?}");
    }
    let refund = Value::object([("state", Value::str("SUCCESS")), ("refund_list", Value::str(deep))]);
    assert_eq!(ChaoYing.parse_refund_query(&refund).unwrap_err().code, ErrorCode::InvalidPayload);
    let huge = crate::json::parse(r#"{"state":"SUCCESS","trade_state":"SUCCESS","code":"10000","total_fee":"99999999999999999999999","base_fee":-5}"#).unwrap();
    let status = ChaoYing.parse_query(&huge).unwrap();
    assert_eq!((status.state, status.amount), (PayState::Succeeded, None), "out-of-range and negative amounts are dropped");
}

#[test]
fn seed_failure_example_reads_as_a_signature_error() {
    let body = crate::json::parse(r#"{"state":"FAIL","code":"10002","msg":"签名错误"}"#).unwrap();
    let err = ChaoYing.parse_query(&body).unwrap_err();
    assert_eq!((err.reason, err.gateway_message.as_deref()), (crate::error::Reason::Signature, Some("签名错误")));
}

#[test]
fn refund_request_carries_both_amounts() {
    let r = ChaoYing.refund_request(&order(Channel::Wechat), "TK-1497769914931-01", 2, 8).unwrap();
    assert_eq!((text(&r, "method").as_deref(), text(&r, "paytype").as_deref(), text(&r, "out_refund_no").as_deref()), (Some("refund"), Some("WECHAT"), Some("TK-1497769914931-01")));
    assert_eq!((text(&r, "total_fee").as_deref(), text(&r, "refund_fee").as_deref(), r.operation), (Some("8"), Some("2"), Operation::Refund));
    assert!(!ChaoYing.endpoint(GATEWAY, Some("refund")).unwrap().browser);
    assert_eq!(ChaoYing.refund_request(&order(Channel::Wechat), &"R".repeat(33), 1, 8).unwrap_err().code, ErrorCode::InvalidArgument);
}

#[test]
fn pre_order_answers_are_read_without_being_told_the_wallet() {
    let policy = UrlPolicy::default();
    // Seed L1292-L1306: a 13-digit timeStamp and nonceStr equal to it, passed on verbatim.
    let info = r#"{\"appId\":\"wxc3d2e734ae326831\",\"timeStamp\":\"1511947589427\",\"nonceStr\":\"1511947589427\",\"package\":\"prepay_id=wx2017\",\"signType\":\"MD5\",\"paySign\":\"CD871BCD09B3D0C6339B2D0DE72DE7EE\",\"status\":\"0\"}"#;
    let wechat = crate::json::parse(&format!(r#"{{"state":"SUCCESS","code":"10000","trade_state":"SUCCESS","pay_info":"{info}"}}"#)).unwrap();
    let any = params(Mode::Jsapi, Channel::Any);
    let NextAction::WechatJsapi { params: got } = ChaoYing.parse_create(&any, &wechat, &policy).unwrap().action else { panic!("wechat jsapi") };
    assert_eq!((got.time_stamp.as_str(), got.nonce_str.as_str(), got.pay_sign.as_str()), ("1511947589427", "1511947589427", "CD871BCD09B3D0C6339B2D0DE72DE7EE"));
    // A 10-digit timestamp as a JSON number is no reason to refuse either.
    let numeric = crate::json::parse(
        r#"{"state":"SUCCESS","trade_state":"SUCCESS","pay_info":{"appId":"wx1","timeStamp":1511947589,"nonceStr":"n","package":"prepay_id=1","signType":"RSA","paySign":"s"}}"#,
    )
    .unwrap();
    let NextAction::WechatJsapi { params: got } = ChaoYing.parse_create(&any, &numeric, &policy).unwrap().action else { panic!("wechat jsapi") };
    assert_eq!(got.time_stamp, "1511947589");

    let alipay = crate::json::parse(r#"{"state":"SUCCESS","code":"10000","trade_state":"SUCCESS","pay_info":"{\"tradeNO\":\"2018041721001004870537670226\"}"}"#).unwrap();
    assert_eq!(ChaoYing.parse_create(&any, &alipay, &policy).unwrap().action, NextAction::AlipayTradePay { trade_no: "2018041721001004870537670226".into() });
    let app = crate::json::parse(r#"{"state":"SUCCESS","trade_state":"SUCCESS","pay_info":"app_id=2021000000000001&method=alipay.trade.app.pay&sign=abc"}"#).unwrap();
    assert!(matches!(ChaoYing.parse_create(&params(Mode::App, Channel::Any), &app, &policy).unwrap().action, NextAction::App { provider: AppProvider::Alipay, .. }));
    let refused = crate::json::parse(r#"{"state":"FAIL","code":"20013","msg":"商户配置错误"}"#).unwrap();
    assert_eq!(ChaoYing.parse_create(&any, &refused, &policy).unwrap_err().gateway_code.as_deref(), Some("20013"), "an error answer is read as one");
}

#[test]
fn a_counter_payment_names_its_wallet_for_query_and_cancel() {
    let mut p = params(Mode::Counter, Channel::Any);
    p.auth_code = Some("284567890123456789".into());
    let processing = crate::json::parse(r#"{"state":"SUCCESS","code":"10001","trade_state":"PROCESSING"}"#).unwrap();
    assert_eq!(ChaoYing.wallet_of(&p, &processing), Some(Channel::Alipay), "from the payer's code");
    let paid = crate::json::parse(r#"{"state":"SUCCESS","code":"10000","trade_state":"SUCCESS","paytype":"WECHAT"}"#).unwrap();
    assert_eq!(ChaoYing.wallet_of(&p, &paid), Some(Channel::Wechat), "the answer's paytype first (v2.7.0, L57)");
    p.auth_code = Some("990000000000000000".into());
    assert_eq!(ChaoYing.wallet_of(&p, &processing), None);
    assert_eq!(ChaoYing.wallet_of(&params(Mode::Qr, Channel::Any), &paid), None);
    assert_eq!(code_wallet("134567890123456789"), Some(Channel::Wechat));
    assert_eq!(code_wallet("62"), Some(Channel::Unionpay));
    // Two ASCII digits after trimming, nothing else (a sign, one digit or a non-ASCII second character is no prefix).
    for (code, wallet) in [(" 25x ", Some(Channel::Alipay)), ("30", Some(Channel::Alipay)), ("+13", None), ("-1", None), ("1", None), ("1é", None), ("16", None), ("09", None)] {
        assert_eq!(code_wallet(code), wallet, "{code:?}");
    }
}
