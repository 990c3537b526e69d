// Shared set-up for page tests: the demo server on a free loopback port and
// Debian's Chromium driven by playwright-core. Everything stops by itself.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import jsQR from "jsqr";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** What the demo server serves (`www/`, `pkg/`): `PAYBRIDGE_ROOT` names another tree, e.g. one whose
 *  `pkg/` is a build made elsewhere. */
export const SERVE_ROOT = process.env.PAYBRIDGE_ROOT || ROOT;
/** Screenshots and other artefacts for reviewers (not committed). */
export const OUTPUT = join(ROOT, "test-output");

/** The gateways of the registry (src/gateway/registry.rs), in its order, as
 *  scripts/gateways reads them: what the per-gateway tests loop over. */
export const GATEWAYS = execFileSync(join(ROOT, "scripts", "gateways"), { encoding: "utf8" }).trim().split("\n");

/** Starts `paybridge-proxy demo --port 0` and resolves with its base URL: the debug build in
 *  `CARGO_TARGET_DIR` (default target/), or the binary `PAYBRIDGE_DEMO_BIN` names. */
export async function startDemo() {
  const bin = process.env.PAYBRIDGE_DEMO_BIN || join(process.env.CARGO_TARGET_DIR || join(ROOT, "target"), "debug", "paybridge-proxy");
  const child = spawn(bin, ["demo", "--port", "0", "--root", SERVE_ROOT], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("demo server did not start in 20 s")), 20_000);
    let seen = "";
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      const m = seen.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`demo server exited with ${code}`)); });
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

/** Launches headless Chromium with the flags this offline machine needs. */
export async function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
      "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
}

/** Decodes the QR code on a canvas from its pixels with jsQR (an independent decoder). */
export async function decodeCanvas(page, selector) {
  // Pixels cross from the page as base64: a plain array of a million numbers is slow.
  const { width, height, b64 } = await page.$eval(selector, (c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    let bin = "";
    for (let i = 0; i < d.data.length; i += 0x8000) bin += String.fromCharCode.apply(null, d.data.subarray(i, i + 0x8000));
    return { width: d.width, height: d.height, b64: btoa(bin) };
  });
  const pixels = new Uint8ClampedArray(Buffer.from(b64, "base64"));
  const found = jsQR(pixels, width, height, { inversionAttempts: "dontInvert" });
  return found ? { text: found.data, version: found.version } : null;
}

/** Saves a screenshot under test-output/screens/. */
export async function screenshot(page, name) {
  mkdirSync(join(OUTPUT, "screens"), { recursive: true });
  await page.screenshot({ path: join(OUTPUT, "screens", `${name}.png`), fullPage: true });
}
