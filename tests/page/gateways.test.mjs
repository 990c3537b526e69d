// The "try a gateway" demo page in real Chromium, for each gateway: the page
// creates a shop order and a QR payment through the proxy; the QR decoded
// from the canvas pixels is the sandbox's wallet link; a payer opens it and
// presses Pay; the page's polling reports success; the sandbox's order
// agrees. HiPOS's code is the shop's pickup code instead: the store's POS
// scans it (the sandbox plays the POS and HiPOS, which calls the shop).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launch, decodeCanvas, screenshot, GATEWAYS } from "./harness.mjs";

let demo, browser;
before(async () => { demo = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); demo?.stop(); });

for (const gateway of GATEWAYS) {
  test(`${gateway}: pay a QR order on the simulated wallet`, async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e));
    await page.goto(`${demo.url}gateways.html`);
    await page.waitForFunction(() => document.body.dataset.state === "ready");
    await page.selectOption("#gw-gateway", gateway);
    await page.click("#gw-pay");
    await page.waitForFunction(() => ["waiting", "error"].includes(document.body.dataset.state), null, { timeout: 15_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.state), "waiting", await page.textContent("#gw-error"));
    const order = (await page.textContent("#gw-order")).trim();
    const qr = await decodeCanvas(page, "#gw-qr");
    await screenshot(page, `gateway-${gateway}-qr`);
    if (gateway === "hipos") {
      assert.match(qr?.text ?? "", new RegExp(`^${order}\\.[0-9a-f]{16}$`), "the shop's pickup code");
      await page.click("#gw-pickup");
    } else {
      assert.equal(qr?.text, `${demo.url}sandbox/wallet/${gateway}/${order}`);
      const wallet = await browser.newPage({ viewport: { width: 420, height: 700 } });
      await wallet.goto(qr.text);
      await wallet.click("button[data-action=pay]");
      await wallet.waitForFunction(() => document.getElementById("message").textContent.length > 0);
      await screenshot(wallet, `gateway-${gateway}-wallet`);
      await wallet.close();
    }

    await page.waitForFunction(() => document.body.dataset.state === "succeeded", null, { timeout: 20_000 });
    await screenshot(page, `gateway-${gateway}-paid`);
    const sandbox = await (await fetch(`${demo.url}sandbox/${gateway}/_control/orders/${order}`)).json();
    assert.equal(sandbox.state, "paid");
    assert.deepEqual(errors, []);
    await page.close();
  });
}
