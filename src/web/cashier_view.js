// The cashier desk's DOM (mountCashier). The desk model, texts and the
// countdown (`calls.countdown`) come from the wasm; every string is set as
// textContent.

import { el, emit } from "./shared.js";

export function mountCashierView(root, deskJson, opts, calls, expiredError) {
  const desk = JSON.parse(deskJson);
  const t = desk.texts;
  const checkout = opts.checkout;
  const expiresAt = typeof opts.expiresAt === "number" ? opts.expiresAt : null;
  let attempt = 0;
  let busy = false;
  let finished = false;
  let qrText = "";

  const box = el("section", "pb-cashier");
  box.lang = desk.locale;
  const head = el("header", "pb-head");
  if (desk.subject) head.append(el("p", "pb-subject", desk.subject));
  head.append(el("p", "pb-amount", desk.amount));
  const order = el("p", "pb-order", `${t.order} `);
  order.append(el("span", "pb-order-no", desk.outTradeNo));
  head.append(order);
  const timer = el("time", "pb-countdown");
  if (expiresAt !== null) {
    const p = el("p", "pb-timer", `${t.timeLeft} `);
    p.append(timer);
    head.append(p);
  }
  const list = el("div", "pb-methods");
  list.setAttribute("role", "group");
  list.append(el("h2", "pb-choose", desk.methods.length ? t.choose : t.none));
  const buttons = desk.methods.map((m) => {
    const b = el("button", "pb-method");
    b.type = "button";
    b.dataset.mode = m.mode;
    b.dataset.channel = m.channel;
    b.append(el("span", "pb-label", m.label), el("span", "pb-hint", m.hint));
    b.addEventListener("click", () => choose(m));
    list.append(b);
    return b;
  });
  const progress = el("div", "pb-progress");
  const status = el("p", "pb-status");
  status.setAttribute("role", "status");
  const figure = el("figure", "pb-qr");
  const canvas = el("canvas", "pb-qr-canvas");
  const copy = el("button", "pb-copy", t.copy);
  copy.type = "button";
  const link = el("input", "pb-link");
  link.readOnly = true;
  link.hidden = true;
  figure.append(canvas, copy, link);
  const back = el("button", "pb-back", t.back);
  back.type = "button";
  progress.append(status, figure);
  const result = el("p", "pb-result");
  result.setAttribute("role", "alert");
  box.append(head, list, progress, result, back);
  root.append(box);

  function show(state, text = "") {
    box.dataset.state = state;
    list.hidden = state !== "choose" && state !== "expired";
    progress.hidden = state !== "paying" && state !== "qr";
    figure.hidden = state !== "qr";
    back.hidden = !["paying", "qr", "failed", "error"].includes(state);
    status.textContent = progress.hidden ? "" : text;
    result.textContent = progress.hidden ? text : "";
    result.hidden = !result.textContent;
  }

  function stopPaying() {
    attempt++;
    if (busy) checkout.cancel?.();
    busy = false;
    qrText = "";
    canvas.width = canvas.height = 0;
    link.hidden = true;
  }

  function choose(m) {
    if (finished || busy) return;
    const mine = ++attempt;
    busy = true;
    show("paying", t.waiting);
    checkout
      .pay({ outTradeNo: desk.outTradeNo, clientSecret: opts.clientSecret, mode: m.mode, channel: m.channel, qrTarget: canvas, subject: desk.subject })
      .then((outcome) => {
        if (mine !== attempt) return;
        busy = false;
        const ok = outcome?.state === "succeeded";
        if (ok) finished = true;
        show(ok ? (outcome.verified ? "succeeded" : "unverified") : "failed", ok ? t[outcome.verified ? "succeeded" : "confirming"] : t[outcome?.state] ?? t.failed);
        emit(root, "paybridge:outcome", outcome);
        opts.onOutcome?.(outcome);
      })
      .catch((err) => {
        if (mine !== attempt) return;
        busy = false;
        show("error", err?.code ? err.message : t.failed);
        emit(root, "paybridge:error", err);
        opts.onError?.(err);
      });
  }

  checkout.on("action", (d) => {
    const a = d?.action ?? d;
    if (!busy || a?.kind !== "qr") return;
    qrText = String(a.content ?? "");
    show("qr", t.scan);
  });

  copy.addEventListener("click", () => {
    const text = qrText;
    const fallback = () => { link.value = text; link.hidden = false; link.select(); };
    if (!navigator.clipboard) return fallback();
    navigator.clipboard.writeText(text).then(() => { copy.textContent = t.copied; setTimeout(() => { copy.textContent = t.copy; }, 2000); }, fallback);
  });

  back.addEventListener("click", () => {
    if (finished) return;
    stopPaying();
    if (expired()) show("expired", t.expired);
    else show("choose");
  });

  const expired = () => expiresAt !== null && Date.now() >= expiresAt;
  let interval = 0;
  function tick() {
    if (finished) { clearInterval(interval); return; }
    timer.textContent = calls.countdown(expiresAt - Date.now());
    if (!expired()) return;
    clearInterval(interval);
    stopPaying();
    for (const b of buttons) b.disabled = true;
    show("expired", t.expired);
    emit(root, "paybridge:error", expiredError);
    opts.onError?.(expiredError);
  }
  show("choose");
  if (expiresAt !== null) {
    interval = setInterval(tick, 1000);
    tick();
  }

  return {
    destroy() {
      clearInterval(interval);
      if (!finished) stopPaying();
      finished = true;
      box.remove();
    },
  };
}
