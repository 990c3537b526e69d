// Start-up in headless Chromium, against the demo server (pkg/ as served):
//  1. `init()` of /pkg/paybridge.js — the glue's own path: fetch the wasm and
//     WebAssembly.instantiateStreaming (compile + instantiate) — in a fresh
//     browser context each run (empty HTTP cache, no wasm code cache), with
//     the import of the glue module timed apart;
//  2. WebAssembly.compile() of the same bytes already in memory (compile alone);
//  3. a cold load of www/checkout.html to its first `Checkout` ready
//     (`body[data-state=ready]`: module loaded, init() done, a Checkout made).
// Prints Markdown tables: median and p95 over STARTUP_RUNS runs (default 30).
// A benchmark: nothing is asserted. PAYBRIDGE_DEMO_BIN / PAYBRIDGE_ROOT as for page tests.
import { startDemo, launch } from "../page/harness.mjs";

const RUNS = Number(process.env.STARTUP_RUNS ?? 30);
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (x) => x.toFixed(1);

const demo = await startDemo();
const browser = await launch();
try {
  const rows = { importGlue: [], jsFetch: [], jsFiles: [], init: [], total: [], wasmFetch: [], compileOnly: [], checkoutReady: [], checkoutInit: [] };
  for (let i = 0; i < RUNS + 2; i++) {
    const warm = i < 2; // the first two runs warm the browser process, not the page
    // (1) init() in a fresh context: its own empty cache.
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    // A same-origin page without the demo's own scripts: pkg/package.json, shown as text (no request
    // interception, which would slow every request).
    await page.goto(`${demo.url}pkg/package.json`);
    const t = await page.evaluate(async () => {
      const t0 = performance.now();
      const glue = await import("/pkg/paybridge.js");
      const t1 = performance.now();
      await glue.default();
      const t2 = performance.now();
      const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"));
      const js = performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".js"));
      const jsFetch = js.length ? Math.max(...js.map((e) => e.responseEnd)) - Math.min(...js.map((e) => e.startTime)) : NaN;
      // (2) compile alone, from bytes already in memory.
      const bytes = await (await fetch("/pkg/paybridge_bg.wasm", { cache: "no-store" })).arrayBuffer();
      const t3 = performance.now();
      await WebAssembly.compile(bytes);
      const t4 = performance.now();
      return { importGlue: t1 - t0, jsFetch, jsFiles: js.length, init: t2 - t1, total: t2 - t0, wasmFetch: wasm ? wasm.responseEnd - wasm.startTime : NaN, compileOnly: t4 - t3 };
    });
    await context.close();
    // (3) a cold page load to the first Checkout ready.
    const context2 = await browser.newContext();
    const page2 = await context2.newPage();
    const cdp2 = await context2.newCDPSession(page2);
    await cdp2.send("Network.setCacheDisabled", { cacheDisabled: true });
    await page2.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (document.body?.dataset.state === "ready") {
          window.__readyAt = performance.now();
          obs.disconnect();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"], childList: true });
    });
    await page2.goto(`${demo.url}checkout.html`);
    await page2.waitForFunction(() => window.__readyAt !== undefined, null, { timeout: 20_000 });
    const ready = await page2.evaluate(() => {
      const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"));
      return { checkoutReady: window.__readyAt, checkoutInit: wasm ? window.__readyAt - wasm.startTime : NaN };
    });
    await context2.close();
    if (warm) continue;
    for (const [k, v] of Object.entries({ ...t, ...ready })) rows[k].push(v);
  }
  const line = (name, xs) => `| ${name} | ${fmt(pct(xs, 50))} | ${fmt(pct(xs, 95))} | ${fmt(Math.min(...xs))} | ${fmt(Math.max(...xs))} |`;
  console.log(`Start-up in headless Chromium, ${RUNS} runs, each in a fresh context with the cache disabled (ms)`);
  console.log("| what | median | p95 | min | max |");
  console.log("|---|---|---|---|---|");
  console.log(line("import('/pkg/paybridge.js') (glue module + its snippets)", rows.importGlue));
  console.log(line(`  of which the ${rows.jsFiles[0]} JS files' download (resource timing, first start → last end)`, rows.jsFetch));
  console.log(line("**init()**: wasm fetch + instantiateStreaming (compile + instantiate)", rows.init));
  console.log(line("  of which the wasm download (resource timing)", rows.wasmFetch));
  console.log(line("import + init()", rows.total));
  console.log(line("WebAssembly.compile() of the bytes in memory (compile alone)", rows.compileOnly));
  console.log(line("**cold load of checkout.html → first Checkout ready** (from navigation start)", rows.checkoutReady));
  console.log(line("  of which: wasm request start → Checkout ready", rows.checkoutInit));
} finally {
  await browser.close();
  demo.stop();
}
