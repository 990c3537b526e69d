//! HipoPay's read endpoints: order queries (4.9, 6.5), refund queries
//! (4.10, 6.7), code → openid (4.4 step 2) and the rates (4.11, 6.8).

use super::objects::{is_alipay, order_object, rate, rate_text, refund_no, refund_object};
use super::{ok, refuse, success_meta};
use crate::sandbox::gateway::{Ctx, Reply};
use crate::sandbox::store::{Order, OrderState};
use paybridge::gateway::hipopay::HipoPayCode;
use paybridge::json::Value;
use paybridge::model::{Channel, Gateway};
use paybridge::sign::md5_hex;

/// The names the wallet's endpoints give the merchant's and HipoPay's order numbers.
fn keys(wallet: Channel) -> (&'static [&'static str], &'static str) {
    match wallet {
        Channel::Alipay => (&["out_order_no", "outer_order_no"], "payment_no"),
        _ => (&["agent_order_id"], "order_no"),
    }
}

/// The order the parameters name on `wallet`'s endpoints: `Ok(None)` when
/// they name none, 404 when it does not exist (or belongs to the other wallet).
fn find(ctx: &Ctx, wallet: Channel, params: &Value) -> Result<Option<Order>, Reply> {
    let (merchant_keys, gateway_key) = keys(wallet);
    let by_no = merchant_keys.iter().find_map(|k| params.text(k));
    let by_id = params.text(gateway_key);
    let found = match (by_no, by_id) {
        (None, None) => return Ok(None),
        (Some(no), _) => ctx.store.get(Gateway::HipoPay, no, ctx.now_ms),
        (None, Some(id)) => ctx.store.find_by_gateway_id(Gateway::HipoPay, id, ctx.now_ms),
    };
    found
        .filter(|o| by_id.is_none_or(|id| id == o.gateway_order_id) && is_alipay(o) == (wallet == Channel::Alipay))
        .map(Some)
        .ok_or_else(|| refuse(HipoPayCode::NotFound, "no such order"))
}

/// `GET /order` or `GET /alipay/order`: `{"order": …}`.
pub(super) fn order(ctx: &Ctx, wallet: Channel, params: &Value) -> Reply {
    match find(ctx, wallet, params) {
        Ok(Some(order)) => ok(Value::object([("order", order_object(&order, false))])),
        Ok(None) => refuse(HipoPayCode::BadRequest, "name the order by its merchant or HipoPay order number"),
        Err(refusal) => refusal,
    }
}

/// `GET /refund` or `GET /alipay/refund`: by refund number `{"refund": …}`,
/// by order `{"refunds": […]}` (the seed prints neither; 4.9 V2 lists
/// refunds the second way).
pub(super) fn refunds(ctx: &Ctx, wallet: Channel, params: &Value) -> Reply {
    let refund = ["refund_no", "outer_refund_no"].iter().find_map(|k| params.text(k));
    let order = match find(ctx, wallet, params) {
        Ok(order) => order,
        Err(refusal) => return refusal,
    };
    let candidates: Vec<Order> = match (&order, refund) {
        (Some(order), _) => vec![order.clone()],
        (None, Some(_)) => ctx.store.all().into_iter().filter(|o| o.gateway == Gateway::HipoPay && is_alipay(o) == (wallet == Channel::Alipay)).collect(),
        (None, None) => return refuse(HipoPayCode::BadRequest, "refund_no, outer_refund_no or the order number is required"),
    };
    let refunded: Vec<&Order> = candidates.iter().filter(|o| o.state == OrderState::Refunded && refund.is_none_or(|r| r == refund_no(o))).collect();
    match (refund, refunded.first()) {
        (Some(_), Some(one)) => ok(Value::object([("refund", refund_object(one))])),
        (Some(_), None) => refuse(HipoPayCode::NotFound, "no such refund"),
        (None, _) => ok(Value::object([("refunds", Value::Array(refunded.into_iter().map(refund_object).collect()))])),
    }
}

/// `POST /order/openid`: a stable sandbox openid for the `wx.login` code.
pub(super) fn openid(params: &Value) -> Reply {
    match params.text("code") {
        Some(code) => ok(Value::object([("openid", Value::String(format!("o{}", &md5_hex(code.as_bytes())[..27])))])),
        None => refuse(HipoPayCode::BadRequest, "code is required"),
    }
}

/// `GET /rate` (`rate` in `data`) or `GET /alipay/rate` (`rate` beside `meta`).
pub(super) fn rate_answer(params: &Value, alipay: bool) -> Reply {
    let Some(currency) = params.text("currency") else {
        return refuse(HipoPayCode::BadRequest, "currency is required");
    };
    let Some(r) = rate(currency) else {
        return refuse(HipoPayCode::BadRequest, &format!("currency {currency} is not supported (§11.3)"));
    };
    let object = Value::object([("currency", Value::str(currency)), ("rate", Value::String(rate_text(r)))]);
    if !alipay {
        return ok(object);
    }
    Reply::ok(Value::object([("meta", success_meta()), ("rate", object)]))
}
