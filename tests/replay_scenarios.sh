#!/usr/bin/env bash
# Regression scenarios: every tests/scenarios/*.json carries an `expect`
# (verdict, property, trace). `lockcheck replay` checks it itself and exits
# 3 on a mismatch; here the exit code must match the verdict too.
# Then replay's own contract: bad input is exit 2 with one line on stderr,
# and a mismatch says exactly which expectation did not reproduce.
# Usage: replay_scenarios.sh LOCKCHECK SCENARIO_DIR
set -uo pipefail
lockcheck="$1"
dir="$2"
failures=0
count=0
for f in "$dir"/*.json; do
  count=$((count + 1))
  want=0
  grep -q '"verdict": "violated"' "$f" && want=1
  out="$("$lockcheck" replay "$f" 2>&1)"
  got=$?
  if [ "$got" -ne "$want" ] || ! grep -q '^reproduced: ' <<<"$out"; then
    echo "FAIL: $f: exit $got, want $want"
    sed 's/^/    /' <<<"$out" | tail -8
    failures=$((failures + 1))
  fi
done
[ "$count" -gt 0 ] || { echo "FAIL: no scenarios in $dir"; exit 1; }
echo "$((count - failures)) of $count scenarios reproduced"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
checks=0
check_failed() { echo "FAIL: $*"; failures=$((failures + 1)); }

# bad NAME MESSAGE JSON: replay exits 2, prints nothing on stdout and one
# line on stderr that contains MESSAGE.
bad() {
  local name="$1" message="$2"
  printf '%s' "$3" >"$work/bad.json"
  "$lockcheck" replay "$work/bad.json" >"$work/out" 2>"$work/err"
  local got=$?
  checks=$((checks + 1))
  if [ "$got" -ne 2 ] || [ -s "$work/out" ] || [ "$(wc -l <"$work/err")" -ne 1 ] || ! grep -qF -- "$message" "$work/err"; then
    check_failed "$name: exit $got, want 2 and one line containing: $message"
    sed 's/^/    /' "$work/out" "$work/err" | head -5
  fi
}
head='"lockcheck_scenario": 1, "strategy": "single", "seed": 1'
bad "unknown expected property" "expect.property: unknown property 'mutx' (known: mutex, " \
  "{$head, \"expect\": {\"verdict\": \"violated\", \"property\": \"mutx\"}}"
bad "unknown property that must hold" "expect.holds[0]: unknown property 'fencng'" \
  "{$head, \"expect\": {\"verdict\": \"holds\", \"holds\": [\"fencng\"]}}"
bad "duplicate key" "ttl_ms: duplicate key" "{$head, \"ttl_ms\": 1000, \"ttl_ms\": 5}"
bad "fault after the run" "faults[0].at_ms: at or after duration_ms (1000): the fault would never fire" \
  "{$head, \"duration_ms\": 1000, \"faults\": [{\"at_ms\": 5000, \"kind\": \"crash\", \"target\": \"client-0\"}]}"
bad "number overflow" "bad.json: number overflow parsing '1e999'" "{$head, \"ttl_ms\": 1e999}"
bad "too big to run" "clients x acquires_per_client is 640000 lock cycles, more than the 50000" \
  "{$head, \"clients\": 64, \"duration_ms\": 86400000, \"workload\": {\"acquires_per_client\": 10000}}"
bad "no stray leading dot" "bad.json: nodes: must be in [1, 15]" "{$head, \"nodes\": 0}"
bad "control characters escaped" "strategy: unknown strategy 'a\\nb\\x00'" \
  '{"lockcheck_scenario": 1, "strategy": "a\nb\u0000", "seed": 1}'
# A file name with a newline: still one line.
printf '{' >"$work/two
lines.json"
"$lockcheck" replay "$work/two
lines.json" >"$work/out" 2>"$work/err"
got=$?
checks=$((checks + 1))
if [ "$got" -ne 2 ] || [ "$(wc -l <"$work/err")" -ne 1 ] || ! grep -qF 'two\nlines.json: not valid JSON' "$work/err"; then
  check_failed "file name with a newline: exit $got"; cat "$work/err"
fi

# mismatch NAME SED-EXPRESSION LINE: the regression scenario
# single-gc-pause-stale-write.json (resource and validity violated) with its
# expect edited replays to exit 3 and exactly one MISMATCH line, LINE.
mismatch() {
  local name="$1" line="$3"
  sed "$2" "$dir/single-gc-pause-stale-write.json" >"$work/mismatch.json"
  "$lockcheck" replay "$work/mismatch.json" >"$work/out" 2>"$work/err"
  local got=$?
  checks=$((checks + 1))
  if [ "$got" -ne 3 ] || [ "$(grep -c '^MISMATCH' "$work/out")" -ne 1 ] || ! grep -qxF -- "$line" "$work/out"; then
    check_failed "$name: exit $got, want 3 and the one mismatch: $line"
    sed 's/^/    /' "$work/out" | tail -4
  fi
}
trace="$(sed -n 's/.*"trace": "\([0-9a-f]*\)".*/\1/p' "$dir/single-gc-pause-stale-write.json")"
mismatch "a holds entry" 's/"property": "resource",/"property": "resource", "holds": ["mutex", "validity"],/' \
  "MISMATCH: the scenario expects validity to hold (expect.holds); got it violated"
mismatch "the property" 's/"property": "resource"/"property": "mutex"/' \
  "MISMATCH: the scenario expects mutex violated; got it held (violated: resource, validity)"
mismatch "the verdict" 's/"verdict": "violated",/"verdict": "holds",/; s/"property": "resource",//' \
  "MISMATCH: the scenario expects every property to hold; got violated resource, validity"
mismatch "the trace" 's/"trace": "[0-9a-f]*"/"trace": "0000000000000000"/' \
  "MISMATCH: the scenario expects TRACE=0000000000000000; got TRACE=$trace"
# A trace recorded by another trace format is not compared (the event order
# differs by design); the verdicts still are, and replay says so.
sed 's/"lockcheck_scenario": 1,/"lockcheck_scenario": 1, "trace_format": 2,/; s/"trace": "[0-9a-f]*"/"trace": "0000000000000000"/' \
  "$dir/single-gc-pause-stale-write.json" >"$work/format.json"
"$lockcheck" replay "$work/format.json" >"$work/out" 2>"$work/err"
got=$?
checks=$((checks + 1))
if [ "$got" -ne 1 ] || grep -q '^MISMATCH' "$work/out" || ! grep -q '^reproduced: violated resource' "$work/out" ||
  ! grep -qF "TRACE not compared: the file's trace is trace_format 2, this build's is trace_format 1" "$work/out"; then
  check_failed "another trace_format: exit $got, want 1, the verdict reproduced and the trace not compared"
  sed 's/^/    /' "$work/out" | tail -4
fi
bad "trace_format out of range" "trace_format: must be in [1, 1000]" "{$head, \"trace_format\": 0}"
echo "$checks replay input checks run"

[ "$failures" -eq 0 ]
