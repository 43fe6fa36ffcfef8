#!/usr/bin/env bash
# Installs what is missing, then configures and builds lockcheck into ./build
# (or $LOCKCHECK_BUILD_DIR). Extra arguments go to cmake's configure step.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOCKCHECK_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
# LOCKCHECK_CMAKE_ARGS: more configure arguments (CI sets warnings as errors).
read -r -a env_args <<<"${LOCKCHECK_CMAKE_ARGS:-}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${env_args[@]}" "$@" >/dev/null
# Two cores here: more parallel compiles than that only thrash.
cmake --build "$build" -j "${LOCKCHECK_BUILD_JOBS:-2}"
