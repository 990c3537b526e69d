#!/usr/bin/env bash
# CPU profile of the demo server (proxy + sandbox in one process) while wrk
# drives the proxied BlueOcean status query of tests/bench/proxy-load.sh:
# perf (Debian linux-perf) samples it at 499 Hz with DWARF call graphs for
# SAMPLE_SECONDS (default 10), then prints the inclusive share of the frames that
# say where a proxied call's time goes, and the top self-time symbols. With
# inferno installed (cargo install inferno) it also writes a flame graph to
# FLAME (default proxy-profile.svg). SKIP_BUILD=1 profiles the release build
# already in CARGO_TARGET_DIR. Needs root or perf_event_paranoid <= 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
SAMPLE_SECONDS=${SAMPLE_SECONDS:-10}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v perf >/dev/null || apt-get install -y -qq linux-perf >/dev/null
. tests/bench/load-demo.sh
BODIES="$out/proxied.txt" wrk -t2 -c16 -d"$((SAMPLE_SECONDS + 3))s" -s tests/bench/bodies.lua "$base/proxy/blueocean/order/query" > "$out/wrk.txt" &
load=$!
sleep 1
perf record -q -F 499 --call-graph dwarf,32768 -p "$pid" -o "$out/perf.data" -- sleep "$SAMPLE_SECONDS" 2>/dev/null
wait $load
grep -E "Requests/sec" "$out/wrk.txt"
echo "== inclusive share of the process's samples"
perf report -i "$out/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | sed -E 's/ +$//' |
  grep -E "Handler<\(M,T1,T2,T3,T4\),S>|Handler<\(M,T1,T2,T3,T4,T5,T6\),S>|exchange::call|upstream::send|encode_request|verify_answer|json::parse$|to_json$|Layer<S>>::on_event|sandbox_secrets|sandbox::log::event|entry_SYSCALL_64_after_hwframe|OrderSource::lookup|metrics::Metrics::request|proxy::events::|paybridge_proxy::store::" |
  cut -c1-160 | head -40
echo "== top self time"
perf report -i "$out/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null | grep -E "^ +[0-9]" | sed -E 's/ +$//' | cut -c1-160 | head -25
if command -v inferno-collapse-perf >/dev/null; then
  perf script -i "$out/perf.data" 2>/dev/null | inferno-collapse-perf | inferno-flamegraph > "${FLAME:-proxy-profile.svg}"
  echo "flame graph: ${FLAME:-proxy-profile.svg}"
fi
