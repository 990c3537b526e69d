//! What the gateways' request builders and answer readers share, written once
//! and kept out of line, so that a build with several gateways carries one
//! copy instead of one inlined copy per gateway (BENCHMARKS.md, Size, round 4).
//! A gateway states its own names as data — which answer members hold the
//! QR text, the JSAPI parameters or an app payload, and under which
//! spellings — and these functions read them.

use super::{GatewayRequest, HttpMethod, Operation, Params};
use crate::error::PayError;
use crate::json::{Obj, Value};
use crate::model::{Gateway, WechatJsapiParams};

/// An unsigned request of `gateway`, its parameters (in the gateway's own
/// names) written as JSON text.
#[inline(never)]
pub(crate) fn request(gateway: Gateway, operation: Operation, http: HttpMethod, path: String, params: Obj) -> GatewayRequest {
    GatewayRequest { gateway, operation, http, path, params: Params::new(params) }
}

/// The string parameters `pairs`, in order, as an object being written.
#[inline(never)]
pub(crate) fn texts(pairs: &[(&str, &str)]) -> Obj {
    let mut params = Obj::new();
    for (key, value) in pairs {
        params.text(key, value);
    }
    params
}

/// Adds the string parameter `key` = `value` to `params`.
#[inline(never)]
pub(crate) fn add(params: &mut Obj, key: &str, value: &str) {
    params.text(key, value);
}

/// An optional caller text, trimmed; `None` when it is empty.
pub(crate) fn optional(value: Option<&str>) -> Option<&str> {
    value.map(crate::text::trim).filter(|v| !v.is_empty())
}

/// A required caller text: trimmed, non-empty, at most `max` bytes, without
/// control characters; `invalid_argument` naming `what` otherwise.
#[inline(never)]
pub(crate) fn required<'a>(value: Option<&'a str>, what: &str, max: usize) -> Result<&'a str, PayError> {
    match optional(value) {
        Some(v) if v.len() <= max && !v.chars().any(char::is_control) => Ok(v),
        _ => Err(PayError::invalid_argument(detail!("{what} is required (non-empty, at most {max} bytes)"))),
    }
}

/// An identifier a request carries (an order or refund number, a path
/// segment): `min..=max` ASCII letters and digits, plus the bytes of
/// `extra`; `invalid_argument` naming `what` otherwise.
// Not `extra.contains(&b)`: `[u8]::contains` is memchr (BENCHMARKS.md, Size, round 6).
#[allow(clippy::manual_contains)]
#[inline(never)]
pub(crate) fn check_id<'a>(what: &str, value: &'a str, min: usize, max: usize, extra: &[u8]) -> Result<&'a str, PayError> {
    if (min..=max).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric() || extra.iter().any(|&e| e == b)) {
        Ok(value)
    } else {
        Err(PayError::invalid_argument(detail!("{what} must be {min}-{max} ASCII letters or digits (or any of \"{}\")", std::str::from_utf8(extra).unwrap_or_default())))
    }
}

/// The first non-empty text among the members `keys` of `obj`: the names a
/// gateway may spell a member by, one space between (a word list: no pointer
/// and length per name, as a `&[&str]` of them had). One out-of-line reader
/// for every gateway.
#[inline(never)]
pub(crate) fn first<'a>(obj: &'a Value, keys: &str) -> Option<&'a str> {
    crate::text::split(keys, b" ").find_map(|k| obj.text(k))
}

/// The text of the first of `keys` (a word list) present in `obj`, owned;
/// `invalid_payload` naming `keys` otherwise.
#[inline(never)]
pub(crate) fn need(gateway: Gateway, obj: &Value, keys: &str) -> Result<String, PayError> {
    match first(obj, keys) {
        Some(v) => Ok(v.to_owned()),
        None => Err(missing(gateway, keys)),
    }
}

/// The refusal of an answer without the member `what`.
#[cold]
#[inline(never)]
pub(crate) fn missing(gateway: Gateway, what: &str) -> PayError {
    PayError::invalid_payload(detail!("{} answer has no `{what}`", gateway.as_str()))
}

/// Longest member of an app payload accepted from a gateway.
pub(crate) const MAX_PAYLOAD: usize = 8192;

/// Text the page shows or passes on (a QR text, an order string): at most
/// `max` bytes, no control characters; `invalid_payload` naming `what` otherwise.
#[inline(never)]
pub(crate) fn clean(gateway: Gateway, text: &str, what: &str, max: usize) -> Result<String, PayError> {
    if text.len() > max || text.chars().any(char::is_control) {
        return Err(PayError::invalid_payload(detail!("{} `{what}` is too long or has control characters", gateway.as_str())));
    }
    Ok(text.to_owned())
}

/// Where an answer keeps the six `getBrandWCPayRequest` /
/// `wx.requestPayment` strings: for each, in the order `appId`, `timeStamp`,
/// `nonceStr`, `package`, `signType`, `paySign`, the names it may go by (a
/// word list).
pub(crate) type JsapiNames = [&'static str; 6];

/// The six JSAPI strings of `obj` by `names`, each required and passed on
/// verbatim (WeChat signs them); `app_id`, when known, stands for a missing
/// `appId`.
#[inline(never)]
pub(crate) fn jsapi(gateway: Gateway, obj: &Value, names: &JsapiNames, app_id: Option<&str>) -> Result<WechatJsapiParams, PayError> {
    // One loop over the six names, not six inlined lookups.
    let mut texts: [String; 6] = Default::default();
    for (i, keys) in names.iter().enumerate() {
        match first(obj, keys).or(if i == 0 { app_id } else { None }) {
            Some(text) => texts[i] = text.to_owned(),
            None => return Err(missing(gateway, keys)),
        }
    }
    let [app_id, time_stamp, nonce_str, package, sign_type, pay_sign] = texts;
    Ok(WechatJsapiParams { app_id, time_stamp, nonce_str, package, sign_type, pay_sign })
}

/// An app payload object built by a field map: for each member the native
/// SDK takes, a word list whose first word is the member's name and the
/// whole list the names the answer may use (that one first); each required,
/// at most [`MAX_PAYLOAD`] bytes without control characters, passed on
/// verbatim.
#[inline(never)]
pub(crate) fn app_object(gateway: Gateway, obj: &Value, fields: &[&str]) -> Result<Value, PayError> {
    let mut members = Vec::with_capacity(fields.len());
    for keys in fields {
        let name = crate::text::split_once(keys, " ").map_or(*keys, |(name, _)| name);
        let text = first(obj, keys).ok_or_else(|| missing(gateway, name))?;
        members.push((name.to_owned(), Value::String(clean(gateway, text, name, MAX_PAYLOAD)?)));
    }
    Ok(Value::Object(members))
}

/// `text` percent- and `+`-decoded, as UTF-8 (`None` when it is not). A `%`
/// without two hex digits after it stays as it is, or with `strict` makes
/// the whole text `None`. The bytes are read to code points as they are
/// decoded, refused when overlong, cut short, a surrogate or above U+10FFFF
/// (RFC 3629, what `String::from_utf8` refuses): std's validator was most
/// of this function's size in the wasm.
#[inline(never)]
pub(crate) fn percent_decode(text: &str, strict: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut bad = false;
    let mut next = || {
        let b = *bytes.get(i)?;
        i += 1;
        Some(match (b, bytes.get(i..i + 2).and_then(hex_byte)) {
            (b'%', Some(v)) => {
                i += 2;
                v
            }
            (b'%', None) => {
                bad |= strict;
                b
            }
            (b'+', _) => b' ',
            _ => b,
        })
    };
    let mut out = String::new();
    while let Some(lead) = next() {
        // The number of leading ones says the sequence's length (0 for ASCII).
        let len = lead.leading_ones();
        let mut point = u32::from(lead) & (0x7f >> len);
        for _ in 1..len {
            let b = next().filter(|b| b & 0xc0 == 0x80)?;
            point = point << 6 | u32::from(b & 0x3f);
        }
        let least = match len {
            0 => 0,
            2 => 0x80,
            3 => 0x800,
            4 => 0x1_0000,
            _ => return None,
        };
        out.push(char::from_u32(point).filter(|_| point >= least)?);
    }
    if bad {
        None
    } else {
        Some(out)
    }
}

/// The byte two hex digits stand for (RFC 3986 `pct-encoded`: exactly two
/// `HEXDIG`s; a sign such as `%+f`, which the integer parser would take, is
/// no escape).
pub(crate) fn hex_byte(h: &[u8]) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    match *h {
        [a, b] => Some((digit(a)? * 16 + digit(b)?) as u8),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn hex_bytes_are_exactly_two_hex_digits() {
        for (h, byte) in [("00", Some(0)), ("7f", Some(0x7f)), ("FF", Some(0xff)), ("aB", Some(0xab))] {
            assert_eq!(hex_byte(h.as_bytes()), byte, "{h:?}");
        }
        for h in ["+f", "+F", "+0", "++", "-1", "f", "fff", "g0", "0x", " 1", "é"] {
            assert_eq!(hex_byte(h.as_bytes()), None, "{h:?}");
        }
        assert_eq!(percent_decode("a%2Bb%+9+c%zz", false).as_deref(), Some("a+b% 9 c%zz"));
        assert_eq!(percent_decode("%zz", true), None);
        assert_eq!(percent_decode("%+f", true), None);
    }

    /// Every one- and two-byte sequence, and three- to six-byte ones around
    /// each limit (overlong, surrogate, above U+10FFFF, cut short), escaped
    /// and not, read exactly as std's UTF-8 check reads them.
    #[test]
    fn decoding_checks_utf8_as_std_does() {
        let check = |bytes: &[u8]| {
            let escaped: String = bytes.iter().map(|b| format!("%{b:02X}")).collect();
            let want = String::from_utf8(bytes.to_vec()).ok();
            assert_eq!(percent_decode(&escaped, false), want, "{bytes:02x?}");
            assert_eq!(percent_decode(&escaped, true), want, "{bytes:02x?}");
            if let Ok(plain) = std::str::from_utf8(bytes) {
                if !plain.contains(['%', '+']) {
                    assert_eq!(percent_decode(plain, false).as_deref(), Some(plain));
                }
            }
        };
        for a in 0..=255u8 {
            check(&[a]);
            for b in 0..=255u8 {
                check(&[a, b]);
            }
        }
        for a in [0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf4, 0xc2] {
            for b in 0x70..=0xc8u8 {
                for c in [0x00, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xff] {
                    check(&[a, b, c]);
                    for d in [0x7f, 0x80, 0xbf, 0xc0] {
                        check(&[a, b, c, d]);
                    }
                }
            }
        }
        for lead in [0xf5, 0xf7, 0xf8, 0xfc, 0xfe, 0xff, 0x80, 0xbf, 0xc0, 0xc1] {
            check(&[lead, 0x80, 0x80, 0x80, 0x80, 0x80]);
        }
        check("a+b%zz%4".as_bytes());
    }

    #[test]
    fn ids_keep_to_their_length_and_characters() {
        assert_eq!(check_id("n", "ab-_9", 5, 5, b"-_").unwrap(), "ab-_9");
        for bad in ["abcd", "abcdef", "ab c9", "ab.c9", "订单"] {
            assert_eq!(check_id("n", bad, 5, 5, b"-_").unwrap_err().code, ErrorCode::InvalidArgument, "{bad}");
        }
        assert!(check_id("n", "ab-c9", 5, 5, b"").is_err(), "no extra bytes unless given");
    }

    #[test]
    fn required_texts_are_trimmed_bounded_and_printable() {
        assert_eq!(required(Some("  x "), "x", 3).unwrap(), "x");
        for bad in [None, Some(""), Some("   "), Some("abcd"), Some("a\u{7}")] {
            assert_eq!(required(bad, "x", 3).unwrap_err().code, ErrorCode::InvalidArgument, "{bad:?}");
        }
        assert_eq!(optional(Some("  ")), None);
        assert_eq!(optional(Some(" y ")), Some("y"));
    }

    #[test]
    fn field_maps_read_the_first_spelling_present() {
        let obj = crate::json::parse(r#"{"appid":"wx1","timestamp":"1","nonceStr":"n","package":"prepay_id=1","sign_type":"MD5","paySign":"S","x":""}"#).unwrap();
        const NAMES: JsapiNames = ["appId appid", "timeStamp timestamp", "nonceStr", "package", "signType sign_type", "paySign"];
        let p = jsapi(Gateway::BlueOcean, &obj, &NAMES, Some("fallback")).unwrap();
        assert_eq!((p.app_id.as_str(), p.time_stamp.as_str(), p.sign_type.as_str()), ("wx1", "1", "MD5"));
        let no_app = crate::json::parse(r#"{"timeStamp":"1","nonceStr":"n","package":"p","signType":"MD5","paySign":"S"}"#).unwrap();
        assert_eq!(jsapi(Gateway::BlueOcean, &no_app, &NAMES, Some("wx9")).unwrap().app_id, "wx9");
        assert_eq!(jsapi(Gateway::BlueOcean, &no_app, &NAMES, None).unwrap_err().code, ErrorCode::InvalidPayload);
        let app = app_object(Gateway::HipoPay, &obj, &["appId appid", "sign paySign"]).unwrap();
        assert_eq!(app.to_json(), r#"{"appId":"wx1","sign":"S"}"#);
        assert_eq!(app_object(Gateway::HipoPay, &obj, &["appId appid", "x"]).unwrap_err().code, ErrorCode::InvalidPayload, "every member is required");
        let control = crate::json::parse(r#"{"sign":"a\u0007b"}"#).unwrap();
        assert_eq!(app_object(Gateway::BlueOcean, &control, &["sign"]).unwrap_err().code, ErrorCode::InvalidPayload, "members are cleaned");
        assert_eq!(need(Gateway::ChaoYing, &obj, "x y").unwrap_err().code, ErrorCode::InvalidPayload, "empty text is missing");
        assert_eq!(clean(Gateway::HipoPay, "a\u{0}b", "qr", 10).unwrap_err().code, ErrorCode::InvalidPayload);
        assert_eq!(clean(Gateway::HipoPay, "abc", "qr", 2).unwrap_err().code, ErrorCode::InvalidPayload);
    }
}
