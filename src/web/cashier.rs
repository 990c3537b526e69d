//! `mountCashier`: the built-in cashier desk. Rust reads the options and
//! computes the desk ([`crate::cashier`]); the DOM and the wiring to the
//! `Checkout` live in a small JS view (`cashier_view.js`), which sets every
//! string with `textContent`.

use super::env::page_environment;
use super::js;
use super::widget::{gateway_of, mount_of, Mount, WidgetCalls};
use crate::cashier::{countdown, display_amount, methods, DeskJson, Method};
use crate::error::{ErrorCode, PayError};
use crate::gateway::protocol;
use crate::i18n::Locale;
use crate::model::{Channel, Mode};
use js_sys::Object;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/src/web/cashier_view.js")]
extern "C" {
    #[wasm_bindgen(js_name = mountCashierView)]
    fn mount_view(element: &web_sys::HtmlElement, desk: &str, options: &Object, calls: WidgetCalls, expired: JsValue) -> JsValue;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_CASHIER: &'static str = r##"
/** What mountCashier and mountCounter return. */
export interface Mounted { destroy(): void; }
/** Options for mountCashier. */
export interface CashierOptions {
  checkout: Checkout;
  /** Amount in minor units (fen); shown only — the proxy takes the amount from the order record. */
  amount: number;
  /** ISO 4217 code (default "CNY"). */
  currency?: string;
  subject?: string;
  outTradeNo: string;
  /** The order's client secret from your back end (sent as Paybridge-Client-Secret). */
  clientSecret?: string;
  /** When the order expires (Unix ms): a countdown, then the methods are disabled. */
  expiresAt?: number;
  locale?: Locale;
  /** The methods to offer, best first (default: from the gateway and the environment). */
  methods?: { mode: Mode; channel: Channel }[];
  /** The checkout's gateway, when `checkout.gateway` does not say. */
  gateway?: Gateway;
  onOutcome?: (outcome: OrderStatus & { verified: boolean; outTradeNo: string }) => void;
  onError?: (error: PaybridgeError) => void;
}
/** Renders a cashier desk (amount, subject, methods, countdown) into `element`; choosing a
 *  method calls `checkout.pay`. Emits `paybridge:outcome` and `paybridge:error` CustomEvents
 *  on `element`. Style it with the `pb-` classes (see the demo's components.css). */
export function mountCashier(element: HTMLElement, options: CashierOptions): Mounted;
"##;

/// Renders the cashier desk into `element` (see the TypeScript declaration).
#[wasm_bindgen(js_name = mountCashier, skip_typescript)]
pub fn mount_cashier(element: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let Mount { element, opts, locale, checkout } = mount_of(element, options)?;
    let desk = read_desk(&opts, &checkout, locale).map_err(|e| js::error(&e, locale))?;
    let expired = js::error(&PayError::new(ErrorCode::Expired), locale);
    Ok(mount_view(&element, &desk, &opts, WidgetCalls::cashier(), expired))
}

#[wasm_bindgen]
impl WidgetCalls {
    /// The cashier's countdown text for `ms` left (a JS string answer, as
    /// the counter's calls give).
    pub fn countdown(&self, ms: f64) -> JsValue {
        JsValue::from_str(&countdown(ms as i64))
    }
}

/// The desk's JSON from the options, the methods written as they are read.
/// The amount's text and the order number are read after the checks that
/// cannot keep anything, so an early return drops little.
fn read_desk(opts: &Object, checkout: &Object, locale: Locale) -> Result<String, PayError> {
    let amount = js::num_prop(Some(opts), "amount")?
        .filter(|a| a.fract() == 0.0 && (0.0..=9e15).contains(a))
        .ok_or_else(|| PayError::invalid_argument("`amount` must be a whole number of minor units (fen)"))?;
    if let Some(at) = js::num_prop(Some(opts), "expiresAt")? {
        if !at.is_finite() {
            return Err(PayError::invalid_argument("`expiresAt` must be Unix milliseconds"));
        }
    }
    let mut desk = DeskJson::new(locale);
    match js::prop(Some(opts), "methods") {
        Some(list) => read_methods(&list, &mut desk)?,
        None => {
            let gateway = gateway_of(opts, checkout)?.ok_or_else(|| PayError::invalid_argument("pass `gateway` or `methods`: the checkout does not say its gateway"))?;
            methods(protocol(gateway)?.modes(), &page_environment(None), |m| desk.method(m));
        }
    }
    let amount = display_amount(amount as i64, js::str_prop(Some(opts), "currency")?.as_deref().unwrap_or("CNY"));
    let subject = js::str_prop(Some(opts), "subject")?;
    Ok(desk.end(&amount, subject.as_deref(), &js::required(Some(opts), "outTradeNo")?))
}

fn read_methods(list: &JsValue, desk: &mut DeskJson) -> Result<(), PayError> {
    let bad = || PayError::invalid_argument("`methods` must be an array of {mode, channel}");
    let arr = list.dyn_ref::<js_sys::Array>().ok_or_else(bad)?;
    for m in arr.iter() {
        let o = m.dyn_into::<Object>().map_err(|_| bad())?;
        let mode = js::str_prop(Some(&o), "mode")?.and_then(|s| Mode::parse(&s)).ok_or_else(bad)?;
        let channel = js::str_prop(Some(&o), "channel")?.map_or(Some(Channel::Any), |s| Channel::parse(&s)).ok_or_else(bad)?;
        desk.method(Method { mode, channel });
    }
    Ok(())
}
