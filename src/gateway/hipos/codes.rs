//! HiPOS `code` values: the seed's table (000 L47-L113, digest B5) plus the
//! few this crate defines for the O2O interfaces the seed only names
//! (L119-L132): 6020-6024 for parameters, orders and device codes, 6030-6032
//! for the merchant's refusal of an application-side call that is not
//! HiPOS's (see `app`).

use crate::error::{PayError, Reason};
use crate::model::Gateway;

/// A HiPOS `code` from a `*_response` wrapper.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HiPosCode {
    /// 0: success.
    Ok,
    /// 6001 (seed): invalid application, check the hostname. The sandbox also
    /// answers it for a missing or wrong token (our choice).
    InvalidApp,
    /// 6002 (seed): the service contract has expired.
    ContractExpired,
    /// 6011 (seed): the merchant does not exist.
    MerchantNotFound,
    /// 6012 (seed): the submitted merchant data is invalid.
    MerchantDataInvalid,
    /// 6020 (ours): a parameter is missing or malformed.
    ParamInvalid,
    /// 6021 (ours): no such O2O order.
    OrderNotFound,
    /// 6022 (ours): the order's state does not allow it (e.g. confirming the
    /// pickup of an unpaid or refunded order).
    OrderStateConflict,
    /// 6023 (ours): the POS took another amount than the order's.
    AmountMismatch,
    /// 6024 (ours): no such device authorisation code, or it has expired or
    /// was used.
    DeviceCodeInvalid,
    /// 6030 (ours): an application-side call without HiPOS's signature.
    Unsigned,
    /// 6031 (ours): an application-side call signed too long ago (or ahead):
    /// a replay or a wrong clock.
    StaleRequest,
    /// 6032 (ours): an application-side call whose signature is not the
    /// merchant's current token's.
    BadSignature,
    /// Any other value, as received.
    Unknown(String),
}

/// Every known code with its number. The messages are in [`MESSAGES`], same
/// order, only where the sandbox needs them: the browser never shows them.
const TABLE: [(HiPosCode, i64); 13] = [
    (HiPosCode::Ok, 0),
    (HiPosCode::InvalidApp, 6001),
    (HiPosCode::ContractExpired, 6002),
    (HiPosCode::MerchantNotFound, 6011),
    (HiPosCode::MerchantDataInvalid, 6012),
    (HiPosCode::ParamInvalid, 6020),
    (HiPosCode::OrderNotFound, 6021),
    (HiPosCode::OrderStateConflict, 6022),
    (HiPosCode::AmountMismatch, 6023),
    (HiPosCode::DeviceCodeInvalid, 6024),
    (HiPosCode::Unsigned, 6030),
    (HiPosCode::StaleRequest, 6031),
    (HiPosCode::BadSignature, 6032),
];

/// The message of each [`TABLE`] entry (the seed's text where the seed has
/// one), in the same order.
#[cfg(feature = "signing")]
const MESSAGES: [&str; TABLE.len()] = [
    "OK",
    "无效的应用，请检查域名（主机名）是否正确。",
    "服务合约已经到期，请尽快续约以免影响您的正常业务。",
    "该商户不存在，请检查商户号是否正确。",
    "提交的商户资料不合法，请确认资料填写正确。",
    "请求参数缺失或不合法。",
    "订单不存在，请检查订单号是否正确。",
    "订单当前状态不允许此操作。",
    "收款金额与订单金额不符。",
    "设备授权码无效、已过期或已使用。",
    "请求未签名。",
    "请求已过期，请检查时钟后重试。",
    "签名无效。",
];

impl HiPosCode {
    /// Reads a raw `code` (`6001`, `"6001"`); other text becomes
    /// [`HiPosCode::Unknown`].
    pub fn parse(raw: &str) -> HiPosCode {
        let raw = crate::text::trim(raw);
        crate::text::parse_i64(raw).and_then(|n| TABLE.iter().find(|(_, v)| *v == n)).map_or_else(|| HiPosCode::Unknown(raw.to_owned()), |(c, _)| c.clone())
    }

    /// The code as HiPOS sends it (the raw text for unknown codes).
    pub fn code(&self) -> String {
        match self {
            HiPosCode::Unknown(raw) => raw.clone(),
            known => TABLE.iter().find(|(c, _)| c == known).map_or_else(String::new, |(_, n)| crate::text::decimal(*n)),
        }
    }

    /// The message the sandbox sends with this code.
    #[cfg(feature = "signing")]
    pub fn message(&self) -> &'static str {
        TABLE.iter().position(|(c, _)| c == self).map_or("未知错误。", |i| MESSAGES[i])
    }

    /// The shared reason the page's message is chosen by.
    pub fn reason(&self) -> Reason {
        match self {
            HiPosCode::Ok => Reason::General,
            HiPosCode::InvalidApp | HiPosCode::ContractExpired | HiPosCode::MerchantNotFound => Reason::Credentials,
            HiPosCode::MerchantDataInvalid | HiPosCode::ParamInvalid => Reason::BadRequest,
            HiPosCode::OrderNotFound => Reason::OrderNotFound,
            HiPosCode::OrderStateConflict | HiPosCode::AmountMismatch => Reason::OrderClosed,
            HiPosCode::DeviceCodeInvalid => Reason::BadRequest,
            HiPosCode::Unsigned | HiPosCode::StaleRequest | HiPosCode::BadSignature => Reason::Signature,
            HiPosCode::Unknown(_) => Reason::Unknown,
        }
    }

    /// The error for this code, keeping HiPOS's code and `msg`.
    pub fn to_error(&self, message: Option<&str>) -> PayError {
        PayError::gateway(Gateway::HiPos, self.code(), self.reason(), message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for (code, n) in TABLE {
            assert_eq!(HiPosCode::parse(&n.to_string()), code);
            assert_eq!(code.code(), n.to_string());
        }
        assert_eq!(HiPosCode::parse(" 6002 "), HiPosCode::ContractExpired);
        assert_eq!(HiPosCode::parse("7000"), HiPosCode::Unknown("7000".into()));
        assert_eq!(HiPosCode::parse("abc").code(), "abc");
        assert_eq!(HiPosCode::parse("7000").reason(), Reason::Unknown);
        #[cfg(feature = "signing")]
        assert_eq!(HiPosCode::InvalidApp.message(), "无效的应用，请检查域名（主机名）是否正确。");
        let e = HiPosCode::ContractExpired.to_error(Some("到期"));
        assert_eq!((e.gateway_code.as_deref(), e.reason), (Some("6002"), Reason::Credentials));
    }
}
