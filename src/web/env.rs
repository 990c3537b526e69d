//! `detectEnvironment`.

use crate::env::{detect, Environment, Hints};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/shared.js")]
extern "C" {
    #[wasm_bindgen(js_name = globalProp)]
    fn js_global_prop(key: &str, inner: Option<&str>) -> JsValue;
}

/// `globalThis.a` or `globalThis.a.b`, undefined where a step is missing.
/// Walked in JS: js_sys's `global()` (four fallbacks, ~0.3 KB of wasm) and a
/// `Reflect::get` per step were the wasm's.
pub(super) fn global_prop(path: &[&str]) -> JsValue {
    match path {
        [a] => js_global_prop(a, None),
        [a, b] => js_global_prop(a, Some(b)),
        _ => JsValue::UNDEFINED,
    }
}

/// What the page itself says: `window.__wxjs_environment`, the wallet
/// bridges' presence and `navigator.maxTouchPoints`.
fn page_hints() -> Hints {
    Hints {
        wxjs_environment: global_prop(&["__wxjs_environment"]).as_string(),
        wechat_bridge: global_prop(&["WeixinJSBridge"]).is_object(),
        alipay_bridge: global_prop(&["AlipayJSBridge"]).is_object(),
        max_touch_points: global_prop(&["navigator", "maxTouchPoints"]).as_f64().map(|n| n as u32),
        ..Hints::default()
    }
}

/// This page's environment: `navigator.userAgent` (or `user_agent`) plus the
/// page's own hints.
pub(super) fn page_environment(user_agent: Option<String>) -> Environment {
    let ua = user_agent.or_else(|| global_prop(&["navigator", "userAgent"]).as_string()).unwrap_or_default();
    detect(&ua, &page_hints())
}

/// The `detectEnvironment` export (the `low-level-api` feature).
#[cfg(feature = "low-level-api")]
mod export {
    use super::page_environment;
    use crate::env::Environment;
    use crate::json::{Arr, Obj};
    use crate::web::js;
    use wasm_bindgen::prelude::*;

    fn to_json(env: &Environment) -> String {
        let mut o = Obj::new();
        o.text("container", env.container.as_str()).text("os", env.os.as_str()).flag("mobile", env.mobile).flag("certain", env.certain);
        let mut modes = Arr::new();
        for m in &env.recommended_modes {
            modes.text(m.as_str());
        }
        o.arr("recommendedModes", modes);
        o.end()
    }

    /// Where the page runs: container (WeChat, mini-program web-view, Alipay…),
    /// OS, and the payment modes that fit, best first. Reads `navigator.userAgent`
    /// when `userAgent` is not given, plus the page's own hints. `certain` is
    /// false where the answer may change once a bridge is ready (iOS WeChat
    /// mini-programs announce themselves only after `WeixinJSBridgeReady`).
    #[wasm_bindgen(js_name = detectEnvironment, unchecked_return_type = "Environment")]
    pub fn detect_environment(user_agent: Option<String>) -> Result<JsValue, JsValue> {
        let env = page_environment(user_agent);
        js::to_js(&to_json(&env)).map_err(|e| js::error(&e, crate::i18n::Locale::En))
    }
}
