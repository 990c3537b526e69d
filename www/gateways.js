// "Try a gateway": shop order → unsigned create request (built by the wasm
// client) → signing proxy → sandbox gateway → QR → status polling.
import init, { buildCreateRequest, buildQueryRequest, parseCreateResponse, parseQueryResponse, renderQr } from "/pkg/paybridge.js";
import { fillGateways } from "./gateway-list.js";
import { locale, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1500;
const MAX_POLLS = 200;
let run = 0;

function log(text) {
  const li = document.createElement("li");
  li.textContent = `${new Date().toLocaleTimeString(locale())} ${text}`;
  $("gw-log").prepend(li);
}

function showError(e) {
  $("gw-error").textContent = `${e.message}${e.code ? ` (${e.code}${e.gatewayCode ? ` ${e.gatewayCode}` : ""})` : ""}`;
  $("gw-error").hidden = false;
  document.body.dataset.state = "error";
}

/** POSTs a built request to the proxy as the order's own page (its client secret in the header). */
async function proxyCall(request, clientSecret) {
  const headers = { "content-type": "application/json", "paybridge-client-secret": clientSecret };
  const res = await fetch(`/proxy${request.path}`, { method: "POST", headers, body: request.body });
  const text = await res.text();
  if (!res.ok) {
    let detail = null;
    try { detail = JSON.parse(text).proxy_error; } catch { /* gateway body */ }
    if (detail) throw Object.assign(new Error(detail.message), { code: `proxy_error: ${detail.code}` });
  }
  return text;
}

async function pay(event) {
  event.preventDefault();
  const me = ++run;
  $("gw-error").hidden = true;
  $("gw-log").replaceChildren();
  $("gw-wallet").hidden = true;
  $("gw-pickup").hidden = true;
  document.body.dataset.state = "creating";
  const gateway = $("gw-gateway").value;
  const channel = gateway === "hipos" ? "any" : $("gw-channel").value;
  try {
    const shop = await fetch("/shop/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ amount: Number($("gw-amount").value), subject: "paybridge demo" }) });
    const order = await shop.json();
    if (!shop.ok) throw new Error(order.error);
    $("gw-order").textContent = order.out_trade_no;
    log(t("gw.log.order", { order: order.out_trade_no, amount: order.amount }));
    const create = buildCreateRequest(gateway, "qr", { outTradeNo: order.out_trade_no, channel, locale: locale() });
    const action = parseCreateResponse(gateway, "qr", await proxyCall(create, order.clientSecret), { channel, sandboxHosts: [location.host], locale: locale() });
    log(t("gw.log.action", { kind: action.kind }));
    if (action.kind !== "qr") throw new Error(`unexpected action ${action.kind}`);
    renderQr($("gw-qr"), action.content, { size: 240, locale: locale() });
    if (action.content.startsWith(`${location.origin}/`)) {
      $("gw-wallet").href = action.content;
      $("gw-wallet").hidden = false;
    }
    if (gateway === "hipos") $("gw-pickup").hidden = false;
    // HiPOS: the code is the shop's pickup code; the store's POS scans it (the sandbox plays POS and HiPOS).
    const scan = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pickup_code: action.content }) };
    $("gw-pickup").onclick = () => fetch("/sandbox/hipos/_control/pos/scan", scan).then((r) => log(t("gw.log.pickup", { status: r.status })));
    document.body.dataset.state = "waiting";
    const query = buildQueryRequest(gateway, { outTradeNo: order.out_trade_no, channel, mode: "qr", gatewayOrderId: action.gatewayOrderId });
    let last = "";
    for (let i = 0; i < MAX_POLLS && me === run; i++) {
      try {
        const status = parseQueryResponse(gateway, await proxyCall(query, order.clientSecret), { locale: locale() });
        if (status.gatewayState !== last) { last = status.gatewayState; log(t("gw.log.status", { state: t(`state.${status.state}`), gateway: status.gatewayState })); }
        $("gw-state").dataset.i18n = `state.${status.state}`;
        $("gw-state").textContent = t(`state.${status.state}`);
        if (!["pending", "paying", "unknown"].includes(status.state)) { document.body.dataset.state = status.state; return; }
      } catch (e) {
        log(t("gw.log.retry", { error: `${e.code ?? ""} ${e.message}`.trim() }));
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } catch (e) {
    showError(e);
  }
}

await init();
// This page pays by QR; HiPOS's QR is the shop's pickup code.
await fillGateways($("gw-gateway"), { mode: "qr", label: (g) => (g === "hipos" ? t("gw.hipos-pickup") : undefined) });
$("gw-form").addEventListener("submit", pay);
document.body.dataset.state = "ready";
