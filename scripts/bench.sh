#!/usr/bin/env bash
# Every speed figure of issue 12 in one run, each beside its goal:
#   1. the simulator on one core (bench/sim_bench, CPU time): simulated
#      Redis commands/s, speed-up over real time and heap allocations per
#      simulated command, for the default `single` scenario and `redlock`;
#   2. scaling: the default matrix (`lockcheck run -q`) with --jobs 1 and
#      --jobs 2, wall time;
#   3. the real client (scripts/peers_bench.sh): LockClient's uncontended
#      cycle against raw hiredis, redis-py Lock and node-redlock, and the
#      watchdog's cycle against single's.
# Rates move with the machine's load (printed first); run it on a quiet
# machine to compare with the goals.
#   scripts/bench.sh [--min-time S] [--seeds N] [--cycles N] [--rounds R]
#   (from the repository root, after scripts/build.sh)
set -euo pipefail

min_time=2   # seconds per sim_bench benchmark
seeds=200    # per cell of the scaling run (the default matrix's own)
cycles=20000 # per peers_bench round (shorter rounds swing: 3000 cycles gave 0.86x of raw where 20000 give 0.98x)
rounds=5
usage="usage: bench.sh [--min-time S] [--seeds N] [--cycles N] [--rounds R]"
while [ $# -gt 0 ]; do
  case "$1" in
    --min-time) min_time="${2:-}"; shift 2 ;;
    --seeds) seeds="${2:-}"; shift 2 ;;
    --cycles) cycles="${2:-}"; shift 2 ;;
    --rounds) rounds="${2:-}"; shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "bench: unknown argument '$1' ($usage)" >&2; exit 2 ;;
  esac
done
if ! [[ "$min_time" =~ ^[0-9]{1,3}(\.[0-9]{1,3})?$ && "$seeds" =~ ^[1-9][0-9]{0,4}$ ]]; then
  echo "bench: --min-time must be seconds (e.g. 2 or 0.5) and --seeds 1..99999" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOCKCHECK_BUILD_DIR:-$root/build}"
for bin in "$build/bench/sim_bench" "$build/cli/lockcheck" "$build/bench/peer_loops"; do
  if [ ! -x "$bin" ]; then
    echo "bench: $bin is missing: run scripts/build.sh first (with Google Benchmark installed)" >&2
    exit 2
  fi
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "lockcheck benchmarks: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'no git')"

# 1. The simulator, one core.
cpu=()
taskset -c 0 true 2>/dev/null && cpu=(taskset -c 0)
"${cpu[@]}" "$build/bench/sim_bench" --benchmark_min_time="$min_time" \
  --benchmark_filter='BM_(Default|Redlock)ScenarioSimulateAndCheck' \
  --benchmark_format=json >"$work/sim.json" 2>/dev/null

# 2. Scaling. The exit code of `run` says whether broken strategies were
# caught (1 is expected: the matrix has broken strategies); only the time
# matters here, and a crash (>= 2) stops the benchmark.
scale() {
  local jobs="$1" start end
  start=$(date +%s%N)
  "$build/cli/lockcheck" run -q --seeds "$seeds" --jobs "$jobs" --report "$work/jobs$jobs" >/dev/null || [ $? -eq 1 ]
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
jobs1_ms="$(scale 1)"
jobs2_ms="$(scale 2)"

# 3. The real client.
"$root/scripts/peers_bench.sh" --cycles "$cycles" --rounds "$rounds" >"$work/peers.txt"

python3 - "$work/sim.json" "$jobs1_ms" "$jobs2_ms" "$work/peers.txt" "$seeds" <<'PY'
import json, sys

sim = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
jobs1_ms, jobs2_ms, seeds = int(sys.argv[2]), int(sys.argv[3]), sys.argv[5]
peers = {}
for line in open(sys.argv[4]):
    for name in ("LockClient single", "LockClient watchdog", "raw hiredis", "redis-py Lock", "node-redlock"):
        if line.startswith(name) and "skipped" not in line:
            peers[name] = float(line[len(name):].split()[0])

rows = []
def row(what, value, goal, higher_is_better=True, fmt="{:,.0f}"):
    if value is None:
        rows.append((what, "skipped", fmt.format(goal), "")); return
    met = value >= goal if higher_is_better else value <= goal
    off = goal / value if higher_is_better else value / goal  # how far from the goal, as a factor
    rows.append((what, fmt.format(value), fmt.format(goal), "met" if met else "missed by %.2fx" % off))
def flush():
    for w in rows: print("%-40s %14s   goal %-10s %s" % w)
    rows.clear()

s, r = sim["BM_DefaultScenarioSimulateAndCheck"], sim["BM_RedlockScenarioSimulateAndCheck"]
print("\nsimulator, one core, CPU time (bench/sim_bench, judged by every property)")
row("  single: simulated commands/s", s["commands_per_s"], 1_000_000)
row("  redlock: simulated commands/s", r["commands_per_s"], 800_000)
row("  single: speed-up over real time", s["x_real_time"], 20_000, fmt="{:,.0f}x")
row("  single: heap allocations/command", s["allocs_per_command"], 3, False, "{:.2f}")
row("  redlock: heap allocations/command", r["allocs_per_command"], 3, False, "{:.2f}")
flush()
print("\nscaling: the default matrix, %s seeds per cell, wall time" % seeds)
print("  --jobs 1: %.1f s, --jobs 2: %.1f s" % (jobs1_ms / 1000, jobs2_ms / 1000))
row("  --jobs 2 over --jobs 1", jobs1_ms / jobs2_ms, 1.8, fmt="{:.2f}x")
flush()
print("\nreal client, uncontended cycles/s, median round (scripts/peers_bench.sh)")
single = peers.get("LockClient single")
ratio = lambda a, b: (a / b) if (a and b) else None
row("  LockClient single / raw hiredis", ratio(single, peers.get("raw hiredis")), 0.95, fmt="{:.2f}x")
row("  LockClient single / redis-py Lock", ratio(single, peers.get("redis-py Lock")), 2, fmt="{:.2f}x")
row("  LockClient single / node-redlock", ratio(single, peers.get("node-redlock")), 2, fmt="{:.2f}x")
row("  watchdog cycle time / single's", ratio(single, peers.get("LockClient watchdog")), 1.5, False, "{:.2f}x")
flush()
PY
echo
sed 's/^/  /' "$work/peers.txt"
