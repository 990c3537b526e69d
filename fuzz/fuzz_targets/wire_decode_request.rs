//! Every gateway's `decode_request` (the sandbox's signature check and
//! decoding) on arbitrary wire requests. Input: [gateway, endpoint, flags, …].
//! flags bit 0 clear: the rest is a raw request (see `wire_request`);
//! set: the rest is JSON params, signed by `encode_request`, then decoded
//! (reaches the code behind the signature check).
#![no_main]
use libfuzzer_sys::fuzz_target;
use paybridge::gateway::{rules, wire};
use paybridge::json;
use paybridge_fuzz::{concrete_path, gateway, http, secrets, wire_request, NOW_MS};

fuzz_target!(|data: &[u8]| {
    let [g, e, flags, rest @ ..] = data else { return };
    let gw = gateway(*g);
    let (Ok(proto), Ok(w)) = (rules(gw), wire(gw)) else { return };
    let endpoints = proto.endpoints();
    let endpoint = &endpoints[usize::from(*e) % endpoints.len()];
    let secrets = secrets(gw);
    if flags & 1 == 0 {
        let request = wire_request(http(flags >> 1), rest);
        let _ = w.decode_request(endpoint, &request, &secrets, NOW_MS);
    } else {
        let Ok(text) = std::str::from_utf8(rest) else { return };
        let Ok(params) = json::parse(text) else { return };
        let path = concrete_path(endpoint.path);
        if let Ok(request) = w.encode_request(endpoint, &path, &params, &secrets, NOW_MS) {
            let _ = w.decode_request(endpoint, &request, &secrets, NOW_MS);
            let _ = w.verify_response(&request.body, &secrets);
        }
    }
});
