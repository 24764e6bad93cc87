#!/usr/bin/env bash
# Supply-chain check: `cargo deny check` (advisories, bans, licenses, sources)
# with deny.toml at the repository root, offline, against the advisory
# snapshot committed under supply-chain/advisory-db/ (see supply-chain/README.md).
#
# Installs the pinned cargo-deny if it is missing or another version.
# Exits non-zero if any check fails, or if the snapshot is older than
# deny.toml's [advisories] maximum-db-staleness.
#
#   scripts/deny.sh                 # all four checks
#   scripts/deny.sh advisories      # only some (any of: advisories bans licenses sources)
set -euo pipefail

CARGO_DENY_VERSION=0.20.2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ "$(cargo deny --version 2>/dev/null || true)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
    echo "deny.sh: installing cargo-deny $CARGO_DENY_VERSION (a few minutes, once)" >&2
    cargo install cargo-deny --locked --version "$CARGO_DENY_VERSION"
fi

# cargo-deny opens an advisory database as a git checkout named after its URL
# under [advisories] db-path: <db-path>/advisory-db-<hash of the URL>. The
# snapshot is copied into such a checkout, committed with the snapshot's date
# as the commit date (cargo-deny measures staleness by it), and never fetched
# (--offline). Changing db-urls in deny.toml changes the directory name below.
snapshot="$root/supply-chain/advisory-db"
snapshot_date="$(tr -d '[:space:]' < "$snapshot/SNAPSHOT_DATE")"
export SCOREHOST_ADVISORY_DBS="${SCOREHOST_ADVISORY_DBS:-$root/target/advisory-dbs}"
db="$SCOREHOST_ADVISORY_DBS/advisory-db-3157b0e258782691"
rm -rf "$db"
mkdir -p "$db"
cp -R "$snapshot/." "$db/"
(
    cd "$db"
    export GIT_AUTHOR_NAME=scorehost GIT_AUTHOR_EMAIL=scorehost@localhost
    export GIT_COMMITTER_NAME=scorehost GIT_COMMITTER_EMAIL=scorehost@localhost
    export GIT_AUTHOR_DATE="${snapshot_date}T00:00:00Z" GIT_COMMITTER_DATE="${snapshot_date}T00:00:00Z"
    git init -q -b main .
    git add -A
    git commit -q --no-gpg-sign -m "advisory-db snapshot $snapshot_date"
    # cargo-deny takes the newer of the commit date and .git/HEAD's mtime.
    touch -d "${snapshot_date}T00:00:00Z" .git/HEAD
)

# Crates must be in the local cargo cache for an --offline run; fetching
# them (crates.io only) is the one network access.
cargo fetch --locked --quiet

status=0
cargo deny --offline --locked check "$@" || status=$?
if [ "$status" -ne 0 ]; then
    echo "deny.sh: cargo deny check failed (exit $status); see supply-chain/README.md" >&2
fi
exit "$status"
