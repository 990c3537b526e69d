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
use paybridge::i18n::{Locale, Table};
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

/// The demo pages' string table (`www/strings.txt`); this page reads its `sandbox.` rows.
const STRINGS: Table = Table::new(include_str!("../../../www/strings.txt"));

/// The page's language: `?lang=`, else `Accept-Language`, else zh-CN.
fn page_locale(query: &HashMap<String, String>, headers: &HeaderMap) -> Locale {
    let accept = || headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::negotiate);
    query.get("lang").and_then(|l| Locale::negotiate(l)).or_else(accept).unwrap_or(Locale::ZhCn)
}

/// The page's text for `key` (a `sandbox.` row).
fn t(locale: Locale, key: &str) -> &'static str {
    STRINGS.text("sandbox", key, locale).unwrap_or("")
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
    let default = paybridge::gateway::rules(order.gateway).map_or("CNY", |r| r.default_currency());
    let currency = param(order, &["fee_type", "currency"]).unwrap_or(default);
    let sign = if order.amount < 0 { "-" } else { "" };
    let a = order.amount.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", a / 100, a % 100)
}

fn merchant(gateway: Gateway, locale: Locale) -> String {
    t(locale, "merchant-name").replace("{name}", gateway.display_name(locale))
}

fn html_response(status: StatusCode, html: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CONTENT_SECURITY_POLICY, CSP), (header::CACHE_CONTROL, "no-store")], html).into_response()
}

/// `GET /wallet/{gateway}/{out_trade_no}`.
pub async fn page(State(state): State<SandboxState>, Path((gateway, no)): Path<(String, String)>, Query(query): Query<HashMap<String, String>>, headers: HeaderMap) -> Response {
    let locale = page_locale(&query, &headers);
    let order = Gateway::parse(&gateway).and_then(|gw| state.store().get(gw, &no, now_ms()));
    match order {
        Some(order) => html_response(StatusCode::OK, render(&order, locale)),
        None => html_response(StatusCode::NOT_FOUND, frame(locale, &format!("<p class=\"missing\">{}: {}</p>", t(locale, "missing"), escape_html(&no)), "")),
    }
}

/// The document around `body`; `data` are extra attributes of `<main>`.
fn frame(locale: Locale, body: &str, data: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{tag}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><link rel=\"stylesheet\" href=\"../../wallet.css\"><script src=\"../../wallet.js\" defer></script></head>\
<body><main class=\"wallet\"{data}><h1>{title}</h1>{body}<p class=\"note\">{note}</p></main></body></html>\n",
        tag = locale.as_str(),
        title = t(locale, "title"),
        note = t(locale, "note"),
    )
}

fn render(order: &Order, locale: Locale) -> String {
    let row = |label: &str, value: &str, id: &str| format!("<dt>{}</dt><dd{id}>{}</dd>", label, escape_html(value));
    let mut rows = row(t(locale, "merchant"), &merchant(order.gateway, locale), "");
    if let Some(subject) = param(order, &SUBJECT_FIELDS) {
        rows.push_str(&row(t(locale, "goods"), subject, ""));
    }
    rows.push_str(&row(t(locale, "amount"), &money(order), " class=\"amount\""));
    rows.push_str(&row(t(locale, "order"), &order.out_trade_no, ""));
    rows.push_str(&row(t(locale, "state"), t(locale, state_name(order.state)), " id=\"state\""));
    let open = matches!(order.state, OrderState::Unpaid | OrderState::Paying);
    let disabled = if open { "" } else { " disabled" };
    let buttons: String =
        ["pay", "cancel", "fail"].iter().map(|a| format!("<button type=\"button\" class=\"{a}\" data-action=\"{a}\"{disabled}>{}</button>", t(locale, a))).collect();
    let back = param(order, &RETURN_FIELDS)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(|u| format!("<p><a class=\"back\" href=\"{}\">{}</a></p>", escape_html(u), t(locale, "back")))
        .unwrap_or_default();
    let body = format!("<dl>{rows}</dl><div class=\"actions\">{buttons}</div><p id=\"message\" role=\"status\"></p>{back}");
    let control = format!("../../{}/_control/orders/{}/", order.gateway.as_str(), quote(&order.out_trade_no));
    let labels: String = ["unpaid", "paying", "paid", "failed", "closed", "expired", "reverted", "refunded", "done"]
        .iter()
        .map(|k| format!(" data-label-{k}=\"{}\"", escape_html(t(locale, k))))
        .collect();
    frame(locale, &body, &format!(" data-control=\"{}\"{labels}", escape_html(&control)))
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

    #[test]
    fn every_text_of_the_page_is_in_every_locale() {
        STRINGS.check().unwrap();
        let keys = ["title", "note", "merchant", "merchant-name", "goods", "amount", "order", "state", "pay", "cancel", "fail", "back", "done", "missing"];
        let states = ["unpaid", "paying", "paid", "failed", "closed", "expired", "reverted", "refunded"];
        for locale in Locale::ALL {
            for key in keys.into_iter().chain(states) {
                assert!(!t(locale, key).is_empty(), "{key} {locale:?}");
            }
        }
        let hk = frame(Locale::ZhHk, "", "");
        assert!(hk.contains(r#"<html lang="zh-HK">"#) && hk.contains("<h1>沙盒錢包</h1>") && hk.contains("這是測試環境"), "{hk}");
        assert_eq!(merchant(Gateway::HiPos, Locale::ZhHk), "HiPOS 沙盒商戶");
    }

    #[test]
    fn the_language_is_lang_then_accept_language_then_zh_cn() {
        let lang = |l: &str| HashMap::from([("lang".to_owned(), l.to_owned())]);
        let mut headers = HeaderMap::new();
        assert_eq!(page_locale(&HashMap::new(), &headers), Locale::ZhCn);
        headers.insert(header::ACCEPT_LANGUAGE, "fr-FR,zh-TW;q=0.8,en;q=0.5".parse().unwrap());
        assert_eq!(page_locale(&HashMap::new(), &headers), Locale::ZhHk);
        assert_eq!(page_locale(&lang("en"), &headers), Locale::En);
        assert_eq!(page_locale(&lang("zh-CN"), &headers), Locale::ZhCn);
        assert_eq!(page_locale(&lang("fr"), &headers), Locale::ZhHk, "an unsupported ?lang= falls back to the header");
    }
}
