//! Structured logs: one JSON object per line on stderr. Callers pass only
//! identifiers (gateway, path, order number, status, attempt) — never
//! bodies, signatures, secrets or tokens.

use serde_json::{Map, Value};

/// Writes one event line, e.g. `{"event":"sandbox.request","gateway":"blueocean",…}`.
pub fn event(name: &str, fields: &[(&str, Value)]) {
    let mut line = Map::new();
    line.insert("event".to_owned(), Value::from(name));
    for (k, v) in fields {
        line.insert((*k).to_owned(), v.clone());
    }
    eprintln!("{}", Value::Object(line));
}
