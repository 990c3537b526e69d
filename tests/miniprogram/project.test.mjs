// The mini-program project in www/miniprogram/ as WeChat DevTools opens it:
// every page app.json names exists and is a Component-built page, the pay
// page is where the H5 Checkout hands over by default, and the web-view page
// (run by miniprogram-simulate) shows the configured H5 checkout with the
// order's query passed on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { PROJECT, ROOT, openPage, simulate, wechatQuery } from "./simulate.mjs";

const json = (path) => JSON.parse(readFileSync(join(PROJECT, path), "utf8"));
const { checkoutUrl } = createRequire(import.meta.url)(join(PROJECT, "config.js"));

// The real web-view has a `src` property; the simulator's stand-in for it gets one too.
simulate.load({ id: "web-view", tagName: "wx-web-view", template: "<slot/>", properties: { src: { type: String, value: "" } } });
const webViewSrc = (page) => page.querySelector(".checkout").data.src;

/** Makes `wx.login` answer with `code` (or fail when it is null), as WeChat would, and counts its calls. */
function login(code) {
  const calls = [];
  wx.login = (o) => {
    calls.push(o);
    if (code === null) o.fail({ errMsg: "login:fail" });
    else o.success({ code, errMsg: "login:ok" });
  };
  return calls;
}

test("app.json's pages exist, each with its .js, .json and .wxml, built with the Component constructor", () => {
  const { pages } = json("app.json");
  assert.deepEqual(pages, ["pages/checkout/checkout", "pages/paybridge/pay"]);
  for (const page of pages) {
    for (const ext of ["js", "json", "wxml"]) assert.ok(existsSync(join(PROJECT, `${page}.${ext}`)), `${page}.${ext}`);
    assert.deepEqual(json(`${page}.json`).usingComponents, {}, `${page}.json declares usingComponents (a Component-built page)`);
    assert.match(readFileSync(join(PROJECT, `${page}.js`), "utf8"), /^Component\(\{$/m);
  }
  assert.ok(existsSync(join(PROJECT, json("app.json").sitemapLocation)));
  assert.equal(json("project.config.json").compileType, "miniprogram");
});

test("the H5 Checkout's default miniProgramPayPage is this project's pay page", () => {
  const rust = readFileSync(join(ROOT, "src", "checkout", "mod.rs"), "utf8");
  const [, page] = rust.match(/DEFAULT_MINI_PROGRAM_PAGE: &str = "([^"]+)"/);
  assert.ok(json("app.json").pages.includes(page.replace(/^\//, "")), page);
});

test("the web-view shows the configured H5 checkout, unchanged without a query when wx.login fails", () => {
  assert.equal(login(null).length, 0);
  assert.equal(webViewSrc(openPage("pages/checkout/checkout", {})), checkoutUrl);
});

test("the web-view passes the order's query on to the H5 checkout, each value encoded once", () => {
  login(null);
  const page = openPage("pages/checkout/checkout", wechatQuery("/pages/checkout/checkout?order=ORDER%2F1&note=a%20b&bad=%E0%A4"));
  const src = new URL(webViewSrc(page));
  assert.equal(`${src.origin}${src.pathname}`, checkoutUrl.split("?")[0]);
  for (const [key, value] of new URL(checkoutUrl).searchParams) assert.equal(src.searchParams.get(key), value, key);
  assert.deepEqual([src.searchParams.get("order"), src.searchParams.get("note"), src.searchParams.get("bad")], ["ORDER/1", "a b", "%E0%A4"]);
});

test("the web-view adds a fresh wx.login code for the H5 Checkout to exchange for the openid (seed 002 §4.4 step 1)", () => {
  const calls = login("0a1B2c3D4e+/=");
  const page = openPage("pages/checkout/checkout", wechatQuery("/pages/checkout/checkout?order=ORDER1"));
  assert.equal(calls.length, 1);
  const src = new URL(webViewSrc(page));
  assert.deepEqual([src.searchParams.get("order"), src.searchParams.get("code")], ["ORDER1", "0a1B2c3D4e+/="]);
  for (const [key, value] of new URL(checkoutUrl).searchParams) assert.equal(src.searchParams.get(key), value, key);
});
