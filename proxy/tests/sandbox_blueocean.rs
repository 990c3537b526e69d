//! The BlueOcean sandbox over real HTTP, with the test acting as the
//! signing proxy (the gateway module's requests, signed by its wire).

mod sandbox_support;

use paybridge::gateway::wire::Secrets;
use paybridge::gateway::{refunds, wire, CreateParams, OrderRef, RefundQuery};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode, NextAction, PayState};
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use sandbox_support::{settings, Receiver, Sandbox};

const GW: Gateway = Gateway::BlueOcean;
const PAYER_CODE: &str = "134519771100657507";

fn proto() -> &'static dyn RefundQuery {
    refunds(GW).expect("blueocean in the build")
}

fn params(mode: Mode, channel: Channel, no: &str) -> CreateParams {
    let mut p = CreateParams::new(mode, channel, no);
    p.subject = Some("Tea set".into());
    p.openid = Some("oSandboxOpenId0001".into());
    p.sub_appid = Some("wxsandboxappid0001".into());
    p.return_url = Some("https://shop.example/back".into());
    if mode == Mode::Counter {
        p.auth_code = Some(PAYER_CODE.into());
    }
    p
}

/// Adds what the proxy sets: amount, notify_url, client IP.
fn with_server_fields(v: Value, amount: i64, notify_url: Option<&str>) -> Value {
    let Value::Object(mut members) = v else { panic!("params are an object") };
    members.push(("total_fee".into(), Value::int_value(amount)));
    members.push(("spbill_create_ip".into(), Value::str("127.0.0.1")));
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

async fn query(sb: &Sandbox, p: &CreateParams) -> paybridge::model::OrderStatus {
    let request = proto().query_request(&order_ref(p)).expect("query request");
    proto().parse_query(&sb.call(GW, &request.path, &request.params.value()).await).expect("query parses")
}

#[tokio::test]
async fn every_mode_creates_pays_and_queries() {
    let sb = Sandbox::start(settings(60_000)).await;
    let wallet_prefix = format!("{}/wallet/blueocean/", sb.base);
    for (i, &(mode, channel)) in proto().modes().iter().filter(|(m, _)| *m != Mode::Counter).enumerate() {
        let p = params(mode, channel, &format!("BO{mode:?}{i:02}").replace(|c: char| !c.is_ascii_alphanumeric(), ""));
        let body = create(&sb, &p, 1234, None).await;
        assert_eq!(body.int("code"), Some(200), "{mode:?}/{channel:?}: {}", body.to_json());
        assert_eq!(wire(GW).unwrap().verify_response(body.to_json().as_bytes(), &sandbox_secrets(GW)), paybridge::gateway::wire::ResponseCheck::Verified);
        let created = proto().parse_create(&p, &body, &sb.policy()).unwrap_or_else(|e| panic!("{mode:?}/{channel:?}: {e:?}"));
        match &created.action {
            NextAction::Qr { content, .. } => assert!(content.starts_with(&wallet_prefix), "{content}"),
            NextAction::Redirect { url } => assert!(url.starts_with(&wallet_prefix), "{url}"),
            NextAction::WechatJsapi { params } => {
                assert_eq!(params.app_id, "wxsandboxappid0001");
                assert!(params.package.starts_with("prepay_id="));
                assert_eq!(params.pay_sign.len(), 32);
            }
            NextAction::App { .. } => {}
            other => panic!("{mode:?}/{channel:?}: unexpected {other:?}"),
        }
        assert!(created.gateway_order_id.is_some());
        let before = query(&sb, &p).await;
        assert!(matches!(before.state, PayState::Pending | PayState::Paying), "{mode:?}: {before:?}");
        let (status, json) = sb.control(GW, &p.out_trade_no, "pay").await;
        assert_eq!((status, json["state"].as_str()), (200, Some("paid")));
        let after = query(&sb, &p).await;
        assert_eq!(after.state, PayState::Succeeded, "{mode:?}");
        assert_eq!(after.amount, Some(1234));
        assert!(after.transaction_id.is_some());
    }
}

#[tokio::test]
async fn paid_notification_is_retried_until_acknowledged() {
    let sb = Sandbox::start(settings(60_000)).await;
    let mut receiver = Receiver::start("SUCCESS", 1).await;
    let p = params(Mode::Qr, Channel::Wechat, "BONOTIFY0001");
    create(&sb, &p, 88, Some(&receiver.url)).await;
    sb.control(GW, &p.out_trade_no, "pay").await;
    for _ in 0..2 {
        let n = wire(GW).unwrap().decode_notification(&receiver.next().await, &sandbox_secrets(GW), sandbox_support::now_ms()).expect("verifies");
        assert_eq!(n.out_trade_no, "BONOTIFY0001");
        assert_eq!((n.status.state, n.status.amount), (PayState::Succeeded, Some(88)));
        assert_eq!(n.fields.text("time_end").map(str::len), Some(14), "yyyyMMddHHmmss");
    }
    let record = sb.finished_delivery("BONOTIFY0001").await;
    assert_eq!((record["attempts"].as_u64(), record["acked"].as_bool()), (Some(2), Some(true)));
    assert_eq!(receiver.received(), 2, "no attempt after the ack");
}

#[tokio::test]
async fn notification_attempts_are_bounded() {
    let sb = Sandbox::start(settings(60_000)).await;
    let receiver = Receiver::start("SUCCESS", usize::MAX).await;
    let p = params(Mode::Qr, Channel::Alipay, "BONOTIFY0002");
    create(&sb, &p, 88, Some(&receiver.url)).await;
    sb.control(GW, &p.out_trade_no, "pay").await;
    let record = sb.finished_delivery("BONOTIFY0002").await;
    assert_eq!((record["attempts"].as_u64(), record["acked"].as_bool()), (Some(4), Some(false)));
    assert_eq!(receiver.received(), 4);
}

#[tokio::test]
async fn wrong_credentials_get_the_documented_codes() {
    let sb = Sandbox::start(settings(60_000)).await;
    let request = proto().create_request(&params(Mode::Qr, Channel::Wechat, "BOBADSIGN01")).unwrap();
    let body = with_server_fields(request.params.value(), 10, None);
    let wrong_key = Secrets::from_pairs([("appid", "1000258"), ("app_key", "not-the-key")]);
    let (_, text) = sb.send(GW, "/payment/pay", &body, &wrong_key).await;
    assert_eq!(paybridge::json::parse(&text).unwrap().int("code"), Some(4004), "{text}");
    let wrong_appid = Secrets::from_pairs([("appid", "999"), ("app_key", "sandbox-test-key-blueocean-0000000000")]);
    let (_, text) = sb.send(GW, "/payment/pay", &body, &wrong_appid).await;
    assert_eq!(paybridge::json::parse(&text).unwrap().int("code"), Some(4002), "{text}");
    assert_eq!(sb.get("/blueocean/_control/orders/BOBADSIGN01").await.0, 404, "nothing was created");
}

#[tokio::test]
async fn counter_payment_waits_for_the_pin_then_succeeds_and_notifies() {
    let sb = Sandbox::start(settings(300)).await;
    let mut receiver = Receiver::start("SUCCESS", 0).await;
    let p = params(Mode::Counter, Channel::Wechat, "BOCOUNTER001");
    let body = create(&sb, &p, 500, Some(&receiver.url)).await;
    assert_eq!(body.int("code"), Some(201), "USERPAYING is answered as 201: {}", body.to_json());
    assert_eq!(proto().parse_create(&p, &body, &sb.policy()).unwrap().action, NextAction::Await);
    // Nobody queries: the notification still comes when the PIN time is over.
    let n = wire(GW).unwrap().decode_notification(&receiver.next().await, &sandbox_secrets(GW), sandbox_support::now_ms()).unwrap();
    assert_eq!((n.out_trade_no.as_str(), n.status.state), ("BOCOUNTER001", PayState::Succeeded));
    assert_eq!(query(&sb, &p).await.state, PayState::Succeeded);
    // The same payer code cannot be used twice.
    let again = create(&sb, &params(Mode::Counter, Channel::Wechat, "BOCOUNTER002"), 500, None).await;
    assert_eq!(again.int("code"), Some(40111));
}

#[tokio::test]
async fn counter_payment_shows_userpaying_until_the_payer_acts() {
    let sb = Sandbox::start(settings(60_000)).await;
    let p = params(Mode::Counter, Channel::Any, "BOCOUNTER003");
    create(&sb, &p, 500, None).await;
    let status = query(&sb, &p).await;
    assert_eq!((status.state, status.gateway_state.as_str()), (PayState::Paying, "USERPAYING"));
    sb.control(GW, &p.out_trade_no, "fail").await;
    assert_eq!(query(&sb, &p).await.gateway_state, "PAYERROR");
    let mut p2 = params(Mode::Counter, Channel::Alipay, "BOCOUNTER004");
    p2.auth_code = Some("288271620985824610".into());
    create(&sb, &p2, 500, None).await;
    let cancel = proto().cancel_request(&order_ref(&p2)).unwrap();
    assert_eq!(cancel.path, "/order/reverse");
    let reversed = proto().parse_cancel(&sb.call(GW, &cancel.path, &cancel.params.value()).await).unwrap();
    assert_eq!(reversed.state, PayState::Cancelled);
    // A WeChat provider with an Alipay code is refused.
    let mut p3 = params(Mode::Counter, Channel::Wechat, "BOCOUNTER005");
    p3.auth_code = Some("288271620985824611".into());
    assert_eq!(create(&sb, &p3, 500, None).await.int("code"), Some(40500));
}

#[tokio::test]
async fn close_duplicate_unknown_and_expiry() {
    let sb = Sandbox::start(settings(60_000)).await;
    let p = params(Mode::Qr, Channel::Wechat, "BOCLOSE0001");
    create(&sb, &p, 100, None).await;
    assert_eq!(create(&sb, &p, 100, None).await.int("code"), Some(40106), "duplicate out_trade_no");
    let close = proto().cancel_request(&order_ref(&p)).unwrap();
    assert_eq!(close.path, "/order/close");
    let closed = proto().parse_cancel(&sb.call(GW, &close.path, &close.params.value()).await).unwrap();
    assert_eq!(closed.state, PayState::Closed);
    assert_eq!(sb.call(GW, &close.path, &close.params.value()).await.int("code"), Some(40103), "closed already");
    assert_eq!(sb.control(GW, &p.out_trade_no, "pay").await.0, 409);

    let paid = params(Mode::Qr, Channel::Alipay, "BOCLOSE0002");
    create(&sb, &paid, 100, None).await;
    sb.control(GW, &paid.out_trade_no, "pay").await;
    let close = proto().cancel_request(&order_ref(&paid)).unwrap();
    let body = sb.call(GW, &close.path, &close.params.value()).await;
    assert_eq!(body.int("code"), Some(40101), "paid orders cannot be closed");
    assert_eq!(proto().parse_cancel(&body).unwrap().state, PayState::Succeeded);

    let missing = params(Mode::Qr, Channel::Wechat, "BONOSUCH001");
    let q = proto().query_request(&order_ref(&missing)).unwrap();
    let body = sb.call(GW, &q.path, &q.params.value()).await;
    assert_eq!(body.int("code"), Some(40102));
    assert!(proto().parse_query(&body).is_err());

    let expiring = params(Mode::Qr, Channel::Wechat, "BOEXPIRE001");
    create(&sb, &expiring, 100, None).await;
    assert_eq!(sb.control(GW, &expiring.out_trade_no, "expire").await.1["state"], "expired");
    let status = query(&sb, &expiring).await;
    assert_eq!((status.state, status.gateway_state.as_str()), (PayState::Closed, "CLOSED"));
}

#[tokio::test]
async fn orders_expire_after_their_time_to_live() {
    let sb = Sandbox::start(paybridge_proxy::sandbox::gateway::Settings { order_ttl_ms: 1, counter_pin_ms: 0 }).await;
    let p = params(Mode::Qr, Channel::Wechat, "BOTTL00001");
    create(&sb, &p, 100, None).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(query(&sb, &p).await.state, PayState::Closed);
    assert_eq!(sb.control(GW, &p.out_trade_no, "pay").await.0, 409);
}

#[tokio::test]
async fn refunds_and_refund_queries() {
    let sb = Sandbox::start(settings(60_000)).await;
    let p = params(Mode::Qr, Channel::Wechat, "BOREFUND001");
    create(&sb, &p, 300, None).await;
    let refund = Value::object([("out_trade_no", Value::str("BOREFUND001")), ("out_refund_no", Value::str("RFBOREFUND001"))]);
    assert_eq!(sb.call(GW, "/payment/refund", &refund).await.int("code"), Some(40100), "unpaid");
    sb.control(GW, &p.out_trade_no, "pay").await;
    assert_eq!(sb.call(GW, "/payment/refund", &refund).await.int("code"), Some(200));
    assert_eq!(query(&sb, &p).await.state, PayState::Refunded);
    let rq = proto().refund_query_request(&order_ref(&p), Some("RFBOREFUND001")).unwrap();
    let refunds = proto().parse_refund_query(&sb.call(GW, &rq.path, &rq.params.value()).await).unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!((refunds[0].state, refunds[0].amount), (paybridge::model::RefundState::Succeeded, Some(300)));
    let none = proto().refund_query_request(&order_ref(&p), Some("RFNOSUCH")).unwrap();
    assert_eq!(sb.call(GW, &none.path, &none.params.value()).await.int("code"), Some(492002));
}
