#!/usr/bin/env bash
# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer, in
# ./build-asan: every test, since the whole suite runs in seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LOCKCHECK_BUILD_DIR="${LOCKCHECK_ASAN_DIR:-$root/build-asan}"
"$root/scripts/build.sh" -DLOCKCHECK_SANITIZE=ON
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$LOCKCHECK_BUILD_DIR" --output-on-failure -j 2 "$@"
