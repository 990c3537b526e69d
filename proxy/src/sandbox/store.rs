//! The sandbox's order book: one state machine per order, shared by the five
//! sandbox gateways. Time is passed in (Unix milliseconds) so transitions are
//! testable without sleeping.

use paybridge::gateway::CreateParams;
use paybridge::model::{Channel, Gateway, Mode};
use std::collections::HashMap;
use std::sync::Mutex;

/// Where a sandbox order stands. Each gateway maps these onto its own codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderState {
    /// Created, waiting for the payer.
    Unpaid,
    /// The payer is confirming (counter PIN entry, MWEB in progress).
    Paying,
    Paid,
    Failed,
    /// Closed by the merchant before payment.
    Closed,
    /// Its time limit passed unpaid.
    Expired,
    /// Reversed / reverted / cancelled.
    Reverted,
    Refunded,
}

impl OrderState {
    /// Whether the order can no longer change (apart from a refund after payment).
    pub fn is_final(self) -> bool {
        !matches!(self, OrderState::Unpaid | OrderState::Paying)
    }
}

/// A payer action on the sandbox's control API or wallet page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayerAction {
    Pay,
    Cancel,
    Fail,
    Expire,
}

impl PayerAction {
    /// Parses `pay`, `cancel`, `fail`, `expire`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pay" => PayerAction::Pay,
            "cancel" => PayerAction::Cancel,
            "fail" => PayerAction::Fail,
            "expire" => PayerAction::Expire,
            _ => return None,
        })
    }
}

/// One order in the sandbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub gateway: Gateway,
    pub out_trade_no: String,
    /// The gateway's own order id (BlueOcean `sn`, HipoPay `order_no`…).
    pub gateway_order_id: String,
    /// The wallet's transaction id, set when paid.
    pub transaction_id: Option<String>,
    /// Amount in minor units, as the (signed) create request said.
    pub amount: i64,
    pub mode: Mode,
    pub channel: Channel,
    pub state: OrderState,
    pub created_ms: i64,
    /// When an unpaid order expires.
    pub expires_ms: i64,
    /// Where notifications go (from the signed create request).
    pub notify_url: Option<String>,
    /// The create request's parameters, for gateways that echo fields back.
    pub params: Vec<(String, String)>,
    /// When a counter payment leaves USERPAYING by itself (paid), if it will.
    pub settle_at_ms: Option<i64>,
    /// Its refunds, oldest first.
    pub refunds: Vec<Refund>,
}

/// One refund of a sandbox order. Refunds settle at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    /// The merchant's refund number.
    pub refund_no: String,
    /// The gateway's refund id.
    pub refund_id: String,
    /// Amount in minor units.
    pub amount: i64,
    /// When it was made (Unix ms).
    pub created_ms: i64,
}

/// Why a sandbox order cannot be refunded; each gateway answers it with its
/// own documented code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundRefusal {
    /// The order was never paid (or was reverted before payment).
    NotPaid,
    /// Nothing is left to refund.
    FullyRefunded,
    /// More than what is left (`refundable`), or not a positive amount.
    Exceeds { refundable: i64 },
    /// The refund number was used before, for this refund.
    Duplicate(Refund),
}

impl Order {
    /// A new unpaid order.
    pub fn new(gateway: Gateway, p: &CreateParams, amount: i64, now_ms: i64, ttl_ms: i64) -> Order {
        Order {
            gateway,
            out_trade_no: p.out_trade_no.clone(),
            gateway_order_id: gateway_order_id(now_ms, &p.out_trade_no),
            transaction_id: None,
            amount,
            mode: p.mode,
            channel: p.channel,
            state: OrderState::Unpaid,
            created_ms: now_ms,
            expires_ms: now_ms + ttl_ms,
            notify_url: None,
            params: Vec::new(),
            settle_at_ms: None,
            refunds: Vec::new(),
        }
    }

    /// The amount refunded so far.
    pub fn refunded(&self) -> i64 {
        self.refunds.iter().map(|r| r.amount).sum()
    }

    /// What may still be refunded: the paid amount less the refunds.
    pub fn refundable(&self) -> i64 {
        if matches!(self.state, OrderState::Paid | OrderState::Refunded) {
            self.amount - self.refunded()
        } else {
            0
        }
    }

    /// Refunds `amount` (`None`: everything left) under `refund_no`. A paid
    /// order stays `Paid` while partly refunded and becomes `Refunded` when
    /// nothing is left.
    pub fn refund(&mut self, refund_no: &str, amount: Option<i64>, now_ms: i64) -> Result<Refund, RefundRefusal> {
        self.tick(now_ms);
        if let Some(r) = self.refunds.iter().find(|r| r.refund_no == refund_no) {
            return Err(RefundRefusal::Duplicate(r.clone()));
        }
        match self.state {
            OrderState::Paid => {}
            OrderState::Refunded => return Err(RefundRefusal::FullyRefunded),
            _ => return Err(RefundRefusal::NotPaid),
        }
        let refundable = self.refundable();
        let amount = amount.unwrap_or(refundable);
        if amount <= 0 || amount > refundable {
            return Err(RefundRefusal::Exceeds { refundable });
        }
        let refund = Refund { refund_no: refund_no.to_owned(), refund_id: format!("50{}{:02}", self.gateway_order_id, self.refunds.len()), amount, created_ms: now_ms };
        self.refunds.push(refund.clone());
        if self.refundable() == 0 {
            self.state = OrderState::Refunded;
        }
        Ok(refund)
    }

    /// Applies time: an unpaid order past its expiry becomes `Expired`; a
    /// counter payment whose PIN delay is over becomes `Paid`. Returns
    /// whether the state changed.
    pub fn tick(&mut self, now_ms: i64) -> bool {
        match self.state {
            OrderState::Paying if self.settle_at_ms.is_some_and(|t| now_ms >= t) => {
                self.settle(OrderState::Paid, now_ms);
                true
            }
            OrderState::Unpaid | OrderState::Paying if now_ms >= self.expires_ms => {
                self.state = OrderState::Expired;
                true
            }
            _ => false,
        }
    }

    /// Applies a payer action; `Err` explains why it is not possible now.
    pub fn apply(&mut self, action: PayerAction, now_ms: i64) -> Result<(), &'static str> {
        self.tick(now_ms);
        if self.state.is_final() {
            return Err("order is already final");
        }
        let next = match action {
            PayerAction::Pay => OrderState::Paid,
            PayerAction::Cancel => OrderState::Reverted,
            PayerAction::Fail => OrderState::Failed,
            PayerAction::Expire => OrderState::Expired,
        };
        self.settle(next, now_ms);
        Ok(())
    }

    fn settle(&mut self, state: OrderState, now_ms: i64) {
        self.state = state;
        self.settle_at_ms = None;
        if state == OrderState::Paid {
            self.transaction_id = Some(format!("4200{}{}", now_ms, &self.gateway_order_id[self.gateway_order_id.len().saturating_sub(6)..]));
        }
    }
}

/// A gateway order id: time plus a short hash of the merchant's number, all digits.
fn gateway_order_id(now_ms: i64, out_trade_no: &str) -> String {
    let h = out_trade_no.bytes().fold(17u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!("{}{:06}", now_ms, h % 1_000_000)
}

/// All sandbox orders, keyed by gateway and merchant order number.
#[derive(Debug, Default)]
pub struct Store {
    orders: Mutex<HashMap<(Gateway, String), Order>>,
}

impl Store {
    /// Inserts an order; `false` if that number exists for the gateway already.
    pub fn insert(&self, order: Order) -> bool {
        let mut map = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        let key = (order.gateway, order.out_trade_no.clone());
        if map.contains_key(&key) {
            return false;
        }
        map.insert(key, order);
        true
    }

    /// A copy of the order after applying time.
    pub fn get(&self, gateway: Gateway, out_trade_no: &str, now_ms: i64) -> Option<Order> {
        self.update(gateway, out_trade_no, now_ms, |_| ())
    }

    /// Finds an order by the gateway's own id.
    pub fn find_by_gateway_id(&self, gateway: Gateway, id: &str, now_ms: i64) -> Option<Order> {
        let no = {
            let map = self.orders.lock().unwrap_or_else(|e| e.into_inner());
            map.values().find(|o| o.gateway == gateway && o.gateway_order_id == id).map(|o| o.out_trade_no.clone())
        }?;
        self.get(gateway, &no, now_ms)
    }

    /// Runs `f` on the order (after applying time) and returns the updated copy.
    pub fn update<R>(&self, gateway: Gateway, out_trade_no: &str, now_ms: i64, f: impl FnOnce(&mut Order) -> R) -> Option<Order> {
        let mut map = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        let order = map.get_mut(&(gateway, out_trade_no.to_owned()))?;
        order.tick(now_ms);
        f(order);
        Some(order.clone())
    }

    /// The order holding refund `refund_no` (after applying time) and that refund.
    pub fn find_refund(&self, gateway: Gateway, refund_no: &str, now_ms: i64) -> Option<(Order, Refund)> {
        let no = {
            let map = self.orders.lock().unwrap_or_else(|e| e.into_inner());
            map.values().find(|o| o.gateway == gateway && o.refunds.iter().any(|r| r.refund_no == refund_no)).map(|o| o.out_trade_no.clone())
        }?;
        let order = self.get(gateway, &no, now_ms)?;
        let refund = order.refunds.iter().find(|r| r.refund_no == refund_no)?.clone();
        Some((order, refund))
    }

    /// Every order (for the wallet page and diagnostics).
    pub fn all(&self) -> Vec<Order> {
        self.orders.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Order {
        Order::new(Gateway::BlueOcean, &CreateParams::new(Mode::Qr, Channel::Wechat, "PB00000001"), 100, 1_000, 60_000)
    }

    #[test]
    fn pays_once_and_stays_paid() {
        let mut o = order();
        o.apply(PayerAction::Pay, 2_000).unwrap();
        assert_eq!(o.state, OrderState::Paid);
        assert!(o.transaction_id.is_some());
        assert!(o.apply(PayerAction::Cancel, 3_000).is_err());
    }

    #[test]
    fn expires_unpaid_and_cannot_be_paid_after() {
        let mut o = order();
        assert!(o.tick(61_000));
        assert_eq!(o.state, OrderState::Expired);
        assert!(o.apply(PayerAction::Pay, 61_001).is_err());
    }

    #[test]
    fn counter_payment_settles_after_the_pin_delay() {
        let mut o = order();
        o.state = OrderState::Paying;
        o.settle_at_ms = Some(5_000);
        assert!(!o.tick(4_999));
        assert!(o.tick(5_000));
        assert_eq!(o.state, OrderState::Paid);
    }

    #[test]
    fn refunds_partly_then_fully_and_never_beyond() {
        let mut o = order();
        assert_eq!(o.refund("R1", Some(10), 1_500), Err(RefundRefusal::NotPaid));
        o.apply(PayerAction::Pay, 2_000).unwrap();
        let first = o.refund("R1", Some(30), 2_100).unwrap();
        assert_eq!((o.state, o.refundable()), (OrderState::Paid, 70));
        assert_eq!(o.refund("R1", Some(30), 2_200), Err(RefundRefusal::Duplicate(first)));
        assert_eq!(o.refund("R2", Some(71), 2_200), Err(RefundRefusal::Exceeds { refundable: 70 }));
        assert_eq!(o.refund("R2", Some(0), 2_200), Err(RefundRefusal::Exceeds { refundable: 70 }));
        assert_eq!(o.refund("R2", None, 2_300).unwrap().amount, 70);
        assert_eq!((o.state, o.refunded(), o.refundable()), (OrderState::Refunded, 100, 0));
        assert_eq!(o.refund("R3", Some(1), 2_400), Err(RefundRefusal::FullyRefunded));
    }

    #[test]
    fn store_keys_by_gateway_and_number() {
        let s = Store::default();
        assert!(s.insert(order()));
        assert!(!s.insert(order()));
        let id = s.get(Gateway::BlueOcean, "PB00000001", 1_500).unwrap().gateway_order_id;
        assert_eq!(s.find_by_gateway_id(Gateway::BlueOcean, &id, 1_500).unwrap().out_trade_no, "PB00000001");
        assert!(s.get(Gateway::HipoPay, "PB00000001", 1_500).is_none());
        s.update(Gateway::BlueOcean, "PB00000001", 2_000, |o| o.apply(PayerAction::Fail, 2_000)).unwrap();
        assert_eq!(s.get(Gateway::BlueOcean, "PB00000001", 2_000).unwrap().state, OrderState::Failed);
    }
}
