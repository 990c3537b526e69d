//! What a flow tells the page: `action` / `status` events, the pending
//! order to keep, and how a payment ends (resolve or reject).

use super::{Flow, Phase};
use crate::checkout::pending;
use crate::error::{ErrorCode, PayError};
use crate::json::Obj;
use crate::model::{OrderStatus, PayState};

impl Flow {
    /// The pending-order text to keep across a redirect, with its deadline.
    pub(super) fn store(&mut self, deadline_ms: i64) {
        let entry = pending::encode(
            self.settings.gateway,
            &self.order.out_trade_no,
            self.mode,
            self.channel,
            self.gateway_order_id.as_deref(),
            deadline_ms,
            self.order.client_secret.as_deref(),
        );
        self.fx.store(&entry);
    }

    /// An `action` event: `detail`'s members plus the order number, mode,
    /// channel and (when known) the deadline.
    pub(super) fn action(&mut self, mut detail: Obj, deadline: Option<i64>) {
        detail.text("outTradeNo", &self.order.out_trade_no).text("mode", self.mode.as_str()).text("channel", self.channel.as_str());
        if let Some(d) = deadline {
            detail.num("deadline", d);
        }
        self.fx.emit("action", &detail.end());
    }

    /// Remembers a status and emits `status` when state or gateway state changed.
    pub(super) fn observe(&mut self, status: OrderStatus) {
        let changed = self.last.as_ref().map_or(true, |l| l.state != status.state || l.gateway_state != status.gateway_state);
        if changed {
            let detail = self.with_order(&status).end();
            self.fx.emit("status", &detail);
        }
        self.last = Some(status);
    }

    /// A status with the order number and channel (a `status` event, an outcome).
    fn with_order(&self, status: &OrderStatus) -> Obj {
        let mut o = Obj::new();
        o.status(status).text("outTradeNo", &self.order.out_trade_no).text("channel", self.channel.as_str());
        o
    }

    pub(super) fn settle(&mut self, status: OrderStatus, verified: bool) {
        if self.page_cancel && verified && matches!(status.state, PayState::Cancelled | PayState::Closed) {
            self.observe(status);
            return self.fail(PayError::new(ErrorCode::Cancelled), false);
        }
        self.phase = Phase::Done;
        self.poller = None;
        let mut outcome = self.with_order(&status);
        outcome.flag("verified", verified);
        self.observe(status);
        self.fx.clear();
        self.fx.resolve(&outcome.end());
    }

    pub(super) fn fail(&mut self, e: PayError, emit: bool) {
        self.phase = Phase::Done;
        self.poller = None;
        self.fx.clear();
        self.fx.reject(&e, emit);
    }
}
