//! The business fields of the ChaoYing sandbox's answers: pre-order
//! payloads (`pay_info`, `code_url`) and the order fields of `pay` and
//! `orderquery`, with well-formed test values.

use super::super::gateway::Ctx;
use super::super::store::{Order, OrderState};
use crate::sandbox::clock::{compact_gmt8, paid_at_ms};
use paybridge::gateway::chaoying::paytype;
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway, Mode};
use paybridge::sign::{md5_hex, md5_hex_upper};

fn param<'a>(order: &'a Order, name: &str) -> &'a str {
    order.params.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// A deterministic 32-hex nonce per order and purpose.
pub fn nonce(order: &Order, salt: &str) -> String {
    md5_hex(format!("{}|{}|{salt}", order.gateway_order_id, order.out_trade_no).as_bytes())
}

/// The notification's `trade_type` (`pay.weixin.native`, `pay.alipay.jspay`…).
pub fn notify_trade_type(order: &Order) -> String {
    let wallet = match order.channel {
        Channel::Alipay => "alipay",
        Channel::Unionpay => "unionpay",
        _ => "weixin",
    };
    let kind = match order.mode {
        Mode::Jsapi => "jspay",
        Mode::App => "app",
        Mode::Counter => "micropay",
        _ => "native",
    };
    format!("pay.{wallet}.{kind}")
}

/// The members of a successful pre-order answer for `order`.
pub fn pre_order_fields(ctx: &Ctx, order: &Order) -> Vec<(&'static str, Value)> {
    let wallet = ctx.wallet_url(Gateway::ChaoYing, &order.out_trade_no);
    let mut out = vec![("mch_id", Value::str(param(order, "mch_id"))), ("out_trade_no", Value::str(order.out_trade_no.as_str()))];
    let prepay = format!("wx{}", order.gateway_order_id);
    match (order.channel, order.mode) {
        (_, Mode::Qr) => out.push(("code_url", Value::str(wallet))),
        (Channel::Wechat, Mode::Jsapi) => {
            let ts = order.created_ms.to_string();
            let nonce_str = ts.clone();
            let package = format!("prepay_id={prepay}");
            let app_id = param(order, "sub_appid");
            let pay_sign = md5_hex_upper(format!("appId={app_id}&nonceStr={nonce_str}&package={package}&signType=MD5&timeStamp={ts}").as_bytes());
            let info = Value::object([
                ("appId", Value::str(app_id)),
                ("timeStamp", Value::str(ts)),
                ("status", Value::str("0")),
                ("signType", Value::str("MD5")),
                ("package", Value::str(package)),
                ("callback_url", Value::str("")),
                ("nonceStr", Value::str(nonce_str)),
                ("paySign", Value::str(pay_sign)),
            ]);
            out.extend([
                ("appid", Value::str(app_id)),
                ("sub_openid", Value::str(param(order, "buyer_id"))),
                ("token_id", Value::str(nonce(order, "token"))),
                ("pay_info", Value::str(info.to_json())),
            ]);
        }
        (_, Mode::Jsapi) => {
            let info = Value::object([("tradeNO", Value::str(format!("2088{}", order.gateway_order_id)))]);
            out.extend([("pay_info", Value::str(info.to_json())), ("pay_url", Value::str(wallet))]);
        }
        (Channel::Wechat, _) => {
            let info = Value::object([
                ("appid", Value::str(param(order, "sub_appid"))),
                ("partnerid", Value::str("1900000109")),
                ("prepayid", Value::str(prepay)),
                ("package", Value::str("Sign=WXPay")),
                ("noncestr", Value::str(nonce(order, "app"))),
                ("timestamp", Value::str((order.created_ms / 1000).to_string())),
                ("sign", Value::str(md5_hex_upper(nonce(order, "app-sign").as_bytes()))),
            ]);
            out.push(("pay_info", Value::str(info.to_json())));
        }
        _ => {
            let order_string = format!(
                "app_id=2021000000000000&biz_content=%7B%22out_trade_no%22%3A%22{no}%22%2C%22total_amount%22%3A%22{yuan}%22%7D&charset=utf-8&method=alipay.trade.app.pay&sign_type=RSA2&timestamp={ts}&version=1.0&sign=sandbox{sig}",
                no = order.out_trade_no,
                yuan = format_args!("{}.{:02}", order.amount / 100, order.amount % 100),
                ts = compact_gmt8(order.created_ms),
                sig = nonce(order, "alipay-sign"),
            );
            out.push(("pay_info", Value::str(order_string)));
        }
    }
    out.push(("nonce_str", Value::str(nonce(order, "pre-order"))));
    out
}

/// The business fields of `pay` and `orderquery` answers (§3.B1, B2).
pub fn order_fields(order: &Order) -> Vec<(&'static str, Value)> {
    let paid = matches!(order.state, OrderState::Paid | OrderState::Refunded) && order.transaction_id.is_some();
    let mut out = vec![
        ("mch_id", Value::str(param(order, "mch_id"))),
        ("out_trade_no", Value::str(order.out_trade_no.as_str())),
        ("transaction_id", Value::str(order.gateway_order_id.as_str())),
        ("base_fee", Value::str(order.amount.to_string())),
        ("total_fee", Value::str(if paid { order.amount } else { 0 }.to_string())),
        ("fee_type", Value::str("CNY")),
        ("paytype", Value::str(paytype(order.channel).unwrap_or(""))),
        ("nonce_str", Value::str(nonce(order, "query"))),
    ];
    if paid {
        let paid_ms = paid_at_ms(order.transaction_id.as_deref()).unwrap_or(order.created_ms);
        out.extend([("out_transaction_id", Value::str(order.transaction_id.clone().unwrap_or_default())), ("time_end", Value::str(compact_gmt8(paid_ms)))]);
    }
    let attach = param(order, "attach");
    if !attach.is_empty() {
        out.push(("attach", Value::str(attach)));
    }
    out
}
