#!/usr/bin/env bash
# Set up, build, and run every test (unit, property suites, integration
# against a real redis-server, CLI end to end, regression scenarios), then
# the out-of-tree example against an installed lockcheck.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOCKCHECK_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh"
ctest --test-dir "$build" --output-on-failure -j "${LOCKCHECK_TEST_JOBS:-2}" "$@"
"$root/scripts/example_check.sh"
