#!/usr/bin/env bash
# Proxy overhead under load on loopback: the same BlueOcean status query sent
# (a) straight to the sandbox, signed, and (b) through the signing proxy,
# unsigned — wrk (Debian) with 2 threads, 16 connections, bounded duration.
# Prints wrk's latency distribution and requests/s for both, and the demo
# server's own CPU time per request (utime + stime from /proc) in each phase:
# the difference is the proxy's CPU per call, which shared or busy cores blur
# less than latency. SKIP_BUILD=1 runs the release build already in
# CARGO_TARGET_DIR (A/B of two saved builds).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq wrk >/dev/null; }
[ -n "${SKIP_BUILD:-}" ] || cargo build -q --release -p paybridge-proxy --bin paybridge-proxy --example load_bodies
out=$(mktemp -d)
"${CARGO_TARGET_DIR:-target}/release/paybridge-proxy" demo --port 0 > "$out/demo.log" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$out"' EXIT
for _ in $(seq 100); do grep -q "http://" "$out/demo.log" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/demo.log" | head -1)
# Enough orders that the per-order rate limit (10/s) is never what answers.
"${CARGO_TARGET_DIR:-target}/release/examples/load_bodies" "$base" 2000 "$out"
for run in direct:/sandbox/blueocean/order/query proxied:/proxy/blueocean/order/query; do
  name=${run%%:*}; path=${run#*:}
  echo "== $name ($path)"
  cpu_before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  BODIES="$out/$name.txt" wrk -t2 -c16 -d"$DURATION" --latency -s tests/bench/bodies.lua "$base$path" > "$out/wrk.txt"
  cpu_after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  grep -E "Latency|50%|75%|90%|99%|Requests/sec|Non-2xx" "$out/wrk.txt"
  requests=$(grep -o '[0-9]* requests in' "$out/wrk.txt" | cut -d' ' -f1)
  echo "  server CPU per request: $(( (cpu_after - cpu_before) * 1000000 / $(getconf CLK_TCK) / requests )) µs"
done
