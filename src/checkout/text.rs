//! Payer-facing texts of the checkout flow (the error messages live in
//! [`crate::i18n`]). Gateway text never appears here.

use crate::i18n::Locale;

fn pick<const N: usize>(t: [[&'static str; N]; 3], locale: Locale) -> [&'static str; N] {
    match locale {
        Locale::ZhCn => t[0],
        Locale::ZhHk => t[1],
        Locale::En => t[2],
    }
}

/// The "open in browser" guide shown inside WeChat, where other wallets'
/// pages (Alipay, UnionPay) are blocked: title, instruction, close-button label.
pub fn open_in_browser(locale: Locale) -> [&'static str; 3] {
    pick(
        [
            ["请在浏览器中打开", "微信内无法打开此付款页面（如支付宝、云闪付）。请点击右上角「···」，选择「在浏览器打开」，在浏览器中完成付款。", "知道了"],
            ["請在瀏覽器中開啟", "微信內無法開啟此付款頁面（如支付寶、雲閃付）。請點擊右上角「···」，選擇「在瀏覽器開啟」，在瀏覽器中完成付款。", "知道了"],
            [
                "Open in your browser",
                "WeChat cannot open this payment page (Alipay, UnionPay). Tap \u{201c}\u{b7}\u{b7}\u{b7}\u{201d} at the top right, choose \u{201c}Open in Browser\u{201d} and pay there.",
                "OK",
            ],
        ],
        locale,
    )
}

/// The question asked when the payer comes back from a wallet page:
/// question, "I have paid" label, "I had a problem" label.
pub fn confirm_return(locale: Locale) -> [&'static str; 3] {
    pick(
        [
            ["请确认支付是否已完成", "已完成支付", "支付遇到问题"],
            ["請確認付款是否已完成", "已完成付款", "付款遇到問題"],
            ["Did you complete the payment?", "I have paid", "I had a problem"],
        ],
        locale,
    )
}
