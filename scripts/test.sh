#!/usr/bin/env bash
# The whole test suite: build the components and the binary, start a
# throwaway PostgreSQL server (installing it if needed), then run every test
# of the workspace: unit tests, each model's domain tests natively and in the
# sandbox, native/sandbox parity, the hostile guests, the registry on SQLite
# and on PostgreSQL, the CLI end to end.
# Release mode: the sandbox compiles components with Cranelift, slow when
# unoptimised, and the release build is shared with the benchmarks.
# SCOREHOST_SKIP_POSTGRES=1 runs the registry tests on SQLite only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-plugins.sh
# The HTTPS test serves TLS with OpenSSL's own s_server and a CA it makes.
if ! command -v openssl >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl
  else
    echo "the tests need openssl (apt-get install openssl)" >&2
    exit 1
  fi
fi
# The governance test signs modules with OpenSSH's own ssh-keygen -Y sign.
if ! command -v ssh-keygen >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-client
  else
    echo "the tests need ssh-keygen (apt-get install openssh-client)" >&2
    exit 1
  fi
fi
# The console's tests drive Debian's Chromium (installed when missing) and
# check each page with axe-core (fetched once, pinned by hash).
SCOREHOST_AXE_JS=$(scripts/browser.sh)
export SCOREHOST_AXE_JS SCOREHOST_REQUIRE_BROWSER=1
# `cargo test` does not rebuild another package's binary; the CLI tests run it.
cargo build --release -p scorehost
export SCOREHOST_REQUIRE_SANDBOX=1
# The disk-full test mounts a small tmpfs, which needs root; as root (CI)
# it must run, elsewhere it says it is skipped.
if [ "$(id -u)" = 0 ]; then export SCOREHOST_REQUIRE_FAULTS=1; fi
if [ "${SCOREHOST_SKIP_POSTGRES:-0}" != 1 ]; then
  if [ -z "${SCOREHOST_TEST_POSTGRES_URL:-}" ]; then
    SCOREHOST_TEST_POSTGRES_URL=$(scripts/postgres.sh start)
    export SCOREHOST_TEST_POSTGRES_URL
    trap 'scripts/postgres.sh stop' EXIT
  fi
  export SCOREHOST_REQUIRE_POSTGRES=1
fi
cargo test --workspace --release "$@"
# The API under attack: schemathesis against /openapi.json of a running
# demo service, as every role, no 5xx, every answer as documented (first
# run: installs a pinned schemathesis from PyPI into target/api-fuzz-venv);
# then the document as the apps' contract: a client generated from it with
# openapi-python-client scores, decides and reads records, typed.
if [ $# -eq 0 ]; then
  SCOREHOST_FUZZ_NO_BUILD=1 scripts/api-fuzz.sh
  SCOREHOST_CLIENT_NO_BUILD=1 scripts/api-client.sh
fi
