#!/usr/bin/env bash
# Refresh the advisory snapshot (supply-chain/README.md) from a checkout of the
# RustSec advisory database, on a machine that can clone it:
#
#   git clone --depth 1 https://github.com/rustsec/advisory-db /tmp/advisory-db
#   supply-chain/refresh.sh /tmp/advisory-db
#
# Replaces supply-chain/advisory-db/crates/ with the upstream advisories of
# every crates.io package in Cargo.lock, rewrites supply-chain/looked-up.txt
# and sets supply-chain/advisory-db/SNAPSHOT_DATE to today (UTC).
set -euo pipefail

src="${1:?usage: supply-chain/refresh.sh PATH-TO-advisory-db-CHECKOUT}"
[ -d "$src/crates" ] || { echo "refresh.sh: $src/crates not found" >&2; exit 1; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
snap="$root/supply-chain/advisory-db"

cd "$root"
cargo metadata --locked --format-version 1 \
  | python3 -c '
import json, sys
m = json.load(sys.stdin)
names = sorted({p["name"] for p in m["packages"] if (p.get("source") or "").startswith("registry+")})
print("\n".join(names))' > supply-chain/looked-up.txt

rm -rf "$snap/crates"
mkdir -p "$snap/crates"
n=0
while read -r name; do
    [ -d "$src/crates/$name" ] || continue
    mkdir -p "$snap/crates/$name"
    for f in "$src/crates/$name"/RUSTSEC-*.md; do
        case "$(basename "$f")" in RUSTSEC-0000-0000*) continue ;; esac
        cp "$f" "$snap/crates/$name/"
        n=$((n + 1))
    done
    rmdir "$snap/crates/$name" 2>/dev/null || true
done < supply-chain/looked-up.txt
date -u +%F > "$snap/SNAPSHOT_DATE"

rev="$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unknown)"
echo "refresh.sh: $n advisories for $(ls "$snap/crates" | wc -l) crates" \
     "($(wc -l < supply-chain/looked-up.txt) crates looked up) from advisory-db $rev;" \
     "SNAPSHOT_DATE $(cat "$snap/SNAPSHOT_DATE"). Update the source paragraph and" \
     "the tables in supply-chain/README.md." >&2
