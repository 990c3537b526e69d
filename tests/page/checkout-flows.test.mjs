// The Checkout class on www/checkout.html in real Chromium against the demo
// server (proxy → sandbox gateways): QR, H5 with a reload and a return,
// hosted cashier, WAP inside WeChat, counter, app; page cancel, payer fail,
// gateway expiry, a renewed QR after the order's deadline, and failing
// status queries. Payers act through the sandbox's controls and wallet page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launch, decodeCanvas, screenshot } from "./harness.mjs";

let demo, browser;
before(async () => { demo = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); demo?.stop(); });

const MOBILE = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
const WECHAT = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.40.2420";

async function open(query, { userAgent, init, clock } = {}) {
  const ctx = await browser.newContext({ viewport: { width: 900, height: 900 }, userAgent });
  if (init) await ctx.addInitScript(init);
  if (clock) await ctx.clock.install();
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(`${demo.url}checkout.html?${query}`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  return { ctx, page, errors };
}

const state = (page) => page.evaluate(() => document.body.dataset.state);
const until = (page, states, timeout = 20_000) =>
  page.waitForFunction((s) => s.includes(document.body.dataset.state), states, { timeout });
const outcome = async (page) => JSON.parse(await page.textContent("#co-outcome"));
const orderNo = async (page) => (await page.textContent("#co-order")).trim();
const control = (gateway, order, action) => fetch(`${demo.url}sandbox/${gateway}/_control/orders/${order}/${action}`, { method: "POST" });
const logHas = (page, text) => page.waitForFunction((t) => document.getElementById("co-log").textContent.includes(t), text, { timeout: 20_000 });

async function payQr(query, options) {
  const o = await open(query, options);
  await o.page.click("#co-pay");
  await until(o.page, ["waiting", "error"]);
  assert.equal(await state(o.page), "waiting", await o.page.textContent("#co-error"));
  return o;
}

test("qr: the drawn code is the wallet link; a payment resolves succeeded, verified", async () => {
  const { ctx, page, errors } = await payQr("gateway=blueocean&mode=qr&channel=wechat");
  const order = await orderNo(page);
  const qr = await decodeCanvas(page, "#co-qr");
  assert.equal(qr?.text, `${demo.url}sandbox/wallet/blueocean/${order}`);
  await screenshot(page, "checkout-qr-waiting");
  assert.equal((await control("blueocean", order, "pay")).status, 200);
  await until(page, ["succeeded"]);
  const out = await outcome(page);
  assert.deepEqual([out.state, out.verified, out.outTradeNo], ["succeeded", true, order]);
  await screenshot(page, "checkout-qr-paid");
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("qr: a payer's failure and a gateway expiry are terminal states", async () => {
  for (const [action, want] of [["fail", "failed"], ["expire", "closed"]]) {
    const { ctx, page } = await payQr("gateway=hipopay&mode=qr&channel=alipay");
    await control("hipopay", await orderNo(page), action);
    await until(page, [want, "error"]);
    assert.equal(await state(page), want, `${action} → ${want}`);
    assert.equal((await outcome(page)).verified, true);
    await ctx.close();
  }
});

test("qr: cancel() rejects with code cancelled and stops polling", async () => {
  const { ctx, page } = await payQr("gateway=beecloud&mode=qr&channel=wechat");
  await page.click("#co-cancel");
  await until(page, ["error"]);
  assert.equal(await page.getAttribute("#co-error", "data-code"), "cancelled");
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.evaluate(() => new Promise((r) => setTimeout(r, 2_000)));
  assert.deepEqual(requests.filter((u) => u.includes("/proxy/")), [], "no query after cancel");
  await ctx.close();
});

test("qr: after the deadline a fresh order number and code (renewOrder), then paid", async () => {
  // The page's clock jumps past the deadline. A short real TTL raced: on a loaded machine the renewed order
  // could expire too before the test read and paid it.
  const { ctx, page } = await payQr("gateway=chaoying&mode=qr&channel=wechat&ttl=600000&renew=1", { clock: true });
  const first = await orderNo(page);
  await page.clock.fastForward(601_000);
  await logHas(page, `expired ${first}, renewing`);
  await page.waitForFunction((o) => document.getElementById("co-order").textContent.trim() !== o, first, { timeout: 20_000 });
  const second = await orderNo(page);
  assert.notEqual(second, first);
  assert.equal((await decodeCanvas(page, "#co-qr"))?.text, `${demo.url}sandbox/wallet/chaoying/${second}`);
  await control("chaoying", second, "pay");
  await until(page, ["succeeded"]);
  assert.equal((await outcome(page)).outTradeNo, second);
  await ctx.close();
});

test("qr: failing status queries keep polling until the payment is seen", async () => {
  const faults = `${demo.url}sandbox/_control/faults`;
  const rule = { gateway: "blueocean", path: "/order/query", kind: "http_500", count: 2 };
  assert.equal((await fetch(faults, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(rule) })).status, 200);
  try {
    const { ctx, page } = await payQr("gateway=blueocean&mode=qr&channel=alipay");
    await logHas(page, "still polling");
    assert.equal(await state(page), "waiting");
    await control("blueocean", await orderNo(page), "pay");
    await until(page, ["succeeded", "error"], 60_000);
    assert.equal(await state(page), "succeeded");
    await ctx.close();
  } finally {
    await fetch(faults, { method: "DELETE" });
  }
});

test("h5: stores only the order reference, leaves for the wallet, a reload resumes and asks paid / problem", async () => {
  const { ctx, page } = await open("gateway=blueocean&mode=h5&channel=wechat", { userAgent: MOBILE });
  await page.click("#co-pay");
  await page.waitForURL(/\/sandbox\/wallet\/blueocean\//, { timeout: 20_000 });
  const stored = JSON.parse(await page.evaluate(() => sessionStorage.getItem("paybridge.pending")));
  // The order reference and its client secret (this tab's sessionStorage only): the resumed queries need it.
  assert.deepEqual(Object.keys(stored).sort(), ["channel", "clientSecret", "deadline", "gateway", "gatewayOrderId", "mode", "outTradeNo"]);
  assert.match(stored.clientSecret, /^pcs_[0-9a-f]{48}$/);
  const order = stored.outTradeNo;
  await screenshot(page, "checkout-h5-wallet");
  // The payer comes back without paying first: a fresh load of the page resumes.
  await page.goto(`${demo.url}checkout.html?gateway=blueocean&mode=h5&channel=wechat`);
  await page.waitForSelector("#co-confirm:not([hidden])");
  assert.equal(await state(page), "waiting");
  await screenshot(page, "checkout-h5-confirm");
  // "I had a problem" and an early "I have paid" query, but nothing is assumed.
  await page.click("#co-problem");
  await page.click("#co-paid");
  await logHas(page, "status paying");
  assert.equal(await state(page), "waiting");
  await control("blueocean", order, "pay");
  await until(page, ["succeeded"]);
  assert.equal((await outcome(page)).outTradeNo, order);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("paybridge.pending")), null, "forgotten once settled");
  await ctx.close();
});

test("cashier: the hosted desk opens (allowlisted) and going back resumes", async () => {
  const { ctx, page } = await open("gateway=blueocean&mode=cashier&channel=any");
  await page.click("#co-pay");
  await page.waitForURL(/\/sandbox\/wallet\/blueocean\//, { timeout: 20_000 });
  await page.click("button[data-action=pay]");
  await page.waitForFunction(() => document.getElementById("message").textContent.length > 0);
  await page.goBack();
  await until(page, ["succeeded", "error"]);
  assert.equal(await state(page), "succeeded", await page.textContent("#co-error"));
  await ctx.close();
});

test("wap inside WeChat: the open-in-browser guide instead of a blocked Alipay page", async () => {
  const { ctx, page } = await open("gateway=hipopay&mode=wap&channel=alipay&locale=zh-CN", { userAgent: WECHAT });
  await page.click("#co-pay");
  await page.waitForSelector("[data-paybridge=guide]", { timeout: 20_000 });
  assert.match(await page.textContent("[data-paybridge=guide]"), /在浏览器打开/);
  assert.match(page.url(), /checkout\.html/, "did not navigate");
  await screenshot(page, "checkout-wap-guide");
  const stored = JSON.parse(await page.evaluate(() => sessionStorage.getItem("paybridge.pending")));
  await control("hipopay", stored.outTradeNo, "pay");
  await until(page, ["succeeded"]);
  assert.equal(await page.$("[data-paybridge=guide]"), null, "guide removed when settled");
  await ctx.close();
});

test("counter: waits through USERPAYING to success; a timeout cancels the payment", async () => {
  const paid = await payQr("gateway=chaoying&mode=counter&channel=wechat");
  await until(paid.page, ["succeeded", "error"]);
  assert.match(await paid.page.textContent("#co-log"), /action await/);
  assert.equal(await state(paid.page), "succeeded", await paid.page.textContent("#co-error"));
  await paid.ctx.close();

  const late = await payQr("gateway=blueocean&mode=counter&channel=wechat&counterTimeout=500");
  await until(late.page, ["cancelled", "succeeded", "error", "unknown"]);
  const out = await outcome(late.page);
  assert.equal(out.state, "cancelled", JSON.stringify(out));
  assert.equal(out.verified, true);
  await late.ctx.close();
});

test("app: the validated payload goes to appBridge, then polling confirms", async () => {
  const init = () => {
    window.paybridgeAppBridge = async (provider, payload) => {
      window.__app = { provider, payload };
      const order = document.getElementById("co-order").textContent.trim();
      await fetch(`/sandbox/blueocean/_control/orders/${order}/pay`, { method: "POST" });
    };
  };
  const { ctx, page } = await open("gateway=blueocean&mode=app&channel=wechat", { init });
  await page.click("#co-pay");
  await until(page, ["succeeded", "error"]);
  assert.equal(await state(page), "succeeded", await page.textContent("#co-error"));
  const app = await page.evaluate(() => window.__app);
  assert.equal(app.provider, "wechat");
  assert.equal(typeof app.payload, "object");
  await ctx.close();
});

test("app: without appBridge it is bridge_unavailable", async () => {
  const { ctx, page } = await open("gateway=blueocean&mode=app&channel=alipay");
  await page.click("#co-pay");
  await until(page, ["error"]);
  assert.equal(await page.getAttribute("#co-error", "data-code"), "bridge_unavailable");
  await ctx.close();
});
