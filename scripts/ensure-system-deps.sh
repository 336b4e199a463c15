#!/usr/bin/env bash
# System tools the tests use, from Debian's packages. Installed when running as root with apt-get;
# otherwise this stops with the exact command to run. Never a silent skip.
set -euo pipefail

# command-to-check:debian-package
needs=(
  "/usr/bin/chromium:chromium"
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:fonts-noto-cjk"
  "/usr/bin/pdftotext:poppler-utils"
  "/usr/sbin/clamd:clamav-daemon"
  "/usr/bin/clamscan:clamav"
  "/usr/bin/swift-proxy-server:swift-proxy"
  "/usr/bin/swift-account-server:swift-account"
  "/usr/bin/swift-container-server:swift-container"
  "/usr/bin/swift-object-server:swift-object"
  "/usr/bin/swift-ring-builder:swift"
  "/usr/bin/memcached:memcached"
)
missing=()
for need in "${needs[@]}"; do
  path=${need%%:*}; package=${need##*:}
  [ -e "$path" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing test dependencies: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "The tests need these Debian packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
