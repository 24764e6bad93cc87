#!/usr/bin/env bash
# Load-test `POST /v1/scores` on ningbo-port with durable audit, over
# loopback with wrk (Debian's `wrk` package), and report requests/s,
# p50/p99 latency and the server's peak resident memory. Then the audit
# bench's in-process audited rate, for the ratio.
#   scripts/bench-http.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-15}
CONNS=${2:-64}
command -v wrk >/dev/null || { echo "bench-http.sh: install Debian's wrk package" >&2; exit 1; }
scripts/build-plugins.sh >/dev/null
cargo build --release -p scorehost -q
B=$PWD/target/release/scorehost
D=$(mktemp -d /tmp/scorehost-bench-http.XXXXXX)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$D"' EXIT
W=target/wasm32-wasip2/plugin/ningbo_port_v1.wasm
SHA=$(sha256sum "$W" | cut -d' ' -f1)
$B --data-dir "$D" plugin publish "$W" --as publisher:ningbo >/dev/null
$B --data-dir "$D" plugin approve ningbo/port@1.0.0 --sha256 "$SHA" >/dev/null
$B --data-dir "$D" plugin pin ningbo/port@1.0.0 --sha256 "$SHA" >/dev/null
TOKEN=$($B --data-dir "$D" token create --role app:bench --models ningbo/port 2>/dev/null)
AUDITOR=$($B --data-dir "$D" token create --role auditor 2>/dev/null)
$B --data-dir "$D" serve --listen 127.0.0.1:0 > "$D/serve.out" 2>"$D/serve.err" &
PID=$!
for _ in $(seq 50); do grep -q listening "$D/serve.out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^scorehost listening on //p' "$D/serve.out")
BODY=$(python3 -c "import json;d=json.load(open('plugins/ningbo-port-v1/samples/example.request.json'));d['model']='ningbo/port';print(json.dumps(json.dumps(d)))")
cat > "$D/post.lua" <<LUA
wrk.method = "POST"
wrk.body = $BODY
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
done = function(summary, latency, requests)
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("p50: %.2f ms  p99: %.2f ms  max: %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("non-2xx: %d  errors: %d\n", summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
echo "== POST /v1/scores, ningbo-port, durable audit, $CONNS connections, ${SECS}s, wrk -t2"
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$D/post.lua" "$URL/v1/scores" | tail -3
[ -n "${QUICK:-}" ] && { curl -s "$URL/metrics" -H "Authorization: Bearer $AUDITOR" | grep -E "^scorehost_score_seconds_bucket"; exit 0; }
echo "server peak RSS: $(grep VmHWM /proc/$PID/status | awk '{print $2/1024 " MiB"}')"
curl -s "$URL/metrics" -H "Authorization: Bearer $AUDITOR" | grep -E '^scorehost_audit_batch_records_(sum|count)'

# Ten models pinned and loaded: the other three examples and six test guests.
MODELS=ningbo/port
for f in hangzhou_qianjiang yiwu_market environment probe_determinism hostile_chatty hostile_panic \
         hostile_broken_whitebox hostile_unknown_grade guest_versioned_v1; do
  W=target/wasm32-wasip2/plugin/$f.wasm
  read -r NAME VERSION < <($B inspect "$W" --json | python3 -c "import json,sys; m=json.load(sys.stdin)['model']; print(m['name'], m['version'])")
  SHA=$(sha256sum "$W" | cut -d' ' -f1)
  $B --data-dir "$D" plugin publish "$W" >/dev/null
  $B --data-dir "$D" plugin approve "$NAME@$VERSION" --sha256 "$SHA" >/dev/null
  $B --data-dir "$D" plugin pin "$NAME@$VERSION" --sha256 "$SHA" >/dev/null
  MODELS="$MODELS,$NAME"
done
ALL=$($B --data-dir "$D" token create --role app:bench10 --models "$MODELS" 2>/dev/null)
sleep 1.2  # the server reads pins again after REGISTRY_CACHE_TTL
for M in ${MODELS//,/ }; do
  # Any request naming the model loads it; the test guests may then refuse it.
  curl -s -o /dev/null -X POST "$URL/v1/scores" -H "Authorization: Bearer $ALL" -H 'Content-Type: application/json' \
    -d "$(python3 -c "import json;d=json.load(open('plugins/ningbo-port-v1/samples/example.request.json'));d['model']='$M';print(json.dumps(d))")"
done
echo "with 10 models pinned and loaded: RSS $(grep VmRSS /proc/$PID/status | awk '{print $2/1024 " MiB"}'), peak $(grep VmHWM /proc/$PID/status | awk '{print $2/1024 " MiB"}')"

echo "== in-process, same machine: the audit bench's audited rate"
SCOREHOST_BENCH_RECORDS=0 cargo bench -q -p scorehost-tests --bench audit 2>/dev/null | grep -E 'durable audited|unaudited evaluations'
