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
. tests/bench/load-demo.sh
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
