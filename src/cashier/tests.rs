use super::*;
use crate::env::{detect, Hints};
use crate::gateway::protocol;
use crate::json::Value;
use crate::model::Gateway;

const DESKTOP: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
const WECHAT: &str =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x18002831) NetType/WIFI Language/zh_CN";
const ANDROID: &str = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";
const ALIPAY: &str = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 AlipayClient/10.5.0";

/// `amount` minor units as decimal text, as `display_amount` writes it after the sign.
fn format_amount(amount: i64, minor_unit: u32) -> String {
    let mut out = String::new();
    push_amount(&mut out, amount, minor_unit);
    out
}

#[test]
fn amounts_by_integer_arithmetic() {
    assert_eq!(format_amount(1288, 2), "12.88");
    assert_eq!(format_amount(1, 2), "0.01");
    assert_eq!(format_amount(100, 2), "1.00");
    assert_eq!(format_amount(0, 2), "0.00");
    assert_eq!(format_amount(-5, 2), "-0.05");
    assert_eq!(format_amount(1288, 0), "1288");
    assert_eq!(format_amount(1234, 3), "1.234");
    assert_eq!(format_amount(i64::MIN, 2), "-92233720368547758.08");
    assert_eq!(display_amount(1288, "CNY"), "¥12.88");
    assert_eq!(display_amount(1288, "hkd"), "HK$12.88");
    assert_eq!(display_amount(1288, "JPY"), "JPY 1288");
    assert_eq!(display_amount(1288, "EUR"), "EUR 12.88");
    assert_eq!(display_amount(1234, "kwd"), "KWD 1.234");
    assert_eq!(display_amount(1288, "krw"), "KRW 1288");
    assert_eq!([minor_unit("XOF"), minor_unit("IQD"), minor_unit("JP"), minor_unit("JPYX"), minor_unit("")], [0, 3, 2, 2, 2]);
}

#[test]
fn countdown_rounds_up_and_stops_at_zero() {
    assert_eq!(countdown(300_000), "05:00");
    assert_eq!(countdown(299_001), "05:00");
    assert_eq!(countdown(299_000), "04:59");
    assert_eq!(countdown(1), "00:01");
    assert_eq!(countdown(0), "00:00");
    assert_eq!(countdown(-5_000), "00:00");
    assert_eq!(countdown(3_600_000), "1:00:00");
    assert_eq!(countdown(7_384_000), "2:03:04");
}

/// What `methods` hands over, in order.
fn method_list(supported: &[(Mode, Channel)], env: &crate::env::Environment) -> Vec<Method> {
    let mut list = Vec::new();
    methods(supported, env, |m| list.push(m));
    list
}

fn desk_methods(gateway: Gateway, ua: &str) -> Vec<(&'static str, &'static str)> {
    let env = detect(ua, &Hints::default());
    let modes = protocol(gateway).map(|p| p.modes()).unwrap_or(&[]);
    method_list(modes, &env).into_iter().map(|m| (m.mode.as_str(), m.channel.as_str())).collect()
}

#[test]
fn methods_for_a_desktop_browser() {
    assert_eq!(desk_methods(Gateway::BlueOcean, DESKTOP), [("qr", "wechat"), ("qr", "alipay"), ("qr", "unionpay")]);
    assert_eq!(desk_methods(Gateway::HipoPay, DESKTOP), [("qr", "wechat"), ("qr", "alipay")]);
    assert_eq!(desk_methods(Gateway::BeeCloud, DESKTOP), [("qr", "wechat"), ("qr", "alipay")]);
    assert_eq!(desk_methods(Gateway::ChaoYing, DESKTOP), [("qr", "wechat"), ("qr", "alipay")]);
    assert_eq!(desk_methods(Gateway::HiPos, DESKTOP), [("qr", "any")]);
}

#[test]
fn methods_inside_wechat_put_wechat_first_and_use_jsapi() {
    assert_eq!(desk_methods(Gateway::BlueOcean, WECHAT), [("jsapi", "wechat"), ("qr", "alipay"), ("qr", "unionpay")]);
    assert_eq!(desk_methods(Gateway::ChaoYing, WECHAT), [("jsapi", "wechat"), ("qr", "alipay")]);
    assert_eq!(desk_methods(Gateway::BeeCloud, WECHAT), [("qr", "wechat"), ("qr", "alipay")]);
}

#[test]
fn methods_in_a_phone_browser_and_in_alipay() {
    assert_eq!(desk_methods(Gateway::BlueOcean, ANDROID), [("h5", "wechat"), ("wap", "alipay"), ("wap", "unionpay")]);
    assert_eq!(desk_methods(Gateway::HipoPay, ANDROID), [("wap", "alipay"), ("qr", "wechat")]);
    assert_eq!(desk_methods(Gateway::ChaoYing, ALIPAY), [("jsapi", "alipay"), ("qr", "wechat")]);
}

#[test]
fn every_desk_method_is_one_the_checkout_offers() {
    for gateway in Gateway::ALL {
        let Ok(p) = protocol(gateway) else { continue };
        for ua in [DESKTOP, WECHAT, ANDROID, ALIPAY] {
            let env = detect(ua, &Hints::default());
            let offered = crate::checkout::methods::methods(p.modes(), &env);
            let desk = method_list(p.modes(), &env);
            assert!(!desk.is_empty() || offered.is_empty(), "{gateway:?} {ua}");
            assert!(desk.iter().all(|m| offered.contains(&(m.mode, m.channel))), "{gateway:?} {ua}");
        }
    }
}

/// What the desk's view (`web/cashier_view.js`) reads from `texts`.
const DESK_KEYS: [&str; 16] =
    ["order", "choose", "timeLeft", "waiting", "scan", "copy", "copied", "back", "succeeded", "confirming", "failed", "closed", "cancelled", "refunded", "expired", "none"];

#[test]
fn the_widget_table_has_every_label_and_desk_text_in_every_locale() {
    crate::i18n::WIDGETS.check().unwrap();
    for locale in Locale::ALL {
        assert_eq!(texts(locale).map(|(k, _)| k).collect::<Vec<_>>(), DESK_KEYS, "{locale:?}");
        for channel in Channel::ALL {
            assert!(crate::i18n::WIDGETS.text("channel", channel.as_str(), locale).is_some(), "{channel:?} {locale:?}");
        }
        for mode in Mode::ALL {
            assert!(crate::i18n::WIDGETS.text("mode", mode.as_str(), locale).is_some(), "{mode:?} {locale:?}");
        }
    }
}

#[test]
fn labels_in_three_locales() {
    assert_eq!(channel_label(Channel::Wechat, Locale::ZhCn), "微信支付");
    assert_eq!(channel_label(Channel::Wechat, Locale::ZhHk), "微信支付");
    assert_eq!(channel_label(Channel::Alipay, Locale::ZhHk), "支付寶");
    assert_eq!(channel_label(Channel::Unionpay, Locale::ZhCn), "云闪付");
    assert_eq!(channel_label(Channel::Any, Locale::En), "Scan to pay");
    for locale in [Locale::ZhCn, Locale::ZhHk, Locale::En] {
        let t: Vec<_> = texts(locale).collect();
        assert!(t.iter().all(|(_, v)| !v.is_empty()));
        for mode in Mode::ALL {
            assert!(!mode_hint(mode, locale).is_empty());
        }
    }
    assert_ne!(texts(Locale::ZhCn).collect::<Vec<_>>(), texts(Locale::ZhHk).collect::<Vec<_>>());
}

#[test]
fn desk_model_as_json() {
    let mut desk = DeskJson::new(Locale::En);
    desk.method(Method { mode: Mode::Qr, channel: Channel::Alipay });
    let json = crate::json::parse(&desk.end(&display_amount(1288, "CNY"), Some("<b>tea</b>"), "PB1")).unwrap();
    assert_eq!(json.text("amount"), Some("¥12.88"));
    assert_eq!(json.text("subject"), Some("<b>tea</b>"), "kept as text; the view sets textContent");
    let m = json.get("methods").and_then(|m| match m {
        Value::Array(a) => a.first().cloned(),
        _ => None,
    });
    assert_eq!(m.as_ref().and_then(|m| m.text("label")), Some("Alipay"));
    assert_eq!(json.get("texts").and_then(|t| t.text("copy")), Some("Copy link"));
}
