#!/usr/bin/env bash
# Installs the Debian packages lockcheck needs, only when something is missing.
# Idempotent; works as root or through sudo. Prints nothing when all is there.
# chromium (with a font, as recommends are skipped) renders the HTML report
# headless in tests/html_test.sh.
# `setup.sh fuzz` also installs clang and its libFuzzer runtime (bookworm:
# libclang-rt-14-dev) for scripts/fuzz.sh. node-redlock, pinned in
# drivers/node/package-lock.json, serves both its real-time driver and
# scripts/peers_bench.sh.
set -euo pipefail

packages=(
  cmake ninja-build pkg-config g++
  libgtest-dev googletest librapidcheck-dev libbenchmark-dev
  libhiredis-dev liblua5.1-0-dev redis-server python3-redis
  nlohmann-json3-dev libcli11-dev
  chromium fonts-dejavu-core
  libasio-dev
)
# The node-redlock driver (drivers/node) needs node and npm; a machine that
# has its own node keeps it.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
if [ "${1:-}" = fuzz ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# node-redlock and ioredis at the versions drivers/node/package-lock.json pins.
install_node_driver() {
  if [ ! -d "$root/drivers/node/node_modules/redlock" ]; then
    echo "setup: npm ci in drivers/node (node-redlock, ioredis)" >&2
    (cd "$root/drivers/node" && npm ci --no-audit --no-fund >/dev/null)
  fi
}
if [ ${#missing[@]} -eq 0 ]; then
  install_node_driver
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1; then
  sudo_cmd=(sudo)
else
  echo "setup: missing packages (${missing[*]}) and not root, no sudo" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_node_driver
