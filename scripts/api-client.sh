#!/usr/bin/env bash
# The OpenAPI document is the apps' contract: generate a client from it as a
# new user would (openapi-python-client, from PyPI) and use that client,
# typed, against the real service — score a stored subject and an inline
# request, ask a decision, read the evaluation's record and its proof.
#
#   scripts/api-client.sh                     # builds what it needs
#   SCOREHOST_CLIENT_NO_BUILD=1 scripts/api-client.sh   # scripts/test.sh built it
#
# Fails if the generator skips an operation it should type, if a call's
# answer does not parse into the generated model, or if an answer is wrong
# (scripts/api_client_check.py says which). Needs python3 with venv and
# PyPI: the generator is installed, pinned, into target/api-client-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
GENERATOR_VERSION=0.29.1
VENV=target/api-client-venv

source scripts/demo-lib.sh
pinned_tool "$VENV" openapi-python-client "$GENERATOR_VERSION" openapi-python-client
if [ "${SCOREHOST_CLIENT_NO_BUILD:-0}" != 1 ]; then
  scripts/build-plugins.sh >/dev/null
  cargo build --release -p scorehost -q
fi

B=$PWD/target/release/scorehost
D=$(mktemp -d /tmp/scorehost-api-client.XXXXXX)
PID=
cleanup() {
  status=$?
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [ "$status" = 0 ]; then rm -rf "$D"; else echo "api-client: server log, document and client kept in $D" >&2; fi
}
trap cleanup EXIT

# The demo service: four models pinned, scenarios, a population, tokens.
start_demo "$B" "$D" 60

python3 -c "import sys, urllib.request; open(sys.argv[2], 'wb').write(urllib.request.urlopen(sys.argv[1]).read())" "$URL/openapi.json" "$D/openapi.json"
"$VENV/bin/openapi-python-client" generate --path "$D/openapi.json" --output-path "$D/client" \
  --meta none >"$D/generate.log" 2>&1 || { cat "$D/generate.log" >&2; exit 1; }
echo "api-client: generated $(find "$D/client" -name '*.py' | wc -l) modules from the document"

PYTHONPATH="$D" "$VENV/bin/python" scripts/api_client_check.py "$URL" "$D/serve.out" "$D/generate.log" \
  "$PWD/examples/responses/ningbo-port.json"
echo "api-client: ok"
