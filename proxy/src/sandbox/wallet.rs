//! The simulated wallet page, `GET /wallet/{gateway}/{out_trade_no}`: what
//! the sandbox's QR codes encode and its redirects point at. It shows the
//! merchant, amount, order number and state, with Pay / Cancel / Fail
//! buttons that call the control API, and a link back to the merchant when
//! the order has a return URL. No inline script or style (the demo's CSP is
//! `script-src 'self'; style-src 'self'`): `wallet.js` and `wallet.css` are
//! served next to it. Everything inserted into the HTML is escaped.

use super::clock::now_ms;
use super::notify::state_name;
use super::state::SandboxState;
use super::store::{Order, OrderState};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use paybridge::gateway::wire::quote;
use paybridge::model::Gateway;
use std::collections::HashMap;

const SCRIPT: &str = include_str!("assets/wallet.js");
const STYLE: &str = include_str!("assets/wallet.css");
/// The page's own policy (the demo may set a stricter one around it).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
/// Order parameters that name where the wallet returns the payer.
const RETURN_FIELDS: [&str; 5] = ["h5_redirect_url", "return_url", "redirect_url", "callback_url", "success_url"];
/// Order parameters that describe the goods.
const SUBJECT_FIELDS: [&str; 4] = ["body", "subject", "title", "goods_name"];

/// The page's language.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `?lang=en|zh-CN`, else the first `Accept-Language` entry (`en*` → English), else Chinese.
    fn pick(query: &HashMap<String, String>, headers: &HeaderMap) -> Lang {
        let wanted = query.get("lang").cloned().or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_owned));
        match wanted {
            Some(l) if l.trim_start().to_ascii_lowercase().starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The label for `key`.
    fn t(self, key: &str) -> &'static str {
        let (zh, en) = match key {
            "title" => ("沙箱钱包", "Sandbox wallet"),
            "merchant" => ("商户", "Merchant"),
            "goods" => ("商品", "Goods"),
            "amount" => ("金额", "Amount"),
            "order" => ("订单号", "Order number"),
            "state" => ("状态", "State"),
            "pay" => ("支付", "Pay"),
            "cancel" => ("取消", "Cancel"),
            "fail" => ("支付失败", "Fail"),
            "back" => ("返回商户", "Back to the merchant"),
            "done" => ("已提交", "Done"),
            "missing" => ("订单不存在", "No such order"),
            "note" => ("这是测试环境，不会产生真实扣款。", "This is a test environment; no real money moves."),
            "unpaid" => ("待支付", "Awaiting payment"),
            "paying" => ("支付中", "Paying"),
            "paid" => ("已支付", "Paid"),
            "failed" => ("支付失败", "Failed"),
            "closed" => ("已关闭", "Closed"),
            "expired" => ("已过期", "Expired"),
            "reverted" => ("已撤销", "Cancelled"),
            "refunded" => ("已退款", "Refunded"),
            _ => ("", ""),
        };
        if self == Lang::Zh {
            zh
        } else {
            en
        }
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn param<'a>(order: &'a Order, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| order.params.iter().find(|(k, v)| k == n && !v.is_empty()).map(|(_, v)| v.as_str()))
}

/// `12.34 HKD` from minor units.
fn money(order: &Order) -> String {
    let default = if order.gateway == Gateway::BlueOcean { "HKD" } else { "CNY" };
    let currency = param(order, &["fee_type", "currency"]).unwrap_or(default);
    let sign = if order.amount < 0 { "-" } else { "" };
    let a = order.amount.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", a / 100, a % 100)
}

fn merchant(gateway: Gateway, lang: Lang) -> String {
    let name = match gateway {
        Gateway::BlueOcean => "BlueOcean Pay",
        Gateway::HipoPay => "HipoPay",
        Gateway::BeeCloud => "BeeCloud",
        Gateway::ChaoYing => "超赢 ChaoYing",
        Gateway::HiPos => "HiPOS",
    };
    match lang {
        Lang::Zh => format!("{name} 沙箱商户"),
        Lang::En => format!("{name} sandbox merchant"),
    }
}

fn html_response(status: StatusCode, html: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CONTENT_SECURITY_POLICY, CSP), (header::CACHE_CONTROL, "no-store")], html).into_response()
}

/// `GET /wallet/{gateway}/{out_trade_no}`.
pub async fn page(State(state): State<SandboxState>, Path((gateway, no)): Path<(String, String)>, Query(query): Query<HashMap<String, String>>, headers: HeaderMap) -> Response {
    let lang = Lang::pick(&query, &headers);
    let order = Gateway::parse(&gateway).and_then(|gw| state.store().get(gw, &no, now_ms()));
    match order {
        Some(order) => html_response(StatusCode::OK, render(&order, lang)),
        None => html_response(StatusCode::NOT_FOUND, frame(lang, &format!("<p class=\"missing\">{}: {}</p>", lang.t("missing"), escape_html(&no)), "")),
    }
}

/// The document around `body`; `data` are extra attributes of `<main>`.
fn frame(lang: Lang, body: &str, data: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{tag}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><link rel=\"stylesheet\" href=\"../../wallet.css\"><script src=\"../../wallet.js\" defer></script></head>\
<body><main class=\"wallet\"{data}><h1>{title}</h1>{body}<p class=\"note\">{note}</p></main></body></html>\n",
        tag = lang.tag(),
        title = lang.t("title"),
        note = lang.t("note"),
    )
}

fn render(order: &Order, lang: Lang) -> String {
    let row = |label: &str, value: &str, id: &str| format!("<dt>{}</dt><dd{id}>{}</dd>", label, escape_html(value));
    let mut rows = row(lang.t("merchant"), &merchant(order.gateway, lang), "");
    if let Some(subject) = param(order, &SUBJECT_FIELDS) {
        rows.push_str(&row(lang.t("goods"), subject, ""));
    }
    rows.push_str(&row(lang.t("amount"), &money(order), " class=\"amount\""));
    rows.push_str(&row(lang.t("order"), &order.out_trade_no, ""));
    rows.push_str(&row(lang.t("state"), lang.t(state_name(order.state)), " id=\"state\""));
    let open = matches!(order.state, OrderState::Unpaid | OrderState::Paying);
    let disabled = if open { "" } else { " disabled" };
    let buttons: String = ["pay", "cancel", "fail"].iter().map(|a| format!("<button type=\"button\" class=\"{a}\" data-action=\"{a}\"{disabled}>{}</button>", lang.t(a))).collect();
    let back = param(order, &RETURN_FIELDS)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(|u| format!("<p><a class=\"back\" href=\"{}\">{}</a></p>", escape_html(u), lang.t("back")))
        .unwrap_or_default();
    let body = format!("<dl>{rows}</dl><div class=\"actions\">{buttons}</div><p id=\"message\" role=\"status\"></p>{back}");
    let control = format!("../../{}/_control/orders/{}/", order.gateway.as_str(), quote(&order.out_trade_no));
    let labels: String = ["unpaid", "paying", "paid", "failed", "closed", "expired", "reverted", "refunded", "done"]
        .iter()
        .map(|k| format!(" data-label-{k}=\"{}\"", escape_html(lang.t(k))))
        .collect();
    frame(lang, &body, &format!(" data-control=\"{}\"{labels}", escape_html(&control)))
}

/// `GET /wallet.js`.
pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], SCRIPT).into_response()
}

/// `GET /wallet.css`.
pub async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], STYLE).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_html_cares_about() {
        assert_eq!(escape_html(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
