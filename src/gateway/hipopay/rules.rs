//! What the signing proxy may forward and must own (the endpoint table,
//! server-owned fields) and the refund calls of the back office.

use super::*;

const fn create(path: &'static str, order_ref: &'static str) -> Endpoint {
    Endpoint {
        path,
        method_param: None,
        http: HttpMethod::Post,
        encoding: Encoding::Form,
        operation: Operation::Create,
        browser: true,
        order_ref: Some(order_ref),
        amount_field: Some(AMOUNT_FIELD),
    }
}

/// A GET endpoint; browser-reachable only when it names an order.
const fn get(path: &'static str, operation: Operation, order_ref: Option<&'static str>) -> Endpoint {
    Endpoint { path, method_param: None, http: HttpMethod::Get, encoding: Encoding::Query, operation, browser: order_ref.is_some(), order_ref, amount_field: None }
}

/// A refund (4.8 WeChat `POST /refund`, 6.6 Alipay `POST /alipay/refund`):
/// back office only; it shares its path with the refund query and is told
/// apart by its method ([`ProxyRules::endpoint_for`]), listed after it so a
/// path-only lookup finds the query. The amount travels as integer minor
/// units and the wire writes HipoPay's decimal.
const fn refund(path: &'static str) -> Endpoint {
    Endpoint {
        path,
        method_param: None,
        http: HttpMethod::Post,
        encoding: Encoding::Form,
        operation: Operation::Refund,
        browser: false,
        order_ref: None,
        amount_field: Some("refund_amount"),
    }
}

const ENDPOINTS: &[Endpoint] = &[
    create("/order/scanned_pay", "agent_order_id"),
    create("/order/scan_pay", "agent_order_id"),
    create("/order/jsapi_pay", "agent_order_id"),
    create("/order/mini_program_pay", "agent_order_id"),
    create("/order/app_pay", "agent_order_id"),
    create("/order/pc_desk", "agent_order_id"),
    create("/order/mp_desk", "agent_order_id"),
    create("/alipay/qrcode_pay", "out_order_no"),
    create("/alipay/scanned_pay", "out_order_no"),
    create("/alipay/wap_pay", "out_order_no"),
    create("/alipay/scan_pay", "out_order_no"),
    create("/alipay/app_pay", "out_order_no"),
    create("/alipay/pc_desk", "out_order_no"),
    Endpoint {
        path: OPENID_PATH,
        method_param: None,
        http: HttpMethod::Post,
        encoding: Encoding::Form,
        operation: Operation::Read,
        // The page exchanges the code for the order it pays (the proxy checks
        // that order's client secret); the wire sends only `code` and
        // `merchant_no`, as 4.4 step 2 lists.
        browser: true,
        order_ref: Some("agent_order_id"),
        amount_field: None,
    },
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
}

impl RefundQuery for HipoPay {
    fn refund_query_request(&self, order: &OrderRef, refund_no: Option<&str>) -> Result<GatewayRequest, PayError> {
        let (path, mut params) = match query_wallet(order)? {
            Channel::Alipay => ("/alipay/refund", order_keys(order, "outer_order_no", "payment_no")?),
            _ => ("/refund", order_keys(order, "agent_order_id", "order_no")?),
        };
        if let Some(no) = refund_no.map(str::trim).filter(|n| !n.is_empty()) {
            check_order_no(no)?;
            params.push(("outer_refund_no", no.to_owned()));
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
        check_order_no(id)?;
        let (path, key) = match query_wallet(order)? {
            Channel::Alipay => ("/alipay/refund", "payment_no"),
            _ => ("/refund", "order_no"),
        };
        let params = vec![(key, id.to_owned()), ("outer_refund_no", refund_no.to_owned()), ("refund_amount", amount.to_string())];
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
