# Sourced by scripts/api-fuzz.sh and scripts/api-client.sh: what both need
# to test the real service from outside.

# pinned_tool VENV PACKAGE VERSION COMMAND: install PACKAGE==VERSION into the
# virtualenv VENV unless its COMMAND already reports that version.
pinned_tool() {
  if [ "$("$1/bin/$4" --version 2>/dev/null | grep -o '[0-9][0-9.]*$')" != "$3" ]; then
    echo "installing $2 $3 into $1" >&2
    python3 -m venv "$1"
    "$1/bin/pip" install -q "$2==$3"
  fi
}

# start_demo BINARY DIR SUBJECTS: `scorehost demo` on a fresh data dir in DIR
# and a free port (models published, approved and pinned, scenarios,
# SUBJECTS synthetic subjects, tokens printed to DIR/serve.out); sets PID
# and URL once it listens.
start_demo() {
  "$1" --data-dir "$2/data" demo --listen 127.0.0.1:0 --subjects "$3" >"$2/serve.out" 2>"$2/serve.err" &
  PID=$!
  for _ in $(seq 600); do grep -q '^scorehost listening on' "$2/serve.out" 2>/dev/null && break; sleep 0.1; done
  URL=$(sed -n 's/^scorehost listening on //p' "$2/serve.out")
  [ -n "$URL" ] || { cat "$2/serve.err" >&2; echo "the demo service did not start" >&2; return 1; }
}
