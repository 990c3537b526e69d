// The HiPOS O2O page in real Chromium on a phone-sized screen, in the seed's
// direction (seed 000 扫码提货 / 门店增加POS机: HiPOS calls the shop):
// - pickup: the QR decoded from the canvas pixels is the shop's pickup code
//   (as the proxy issues it); the clerk scans it at the sandbox's POS, which
//   asks the shop for the order (UNPAID), takes the payment offline and has
//   HiPOS confirm the pickup with the shop; the page says "picked up" (in
//   each language), the proxy's status agrees, the shop receives the
//   `payment.succeeded` and `order.picked_up` events, and an unsigned
//   confirmation from anyone else is refused;
// - pairing: the store's device-authorisation QR is the code the shop's back
//   office got from HiPOS; a POS enters it, HiPOS calls the shop back, the
//   page says "paired" and the shop receives `device.authorised`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launch, decodeCanvas, screenshot } from "./harness.mjs";

let demo, browser;
before(async () => { demo = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); demo?.stop(); });

/** A page call to the merchant's proxy for the order (with its client secret): the answer's inner object. */
async function proxyO2o(op, order, secret) {
  const headers = { "content-type": "application/json", "paybridge-client-secret": secret };
  const res = await fetch(`${demo.url}proxy/hipos/o2o/${op}`, { method: "POST", headers, body: JSON.stringify({ out_order_no: order }) });
  assert.equal(res.status, 200);
  return Object.values(await res.json())[0];
}

/** Polls the shop (bounded: 100 × 100 ms) until `done(body)`. */
async function shopUntil(path, done) {
  let body;
  for (let i = 0; i < 100; i++) {
    body = await (await fetch(`${demo.url}shop/${path}`)).json();
    if (done(body)) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`shop/${path} never got there: ${JSON.stringify(body)}`);
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

test("pickup: the POS scans an unpaid order's code, takes the payment, HiPOS confirms with the shop", async () => {
  const { page, errors } = await open();
  await page.fill("#o2-amount", "4200");
  const [shop] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/shop/orders")), page.click("#o2-place")]);
  const { clientSecret } = await shop.json();
  await page.waitForFunction(() => ["pending", "error"].includes(document.body.dataset.state), null, { timeout: 15_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.state), "pending", await page.textContent("#o2-error"));
  const order = (await page.textContent("#o2-order")).trim();
  const issued = await proxyO2o("pickup", order, clientSecret);
  assert.deepEqual([issued.status, issued.amount], ["UNPAID", 4200], "the amount is the shop's");
  const qr = await decodeCanvas(page, "#o2-qr");
  assert.equal(qr?.text, issued.pickup_code, "the QR is the shop's pickup code");
  assert.match(qr.text, new RegExp(`^${order}\\.[0-9a-f]{16}$`));
  await screenshot(page, "o2o-pickup-qr");

  // Anyone but HiPOS confirming the pickup is refused, and nothing changes.
  const forged = await fetch(`${demo.url}proxy/notify/hipos/pickup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ out_order_no: order, pickup_code: qr.text, trade_no: "HPFAKE", paid_amount: 4200 }),
  });
  assert.equal(forged.status, 401);
  assert.equal((await forged.json()).o2o_pickup_confirm_response.code, 6030);
  assert.equal((await proxyO2o("status", order, clientSecret)).status, "UNPAID");

  await page.click("#o2-scan");
  await stateIs(page, "succeeded");
  assert.equal(await page.textContent("#o2-status"), "Picked up");
  const log = await page.textContent("#o2-log");
  assert.match(log, /HiPOS asked the shop for the order: UNPAID/);
  assert.match(log, /The POS took 4200 fen offline \(HP\d+\)/);
  assert.match(log, /HiPOS confirmed the pickup with the shop/);
  const done = await proxyO2o("status", order, clientSecret);
  assert.equal(done.status, "PICKED_UP");
  assert.match(done.trade_no, /^HP\d+$/);
  const trade = await (await fetch(`${demo.url}sandbox/hipos/_control/orders/${order}`)).json();
  assert.deepEqual([trade.state, trade.amount, trade.picked_up, trade.transaction_id], ["paid", 4200, true, done.trade_no], "the POS's trade");
  const heard = await shopUntil(`orders/${order}`, (b) => b.events?.includes("order.picked_up") && b.events?.includes("payment.succeeded"));
  assert.equal(heard.notified, "succeeded");
  await screenshot(page, "o2o-picked-up");

  await page.selectOption("#o2-locale", "zh-HK");
  assert.equal(await page.textContent("#o2-status"), "已取貨");
  await page.selectOption("#o2-locale", "zh-CN");
  assert.equal(await page.textContent("#o2-status"), "已取货");
  assert.deepEqual(errors, []);
  await page.close();
});

test("pairing: the device code a POS enters comes back as HiPOS's callback, and the page says paired", async () => {
  const { page, errors } = await open();
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/shop/hipos/device-code")),
    page.click("#o2-device-get"),
  ]);
  const shop = await response.json();
  assert.match(shop.auth_code, /^HPD-store01-\d{6}$/);
  await page.waitForFunction(() => document.body.dataset.device === "waiting");
  assert.equal((await decodeCanvas(page, "#o2-device-qr"))?.text, shop.auth_code);
  assert.equal(await page.textContent("#o2-device-code"), shop.auth_code);
  assert.match(await page.textContent("#o2-device-left"), /^Expires in (09:5\d|10:00)$/);
  assert.equal(await page.textContent("#o2-device-status"), "Waiting for a POS to enter the code…");
  await screenshot(page, "o2o-device-code");

  await page.click("#o2-device-enter");
  await page.waitForFunction(() => document.body.dataset.device === "paired", null, { timeout: 20_000 });
  assert.equal(await page.textContent("#o2-device-status"), "Paired: POS-07");
  const status = await shopUntil(`hipos/device-code/${shop.auth_code}`, (b) => b.notified === true);
  assert.deepEqual([status.status, status.device_id], ["paired", "POS-07"], "the shop received device.authorised");
  await screenshot(page, "o2o-device-paired");
  await page.selectOption("#o2-locale", "zh-HK");
  assert.equal(await page.textContent("#o2-device-status"), "已綁定：POS-07");
  await page.selectOption("#o2-locale", "zh-CN");
  assert.equal(await page.textContent("#o2-device-status"), "已绑定：POS-07");
  assert.deepEqual(errors, []);
  await page.close();
});
