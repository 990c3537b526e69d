// Time to first QR, in headless Chromium against the demo server: from
// `checkout.pay({mode: "qr"})` on a fresh `Checkout` (pkg/ already initialised;
// made before the shop order, as a page makes it on load — its constructor
// asks the proxy's /capabilities then)
// to the QR's pixels on the canvas, for each gateway — next to a bare `fetch`
// of the same proxy create call (POST /proxy/{gateway}/{path}, body from
// buildCreateRequest, built before the clock starts). Each run uses a new
// demo-shop order (made before the clock starts) for each of the two.
// "Pixels on the canvas": the first draw call on the target canvas's 2D
// context marks the draw; the time is taken when that synchronous task ends
// (a microtask), and the canvas is checked to hold dark pixels.
// Prints a Markdown table: median / p95 over TTFQ_RUNS runs (default 30) after
// 3 warm-up runs. A benchmark: nothing is asserted.
import { startDemo, launch, decodeCanvas } from "../page/harness.mjs";

const RUNS = Number(process.env.TTFQ_RUNS ?? 30);
const GATEWAYS = [["blueocean", "wechat"], ["hipopay", "wechat"], ["beecloud", "wechat"], ["chaoying", "wechat"], ["hipos", "any"]];
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

const demo = await startDemo();
const browser = await launch();
try {
  const page = await browser.newPage();
  // A same-origin page without the demo's own scripts: pkg/package.json, shown as text (no request
  // interception, which would slow every request).
  await page.goto(`${demo.url}pkg/package.json`);
  await page.evaluate(async () => {
    const pb = await import("/pkg/paybridge.js");
    await pb.default();
    window.pb = pb;
    // Counts the page's requests (and names them) between pay() and the QR.
    const realFetch = window.fetch.bind(window);
    window.fetch = (input, init) => { if (window.counting) window.counting.push(String(input?.url ?? input).replace(location.origin, "").split("?")[0]); return realFetch(input, init); };
    window.shopOrder = async () => {
      const res = await fetch("/shop/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ amount: 1288, subject: "ttfq bench" }) });
      if (!res.ok) throw new Error(`shop ${res.status}`);
      return (await res.json()).out_trade_no;
    };
    // One run of each: pay() to pixels, and the bare create fetch.
    window.ttfqRun = async (gateway, channel) => {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 256;
      let drawnAt;
      const realGet = canvas.getContext.bind(canvas);
      canvas.getContext = (...args) => {
        const ctx = realGet(...args);
        for (const m of ["fillRect", "fill", "putImageData", "drawImage"]) {
          const real = ctx[m];
          if (typeof real !== "function" || ctx[m].wrapped) continue;
          ctx[m] = function (...a) {
            if (drawnAt === undefined) { drawnAt = null; queueMicrotask(() => { drawnAt = performance.now(); }); }
            return real.apply(this, a);
          };
          ctx[m].wrapped = true;
        }
        return ctx;
      };
      // As a page does: the Checkout is made when the page loads, the order when the payer taps "pay".
      const checkout = new window.pb.Checkout({ gateway, proxy: "/proxy", channel, sandboxHosts: [location.host], locale: "en" });
      const [payOrder, fetchOrder] = [await window.shopOrder(), await window.shopOrder()];
      const req = window.pb.buildCreateRequest(gateway, "qr", { outTradeNo: fetchOrder, channel });

      let qrAction;
      const shown = new Promise((resolve) => checkout.on("action", (a) => { if (a.kind === "qr") { qrAction = performance.now(); resolve(); } }));
      window.counting = [];
      const t0 = performance.now();
      const paying = checkout.pay({ outTradeNo: payOrder, mode: "qr", channel, qrTarget: canvas }).catch((e) => e);
      await shown;
      while (drawnAt === undefined || drawnAt === null) await new Promise((r) => setTimeout(r, 0));
      const pay = drawnAt - t0;
      const requests = window.counting.map((u) => u.replace(`/proxy/${gateway}/`, "…/"));
      window.counting = null;
      checkout.cancel();
      await paying;
      const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let dark = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] < 128) dark++;
      checkout.free();

      const t1 = performance.now();
      const res = await fetch(`/proxy${req.path}`, { method: "POST", headers: { "content-type": "application/json" }, body: req.body });
      const body = await res.text();
      const bare = performance.now() - t1;
      if (!res.ok) throw new Error(`bare create ${res.status} ${body}`);
      window.lastCanvas = canvas;
      return { pay, action: qrAction - t0, bare, dark, requests };
    };
  });
  const rows = [];
  for (const [gateway, channel] of GATEWAYS) {
    const pay = [], bare = [], action = [];
    let requests = [];
    for (let i = 0; i < RUNS + 3; i++) {
      const r = await page.evaluate(([g, c]) => window.ttfqRun(g, c), [gateway, channel]);
      if (r.dark === 0) throw new Error(`${gateway}: nothing drawn on the canvas`);
      if (i < 3) continue;
      pay.push(r.pay); bare.push(r.bare); action.push(r.action); requests = r.requests;
    }
    // The last QR decodes (jsQR) to the sandbox wallet URL: the pixels are a real code.
    await page.evaluate(() => { window.lastCanvas.id = "last-qr"; (document.body ?? document.documentElement).append(window.lastCanvas); });
    const decoded = await decodeCanvas(page, "#last-qr");
    await page.evaluate(() => document.getElementById("last-qr").remove());
    rows.push({ gateway, pay, bare, action, requests, decoded: decoded?.text ?? "" });
  }
  console.log(`Time to first QR in headless Chromium, ${RUNS} runs per gateway after 3 warm-up runs (ms)`);
  console.log("| gateway | pay() → QR pixels, median | p95 | pay() → `action` event, median | bare fetch of the create call, median | p95 | difference of medians | requests started before the QR was drawn | QR decodes to |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const [pm, pp, bm, bp] = [pct(r.pay, 50), pct(r.pay, 95), pct(r.bare, 50), pct(r.bare, 95)];
    const url = r.decoded.replace(/^https?:\/\/[^/]+/, "");
    console.log(`| ${r.gateway} | ${pm.toFixed(1)} | ${pp.toFixed(1)} | ${pct(r.action, 50).toFixed(1)} | ${bm.toFixed(1)} | ${bp.toFixed(1)} | +${(pm - bm).toFixed(1)} | ${r.requests.join(", ")} | \`${url.slice(0, 48)}\` |`);
  }
} finally {
  await browser.close();
  demo.stop();
}
