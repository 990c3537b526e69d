// The counter component (mountCounter) in real Chromium: keyboard-wedge
// scans (fast keystrokes + Enter), slow manual typing, unrecognisable codes.
// Its own behaviour runs against a stand-in with Checkout's shape; the full
// flow (real Checkout → proxy → sandbox, USERPAYING for ~3 s) runs once the
// pkg exports Checkout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launch, screenshot } from "./harness.mjs";

let demo, browser, hasCheckout;
before(async () => {
  demo = await startDemo();
  browser = await launch();
  const page = await browser.newPage();
  await page.goto(`${demo.url}counter.html`);
  hasCheckout = await page.evaluate(async () => typeof (await import("/pkg/paybridge.js")).Checkout === "function");
  await page.close();
});
after(async () => { await browser?.close(); demo?.stop(); });

/** A fresh WeChat payer code (18 digits, 10–15): the sandbox takes each code once. */
const wechatCode = () => `13${String(Date.now()).slice(-10)}${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;

/** A blank page with the pkg, a host element, a stand-in checkout and a counter mounted on it. */
async function standIn(options = "") {
  const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(`${demo.url}cashier.html`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  await page.evaluate(async (extra) => {
    document.getElementById("cd-form").remove();
    window.pb = await import("/pkg/paybridge.js");
    window.fake = {
      gateway: "blueocean", listeners: {}, calls: [],
      on(event, f) { (this.listeners[event] ??= []).push(f); },
      emit(event, detail) { for (const f of this.listeners[event] ?? []) f(detail); },
      pay(order) { this.calls.push(order); return new Promise((resolve, reject) => { this.resolve = resolve; this.reject = reject; }); },
      cancel() {},
    };
    const host = document.createElement("div");
    host.id = "host";
    document.body.append(host);
    window.orders = 0;
    window.events = [];
    for (const name of ["paybridge:scan", "paybridge:outcome", "paybridge:error"]) host.addEventListener(name, (e) => window.events.push({ name, detail: e.detail }));
    const createOrder = async () => ({ outTradeNo: `PB${++window.orders}0000000`, amount: 2500, clientSecret: `pcs_counter${window.orders}` });
    window.counter = pb.mountCounter(host, { checkout: fake, createOrder, locale: "en", ...JSON.parse(extra || "{}") });
  }, options);
  return { page, errors };
}

const state = (page) => page.getAttribute("#host .pb-counter", "data-state");

/** Types `text` and Enter as key events stamped `gapMs` apart (CDP `Input.dispatchKeyEvent`'s `timestamp`, which
 *  Chromium hands the page as `event.timeStamp`). The scanner tells a scan from typing by those gaps; the wall-clock
 *  `delay` of `page.keyboard.type` stretches on a busy machine and once made a 5 ms scan read as typing. */
async function typeStamped(page, text, gapMs) {
  const cdp = await page.context().newCDPSession(page);
  let at = Date.now() / 1000;
  for (const [key, typed] of [...[...text].map((c) => [c, c]), ["Enter", "\r"]]) {
    at += gapMs / 1000;
    const enter = key === "Enter" ? { code: "Enter", windowsVirtualKeyCode: 13 } : {};
    await cdp.send("Input.dispatchKeyEvent", { type: "keyDown", key, text: typed, timestamp: at, ...enter });
    await cdp.send("Input.dispatchKeyEvent", { type: "keyUp", key, timestamp: at, ...enter });
  }
  await cdp.detach();
}

test("a fast scan of a WeChat code creates the order and pays at the counter", async () => {
  const { page, errors } = await standIn();
  const code = wechatCode();
  await typeStamped(page, code, 5);
  await page.waitForFunction(() => fake.calls.length === 1);
  const call = await page.evaluate(() => fake.calls[0]);
  assert.deepEqual(call, { outTradeNo: "PB10000000", clientSecret: "pcs_counter1", mode: "counter", channel: "wechat", authCode: code });
  const scan = await page.evaluate(() => window.events[0]);
  assert.deepEqual(scan, { name: "paybridge:scan", detail: { channel: "wechat", payerCode: `${code.slice(0, 4)}**********${code.slice(-4)}`, scanned: true } });
  assert.equal(await page.textContent("#host .pb-amount"), "¥25.00");
  assert.equal(await page.textContent("#host .pb-wallet"), "WeChat Pay");
  assert.ok(!(await page.content()).includes(code), "the full code is not on the page");
  await page.evaluate(() => fake.emit("status", { state: "paying", gatewayState: "USERPAYING" }));
  assert.equal(await state(page), "userpaying");
  assert.equal(await page.textContent("#host .pb-status"), "Waiting for the customer's password…");
  await screenshot(page, "counter-userpaying");
  await page.evaluate(() => fake.resolve({ state: "succeeded", gatewayState: "SUCCESS", verified: true, outTradeNo: "PB10000000" }));
  await page.waitForFunction(() => document.querySelector("#host .pb-counter").dataset.state === "succeeded");
  const outcome = await page.evaluate(() => window.events.at(-1));
  assert.equal(outcome.name, "paybridge:outcome");
  assert.equal(outcome.detail.payerCode.includes("*"), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test("slow typing + Enter is manual entry and pays too", async () => {
  const { page, errors } = await standIn();
  const code = wechatCode();
  await typeStamped(page, code, 90);
  await page.waitForFunction(() => fake.calls.length === 1);
  assert.equal(await page.evaluate(() => fake.calls[0].authCode), code);
  assert.equal(await page.evaluate(() => window.events[0].detail.scanned), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the visible input takes a typed code; scanning while busy is refused", async () => {
  const { page, errors } = await standIn();
  await page.fill("#host .pb-code-input", "288271620985824610");
  await page.click("#host .pb-charge");
  await page.waitForFunction(() => fake.calls.length === 1);
  assert.equal(await page.evaluate(() => fake.calls[0].channel), "alipay");
  assert.equal(await page.inputValue("#host .pb-code-input"), "");
  await page.click("body");
  await page.keyboard.type(wechatCode(), { delay: 5 });
  await page.keyboard.press("Enter");
  assert.equal(await page.textContent("#host .pb-status"), "Please wait for the current payment");
  assert.deepEqual(await page.evaluate(() => [fake.calls.length, window.orders]), [1, 1]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("an unrecognisable code shows an error and creates no order", async () => {
  const { page, errors } = await standIn('{"locale":"zh-CN"}');
  await page.keyboard.type("99991234567890", { delay: 5 });
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("#host .pb-counter").dataset.state === "error");
  assert.equal(await page.textContent("#host .pb-status"), "付款码无效或已使用，请刷新付款码");
  assert.equal(await page.textContent("#host .pb-masked"), "9999******7890");
  assert.deepEqual(await page.evaluate(() => [window.orders, fake.calls.length, window.events.map((e) => e.name), window.events[1].detail.code]),
    [0, 0, ["paybridge:scan", "paybridge:error"], "invalid_argument"]);
  await screenshot(page, "counter-bad-code");
  assert.deepEqual(errors, []);
  await page.close();
});

test("keys typed into the page's other fields are not payer codes; destroy stops listening", async () => {
  const { page, errors } = await standIn();
  await page.evaluate(() => { const i = document.createElement("input"); i.id = "note"; document.body.prepend(i); });
  await page.fill("#note", "");
  await page.type("#note", wechatCode(), { delay: 5 });
  await page.keyboard.press("Enter");
  await page.evaluate(() => { counter.destroy(); document.getElementById("note").blur(); });
  await page.keyboard.type(wechatCode(), { delay: 5 });
  await page.keyboard.press("Enter");
  assert.deepEqual(await page.evaluate(() => [window.orders, window.events.length, document.querySelectorAll("#host *").length]), [0, 0, 0]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("full flow: a scanned code through the real Checkout waits through USERPAYING, then succeeds", async (t) => {
  if (!hasCheckout) return t.skip("pkg has no Checkout yet");
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(`${demo.url}counter.html`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  await page.selectOption("#ct-locale", "en");
  await page.evaluate(() => {
    window.states = [];
    new MutationObserver(() => { const s = document.querySelector(".pb-counter")?.dataset.state; if (s && window.states.at(-1) !== s) window.states.push(s); })
      .observe(document.getElementById("ct-screen"), { attributes: true, subtree: true, childList: true });
    document.activeElement?.blur();
  });
  await page.keyboard.type(wechatCode(), { delay: 5 });
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.body.dataset.order, null, { timeout: 10_000 });
  await page.waitForFunction(() => document.querySelector(".pb-counter").dataset.state === "userpaying", null, { timeout: 10_000 });
  const order = await page.evaluate(() => document.body.dataset.order);
  const sandbox = await (await fetch(`${demo.url}sandbox/blueocean/_control/orders/${order}`)).json();
  assert.equal(sandbox.state, "paying");
  await screenshot(page, "counter-real-userpaying");
  await page.waitForFunction(() => ["succeeded", "failed", "error"].includes(document.querySelector(".pb-counter").dataset.state), null, { timeout: 20_000 });
  assert.equal(await page.getAttribute(".pb-counter", "data-state"), "succeeded", await page.textContent(".pb-counter"));
  assert.deepEqual(await page.evaluate(() => window.states.filter((s) => s !== "creating" && s !== "paying")), ["userpaying", "succeeded"]);
  await screenshot(page, "counter-real-paid");
  assert.deepEqual(errors, []);
  await page.close();
});

test("full flow: slow typing pays too; a bad code creates no shop order", async (t) => {
  if (!hasCheckout) return t.skip("pkg has no Checkout yet");
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  await page.goto(`${demo.url}counter.html`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.type("4000123412341234", { delay: 5 });
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector(".pb-counter").dataset.state === "error");
  assert.equal(await page.evaluate(() => document.body.dataset.order), undefined);
  await page.keyboard.type(wechatCode(), { delay: 80 });
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => ["succeeded", "failed"].includes(document.querySelector(".pb-counter").dataset.state), null, { timeout: 25_000 });
  assert.equal(await page.getAttribute(".pb-counter", "data-state"), "succeeded");
  await page.close();
});
