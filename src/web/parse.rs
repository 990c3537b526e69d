//! `parseCreateResponse` and `parseQueryResponse`.

use super::js;
use super::request::create_params;
use crate::error::PayError;
use crate::gateway::{parse_body, protocol};
use crate::json::{Obj, Value};
use crate::url_guard::UrlPolicy;
use js_sys::Object;
use wasm_bindgen::prelude::*;

/// Reads a gateway's create response into the page's next action.
#[wasm_bindgen(js_name = parseCreateResponse, unchecked_return_type = "ParsedCreate")]
pub fn parse_create_response(
    #[wasm_bindgen(unchecked_param_type = "Gateway")] gateway: &str,
    #[wasm_bindgen(unchecked_param_type = "Mode")] mode: &str,
    #[wasm_bindgen(unchecked_param_type = "string | object")] body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ParseOptions")] options: Option<Object>,
) -> Result<JsValue, JsValue> {
    let o = options.as_ref();
    let locale = js::locale(o);
    let run = || -> Result<JsValue, PayError> {
        let proto = protocol(js::gateway(gateway)?)?;
        let mode = js::mode(mode)?;
        let policy = UrlPolicy { sandbox_hosts: js::strings_prop(o, "sandboxHosts")?, extra_domains: js::strings_prop(o, "allowDomains")? };
        let body = body_of(&body)?;
        let params = create_params(o, mode, js::str_prop(o, "outTradeNo")?.unwrap_or_default())?;
        let created = proto.parse_create(&params, &body, &policy)?;
        // Written as the flow writes it, the order id as one more member:
        // no `Value` tree, no property set afterwards.
        let mut action = Obj::action(&created.action);
        if let Some(id) = &created.gateway_order_id {
            action.text("gatewayOrderId", id);
        }
        js::to_js(&action.end())
    };
    run().map_err(|e| js::error(&e, locale))
}

/// Reads a gateway's status-query response into an order status.
#[wasm_bindgen(js_name = parseQueryResponse, unchecked_return_type = "OrderStatus")]
pub fn parse_query_response(
    #[wasm_bindgen(unchecked_param_type = "Gateway")] gateway: &str,
    #[wasm_bindgen(unchecked_param_type = "string | object")] body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "{ locale?: Locale }")] options: Option<Object>,
) -> Result<JsValue, JsValue> {
    let locale = js::locale(options.as_ref());
    let run = || -> Result<JsValue, PayError> {
        let proto = protocol(js::gateway(gateway)?)?;
        let status = proto.parse_query(&body_of(&body)?)?;
        let mut o = Obj::new();
        o.status(&status);
        js::to_js(&o.end())
    };
    run().map_err(|e| js::error(&e, locale))
}

/// A body given as a string or as an already-parsed object, read as the
/// gateway's answer (one copy for both parse exports).
fn body_of(body: &JsValue) -> Result<Value, PayError> {
    let text = match body.as_string() {
        Some(s) => Some(s),
        None if body.is_object() => js_sys::JSON::stringify(body).ok().and_then(|s| s.as_string()),
        None => None,
    };
    parse_body(&text.ok_or_else(|| PayError::invalid_payload("body must be a string or an object"))?)
}
