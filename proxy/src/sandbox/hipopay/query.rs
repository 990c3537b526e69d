//! HipoPay's read endpoints: order queries (4.9, 6.5), refund queries
//! (4.10, 6.7), code → openid (4.4 step 2) and the rates (4.11, 6.8).

use super::objects::{currency, is_alipay, order_object, rate, rate_text, refund_object};
use super::{ok, refuse, success_meta};
use crate::sandbox::gateway::{Ctx, Reply};
use crate::sandbox::store::{Order, RefundRefusal};
use paybridge::gateway::hipopay::{amount_to_minor, HipoPayCode};
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

/// `GET /refund` or `GET /alipay/refund` (4.10, 6.7): by refund number
/// (HipoPay's `refund_no` or the merchant's `outer_refund_no`)
/// `{"refund": …}`, by order `{"refunds": […]}` (the seed prints neither;
/// 4.9 V2 lists refunds the second way).
pub(super) fn refunds(ctx: &Ctx, wallet: Channel, params: &Value) -> Reply {
    let by_id = params.text("refund_no");
    let by_no = params.text("outer_refund_no");
    let order = match find(ctx, wallet, params) {
        Ok(order) => order,
        Err(refusal) => return refusal,
    };
    let candidates: Vec<Order> = match (&order, by_id.or(by_no)) {
        (Some(order), _) => vec![order.clone()],
        (None, Some(_)) => ctx.store.all().into_iter().filter(|o| o.gateway == Gateway::HipoPay && is_alipay(o) == (wallet == Channel::Alipay)).collect(),
        (None, None) => return refuse(HipoPayCode::BadRequest, "refund_no, outer_refund_no or the order number is required"),
    };
    let mut hits = candidates
        .iter()
        .flat_map(|o| o.refunds.iter().map(move |r| (o, r)))
        .filter(|(_, r)| by_id.is_none_or(|id| id == r.refund_id) && by_no.is_none_or(|no| no == r.refund_no))
        .map(|(o, r)| refund_object(o, r));
    if by_id.or(by_no).is_none() {
        return ok(Value::object([("refunds", Value::Array(hits.collect()))]));
    }
    match hits.next() {
        Some(one) => ok(Value::object([("refund", one)])),
        None => refuse(HipoPayCode::NotFound, "no such refund"),
    }
}

/// `POST /refund` (4.8, `order_no`) or `POST /alipay/refund` (6.6,
/// `payment_no`): refunds `refund_amount` (in the order's currency; left
/// out: everything left) of a paid order. A repeated `outer_refund_no`
/// answers the refund it made; beyond what is left, an unpaid or a fully
/// refunded order is 400 (the seed documents no finer code).
pub(super) fn refund(ctx: &Ctx, wallet: Channel, params: &Value) -> Reply {
    let (_, gateway_key) = keys(wallet);
    let Some(id) = params.text(gateway_key) else { return refuse(HipoPayCode::BadRequest, &format!("{gateway_key} is required")) };
    let order = match find(ctx, wallet, &Value::object([(gateway_key, Value::str(id))])) {
        Ok(Some(order)) => order,
        Ok(None) => return refuse(HipoPayCode::BadRequest, &format!("{gateway_key} is required")),
        Err(refusal) => return refusal,
    };
    let amount = match params.text("refund_amount") {
        None => None,
        Some(text) => match amount_to_minor(text, Some(currency(&order))) {
            Some(minor) => Some(minor),
            None => return refuse(HipoPayCode::BadRequest, "refund_amount is not an amount in the order's currency"),
        },
    };
    let refund_no = params.text("outer_refund_no").map_or_else(|| format!("9{}{:02}", order.gateway_order_id, order.refunds.len()), str::to_owned);
    let mut outcome = Err(RefundRefusal::NotPaid);
    let updated = ctx.store.update(Gateway::HipoPay, &order.out_trade_no, ctx.now_ms, |o| outcome = o.refund(&refund_no, amount, ctx.now_ms));
    match (outcome, updated) {
        (Ok(refund) | Err(RefundRefusal::Duplicate(refund)), Some(o)) => ok(Value::object([("refund", refund_object(&o, &refund))])),
        (Err(RefundRefusal::Exceeds { .. }), _) => refuse(HipoPayCode::BadRequest, "退款金额超过可退款金额"),
        (Err(RefundRefusal::FullyRefunded), _) => refuse(HipoPayCode::BadRequest, "订单已全额退款"),
        (Err(RefundRefusal::NotPaid), _) => refuse(HipoPayCode::BadRequest, "订单未支付"),
        (_, None) => refuse(HipoPayCode::NotFound, "no such order"),
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
