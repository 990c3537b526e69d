// HiPOS O2O ("buy online, pick up in store") as the seed draws it (seed 000
// 扫码提货 and 门店增加POS机), every side on one screen:
// - the customer's order: a demo-shop order, its pickup code as a QR
//   (Checkout with gateway "hipos", mode "qr": the merchant's proxy issues
//   the code and answers the order's status, long-polled), followed until
//   HiPOS confirms the pickup with the shop;
// - the store's POS: the clerk scans the code (the sandbox plays the POS and
//   HiPOS cloud: it asks the shop for the order, takes the payment when the
//   order is unpaid, then confirms the pickup with the shop);
// - the store's back office: a device-authorisation QR (GET
//   /shop/hipos/device-code), then a wait for HiPOS's "device authorised"
//   callback (GET /shop/hipos/device-code/{code}?wait=N) until a POS enters it.
import init, { Checkout, renderQr } from "/pkg/paybridge.js";
import { locale, onLocaleChange, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let run = 0;
let pickupCode = "";
let checkout = null;
let device = null;
let deviceTimer = 0;
let deviceRun = 0;

/** The largest QR edge (CSS px, at most `max`) that fits the card on this screen. */
const fit = (max) => Math.max(120, Math.min(max, $("o2-payer").clientWidth - 56));

function log(text) {
  const li = document.createElement("li");
  li.textContent = `${new Date().toLocaleTimeString(locale())} ${text}`;
  $("o2-log").prepend(li);
}

/** Sets a status line's text by key, kept translated. */
function say(el, key, vars) {
  el.dataset.i18n = key;
  el.textContent = t(key, vars);
  if (vars) el.dataset.vars = JSON.stringify(vars); else delete el.dataset.vars;
}

/** Shows the order's state (a PayState, or "ready" / "creating" / "error") in words, kept translated. */
function show(state) {
  document.body.dataset.state = state;
  $("o2-status").dataset.state = state;
  say($("o2-status"), `o2.status.${state}`);
  $("o2-pickup").classList.toggle("used", state === "succeeded");
  $("o2-scan").disabled = !["pending", "paying"].includes(state) || !pickupCode;
}

function showError(e) {
  $("o2-error").textContent = `${e.message}${e.code ? ` (${e.code})` : ""}`;
  $("o2-error").hidden = false;
  show("error");
}

function onAction(action) {
  if (action.kind !== "qr") return;
  pickupCode = action.content;
  renderQr($("o2-qr"), action.content, { size: fit(256), locale: locale() });
  $("o2-pickup").hidden = false;
  show("pending");
}

async function place(event) {
  event.preventDefault();
  const me = ++run;
  checkout?.cancel();
  pickupCode = "";
  $("o2-error").hidden = true;
  $("o2-pickup").hidden = true;
  $("o2-log").replaceChildren();
  show("creating");
  try {
    const res = await fetch("/shop/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ amount: Number($("o2-amount").value), subject: "HiPOS pickup" }) });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error);
    const order = body.out_trade_no;
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

/** The clerk scans the pickup code: the sandbox's POS and HiPOS call the shop; the log says what each step answered. */
async function scan() {
  $("o2-scan").disabled = true;
  const res = await fetch("/sandbox/hipos/_control/pos/scan", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pickup_code: pickupCode, device_id: "POS-01" }) });
  const body = await res.json().catch(() => ({}));
  for (const step of body.steps ?? []) {
    const inner = Object.values(step.answer ?? {})[0] ?? {};
    if (step.interface === "order") log(t("o2.log.asked", { state: inner.status ?? inner.code ?? step.status }));
    // 线下付款 comes between the two calls: the POS took the payment before HiPOS confirmed the pickup.
    if (step.interface === "pickup" && body.result?.paid_offline) log(t("o2.log.paid", { amount: body.result.amount, trade: body.result.trade_no }));
    if (step.interface === "pickup") log(inner.code === 0 ? t("o2.log.picked") : t("o2.log.refused", { error: `${inner.code} ${inner.msg ?? ""}`.trim() }));
  }
  if (!res.ok) log(t("o2.log.refused", { error: body.error ?? `HTTP ${res.status}` }));
}

function tick() {
  const left = Math.max(0, Math.ceil((device.expires_at - Date.now()) / 1000));
  const mmss = `${String(Math.floor(left / 60)).padStart(2, "0")}:${String(left % 60).padStart(2, "0")}`;
  $("o2-device-left").textContent = left > 0 ? t("o2.device-left", { time: mmss }) : t("o2.device-expired");
  $("o2-device-figure").classList.toggle("used", left === 0 || document.body.dataset.device === "paired");
  if (left === 0) clearInterval(deviceTimer);
}

/** Waits (long-polls the shop) until HiPOS reports the code paired, the code expires or another code replaces it. */
async function awaitPairing(code, me) {
  while (me === deviceRun && Date.now() < device.expires_at) {
    try {
      const res = await fetch(`/shop/hipos/device-code/${encodeURIComponent(code)}?wait=25`);
      const body = await res.json();
      if (me !== deviceRun) return;
      if (!res.ok) throw new Error(body.error);
      if (body.status === "paired") {
        document.body.dataset.device = "paired";
        say($("o2-device-status"), "o2.device.paired", { device: body.device_id });
        $("o2-device-enter").disabled = true;
        clearInterval(deviceTimer);
        $("o2-device-figure").classList.add("used");
        return;
      }
    } catch (e) {
      if (me !== deviceRun) return;
      say($("o2-device-status"), "o2.device-failed", { error: e.message });
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}

async function deviceCode() {
  const button = $("o2-device-get");
  button.disabled = true;
  const me = ++deviceRun;
  try {
    const res = await fetch("/shop/hipos/device-code");
    const body = await res.json();
    if (!res.ok) throw new Error(body.error);
    device = body;
    renderQr($("o2-device-qr"), body.auth_code, { size: fit(200), locale: locale() });
    $("o2-device-code").textContent = body.auth_code;
    $("o2-device-figure").hidden = false;
    $("o2-device-figure").classList.remove("used");
    document.body.dataset.device = "waiting";
    document.body.dataset.deviceCode = body.auth_code;
    say($("o2-device-status"), "o2.device.waiting");
    $("o2-device-enter").disabled = false;
    button.dataset.i18n = "o2.device-refresh";
    button.textContent = t(button.dataset.i18n);
    clearInterval(deviceTimer);
    deviceTimer = setInterval(tick, 1000);
    tick();
    awaitPairing(body.auth_code, me);
  } catch (e) {
    say($("o2-device-status"), "o2.device-failed", { error: e.message });
  } finally {
    button.disabled = false;
  }
}

/** A new POS enters the code (the sandbox's POS; HiPOS then calls the shop back). */
async function enterCode() {
  $("o2-device-enter").disabled = true;
  const res = await fetch("/sandbox/hipos/_control/pos/pair", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ auth_code: device.auth_code, device_id: "POS-07" }) });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    say($("o2-device-status"), "o2.device-failed", { error: body.error ?? `HTTP ${res.status}` });
  }
}

await init();
$("o2-form").addEventListener("submit", place);
$("o2-scan").addEventListener("click", scan);
$("o2-device-get").addEventListener("click", deviceCode);
$("o2-device-enter").addEventListener("click", enterCode);
onLocaleChange(() => {
  if (device) tick();
  const status = $("o2-device-status");
  if (status.dataset.vars) status.textContent = t(status.dataset.i18n, JSON.parse(status.dataset.vars));
});
show("ready");
