//! `buildCreateRequest` and `buildQueryRequest`: the unsigned request a page
//! sends to its signing proxy, in the gateway's own terms.

use super::js;
use crate::error::PayError;
use crate::gateway::{protocol, CreateParams, GatewayRequest, OrderRef};
use crate::json::Obj;
use crate::model::{Channel, Mode};
use js_sys::Object;
use wasm_bindgen::prelude::*;

/// `{path, body}`: POST `body` (JSON text) to `{proxy}{path}`.
fn to_js(req: &GatewayRequest) -> Result<JsValue, PayError> {
    let mut o = Obj::new();
    o.text("path", &req.proxy_path()).text("body", &req.params.to_json());
    js::to_js(&o.end())
}

/// The order options both create exports read (`channel`, `subAppid`,
/// `openid`, `returnUrl`, `miniProgram`) into the params for `mode` and
/// `out_trade_no`: one reader for both exports instead of a copy in each.
pub(super) fn create_params(o: Option<&Object>, mode: Mode, out_trade_no: String) -> Result<CreateParams, PayError> {
    let mut p = CreateParams::new(mode, js::channel(o)?.unwrap_or(Channel::Any), out_trade_no);
    p.sub_appid = js::str_prop(o, "subAppid")?;
    p.openid = js::str_prop(o, "openid")?;
    p.return_url = js::str_prop(o, "returnUrl")?;
    p.mini_program = js::prop(o, "miniProgram").and_then(|v| v.as_bool()).unwrap_or(false);
    Ok(p)
}

/// The unsigned create request for an order: `{path, body}` to POST to the
/// proxy. The proxy adds the amount, credentials and `notify_url`.
#[wasm_bindgen(js_name = buildCreateRequest, unchecked_return_type = "ProxyRequest")]
pub fn build_create_request(
    #[wasm_bindgen(unchecked_param_type = "Gateway")] gateway: &str,
    #[wasm_bindgen(unchecked_param_type = "Mode")] mode: &str,
    #[wasm_bindgen(unchecked_param_type = "CreateOptions")] options: Option<Object>,
) -> Result<JsValue, JsValue> {
    let o = options.as_ref();
    let run = || -> Result<JsValue, PayError> {
        let proto = protocol(js::gateway(gateway)?)?;
        let mode = js::mode(mode)?;
        let mut p = create_params(o, mode, js::required(o, "outTradeNo")?)?;
        p.subject = js::str_prop(o, "subject")?;
        p.auth_code = js::str_prop(o, "authCode")?;
        to_js(&proto.create_request(&p)?)
    };
    run().map_err(|e| js::error(&e, js::locale(o)))
}

/// The unsigned status query for an order: `{path, body}` to POST to the proxy.
#[wasm_bindgen(js_name = buildQueryRequest, unchecked_return_type = "ProxyRequest")]
pub fn build_query_request(
    #[wasm_bindgen(unchecked_param_type = "Gateway")] gateway: &str,
    #[wasm_bindgen(unchecked_param_type = "QueryOptions")] options: Option<Object>,
) -> Result<JsValue, JsValue> {
    let o = options.as_ref();
    let run = || -> Result<JsValue, PayError> {
        let proto = protocol(js::gateway(gateway)?)?;
        let mode = match js::str_prop(o, "mode")? {
            Some(m) => js::mode(&m)?,
            None => Mode::Qr,
        };
        let order =
            OrderRef { out_trade_no: js::required(o, "outTradeNo")?, channel: js::channel(o)?.unwrap_or(Channel::Any), mode, gateway_order_id: js::str_prop(o, "gatewayOrderId")? };
        to_js(&proto.query_request(&order)?)
    };
    run().map_err(|e| js::error(&e, js::locale(o)))
}
