//! Answers from the proxy: create, the gateway's own step, queries, cancels.

use super::{proxy_error, Flow, Phase, Reply, MAX_CANCELS};
use crate::checkout::effect::Tag;
use crate::checkout::step;
use crate::error::{ErrorCode, PayError};
use crate::gateway::{parse_body, protocol};
use crate::json::Value;
use crate::model::{OrderStatus, PayState};
use crate::poll::Outcome as Answer;

impl Flow {
    /// What an answer means in the current phase (a late or stale one means nothing).
    pub(super) fn on_answer(&mut self, now: i64, rng: u32, tag: Tag, seq: u32, answer: Option<Reply>) {
        match (tag, self.phase) {
            (Tag::Create, Phase::Creating) => match answer {
                Some((status, body, verified)) => self.on_created(now, rng, status, body, verified),
                None => self.fail(PayError::new(ErrorCode::Network).with_detail("the create call got no answer"), true),
            },
            (Tag::Step, Phase::Step) => {
                let read = match answer {
                    Some((status, body, _)) => self.body(status, body),
                    None => Err(PayError::new(ErrorCode::Network).with_detail("the call before the create call got no answer")),
                };
                match read.and_then(|v| step::answer(self.settings.gateway, &v, &mut self.order)) {
                    Ok(kept) => {
                        if kept.is_some() {
                            self.kept = kept;
                        }
                        self.create()
                    }
                    Err(e) => self.fail(e, true),
                }
            }
            (Tag::Query, Phase::Polling) if seq == self.query_seq => self.on_query(now, rng, seq, answer),
            (Tag::Confirm, Phase::Polling) if seq == self.confirm_seq => self.on_confirm(now, rng, answer),
            (Tag::Cancel, Phase::Cancelling) => {
                let cancelled = answer.and_then(|(status, body, verified)| {
                    self.body(status, body).and_then(|v| protocol(self.settings.gateway)?.parse_cancel(&v)).ok().map(|st| self.trusted(st, verified))
                });
                match cancelled {
                    Some(st) if st.state.is_terminal() => self.settle(st, true),
                    _ => self.final_query(),
                }
            }
            (Tag::Final, Phase::FinalQuery) => {
                match answer.map(|reply| self.status_of(reply)) {
                    Some(Ok(st)) if st.state.is_terminal() => self.settle(st, true),
                    // The cancel did not take and the payer is still paying: wait
                    // one more period and try again, once.
                    Some(Ok(st)) if st.state != PayState::Unknown && self.cancel_attempts < MAX_CANCELS => {
                        self.observe(st);
                        let deadline = now.saturating_add(i64::from(self.settings.counter_timeout_ms));
                        self.poll_until(now, rng, deadline, false);
                    }
                    _ => {
                        let last = self.last.clone().unwrap_or_else(|| OrderStatus::new(PayState::Unknown, ""));
                        self.settle(OrderStatus { state: PayState::Unknown, ..last }, false)
                    }
                }
            }
            _ => {}
        }
    }

    /// The JSON of an answer for a parser: a `proxy_error` body is a
    /// `proxy_error` (with the proxy's code as `gatewayCode`), a non-JSON
    /// error status a `network` error.
    pub(super) fn body(&self, status: u16, body: &str) -> Result<Value, PayError> {
        let value = match parse_body(body) {
            Ok(v) => v,
            Err(_) if !(200..300).contains(&status) => return Err(PayError::new(ErrorCode::Network).with_detail(detail!("HTTP {status}"))),
            Err(e) => return Err(e),
        };
        match proxy_error(&value) {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }

    /// A status query's answer, as far as it can be trusted.
    fn status_of(&self, (status, body, verified): Reply) -> Result<OrderStatus, PayError> {
        let st = self.body(status, body).and_then(|v| protocol(self.settings.gateway)?.parse_query(&v))?;
        Ok(self.trusted(st, verified))
    }

    fn on_query(&mut self, now: i64, rng: u32, seq: u32, answer: Option<Reply>) {
        let mark = self.fx.mark();
        let outcome = self.read_status(answer);
        let Some(p) = self.poller.as_mut() else { return };
        if !p.on_response(now, seq, outcome) {
            return;
        }
        if let Some((status, verified)) = self.settle_hint(outcome) {
            return self.settle_instead(mark, status, verified);
        }
        self.pump(now, rng);
    }

    /// A status answer as a poll outcome, with its `status` / `error` events.
    fn read_status(&mut self, answer: Option<Reply>) -> Answer {
        match answer.ok_or_else(|| PayError::new(ErrorCode::Network)).and_then(|reply| self.status_of(reply)) {
            Ok(st) => {
                let state = st.state;
                self.observe(st);
                Answer::State(state)
            }
            Err(e) => {
                self.fx.emit_error(&e);
                Answer::Failed
            }
        }
    }

    /// After a wallet's "cancel" / "fail": the first known answer decides
    /// the outcome (and whether it is verified).
    fn settle_hint(&self, outcome: Answer) -> Option<(OrderStatus, bool)> {
        let (hint, raw) = self.hint.as_ref()?;
        match outcome {
            Answer::State(state) if state.is_terminal() => Some((self.last.clone()?, true)),
            Answer::State(state) if state != PayState::Unknown => {
                Some((OrderStatus { state: hint.unconfirmed_state()?, gateway_state: raw.clone(), amount: None, transaction_id: None }, false))
            }
            _ => None,
        }
    }

    /// Settles with `status`, leaving out the events written since `mark`
    /// (the answer's own `status` / `error`: the outcome says what counts).
    fn settle_instead(&mut self, mark: usize, status: OrderStatus, verified: bool) {
        self.fx.truncate(mark);
        self.settle(status, verified);
    }

    fn on_confirm(&mut self, now: i64, rng: u32, answer: Option<Reply>) {
        let mark = self.fx.mark();
        let outcome = self.read_status(answer);
        if let Some((status, verified)) = self.settle_hint(outcome) {
            return self.settle_instead(mark, status, verified);
        }
        if let (Answer::State(state), Some(last)) = (outcome, self.last.as_ref()) {
            if state.is_terminal() {
                return self.settle_instead(mark, last.clone(), true);
            }
        }
        self.nudge(now, rng);
    }
}
