//! The `#[wasm_bindgen]` facade (wasm32 only): converts JS values in and out
//! and calls the pure core. No payment logic lives here.

#[cfg(feature = "cashier-desk")]
mod cashier;
mod checkout;
#[cfg(feature = "counter-screen")]
mod counter;
mod env;
mod js;
#[cfg(feature = "low-level-api")]
mod parse;
pub(crate) mod qr;
#[cfg(feature = "low-level-api")]
mod request;
#[cfg(any(feature = "cashier-desk", feature = "counter-screen"))]
mod widget;

use wasm_bindgen::prelude::*;

/// Installs the panic hook when built with the `panic-hook` feature.
#[wasm_bindgen(start)]
pub fn start() {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r##"
export type Gateway = "blueocean" | "hipopay" | "beecloud" | "chaoying" | "hipos";
export type Mode = "qr" | "h5" | "jsapi" | "wap" | "cashier" | "counter" | "app";
export type Channel = "wechat" | "alipay" | "unionpay" | "any";
export type Locale = "zh-CN" | "zh-HK" | "en";
export type Container = "wechat" | "wechat-miniprogram" | "alipay" | "alipay-miniprogram" | "unionpay" | "mobile" | "desktop";
export interface Environment { container: Container; os: "ios" | "android" | "other"; mobile: boolean; certain: boolean; recommendedModes: Mode[]; }
export type PayState = "pending" | "paying" | "succeeded" | "failed" | "closed" | "cancelled" | "refunded" | "unknown";
export interface OrderStatus { state: PayState; gatewayState: string; amount?: number; transactionId?: string; }
export interface WechatJsapiParams { appId: string; timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string; }
/** The WeChat JS-SDK (jweixin's global `wx`, or `import wx from "weixin-js-sdk"`): the parts Checkout calls. */
export interface WechatJsSdk {
  chooseWXPay?(options: Record<string, unknown>): void;
  miniProgram?: { navigateTo(options: { url: string; success?: (res: unknown) => void; fail?: (res: unknown) => void }): void; [api: string]: unknown };
  /** The HK wallet (wallet: "HK"): config with beta: true, then invoke("getH5PrepayRequest", …) in ready. */
  config?(config: Record<string, unknown>): void;
  ready?(callback: () => void): void;
  error?(callback: (res: unknown) => void): void;
  invoke?(api: string, params: Record<string, unknown>, callback: (res: { errMsg?: string; err_msg?: string }) => void): void;
  [api: string]: unknown;
}
export type NextAction =
  | { kind: "qr"; content: string; expiresAt?: number }
  | { kind: "redirect"; url: string }
  | { kind: "iframe"; url: string }
  | { kind: "wechatJsapi"; params: WechatJsapiParams }
  | { kind: "alipayTradePay"; tradeNo: string }
  | { kind: "app"; provider: "wechat" | "alipay"; payload: Record<string, unknown> | string }
  | { kind: "await" }
  | { kind: "done"; status: OrderStatus };
/** What parseCreateResponse returns: the next action, plus the gateway's own
 *  order id when its answer gave one (pass it to buildQueryRequest). */
export type ParsedCreate = NextAction & { gatewayOrderId?: string };
/** Options for parseCreateResponse. */
export interface ParseOptions {
  /** Channel the payment was created on (default "any"). */
  channel?: Channel;
  /** Hosts (`host` or `host:port`) allowed for redirects over http or https, e.g. a local sandbox. */
  sandboxHosts?: string[];
  /** Extra https domains allowed for redirects. */
  allowDomains?: string[];
  /** Locale of error messages (default "zh-CN"). */
  locale?: Locale;
  /** The create request's context, where a gateway's answer leaves it out
   *  (e.g. a mini-program answer without appId takes subAppid). */
  subAppid?: string;
  openid?: string;
  returnUrl?: string;
  outTradeNo?: string;
  /** The payment was created for a WeChat mini-program. */
  miniProgram?: boolean;
}
/** An unsigned request for the signing proxy: POST `body` to `{proxy}{path}`. */
export interface ProxyRequest { path: string; body: string; }
/** Options for buildCreateRequest. */
export interface CreateOptions {
  outTradeNo: string;
  channel?: Channel;
  subject?: string;
  /** The payer's openid / buyer id (JSAPI, mini-program). */
  openid?: string;
  /** The official-account / mini-program / app id the openid belongs to. */
  subAppid?: string;
  /** The payer's code, scanned at the counter. */
  authCode?: string;
  /** Where the wallet returns the payer after H5 / WAP. */
  returnUrl?: string;
  miniProgram?: boolean;
  locale?: Locale;
}
/** Options for buildQueryRequest. */
export interface QueryOptions {
  outTradeNo: string;
  channel?: Channel;
  mode?: Mode;
  /** The gateway's own order id, when the create answer gave one. */
  gatewayOrderId?: string;
  locale?: Locale;
}
/** Options for qrSvg and renderQr. */
export interface QrOptions {
  /** Edge length in CSS pixels, quiet zone included (default 256). */
  size?: number;
  /** Quiet zone in modules (default 4). */
  margin?: number;
  /** Error-correction level (default "M"). */
  level?: "L" | "M" | "Q" | "H";
  /** Dark colour, #rgb / #rgba / #rrggbb / #rrggbbaa (default "#000000"). */
  dark?: string;
  /** Light colour (default "#ffffff"). */
  light?: string;
  /** Device pixels per CSS pixel (default: devicePixelRatio for a canvas element, 1 for a bare context). */
  pixelRatio?: number;
  /** Locale of error messages (default "zh-CN"). */
  locale?: Locale;
}
/** Errors thrown by paybridge carry a stable code. */
export interface PaybridgeError extends Error {
  code: "gateway_error" | "invalid_payload" | "unsafe_redirect" | "proxy_error" | "network" | "bridge_unavailable"
      | "expired" | "cancelled" | "unsupported" | "invalid_argument" | "qr_empty_text" | "qr_too_long"
      | "qr_invalid_level" | "qr_invalid_color" | "qr_invalid_option";
  gatewayCode?: string;
  gatewayMessage?: string;
  detail?: string;
}
"##;

#[cfg(test)]
mod tests;
