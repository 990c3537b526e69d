// Issue 13 through the real pages and the demo server: the client secret a
// page gets from the shop is the only key to its order, and a payment is
// never shown paid from an answer whose signature was stripped — whether the
// proxy refuses it (502) or a proxy forwards it without
// `X-Paybridge-Verified: signature`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launch } from "./harness.mjs";

let demo, browser;
before(async () => { demo = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); demo?.stop(); });

const post = (path, body, headers = {}) =>
  fetch(`${demo.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const code = async (res) => (await res.json()).proxy_error?.code;
const state = (page) => page.evaluate(() => document.body.dataset.state);
const until = (page, states, timeout = 20_000) => page.waitForFunction((s) => s.includes(document.body.dataset.state), states, { timeout });
const logHas = (page, text) => page.waitForFunction((t) => document.getElementById("co-log").textContent.includes(t), text, { timeout: 20_000 });

async function shopOrder() {
  const res = await post("shop/orders", { amount: 321, subject: "security" });
  assert.equal(res.status, 201);
  return res.json();
}

test("the shop hands out a 192-bit client secret; strangers get 403 and never spend the owner's budget", async () => {
  const order = await shopOrder();
  assert.match(order.clientSecret, /^pcs_[0-9a-f]{48}$/);
  assert.notEqual((await shopOrder()).clientSecret, order.clientSecret);
  const no = order.out_trade_no;
  const stranger = [
    ["proxy/blueocean/payment/pay", { payment: "wechat.qrcode", out_trade_no: no }],
    ["proxy/blueocean/order/query", { out_trade_no: no }],
    ["proxy/blueocean/order/close", { out_trade_no: no }],
  ];
  // More than the per-order burst (20): had they spent tokens, the owner would be 429'd.
  for (let i = 0; i < 8; i++) {
    for (const [path, body] of stranger) {
      const res = await post(path, body, i % 2 ? { "paybridge-client-secret": `pcs_${"0".repeat(48)}` } : {});
      assert.equal(res.status, 403, path);
      assert.equal(await code(res), "client_secret_mismatch");
    }
  }
  const own = await post("proxy/blueocean/payment/pay", { payment: "wechat.qrcode", out_trade_no: no }, { "paybridge-client-secret": order.clientSecret });
  assert.equal(own.status, 200);
  const query = await post("proxy/blueocean/order/query", { out_trade_no: no }, { "paybridge-client-secret": order.clientSecret });
  assert.equal(query.status, 200);
  assert.equal(query.headers.get("x-paybridge-verified"), "signature");
});

async function openCheckout() {
  const ctx = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${demo.url}checkout.html?gateway=blueocean&mode=qr&channel=wechat`);
  await page.waitForFunction(() => document.body.dataset.state === "ready");
  return { ctx, page };
}

async function payAndWait(page) {
  await page.click("#co-pay");
  await until(page, ["waiting", "error"]);
  assert.equal(await state(page), "waiting", await page.textContent("#co-error"));
  return (await page.textContent("#co-order")).trim();
}

const control = (order, action) => fetch(`${demo.url}sandbox/blueocean/_control/orders/${order}/${action}`, { method: "POST" });
const faults = (rules) => post("sandbox/_control/faults", rules);

test("a stripped signature is 502 at the proxy and the Checkout stays unpaid until a signed answer", async () => {
  const { ctx, page } = await openCheckout();
  const order = await payAndWait(page);
  assert.equal((await faults([{ gateway: "blueocean", path: "/order/query", kind: "strip_signature" }])).status, 200);
  assert.equal((await control(order, "pay")).status, 200);
  await logHas(page, "error proxy_error upstream_bad_signature");
  assert.equal(await state(page), "waiting", "a SUCCESS without its signature is not a payment");
  const cleared = await fetch(`${demo.url}sandbox/_control/faults`, { method: "DELETE" });
  assert.ok(cleared.ok);
  await until(page, ["succeeded"]);
  await ctx.close();
});

test("an answer without X-Paybridge-Verified: signature is never paid, even a SUCCESS", async () => {
  const { ctx, page } = await openCheckout();
  // A proxy that forwards the gateway's body but did not verify it (or a tampering hop).
  let stripped = 0;
  let strip = true;
  await page.route("**/proxy/blueocean/order/query**", async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    if (strip) { delete headers["x-paybridge-verified"]; stripped++; }
    await route.fulfill({ response, headers });
  });
  const order = await payAndWait(page);
  assert.equal((await control(order, "pay")).status, 200);
  await logHas(page, "status unknown");
  assert.equal(await state(page), "waiting");
  assert.ok(stripped > 0);
  strip = false;
  await until(page, ["succeeded"]);
  await ctx.close();
});
