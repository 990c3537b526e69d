//! The status-polling schedule as pure logic: time is injected (Unix or
//! virtual milliseconds), randomness too, so it is tested natively.
//!
//! The driver (the web facade) loops: ask [`Poller::next_delay`]; on
//! [`Decision::Wait`] sleep that long (or until an event), on
//! [`Decision::QueryNow`] send one status query (with `?wait=` when the query
//! says so, aborted after its `timeout_ms`) and report its answer with
//! [`Poller::on_response`]; on [`Decision::Stop`] finish. Page events go to
//! [`Poller::on_hidden`], [`Poller::on_visible`] and [`Poller::nudge`].
//!
//! Rules: one query in flight at a time (a query started and not answered
//! blocks new ones until it answers or its timeout passes; late answers are
//! ignored by sequence number); no query while the page is hidden and one at
//! once when it shows again; the deadline is the order's expiry, with one
//! last query at the deadline so a payment made just before it is not shown
//! as expired; "unknown" states and network errors keep polling (errors back
//! off); a terminal state stops.
//!
//! # The schedule
//!
//! DESIGN asks for "paid → page knows in ≤ 1 s at p95 in the first minute"
//! and fewer requests over a 5-minute wait than Adyen (2 s, then 10 s after
//! 60 s: 30 + 24 = 54). Plain polling cannot do both: for 95 % of payment
//! moments spread over the first minute to be seen within 1 s, a query must
//! start at least every second for 57 of those 60 s, which is 57 requests in
//! the first minute alone. So:
//!
//! - **Long-poll** (the proxy offers `?wait=N`, N ≤ 30) meets both: the next
//!   query follows each answer at once (but never starts sooner than
//!   `first_interval_ms` after the previous one, so a proxy that ignores
//!   `wait` cannot cause a request storm), the proxy answers as soon as the
//!   state changes, and `wait` is clamped to the time left before the
//!   deadline. Detection then costs the answer latency plus however fast the
//!   proxy learns of the payment (its notification), which the simulation
//!   takes as immediate.
//! - **Plain polling** (the default) beats Adyen on both counts instead:
//!   1.5 s between an answer and the next query for the first 55 s (the p95
//!   lets the last 5 % of the minute be slower), then ×1.5 per query up to a
//!   20 s ceiling; ±10 % jitter so pages that opened together, or recovered
//!   from the same proxy outage, do not query in step. A returning page or a
//!   nudge (bridge "ok", "I have paid") restarts the fast phase, so a payer
//!   back from the wallet is served by an immediate query, not the ceiling.
//!   Errors back off the same way, even in the fast phase.
//!
//! Measured with [`simulate`] (100 ms answers, 2000 payment moments spread
//! over the first minute; see the tests):
//!
//! | schedule | requests in 5 min unpaid | p95 paid → page knows, first minute |
//! |---|---|---|
//! | Adyen replay (2 s, 10 s after 60 s) | 53 | 2038 ms |
//! | default (plain) | 51 | 1703 ms |
//! | long-poll, 25 s | 14 | 50 ms |

use crate::model::PayState;

/// Longest `?wait=` the proxy contract allows, in seconds.
pub const MAX_LONG_POLL_S: u32 = 30;

/// Longest [`Decision::Wait`], so it fits `setTimeout` (2³¹ − 1 ms).
pub const MAX_WAIT_MS: u32 = i32::MAX as u32;

/// The tunable schedule. Durations are milliseconds unless named `_s`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollPolicy {
    /// Delay between an answer and the next query during the fast phase.
    pub first_interval_ms: u32,
    /// How long the fast phase lasts from the start, the page showing again
    /// or a nudge.
    pub fast_phase_ms: u32,
    /// After the fast phase (and after every error) each delay is the last
    /// one times this, per mille (1500 = ×1.5).
    pub growth_permille: u32,
    /// The longest delay between queries.
    pub ceiling_ms: u32,
    /// Random spread of each delay, ± per mille of it.
    pub jitter_permille: u32,
    /// `?wait=` seconds for a proxy that offers long-poll (0 = plain polling;
    /// at most [`MAX_LONG_POLL_S`]).
    pub long_poll_wait_s: u32,
    /// How long a plain query may take before it counts as failed (a
    /// long-poll query gets its wait on top).
    pub timeout_ms: u32,
}

impl Default for PollPolicy {
    /// Plain polling: 1.5 s for 55 s, then ×1.5 up to 20 s, ±10 % jitter,
    /// 10 s query timeout.
    fn default() -> Self {
        PollPolicy { first_interval_ms: 1_500, fast_phase_ms: 55_000, growth_permille: 1_500, ceiling_ms: 20_000, jitter_permille: 100, long_poll_wait_s: 0, timeout_ms: 10_000 }
    }
}

impl PollPolicy {
    /// This policy with long-poll of `wait_s` seconds (clamped to
    /// [`MAX_LONG_POLL_S`]; 0 turns it off).
    pub fn with_long_poll(self, wait_s: u32) -> Self {
        PollPolicy { long_poll_wait_s: wait_s.min(MAX_LONG_POLL_S), ..self }
    }

    /// `base` (at least the first interval) grown by one step, within the
    /// ceiling and never shorter than before.
    fn grow(&self, base: u32) -> u32 {
        let base = base.max(self.first_interval_ms);
        let grown = u64::from(base) * u64::from(self.growth_permille) / 1000;
        u32::try_from(grown).unwrap_or(u32::MAX).max(base).min(self.ceiling_ms)
    }

    /// `base` spread by ± `jitter_permille` using `rng`.
    fn jitter(&self, base: u32, rng: u32) -> u32 {
        let spread = i64::from(self.jitter_permille.min(1000));
        let offset = i64::from(rng) % (2 * spread + 1) - spread;
        let base = i64::from(base);
        clamp_ms(base + base * offset / 1000)
    }
}

/// One status query to send now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Query {
    /// Its sequence number, to pass back to [`Poller::on_response`].
    pub seq: u32,
    /// The `?wait=` seconds to send (0: a plain query, send no `wait`).
    pub wait_s: u32,
    /// Abort it after this long and report [`Outcome::Failed`].
    pub timeout_ms: u32,
}

/// What the driver does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Sleep this many milliseconds (or until the next event), then ask again.
    Wait(u32),
    /// Send this query now.
    QueryNow(Query),
    /// Polling is over.
    Stop(StopReason),
}

/// Why polling stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The order reached this terminal state.
    Settled(PayState),
    /// The order's expiry passed (after one last query, unless hidden).
    Deadline,
    /// [`Poller::cancel`] was called.
    Cancelled,
}

/// How a query ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The gateway's normalised answer (`Unknown` keeps polling).
    State(PayState),
    /// Network or proxy error, timeout or abort: poll again, backing off.
    Failed,
}

/// A query that was started and not answered yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Flight {
    seq: u32,
    started_ms: i64,
    timeout_ms: u32,
}

/// The polling state machine for one order.
#[derive(Clone, Debug)]
pub struct Poller {
    policy: PollPolicy,
    deadline_ms: i64,
    /// When the current fast phase began.
    phase_start_ms: i64,
    /// The current delay before jitter.
    base_ms: u32,
    /// The next query is due `base_ms` (jittered) after this moment.
    wait_from_ms: i64,
    /// The due time once jitter was drawn (kept so repeated asks agree).
    next_at_ms: Option<i64>,
    in_flight: Option<Flight>,
    seq: u32,
    hidden: bool,
    /// Query at once (the page showed again, or a nudge).
    due_now: bool,
    final_query_sent: bool,
    stopped: Option<StopReason>,
}

impl Poller {
    /// Starts polling at `now_ms` for an order that expires at `deadline_ms`.
    /// Plain polling waits one interval first; long-poll queries at once.
    pub fn new(policy: PollPolicy, now_ms: i64, deadline_ms: i64) -> Self {
        let base_ms = if policy.long_poll_wait_s > 0 { 0 } else { policy.first_interval_ms };
        Poller {
            policy,
            deadline_ms,
            phase_start_ms: now_ms,
            base_ms,
            wait_from_ms: now_ms,
            next_at_ms: None,
            in_flight: None,
            seq: 0,
            hidden: false,
            due_now: false,
            final_query_sent: false,
            stopped: None,
        }
    }

    /// What to do at `now_ms`; `rng` is a fresh random number for jitter.
    /// Asking again before anything happens gives the same plan.
    pub fn next_delay(&mut self, now_ms: i64, rng: u32) -> Decision {
        if let Some(reason) = self.stopped {
            return Decision::Stop(reason);
        }
        if let Some(flight) = self.in_flight {
            let ends = flight.started_ms.saturating_add(i64::from(flight.timeout_ms));
            if now_ms < ends {
                return Decision::Wait(clamp_ms(ends.saturating_sub(now_ms)));
            }
            self.end_flight(now_ms, Outcome::Failed, flight);
        }
        if now_ms >= self.deadline_ms {
            if self.hidden || self.final_query_sent {
                return self.stop(StopReason::Deadline);
            }
            self.final_query_sent = true;
            return self.start_query(now_ms);
        }
        if self.hidden {
            return Decision::Wait(clamp_ms(self.deadline_ms.saturating_sub(now_ms)));
        }
        if self.due_now {
            return self.start_query(now_ms);
        }
        let next_at = *self.next_at_ms.get_or_insert(self.wait_from_ms.saturating_add(i64::from(self.policy.jitter(self.base_ms, rng))));
        if now_ms >= next_at {
            return self.start_query(now_ms);
        }
        Decision::Wait(clamp_ms(next_at.min(self.deadline_ms).saturating_sub(now_ms)))
    }

    /// Reports the answer to query `seq`; returns false (and changes
    /// nothing) for a query that is no longer in flight.
    pub fn on_response(&mut self, now_ms: i64, seq: u32, outcome: Outcome) -> bool {
        match self.in_flight {
            Some(flight) if flight.seq == seq && self.stopped.is_none() => {
                self.end_flight(now_ms, outcome, flight);
                true
            }
            _ => false,
        }
    }

    /// The page was hidden: no queries until it shows again.
    pub fn on_hidden(&mut self) {
        self.hidden = true;
    }

    /// The page shows again (`visibilitychange`, `pageshow`): one query at
    /// once, then the fast phase again. Ignored unless it was hidden.
    pub fn on_visible(&mut self, now_ms: i64) {
        if self.hidden {
            self.hidden = false;
            self.nudge(now_ms);
        }
    }

    /// Something suggests the state just changed ("I have paid", a bridge
    /// "ok"): query at once (after the one in flight), then the fast phase.
    pub fn nudge(&mut self, now_ms: i64) {
        self.due_now = true;
        self.phase_start_ms = now_ms;
        self.base_ms = self.policy.first_interval_ms;
    }

    /// Stops polling; the driver aborts the query in flight, if any.
    pub fn cancel(&mut self) {
        self.in_flight = None;
        self.stopped = Some(StopReason::Cancelled);
    }

    /// Whether a query is in flight.
    pub fn in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    fn start_query(&mut self, now_ms: i64) -> Decision {
        self.seq = self.seq.wrapping_add(1);
        let left_s = u32::try_from(self.deadline_ms.saturating_sub(now_ms).max(0) / 1000).unwrap_or(u32::MAX);
        let wait_s = self.policy.long_poll_wait_s.min(MAX_LONG_POLL_S).min(left_s);
        let timeout_ms = self.policy.timeout_ms.saturating_add(wait_s.saturating_mul(1000));
        self.in_flight = Some(Flight { seq: self.seq, started_ms: now_ms, timeout_ms });
        self.due_now = false;
        self.next_at_ms = None;
        Decision::QueryNow(Query { seq: self.seq, wait_s, timeout_ms })
    }

    fn end_flight(&mut self, now_ms: i64, outcome: Outcome, flight: Flight) {
        self.in_flight = None;
        self.next_at_ms = None;
        self.wait_from_ms = now_ms;
        match outcome {
            Outcome::State(state) if state.is_terminal() => self.stopped = Some(StopReason::Settled(state)),
            Outcome::State(_) if self.policy.long_poll_wait_s > 0 => {
                self.base_ms = 0;
                self.wait_from_ms = now_ms.max(flight.started_ms.saturating_add(i64::from(self.policy.first_interval_ms)));
            }
            Outcome::State(_) if now_ms.saturating_sub(self.phase_start_ms) < i64::from(self.policy.fast_phase_ms) => {
                self.base_ms = self.policy.first_interval_ms;
            }
            Outcome::State(_) | Outcome::Failed => self.base_ms = self.policy.grow(self.base_ms),
        }
    }

    fn stop(&mut self, reason: StopReason) -> Decision {
        self.stopped = Some(reason);
        Decision::Stop(reason)
    }
}

/// A duration clamped into `0..=MAX_WAIT_MS`.
fn clamp_ms(ms: i64) -> u32 {
    u32::try_from(ms.clamp(0, i64::from(MAX_WAIT_MS))).unwrap_or(MAX_WAIT_MS)
}

/// A tiny deterministic PRNG (Marsaglia's xorshift32) for jitter in tests
/// and simulations; the browser passes `crypto`/`Math.random` numbers instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XorShift32(u32);

impl XorShift32 {
    /// A generator from `seed` (0, which xorshift cannot use, is replaced).
    pub fn new(seed: u32) -> Self {
        XorShift32(if seed == 0 { 0x9E37_79B9 } else { seed })
    }

    /// The next number.
    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

/// Answer latency [`simulate`] gives every query, in milliseconds: the
/// proxy reads the order state halfway, at 50 ms.
pub const SIM_ANSWER_MS: i64 = 100;

/// Replays `policy` in virtual time for an order paid at `pay_at_ms` (from
/// polling's start) and expiring at `horizon_ms`, with [`SIM_ANSWER_MS`]
/// answers and a page that stays visible. A long-poll proxy answers as soon
/// as the payment happens. Returns the time from payment to the page
/// knowing (`None` if it never did) and the number of queries sent.
pub fn simulate(policy: PollPolicy, pay_at_ms: i64, horizon_ms: i64, rng_seed: u32) -> (Option<i64>, u32) {
    let mut poller = Poller::new(policy, 0, horizon_ms);
    let mut rng = XorShift32::new(rng_seed);
    let (mut now, mut requests) = (0_i64, 0_u32);
    loop {
        match poller.next_delay(now, rng.next_u32()) {
            Decision::Wait(ms) => now += i64::from(ms),
            Decision::QueryNow(query) => {
                requests += 1;
                let read_at = now + SIM_ANSWER_MS / 2;
                let held_until = read_at + i64::from(query.wait_s) * 1000;
                let (answer_at, paid) = if pay_at_ms <= read_at {
                    (now + SIM_ANSWER_MS, true)
                } else if pay_at_ms <= held_until {
                    (pay_at_ms + SIM_ANSWER_MS / 2, true)
                } else {
                    (held_until + SIM_ANSWER_MS / 2, false)
                };
                now = answer_at;
                let state = if paid { PayState::Succeeded } else { PayState::Pending };
                poller.on_response(now, query.seq, Outcome::State(state));
            }
            Decision::Stop(StopReason::Settled(_)) => return (Some(now - pay_at_ms), requests),
            Decision::Stop(_) => return (None, requests),
        }
    }
}

#[cfg(test)]
mod tests;
