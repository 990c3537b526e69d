//! ChaoYing's enumerations (seed L325-L448, digest §4.6): the call `state`,
//! the `trade_state` and the `code` table, each with an `Unknown` variant so
//! an unexpected value never panics.

use crate::error::{PayError, Reason};
use crate::model::{Gateway, PayState};

/// `state` (通讯状态): whether the call itself went through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum CallState {
    /// `SUCCESS`.
    Success,
    /// `FAIL`: the call failed; `code` says why.
    Fail,
    /// `VER` (版本过低): the caller's `version` is too low.
    Ver,
    /// Any other value.
    Unknown(String),
}

impl CallState {
    /// Reads the raw `state`.
    pub(super) fn parse(raw: &str) -> CallState {
        match raw {
            "SUCCESS" => CallState::Success,
            "FAIL" => CallState::Fail,
            "VER" => CallState::Ver,
            other => CallState::Unknown(other.to_owned()),
        }
    }
}

/// `trade_state` (交易状态): the business result of the call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum TradeState {
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
    /// Any other value.
    Unknown(String),
}

impl TradeState {
    /// Reads the raw `trade_state`.
    pub(super) fn parse(raw: &str) -> TradeState {
        match raw {
            "SUCCESS" => TradeState::Success,
            "FAIL" => TradeState::Fail,
            "PROCESSING" => TradeState::Processing,
            "NEED_QUERY" => TradeState::NeedQuery,
            "REFUND" => TradeState::Refund,
            other => TradeState::Unknown(other.to_owned()),
        }
    }
}

/// `code` (状态码). 1000x are order states; 2xxxx and 30001 are call errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ChaoYingCode {
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
    /// A code outside the table.
    Unknown(String),
}

impl ChaoYingCode {
    /// Reads a raw code (surrounding spaces ignored).
    pub(super) fn parse(raw: &str) -> ChaoYingCode {
        match raw.trim() {
            "10000" => ChaoYingCode::Success,
            "10001" => ChaoYingCode::Paying,
            "10002" => ChaoYingCode::Refunded,
            "10003" => ChaoYingCode::NotPaid,
            "10004" => ChaoYingCode::Closed,
            "10005" => ChaoYingCode::Revoked,
            "10006" => ChaoYingCode::PaymentError,
            "20002" => ChaoYingCode::SignatureError,
            "20003" => ChaoYingCode::ResponseSignatureError,
            "20004" => ChaoYingCode::InvalidParameter,
            "20005" => ChaoYingCode::MerchantError,
            "20006" => ChaoYingCode::SystemError,
            "20007" => ChaoYingCode::OrderNotFound,
            "20008" => ChaoYingCode::RefundError,
            "20009" => ChaoYingCode::QueryError,
            "20010" => ChaoYingCode::RefundQueryError,
            "20011" => ChaoYingCode::CancelError,
            "20012" => ChaoYingCode::AgentError,
            "20013" => ChaoYingCode::MerchantConfigError,
            "30001" => ChaoYingCode::NetworkError,
            other => ChaoYingCode::Unknown(other.to_owned()),
        }
    }

    /// The code as ChaoYing writes it.
    pub(super) fn as_str(&self) -> &str {
        match self {
            ChaoYingCode::Success => "10000",
            ChaoYingCode::Paying => "10001",
            ChaoYingCode::Refunded => "10002",
            ChaoYingCode::NotPaid => "10003",
            ChaoYingCode::Closed => "10004",
            ChaoYingCode::Revoked => "10005",
            ChaoYingCode::PaymentError => "10006",
            ChaoYingCode::SignatureError => "20002",
            ChaoYingCode::ResponseSignatureError => "20003",
            ChaoYingCode::InvalidParameter => "20004",
            ChaoYingCode::MerchantError => "20005",
            ChaoYingCode::SystemError => "20006",
            ChaoYingCode::OrderNotFound => "20007",
            ChaoYingCode::RefundError => "20008",
            ChaoYingCode::QueryError => "20009",
            ChaoYingCode::RefundQueryError => "20010",
            ChaoYingCode::CancelError => "20011",
            ChaoYingCode::AgentError => "20012",
            ChaoYingCode::MerchantConfigError => "20013",
            ChaoYingCode::NetworkError => "30001",
            ChaoYingCode::Unknown(raw) => raw,
        }
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

    /// A gateway error carrying this code and ChaoYing's `msg`.
    pub(super) fn error(&self, failed_call: bool, msg: Option<&str>) -> PayError {
        PayError::gateway(Gateway::ChaoYing, self.as_str(), self.reason(failed_call), msg)
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
        assert_eq!(ChaoYingCode::parse("20001"), ChaoYingCode::Unknown("20001".into()));
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
        assert_eq!(CallState::parse("0"), CallState::Unknown("0".into()));
        assert_eq!(TradeState::parse("NEED_QUERY"), TradeState::NeedQuery);
        assert_eq!(TradeState::parse("USERPAYING"), TradeState::Unknown("USERPAYING".into()));
    }
}
