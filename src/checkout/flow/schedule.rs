//! The polling schedule and how a payment ends at its deadline: renew,
//! cancel a counter payment, one final query.

use super::{Flow, Phase, CALL_TIMEOUT_MS, MAX_CANCELS};
use crate::checkout::effect::Tag;
use crate::error::{ErrorCode, PayError};
use crate::gateway::{protocol, GatewayRequest};
use crate::json::Obj;
use crate::model::Mode;
use crate::poll::{Decision, PollPolicy, Poller, StopReason};

impl Flow {
    /// Starts the schedule towards `deadline` (with one query at once when
    /// `at_once`) and runs it.
    pub(super) fn poll_until(&mut self, now: i64, rng: u32, deadline: i64, at_once: bool) {
        let mut poller = Poller::new(PollPolicy::default().with_long_poll(self.long_poll_s), now, deadline);
        if at_once {
            poller.nudge(now);
        }
        self.poller = Some(poller);
        self.phase = Phase::Polling;
        self.pump(now, rng)
    }

    /// The fetch of `req` (or the failure to build it, which ends the payment).
    pub(super) fn send(&mut self, tag: Tag, seq: u32, req: Result<GatewayRequest, PayError>, wait_s: u32, timeout_ms: u32) {
        match req {
            Ok(req) => self.fetch(tag, seq, &req, wait_s, timeout_ms),
            Err(e) => self.fail(e, true),
        }
    }

    fn query_request(&self) -> Result<GatewayRequest, PayError> {
        protocol(self.settings.gateway).and_then(|p| p.query_request(&self.order_ref()))
    }

    /// One query now, outside the schedule (a long-poll query may be held
    /// at the proxy); its answer restarts the schedule's fast phase.
    pub(super) fn confirm_now(&mut self) {
        if self.phase != Phase::Polling {
            return;
        }
        self.confirm_seq = self.confirm_seq.wrapping_add(1);
        self.send(Tag::Confirm, self.confirm_seq, self.query_request(), 0, CALL_TIMEOUT_MS)
    }

    pub(super) fn nudge(&mut self, now: i64, rng: u32) {
        if let Some(p) = self.poller.as_mut() {
            p.nudge(now);
        }
        self.pump(now, rng)
    }

    /// Asks the schedule what to do and does it.
    pub(super) fn pump(&mut self, now: i64, rng: u32) {
        if self.phase != Phase::Polling {
            return;
        }
        let Some(p) = self.poller.as_mut() else { return };
        match p.next_delay(now, rng) {
            Decision::Wait(ms) => self.fx.sleep(ms),
            Decision::QueryNow(q) => {
                self.query_seq = q.seq;
                self.send(Tag::Query, q.seq, self.query_request(), q.wait_s, q.timeout_ms)
            }
            Decision::Stop(StopReason::Settled(_)) => {
                if let Some(st) = self.last.clone() {
                    self.settle(st, true);
                }
            }
            Decision::Stop(StopReason::Deadline) => self.on_deadline(),
            Decision::Stop(StopReason::Cancelled) => {}
        }
    }

    fn on_deadline(&mut self) {
        self.poller = None;
        if self.mode == Mode::Counter {
            self.cancel_attempts += 1;
            return self.send_cancel();
        }
        let renewing = self.mode == Mode::Qr && self.settings.can_renew && !self.resumed;
        let mut expired = Obj::new();
        expired.text("outTradeNo", &self.order.out_trade_no).flag("renewing", renewing);
        self.fx.emit("expired", &expired.end());
        if renewing {
            self.phase = Phase::Renewing;
            self.fx.renew(&self.order.out_trade_no);
        } else {
            self.fail(PayError::new(ErrorCode::Expired), false);
        }
    }

    /// The page's `cancel()` of a waiting counter payment whose gateway can
    /// cancel (HipoPay cannot: it just stops there): one cancel, one
    /// final query, no further wait; only a confirmed cancel rejects with
    /// `cancelled` (a payment that went through meanwhile still resolves).
    pub(super) fn cancel_counter(&mut self) {
        self.poller = None;
        self.page_cancel = true;
        self.cancel_attempts = MAX_CANCELS;
        self.send_cancel()
    }

    pub(super) fn cancel_request(&self) -> Result<GatewayRequest, PayError> {
        protocol(self.settings.gateway).and_then(|p| p.cancel_request(&self.order_ref()))
    }

    fn send_cancel(&mut self) {
        self.phase = Phase::Cancelling;
        match self.cancel_request() {
            Ok(req) => self.fetch(Tag::Cancel, 0, &req, 0, CALL_TIMEOUT_MS),
            Err(_) => self.final_query(),
        }
    }

    pub(super) fn final_query(&mut self) {
        self.phase = Phase::FinalQuery;
        self.send(Tag::Final, 0, self.query_request(), 0, CALL_TIMEOUT_MS)
    }
}
