//! Typed errors with a stable code for JS and a message in the payer's locale.

use crate::i18n::Locale;
use crate::model::Gateway;

/// Whether developer details ([`PayErrorInfo::detail`]) are kept: always in
/// native builds (the proxy's logs, the tests), in the browser build only
/// with the `diagnostics` feature. Without it an error still carries its
/// code, reason, gateway code and message; only the English detail is left
/// out, and with it the text of every detail from the wasm.
pub const DIAGNOSTICS: bool = cfg!(any(feature = "diagnostics", not(target_arch = "wasm32")));

/// `format!` for a [`PayError`] detail: the text is built only when
/// [`DIAGNOSTICS`] is on (otherwise an empty `String`, never allocated, and
/// the pieces and formatting code drop out of the wasm). In scope crate-wide.
macro_rules! detail {
    ($($arg:tt)*) => {
        if $crate::error::DIAGNOSTICS {
            format!($($arg)*)
        } else {
            String::new()
        }
    };
}

/// The stable `code` a JS `Error` carries (DESIGN.md's list, plus QR input errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The gateway refused or failed the request; `gateway_code` says why.
    GatewayError,
    /// A payload is malformed or misses a field safety needs.
    InvalidPayload,
    /// A redirect or iframe URL failed the allowlist.
    UnsafeRedirect,
    /// The signing proxy refused or failed.
    ProxyError,
    /// The network failed.
    Network,
    /// The wallet bridge (WeixinJSBridge, AlipayJSBridge…) is not available.
    BridgeUnavailable,
    /// The order or code expired.
    Expired,
    /// The payer or the page cancelled.
    Cancelled,
    /// The gateway does not offer this mode or operation (or it was left out of the build).
    Unsupported,
    /// A caller-supplied argument is invalid.
    InvalidArgument,
    /// QR: the text is empty.
    QrEmptyText,
    /// QR: the text does not fit any QR version at the chosen level.
    QrTooLong,
    /// QR: the error-correction level is not one of L, M, Q, H.
    QrInvalidLevel,
    /// QR: a colour is not `#rgb`, `#rrggbb` or `#rrggbbaa`.
    QrInvalidColor,
    /// QR: a size, margin or pixel ratio is out of range.
    QrInvalidOption,
}

impl ErrorCode {
    /// The snake_case code seen from JS.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::GatewayError => "gateway_error",
            ErrorCode::InvalidPayload => "invalid_payload",
            ErrorCode::UnsafeRedirect => "unsafe_redirect",
            ErrorCode::ProxyError => "proxy_error",
            ErrorCode::Network => "network",
            ErrorCode::BridgeUnavailable => "bridge_unavailable",
            ErrorCode::Expired => "expired",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::QrEmptyText => "qr_empty_text",
            ErrorCode::QrTooLong => "qr_too_long",
            ErrorCode::QrInvalidLevel => "qr_invalid_level",
            ErrorCode::QrInvalidColor => "qr_invalid_color",
            ErrorCode::QrInvalidOption => "qr_invalid_option",
        }
    }
}

/// What a gateway's error code means, shared across gateways so messages
/// are written once. Each gateway maps its own code table onto these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// No finer reason: the message follows the [`ErrorCode`].
    General,
    /// The request signature (or token) was refused.
    Signature,
    /// Merchant credentials or configuration are wrong, or the contract expired.
    Credentials,
    /// A parameter is missing or malformed (an integration bug).
    BadRequest,
    /// The request timestamp was too old.
    StaleRequest,
    /// The order does not exist.
    OrderNotFound,
    /// The order is already paid.
    OrderPaid,
    /// The order is closed, expired or reversed.
    OrderClosed,
    /// The order number was used before.
    DuplicateOrder,
    /// The payer's code is invalid, expired or already used.
    AuthCodeInvalid,
    /// The payer's balance is insufficient or the card was declined.
    PaymentDeclined,
    /// The gateway is busy; try again.
    Busy,
    /// The gateway's upstream (the wallet) failed or timed out.
    Upstream,
    /// The feature is not enabled for this merchant.
    NotEnabled,
    /// The amount is invalid or over a limit.
    AmountInvalid,
    /// Refund-side refusals (deadline, balance, duplicate refund).
    RefundRefused,
    /// An error the gateway did not classify.
    Unknown,
}

/// An error from parsing, validating or talking to a gateway. One pointer
/// wide: its fields ([`PayErrorInfo`]) live on the heap, so every
/// `Result<T, PayError>` is no larger than `T` plus a tag, and the happy path
/// never copies four `Option<String>`s around.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayError(Box<PayErrorInfo>);

/// What a [`PayError`] says (read through the error, e.g. `err.code`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayErrorInfo {
    /// The stable code seen from JS.
    pub code: ErrorCode,
    /// What the failure means, for the payer-facing message.
    pub reason: Reason,
    /// The gateway that refused, when one did.
    pub gateway: Option<Gateway>,
    /// The gateway's own code, e.g. `4004`, `SYSTEMERROR`, `6001`.
    pub gateway_code: Option<String>,
    /// The gateway's own message, kept for logs (never inserted as HTML).
    pub gateway_message: Option<String>,
    /// A developer-facing detail in English, e.g. which field was missing.
    pub detail: Option<String>,
}

impl PayError {
    /// An error with a code and no further detail.
    // Error paths are cold: kept out of line so every `?` and `ok_or_else`
    // in the gateways calls one function instead of inlining the struct.
    #[cold]
    #[inline(never)]
    pub fn new(code: ErrorCode) -> Self {
        PayError(Box::new(PayErrorInfo { code, reason: Reason::General, gateway: None, gateway_code: None, gateway_message: None, detail: None }))
    }

    /// An invalid payload, with a developer-facing detail.
    // Inlined so that without `DIAGNOSTICS` the detail's text is dead code.
    #[inline(always)]
    pub fn invalid_payload(detail: impl Into<String>) -> Self {
        PayError::new(ErrorCode::InvalidPayload).with_detail(detail)
    }

    /// An invalid argument, with a developer-facing detail.
    #[inline(always)]
    pub fn invalid_argument(detail: impl Into<String>) -> Self {
        PayError::new(ErrorCode::InvalidArgument).with_detail(detail)
    }

    /// A gateway refusal with the gateway's own code and message.
    pub fn gateway(gateway: Gateway, code: impl Into<String>, reason: Reason, message: Option<&str>) -> Self {
        PayError::gateway_refusal(gateway, code.into(), reason, message)
    }

    #[cold]
    #[inline(never)]
    fn gateway_refusal(gateway: Gateway, code: String, reason: Reason, message: Option<&str>) -> Self {
        PayError(Box::new(PayErrorInfo {
            code: ErrorCode::GatewayError,
            reason,
            gateway: Some(gateway),
            gateway_code: Some(code),
            gateway_message: message.filter(|m| !m.is_empty()).map(str::to_owned),
            detail: None,
        }))
    }

    /// Adds a developer-facing detail (kept only with [`DIAGNOSTICS`]; build
    /// a formatted one with `detail!`, so its text drops out too).
    #[inline(always)]
    pub fn with_detail(self, detail: impl Into<String>) -> Self {
        if DIAGNOSTICS {
            self.set_detail(detail.into())
        } else {
            self
        }
    }

    #[inline(never)]
    fn set_detail(mut self, detail: String) -> Self {
        self.detail = Some(detail);
        self
    }

    /// The same error with another `reason` (which payer-facing message it gets).
    pub fn with_reason(mut self, reason: Reason) -> Self {
        self.reason = reason;
        self
    }

    /// The payer-facing message in `locale`.
    pub fn message(&self, locale: Locale) -> &'static str {
        crate::i18n::message(self.code, self.reason, locale)
    }
}

impl std::ops::Deref for PayError {
    type Target = PayErrorInfo;

    fn deref(&self) -> &PayErrorInfo {
        &self.0
    }
}

impl std::ops::DerefMut for PayError {
    fn deref_mut(&mut self) -> &mut PayErrorInfo {
        &mut self.0
    }
}

impl std::fmt::Display for PayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message(Locale::En))?;
        if let Some(code) = &self.gateway_code {
            write!(f, " [{code}]")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl std::error::Error for PayError {}

impl From<crate::json::JsonError> for PayError {
    fn from(e: crate::json::JsonError) -> Self {
        match e {
            crate::json::JsonError::Empty => PayError::invalid_payload("empty body"),
            crate::json::JsonError::TooLarge => PayError::invalid_payload("body too large"),
            crate::json::JsonError::TooDeep => PayError::invalid_payload("JSON nested too deeply"),
            crate::json::JsonError::Syntax(at) => PayError::invalid_payload(detail!("not JSON (byte {at})")),
        }
    }
}
