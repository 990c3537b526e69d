#!/usr/bin/env bash
# Load and soak: the release demo server (proxy + sandbox + shop on one port,
# 127.0.0.1 only) under sustained concurrent load for a bounded time:
#  - wrk -t2 -c16 POSTs BlueOcean status queries through the signing proxy
#    (2000 orders, rotated, so the per-order rate limit never answers) for
#    SOAK_SECONDS (default 180);
#  - in the middle third, SOAK_CLIENTS (default 20) long-poll clients
#    (soak-longpoll.mjs) hold `?wait=SOAK_WAIT` (default 5) queries on fresh
#    orders of all five gateways; every other order is paid mid-hold and must
#    be released at once, the rest at their wait;
#  - the server's RSS (/proc/PID/status VmRSS) is sampled every 5 s, so the
#    thirds with wrk alone show whether the request path grows (it must not)
#    and the last third whether the long-polls' memory came back (only the
#    new orders' records stay: the demo keeps its orders in memory).
# At the end one more long-poll must be held (not `unavailable`): every
# slot was released. Prints Markdown. A benchmark: it reports, it does not
# assert timings. Everything it starts is killed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
SOAK_SECONDS=${SOAK_SECONDS:-180}
SOAK_CLIENTS=${SOAK_CLIENTS:-20}
SOAK_WAIT=${SOAK_WAIT:-5}
target=${CARGO_TARGET_DIR:-target}
command -v wrk >/dev/null || { sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq wrk >/dev/null; }
cargo build -q --release -p paybridge-proxy --bin paybridge-proxy --example load_bodies
out=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$out"
}
trap cleanup EXIT
"$target/release/paybridge-proxy" demo --port 0 > "$out/demo.log" 2>/dev/null &
server=$!
pids+=("$server")
for _ in $(seq 100); do grep -q "http://" "$out/demo.log" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/demo.log" | head -1)
[ -n "$base" ] || { echo "demo server did not start" >&2; exit 1; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
rss_idle=$(rss)
"$target/release/examples/load_bodies" "$base" 2000 "$out"
rss_ready=$(rss)

# RSS sampler: every 5 s, bounded by the duration; "seconds-since-start KB".
third=$((SOAK_SECONDS / 3))
started=$(date +%s)
(
  for _ in $(seq $((SOAK_SECONDS / 5 + 2))); do
    echo "$(( $(date +%s) - started )) $(awk '/^VmRSS/ {print $2}' "/proc/$server/status" 2>/dev/null || echo 0)"
    sleep 5
  done
) > "$out/rss.txt" &
pids+=("$!")
# The long-poll clients in the middle third only.
( sleep "$third"; exec node tests/bench/soak-longpoll.mjs "$base" "$third" "$SOAK_CLIENTS" "$SOAK_WAIT" > "$out/longpoll.json" ) &
lp=$!
pids+=("$lp")
BODIES="$out/proxied.txt" wrk -t2 -c16 -d"${SOAK_SECONDS}s" --latency --timeout 10s -s tests/bench/bodies.lua "$base/proxy/blueocean/order/query" > "$out/wrk.txt"
wait "$lp"
elapsed=$(( $(date +%s) - started ))
rss_end=$(rss)

# Every long-poll slot came back: a new hold is held (`elapsed`), not refused as `unavailable`.
final_no=$(curl -s -X POST -H 'content-type: application/json' -d '{"amount":100}' "$base/shop/orders" | sed -E 's/.*"out_trade_no":"([^"]+)".*/\1/')
curl -s -o /dev/null -X POST -H 'content-type: application/json' -d "{\"payment\":\"wechat.qrcode\",\"out_trade_no\":\"$final_no\"}" "$base/proxy/blueocean/payment/pay"
final_wait=$(curl -s -D - -o /dev/null -X POST -H 'content-type: application/json' -d "{\"out_trade_no\":\"$final_no\"}" "$base/proxy/blueocean/order/query?wait=1" | awk -F': ' 'tolower($1)=="x-paybridge-wait" {print $2}' | tr -d '\r')

requests=$(awk '/requests in/ {print $1}' "$out/wrk.txt")
rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk.txt")
non2xx=$(awk -F': *' '/Non-2xx/ {print $2}' "$out/wrk.txt")
sockerr=$(grep -o 'Socket errors:.*' "$out/wrk.txt" || true)
lat=$(awk '/^ +(50|90|99)%/ {printf "%s %s · ", $1, $2}' "$out/wrk.txt")
# The RSS sample nearest to second $1.
at() { awk -v t="$1" 'BEGIN {best=-1} {d=$1-t; if (d<0) d=-d; if (best<0 || d<best) {best=d; v=$2}} END {printf "%.1f MB", v/1024}' "$out/rss.txt"; }
rss_max=$(awk 'BEGIN {m=0} $2>m {m=$2} END {printf "%.1f MB", m/1024}' "$out/rss.txt")
mb() { awk -v k="$1" 'BEGIN {printf "%.1f MB", k/1024}'; }

echo "Load and soak: ${SOAK_SECONDS} s of wrk -t2 -c16 through the proxy; ${SOAK_CLIENTS} long-poll clients (wait=${SOAK_WAIT}) from ${third} s to $((2 * third)) s; $(nproc) cores; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| what | figure |"
echo "|---|---|"
echo "| wrk requests (proxied BlueOcean status queries) | ${requests} in ${elapsed} s, ${rps} req/s |"
echo "| wrk latency | ${lat% · } |"
echo "| wrk non-2xx answers | ${non2xx:-0} |"
echo "| wrk socket errors | ${sockerr:-none} |"
echo "| server RSS: idle / after 2000 orders | $(mb "$rss_idle") / $(mb "$rss_ready") |"
echo "| server RSS at 10 s / ${third} s (wrk alone) / $((2 * third)) s (after the long-polls) / end (wrk alone again) / max | $(at 10) / $(at "$third") / $(at $((2 * third))) / $(mb "$rss_end") / ${rss_max} |"
echo "| RSS samples (every 5 s, MB) | $(awk '{printf "%.0f ", $2/1024}' "$out/rss.txt") |"
echo "| a long-poll after the soak | ${final_wait:-no header} (expected: elapsed) |"
node -e '
const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const o = (x) => Object.entries(x).map(([k, v]) => `${k} ${v}`).join(", ") || "none";
console.log(`| long-polls held (one new order each) | ${s.holds} (${s.paid.n} paid mid-hold, ${s.unpaid.n} left unpaid); client errors ${s.errorCount}${s.errors.length ? ": " + s.errors.slice(0, 3).join("; ") : ""} |`);
console.log(`| paid mid-hold: released by the notification | ${s.paid.releasedByNotification} / ${s.paid.n} (others: ${o(s.paid.releasedOther)}); read succeeded ${s.paid.succeeded} / ${s.paid.n}${s.paid.wrongState.length ? " — wrong: " + s.paid.wrongState.join(", ") : ""} |`);
console.log(`| paid mid-hold: release after the pay control (ms) | p50 ${s.paid.latencyMs.p50} · p95 ${s.paid.latencyMs.p95} · max ${s.paid.latencyMs.max} |`);
console.log(`| unpaid: released at the wait (elapsed) | ${s.unpaid.elapsed} / ${s.unpaid.n} (others: ${o(s.unpaid.releasedOther)}); read pending ${s.unpaid.pending} / ${s.unpaid.n}${s.unpaid.wrongState.length ? " — wrong: " + s.unpaid.wrongState.join(", ") : ""} |`);
console.log(`| unpaid: hold length (ms, wait = ${process.argv[2]} s) | min ${s.unpaid.holdMs.min} · p50 ${s.unpaid.holdMs.p50} · p95 ${s.unpaid.holdMs.p95} · max ${s.unpaid.holdMs.max} |`);
' "$out/longpoll.json" "$SOAK_WAIT"
