//! Every gateway's `decode_notification` (the proxy's check of an async
//! notification) and `verify_response`. Input: [gateway, flags, …]; flags
//! bit 0 clear: the rest is a raw wire request; set: the rest is JSON
//! fields, encoded and signed by `encode_notification`, then decoded.
#![no_main]
use libfuzzer_sys::fuzz_target;
use paybridge::gateway::wire;
use paybridge::json;
use paybridge_fuzz::{gateway, http, secrets, wire_request, NOW_MS};

fuzz_target!(|data: &[u8]| {
    let [g, flags, rest @ ..] = data else { return };
    let gw = gateway(*g);
    let Ok(w) = wire(gw) else { return };
    let secrets = secrets(gw);
    if flags & 1 == 0 {
        let request = wire_request(http(flags >> 1), rest);
        let _ = w.decode_notification(&request, &secrets, NOW_MS);
        let _ = w.verify_response(&request.body, &secrets);
    } else {
        let Ok(text) = std::str::from_utf8(rest) else { return };
        let Ok(fields) = json::parse(text) else { return };
        let request = w.encode_notification(&fields, &secrets, NOW_MS);
        let _ = w.decode_notification(&request, &secrets, NOW_MS);
        let signed = w.sign_response(fields, &secrets);
        let _ = w.verify_response(signed.to_json().as_bytes(), &secrets);
    }
});
