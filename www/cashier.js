// Cashier desk demo: creates an order in the demo shop (server-side amount),
// then mounts the built-in cashier desk for the chosen gateway.
import init, * as pb from "/pkg/paybridge.js";

const $ = (id) => document.getElementById(id);
const ORDER_LIFE_MS = 5 * 60_000;
let mounted = null;

async function shopOrder(amount) {
  const res = await fetch("/shop/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ amount, subject: "paybridge demo" }) });
  const order = await res.json();
  if (!res.ok) throw new Error(order.error);
  return order;
}

async function start(event) {
  event.preventDefault();
  $("cd-error").hidden = true;
  mounted?.destroy();
  mounted = null;
  const gateway = $("cd-gateway").value;
  const locale = $("cd-locale").value;
  const amount = Number($("cd-amount").value);
  try {
    const order = await shopOrder(amount);
    const checkout = new pb.Checkout({
      gateway, proxy: "/proxy", locale, sandboxHosts: [location.host],
      renewOrder: async () => (await shopOrder(amount)).out_trade_no,
    });
    const desk = $("cd-desk");
    mounted = pb.mountCashier(desk, {
      checkout, gateway, locale, amount: order.amount, subject: order.subject,
      outTradeNo: order.out_trade_no, expiresAt: Date.now() + ORDER_LIFE_MS,
    });
    document.body.dataset.order = order.out_trade_no;
  } catch (e) {
    $("cd-error").textContent = `${e.message}${e.code ? ` (${e.code})` : ""}`;
    $("cd-error").hidden = false;
  }
}

const desk = $("cd-desk");
desk.addEventListener("paybridge:outcome", (e) => { document.body.dataset.outcome = e.detail.state; });
desk.addEventListener("paybridge:error", (e) => { document.body.dataset.outcome = `error:${e.detail?.code ?? ""}`; });
await init();
$("cd-form").addEventListener("submit", start);
document.body.dataset.state = "ready";
