//! Every gateway's response parsers through `refunds(gw)` (the protocol and its refund queries), with arbitrary
//! bodies, mode and channel. Input: [gateway, mode, channel, op, body…].
//! A redirect / iframe it returns must pass the URL policy.
#![no_main]
use libfuzzer_sys::fuzz_target;
use paybridge::gateway::{parse_body, refunds, CreateParams};
use paybridge::model::NextAction;
use paybridge_fuzz::{channel, gateway, mode, policy};

fuzz_target!(|data: &[u8]| {
    let [g, m, c, op, body @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(body) else { return };
    let Ok(value) = parse_body(text) else { return };
    let Ok(proto) = refunds(gateway(*g)) else { return };
    match op % 4 {
        0 => {
            let params = CreateParams::new(mode(*m), channel(*c), "AB12cd34EF");
            let policy = policy();
            if let Ok(created) = proto.parse_create(&params, &value, &policy) {
                if let NextAction::Redirect { url } | NextAction::Iframe { url } = &created.action {
                    assert!(policy.check(url).is_ok(), "unsafe URL escaped the parser: {url}");
                }
            }
        }
        1 => {
            let _ = proto.parse_query(&value);
        }
        2 => {
            let _ = proto.parse_cancel(&value);
        }
        _ => {
            let _ = proto.parse_refund_query(&value);
        }
    }
});
