//! Prepares the proxy load benchmark (`tests/bench/proxy-load.sh`): creates
//! `N` shop orders and their BlueOcean QR payments through a running demo
//! server, then writes two files of request bodies for the status query —
//! unsigned (for `POST /proxy/blueocean/order/query`) and signed with the
//! sandbox test key (for `POST /sandbox/blueocean/order/query`, the same call
//! without the proxy). BlueOcean signs no timestamp, so a signed body can be
//! replayed. A proxied line is `CLIENT_SECRET<TAB>BODY` (the order's
//! `Paybridge-Client-Secret`, sent by `bodies.lua`). Usage: `load_bodies BASE_URL N OUT_DIR`.

use paybridge::gateway::{rules, wire, CreateParams, OrderRef};
use paybridge::json;
use paybridge::model::{Channel, Gateway, Mode};
use paybridge_proxy::sandbox::credentials::sandbox_secrets;
use std::io::Write;

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, n, out] = args.as_slice() else { return Err("usage: load_bodies BASE_URL N OUT_DIR".into()) };
    let n: usize = n.parse().map_err(|_| "N must be a number")?;
    let http = reqwest::Client::new();
    let proto = rules(Gateway::BlueOcean).map_err(|e| e.to_string())?;
    let gw_wire = wire(Gateway::BlueOcean).map_err(|e| e.to_string())?;
    let secrets = sandbox_secrets(Gateway::BlueOcean);
    let (mut proxied, mut direct) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let shop = http.post(format!("{base}/shop/orders")).body(r#"{"amount":100}"#).header("content-type", "application/json").send().await.map_err(|e| e.to_string())?;
        let shop = json::parse(&shop.text().await.map_err(|e| e.to_string())?).map_err(|_| "shop answer")?;
        let no = shop.text("out_trade_no").ok_or("no order number")?.to_owned();
        let client_secret = shop.text("clientSecret").ok_or("no client secret")?.to_owned();
        let create = proto.create_request(&CreateParams::new(Mode::Qr, Channel::Wechat, &no)).map_err(|e| e.to_string())?;
        let res = http
            .post(format!("{base}/proxy{}", create.proxy_path()))
            .body(create.params.to_json())
            .header("content-type", "application/json")
            .header("paybridge-client-secret", &client_secret)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !res.status().is_success() {
            return Err(format!("create through the proxy: {}", res.status()));
        }
        let query = proto.query_request(&OrderRef { out_trade_no: no, channel: Channel::Wechat, mode: Mode::Qr, gateway_order_id: None }).map_err(|e| e.to_string())?;
        let endpoint = proto.endpoint(&query.path, None).ok_or("query endpoint")?;
        let signed = gw_wire.encode_request(endpoint, &query.path, &query.params.value(), &secrets, 0).map_err(|e| e.to_string())?;
        proxied.push(format!("{client_secret}\t{}", query.params.to_json()));
        direct.push(String::from_utf8(signed.body).map_err(|_| "body")?);
    }
    for (name, lines) in [("proxied.txt", proxied), ("direct.txt", direct)] {
        let mut f = std::fs::File::create(format!("{out}/{name}")).map_err(|e| e.to_string())?;
        for l in lines {
            writeln!(f, "{l}").map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
