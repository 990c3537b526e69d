// HiPOS O2O ("buy online, pick up in store"), both sides on one screen:
// - the customer's order: a demo-shop order, its pickup code as a QR
//   (Checkout with gateway "hipos", mode "qr"), followed until the store
//   confirms the pickup;
// - the store's POS: take payment / confirm pickup (the sandbox's controls
//   stand in for the POS);
// - the store's back office: a device-authorisation QR for pairing a new POS
//   (GET /shop/hipos/device-code; the proxy never serves it to browsers).
import init, { Checkout, renderQr } from "/pkg/paybridge.js";
import { locale, onLocaleChange, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let run = 0;
let order = "";
let checkout = null;
let device = null;
let deviceTimer = 0;

/** The largest QR edge (CSS px, at most `max`) that fits the card on this screen. */
const fit = (max) => Math.max(120, Math.min(max, $("o2-payer").clientWidth - 56));

function log(text) {
  const li = document.createElement("li");
  li.textContent = `${new Date().toLocaleTimeString(locale())} ${text}`;
  $("o2-log").prepend(li);
}

/** Shows the order's state (a PayState, or "ready" / "creating" / "error") in words, kept translated. */
function show(state) {
  document.body.dataset.state = state;
  const status = $("o2-status");
  status.dataset.state = state;
  status.dataset.i18n = `o2.status.${state}`;
  status.textContent = t(status.dataset.i18n);
  $("o2-pickup").classList.toggle("used", state === "succeeded");
  $("o2-wallet").hidden = state !== "pending" || !$("o2-wallet").href;
  $("o2-pay").disabled = state !== "pending";
  $("o2-confirm").disabled = state !== "paying";
}

function showError(e) {
  $("o2-error").textContent = `${e.message}${e.code ? ` (${e.code})` : ""}`;
  $("o2-error").hidden = false;
  show("error");
}

function onAction(action) {
  if (action.kind !== "qr") return;
  renderQr($("o2-qr"), action.content, { size: fit(256), locale: locale() });
  $("o2-pickup").hidden = false;
  $("o2-wallet").removeAttribute("href");
  if (action.content.startsWith(`${location.origin}/`)) $("o2-wallet").href = action.content;
  show("pending");
}

async function place(event) {
  event.preventDefault();
  const me = ++run;
  checkout?.cancel();
  $("o2-error").hidden = true;
  $("o2-pickup").hidden = true;
  $("o2-log").replaceChildren();
  show("creating");
  try {
    const res = await fetch("/shop/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ amount: Number($("o2-amount").value), subject: "HiPOS pickup" }) });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error);
    order = body.out_trade_no;
    $("o2-order").textContent = order;
    log(t("o2.log.order", { order, amount: body.amount }));
    checkout = new Checkout({ gateway: "hipos", proxy: "/proxy", locale: locale(), sandboxHosts: [location.host] });
    checkout.on("action", (a) => { if (me === run) onAction(a); });
    checkout.on("status", (s) => {
      if (me !== run || s.state === document.body.dataset.state) return;
      log(t("o2.log.status", { state: s.gatewayState }));
      show(s.state);
    });
    const outcome = await checkout.pay({ outTradeNo: order, clientSecret: body.clientSecret, mode: "qr" });
    if (me === run) show(outcome.state);
  } catch (e) {
    if (me === run && e.code !== "cancelled") showError(e);
  }
}

/** Plays the store's POS through the sandbox's controls (`pay` or `pickup`). */
async function pos(action, done) {
  const res = await fetch(`/sandbox/hipos/_control/orders/${order}/${action}`, { method: "POST" });
  const body = await res.json().catch(() => ({}));
  log(res.ok ? t(done) : t("o2.log.refused", { error: body.error ?? `HTTP ${res.status}` }));
}

function tick() {
  const left = Math.max(0, Math.ceil((device.expires_at - Date.now()) / 1000));
  const mmss = `${String(Math.floor(left / 60)).padStart(2, "0")}:${String(left % 60).padStart(2, "0")}`;
  $("o2-device-left").textContent = left > 0 ? t("o2.device-left", { time: mmss }) : t("o2.device-expired");
  $("o2-device-figure").classList.toggle("used", left === 0);
  if (left === 0) clearInterval(deviceTimer);
}

async function deviceCode() {
  const button = $("o2-device-get");
  button.disabled = true;
  try {
    const res = await fetch("/shop/hipos/device-code");
    const body = await res.json();
    if (!res.ok) throw new Error(body.error);
    device = body;
    renderQr($("o2-device-qr"), body.auth_code, { size: fit(200), locale: locale() });
    $("o2-device-code").textContent = body.auth_code;
    $("o2-device-figure").hidden = false;
    document.body.dataset.device = body.auth_code;
    button.dataset.i18n = "o2.device-refresh";
    button.textContent = t(button.dataset.i18n);
    clearInterval(deviceTimer);
    deviceTimer = setInterval(tick, 1000);
    tick();
  } catch (e) {
    $("o2-device-left").textContent = t("o2.device-failed", { error: e.message });
  } finally {
    button.disabled = false;
  }
}

await init();
$("o2-form").addEventListener("submit", place);
$("o2-pay").addEventListener("click", () => pos("pay", "o2.log.paid"));
$("o2-confirm").addEventListener("click", () => pos("pickup", "o2.log.picked"));
$("o2-device-get").addEventListener("click", deviceCode);
onLocaleChange(() => { if (device) tick(); });
show("ready");
