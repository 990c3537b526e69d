//! A created order's next action as effects: draw, redirect, bridge…

use super::Flow;
use crate::checkout::bridge::{self, BridgeKind};
use crate::checkout::{step, text};
use crate::env::Container;
use crate::error::{ErrorCode, PayError};
use crate::gateway::protocol;
use crate::json::Obj;
use crate::model::{AppProvider, Channel, Mode, NextAction};

impl Flow {
    /// The create call's answer: the action for the page, then the schedule.
    pub(super) fn on_created(&mut self, now: i64, rng: u32, status: u16, body: &str, verified: bool) {
        // The answer is read once: the created action, and (a create with channel "any") the
        // wallet the gateway used, when its answer or the payer's code says.
        let read = self.body(status, body).and_then(|v| {
            let proto = protocol(self.settings.gateway)?;
            let params = self.params();
            let created = proto.parse_create(&params, &v, &self.settings.policy)?;
            Ok((created, if self.channel == Channel::Any { proto.wallet_of(&params, &v) } else { None }))
        });
        let created = match read {
            Ok((created, wallet)) => {
                self.channel = wallet.unwrap_or(self.channel);
                created
            }
            Err(e) => return self.fail(e, true),
        };
        self.gateway_order_id = created.gateway_order_id;
        let wait_ms = if self.mode == Mode::Counter { self.settings.counter_timeout_ms } else { self.settings.order_ttl_ms };
        let mut deadline = now.saturating_add(i64::from(wait_ms));
        // Written only where it is emitted (three arms emit an action of their own).
        let action = || Obj::action(&created.action);
        // Matched by reference: the action is dropped once, after the match, not in every arm.
        match &created.action {
            NextAction::Done { status } => {
                let status = self.trusted(status.clone(), verified);
                if status.state.is_terminal() {
                    return self.settle(status, true);
                }
                let action = Obj::action(&NextAction::Done { status: status.clone() });
                self.observe(status);
                self.action(action, None);
            }
            NextAction::Qr { content, expires_at } => {
                deadline = expires_at.filter(|&t| t > now).unwrap_or(deadline);
                self.fx.draw_qr(content);
                self.action(action(), Some(deadline));
            }
            NextAction::Redirect { url } => {
                self.store(deadline);
                // WeChat blocks other wallets' pages (Alipay WAP and desks, UnionPay links).
                let other_wallet = matches!(self.mode, Mode::Wap | Mode::Cashier) && matches!(self.channel, Channel::Alipay | Channel::Unionpay);
                if other_wallet && matches!(self.env.container, Container::Wechat | Container::WechatMiniProgram) {
                    self.action(Obj::kind_url("openInBrowser", url), Some(deadline));
                    self.fx.guide(text::open_in_browser(self.settings.locale));
                } else {
                    self.action(action(), Some(deadline));
                    self.fx.navigate(url);
                }
            }
            NextAction::Iframe { url } => {
                self.action(action(), Some(deadline));
                self.fx.iframe(url);
            }
            NextAction::WechatJsapi { params } => match self.bridge {
                // The gateway that pays the HK wallet writes its bridge's payload.
                Some(BridgeKind::WechatHk) => match step::hk_wallet_payload(self.settings.gateway, self.kept.as_ref(), params) {
                    Some(payload) => {
                        self.action(action(), Some(deadline));
                        self.fx.bridge(BridgeKind::WechatHk, &payload);
                    }
                    // Not reached: `step::bridge` gives this bridge only to such a gateway.
                    None => self.fail(PayError::new(ErrorCode::Unsupported), true),
                },
                Some(BridgeKind::MiniProgram) => {
                    let url = bridge::mini_program_url(&self.settings.mini_program_page, params, self.settings.gateway, &self.order.out_trade_no);
                    self.store(deadline);
                    self.action(Obj::kind_url("miniProgram", &url), Some(deadline));
                    self.fx.bridge(BridgeKind::MiniProgram, &crate::json::string(&url));
                }
                kind => {
                    let kind = if kind == Some(BridgeKind::WechatSdk) { BridgeKind::WechatSdk } else { BridgeKind::Wechat };
                    self.bridge = Some(kind);
                    // wx.chooseWXPay takes `timestamp` (lowercase) and no appId.
                    let payload = Obj::jsapi(params, kind == BridgeKind::WechatSdk).end();
                    self.action(action(), Some(deadline));
                    self.fx.bridge(kind, &payload);
                }
            },
            NextAction::AlipayTradePay { trade_no } => {
                self.bridge = Some(BridgeKind::Alipay);
                self.action(action(), Some(deadline));
                let mut payload = Obj::new();
                payload.text("tradeNO", trade_no);
                self.fx.bridge(BridgeKind::Alipay, &payload.end());
            }
            NextAction::App { provider, payload } => {
                self.bridge = Some(BridgeKind::App);
                let provider = if *provider == AppProvider::Wechat { "wechat" } else { "alipay" };
                self.action(action(), Some(deadline));
                let mut app = Obj::new();
                app.text("provider", provider).value("payload", payload);
                self.fx.bridge(BridgeKind::App, &app.end());
            }
            NextAction::Await => self.action(action(), Some(deadline)),
        }
        self.poll_until(now, rng, deadline, false);
    }
}
