//! BeeCloud's `result_code` table (seed 003 L79-L89, refund-only codes
//! L284-L291) and how each code reads to the page.

use crate::error::{PayError, Reason};
use crate::model::Gateway;

/// A BeeCloud `result_code`. The integer is what to branch on; `result_msg`
/// and `err_detail` are only kept for logs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BeeCloudCode {
    /// 0 `OK`: 调用成功.
    Ok,
    /// 1 `APP_INVALID`: no app for `app_id`, or a wrong `app_sign`.
    AppInvalid,
    /// 2 `PAY_FACTOR_NOT_SET`: payment parameters not configured in the console.
    PayFactorNotSet,
    /// 3 `CHANNEL_INVALID`: the `channel` is not valid.
    ChannelInvalid,
    /// 4 `MISS_PARAM`: a required parameter is missing.
    MissParam,
    /// 5 `PARAM_INVALID`: a parameter is invalid.
    ParamInvalid,
    /// 6 `CERT_FILE_ERROR`: certificate error.
    CertFileError,
    /// 7 `CHANNEL_ERROR`: the wallet failed internally (outcome unknown).
    ChannelError,
    /// 8 `NO_SUCH_BILL` (refund): no such bill.
    NoSuchBill,
    /// 9 `BILL_UNSUCCESS` (refund): the bill was not paid.
    BillUnsuccess,
    /// 10 `REFUND_EXCEED_TIME` (refund): the refund window has passed.
    RefundExceedTime,
    /// 11 `ALREADY_REFUNDING` (refund): a refund is already in progress.
    AlreadyRefunding,
    /// 12 `REFUND_AMOUNT_TOO_LARGE` (refund): more than the refundable amount.
    RefundAmountTooLarge,
    /// 13 `NO_SUCH_REFUND` (refund): no such refund record.
    NoSuchRefund,
    /// 14 `RUNTIME_ERROR`: a runtime error at BeeCloud (outcome unknown).
    RuntimeError,
    /// Any other value, as received.
    Unknown(String),
}

/// Every known code with its number and `result_msg`.
const TABLE: [(BeeCloudCode, i64, &str); 15] = [
    (BeeCloudCode::Ok, 0, "OK"),
    (BeeCloudCode::AppInvalid, 1, "APP_INVALID"),
    (BeeCloudCode::PayFactorNotSet, 2, "PAY_FACTOR_NOT_SET"),
    (BeeCloudCode::ChannelInvalid, 3, "CHANNEL_INVALID"),
    (BeeCloudCode::MissParam, 4, "MISS_PARAM"),
    (BeeCloudCode::ParamInvalid, 5, "PARAM_INVALID"),
    (BeeCloudCode::CertFileError, 6, "CERT_FILE_ERROR"),
    (BeeCloudCode::ChannelError, 7, "CHANNEL_ERROR"),
    (BeeCloudCode::NoSuchBill, 8, "NO_SUCH_BILL"),
    (BeeCloudCode::BillUnsuccess, 9, "BILL_UNSUCCESS"),
    (BeeCloudCode::RefundExceedTime, 10, "REFUND_EXCEED_TIME"),
    (BeeCloudCode::AlreadyRefunding, 11, "ALREADY_REFUNDING"),
    (BeeCloudCode::RefundAmountTooLarge, 12, "REFUND_AMOUNT_TOO_LARGE"),
    (BeeCloudCode::NoSuchRefund, 13, "NO_SUCH_REFUND"),
    (BeeCloudCode::RuntimeError, 14, "RUNTIME_ERROR"),
];

impl BeeCloudCode {
    /// Reads a raw `result_code` (`0`, `"7"`, ` 14 `); anything that is not
    /// a known integer becomes [`BeeCloudCode::Unknown`] with the raw text.
    pub fn parse(raw: &str) -> BeeCloudCode {
        let raw = crate::text::trim(raw);
        let known = crate::text::parse_i64(raw).and_then(|n| TABLE.iter().find(|(_, v, _)| *v == n));
        known.map_or_else(|| BeeCloudCode::Unknown(raw.to_owned()), |(c, _, _)| c.clone())
    }

    /// The integer as BeeCloud sends it, or the raw text for unknown codes.
    pub fn code(&self) -> String {
        match self {
            BeeCloudCode::Unknown(raw) => raw.clone(),
            known => TABLE.iter().find(|(c, _, _)| c == known).map_or_else(String::new, |(_, n, _)| crate::text::decimal(*n)),
        }
    }

    /// The documented `result_msg` (`APP_INVALID`…); `UNKNOWN` otherwise.
    pub fn name(&self) -> &'static str {
        TABLE.iter().find(|(c, _, _)| c == self).map_or("UNKNOWN", |(_, _, m)| m)
    }

    /// Whether the code leaves the payment's outcome open (the wallet or
    /// BeeCloud failed mid-way): the page keeps polling instead of failing.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, BeeCloudCode::ChannelError | BeeCloudCode::RuntimeError)
    }

    /// The shared reason the page's message is chosen by.
    pub fn reason(&self) -> Reason {
        match self {
            BeeCloudCode::Ok => Reason::General,
            BeeCloudCode::AppInvalid | BeeCloudCode::CertFileError => Reason::Credentials,
            BeeCloudCode::PayFactorNotSet => Reason::NotEnabled,
            BeeCloudCode::ChannelInvalid | BeeCloudCode::MissParam | BeeCloudCode::ParamInvalid => Reason::BadRequest,
            BeeCloudCode::ChannelError => Reason::Upstream,
            BeeCloudCode::RuntimeError => Reason::Busy,
            BeeCloudCode::NoSuchBill => Reason::OrderNotFound,
            BeeCloudCode::BillUnsuccess | BeeCloudCode::RefundExceedTime | BeeCloudCode::AlreadyRefunding | BeeCloudCode::RefundAmountTooLarge | BeeCloudCode::NoSuchRefund => {
                Reason::RefundRefused
            }
            BeeCloudCode::Unknown(_) => Reason::Unknown,
        }
    }

    /// The error for this code, keeping BeeCloud's code and `err_detail`
    /// (or `result_msg` when there is no detail).
    pub fn to_error(&self, message: Option<&str>) -> PayError {
        PayError::gateway(Gateway::BeeCloud, self.code(), self.reason(), message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_round_trips() {
        for (code, n, name) in TABLE {
            assert_eq!(BeeCloudCode::parse(&n.to_string()), code);
            assert_eq!(code.code(), n.to_string());
            assert_eq!(code.name(), name);
        }
        assert_eq!(BeeCloudCode::parse(" 7 "), BeeCloudCode::ChannelError);
    }

    #[test]
    fn unknown_codes_keep_their_text() {
        assert_eq!(BeeCloudCode::parse("99"), BeeCloudCode::Unknown("99".into()));
        assert_eq!(BeeCloudCode::parse("x"), BeeCloudCode::Unknown("x".into()));
        assert_eq!(BeeCloudCode::parse("99999999999999999999999").code(), "99999999999999999999999");
        assert_eq!(BeeCloudCode::parse("99").reason(), Reason::Unknown);
        assert_eq!(BeeCloudCode::parse("99").name(), "UNKNOWN");
    }

    #[test]
    fn transient_codes_keep_polling() {
        assert!(BeeCloudCode::ChannelError.outcome_unknown());
        assert!(BeeCloudCode::RuntimeError.outcome_unknown());
        assert!(!BeeCloudCode::AppInvalid.outcome_unknown());
        let e = BeeCloudCode::AppInvalid.to_error(Some("app_sign 不正确"));
        assert_eq!(e.gateway_code.as_deref(), Some("1"));
        assert_eq!(e.reason, Reason::Credentials);
        assert_eq!(e.gateway_message.as_deref(), Some("app_sign 不正确"));
    }
}
