#!/usr/bin/env bash
# The safety matrix's verdicts, cell by cell and property by property: the
# default run (200 seeds per cell) compared with baseline/default.json, the
# same baseline scripts/main.sh uses. A changed verdict fails here and must
# be explained; then regenerate the baseline with
#   tests/matrix_test.sh LOCKCHECK --update
# which runs, from the repository root,
#   lockcheck run --write-baseline baseline/default.json
# Usage: matrix_test.sh LOCKCHECK [--update]
set -uo pipefail
lockcheck="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
baseline="$root/baseline/default.json"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ "${2:-}" = "--update" ]; then
  (cd "$root" && "$lockcheck" run -q --report "$work/out" --write-baseline baseline/default.json) >"$work/run.txt" 2>&1
  code=$?
  if [ "$code" -gt 1 ]; then
    echo "FAIL: lockcheck run exited $code"
    tail -20 "$work/run.txt"
    exit 1
  fi
  grep '^baseline' "$work/run.txt"
  exit 0
fi
cd "$work"
"$lockcheck" run -q --report out --expect "$baseline" >run.txt 2>&1
code=$?
if [ "$code" -ne 0 ]; then
  echo "FAIL: lockcheck run --expect exited $code, want 0 (every verdict as the baseline has it)"
  sed -n '/^baseline /,$p' run.txt | head -40
  [ -s run.txt ] || echo "(no output)"
  exit 1
fi
grep '^baseline ' run.txt
# The baseline covers the whole default run, over the same seeds.
if grep -q 'note: ' run.txt; then
  echo "FAIL: the run and the baseline do not cover the same cells and seeds:"
  grep 'note: ' run.txt
  exit 1
fi
# strategy, faults, holds|VIOLATED, read from the matrix's verdict column;
# every cell must have run all 200 seeds.
awk '/^strategy /{on=1; for (i = 1; i <= NF; i++) if ($i == "verdict") col = i; next}
     on && NF>0 && $1 !~ /:$/ && $1 != "baseline" {
       if ($3 != "200") print "FAIL: " $1 " " $2 " ran " $3 " seeds, want 200"
       v = $col; if (v == "HARNESS") v = "HARNESS_FAULT"; print $1, $2, v }' run.txt >actual.txt
if grep -q '^FAIL' actual.txt; then grep '^FAIL' actual.txt; exit 1; fi
# Every broken strategy is caught somewhere, every correct one holds
# without faults (what the baseline must say, whatever else it says).
while read -r name kind _; do
  if [ "$kind" = "BROKEN" ]; then
    grep -q "^$name .* VIOLATED$" actual.txt || { echo "FAIL: broken $name was never caught"; exit 1; }
  else
    grep -q "^$name none holds$" actual.txt || { echo "FAIL: correct $name does not hold without faults"; exit 1; }
  fi
done < <("$lockcheck" list strategies)
echo "$(wc -l <actual.txt) cells as the baseline expects"
