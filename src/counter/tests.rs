use super::*;
use crate::error::ErrorCode;

#[test]
fn recognises_the_seeds_example_codes() {
    assert_eq!(recognise("134519771100657507"), CodeKind::Wechat); // BlueOcean's WeChat example
    assert_eq!(recognise("135605691981176449"), CodeKind::Wechat); // HipoPay /order/scan_pay
    assert_eq!(recognise("130000000000000000"), CodeKind::Wechat); // ChaoYing method=pay
    assert_eq!(recognise("288271620985824610"), CodeKind::Alipay); // BlueOcean's Alipay example
    assert_eq!(recognise(" 6212345678901234567\n"), CodeKind::Unionpay);
    assert_eq!(recognise("23891113455872"), CodeKind::Unknown); // BeeCloud's 14-digit example
}

#[test]
fn prefix_and_length_bounds() {
    assert_eq!(recognise("100000000000000000"), CodeKind::Wechat);
    assert_eq!(recognise("150000000000000000"), CodeKind::Wechat);
    assert_eq!(recognise("160000000000000000"), CodeKind::Unknown);
    assert_eq!(recognise("09000000000000000"), CodeKind::Unknown);
    assert_eq!(recognise("13000000000000000"), CodeKind::Unknown); // 17 digits
    assert_eq!(recognise("1300000000000000000"), CodeKind::Unknown); // 19 digits
    assert_eq!(recognise("2500000000000000"), CodeKind::Alipay); // 16
    assert_eq!(recognise("300000000000000000000000"), CodeKind::Alipay); // 24
    assert_eq!(recognise("3000000000000000000000000"), CodeKind::Unknown); // 25
    assert_eq!(recognise("250000000000000"), CodeKind::Unknown); // 15
    assert_eq!(recognise("310000000000000000"), CodeKind::Unknown);
    assert_eq!(recognise("621234567890123456"), CodeKind::Unknown); // 18 digits
    assert_eq!(recognise("13451977110065750a"), CodeKind::Unknown);
    assert_eq!(recognise(""), CodeKind::Unknown);
    assert_eq!(recognise("１3451977110065750"), CodeKind::Unknown); // full-width digit
}

#[test]
fn channels_and_the_refusal() {
    assert_eq!(channel_for("134519771100657507"), Ok(Channel::Wechat));
    assert_eq!(channel_for("288271620985824610"), Ok(Channel::Alipay));
    let e = channel_for("999912345678").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert_eq!(e.reason, Reason::AuthCodeInvalid);
    let detail = e.detail.clone().unwrap_or_default();
    assert!(detail.contains("9999****5678") && !detail.contains("999912345678"), "{detail}");
}

#[test]
fn masks_all_but_four_and_four() {
    assert_eq!(mask("134519771100657507"), "1345**********7507");
    assert_eq!(mask("123456789"), "1234*6789");
    assert_eq!(mask("12345678"), "********");
    assert_eq!(mask(""), "");
}

fn feed(s: &mut Scanner, text: &str, start: f64, step: f64) -> f64 {
    let mut t = start;
    for c in text.chars() {
        assert_eq!(s.key(&c.to_string(), t), None);
        t += step;
    }
    t
}

#[test]
fn a_fast_burst_ended_by_enter_is_a_scan() {
    let mut s = Scanner::new(35.0);
    let t = feed(&mut s, "134519771100657507", 1000.0, 5.0);
    assert_eq!(s.key("Enter", t), Some(Reading { code: "134519771100657507".into(), scanned: true }));
    assert_eq!(s.key("Enter", t + 5.0), None, "the buffer was cleared");
}

#[test]
fn slow_typing_ended_by_enter_is_manual_entry() {
    let mut s = Scanner::new(35.0);
    let t = feed(&mut s, "134519771100657507", 0.0, 180.0);
    assert_eq!(s.key("Enter", t + 400.0), Some(Reading { code: "134519771100657507".into(), scanned: false }));
}

#[test]
fn a_burst_after_stray_keys_keeps_only_the_burst() {
    let mut s = Scanner::new(35.0);
    feed(&mut s, "77", 0.0, 200.0);
    let t = feed(&mut s, "288271620985824610", 5_000.0, 4.0);
    assert_eq!(s.key("Enter", t), Some(Reading { code: "288271620985824610".into(), scanned: true }));
}

#[test]
fn a_scan_with_a_few_delayed_keys_is_still_a_scan_and_keeps_every_key() {
    let mut s = Scanner::new(35.0);
    let mut t = 0.0;
    for (i, c) in "134519771100657507".chars().enumerate() {
        t += if i % 6 == 1 { 60.0 } else { 8.0 };
        s.key(&c.to_string(), t);
    }
    assert_eq!(s.key("Enter", t + 8.0), Some(Reading { code: "134519771100657507".into(), scanned: true }));
}

#[test]
fn a_short_burst_is_not_a_scan() {
    let mut s = Scanner::new(35.0);
    let t = feed(&mut s, "1234567", 0.0, 5.0);
    assert_eq!(s.key("Enter", t), Some(Reading { code: "1234567".into(), scanned: false }));
}

#[test]
fn stray_keys_reset_and_modifiers_do_not() {
    let mut s = Scanner::new(35.0);
    feed(&mut s, "1345", 0.0, 5.0);
    assert_eq!(s.key("Backspace", 25.0), None);
    assert_eq!(s.key("Enter", 30.0), None, "nothing left after a reset");
    feed(&mut s, "13", 100.0, 5.0);
    assert_eq!(s.key("Shift", 110.0), None);
    let t = feed(&mut s, "4519771100657507", 112.0, 5.0);
    assert_eq!(s.key("Enter", t), Some(Reading { code: "134519771100657507".into(), scanned: true }));
    feed(&mut s, "12", 1000.0, 5.0);
    s.key("ArrowLeft", 1011.0);
    s.key("é", 1012.0);
    assert_eq!(s.key("Enter", 1013.0), None);
    // Every modifier leaves the typing as it was; a name that only starts or
    // ends like one (or joins two) resets.
    feed(&mut s, "1234", 2000.0, 5.0);
    for (i, m) in ["Shift", "CapsLock", "Control", "Alt", "AltGraph", "Meta", "NumLock", "Unidentified", "Process"].iter().enumerate() {
        assert_eq!(s.key(m, 2020.0 + i as f64), None);
    }
    assert_eq!(s.key("Enter", 2030.0), Some(Reading { code: "1234".into(), scanned: false }));
    for stray in ["Shif", "AltG", "ShiftCapsLock", "Shift CapsLock", ""] {
        feed(&mut s, "1234", 3000.0, 5.0);
        s.key(stray, 3020.0);
        assert_eq!(s.key("Enter", 3021.0), None, "{stray:?} resets");
    }
}

#[test]
fn idle_typing_is_forgotten() {
    let mut s = Scanner::new(35.0);
    feed(&mut s, "99", 0.0, 100.0);
    let t = feed(&mut s, "1345", 3_200.0, 300.0);
    assert_eq!(s.key("Enter", t), Some(Reading { code: "1345".into(), scanned: false }));
}

#[test]
fn overlong_input_is_discarded() {
    let mut s = Scanner::new(35.0);
    let t = feed(&mut s, &"1".repeat(Scanner::MAX_LEN + 1), 0.0, 5.0);
    assert_eq!(s.key("Enter", t), None);
    let t = feed(&mut s, "134519771100657507", t + 1000.0, 5.0);
    assert!(s.key("Enter", t).is_some_and(|r| r.scanned));
}

#[test]
fn threshold_is_configurable_and_defaults_when_invalid() {
    let mut s = Scanner::new(10.0);
    let t = feed(&mut s, "134519771100657507", 0.0, 20.0);
    assert!(s.key("Enter", t).is_some_and(|r| !r.scanned));
    let mut s = Scanner::new(f64::NAN);
    let t = feed(&mut s, "134519771100657507", 0.0, 20.0);
    assert!(s.key("Enter", t).is_some_and(|r| r.scanned));
}

#[test]
fn the_counter_texts_are_in_every_locale() {
    // What the counter's view (`web/counter_view.js`) reads from `texts`.
    let keys = ["prompt", "manual", "submit", "creating", "submitting", "userPaying", "succeeded", "failed", "closed", "cancelled", "busy"];
    for locale in crate::i18n::Locale::ALL {
        let t: Vec<_> = texts(locale).collect();
        assert_eq!(t.iter().map(|(k, _)| *k).collect::<Vec<_>>(), keys, "{locale:?}");
        assert!(t.iter().all(|(_, v)| !v.is_empty()), "{locale:?}");
    }
    assert_eq!(texts(crate::i18n::Locale::ZhHk).nth(1), Some(("manual", "或輸入付款碼後按 Enter")));
}
