//! Reading ChaoYing's JSON answers into the normalised model.

use super::codes::{CallState, ChaoYingCode, TradeState};
use super::CreateParams;
use crate::error::{PayError, Reason};
use crate::gateway::common::{self, JsapiNames};
use crate::json::Value;
use crate::model::{AppProvider, Channel, Gateway, Mode, NextAction, OrderStatus, PayState, RefundState, RefundStatus};

/// The common answer fields (digest §1.3), all borrowed from the answer.
struct Envelope<'a> {
    body: &'a Value,
    state: CallState<'a>,
    trade_state: Option<TradeState<'a>>,
    code: Option<ChaoYingCode<'a>>,
    msg: Option<&'a str>,
    /// The most specific raw state: a non-`SUCCESS` `trade_state`, else the
    /// `code`, else `trade_state` / `state`.
    raw: &'a str,
}

impl<'a> Envelope<'a> {
    fn read(body: &'a Value) -> Result<Self, PayError> {
        if body.members().is_none() {
            return Err(PayError::invalid_payload("ChaoYing answer is not a JSON object"));
        }
        let state = body.text("state").ok_or_else(|| PayError::invalid_payload("ChaoYing answer has no `state`"))?;
        let trade = body.text("trade_state");
        let code = body.text("code");
        let raw = match trade {
            Some(t) if t != "SUCCESS" => t,
            _ => code.or(trade).unwrap_or(state),
        };
        Ok(Envelope { body, state: CallState::parse(state), trade_state: trade.map(TradeState::parse), code: code.map(ChaoYingCode::parse), msg: body.text("msg"), raw })
    }

    fn status(&self, state: PayState) -> OrderStatus {
        OrderStatus {
            state,
            gateway_state: self.raw.to_owned(),
            amount: self.body.int("base_fee").or(self.body.int("total_fee")).filter(|n| *n >= 0),
            transaction_id: self.body.text("transaction_id").map(str::to_owned),
        }
    }

    /// The refusal for a failed call or business result: the code's, or
    /// the raw state's when there is no code. `failed_call` is true under
    /// `state=FAIL` (see [`ChaoYingCode::reason`]).
    fn error(&self, failed_call: bool) -> PayError {
        match self.code {
            Some(code) => self.refusal(code.as_str(), code.reason(failed_call)),
            None => self.refusal(self.raw, Reason::Unknown),
        }
    }

    /// A gateway error with `code`, `reason` and ChaoYing's `msg`: the one
    /// place every refusal is built.
    #[inline(never)]
    fn refusal(&self, code: &str, reason: Reason) -> PayError {
        PayError::gateway(Gateway::ChaoYing, code, reason, self.msg)
    }

    /// `state=VER` or `state=FAIL`: an error, or `Unknown` when the failure
    /// is transient (the order's outcome is then unknown). `None` when the
    /// call succeeded.
    fn failed_call(&self) -> Option<Result<OrderStatus, PayError>> {
        match self.state {
            CallState::Success => None,
            CallState::Ver => {
                Some(Err(self.refusal("VER", Reason::Credentials).with_detail("ChaoYing says the caller version is too low (state=VER)")))
            }
            CallState::Fail => Some(match self.code {
                Some(code) if code.is_transient() => Ok(self.status(PayState::Unknown)),
                _ => Err(self.error(true)),
            }),
            CallState::Unknown(_) => Some(Ok(self.status(PayState::Unknown))),
        }
    }
}

/// The order status an `orderquery` (or counter `pay`) answer reports.
/// Outcome-unknown answers give `Unknown` / `Paying`, never an error.
pub(super) fn query(body: &Value) -> Result<OrderStatus, PayError> {
    order_status(&Envelope::read(body)?)
}

fn order_status(env: &Envelope) -> Result<OrderStatus, PayError> {
    if let Some(failed) = env.failed_call() {
        return failed;
    }
    let by_code = |otherwise: PayState| match env.code {
        Some(code) => match code.order_state() {
            Some(state) => Ok(env.status(state)),
            // An unlisted code says nothing definite: keep polling.
            None if code.is_transient() || matches!(code, ChaoYingCode::Unknown(_)) => Ok(env.status(PayState::Unknown)),
            None => Err(env.error(false)),
        },
        None => Ok(env.status(otherwise)),
    };
    match env.trade_state {
        None | Some(TradeState::Success) => by_code(PayState::Unknown),
        Some(TradeState::Fail) => by_code(PayState::Failed),
        Some(TradeState::Processing) => Ok(env.status(PayState::Paying)),
        Some(TradeState::NeedQuery) | Some(TradeState::Unknown(_)) => Ok(env.status(PayState::Unknown)),
        Some(TradeState::Refund) => Ok(env.status(PayState::Refunded)),
    }
}

/// A `cancel` answer: `Cancelled` (or `Closed` for code 10004) on success.
pub(super) fn cancel(body: &Value) -> Result<OrderStatus, PayError> {
    let env = Envelope::read(body)?;
    if let Some(failed) = env.failed_call() {
        return failed;
    }
    match env.trade_state {
        None | Some(TradeState::Success) => match env.code {
            Some(ChaoYingCode::Closed) => Ok(env.status(PayState::Closed)),
            Some(code) if code.order_state().is_none() => Err(env.error(false)),
            _ => Ok(env.status(PayState::Cancelled)),
        },
        Some(TradeState::Refund) => Ok(env.status(PayState::Refunded)),
        Some(TradeState::Fail) => Err(env.error(false)),
        Some(_) => Ok(env.status(PayState::Unknown)),
    }
}

/// A counter `pay` answer: `Done` when settled, `Await` while the payer
/// confirms or the outcome is unknown, an error when it definitely failed.
pub(super) fn counter(body: &Value) -> Result<NextAction, PayError> {
    let env = Envelope::read(body)?;
    let status = order_status(&env)?;
    match status.state {
        PayState::Pending | PayState::Paying | PayState::Unknown => Ok(NextAction::Await),
        PayState::Succeeded | PayState::Refunded => Ok(NextAction::Done { status }),
        PayState::Failed | PayState::Closed | PayState::Cancelled => Err(match env.code {
            Some(_) => env.error(false),
            None => env.refusal(env.raw, Reason::PaymentDeclined),
        }),
    }
}

/// A pre-order answer: the QR text, JSAPI parameters or app payload.
pub(super) fn pre_order(p: &CreateParams, body: &Value) -> Result<NextAction, PayError> {
    let env = Envelope::read(body)?;
    match env.state {
        CallState::Success => {}
        CallState::Fail => return Err(env.error(true)),
        CallState::Ver | CallState::Unknown(_) => {
            return Err(env.refusal(env.raw, Reason::Credentials).with_detail("ChaoYing refused the call (state is not SUCCESS)"))
        }
    }
    match env.trade_state {
        None | Some(TradeState::Success) => {}
        // No money moves on a pre-order: an unknown outcome is a retryable refusal.
        Some(TradeState::Processing) | Some(TradeState::NeedQuery) => {
            return Err(env.refusal(env.raw, Reason::Busy));
        }
        Some(_) => return Err(env.error(false)),
    }
    if env.code.is_some_and(|c| c != ChaoYingCode::Success) {
        return Err(env.error(false));
    }
    // Options left at channel "any" do not stop the answer being read: its `pay_info` says the wallet.
    let channel = match p.channel {
        Channel::Any => pay_info_wallet(body),
        channel => channel,
    };
    match (p.mode, channel) {
        (Mode::Qr, _) => qr(body),
        (Mode::Jsapi, Channel::Wechat) => wechat_jsapi(p, body),
        (Mode::Jsapi, _) => alipay_trade_pay(body),
        (Mode::App, Channel::Wechat) => wechat_app(body),
        (Mode::App, _) => alipay_app(body),
        (mode, channel) => Err(crate::gateway::unsupported_mode(Gateway::ChaoYing, mode, channel)),
    }
}

/// The wallet a `pay_info` belongs to: WeChat's carries `package` /
/// `prepayid` / `paySign`, anything else is read as Alipay's.
fn pay_info_wallet(body: &Value) -> Channel {
    let wechat = body.nested_object("pay_info").is_some_and(|info| ["package", "prepayid", "paySign"].iter().any(|k| info.get(k).is_some()));
    if wechat {
        Channel::Wechat
    } else {
        Channel::Alipay
    }
}

fn pay_info(body: &Value) -> Result<Value, PayError> {
    body.nested_object("pay_info").ok_or_else(|| PayError::invalid_payload("ChaoYing `pay_info` is missing or not a JSON object"))
}

fn field(obj: &Value, key: &str) -> Result<String, PayError> {
    common::need(Gateway::ChaoYing, obj, key)
}

fn qr(body: &Value) -> Result<NextAction, PayError> {
    let content = match body.text("code_url") {
        Some(url) => url.to_owned(),
        // `code_img_url`'s `uuid` parameter is the code_url, URL-encoded (L1394).
        None => body
            .text("code_img_url")
            .and_then(|img| query_param(img, "uuid"))
            .filter(|c| !c.is_empty())
            .ok_or_else(|| PayError::invalid_payload("ChaoYing NATIVE answer has no `code_url`"))?,
    };
    Ok(NextAction::Qr { content, expires_at: None })
}

/// WeChat's `pay_info`: the six strings under their own names.
const JSAPI: JsapiNames = ["appId", "timeStamp", "nonceStr", "package", "signType", "paySign"];

fn wechat_jsapi(p: &CreateParams, body: &Value) -> Result<NextAction, PayError> {
    let info = pay_info(body)?;
    // wx.requestPayment takes no appId: the mini-program variant may omit it.
    let app_id = if p.mini_program { body.text("appid").or(body.text("sub_appid")).or(p.sub_appid.as_deref().filter(|s| !s.is_empty())) } else { None };
    Ok(NextAction::WechatJsapi { params: Box::new(common::jsapi(Gateway::ChaoYing, &info, &JSAPI, app_id)?) })
}

fn alipay_trade_pay(body: &Value) -> Result<NextAction, PayError> {
    let info = pay_info(body)?;
    let trade_no = common::first(&info, "tradeNO trade_no tradeNo").ok_or_else(|| PayError::invalid_payload("ChaoYing Alipay pay_info has no `tradeNO`"))?;
    Ok(NextAction::AlipayTradePay { trade_no: trade_no.to_owned() })
}

/// The WeChat OpenSDK `PayReq` fields an app needs.
const WECHAT_APP_FIELDS: [&str; 7] = ["appid", "partnerid", "prepayid", "package", "noncestr", "timestamp", "sign"];

fn wechat_app(body: &Value) -> Result<NextAction, PayError> {
    let info = pay_info(body)?;
    if let Some(key) = WECHAT_APP_FIELDS.into_iter().find(|key| info.text(key).is_none()) {
        return Err(common::missing(Gateway::ChaoYing, key));
    }
    Ok(NextAction::App { provider: AppProvider::Wechat, payload: info })
}

fn alipay_app(body: &Value) -> Result<NextAction, PayError> {
    let order = body.text("pay_info").ok_or_else(|| PayError::invalid_payload("ChaoYing Alipay app answer has no `pay_info`"))?;
    let has = |key: &str| crate::text::split(order, b"&").any(|pair| pair.strip_prefix(key).and_then(|v| v.strip_prefix("=")).is_some_and(|v| !v.is_empty()));
    if !(has("app_id") && has("sign")) {
        return Err(PayError::invalid_payload("ChaoYing Alipay app pay_info is not an order string with app_id and sign"));
    }
    Ok(NextAction::App { provider: AppProvider::Alipay, payload: Value::str(order) })
}

/// A `refundquery` answer's `refund_list` (a JSON string or array).
pub(super) fn refund_query(body: &Value) -> Result<Vec<RefundStatus>, PayError> {
    let env = Envelope::read(body)?;
    match env.state {
        CallState::Success => {}
        CallState::Fail => return Err(env.error(true)),
        CallState::Ver | CallState::Unknown(_) => return Err(env.refusal(env.raw, Reason::Credentials)),
    }
    match env.trade_state {
        None | Some(TradeState::Success) => {}
        Some(TradeState::Fail) => return Err(env.error(false)),
        Some(_) => return Ok(vec![RefundStatus { state: RefundState::Unknown, gateway_state: env.raw.to_owned(), amount: None, refund_id: None, refund_no: None }]),
    }
    let list = match body.get("refund_list") {
        Some(Value::String(s)) => crate::json::parse(s).map_err(|_| PayError::invalid_payload("ChaoYing `refund_list` is not JSON"))?,
        Some(v @ Value::Array(_)) => v.clone(),
        None if body.int("refund_count") == Some(0) => Value::Array(Vec::new()),
        _ => return Err(PayError::invalid_payload("ChaoYing refund query answer has no `refund_list`")),
    };
    let Value::Array(items) = list else {
        return Err(PayError::invalid_payload("ChaoYing `refund_list` is not an array"));
    };
    items.iter().map(refund_item).collect()
}

fn refund_item(item: &Value) -> Result<RefundStatus, PayError> {
    let raw = field(item, "refund_status")?;
    let state = match raw.as_str() {
        "SUCCESS" => RefundState::Succeeded,
        "PROCESSING" => RefundState::Processing,
        // CHANGE (转入代发): the bank refused and the money went back to the
        // merchant, who must refund by hand — the payer has not been refunded.
        "FAIL" | "CHANGE" => RefundState::Failed,
        // NOTSURE: retry with the same refund number; anything else is unknown.
        _ => RefundState::Unknown,
    };
    Ok(RefundStatus {
        state,
        gateway_state: raw,
        amount: item.int("refund_fee").or(item.int("base_refund_fee")).filter(|n| *n >= 0),
        refund_id: item.text("refund_id").map(str::to_owned),
        refund_no: item.text("out_refund_no").map(str::to_owned),
    })
}

/// The percent-decoded value of query parameter `name` in `url`.
fn query_param(url: &str, name: &str) -> Option<String> {
    let query = crate::text::split(crate::text::split_once(url, "?")?.1, b"#").next()?;
    let raw = crate::text::split(query, b"&").find_map(|pair| pair.strip_prefix(name)?.strip_prefix("="))?;
    common::percent_decode(raw, false)
}

/// A `method=refund` answer (seed B3). It carries no refund status (the
/// refund query does: bank-card refunds take days), so an accepted refund
/// reads `Processing`; a transient failure or an open `trade_state` reads
/// `Unknown`; a refusal (20008 退款错误…) is an error.
pub(super) fn refund(body: &Value) -> Result<RefundStatus, PayError> {
    let env = Envelope::read(body)?;
    let open = |env: &Envelope| RefundStatus { state: RefundState::Unknown, gateway_state: env.raw.to_owned(), amount: None, refund_id: None, refund_no: None };
    match env.state {
        CallState::Success => {}
        CallState::Fail => return if env.code.is_some_and(|c| c.is_transient()) { Ok(open(&env)) } else { Err(env.error(true)) },
        CallState::Ver => return Err(env.refusal("VER", Reason::Credentials)),
        CallState::Unknown(_) => return Ok(open(&env)),
    }
    match env.trade_state {
        None | Some(TradeState::Success) => Ok(RefundStatus {
            state: RefundState::Processing,
            gateway_state: env.raw.to_owned(),
            amount: body.int("refund_fee").or(body.int("base_refund_fee")).filter(|n| *n >= 0),
            refund_id: body.text("refund_id").map(str::to_owned),
            refund_no: body.text("out_refund_no").map(str::to_owned),
        }),
        Some(TradeState::Fail) => Err(env.error(false)),
        Some(_) => Ok(open(&env)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_param_decodes() {
        let url = "https://pay.swiftpass.cn/pay/qrcode?uuid=https%3A%2F%2Fqr.alipay.com%2Fbax04486r0vgbxds3h55805a";
        assert_eq!(query_param(url, "uuid").as_deref(), Some("https://qr.alipay.com/bax04486r0vgbxds3h55805a"));
        assert_eq!(query_param("https://x/?a=1&uuid=%zz%4", "uuid").as_deref(), Some("%zz%4"));
        assert_eq!(query_param("https://x/", "uuid"), None);
        assert_eq!(query_param("https://x/?uuid=%ff", "uuid"), None, "invalid UTF-8 is refused");
        assert_eq!(query_param("https://x/?uuidx=1&uuid=a+b%E8%B6%85#uuid=2", "uuid").as_deref(), Some("a b超"));
        assert_eq!(query_param("https://x/?=1&uuid", "uuid"), None, "a name without `=` has no value");
    }
}
