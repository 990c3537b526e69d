// The QR demo page: each payment payload typed into the page is drawn on the
// canvas, and decoding the canvas pixels gives back exactly the input.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launch, decodeCanvas, screenshot } from "./harness.mjs";

const PAYLOADS = {
  wechat: "weixin://wxpay/bizpayurl?pr=HBXdDeM",
  alipay: "https://qr.alipay.com/bax03112k12liy7lrysg2004",
  emvco150: "00020101021226740014A000000615000101065880130216CN000000000000000002041234520458125303156540610.005802HK5913TEST MERCHANT6009HONG KONG6211010712345676304ABCD".padEnd(150, "0").slice(0, 150),
  url300: ("https://pay.example.com/checkout?order=2017062313070231980966651&sig=" + "AbCdEf0123456789".repeat(20)).slice(0, 300),
  chinese: "支付测试：蓝海支付、超赢聚合支付，订单 2017062313070231980966651",
  // UTF-8 whose byte pairs look like Shift-JIS: an encoder that picks Kanji mode for them
  // (the qrcode crate did) draws a code that decodes to other text.
  chineseKanjiTrap: "订单：先光元充值100元",
};

let demo, browser, page;

before(async () => {
  demo = await startDemo();
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 2 });
  page.on("pageerror", (e) => { throw e; });
  await page.goto(demo.url);
  await page.waitForFunction(() => window.paybridgeDemo?.ready === true);
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

for (const [name, text] of Object.entries(PAYLOADS)) {
  test(`${name}: the canvas decodes back to exactly the input`, async () => {
    assert.ok(name !== "emvco150" || text.length === 150);
    assert.ok(name !== "url300" || text.length === 300);
    await page.fill("#qr-text", text);
    await page.waitForFunction(() => document.body.dataset.state === "ok");
    const decoded = await decodeCanvas(page, "#qr-canvas");
    assert.ok(decoded, "jsQR found a code");
    assert.equal(decoded.text, text);
    const svgCount = await page.$$eval("#qr-svg svg", (n) => n.length);
    assert.equal(svgCount, 1);
    await screenshot(page, `qr-${name}`);
  });
}

test("the canvas is sized in whole device pixels per module for the page's DPR", async () => {
  await page.fill("#qr-text", PAYLOADS.alipay);
  await page.waitForFunction(() => document.body.dataset.state === "ok");
  const { width, cssWidth, dpr } = await page.$eval("#qr-canvas", (c) => ({ width: c.width, cssWidth: parseFloat(c.style.width), dpr: devicePixelRatio }));
  assert.equal(dpr, 2);
  assert.ok(Math.abs(cssWidth * dpr - width) < 0.01, `CSS ${cssWidth}px × ${dpr} = ${width} device px`);
  assert.ok(width <= 256 * 2);
});

test("a malformed colour shows a coded error and leaves the last good code", async () => {
  await page.fill("#qr-text", PAYLOADS.wechat);
  await page.waitForFunction(() => document.body.dataset.state === "ok");
  await page.fill("#qr-dark", "not-a-colour");
  await page.waitForFunction(() => document.body.dataset.state === "error");
  assert.match(await page.textContent("#qr-error"), /qr_invalid_color/);
  assert.equal((await decodeCanvas(page, "#qr-canvas"))?.text, PAYLOADS.wechat);
  await page.fill("#qr-dark", "#000000");
  await page.waitForFunction(() => document.body.dataset.state === "ok");
});

test("the page is served under a strict Content-Security-Policy", async () => {
  const res = await fetch(demo.url);
  const csp = res.headers.get("content-security-policy");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
});
