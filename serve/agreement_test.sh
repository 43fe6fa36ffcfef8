#!/usr/bin/env bash
# Real time agrees with the simulator: lockcheck's own client (the C++
# driver, LockClient over real sockets) under each fault class of
# `lockcheck clients` must violate exactly the properties the simulator
# finds for the matching fault, computed here (nothing is pinned by hand).
# Each real-time cell runs 3 times; a property violated in some runs only
# is a flaky verdict and fails the test. Usage: agreement_test.sh BUILD_DIR
#
# One line per (strategy, fault class): `agree STRATEGY NODES CLASS SIM
# [ARGS...]`, ARGS going to `lockcheck clients` only, where SIM says what
# the simulator runs for it:
#   - a fault kind (`lockcheck run --strategy S --faults KIND`, 200 seeds of
#     random schedules in the simulator's default world: 3 clients, hold
#     300 ms): the properties violated in any seed. Used where every
#     random schedule of the kind reaches what the targeted real-time fault
#     reaches: no faults, and a pause of the holder (any pause past the TTL
#     between a validity check and a write breaks resource and validity;
#     a lock that checks validity keeps mutex under every pause).
#   - same-shape: the simulator runs the real-time class's own schedule
#     (real_time_schedule() below): the same world as `lockcheck clients`
#     (2 clients, 1 or 5 nodes, TTL 1000 ms, 2 acquires each, hold 600 ms,
#     3 writes, think 50 ms, seed 1), the same target (client-1), the same
#     trigger (its first grant while client-0 waits: a deterministic
#     no-fault run of the same seed finds its time, and the faulted run is
#     the same up to it) and the same fault. Used where the kind is broader
#     and weaker than the class: the simulator's node_crash crashes one
#     random node at a time with a random persistence mode, so on 5 nodes a
#     majority restarting empty under a holder that goes on writing is rare
#     in 200 seeds (its redlock cell finds mutex and validity, not resource),
#     while the real-time class crashes a majority with persistence none
#     right after the grant, every time. Comparing that class with the
#     random kind would compare two different faults; comparing it with the
#     same schedule checks what this test is for: that the simulator and
#     real sockets in real time judge one fault the same way.
# progress is left out on both sides: in real time a driver starved of CPU
# on a loaded machine looks like a stalled lock (clients_test.sh, same rule).
set -uo pipefail
build="$(cd "$1" && pwd)"
lc="$build/cli/lockcheck"
cpp="$build/drivers/lockcheck-driver"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
fail=0
runs=3

# The simulator's violated set for STRATEGY NODES CLASS SIM, comma-joined.
sim_violated() {
  local strategy="$1" nodes="$2" class="$3" sim="$4" dir="$out/sim-$1-$3"
  mkdir -p "$dir"
  if [ "$sim" != same-shape ]; then
    "$lc" run -q --strategy "$strategy" --faults "$sim" --report "$dir" >"$dir/log" 2>&1
    [ $? -le 1 ] || { echo "ERROR lockcheck run: $(tail -1 "$dir/log")"; return; }
    python3 - "$dir/results.json" <<'PY'
import json, sys
cell = json.load(open(sys.argv[1]))["cells"][0]
print(",".join(p for p, v in cell["properties"].items() if v["verdict"] == "violated" and p != "progress"))
PY
    return
  fi
  python3 - "$lc" "$strategy" "$nodes" "$class" "$dir" <<'PY'
import json, re, subprocess, sys
lc, strategy, nodes, klass, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
TARGET, OTHER, TTL_MS, NODE_DOWN_MS = 1, 0, 1000, 100  # serve/check.cc: seed 1 % 2 clients, kNodeDownMs
world = {
    "lockcheck_scenario": 1, "description": "the real-time " + klass + " schedule of lockcheck clients",
    "strategy": strategy, "seed": "0x1", "nodes": nodes, "clients": 2, "ttl_ms": TTL_MS, "duration_ms": 20000,
    "workload": {"acquires_per_client": 2, "hold_ms": 600, "think_ms": 50, "writes_per_hold": 3,
                 "acquire_timeout_ms": 5000},
    "persistence": "none", "faults": [],
}
def replay(scenario, name, verbose):
    path = d + "/" + name + ".json"
    json.dump(scenario, open(path, "w"), indent=1)
    r = subprocess.run([lc, "replay"] + (["-v"] if verbose else []) + [path], capture_output=True, text=True)
    if r.returncode > 1:
        print("ERROR replay " + name + ": " + r.stderr.strip()); sys.exit(0)
    return r.stdout
# The trigger, as serve/check.cc's on_granted: the target's first grant
# while the other client waits for the lock or has acquires left.
events = re.findall(r"^\s*([\d.]+) ms\s+client-(\d) (acquire|granted) session", replay(world, "no-faults", True), re.M)
acquired, waiting = {0: 0, 1: 0}, {0: False, 1: False}
grant_ms = None
for at, c, what in events:
    c = int(c)
    if what == "acquire":
        acquired[c] += 1; waiting[c] = True
    else:
        waiting[c] = False
        if c == TARGET and (waiting[OTHER] or acquired[OTHER] < 2):
            grant_ms = float(at); break
if grant_ms is None:
    print("ERROR the no-fault run has no grant of client-%d" % TARGET); sys.exit(0)
at = int(grant_ms) + 1  # right after the grant, before the holder's first write
def real_time_schedule():
    if klass == "node_crash":  # a majority crashes, back 100 ms later, empty (persistence none)
        return [{"at_ms": at, "kind": "node_crash", "target": "node-%d" % n, "restart_after_ms": NODE_DOWN_MS}
                for n in range(nodes // 2 + 1)]
    print("ERROR no same-shape schedule for class " + klass); sys.exit(0)
world["faults"] = real_time_schedule()
text = replay(world, "same-shape", False)
print(",".join(p for p in re.findall(r"^VIOLATED (\w+):", text, re.M) if p != "progress"))
PY
}

# The real-time violated set (or FLAKY ...), comma-joined.
real_time_violated() {
  local strategy="$1" nodes="$2" class="$3" dir="$out/rt-$1-$3"
  shift 3
  "$lc" clients --driver "$cpp" --name "cpp-$strategy" --strategy "$strategy" --nodes "$nodes" \
    --faults "$class" --persistence none --runs "$runs" --report "$dir" "$@" >"$dir.log" 2>&1
  local got=$?
  if [ "$got" -gt 1 ]; then
    echo "ERROR lockcheck clients exit $got: $(grep -v '^  ' "$dir.log" | tail -1)"
    return
  fi
  python3 - "$dir/results.json" "$runs" <<'PY'
import json, sys
cell = json.load(open(sys.argv[1]))["cells"][0]; runs = int(sys.argv[2])
flaky = ["%s %d/%d" % (p, v["runs_violated"], runs) for p, v in cell["properties"].items()
         if p != "progress" and v["runs_violated"] not in (0, runs)]
if flaky:
    print("FLAKY " + ", ".join(flaky))
else:
    print(",".join(p for p, v in cell["properties"].items() if v["runs_violated"] and p != "progress"))
PY
}

agree() {
  local strategy="$1" nodes="$2" class="$3" sim="$4"
  shift 4
  local start=$SECONDS
  local want got
  want=$(sim_violated "$strategy" "$nodes" "$class" "$sim")
  got=$(real_time_violated "$strategy" "$nodes" "$class" "$@")
  local secs=$((SECONDS - start))
  if [ "$want" != "$got" ] || [[ "$want" == ERROR* ]]; then
    echo "FAIL cpp-$strategy $class: real time '$got', simulator ($sim) '$want' ($secs s)"
    fail=1
  else
    echo "ok   cpp-$strategy $class: '${got:-none violated}' in real time ($runs of $runs runs) and in the simulator ($sim) ($secs s)"
  fi
}

agree single  1 none       none
agree single  1 pause      pause
agree single  1 node_crash same-shape
# Failover: the simulator's random failover kind (a primary with replicas
# behind it promoted under the holder) reaches what the targeted class
# reaches, so the kind is the comparison. In real time each node
# has 1 replica, 500 ms behind (TTL / 2, the simulator's largest lag); the
# failover comes within a millisecond of the grant, so the grant's SET is
# always still on its way and is lost (on a majority of redlock's 5 nodes).
# The promoted replica holds the lock free (the waiting client, back on
# its reset connection within ~30 ms, is granted at once), or the previous
# holder's key, whose DEL had not replicated either: the waiting client is
# granted when that expires, about 380 ms after the failover. The race
# left: with the default 600 ms hold the target's last write (400 ms after
# its grant) came before that expiry in 2 of 10 runs (no resource
# violation). A 900 ms hold with a write every 100 ms puts both the
# target's release and its last write well past it: 18 of 18 single and
# 8 of 8 redlock runs violated all three. (An earlier server closed and
# reopened the listening socket at a failover: a client's handshake racing
# it was dropped unanswered, and the waiting client lost 0.1-0.9 s to
# timeouts; the listener now stays open and only connections close. The
# cause was most likely the drivers' inherited copies of the listening
# sockets, since fixed: DriverProcess.DoesNotInheritTheServersSockets.)
agree single  1 failover   failover --hold-ms 900 --writes 9
agree redlock 5 none       none
agree redlock 5 pause      pause
agree redlock 5 node_crash same-shape
agree redlock 5 failover   failover --hold-ms 900 --writes 9

exit $fail
