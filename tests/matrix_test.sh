#!/usr/bin/env bash
# The safety matrix's verdicts, cell by cell: which strategy holds under
# which fault class in the default run (200 seeds per cell), compared with
# tests/expected_matrix.txt. A changed verdict fails here and must be
# explained (and the file updated with: tests/matrix_test.sh LOCKCHECK --update).
# Usage: matrix_test.sh LOCKCHECK [--update]
set -uo pipefail
lockcheck="$1"
expected="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/expected_matrix.txt"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$lockcheck" run --seeds 200 --report out -q >run.txt 2>&1
code=$?
if [ "$code" -ne 1 ]; then
  echo "FAIL: lockcheck run exited $code, want 1 (the broken strategies must be caught)"
  tail -20 run.txt
  exit 1
fi
# strategy, faults, holds|VIOLATED, read from the matrix's verdict column
# (a harness fault shows as itself and fails the diff); every cell must
# have run all 200 seeds.
awk '/^strategy /{on=1; for (i = 1; i <= NF; i++) if ($i == "verdict") col = i; next}
     on && NF>0 && $1!="results:" {
       if ($3 != "200") print "FAIL: " $1 " " $2 " ran " $3 " seeds, want 200"
       v = $col; if (v == "HARNESS") v = "HARNESS_FAULT"; print $1, $2, v }' run.txt >actual.txt
if [ "${2:-}" = "--update" ]; then
  cp actual.txt "$expected"
  echo "updated $expected"
  exit 0
fi
if diff -u "$expected" actual.txt; then
  echo "$(wc -l <actual.txt) cells as expected"
else
  echo "FAIL: the matrix's verdicts changed (see the diff above)"
  exit 1
fi
# Every broken strategy is caught somewhere, every correct one holds
# without faults.
while read -r name kind _; do
  if [ "$kind" = "BROKEN" ]; then
    grep -q "^$name .* VIOLATED$" actual.txt || { echo "FAIL: broken $name was never caught"; exit 1; }
  else
    grep -q "^$name none holds$" actual.txt || { echo "FAIL: correct $name does not hold without faults"; exit 1; }
  fi
done < <("$lockcheck" list strategies)
