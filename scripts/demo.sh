#!/usr/bin/env bash
# Build the bundled models and the host, then inspect each model and score
# its sample request, printing the white box. fenghua/tourism is published
# twice: 1.0.0 (three grades) is pinned and scores its sample, then 2.0.0
# (five grades) is pinned over it — the registry keeps both and the history.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-plugins.sh
cargo build --release -p scorehost
bin=target/release/scorehost
# A fresh data dir with an embedded SQLite registry: publish each model as
# its city's or sector's publisher, approve and pin it as the province, then
# score its sample request by name.
data=${SCOREHOST_DEMO_DIR:-target/demo-data}
rm -rf "$data"
for entry in ningbo-port:ningbo hangzhou-qianjiang:hangzhou yiwu-market:yiwu environment:zhejiang \
    taizhou-finance:taizhou quzhou-longyou:quzhou fenghua-tourism-v1:fenghua fenghua-tourism:fenghua \
    science-integrity:science mining:mining travel-agency:tourism market-supervision:amr credit-code:zhejiang; do
  model=${entry%%:*}; ns=${entry##*:}
  module="target/wasm32-wasip2/plugin/${model//-/_}.wasm"
  echo
  echo "=================== $model ==================="
  "$bin" inspect "$module"
  echo
  out=$("$bin" --data-dir "$data" plugin publish "$module" --as "publisher:$ns")
  echo "$out"
  # The last line reads: next: scorehost plugin approve REF --sha256 SHA
  read -r ref sha < <(awk '/^next:/ {print $5, $7}' <<<"$out")
  "$bin" --data-dir "$data" plugin approve "$ref" --sha256 "$sha"
  "$bin" --data-dir "$data" plugin pin "$ref" --sha256 "$sha"
  echo
  "$bin" --data-dir "$data" score --input "examples/requests/$model.json"
done
echo
"$bin" --data-dir "$data" plugin list
echo
"$bin" --data-dir "$data" audit verify
