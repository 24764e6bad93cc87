#!/usr/bin/env bash
# The service, from nothing: build the example models and the host, then
# `scorehost demo` — a fresh data dir (target/demo-service), the twelve models
# of the README's table of models published, approved and pinned as first
# reviewed, a synthetic population of 3,000 subjects across the five kinds
# imported and scored (the baseline), each model's correction (issue 20)
# published, its impact analysed and printed, and pinned over the old one
# (fenghua/tourism 3.0.0 left waiting for review), benefit scenarios and
# composites defined,
# consents recorded, tokens and curl commands printed — and serve on
# 127.0.0.1:8080 until Ctrl-C.
#   scripts/demo-service.sh [--listen ADDR] [--subjects N]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-plugins.sh
cargo build --release -p scorehost
rm -rf target/demo-service
exec target/release/scorehost --data-dir target/demo-service demo "$@"
