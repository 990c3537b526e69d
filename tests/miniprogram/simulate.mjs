// Runs pages of the mini-program in www/miniprogram/ with WeChat's own
// miniprogram-simulate (j-component + the official WXML compiler, wcc) in a
// jsdom window, the way its documentation runs it under jest. Each page is
// written with the Component constructor, so it loads as a component and the
// test calls its page lifecycle (onLoad) itself, as the framework would.
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { JSDOM } from "jsdom";

/** The repository's root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The mini-program project's root (what WeChat DevTools opens). */
export const PROJECT = join(ROOT, "www", "miniprogram");

// The simulator expects a browser-like global scope (window, document, Node…) before it loads:
// jsdom's, with its DOM event classes in place of Node's own (events are dispatched on jsdom nodes).
const dom = new JSDOM("<!doctype html><html><body></body></html>", { url: "http://localhost/", pretendToBeVisual: true });
const DOM_EVENTS = ["EventTarget", "Event", "CustomEvent"];
for (const key of Object.getOwnPropertyNames(dom.window)) {
  if (!(key in globalThis) || DOM_EVENTS.includes(key)) Object.defineProperty(globalThis, key, { value: dom.window[key], configurable: true, writable: true });
}
globalThis.window = dom.window;

/** miniprogram-simulate; loading it installs the global `wx` and `Component`. */
export const simulate = createRequire(import.meta.url)("miniprogram-simulate");

/** Loads, renders and attaches the page at `path` (e.g. "pages/paybridge/pay"), then calls its onLoad(query). */
export function openPage(path, query) {
  const id = simulate.load(join(PROJECT, path), { compiler: "official", rootPath: PROJECT });
  const page = simulate.render(id);
  page.attach(document.createElement("parent-wrapper"));
  page.instance.onLoad(query);
  return page;
}

/** The query object WeChat gives onLoad for `url`: split on & and =, values left percent-encoded. */
export function wechatQuery(url) {
  const query = {};
  const search = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
  for (const pair of search.split("&").filter(Boolean)) {
    const eq = pair.indexOf("=");
    query[eq < 0 ? pair : pair.slice(0, eq)] = eq < 0 ? "" : pair.slice(eq + 1);
  }
  return query;
}
