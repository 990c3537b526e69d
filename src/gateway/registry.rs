//! The gateway registry: one line per gateway. The [`Gateway`] enum, its
//! [`Gateway::ALL`], wire names and display names (`crate::model`), the
//! dispatch to each gateway's module (`crate::gateway`) and the gateways'
//! part of the redirect allowlist (`crate::url_guard`) are generated from
//! it; the scripts and the fuzz seeds read it (`scripts/gateways`); what
//! cannot be generated or read (the TypeScript union, the OpenAPI enum, the
//! Cargo features) is checked against it by the tests below.
//!
//! [`Gateway`]: crate::model::Gateway
//! [`Gateway::ALL`]: crate::model::Gateway::ALL

/// Calls `$callback! { [args…] line… }` with one line per gateway:
///
/// `Variant ("wire name", "Cargo feature", module) ["zh-CN", "zh-HK", "en" display name] hosts ["redirect domain", …],`
///
/// `Variant` is also the name of the module's unit struct; the hosts are the
/// https domains its documents show in payment URLs (`url_guard::DEFAULT_HOSTS`
/// is generated from them).
#[doc(hidden)]
#[macro_export]
macro_rules! with_gateways {
    ($callback:ident $([$($args:tt)*])?) => {
        $callback! {
            [$($($args)*)?]
            BlueOcean ("blueocean", "blueocean", blueocean) ["蓝海支付 BlueOcean", "藍海支付 BlueOcean", "BlueOcean Pay"]
                hosts ["blueoceanpay.com", "blueoceantech.co", "yedpay.com", "tlinx.hk", "gnete.com.hk"],
            HipoPay ("hipopay", "hipopay", hipopay) ["HipoPay", "HipoPay", "HipoPay"] hosts ["hipopay.com", "wisecashier.com"],
            BeeCloud ("beecloud", "beecloud", beecloud) ["BeeCloud", "BeeCloud", "BeeCloud"] hosts ["beecloud.cn"],
            ChaoYing ("chaoying", "chaoying", chaoying) ["超赢 ChaoYing", "超贏 ChaoYing", "ChaoYing 超赢"] hosts ["storepos.cn", "pos.cn"],
            HiPos ("hipos", "hipos", hipos) ["HiPOS", "HiPOS", "HiPOS"] hosts [],
        }
    };
}
pub(crate) use crate::with_gateways;

#[cfg(test)]
mod tests;
