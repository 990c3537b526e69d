//! ChaoYing's enumerations (seed L325-L448, digest §4.6): the call `state`,
//! the `trade_state` and the `code` table, each with an `Unknown` variant so
//! an unexpected value never panics.

use crate::error::Reason;
use crate::model::PayState;
use crate::text::position;

/// `state` (通讯状态): whether the call itself went through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CallState<'a> {
    /// `SUCCESS`.
    Success,
    /// `FAIL`: the call failed; `code` says why.
    Fail,
    /// `VER` (版本过低): the caller's `version` is too low.
    Ver,
    /// Any other value, as written.
    Unknown(&'a str),
}

impl<'a> CallState<'a> {
    /// Reads the raw `state`.
    pub(super) fn parse(raw: &'a str) -> Self {
        match position("SUCCESS FAIL VER", b' ', raw) {
            Some(0) => CallState::Success,
            Some(1) => CallState::Fail,
            Some(2) => CallState::Ver,
            _ => CallState::Unknown(raw),
        }
    }
}

/// `trade_state` (交易状态): the business result of the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TradeState<'a> {
    /// `SUCCESS`.
    Success,
    /// `FAIL`.
    Fail,
    /// `PROCESSING` (处理中): the payer is still paying.
    Processing,
    /// `NEED_QUERY` (需要查询): the outcome is unknown; query again.
    NeedQuery,
    /// `REFUND` (转入退款).
    Refund,
    /// Any other value, as written.
    Unknown(&'a str),
}

impl<'a> TradeState<'a> {
    /// Reads the raw `trade_state`.
    pub(super) fn parse(raw: &'a str) -> Self {
        match position("SUCCESS FAIL PROCESSING NEED_QUERY REFUND", b' ', raw) {
            Some(0) => TradeState::Success,
            Some(1) => TradeState::Fail,
            Some(2) => TradeState::Processing,
            Some(3) => TradeState::NeedQuery,
            Some(4) => TradeState::Refund,
            _ => TradeState::Unknown(raw),
        }
    }
}

/// The codes of the table, in the order of [`ChaoYingCode`]'s variants.
const CODES: &str = "10000 10001 10002 10003 10004 10005 10006 20002 20003 20004 20005 20006 20007 20008 20009 20010 20011 20012 20013 30001";

/// `code` (状态码). 1000x are order states; 2xxxx and 30001 are call errors.
/// The variants are in the order of [`CODES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ChaoYingCode<'a> {
    /// 10000 成功.
    Success,
    /// 10001 支付中 (the payer is paying).
    Paying,
    /// 10002 转入退款 (moved to refund). The seed's failure example (L296)
    /// also uses 10002 for 签名错误; see [`ChaoYingCode::reason`].
    Refunded,
    /// 10003 未支付.
    NotPaid,
    /// 10004 已关闭.
    Closed,
    /// 10005 已撤销.
    Revoked,
    /// 10006 支付错误.
    PaymentError,
    /// 20002 签名错误.
    SignatureError,
    /// 20003 响应结果签名错误.
    ResponseSignatureError,
    /// 20004 参数错误.
    InvalidParameter,
    /// 20005 商户错误.
    MerchantError,
    /// 20006 系统错误.
    SystemError,
    /// 20007 订单不存在.
    OrderNotFound,
    /// 20008 退款错误.
    RefundError,
    /// 20009 交易查询错误.
    QueryError,
    /// 20010 退款查询错误.
    RefundQueryError,
    /// 20011 交易撤销错误.
    CancelError,
    /// 20012 代理商错误.
    AgentError,
    /// 20013 商户交易配置错误.
    MerchantConfigError,
    /// 30001 网络异常.
    NetworkError,
    /// A code outside the table, as written (trimmed).
    Unknown(&'a str),
}

impl<'a> ChaoYingCode<'a> {
    /// Reads a raw code (surrounding spaces ignored).
    pub(super) fn parse(raw: &'a str) -> Self {
        use ChaoYingCode::*;
        let raw = crate::text::trim(raw);
        // The position is the variant's index: the compiler maps one onto the other without a table.
        match position(CODES, b' ', raw) {
            Some(0) => Success,
            Some(1) => Paying,
            Some(2) => Refunded,
            Some(3) => NotPaid,
            Some(4) => Closed,
            Some(5) => Revoked,
            Some(6) => PaymentError,
            Some(7) => SignatureError,
            Some(8) => ResponseSignatureError,
            Some(9) => InvalidParameter,
            Some(10) => MerchantError,
            Some(11) => SystemError,
            Some(12) => OrderNotFound,
            Some(13) => RefundError,
            Some(14) => QueryError,
            Some(15) => RefundQueryError,
            Some(16) => CancelError,
            Some(17) => AgentError,
            Some(18) => MerchantConfigError,
            Some(19) => NetworkError,
            _ => Unknown(raw),
        }
    }

    /// The code as ChaoYing writes it.
    pub(super) fn as_str(&self) -> &'a str {
        use ChaoYingCode::*;
        let index = match *self {
            Success => 0,
            Paying => 1,
            Refunded => 2,
            NotPaid => 3,
            Closed => 4,
            Revoked => 5,
            PaymentError => 6,
            SignatureError => 7,
            ResponseSignatureError => 8,
            InvalidParameter => 9,
            MerchantError => 10,
            SystemError => 11,
            OrderNotFound => 12,
            RefundError => 13,
            QueryError => 14,
            RefundQueryError => 15,
            CancelError => 16,
            AgentError => 17,
            MerchantConfigError => 18,
            NetworkError => 19,
            Unknown(raw) => return raw,
        };
        CODES.get(index * 6..index * 6 + 5).unwrap_or_default()
    }

    /// The order state a 1000x code stands for (digest §5); `None` for call
    /// errors and unknown codes.
    pub(super) fn order_state(&self) -> Option<PayState> {
        Some(match self {
            ChaoYingCode::Success => PayState::Succeeded,
            ChaoYingCode::Paying => PayState::Paying,
            ChaoYingCode::Refunded => PayState::Refunded,
            ChaoYingCode::NotPaid => PayState::Pending,
            ChaoYingCode::Closed => PayState::Closed,
            ChaoYingCode::Revoked => PayState::Cancelled,
            ChaoYingCode::PaymentError => PayState::Failed,
            _ => return None,
        })
    }

    /// Whether the failure is transient, so the order's outcome is unknown
    /// and the caller should query again (30001, 20006, 20009).
    pub(super) fn is_transient(&self) -> bool {
        matches!(self, ChaoYingCode::NetworkError | ChaoYingCode::SystemError | ChaoYingCode::QueryError)
    }

    /// The shared reason for this code in a failed answer. `failed_call` is
    /// true under `state=FAIL`, where 10002 is read as the seed's failure
    /// example uses it (签名错误), not as "moved to refund".
    pub(super) fn reason(&self, failed_call: bool) -> Reason {
        match self {
            ChaoYingCode::Refunded if failed_call => Reason::Signature,
            ChaoYingCode::SignatureError | ChaoYingCode::ResponseSignatureError => Reason::Signature,
            ChaoYingCode::InvalidParameter => Reason::BadRequest,
            ChaoYingCode::MerchantError | ChaoYingCode::AgentError => Reason::Credentials,
            ChaoYingCode::MerchantConfigError => Reason::NotEnabled,
            ChaoYingCode::SystemError => Reason::Busy,
            ChaoYingCode::NetworkError | ChaoYingCode::QueryError => Reason::Upstream,
            ChaoYingCode::OrderNotFound => Reason::OrderNotFound,
            ChaoYingCode::RefundError => Reason::RefundRefused,
            ChaoYingCode::Closed | ChaoYingCode::Revoked => Reason::OrderClosed,
            ChaoYingCode::PaymentError => Reason::PaymentDeclined,
            ChaoYingCode::Refunded => Reason::OrderPaid,
            ChaoYingCode::Success | ChaoYingCode::Paying | ChaoYingCode::NotPaid => Reason::General,
            ChaoYingCode::RefundQueryError | ChaoYingCode::CancelError | ChaoYingCode::Unknown(_) => Reason::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_code_round_trips() {
        for raw in [
            "10000", "10001", "10002", "10003", "10004", "10005", "10006", "20002", "20003", "20004", "20005", "20006", "20007", "20008", "20009", "20010", "20011", "20012",
            "20013", "30001",
        ] {
            let code = ChaoYingCode::parse(raw);
            assert!(!matches!(code, ChaoYingCode::Unknown(_)), "{raw}");
            assert_eq!(code.as_str(), raw);
        }
        assert_eq!(ChaoYingCode::parse("20001"), ChaoYingCode::Unknown("20001"));
        assert_eq!(ChaoYingCode::parse(" 10000 "), ChaoYingCode::Success);
    }

    #[test]
    fn both_signature_error_codes_mean_signature() {
        assert_eq!(ChaoYingCode::parse("20002").reason(true), Reason::Signature);
        assert_eq!(ChaoYingCode::parse("10002").reason(true), Reason::Signature, "seed L296 failure example");
        assert_eq!(ChaoYingCode::parse("10002").order_state(), Some(PayState::Refunded));
    }

    #[test]
    fn states_parse_with_unknown_fallback() {
        assert_eq!(CallState::parse("VER"), CallState::Ver);
        assert_eq!(CallState::parse("0"), CallState::Unknown("0"));
        assert_eq!(TradeState::parse("NEED_QUERY"), TradeState::NeedQuery);
        assert_eq!(TradeState::parse("USERPAYING"), TradeState::Unknown("USERPAYING"));
    }
}
