//! BlueOcean's response codes (seed 001 §1.6, L129–L171), all of them.

use crate::error::{PayError, Reason};
use crate::model::Gateway;

/// One code of BlueOcean's response code table (`code` in every envelope).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BlueOceanCode {
    /// `0` 通用错误: unclassified error.
    General,
    /// `200` 成功.
    Success,
    /// `201` 刷卡交易未知状态: micropay outcome unknown; query the order.
    TradeStateUnknown,
    /// `404` 接口地址错误: wrong path.
    WrongPath,
    /// `4001` 请求数据格式错误: the body is not JSON.
    BadDataFormat,
    /// `4002` 无效AppId.
    InvalidAppId,
    /// `4003` 缺少参数.
    MissingParameter,
    /// `4004` 签名错误.
    SignatureError,
    /// `4005` 通讯出错: communication error; the outcome is unknown.
    CommunicationError,
    /// `4006` 服务器繁忙.
    ServerBusy,
    /// `4007` 请求方式错误: not a POST.
    WrongHttpMethod,
    /// `40100` 无效请求.
    InvalidRequest,
    /// `40101` 订单已支付.
    OrderPaid,
    /// `40102` 订单不存在.
    OrderNotFound,
    /// `40103` 订单已关闭.
    OrderClosed,
    /// `40104` 订单已撤销.
    OrderRevoked,
    /// `40105` 订单已退款.
    OrderRefunded,
    /// `40106` 订单号重复.
    DuplicateOrderNo,
    /// `40107` 余额不足 (the merchant's balance, refund side).
    InsufficientBalance,
    /// `40108` 订单超过退款期限.
    RefundPeriodOver,
    /// `40109` 缺少参数 (names the parameter in `message`).
    ParameterMissing,
    /// `40110` 编码格式错误: not UTF-8.
    EncodingError,
    /// `40111` 每个二维码只可以用一次: the payer's code was used already.
    AuthCodeUsed,
    /// `40400` 系统繁忙.
    SystemBusy,
    /// `40500` 支付错误.
    PaymentError,
    /// `40600` 未知错误.
    UnknownError,
    /// `490001` 时间参数格式非法.
    InvalidTimestamp,
    /// `491001` 不是合法的json参数.
    InvalidJson,
    /// `491002` 参数长度不能超过限定长度.
    ParameterTooLong,
    /// `491003` 参数不能为空.
    ParameterEmpty,
    /// `499999` 未知错误.
    Unclassified,
    /// `492001` 参数格式不符合指定要求.
    ParameterFormat,
    /// `492002` 数据不存在.
    DataNotFound,
    /// `492003` 上游厂商不支持此功能.
    UpstreamUnsupported,
    /// `492004` 请求接口出现超时: the upstream call timed out; outcome unknown.
    UpstreamTimeout,
    /// `492005` 上游接口响应为空: the upstream answered nothing; outcome unknown.
    UpstreamEmpty,
    /// `492006` 支付宝汇率接口报错.
    AlipayRateError,
    /// `492007` 解析支付宝汇率接口响应的报文失败.
    AlipayRateUnreadable,
    /// `493001` 退款单号重复.
    DuplicateRefundNo,
    /// A code the table does not list, kept as sent.
    Unknown(String),
}

/// Every listed code's number, one space between, in the order of the
/// variants (and of [`MEANINGS`]): one packed string that [`BlueOceanCode::known`]
/// and [`BlueOceanCode::index`] pair with the variants, instead of a table
/// of (string, variant) rows. The seed's Chinese meanings are in
/// [`MEANINGS`], only where the sandbox needs them: the browser never shows
/// them (it maps the code to a [`Reason`]).
const NUMBERS: &str = "0 200 201 404 4001 4002 4003 4004 4005 4006 4007 40100 40101 40102 40103 40104 40105 40106 40107 40108 40109 40110 40111 40400 40500 40600 490001 491001 491002 491003 499999 492001 492002 492003 492004 492005 492006 492007 493001";

/// How many codes the seed lists.
const COUNT: usize = 39;

/// The seed's Chinese meaning of each code, in the order of [`NUMBERS`].
#[cfg(feature = "signing")]
const MEANINGS: [&str; COUNT] = [
    "通用错误",
    "成功",
    "刷卡交易未知状态",
    "接口地址错误",
    "请求数据格式错误",
    "无效AppId",
    "缺少参数",
    "签名错误",
    "通讯出错",
    "服务器繁忙",
    "请求方式错误",
    "无效请求",
    "订单已支付",
    "订单不存在",
    "订单已关闭",
    "订单已撤销",
    "订单已退款",
    "订单号重复",
    "余额不足",
    "订单超过退款期限",
    "缺少参数",
    "编码格式错误",
    "每个二维码只可以用一次",
    "系统繁忙",
    "支付错误",
    "未知错误",
    "时间参数格式非法(非法时间戳)",
    "不是合法的json参数",
    "参数长度不能超过限定长度",
    "参数不能为空",
    "未知错误",
    "参数格式不符合指定要求",
    "数据不存在",
    "上游厂商不支持此功能",
    "请求接口出现超时",
    "上游接口响应为空",
    "支付宝汇率接口报错",
    "解析支付宝汇率接口响应的报文失败",
    "退款单号重复",
];

impl BlueOceanCode {
    /// Reads a code as sent (`200` or `"200"`, spaces ignored).
    pub fn parse(raw: &str) -> BlueOceanCode {
        let raw = crate::text::trim(raw);
        crate::text::position(NUMBERS, b' ', raw).and_then(BlueOceanCode::known).unwrap_or_else(|| BlueOceanCode::Unknown(raw.to_owned()))
    }

    /// The listed code at `index` in [`NUMBERS`].
    fn known(index: usize) -> Option<BlueOceanCode> {
        use BlueOceanCode as C;
        match index {
            0 => Some(C::General),
            1 => Some(C::Success),
            2 => Some(C::TradeStateUnknown),
            3 => Some(C::WrongPath),
            4 => Some(C::BadDataFormat),
            5 => Some(C::InvalidAppId),
            6 => Some(C::MissingParameter),
            7 => Some(C::SignatureError),
            8 => Some(C::CommunicationError),
            9 => Some(C::ServerBusy),
            10 => Some(C::WrongHttpMethod),
            11 => Some(C::InvalidRequest),
            12 => Some(C::OrderPaid),
            13 => Some(C::OrderNotFound),
            14 => Some(C::OrderClosed),
            15 => Some(C::OrderRevoked),
            16 => Some(C::OrderRefunded),
            17 => Some(C::DuplicateOrderNo),
            18 => Some(C::InsufficientBalance),
            19 => Some(C::RefundPeriodOver),
            20 => Some(C::ParameterMissing),
            21 => Some(C::EncodingError),
            22 => Some(C::AuthCodeUsed),
            23 => Some(C::SystemBusy),
            24 => Some(C::PaymentError),
            25 => Some(C::UnknownError),
            26 => Some(C::InvalidTimestamp),
            27 => Some(C::InvalidJson),
            28 => Some(C::ParameterTooLong),
            29 => Some(C::ParameterEmpty),
            30 => Some(C::Unclassified),
            31 => Some(C::ParameterFormat),
            32 => Some(C::DataNotFound),
            33 => Some(C::UpstreamUnsupported),
            34 => Some(C::UpstreamTimeout),
            35 => Some(C::UpstreamEmpty),
            36 => Some(C::AlipayRateError),
            37 => Some(C::AlipayRateUnreadable),
            38 => Some(C::DuplicateRefundNo),
            _ => None,
        }
    }

    /// This code's place in [`NUMBERS`]; `COUNT` for an unlisted code.
    fn index(&self) -> usize {
        use BlueOceanCode as C;
        match self {
            C::General => 0,
            C::Success => 1,
            C::TradeStateUnknown => 2,
            C::WrongPath => 3,
            C::BadDataFormat => 4,
            C::InvalidAppId => 5,
            C::MissingParameter => 6,
            C::SignatureError => 7,
            C::CommunicationError => 8,
            C::ServerBusy => 9,
            C::WrongHttpMethod => 10,
            C::InvalidRequest => 11,
            C::OrderPaid => 12,
            C::OrderNotFound => 13,
            C::OrderClosed => 14,
            C::OrderRevoked => 15,
            C::OrderRefunded => 16,
            C::DuplicateOrderNo => 17,
            C::InsufficientBalance => 18,
            C::RefundPeriodOver => 19,
            C::ParameterMissing => 20,
            C::EncodingError => 21,
            C::AuthCodeUsed => 22,
            C::SystemBusy => 23,
            C::PaymentError => 24,
            C::UnknownError => 25,
            C::InvalidTimestamp => 26,
            C::InvalidJson => 27,
            C::ParameterTooLong => 28,
            C::ParameterEmpty => 29,
            C::Unclassified => 30,
            C::ParameterFormat => 31,
            C::DataNotFound => 32,
            C::UpstreamUnsupported => 33,
            C::UpstreamTimeout => 34,
            C::UpstreamEmpty => 35,
            C::AlipayRateError => 36,
            C::AlipayRateUnreadable => 37,
            C::DuplicateRefundNo => 38,
            C::Unknown(_) => COUNT,
        }
    }

    /// The code as BlueOcean writes it, e.g. `"4004"`.
    pub fn as_str(&self) -> &str {
        match self {
            BlueOceanCode::Unknown(raw) => raw,
            known => crate::text::split(NUMBERS, b" ").nth(known.index()).unwrap_or(""),
        }
    }

    /// The seed's Chinese meaning (the sandbox's `message`); empty for unknown codes.
    #[cfg(feature = "signing")]
    pub fn meaning(&self) -> &'static str {
        MEANINGS.get(self.index()).copied().unwrap_or("")
    }

    /// Whether the call's outcome is unknown, so the order must be queried
    /// (and polling must go on) rather than the payment failed: 201, 4005,
    /// 4006, 40400, 492004, 492005.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            BlueOceanCode::TradeStateUnknown
                | BlueOceanCode::CommunicationError
                | BlueOceanCode::ServerBusy
                | BlueOceanCode::SystemBusy
                | BlueOceanCode::UpstreamTimeout
                | BlueOceanCode::UpstreamEmpty
        )
    }

    /// The shared reason behind this code, for the payer-facing message.
    pub fn reason(&self) -> Reason {
        use BlueOceanCode as C;
        match self {
            C::General | C::Success => Reason::General,
            C::TradeStateUnknown | C::UnknownError | C::Unclassified | C::Unknown(_) => Reason::Unknown,
            C::WrongPath
            | C::BadDataFormat
            | C::MissingParameter
            | C::WrongHttpMethod
            | C::InvalidRequest
            | C::ParameterMissing
            | C::EncodingError
            | C::InvalidTimestamp
            | C::InvalidJson
            | C::ParameterTooLong
            | C::ParameterEmpty
            | C::ParameterFormat => Reason::BadRequest,
            C::InvalidAppId => Reason::Credentials,
            C::SignatureError => Reason::Signature,
            C::ServerBusy | C::SystemBusy => Reason::Busy,
            C::CommunicationError | C::UpstreamTimeout | C::UpstreamEmpty | C::AlipayRateError | C::AlipayRateUnreadable => Reason::Upstream,
            C::OrderPaid => Reason::OrderPaid,
            C::OrderNotFound | C::DataNotFound => Reason::OrderNotFound,
            C::OrderClosed | C::OrderRevoked | C::OrderRefunded => Reason::OrderClosed,
            C::DuplicateOrderNo => Reason::DuplicateOrder,
            C::InsufficientBalance | C::RefundPeriodOver | C::DuplicateRefundNo => Reason::RefundRefused,
            C::AuthCodeUsed => Reason::AuthCodeInvalid,
            C::PaymentError => Reason::PaymentDeclined,
            C::UpstreamUnsupported => Reason::NotEnabled,
        }
    }

    /// The error for this code, keeping BlueOcean's own code and `message`.
    pub fn to_error(&self, message: Option<&str>) -> PayError {
        PayError::gateway(Gateway::BlueOcean, self.as_str(), self.reason(), message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_code_round_trips() {
        let numbers: Vec<&str> = NUMBERS.split(' ').collect();
        for (i, n) in numbers.iter().enumerate() {
            let c = BlueOceanCode::known(i).expect("listed");
            assert_eq!(c.index(), i);
            assert_eq!(BlueOceanCode::parse(n), c);
            assert_eq!(c.as_str(), *n);
        }
        #[cfg(feature = "signing")]
        {
            assert_eq!(BlueOceanCode::parse("40107").meaning(), "余额不足");
            assert_eq!(BlueOceanCode::parse("493001").meaning(), "退款单号重复");
            assert_eq!(BlueOceanCode::parse("777").meaning(), "");
        }
        assert_eq!((numbers.len(), COUNT), (39, 39), "the seed's table has 39 codes");
        assert_eq!(BlueOceanCode::known(COUNT), None);
        assert_eq!((BlueOceanCode::parse("40107"), BlueOceanCode::parse("499999")), (BlueOceanCode::InsufficientBalance, BlueOceanCode::Unclassified));
        assert_eq!(BlueOceanCode::parse(" 4004 "), BlueOceanCode::SignatureError);
        assert_eq!(BlueOceanCode::parse("777"), BlueOceanCode::Unknown("777".into()));
        assert_eq!(BlueOceanCode::parse("777").as_str(), "777");
        assert_eq!(BlueOceanCode::parse("777").reason(), Reason::Unknown);
    }

    #[test]
    fn outcome_unknown_codes() {
        for n in ["201", "4005", "4006", "40400", "492004", "492005"] {
            assert!(BlueOceanCode::parse(n).outcome_unknown(), "{n}");
        }
        for n in ["0", "200", "4004", "40101", "40500", "40600", "499999", "1"] {
            assert!(!BlueOceanCode::parse(n).outcome_unknown(), "{n}");
        }
    }

    #[test]
    fn errors_keep_the_gateway_code_and_message() {
        let e = BlueOceanCode::parse("40500").to_error(Some("余额不足"));
        assert_eq!(e.gateway_code.as_deref(), Some("40500"));
        assert_eq!(e.gateway_message.as_deref(), Some("余额不足"));
        assert_eq!(e.reason, Reason::PaymentDeclined);
        assert_eq!(BlueOceanCode::SignatureError.reason(), Reason::Signature);
    }
}
