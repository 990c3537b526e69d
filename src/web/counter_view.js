// The counter screen's DOM (mountCounter). Scanner detection, code
// recognition and amounts come from the wasm (`calls.key`, `.read`, `.amount`; a
// reading arrives as JSON text, its error shaped as the checkout's events
// carry one); every string is set as textContent. The payer's full code lives
// only in a local variable until it is handed to checkout.pay; the screen and
// events see it masked.

import { el, emit } from "./shared.js";

const editable = (t) => t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));

/** A reading's JSON text as an object, its `error` a JS `Error`. */
const reading = (json) => {
  const r = json && JSON.parse(json);
  if (r?.error) r.error = Object.assign(new Error(r.error.message), r.error);
  return r;
};

export function mountCounterView(root, texts, opts, calls) {
  const t = JSON.parse(texts);
  const checkout = opts.checkout;
  let busy = false;
  let live = true;
  let sale = 0;

  const box = el("section", "pb-counter");
  const prompt = el("p", "pb-prompt", t.prompt);
  const form = el("form", "pb-manual");
  const input = el("input", "pb-code-input");
  Object.assign(input, { type: "text", inputMode: "numeric", autocomplete: "off", placeholder: t.manual, spellcheck: false });
  input.setAttribute("aria-label", t.manual);
  const submit = el("button", "pb-charge", t.submit);
  submit.type = "submit";
  form.append(input, submit);
  const saleBox = el("div", "pb-sale");
  const amount = el("p", "pb-amount");
  const code = el("p", "pb-payer");
  const wallet = el("span", "pb-wallet");
  const masked = el("span", "pb-masked");
  code.append(wallet, " ", masked);
  const status = el("p", "pb-status");
  status.setAttribute("role", "status");
  const order = el("p", "pb-order");
  saleBox.append(amount, code, status, order);
  box.append(prompt, form, saleBox);
  root.append(box);

  function show(state, text) {
    box.dataset.state = state;
    saleBox.hidden = state === "ready";
    status.textContent = text ?? "";
  }

  function fail(err, mine) {
    if (mine !== sale) return;
    busy = false;
    show("error", err?.code ? err.message : t.failed);
    emit(root, "paybridge:error", err);
    opts.onError?.(err);
  }

  function handle(r) {
    if (!live) return;
    if (busy) { status.textContent = t.busy; return; }
    const mine = ++sale;
    amount.textContent = order.textContent = "";
    wallet.textContent = r.label ?? "";
    masked.textContent = r.payerCode;
    emit(root, "paybridge:scan", { channel: r.channel ?? null, payerCode: r.payerCode, scanned: r.scanned });
    if (r.error) return fail(r.error, mine);
    busy = true;
    show("creating", t.creating);
    const authCode = r.code;
    Promise.resolve()
      .then(() => opts.createOrder())
      .then((o) => {
        if (mine !== sale) return;
        const shown = calls.amount(o?.amount);
        if (typeof o?.outTradeNo !== "string" || !o.outTradeNo || shown === undefined) throw Object.assign(new Error("createOrder must resolve to {outTradeNo, amount}"), { code: "invalid_argument" });
        amount.textContent = shown;
        order.textContent = o.outTradeNo;
        show("paying", t.submitting);
        return checkout.pay({ outTradeNo: o.outTradeNo, clientSecret: o.clientSecret, mode: "counter", channel: r.channel, authCode }).then((outcome) => {
          if (mine !== sale) return;
          busy = false;
          const ok = outcome?.state === "succeeded" && outcome.verified;
          show(ok ? "succeeded" : "failed", ok ? t.succeeded : t[outcome?.state] ?? t.failed);
          const detail = { ...outcome, payerCode: r.payerCode };
          emit(root, "paybridge:outcome", detail);
          opts.onOutcome?.(detail);
        });
      })
      .catch((err) => fail(err, mine));
  }

  // The payer confirms on their phone: the create answer says "await"
  // (e.g. BlueOcean 201) or a status query says USERPAYING ("paying").
  const waiting = () => { if (busy && live) show("userpaying", t.userPaying); };
  checkout.on("action", (d) => { if ((d?.action ?? d)?.kind === "await") waiting(); });
  checkout.on("status", (d) => { if ((d?.status ?? d)?.state === "paying") waiting(); });

  function onKey(e) {
    if (e.target !== input && editable(e.target)) return;
    const r = reading(calls.key(e.key, e.timeStamp));
    if (e.key !== "Enter") return;
    // In the visible input, what the clerk sees there is the code.
    const typed = e.target === input ? input.value : "";
    if (!r && !typed.trim()) return;
    e.preventDefault();
    input.value = "";
    handle(typed.trim() ? reading(calls.read(typed, r?.scanned ?? false)) : r);
  }
  function onSubmit(e) {
    e.preventDefault();
    const typed = input.value;
    input.value = "";
    if (typed.trim()) handle(reading(calls.read(typed, false)));
  }
  document.addEventListener("keydown", onKey);
  form.addEventListener("submit", onSubmit);
  show("ready");

  return {
    destroy() {
      live = false;
      if (busy) checkout.cancel?.();
      sale++;
      document.removeEventListener("keydown", onKey);
      box.remove();
    },
  };
}
