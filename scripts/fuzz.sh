#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo fuzz / libFuzzer) of the request decoder,
# the module publish gate and the audit proof verifiers: fuzz/README.md.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Installs cargo-fuzz if it is missing, builds every target (release,
# instrumented, AddressSanitizer; FUZZ_SANITIZER=none to build without),
# then runs each target for SECONDS_PER_TARGET (default 30) on its committed
# seeds (fuzz/corpus/<target>/) and regressions (fuzz/regressions/<target>/),
# keeping what it finds in fuzz/work/<target>/ (not committed), and prints
# the executions of each (FUZZ_NO_BUILD=1: run what is built). Exits non-zero if any target crashes, leaks, runs
# out of memory or times out; the input is saved in fuzz/artifacts/<target>/.
#
# Only a stable toolchain is needed: cargo fuzz passes nightly-only flags
# (-Zsanitizer, -Cpasses=sancov), which RUSTC_BOOTSTRAP=1 lets stable accept.
# The first build compiles wasmtime with instrumentation into fuzz/target/:
# about 8-10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-30}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(request publish audit)
SANITIZER=${FUZZ_SANITIZER:-address}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
    echo "== building the fuzz targets (sanitizer: $SANITIZER)"
    (cd fuzz && cargo fuzz build -O -s "$SANITIZER")
fi

host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="fuzz/target/$host/release"
# Leaks are reported too (LeakSanitizer; where a container forbids ptrace,
# set ASAN_OPTIONS=detect_leaks=0).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}

failed=()
summary=()
for t in "${TARGETS[@]}"; do
    work="fuzz/work/$t"
    mkdir -p "$work" "fuzz/artifacts/$t"
    dirs=("$work" "fuzz/corpus/$t")
    [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
    opts=(-max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -timeout=60
        -rss_limit_mb=4096 -artifact_prefix="fuzz/artifacts/$t/")
    [ -f "fuzz/dicts/$t.dict" ] && opts+=(-dict="fuzz/dicts/$t.dict")
    log="fuzz/work/$t.log"
    echo "== fuzzing $t for ${SECONDS_PER_TARGET}s (log: $log)"
    status=0
    "$bin_dir/$t" "${opts[@]}" "${dirs[@]}" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    corpus=$(grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -1 || true)
    rate="?"
    if [ -n "${runs:-}" ] && [ -n "${secs:-}" ] && [ "$secs" -gt 0 ]; then
        rate=$((runs / secs))
    fi
    line="$t: ${runs:-?} executions in ${secs:-?} s (${rate} exec/s), ${corpus:-corp: ?}"
    if [ "$status" -ne 0 ]; then
        line="$line — FAILED (exit $status)"
        failed+=("$t")
        echo "---- last lines of $log"
        grep -v '^#[0-9]' "$log" | tail -40
        echo "---- the input is in fuzz/artifacts/$t/"
    fi
    echo "$line"
    summary+=("$line")
done

echo "== fuzzing summary"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
fi
