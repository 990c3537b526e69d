#!/usr/bin/env bash
# Notification → merchant event, on each store engine: proxy/examples/events_bench.rs
# (the proxy, its store and an instant-answer merchant endpoint in one process on
# 127.0.0.1) against a SQLite file and against a throwaway PostgreSQL cluster
# (Debian's postgresql, fsync on, started here and removed at the end).
# N notifications one at a time (p50/p95), then BURST sent 16 at a time (events/s).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-500}
BURST=${BURST:-3000}
cargo build -q --release -p paybridge-proxy --example events_bench
bin="${CARGO_TARGET_DIR:-target}/release/examples/events_bench"
work=$(mktemp -d)
chmod 755 "$work"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); mkdir "$work/pg"; chown postgres "$work/pg"; else mkdir "$work/pg"; fi
cleanup() {
  [ -f "$work/pg/data/postmaster.pid" ] && "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== SQLite (WAL, synchronous=NORMAL)"
"$bin" "sqlite://$work/bench.db" "$N" "$BURST"

echo "== PostgreSQL $(basename "$(dirname "$pgbin")") (throwaway cluster, fsync on)"
"${as_pg[@]}" "$pgbin/initdb" -D "$work/pg/data" -U postgres -A trust -E UTF8 >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1" -w start >/dev/null
"$bin" "postgres://postgres@127.0.0.1:$port/postgres" "$N" "$BURST"
