#!/usr/bin/env bash
# Regression scenarios: every tests/scenarios/*.json carries an `expect`
# (verdict, property, trace). `lockcheck replay` checks it itself and exits
# 3 on a mismatch; here the exit code must match the verdict too.
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
[ "$failures" -eq 0 ]
