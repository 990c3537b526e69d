// Every demo page on a phone (375×667) and a desktop (1280×800) screen: no
// horizontal scrolling, tap targets of at least 40 px, the language switch
// (zh-CN / zh-HK / en) changes the visible text and is remembered on the
// next page, every translatable element has its text in each language, no
// request leaves 127.0.0.1, no console error, no CSP violation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo, launch, screenshot } from "./harness.mjs";
import { readFileSync, readdirSync } from "node:fs";
import { parseTable } from "../../www/strings.js";

const WWW = new URL("../../www/", import.meta.url);
const STRINGS = parseTable(readFileSync(new URL("strings.txt", WWW), "utf8"));

const PAGES = ["index", "gateways", "checkout", "cashier", "counter", "o2o"];
const PHONE = { width: 375, height: 667 };
const DESKTOP = { width: 1280, height: 800 };

let demo, browser;
before(async () => { demo = await startDemo(); browser = await launch(); });
after(async () => { await browser?.close(); demo?.stop(); });

/** A browser context that records errors, CSP violations and requests to other hosts. */
async function context(viewport) {
  const ctx = await browser.newContext({ viewport, locale: "en-US" });
  const problems = [];
  await ctx.addInitScript(() => document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP: ${e.violatedDirective} ${e.blockedURI}`)));
  ctx.on("page", (page) => {
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
    page.on("request", (r) => {
      const url = new URL(r.url());
      if (!["data:", "blob:"].includes(url.protocol) && url.hostname !== "127.0.0.1") problems.push(`request: ${r.url()}`);
    });
  });
  return { ctx, problems };
}

async function visit(ctx, name) {
  const page = await ctx.newPage();
  await page.goto(`${demo.url}${name}.html`);
  await page.waitForFunction(() => ["ready", "ok"].includes(document.body.dataset.state), null, { timeout: 15_000 });
  return page;
}

/** What a reviewer checks by eye: width, tap targets, untranslated keys. */
async function layout(page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth,
    small: [...document.querySelectorAll("button, select, input, textarea, nav a")]
      .filter((e) => e.getClientRects().length && e.getBoundingClientRect().height < 40)
      .map((e) => e.id || `${e.tagName} ${e.textContent.trim().slice(0, 24)}`),
    missing: [...document.querySelectorAll("[data-i18n]")].filter((e) => e.textContent === e.dataset.i18n).map((e) => e.dataset.i18n),
  }));
}

const text = (page) => page.evaluate(() => document.body.innerText);
const lang = (page) => page.evaluate(() => document.documentElement.lang);

test("every string has zh-CN, zh-HK and en", () => {
  for (const [key, texts] of Object.entries(STRINGS)) {
    assert.equal(texts.length, 3, key);
    assert.ok(texts.every((t) => typeof t === "string" && t.length > 0), key);
  }
});

test("every key the pages name has a row", () => {
  const used = new Set();
  for (const file of readdirSync(WWW).filter((f) => /\.(html|js)$/.test(f))) {
    const source = readFileSync(new URL(file, WWW), "utf8").replace(/^\s*\/\/.*$/gm, "");
    for (const m of source.matchAll(/data-i18n(?:-label)?="([\w.-]+)"|\bt\("([\w.-]+)"|, "(nav\.[\w-]+)"\]/g)) used.add(m[1] ?? m[2] ?? m[3]);
  }
  assert.ok(used.size > 60, `${used.size} keys found`);
  assert.deepEqual([...used].filter((key) => !(key in STRINGS)), []);
});

test("the browser's language is the default: Traditional Chinese → zh-HK, other Chinese → zh-CN", async () => {
  for (const [browserLocale, want] of [["zh-TW", "zh-HK"], ["zh-HK", "zh-HK"], ["zh-CN", "zh-CN"], ["fr-FR", "en"]]) {
    const ctx = await browser.newContext({ viewport: PHONE, locale: browserLocale });
    const page = await visit(ctx, "o2o");
    assert.equal(await lang(page), want, browserLocale);
    await ctx.close();
  }
});

for (const [i, name] of PAGES.entries()) {
  test(`${name}: fits a phone, switches language, remembers it`, async () => {
    const { ctx, problems } = await context(PHONE);
    const page = await visit(ctx, name);
    assert.equal(await lang(page), "en", "the browser's language by default");
    const english = await text(page);
    let l = await layout(page);
    assert.ok(l.scrollWidth <= l.innerWidth, `en: ${l.scrollWidth} px wide on a ${l.innerWidth} px screen`);
    assert.deepEqual(l.small, [], "tap targets under 40 px");
    assert.deepEqual(l.missing, []);
    await screenshot(page, `site-${name}-en-375`);

    await page.selectOption("select[data-lang-switch]", "zh-HK");
    assert.equal(await lang(page), "zh-HK");
    const hk = await text(page);
    assert.notEqual(hk, english);
    assert.match(hk, /試用支付網關/);
    l = await layout(page);
    assert.ok(l.scrollWidth <= l.innerWidth, `zh-HK: ${l.scrollWidth} px wide`);
    assert.deepEqual(l.missing, []);
    await screenshot(page, `site-${name}-zh-HK-375`);

    // The choice follows the payer to the next page.
    const next = await visit(ctx, PAGES[(i + 1) % PAGES.length]);
    assert.equal(await lang(next), "zh-HK");
    assert.equal(await next.$eval("select[data-lang-switch]", (s) => s.value), "zh-HK");
    assert.match(await text(next), /試用支付網關/);

    await page.selectOption("select[data-lang-switch]", "zh-CN");
    assert.match(await text(page), /试用支付网关/);
    await page.selectOption("select[data-lang-switch]", "en");
    assert.equal(await lang(page), "en");
    assert.match(await text(page), /Try a gateway/);
    assert.doesNotMatch(await text(page), /試用支付網關|试用支付网关/);

    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test(`${name}: fits a desktop screen`, async () => {
    const { ctx, problems } = await context(DESKTOP);
    const page = await visit(ctx, name);
    const l = await layout(page);
    assert.ok(l.scrollWidth <= l.innerWidth, `${l.scrollWidth} px wide on a ${l.innerWidth} px screen`);
    assert.deepEqual(l.small, []);
    await screenshot(page, `site-${name}-en-1280`);
    assert.deepEqual(problems, []);
    await ctx.close();
  });
}

test("cashier: a desk still offering its methods follows the language switch", async () => {
  const { ctx, problems } = await context(PHONE);
  const page = await visit(ctx, "cashier");
  await page.click("#cd-start");
  await page.waitForSelector("#cd-desk .pb-cashier[data-state=choose]");
  const order = await page.textContent("#cd-desk .pb-order-no");
  const english = await page.textContent("#cd-desk .pb-cashier");
  await page.selectOption("#cd-locale", "zh-HK");
  await page.waitForFunction((t) => document.querySelector("#cd-desk .pb-cashier").textContent !== t, english);
  assert.equal(await page.locator("#cd-desk .pb-cashier").count(), 1);
  assert.equal(await page.textContent("#cd-desk .pb-order-no"), order, "the same order");
  assert.match(await page.textContent("#cd-desk .pb-cashier"), /微信支付/);
  await screenshot(page, "site-cashier-desk-zh-HK-375");
  assert.deepEqual(problems, []);
  await ctx.close();
});
