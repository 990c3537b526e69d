// The QR demo: renders the typed text on a canvas (renderQr) and as SVG (qrSvg).
import init, { renderQr, qrSvg } from "/pkg/paybridge.js";
import { locale, onLocaleChange, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function options() {
  return {
    size: Number($("qr-size").value),
    margin: Number($("qr-margin").value),
    level: $("qr-level").value,
    dark: $("qr-dark").value,
    light: $("qr-light").value,
    locale: locale(),
  };
}

function draw() {
  const text = $("qr-text").value;
  const error = $("qr-error");
  try {
    const opts = options();
    const svg = qrSvg(text, opts);
    renderQr($("qr-canvas"), text, opts);
    // qrSvg returns markup built from validated numbers and colours only; the
    // user's text is encoded into module positions, never inserted as HTML.
    $("qr-svg").innerHTML = svg;
    const canvas = $("qr-canvas");
    $("qr-info").textContent = t("qr.info", { w: canvas.width, h: canvas.height });
    error.hidden = true;
    document.body.dataset.state = "ok";
  } catch (e) {
    error.textContent = `${e.message} (${e.code})`;
    error.hidden = false;
    document.body.dataset.state = "error";
  }
}

await init();
for (const el of document.querySelectorAll("#qr-form input, #qr-form select, #qr-form textarea")) {
  el.addEventListener("input", draw);
}
for (const b of document.querySelectorAll("[data-sample]")) {
  b.addEventListener("click", () => { $("qr-text").value = b.dataset.sample; draw(); });
}
onLocaleChange(draw);
draw();
window.paybridgeDemo = { renderQr, qrSvg, ready: true };
