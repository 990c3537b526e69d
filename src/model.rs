//! The normalised model every gateway maps into: what the page must do next
//! ([`NextAction`]) and where the order stands ([`OrderStatus`]).
//!
//! Money is always an integer in the currency's minor unit (fen / cents).

use crate::i18n::Locale;
use crate::json::{Obj, Value};

/// Generates [`Gateway`] from the registry (`crate::gateway::registry`).
macro_rules! gateway_enum {
    ([] $($variant:ident ($wire:literal, $feature:literal, $module:ident) [$zh_cn:literal, $zh_hk:literal, $en:literal] hosts [$($host:literal),*],)*) => {
        /// The aggregated gateways, one per line of the registry.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Gateway {
            $(#[doc = $en] $variant,)*
        }

        impl Gateway {
            /// Every gateway, in the registry's order.
            pub const ALL: [Gateway; [$($wire),*].len()] = [$(Gateway::$variant),*];

            /// The name used in the JS API and in proxy paths (`/proxy/{name}/...`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Gateway::$variant => $wire,)*
                }
            }

            /// The name shown to people (demo pages, the sandbox's wallet).
            pub fn display_name(self, locale: Locale) -> &'static str {
                let [zh_cn, zh_hk, en] = match self {
                    $(Gateway::$variant => [$zh_cn, $zh_hk, $en],)*
                };
                match locale {
                    Locale::ZhCn => zh_cn,
                    Locale::ZhHk => zh_hk,
                    Locale::En => en,
                }
            }
        }
    };
}

crate::gateway::registry::with_gateways!(gateway_enum);

impl Gateway {
    /// Parses a name from [`Gateway::as_str`].
    pub fn parse(name: &str) -> Option<Gateway> {
        Gateway::ALL.into_iter().find(|g| g.as_str() == name)
    }
}

/// How the payer pays (DESIGN.md's mode table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Render the gateway's QR text; the payer scans it.
    Qr,
    /// WeChat MWEB: navigate to the gateway's H5 page.
    H5,
    /// In-wallet payment: WeChat JSAPI / mini-program, Alipay tradePay.
    Jsapi,
    /// Alipay WAP redirect.
    Wap,
    /// A cashier desk (built-in picker or the gateway's hosted page).
    Cashier,
    /// The clerk scans the payer's code.
    Counter,
    /// Native app payment through a caller-supplied bridge.
    App,
}

impl Mode {
    /// Every mode, in a fixed order.
    pub const ALL: [Mode; 7] = [Mode::Qr, Mode::H5, Mode::Jsapi, Mode::Wap, Mode::Cashier, Mode::Counter, Mode::App];

    /// The name used in the JS API.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Qr => "qr",
            Mode::H5 => "h5",
            Mode::Jsapi => "jsapi",
            Mode::Wap => "wap",
            Mode::Cashier => "cashier",
            Mode::Counter => "counter",
            Mode::App => "app",
        }
    }

    /// Parses a name from [`Mode::as_str`].
    pub fn parse(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// The wallet (payment channel) an order is paid with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// WeChat Pay.
    Wechat,
    /// Alipay.
    Alipay,
    /// UnionPay.
    Unionpay,
    /// Let the gateway decide (mixed QR codes, counter codes recognised by prefix).
    Any,
}

impl Channel {
    /// Every channel, in a fixed order.
    pub const ALL: [Channel; 4] = [Channel::Wechat, Channel::Alipay, Channel::Unionpay, Channel::Any];

    /// The name used in the JS API.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Wechat => "wechat",
            Channel::Alipay => "alipay",
            Channel::Unionpay => "unionpay",
            Channel::Any => "any",
        }
    }

    /// Parses a name from [`Channel::as_str`].
    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// The six strings `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WechatJsapiParams {
    /// The official account's app id.
    pub app_id: String,
    /// Unix seconds, as a string (WeChat requires a string).
    pub time_stamp: String,
    /// A random string.
    pub nonce_str: String,
    /// `prepay_id=…`
    pub package: String,
    /// `MD5`, `HMAC-SHA256`, `RSA` or `SHA1`.
    pub sign_type: String,
    /// The gateway's signature over the other five.
    pub pay_sign: String,
}

/// Which native SDK an app-pay payload is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppProvider {
    /// The WeChat OpenSDK.
    Wechat,
    /// The Alipay SDK.
    Alipay,
}

/// What the page must do next after creating a payment.
#[derive(Clone, Debug, PartialEq)]
pub enum NextAction {
    /// Render `content` as a QR code; it stops working at `expires_at`
    /// (Unix milliseconds) when the gateway says so.
    Qr {
        /// The text to encode.
        content: String,
        /// When the code stops working (Unix ms), if the gateway says.
        expires_at: Option<i64>,
    },
    /// Top-level navigation; the URL has passed the redirect allowlist.
    Redirect {
        /// The allowlisted URL.
        url: String,
    },
    /// Embed the URL in an iframe; it has passed the allowlist.
    Iframe {
        /// The allowlisted URL.
        url: String,
    },
    /// Invoke `getBrandWCPayRequest` (or `wx.requestPayment`) with these.
    WechatJsapi {
        /// The six bridge parameters (boxed: they would make every action six strings wide).
        params: Box<WechatJsapiParams>,
    },
    /// Invoke `AlipayJSBridge.call('tradePay', {tradeNO})`.
    AlipayTradePay {
        /// Alipay's trade number.
        trade_no: String,
    },
    /// Hand a validated payload to the merchant's native bridge.
    App {
        /// Which native SDK.
        provider: AppProvider,
        /// The SDK's payload (object or order string).
        payload: Value,
    },
    /// Nothing to show; wait for the payer (e.g. entering a PIN) and poll.
    Await,
    /// The create call already settled the order.
    Done {
        /// The settled status.
        status: OrderStatus,
    },
}

/// Where an order stands, normalised across gateways.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayState {
    /// Created, not paid yet.
    Pending,
    /// The payer is paying (entering a PIN, confirming).
    Paying,
    /// Paid. Terminal unless later refunded.
    Succeeded,
    /// Payment failed. Terminal.
    Failed,
    /// Closed or expired unpaid. Terminal.
    Closed,
    /// Cancelled, reversed or reverted. Terminal.
    Cancelled,
    /// Paid, then refunded (wholly or partly). Terminal.
    Refunded,
    /// The gateway could not say (busy, "need query", unknown value): poll again.
    Unknown,
}

impl PayState {
    /// Whether polling should stop at this state.
    pub fn is_terminal(self) -> bool {
        !matches!(self, PayState::Pending | PayState::Paying | PayState::Unknown)
    }
}

/// An order's normalised status, with the gateway's own state kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderStatus {
    /// The normalised state.
    pub state: PayState,
    /// The gateway's raw state or code, e.g. `USERPAYING`, `NEED_QUERY`, `201`.
    pub gateway_state: String,
    /// Amount in minor units, when the gateway reported it.
    pub amount: Option<i64>,
    /// The wallet's transaction id, when known.
    pub transaction_id: Option<String>,
}

impl OrderStatus {
    /// A status with only the state and the gateway's raw state.
    pub fn new(state: PayState, gateway_state: impl Into<String>) -> Self {
        OrderStatus { state, gateway_state: gateway_state.into(), amount: None, transaction_id: None }
    }
}

/// A refund's normalised status (read-only, for display).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundState {
    /// The refund is in progress.
    Processing,
    /// The money went back.
    Succeeded,
    /// The refund failed or was closed.
    Failed,
    /// The gateway gave a state we do not know.
    Unknown,
}

/// A refund as a gateway reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundStatus {
    /// The normalised state.
    pub state: RefundState,
    /// The gateway's raw refund state.
    pub gateway_state: String,
    /// Amount refunded, in minor units.
    pub amount: Option<i64>,
    /// The gateway's refund id.
    pub refund_id: Option<String>,
    /// The merchant's refund number, when the gateway echoes it.
    pub refund_no: Option<String>,
}

/// Conversion to the JS-shaped JSON the facade hands to pages (camelCase
/// keys, optional fields left out). Written by hand: serde and
/// serde-wasm-bindgen would cost several KB of wasm for four small types.
pub trait ToJson {
    /// The JS-shaped value.
    fn to_json_value(&self) -> Value;
}

fn push_opt(members: &mut Vec<(String, Value)>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        members.push((key.to_owned(), v));
    }
}

/// The model's shapes as JSON object text ([`Obj`]): what the checkout flow
/// hands the page, and (read back) what the low-level API returns.
impl Obj {
    /// An [`OrderStatus`]'s members as the JS API's `OrderStatus`.
    pub(crate) fn status(&mut self, s: &OrderStatus) -> &mut Obj {
        self.text("state", s.state.as_str()).text("gatewayState", &s.gateway_state);
        if let Some(a) = s.amount {
            self.num("amount", a);
        }
        if let Some(t) = &s.transaction_id {
            self.text("transactionId", t);
        }
        self
    }

    /// A [`NextAction`] as the JS API's `NextAction`.
    pub(crate) fn action(a: &NextAction) -> Obj {
        let mut o = Obj::new();
        // `kind` written once, before the variant's own members.
        let kind = match a {
            NextAction::Qr { .. } => "qr",
            NextAction::Redirect { .. } => "redirect",
            NextAction::Iframe { .. } => "iframe",
            NextAction::WechatJsapi { .. } => "wechatJsapi",
            NextAction::AlipayTradePay { .. } => "alipayTradePay",
            NextAction::App { .. } => "app",
            NextAction::Await => "await",
            NextAction::Done { .. } => "done",
        };
        o.text("kind", kind);
        match a {
            NextAction::Qr { content, expires_at } => {
                o.text("content", content);
                if let Some(t) = expires_at {
                    o.num("expiresAt", *t);
                }
            }
            NextAction::Redirect { url } | NextAction::Iframe { url } => {
                o.text("url", url);
            }
            NextAction::WechatJsapi { params } => {
                o.obj("params", Obj::jsapi(params, false));
            }
            NextAction::AlipayTradePay { trade_no } => {
                o.text("tradeNo", trade_no);
            }
            NextAction::App { provider, payload } => {
                let provider = match provider {
                    AppProvider::Wechat => "wechat",
                    AppProvider::Alipay => "alipay",
                };
                o.text("provider", provider).value("payload", payload);
            }
            NextAction::Await => {}
            NextAction::Done { status } => {
                let mut s = Obj::new();
                s.status(status);
                o.obj("status", s);
            }
        }
        o
    }

    /// WeChat's JSAPI pay params; for the JS-SDK's `chooseWXPay` (`sdk`)
    /// with `timestamp` lower-cased and no `appId`.
    pub(crate) fn jsapi(p: &WechatJsapiParams, sdk: bool) -> Obj {
        let mut o = Obj::new();
        if !sdk {
            o.text("appId", &p.app_id);
        }
        o.text(if sdk { "timestamp" } else { "timeStamp" }, &p.time_stamp).text("nonceStr", &p.nonce_str).text("package", &p.package);
        o.text("signType", &p.sign_type).text("paySign", &p.pay_sign);
        o
    }
}

/// The `Value` of a type written once as the JSON text the checkout flow
/// hands the page ([`Obj`]), read back for the low-level API.
fn read_back(text: String) -> Value {
    crate::json::parse(&text).unwrap_or(Value::Null)
}

impl ToJson for WechatJsapiParams {
    fn to_json_value(&self) -> Value {
        read_back(Obj::jsapi(self, false).end())
    }
}

impl ToJson for OrderStatus {
    fn to_json_value(&self) -> Value {
        let mut o = Obj::new();
        o.status(self);
        read_back(o.end())
    }
}

impl ToJson for RefundStatus {
    fn to_json_value(&self) -> Value {
        let mut m = vec![("state".to_owned(), Value::str(self.state.as_str())), ("gatewayState".to_owned(), Value::str(&self.gateway_state))];
        push_opt(&mut m, "amount", self.amount.map(Value::int_value));
        push_opt(&mut m, "refundId", self.refund_id.as_deref().map(Value::str));
        push_opt(&mut m, "refundNo", self.refund_no.as_deref().map(Value::str));
        Value::Object(m)
    }
}

impl ToJson for NextAction {
    fn to_json_value(&self) -> Value {
        read_back(Obj::action(self).end())
    }
}

impl PayState {
    /// The name used in the JS API.
    pub fn as_str(self) -> &'static str {
        match self {
            PayState::Pending => "pending",
            PayState::Paying => "paying",
            PayState::Succeeded => "succeeded",
            PayState::Failed => "failed",
            PayState::Closed => "closed",
            PayState::Cancelled => "cancelled",
            PayState::Refunded => "refunded",
            PayState::Unknown => "unknown",
        }
    }
}

impl RefundState {
    /// The name used in the JS API.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundState::Processing => "processing",
            RefundState::Succeeded => "succeeded",
            RefundState::Failed => "failed",
            RefundState::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_have_the_js_shape() {
        let done = NextAction::Done { status: OrderStatus { amount: Some(10), ..OrderStatus::new(PayState::Succeeded, "SUCCESS") } };
        assert_eq!(done.to_json_value().to_json(), r#"{"kind":"done","status":{"state":"succeeded","gatewayState":"SUCCESS","amount":10}}"#);
        let qr = NextAction::Qr { content: "weixin://x".into(), expires_at: None };
        assert_eq!(qr.to_json_value().to_json(), r#"{"kind":"qr","content":"weixin://x"}"#);
        let pay = NextAction::AlipayTradePay { trade_no: "2017".into() };
        assert_eq!(pay.to_json_value().to_json(), r#"{"kind":"alipayTradePay","tradeNo":"2017"}"#);
        let refund = RefundStatus { state: RefundState::Processing, gateway_state: "PROCESSING".into(), amount: None, refund_id: Some("r1".into()), refund_no: None };
        assert_eq!(refund.to_json_value().to_json(), r#"{"state":"processing","gatewayState":"PROCESSING","refundId":"r1"}"#);
    }
}
