//! `mountCounter`: the shop-screen counter. Rust reads the options, detects
//! scanner bursts and recognises payer codes ([`crate::counter`]); the DOM,
//! the keyboard listener and the calls to `createOrder` / `Checkout.pay`
//! live in a small JS view (`counter_view.js`).

use super::js;
use super::widget::{gateway_of, mount_of, Mount, WidgetCalls};
use crate::cashier::channel_label;
use crate::cashier::{display_amount, texts_json};
use crate::checkout::effect::error_json;
use crate::counter::{channel_for, mask, texts, Reading, Scanner};
use crate::error::{ErrorCode, PayError};
use crate::gateway::protocol;
use crate::i18n::Locale;
use crate::json::Obj;
use crate::model::{Gateway, Mode};
use js_sys::Object;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/counter_view.js")]
extern "C" {
    #[wasm_bindgen(js_name = mountCounterView)]
    fn mount_view(element: &web_sys::HtmlElement, texts: &str, options: &Object, calls: WidgetCalls) -> JsValue;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_COUNTER: &'static str = r##"
/** Options for mountCounter. */
export interface CounterOptions {
  checkout: Checkout;
  /** Creates the merchant's order once a payer code was recognised (with its client secret). */
  createOrder: () => Promise<{ outTradeNo: string; amount: number; clientSecret?: string }>;
  locale?: Locale;
  /** Keys closer together than this (ms) are a scanner burst (default 35). */
  scannerThresholdMs?: number;
  /** ISO 4217 code for showing the amount (default "CNY"). */
  currency?: string;
  /** The checkout's gateway, when `checkout.gateway` does not say (checks the wallet is offered). */
  gateway?: Gateway;
  onOutcome?: (outcome: OrderStatus & { verified: boolean; outTradeNo: string; payerCode: string }) => void;
  onError?: (error: PaybridgeError) => void;
}
/** Renders a counter screen into `element`: reads the payer's code from a keyboard-wedge scanner
 *  (document keydown while mounted) or a visible input, creates the order and pays it with mode
 *  "counter". Emits `paybridge:scan` ({channel, payerCode (masked), scanned}), `paybridge:outcome`
 *  and `paybridge:error` on `element`. The full code is never shown, logged or kept. */
export function mountCounter(element: HTMLElement, options: CounterOptions): Mounted;
"##;

/// Renders the counter screen into `element` (see the TypeScript declaration).
#[wasm_bindgen(js_name = mountCounter, skip_typescript)]
pub fn mount_counter(element: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let Mount { element, opts, locale, checkout } = mount_of(element, options)?;
    let calls = read_calls(&opts, &checkout, locale).map_err(|e| js::error(&e, locale))?;
    Ok(mount_view(&element, &texts_json(texts(locale)), &opts, calls))
}

/// The counter's state from the options; the currency (owned) read last.
fn read_calls(opts: &Object, checkout: &Object, locale: Locale) -> Result<WidgetCalls, PayError> {
    if !js::prop(Some(opts), "createOrder").is_some_and(|f| f.is_function()) {
        return Err(PayError::invalid_argument("`createOrder` must be a function"));
    }
    let gateway = gateway_of(opts, checkout)?;
    let threshold = js::num_prop(Some(opts), "scannerThresholdMs")?.unwrap_or(Scanner::DEFAULT_THRESHOLD_MS);
    let currency = js::str_prop(Some(opts), "currency")?.unwrap_or_else(|| "CNY".to_owned());
    Ok(WidgetCalls { scanner: Scanner::new(threshold), gateway, currency, locale })
}

// Each call answers a JS value (a string, or undefined): a `String` answer
// would give every method its own string-passing glue.
#[wasm_bindgen]
impl WidgetCalls {
    /// Feeds one key (`KeyboardEvent.key`, `timeStamp`) to the scanner: the
    /// reading's JSON text when Enter completes a code, else undefined.
    pub fn key(&mut self, key: &str, at: f64) -> JsValue {
        let reading = self.scanner.key(key, at).map(|r| reading(r, self.gateway, self.locale));
        text(reading)
    }

    /// A code typed into the visible input (or scanned into it) as a reading's JSON text.
    pub fn read(&self, code: &str, scanned: bool) -> JsValue {
        text(Some(reading(Reading { code: crate::text::trim(code).to_owned(), scanned }, self.gateway, self.locale)))
    }

    /// `fen` minor units with the currency's sign, or undefined when it is not a whole amount.
    pub fn amount(&self, fen: f64) -> JsValue {
        text((fen.fract() == 0.0 && (0.0..=9e15).contains(&fen)).then(|| display_amount(fen as i64, &self.currency)))
    }
}

fn text(t: Option<String>) -> JsValue {
    t.map_or(JsValue::UNDEFINED, |t| JsValue::from_str(&t))
}

/// A reading for the view as JSON text: `{payerCode, scanned, code,
/// channel, label}`, or `{payerCode, scanned, error}` (the error as the
/// checkout's events carry it) when the code is not usable here.
fn reading(r: Reading, gateway: Option<Gateway>, locale: Locale) -> String {
    let mut out = Obj::new();
    out.text("payerCode", &mask(&r.code)).flag("scanned", r.scanned);
    match usable_channel(&r.code, gateway) {
        Ok(channel) => {
            out.text("code", &r.code).text("channel", channel.as_str()).text("label", channel_label(channel, locale));
        }
        Err(e) => {
            out.raw("error", &error_json(&e, locale, false));
        }
    }
    out.end()
}

fn usable_channel(code: &str, gateway: Option<Gateway>) -> Result<crate::model::Channel, PayError> {
    let channel = channel_for(code)?;
    if let Some(g) = gateway {
        if !protocol(g)?.supports(Mode::Counter, channel) {
            return Err(PayError::new(ErrorCode::Unsupported).with_detail(detail!("{} does not take {} codes at the counter", g.as_str(), channel.as_str())));
        }
    }
    Ok(channel)
}
