#!/usr/bin/env bash
# One uncontended lock cycle (acquire + release, key "peers:lock", TTL 30 s)
# in a loop, side by side against one redis-server this script starts on a
# free loopback port (and stops by its pid on exit, error or not):
#   lockcheck LockClient single    bench/peer_loops single (redis/client.h)
#   lockcheck LockClient watchdog  the same with the watchdog strategy
#   raw hiredis                    bench/peer_loops raw: SET NX PX + EVALSHA
#   redis-py Lock                  bench/peers/redis_py_loop.py (python3-redis)
#   node-redlock                   drivers/node/redlock_loop.mjs (the redlock and
#                                  ioredis that drivers/node/package.json pins
#                                  and scripts/setup.sh installs: the library
#                                  the real-time checks judge)
# Each round runs every peer once, in turn; a peer's figure is the median
# of its rounds (wall-clock cycles per second: a cycle waits on the network
# round trips, so wall time is what it costs a caller). CPU µs per cycle is
# the client process's own CPU time.
# The server and every client run on one CPU (--cpu, default 0, through
# taskset): a round trip is then two context switches on that core, the
# same for every peer. Across cores a wake-up waits on whatever else that
# core runs, and on a shared machine one peer's rounds swung 10x that way.
# --cpu none leaves placement to the scheduler.
#   scripts/peers_bench.sh [--cycles N] [--rounds R] [--cpu N|none]
#   (from the repository root, after scripts/build.sh)
set -euo pipefail

cycles=20000
rounds=5
cpu=0
usage="usage: peers_bench.sh [--cycles N] [--rounds R] [--cpu N|none]"
while [ $# -gt 0 ]; do
  case "$1" in
    --cycles) cycles="${2:-}"; shift 2 ;;
    --rounds) rounds="${2:-}"; shift 2 ;;
    --cpu) cpu="${2:-}"; shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "peers_bench: unknown argument '$1' ($usage)" >&2; exit 2 ;;
  esac
done
if ! [[ "$cycles" =~ ^[1-9][0-9]{0,6}$ && "$rounds" =~ ^[1-9][0-9]?$ ]]; then
  echo "peers_bench: --cycles must be 1..9999999 and --rounds 1..99" >&2
  exit 2
fi
pin=()
if [ "$cpu" != none ]; then
  if ! [[ "$cpu" =~ ^[0-9]{1,3}$ ]] || ! taskset -c "$cpu" true 2>/dev/null; then
    echo "peers_bench: --cpu $cpu is not a CPU this process may run on (or taskset is missing); --cpu none runs unpinned" >&2
    exit 2
  fi
  pin=(taskset -c "$cpu")
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
loops="$root/build/bench/peer_loops"
peers="$root/bench/peers"
node_loop="$root/drivers/node/redlock_loop.mjs"
if [ ! -x "$loops" ]; then
  echo "peers_bench: $loops is missing: run scripts/build.sh first" >&2
  exit 2
fi

# A free port is only free until somebody binds it: the server's own
# process id, read back over the port, proves the benchmark talks to the
# server it started (else another port is tried).
server_pid=""
trap '[ -n "$server_pid" ] && { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }' EXIT
for _attempt in 1 2 3 4 5; do
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "${pin[@]}" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --logfile '' >/dev/null &
  server_pid=$!
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  served_pid="$(redis-cli -h 127.0.0.1 -p "$port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')"
  [ "$served_pid" = "$server_pid" ] && break
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
done
if [ -z "$server_pid" ]; then
  echo "peers_bench: could not start redis-server on a free loopback port (5 tries)" >&2
  exit 1
fi
address="127.0.0.1:$port"

names=("LockClient single" "LockClient watchdog" "raw hiredis" "redis-py Lock" "node-redlock")
commands=(
  "$loops single $address $cycles"
  "$loops watchdog $address $cycles"
  "$loops raw $address $cycles"
  "/usr/bin/python3 $peers/redis_py_loop.py $address $cycles"
  "node $node_loop $address $cycles"
)
skip=()
/usr/bin/python3 -c 'import redis' 2>/dev/null || skip[3]="python3-redis missing: run scripts/setup.sh"
[ -d "$root/drivers/node/node_modules/redlock" ] && command -v node >/dev/null || skip[4]="not installed: run scripts/setup.sh"

declare -A results  # "peer round" -> "cycles_per_s cpu_s"
for ((r = 0; r < rounds; ++r)); do
  for i in "${!names[@]}"; do
    [ -n "${skip[$i]:-}" ] && continue
    out="$("${pin[@]}" ${commands[$i]})"
    results["$i $r"]="$(sed -E 's/cycles_per_s=([0-9.]+) cpu_s=([0-9.]+)/\1 \2/' <<<"$out")"
  done
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A rate cpu_us spread
for i in "${!names[@]}"; do
  [ -n "${skip[$i]:-}" ] && continue
  rate[$i]="$(for ((r = 0; r < rounds; ++r)); do cut -d' ' -f1 <<<"${results["$i $r"]}"; done | median)"
  # The slowest and fastest round: on a busy machine wall-clock rates swing.
  spread[$i]="$(for ((r = 0; r < rounds; ++r)); do cut -d' ' -f1 <<<"${results["$i $r"]}"; done | sort -g |
    awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo, hi }')"
  cpu_us[$i]="$(for ((r = 0; r < rounds; ++r)); do cut -d' ' -f2 <<<"${results["$i $r"]}"; done | median |
    awk -v n="$cycles" '{ printf "%.1f", $1 * 1e6 / n }')"
done

echo "peers benchmark: $cycles cycles x $rounds rounds per peer, redis-server $(redis-server --version | grep -oE 'v=[0-9.]+' | cut -c3-) on $address, cpu ${cpu}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %12s %14s %14s %12s %16s\n' peer cycles/s "rounds range" "cpu us/cycle" "vs raw" "single/peer"
for i in "${!names[@]}"; do
  if [ -n "${skip[$i]:-}" ]; then
    printf '%-22s %s\n' "${names[$i]}" "skipped (${skip[$i]})"
    continue
  fi
  awk -v name="${names[$i]}" -v r="${rate[$i]}" -v s="${spread[$i]}" -v c="${cpu_us[$i]}" -v raw="${rate[2]}" \
    -v single="${rate[0]}" 'BEGIN { printf "%-22s %12.0f %14s %14s %11.2fx %15.2fx\n", name, r, s, c, r / raw, single / r }'
done
