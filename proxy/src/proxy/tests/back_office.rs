//! Server-side back-office calls: any allowlisted endpoint, through the same
//! signing, HiPOS token cache and response checks as the browser's calls.

use super::fake::{blueocean_query, Fake, Reply};
use super::{Proxy, ORDER};
use paybridge::gateway::hipos::{device_authcode_request, token_request};
use paybridge::gateway::{protocol, GatewayRequest, HttpMethod, Operation, OrderRef, Params};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode};

#[tokio::test]
async fn hipos_back_office_shares_the_browser_calls_token() {
    let (upstream, fake) = Fake::start(|_, _, _| Reply::raw(r#"{"device_authcode_response":{"code":0,"msg":"OK","auth_code":"HPD-1"}}"#)).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    // The order's page asks for its pickup code: the proxy makes sure it holds a token first.
    assert_eq!(proxy.post("/hipos/o2o/pickup", &format!(r#"{{"out_order_no":"{ORDER}"}}"#)).await.status(), 200);
    let merchant = proxy.state.hipos_merchant_id().await.unwrap();
    assert_eq!(merchant, "42", "the merchant id that came with the token");
    let request = device_authcode_request(&merchant, "store01").unwrap();
    let answer = proxy.state.back_office(&request).await.unwrap();
    assert_eq!(answer.get("device_authcode_response").and_then(|r| r.text("auth_code")), Some("HPD-1"));
    assert_eq!(fake.token_calls(), 1, "one token for browser and back office");
    let seen = fake.seen();
    let last = seen.last().unwrap();
    assert_eq!((last.path.as_str(), last.http), ("/openapi/merchants/42/stores/store01/authcode", HttpMethod::Get));

    *fake.hipos_token.lock().unwrap() = "revoked".to_owned();
    proxy.state.back_office(&request).await.unwrap();
    assert_eq!(fake.token_calls(), 2, "a 6001 answer fetches a new token and retries once");
}

#[tokio::test]
async fn back_office_refuses_the_token_endpoint_and_unlisted_paths() {
    let (upstream, fake) = Fake::start(|_, _, _| Reply::raw("{}")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let token = token_request("https://shop.example/notify");
    assert_eq!(proxy.state.back_office(&token).await.unwrap_err().code, "path_not_allowed");
    let unlisted = GatewayRequest { path: "/openapi/secret".to_owned(), ..token };
    assert_eq!(proxy.state.back_office(&unlisted).await.unwrap_err().code, "path_not_allowed");
    assert_eq!(fake.token_calls(), 0);
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn back_office_checks_signatures_and_keeps_cancel_safety() {
    let (upstream, fake) = Fake::start(|_, _, _| blueocean_query("SUCCESS")).await;
    let proxy = Proxy::start(&upstream, |_| {}).await;
    let blueocean = protocol(Gateway::BlueOcean).unwrap();
    let order = OrderRef { out_trade_no: ORDER.to_owned(), channel: Channel::Any, mode: Mode::Counter, gateway_order_id: None };
    let answer = proxy.state.back_office(&blueocean.query_request(&order).unwrap()).await.unwrap();
    assert_eq!(answer.get("data").and_then(|d| d.text("trade_state")), Some("SUCCESS"));

    let reverse = GatewayRequest {
        gateway: Gateway::BlueOcean,
        operation: Operation::Cancel,
        http: HttpMethod::Post,
        path: "/order/reverse".to_owned(),
        params: Params::of(&Value::object([("out_trade_no", Value::str(ORDER))])),
    };
    assert_eq!(proxy.state.back_office(&reverse).await.unwrap_err().code, "cancel_refused", "a paid order is not reversed");
    assert!(fake.seen().iter().all(|s| s.operation != Operation::Cancel));

    fake.answer(|_, _, _| {
        let mut reply = blueocean_query("SUCCESS");
        reply.body = reply.body.replace("1234", "1");
        reply
    });
    assert_eq!(proxy.state.back_office(&blueocean.query_request(&order).unwrap()).await.unwrap_err().code, "upstream_bad_signature");
}
