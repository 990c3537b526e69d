// The end-to-end matrix: every gateway × every (mode, channel) it offers ×
// every environment where that mode applies, each paid from
// www/checkout.html in real Chromium against the demo server (wasm client →
// signing proxy → sandbox gateway). Environments are browser contexts with
// the device's user agent, viewport and pixel ratio; wallet containers get
// fake bridges (installed before the page runs) that record what they were
// asked to do, while the payer pays through the sandbox (its wallet page or
// its payer controls). Each paid case checks what the page shows
// (`succeeded`, `verified: true`, the order number) and what the sandbox
// holds (`paid`, the shop's amount). Every QR is decoded from the canvas
// pixels and must be the sandbox's wallet link for that order — and the
// payer pays by opening exactly that link on a phone.
//
// The cases come from MODES (checked against the wasm's own list) and
// `plan()`; combinations that do not apply are reported as skipped with the
// reason, and the ones that must fail (jsapi outside its wallet, app without
// a native bridge) are run and must fail with `bridge_unavailable` before any
// gateway order exists. Then the unhappy paths, for every gateway: the payer
// fails, the gateway expires the order, the page cancels, the deadline passes
// and a fresh code is paid, the proxy goes away in the middle of polling; and
// for every gateway with a phone redirect mode, a reload in the middle of the
// payment. The result tables land in test-output/matrix.md.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { startDemo, launch, decodeCanvas, screenshot, OUTPUT, GATEWAYS } from "./harness.mjs";

/** The sandbox's BlueOcean test credentials (fixtures/sandbox-credentials.toml, `[blueocean]`). */
const SANDBOX = Object.fromEntries(
  [...readFileSync(new URL("../../fixtures/sandbox-credentials.toml", import.meta.url), "utf8").split("[blueocean]")[1].split("\n[")[0].matchAll(/^(\w+) = "([^"]*)"/gm)]
    .map((m) => [m[1], m[2]]),
);
const sha1 = (text) => createHash("sha1").update(text).digest("hex");
/** The official account's jsapi_ticket, asked of the sandbox's WeChat API as WeChat's client knows it. */
async function wechatTicket(appId) {
  const token = await (await fetch(`${demo.url}sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid=${appId}&secret=${SANDBOX.wechat_app_secret}`)).json();
  const ticket = await (await fetch(`${demo.url}sandbox/wechat/cgi-bin/ticket/getticket?access_token=${token.access_token}&type=jsapi`)).json();
  assert.equal(ticket.errcode, 0, JSON.stringify(ticket));
  return ticket.ticket;
}

/** What each gateway offers: `GatewayProtocol::modes()` of src/gateway/<gateway>/mod.rs, one row per
 *  gateway of the registry (a gateway without one stops the file at once). A third
 *  element is the `wallet` option the row pays with (BlueOcean's HK wallet: jsapi/wechat with
 *  `wallet: "HK"`, paid with wx.config + getH5PrepayRequest). */
const MODES = {
  blueocean: [
    ["qr", "wechat"], ["qr", "alipay"], ["qr", "unionpay"], ["qr", "any"], ["cashier", "any"], ["h5", "wechat"],
    ["jsapi", "wechat"], ["jsapi", "wechat", "HK"], ["wap", "alipay"], ["wap", "unionpay"], ["app", "wechat"], ["app", "alipay"],
    ["counter", "any"], ["counter", "wechat"], ["counter", "alipay"],
  ],
  hipopay: [
    ["qr", "wechat"], ["counter", "wechat"], ["jsapi", "wechat"], ["app", "wechat"], ["cashier", "wechat"],
    ["qr", "alipay"], ["cashier", "alipay"], ["wap", "alipay"], ["counter", "alipay"], ["app", "alipay"],
  ],
  beecloud: [["qr", "wechat"], ["qr", "alipay"], ["counter", "any"], ["counter", "wechat"], ["counter", "alipay"]],
  chaoying: [
    ["jsapi", "wechat"], ["jsapi", "alipay"], ["qr", "wechat"], ["qr", "alipay"], ["app", "wechat"], ["app", "alipay"],
    ["counter", "any"],
  ],
  hipos: [["qr", "any"]],
};
const ALL_MODES = ["qr", "h5", "jsapi", "wap", "cashier", "counter", "app"];

const IOS = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const PIXEL = "Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko)";
const IPHONE_VIEW = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
const PIXEL_VIEW = { viewport: { width: 412, height: 915 }, deviceScaleFactor: 2.625, isMobile: true, hasTouch: true };

/** The environments: a browser context each, and the container / OS the client must detect there. */
const ENVS = {
  desktop: {
    context: { userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", viewport: { width: 1280, height: 800 } },
    container: "desktop", os: "other",
  },
  iphone: { context: { userAgent: `${IOS} Version/17.4 Mobile/15E148 Safari/604.1`, ...IPHONE_VIEW }, container: "mobile", os: "ios" },
  android: {
    context: { userAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", ...PIXEL_VIEW },
    container: "mobile", os: "android",
  },
  wechat: {
    context: { userAgent: `${IOS} Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN`, ...IPHONE_VIEW },
    container: "wechat", os: "ios", bridge: "wechat",
  },
  mini: {
    context: {
      userAgent: `${PIXEL} Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64 miniProgram/wx0sandbox0app`,
      ...PIXEL_VIEW,
    },
    container: "wechat-miniprogram", os: "android", bridge: "mini",
  },
  alipay: {
    context: { userAgent: `${IOS} Mobile/15E148 ChannelId(0) Ariver/1.1.0 AliApp(AP/10.5.86.6000) Nebula WK AlipayClient/10.5.86.6000 Language/zh-Hans Region/CN`, ...IPHONE_VIEW },
    container: "alipay", os: "ios", bridge: "alipay",
  },
};
const WALLET_OF = { wechat: "wechat", mini: "wechat", alipay: "alipay" };

/**
 * What a (gateway, mode, channel) case does in an environment: `{ run }` names
 * the flow to drive, `{ skip }` says why it does not apply there.
 * Applicability follows the client's recommended modes per container
 * (src/env.rs), plus the clerk's counter screen, native-app shells, and the
 * documented "open in browser" guide for WAP and other wallets' desks inside WeChat.
 */
function plan(gateway, mode, channel, env, region) {
  if (region === "HK") {
    if (env === "mini") return { skip: "the HK wallet's wx.config + getH5PrepayRequest is WeChat's browser; a mini-program web-view hands off to wx.requestPayment" };
    const p = plan(gateway, mode, channel, env);
    return p.run === "wechatBridge" ? { run: "wechatHk" } : p;
  }
  const wallet = WALLET_OF[env];
  switch (mode) {
    case "qr":
      return { run: "qr" };
    case "h5":
      if (env === "iphone" || env === "android") return { run: "redirect" };
      if (env === "desktop") return { skip: "WeChat MWEB pays only from a phone browser; a desktop shows the qr mode" };
      if (wallet === "wechat") return { skip: "WeChat does not allow MWEB inside WeChat; jsapi is the mode there" };
      return { skip: "MWEB hands over to the WeChat app, not something Alipay's browser does; jsapi/wap apply there" };
    case "wap":
      if (env === "iphone" || env === "android" || env === "alipay") return { run: "redirect" };
      if (wallet === "wechat") return { run: "guide" };
      return { skip: "WAP is a phone page; a desktop shows the qr mode or the hosted cashier" };
    case "cashier":
      if (env === "mini") return { skip: "a mini-program web-view may only open the mini-program's own domains; jsapi (hand-off) or qr apply" };
      // WeChat blocks other wallets' desks too: the same guide as WAP.
      if (wallet === "wechat" && (channel === "alipay" || channel === "unionpay")) return { run: "guide" };
      return { run: "redirect" };
    case "counter":
      if (env === "desktop") return { run: "counter" };
      return { skip: "clerk-facing: runs on the counter's screen (desktop), not in a payer's phone or wallet" };
    case "app":
      if (env === "iphone" || env === "android") return { run: "app" };
      if (env === "desktop") return { run: "unavailable", why: "no appBridge" };
      return { skip: "app pay needs the merchant's native app shell (covered on iphone/android, refused on desktop)" };
    case "jsapi":
      if (wallet === channel) return { run: env === "mini" ? "mini" : env === "alipay" ? "tradePay" : "wechatBridge" };
      if (!wallet) return { run: "unavailable", why: "outside a wallet" };
      return { run: "unavailable", why: `${channel} jsapi inside ${env}` };
  }
  throw new Error(`no plan for ${mode}`);
}

/** A fresh payer's code per counter case (codes are single-use): WeChat 13…, Alipay 28…, 18 digits. */
let codes = 0;
const authCode = (channel) => `${channel === "alipay" ? "28" : "13"}${String(Date.now()).slice(-10)}${String(++codes).padStart(6, "0")}`;

const CASES = [];
for (const gateway of GATEWAYS) {
  const pairs = MODES[gateway];
  if (!pairs) throw new Error(`matrix: MODES has no row for the registry's gateway ${gateway}`);
  for (const [mode, channel, wallet] of pairs) {
    for (const env of Object.keys(ENVS)) CASES.push({ gateway, mode, channel, wallet, env, ...plan(gateway, mode, channel, env, wallet) });
  }
}

let demo, browser, payerCtx;
const results = new Map();
/** One context and tab per environment, reused case after case (a tab costs ~0.4 s to open). */
const tabs = {};
before(async () => {
  demo = await startDemo();
  browser = await launch();
  // The payer's phone that scans the QR codes the page shows (one tab per lane).
  payerCtx = await browser.newContext({ userAgent: ENVS.iphone.context.userAgent, ...IPHONE_VIEW });
});
after(async () => {
  await browser?.close();
  demo?.stop();
  writeReport();
});

/** Fake wallet bridges, installed before the page's scripts run. They record calls; the test answers. */
function installBridges(kind) {
  window.__calls = [];
  if (kind === "wechat") {
    // WeChat's JS-SDK as the page loaded it (jweixin): wx.config, then wx.ready, then wx.invoke (beta).
    const ready = [];
    window.wx = {
      config: (config) => { window.__calls.push({ name: "config", params: config }); setTimeout(() => ready.splice(0).forEach((f) => f()), 20); },
      ready: (f) => ready.push(f),
      error: () => {},
      invoke: (name, params, cb) => { window.__calls.push({ name, params }); window.__answer = (errMsg) => cb({ errMsg }); },
    };
    setTimeout(() => {
      window.WeixinJSBridge = { invoke: (name, params, cb) => { window.__calls.push({ name, params }); window.__answer = (err_msg) => cb({ err_msg }); } };
      document.dispatchEvent(new Event("WeixinJSBridgeReady"));
    }, 50);
  } else if (kind === "alipay") {
    setTimeout(() => {
      window.AlipayJSBridge = { call: (name, params, cb) => { window.__calls.push({ name, params }); window.__answer = (resultCode) => cb({ resultCode }); } };
      document.dispatchEvent(new Event("AlipayJSBridgeReady"));
    }, 50);
  } else if (kind === "mini") {
    // The native pay page covers the web-view (hidden) and navigateBack shows it again.
    let hidden = false;
    Object.defineProperty(document, "hidden", { get: () => hidden });
    Object.defineProperty(document, "visibilityState", { get: () => (hidden ? "hidden" : "visible") });
    window.__setHidden = (h) => { hidden = h; document.dispatchEvent(new Event("visibilitychange")); };
    window.__wxjs_environment = "miniprogram";
    window.wx = { miniProgram: { getEnv: (cb) => cb({ miniprogram: true }), navigateTo: ({ url }) => { window.__calls.push({ name: "navigateTo", url }); } } };
  } else if (kind === "app") {
    // The native app's bridge: resolves once the app's SDK returns.
    window.paybridgeAppBridge = (provider, payload) => new Promise((resolve) => { window.__calls.push({ name: "app", provider, payload }); window.__answer = resolve; });
  }
}

async function tabFor(envName) {
  let tab = tabs[envName];
  if (!tab) {
    const env = ENVS[envName];
    const ctx = await browser.newContext(env.context);
    // Wallet containers get their bridge; phone browsers double as the merchant's native
    // app shell (appBridge is only consulted by app mode).
    const kind = env.bridge ?? (env.container === "mobile" ? "app" : null);
    if (kind) await ctx.addInitScript(installBridges, kind);
    const page = await ctx.newPage();
    tab = tabs[envName] = { ctx, page, errors: [], phone: await payerCtx.newPage() };
    page.on("pageerror", (e) => tab.errors.push(e));
  }
  return tab;
}

/** The environment's tab, fresh on checkout.html for case `c` (sessionStorage emptied first). */
async function open(c) {
  const tab = await tabFor(c.env);
  const { page } = tab;
  tab.errors.length = 0;
  if (page.url().startsWith(demo.url)) await page.evaluate(() => sessionStorage.clear());
  const q = new URLSearchParams({ gateway: c.gateway, mode: c.mode, channel: c.channel, locale: "en", auth: authCode(c.channel), ...(c.wallet ? { wallet: c.wallet } : {}) });
  // The mini-program puts its wx.login() code in the web-view's URL (HipoPay exchanges it, seed 002 §4.4).
  if (c.env === "mini") q.set("code", miniCode(c));
  await page.goto(`${demo.url}checkout.html?${q}`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  return { page, errors: tab.errors, phone: tab.phone };
}

const state = (page) => page.evaluate(() => document.body.dataset.state);
const until = (page, states, timeout = 15_000) =>
  page.waitForFunction((s) => s.includes(document.body.dataset.state), states, { timeout });
const errorText = (page) => page.evaluate(() => (document.getElementById("co-error").hidden ? "" : document.getElementById("co-error").textContent));
const orderNo = async (page) => (await page.textContent("#co-order")).trim();
const outcome = async (page) => JSON.parse(await page.textContent("#co-outcome"));
const control = async (gateway, order, action) => {
  const res = await fetch(`${demo.url}sandbox/${gateway}/_control/orders/${order}/${action}`, { method: "POST" });
  assert.equal(res.status, 200, `${action} ${gateway}/${order}: ${await res.text()}`);
};
const sandboxOrder = async (gateway, order) => {
  const res = await fetch(`${demo.url}sandbox/${gateway}/_control/orders/${order}`);
  return { status: res.status, body: await res.json() };
};
const calls = (page) => page.waitForFunction(() => window.__calls?.length > 0 || document.body.dataset.state === "error", null, { timeout: 15_000 })
  .then(async () => { assert.equal(await state(page), "waiting", await errorText(page)); return page.evaluate(() => window.__calls); });
const name = (c) => `${c.gateway}-${c.mode}-${c.channel}${c.wallet ? `-${c.wallet}` : ""}-${c.env}`;

/** The end every paid case shares: the page shows succeeded + verified for the order, the sandbox has it paid. */
async function assertPaid(c, page, order) {
  await until(page, ["succeeded", "failed", "closed", "cancelled", "unknown", "error"]);
  assert.equal(await state(page), "succeeded", await errorText(page) || await page.textContent("#co-outcome"));
  const out = JSON.parse(await page.textContent("#co-outcome"));
  assert.deepEqual([out.state, out.verified, out.outTradeNo], ["succeeded", true, order]);
  if (out.amount !== undefined) assert.equal(out.amount, 1288);
  const { status, body } = await sandboxOrder(c.gateway, order);
  assert.equal(status, 200);
  assert.deepEqual([body.state, body.amount], ["paid", 1288], JSON.stringify(body));
}

/** The payer scans the code: the decoded link, opened on a phone, is the sandbox wallet where they pay. */
async function payInWallet(phone, url) {
  await phone.goto(url);
  await phone.click("button[data-action=pay]");
  await phone.waitForFunction(() => document.getElementById("message").textContent.length > 0);
}

/** HiPOS's code is the shop's pickup code, not a wallet link (seed 000 扫码提货): the store's POS
 *  scans it, and the sandbox, playing the POS and HiPOS, asks the shop for the order, takes the
 *  payment (unpaid) and confirms the pickup with the shop. */
const PICKUP = new Set(["hipos"]);
async function scanAtPos(order, code) {
  assert.match(code, new RegExp(`^${order}\\.[0-9a-f]{16}$`), "the shop's pickup code");
  const res = await fetch(`${demo.url}sandbox/hipos/_control/pos/scan`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pickup_code: code }) });
  assert.equal(res.status, 200, `scan ${order}: ${await res.text()}`);
}

/** The code a mini-program's wx.login() gave for case `c` (single-use: fresh per case). */
const miniCode = (c) => `0${createHash("md5").update(`${name(c)}-${Date.now()}`).digest("hex").slice(0, 31)}`;
/** The openid the HipoPay sandbox answers for a code (4.4 step 2), and its container's payer (4.1). */
const sandboxOpenid = (seed) => `o${createHash("md5").update(seed).digest("hex").slice(0, 27)}`;
const CONTAINER_PAYER = sandboxOpenid("900001:sandbox-payer");

/** HipoPay jsapi: the page is given no openid (seed 002 §4.1 / §4.4). Records what it sent; `check(order)`
 *  asserts the order was created with the payer's openid — the container's (back on the bound page with every
 *  parameter plus `openid`) in WeChat, the exchanged code's (through the proxy, for this order) in a mini-program. */
function watchOpenid(c, page) {
  if (c.gateway !== "hipopay") return null;
  const seen = { exchanged: [], created: [] };
  const record = (r) => {
    if (r.url().includes("/proxy/hipopay/order/openid")) seen.exchanged.push(JSON.parse(r.postData()));
    if (/\/proxy\/hipopay\/order\/(jsapi|mini_program)_pay/.test(r.url())) seen.created.push(JSON.parse(r.postData()));
  };
  page.on("request", record);
  return {
    check(order) {
      page.off("request", record);
      assert.equal(seen.created.length, 1, "one create call");
      assert.equal(seen.created[0].agent_order_id, order);
      if (c.env === "mini") {
        const code = new URL(page.url()).searchParams.get("code");
        assert.deepEqual(seen.exchanged, [{ agent_order_id: order, code }], "the code exchanged for this order");
        assert.equal(seen.created[0].openid, sandboxOpenid(code));
      } else {
        const back = new URL(page.url()).searchParams;
        assert.deepEqual([back.get("gateway"), back.get("mode"), back.get("paybridge_order"), back.get("openid")], ["hipopay", "jsapi", order, CONTAINER_PAYER]);
        assert.deepEqual(seen.exchanged, []);
        assert.equal(seen.created[0].openid, CONTAINER_PAYER);
      }
    },
  };
}

const FLOWS = {
  async qr(c) {
    const { page, errors, phone } = await open(c);
    await page.click("#co-pay");
    await until(page, ["waiting", "error"]);
    assert.equal(await state(page), "waiting", await errorText(page));
    const order = await orderNo(page);
    const wallet = `${demo.url}sandbox/wallet/${c.gateway}/${order}`;
    const qr = await decodeCanvas(page, "#co-qr");
    assert.ok(qr, "the canvas holds a decodable QR code");
    if (PICKUP.has(c.gateway)) {
      await screenshot(page, `matrix-${name(c)}`);
      await scanAtPos(order, qr.text);
      await assertPaid(c, page, order);
      assert.deepEqual(errors, []);
      return;
    }
    assert.equal(qr.text, wallet);
    assert.equal(await page.getAttribute("#co-wallet", "href"), qr.text, "the code is the action's content");
    await screenshot(page, `matrix-${name(c)}`);
    await payInWallet(phone, qr.text);
    await assertPaid(c, page, order);
    assert.deepEqual(errors, []);
  },

  /** h5, wap, hosted cashier: leave for the gateway's page, pay there, come back by its return link. */
  async redirect(c) {
    const { page, errors } = await open(c);
    await page.click("#co-pay");
    await page.waitForURL(new RegExp(`/sandbox/wallet/${c.gateway}/`), { timeout: 15_000 });
    const order = page.url().split("/").pop().split("?")[0];
    // Only the order reference stays behind for the return (same origin as the shop here).
    const pending = JSON.parse(await page.evaluate(() => sessionStorage.getItem("paybridge.pending")));
    assert.deepEqual([pending.outTradeNo, pending.gateway, pending.mode], [order, c.gateway, c.mode]);
    await screenshot(page, `matrix-${name(c)}`);
    await page.click("button[data-action=pay]");
    await page.waitForFunction(() => document.getElementById("message").textContent.length > 0);
    const back = await page.getAttribute("a.back", "href");
    assert.match(back, /\/checkout\.html\?/, "the gateway page links back to the shop");
    await page.click("a.back");
    await page.waitForURL(/\/checkout\.html/);
    await assertPaid(c, page, order);
    assert.match(await page.textContent("#co-log"), /action confirm/, "resumed: asked paid / problem, then confirmed by a query");
    assert.equal(await page.evaluate(() => sessionStorage.getItem("paybridge.pending")), null, "pending order forgotten once settled");
    assert.deepEqual(errors, []);
  },

  /** WAP inside WeChat (Alipay pages are blocked there): the "open in browser" guide, no navigation. */
  async guide(c) {
    const { page, errors } = await open(c);
    await page.click("#co-pay");
    await page.waitForFunction(() => document.querySelector("[data-paybridge=guide]") || document.body.dataset.state === "error", null, { timeout: 15_000 });
    assert.equal(await state(page), "waiting", await errorText(page));
    assert.match(page.url(), /\/checkout\.html/, "did not navigate");
    await screenshot(page, `matrix-${name(c)}`);
    const order = JSON.parse(await page.evaluate(() => sessionStorage.getItem("paybridge.pending"))).outTradeNo;
    assert.equal(order, await orderNo(page));
    await control(c.gateway, order, "pay"); // paid in the phone's browser
    await assertPaid(c, page, order);
    assert.equal(await page.$("[data-paybridge=guide]"), null, "guide removed when settled");
    assert.deepEqual(errors, []);
  },

  /** The clerk scanned the payer's code: USERPAYING while the payer types the PIN, then paid. */
  async counter(c) {
    const { page, errors } = await open(c);
    await page.click("#co-pay");
    await page.waitForFunction(() => document.getElementById("co-log").textContent.includes("action await") || ["error", "succeeded"].includes(document.body.dataset.state), null, { timeout: 15_000 });
    assert.equal(await state(page), "waiting", await errorText(page));
    const order = await orderNo(page);
    assert.equal((await sandboxOrder(c.gateway, order)).body.state, "paying");
    await screenshot(page, `matrix-${name(c)}`);
    await control(c.gateway, order, "pay"); // the PIN
    await assertPaid(c, page, order);
    // A payer's code taken for "any" wallet: the gateway's answer (BeeCloud SCAN's channel_type) or the code names it.
    if (c.channel === "any" && WALLET_NAMED.has(c.gateway)) assert.equal((await outcome(page)).channel, "wechat");
    assert.deepEqual(errors, []);
  },

  async wechatBridge(c) {
    const { page, errors } = await open(c);
    const openid = watchOpenid(c, page);
    await page.click("#co-pay");
    // HipoPay: no openid given, so the page goes through HipoPay's container and comes back with one.
    if (openid) await page.waitForURL(/[?&]openid=/, { timeout: 15_000 });
    const [call] = await calls(page);
    assert.equal(call.name, "getBrandWCPayRequest");
    assert.deepEqual(Object.keys(call.params).sort(), ["appId", "nonceStr", "package", "paySign", "signType", "timeStamp"]);
    assert.match(call.params.package, /^prepay_id=/);
    const order = await orderNo(page);
    await screenshot(page, `matrix-${name(c)}`);
    await control(c.gateway, order, "pay");
    await page.evaluate(() => window.__answer("get_brand_wcpay_request:ok"));
    await assertPaid(c, page, order);
    openid?.check(order);
    assert.deepEqual(errors, []);
  },

  /** WeChat's HK wallet (BlueOcean seed L814-L864): WeChat checks wx.config's SHA-1 signature against
   *  the official account's jsapi_ticket and this page's URL, then getH5PrepayRequest's six fields and
   *  their SHA-1 paySign; the payer pays, WeChat answers ok, the page confirms by a query. */
  async wechatHk(c) {
    const { page, errors } = await open(c);
    const languages = [];
    const seen = (r) => { if (r.url().includes("/proxy/") && r.method() === "POST") languages.push(r.headers()["accept-language"]); };
    page.on("request", seen);
    await page.click("#co-pay");
    await page.waitForFunction(() => window.__calls?.some((x) => x.name === "getH5PrepayRequest") || document.body.dataset.state === "error", null, { timeout: 15_000 });
    assert.equal(await state(page), "waiting", await errorText(page));
    const [config, invoke, ...more] = await page.evaluate(() => window.__calls);
    assert.deepEqual([config.name, invoke.name, more.length], ["config", "getH5PrepayRequest", 0], "wx.config, then getH5PrepayRequest, and no getBrandWCPayRequest");
    const cfg = config.params;
    assert.deepEqual([cfg.beta, cfg.debug, cfg.jsApiList], [true, false, ["getH5PrepayRequest"]]);
    const ticket = await wechatTicket(cfg.appId);
    const pageUrl = page.url().split("#")[0];
    const signed = `jsapi_ticket=${ticket}&noncestr=${cfg.nonceStr}&timestamp=${cfg.timestamp}&url=${pageUrl}`;
    assert.equal(cfg.signature, sha1(signed), "wx.config is signed for this page with the account's ticket");
    const pay = invoke.params;
    assert.deepEqual(Object.keys(pay).sort(), ["appId", "nonceStr", "package", "paySign", "signType", "timeStamp"]);
    assert.equal(pay.signType, "SHA1");
    assert.equal(pay.appId, cfg.appId, "the payment's account is the configured one");
    assert.match(pay.package, /^prepay_id=/);
    const paySign = sha1(`appid=${pay.appId}&appkey=${SANDBOX.hk_pay_sign_key}&noncestr=${pay.nonceStr}&package=${pay.package}&timestamp=${pay.timeStamp}`);
    assert.equal(pay.paySign, paySign, "the gateway's paySign reaches the wallet verbatim");
    page.off("request", seen);
    assert.ok(languages.length >= 2 && languages.every((l) => l === "en"), `every call through the proxy carries the checkout's locale: ${languages}`);
    const order = await orderNo(page);
    assert.equal((await sandboxOrder(c.gateway, order)).body.state, "unpaid");
    await screenshot(page, `matrix-${name(c)}`);
    await control(c.gateway, order, "pay");
    await page.evaluate(() => window.__answer("getH5PrepayRequest:ok"));
    await assertPaid(c, page, order);
    assert.deepEqual(errors, []);
  },

  async tradePay(c) {
    const { page, errors } = await open(c);
    await page.click("#co-pay");
    const [call] = await calls(page);
    assert.equal(call.name, "tradePay");
    assert.equal(typeof call.params.tradeNO, "string");
    assert.ok(call.params.tradeNO.length > 0);
    const order = await orderNo(page);
    await screenshot(page, `matrix-${name(c)}`);
    await control(c.gateway, order, "pay");
    await page.evaluate(() => window.__answer("9000"));
    await assertPaid(c, page, order);
    assert.deepEqual(errors, []);
  },

  /** Mini-program web-view: hand-off to the native pay page, resume when shown again. */
  async mini(c) {
    const { page, errors } = await open(c);
    const openid = watchOpenid(c, page);
    await page.click("#co-pay");
    const [call] = await calls(page);
    assert.equal(call.name, "navigateTo");
    const url = new URL(call.url, "https://mini.invalid");
    assert.equal(url.pathname, "/pages/paybridge/pay");
    assert.deepEqual([...url.searchParams.keys()], ["timeStamp", "nonceStr", "package", "signType", "paySign", "gateway", "outTradeNo"]);
    assert.match(url.searchParams.get("package"), /^prepay_id=/);
    assert.equal(url.searchParams.get("gateway"), c.gateway);
    const order = url.searchParams.get("outTradeNo");
    assert.equal(order, await orderNo(page));
    await screenshot(page, `matrix-${name(c)}`);
    await page.evaluate(() => window.__setHidden(true));
    await control(c.gateway, order, "pay"); // wx.requestPayment on the native page
    await page.evaluate(() => window.__setHidden(false));
    await assertPaid(c, page, order);
    openid?.check(order);
    assert.deepEqual(errors, []);
  },

  /** A native app's web view: the validated payload goes to appBridge, the app's SDK pays. */
  async app(c) {
    const { page, errors } = await open(c);
    await page.click("#co-pay");
    const [call] = await calls(page);
    assert.equal(call.provider, c.channel);
    assert.ok(call.payload && (typeof call.payload === "object" || typeof call.payload === "string"), JSON.stringify(call.payload));
    const order = await orderNo(page);
    await screenshot(page, `matrix-${name(c)}`);
    await control(c.gateway, order, "pay");
    await page.evaluate(() => window.__answer());
    await assertPaid(c, page, order);
    assert.deepEqual(errors, []);
  },

  /** Must fail with bridge_unavailable at once, before the gateway has any order. */
  async unavailable(c) {
    const { page } = await open(c);
    const created = [];
    const seen = (r) => { if (r.url().includes(`/proxy/${c.gateway}/`)) created.push(r.url()); };
    page.on("request", seen);
    await page.click("#co-pay");
    await until(page, ["error", "waiting", "succeeded"]).finally(() => page.off("request", seen));
    assert.equal(await state(page), "error");
    assert.equal(await page.getAttribute("#co-error", "data-code"), "bridge_unavailable", await errorText(page));
    assert.deepEqual(created, [], "no gateway call");
    assert.equal((await sandboxOrder(c.gateway, await orderNo(page))).status, 404, "no order at the gateway");
    await screenshot(page, `matrix-${name(c)}`);
  },
};

/** The unhappy paths: each gateway's first QR offer on a desktop, and its first redirect mode on a phone. */
const firstQr = (g) => MODES[g].find(([m]) => m === "qr")[1];
const REDIRECT_MODES = ["h5", "wap", "cashier"];
const UNHAPPY = {
  /** The payer's wallet says the payment failed: a terminal `failed`, never paid. Gateways whose
   *  status answer has no such state keep the page waiting until its deadline: `expired`. */
  async fail(g) {
    await endsUnpaid(g, "fail", "failed", "failed");
  },
  /** The gateway closes the order at its own expiry: a terminal `closed` (or, as above, `expired`). */
  async expire(g) {
    await endsUnpaid(g, "expire", "closed", "expired");
  },
  /** The page gives up: `cancelled`, no query afterwards, the order not paid. */
  async cancel(g) {
    const { page, order, ctx } = await startQr(g);
    await page.click("#co-cancel");
    await until(page, ["error", "succeeded"]);
    assert.equal(await page.getAttribute("#co-error", "data-code"), "cancelled");
    const later = [];
    page.on("request", (r) => { if (r.url().includes("/proxy/")) later.push(r.url()); });
    await page.waitForTimeout(1_500);
    assert.deepEqual(later, [], "no query after cancel");
    assert.notEqual((await sandboxOrder(g, order)).body.state, "paid");
    await ctx.close();
    if (COUNTER_CANCEL.has(g)) await cancelCounter(g);
  },
  /** The order's deadline passes: a fresh order number and a fresh code, which the payer then pays. */
  async renew(g) {
    // The page's clock jumps past the deadline. A short real TTL raced: on a loaded machine the renewed order
    // could expire too before the test read and paid it.
    const { page, order: first, ctx, phone } = await startQr(g, "&ttl=600000&renew=1", (p) => p.clock.install());
    await page.clock.fastForward(601_000);
    await page.waitForFunction((o) => document.getElementById("co-order").textContent.trim() !== o, first, { timeout: 20_000 });
    const second = await orderNo(page);
    assert.match(await page.textContent("#co-log"), new RegExp(`expired ${first}, renewing`));
    await page.waitForFunction(() => document.body.dataset.state === "waiting");
    const qr = await decodeCanvas(page, "#co-qr");
    assert.equal(qr?.text, `${demo.url}sandbox/wallet/${g}/${second}`, "the fresh code is the fresh order's");
    await payInWallet(phone, qr.text);
    await assertPaid({ gateway: g }, page, second);
    await ctx.close();
  },
  /** The proxy goes away in the middle of polling (the long-poll in flight is reset, every call
   *  after it refused) and comes back: the page keeps waiting, then sees the payment. */
  async outage(g) {
    const proxy = proxyLine();
    const { page, order, ctx, phone } = await startQr(g, "", proxy.install);
    await page.waitForFunction(() => document.getElementById("co-log").textContent.includes("status "), null, { timeout: 15_000 }).catch(() => {});
    const code = PICKUP.has(g) ? (await decodeCanvas(page, "#co-qr"))?.text : null;
    await proxy.down();
    await page.waitForFunction(() => document.getElementById("co-log").textContent.includes("still polling"), null, { timeout: 20_000 });
    assert.equal(await state(page), "waiting", "an outage is not an outcome");
    await screenshot(page, `unhappy-outage-${g}`);
    if (code) await scanAtPos(order, code); // the POS reaches the shop through HiPOS, not through this page
    else await payInWallet(phone, `${demo.url}sandbox/wallet/${g}/${order}`);
    await page.waitForTimeout(1_000);
    assert.equal(await state(page), "waiting", "nothing is known while the proxy is away");
    proxy.up();
    // Back-off after the failed calls: the next query may be several seconds away.
    await assertPaid({ gateway: g }, page, order);
    await ctx.close();
  },
  /** Phone redirect modes: the payer reloads the shop's page while the wallet is still open; the page resumes and waits. */
  async reload(g) {
    const [mode, channel] = MODES[g].find(([m]) => REDIRECT_MODES.includes(m));
    const ctx = await browser.newContext(ENVS.iphone.context);
    const page = await ctx.newPage();
    const q = new URLSearchParams({ gateway: g, mode, channel, locale: "en" });
    await page.goto(`${demo.url}checkout.html?${q}`);
    await page.waitForFunction(() => document.body.dataset.state === "ready");
    await page.click("#co-pay");
    await page.waitForURL(new RegExp(`/sandbox/wallet/${g}/`), { timeout: 15_000 });
    const order = page.url().split("/").pop().split("?")[0];
    await page.goto(`${demo.url}checkout.html?${q}`);
    await page.waitForSelector("#co-confirm:not([hidden])", { timeout: 15_000 });
    assert.equal(await state(page), "waiting", "resumed, nothing assumed");
    assert.equal(await orderNo(page), order);
    await screenshot(page, `unhappy-reload-${g}`);
    await control(g, order, "pay");
    await assertPaid({ gateway: g }, page, order);
    await ctx.close();
  },
};

/** Gateways whose counter payment names its wallet when created for "any". */
const WALLET_NAMED = new Set(["beecloud", "chaoying"]);
/** The page cancels an unpaid counter payment: the gateway's order is cancelled through the proxy's
 *  cancel safety, and `pay()` rejects with `cancelled` once the gateway confirmed it. */
const COUNTER_CANCEL = new Set(["chaoying"]);
async function cancelCounter(g) {
  const ctx = await browser.newContext(ENVS.desktop.context);
  const page = await ctx.newPage();
  const q = new URLSearchParams({ gateway: g, mode: "counter", channel: "any", locale: "en", auth: authCode("wechat") });
  await page.goto(`${demo.url}checkout.html?${q}`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  const calls = [];
  page.on("request", (r) => { if (r.url().includes("/proxy/")) calls.push(JSON.parse(r.postData() || "{}")); });
  await page.click("#co-pay");
  await page.waitForFunction(() => document.getElementById("co-log").textContent.includes("action await") || document.body.dataset.state === "error", null, { timeout: 15_000 });
  const order = await orderNo(page);
  assert.equal((await sandboxOrder(g, order)).body.state, "paying", await errorText(page));
  await page.click("#co-cancel");
  await until(page, ["error", "succeeded", "unknown"]);
  assert.equal(await page.getAttribute("#co-error", "data-code"), "cancelled", await errorText(page));
  assert.equal((await sandboxOrder(g, order)).body.state, "reverted");
  const cancel = calls.find((b) => b.method === "cancel");
  assert.deepEqual([cancel?.out_trade_no, cancel?.paytype], [order, "WECHAT"], "the cancel names the order and the wallet its code showed");
  await ctx.close();
}

/** The page's line to the proxy, which the test can cut: `down()` resets the calls in flight
 *  (a long-poll included) and refuses new ones until `up()`. */
function proxyLine() {
  let down = false;
  const open = new Set();
  const end = (call, how) => { if (!call.done) { call.done = true; return how(); } };
  return {
    install: (page) => page.route("**/proxy/**", async (route) => {
      if (down) return route.abort("connectionrefused");
      const call = { route, done: false };
      open.add(call);
      try {
        const response = await route.fetch({ timeout: 60_000 });
        await end(call, () => route.fulfill({ response }));
      } catch {
        await end(call, () => route.abort("connectionreset")).catch(() => {});
      } finally {
        open.delete(call);
      }
    }),
    down: async () => {
      down = true;
      for (const call of open) await end(call, () => call.route.abort("connectionreset")).catch(() => {});
    },
    up: () => { down = false; },
  };
}

/** BeeCloud's status answer says only paid or not (`pay_result`): a failed or closed order is,
 *  to it, not paid yet, and the page waits until its own deadline (4 s here), then `expired`. */
const SAYS_ONLY_PAID = new Set(["beecloud"]);
/** The sandbox ends an unpaid order with `action`: the page shows `want` (see above for
 *  BeeCloud); never success. */
async function endsUnpaid(g, action, want, sandboxState) {
  const { page, order, ctx } = await startQr(g, "&ttl=4000");
  await control(g, order, action);
  await until(page, ["failed", "closed", "cancelled", "succeeded", "error"]);
  if (SAYS_ONLY_PAID.has(g)) {
    assert.equal(await page.getAttribute("#co-error", "data-code"), "expired", `${g}: ${await state(page)}`);
  } else {
    assert.equal(await state(page), want, await errorText(page));
    assert.equal((await outcome(page)).verified, true);
  }
  assert.equal((await sandboxOrder(g, order)).body.state, sandboxState);
  await ctx.close();
}

/** A QR payment started on a fresh desktop page; resolves once the code is shown. */
async function startQr(gateway, extra = "", prepare = async () => {}) {
  const ctx = await browser.newContext(ENVS.desktop.context);
  const page = await ctx.newPage();
  await prepare(page);
  const q = `gateway=${gateway}&mode=qr&channel=${firstQr(gateway)}&locale=en${extra}`;
  await page.goto(`${demo.url}checkout.html?${q}`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  await page.click("#co-pay");
  await until(page, ["waiting", "error"]);
  assert.equal(await state(page), "waiting", await errorText(page));
  return { ctx, page, order: await orderNo(page), phone: await payerCtx.newPage() };
}

const unhappyResults = new Map();
/** Unhappy paths that cannot be driven for a gateway, and why. */
const UNHAPPY_SKIPS = {
  "hipos/renew": "a HiPOS pickup code is the shop's and lives as long as its order; renewal at a deadline is covered by the other four",
  "hipos/fail": "HiPOS neither fails nor closes the shop's O2O order (seed 000 L20: it asks for it and confirms its pickup); an unpaid, forged or unsigned pickup is refused in tests/page/o2o.test.mjs and proxy/tests/shop_o2o.rs",
  "hipos/expire": "HiPOS neither fails nor closes the shop's O2O order (seed 000 L20: it asks for it and confirms its pickup); the order lives as long as the shop keeps it",
};

test("the matrix's table is the client's: MODES equals the wasm's offers, environments detect as intended", async () => {
  for (const [envName, env] of Object.entries(ENVS)) {
    const { page } = await tabFor(envName);
    await page.goto(`${demo.url}checkout.html`);
    await page.waitForFunction(() => document.body.dataset.state === "ready");
    const seen = await page.evaluate(async ({ gateways, all }) => {
      const { Checkout, detectEnvironment } = await import("/pkg/paybridge.js");
      const detected = detectEnvironment();
      const offers = {};
      const here = {};
      for (const g of gateways) {
        // Every mode asked for in WeChat, Alipay and a desktop (jsapi is offered only for the
        // container's own wallet): together, the gateway's whole modes() list.
        const all_ = ["wechat", "alipay", "desktop"].flatMap((container) => Checkout.methods(g, { container, recommendedModes: all }));
        offers[g] = [...new Set(all_.map((m) => `${m.mode}/${m.channel}`))].sort();
        here[g] = Checkout.methods(g, detected).map((m) => `${m.mode}/${m.channel}`).sort();
      }
      return { container: detected.container, os: detected.os, offers, here };
    }, { gateways: GATEWAYS, all: ALL_MODES });
    assert.deepEqual([seen.container, seen.os], [env.container, env.os], `${envName} detected`);
    for (const [g, pairs] of GATEWAYS.map((g) => [g, MODES[g]])) {
      if (envName === "desktop") assert.deepEqual(seen.offers[g], [...new Set(pairs.map(([m, ch]) => `${m}/${ch}`))].sort(), `${g}: MODES is GatewayProtocol::modes()`);
      // What the client recommends here is exactly what the matrix pays here (besides the
      // clerk's counter, native-app shells and the WAP guide, which it never recommends).
      const paid = [...new Set(CASES.filter((c) => c.gateway === g && c.env === envName && c.run && !["unavailable", "counter", "app", "guide"].includes(c.run))
        .map((c) => `${c.mode}/${c.channel}`))].sort();
      assert.deepEqual(paid, seen.here[g], `${g} in ${envName}: paid cases = Checkout.methods`);
    }
  }
});

/** Environments run side by side in LANES lanes (each its own tab and orders; nothing global such
 *  as fault rules is touched); inside an environment, cases run one after another. */
const LANES = Number(process.env.MATRIX_LANES || 3);
describe("matrix", { concurrency: LANES }, () => {
  for (const envName of Object.keys(ENVS)) {
    describe(envName, { concurrency: 1 }, () => {
      for (const c of CASES.filter((x) => x.env === envName)) {
        const label = `${c.gateway} · ${c.mode}/${c.channel}${c.wallet ? ` wallet ${c.wallet}` : ""} · ${c.env}${c.run ? ` → ${c.run}${c.why ? ` (${c.why})` : ""}` : ""}`;
        if (c.skip) {
          results.set(c, { result: "skip", note: c.skip });
          test(label, { skip: c.skip }, () => {});
          continue;
        }
        test(label, async () => {
          const t0 = Date.now();
          try {
            await FLOWS[c.run](c);
            results.set(c, { result: "pass", note: c.run === "unavailable" ? "bridge_unavailable" : c.run, ms: Date.now() - t0 });
          } catch (e) {
            results.set(c, { result: "FAIL", note: String(e.message).split("\n")[0].slice(0, 160), ms: Date.now() - t0 });
            throw e;
          }
        });
      }
    });
  }
  describe("unhappy paths", { concurrency: 1 }, () => {
    for (const g of GATEWAYS) {
      for (const [path, run] of Object.entries(UNHAPPY)) {
        const key = `${g}/${path}`;
        const skip = UNHAPPY_SKIPS[key] ?? (path === "reload" && !MODES[g].some(([m]) => REDIRECT_MODES.includes(m)) ? "no phone redirect mode (h5, wap, hosted cashier)" : null);
        if (skip) {
          unhappyResults.set(key, `skip: ${skip}`);
          test(`${g} · ${path}`, { skip }, () => {});
          continue;
        }
        test(`${g} · ${path}`, async () => {
          try {
            await run(g);
            unhappyResults.set(key, "pass");
          } catch (e) {
            unhappyResults.set(key, `FAIL ${String(e.message).split("\n")[0].slice(0, 120)}`);
            throw e;
          }
        });
      }
    }
  });
});

/** test-output/matrix.md: gateway × (mode, channel) × environment. */
function writeReport() {
  const envs = Object.keys(ENVS);
  const lines = ["# Checkout matrix (tests/page/matrix.test.mjs)", "", `| gateway | mode/channel | ${envs.join(" | ")} |`, `|---|---|${envs.map(() => "---").join("|")}|`];
  const skips = new Map();
  for (const [gateway, pairs] of GATEWAYS.map((g) => [g, MODES[g]])) {
    for (const [mode, channel, wallet] of pairs) {
      const cells = envs.map((env) => {
        const c = CASES.find((x) => x.gateway === gateway && x.mode === mode && x.channel === channel && x.wallet === wallet && x.env === env);
        const r = results.get(c) ?? { result: "not run" };
        if (r.result === "skip") {
          if (!skips.has(r.note)) skips.set(r.note, skips.size + 1);
          return `skip[${skips.get(r.note)}]`;
        }
        return `${r.result}${r.note ? ` ${r.note}` : ""}`;
      });
      lines.push(`| ${gateway} | ${mode}/${channel}${wallet ? ` (wallet ${wallet})` : ""} | ${cells.join(" | ")} |`);
    }
  }
  lines.push("", "Skipped:", ...[...skips].map(([why, n]) => `${n}. ${why}`), "");
  const paths = Object.keys(UNHAPPY);
  lines.push("## Unhappy paths", "", `| gateway | ${paths.join(" | ")} |`, `|---|${paths.map(() => "---").join("|")}|`);
  for (const g of GATEWAYS) lines.push(`| ${g} | ${paths.map((p) => unhappyResults.get(`${g}/${p}`) ?? "not run").join(" | ")} |`);
  lines.push("");
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(join(OUTPUT, "matrix.md"), lines.join("\n"));
}
