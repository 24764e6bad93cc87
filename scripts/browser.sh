#!/usr/bin/env bash
# What the console's browser tests (tests/tests/console.rs) need: Debian's
# Chromium and ChromeDriver and a Chinese font for the screenshots
# (WenQuanYi Micro Hei; installed when missing, as root), and axe-core,
# the accessibility checker the tests inject into each page, fetched once
# from the npm registry into target/axe/, pinned by version and SHA-256.
# Prints the path of axe.min.js.
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.14.1
AXE_TARBALL_SHA256=e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] \
  || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >&2
  else
    echo "the console's browser tests need Debian's chromium, chromium-driver and fonts-wqy-microhei" >&2
    exit 1
  fi
fi
dir=target/axe
if [ ! -f "$dir/axe.min.js" ] || [ "$(cat "$dir/version" 2>/dev/null)" != "$AXE_VERSION" ]; then
  mkdir -p "$dir"
  tgz="$dir/axe-core-$AXE_VERSION.tgz"
  curl -fsSL --retry 3 -o "$tgz" "https://registry.npmjs.org/axe-core/-/axe-core-$AXE_VERSION.tgz"
  echo "$AXE_TARBALL_SHA256  $tgz" | sha256sum -c --quiet - >&2
  tar -xzf "$tgz" -C "$dir" package/axe.min.js package/LICENSE
  mv "$dir/package/axe.min.js" "$dir/axe.min.js"
  mv "$dir/package/LICENSE" "$dir/LICENSE"
  rmdir "$dir/package"
  rm -f "$tgz"
  echo "$AXE_VERSION" > "$dir/version"
fi
echo "$PWD/$dir/axe.min.js"
