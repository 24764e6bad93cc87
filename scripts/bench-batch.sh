#!/usr/bin/env bash
# Issue 6's benchmarks, all in one run on this machine, on one input file:
#   1. a synthetic population of ningbo-port subjects (`scorehost gen`);
#   2. the peer: the same model under Extism, a reused plugin per thread
#      (peer/extism, its own workspace: Extism's wasmtime never enters ours);
#   3. ours (`--bench batch`): the batch pipeline sandboxed with and without
#      the durable audit log, the same pipeline with the model compiled
#      natively, the native floor, and per-subject calls in memory — with
#      the ratios to the floor and to Extism.
# SUBJECTS=1000000 (default) THREADS=2 (default: every core). Not for CI:
# the first build of the Extism bench compiles its wasmtime (~10 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
subjects=${SUBJECTS:-1000000}
threads=${THREADS:-$(nproc)}
scripts/build-plugins.sh >/dev/null
cargo build --release -p scorehost
dir=$(mktemp -d "${TMPDIR:-/tmp}/scorehost-bench-batch.XXXXXX")
trap 'rm -rf "$dir"' EXIT
target/release/scorehost gen --module target/wasm32-wasip2/plugin/ningbo_port_v1.wasm \
  --count "$subjects" --output "$dir/subjects.ndjson" --as-of 2026-11-01
echo "== Extism (peer/extism) =="
peer/extism/run.sh --input "$dir/subjects.ndjson" --threads 1 --fresh 1000 | tee "$dir/extism.txt"
peer/extism/run.sh --input "$dir/subjects.ndjson" --threads "$threads" --fresh 1000 | tee -a "$dir/extism.txt"
echo "== scorehost (--bench batch) =="
SCOREHOST_BENCH_INPUT="$dir/subjects.ndjson" SCOREHOST_EXTISM_RESULT="$dir/extism.txt" \
  cargo bench -p scorehost-tests --bench batch
