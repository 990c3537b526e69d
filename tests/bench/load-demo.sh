# Sourced by proxy-load.sh and proxy-profile.sh: builds the release demo
# server and the body generator (unless SKIP_BUILD is set), starts
# `paybridge-proxy demo` on a free loopback port, creates 2000 BlueOcean
# orders (enough that the per-order rate limit of 10/s never answers) and
# writes their signed (direct.txt) and unsigned (proxied.txt) query bodies.
# Sets: bin (the release directory), out (a temp directory removed on exit),
# pid (the demo server), base (its http://127.0.0.1:PORT).
[ -n "${SKIP_BUILD:-}" ] || cargo build -q --release -p paybridge-proxy --bin paybridge-proxy --example load_bodies
bin="${CARGO_TARGET_DIR:-target}/release"
out=$(mktemp -d)
"$bin/paybridge-proxy" demo --port 0 > "$out/demo.log" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$out"' EXIT
for _ in $(seq 100); do grep -q "http://" "$out/demo.log" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/demo.log" | head -1)
"$bin/examples/load_bodies" "$base" 2000 "$out"
