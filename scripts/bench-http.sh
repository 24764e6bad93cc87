#!/usr/bin/env bash
# The online path under load: `POST /v1/scores` (ningbo-port, every record
# durable) and a 2-step composite over loopback HTTP, on SQLite and on
# PostgreSQL, against the in-process audited rate of the same machine in
# the same run. Writes one markdown report (default target/bench-http.md)
# whose tables the README quotes.
#
#   scripts/bench-http.sh [SECONDS]       (default 10 s a run)
#   SCOREHOST_BENCH_BACKENDS="sqlite postgres"  which stores (default both)
#   SCOREHOST_BENCH_OUT=FILE              where the report goes
#   SCOREHOST_BIN=PATH                    measure another build
#   SCOREHOST_BENCH_INPROCESS=0           skip the in-process rate (no ratios)
#
# How it measures, and why:
# - the server runs as a user starts it (`scorehost serve`, no taskset: it
#   uses both cores); the load generator, oha (crates.io, installed into
#   target/tools on first use), is pinned to core 1 with `taskset` and so
#   runs one thread — it shares that core with the server, as any client on
#   the same 2 cores would;
# - closed loop at 4, 16 and 64 connections (each connection sends its next
#   request when the last is answered); then open loop at 50 % and 80 % of
#   the closed-loop maximum at 16 connections, at a fixed rate with oha's
#   latency correction (wrk2-style: a late request's latency counts from
#   when it should have been sent, so a stall cannot hide);
# - for each run: throughput, p50/p90/p99/p99.9, non-2xx answers, the
#   server's CPU per request (from /proc: user + system time over the run)
#   and the mean time per request in each stage, from the server's own
#   `scorehost_stage_seconds` (read before and after the run);
# - two `serve` processes on one PostgreSQL database, 8 connections each,
#   against one with 16: how far the shared log's write lock lets a second
#   host add throughput.
set -euo pipefail
cd "$(dirname "$0")/.."
# The CLI acts for the province only as a named person (issue 23).
export SCOREHOST_AS="${SCOREHOST_AS:-province:Operator}"
SECS=${1:-10}
BACKENDS=${SCOREHOST_BENCH_BACKENDS:-sqlite postgres}
OUT=${SCOREHOST_BENCH_OUT:-target/bench-http.md}
OHA_VERSION=1.16.0
OHA=$PWD/target/tools/bin/oha
if ! "$OHA" --version 2>/dev/null | grep -q "$OHA_VERSION"; then
  echo "bench-http.sh: installing oha $OHA_VERSION into target/tools (once)" >&2
  cargo install --locked --quiet --root target/tools "oha@$OHA_VERSION" >&2
fi
scripts/build-plugins.sh >/dev/null
[ -n "${SCOREHOST_BIN:-}" ] || cargo build --release -p scorehost -q
B=${SCOREHOST_BIN:-$PWD/target/release/scorehost}
W=target/wasm32-wasip2/plugin/ningbo_port_v1.wasm
TMP=$(mktemp -d /tmp/scorehost-bench-http.XXXXXX)
PIDS=()
PG_STARTED=
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
  [ -n "$PG_STARTED" ] && scripts/postgres.sh destroy >/dev/null 2>&1 || true
}
trap cleanup EXIT
python3 scripts/bench_http_lib.py setup-body > "$TMP/score.json"

# A data dir with ningbo-port 1.0.0 and the credit-code composite's models
# pinned, a stored Hangzhou resident with consent, and an app token.
prepare() { # DIR [DB_URL]
  local dir=$1 db=${2:-} args=(--data-dir "$1")
  [ -n "$db" ] && args+=(--db "$db")
  for f in ningbo_port_v1 hangzhou_qianjiang credit_code; do
    local w=target/wasm32-wasip2/plugin/$f.wasm sha name version
    sha=$(sha256sum "$w" | cut -d' ' -f1)
    read -r name version < <("$B" inspect "$w" --json | python3 -c "import json,sys; m=json.load(sys.stdin)['model']; print(m['name'], m['version'])")
    "$B" "${args[@]}" plugin publish "$w" --as "publisher:${name%%/*}" >/dev/null
    "$B" "${args[@]}" plugin approve "$name@$version" --sha256 "$sha" >/dev/null
    "$B" "${args[@]}" plugin approve "$name@$version" --sha256 "$sha" --as "province:Bench Reviewer Li" >/dev/null
    "$B" "${args[@]}" plugin pin "$name@$version" --sha256 "$sha" >/dev/null
  done
  "$B" "${args[@]}" composite define hangzhou-credit-code --file examples/composites/hangzhou-credit-code.json --as "province:Bench Author Wang" >/dev/null
  sha=$("$B" "${args[@]}" composite show hangzhou-credit-code --json | python3 -c "import json,sys; print(json.load(sys.stdin)['pending']['sha256'])")
  "$B" "${args[@]}" composite approve hangzhou-credit-code --sha256 "$sha" >/dev/null
  "$B" "${args[@]}" composite approve hangzhou-credit-code --sha256 "$sha" --as "province:Bench Reviewer Li" >/dev/null
  python3 scripts/bench_http_lib.py setup-subject "$B" "${args[@]}"
  "$B" "${args[@]}" token create --role app:bench --models ningbo/port,hangzhou/qianjiang,zhejiang/credit-code \
    --composites hangzhou-credit-code 2>/dev/null > "$dir/app.token"
  "$B" "${args[@]}" token create --role auditor 2>/dev/null > "$dir/auditor.token"
}

# Start `serve` on DIR (and DB) as instance NAME: DIR/NAME.url, NAME.pid.
start() { # DIR DB NAME
  local dir=$1 db=$2 name=$3 args=(--data-dir "$1")
  [ -n "$db" ] && args+=(--db "$db")
  "$B" "${args[@]}" serve --listen 127.0.0.1:0 > "$dir/$name.out" 2> "$dir/$name.err" &
  PIDS+=($!)
  echo $! > "$dir/$name.pid"
  for _ in $(seq 100); do grep -q listening "$dir/$name.out" 2>/dev/null && break; sleep 0.1; done
  sed -n 's/^scorehost listening on //p' "$dir/$name.out" > "$dir/$name.url"
}

stop() { # DIR NAME
  local pid; pid=$(cat "$1/$2.pid"); kill "$pid"; wait "$pid" 2>/dev/null || true
}

# oha pinned to core 1 against instance PREFIX (DIR/NAME): CONNS PATH BODY
# SECONDS [RATE]; its JSON on stdout.
oha() {
  local prefix=$1 conns=$2 path=$3 body=$4 secs=$5 rate=${6:-} extra=()
  [ -n "$rate" ] && extra=(-q "$rate" --latency-correction)
  taskset -c 1 "$OHA" --no-tui --output-format json -z "${secs}s" -c "$conns" "${extra[@]}" \
    -m POST -T application/json -H "Authorization: Bearer $(cat "$(dirname "$prefix")/app.token")" \
    -D "$body" "$(cat "$prefix.url")$path"
}

# One measured run: LABEL PREFIX PATH BODY CONNS [RATE]
run() {
  local label=$1 prefix=$2 path=$3 body=$4 conns=$5 rate=${6:-}
  python3 scripts/bench_http_lib.py snapshot "$prefix" > "$TMP/before.json"
  oha "$prefix" "$conns" "$path" "$body" "$SECS" "$rate" > "$TMP/oha.json"
  python3 scripts/bench_http_lib.py snapshot "$prefix" > "$TMP/after.json"
  python3 scripts/bench_http_lib.py row "$label" "$conns" "${rate:-closed}" \
    "$TMP/oha.json" "$TMP/before.json" "$TMP/after.json" >> "$TMP/rows.jsonl"
  tail -n1 "$TMP/rows.jsonl" | python3 scripts/bench_http_lib.py show
}

touch "$TMP/inprocess.txt"
if [ "${SCOREHOST_BENCH_INPROCESS:-1}" != 0 ]; then
  echo "== in process: the audit bench's durable audited rate (2 worker threads)" >&2
  SCOREHOST_BENCH_RECORDS=0 cargo bench -q -p scorehost-tests --bench audit 2>/dev/null \
    | tee "$TMP/inprocess.txt" | grep -E 'durable audited|unaudited evaluations' >&2
fi

python3 scripts/bench_http_lib.py composite-body > "$TMP/composite.json"
for backend in $BACKENDS; do
  dir=$TMP/$backend; mkdir -p "$dir"
  db=
  if [ "$backend" = postgres ]; then
    PGURL=$(scripts/postgres.sh start); PG_STARTED=1
    psql -q "$PGURL" -c "DROP DATABASE IF EXISTS scorehost_bench" -c "CREATE DATABASE scorehost_bench"
    db=${PGURL%/postgres}/scorehost_bench
  fi
  prepare "$dir" "$db"
  start "$dir" "$db" a
  echo "== $backend: POST /v1/scores" >&2
  oha "$dir/a" 16 /v1/scores "$TMP/score.json" 2 > /dev/null  # warm up
  for c in 4 16 64; do run "$backend scores" "$dir/a" /v1/scores "$TMP/score.json" "$c"; done
  max=$(python3 scripts/bench_http_lib.py rate "$TMP/rows.jsonl" "$backend scores" 16)
  for pct in 50 80; do
    run "$backend scores" "$dir/a" /v1/scores "$TMP/score.json" 16 "$(( max * pct / 100 ))"
  done
  echo "== $backend: POST /v1/composites/hangzhou-credit-code/scores (2 steps)" >&2
  run "$backend composite" "$dir/a" /v1/composites/hangzhou-credit-code/scores "$TMP/composite.json" 16
  if [ "$backend" = postgres ]; then
    echo "== postgres: two serve processes on one database, 8 connections each" >&2
    start "$dir" "$db" b
    oha "$dir/b" 8 /v1/scores "$TMP/score.json" 2 > /dev/null  # warm up
    for n in a b; do python3 scripts/bench_http_lib.py snapshot "$dir/$n" > "$TMP/before-$n.json"; done
    oha "$dir/a" 8 /v1/scores "$TMP/score.json" "$SECS" > "$TMP/oha-a.json" & ONE=$!
    oha "$dir/b" 8 /v1/scores "$TMP/score.json" "$SECS" > "$TMP/oha-b.json" & TWO=$!
    wait "$ONE" "$TWO"
    for n in a b; do python3 scripts/bench_http_lib.py snapshot "$dir/$n" > "$TMP/after-$n.json"; done
    python3 scripts/bench_http_lib.py two "$TMP/oha-a.json" "$TMP/oha-b.json" \
      "$TMP/before-a.json" "$TMP/after-a.json" "$TMP/before-b.json" "$TMP/after-b.json" >> "$TMP/rows.jsonl"
    tail -n1 "$TMP/rows.jsonl" | python3 scripts/bench_http_lib.py show
    stop "$dir" b
  fi
  stop "$dir" a
done

python3 scripts/bench_http_lib.py report "$TMP/rows.jsonl" "$TMP/inprocess.txt" "$SECS" > "$OUT"
cat "$OUT"
echo "(written to $OUT)" >&2
