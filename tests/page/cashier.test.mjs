// The cashier desk component (mountCashier) in real Chromium. Its own
// behaviour runs against a stand-in with Checkout's pay()/on()/cancel()
// shape; the full flow (real Checkout → proxy → sandbox) runs once the pkg
// exports Checkout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launch, decodeCanvas, screenshot } from "./harness.mjs";

const WECHAT_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x18002831) NetType/WIFI Language/zh_CN";

let demo, browser, hasCheckout;
before(async () => {
  demo = await startDemo();
  browser = await launch();
  const page = await browser.newPage();
  await page.goto(`${demo.url}cashier.html`);
  hasCheckout = await page.evaluate(async () => typeof (await import("/pkg/paybridge.js")).Checkout === "function");
  await page.close();
});
after(async () => { await browser?.close(); demo?.stop(); });

/** Opens cashier.html (which loads the pkg), adds a host element and a stand-in checkout. */
async function standIn(context, viewport = { width: 400, height: 760 }) {
  const page = await context.newPage({ viewport });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(`${demo.url}cashier.html`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  await page.evaluate(async () => {
    window.pb = await import("/pkg/paybridge.js");
    window.FakeCheckout = class {
      constructor(gateway) { this.gateway = gateway; this.listeners = {}; this.calls = []; this.cancels = 0; }
      on(event, f) { (this.listeners[event] ??= []).push(f); }
      emit(event, detail) { for (const f of this.listeners[event] ?? []) f(detail); }
      pay(order) { this.calls.push(order); return new Promise((resolve, reject) => { this.resolve = resolve; this.reject = reject; }); }
      cancel() { this.cancels++; this.reject?.(Object.assign(new Error("cancelled"), { code: "cancelled" })); }
    };
    const host = document.createElement("div");
    host.id = "host";
    document.body.append(host);
    window.events = [];
    for (const name of ["paybridge:outcome", "paybridge:error"]) host.addEventListener(name, (e) => window.events.push({ name, detail: e.detail, code: e.detail?.code }));
  });
  return { page, errors };
}

const rendered = (page) => page.$$eval("#host .pb-method", (bs) => bs.map((b) => [b.dataset.mode, b.dataset.channel, b.querySelector(".pb-label").textContent]));

test("desktop: the desk shows amount, subject and BlueOcean's QR methods", async () => {
  const { page, errors } = await standIn(browser);
  await page.evaluate(() => {
    window.fake = new FakeCheckout("blueocean");
    pb.mountCashier(document.getElementById("host"), { checkout: fake, amount: 1288, subject: "<b>Oolong</b>", outTradeNo: "PB0001", locale: "en", expiresAt: Date.now() + 300_000 });
  });
  assert.deepEqual(await rendered(page), [["qr", "wechat", "WeChat Pay"], ["qr", "alipay", "Alipay"], ["qr", "unionpay", "UnionPay"]]);
  assert.equal(await page.textContent("#host .pb-amount"), "¥12.88");
  assert.equal(await page.textContent("#host .pb-subject"), "<b>Oolong</b>", "subject is text, not HTML");
  assert.equal(await page.$("#host b"), null);
  assert.match(await page.textContent("#host .pb-countdown"), /^0[45]:\d\d$/);
  if (hasCheckout) {
    const offered = await page.evaluate(() => pb.Checkout.methods("blueocean").map((m) => `${m.mode}/${m.channel}`));
    for (const [mode, channel] of await rendered(page)) assert.ok(offered.includes(`${mode}/${channel}`), `${mode}/${channel} not in Checkout.methods`);
  }
  await screenshot(page, "cashier-desktop-methods");
  assert.deepEqual(errors, []);
  await page.close();
});

test("WeChat: the desk offers JSAPI for WeChat Pay first, in the locale", async () => {
  const context = await browser.newContext({ userAgent: WECHAT_UA });
  const { page, errors } = await standIn(context);
  await page.evaluate(() => {
    window.fake = new FakeCheckout("blueocean");
    pb.mountCashier(document.getElementById("host"), { checkout: fake, amount: 100, outTradeNo: "PB0002", locale: "zh-HK" });
  });
  assert.deepEqual(await rendered(page), [["jsapi", "wechat", "微信支付"], ["qr", "alipay", "支付寶"], ["qr", "unionpay", "銀聯"]]);
  assert.equal(await page.$("#host .pb-timer"), null, "no countdown without expiresAt");
  if (hasCheckout) {
    const offered = await page.evaluate(() => pb.Checkout.methods("blueocean").map((m) => `${m.mode}/${m.channel}`));
    for (const [mode, channel] of await rendered(page)) assert.ok(offered.includes(`${mode}/${channel}`));
  }
  await screenshot(page, "cashier-wechat-methods");
  assert.deepEqual(errors, []);
  await context.close();
});

test("choosing QR pays with the desk's canvas, shows the code, then the outcome", async () => {
  const { page, errors } = await standIn(browser);
  const url = `${demo.url}sandbox/wallet/blueocean/PB0003`;
  await page.evaluate(() => {
    window.fake = new FakeCheckout("hipopay");
    pb.mountCashier(document.getElementById("host"), { checkout: fake, amount: 500, outTradeNo: "PB0003", clientSecret: "pcs_desk", locale: "en", onOutcome: (o) => { window.called = o; } });
  });
  await page.click("#host .pb-method[data-mode=qr][data-channel=alipay]");
  const call = await page.evaluate(() => ({ ...fake.calls[0], qrTarget: fake.calls[0].qrTarget instanceof HTMLCanvasElement }));
  assert.deepEqual(call, { outTradeNo: "PB0003", clientSecret: "pcs_desk", mode: "qr", channel: "alipay", qrTarget: true, subject: undefined });
  assert.equal(await page.getAttribute("#host .pb-cashier", "data-state"), "paying");
  await page.evaluate((content) => { pb.renderQr(fake.calls[0].qrTarget, content, { size: 240 }); fake.emit("action", { kind: "qr", content }); }, url);
  assert.equal(await page.getAttribute("#host .pb-cashier", "data-state"), "qr");
  assert.equal((await decodeCanvas(page, "#host .pb-qr-canvas"))?.text, url);
  assert.ok(await page.isVisible("#host .pb-copy"));
  await screenshot(page, "cashier-qr");
  await page.evaluate(() => fake.resolve({ state: "succeeded", gatewayState: "SUCCESS", verified: true, outTradeNo: "PB0003" }));
  await page.waitForFunction(() => document.querySelector("#host .pb-cashier").dataset.state === "succeeded");
  assert.equal(await page.textContent("#host .pb-result"), "Payment successful");
  assert.deepEqual(await page.evaluate(() => [window.events.map((e) => e.name), window.called?.state]), [["paybridge:outcome"], "succeeded"]);
  assert.equal(await page.isVisible("#host .pb-methods"), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test("errors show the localised message as text; the payer may choose again", async () => {
  const { page, errors } = await standIn(browser);
  await page.evaluate(() => {
    window.fake = new FakeCheckout("beecloud");
    pb.mountCashier(document.getElementById("host"), { checkout: fake, amount: 500, outTradeNo: "PB0004", locale: "zh-CN" });
  });
  await page.click("#host .pb-method[data-channel=wechat]");
  await page.evaluate(() => fake.reject(Object.assign(new Error("<img src=x>支付被拒绝"), { code: "gateway_error" })));
  await page.waitForFunction(() => document.querySelector("#host .pb-cashier").dataset.state === "error");
  assert.equal(await page.textContent("#host .pb-result"), "<img src=x>支付被拒绝");
  assert.equal(await page.$("#host img"), null);
  assert.deepEqual(await page.evaluate(() => window.events.map((e) => [e.name, e.code])), [["paybridge:error", "gateway_error"]]);
  await page.click("#host .pb-back");
  assert.equal(await page.getAttribute("#host .pb-cashier", "data-state"), "choose");
  await page.click("#host .pb-method[data-channel=alipay]");
  assert.equal(await page.evaluate(() => fake.calls.length), 2);
  await page.click("#host .pb-back");
  assert.equal(await page.evaluate(() => fake.cancels), 1, "going back cancels the payment in progress");
  assert.deepEqual(errors, []);
  await page.close();
});

test("at expiry the desk stops the payment and disables every method", async () => {
  const { page, errors } = await standIn(browser);
  await page.evaluate(() => {
    window.fake = new FakeCheckout("chaoying");
    pb.mountCashier(document.getElementById("host"), { checkout: fake, amount: 500, outTradeNo: "PB0005", locale: "en", expiresAt: Date.now() + 1500 });
  });
  await page.click("#host .pb-method[data-channel=wechat]");
  await page.waitForFunction(() => document.querySelector("#host .pb-cashier").dataset.state === "expired", null, { timeout: 5000 });
  assert.equal(await page.textContent("#host .pb-countdown"), "00:00");
  assert.equal(await page.$$eval("#host .pb-method", (bs) => bs.every((b) => b.disabled)), true);
  assert.equal(await page.evaluate(() => fake.cancels), 1);
  assert.deepEqual(await page.evaluate(() => window.events.map((e) => [e.name, e.code])), [["paybridge:error", "expired"]]);
  await page.click("#host .pb-method[data-channel=alipay]", { force: true });
  assert.equal(await page.evaluate(() => fake.calls.length), 1, "nothing to pay after expiry");
  await screenshot(page, "cashier-expired");
  assert.deepEqual(errors, []);
  await page.close();
});

test("bad options throw a coded error; destroy removes the desk", async () => {
  const { page } = await standIn(browser);
  const codes = await page.evaluate(() => {
    const host = document.getElementById("host");
    const fake = new FakeCheckout("blueocean");
    const code = (o) => { try { pb.mountCashier(host, o); return "ok"; } catch (e) { return e.code; } };
    return [code({ checkout: {}, amount: 1, outTradeNo: "x" }), code({ checkout: fake, amount: 1.5, outTradeNo: "x" }),
      code({ checkout: fake, amount: 1 }), code({ checkout: new FakeCheckout(undefined), amount: 1, outTradeNo: "x" }),
      code({ checkout: fake, amount: 1, outTradeNo: "x", methods: [{ mode: "teleport" }] })];
  });
  assert.deepEqual(codes, ["invalid_argument", "invalid_argument", "invalid_argument", "invalid_argument", "invalid_argument"]);
  const left = await page.evaluate(() => {
    const m = pb.mountCashier(document.getElementById("host"), { checkout: new FakeCheckout("hipos"), amount: 1, outTradeNo: "PB6", methods: [{ mode: "qr", channel: "any" }] });
    const before = document.querySelectorAll("#host .pb-method").length;
    m.destroy();
    return [before, document.querySelectorAll("#host *").length];
  });
  assert.deepEqual(left, [1, 0]);
  await page.close();
});

test("full flow: QR through the real Checkout, paid on the sandbox, success view", async (t) => {
  if (!hasCheckout) return t.skip("pkg has no Checkout yet");
  const page = await browser.newPage({ viewport: { width: 400, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(`${demo.url}cashier.html`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  await page.selectOption("#cd-gateway", "blueocean");
  await page.selectOption("#cd-locale", "en");
  await page.click("#cd-start");
  await page.waitForSelector("#cd-desk .pb-method[data-mode=qr][data-channel=wechat]");
  const order = await page.evaluate(() => document.body.dataset.order);
  await page.click("#cd-desk .pb-method[data-mode=qr][data-channel=wechat]");
  await page.waitForFunction(() => ["qr", "error"].includes(document.querySelector(".pb-cashier").dataset.state), null, { timeout: 15_000 });
  assert.equal(await page.getAttribute(".pb-cashier", "data-state"), "qr", await page.textContent(".pb-cashier"));
  assert.equal((await decodeCanvas(page, ".pb-qr-canvas"))?.text, `${demo.url}sandbox/wallet/blueocean/${order}`);
  const paid = await fetch(`${demo.url}sandbox/blueocean/_control/orders/${order}/pay`, { method: "POST" });
  assert.ok(paid.ok, `sandbox pay: ${paid.status}`);
  await page.waitForFunction(() => document.querySelector(".pb-cashier").dataset.state === "succeeded", null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.outcome), "succeeded");
  await screenshot(page, "cashier-paid");
  assert.deepEqual(errors, []);
  await page.close();
});
