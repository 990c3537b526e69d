// The Checkout's hands: every side effect a payment flow asks for (fetch
// through the proxy, one timer, wallet bridges, navigation, sessionStorage,
// the "open in browser" guide, listeners). All decisions are made by the
// wasm flow (src/checkout/flow.rs): this file feeds it events and carries
// out the effects it returns. Gateway text is only ever set as textContent.

import { el } from "../shared.js";

/** Where the pending order waits while the payer is away (resume() reads it back). */
const PENDING = "paybridge.pending";
const u32 = () => crypto.getRandomValues(new Uint32Array(1))[0];
const toError = (d) => Object.assign(new Error(d.message), d);

export class Driver {
  constructor(config) {
    this.config = config;
    // The config as it was given (a shallow copy): the Checkout reads each payment's settings from it.
    this.options = Object.assign({}, config);
    this.listeners = {};
    this.active = null;
    this.capsP = null;
    // Asked now, while the page is still being read, so pay() does not wait a round trip for it.
    this.caps();
    document.addEventListener("visibilitychange", () => this.post({ type: document.hidden ? "hidden" : "visible" }));
    addEventListener("pageshow", (e) => { if (e.persisted) this.post({ type: "visible" }); });
  }

  on(event, listener) {
    (this.listeners[event] ??= []).push(listener);
  }

  emit(event, detail) {
    for (const fn of this.listeners[event] ?? []) {
      try { fn(detail); } catch (e) { queueMicrotask(() => { throw e; }); }
    }
  }

  /** `GET {proxy}/capabilities` once per Checkout (body text, or null). */
  caps() {
    const url = `${this.config.proxy.replace(/\/$/, "")}/capabilities`;
    return (this.capsP ??= fetch(url, { signal: AbortSignal.timeout(3000) })
      .then((r) => (r.ok ? r.text() : null))
      .catch(() => { this.capsP = null; return null; }));
  }

  /** Runs a flow to its end; a payment already running is cancelled first. */
  run(flow, order) {
    if (this.active) this.post({ type: "cancel" });
    const run = { flow, order: order ?? {}, timer: 0, ctrls: new Set(), queue: [], busy: false, over: false, guide: null };
    run.promise = new Promise((resolve, reject) => Object.assign(run, { resolve, reject }));
    this.active = run;
    this.caps().then((caps) => this.feed(run, { type: "start", caps }));
    return run.promise;
  }

  /** What resume() continues: the running payment's promise, else the pending order's stored text (null when none). */
  resumable() {
    if (this.active) return this.active.promise;
    try { return sessionStorage.getItem(PENDING); } catch { return null; }
  }

  cancel() {
    this.post({ type: "cancel" });
  }

  /** The payer's answer to the `confirm` action (Checkout.confirm). */
  confirm(paid) {
    this.post({ type: "confirm", paid });
  }

  /** An event for the running flow. */
  post(event) {
    if (this.active) this.feed(this.active, event);
  }

  feed(run, event) {
    if (run.over) return;
    event.now = Date.now();
    event.rng = u32();
    run.queue.push(event);
    if (run.busy) return;
    run.busy = true;
    try {
      while (run.queue.length && !run.over) {
        const effects = JSON.parse(run.flow.step(JSON.stringify(run.queue.shift())));
        for (const fx of effects) this.apply(run, fx);
      }
    } finally {
      run.busy = false;
    }
  }

  apply(run, fx) {
    const send = (event) => this.feed(run, event);
    switch (fx.op) {
      case "fetch": return this.fetch(run, fx, send);
      case "sleep":
        clearTimeout(run.timer);
        run.timer = setTimeout(() => send({ type: "timer" }), fx.ms);
        return;
      case "emit": return this.emit(fx.event, fx.event === "error" ? toError(fx.detail) : fx.detail);
      case "qr":
        if (run.order.qrTarget) {
          try { run.flow.constructor.drawQr(run.order.qrTarget, fx.content, this.config.qr ?? { locale: this.config.locale }); } catch (e) { this.emit("error", e); }
        }
        return;
      case "awaitBridge": return awaitBridge(fx, send, this.config);
      case "bridge": return invoke(fx, send, this.config);
      case "navigate": return location.assign(fx.url);
      case "iframe":
        if (run.order.container) {
          const frame = document.createElement("iframe");
          frame.className = "paybridge-iframe";
          frame.src = fx.url;
          run.order.container.replaceChildren(frame);
        }
        return;
      case "guide": run.guide = guide(fx); return;
      case "store": try { sessionStorage.setItem(PENDING, fx.value); } catch { /* private mode: resume() finds nothing */ } return;
      case "clear": try { sessionStorage.removeItem(PENDING); } catch { /* as above */ } return;
      case "renew":
        Promise.resolve()
          .then(() => this.config.renewOrder(fx.outTradeNo))
          .then((o) => {
            const no = typeof o === "string" ? o : o?.outTradeNo;
            send(typeof no === "string" && no ? { type: "renewed", outTradeNo: no, clientSecret: o?.clientSecret } : { type: "renewFailed" });
          }, () => send({ type: "renewFailed" }));
        return;
      case "resolve": this.finish(run); return run.resolve(fx.outcome);
      case "reject": this.finish(run); return run.reject(toError(fx.error));
    }
  }

  fetch(run, fx, send) {
    const ctrl = new AbortController();
    run.ctrls.add(ctrl);
    const timer = setTimeout(() => ctrl.abort(), fx.timeoutMs);
    const { tag, seq } = fx;
    const headers = { "content-type": "application/json" };
    if (fx.secret) headers["paybridge-client-secret"] = fx.secret;
    // The checkout's language, so the proxy asks the gateway for messages in it.
    if (fx.locale) headers["accept-language"] = fx.locale;
    fetch(fx.url, { method: "POST", headers, body: fx.body, signal: ctrl.signal, cache: "no-store" })
      .then(async (r) => ({ type: "http", tag, seq, status: r.status, body: await r.text(), verified: r.headers.get("x-paybridge-verified") === "signature" }))
      .catch(() => ({ type: "neterr", tag, seq }))
      .then((event) => { clearTimeout(timer); run.ctrls.delete(ctrl); send(event); });
  }

  finish(run) {
    run.over = true;
    clearTimeout(run.timer);
    for (const ctrl of run.ctrls) ctrl.abort();
    run.guide?.remove();
    if (this.active === run) this.active = null;
  }
}

/** The WeChat JS-SDK: the config's `wx` (a page that imports weixin-js-sdk), else the global jweixin defines. */
const jsSdk = (config) => config.wx ?? window.wx;

/** `bridgeReady` once `window[global]` (the JS-SDK for "wx") exists (or its ready event fires), else `bridgeUnavailable`. */
function awaitBridge({ global, readyEvent, timeoutMs }, send, config) {
  const ready = () => send({ type: "bridgeReady", wxjsEnvironment: window.__wxjs_environment });
  if (global === "wx" ? jsSdk(config) : window[global]) return ready();
  if (!readyEvent) return send({ type: "bridgeUnavailable" });
  const onReady = () => { clearTimeout(timer); ready(); };
  const timer = setTimeout(() => { document.removeEventListener(readyEvent, onReady); send({ type: "bridgeUnavailable" }); }, timeoutMs);
  document.addEventListener(readyEvent, onReady, { once: true });
}

/** Invokes a wallet bridge; its answer (a hint, confirmed by a query) comes back as `bridge`. */
function invoke({ kind, payload }, send, config) {
  const answer = (result) => send({ type: "bridge", result: String(result ?? "") });
  const unavailable = () => send({ type: "bridgeUnavailable" });
  try {
    if (kind === "wechat") {
      window.WeixinJSBridge.invoke("getBrandWCPayRequest", payload, (res) => answer(res?.err_msg ?? res?.errMsg));
    } else if (kind === "wxsdk") {
      jsSdk(config).chooseWXPay({ ...payload, success: () => answer("chooseWXPay:ok"), cancel: () => answer("chooseWXPay:cancel"), fail: (r) => answer(r?.errMsg || "chooseWXPay:fail") });
    } else if (kind === "wxhk") {
      // WeChat's HK wallet (BlueOcean seed L814-L864): the proxy-signed config, then the gateway's payConfig.
      const wx = jsSdk(config);
      wx.error?.(() => unavailable());
      wx.ready(() => wx.invoke("getH5PrepayRequest", payload.payConfig, (res) => answer(res?.errMsg || res?.err_msg)));
      wx.config(payload.config);
    } else if (kind === "mini") {
      jsSdk(config).miniProgram.navigateTo({ url: payload, fail: unavailable });
    } else if (kind === "alipay") {
      window.AlipayJSBridge.call("tradePay", payload, (r) => answer(r?.resultCode));
    } else {
      Promise.resolve()
        .then(() => config.appBridge(payload.provider, payload.payload))
        .then(() => answer("ok"), (e) => answer(/cancel/i.test(`${e?.code} ${e?.message}`) ? "cancel" : "fail"));
    }
  } catch {
    unavailable();
  }
}

/** The "open in browser" overlay (texts from the flow, in the configured locale). */
function guide({ title, text, close }) {
  const box = el("div");
  box.dataset.paybridge = "guide";
  box.setAttribute("role", "dialog");
  // Style properties set one by one (CSSOM), which a strict CSP allows (a style attribute or cssText it blocks).
  Object.assign(box.style, { position: "fixed", inset: "0", zIndex: "2147483647", background: "rgba(0,0,0,.85)", color: "#fff", padding: "24px", textAlign: "right", fontSize: "18px" });
  const arrow = el("div", "", "\u2197");
  arrow.style.fontSize = "48px";
  const body = el("div");
  body.style.textAlign = "left";
  const button = el("button", "", close);
  button.type = "button";
  button.addEventListener("click", () => box.remove());
  body.append(el("h2", "", title), el("p", "", text), button);
  box.append(arrow, body);
  document.body.append(box);
  return box;
}
