#!/usr/bin/env bash
# Build the four example models and the host, then inspect each model and
# score its sample request, printing the white box.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-plugins.sh
cargo build --release -p scorehost
bin=target/release/scorehost
for model in ningbo-port hangzhou-qianjiang yiwu-market environment; do
  module="target/wasm32-wasip2/plugin/${model//-/_}.wasm"
  echo
  echo "=================== $model ==================="
  "$bin" inspect "$module"
  echo
  "$bin" score --module "$module" --input "examples/requests/$model.json"
done
