//! What the two mountable widgets (`mountCashier`, `mountCounter`) read
//! from their options alike, and the one object their views call into.

use super::js;
use crate::error::PayError;
use crate::i18n::Locale;
use crate::model::Gateway;
use js_sys::Object;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What a mounted widget's view asks the wasm (internal): the cashier's
/// countdown (`web/cashier.rs`), the counter's keys, typed codes and amounts
/// (`web/counter.rs`). One class whose methods the views call, instead of a
/// closure per callback: no closure glue or function table in the build.
#[wasm_bindgen(skip_typescript)]
pub struct WidgetCalls {
    /// The counter's keyboard-wedge detector.
    #[cfg(feature = "counter-screen")]
    pub(super) scanner: crate::counter::Scanner,
    /// The counter's gateway, to check a wallet is offered.
    #[cfg(feature = "counter-screen")]
    pub(super) gateway: Option<Gateway>,
    /// The counter's currency for amounts.
    #[cfg(feature = "counter-screen")]
    pub(super) currency: String,
    /// The counter's language.
    #[cfg(feature = "counter-screen")]
    pub(super) locale: Locale,
}

#[cfg(feature = "cashier-desk")]
impl WidgetCalls {
    /// Calls for the cashier's view, which uses none of the counter's state.
    pub(super) fn cashier() -> WidgetCalls {
        WidgetCalls {
            #[cfg(feature = "counter-screen")]
            scanner: crate::counter::Scanner::new(0.0),
            #[cfg(feature = "counter-screen")]
            gateway: None,
            #[cfg(feature = "counter-screen")]
            currency: String::new(),
            #[cfg(feature = "counter-screen")]
            locale: Locale::default(),
        }
    }
}

/// What both widgets start from: the element, the options, their language
/// and `options.checkout`.
pub(super) struct Mount {
    /// The element to mount into.
    pub element: web_sys::HtmlElement,
    /// The options object.
    pub opts: Object,
    /// The options' `locale` (default zh-CN).
    pub locale: Locale,
    /// `options.checkout`, a `Checkout` (with `pay` and `on`).
    pub checkout: Object,
}

/// Reads a widget's arguments, in this order: the element, the options
/// object, its checkout. A wrong one is `invalid_argument` as a JS error in
/// the options' language (one function for both widgets).
pub(super) fn mount_of(element: JsValue, options: JsValue) -> Result<Mount, JsValue> {
    let opts = options.dyn_into::<Object>().ok();
    let locale = js::locale(opts.as_ref());
    let read = || {
        let element = element.dyn_into().map_err(|_| PayError::invalid_argument("element must be an HTMLElement"))?;
        let opts = opts.ok_or_else(|| PayError::invalid_argument("options must be an object"))?;
        let checkout = checkout_of(&opts)?;
        Ok(Mount { element, opts, locale, checkout })
    };
    read().map_err(|e: PayError| js::error(&e, locale))
}

/// `options.checkout`, which must be an object with `pay` and `on` (its
/// members read as options are, through `js::prop`).
fn checkout_of(opts: &Object) -> Result<Object, PayError> {
    let checkout: Object = js::prop(Some(opts), "checkout").filter(|c| c.is_object()).ok_or_else(|| PayError::invalid_argument("`checkout` is required"))?.unchecked_into();
    let has = |k: &str| js::prop(Some(&checkout), k).is_some_and(|f| f.is_function());
    if has("pay") && has("on") {
        Ok(checkout)
    } else {
        Err(PayError::invalid_argument("`checkout` must be a Checkout (with pay and on)"))
    }
}

/// `options.gateway`, else the checkout's own `gateway` property, if either names one.
pub(super) fn gateway_of(opts: &Object, checkout: &Object) -> Result<Option<Gateway>, PayError> {
    let name = match js::str_prop(Some(opts), "gateway")? {
        Some(name) => name,
        None => match js::prop(Some(checkout), "gateway").and_then(|g| g.as_string()) {
            Some(name) => name,
            None => return Ok(None),
        },
    };
    js::gateway(&name).map(Some)
}
