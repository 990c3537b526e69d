#!/usr/bin/env node
// Proxy conformance suite (wire protocol v2). Points at any signing proxy whose
// upstream is the paybridge sandbox, and checks the rules a merchant's own
// proxy (PHP, Java, …) must keep:
//   node tests/conformance/conformance.mjs --proxy URL --shop URL --sandbox URL [--gateway blueocean]
// --proxy   the proxy root (e.g. http://127.0.0.1:8080/proxy)
// --shop    creates orders: POST {shop}/orders {"amount","subject"} → {"out_trade_no","clientSecret"}
// --sandbox the sandbox root the proxy forwards to (e.g. http://127.0.0.1:8080/sandbox)
// Exits non-zero when a check fails; prints "N passed, N failed".

export const CHECKS = [];
const check = (name, fn) => CHECKS.push({ name, fn });

async function post(url, body, headers = {}) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json };
}

/** A shop order: {no, secret} (its client secret, which only its own page holds). */
async function newOrder(ctx, amount) {
  const r = await post(`${ctx.shop}/orders`, { amount, subject: "conformance" });
  if (r.status >= 300 || !r.json?.out_trade_no || !r.json?.clientSecret) throw new Error(`shop could not create an order with a clientSecret: ${r.status} ${r.text}`);
  return { no: r.json.out_trade_no, secret: r.json.clientSecret };
}

/** POSTs as the order's own page: with its `Paybridge-Client-Secret`. */
const asOwner = (order, url, body) => post(url, body, { "paybridge-client-secret": order.secret });

async function sandboxOrder(ctx, no) {
  const res = await fetch(`${ctx.sandbox}/${ctx.gateway}/_control/orders/${no}`);
  if (!res.ok) throw new Error(`sandbox has no order ${no}: ${res.status}`);
  return res.json();
}

async function faults(ctx, rules) {
  const res = await fetch(`${ctx.sandbox}/_control/faults`, rules ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(rules) } : { method: "DELETE" });
  if (!res.ok) throw new Error(`sandbox faults: ${res.status}`);
}

// BlueOcean's QR create: the simplest JSON-bodied create with an amount, a
// notify_url and credentials, so every server-owned-field rule shows.
const createPath = "/payment/pay";
const createBody = (no, extra = {}) => ({ payment: "wechat.qrcode", out_trade_no: no, ...extra });

check("an off-allowlist path is refused with 404 path_not_allowed", async (ctx) => {
  const r = await post(`${ctx.proxy}/${ctx.gateway}/user/login`, { username: "x", password: "y" });
  assert(r.status === 404, `status ${r.status}`);
  assert(r.json?.proxy_error?.code === "path_not_allowed", r.text);
});

check("an unknown gateway is refused", async (ctx) => {
  const r = await post(`${ctx.proxy}/nosuchgateway/payment/pay`, {});
  assert(r.status === 404 && typeof r.json?.proxy_error?.code === "string", `${r.status} ${r.text}`);
});

check("an order the merchant does not know is refused exactly like a wrong client secret", async (ctx) => {
  const unknown = await post(`${ctx.proxy}/${ctx.gateway}${createPath}`, createBody("ZZ00000000000000NOPE"));
  assert(unknown.status === 403 && unknown.json?.proxy_error?.code === "client_secret_mismatch", `${unknown.status} ${unknown.text}`);
  const order = await newOrder(ctx, 100);
  const wrong = await post(`${ctx.proxy}/${ctx.gateway}${createPath}`, createBody(order.no));
  const same = (k) => wrong.json?.proxy_error?.[k] === unknown.json?.proxy_error?.[k];
  assert(wrong.status === unknown.status && same("code") && same("message"), `unknown order: ${unknown.status} ${unknown.text}; known order without its secret: ${wrong.status} ${wrong.text}`);
});

check("the amount comes from the order record, not the browser", async (ctx) => {
  const order = await newOrder(ctx, 4321);
  const r = await asOwner(order, `${ctx.proxy}/${ctx.gateway}${createPath}`, createBody(order.no, { total_fee: 1 }));
  assert(r.status === 200, `create: ${r.status} ${r.text}`);
  const o = await sandboxOrder(ctx, order.no);
  assert(o.amount === 4321, `upstream saw amount ${o.amount}`);
});

check("notify_url and credentials cannot be set from the browser", async (ctx) => {
  const order = await newOrder(ctx, 100);
  const r = await asOwner(order, `${ctx.proxy}/${ctx.gateway}${createPath}`, createBody(order.no, { notify_url: "https://evil.example/steal", appid: "999", sign: "X" }));
  assert(r.status === 200, `create: ${r.status} ${r.text}`);
  const o = await sandboxOrder(ctx, order.no);
  assert(o.notify_url && !o.notify_url.includes("evil.example"), `upstream saw notify_url ${o.notify_url}`);
});

check("without its client secret nobody creates, reads or closes an order: 403 client_secret_mismatch, nothing upstream", async (ctx) => {
  const order = await newOrder(ctx, 100);
  const calls = [[createPath, createBody(order.no)], ["/order/query", { out_trade_no: order.no }], ["/order/close", { out_trade_no: order.no }]];
  // The wrong secret differs from the right one in its last digit (a fixed "0" was the right one for one order in
  // sixteen). The failure message names the case, never the secret.
  const wrong = `${order.secret.slice(0, -1)}${order.secret.endsWith("0") ? "1" : "0"}`;
  const cases = [["no secret", {}], ["a wrong secret", { "paybridge-client-secret": wrong }], ["an empty secret", { "paybridge-client-secret": "" }]];
  for (const [what, headers] of cases) {
    for (const [path, body] of calls) {
      const r = await post(`${ctx.proxy}/${ctx.gateway}${path}`, body, headers);
      assert(r.status === 403 && r.json?.proxy_error?.code === "client_secret_mismatch", `${path} with ${what}: ${r.status} ${r.text}`);
    }
  }
  const upstream = await fetch(`${ctx.sandbox}/${ctx.gateway}/_control/orders/${order.no}`);
  assert(upstream.status === 404, `a refused create reached the gateway: ${upstream.status}`);
});

check("strangers never spend the owner's rate limit", async (ctx) => {
  const order = await newOrder(ctx, 100);
  for (let i = 0; i < 30; i++) {
    const r = await post(`${ctx.proxy}/${ctx.gateway}/order/query`, { out_trade_no: order.no });
    assert(r.status === 403, `stranger ${i}: ${r.status} ${r.text}`);
  }
  const own = await asOwner(order, `${ctx.proxy}/${ctx.gateway}${createPath}`, createBody(order.no));
  assert(own.status === 200, `the owner after 30 stranger calls: ${own.status} ${own.text}`);
});

for (const kind of ["bad_signature", "strip_signature"]) {
  check(`a ${kind === "bad_signature" ? "tampered" : "stripped"} upstream signature is refused with 502 upstream_bad_signature, never the body`, async (ctx) => {
    const order = await newOrder(ctx, 100);
    await faults(ctx, [{ gateway: ctx.gateway, kind }]);
    try {
      const r = await asOwner(order, `${ctx.proxy}/${ctx.gateway}${createPath}`, createBody(order.no));
      assert(r.status === 502 && r.json?.proxy_error?.code === "upstream_bad_signature", `${r.status} ${r.text}`);
      assert(!r.text.includes("weixin://"), "the gateway's body leaked");
    } finally {
      await faults(ctx, null);
    }
  });
}

check("a verified answer is passed through with X-Paybridge-Verified", async (ctx) => {
  const order = await newOrder(ctx, 100);
  const r = await asOwner(order, `${ctx.proxy}/${ctx.gateway}${createPath}`, createBody(order.no));
  assert(r.status === 200, `${r.status} ${r.text}`);
  const v = r.headers.get("x-paybridge-verified");
  // BlueOcean signs its answers: a conformant proxy verifies them, so anything but "signature" fails.
  const allowed = ctx.gateway === "blueocean" ? ["signature"] : ["signature", "unsigned"];
  assert(allowed.includes(v), `header ${v}`);
});

check("long-poll returns the new state once the order is paid (when advertised)", async (ctx) => {
  const caps = await (await fetch(`${ctx.proxy}/capabilities`)).json();
  if (!caps.longPoll) return "skipped: not advertised";
  const order = await newOrder(ctx, 100);
  const no = order.no;
  const created = await asOwner(order, `${ctx.proxy}/${ctx.gateway}${createPath}`, createBody(no));
  assert(created.status === 200, created.text);
  const started = Date.now();
  const waiting = asOwner(order, `${ctx.proxy}/${ctx.gateway}/order/query?wait=10`, { out_trade_no: no });
  await new Promise((r) => setTimeout(r, 500));
  const paid = await fetch(`${ctx.sandbox}/${ctx.gateway}/_control/orders/${no}/pay`, { method: "POST" });
  assert(paid.ok, `pay control: ${paid.status}`);
  const r = await waiting;
  assert(r.status === 200, `${r.status} ${r.text}`);
  assert(r.json?.data?.trade_state === "SUCCESS", `query after pay: ${r.text}`);
  assert(Date.now() - started < 10_000, "answered before the wait ran out");
});

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/** Runs every check against `ctx` and returns {passed, failed, results}. */
export async function runConformance(ctx) {
  const results = [];
  for (const c of CHECKS) {
    try {
      const note = await c.fn({ gateway: "blueocean", ...ctx });
      results.push({ name: c.name, ok: true, note });
    } catch (e) {
      results.push({ name: c.name, ok: false, note: e.message });
    }
  }
  return { passed: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
  if (!args.proxy || !args.shop || !args.sandbox) {
    console.error("usage: conformance.mjs --proxy URL --shop URL --sandbox URL [--gateway blueocean]");
    process.exit(2);
  }
  const strip = (u) => u.replace(/\/+$/, "");
  const { passed, failed, results } = await runConformance({ proxy: strip(args.proxy), shop: strip(args.shop), sandbox: strip(args.sandbox), gateway: args.gateway ?? "blueocean" });
  for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"} ${r.name}${r.note ? ` — ${r.note}` : ""}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
