// QR benchmark: encode + draw to a canvas in one Chromium page, paybridge's
// renderQr next to npm `qrcode` (toCanvas) and `qrcode-generator`, for real
// payment payloads. Prints a Markdown table: median µs per code, ratio to
// paybridge, and symbol size in modules. A benchmark, not a test: nothing
// here asserts a time.
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, startDemo, launch } from "../page/harness.mjs";

const PAYLOADS = {
  "WeChat weixin://": "weixin://wxpay/bizpayurl?pr=HBXdDeM",
  "Alipay https://qr.alipay.com": "https://qr.alipay.com/bax03112k12liy7lrysg2004",
  "EMVCo 150 chars": "00020101021226740014A000000615000101065880130216CN000000000000000002041234520458125303156540610.005802HK5913TEST MERCHANT6009HONG KONG6211010712345676304ABCD".padEnd(150, "0").slice(0, 150),
  "URL 300 chars": ("https://pay.example.com/checkout?order=2017062313070231980966651&sig=" + "AbCdEf0123456789".repeat(20)).slice(0, 300),
};
const ROUNDS = Number(process.env.QR_BENCH_ROUNDS ?? 200);

const esbuild = join(ROOT, "node_modules", ".bin", "esbuild");
const nodeQrcode = execFileSync(esbuild, [join(ROOT, "node_modules/qrcode/lib/browser.js"), "--bundle", "--format=iife", "--global-name=NodeQrcode", "--minify"]);
const qrcodeGenerator = readFileSync(join(ROOT, "node_modules/qrcode-generator/dist/qrcode.js"));

const demo = await startDemo();
const browser = await launch();
try {
  const page = await browser.newPage();
  // Serve the peers same-origin so the demo's strict CSP allows them.
  await page.route("**/bench/node-qrcode.js", (r) => r.fulfill({ body: nodeQrcode, contentType: "text/javascript" }));
  await page.route("**/bench/qrcode-generator.js", (r) => r.fulfill({ body: qrcodeGenerator, contentType: "text/javascript" }));
  await page.goto(`${demo.url}index.html`);
  await page.waitForFunction(() => window.paybridgeDemo?.ready === true);
  await page.addScriptTag({ url: "/bench/node-qrcode.js" });
  await page.addScriptTag({ url: "/bench/qrcode-generator.js" });
  const results = await page.evaluate(async ({ payloads, rounds }) => {
    const { renderQr, qrSvg } = window.paybridgeDemo;
    const canvas = document.createElement("canvas");
    const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
    const time = async (fn) => {
      for (let i = 0; i < 10; i++) await fn(); // warm up
      const xs = [];
      for (let i = 0; i < rounds; i++) { const t = performance.now(); await fn(); xs.push(performance.now() - t); }
      return median(xs) * 1000;
    };
    const out = [];
    for (const [name, text] of Object.entries(payloads)) {
      const opts = { size: 256, margin: 4, level: "M", pixelRatio: 1 };
      const ours = await time(() => renderQr(canvas, text, opts));
      const nodeQr = await time(() => new Promise((res, rej) => window.NodeQrcode.toCanvas(canvas, text, { width: 256, margin: 4, errorCorrectionLevel: "M" }, (e) => (e ? rej(e) : res()))));
      const gen = await time(() => {
        const qr = window.qrcode(0, "M");
        qr.addData(text, "Byte");
        qr.make();
        const n = qr.getModuleCount();
        const cell = Math.floor(256 / (n + 8));
        canvas.width = canvas.height = cell * (n + 8);
        const ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height); ctx.fillStyle = "#000";
        for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) ctx.fillRect((c + 4) * cell, (r + 4) * cell, cell, cell);
      });
      const oursModules = Number(qrSvg(text, { margin: 0 }).match(/viewBox="0 0 (\d+)/)[1]);
      const nodeModules = window.NodeQrcode.create(text, { errorCorrectionLevel: "M" }).modules.size;
      const g = window.qrcode(0, "M"); g.addData(text, "Byte"); g.make();
      out.push({ name, chars: text.length, ours, nodeQr, gen, oursModules, nodeModules, genModules: g.getModuleCount() });
    }
    return out;
  }, { payloads: PAYLOADS, rounds: ROUNDS });
  console.log(`QR encode + draw to a 256 px canvas, median of ${ROUNDS} rounds (µs), headless Chromium`);
  console.log("| payload | chars | paybridge renderQr | npm qrcode toCanvas | qrcode-generator | paybridge speed-up vs qrcode | modules (paybridge / qrcode / generator) |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(`| ${r.name} | ${r.chars} | ${r.ours.toFixed(0)} | ${r.nodeQr.toFixed(0)} | ${r.gen.toFixed(0)} | ${(r.nodeQr / r.ours).toFixed(2)}× | ${r.oursModules} / ${r.nodeModules} / ${r.genModules} |`);
  }
} finally {
  await browser.close();
  demo.stop();
}
