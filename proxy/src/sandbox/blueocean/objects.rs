//! The `data` objects the BlueOcean sandbox answers with: the order shape of
//! the seed's examples (same names and types) and each payment kind's
//! payload — wallet URLs, the `jsapi` and `app` JSON strings, the Alipay
//! `app_format` order string — filled with well-formed test values. A
//! `wechat.jsapi` order with `wallet: "HK"` answers the HK wallet's
//! `getH5PrepayRequest` fields (seed L844–L851): `signType` "SHA1" and a
//! SHA-1 `paySign` made with the test key `hk_pay_sign_key`
//! (`hk_wallet::sha1_pay_sign`), which a test acting as WeChat verifies.

use super::super::credentials::sandbox_secrets;
use super::super::gateway::Ctx;
use super::super::store::{Order, OrderState, Refund};
use crate::sandbox::clock::paid_at_ms;
use paybridge::gateway::blueocean::{hk_wallet, Payment};
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode};
use paybridge::sign::{md5_hex, md5_hex_upper};

/// What the sandbox records and answers for each `payment` kind.
pub trait KindTraits {
    /// The mode an order of this kind is recorded with.
    fn mode(self) -> Mode;
    /// The wallet (micropay: decided by the payer's code).
    fn channel(self) -> Channel;
    /// Whether WeChat needs the merchant's `sub_appid` (JSAPI, APP).
    fn needs_sub_appid(self) -> bool;
    /// Whether the order starts in `USERPAYING` (MWEB and UPOP, per the examples).
    fn starts_paying(self) -> bool;
}

/// Each kind with its mode, wallet, `trade_type` and `provider`.
const KINDS: [(Payment, Mode, Channel, &str, &str); 11] = [
    (Payment::Micropay, Mode::Counter, Channel::Any, "MICROPAY", ""),
    (Payment::AlipayQrcode, Mode::Qr, Channel::Alipay, "NATIVE", "alipay"),
    (Payment::AlipayWappay, Mode::Wap, Channel::Alipay, "WAPPAY", "alipay"),
    (Payment::AlipayApp, Mode::App, Channel::Alipay, "APP", "alipay"),
    (Payment::BlueoceanQrcode, Mode::Qr, Channel::Any, "NATIVE", "blueocean"),
    (Payment::WechatQrcode, Mode::Qr, Channel::Wechat, "NATIVE", "wechat"),
    (Payment::WechatJsapi, Mode::Jsapi, Channel::Wechat, "JSAPI", "wechat"),
    (Payment::WechatMweb, Mode::H5, Channel::Wechat, "MWEB", "wechat"),
    (Payment::WechatApp, Mode::App, Channel::Wechat, "APP", "wechat"),
    (Payment::UnionpayQrcode, Mode::Qr, Channel::Unionpay, "NATIVE", "unionpay"),
    (Payment::UnionpayLink, Mode::Wap, Channel::Unionpay, "LINK", "unionpay"),
];

fn row(kind: Payment) -> &'static (Payment, Mode, Channel, &'static str, &'static str) {
    KINDS.iter().find(|k| k.0 == kind).unwrap_or(&KINDS[0])
}

impl KindTraits for Payment {
    fn mode(self) -> Mode {
        row(self).1
    }

    fn channel(self) -> Channel {
        row(self).2
    }

    fn needs_sub_appid(self) -> bool {
        matches!(self, Payment::WechatJsapi | Payment::WechatApp)
    }

    fn starts_paying(self) -> bool {
        matches!(self, Payment::WechatMweb | Payment::UnionpayLink)
    }
}

/// Whether `data.qrcode` carries the wallet URL.
fn has_qrcode(kind: Payment) -> bool {
    matches!(kind, Payment::AlipayQrcode | Payment::AlipayWappay | Payment::BlueoceanQrcode | Payment::WechatQrcode | Payment::UnionpayQrcode | Payment::UnionpayLink)
}

fn param<'a>(order: &'a Order, name: &str) -> &'a str {
    order.params.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn kind_of(order: &Order) -> Payment {
    Payment::parse(param(order, "payment")).unwrap_or(Payment::Micropay)
}

/// The order's `trade_type`.
pub fn trade_type(order: &Order) -> &'static str {
    row(kind_of(order)).3
}

/// The order's `provider` (micropay: the wallet the code belonged to).
fn provider(order: &Order) -> &'static str {
    match (kind_of(order), order.channel) {
        (Payment::Micropay, Channel::Alipay) => "alipay",
        (Payment::Micropay, _) => "wechat",
        (kind, _) => row(kind).4,
    }
}

/// BlueOcean's `trade_state` for a sandbox state.
pub fn trade_state(state: OrderState) -> &'static str {
    match state {
        OrderState::Unpaid => "NOTPAY",
        OrderState::Paying => "USERPAYING",
        OrderState::Paid => "SUCCESS",
        OrderState::Failed => "PAYERROR",
        OrderState::Closed | OrderState::Expired => "CLOSED",
        OrderState::Reverted => "REVOKED",
        OrderState::Refunded => "REFUND",
    }
}

/// A deterministic per-order random-looking string of `len` letters and digits.
fn nonce(order: &Order, salt: &str, len: usize) -> String {
    let hex = md5_hex(format!("{}|{}|{salt}", order.gateway_order_id, order.out_trade_no).as_bytes());
    hex.chars().chain(hex.chars().rev()).take(len).collect()
}

/// Digits-only text for an order's amount: `"20"`.
fn fen(n: i64) -> Value {
    Value::str(n.to_string())
}

/// `0.20` (major units) for the Alipay order string.
fn major(n: i64) -> String {
    format!("{}.{:02}", n / 100, n % 100)
}

/// Text safe inside the Alipay order string's quoted values.
fn order_string_text(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '"' | '&' | '=') && !c.is_control()).collect()
}

/// WeChat's MD5 signature over `pairs` (sorted `k=v&…&key=…`), with the
/// sandbox's test key: a well-formed value, not a real WeChat signature.
fn wechat_sign(pairs: &[(&str, String)]) -> String {
    let key = sandbox_secrets(Gateway::BlueOcean).get("app_key").map(str::to_owned).unwrap_or_default();
    let mut sorted: Vec<_> = pairs.to_vec();
    sorted.sort();
    let text: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    md5_hex_upper(format!("{}&key={key}", text.join("&")).as_bytes())
}

/// The payload members of one kind (`jsapi`, `app`, `app_format`, `mweb_url`, `openid`).
fn payload(ctx: &Ctx, order: &Order) -> Vec<(&'static str, Value)> {
    let secs = (order.created_ms / 1000).to_string();
    let prepay = format!("wx{}{}", order.gateway_order_id, nonce(order, "prepay", 6));
    match kind_of(order) {
        Payment::WechatJsapi if param(order, "wallet") == hk_wallet::HK => {
            let (app_id, nonce_str, package) = (param(order, "sub_appid").to_owned(), nonce(order, "jsapi", 20), format!("prepay_id={prepay}"));
            let key = sandbox_secrets(Gateway::BlueOcean).get("hk_pay_sign_key").map(str::to_owned).unwrap_or_default();
            let pay_sign = hk_wallet::sha1_pay_sign(&app_id, &key, &nonce_str, &package, &secs);
            let fields = [("appId", app_id), ("timeStamp", secs), ("nonceStr", nonce_str), ("package", package), ("signType", "SHA1".to_owned()), ("paySign", pay_sign)];
            let obj = Value::object(fields.into_iter().map(|(k, v)| (k, Value::String(v))));
            vec![("jsapi", Value::str(obj.to_json())), ("openid", Value::str(param(order, "sub_openid")))]
        }
        Payment::WechatJsapi => {
            let fields = [
                ("appId", param(order, "sub_appid").to_owned()),
                ("timeStamp", secs),
                ("nonceStr", nonce(order, "jsapi", 20)),
                ("package", format!("prepay_id={prepay}")),
                ("signType", "MD5".to_owned()),
            ];
            let pay_sign = wechat_sign(&fields);
            let obj = Value::object(fields.into_iter().map(|(k, v)| (k, Value::String(v))).chain([("paySign", Value::String(pay_sign))]));
            vec![("jsapi", Value::str(obj.to_json())), ("openid", Value::str(param(order, "sub_openid")))]
        }
        Payment::WechatApp => {
            let fields = [
                ("appid", param(order, "sub_appid").to_owned()),
                ("partnerid", "1900000109".to_owned()),
                ("prepayid", prepay),
                ("package", "Sign=WXPay".to_owned()),
                ("noncestr", nonce(order, "app", 20)),
                ("timestamp", secs),
            ];
            let pay_sign = wechat_sign(&fields);
            let obj = Value::object(fields.into_iter().map(|(k, v)| (k, Value::String(v))).chain([("paySign", Value::String(pay_sign))]));
            vec![("app", Value::str(obj.to_json()))]
        }
        Payment::AlipayApp => {
            let subject = order_string_text(param(order, "body"));
            let subject = if subject.is_empty() { order.out_trade_no.clone() } else { subject };
            let fields = [
                ("_input_charset", "UTF-8".to_owned()),
                ("body", subject.clone()),
                ("currency", "HKD".to_owned()),
                ("forex_biz", "FP".to_owned()),
                ("it_b_pay", "30m".to_owned()),
                ("notify_url", format!("{}/alipay/notify", ctx.base_url)),
                ("out_trade_no", order.out_trade_no.clone()),
                ("partner", "2088000000000000".to_owned()),
                ("payment_type", "1".to_owned()),
                ("product_code", "NEW_WAP_OVERSEAS_SELLER".to_owned()),
                ("seller_id", "2088000000000000".to_owned()),
                ("service", "mobile.securitypay.pay".to_owned()),
                ("subject", subject),
                ("total_fee", major(order.amount)),
            ];
            let sign = format!("sandbox{}", nonce(order, "alipay", 32));
            let quoted: Vec<String> = fields.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
            let app_format = format!("{}&sign=\"{sign}\"&sign_type=\"RSA\"", quoted.join("&"));
            let obj = Value::object(fields.into_iter().map(|(k, v)| (k, Value::String(v))).chain([("sign", Value::str(sign)), ("sign_type", Value::str("RSA"))]));
            vec![("app", Value::str(obj.to_json())), ("app_format", Value::str(app_format))]
        }
        Payment::WechatMweb => vec![("mweb_url", Value::str(ctx.wallet_url(Gateway::BlueOcean, &order.out_trade_no)))],
        _ => Vec::new(),
    }
}

/// The order object of `/payment/pay` and `/order/query` answers.
pub fn order_data(ctx: &Ctx, order: &Order) -> Value {
    let kind = kind_of(order);
    let paid = matches!(order.state, OrderState::Paid | OrderState::Refunded | OrderState::Reverted) && order.transaction_id.is_some();
    let paid_s = if paid { paid_at_ms(order.transaction_id.as_deref()).map_or(0, |ms| ms / 1000) } else { 0 };
    let qrcode = if has_qrcode(kind) { ctx.wallet_url(Gateway::BlueOcean, &order.out_trade_no) } else { String::new() };
    let appid = sandbox_secrets(Gateway::BlueOcean).get("appid").ok().and_then(|a| a.parse().ok()).map_or(Value::Null, Value::int_value);
    let mut members: Vec<(&str, Value)> = vec![
        ("appid", appid),
        ("attach", Value::str(param(order, "attach"))),
        ("bank_type", Value::str(if paid { "CFT" } else { "" })),
        ("body", Value::str(param(order, "body"))),
        ("cash_fee", fen(if paid { order.amount } else { 0 })),
        ("cash_fee_type", Value::str(if paid { "HKD" } else { "" })),
        ("create_time", Value::str((order.created_ms / 1000).to_string())),
        ("detail", Value::str("")),
        ("discount", Value::str("0")),
        ("fee_type", Value::str("HKD")),
        ("id", Value::str(order.gateway_order_id.get(order.gateway_order_id.len().saturating_sub(7)..).unwrap_or("0"))),
        ("is_subscribe", Value::str("N")),
        ("mch_name", Value::str("BlueOcean Pay Sandbox")),
        ("nonce_str", Value::str(nonce(order, trade_state(order.state), 10))),
        ("out_trade_no", Value::str(order.out_trade_no.as_str())),
        ("pay_amount", fen(order.amount)),
        ("provider", Value::str(provider(order))),
        ("qrcode", Value::str(qrcode)),
        ("refundable", Value::int_value(order.refundable())),
        ("sn", Value::str(order.gateway_order_id.as_str())),
        ("time_end", Value::int_value(paid_s)),
        ("total_fee", fen(order.amount)),
        ("total_refund_fee", Value::int_value(order.refunded())),
        ("trade_state", Value::str(trade_state(order.state))),
        ("trade_type", Value::str(trade_type(order))),
        ("transaction_id", Value::str(order.transaction_id.clone().unwrap_or_default())),
        ("wallet", Value::str(if param(order, "wallet").is_empty() { "CN" } else { param(order, "wallet") })),
    ];
    members.extend(payload(ctx, order));
    Value::object(members)
}

/// The refund object of `/payment/refund` and `/order/refundquery` answers.
pub fn refund_data(ctx: &Ctx, order: &Order, refund: &Refund) -> Value {
    let mut data = order_data(ctx, order);
    if let Value::Object(members) = &mut data {
        members.retain(|(k, _)| !matches!(k.as_str(), "jsapi" | "app" | "app_format" | "mweb_url" | "qrcode"));
        members.extend([
            ("out_refund_no".to_owned(), Value::str(refund.refund_no.as_str())),
            ("refund_id".to_owned(), Value::str(refund.refund_id.as_str())),
            ("refund_desc".to_owned(), Value::str("")),
            ("refund_fee".to_owned(), fen(refund.amount)),
            ("refund_status".to_owned(), Value::str("SUCCESS")),
            ("refund_time".to_owned(), Value::str((refund.created_ms / 1000).to_string())),
        ]);
    }
    data
}
