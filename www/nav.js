// The page links and the language switch every demo page shows, built into
// the page's `<nav class="pages" data-switch-id="…">` (the id goes to the
// switch). Labels are data-i18n keys: i18n.js, which imports this module,
// translates them with the rest of the page.
const PAGES = [
  ["index.html", "nav.qr"],
  ["gateways.html", "nav.gateways"],
  ["checkout.html", "nav.checkout"],
  ["cashier.html", "nav.cashier"],
  ["counter.html", "nav.counter"],
  ["o2o.html", "nav.o2o"],
  ["miniprogram/README.md", "nav.miniprogram"],
];
const LANGUAGES = [["zh-CN", "简体中文"], ["zh-HK", "繁體中文"], ["en", "English"]];

const el = (tag, props, attrs = {}) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const [name, value] of Object.entries(attrs)) e.setAttribute(name, value);
  return e;
};

const nav = document.querySelector("nav.pages");
const here = location.pathname.split("/").pop() || "index.html";
const links = PAGES.map(([href, key]) => el("a", { href }, { "data-i18n": key, ...(href === here ? { "aria-current": "page" } : {}) }));
const select = el("select", { id: nav.dataset.switchId, className: "lang" }, { "data-lang-switch": "", "data-i18n-label": "nav.language", "aria-label": "Language" });
select.append(...LANGUAGES.map(([value, name]) => el("option", { value, textContent: name })));
nav.append(...links, select);
