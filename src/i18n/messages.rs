//! Client messages, what the payer reads from the library: the error
//! messages (by reason, else by code) and the checkout's own texts, each in
//! zh-CN, zh-HK and en. Indexed by the enums rather than keyed data rows: in
//! the core build that costs less wasm than keys and a reader (BENCHMARKS.md,
//! strings).

use crate::error::{ErrorCode, Reason};
use crate::i18n::Locale;

/// The message for an error code and reason in `locale`: the reason's when
/// it has one, else the code's.
pub(super) fn text(code: ErrorCode, reason: Reason, locale: Locale) -> &'static str {
    let row = (reason as usize).checked_sub(1).unwrap_or(REASONS + code as usize);
    crate::text::split(MESSAGES, b"|").nth(row * 3 + locale as usize).unwrap_or("")
}

/// The three texts of a reason; `None` for [`Reason::General`], whose message is its code's.
#[cfg(test)]
pub(super) fn reason_text(reason: Reason) -> Option<[&'static str; 3]> {
    (reason != Reason::General).then(|| Locale::ALL.map(|l| text(ErrorCode::GatewayError, reason, l)))
}

/// The three texts of an error code.
#[cfg(test)]
pub(super) fn code_text(code: ErrorCode) -> [&'static str; 3] {
    Locale::ALL.map(|l| text(code, Reason::General, l))
}

// One string, not an array of `[&str; 3]` rows: a row was six words of
// pointers and lengths as data, here each text costs its one separator and
// the lookup is the `|` splitter every build links anyway (BENCHMARKS.md,
// Size, round 7). Rows are `zh-CN|zh-HK|en|`, first the reasons, then the
// codes, each in its enum's declaration order; the tests name every variant,
// check a row at each end and count the texts.

/// Rows of reasons: [`Reason::Signature`] (row 0) to [`Reason::Unknown`].
pub(super) const REASONS: usize = Reason::Unknown as usize;
/// Rows of codes: [`ErrorCode::GatewayError`] to [`ErrorCode::QrInvalidOption`].
#[cfg(test)]
pub(super) const CODES: usize = ErrorCode::QrInvalidOption as usize + 1;

/// Every reason's row, then every code's row: `zh-CN|zh-HK|en|`.
pub(super) const MESSAGES: &str = concat!(
    // Signature
    "商户签名校验失败，请联系商家|商戶簽名驗證失敗，請聯絡商家|The merchant's signature was refused; please contact the merchant|",
    // Credentials
    "商户配置有误，暂时无法支付|商戶設定有誤，暫時無法付款|The merchant's payment setup is wrong; payment is unavailable|",
    // BadRequest
    "支付请求有误，请联系商家|付款請求有誤，請聯絡商家|The payment request is invalid; please contact the merchant|",
    // StaleRequest
    "请求已过期，请重试|請求已過期，請重試|The request is out of date; please try again|",
    // OrderNotFound
    "订单不存在|訂單不存在|The order does not exist|",
    // OrderPaid
    "订单已支付|訂單已付款|The order is already paid|",
    // OrderClosed
    "订单已关闭|訂單已關閉|The order is closed|",
    // DuplicateOrder
    "订单号重复|訂單號重複|The order number was already used|",
    // AuthCodeInvalid
    "付款码无效或已使用，请刷新付款码|付款碼無效或已使用，請更新付款碼|The payment code is invalid or used; please refresh it|",
    // PaymentDeclined
    "支付被拒绝，请更换支付方式|付款被拒絕，請更換付款方式|The payment was declined; please try another method|",
    // Busy
    "系统繁忙，请稍后再试|系統繁忙，請稍後再試|The system is busy; please try again shortly|",
    // Upstream
    "支付渠道暂时不可用，请稍后再试|付款渠道暫時不可用，請稍後再試|The payment channel is unavailable; please try again later|",
    // NotEnabled
    "商户未开通此支付方式|商戶未開通此付款方式|This payment method is not enabled for the merchant|",
    // AmountInvalid
    "支付金额有误|付款金額有誤|The payment amount is invalid|",
    // RefundRefused
    "退款无法完成|退款無法完成|The refund cannot be completed|",
    // Unknown
    "支付出现未知错误，请稍后查看订单状态|付款出現未知錯誤，請稍後查看訂單狀態|An unknown payment error occurred; please check the order later|",
    // GatewayError
    "支付失败|付款失敗|The payment failed|",
    // InvalidPayload
    "支付数据无效|付款資料無效|The payment data is invalid|",
    // UnsafeRedirect
    "已阻止跳转到不安全的地址|已阻止跳轉到不安全的地址|A redirect to an unsafe address was blocked|",
    // ProxyError
    "商户服务器拒绝了请求|商戶伺服器拒絕了請求|The merchant's server refused the request|",
    // Network
    "网络异常，请检查网络后重试|網絡異常，請檢查網絡後重試|Network error; please check your connection and retry|",
    // BridgeUnavailable
    "请在微信或支付宝中打开此页面|請在微信或支付寶中開啟此頁面|Please open this page in WeChat or Alipay|",
    // Expired
    "订单已过期，请重新下单|訂單已過期，請重新下單|The order has expired; please order again|",
    // Cancelled
    "支付已取消|付款已取消|The payment was cancelled|",
    // Unsupported
    "不支持此支付方式|不支援此付款方式|This payment method is not supported|",
    // InvalidArgument
    "参数无效|參數無效|Invalid argument|",
    // QrEmptyText
    "二维码内容为空|二維碼內容為空|The QR code text is empty|",
    // QrTooLong
    "内容过长，无法生成二维码|內容過長，無法生成二維碼|The text is too long for a QR code|",
    // QrInvalidLevel
    "二维码纠错等级无效（应为 L、M、Q、H）|二維碼糾錯等級無效（應為 L、M、Q、H）|Invalid QR error-correction level (use L, M, Q or H)|",
    // QrInvalidColor
    "二维码颜色格式无效|二維碼顏色格式無效|Invalid QR colour|",
    // QrInvalidOption
    "二维码选项无效|二維碼選項無效|Invalid QR option|",
);

/// The "open in browser" guide shown inside WeChat, where other wallets'
/// pages (Alipay, UnionPay) are blocked: per locale, title, instruction,
/// close-button label.
pub(crate) const OPEN_IN_BROWSER: [[&str; 3]; 3] = [
    ["请在浏览器中打开", "微信内无法打开此付款页面（如支付宝、云闪付）。请点击右上角「···」，选择「在浏览器打开」，在浏览器中完成付款。", "知道了"],
    ["請在瀏覽器中開啟", "微信內無法開啟此付款頁面（如支付寶、雲閃付）。請點擊右上角「···」，選擇「在瀏覽器開啟」，在瀏覽器中完成付款。", "知道了"],
    [
        "Open in your browser",
        "WeChat cannot open this payment page (Alipay, UnionPay). Tap \u{201c}\u{b7}\u{b7}\u{b7}\u{201d} at the top right, choose \u{201c}Open in Browser\u{201d} and pay there.",
        "OK",
    ],
];

/// The question asked when the payer comes back from a wallet page: per
/// locale, question, "I have paid" label, "I had a problem" label.
pub(crate) const CONFIRM_RETURN: [[&str; 3]; 3] = [
    ["请确认支付是否已完成", "已完成支付", "支付遇到问题"],
    ["請確認付款是否已完成", "已完成付款", "付款遇到問題"],
    ["Did you complete the payment?", "I have paid", "I had a problem"],
];
