//! Payer-facing texts of the checkout flow, from the client-message table
//! ([`crate::i18n::MESSAGES`], `checkout.` rows). Gateway text never
//! appears here.

use crate::i18n::{Locale, MESSAGES};

/// The three rows of `section`, in table order.
fn texts(section: &str, locale: Locale) -> [&'static str; 3] {
    let mut rows = MESSAGES.section(section, locale).map(|(_, text)| text);
    [(); 3].map(|()| rows.next().unwrap_or(""))
}

/// The "open in browser" guide shown inside WeChat, where other wallets'
/// pages (Alipay, UnionPay) are blocked: title, instruction, close-button label.
pub(crate) fn open_in_browser(locale: Locale) -> [&'static str; 3] {
    texts("checkout.browser", locale)
}

/// The question asked when the payer comes back from a wallet page:
/// question, "I have paid" label, "I had a problem" label.
pub(crate) fn confirm_return(locale: Locale) -> [&'static str; 3] {
    texts("checkout.return", locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_in_every_locale() {
        for locale in Locale::ALL {
            for t in [open_in_browser(locale), confirm_return(locale)] {
                assert!(t.iter().all(|s| !s.is_empty()), "{locale:?}");
            }
        }
        assert_eq!(confirm_return(Locale::ZhHk), ["請確認付款是否已完成", "已完成付款", "付款遇到問題"]);
        assert_eq!(open_in_browser(Locale::En)[0], "Open in your browser");
        assert!(open_in_browser(Locale::En)[1].contains("Tap \u{201c}\u{b7}\u{b7}\u{b7}\u{201d} at the top right"));
    }
}
