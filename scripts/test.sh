#!/usr/bin/env bash
# The whole test suite: build the components, then run every test of the
# workspace (unit, domain tests natively and in the sandbox, parity,
# hostile guests, the CLI end to end). Release mode: the sandbox compiles
# components with Cranelift, which is slow unoptimised, and the release
# build is shared with the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-plugins.sh
# `cargo test` does not rebuild another package's binary; the CLI tests run it.
cargo build --release -p scorehost
export SCOREHOST_REQUIRE_SANDBOX=1
cargo test --workspace --release "$@"
