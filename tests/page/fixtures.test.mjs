// Every fixture case (fixtures/*/cases.json) through the JS functions
// parseCreateResponse / parseQueryResponse in headless Chromium, with the body
// given both as a string and, where it is JSON, as an already-parsed object.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startDemo, launch } from "./harness.mjs";

const FIXTURES = join(ROOT, "fixtures");

/** Whether `actual` contains everything in `expected` (as tests/fixtures.rs). */
function subset(expected, actual) {
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => subset(e, actual[i]));
  if (expected && typeof expected === "object") return actual && typeof actual === "object" && Object.entries(expected).every(([k, v]) => subset(v, actual[k]));
  return expected === actual;
}

function loadCases() {
  const out = [];
  for (const gateway of readdirSync(FIXTURES)) {
    const file = join(FIXTURES, gateway, "cases.json");
    if (!existsSync(file)) continue;
    for (const c of JSON.parse(readFileSync(file, "utf8"))) {
      if (c.op !== "create" && c.op !== "query") continue; // cancel / refund queries have no JS entry point
      const body = c.body ? readFileSync(join(FIXTURES, c.body), "utf8") : c.bodyText;
      out.push({ gateway, ...c, bodyText: body });
    }
  }
  return out;
}

let demo, browser, page;

before(async () => {
  demo = await startDemo();
  browser = await launch();
  page = await browser.newPage();
  await page.goto(demo.url);
  await page.evaluate(async () => {
    window.pb = await import("/pkg/paybridge.js");
    await window.pb.default();
  });
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

test("every create and query fixture parses as expected through the JS API", async () => {
  const cases = loadCases();
  assert.ok(cases.length >= 50, `found ${cases.length} JS-reachable cases`);
  const results = await page.evaluate((cases) => cases.map((c) => {
    const run = (body) => {
      try {
        const opts = { channel: c.channel, sandboxHosts: ["127.0.0.1:8080"], locale: "en", ...(c.params ?? {}) };
        const value = c.op === "create" ? window.pb.parseCreateResponse(c.gateway, c.mode, body, opts) : window.pb.parseQueryResponse(c.gateway, body, { locale: "en" });
        return { ok: value };
      } catch (e) {
        if (!(e instanceof Error)) return { err: { code: "not-an-Error" } };
        return { err: { code: e.code, gatewayCode: e.gatewayCode ?? null, message: e.message } };
      }
    };
    let asObject = null;
    // A number with 16+ digits cannot survive the caller's own JSON.parse, so
    // only bodies without one are also tried as objects.
    const lossy = /[:\[,]\s*-?\d{16,}/.test(c.bodyText);
    if (!lossy) try { const parsed = JSON.parse(c.bodyText); if (parsed && typeof parsed === "object") asObject = run(parsed); } catch { /* not JSON */ }
    return { asString: run(c.bodyText), asObject };
  }), cases);
  const failures = [];
  cases.forEach((c, i) => {
    const { asString, asObject } = results[i];
    const good = (r) => (c.expect ? r.ok && subset(c.expect, r.ok) : r.err && subset(c.expectError, r.err) && r.err.message.length > 0);
    if (!good(asString)) failures.push(`${c.gateway}: ${c.name}\n   got ${JSON.stringify(asString)}`);
    if (asObject && !good(asObject)) {
      failures.push(`${c.gateway}: ${c.name} (as object)\n   got ${JSON.stringify(asObject)}`);
    }
  });
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed`);
});

test("errors are Error objects with a code and a localised message", async () => {
  const got = await page.evaluate(() => {
    const tryIt = (f) => { try { f(); return null; } catch (e) { return { isError: e instanceof Error, code: e.code, message: e.message }; } };
    return {
      empty: tryIt(() => window.pb.parseQueryResponse("blueocean", "", { locale: "zh-HK" })),
      gateway: tryIt(() => window.pb.parseQueryResponse("nosuch", "{}")),
      mode: tryIt(() => window.pb.parseCreateResponse("blueocean", "teleport", "{}")),
      deep: tryIt(() => window.pb.parseQueryResponse("chaoying", "[".repeat(100000))),
    };
  });
  assert.deepEqual(got.empty, { isError: true, code: "invalid_payload", message: "付款資料無效" });
  assert.equal(got.gateway.code, "invalid_argument");
  assert.equal(got.mode.code, "invalid_argument");
  assert.equal(got.deep.code, "invalid_payload");
});

test("detectEnvironment reads the user agent and the page's own hints", async () => {
  const got = await page.evaluate(() => {
    const d = (ua) => window.pb.detectEnvironment(ua);
    const wechatIos = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";
    const before = d(wechatIos);
    window.__wxjs_environment = "miniprogram";
    const after = d(wechatIos);
    delete window.__wxjs_environment;
    return {
      before, after,
      alipay: d("Mozilla/5.0 (Linux; Android 13; M2012K11AC) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/104.0.5112.97 Mobile Safari/537.36 AlipayClient/10.5.36.8000 Language/zh-Hans"),
      desktop: d("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"),
      own: d(),
    };
  });
  assert.equal(got.before.container, "wechat");
  assert.equal(got.before.os, "ios");
  assert.equal(got.before.recommendedModes[0], "jsapi");
  assert.equal(got.after.container, "wechat-miniprogram");
  assert.equal(got.alipay.container, "alipay");
  assert.equal(got.alipay.os, "android");
  assert.deepEqual(got.desktop.recommendedModes.slice(0, 1), ["qr"]);
  assert.equal(got.own.container, "desktop", "headless Chromium is a desktop browser");
});
