#!/usr/bin/env bash
# Fuzz the HTTP API with schemathesis, from its own OpenAPI document, as
# every role: the real binary, `scorehost demo` on a fresh data dir and a
# free port (four models pinned, a synthetic population, tokens), then
# schemathesis against /openapi.json once per caller — no token, auditor,
# app:demo, publisher:ningbo, province, and an unknown token — and a
# summary: requests sent per role and the 5xx answers (there must be none).
#
#   scripts/api-fuzz.sh                          # bounded: well under 5 min on 2 cores
#   SCOREHOST_FUZZ_EXAMPLES=300 scripts/api-fuzz.sh   # a longer run
#   SCOREHOST_FUZZ_SEED=123 scripts/api-fuzz.sh  # replay a run (the seed is printed)
#   SCOREHOST_FUZZ_PHASES=examples,coverage,fuzzing scripts/api-fuzz.sh   # without chains
#   SCOREHOST_FUZZ_NO_BUILD=1 scripts/api-fuzz.sh   # the binary and components are built
#
# Phases: examples, coverage, fuzzing and stateful. The stateful phase
# follows the document's links (an evaluation's `evaluation_id`, answered by
# POST /v1/scores and POST /v1/decisions, is the id of its record, proof and
# replay), so chains of calls are tried, not only single ones. (It once
# exposed the audit writer keeping pooled connections it had read through,
# until the pool was gone and every request got 503; fixed, with
# tests/tests/stuck.rs.)
#
# Checks (every answer is checked against the document):
#   no_server_error_but_documented_waits
#                                 no 5xx but the documented waits: 503 with
#                                 Retry-After and `not_checkpointed` (a proof
#                                 asked for before the next checkpoint, which
#                                 the stateful phase does at once) or
#                                 `overloaded` (scripts/api-fuzz-hooks.py)
#   status_code_conformance       the status is one the operation documents
#   content_type_conformance      the Content-Type is the documented one
#   response_headers_conformance  documented headers (Retry-After) are right
#   response_schema_conformance   the body matches the documented schema
# Not run: negative_data_rejection and positive_data_acceptance (the
# document types parameters as strings and bodies as JSON objects; the
# service's own rules — model names, semver, ISO dates, SEQ-HASH record ids
# — are stricter, so schema-valid input is rightly refused 400 and the
# fuzzer's "invalid" input is sometimes valid); ignored_auth and the other
# stateful security checks (they send requests with made-up tokens from the
# same address as the valid roles, which then trip the bad-token throttle;
# tests/tests/auth.rs and tests/tests/api.rs test authentication and every
# role on every route directly). The unknown-token role runs last: after
# five failures the throttle answers 429 `too_many_failures` with
# Retry-After, which the document lists and the checks accept.
#
# Needs python3 (with venv) and PyPI: schemathesis is installed, pinned, into
# target/api-fuzz-venv on the first run and reused afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${SCOREHOST_FUZZ_EXAMPLES:-25}
PHASES=${SCOREHOST_FUZZ_PHASES:-examples,coverage,fuzzing,stateful}
SEED=${SCOREHOST_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
VENV=target/api-fuzz-venv

source scripts/demo-lib.sh
pinned_tool "$VENV" schemathesis "$SCHEMATHESIS_VERSION" schemathesis
if [ "${SCOREHOST_FUZZ_NO_BUILD:-0}" != 1 ]; then   # scripts/test.sh has built both
  scripts/build-plugins.sh >/dev/null
  cargo build --release -p scorehost -q
fi

B=$PWD/target/release/scorehost
# The CLI acts for the province only as a named person (issue 23).
export SCOREHOST_AS="${SCOREHOST_AS:-province:Operator}"
D=$(mktemp -d /tmp/scorehost-api-fuzz.XXXXXX)
PID=
cleanup() {
  status=$?
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [ "$status" = 0 ]; then rm -rf "$D"; else echo "api-fuzz: server log and reports kept in $D" >&2; fi
}
trap cleanup EXIT

# The demo service: models published, approved and pinned, 300 subjects.
start_demo "$B" "$D" 300
token() { sed -n "s/^ *$1=\(sht_[0-9a-f]*\).*/\1/p" "$D/serve.out"; }
APP=$(token APP)
AUDITOR=$(token AUDITOR)
PROVINCE=$(token PROVINCE)
PUBLISHER=$($B --data-dir "$D/data" token create --role publisher:ningbo --label api-fuzz 2>/dev/null)
UNKNOWN=sht_$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
echo "api-fuzz: $URL, schemathesis $SCHEMATHESIS_VERSION, phases $PHASES, $EXAMPLES examples per operation, seed $SEED"

# role name, then the Authorization header value ('' for none)
ROLES=(
  "none|"
  "auditor|Bearer $AUDITOR"
  "app:demo|Bearer $APP"
  "publisher:ningbo|Bearer $PUBLISHER"
  "province|Bearer $PROVINCE"
  "unknown-token|Bearer $UNKNOWN"
)
failed=0
summary=""
total_5xx=0
for entry in "${ROLES[@]}"; do
  role=${entry%%|*}
  auth=${entry#*|}
  har="$D/$(echo "$role" | tr ':' '-').har"
  headers=()
  [ -n "$auth" ] && headers=(-H "Authorization: $auth")
  echo "api-fuzz: --- $role ---"
  fuzz_role() {
    rc=0
    # A role's run is bounded (10 min) even if the service stops answering.
    SCHEMATHESIS_HOOKS=api-fuzz-hooks PYTHONPATH=scripts timeout 600 \
      "$VENV/bin/schemathesis" run "$URL/openapi.json" "${headers[@]}" \
        --checks no_server_error_but_documented_waits,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
        --max-examples "$EXAMPLES" --seed "$1" --workers 2 --phases "$PHASES" \
        --generation-with-security-parameters false --generation-database none \
        --request-timeout 30 --no-color --output-truncate true \
        --report har --report-har-path "$har" >"$D/$role.log" 2>&1 || rc=$?
  }
  fuzz_role "$SEED"
  # CPython 3.11 (Debian 12's) can raise "SystemError: AST constructor
  # recursion depth mismatch" inside Hypothesis while it describes one of
  # its own strategies: the fuzzer failing, not the service. A run whose
  # only errors are that one, with no failed check, is made again with the
  # next seed, up to three times (CI once saw it twice in a row on one
  # role); a failed check or any other error stands.
  attempt=0
  while [ "$rc" != 0 ] && [ "$attempt" -lt 3 ] && ! grep -q "FAILURES" "$D/$role.log" \
    && grep -q "AST constructor recursion depth mismatch" "$D/$role.log" \
    && [ "$(grep -c '^Runtime Error' "$D/$role.log")" = "$(grep -c 'SystemError: AST constructor recursion depth mismatch' "$D/$role.log")" ]; do
    attempt=$((attempt + 1))
    echo "api-fuzz: $role: the fuzzer itself raised CPython's AST SystemError; again with seed $((SEED + attempt))"
    fuzz_role "$((SEED + attempt))"
  done
  # Requests sent and 5xx answers, from the run's HAR record.
  read -r sent server_errors < <(python3 - "$har" <<'PY'
import json, sys
try:
    entries = json.load(open(sys.argv[1]))["log"]["entries"]
except (OSError, ValueError, KeyError):
    entries = []
def wait(e):
    r = e["response"]
    headers = [h["name"] for h in r.get("headers", [])]
    body = r.get("content", {}).get("text", "")
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    return (r["status"] == 503 and any(h.lower() == "retry-after" for h in headers)
            and code in ("not_checkpointed", "overloaded"))
print(len(entries), sum(1 for e in entries if e["response"]["status"] >= 500 and not wait(e)))
PY
)
  total_5xx=$((total_5xx + server_errors))
  if [ "$rc" != 0 ]; then
    failed=1
    sed -n '/FAILURES\|ERRORS/,$p' "$D/$role.log" | head -150
  fi
  tail -n 1 "$D/$role.log"
  summary+=$(printf '\n  %-18s %6s requests  %3s 5xx  %s' "$role" "$sent" "$server_errors" "$([ "$rc" = 0 ] && echo ok || echo FAILED)")
done
echo "api-fuzz: summary (seed $SEED, $EXAMPLES examples per operation):$summary"
echo "api-fuzz: 5xx answers: $total_5xx"
[ "$failed" = 0 ] && [ "$total_5xx" = 0 ] || { echo "api-fuzz: FAILED" >&2; exit 1; }
echo "api-fuzz: ok"
