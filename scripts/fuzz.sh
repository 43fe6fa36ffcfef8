#!/usr/bin/env bash
# Fuzzing what lockcheck takes from outside (fuzz/): builds the libFuzzer
# targets with clang + ASan + UBSan into ./build-fuzz and runs them.
#
#   scripts/fuzz.sh build                      configure and build every target
#   scripts/fuzz.sh smoke [SECONDS]            every target for SECONDS each (default 60), two at
#                                              a time (LOCKCHECK_FUZZ_PARALLEL): CI's run
#   scripts/fuzz.sh run TARGET SECONDS [JOBS]  one target, longer, on JOBS cores (default 1)
#   scripts/fuzz.sh seeds                      regenerate the generated seeds (normal build)
#   scripts/fuzz.sh list                       the targets
#
# A run starts from fuzz/corpus/<target> and fuzz/regressions/<target> and
# keeps what it learns in build-fuzz/corpus/<target> (not in git). A crash,
# timeout (10 s for one input), leak or out-of-memory (2 GB) is saved in
# build-fuzz/findings/<target>/ and fails the script: fix the bug, then copy
# the file into fuzz/regressions/<target>/, which ctest replays.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOCKCHECK_FUZZ_DIR:-$root/build-fuzz}"
targets=(node_execute resp_command resp_reply scenario results)

# Inputs longer than this are not generated (the seeds fit).
max_len() {
  case "$1" in
    node_execute|scenario) echo 8192 ;;
    results) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

build_targets() {
  "$root/scripts/setup.sh" fuzz
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DLOCKCHECK_FUZZ=ON >/dev/null
  cmake --build "$build" --target fuzz_all -j "${LOCKCHECK_BUILD_JOBS:-2}"
}

# run_target TARGET SECONDS JOBS: prints one summary line; fails on a finding.
run_target() {
  local target="$1" seconds="$2" jobs="$3"
  local corpus="$build/corpus/$target" findings="$build/findings/$target" log="$build/logs/$target.log"
  mkdir -p "$corpus" "$findings" "$build/logs"
  # Only the seed folders git has (an empty one is not kept in a clone).
  local seeds=()
  [ -d "$root/fuzz/corpus/$target" ] && seeds+=("$root/fuzz/corpus/$target")
  [ -d "$root/fuzz/regressions/$target" ] && seeds+=("$root/fuzz/regressions/$target")
  local status=0
  local parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
  (cd "$build/logs" && "$build/fuzz/fuzz_$target" "$corpus" "${seeds[@]}" \
    -dict="$root/fuzz/dict/$target.dict" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len="$(max_len "$target")" -artifact_prefix="$findings/" \
    -print_final_stats=1 "${parallel[@]}" >"$log" 2>&1) || status=$?
  # With JOBS > 1 each worker logs to fuzz-N.log in the log directory.
  local logs=("$log")
  shopt -s nullglob
  logs+=("$build/logs/"fuzz-*.log)
  shopt -u nullglob
  local execs rate
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "${logs[@]}" | awk '{s += $1} END {print s + 0}')
  rate=$(( execs / (seconds > 0 ? seconds : 1) ))
  [ "$jobs" -gt 1 ] && cat "$build/logs/"fuzz-*.log >>"$log" && rm -f "$build/logs/"fuzz-*.log
  local size
  size=$(find "$corpus" -type f | wc -l)
  if [ "$status" -ne 0 ] || [ -n "$(ls -A "$findings")" ]; then
    echo "fuzz: $target FOUND a problem after ${seconds}s (exit $status): see $log and $findings/" >&2
    grep -m 3 -E "ERROR|runtime error|FUZZ_CHECK|MODEL_CHECK|LC_CHECK|terminate" "$log" >&2 || true
    return 1
  fi
  echo "fuzz: $target ${seconds}s on $jobs core(s): $execs runs, ~$rate exec/s, corpus $size inputs, no finding"
}

cmd="${1:-}"
case "$cmd" in
  build)
    build_targets
    ;;
  smoke)
    seconds="${2:-60}"
    build_targets
    # Two targets at a time, one core each: the machine has two, and the
    # smoke run is most of CI's fuzzing budget.
    parallel="${LOCKCHECK_FUZZ_PARALLEL:-2}"
    mkdir -p "$build/logs"
    failed=0
    pids=()
    for target in "${targets[@]}"; do
      run_target "$target" "$seconds" 1 >"$build/logs/smoke-$target.out" 2>&1 &
      pids+=("$!")
      if [ "${#pids[@]}" -ge "$parallel" ]; then
        wait "${pids[0]}" || failed=1
        pids=("${pids[@]:1}")
      fi
    done
    for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
    for target in "${targets[@]}"; do cat "$build/logs/smoke-$target.out"; done
    exit "$failed"
    ;;
  run)
    target="${2:?usage: fuzz.sh run TARGET SECONDS [JOBS]}"
    seconds="${3:?usage: fuzz.sh run TARGET SECONDS [JOBS]}"
    printf '%s\n' "${targets[@]}" | grep -qx "$target" || { echo "fuzz: unknown target $target" >&2; exit 2; }
    build_targets
    run_target "$target" "$seconds" "${4:-1}"
    ;;
  seeds)
    normal="${LOCKCHECK_BUILD_DIR:-$root/build}"
    cmake --build "$normal" --target fuzz_seed_corpus -j "${LOCKCHECK_BUILD_JOBS:-2}"
    rm -f "$root"/fuzz/corpus/node_execute/seed-* "$root"/fuzz/corpus/resp_command/seed-*
    "$normal/fuzz/fuzz_seed_corpus" "$root/fuzz/corpus/node_execute" "$root/fuzz/corpus/resp_command" 150
    ;;
  list)
    printf '%s\n' "${targets[@]}"
    ;;
  *)
    echo "usage: scripts/fuzz.sh build | smoke [SECONDS] | run TARGET SECONDS [JOBS] | seeds | list" >&2
    exit 2
    ;;
esac
