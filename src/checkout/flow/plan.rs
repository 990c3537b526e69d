//! Before anything is created: which mode, channel and wallet bridge.

use super::Flow;
use crate::checkout::bridge::BridgeKind;
use crate::checkout::{step, Settings};
use crate::env::{choose_mode, Container, Environment};
use crate::error::{ErrorCode, PayError};
use crate::gateway::{protocol, unsupported_mode, GatewayProtocol};
use crate::model::{Channel, Mode};

impl Flow {
    /// Settles mode, channel and bridge before anything is created, so an
    /// impossible payment fails without leaving an order behind.
    pub(super) fn plan(&mut self) -> Result<(), PayError> {
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
        self.bridge = step::bridge(self.settings.gateway, self.bridge, step::wallet(&self.settings, &self.order).as_deref())?;
        Ok(())
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
