#!/usr/bin/env bash
# `lockcheck clients --report DIR` read by `lockcheck report` and `replay`:
# one real-time run of the C++ driver (single, client pause: resource and
# validity break) into a directory, then the report of it, of it merged
# with a copy (as if run on a second machine) and with a simulated run,
# the counterexample re-judged by replay, and the pages as headless
# chromium renders them. Usage: clients_report_test.sh BUILD_DIR. The
# chromium part is skipped (the rest still counts) when none is installed.
set -uo pipefail
build="$(cd "$1" && pwd)"
lc="$build/cli/lockcheck"
work="$(mktemp -d)"
browsers=()
cleanup() {
  for pid in "${browsers[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
passes=0
pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cd "$work"

# --- the run: exit 1, results.json version 3 with a real-time cell ---
"$lc" clients --driver "$build/drivers/lockcheck-driver" --name cpp --strategy single --faults pause --runs 1 \
  --report a >clients.log 2>&1
rc=$?
[ "$rc" -eq 1 ] && pass || { fail "clients: exit $rc, want 1"; cat clients.log; }
python3 - a/results.json <<'PY' >check.txt 2>&1 && pass || { fail "results.json:"; cat check.txt; }
import json, sys
r = json.load(open(sys.argv[1]))
assert r["lockcheck_results"] == 3, r["lockcheck_results"]
c, = r["cells"]
assert c["mode"] == "real-time" and c["strategy"] == "cpp/single" and c["faults"] == "pause", c
assert c["runs"] == 1 and len(c["runs_wall_ms"]) == 1, c
violated = sorted(p for p, v in c["properties"].items() if v["runs_violated"])
assert violated == ["resource", "validity"], violated
assert c["properties"]["resource"]["counterexample"]["file"] == "cpp_single-pause-resource.json", c
PY
for f in cpp_single-pause-resource.json cpp_single-pause-resource.html cpp_single-pause-validity.json \
  report.html junit.xml summary.md; do
  [ -s "a/$f" ] && pass || fail "clients left no a/$f"
done

# --- report of it, and of it with a copy: runs add up ---
"$lc" report a --out one >one.log 2>&1
rc=$?
[ "$rc" -eq 1 ] && pass || { fail "report a: exit $rc, want 1"; cat one.log; }
grep -Eq "^cpp/single \(real time\) +pause +1 " one.log && pass || { fail "report a: no real-time row"; cat one.log; }
grep -q "VIOLATED resource run 1, validity run 1" one.log && pass || { fail "report a: verdict"; cat one.log; }
cmp -s a/results.json one/results.json && pass || fail "report a rewrote results.json differently"
grep -q 'REAL TIME: cpp' one/junit.xml && pass || fail "junit.xml does not say real time"
cp -r a b
"$lc" report a b --out two >two.log 2>&1
rc=$?
[ "$rc" -eq 1 ] && pass || { fail "report a b: exit $rc, want 1"; cat two.log; }
python3 -c '
import json, sys
c, = json.load(open("two/results.json"))["cells"]
assert c["runs"] == 2 and c["properties"]["resource"]["runs_violated"] == 2, c
' && pass || fail "merged results.json does not count 2 runs"

# --- mixed with a simulated run: both rows, the real-time one labelled ---
"$lc" run --strategy single --faults none --seeds 3 --report sim -q >sim.log 2>&1
"$lc" report sim a --out mixed >mixed.log 2>&1
rc=$?
[ "$rc" -eq 1 ] && pass || { fail "report sim a: exit $rc, want 1"; cat mixed.log; }
grep -q "^single  " mixed.log && grep -q "^cpp/single (real time)" mixed.log && pass || { fail "mixed rows"; cat mixed.log; }

# --- replay: not a replay; the record re-judged ---
"$lc" replay one/cpp_single-pause-resource.json >replay.log 2>replay.err
rc=$?
[ "$rc" -eq 1 ] && pass || { fail "replay: exit $rc, want 1"; cat replay.log replay.err; }
head -1 replay.log | grep -q "^a real-time counterexample: its schedule can be re-run with: lockcheck clients --driver .* --faults pause .*; the interleaving is not reproduced$" &&
  pass || { fail "replay's first line"; cat replay.log; }
grep -q "^VIOLATED resource: " replay.log && grep -q "^reproduced from the record: violated resource$" replay.log && pass ||
  { fail "replay verdicts"; cat replay.log; }
"$lc" replay one/cpp_single-pause-resource.json -v --html replayed.html >replay-v.log 2>&1
rc=$?
[ "$rc" -eq 1 ] && grep -q "client-0 acquire session" replay-v.log && grep -q "not the exact interleaving" replayed.html &&
  pass || { fail "replay -v --html: exit $rc"; cat replay-v.log; }
# A file whose record was tampered with is bad input: one line, exit 2.
python3 -c '
import json
j = json.load(open("one/cpp_single-pause-resource.json"))
j["history"]["events"].reverse()
json.dump(j, open("tampered.json", "w"))
'
"$lc" replay tampered.json >t.log 2>t.err
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <t.err)" -eq 1 ] && grep -q "before the event above it" t.err && pass ||
  { fail "replay of a tampered file: exit $rc"; cat t.err; }

if ! command -v chromium >/dev/null 2>&1; then
  echo "SKIP: chromium is not installed (scripts/setup.sh installs it); $passes checks passed, $failures failed"
  [ "$failures" -eq 0 ] && exit 77 || exit 1
fi
chromium_run() {
  local page="$1" out="$2" err="$3"
  shift 3
  setsid timeout -k 5 90 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
    --user-data-dir="$work/profile" --enable-logging=stderr --v=0 "$@" "file://$work/$page" >"$out" 2>"$err" &
  local pid=$!
  browsers+=("$pid")
  wait "$pid"
  local rc=$?
  kill -KILL -- "-$pid" 2>/dev/null
  return $rc
}
chromium_run mixed/report.html matrix.dom matrix.log --dump-dom || fail "chromium on report.html failed"
grep -q '<td class="strategy real-time" rowspan="1">cpp/single (real time)</td>' matrix.dom && pass ||
  fail "report.html: no real-time row"
grep -q 'href="cpp_single-pause-resource.html"' matrix.dom && pass || fail "report.html: no link to the timeline page"
chromium_run mixed/cpp_single-pause-resource.html cx.dom cx.log --dump-dom || fail "chromium on the page failed"
grep -q '<html lang="en" data-script="ok">' cx.dom && pass || fail "page: its script did not finish"
grep -q 'Uncaught' cx.log && { fail "page: script error:"; grep 'Uncaught' cx.log; } || pass
grep -q '<svg xmlns="http://www.w3.org/2000/svg" class="timeline"' cx.dom && pass || fail "page: no timeline svg"
for lane in client-0 client-1 node-0; do
  grep -q "class=\"lane [a-z]*-lane\" data-lane=\"$lane\"" cx.dom && pass || fail "page: no lane $lane"
done
grep -Eq '<g class="violation" data-property="([a-z]+ )*resource( [a-z]+)*"' cx.dom && pass || fail "page: no resource marker"
grep -q 'not the exact interleaving' cx.dom && pass || fail "page: no real-time note"
grep -q 'class="ev pause pause-pause" data-kind="pause"' cx.dom && pass || fail "page: the SIGSTOP pause is not shaded"
grep -q 'class="faults schedule"' cx.dom && pass || fail "page: no schedule"

echo "$passes checks passed, $failures failed"
[ "$failures" -eq 0 ]
