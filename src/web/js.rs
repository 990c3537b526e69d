//! Small conversions between JS values and the core's types.

use crate::error::PayError;
use crate::i18n::Locale;
use crate::model::{Channel, Gateway, Mode};
use js_sys::Object;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/shared.js")]
extern "C" {
    #[wasm_bindgen(js_name = codedError)]
    fn coded_error(message: &str, code: &str, gateway_code: Option<&str>, gateway_message: Option<&str>, detail: Option<&str>) -> JsValue;
    #[wasm_bindgen(js_name = optionOf)]
    fn option_of(obj: &Object, key: &str) -> JsValue;
}

/// A JS `Error` whose `message` is in `locale` and which carries `code`,
/// and where known `gatewayCode`, `gatewayMessage` and `detail`.
pub fn error(e: &PayError, locale: Locale) -> JsValue {
    coded_error(e.message(locale), e.code.as_str(), e.gateway_code.as_deref(), e.gateway_message.as_deref(), e.detail.as_deref())
}

/// A gateway by name, else `invalid_argument`.
pub fn gateway(name: &str) -> Result<Gateway, PayError> {
    Gateway::parse(name).ok_or_else(|| PayError::invalid_argument(detail!("unknown gateway \"{name}\"")))
}

/// A mode by name, else `invalid_argument`.
pub fn mode(name: &str) -> Result<Mode, PayError> {
    Mode::parse(name).ok_or_else(|| PayError::invalid_argument(detail!("unknown mode \"{name}\"")))
}

/// The `channel` property, if set; an unknown name is `invalid_argument`.
pub fn channel(obj: Option<&Object>) -> Result<Option<Channel>, PayError> {
    str_prop(obj, "channel")?.map(|c| Channel::parse(&c).ok_or_else(|| PayError::invalid_argument(detail!("unknown channel \"{c}\"")))).transpose()
}

/// A non-empty string property, else `invalid_argument` "`key` is required".
pub fn required(obj: Option<&Object>, key: &str) -> Result<String, PayError> {
    str_prop(obj, key)?.filter(|s| !s.is_empty()).ok_or_else(|| PayError::invalid_argument(detail!("`{key}` is required")))
}

/// Property `key` of an optional options object, if set (not undefined/null).
// Read in JS (`optionOf`): `Reflect::get` with a key string made for it, its
// caught exception and the two checks were wasm at every reader.
pub fn prop(obj: Option<&Object>, key: &str) -> Option<JsValue> {
    let v = option_of(obj?, key);
    (!v.is_undefined()).then_some(v)
}

/// A string property; a non-string value is an `invalid_argument` error.
pub fn str_prop(obj: Option<&Object>, key: &str) -> Result<Option<String>, PayError> {
    prop(obj, key).map(|v| v.as_string().ok_or_else(|| PayError::invalid_argument(detail!("`{key}` must be a string")))).transpose()
}

/// A numeric property; a non-number value is an `invalid_argument` error.
pub fn num_prop(obj: Option<&Object>, key: &str) -> Result<Option<f64>, PayError> {
    prop(obj, key).map(|v| v.as_f64().ok_or_else(|| PayError::invalid_argument(detail!("`{key}` must be a number")))).transpose()
}

/// An array-of-strings property.
pub fn strings_prop(obj: Option<&Object>, key: &str) -> Result<Vec<String>, PayError> {
    let Some(v) = prop(obj, key) else { return Ok(Vec::new()) };
    // An index loop (`iter().map().collect()` into a `Result` was a shunt
    // adapter of its own, ~0.4 KB of wasm) with one way out for a bad value:
    // the array borrowed, not moved, and the error built in one place.
    if let Some(arr) = v.dyn_ref::<js_sys::Array>() {
        let len = arr.length();
        let mut out = Vec::new();
        for i in 0..len {
            let Some(s) = arr.get(i).as_string() else { break };
            out.push(s);
        }
        if out.len() == len as usize {
            return Ok(out);
        }
    }
    Err(PayError::invalid_argument(detail!("`{key}` must be an array of strings")))
}

/// Reads a config's options, keeping the first error: a reader reads every
/// option in order and checks once (one exit instead of one per option).
pub struct Options<'a> {
    obj: &'a Object,
    err: Option<PayError>,
}

impl<'a> Options<'a> {
    /// Reads from `obj`.
    pub fn new(obj: &'a Object) -> Self {
        Options { obj, err: None }
    }

    /// `r`'s value, or the default after keeping its error (the first one wins).
    pub fn keep<T: Default>(&mut self, r: Result<T, PayError>) -> T {
        r.unwrap_or_else(|e| {
            self.err.get_or_insert(e);
            T::default()
        })
    }

    /// Property `key`, if set.
    pub fn prop(&self, key: &str) -> Option<JsValue> {
        prop(Some(self.obj), key)
    }

    /// A string option (see [`str_prop`]).
    pub fn str(&mut self, key: &str) -> Option<String> {
        let r = str_prop(Some(self.obj), key);
        self.keep(r)
    }

    /// A numeric option (see [`num_prop`]).
    pub fn num(&mut self, key: &str) -> Option<f64> {
        let r = num_prop(Some(self.obj), key);
        self.keep(r)
    }

    /// An array-of-strings option (see [`strings_prop`]).
    pub fn strings(&mut self, key: &str) -> Vec<String> {
        let r = strings_prop(Some(self.obj), key);
        self.keep(r)
    }

    /// `value` unless an option was wrong: then the first error.
    pub fn end<T>(self, value: T) -> Result<T, PayError> {
        match self.err {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

/// The `locale` option (default zh-CN).
pub fn locale(obj: Option<&Object>) -> Locale {
    prop(obj, "locale").and_then(|v| v.as_string()).map(|t| Locale::parse(&t)).unwrap_or_default()
}

#[cfg(feature = "low-level-api")]
/// The plain JS object of JSON object text the core wrote ([`crate::json::Obj`]).
pub fn to_js(json: &str) -> Result<JsValue, PayError> {
    js_sys::JSON::parse(json).map_err(|_| PayError::invalid_payload("result could not be converted"))
}
