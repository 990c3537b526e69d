use super::*;

/// Every variant of a fieldless enum; fails to compile when the enum gains
/// a variant the list lacks.
macro_rules! every {
    ($ty:ident: $($variant:ident),* $(,)?) => {{
        let _exhaustive = |x: $ty| match x {
            $($ty::$variant)|* => (),
        };
        [$($ty::$variant),*]
    }};
}

#[test]
fn locale_tags() {
    assert_eq!(Locale::parse("zh-CN"), Locale::ZhCn);
    assert_eq!(Locale::parse("zh"), Locale::ZhCn);
    assert_eq!(Locale::parse("zh-Hant-TW"), Locale::ZhHk);
    assert_eq!(Locale::parse("zh-HK"), Locale::ZhHk);
    assert_eq!(Locale::parse("en-GB"), Locale::En);
    assert_eq!(Locale::parse(""), Locale::En);
}

#[test]
fn accept_language_lists_and_navigator_tags() {
    let cases = [
        ("zh-HK,zh;q=0.9,en;q=0.8", Some(Locale::ZhHk)),
        ("zh_TW", Some(Locale::ZhHk)),
        ("ZH-hant", Some(Locale::ZhHk)),
        ("zh-Hans-CN", Some(Locale::ZhCn)),
        ("zh-CN,zh;q=0.9", Some(Locale::ZhCn)),
        ("fr-FR,fr;q=0.9,en;q=0.8,zh;q=0.7", Some(Locale::En)),
        ("en;q=0.5, zh-HK;q=0.8", Some(Locale::ZhHk)),
        ("en;q=0.8,zh;q=0.8", Some(Locale::En)),
        ("zh;q=0,en;q=0.1", Some(Locale::En)),
        ("  en-US ", Some(Locale::En)),
        ("fr", None),
        ("*", None),
        ("de;q=1,zh;q=x", None),
        ("", None),
    ];
    for (tags, want) in cases {
        assert_eq!(Locale::negotiate(tags), want, "{tags}");
    }
    assert_eq!(Locale::parse("fr"), Locale::En);
    assert_eq!(Locale::ALL.map(Locale::as_str), ["zh-CN", "zh-HK", "en"]);
    assert_eq!(Locale::ALL.map(|l| l as usize), [0, 1, 2], "a locale's number is its column in every table");
    for locale in Locale::ALL {
        assert_eq!(Locale::parse(locale.as_str()), locale);
    }
}

#[test]
fn reason_overrides_code_and_every_locale_differs() {
    let m = |l| message(ErrorCode::GatewayError, Reason::Busy, l);
    assert_eq!(m(Locale::En), "The system is busy; please try again shortly");
    assert_ne!(m(Locale::ZhCn), m(Locale::ZhHk));
    assert_eq!(message(ErrorCode::Network, Reason::General, Locale::ZhHk), "網絡異常，請檢查網絡後重試");
}

#[test]
fn the_tables_have_every_locale_once_per_key() {
    #[cfg(any(feature = "cashier-desk", feature = "counter-screen"))]
    WIDGETS.check().unwrap();
}

#[test]
fn a_table_missing_a_locale_or_repeating_a_key_fails_its_check() {
    let short = Table::new("# comment\na.b|一|二|one\na.c|一|two\n");
    assert!(short.check().unwrap_err().contains("a.c"));
    let empty = Table::new("a.b|一||one\n");
    assert!(empty.check().unwrap_err().contains("a.b"));
    let twice = Table::new("a.b|一|二|one\na.b|一|二|one\n");
    assert_eq!(twice.check().unwrap_err(), "a.b: twice");
    assert_eq!(short.text("a", "b", Locale::ZhHk), Some("二"));
    assert_eq!(short.text("a", "x", Locale::En), None);
    assert_eq!(short.section("a", Locale::En).collect::<Vec<_>>(), [("b", "one"), ("c", "")]);
}

#[test]
fn every_error_code_and_reason_has_a_message_in_every_locale() {
    let codes = every!(ErrorCode: GatewayError, InvalidPayload, UnsafeRedirect, ProxyError, Network, BridgeUnavailable, Expired, Cancelled, Unsupported,
        InvalidArgument, QrEmptyText, QrTooLong, QrInvalidLevel, QrInvalidColor, QrInvalidOption);
    let reasons = every!(Reason: General, Signature, Credentials, BadRequest, StaleRequest, OrderNotFound, OrderPaid, OrderClosed, DuplicateOrder,
        AuthCodeInvalid, PaymentDeclined, Busy, Upstream, NotEnabled, AmountInvalid, RefundRefused, Unknown);
    for locale in Locale::ALL {
        for code in codes {
            assert!(!message(code, Reason::General, locale).is_empty(), "{code:?} {locale:?}");
        }
        for reason in reasons {
            let text = messages::reason_text(reason).map(|t| t[locale as usize]);
            assert_eq!(text.is_none(), reason == Reason::General, "{reason:?}");
            assert!(!text.unwrap_or("-").is_empty(), "{reason:?} {locale:?}");
        }
    }
    // The tables are indexed by the enums: their first and last rows belong to the first and last variants.
    assert_eq!(messages::code_text(codes[0])[2], "The payment failed");
    assert_eq!(messages::code_text(codes[codes.len() - 1])[2], "Invalid QR option");
    assert_eq!(messages::reason_text(reasons[1]).map(|t| t[2]), Some("The merchant's signature was refused; please contact the merchant"));
    assert_eq!(messages::reason_text(reasons[reasons.len() - 1]).map(|t| t[2]), Some("An unknown payment error occurred; please check the order later"));
    let rows = messages::REASONS + messages::CODES;
    assert_eq!(crate::text::split(messages::MESSAGES, b"|").count(), rows * 3 + 1, "three texts per row, none with a `|`, one `|` after each");
    assert!(messages::MESSAGES.ends_with('|'));
    for texts in [messages::OPEN_IN_BROWSER, messages::CONFIRM_RETURN] {
        assert!(texts.iter().flatten().all(|t| !t.is_empty()));
    }
}
