//! HipoPay's objects as the sandbox writes them: the order (§11.1, 6.5), the
//! refund (§11.2, 6.6), the notification (§10.2), the wallet payloads of
//! JSAPI, mini-program and app pay (4.4, 4.5, 6.2.1), and the decimal
//! amounts, rates and `trade_time` they carry.

use crate::sandbox::store::{Order, OrderState, Refund};
use paybridge::gateway::hipopay::{currency_exponent, minor_to_amount};
use paybridge::json::Value;
use paybridge::model::Channel;
use paybridge::sign::{md5_hex, md5_hex_upper};

/// The §11.3 currencies with a sandbox rate: CNY per unit, in 1/10000.
const RATES: [(&str, i64); 11] = [
    ("CNY", 10_000),
    ("GBP", 89_000),
    ("HKD", 8_789),
    ("USD", 68_575),
    ("JPY", 611),
    ("CAD", 52_000),
    ("AUD", 49_000),
    ("EUR", 78_000),
    ("NZD", 45_000),
    ("KRW", 59),
    ("THB", 2_000),
];

/// The appid the sandbox's JSAPI answers carry (4.1 sends none).
pub const SANDBOX_MP_APPID: &str = "wx-sandbox-test-mp";

/// The sandbox's rate for a §11.3 currency, in 1/10000 CNY; `None` for any other.
pub fn rate(currency: &str) -> Option<i64> {
    RATES.iter().find(|(c, _)| *c == currency).map(|&(_, r)| r)
}

/// A rate in 1/10000 as HipoPay writes it (`8789` → `"0.8789"`).
pub fn rate_text(rate: i64) -> String {
    format!("{}.{:04}", rate / 10_000, rate % 10_000)
}

/// HipoPay's order `status` for a sandbox state (§11.1). There is no cancel
/// in HipoPay: a payer who gives up leaves a failed order.
pub fn status_text(state: OrderState) -> &'static str {
    match state {
        OrderState::Unpaid | OrderState::Paying => "INIT",
        OrderState::Paid | OrderState::Refunded => "PAID",
        OrderState::Failed | OrderState::Reverted => "FAIL",
        OrderState::Closed | OrderState::Expired => "EXPIRED",
    }
}

/// A create-request parameter the order kept.
pub fn param<'a>(order: &'a Order, name: &str) -> Option<&'a str> {
    order.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

/// The order's currency (HKD when the create request named none).
pub fn currency(order: &Order) -> &str {
    param(order, "currency").unwrap_or("HKD")
}

/// Minor units as the order's decimal (`10000` HKD → `"100.00"`).
pub fn decimal(order: &Order, minor: i64) -> String {
    minor_to_amount(minor.max(0), Some(currency(order))).unwrap_or_default()
}

/// The CNY the payer pays, truncated to the fen as the seed's examples are
/// (`1` HKD × 0.8777 → `0.87`); exact integer arithmetic.
fn pay_amount(order: &Order) -> String {
    let cur = currency(order);
    let scale = 10i128.pow(2u32.saturating_sub(currency_exponent(Some(cur))));
    let fen = i128::from(order.amount) * i128::from(rate(cur).unwrap_or(10_000)) * scale / 10_000;
    let fen = i64::try_from(fen).unwrap_or(i64::MAX);
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM:SS` in China time (UTC+8), the
/// seed's `trade_time` format.
pub fn trade_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000) + 8 * 3600;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = crate::calendar::civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Whether the order was made through the Alipay endpoints.
pub fn is_alipay(order: &Order) -> bool {
    order.channel == Channel::Alipay
}

fn push(fields: &mut Vec<(String, Value)>, key: &str, value: impl Into<String>) {
    fields.push((key.to_owned(), Value::String(value.into())));
}

/// The order object. Create answers name the Alipay merchant reference
/// `outer_order_no` (6.1–7.2), queries `out_order_no` (6.5).
pub fn order_object(order: &Order, in_create: bool) -> Value {
    let mut f = Vec::new();
    push(&mut f, "status", status_text(order.state));
    push(&mut f, "trade_type", param(order, "trade_type").unwrap_or("NATIVE"));
    if is_alipay(order) {
        push(&mut f, "payment_no", &order.gateway_order_id);
        push(&mut f, if in_create { "outer_order_no" } else { "out_order_no" }, &order.out_trade_no);
        push(&mut f, "subject", param(order, "subject").unwrap_or_default());
        push(&mut f, "channel", "ALIPAYCN");
    } else {
        push(&mut f, "no", &order.gateway_order_id);
        push(&mut f, "agent_order_id", &order.out_trade_no);
        push(&mut f, "product_info", param(order, "product_info").unwrap_or_default());
        for key in ["ip", "openid", "device_info"] {
            if let Some(v) = param(order, key) {
                push(&mut f, key, v);
            }
        }
    }
    push(&mut f, "merchant_no", param(order, "merchant_no").unwrap_or_default());
    push(&mut f, "currency", currency(order));
    push(&mut f, "amount", decimal(order, order.amount));
    push(&mut f, "exchange_rate", rate_text(rate(currency(order)).unwrap_or(10_000)));
    push(&mut f, "pay_currency", "CNY");
    push(&mut f, "pay_amount", pay_amount(order));
    push(&mut f, "trade_time", trade_time(order.created_ms));
    let refund_status = match (order.refunded(), order.refundable()) {
        (0, _) => "NONE",
        (_, 0) => "FULL",
        _ => "PART",
    };
    push(&mut f, "refund_status", refund_status);
    push(&mut f, "refundable_amount", decimal(order, order.refundable()));
    Value::Object(f)
}

/// A refund object (§11.2 for WeChat, 6.6's names for Alipay).
pub fn refund_object(order: &Order, refund: &Refund) -> Value {
    let mut f = Vec::new();
    if is_alipay(order) {
        push(&mut f, "refund_no", &refund.refund_id);
        push(&mut f, "payment_no", &order.gateway_order_id);
    } else {
        push(&mut f, "no", &refund.refund_id);
        push(&mut f, "order_no", &order.gateway_order_id);
    }
    push(&mut f, "outer_refund_no", &refund.refund_no);
    push(&mut f, "refund_amount", decimal(order, refund.amount));
    push(&mut f, "status", "SUCCESS");
    Value::Object(f)
}

/// The §10.2 notification fields of a paid order (WeChat names; Alipay
/// orders use `payment_no` / `out_order_no`, which §10 leaves undocumented).
pub fn notification_fields(order: &Order) -> Value {
    let mut f = Vec::new();
    push(&mut f, "status", "PAID");
    push(&mut f, "trade_type", param(order, "trade_type").unwrap_or("NATIVE"));
    push(&mut f, "exchange_rate", rate_text(rate(currency(order)).unwrap_or(10_000)));
    if is_alipay(order) {
        push(&mut f, "payment_no", &order.gateway_order_id);
        push(&mut f, "out_order_no", &order.out_trade_no);
    } else {
        push(&mut f, "no", &order.gateway_order_id);
        push(&mut f, "agent_order_id", &order.out_trade_no);
        if let Some(openid) = param(order, "openid") {
            push(&mut f, "openid", openid);
        }
    }
    push(&mut f, "currency", currency(order));
    push(&mut f, "amount", decimal(order, order.amount));
    push(&mut f, "trade_time", trade_time(order.created_ms));
    push(&mut f, "pay_currency", "CNY");
    push(&mut f, "pay_amount", pay_amount(order));
    Value::Object(f)
}

fn nonce(order: &Order) -> String {
    md5_hex(order.gateway_order_id.as_bytes())[..16].to_owned()
}

fn pay_sign(pairs: &[(&str, &str)]) -> String {
    let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    md5_hex_upper(format!("{}&key=sandbox", joined.join("&")).as_bytes())
}

/// The `getBrandWCPayRequest` object of a JSAPI answer (4.1 prints none;
/// the `js_param` form the module reads).
pub fn js_param(order: &Order, now_ms: i64) -> Value {
    let ts = now_ms.div_euclid(1000).to_string();
    let nonce = nonce(order);
    let package = format!("prepay_id=wx{}", order.gateway_order_id);
    let sign = pay_sign(&[("appId", SANDBOX_MP_APPID), ("nonceStr", &nonce), ("package", &package), ("signType", "MD5"), ("timeStamp", &ts)]);
    Value::object([
        ("appId", Value::str(SANDBOX_MP_APPID)),
        ("timeStamp", Value::str(ts)),
        ("nonceStr", Value::str(nonce)),
        ("package", Value::str(package)),
        ("signType", Value::str("MD5")),
        ("paySign", Value::str(sign)),
    ])
}

/// The flat 4.4 mini-program answer: `timeStamp`, `prepay_id`, `nonceStr`,
/// `paySign`, `order_no`.
pub fn mini_program_data(order: &Order, now_ms: i64) -> Value {
    let ts = now_ms.div_euclid(1000).to_string();
    let prepay = format!("wx{}", order.gateway_order_id);
    let nonce = nonce(order);
    let appid = param(order, "appid").unwrap_or_default();
    let sign = md5_hex(format!("appId={appid}&nonceStr={nonce}&package=prepay_id={prepay}&signType=MD5&timeStamp={ts}&key=sandbox").as_bytes());
    Value::object([
        ("timeStamp", Value::str(ts)),
        ("prepay_id", Value::str(prepay)),
        ("nonceStr", Value::str(nonce)),
        ("paySign", Value::str(sign)),
        ("order_no", Value::str(&order.gateway_order_id)),
    ])
}

/// The 4.5 WeChat APP answer (OpenSDK `PayReq` fields).
pub fn wechat_app_data(order: &Order, now_ms: i64) -> Value {
    let ts = now_ms.div_euclid(1000).to_string();
    let appid = param(order, "appid").unwrap_or_default();
    let prepay = format!("wx{}", order.gateway_order_id);
    let nonce = nonce(order);
    let sign = pay_sign(&[("appid", appid), ("noncestr", &nonce), ("package", "Sign=WXPay"), ("partnerid", "41391056"), ("prepayid", &prepay), ("timestamp", &ts)]);
    Value::object([
        ("appid", Value::str(appid)),
        ("nonceStr", Value::str(nonce)),
        ("order_no", Value::str(&order.gateway_order_id)),
        ("packageValue", Value::str("Sign=WXPay")),
        ("partnerId", Value::str("41391056")),
        ("prepayId", Value::str(prepay)),
        ("sign", Value::str(sign)),
        ("timeStamp", Value::str(ts)),
    ])
}

/// The 6.2.1 Alipay `prepay_string`, in the seed's shape. Only the order
/// numbers and the amount go in (no payer-supplied text), so nothing needs escaping.
pub fn alipay_prepay_string(order: &Order) -> String {
    let body = format!(
        "_input_charset=\"utf-8\"&body=\"{no}\"&currency=\"{cur}\"&forex_biz=\"FP\"&out_trade_no=\"{id}\"&partner=\"2088000000000000\"&payment_type=\"1\"&seller_id=\"2088000000000000\"&service=\"mobile.securitypay.pay\"&subject=\"{no}\"&total_fee=\"{fee}\"",
        no = order.out_trade_no,
        cur = currency(order),
        id = order.gateway_order_id,
        fee = decimal(order, order.amount),
    );
    let sign = md5_hex(body.as_bytes());
    format!("{body}&sign=\"{sign}\"&sign_type=\"RSA\"")
}
