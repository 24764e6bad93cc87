#!/usr/bin/env bash
# Build the Extism plugin and the bench, then run the bench; every argument
# is passed to it (--input FILE --threads N --limit N --passes N --fresh N
# --dump FILE). The plugin is given unless --plugin is. Works from any cwd.
#
#   peer/extism/run.sh --input /tmp/peer-input.ndjson --threads 2
#
# Its own cargo workspace and target dir (peer/extism/target): Extism's
# wasmtime never enters the product's build.
set -euo pipefail
caller="$PWD"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="$here/target"

if command -v rustup >/dev/null 2>&1; then
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
fi

cargo build --quiet --profile plugin --target wasm32-unknown-unknown -p extism-ningbo-port
cargo build --quiet --release -p extism-bench

plugin=(--plugin "$CARGO_TARGET_DIR/wasm32-unknown-unknown/plugin/extism_ningbo_port.wasm")
for a in "$@"; do [ "$a" = "--plugin" ] && plugin=(); done
# Relative paths in the arguments are meant from the caller's cwd.
cd "$caller"
exec "$CARGO_TARGET_DIR/release/extism-bench" "${plugin[@]}" "$@"
