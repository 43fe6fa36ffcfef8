#!/usr/bin/env bash
# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer, in
# ./build-asan: every test but the real-time checks of foreign clients.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LOCKCHECK_BUILD_DIR="${LOCKCHECK_ASAN_DIR:-$root/build-asan}"
# -O1 -g1: half the compile time of -O2 -g under ASan (measured: 19 s
# against 43 s of CPU for properties/suite_test.cc), still line numbers in
# every report, and the tests run at nearly -O2 speed.
"$root/scripts/build.sh" -DLOCKCHECK_SANITIZE=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1"
# Not the real-time checks of foreign clients (label realtime): their
# verdicts are timed against real clocks, and ASan's slowdown would judge
# the sanitizer, not the lock; the normal build runs them three times.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$LOCKCHECK_BUILD_DIR" --output-on-failure -j 2 -LE realtime "$@"
