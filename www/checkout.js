// Checkout flows page: a demo-shop order paid with the wasm `Checkout` class
// in any mode. Settings live in the URL, so an H5 return or a reload resumes
// the same gateway's pending payment. `?env=` simulates a wallet container on
// a desktop browser (user agent + fake bridges that pay through the sandbox's
// payer controls); page tests install their own fakes instead. The language
// is the site's (i18n.js); `?locale=` follows the switch.
import init, { Checkout } from "/pkg/paybridge.js";
import { fillGateways } from "./gateway-list.js";
import { locale, onLocaleChange, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const FIELDS = ["gateway", "mode", "channel", "env", "payer", "locale", "amount", "auth"];
const UA = {
  wechat: "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.40.2420",
  "wechat-miniprogram": "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.40.2420 miniProgram",
  alipay: "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Mobile Safari/537.36 AlipayClient/10.5.36",
  mobile: "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",
};

let current = { gateway: "", order: "" };

/** The sandbox payer control for the current order. */
const control = (action) => fetch(`/sandbox/${current.gateway}/_control/orders/${current.order}/${action}`, { method: "POST" });

/** Simulated containers: a user agent, and bridges that act as the chosen payer. */
function simulate(env, payer) {
  if (!UA[env]) return;
  Object.defineProperty(navigator, "userAgent", { get: () => UA[env] });
  if (payer === "absent") return;
  const settle = async (ok, cancel, fail, maybe) => {
    if (payer === "pay" || payer === "maybe") await control("pay");
    return { pay: ok, cancel, fail, maybe }[payer];
  };
  if (env === "wechat") {
    window.WeixinJSBridge = { invoke: (_name, _p, cb) => settle("get_brand_wcpay_request:ok", "get_brand_wcpay_request:cancel", "get_brand_wcpay_request:fail", "").then((m) => cb({ err_msg: m })) };
  } else if (env === "alipay") {
    window.AlipayJSBridge = { call: (_name, _p, cb) => settle("9000", "6001", "4000", "8000").then((resultCode) => cb({ resultCode })) };
  } else if (env === "wechat-miniprogram") {
    // The mini-program hands its wx.login() code to the web-view in the URL (HipoPay exchanges it, §4.4).
    if (!params.has("code")) {
      params.set("code", `0sandbox${crypto.getRandomValues(new Uint32Array(2)).join("")}`);
      history.replaceState(null, "", `${location.pathname}?${params}`);
    }
    window.wx = { miniProgram: { navigateTo: ({ url }) => { log(`mini-program page: ${url}`); settle().then(() => document.dispatchEvent(new Event("visibilitychange"))); } } };
  }
}

function log(text) {
  const li = document.createElement("li");
  li.textContent = text;
  $("co-log").prepend(li);
}

function show(state) {
  document.body.dataset.state = state;
  $("co-state").dataset.i18n = `state.${state}`;
  $("co-state").textContent = t(`state.${state}`);
}

function showError(e) {
  $("co-error").textContent = `${e.message} (${e.code ?? "error"}${e.gatewayCode ? ` ${e.gatewayCode}` : ""})`;
  $("co-error").hidden = false;
  $("co-error").dataset.code = e.code ?? "";
  show("error");
}

function finish(outcome) {
  $("co-confirm").hidden = true;
  if (!outcome) return show("ready");
  $("co-outcome").textContent = JSON.stringify(outcome, null, 2);
  show(outcome.state);
}

async function shopOrder() {
  const res = await fetch("/shop/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ amount: Number($("co-amount").value), subject: "paybridge checkout demo" }) });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error);
  return { outTradeNo: body.out_trade_no, clientSecret: body.clientSecret };
}

function makeCheckout() {
  const num = (key) => (params.has(key) ? Number(params.get(key)) : undefined);
  const checkout = new Checkout({
    gateway: $("co-gateway").value, proxy: "/proxy", locale: locale(),
    channel: $("co-channel").value, sandboxHosts: [location.host], returnUrl: location.href,
    // JSAPI and mini-program payments need no app id from the page: the proxy sets its configured one.
    subAppid: $("co-mode").value === "jsapi" ? undefined : "wx0sandbox0app", miniProgramPayPage: "/pages/paybridge/pay",
    renewOrder: params.get("renew") === "1" ? () => shopOrder() : undefined,
    appBridge: window.paybridgeAppBridge ?? (params.get("env") === "app" ? async () => { await control("pay"); } : undefined),
    orderTtlMs: num("ttl"), counterTimeoutMs: num("counterTimeout"), bridgeTimeoutMs: num("bridgeTimeout"),
    // ?wallet=HK: WeChat's HK wallet (wx.config signed by the proxy, then getH5PrepayRequest).
    wallet: params.get("wallet") ?? undefined,
  });
  checkout.on("action", (a) => {
    current.order = a.outTradeNo;
    $("co-order").textContent = a.outTradeNo;
    log(`action ${a.kind}`);
    if (a.kind === "qr" && a.content.startsWith(`${location.origin}/`)) {
      $("co-wallet").href = a.content;
      $("co-wallet").hidden = false;
    }
    if (a.kind === "confirm") {
      $("co-question").textContent = a.text.question;
      $("co-paid").textContent = a.text.paid;
      $("co-problem").textContent = a.text.problem;
      $("co-confirm").hidden = false;
    }
    // "ready": a payment resume() continued (back from a wallet page or HipoPay's openid container).
    if (["creating", "ready"].includes(document.body.dataset.state) || a.kind === "confirm") show("waiting");
  });
  checkout.on("status", (s) => log(`status ${s.state} (${s.gatewayState})`));
  checkout.on("expired", (x) => log(`expired ${x.outTradeNo}${x.renewing ? ", renewing" : ""}`));
  checkout.on("error", (e) => log(`error ${e.code}${e.gatewayCode ? ` ${e.gatewayCode}` : ""}${e.fatal ? "" : " — still polling"}`));
  $("co-paid").onclick = () => checkout.confirm(true);
  $("co-problem").onclick = () => checkout.confirm(false);
  $("co-cancel").onclick = () => checkout.cancel();
  return checkout;
}

async function pay(event) {
  event.preventDefault();
  const url = new URL(location.href);
  for (const f of FIELDS) url.searchParams.set(f, $(`co-${f}`).value);
  history.replaceState(null, "", url);
  $("co-error").hidden = true;
  $("co-outcome").textContent = "";
  $("co-log").replaceChildren();
  $("co-wallet").hidden = true;
  show("creating");
  try {
    const order = await shopOrder();
    current = { gateway: $("co-gateway").value, order: order.outTradeNo };
    $("co-order").textContent = current.order;
    const checkout = makeCheckout();
    finish(await checkout.pay({
      outTradeNo: order.outTradeNo, clientSecret: order.clientSecret, mode: $("co-mode").value, channel: $("co-channel").value,
      // HipoPay finds the payer's openid itself (its container, or a mini-program's code): none given.
      qrTarget: $("co-qr"), container: $("co-frame"), openid: current.gateway === "hipopay" ? undefined : "oSandboxPayer0001", authCode: $("co-auth").value,
    }));
  } catch (e) {
    showError(e);
  }
}

await fillGateways($("co-gateway"));
for (const f of FIELDS) if (params.has(f) && f !== "locale") $(`co-${f}`).value = params.get(f);
onLocaleChange((l) => {
  const url = new URL(location.href);
  if (!url.searchParams.has("locale")) return;
  url.searchParams.set("locale", l);
  history.replaceState(null, "", url);
});
simulate(params.get("env"), params.get("payer") ?? "pay");
await init();
$("co-form").addEventListener("submit", pay);
// Back from a wallet page, reloaded, or returned from the mini-program's pay page.
const checkout = makeCheckout();
current.gateway = $("co-gateway").value;
const resumed = checkout.resume();
show("ready");
resumed.then((outcome) => { if (outcome) finish(outcome); }, showError);
