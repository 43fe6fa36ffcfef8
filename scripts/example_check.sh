#!/usr/bin/env bash
# The out-of-tree example against an installed lockcheck: installs the
# build (./build or $LOCKCHECK_BUILD_DIR, built already) to a temporary
# prefix, configures and builds examples/your-lock against that prefix only
# (CMAKE_PREFIX_PATH; the source and build trees are not on its paths), runs
# its tests, builds a program against lockcheck-lock.pc, and removes the
# prefix. Prints how long the example took to
# configure and build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOCKCHECK_BUILD_DIR:-$root/build}"
work="$(mktemp -d "${TMPDIR:-/tmp}/lockcheck-example.XXXXXX")"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

cmake --install "$build" --prefix "$prefix" >/dev/null
# The example sees the installed package only: a copy of its sources away
# from the repository, so no relative path can reach the source tree.
cp -r "$root/examples/your-lock" "$work/src"
start=$(date +%s)
cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >/dev/null
cmake --build "$work/build" -j "${LOCKCHECK_BUILD_JOBS:-2}" >/dev/null
echo "example: configured and built against $prefix in $(( $(date +%s) - start )) s"
# Nothing of the source or build tree on the example's compile lines.
if grep -q -e "$root/" -e "$build" "$work/build/build.ninja"; then
  echo "example: FAIL: its build names the lockcheck source or build tree" >&2
  exit 1
fi
(cd "$work/build" && ctest --output-on-failure)
"$work/build/your-lockcheck" list strategies | grep -q "^get-del  *BROKEN" || {
  echo "example: FAIL: your-lockcheck does not list get-del" >&2
  exit 1
}
# The lock core through pkg-config alone (no CMake).
printf '#include "impl/lock.h"\nint main() { return lockcheck::find_strategy("single") ? 0 : 1; }\n' >"$work/pc.cc"
# shellcheck disable=SC2046 # word splitting of the flags is intended
c++ "$work/pc.cc" -o "$work/pc" $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs lockcheck-lock)
"$work/pc" || { echo "example: FAIL: a lockcheck-lock pkg-config build does not find 'single'" >&2; exit 1; }
echo "example: passed"
