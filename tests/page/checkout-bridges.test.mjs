// The Checkout's wallet bridges on www/checkout.html in real Chromium, with
// the user agent of the wallet and fake WeixinJSBridge / AlipayJSBridge /
// wx.miniProgram objects installed before the page runs. A bridge's "ok" is
// only a hint: the outcome comes from the gateway (sandbox via the proxy).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launch, screenshot } from "./harness.mjs";

let demo, browser;
before(async () => { demo = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); demo?.stop(); });

const WECHAT = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.40.2420";
const MINI = `${WECHAT} miniProgram`;
const ALIPAY = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Mobile Safari/537.36 AlipayClient/10.5.36";

async function open(query, userAgent, init) {
  const ctx = await browser.newContext({ viewport: { width: 420, height: 800 }, userAgent });
  if (init) await ctx.addInitScript(init);
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(`${demo.url}checkout.html?${query}`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  return { ctx, page, errors };
}

const state = (page) => page.evaluate(() => document.body.dataset.state);
const until = (page, states) => page.waitForFunction((s) => s.includes(document.body.dataset.state), states, { timeout: 20_000 });
const outcome = async (page) => JSON.parse(await page.textContent("#co-outcome"));
const orderNo = async (page) => (await page.textContent("#co-order")).trim();
const control = (gateway, order, action) => fetch(`${demo.url}sandbox/${gateway}/_control/orders/${order}/${action}`, { method: "POST" });

/** A WeixinJSBridge that appears after WeixinJSBridgeReady and records its calls. */
const fakeWeixin = () => {
  setTimeout(() => {
    window.WeixinJSBridge = { invoke: (name, params, cb) => { window.__invoked = { name, params }; window.__answer = cb; } };
    document.dispatchEvent(new Event("WeixinJSBridgeReady"));
  }, 300);
};

for (const [answer, paid, want, verified] of [
  ["get_brand_wcpay_request:ok", true, "succeeded", true],
  ["get_brand_wcpay_request:cancel", false, "cancelled", false],
  ["get_brand_wcpay_request:ok", false, null, null],
]) {
  test(`WeChat JSAPI: bridge says ${answer.split(":")[1]}, ${paid ? "paid" : "not paid"} → ${want ?? "keeps polling"}`, async () => {
    const { ctx, page, errors } = await open("gateway=blueocean&mode=jsapi&channel=wechat", WECHAT, fakeWeixin);
    await page.click("#co-pay");
    await page.waitForFunction(() => window.__invoked, null, { timeout: 20_000 });
    const { name, params } = await page.evaluate(() => window.__invoked);
    assert.equal(name, "getBrandWCPayRequest");
    assert.deepEqual(Object.keys(params).sort(), ["appId", "nonceStr", "package", "paySign", "signType", "timeStamp"]);
    const order = await orderNo(page);
    if (paid) await control("blueocean", order, "pay");
    await page.evaluate((m) => window.__answer({ err_msg: m }), answer);
    if (want) {
      await until(page, [want, "error"]);
      const out = await outcome(page);
      assert.deepEqual([out.state, out.verified], [want, verified]);
    } else {
      // "ok" without a payment at the gateway is never reported as paid.
      await page.waitForFunction(() => document.getElementById("co-log").textContent.includes("status pending"), null, { timeout: 20_000 });
      await page.evaluate(() => new Promise((r) => setTimeout(r, 1_500)));
      assert.equal(await state(page), "waiting");
      await control("blueocean", order, "pay");
      await until(page, ["succeeded"]);
    }
    await screenshot(page, `checkout-wechat-${answer.split(":")[1]}-${paid}`);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}

test("WeChat JSAPI: a bridge that never becomes ready is bridge_unavailable", async () => {
  const { ctx, page } = await open("gateway=blueocean&mode=jsapi&channel=wechat&bridgeTimeout=300", WECHAT);
  await page.click("#co-pay");
  await until(page, ["error"]);
  assert.equal(await page.getAttribute("#co-error", "data-code"), "bridge_unavailable");
  await ctx.close();
});

test("JSAPI outside a wallet is bridge_unavailable at once, before any order is created", async () => {
  const { ctx, page } = await open("gateway=blueocean&mode=jsapi&channel=wechat");
  const created = [];
  page.on("request", (r) => { if (r.url().includes("/proxy/blueocean/")) created.push(r.url()); });
  await page.click("#co-pay");
  await until(page, ["error"]);
  assert.equal(await page.getAttribute("#co-error", "data-code"), "bridge_unavailable");
  assert.deepEqual(created, []);
  await ctx.close();
});

test("Alipay tradePay: 8000 (maybe) polls on, never fails; the payment is then seen", async () => {
  const init = () => {
    window.AlipayJSBridge = { call: (name, params, cb) => { window.__invoked = { name, params }; window.__answer = cb; } };
  };
  const { ctx, page } = await open("gateway=chaoying&mode=jsapi&channel=alipay", ALIPAY, init);
  await page.click("#co-pay");
  await page.waitForFunction(() => window.__invoked || document.body.dataset.state === "error", null, { timeout: 20_000 });
  assert.equal(await state(page), "waiting", await page.textContent("#co-error"));
  const { name, params } = await page.evaluate(() => window.__invoked);
  assert.equal(name, "tradePay");
  assert.equal(typeof params.tradeNO, "string");
  await page.evaluate(() => window.__answer({ resultCode: "8000" }));
  await page.evaluate(() => new Promise((r) => setTimeout(r, 1_500)));
  assert.equal(await state(page), "waiting");
  await control("chaoying", await orderNo(page), "pay");
  await until(page, ["succeeded"]);
  assert.equal((await outcome(page)).verified, true);
  await ctx.close();
});

test("mini-program web-view: hands off with wx.miniProgram.navigateTo, resumes when shown again", async () => {
  const init = () => {
    let hidden = false;
    Object.defineProperty(document, "hidden", { get: () => hidden });
    window.__setHidden = (h) => { hidden = h; document.dispatchEvent(new Event("visibilitychange")); };
    window.wx = { miniProgram: { navigateTo: ({ url }) => { window.__navigated = url; } } };
  };
  const { ctx, page } = await open("gateway=blueocean&mode=auto&channel=wechat", MINI, init);
  await page.click("#co-pay");
  await page.waitForFunction(() => window.__navigated || document.body.dataset.state === "error", null, { timeout: 20_000 });
  assert.equal(await state(page), "waiting", await page.textContent("#co-error"));
  const url = new URL(await page.evaluate(() => window.__navigated), "https://mini.invalid");
  assert.equal(url.pathname, "/pages/paybridge/pay");
  assert.deepEqual([...url.searchParams.keys()], ["timeStamp", "nonceStr", "package", "signType", "paySign", "gateway", "outTradeNo"]);
  assert.match(url.searchParams.get("package"), /^prepay_id=/);
  const order = url.searchParams.get("outTradeNo");
  assert.ok(await page.evaluate(() => sessionStorage.getItem("paybridge.pending")), "pending order kept");
  // The native page covers the web-view, the payer pays, navigateBack shows it again.
  await page.evaluate(() => window.__setHidden(true));
  await control("blueocean", order, "pay");
  await page.evaluate(() => window.__setHidden(false));
  await until(page, ["succeeded", "error"]);
  const out = await outcome(page);
  assert.deepEqual([out.state, out.verified, out.outTradeNo], ["succeeded", true, order]);
  await screenshot(page, "checkout-miniprogram-paid");
  await ctx.close();
});

test("the `wx` option (weixin-js-sdk imported, no global wx): the mini-program hand-off goes through its miniProgram.navigateTo", async () => {
  const init = () => {
    let hidden = false;
    Object.defineProperty(document, "hidden", { get: () => hidden });
    window.__setHidden = (h) => { hidden = h; document.dispatchEvent(new Event("visibilitychange")); };
  };
  const { ctx, page, errors } = await open("gateway=blueocean", MINI, init);
  // The page's own Checkout, as a page importing the SDK from npm builds it: the SDK object passed as `wx`.
  const order = await page.evaluate(async () => {
    const { Checkout } = await import("/pkg/paybridge.js");
    const res = await fetch("/shop/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ amount: 1, subject: "wx option" }) });
    const { out_trade_no: outTradeNo, clientSecret } = await res.json();
    const sdk = { miniProgram: { navigateTo: ({ url }) => { window.__navigated = url; } } };
    const checkout = new Checkout({ gateway: "blueocean", proxy: "/proxy", channel: "wechat", sandboxHosts: [location.host], wx: sdk });
    const done = (outcome) => { window.__outcome = outcome; };
    checkout.pay({ outTradeNo, clientSecret, mode: "jsapi", channel: "wechat", openid: "oSandboxPayer0001" }).then(done, (e) => done({ error: e.code, message: e.message }));
    return outTradeNo;
  });
  await page.waitForFunction(() => window.__navigated || window.__outcome, null, { timeout: 20_000 });
  const early = await page.evaluate(() => window.__outcome);
  assert.equal(early, undefined, `ended before the hand-off: ${JSON.stringify(early)}`);
  assert.equal(await page.evaluate(() => typeof window.wx), "undefined", "no global wx on this page");
  const url = new URL(await page.evaluate(() => window.__navigated), "https://mini.invalid");
  assert.equal(url.pathname, "/pages/paybridge/pay");
  assert.deepEqual([...url.searchParams.keys()], ["timeStamp", "nonceStr", "package", "signType", "paySign", "gateway", "outTradeNo"]);
  assert.match(url.searchParams.get("package"), /^prepay_id=/);
  assert.equal(url.searchParams.get("outTradeNo"), order);
  await page.evaluate(() => window.__setHidden(true));
  await control("blueocean", order, "pay");
  await page.evaluate(() => window.__setHidden(false));
  await page.waitForFunction(() => window.__outcome, null, { timeout: 20_000 });
  const out = await page.evaluate(() => window.__outcome);
  assert.deepEqual([out.state, out.verified, out.outTradeNo], ["succeeded", true, order], JSON.stringify(out));
  // Anything but an object is refused at construction with a coded error.
  const refused = await page.evaluate(async () => {
    const { Checkout } = await import("/pkg/paybridge.js");
    try { new Checkout({ gateway: "blueocean", proxy: "/proxy", wx: "wx" }); return null; } catch (e) { return e.code; }
  });
  assert.equal(refused, "invalid_argument");
  assert.deepEqual(errors, []);
  await ctx.close();
});
