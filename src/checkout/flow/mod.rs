//! One payment as a state machine: [`Flow::on_event`] takes an [`Event`] (with
//! the time and a random number) and returns the effects to carry out, as
//! the driver's JSON ([`Effects`]).
//!
//! ```text
//! start ─► [await bridge] ─► create ─► action (QR, redirect, bridge…) ─► poll ─► resolve
//!                                                     │ bridge hint / "paid"      │ deadline
//!                                                     └─► one confirm query       ├─► qr + renewOrder: renew ─► create
//!                                                                                 ├─► counter: cancel ─► final query ─► resolve
//!                                                                                 └─► expired (reject)
//! ```
//!
//! Truth rules: only a status answer settles a payment as paid (`verified:
//! true`). A wallet's "cancel" / "fail" gets one confirming query; if the
//! gateway still has the order open, the payment ends cancelled / failed
//! with `verified: false` — the only unverified outcomes besides a counter
//! payment that could not be cancelled twice and whose last query gave no
//! terminal answer (`unknown`).
//! Network errors, proxy errors and "unknown" answers never end polling;
//! a terminal state, the deadline or `cancel()` do. Polling runs beside a
//! bridge sheet, so a lost bridge callback cannot lose a payment.

//!
//! The parts: `plan` (mode, channel, bridge), `answer` (what the proxy
//! answered), `created` (a created order's action), `schedule` (polling,
//! deadline, counter cancel) and `outcome` (events, resolve / reject).

use super::bridge::{self, BridgeKind, Hint};
use super::effect::{Effects, Tag};
use super::event::Event;
use super::pending::Pending;
use super::step::{self, Before};
use super::{text, Order, Settings};
use crate::env::Environment;
use crate::error::{ErrorCode, PayError};
use crate::gateway::{protocol, CreateParams, GatewayRequest, OrderRef};
use crate::json::{self, Obj, Value};
use crate::model::{Channel, Mode, OrderStatus, PayState};
use crate::poll::Poller;

mod answer;
mod created;
mod outcome;
mod plan;
mod schedule;

/// An HTTP answer: status, body, and whether the proxy verified its signature
/// (borrowed from the event: nothing in it is dropped branch by branch).
type Reply<'a> = (u16, &'a str, bool);

/// The `?wait=` asked of a long-poll proxy (below common 30 s idle timeouts).
const LONG_POLL_S: u32 = 25;
/// How often an unpaid counter payment is cancelled before it is given up as unknown.
const MAX_CANCELS: u8 = 2;
/// Abort a create, cancel or one-off query after this long.
const CALL_TIMEOUT_MS: u32 = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    AwaitingBridge,
    /// In the gateway's own step ([`step`]): waiting for its call's answer,
    /// or gone where it sent the payer.
    Step,
    Creating,
    Polling,
    Renewing,
    Cancelling,
    FinalQuery,
    Done,
}

/// One payment's state.
#[derive(Clone, Debug)]
pub(crate) struct Flow {
    settings: Settings,
    env: Environment,
    order: Order,
    mode: Mode,
    channel: Channel,
    bridge: Option<BridgeKind>,
    resumed: bool,
    resume_deadline_ms: i64,
    gateway_order_id: Option<String>,
    long_poll_s: u32,
    poller: Option<Poller>,
    query_seq: u32,
    confirm_seq: u32,
    last: Option<OrderStatus>,
    cancel_attempts: u8,
    /// `cancel()` asked for while a counter payment waited: its cancel settles as a rejection.
    page_cancel: bool,
    hint: Option<(Hint, String)>,
    /// The proxy's capabilities body, for the gateway's step.
    caps: Option<String>,
    /// When the payment started (Unix ms).
    started_ms: i64,
    /// What the gateway's step kept from its call (the HK wallet's signed `wx.config`).
    kept: Option<Value>,
    phase: Phase,
    /// The effects of the event being handled.
    fx: Effects,
}

impl Flow {
    /// A new payment of `order` in `env`; nothing happens before [`Event::Start`].
    #[inline(never)]
    pub(crate) fn new(settings: Settings, env: Environment, order: Order) -> Flow {
        let channel = order.channel.unwrap_or(settings.channel);
        Flow {
            fx: Effects::new(settings.locale),
            mode: order.mode.unwrap_or(Mode::Qr),
            channel,
            settings,
            env,
            order,
            bridge: None,
            resumed: false,
            resume_deadline_ms: 0,
            gateway_order_id: None,
            long_poll_s: 0,
            poller: None,
            query_seq: 0,
            confirm_seq: 0,
            last: None,
            cancel_attempts: 0,
            page_cancel: false,
            hint: None,
            caps: None,
            started_ms: 0,
            kept: None,
            phase: Phase::Idle,
        }
    }

    /// Continues a payment that left the page: [`Event::Start`] polls it
    /// (one query at once if its deadline already passed).
    pub(crate) fn resume(settings: Settings, env: Environment, pending: Pending) -> Flow {
        let order = Order {
            out_trade_no: pending.out_trade_no,
            mode: Some(pending.mode),
            channel: Some(pending.channel),
            openid: None,
            auth_code: None,
            subject: None,
            client_secret: pending.client_secret,
            wallet: None,
            page_url: None,
        };
        let mut flow = Flow::new(settings, env, order);
        flow.resumed = true;
        flow.gateway_order_id = pending.gateway_order_id;
        flow.resume_deadline_ms = pending.deadline_ms;
        flow
    }

    /// Handles one event at `now_ms` (`rng`: a fresh random number for
    /// jitter); returns its effects as the driver's JSON array.
    pub(crate) fn on_event(&mut self, now_ms: i64, rng: u32, event: Event) -> String {
        self.handle(now_ms, rng, event);
        self.fx.take()
    }

    /// [`Flow::on_event`]'s effects read back, for the tests.
    #[cfg(test)]
    pub(crate) fn step(&mut self, now_ms: i64, rng: u32, event: Event) -> Vec<super::effect::Effect> {
        super::effect::read(&self.on_event(now_ms, rng, event))
    }

    fn handle(&mut self, now_ms: i64, rng: u32, event: Event) {
        if self.phase == Phase::Done {
            return;
        }
        match event {
            Event::Start { caps } if self.phase == Phase::Idle => self.start(now_ms, rng, caps),
            Event::BridgeReady { mini_program } if self.phase == Phase::AwaitingBridge => {
                if mini_program && self.bridge == Some(BridgeKind::Wechat) {
                    self.bridge = Some(BridgeKind::MiniProgram);
                }
                self.create()
            }
            Event::BridgeUnavailable => self.fail(PayError::new(ErrorCode::BridgeUnavailable), true),
            Event::Http { tag, seq, status, body, verified } => self.on_answer(now_ms, rng, tag, seq, Some((status, body, verified))),
            Event::NetworkError { tag, seq } => self.on_answer(now_ms, rng, tag, seq, None),
            Event::Timer => self.pump(now_ms, rng),
            Event::Bridge { result } => {
                let kind = self.bridge.unwrap_or(BridgeKind::App);
                self.hint = Some((bridge::hint(kind, result), result.to_owned()));
                self.confirm_now()
            }
            Event::Hidden => {
                if let Some(p) = self.poller.as_mut() {
                    p.on_hidden();
                }
            }
            Event::Visible => {
                if let Some(p) = self.poller.as_mut() {
                    p.on_visible(now_ms);
                }
                self.pump(now_ms, rng)
            }
            Event::Confirm { paid: true } => self.confirm_now(),
            Event::Confirm { paid: false } => self.nudge(now_ms, rng),
            Event::Renewed { out_trade_no, client_secret } if self.phase == Phase::Renewing => {
                self.order.out_trade_no = out_trade_no.to_owned();
                self.order.client_secret = client_secret.map(str::to_owned);
                self.create()
            }
            Event::RenewFailed if self.phase == Phase::Renewing => self.fail(PayError::new(ErrorCode::Expired).with_detail("renewOrder gave no order number"), true),
            // An unpaid counter payment is cancelled at the gateway too (the proxy refuses a paid one).
            Event::Cancel if self.mode == Mode::Counter && self.phase == Phase::Polling && self.cancel_request().is_ok() => self.cancel_counter(),
            Event::Cancel => {
                if let Some(p) = self.poller.as_mut() {
                    p.cancel();
                }
                self.fail(PayError::new(ErrorCode::Cancelled), false)
            }
            _ => {}
        }
    }

    fn start(&mut self, now: i64, rng: u32, caps: Option<&str>) {
        self.long_poll_s = caps.map_or(0, long_poll_wait);
        self.caps = caps.map(str::to_owned);
        self.started_ms = now;
        if self.resumed {
            if self.mode != Mode::Jsapi {
                let t = text::confirm_return(self.settings.locale);
                let mut texts = Obj::new();
                texts.text("question", t[0]).text("paid", t[1]).text("problem", t[2]);
                let mut confirm = Obj::new();
                confirm.text("kind", "confirm").obj("text", texts);
                self.action(confirm, None);
            }
            // The payer is back: one query at once, then the schedule.
            return self.poll_until(now, rng, self.resume_deadline_ms, true);
        }
        if let Err(e) = self.plan() {
            return self.fail(e, true);
        }
        match self.bridge.and_then(BridgeKind::global) {
            Some((global, ready_event)) => {
                self.phase = Phase::AwaitingBridge;
                self.fx.await_bridge(global, ready_event, self.settings.bridge_timeout_ms);
            }
            None => self.create(),
        }
    }

    fn params(&self) -> CreateParams {
        // Built once (no empty params whose members are dropped and replaced).
        CreateParams {
            mode: self.mode,
            channel: self.channel,
            out_trade_no: self.order.out_trade_no.clone(),
            subject: self.order.subject.clone(),
            openid: self.order.openid.clone(),
            sub_appid: self.settings.sub_appid.clone(),
            auth_code: self.order.auth_code.clone(),
            return_url: self.settings.return_url.clone(),
            mini_program: self.bridge == Some(BridgeKind::MiniProgram),
            wallet: step::wallet(&self.settings, &self.order),
        }
    }

    fn order_ref(&self) -> OrderRef {
        OrderRef { out_trade_no: self.order.out_trade_no.clone(), channel: self.channel, mode: self.mode, gateway_order_id: self.gateway_order_id.clone() }
    }

    /// `path` below the proxy root.
    fn proxy_url(&self, path: &str) -> String {
        crate::text::concat(&[crate::text::trim_byte(&self.settings.proxy, b'/', false, true), path])
    }

    fn url(&self, req: &GatewayRequest, wait_s: u32) -> String {
        let mut url = self.proxy_url(&req.proxy_path());
        if wait_s > 0 {
            url.push_str("?wait=");
            crate::text::push_decimal(&mut url, wait_s.into(), 1);
        }
        url
    }

    fn fetch(&mut self, tag: Tag, seq: u32, req: &GatewayRequest, wait_s: u32, timeout_ms: u32) {
        let url = self.url(req, wait_s);
        self.fx.fetch(tag, seq, &url, &req.params.to_json(), self.order.client_secret.as_deref(), timeout_ms);
    }

    /// A status as far as it can be trusted: from a gateway that signs its
    /// answers, one the proxy did not verify reads `unknown` — never paid,
    /// never final (fail closed).
    fn trusted(&self, status: OrderStatus, verified: bool) -> OrderStatus {
        if verified || !protocol(self.settings.gateway).is_ok_and(|p| p.signs_responses()) {
            return status;
        }
        OrderStatus { state: PayState::Unknown, ..status }
    }

    fn create(&mut self) {
        self.gateway_order_id = None;
        self.hint = None;
        self.last = None;
        let cx = step::Context {
            settings: &self.settings,
            mode: self.mode,
            channel: self.channel,
            bridge: self.bridge,
            caps: self.caps.as_deref(),
            started_ms: self.started_ms,
            kept: self.kept.as_ref(),
        };
        let forget = match step::before_create(&cx, &mut self.order) {
            Ok(Before::Create { forget }) => forget,
            Ok(Before::Fetch { path, body, timeout_ms }) => {
                self.phase = Phase::Step;
                let url = self.proxy_url(&path);
                return self.fx.fetch(Tag::Step, 0, &url, &body, self.order.client_secret.as_deref(), timeout_ms);
            }
            Ok(Before::Leave { url, entry, kind }) => {
                self.phase = Phase::Step;
                self.fx.store(&entry);
                self.action(Obj::kind_url(kind, &url), None);
                return self.fx.navigate(&url);
            }
            Err(e) => return self.fail(e, true),
        };
        self.phase = Phase::Creating;
        if forget {
            self.fx.clear();
        }
        let req = protocol(self.settings.gateway).and_then(|p| p.create_request(&self.params()));
        self.send(Tag::Create, 0, req, 0, CALL_TIMEOUT_MS);
    }
}

/// `longPoll.maxWait` of a capabilities body, capped at [`LONG_POLL_S`] (0: plain polling).
pub(crate) fn long_poll_wait(caps: &str) -> u32 {
    let wait = json::parse(caps).ok().and_then(|v| v.get("longPoll").and_then(|l| l.int("maxWait")));
    wait.map_or(0, |w| u32::try_from(w.clamp(0, i64::from(LONG_POLL_S))).unwrap_or(0))
}

/// A `{"proxy_error": {code, message}}` body as a `proxy_error` error.
pub(crate) fn proxy_error(body: &Value) -> Option<PayError> {
    let pe = body.get("proxy_error")?;
    let mut e = PayError::new(ErrorCode::ProxyError);
    e.gateway_code = pe.text("code").map(str::to_owned);
    e.detail = pe.text("message").map(str::to_owned);
    Some(e)
}
