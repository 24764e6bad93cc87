#!/usr/bin/env bash
# The console's vendored front-end files (host/console/assets/vendor/), as
# cargo deny checks the crates: each file's SHA-256 is the one pinned in
# VENDOR.toml, its licence is one deny.toml allows, and its licence text is
# committed beside it. With --fetch, also that each file is byte for byte the
# one in its package's tarball on the npm registry (the tarball's SHA-256
# pinned too). Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - "${1:-}" <<'PY'
import hashlib, io, sys, tarfile, tomllib, urllib.request
from pathlib import Path

vendor = Path("host/console/assets/vendor")
manifest = tomllib.loads((vendor / "VENDOR.toml").read_text())
allowed = set(tomllib.loads(Path("deny.toml").read_text())["licenses"]["allow"])
fetch = sys.argv[1] == "--fetch"
listed = set()
failed = []
for a in manifest["asset"]:
    f = vendor / a["file"]
    before = len(failed)
    listed.update([a["file"], a["license_file"]])
    digest = hashlib.sha256(f.read_bytes()).hexdigest()
    if digest != a["sha256"]:
        failed.append(f"{f}: SHA-256 {digest}, VENDOR.toml pins {a['sha256']}")
    if a["license"] not in allowed:
        failed.append(f"{f}: licence {a['license']} is not allowed by deny.toml")
    if not (vendor / a["license_file"]).is_file():
        failed.append(f"{f}: its licence text {a['license_file']} is missing")
    if fetch:
        data = urllib.request.urlopen(a["tarball"], timeout=60).read()
        if hashlib.sha256(data).hexdigest() != a["tarball_sha256"]:
            failed.append(f"{a['tarball']}: not the pinned tarball")
        else:
            with tarfile.open(fileobj=io.BytesIO(data)) as t:
                inner = t.extractfile(a["path_in_package"]).read()
            if inner != f.read_bytes():
                failed.append(f"{f}: differs from {a['path_in_package']} in {a['tarball']}")
    if len(failed) == before:
        print(f"vendor: {a['package']} {a['version']} ({a['license']}) {a['file']} ok")
unlisted = [p.name for p in vendor.iterdir() if p.name not in listed | {"VENDOR.toml"}]
if unlisted:
    failed.append(f"files in {vendor} that VENDOR.toml does not pin: {unlisted}")
if failed:
    print("\n".join(failed), file=sys.stderr)
    sys.exit(1)
PY
