//! Payer-facing texts of the checkout flow, from the client-message table
//! ([`crate::i18n::messages`]). Gateway text never appears here.

use crate::i18n::messages::{CONFIRM_RETURN, OPEN_IN_BROWSER};
use crate::i18n::Locale;

/// The "open in browser" guide shown inside WeChat, where other wallets'
/// pages (Alipay, UnionPay) are blocked: title, instruction, close-button label.
pub(crate) fn open_in_browser(locale: Locale) -> [&'static str; 3] {
    OPEN_IN_BROWSER[locale as usize]
}

/// The question asked when the payer comes back from a wallet page:
/// question, "I have paid" label, "I had a problem" label.
pub(crate) fn confirm_return(locale: Locale) -> [&'static str; 3] {
    CONFIRM_RETURN[locale as usize]
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
