//! Wallet bridges: what their answers mean and how the mini-program
//! hand-off URL is built. A bridge's answer is only a *hint*: the flow
//! confirms it with a status query before it reports anything as paid.

use crate::model::{Gateway, PayState, WechatJsapiParams};

/// Which bridge pays an in-wallet or app payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BridgeKind {
    /// `WeixinJSBridge.invoke('getBrandWCPayRequest')` in WeChat's browser.
    Wechat,
    /// The JS-SDK's `wx.chooseWXPay` (the page configured `wx`).
    WechatSdk,
    /// WeChat's HK wallet: `wx.config` with the proxy's signature, then
    /// `wx.invoke('getH5PrepayRequest')` in `wx.ready` (BlueOcean seed L814–L864).
    WechatHk,
    /// `wx.miniProgram.navigateTo` to the native pay page (mini-program web-view).
    MiniProgram,
    /// `AlipayJSBridge.call('tradePay')` in Alipay.
    Alipay,
    /// The merchant's `appBridge` callback (native app).
    App,
}

impl BridgeKind {
    /// The name the web driver switches on.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BridgeKind::Wechat => "wechat",
            BridgeKind::WechatSdk => "wxsdk",
            BridgeKind::WechatHk => "wxhk",
            BridgeKind::MiniProgram => "mini",
            BridgeKind::Alipay => "alipay",
            BridgeKind::App => "app",
        }
    }

    /// The page global the bridge lives on and the event announcing it
    /// (none for `wx`, which the page loads itself or passes as the config's
    /// `wx`; none for app bridges).
    pub(crate) fn global(self) -> Option<(&'static str, Option<&'static str>)> {
        match self {
            BridgeKind::Wechat => Some(("WeixinJSBridge", Some("WeixinJSBridgeReady"))),
            BridgeKind::WechatSdk | BridgeKind::WechatHk | BridgeKind::MiniProgram => Some(("wx", None)),
            BridgeKind::Alipay => Some(("AlipayJSBridge", Some("AlipayJSBridgeReady"))),
            BridgeKind::App => None,
        }
    }
}

/// What a bridge's answer suggests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hint {
    /// The wallet says paid (`…:ok`, Alipay 9000): confirm with a query.
    Paid,
    /// Maybe paid (Alipay 8000 / 6004 / 6002, an app bridge returning,
    /// anything unrecognised): query and keep polling, never fail.
    Maybe,
    /// The payer cancelled (`…:cancel`, Alipay 6001): one query, then
    /// cancelled unless the gateway says otherwise.
    Cancelled,
    /// The wallet reports failure (`…:fail`, Alipay 4000): one query, then
    /// failed unless the gateway says otherwise.
    Failed,
}

impl Hint {
    /// The state to report when the confirming query finds the order still
    /// open, if the hint alone decides one.
    pub(crate) fn unconfirmed_state(self) -> Option<PayState> {
        match self {
            Hint::Cancelled => Some(PayState::Cancelled),
            Hint::Failed => Some(PayState::Failed),
            Hint::Paid | Hint::Maybe => None,
        }
    }
}

/// Reads a bridge's answer: WeChat `err_msg` / `errMsg`
/// (`get_brand_wcpay_request:ok`, `chooseWXPay:cancel`,
/// `requestPayment:fail …`), an Alipay `resultCode`, or the app bridge's
/// `ok` / `cancel` / `fail`.
pub(crate) fn hint(kind: BridgeKind, result: &str) -> Hint {
    let result = crate::text::trim(result);
    if kind == BridgeKind::Alipay {
        return match result {
            "9000" => Hint::Paid,
            "6001" => Hint::Cancelled,
            "4000" => Hint::Failed,
            _ => Hint::Maybe,
        };
    }
    let tail = crate::text::trim(crate::text::rsplit_once(result, b':').map_or(result, |(_, o)| o)).to_ascii_lowercase();
    if crate::text::contains(&tail, "cancel") {
        Hint::Cancelled
    } else if tail == "ok" {
        if kind == BridgeKind::App {
            Hint::Maybe
        } else {
            Hint::Paid
        }
    } else if tail.starts_with("fail") {
        Hint::Failed
    } else {
        Hint::Maybe
    }
}

/// The URL for `wx.miniProgram.navigateTo`: the native pay page with only
/// the five `wx.requestPayment` fields, the gateway and the order number
/// (nothing secret: `paySign` signs, it is no key).
pub(crate) fn mini_program_url(page: &str, params: &WechatJsapiParams, gateway: Gateway, out_trade_no: &str) -> String {
    let fields = [
        ("timeStamp", params.time_stamp.as_str()),
        ("nonceStr", &params.nonce_str),
        ("package", &params.package),
        ("signType", &params.sign_type),
        ("paySign", &params.pay_sign),
        ("gateway", gateway.as_str()),
        ("outTradeNo", out_trade_no),
    ];
    let mut url = page.to_owned();
    url.push(if crate::text::contains(page, "?") { '&' } else { '?' });
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            url.push('&');
        }
        url.push_str(k);
        url.push('=');
        percent_encode(v, &mut url);
    }
    url
}

/// Appends `text` percent-encoded (RFC 3986 unreserved characters kept).
pub(crate) fn percent_encode(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}
