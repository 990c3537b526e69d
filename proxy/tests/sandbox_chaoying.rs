//! The ChaoYing sandbox over real HTTP, with the test acting as the
//! signing proxy (the gateway module's form requests, signed by its wire).

mod sandbox_support;

use paybridge::gateway::wire::Secrets;
use paybridge::gateway::{refunds, wire, CreateParams, OrderRef, RefundQuery};
use paybridge::json::Value;
use paybridge::model::{AppProvider, Channel, Gateway, Mode, NextAction, PayState};
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use sandbox_support::{settings, Receiver, Sandbox};

const GW: Gateway = Gateway::ChaoYing;

fn proto() -> &'static dyn RefundQuery {
    refunds(GW).expect("chaoying in the build")
}

fn params(mode: Mode, channel: Channel, no: &str) -> CreateParams {
    let mut p = CreateParams::new(mode, channel, no);
    p.subject = Some("超赢测试商品".into());
    p.openid = Some("oRA5quGvJc1wwwjMWtnpLLqDFM".into());
    p.sub_appid = Some("wxaee08d155d9de0c5".into());
    if mode == Mode::Counter {
        p.auth_code = Some("130000000000000000".into());
    }
    p
}

/// Adds what the proxy sets: amount and notify_url.
fn with_server_fields(v: Value, amount: i64, notify_url: Option<&str>) -> Value {
    let Value::Object(mut members) = v else { panic!("params are an object") };
    members.push(("total_fee".into(), Value::str(amount.to_string())));
    if let Some(url) = notify_url {
        members.push(("notify_url".into(), Value::str(url)));
    }
    Value::Object(members)
}

async fn create(sb: &Sandbox, p: &CreateParams, amount: i64, notify_url: Option<&str>) -> Value {
    let request = proto().create_request(p).expect("create request");
    sb.call(GW, &request.path, &with_server_fields(request.params.value(), amount, notify_url)).await
}

fn order_ref(p: &CreateParams) -> OrderRef {
    OrderRef { out_trade_no: p.out_trade_no.clone(), channel: p.channel, mode: p.mode, gateway_order_id: None }
}

async fn query_body(sb: &Sandbox, p: &CreateParams) -> Value {
    let request = proto().query_request(&order_ref(p)).expect("query request");
    sb.call(GW, &request.path, &request.params.value()).await
}

async fn query(sb: &Sandbox, p: &CreateParams) -> paybridge::model::OrderStatus {
    proto().parse_query(&query_body(sb, p).await).expect("query parses")
}

#[tokio::test]
async fn every_pre_order_mode_creates_pays_and_queries() {
    let sb = Sandbox::start(settings(60_000)).await;
    let wallet = format!("{}/wallet/chaoying/", sb.base);
    for (i, &(mode, channel)) in proto().modes().iter().filter(|(m, _)| *m != Mode::Counter).enumerate() {
        let p = params(mode, channel, &format!("CY{i:02}0000001"));
        let body = create(&sb, &p, 2500, None).await;
        assert_eq!((body.text("state"), body.text("trade_state")), (Some("SUCCESS"), Some("SUCCESS")), "{}", body.to_json());
        let created = proto().parse_create(&p, &body, &sb.policy()).unwrap_or_else(|e| panic!("{mode:?}/{channel:?}: {e:?} {}", body.to_json()));
        match (&created.action, mode, channel) {
            (NextAction::Qr { content, .. }, Mode::Qr, _) => assert!(content.starts_with(&wallet)),
            (NextAction::WechatJsapi { params }, Mode::Jsapi, Channel::Wechat) => {
                assert_eq!(params.app_id, "wxaee08d155d9de0c5");
                assert_eq!((params.sign_type.as_str(), params.pay_sign.len()), ("MD5", 32));
            }
            (NextAction::AlipayTradePay { trade_no }, Mode::Jsapi, Channel::Alipay) => assert!(!trade_no.is_empty()),
            (NextAction::App { provider: AppProvider::Wechat, .. }, Mode::App, Channel::Wechat) => {}
            (NextAction::App { provider: AppProvider::Alipay, .. }, Mode::App, Channel::Alipay) => {}
            (other, ..) => panic!("{mode:?}/{channel:?}: unexpected {other:?}"),
        }
        assert_eq!(query(&sb, &p).await.state, PayState::Pending, "{mode:?}/{channel:?}");
        assert_eq!(create(&sb, &p, 2500, None).await.text("state"), Some("SUCCESS"), "an identical pre-order is idempotent");
        assert_eq!(create(&sb, &p, 2600, None).await.text("code"), Some("20004"), "another amount is a duplicate");
        sb.control(GW, &p.out_trade_no, "pay").await;
        let paid = query(&sb, &p).await;
        assert_eq!((paid.state, paid.amount), (PayState::Succeeded, Some(2500)), "{mode:?}/{channel:?}");
    }
}

#[tokio::test]
async fn paid_notification_is_retried_until_acknowledged() {
    let sb = Sandbox::start(settings(60_000)).await;
    let mut receiver = Receiver::start("success", 2).await;
    let p = params(Mode::Qr, Channel::Alipay, "CYNOTIFY0001");
    create(&sb, &p, 1, Some(&receiver.url)).await;
    sb.control(GW, &p.out_trade_no, "pay").await;
    for _ in 0..3 {
        let n = wire(GW).unwrap().decode_notification(&receiver.next().await, &sandbox_secrets(GW), sandbox_support::now_ms()).expect("verifies");
        assert_eq!((n.out_trade_no.as_str(), n.status.state, n.status.amount), ("CYNOTIFY0001", PayState::Succeeded, Some(1)));
        assert_eq!(n.fields.text("trade_type"), Some("pay.alipay.native"));
        assert_eq!(n.fields.text("mch_id"), Some("00000001"));
    }
    let record = sb.finished_delivery("CYNOTIFY0001").await;
    assert_eq!((record["attempts"].as_u64(), record["acked"].as_bool()), (Some(3), Some(true)));
    assert_eq!(receiver.received(), 3, "no attempt after the ack");
}

#[tokio::test]
async fn wrong_signature_and_credentials_get_the_documented_codes() {
    let sb = Sandbox::start(settings(60_000)).await;
    let request = proto().create_request(&params(Mode::Qr, Channel::Wechat, "CYBADSIGN01")).unwrap();
    let body = with_server_fields(request.params.value(), 10, None);
    let mut wrong = sandbox_secrets(GW);
    wrong.0.retain(|(k, _)| k != "key");
    wrong.0.push(("key".into(), "not-the-key".into()));
    let (_, text) = sb.send(GW, &request.path, &body, &wrong).await;
    let answer = paybridge::json::parse(&text).unwrap();
    assert_eq!((answer.text("state"), answer.text("code")), (Some("FAIL"), Some("20002")), "{text}");
    let err = proto().parse_create(&params(Mode::Qr, Channel::Wechat, "CYBADSIGN01"), &answer, &sb.policy()).unwrap_err();
    assert_eq!(err.gateway_code.as_deref(), Some("20002"));
    let mut other_merchant: Secrets = sandbox_secrets(GW);
    other_merchant.0.retain(|(k, _)| k != "mch_id");
    other_merchant.0.push(("mch_id".into(), "99999999".into()));
    let (_, text) = sb.send(GW, &request.path, &body, &other_merchant).await;
    assert_eq!(paybridge::json::parse(&text).unwrap().text("code"), Some("20005"), "{text}");
}

#[tokio::test]
async fn counter_payment_is_processing_then_succeeds_and_notifies() {
    let sb = Sandbox::start(settings(300)).await;
    let mut receiver = Receiver::start("success", 0).await;
    let p = params(Mode::Counter, Channel::Any, "CYCOUNTER001");
    let body = create(&sb, &p, 700, Some(&receiver.url)).await;
    assert_eq!((body.text("trade_state"), body.text("code")), (Some("PROCESSING"), Some("10001")), "{}", body.to_json());
    assert_eq!(proto().parse_create(&p, &body, &sb.policy()).unwrap().action, NextAction::Await);
    let n = wire(GW).unwrap().decode_notification(&receiver.next().await, &sandbox_secrets(GW), sandbox_support::now_ms()).unwrap();
    assert_eq!((n.status.state, n.fields.text("trade_type")), (PayState::Succeeded, Some("pay.weixin.micropay")));
    let paid = query(&sb, &p).await;
    assert_eq!((paid.state, paid.amount), (PayState::Succeeded, Some(700)));
}

#[tokio::test]
async fn counter_payment_with_no_pin_time_settles_at_once() {
    let sb = Sandbox::start(settings(0)).await;
    let p = params(Mode::Counter, Channel::Any, "CYCOUNTER002");
    let body = create(&sb, &p, 700, None).await;
    match proto().parse_create(&p, &body, &sb.policy()).unwrap().action {
        NextAction::Done { status } => assert_eq!(status.state, PayState::Succeeded),
        other => panic!("{other:?}"),
    }
    let mut bad_code = params(Mode::Counter, Channel::Any, "CYCOUNTER003");
    bad_code.auth_code = Some("990000000000000000".into());
    assert!(proto().parse_create(&bad_code, &create(&sb, &bad_code, 700, None).await, &sb.policy()).is_err());
}

#[tokio::test]
async fn cancel_query_states_and_expiry() {
    let sb = Sandbox::start(settings(60_000)).await;
    let p = params(Mode::Counter, Channel::Any, "CYCANCEL001");
    create(&sb, &p, 100, None).await;
    assert_eq!(query(&sb, &p).await.state, PayState::Paying);
    let cancel = proto().cancel_request(&order_ref(&p)).unwrap();
    assert_eq!(proto().parse_cancel(&sb.call(GW, &cancel.path, &cancel.params.value()).await).unwrap().state, PayState::Cancelled);
    assert_eq!(query(&sb, &p).await.gateway_state, "10005");

    let failed = params(Mode::Qr, Channel::Wechat, "CYCANCEL002");
    create(&sb, &failed, 100, None).await;
    sb.control(GW, &failed.out_trade_no, "fail").await;
    assert_eq!(query(&sb, &failed).await.state, PayState::Failed);
    let cancel = proto().cancel_request(&order_ref(&failed)).unwrap();
    assert_eq!(proto().parse_cancel(&sb.call(GW, &cancel.path, &cancel.params.value()).await).unwrap().state, PayState::Closed);

    let expiring = params(Mode::Qr, Channel::Alipay, "CYEXPIRE001");
    create(&sb, &expiring, 100, None).await;
    sb.control(GW, &expiring.out_trade_no, "expire").await;
    let status = query(&sb, &expiring).await;
    assert_eq!((status.state, status.gateway_state.as_str()), (PayState::Closed, "10004"));

    let missing = params(Mode::Qr, Channel::Wechat, "CYNOSUCH001");
    let body = query_body(&sb, &missing).await;
    assert_eq!(body.text("code"), Some("20007"));
    assert!(proto().parse_query(&body).is_err());

    let rq = proto().refund_query_request(&order_ref(&p), Some("TK-CYCANCEL001-01")).unwrap();
    let body = sb.call(GW, &rq.path, &rq.params.value()).await;
    assert_eq!(body.text("code"), Some("20010"));
}

#[tokio::test]
async fn need_query_fault_reads_as_unknown() {
    let sb = Sandbox::start(settings(60_000)).await;
    let p = params(Mode::Qr, Channel::Wechat, "CYUNKNOWN01");
    create(&sb, &p, 100, None).await;
    sb.faults(r#"[{"gateway":"chaoying","method":"orderquery","kind":"unknown","count":1}]"#).await;
    let body = query_body(&sb, &p).await;
    assert_eq!(body.text("trade_state"), Some("NEED_QUERY"));
    assert_eq!(proto().parse_query(&body).unwrap().state, PayState::Unknown);
    assert_eq!(query(&sb, &p).await.state, PayState::Pending, "the rule was spent");
}

/// 交易撤销 (L1026-L1099) with the wallet the page learned from the payer's
/// code: the right `paytype` revokes an unpaid counter order, another
/// wallet's is a parameter error and leaves the order as it was.
#[tokio::test]
async fn cancel_names_the_orders_wallet() {
    let sb = Sandbox::start(settings(60_000)).await;
    let p = params(Mode::Counter, Channel::Any, "CYCANCEL003");
    let created = create(&sb, &p, 100, None).await;
    let wallet = proto().wallet_of(&p, &created).expect("the payer's code names the wallet");
    assert_eq!(wallet, Channel::Wechat);
    let wrong = OrderRef { channel: Channel::Alipay, ..order_ref(&p) };
    let cancel = proto().cancel_request(&wrong).unwrap();
    let body = sb.call(GW, &cancel.path, &cancel.params.value()).await;
    assert_eq!((body.text("state"), body.text("code")), (Some("FAIL"), Some("20004")));
    assert_eq!(query(&sb, &p).await.state, PayState::Paying);
    let right = OrderRef { channel: wallet, ..order_ref(&p) };
    let cancel = proto().cancel_request(&right).unwrap();
    assert_eq!(cancel.params.value().text("paytype"), Some("WECHAT"));
    let body = sb.call(GW, &cancel.path, &cancel.params.value()).await;
    assert_eq!(body.text("paytype"), Some("WECHAT"));
    assert_eq!(proto().parse_cancel(&body).unwrap().state, PayState::Cancelled);
    assert_eq!(query(&sb, &p).await.gateway_state, "10005");
}
