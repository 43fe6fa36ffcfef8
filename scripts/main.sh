#!/usr/bin/env bash
# The main job: set up, build, and run the default property suite in
# simulation (every strategy x every fault class), printing the safety
# matrix. Exit code is lockcheck's: 1 means violations were found (the
# broken strategies are expected to be caught), 0 all held, 2/3 errors.
# Extra arguments go to `lockcheck run`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
exec "${LOCKCHECK_BUILD_DIR:-$root/build}/cli/lockcheck" run "$@"
