//! What a gateway offers in an environment, best first — the list a cashier
//! desk shows — and reading an `Environment` object back from JS.

#[cfg(any(test, feature = "low-level-api"))]
use crate::env::Os;
use crate::env::{Container, Environment};
use crate::json::Value;
use crate::model::{Channel, Mode};

const CONTAINERS: [Container; 7] =
    [Container::Wechat, Container::WechatMiniProgram, Container::Alipay, Container::AlipayMiniProgram, Container::Unionpay, Container::Mobile, Container::Desktop];

/// The (mode, channel) pairs of `offered` (a gateway's `modes()`) that work
/// in `env`, in the order of its recommended modes. `jsapi` needs the
/// container's own wallet; `h5` is WeChat's and `wap` is never WeChat's;
/// inside WeChat, other wallets' pages (Alipay / UnionPay desks) are blocked,
/// so they are not offered there (a direct `pay()` still shows the guide).
pub(crate) fn methods(offered: &[(Mode, Channel)], env: &Environment) -> Vec<(Mode, Channel)> {
    let in_wechat = matches!(env.container, Container::Wechat | Container::WechatMiniProgram);
    let mut out = Vec::new();
    for &mode in &env.recommended_modes {
        for &(m, channel) in offered {
            let fits = match mode {
                Mode::Jsapi => env.container.wallet() == Some(channel),
                Mode::H5 => channel == Channel::Wechat,
                Mode::Wap => channel != Channel::Wechat,
                Mode::Cashier if in_wechat => !matches!(channel, Channel::Alipay | Channel::Unionpay),
                _ => true,
            };
            if m == mode && fits && !out.contains(&(m, channel)) {
                out.push((m, channel));
            }
        }
    }
    out
}

/// An `Environment` from its JS shape (`detectEnvironment`'s answer): the
/// container is required; `recommendedModes` defaults to the module table.
pub(crate) fn environment_from_json(v: &Value) -> Option<Environment> {
    // One word-list scan (the containers' JS names, in `CONTAINERS`' order) instead of a name per container.
    let container = CONTAINERS[crate::text::position("wechat|wechat-miniprogram|alipay|alipay-miniprogram|unionpay|mobile|desktop", b'|', v.text("container")?)?];
    let mobile = v.get("mobile").and_then(Value::as_bool_lenient).unwrap_or(container != Container::Desktop);
    let modes = match v.get("recommendedModes") {
        Some(Value::Array(modes)) => {
            let mut out = Vec::new();
            for m in modes {
                if let Some(m) = m.as_text().and_then(Mode::parse) {
                    out.push(m);
                }
            }
            Some(out)
        }
        _ => None,
    };
    let env = Environment::new(container, mobile, modes);
    #[cfg(any(test, feature = "low-level-api"))]
    let env = Environment {
        os: match v.text("os") {
            Some("ios") => Os::Ios,
            Some("android") => Os::Android,
            _ => Os::Other,
        },
        certain: v.get("certain").and_then(Value::as_bool_lenient).unwrap_or(true),
        ..env
    };
    Some(env)
}
