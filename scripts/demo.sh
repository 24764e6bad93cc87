#!/usr/bin/env bash
# Build the bundled models and the host, then inspect each model and score
# its sample request, printing the white box. Each model is published twice:
# the version first reviewed (a frozen crate, plugins/NAME-vN) is pinned and
# scores its own sample, then its correction (issue 20: what the source
# says) is pinned over it and scores the current example — the registry
# keeps both and the history. fenghua/tourism also keeps 1.0.0 (three grades).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-plugins.sh
cargo build --release -p scorehost
bin=target/release/scorehost
# A fresh data dir with an embedded SQLite registry: publish each version as
# its city's or sector's publisher, approve and pin it as the province, then
# score its sample request by name.
data=${SCOREHOST_DEMO_DIR:-target/demo-data}
# The CLI acts for the province only as a named person; two distinct
# persons approve each version (four eyes), neither of them its publisher.
export SCOREHOST_AS="province:Demo Reviewer Zhang"
rm -rf "$data"
for entry in ningbo-port-v1:ningbo ningbo-port:ningbo hangzhou-qianjiang-v2:hangzhou hangzhou-qianjiang:hangzhou \
    yiwu-market-v1:yiwu yiwu-market:yiwu environment-v1:zhejiang environment:zhejiang \
    taizhou-finance-v1:taizhou taizhou-finance:taizhou quzhou-longyou-v1:quzhou quzhou-longyou:quzhou \
    fenghua-tourism-v1:fenghua fenghua-tourism-v2:fenghua fenghua-tourism:fenghua \
    science-integrity-v1:science science-integrity:science mining-v1:mining mining:mining \
    travel-agency-v1:tourism travel-agency:tourism market-supervision-v1:amr market-supervision:amr \
    credit-code-v1:zhejiang credit-code:zhejiang; do
  model=${entry%%:*}; ns=${entry##*:}
  module="target/wasm32-wasip2/plugin/${model//-/_}.wasm"
  echo
  echo "=================== $model ==================="
  "$bin" inspect "$module"
  echo
  out=$("$bin" --data-dir "$data" plugin publish "$module" --as "publisher:$ns")
  echo "$out"
  # The last line reads: next: scorehost plugin approve REF --sha256 SHA …
  read -r ref sha < <(awk '/^next:/ {print $5, $7}' <<<"$out")
  "$bin" --data-dir "$data" plugin approve "$ref" --sha256 "$sha"
  "$bin" --data-dir "$data" plugin approve "$ref" --sha256 "$sha" --as "province:Demo Reviewer Li"
  "$bin" --data-dir "$data" plugin pin "$ref" --sha256 "$sha"
  echo
  # A frozen version scores its own sample; a live one the current example.
  input="plugins/$model/samples/example.request.json"
  [ -f "$input" ] || input="examples/requests/$model.json"
  "$bin" --data-dir "$data" score --input "$input"
done
echo
"$bin" --data-dir "$data" plugin list
echo
"$bin" --data-dir "$data" audit verify
