//! JSON object and array text written member by member, for what the checkout
//! flow and the widgets hand the page: no `Value` tree is built only to be
//! serialised.
//! The model's own shapes (`NextAction`, `OrderStatus`, WeChat's pay params)
//! are written by the writers beside those types in `crate::model`.

use super::Value;

/// An object being written (`{"key":value,…}`); [`Obj::end`] closes it.
pub(crate) struct Obj(String);

impl Obj {
    /// An empty object.
    pub(crate) fn new() -> Obj {
        Obj(String::from("{"))
    }

    /// A member whose value is JSON text already.
    #[inline(never)]
    pub(crate) fn raw(&mut self, key: &str, json: &str) -> &mut Obj {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
        self.0.push_str(json);
        self
    }

    /// A string member, escaped.
    #[inline(never)]
    pub(crate) fn text(&mut self, key: &str, s: &str) -> &mut Obj {
        self.raw(key, "");
        super::write_string(s, &mut self.0);
        self
    }

    /// An integer member.
    #[inline(never)]
    pub(crate) fn num(&mut self, key: &str, n: i64) -> &mut Obj {
        self.raw(key, &crate::text::decimal(n))
    }

    /// A member holding `value`.
    #[inline(never)]
    pub(crate) fn value(&mut self, key: &str, value: &Value) -> &mut Obj {
        self.raw(key, &value.to_json())
    }

    /// A boolean member.
    pub(crate) fn flag(&mut self, key: &str, b: bool) -> &mut Obj {
        self.raw(key, if b { "true" } else { "false" })
    }

    /// A member holding the object `inner`.
    pub(crate) fn obj(&mut self, key: &str, inner: Obj) -> &mut Obj {
        self.raw(key, &inner.end())
    }

    /// A member holding the array `items`.
    #[cfg_attr(not(any(test, all(target_arch = "wasm32", feature = "low-level-api"))), allow(dead_code))]
    pub(crate) fn arr(&mut self, key: &str, items: Arr) -> &mut Obj {
        self.raw(key, &items.end())
    }

    /// The object's text.
    pub(crate) fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }

    /// `{kind, url}`: an action naming where the payer goes.
    pub(crate) fn kind_url(kind: &str, url: &str) -> Obj {
        let mut o = Obj::new();
        o.text("kind", kind).text("url", url);
        o
    }
}

/// An array being written (`[item,…]`); [`Arr::end`] closes it.
// The browser's lists (`Checkout.methods` in every build, `detectEnvironment`, the desk's methods): a native build has none.
#[cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]
pub(crate) struct Arr(String);

#[cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]
impl Arr {
    /// An empty array.
    pub(crate) fn new() -> Arr {
        Arr(String::from("["))
    }

    /// The text so far, after a comma unless this is the first item.
    fn next(&mut self) -> &mut String {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        &mut self.0
    }

    /// A string item, escaped.
    #[cfg_attr(not(any(test, all(target_arch = "wasm32", feature = "low-level-api"))), allow(dead_code))]
    pub(crate) fn text(&mut self, s: &str) -> &mut Arr {
        super::write_string(s, self.next());
        self
    }

    /// An item holding the object `inner`.
    pub(crate) fn obj(&mut self, inner: Obj) -> &mut Arr {
        self.next().push_str(&inner.end());
        self
    }

    /// The array's text.
    pub(crate) fn end(mut self) -> String {
        self.0.push(']');
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::{Arr, Obj};
    use crate::json::{parse, Value};

    #[test]
    fn writes_members_in_order_and_escapes_text() {
        let mut o = Obj::new();
        o.text("a", "say \"hi\"\n").num("n", -12).value("v", &Value::Array(vec![Value::Null])).raw("r", "true");
        let text = o.end();
        assert_eq!(text, r#"{"a":"say \"hi\"\n","n":-12,"v":[null],"r":true}"#);
        assert_eq!(parse(&text).unwrap().text("a"), Some("say \"hi\"\n"));
        assert_eq!(Obj::new().end(), "{}");
    }

    #[test]
    fn writes_items_in_order_and_nests_objects() {
        let mut o = Obj::new();
        o.text("mode", "h5");
        let mut a = Arr::new();
        a.text("x\"y").obj(o).text("");
        let mut outer = Obj::new();
        outer.arr("list", a).arr("none", Arr::new());
        let text = outer.end();
        assert_eq!(text, r#"{"list":["x\"y",{"mode":"h5"},""],"none":[]}"#);
        assert!(matches!(parse(&text).unwrap().get("list"), Some(crate::json::Value::Array(items)) if items.len() == 3));
    }
}
