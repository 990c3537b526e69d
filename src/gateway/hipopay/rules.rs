//! What the signing proxy may forward and must own (the endpoint table,
//! server-owned fields) and the refund calls of the back office.

use super::*;
use crate::gateway::{AppContainer, AppIdSlot};

/// A form `POST`.
const fn form(path: &'static str, operation: Operation) -> Endpoint {
    Endpoint::new(path, operation).sent(HttpMethod::Post, Encoding::Form)
}

/// A WeChat create (4.x): the order in `agent_order_id`, the goods in `product_info`.
const fn wechat(path: &'static str) -> Endpoint {
    form(path, Operation::Create).order("agent_order_id").amount(AMOUNT_FIELD).subject("product_info", 128)
}

/// An Alipay create (6.x): the order in `out_order_no`, the goods in `subject`.
const fn alipay(path: &'static str) -> Endpoint {
    form(path, Operation::Create).order("out_order_no").amount(AMOUNT_FIELD).subject("subject", 128)
}

/// A GET endpoint; browser-reachable only when it names an order.
const fn get(path: &'static str, operation: Operation, order_ref: Option<&'static str>) -> Endpoint {
    let e = Endpoint::new(path, operation).sent(HttpMethod::Get, Encoding::Query);
    match order_ref {
        Some(field) => e.order(field),
        None => e.server_only(),
    }
}

/// A refund (4.8 WeChat `POST /refund`, 6.6 Alipay `POST /alipay/refund`):
/// back office only; it shares its path with the refund query and is told
/// apart by its method ([`ProxyRules::endpoint_for`]), listed after it so a
/// path-only lookup finds the query. The amount travels as integer minor
/// units and the wire writes HipoPay's decimal.
const fn refund(path: &'static str) -> Endpoint {
    form(path, Operation::Refund).server_only().amount("refund_amount")
}

const ENDPOINTS: &[Endpoint] = &[
    // 4.2 and 4.3 take the terminal's IP.
    wechat("/order/scanned_pay").client_ip(CLIENT_IP_FIELD),
    wechat("/order/scan_pay").client_ip(CLIENT_IP_FIELD),
    wechat("/order/jsapi_pay"),
    wechat("/order/mini_program_pay"),
    wechat("/order/app_pay"),
    wechat("/order/pc_desk"),
    wechat("/order/mp_desk"),
    alipay("/alipay/qrcode_pay"),
    alipay("/alipay/scanned_pay"),
    alipay("/alipay/wap_pay"),
    alipay("/alipay/scan_pay"),
    alipay("/alipay/app_pay"),
    alipay("/alipay/pc_desk"),
    // The page exchanges the code for the order it pays (the proxy checks
    // that order's client secret); the wire sends only `code` and
    // `merchant_no`, as 4.4 step 2 lists.
    form(OPENID_PATH, Operation::Read).order("agent_order_id"),
    get("/order", Operation::Query, Some("agent_order_id")),
    get("/alipay/order", Operation::Query, Some("out_order_no")),
    get("/refund", Operation::RefundQuery, Some("agent_order_id")),
    get("/alipay/refund", Operation::RefundQuery, Some("outer_order_no")),
    get("/rate", Operation::Read, None),
    get("/alipay/rate", Operation::Read, None),
    refund("/refund"),
    refund("/alipay/refund"),
];

const SERVER_OWNED: &[&str] = &[MERCHANT_NO_FIELD, CURRENCY_FIELD, AMOUNT_FIELD, NOTIFY_URL_FIELD, CLIENT_IP_FIELD, "agent_no", "AgentNo", "Signature", "Version", "Timestamp"];

impl ProxyRules for HipoPay {
    fn endpoints(&self) -> &'static [Endpoint] {
        ENDPOINTS
    }

    fn server_owned_fields(&self) -> &'static [&'static str] {
        SERVER_OWNED
    }

    /// `appid` of the mini-program pay (4.4 step 3).
    fn app_id_slot(&self, endpoint: &Endpoint, _params: &[(String, Value)]) -> Option<AppIdSlot> {
        (endpoint.path == "/order/mini_program_pay").then_some(AppIdSlot { field: "appid", container: AppContainer::MiniProgram })
    }

    /// HipoPay's container (4.1 step 1) gives a payer's openid.
    fn openid_container(&self) -> bool {
        true
    }
}

impl RefundQuery for HipoPay {
    fn refund_query_request(&self, order: &OrderRef, refund_no: Option<&str>) -> Result<GatewayRequest, PayError> {
        let (path, mut params) = match query_wallet(order)? {
            Channel::Alipay => ("/alipay/refund", order_keys(order, "outer_order_no", "payment_no")?),
            _ => ("/refund", order_keys(order, "agent_order_id", "order_no")?),
        };
        if let Some(no) = optional(refund_no) {
            add(&mut params, "outer_refund_no", check_order_no(no)?);
        }
        Ok(request(Operation::RefundQuery, HttpMethod::Get, path, params))
    }

    fn parse_refund_query(&self, body: &Value) -> Result<Vec<RefundStatus>, PayError> {
        parse::refunds(body)
    }

    /// 4.8 `POST /refund` (`order_no`) for WeChat, 6.6 `POST /alipay/refund`
    /// (`payment_no`) for Alipay: both name HipoPay's own order number
    /// ([`OrderRef::gateway_order_id`], which a query reports), with
    /// `outer_refund_no` and `refund_amount` — always sent, since leaving it
    /// out refunds in full.
    fn refund_request(&self, order: &OrderRef, refund_no: &str, amount: i64, total: i64) -> Result<GatewayRequest, PayError> {
        check_refund(refund_no, 64, b"-_", amount, total)?;
        let id = order
            .gateway_order_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| PayError::invalid_argument("HipoPay refunds name HipoPay's order number: query the order first"))?;
        let id = check_order_no(id)?;
        let (path, key) = match query_wallet(order)? {
            Channel::Alipay => ("/alipay/refund", "payment_no"),
            _ => ("/refund", "order_no"),
        };
        let params = texts(&[(key, id), ("outer_refund_no", refund_no), ("refund_amount", &amount.to_string())]);
        Ok(request(Operation::Refund, HttpMethod::Post, path, params))
    }

    /// A refund object (§11.2) in `data.refund`.
    fn parse_refund(&self, body: &Value) -> Result<RefundStatus, PayError> {
        single_refund(parse::refunds(body)?)
    }

    /// HipoPay's order number (`no` / `payment_no`), which [`parse::query`]
    /// reports as the transaction id.
    fn refund_order_id(&self, status: &OrderStatus) -> Option<String> {
        status.transaction_id.clone()
    }
}
