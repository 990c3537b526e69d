//! What the two mountable widgets (`mountCashier`, `mountCounter`) read
//! from their options alike.

use super::js;
use crate::error::PayError;
use crate::model::Gateway;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The element to mount into, or `invalid_argument`.
pub(super) fn element_of(element: JsValue) -> Result<web_sys::HtmlElement, PayError> {
    element.dyn_into().map_err(|_| PayError::invalid_argument("element must be an HTMLElement"))
}

/// `options.checkout`, which must be an object with `pay` and `on`.
pub(super) fn checkout_of(opts: &Object) -> Result<JsValue, PayError> {
    let checkout = js::prop(Some(opts), "checkout").filter(|c| c.is_object()).ok_or_else(|| PayError::invalid_argument("`checkout` is required"))?;
    let has = |k: &str| Reflect::get(&checkout, &JsValue::from_str(k)).is_ok_and(|f| f.is_function());
    if has("pay") && has("on") {
        Ok(checkout)
    } else {
        Err(PayError::invalid_argument("`checkout` must be a Checkout (with pay and on)"))
    }
}

/// `options.gateway`, else the checkout's own `gateway` property, if either names one.
pub(super) fn gateway_of(opts: &Object, checkout: &JsValue) -> Result<Option<Gateway>, PayError> {
    let name = match js::str_prop(Some(opts), "gateway")? {
        Some(name) => name,
        None => match Reflect::get(checkout, &JsValue::from_str("gateway")).ok().and_then(|g| g.as_string()) {
            Some(name) => name,
            None => return Ok(None),
        },
    };
    js::gateway(&name).map(Some)
}
