//! The application-side interfaces (seed 000 L128-L132, `O2O 应用端接口`):
//! **HiPOS calls the merchant** (feature `signing`). The seed gives only
//! their headings; every path, shape and the authentication below are
//! **ours**.
//!
//! - L129 `[回调]返回授权Token通知`: posted to the token call's `notify_url`
//!   itself (see `wire`).
//! - The three others live below that `notify_url` (the only address of the
//!   merchant's the seed has HiPOS know): `{notify_url}/device` (L130
//!   `[回调]设备授权成功通知`, [`DeviceAuthorised`]), `{notify_url}/order`
//!   (L131 `获取订单详情`, the diagram's 获取订单状态, [`OrderQuery`]) and
//!   `{notify_url}/pickup` (L132 `确认提货`, [`PickupConfirm`]). JSON bodies,
//!   `POST`.
//!
//! **Authentication** (ours, from the seed's token scheme, L31: HiPOS
//! identifies the application by the token it issued to the registered
//! hostname, so the token is the secret the two share). Every call carries
//! `X-HiPOS-Timestamp: <Unix ms>` and `X-HiPOS-Signature: <hex
//! HMAC-SHA256(token, "<timestamp>\n<interface>\n<raw body>")>`, the
//! interface being `order`, `pickup` or `device`. The merchant checks it
//! against its current token ([`verify_call`]): no headers is 6030
//! ([`HiPosCode::Unsigned`]), a timestamp more than [`MAX_SKEW_MS`] away
//! from its clock 6031 ([`HiPosCode::StaleRequest`]), any other signature
//! 6032 ([`HiPosCode::BadSignature`]) — all with HTTP 401 and nothing done.
//! The token itself never travels on these calls.
//!
//! Answers use HiPOS's envelope: `{"<name>_response": {"code": 0, "msg":
//! "OK", …}}` ([`answer`]), errors `{"<name>_response": {"code": 60xx, "msg":
//! "…"}}` ([`refusal`]).
//!
//! The pickup code the merchant issues for an order is ours too
//! ([`pickup_code`]): the order number, a dot and 16 hex digits of
//! HMAC-SHA256 keyed with the order's client secret, so nobody can make up
//! the code of an order they were not given.

use super::{HiPosCode, O2oOrderState};
use crate::error::PayError;
use crate::gateway::wire::WireRequest;
use crate::gateway::HttpMethod;
use crate::json::Value;
use crate::sign::same_signature;
use sha2::{Digest, Sha256};

/// `{notify_url}/order`: 获取订单详情 (L131).
pub const ORDER_INTERFACE: &str = "order";
/// `{notify_url}/pickup`: 确认提货 (L132).
pub const PICKUP_INTERFACE: &str = "pickup";
/// `{notify_url}/device`: [回调]设备授权成功通知 (L130).
pub const DEVICE_INTERFACE: &str = "device";

/// The call's time, Unix milliseconds.
const TIMESTAMP_HEADER: &str = "X-HiPOS-Timestamp";
/// Hex HMAC-SHA256 of the call under the token.
const SIGNATURE_HEADER: &str = "X-HiPOS-Signature";
/// How far a call's timestamp may be from the merchant's clock.
pub(super) const MAX_SKEW_MS: i64 = 5 * 60_000;

/// The answer wrapper of each interface.
pub fn wrapper(interface: &str) -> &'static str {
    match interface {
        ORDER_INTERFACE => "o2o_order_detail_response",
        PICKUP_INTERFACE => "o2o_pickup_confirm_response",
        DEVICE_INTERFACE => "device_authorised_response",
        _ => "error_response",
    }
}

/// HMAC-SHA256 (RFC 2104) of the concatenated `parts` under `key`.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for part in parts {
        inner.update(part);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signature of a call to `interface` with `body` at `timestamp_ms`.
pub fn signature(token: &str, timestamp_ms: i64, interface: &str, body: &[u8]) -> String {
    hex(&hmac_sha256(token.as_bytes(), &[timestamp_ms.to_string().as_bytes(), b"\n", interface.as_bytes(), b"\n", body]))
}

/// HiPOS's side (the sandbox): the signed `POST` of `body` to `interface`
/// below `notify_url` (the path of `{notify_url}/{interface}`).
pub fn sign_call(notify_url: &str, interface: &str, body: &Value, token: &str, now_ms: i64) -> WireRequest {
    let bytes = body.to_json().into_bytes();
    let headers = vec![
        ("Content-Type".to_owned(), "application/json;charset=utf-8".to_owned()),
        (TIMESTAMP_HEADER.to_owned(), now_ms.to_string()),
        (SIGNATURE_HEADER.to_owned(), signature(token, now_ms, interface, &bytes)),
    ];
    WireRequest { http: HttpMethod::Post, path_and_query: interface_url(notify_url, interface), headers, body: bytes }
}

/// `{notify_url}/{interface}`.
fn interface_url(notify_url: &str, interface: &str) -> String {
    format!("{}/{interface}", notify_url.trim_end_matches('/'))
}

/// The merchant's side: checks a call to `interface` against its current
/// `token` at `now_ms` and reads its JSON object body. The code is the
/// refusal (HTTP 401 for 6030-6032, 400 for a body that is not an object).
pub fn verify_call(request: &WireRequest, interface: &str, token: &str, now_ms: i64) -> Result<Value, HiPosCode> {
    let (Some(t), Some(sign)) = (request.header(TIMESTAMP_HEADER), request.header(SIGNATURE_HEADER)) else {
        return Err(HiPosCode::Unsigned);
    };
    let t: i64 = crate::text::trim(t).parse().map_err(|_| HiPosCode::Unsigned)?;
    if now_ms.abs_diff(t) > MAX_SKEW_MS.unsigned_abs() {
        return Err(HiPosCode::StaleRequest);
    }
    if token.is_empty() || !same_signature(crate::text::trim(sign), &signature(token, t, interface, &request.body)) {
        return Err(HiPosCode::BadSignature);
    }
    match std::str::from_utf8(&request.body).ok().and_then(|b| crate::json::parse(b).ok()) {
        Some(v @ Value::Object(_)) => Ok(v),
        _ => Err(HiPosCode::ParamInvalid),
    }
}

/// The HTTP status a refusal goes with.
pub fn refusal_status(code: &HiPosCode) -> u16 {
    match code {
        HiPosCode::Unsigned | HiPosCode::StaleRequest | HiPosCode::BadSignature => 401,
        HiPosCode::ParamInvalid => 400,
        _ => 200,
    }
}

/// `{wrapper: {"code": 0, "msg": "OK", …fields}}`.
pub fn answer(wrapper: &str, fields: Vec<(String, Value)>) -> Value {
    let mut inner = vec![("code".to_owned(), Value::int_value(0)), ("msg".to_owned(), Value::str("OK"))];
    inner.extend(fields);
    Value::object([(wrapper, Value::Object(inner))])
}

/// `{wrapper: {"code": …, "msg": …}}` with the code's message.
pub fn refusal(wrapper: &str, code: &HiPosCode) -> Value {
    super::wire::error_body(wrapper, code, code.message())
}

/// A text member of 1-64 printable characters.
fn field(body: &Value, name: &str) -> Result<String, PayError> {
    body.text(name)
        .filter(|v| (1..=64).contains(&v.len()) && !v.chars().any(char::is_control))
        .map(str::to_owned)
        .ok_or_else(|| PayError::invalid_argument(format!("{name} is missing or malformed")))
}

fn optional(body: &Value, name: &str) -> Result<Option<String>, PayError> {
    body.get(name).map_or(Ok(None), |_| field(body, name).map(Some))
}

/// 获取订单详情 (L131): the POS scanned `pickup_code` (ours).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderQuery {
    /// The code the customer showed.
    pub pickup_code: String,
    /// The POS that scanned it.
    pub device_id: Option<String>,
}

impl OrderQuery {
    /// Reads a verified body.
    pub fn parse(body: &Value) -> Result<OrderQuery, PayError> {
        Ok(OrderQuery { pickup_code: field(body, "pickup_code")?, device_id: optional(body, "device_id")? })
    }

    /// The body HiPOS sends.
    pub fn to_value(&self) -> Value {
        let mut f = vec![("pickup_code".to_owned(), Value::str(&self.pickup_code))];
        f.extend(self.device_id.iter().map(|d| ("device_id".to_owned(), Value::str(d))));
        Value::Object(f)
    }
}

/// The merchant's answer to [`OrderQuery`]: the order, its O2O status and
/// its amount (fen, from the merchant's record: what the POS collects when
/// it is `UNPAID`).
pub fn order_answer(out_order_no: &str, status: &O2oOrderState, amount: i64, subject: &str) -> Value {
    answer(
        wrapper(ORDER_INTERFACE),
        vec![
            ("out_order_no".to_owned(), Value::str(out_order_no)),
            ("status".to_owned(), Value::str(status.as_str())),
            ("amount".to_owned(), Value::int_value(amount)),
            ("subject".to_owned(), Value::str(subject)),
        ],
    )
}

/// What the POS collected when the order was unpaid (L20: 线下付款).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfflinePayment {
    /// HiPOS's trade number.
    pub trade_no: String,
    /// In fen.
    pub amount: i64,
}

/// 确认提货 (L132): the goods were handed over (ours).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickupConfirm {
    /// The merchant's order number, from the [`OrderQuery`] answer.
    pub out_order_no: String,
    /// The code that was scanned.
    pub pickup_code: String,
    /// The POS.
    pub device_id: Option<String>,
    /// Present when the POS took the payment.
    pub offline: Option<OfflinePayment>,
}

impl PickupConfirm {
    /// Reads a verified body: `trade_no` and `paid_amount` come together or
    /// not at all.
    pub fn parse(body: &Value) -> Result<PickupConfirm, PayError> {
        let offline = match (optional(body, "trade_no")?, body.get("paid_amount")) {
            (None, None) => None,
            (Some(trade_no), Some(v)) => {
                let amount = v.as_i64().filter(|a| *a > 0).ok_or_else(|| PayError::invalid_argument("paid_amount must be a positive number of fen"))?;
                Some(OfflinePayment { trade_no, amount })
            }
            _ => return Err(PayError::invalid_argument("trade_no and paid_amount go together")),
        };
        Ok(PickupConfirm { out_order_no: field(body, "out_order_no")?, pickup_code: field(body, "pickup_code")?, device_id: optional(body, "device_id")?, offline })
    }

    /// The body HiPOS sends.
    pub fn to_value(&self) -> Value {
        let mut f = vec![("out_order_no".to_owned(), Value::str(&self.out_order_no)), ("pickup_code".to_owned(), Value::str(&self.pickup_code))];
        f.extend(self.device_id.iter().map(|d| ("device_id".to_owned(), Value::str(d))));
        if let Some(p) = &self.offline {
            f.push(("trade_no".to_owned(), Value::str(&p.trade_no)));
            f.push(("paid_amount".to_owned(), Value::int_value(p.amount)));
        }
        Value::Object(f)
    }
}

/// The merchant's answer to [`PickupConfirm`]: `PICKED_UP`.
pub fn pickup_answer(out_order_no: &str) -> Value {
    answer(wrapper(PICKUP_INTERFACE), vec![("out_order_no".to_owned(), Value::str(out_order_no)), ("status".to_owned(), Value::str(O2oOrderState::PickedUp.as_str()))])
}

/// [回调]设备授权成功通知 (L130): a POS entered the device code (ours).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceAuthorised {
    /// The code the merchant asked for (`…/stores/{storeId}/authcode`, L120).
    pub auth_code: String,
    /// The store it was issued for.
    pub store_id: String,
    /// The POS now paired with the store.
    pub device_id: String,
}

impl DeviceAuthorised {
    /// Reads a verified body.
    pub fn parse(body: &Value) -> Result<DeviceAuthorised, PayError> {
        Ok(DeviceAuthorised { auth_code: field(body, "auth_code")?, store_id: field(body, "store_id")?, device_id: field(body, "device_id")? })
    }

    /// The body HiPOS sends.
    pub fn to_value(&self) -> Value {
        Value::object([("auth_code", Value::str(&self.auth_code)), ("store_id", Value::str(&self.store_id)), ("device_id", Value::str(&self.device_id))])
    }
}

/// The merchant's acknowledgement of [`DeviceAuthorised`].
pub fn device_answer(auth_code: &str) -> Value {
    answer(wrapper(DEVICE_INTERFACE), vec![("auth_code".to_owned(), Value::str(auth_code))])
}

/// The pickup code of `out_order_no`, keyed with its client secret.
pub fn pickup_code(out_order_no: &str, client_secret: &str) -> String {
    let mac = hmac_sha256(client_secret.as_bytes(), &[b"o2o-pickup\n", out_order_no.as_bytes()]);
    format!("{out_order_no}.{}", &hex(&mac)[..16])
}

/// The order number a pickup code names (not yet checked: see
/// [`pickup_code_matches`]).
pub fn pickup_code_order(code: &str) -> Option<&str> {
    code.rsplit_once('.').map(|(order, _)| order).filter(|o| !o.is_empty())
}

/// Whether `code` is the pickup code of `out_order_no` under `client_secret`.
pub fn pickup_code_matches(code: &str, out_order_no: &str, client_secret: &str) -> bool {
    same_signature(code, &pickup_code(out_order_no, client_secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    const TOKEN: &str = "b73fc4a175584f8dd13c267467bd717c1aa270c7";
    const NOW: i64 = 1_796_536_435_123;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/fixtures/hipos/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2.
        assert_eq!(hex(&hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"])), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        // Test case 6: a key longer than the block is hashed first.
        let long = [0xaau8; 131];
        assert_eq!(hex(&hmac_sha256(&long, &[b"Test Using Larger Than Block-Size Key - Hash Key First"])), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    #[test]
    fn a_signed_call_verifies_and_its_body_reads() {
        let body = parse(&fixture("app-order-request.json")).unwrap();
        let call = sign_call("https://shop.example/proxy/notify/hipos", ORDER_INTERFACE, &body, TOKEN, NOW);
        assert_eq!(call.path_and_query, "https://shop.example/proxy/notify/hipos/order");
        // Independent value: printf '1796536435123\norder\n%s' '<the body>' | openssl dgst -sha256 -hmac <token>
        assert_eq!(call.header(SIGNATURE_HEADER), Some("aa71752dde2fdd410aaac20f71e3c29bcc25c92a8af802d7ee5861e8ebcab7c0"));
        let read = verify_call(&call, ORDER_INTERFACE, TOKEN, NOW + MAX_SKEW_MS).unwrap();
        assert_eq!(OrderQuery::parse(&read).unwrap(), OrderQuery { pickup_code: "PB1796536435123000001.2f1d0a5c9b7e6f43".into(), device_id: Some("POS-01".into()) });
    }

    #[test]
    fn unsigned_stale_forged_or_replayed_elsewhere_calls_are_refused() {
        let body = parse(&fixture("app-order-request.json")).unwrap();
        let call = sign_call("/n", ORDER_INTERFACE, &body, TOKEN, NOW);
        let unsigned = WireRequest { headers: vec![("Content-Type".into(), "application/json".into())], ..call.clone() };
        assert_eq!(verify_call(&unsigned, ORDER_INTERFACE, TOKEN, NOW), Err(HiPosCode::Unsigned));
        assert_eq!(verify_call(&call, ORDER_INTERFACE, TOKEN, NOW + MAX_SKEW_MS + 1), Err(HiPosCode::StaleRequest));
        assert_eq!(verify_call(&call, ORDER_INTERFACE, TOKEN, NOW - MAX_SKEW_MS - 1), Err(HiPosCode::StaleRequest));
        assert_eq!(verify_call(&call, ORDER_INTERFACE, "another-token", NOW), Err(HiPosCode::BadSignature));
        assert_eq!(verify_call(&call, ORDER_INTERFACE, "", NOW), Err(HiPosCode::BadSignature));
        // The same signed body sent to another interface (confirm instead of detail) is not HiPOS's.
        assert_eq!(verify_call(&call, PICKUP_INTERFACE, TOKEN, NOW), Err(HiPosCode::BadSignature));
        let tampered = WireRequest { body: call.body.iter().map(|&b| if b == b'1' { b'2' } else { b }).collect(), ..call.clone() };
        assert_eq!(verify_call(&tampered, ORDER_INTERFACE, TOKEN, NOW), Err(HiPosCode::BadSignature));
        let bad_time = WireRequest { headers: vec![(TIMESTAMP_HEADER.into(), "soon".into()), (SIGNATURE_HEADER.into(), "00".into())], ..call.clone() };
        assert_eq!(verify_call(&bad_time, ORDER_INTERFACE, TOKEN, NOW), Err(HiPosCode::Unsigned));
        let not_object = sign_call("/n", ORDER_INTERFACE, &Value::Array(Vec::new()), TOKEN, NOW);
        assert_eq!(verify_call(&not_object, ORDER_INTERFACE, TOKEN, NOW), Err(HiPosCode::ParamInvalid));
        for code in [HiPosCode::Unsigned, HiPosCode::StaleRequest, HiPosCode::BadSignature] {
            assert_eq!(refusal_status(&code), 401);
            let e = super::super::read_envelope(&refusal(wrapper(ORDER_INTERFACE), &code)).unwrap_err();
            assert_eq!(e.gateway_code, Some(code.code()));
        }
    }

    #[test]
    fn request_and_answer_shapes_round_trip() {
        let confirm = PickupConfirm::parse(&parse(&fixture("app-pickup-request.json")).unwrap()).unwrap();
        assert_eq!(confirm.offline, Some(OfflinePayment { trade_no: "HP20261206000001".into(), amount: 3800 }));
        assert_eq!(PickupConfirm::parse(&confirm.to_value()).unwrap(), confirm);
        let prepaid = PickupConfirm::parse(&parse(r#"{"out_order_no":"PB1","pickup_code":"PB1.00"}"#).unwrap()).unwrap();
        assert_eq!(prepaid.offline, None);
        for bad in
            [r#"{"out_order_no":"PB1","pickup_code":"c","trade_no":"T"}"#, r#"{"out_order_no":"PB1","pickup_code":"c","trade_no":"T","paid_amount":0}"#, r#"{"pickup_code":"c"}"#]
        {
            assert!(PickupConfirm::parse(&parse(bad).unwrap()).is_err(), "{bad}");
        }
        let device = DeviceAuthorised::parse(&parse(&fixture("app-device-request.json")).unwrap()).unwrap();
        assert_eq!((device.auth_code.as_str(), device.store_id.as_str(), device.device_id.as_str()), ("HPD-store01-839201", "store01", "POS-02"));
        assert_eq!(DeviceAuthorised::parse(&device.to_value()).unwrap(), device);
        assert!(OrderQuery::parse(&parse(r#"{"pickup_code":"a\u0000b"}"#).unwrap()).is_err());
        let order = order_answer("PB1796536435123000001", &O2oOrderState::Unpaid, 3800, "HiPOS pickup");
        assert_eq!(order, parse(&fixture("app-order-unpaid.json")).unwrap());
        assert_eq!(pickup_answer("PB1796536435123000001"), parse(&fixture("app-pickup-ok.json")).unwrap());
        assert_eq!(device_answer("HPD-store01-839201"), parse(&fixture("app-device-ok.json")).unwrap());
    }

    #[test]
    fn pickup_codes_name_their_order_and_need_its_secret() {
        let code = pickup_code("PB1796536435123000001", "pcs_secret");
        assert_eq!(pickup_code_order(&code), Some("PB1796536435123000001"));
        assert!(pickup_code_matches(&code, "PB1796536435123000001", "pcs_secret"));
        assert!(!pickup_code_matches(&code, "PB1796536435123000001", "pcs_other"));
        assert!(!pickup_code_matches(&code.replace("PB17", "PB18"), "PB1896536435123000001", "pcs_secret"));
        assert_eq!(pickup_code_order("nodot"), None);
        assert_eq!(pickup_code_order(".abc"), None);
    }
}
