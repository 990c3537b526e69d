// Long-poll clients for the soak (tests/bench/soak.sh), run while wrk loads
// the proxy: CLIENTS loops, each until SECONDS have passed, round-robin over
// the five gateways: a shop order, a QR create through the proxy, then a status
// query held with `?wait=WAIT`. Every other order is paid with the sandbox's
// payer control 0.5–1.5 s into the hold (HiPOS: the store's POS scans the pickup code);
// the others are left unpaid. Requests are built and answers read with pkg/'s
// own functions (initSync in node). Prints one JSON object: counts and the
// release latencies. Usage: node soak-longpoll.mjs BASE_URL SECONDS CLIENTS WAIT
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PKG = process.env.PAYBRIDGE_PKG_DIR || join(ROOT, "pkg");
const pb = await import(join(PKG, "paybridge.js"));
pb.initSync({ module: readFileSync(join(PKG, "paybridge_bg.wasm")) });

const [base, seconds, clients, wait] = [process.argv[2], Number(process.argv[3] ?? 60), Number(process.argv[4] ?? 20), Number(process.argv[5] ?? 5)];
const GATEWAYS = [["blueocean", "wechat"], ["hipopay", "wechat"], ["beecloud", "wechat"], ["chaoying", "wechat"], ["hipos", "any"]];
const deadline = Date.now() + seconds * 1000;
const post = async (path, body) => {
  const res = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body ?? {}), signal: AbortSignal.timeout(60_000) });
  return { status: res.status, wait: res.headers.get("x-paybridge-wait"), text: await res.text() };
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const stats = {
  holds: 0, paid: { n: 0, releasedByNotification: 0, releasedOther: {}, succeeded: 0, wrongState: [], latencyMs: [] },
  unpaid: { n: 0, elapsed: 0, releasedOther: {}, pending: 0, wrongState: [], holdMs: [] }, errors: [],
};
let seq = 0;

async function client() {
  while (Date.now() + wait * 1000 + 3000 < deadline) {
    const [gateway, channel] = GATEWAYS[seq % GATEWAYS.length];
    const pays = seq % 2 === 0;
    seq++;
    try {
      const shop = await post("/shop/orders", { amount: 1288, subject: "soak" });
      if (shop.status !== 201) throw new Error(`shop ${shop.status} ${shop.text}`);
      const no = JSON.parse(shop.text).out_trade_no;
      const create = pb.buildCreateRequest(gateway, "qr", { outTradeNo: no, channel });
      const created = await post(`/proxy${create.path}`, create.body);
      if (created.status !== 200) throw new Error(`create ${gateway} ${created.status} ${created.text.slice(0, 200)}`);
      const parsed = pb.parseCreateResponse(gateway, "qr", created.text, { channel, sandboxHosts: [new URL(base).host] });
      const query = pb.buildQueryRequest(gateway, { outTradeNo: no, channel, mode: "qr", gatewayOrderId: parsed.gatewayOrderId ?? undefined });
      const started = Date.now();
      const held = post(`/proxy${query.path}?wait=${wait}`, query.body);
      let paidAt;
      if (pays) {
        await sleep(500 + Math.random() * 1000);
        paidAt = Date.now();
        // HiPOS: the store's POS scans the pickup code; HiPOS then calls the shop (pays, picks up).
        const paid = gateway === "hipos"
          ? await post("/sandbox/hipos/_control/pos/scan", { pickup_code: parsed.content })
          : await post(`/sandbox/${gateway}/_control/orders/${no}/pay`);
        if (paid.status !== 200) throw new Error(`pay ${paid.status}`);
      }
      const answer = await held;
      const released = Date.now();
      stats.holds++;
      if (answer.status !== 200) throw new Error(`long-poll ${gateway} ${answer.status} ${answer.text.slice(0, 200)}`);
      const state = pb.parseQueryResponse(gateway, answer.text, {}).state;
      if (pays) {
        const p = stats.paid;
        p.n++;
        if (answer.wait === "notified") p.releasedByNotification++;
        else p.releasedOther[answer.wait] = (p.releasedOther[answer.wait] ?? 0) + 1;
        p.latencyMs.push(released - paidAt);
        if (state === "succeeded") p.succeeded++;
        else p.wrongState.push(`${gateway} ${state}`);
      } else {
        const u = stats.unpaid;
        u.n++;
        if (answer.wait === "elapsed") u.elapsed++;
        else u.releasedOther[answer.wait] = (u.releasedOther[answer.wait] ?? 0) + 1;
        u.holdMs.push(released - started);
        if (state === "pending") u.pending++;
        else u.wrongState.push(`${gateway} ${state}`);
      }
    } catch (e) {
      stats.errors.push(String(e.message ?? e).slice(0, 300));
    }
  }
}

await Promise.all(Array.from({ length: clients }, client));
const pct = (xs, p) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const summary = (xs) => ({ p50: pct(xs, 50), p95: pct(xs, 95), max: xs.length ? Math.max(...xs) : null, min: xs.length ? Math.min(...xs) : null });
stats.paid.latencyMs = summary(stats.paid.latencyMs);
stats.unpaid.holdMs = summary(stats.unpaid.holdMs);
stats.paid.wrongState = stats.paid.wrongState.slice(0, 20);
stats.unpaid.wrongState = stats.unpaid.wrongState.slice(0, 20);
stats.errorCount = stats.errors.length;
stats.errors = stats.errors.slice(0, 20);
console.log(JSON.stringify(stats));
