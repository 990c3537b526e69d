// The demo pages' language: zh-CN, zh-HK or en, chosen with any
// `select[data-lang-switch]`, remembered across pages (localStorage), and by
// default the browser's. `?locale=` in the URL picks one too. Elements with
// `data-i18n="key"` get the key's text; page scripts call t() for the rest
// and pass locale() to the library. Strings are in strings.txt (read by
// strings.js); the page links and language switch come from nav.js.
import "./nav.js";
import { parseTable } from "./strings.js";

const LOCALES = ["zh-CN", "zh-HK", "en"];
const STRINGS = parseTable(await (await fetch(new URL("strings.txt", import.meta.url))).text());
const KEY = "paybridge.locale";
const listeners = [];

function stored() {
  try { return localStorage.getItem(KEY); } catch { return null; }
}

/** The best supported locale for a BCP 47 tag: Traditional Chinese → zh-HK, other Chinese → zh-CN, else en. */
function match(tag) {
  const t = String(tag ?? "").toLowerCase();
  if (!t.startsWith("zh")) return "en";
  return /^zh-(hk|tw|mo|hant)/.test(t) ? "zh-HK" : "zh-CN";
}

let current = LOCALES.find((l) => l === new URLSearchParams(location.search).get("locale"))
  ?? LOCALES.find((l) => l === stored())
  ?? match(navigator.languages?.[0] ?? navigator.language);

/** The page's locale. */
export const locale = () => current;

/** The text for `key` in the page's locale, with `{name}` replaced from `vars`; the key itself when unknown. */
export function t(key, vars = {}) {
  const text = STRINGS[key]?.[LOCALES.indexOf(current)] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** Calls `listener(locale)` after every language change. */
export function onLocaleChange(listener) {
  listeners.push(listener);
}

function apply() {
  document.documentElement.lang = current;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  for (const s of document.querySelectorAll("select[data-lang-switch]")) s.value = current;
}

/** Switches the language, remembers it, retranslates the page and tells the listeners. */
export function setLocale(next) {
  if (!LOCALES.includes(next)) return;
  current = next;
  try { localStorage.setItem(KEY, next); } catch { /* private mode: this page only */ }
  apply();
  for (const listener of listeners) listener(next);
}

for (const s of document.querySelectorAll("select[data-lang-switch]")) s.addEventListener("change", () => setLocale(s.value));
apply();
