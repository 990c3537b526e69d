//! One payment as a state machine: [`Flow::step`] takes an [`Event`] (with
//! the time and a random number) and returns the [`Effect`]s to carry out.
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

use super::bridge::{self, BridgeKind, Hint};
use super::effect::{error_json, Effect, Tag};
use super::event::Event;
use super::openid::{self, Openid};
use super::pending::Pending;
use super::{text, wx_config, Order, Settings};
use crate::env::{choose_mode, Container, Environment};
use crate::error::{ErrorCode, PayError};
use crate::gateway::{parse_body, protocol, unsupported_mode, CreateParams, GatewayProtocol, GatewayRequest, OrderRef};
use crate::json::{self, Value};
use crate::model::{Channel, Mode, NextAction, OrderStatus, PayState, ToJson};
use crate::poll::{Decision, Outcome as Answer, PollPolicy, Poller, StopReason};

/// An HTTP answer: status, body, and whether the proxy verified its signature.
type Reply = (u16, String, bool);

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
    /// Exchanging a mini-program code for the openid, or gone to the openid container.
    Openid,
    Configuring,
    Creating,
    Polling,
    Renewing,
    Cancelling,
    FinalQuery,
    Done,
}

/// One payment's state.
#[derive(Clone, Debug)]
pub struct Flow {
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
    openid: Openid,
    /// The proxy's signed `wx.config` (HK wallet).
    wx_config: Option<Value>,
    phase: Phase,
}

impl Flow {
    /// A new payment of `order` in `env`; nothing happens before [`Event::Start`].
    pub fn new(settings: Settings, env: Environment, order: Order) -> Flow {
        let channel = order.channel.unwrap_or(settings.channel);
        Flow {
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
            openid: Openid::default(),
            wx_config: None,
            phase: Phase::Idle,
        }
    }

    /// Continues a payment that left the page: [`Event::Start`] polls it
    /// (one query at once if its deadline already passed).
    pub fn resume(settings: Settings, env: Environment, pending: Pending) -> Flow {
        let mut order = Order::new(pending.out_trade_no, Some(pending.mode));
        order.channel = Some(pending.channel);
        order.client_secret = pending.client_secret;
        let mut flow = Flow::new(settings, env, order);
        flow.resumed = true;
        flow.gateway_order_id = pending.gateway_order_id;
        flow.resume_deadline_ms = pending.deadline_ms;
        flow
    }

    /// Handles one event at `now_ms` (`rng`: a fresh random number for jitter).
    pub fn step(&mut self, now_ms: i64, rng: u32, event: Event) -> Vec<Effect> {
        if self.phase == Phase::Done {
            return Vec::new();
        }
        match event {
            Event::Start { caps } if self.phase == Phase::Idle => self.start(now_ms, rng, caps.as_deref()),
            Event::BridgeReady { mini_program } if self.phase == Phase::AwaitingBridge => {
                if mini_program && self.bridge == Some(BridgeKind::Wechat) {
                    self.bridge = Some(BridgeKind::MiniProgram);
                }
                if self.bridge == Some(BridgeKind::WechatHk) {
                    return self.configure();
                }
                self.create()
            }
            Event::BridgeUnavailable => self.fail(PayError::new(ErrorCode::BridgeUnavailable), true),
            Event::Http { tag, seq, status, body, verified } => self.on_answer(now_ms, rng, tag, seq, Some((status, body, verified))),
            Event::NetworkError { tag, seq } => self.on_answer(now_ms, rng, tag, seq, None),
            Event::Timer => self.pump(now_ms, rng),
            Event::Bridge { result } => {
                let kind = self.bridge.unwrap_or(BridgeKind::App);
                self.hint = Some((bridge::hint(kind, &result), result));
                self.confirm_now()
            }
            Event::Hidden => {
                if let Some(p) = self.poller.as_mut() {
                    p.on_hidden();
                }
                Vec::new()
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
                self.order.out_trade_no = out_trade_no;
                self.order.client_secret = client_secret;
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
            _ => Vec::new(),
        }
    }

    fn start(&mut self, now: i64, rng: u32, caps: Option<&str>) -> Vec<Effect> {
        self.long_poll_s = caps.map_or(0, long_poll_wait);
        self.openid = Openid::new(caps, now);
        if self.resumed {
            let mut fx = Vec::new();
            if self.mode != Mode::Jsapi {
                let t = text::confirm_return(self.settings.locale);
                let texts = Value::object([("question", Value::str(t[0])), ("paid", Value::str(t[1])), ("problem", Value::str(t[2]))]);
                fx.push(self.action(Value::object([("kind", Value::str("confirm")), ("text", texts)]), None));
            }
            // The payer is back: one query at once, then the schedule.
            let mut poller = Poller::new(PollPolicy::default().with_long_poll(self.long_poll_s), now, self.resume_deadline_ms);
            poller.nudge(now);
            self.poller = Some(poller);
            self.phase = Phase::Polling;
            fx.extend(self.pump(now, rng));
            return fx;
        }
        if let Err(e) = self.plan() {
            return self.fail(e, true);
        }
        match self.bridge.and_then(BridgeKind::global) {
            Some((global, ready_event)) => {
                self.phase = Phase::AwaitingBridge;
                vec![Effect::AwaitBridge { global, ready_event, timeout_ms: self.settings.bridge_timeout_ms }]
            }
            None => self.create(),
        }
    }

    /// Settles mode, channel and bridge before anything is created, so an
    /// impossible payment fails without leaving an order behind.
    fn plan(&mut self) -> Result<(), PayError> {
        let proto = protocol(self.settings.gateway)?;
        let mode = match self.order.mode {
            Some(m) => m,
            None => choose_mode(&self.env, proto.modes(), self.channel)
                .ok_or_else(|| PayError::new(ErrorCode::Unsupported).with_detail("no mode of this gateway fits this environment and channel"))?,
        };
        self.mode = mode;
        self.channel = concrete_channel(proto, mode, self.channel, self.env.container);
        if !proto.supports(mode, self.channel) {
            return Err(unsupported_mode(self.settings.gateway, mode, self.channel));
        }
        if mode == Mode::Counter && self.order.auth_code.as_deref().map_or(true, str::is_empty) {
            return Err(PayError::invalid_argument("counter payments need `authCode`"));
        }
        self.bridge = bridge_for(&self.settings, &self.env, mode, self.channel)?;
        self.bridge = wx_config::bridge(self.settings.gateway, self.bridge, wx_config::wallet(&self.settings, &self.order).as_deref())?;
        Ok(())
    }

    fn params(&self) -> CreateParams {
        let mut p = CreateParams::new(self.mode, self.channel, self.order.out_trade_no.clone());
        p.subject = self.order.subject.clone();
        p.openid = self.order.openid.clone();
        p.auth_code = self.order.auth_code.clone();
        p.sub_appid = self.settings.sub_appid.clone();
        p.return_url = self.settings.return_url.clone();
        p.mini_program = self.bridge == Some(BridgeKind::MiniProgram);
        p.wallet = wx_config::wallet(&self.settings, &self.order);
        p
    }

    fn order_ref(&self) -> OrderRef {
        OrderRef { out_trade_no: self.order.out_trade_no.clone(), channel: self.channel, mode: self.mode, gateway_order_id: self.gateway_order_id.clone() }
    }

    fn url(&self, req: &GatewayRequest, wait_s: u32) -> String {
        let mut url = format!("{}{}", self.settings.proxy.trim_end_matches('/'), req.proxy_path());
        if wait_s > 0 {
            url.push_str(&format!("?wait={wait_s}"));
        }
        url
    }

    fn fetch(&self, tag: Tag, seq: u32, req: &GatewayRequest, wait_s: u32, timeout_ms: u32) -> Effect {
        Effect::Fetch { tag, seq, url: self.url(req, wait_s), body: req.params.to_json(), secret: self.order.client_secret.clone(), timeout_ms }
    }

    /// A status as far as it can be trusted: from a gateway that signs its
    /// answers, one the proxy did not verify reads `unknown` — never paid,
    /// never final (fail closed).
    fn trusted(&self, status: OrderStatus, verified: bool) -> OrderStatus {
        if verified || !self.settings.gateway.signs_responses() {
            return status;
        }
        OrderStatus { state: PayState::Unknown, ..status }
    }

    /// HK wallet: the proxy signs `wx.config` before anything is created.
    fn configure(&mut self) -> Vec<Effect> {
        match wx_config::request(&self.settings, &self.order) {
            Ok(fetch) => {
                self.phase = Phase::Configuring;
                vec![fetch]
            }
            Err(e) => self.fail(e, true),
        }
    }

    fn create(&mut self) -> Vec<Effect> {
        self.gateway_order_id = None;
        self.hint = None;
        self.last = None;
        let mini_program = self.bridge == Some(BridgeKind::MiniProgram);
        let forget = match self.openid.step(&self.settings, self.mode, self.channel, mini_program, &mut self.order) {
            Ok(openid::Step::Ready { forget_awaiting }) => forget_awaiting,
            Ok(openid::Step::Exchange(req)) => {
                self.phase = Phase::Openid;
                return vec![self.fetch(Tag::Openid, 0, &req, 0, CALL_TIMEOUT_MS)];
            }
            Ok(openid::Step::Authorize { url, awaiting }) => {
                self.phase = Phase::Openid;
                let action = Value::object([("kind", Value::str("openidAuthorize")), ("url", Value::str(&url))]);
                return vec![Effect::Store(awaiting), self.action(action, None), Effect::Navigate(url)];
            }
            Err(e) => return self.fail(e, true),
        };
        match protocol(self.settings.gateway).and_then(|p| p.create_request(&self.params())) {
            Ok(req) => {
                self.phase = Phase::Creating;
                let create = self.fetch(Tag::Create, 0, &req, 0, CALL_TIMEOUT_MS);
                if forget {
                    vec![Effect::Clear, create]
                } else {
                    vec![create]
                }
            }
            Err(e) => self.fail(e, true),
        }
    }

    fn on_answer(&mut self, now: i64, rng: u32, tag: Tag, seq: u32, answer: Option<Reply>) -> Vec<Effect> {
        match (tag, self.phase) {
            (Tag::Create, Phase::Creating) => match answer {
                Some((status, body, verified)) => self.on_created(now, rng, status, &body, verified),
                None => self.fail(PayError::new(ErrorCode::Network).with_detail("the create call got no answer"), true),
            },
            (Tag::Openid, Phase::Openid) => match answer.map(|(status, body, _)| self.read(status, &body, |_, v| openid::read_answer(v))) {
                Some(Ok(id)) => {
                    self.order.openid = Some(id);
                    self.create()
                }
                Some(Err(e)) => self.fail(e, true),
                None => self.fail(PayError::new(ErrorCode::Network).with_detail("the openid exchange got no answer"), true),
            },
            (Tag::WxConfig, Phase::Configuring) => match answer.ok_or_else(|| PayError::new(ErrorCode::Network)).and_then(|(status, body, _)| wx_config::read(status, &body)) {
                Ok(config) => {
                    self.wx_config = Some(config);
                    self.create()
                }
                Err(e) => self.fail(e, true),
            },
            (Tag::Query, Phase::Polling) if seq == self.query_seq => self.on_query(now, rng, seq, answer),
            (Tag::Confirm, Phase::Polling) if seq == self.confirm_seq => self.on_confirm(now, rng, answer),
            (Tag::Cancel, Phase::Cancelling) => {
                let cancelled = answer.as_ref().and_then(|(status, body, verified)| self.read(*status, body, |p, v| p.parse_cancel(v)).ok().map(|st| self.trusted(st, *verified)));
                match cancelled {
                    Some(st) if st.state.is_terminal() => self.settle(st, true),
                    _ => self.final_query(),
                }
            }
            (Tag::Final, Phase::FinalQuery) => {
                match answer.map(|(status, body, verified)| self.read(status, &body, |p, v| p.parse_query(v)).map(|st| self.trusted(st, verified))) {
                    Some(Ok(st)) if st.state.is_terminal() => self.settle(st, true),
                    // The cancel did not take and the payer is still paying: wait
                    // one more period and try again, once.
                    Some(Ok(st)) if st.state != PayState::Unknown && self.cancel_attempts < MAX_CANCELS => {
                        let mut fx = self.observe(st);
                        let deadline = now.saturating_add(i64::from(self.settings.counter_timeout_ms));
                        self.poller = Some(Poller::new(PollPolicy::default().with_long_poll(self.long_poll_s), now, deadline));
                        self.phase = Phase::Polling;
                        fx.extend(self.pump(now, rng));
                        fx
                    }
                    _ => {
                        let last = self.last.clone().unwrap_or_else(|| OrderStatus::new(PayState::Unknown, ""));
                        self.settle(OrderStatus { state: PayState::Unknown, ..last }, false)
                    }
                }
            }
            _ => Vec::new(),
        }
    }

    /// Reads an answer: a `proxy_error` body is a `proxy_error` (with the
    /// proxy's code as `gatewayCode`), anything else goes to the gateway's parser.
    fn read<T>(&self, status: u16, body: &str, parse: impl Fn(&dyn GatewayProtocol, &Value) -> Result<T, PayError>) -> Result<T, PayError> {
        let value = match parse_body(body) {
            Ok(v) => v,
            Err(_) if !(200..300).contains(&status) => return Err(PayError::new(ErrorCode::Network).with_detail(detail!("HTTP {status}"))),
            Err(e) => return Err(e),
        };
        if let Some(e) = proxy_error(&value) {
            return Err(e);
        }
        parse(protocol(self.settings.gateway)?, &value)
    }

    fn on_created(&mut self, now: i64, rng: u32, status: u16, body: &str, verified: bool) -> Vec<Effect> {
        let params = self.params();
        let created = match self.read(status, body, |p, v| p.parse_create(&params, v, &self.settings.policy)) {
            Ok(c) => c,
            Err(e) => return self.fail(e, true),
        };
        self.gateway_order_id = created.gateway_order_id;
        self.learn_wallet(&params, body);
        let wait_ms = if self.mode == Mode::Counter { self.settings.counter_timeout_ms } else { self.settings.order_ttl_ms };
        let mut deadline = now.saturating_add(i64::from(wait_ms));
        let mut fx = Vec::new();
        let action = created.action.to_json_value();
        match created.action {
            NextAction::Done { status } if self.trusted(status.clone(), verified).state.is_terminal() => return self.settle(status, true),
            NextAction::Done { status } => {
                let status = self.trusted(status, verified);
                let action = NextAction::Done { status: status.clone() }.to_json_value();
                fx.extend(self.observe(status));
                fx.push(self.action(action, None));
            }
            NextAction::Qr { content, expires_at } => {
                deadline = expires_at.filter(|&t| t > now).unwrap_or(deadline);
                fx.push(Effect::DrawQr(content));
                fx.push(self.action(action, Some(deadline)));
            }
            NextAction::Redirect { url } => {
                fx.push(self.store(deadline));
                // WeChat blocks other wallets' pages (Alipay WAP and desks, UnionPay links).
                let other_wallet = matches!(self.mode, Mode::Wap | Mode::Cashier) && matches!(self.channel, Channel::Alipay | Channel::Unionpay);
                if other_wallet && matches!(self.env.container, Container::Wechat | Container::WechatMiniProgram) {
                    let blocked = Value::object([("kind", Value::str("openInBrowser")), ("url", Value::str(&url))]);
                    fx.push(self.action(blocked, Some(deadline)));
                    fx.push(Effect::Guide(text::open_in_browser(self.settings.locale)));
                } else {
                    fx.push(self.action(action, Some(deadline)));
                    fx.push(Effect::Navigate(url));
                }
            }
            NextAction::Iframe { url } => {
                fx.push(self.action(action, Some(deadline)));
                fx.push(Effect::Iframe(url));
            }
            NextAction::WechatJsapi { params } => match self.bridge {
                Some(BridgeKind::WechatHk) => {
                    fx.push(self.action(action, Some(deadline)));
                    fx.push(Effect::Bridge { kind: BridgeKind::WechatHk, payload: wx_config::payload(self.wx_config.clone().unwrap_or(Value::Null), &params) });
                }
                Some(BridgeKind::MiniProgram) => {
                    let url = bridge::mini_program_url(&self.settings.mini_program_page, &params, self.settings.gateway, &self.order.out_trade_no);
                    fx.push(self.store(deadline));
                    fx.push(self.action(Value::object([("kind", Value::str("miniProgram")), ("url", Value::str(&url))]), Some(deadline)));
                    fx.push(Effect::Bridge { kind: BridgeKind::MiniProgram, payload: Value::str(url) });
                }
                kind => {
                    let kind = if kind == Some(BridgeKind::WechatSdk) { BridgeKind::WechatSdk } else { BridgeKind::Wechat };
                    self.bridge = Some(kind);
                    let mut payload = params.to_json_value();
                    if kind == BridgeKind::WechatSdk {
                        // wx.chooseWXPay takes `timestamp` (lowercase) and no appId.
                        if let Value::Object(m) = &mut payload {
                            m.retain(|(k, _)| k != "appId");
                            m.iter_mut().filter(|(k, _)| k == "timeStamp").for_each(|(k, _)| *k = "timestamp".to_owned());
                        }
                    }
                    fx.push(self.action(action, Some(deadline)));
                    fx.push(Effect::Bridge { kind, payload });
                }
            },
            NextAction::AlipayTradePay { trade_no } => {
                self.bridge = Some(BridgeKind::Alipay);
                fx.push(self.action(action, Some(deadline)));
                fx.push(Effect::Bridge { kind: BridgeKind::Alipay, payload: Value::object([("tradeNO", Value::str(trade_no))]) });
            }
            NextAction::App { provider, payload } => {
                self.bridge = Some(BridgeKind::App);
                let provider = if provider == crate::model::AppProvider::Wechat { "wechat" } else { "alipay" };
                fx.push(self.action(action, Some(deadline)));
                fx.push(Effect::Bridge { kind: BridgeKind::App, payload: Value::object([("provider", Value::str(provider)), ("payload", payload)]) });
            }
            NextAction::Await => fx.push(self.action(action, Some(deadline))),
        }
        let policy = PollPolicy::default().with_long_poll(self.long_poll_s);
        self.poller = Some(Poller::new(policy, now, deadline));
        self.phase = Phase::Polling;
        fx.extend(self.pump(now, rng));
        fx
    }

    /// A create with channel "any" names the wallet the gateway used, when its answer or the payer's code says.
    fn learn_wallet(&mut self, params: &CreateParams, body: &str) {
        if self.channel != Channel::Any {
            return;
        }
        let wallet = parse_body(body).ok().and_then(|v| protocol(self.settings.gateway).ok()?.wallet_of(params, &v));
        if let Some(wallet) = wallet {
            self.channel = wallet;
        }
    }

    fn store(&self, deadline_ms: i64) -> Effect {
        let pending = Pending {
            gateway: self.settings.gateway,
            out_trade_no: self.order.out_trade_no.clone(),
            mode: self.mode,
            channel: self.channel,
            gateway_order_id: self.gateway_order_id.clone(),
            deadline_ms,
            client_secret: self.order.client_secret.clone(),
        };
        Effect::Store(pending.encode())
    }

    /// An `action` event: `detail` plus the order number, mode, channel and
    /// (when known) the deadline.
    fn action(&self, detail: Value, deadline: Option<i64>) -> Effect {
        let mut m = match detail {
            Value::Object(m) => m,
            other => vec![("value".to_owned(), other)],
        };
        m.push(("outTradeNo".to_owned(), Value::str(&self.order.out_trade_no)));
        m.push(("mode".to_owned(), Value::str(self.mode.as_str())));
        m.push(("channel".to_owned(), Value::str(self.channel.as_str())));
        if let Some(d) = deadline {
            m.push(("deadline".to_owned(), Value::int_value(d)));
        }
        Effect::Emit { event: "action", detail: Value::Object(m) }
    }

    /// Remembers a status and emits `status` when state or gateway state changed.
    fn observe(&mut self, status: OrderStatus) -> Vec<Effect> {
        let changed = self.last.as_ref().map_or(true, |l| l.state != status.state || l.gateway_state != status.gateway_state);
        let fx = if changed { vec![Effect::Emit { event: "status", detail: self.with_order(status.to_json_value()) }] } else { Vec::new() };
        self.last = Some(status);
        fx
    }

    fn with_order(&self, v: Value) -> Value {
        let mut m = match v {
            Value::Object(m) => m,
            _ => Vec::new(),
        };
        m.push(("outTradeNo".to_owned(), Value::str(&self.order.out_trade_no)));
        m.push(("channel".to_owned(), Value::str(self.channel.as_str())));
        Value::Object(m)
    }

    fn on_query(&mut self, now: i64, rng: u32, seq: u32, answer: Option<Reply>) -> Vec<Effect> {
        let (mut fx, outcome) = self.read_status(answer);
        let Some(p) = self.poller.as_mut() else { return fx };
        if !p.on_response(now, seq, outcome) {
            return fx;
        }
        if let Some(done) = self.settle_hint(outcome) {
            return done;
        }
        fx.extend(self.pump(now, rng));
        fx
    }

    /// A status answer as a poll outcome, with its `status` / `error` events.
    fn read_status(&mut self, answer: Option<Reply>) -> (Vec<Effect>, Answer) {
        let read = match answer {
            Some((status, body, verified)) => self.read(status, &body, |p, v| p.parse_query(v)).map(|st| self.trusted(st, verified)),
            None => Err(PayError::new(ErrorCode::Network)),
        };
        match read {
            Ok(st) => {
                let state = st.state;
                (self.observe(st), Answer::State(state))
            }
            Err(e) => (vec![Effect::Emit { event: "error", detail: error_json(&e, self.settings.locale, false) }], Answer::Failed),
        }
    }

    /// After a wallet's "cancel" / "fail": the first known answer decides.
    fn settle_hint(&mut self, outcome: Answer) -> Option<Vec<Effect>> {
        let (hint, raw) = self.hint.clone()?;
        match outcome {
            Answer::State(state) if state.is_terminal() => Some(self.settle(self.last.clone()?, true)),
            Answer::State(state) if state != PayState::Unknown => {
                let unconfirmed = hint.unconfirmed_state()?;
                let status = OrderStatus { state: unconfirmed, gateway_state: raw, amount: None, transaction_id: None };
                Some(self.settle(status, false))
            }
            _ => None,
        }
    }

    fn on_confirm(&mut self, now: i64, rng: u32, answer: Option<Reply>) -> Vec<Effect> {
        let (mut fx, outcome) = self.read_status(answer);
        if let Some(done) = self.settle_hint(outcome) {
            return done;
        }
        if let (Answer::State(state), Some(last)) = (outcome, self.last.clone()) {
            if state.is_terminal() {
                return self.settle(last, true);
            }
        }
        fx.extend(self.nudge(now, rng));
        fx
    }

    /// One query now, outside the schedule (a long-poll query may be held
    /// at the proxy); its answer restarts the schedule's fast phase.
    fn confirm_now(&mut self) -> Vec<Effect> {
        if self.phase != Phase::Polling {
            return Vec::new();
        }
        self.confirm_seq = self.confirm_seq.wrapping_add(1);
        match protocol(self.settings.gateway).and_then(|p| p.query_request(&self.order_ref())) {
            Ok(req) => vec![self.fetch(Tag::Confirm, self.confirm_seq, &req, 0, CALL_TIMEOUT_MS)],
            Err(e) => self.fail(e, true),
        }
    }

    fn nudge(&mut self, now: i64, rng: u32) -> Vec<Effect> {
        if let Some(p) = self.poller.as_mut() {
            p.nudge(now);
        }
        self.pump(now, rng)
    }

    /// Asks the schedule what to do and does it.
    fn pump(&mut self, now: i64, rng: u32) -> Vec<Effect> {
        if self.phase != Phase::Polling {
            return Vec::new();
        }
        let Some(p) = self.poller.as_mut() else { return Vec::new() };
        match p.next_delay(now, rng) {
            Decision::Wait(ms) => vec![Effect::Sleep(ms)],
            Decision::QueryNow(q) => {
                self.query_seq = q.seq;
                match protocol(self.settings.gateway).and_then(|p| p.query_request(&self.order_ref())) {
                    Ok(req) => vec![self.fetch(Tag::Query, q.seq, &req, q.wait_s, q.timeout_ms)],
                    Err(e) => self.fail(e, true),
                }
            }
            Decision::Stop(StopReason::Settled(_)) => match self.last.clone() {
                Some(st) => self.settle(st, true),
                None => Vec::new(),
            },
            Decision::Stop(StopReason::Deadline) => self.on_deadline(),
            Decision::Stop(StopReason::Cancelled) => Vec::new(),
        }
    }

    fn on_deadline(&mut self) -> Vec<Effect> {
        self.poller = None;
        let expired = |renewing: bool, me: &Self| Effect::Emit {
            event: "expired",
            detail: Value::object([("outTradeNo", Value::str(&me.order.out_trade_no)), ("renewing", Value::Bool(renewing))]),
        };
        if self.mode == Mode::Counter {
            self.cancel_attempts += 1;
            return self.send_cancel();
        }
        if self.mode == Mode::Qr && self.settings.can_renew && !self.resumed {
            self.phase = Phase::Renewing;
            return vec![expired(true, self), Effect::Renew(self.order.out_trade_no.clone())];
        }
        let mut fx = vec![expired(false, self)];
        fx.extend(self.fail(PayError::new(ErrorCode::Expired), false));
        fx
    }

    /// The page's `cancel()` of a waiting counter payment whose gateway can
    /// cancel (HipoPay cannot: it just stops there): one cancel, one
    /// final query, no further wait; only a confirmed cancel rejects with
    /// `cancelled` (a payment that went through meanwhile still resolves).
    fn cancel_counter(&mut self) -> Vec<Effect> {
        self.poller = None;
        self.page_cancel = true;
        self.cancel_attempts = MAX_CANCELS;
        self.send_cancel()
    }

    fn cancel_request(&self) -> Result<GatewayRequest, PayError> {
        protocol(self.settings.gateway).and_then(|p| p.cancel_request(&self.order_ref()))
    }

    fn send_cancel(&mut self) -> Vec<Effect> {
        self.phase = Phase::Cancelling;
        match self.cancel_request() {
            Ok(req) => vec![self.fetch(Tag::Cancel, 0, &req, 0, CALL_TIMEOUT_MS)],
            Err(_) => self.final_query(),
        }
    }

    fn final_query(&mut self) -> Vec<Effect> {
        self.phase = Phase::FinalQuery;
        match protocol(self.settings.gateway).and_then(|p| p.query_request(&self.order_ref())) {
            Ok(req) => vec![self.fetch(Tag::Final, 0, &req, 0, CALL_TIMEOUT_MS)],
            Err(e) => self.fail(e, true),
        }
    }

    fn settle(&mut self, status: OrderStatus, verified: bool) -> Vec<Effect> {
        if self.page_cancel && verified && matches!(status.state, PayState::Cancelled | PayState::Closed) {
            let mut fx = self.observe(status);
            fx.extend(self.fail(PayError::new(ErrorCode::Cancelled), false));
            return fx;
        }
        self.phase = Phase::Done;
        self.poller = None;
        let mut fx = self.observe(status.clone());
        let mut outcome = self.with_order(status.to_json_value());
        if let Value::Object(m) = &mut outcome {
            m.push(("verified".to_owned(), Value::Bool(verified)));
        }
        fx.extend([Effect::Clear, Effect::Resolve(outcome)]);
        fx
    }

    fn fail(&mut self, e: PayError, emit: bool) -> Vec<Effect> {
        self.phase = Phase::Done;
        self.poller = None;
        let mut fx = vec![Effect::Clear];
        if emit {
            fx.push(Effect::Emit { event: "error", detail: error_json(&e, self.settings.locale, true) });
        }
        fx.push(Effect::Reject(e));
        fx
    }
}

/// The channel to create with: the container's wallet for jsapi with "any",
/// else the first channel the gateway lists for the mode when it takes no "any".
fn concrete_channel(proto: &dyn GatewayProtocol, mode: Mode, channel: Channel, container: Container) -> Channel {
    if channel != Channel::Any {
        return channel;
    }
    if mode == Mode::Jsapi {
        return container.wallet().unwrap_or(Channel::Any);
    }
    let modes = proto.modes();
    if modes.contains(&(mode, Channel::Any)) {
        return Channel::Any;
    }
    modes.iter().find(|(m, _)| *m == mode).map_or(Channel::Any, |&(_, c)| c)
}

/// The bridge a mode needs here; `bridge_unavailable` at once when it
/// cannot exist (jsapi outside its wallet, app without `appBridge`).
fn bridge_for(settings: &Settings, env: &Environment, mode: Mode, channel: Channel) -> Result<Option<BridgeKind>, PayError> {
    let unavailable = |why: &str| PayError::new(ErrorCode::BridgeUnavailable).with_detail(why);
    match (mode, env.container, channel) {
        (Mode::Jsapi, Container::WechatMiniProgram, Channel::Wechat) => Ok(Some(BridgeKind::MiniProgram)),
        (Mode::Jsapi, Container::Wechat, Channel::Wechat) if env.mobile => Ok(Some(if settings.wechat_js_sdk { BridgeKind::WechatSdk } else { BridgeKind::Wechat })),
        (Mode::Jsapi, Container::Alipay | Container::AlipayMiniProgram, Channel::Alipay) => Ok(Some(BridgeKind::Alipay)),
        (Mode::Jsapi, ..) => Err(unavailable("jsapi needs the wallet's own app (WeChat on a phone, or Alipay)")),
        (Mode::App, ..) if settings.has_app_bridge => Ok(Some(BridgeKind::App)),
        (Mode::App, ..) => Err(unavailable("app mode needs `appBridge`")),
        _ => Ok(None),
    }
}

/// `longPoll.maxWait` of a capabilities body, capped at [`LONG_POLL_S`] (0: plain polling).
pub fn long_poll_wait(caps: &str) -> u32 {
    let wait = json::parse(caps).ok().and_then(|v| v.get("longPoll").and_then(|l| l.int("maxWait")));
    wait.map_or(0, |w| u32::try_from(w.clamp(0, i64::from(LONG_POLL_S))).unwrap_or(0))
}

/// A `{"proxy_error": {code, message}}` body as a `proxy_error` error.
pub fn proxy_error(body: &Value) -> Option<PayError> {
    let pe = body.get("proxy_error")?;
    let mut e = PayError::new(ErrorCode::ProxyError);
    e.gateway_code = pe.text("code").map(str::to_owned);
    e.detail = pe.text("message").map(str::to_owned);
    Some(e)
}
