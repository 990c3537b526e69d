//! A small JSON reader and writer, tuned for gateway payloads.
//!
//! Why not serde_json: it costs about 40 KB of wasm, and gateway bodies need a
//! different kind of leniency anyway. Numbers are kept as their source text
//! (a 25-digit order number must survive untouched, and money never becomes a
//! float); nesting depth and input size are bounded so hostile input fails
//! with an error instead of exhausting the stack.

mod obj;
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
pub(crate) use obj::{Arr, Obj};

/// Deepest nesting accepted; gateway payloads need fewer than ten levels.
pub const MAX_DEPTH: usize = 64;
/// Largest body accepted, in bytes.
pub const MAX_INPUT: usize = 1 << 20;

/// A parsed JSON value. Numbers keep their exact source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// The number's text as written, e.g. `"20"`, `"-1.5e3"`.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// Members in source order; a repeated key keeps its last value on lookup.
    Object(Vec<(String, Value)>),
}

/// Why a text is not JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// The input is empty or only whitespace.
    Empty,
    /// The input exceeds [`MAX_INPUT`].
    TooLarge,
    /// Nesting exceeds [`MAX_DEPTH`].
    TooDeep,
    /// A syntax error at this byte offset.
    Syntax(usize),
}

/// Parses a complete JSON text.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    if text.len() > MAX_INPUT {
        return Err(JsonError::TooLarge);
    }
    let mut p = Parser { text, s: text.as_bytes(), i: 0 };
    // Whitespace only: `eat` of a byte no text holds skips it.
    p.eat(0xff);
    if p.i == p.s.len() {
        return Err(JsonError::Empty);
    }
    let v = p.value(0)?;
    p.eat(0xff);
    if p.i != p.s.len() {
        return Err(JsonError::Syntax(p.i));
    }
    Ok(v)
}

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    /// Between tokens: skips whitespace and tells whether the next byte is
    /// `b`, taking it if so. Out of line, and one call where a skip and a
    /// test were two: inlined, its loop was copied to each place between tokens.
    #[inline(never)]
    fn eat(&mut self, b: u8) -> bool {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
        self.take(b)
    }

    /// Inside a token: whether the next byte is `b`, taking it if so.
    fn take(&mut self, b: u8) -> bool {
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn err<T>(&self) -> Result<T, JsonError> {
        Err(JsonError::Syntax(self.i))
    }

    fn lit(&mut self, word: &[u8], v: Value) -> Result<Value, JsonError> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            self.err()
        }
    }

    /// The value after any whitespace.
    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::TooDeep);
        }
        if self.eat(b'{') {
            return self.container(depth, b'}');
        }
        if self.eat(b'[') {
            return self.container(depth, b']');
        }
        if self.eat(b'"') {
            return Ok(Value::String(self.string()?));
        }
        match self.s.get(self.i) {
            Some(b't') => self.lit(b"true", Value::Bool(true)),
            Some(b'f') => self.lit(b"false", Value::Bool(false)),
            Some(b'n') => self.lit(b"null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => self.err(),
        }
    }

    /// An object's members (`close` is `}`) or an array's items (`]`), after
    /// the opening bracket: one loop for both, each pushing to its own list.
    fn container(&mut self, depth: usize, close: u8) -> Result<Value, JsonError> {
        let object = close == b'}';
        let mut members = Vec::new();
        let mut items = Vec::new();
        if !self.eat(close) {
            loop {
                if object {
                    if !self.eat(b'"') {
                        return self.err();
                    }
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return self.err();
                    }
                    members.push((key, self.value(depth + 1)?));
                } else {
                    items.push(self.value(depth + 1)?);
                }
                if self.eat(b',') {
                    continue;
                }
                if self.eat(close) {
                    break;
                }
                return self.err();
            }
        }
        Ok(if object { Value::Object(members) } else { Value::Array(items) })
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        self.take(b'-');
        let digits = |p: &mut Self| {
            let from = p.i;
            while let Some(b'0'..=b'9') = p.s.get(p.i) {
                p.i += 1;
            }
            p.i > from
        };
        if !digits(self) {
            return self.err();
        }
        if self.take(b'.') && !digits(self) {
            return self.err();
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if !self.take(b'+') {
                self.take(b'-');
            }
            if !digits(self) {
                return self.err();
            }
        }
        Ok(Value::Number(self.slice(start)?.to_owned()))
    }

    /// The input from `start` to the current byte. Both ends are next to an
    /// ASCII byte (a quote, a backslash, a digit), so they are character
    /// boundaries; `get` checks that without linking UTF-8 validation.
    fn slice(&self, start: usize) -> Result<&str, JsonError> {
        self.text.get(start..self.i).ok_or(JsonError::Syntax(start))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        // Exactly four hex digits: `from_str_radix` would also take a sign ("+041").
        let h = self.s.get(self.i..self.i + 4).ok_or(JsonError::Syntax(self.i))?;
        let mut n = 0;
        for &b in h {
            let digit = (b as char).to_digit(16).ok_or(JsonError::Syntax(self.i))?;
            n = n * 16 + digit;
        }
        self.i += 4;
        Ok(n)
    }

    /// A string's text, after its opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(self.slice(start)?);
            match self.s.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let esc = *self.s.get(self.i).ok_or(JsonError::Syntax(self.i))?;
                    self.i += 1;
                    let c = match esc {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(JsonError::Syntax(self.i - 1)),
                    };
                    out.push(c);
                }
                _ => return self.err(),
            }
        }
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if !(self.take(b'\\') && self.take(b'u')) {
                return self.err();
            }
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return self.err();
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or(JsonError::Syntax(self.i))
    }
}

impl Value {
    /// The member `key` of an object (the last one if repeated), else `None`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The members of an object.
    pub fn members(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Text of a string, or of a number written as a number. Gateways send
    /// `"appid": 1000258` and `"appid": "1000258"` for the same field.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::Number(s) => Some(s),
            _ => None,
        }
    }

    /// Non-empty text of member `key` (see [`Value::as_text`]).
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_text).filter(|s| !s.is_empty())
    }

    /// An integer from a JSON integer or a string of digits (`20` or `"20"`),
    /// with surrounding spaces allowed. Fractions, exponents and values
    /// outside `i64` are refused rather than rounded.
    pub fn as_i64(&self) -> Option<i64> {
        crate::text::parse_i64(crate::text::trim(self.as_text()?))
    }

    /// Integer member `key` (see [`Value::as_i64`]).
    pub fn int(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(Value::as_i64)
    }

    /// A boolean, also from `"true"`/`"false"`, `1`/`0` and `"1"`/`"0"`.
    pub fn as_bool_lenient(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) | Value::Number(s) => {
                // One scan of a word list instead of eight string compares.
                let s = crate::text::trim(s);
                crate::text::position("true|TRUE|True|1|false|FALSE|False|0", b'|', s).map(|i| i < 4)
            }
            _ => None,
        }
    }

    /// The member `key` as an object, decoding it first when the gateway sent
    /// the object as a JSON string (BlueOcean `data.jsapi`, ChaoYing `pay_info`).
    pub fn nested_object(&self, key: &str) -> Option<Value> {
        match self.get(key)? {
            v @ Value::Object(_) => Some(v.clone()),
            Value::String(s) => parse(s).ok().filter(|v| matches!(v, Value::Object(_))),
            _ => None,
        }
    }

    /// Builds an object from key/value pairs.
    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        let mut members = Vec::new();
        for (key, value) in pairs {
            Value::push_member(&mut members, key.into(), value);
        }
        Value::Object(members)
    }

    /// [`Value::object`]'s push, one copy for every call site: each instance
    /// of `object` (per key type and pair container) is only its loop.
    #[inline(never)]
    fn push_member(members: &mut Vec<(String, Value)>, key: String, value: Value) {
        members.push((key, value));
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// An integer value.
    pub fn int_value(n: i64) -> Value {
        Value::Number(crate::text::decimal(n))
    }

    /// Compact JSON text of this value.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(n),
            Value::String(s) => write_string(s, out),
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// `s` as a JSON string (quoted and escaped).
pub(crate) fn string(s: &str) -> String {
    let mut out = String::new();
    write_string(s, &mut out);
    out
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str(if (c as u32) < 0x10 { "\\u000" } else { "\\u001" });
                out.push(char::from(b"0123456789abcdef"[c as usize & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;
