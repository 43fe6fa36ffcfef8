#!/usr/bin/env bash
# `lockcheck clients` end to end: each shipped driver under the fault
# classes whose verdict docs/foreign-clients.md states, each run
# --runs 3 times (a flaky verdict fails the test), plus drivers that break
# the protocol. Usage: clients_test.sh BUILD_DIR
set -uo pipefail
build="$(cd "$1" && pwd)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lc="$build/cli/lockcheck"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
fail=0
runs="${LOCKCHECK_CLIENTS_RUNS:-3}"

# expect NAME EXIT VIOLATED_PROPERTIES(comma list, "" for none) ARGS...
# TIMING_DEPENDENT=comma list (environment, optional): properties whose
# verdict in this cell depends on real-time races (docs/foreign-clients.md
# marks them); they are neither pinned nor counted as flaky. Every other
# property must have the same verdict in every run.
expect() {
  local name="$1" want_exit="$2" want_props="$3"
  shift 3
  local dir="$out/$name"
  local start=$SECONDS
  "$lc" clients --runs "$runs" --report "$dir" "$@" >"$out/$name.log" 2>&1
  local got=$?
  local secs=$((SECONDS - start))
  if [ "$got" != "$want_exit" ]; then
    echo "FAIL $name: exit $got, want $want_exit ($secs s)"
    sed 's/^/    /' "$out/$name.log"
    fail=1
    return
  fi
  if [ "$want_exit" = 0 ] || [ "$want_exit" = 1 ]; then
    # Every run of every class violated exactly want_props: no flaky verdict.
    local got_props
    # progress (nobody held while a client waited longer than a TTL) is a
    # liveness verdict in wall time: on a loaded 2-core machine a starved
    # driver looks the same as a lock that stalls, so it is never pinned
    # here (one CI run saw node-redlock, no faults, leave the lock free for
    # 4 s while a client waited; docs/foreign-clients.md). The safety
    # properties are pinned in every cell.
    got_props=$(python3 - "$dir/results.json" "$runs" "progress,${TIMING_DEPENDENT:-}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); runs = int(sys.argv[2])
timing = set(p for p in sys.argv[3].split(",") if p)
props = []
for c in r["cells"]:
    for p, v in c["properties"].items():
        if p in timing:
            continue
        if v["runs_violated"] not in (0, runs):
            print("FLAKY %s %s %d/%d" % (c["faults"], p, v["runs_violated"], runs)); sys.exit(0)
        if v["runs_violated"]:
            props.append(p)
print(",".join(props))
PY
)
    if [ "$got_props" != "$want_props" ]; then
      echo "FAIL $name: violated '$got_props', want '$want_props' ($secs s)"
      sed 's/^/    /' "$out/$name.log"
      fail=1
      return
    fi
  else
    if [ "$(wc -l <"$out/$name.log")" != 1 ] || ! grep -q "$want_props" "$out/$name.log"; then
      echo "FAIL $name: want one line naming '$want_props', got:"
      sed 's/^/    /' "$out/$name.log"
      fail=1
      return
    fi
  fi
  echo "ok   $name ($secs s for $runs runs)"
}

cpp="$build/drivers/lockcheck-driver"
py="/usr/bin/python3 $root/drivers/python/redis_py_lock.py"

# The C++ driver under none, pause and node_crash is checked against the
# simulator's verdicts, computed, in agreement_test.sh (ctest
# agreement_test); clock_jump is not one of its classes, so its cell stays
# pinned here (the simulator's single / clock_jump cell violates the same).
expect cpp-single-clock-jump 1 "mutex,resource,validity" --driver "$cpp" --name cpp-single --strategy single --faults clock_jump
# A node crash under appendfsync everysec loses the grant's SET: it was
# written a millisecond before the crash, and the AOF fsyncs once a second
# (at 1 s, 2 s, ... after the node started). The race: if an fsync tick
# falls between the SET and the crash (a window of well under 1 ms in
# 1000 ms) the lock survives, and the verdict is persistence always's
# (validity only). The simulator's single/node_crash cell (mutex, resource,
# validity) draws its persistence per seed; this is its everysec share.
# A second race, as under failover: the waiting client is granted only
# after it recovers from the closed connections (100 ms down, then its
# reconnect); with the default 600 ms hold its grant came after the
# holder's last write (no resource violation) in 1 of 3 runs of one CI
# run, so the hold is 900 ms with a write every 100 ms (grants 13-245 ms
# after the grant in 6 of 6 runs, all violating all three). Even so one
# CI set saw one run of 3 without mutex and resource (20 of 21 other runs
# had them; which race that run lost was not found: the fsync tick or a
# starved driver), so only validity is pinned here.
TIMING_DEPENDENT=mutex,resource expect cpp-single-node-crash-everysec 1 "validity" --driver "$cpp" --name cpp-single --strategy single --faults node_crash --persistence everysec --hold-ms 900 --writes 9
# A per-connection drop: the holder's requests still run, their replies
# vanish for 2 x TTL. Its hold (600 ms) ends inside its lease; its release
# times out (the key expires by its TTL) and its next acquire may take the
# lock unseen (a ghost key: progress only, never pinned). Safety holds, as
# the simulator's single/drop (message loss) cell.
expect cpp-single-drop 0 "" --driver "$cpp" --name cpp-single --strategy single --faults drop
# A per-connection delay: each of the holder's requests waits 1 x TTL
# before it runs, for 2 x TTL. Its release lands after its lease ran out,
# when the other client may hold the lock: the compare-and-delete finds
# another token and deletes nothing. Safety holds (3 of 3 in each set
# measured).
expect cpp-single-delay 0 "" --driver "$cpp" --name cpp-single --strategy single --faults delay
# redis-py's Lock: holds without faults and under a holder crash; no
# validity notion, so a pause of the holder past the TTL breaks it.
# More cycles: a crash strikes only while the other client still wants the
# lock, and redis-py's polling acquire can lose the race twice in a row.
expect redis-py-none-crash 0 "" --driver "$py" --name redis-py --faults none,crash --acquires 4
expect redis-py-pause-grant 1 "mutex,resource,validity" --driver "$py" --name redis-py --faults pause-grant
# redis-py's Lock on a primary that fails over right after its grant: the
# lock is lost with the unreplicated SET, as for lockcheck's single. The
# 900 ms hold with a write every 100 ms is agreement_test.sh's for the
# same race: with the default 600 ms hold the holder's last write can come
# before the promoted replica's stale key expires (one CI run: resource in
# 2 of 3); with it, 6 of 6 runs violated all three.
expect redis-py-failover 1 "mutex,resource,validity" --driver "$py" --name redis-py --faults failover --hold-ms 900 --writes 9
# The same driver behind a wrapper process (bash forks python): a pause must
# stop the whole process group, or the client runs on and the check says ok.
expect wrapped-redis-py-pause-grant 1 "mutex,resource,validity" --driver "bash -c '$py; true'" --name wrapped-redis-py --faults pause-grant
# node-redlock on 5 nodes: holds a pause before its validity check, not one
# between its check and its write (as no lock without fencing does).
if [ -d "$root/drivers/node/node_modules/redlock" ] && command -v node >/dev/null; then
  node_drv="node $root/drivers/node/redlock_driver.mjs"
  expect node-redlock-none-pause-grant 0 "" --driver "$node_drv" --name node-redlock --nodes 5 --faults none,pause-grant
  # Whether the other client's first write lands inside the holder's stall
  # (resource) is a race of node-redlock's retry delay (200 ms + jitter)
  # against the pause: 2 of 3 runs in one CI run. validity breaks always.
  TIMING_DEPENDENT=resource expect node-redlock-pause 1 "validity" --driver "$node_drv" --name node-redlock --nodes 5 --faults pause
else
  echo "FAIL node-redlock: drivers/node/node_modules is missing (run scripts/setup.sh)"
  fail=1
fi

# Drivers that break the protocol: one line naming the driver, exit 2.
expect garbage 2 "garbage-driver client-" --driver "/usr/bin/python3 -c \"import os,redis; h,p=os.environ['LOCKCHECK_CONTROL'].split(':'); r=redis.Redis(host=h,port=int(p)); r.execute_command('LOCKCHECK.HELLO', os.environ['LOCKCHECK_CLIENT']); r.execute_command('LOCKCHECK.NONSENSE')\"" --name garbage-driver
expect early-exit 2 "early-driver client-" --driver "/bin/true" --name early-driver
expect hang 2 "hang-driver hung" --driver "/bin/sleep 30" --name hang-driver --timeout-s 2

# Ctrl-C: exit 3, and every driver is gone (killed by its pid).
pidfile="$out/driver.pids"
"$lc" clients --report "$out/interrupt" --name sleeper --timeout-s 60 \
  --driver "/bin/sh -c 'echo \$\$ >> $pidfile; exec sleep 60'" >"$out/interrupt.log" 2>&1 &
lc_pid=$!
for _ in $(seq 100); do [ "$(cat "$pidfile" 2>/dev/null | wc -l)" = 2 ] && break; sleep 0.05; done
started=$(cat "$pidfile" 2>/dev/null | wc -l)
kill -INT "$lc_pid"
wait "$lc_pid"
got=$?
alive=0
for p in $(cat "$pidfile" 2>/dev/null); do kill -0 "$p" 2>/dev/null && alive=1; done
if [ "$started" != 2 ] || [ "$got" != 3 ] || [ "$alive" != 0 ] || ! grep -q interrupted "$out/interrupt.log"; then
  echo "FAIL interrupt: drivers started $started (want 2), exit $got (want 3), drivers alive: $alive"
  sed 's/^/    /' "$out/interrupt.log"
  fail=1
else
  echo "ok   interrupt"
fi

exit $fail
