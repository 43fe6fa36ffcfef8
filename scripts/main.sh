#!/usr/bin/env bash
# The main job: set up, build, run the default property suite in simulation
# (every strategy x every fault class) and compare every cell's
# per-property verdicts with the shipped baseline, baseline/default.json.
# Exit 0 when all match: each correct strategy holds where it should and
# each broken one is caught where it should be. Exit 1 when a verdict
# differs (each regression, improvement or cell missing from the baseline is
# listed), 2 bad usage, 3 harness fault. Prints the matrix and where
# results.json, report.html, junit.xml and summary.md are.
# After an intended change of verdicts, regenerate the baseline (from the
# repository root; `tests/matrix_test.sh ./build/cli/lockcheck --update`
# does the same):
#   ./build/cli/lockcheck run --write-baseline baseline/default.json
# Extra arguments go to `lockcheck run`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
exec "${LOCKCHECK_BUILD_DIR:-$root/build}/cli/lockcheck" run --expect "$root/baseline/default.json" "$@"
