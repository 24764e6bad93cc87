#!/usr/bin/env bash
# Build every plugin (plugins/*) and every test guest (tests/guests/*) as a
# WebAssembly component, into target/wasm32-wasip2/plugin/<name>.wasm.
# Also builds ningbo-port-v1 as a plain core module for wasm32-unknown-unknown,
# which the tests use to check that non-components are refused.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v rustup >/dev/null 2>&1; then
  installed=$(rustup target list --installed)
  for t in wasm32-wasip2 wasm32-unknown-unknown; do
    grep -qx "$t" <<<"$installed" || rustup target add "$t"
  done
fi

pkgs=()
for manifest in plugins/*/Cargo.toml tests/guests/*/Cargo.toml; do
  name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -n1)
  [ "$name" = "guest-common" ] && continue
  pkgs+=(-p "$name")
done

cargo build --profile plugin --target wasm32-wasip2 "${pkgs[@]}"
cargo build --profile plugin --target wasm32-unknown-unknown -p ningbo-port-v1
echo "components: target/wasm32-wasip2/plugin/*.wasm"
