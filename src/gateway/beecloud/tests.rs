use super::*;
use crate::error::{ErrorCode, Reason};
use crate::json::parse;

pub(super) fn params(mode: Mode, channel: Channel) -> CreateParams {
    let mut p = CreateParams::new(mode, channel, "201506101035040000001");
    p.auth_code = Some("23891113455872".into());
    p
}

pub(super) fn order(mode: Mode, channel: Channel) -> OrderRef {
    OrderRef { out_trade_no: "201506101035040000001".into(), channel, mode, gateway_order_id: None }
}

pub(super) fn body(text: &str) -> Value {
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
    assert!(r.params.value().get("total_fee").is_none());
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
    assert_eq!(r.params.value().text("title"), Some("一二三四五六七八九十"));
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
    assert_eq!(BeeCloud.query_request(&order(Mode::Counter, Channel::Alipay)).unwrap().params.value().text("channel"), Some("ALI_SCAN"));
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
    assert_eq!(c.params.value().text("channel"), Some("ALI_SCAN"));
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

#[test]
fn refund_request_and_refund_number_rule() {
    let r = BeeCloud.refund_request(&order(Mode::Qr, Channel::Wechat), "20150610001", 1, 1).unwrap();
    assert_eq!((r.path.as_str(), r.operation, r.params.value().text("refund_no"), r.params.value().int("refund_fee")), (REFUND_PATH, Operation::Refund, Some("20150610001"), Some(1)));
    for bad in ["2015061000", "20150610000123", "2015061x001", "20150610001-"] {
        assert_eq!(BeeCloud.refund_request(&order(Mode::Qr, Channel::Wechat), bad, 1, 1).unwrap_err().code, ErrorCode::InvalidArgument, "{bad}");
    }
    assert!(!BeeCloud.endpoint(REFUND_PATH, None).unwrap().browser);
}
