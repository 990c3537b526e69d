// Counter demo: a shop screen. Scan (or type) the customer's payment code;
// the counter creates the order in the demo shop and pays it at the counter.
import init, * as pb from "/pkg/paybridge.js";
import { fillGateways } from "./gateway-list.js";
import { locale, onLocaleChange, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let mounted = null;

function log(text) {
  const li = document.createElement("li");
  li.textContent = `${new Date().toLocaleTimeString(locale())} ${text}`;
  $("ct-log").prepend(li);
}

async function createOrder() {
  const res = await fetch("/shop/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ amount: Number($("ct-amount").value), subject: "paybridge counter" }) });
  const order = await res.json();
  if (!res.ok) throw new Error(order.error);
  document.body.dataset.order = order.out_trade_no;
  return { outTradeNo: order.out_trade_no, amount: order.amount, clientSecret: order.clientSecret };
}

function mount() {
  mounted?.destroy();
  mounted = null;
  $("ct-error").hidden = true;
  const gateway = $("ct-gateway").value;
  try {
    const checkout = new pb.Checkout({ gateway, proxy: "/proxy", locale: locale(), sandboxHosts: [location.host] });
    mounted = pb.mountCounter($("ct-screen"), { checkout, gateway, locale: locale(), createOrder });
  } catch (e) {
    $("ct-error").textContent = `${e.message}${e.code ? ` (${e.code})` : ""}`;
    $("ct-error").hidden = false;
  }
}

const screen = $("ct-screen");
screen.addEventListener("paybridge:scan", (e) => log(t(e.detail.scanned ? "ct.log.scanned" : "ct.log.typed", { code: e.detail.payerCode })));
screen.addEventListener("paybridge:outcome", (e) => {
  document.body.dataset.outcome = e.detail.state;
  log(t("ct.log.outcome", { order: e.detail.outTradeNo ?? "", state: t(`state.${e.detail.state}`) }));
});
screen.addEventListener("paybridge:error", (e) => { document.body.dataset.outcome = `error:${e.detail?.code ?? ""}`; log(t("ct.log.error", { code: e.detail?.code ?? "" })); });
await init();
await fillGateways($("ct-gateway"), { mode: "counter" });
$("ct-gateway").addEventListener("change", mount);
onLocaleChange(mount);
mount();
document.body.dataset.state = "ready";
