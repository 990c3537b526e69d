//! JSON object text written member by member, for what the flow hands the
//! page: no `Value` tree is built only to be serialised.

use crate::json::Value;

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
        self.raw(key, &Value::str(s).to_json())
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

    /// The object's text.
    pub(crate) fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Obj;
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
}
