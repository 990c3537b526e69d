//! `json::parse` on arbitrary text; a value it accepts must survive
//! `to_json` → `parse` unchanged.
#![no_main]
use libfuzzer_sys::fuzz_target;
use paybridge::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(v) = json::parse(text) {
        let written = v.to_json();
        let again = json::parse(&written).expect("to_json output must parse");
        assert_eq!(again, v, "to_json/parse round trip changed the value");
        let _ = v.get("code");
        let _ = v.int("amount");
        let _ = v.nested_object("data");
        let _ = v.as_bool_lenient();
    }
});
