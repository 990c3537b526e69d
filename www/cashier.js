// Cashier desk demo: creates an order in the demo shop (server-side amount),
// then mounts the built-in cashier desk for the chosen gateway in the site's
// language. A language switch re-mounts a desk that is still offering its
// methods; one already paying keeps its language.
import init, * as pb from "/pkg/paybridge.js";
import { fillGateways } from "./gateway-list.js";
import { locale, onLocaleChange } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const ORDER_LIFE_MS = 5 * 60_000;
let mounted = null;
let shown = null;

async function shopOrder(amount) {
  const res = await fetch("/shop/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ amount, subject: "paybridge demo" }) });
  const order = await res.json();
  if (!res.ok) throw new Error(order.error);
  return order;
}

/** Mounts the desk for `desk` ({gateway, order, expiresAt}) in the current language. */
function mount(desk) {
  mounted?.destroy();
  const checkout = new pb.Checkout({
    gateway: desk.gateway, proxy: "/proxy", locale: locale(), sandboxHosts: [location.host],
    renewOrder: async () => {
      const fresh = await shopOrder(desk.order.amount);
      return { outTradeNo: fresh.out_trade_no, clientSecret: fresh.clientSecret };
    },
  });
  mounted = pb.mountCashier($("cd-desk"), {
    checkout, gateway: desk.gateway, locale: locale(), amount: desk.order.amount, subject: desk.order.subject,
    outTradeNo: desk.order.out_trade_no, clientSecret: desk.order.clientSecret, expiresAt: desk.expiresAt,
  });
  shown = desk;
}

async function start(event) {
  event.preventDefault();
  $("cd-error").hidden = true;
  mounted?.destroy();
  mounted = null;
  shown = null;
  try {
    const order = await shopOrder(Number($("cd-amount").value));
    mount({ gateway: $("cd-gateway").value, order, expiresAt: Date.now() + ORDER_LIFE_MS });
    document.body.dataset.order = order.out_trade_no;
  } catch (e) {
    $("cd-error").textContent = `${e.message}${e.code ? ` (${e.code})` : ""}`;
    $("cd-error").hidden = false;
  }
}

const desk = $("cd-desk");
desk.addEventListener("paybridge:outcome", (e) => { document.body.dataset.outcome = e.detail.state; });
desk.addEventListener("paybridge:error", (e) => { document.body.dataset.outcome = `error:${e.detail?.code ?? ""}`; });
onLocaleChange(() => { if (shown && desk.querySelector(".pb-cashier")?.dataset.state === "choose") mount(shown); });
await init();
await fillGateways($("cd-gateway"));
$("cd-form").addEventListener("submit", start);
document.body.dataset.state = "ready";
