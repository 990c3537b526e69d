//! The `Checkout` class. It reads the page's config and orders, then runs
//! one pure [`Flow`] per payment through `driver.js`, which only carries out
//! effects (fetch, timers, bridges, navigation, storage, listeners).

use super::env::{global_prop, page_environment};
use super::js;
use super::qr::render_qr;
use crate::checkout::event::Event;
use crate::checkout::flow::Flow;
use crate::checkout::methods::{environment_from_json, methods};
use crate::checkout::pending::Pending;
use crate::checkout::step;
use crate::checkout::{Order, Settings, DEFAULT_BRIDGE_TIMEOUT_MS, DEFAULT_COUNTER_TIMEOUT_MS, DEFAULT_MINI_PROGRAM_PAGE, DEFAULT_ORDER_TTL_MS};
use crate::env::Environment;
use crate::error::PayError;
use crate::i18n::Locale;
use crate::json::{self, Arr, Obj, Value};
use crate::model::Channel;
use crate::url_guard::UrlPolicy;
use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/checkout/driver.js")]
extern "C" {
    type Driver;
    #[wasm_bindgen(constructor)]
    fn new(config: &Object) -> Driver;
    /// The shallow copy of the config the driver took as it was given.
    #[wasm_bindgen(method, getter)]
    fn options(this: &Driver) -> Object;
    #[wasm_bindgen(method)]
    fn on(this: &Driver, event: &JsValue, listener: &Function);
    #[wasm_bindgen(method)]
    fn run(this: &Driver, flow: JsValue, order: &JsValue) -> Promise;
    /// What `resume()` continues: the running payment's promise, else the pending order's stored text (or null).
    #[wasm_bindgen(method)]
    fn resumable(this: &Driver) -> JsValue;
    #[wasm_bindgen(method)]
    fn cancel(this: &Driver);
    #[wasm_bindgen(method)]
    fn confirm(this: &Driver, paid: bool);
}

/// One payment's state machine, stepped by the driver (internal).
#[wasm_bindgen(skip_typescript)]
pub struct CheckoutFlow {
    flow: Flow,
}

#[wasm_bindgen]
impl CheckoutFlow {
    /// Feeds one event (JSON with `now` and `rng`); returns the effects as JSON.
    pub fn step(&mut self, event: &str) -> String {
        let Ok(v) = json::parse(event) else { return "[]".to_owned() };
        let Some(ev) = Event::from_json(&v) else { return "[]".to_owned() };
        let rng = v.int("rng").and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        self.flow.on_event(v.int("now").unwrap_or(0), rng, ev)
    }

    /// Draws the QR code on the order's `qrTarget` with the config's `qr`
    /// options (static: the driver calls `flow.constructor.drawQr`).
    #[wasm_bindgen(js_name = drawQr)]
    pub fn draw_qr(target: JsValue, text: &str, options: Option<Object>) -> Result<(), JsValue> {
        render_qr(target, text, options)
    }
}

/// Pays orders through one gateway: picks the mode for the environment,
/// creates through the signing proxy, runs the QR / redirect / wallet-bridge
/// / counter flow, polls, and resolves `pay()` exactly once.
#[wasm_bindgen]
pub struct Checkout {
    /// The config as it was given (a shallow copy): each payment reads its settings from it.
    config: Object,
    locale: Locale,
    driver: Driver,
}

#[wasm_bindgen]
impl Checkout {
    /// Checks `config` (`gateway` and `proxy` are required).
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "CheckoutConfig")] config: Object) -> Result<Checkout, JsValue> {
        let settings = read_settings(&config).map_err(|e| js::error(&e, js::locale(Some(&config))))?;
        // Kept as given instead of as `Settings`: re-reading it per payment costs less wasm than cloning them.
        let driver = Driver::new(&config);
        Ok(Checkout { locale: settings.locale, config: driver.options(), driver })
    }

    /// Adds a listener for `action`, `status`, `expired` or `error` (the
    /// name goes to the driver as it came, never decoded into wasm).
    pub fn on(&self, #[wasm_bindgen(unchecked_param_type = "\"action\" | \"status\" | \"expired\" | \"error\"")] event: JsValue, listener: Function) {
        self.driver.on(&event, &listener);
    }

    /// Pays `order`; resolves once with the outcome, or rejects with a coded error.
    #[wasm_bindgen(unchecked_return_type = "Promise<Outcome>")]
    pub fn pay(&self, #[wasm_bindgen(unchecked_param_type = "CheckoutOrder")] order: Object) -> Promise {
        match read_order(&order).and_then(|o| Ok((self.here()?, o))) {
            Ok((s, o)) => self.start(Flow::new(s, environment(), o), &order),
            Err(e) => Promise::reject(&js::error(&e, self.locale)),
        }
    }

    /// Stops the running payment: polling and waiting end, `pay()` rejects
    /// with `cancelled`. A waiting counter payment is first cancelled at the
    /// gateway through the proxy (which refuses a paid one): `pay()` then
    /// rejects once the gateway confirms, or resolves with what it says
    /// instead (a payment that completed meanwhile is never lost).
    pub fn cancel(&self) {
        self.driver.cancel();
    }

    /// The payer's answer to the `confirm` action after a return: `true`
    /// ("I have paid") queries at once; `false` ("I had a problem") keeps polling.
    pub fn confirm(&self, paid: bool) {
        self.driver.confirm(paid);
    }

    /// Continues a payment that left the page (H5 / WAP return, reload,
    /// mini-program return); resolves `null` when there is none.
    #[wasm_bindgen(unchecked_return_type = "Promise<Outcome | null>")]
    pub fn resume(&self) -> Promise {
        // One question for both: a running payment's promise (the only object it answers), else the stored text.
        let found = self.driver.resumable();
        if found.is_object() {
            return found.unchecked_into();
        }
        // Parsed once for both readers below (not JSON: neither reads anything).
        let stored = json::parse(&found.as_string().unwrap_or_default()).unwrap_or(Value::Null);
        let settings = match self.here() {
            Ok(s) => s,
            Err(e) => return Promise::reject(&js::error(&e, self.locale)),
        };
        // Back from where a gateway's checkout step sent the payer: create the order that waited for it.
        if let Some(order) = step::returned(&settings, &stored, js_sys::Date::now() as i64) {
            return self.start(Flow::new(settings, environment(), order), &JsValue::UNDEFINED);
        }
        match Pending::read(&stored).filter(|p| p.gateway == settings.gateway) {
            Some(p) => self.start(Flow::resume(settings, environment(), p), &JsValue::UNDEFINED),
            None => Promise::resolve(&JsValue::NULL),
        }
    }

    /// What `gateway` offers in `env` (default: this page's), best first.
    #[wasm_bindgen(unchecked_return_type = "{ mode: Mode; channel: Channel }[]")]
    pub fn methods(
        #[wasm_bindgen(unchecked_param_type = "Gateway")] gateway: &str,
        #[wasm_bindgen(unchecked_param_type = "Environment")] env: Option<Object>,
    ) -> Result<JsValue, JsValue> {
        let run = || -> Result<JsValue, PayError> {
            let proto = crate::gateway::protocol(js::gateway(gateway)?)?;
            let env = match env {
                Some(o) => env_of(&o.into()).ok_or_else(|| PayError::invalid_argument("`env` is not an Environment"))?,
                None => environment(),
            };
            let mut list = Arr::new();
            for (m, c) in methods(proto.modes(), &env) {
                let mut o = Obj::new();
                o.text("mode", m.as_str()).text("channel", c.as_str());
                list.obj(o);
            }
            js_sys::JSON::parse(&list.end()).map_err(|_| PayError::invalid_payload("methods"))
        };
        run().map_err(|e| js::error(&e, Locale::default()))
    }

    /// The settings, read again from the config the constructor checked (with this page's
    /// `location.search`, where HipoPay's container appends the openid).
    fn here(&self) -> Result<Settings, PayError> {
        read_settings(&self.config)
    }

    fn start(&self, flow: Flow, order: &JsValue) -> Promise {
        self.driver.run(CheckoutFlow { flow }.into(), order)
    }
}

fn env_of(v: &JsValue) -> Option<Environment> {
    let text = js_sys::JSON::stringify(v).ok()?.as_string()?;
    environment_from_json(&json::parse(&text).ok()?)
}

/// This page's environment (what `detectEnvironment()` reports).
fn environment() -> Environment {
    page_environment(None)
}

fn read_settings(c: &Object) -> Result<Settings, PayError> {
    let gateway = js::gateway(&js::required(Some(c), "gateway")?)?;
    let proxy = js::required(Some(c), "proxy")?;
    // Every other option through one reader that keeps the first error: one exit, not one per option.
    // Read in this order into locals and built once (no default built, then dropped and replaced).
    let mut o = js::Options::new(c);
    let channel = o.keep(js::channel(Some(c))).unwrap_or(Channel::Any);
    let policy = UrlPolicy { sandbox_hosts: o.strings("sandboxHosts"), extra_domains: o.strings("allowDomains") };
    let return_url = o.str("returnUrl");
    let sub_appid = o.str("subAppid");
    let can_renew = o.prop("renewOrder").is_some_and(|f| f.is_function());
    let has_app_bridge = o.prop("appBridge").is_some_and(|f| f.is_function());
    let wechat_js_sdk = o.prop("wechatJsSdk").and_then(|v| v.as_bool()).unwrap_or(false);
    // The driver calls the `wx` option itself; only its kind is checked here.
    if o.prop("wx").is_some_and(|v| !v.is_object()) {
        o.keep::<()>(Err(PayError::invalid_argument("`wx` must be the JS-SDK object (weixin-js-sdk's export)")));
    }
    let wallet = o.str("wallet");
    let mini_program_page = o.str("miniProgramPayPage").unwrap_or_else(|| DEFAULT_MINI_PROGRAM_PAGE.to_owned());
    let (mut bridge_timeout_ms, mut order_ttl_ms, mut counter_timeout_ms) = (DEFAULT_BRIDGE_TIMEOUT_MS, DEFAULT_ORDER_TTL_MS, DEFAULT_COUNTER_TIMEOUT_MS);
    for (key, slot) in [("bridgeTimeoutMs", &mut bridge_timeout_ms), ("orderTtlMs", &mut order_ttl_ms), ("counterTimeoutMs", &mut counter_timeout_ms)] {
        match o.num(key) {
            Some(v) if v.is_finite() && v >= 0.0 && v <= f64::from(u32::MAX) => *slot = v as u32,
            Some(_) => o.keep::<()>(Err(PayError::invalid_argument(detail!("`{key}` must be a number of milliseconds")))),
            None => {}
        }
    }
    let settings = Settings {
        gateway,
        proxy,
        locale: js::locale(Some(c)),
        channel,
        policy,
        return_url,
        sub_appid,
        can_renew,
        has_app_bridge,
        wechat_js_sdk,
        mini_program_page,
        wallet,
        bridge_timeout_ms,
        order_ttl_ms,
        counter_timeout_ms,
        // Read with the rest (the constructor's copy never uses it): no second write per payment.
        page_query: global_prop(&["location", "search"]).as_string().unwrap_or_default(),
    };
    o.end(settings)
}

fn read_order(o: &Object) -> Result<Order, PayError> {
    let no = js::required(Some(o), "outTradeNo")?;
    let mut r = js::Options::new(o);
    let mode = match r.str("mode").as_deref() {
        None | Some("auto") => None,
        Some(m) => r.keep(js::mode(m).map(Some)),
    };
    // Built once from the options in this order (no empty order whose members are dropped and replaced).
    let order = Order {
        out_trade_no: no,
        mode,
        channel: r.keep(js::channel(Some(o))),
        openid: r.str("openid"),
        auth_code: r.str("authCode"),
        subject: r.str("subject"),
        client_secret: r.str("clientSecret").filter(|s| !s.is_empty()),
        wallet: r.str("wallet"),
        // The JS-SDK signs the page's URL for wx.config (HK wallet).
        page_url: global_prop(&["location", "href"]).as_string(),
    };
    r.end(order)
}

#[wasm_bindgen(typescript_custom_section)]
const TS_CHECKOUT: &'static str = r##"
/** The Checkout constructor's config. */
export interface CheckoutConfig {
  gateway: Gateway;
  /** The signing proxy's root, e.g. "/proxy". */
  proxy: string;
  locale?: Locale;
  /** The wallet when an order names none (default "any"). */
  channel?: Channel;
  /** Redirect allowlist additions (see ParseOptions). */
  sandboxHosts?: string[];
  allowDomains?: string[];
  /** Where H5 / WAP payments return the payer. */
  returnUrl?: string;
  /** The native app's WeChat app id (app mode). JSAPI and mini-program payments need none:
   *  the proxy sets the official account's / mini-program's id it is configured with. */
  subAppid?: string;
  /** A fresh order for a fresh QR code after expiry: its number, or its number and client secret. */
  renewOrder?: (expiredOutTradeNo: string) => Promise<string | { outTradeNo: string; clientSecret?: string }>;
  /** App mode: hands the validated payload to the native SDK; resolve when it returns. */
  appBridge?: (provider: "wechat" | "alipay", payload: Record<string, unknown> | string) => Promise<unknown>;
  /** Pay with the JS-SDK's wx.chooseWXPay (the page ran wx.config) instead of WeixinJSBridge. */
  wechatJsSdk?: boolean;
  /** The JS-SDK object for pages that import weixin-js-sdk from npm instead of loading
   *  jweixin globally: its chooseWXPay and miniProgram.navigateTo are used instead of window.wx's. */
  wx?: WechatJsSdk;
  /** The wallet's region when an order names none. "HK" with jsapi/wechat in WeChat's browser is
   *  WeChat's HK wallet (BlueOcean): the page loads WeChat's JS-SDK (`wx`), the proxy signs
   *  wx.config (POST {proxy}/wx-config), then wx.invoke('getH5PrepayRequest') pays. */
  wallet?: "HK" | "CN";
  /** The mini-program's native pay page (default "/pages/paybridge/pay"). */
  miniProgramPayPage?: string;
  /** Wait for WeixinJSBridgeReady / AlipayJSBridgeReady (default 5000). */
  bridgeTimeoutMs?: number;
  /** Deadline when the gateway gives no expiry (default 300000). */
  orderTtlMs?: number;
  /** Cancel an unpaid counter payment after this long (default 60000). */
  counterTimeoutMs?: number;
  /** How the QR code is drawn on the order's qrTarget (size, colours, level…; default: renderQr's, in this locale). */
  qr?: QrOptions;
}
/** What Checkout.pay takes. */
export interface CheckoutOrder {
  outTradeNo: string;
  /** The order's client secret from your back end (e.g. the shop's POST /orders answer):
   *  sent on every proxy call as the Paybridge-Client-Secret header. Without it a proxy
   *  that requires client secrets answers 403 client_secret_mismatch. */
  clientSecret?: string;
  mode?: Mode | "auto";
  channel?: Channel;
  /** Where a QR code is drawn. */
  qrTarget?: HTMLCanvasElement | CanvasRenderingContext2D;
  /** Where an iframe action (hosted cashier) is shown. */
  container?: HTMLElement;
  /** The payer's openid. HipoPay JSAPI / mini-program orders need none: the page reads the one
   *  HipoPay's container appends to its URL, exchanges a mini-program's wx.login `code` in its URL
   *  through the proxy, or sends the payer through the container (the proxy's `openidAuthorize`)
   *  and continues the order in `resume()` when they come back. */
  openid?: string;
  authCode?: string;
  subject?: string;
  /** This order's wallet region (see CheckoutConfig.wallet). */
  wallet?: "HK" | "CN";
}
/** How a payment ended. `verified` is false only when the gateway could not
 *  confirm it: a wallet "cancel"/"fail" while the order stays open, or a
 *  counter payment whose cancel and final query went unanswered ("unknown"). */
export type Outcome = OrderStatus & { verified: boolean; outTradeNo: string; channel: Channel };
/** The `action` event: a NextAction, or one of "openInBrowser" (Alipay inside
 *  WeChat; the guide is shown), "miniProgram" (handed to the native page),
 *  "confirm" (back from a wallet page: ask, then call confirm(paid)), "openidAuthorize" (off to
 *  HipoPay's openid container; the page comes back with the openid and resume() creates the order). */
export type CheckoutAction = (NextAction
  | { kind: "openInBrowser"; url: string }
  | { kind: "miniProgram"; url: string }
  | { kind: "confirm"; text: { question: string; paid: string; problem: string } }
  | { kind: "openidAuthorize"; url: string })
  & { outTradeNo: string; mode: Mode; channel: Channel; deadline?: number; gatewayOrderId?: string };
"##;
