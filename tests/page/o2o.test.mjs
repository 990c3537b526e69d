// The HiPOS O2O page in real Chromium on a phone-sized screen: the pickup QR
// decoded from the canvas pixels is the sandbox's pickup code; the store takes
// the payment and confirms the pickup; the page says "picked up" (in each
// language) and HiPOS's order detail agrees. Then the store's
// device-authorisation QR is the code the shop's back office returned.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launch, decodeCanvas, screenshot } from "./harness.mjs";

let demo, browser;
before(async () => { demo = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); demo?.stop(); });

/** HiPOS's order detail, asked through the proxy as the order's page would (with its client secret). */
async function detail(order, secret) {
  const headers = { "content-type": "application/json", "paybridge-client-secret": secret };
  const res = await fetch(`${demo.url}proxy/hipos/openapi/o2o/orders/detail`, { method: "POST", headers, body: JSON.stringify({ out_order_no: order }) });
  assert.equal(res.status, 200);
  return (await res.json()).o2o_order_response;
}

async function open() {
  const page = await browser.newPage({ viewport: { width: 375, height: 667 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(`${demo.url}o2o.html?locale=en`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  return { page, errors };
}

const stateIs = (page, state) => page.waitForFunction((s) => document.body.dataset.state === s, state, { timeout: 20_000 });

test("pickup QR, payment at the POS, pickup confirmed by the store", async () => {
  const { page, errors } = await open();
  await page.fill("#o2-amount", "4200");
  // The shop's answer carries the order's client secret; the test asks HiPOS as the page would.
  const [shop] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/shop/orders")), page.click("#o2-place")]);
  const { clientSecret } = await shop.json();
  await page.waitForFunction(() => ["pending", "error"].includes(document.body.dataset.state), null, { timeout: 15_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.state), "pending", await page.textContent("#o2-error"));
  const order = (await page.textContent("#o2-order")).trim();
  const before = await detail(order, clientSecret);
  assert.equal(before.status, "UNPAID");
  assert.equal(before.amount, 4200, "the amount is the shop's");
  const qr = await decodeCanvas(page, "#o2-qr");
  assert.equal(qr?.text, before.pickup_code);
  assert.equal(qr.text, `${demo.url}sandbox/wallet/hipos/${order}`);
  assert.ok(await page.isDisabled("#o2-confirm"), "no pickup before payment");
  await screenshot(page, "o2o-pickup-qr");

  await page.click("#o2-pay");
  await stateIs(page, "paying");
  assert.equal((await detail(order, clientSecret)).status, "PAID");
  await page.click("#o2-confirm");
  await stateIs(page, "succeeded");
  assert.equal(await page.textContent("#o2-status"), "Picked up");
  assert.equal((await detail(order, clientSecret)).status, "PICKED_UP");
  await screenshot(page, "o2o-picked-up");

  await page.selectOption("#o2-locale", "zh-HK");
  assert.equal(await page.textContent("#o2-status"), "已取貨");
  await page.selectOption("#o2-locale", "zh-CN");
  assert.equal(await page.textContent("#o2-status"), "已取货");
  assert.deepEqual(errors, []);
  await page.close();
});

test("device-authorisation QR is the code the shop's back office returned", async () => {
  const { page, errors } = await open();
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/shop/hipos/device-code")),
    page.click("#o2-device-get"),
  ]);
  const shop = await response.json();
  assert.match(shop.auth_code, /^HPD-store01-\d{6}$/);
  await page.waitForFunction(() => document.body.dataset.device);
  assert.equal((await decodeCanvas(page, "#o2-device-qr"))?.text, shop.auth_code);
  assert.equal(await page.textContent("#o2-device-code"), shop.auth_code);
  assert.match(await page.textContent("#o2-device-left"), /^Expires in (09:5\d|10:00)$/);
  await screenshot(page, "o2o-device-code");

  const [again] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/shop/hipos/device-code")),
    page.click("#o2-device-get"),
  ]);
  const fresh = await again.json();
  await page.waitForFunction((c) => document.body.dataset.device === c, fresh.auth_code);
  assert.equal((await decodeCanvas(page, "#o2-device-qr"))?.text, fresh.auth_code);
  assert.deepEqual(errors, []);
  await page.close();
});
