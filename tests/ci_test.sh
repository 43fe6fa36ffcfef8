#!/usr/bin/env bash
# The CI path of examples/ci/github-actions.yml, run locally on a small
# matrix: the workflow's own shard command (each shard its own report dir)
# and its own merge command (`lockcheck report ... --out lockcheck-report
# --expect BASELINE`), compared with the unsharded run of the same matrix:
# the merged results.json equals the unsharded one apart from wall times,
# and the rendered summary.md, junit.xml and report.html are identical apart
# from times. Then the baseline's verdicts: a regression, an improvement, a
# cell missing from it, a lone shard, and malformed inputs.
# Usage: ci_test.sh LOCKCHECK
set -uo pipefail
lockcheck="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workflow="$root/examples/ci/github-actions.yml"
work="$(mktemp -d)"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
failures=0
passes=0
pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The small matrix the workflow's commands run on here (the workflow runs
# the default one).
matrix=(--strategy single,del-unchecked,fenced --faults none,pause,clock_jump --seeds 24 --shrink-runs 60)

# The workflow's shard command, up to its `|| [ $? -eq 1 ]`, and its merge
# command (backslash-continued lines joined).
shard_cmd=$(grep -o '\./build/cli/lockcheck run [^|]*' "$workflow" | head -1)
merge_cmd=$(awk '/\.\/build\/cli\/lockcheck report /{on=1} on{line = line $0; if ($0 !~ /\\$/) {print line; exit}}' "$workflow" |
            sed 's/\\//g; s/|| code=\$?//; s/^ *//')
[ -n "$shard_cmd" ] && pass || fail "no shard command in $workflow"
[ -n "$merge_cmd" ] && pass || fail "no merge command in $workflow"
grep -q -- '--expect baseline/default.json' <<<"$merge_cmd" && pass || fail "the merge does not compare with the shipped baseline"
shards=$(sed -E 's|.*--shard [^/]*/([0-9]+) .*|\1|' <<<"$shard_cmd")
[ "$shards" = 4 ] && pass || fail "shard command '$shard_cmd' does not split into 4"
for want in 'shard: \[1, 2, 3, 4\]' 'upload-artifact' 'download-artifact' 'GITHUB_STEP_SUMMARY' 'junit.xml' 'report.html'; do
  grep -q "$want" "$workflow" && pass || fail "the workflow lacks $want"
done
# As the workflow's shell runs them, with this build and matrix.
run_workflow_line() {
  local line="${1//.\/build\/cli\/lockcheck/\"\$lockcheck\"}"
  eval "$line"
}

mkdir -p "$work/sharded" "$work/whole"
cd "$work/sharded"
for k in 1 2 3 4; do
  line="${shard_cmd//\$\{\{ matrix.shard \}\}/$k} ${matrix[*]}"
  run_workflow_line "$line" >"shard-$k.txt" 2>&1
  code=$?
  [ "$code" -le 1 ] && pass || { fail "shard $k/4 exited $code"; tail -5 "shard-$k.txt"; }
  [ -f "shard-$k/results.json" ] && pass || fail "shard $k wrote no results.json"
done
# A baseline from the merged shards (the unsharded run is compared with it).
"$lockcheck" report shard-1 shard-2 shard-3 shard-4 --out merged0 --write-baseline ../base.json >merge0.txt 2>&1
code=$?
[ "$code" -eq 1 ] && pass || { fail "report --write-baseline exited $code, want 1 (violations, no baseline)"; tail -5 merge0.txt; }
grep -q '^baseline: ../base.json (9 cells)$' merge0.txt && pass || fail "no baseline written from the merged shards"

cd "$work/whole"
"$lockcheck" run -q "${matrix[@]}" --report lockcheck-report --expect ../base.json --write-baseline ../base-whole.json >run.txt 2>&1
code=$?
[ "$code" -eq 0 ] && pass || { fail "unsharded run against the merged baseline exited $code, want 0"; tail -20 run.txt; }
grep -q '^baseline ../base.json: 9 cells as expected$' run.txt && pass || fail "unsharded run: no 'as expected' line"
diff <(grep '"strategy"' ../base.json) <(grep '"strategy"' ../base-whole.json) >/dev/null && pass ||
  fail "the baseline of the merged shards differs from the unsharded run's"

cd "$work/sharded"
run_workflow_line "${merge_cmd//baseline\/default.json/../base.json}" >merge.txt 2>&1
code=$?
[ "$code" -eq 0 ] && pass || { fail "the workflow's merge exited $code, want 0"; tail -20 merge.txt; }
for f in results.json report.html junit.xml summary.md; do
  [ -s "lockcheck-report/$f" ] && pass || fail "the merge wrote no $f"
done
grep -q '^summary: lockcheck-report/summary.md$' merge.txt && pass || fail "the merge does not say where summary.md is"

# Merged == unsharded, apart from wall times.
m=lockcheck-report
w=../whole/lockcheck-report
diff <(grep -v '"wall_ms"' $m/results.json) <(grep -v '"wall_ms"' $w/results.json) >/dev/null && pass ||
  { fail "merged results.json differs from the unsharded one"; diff <(grep -v wall_ms $m/results.json) <(grep -v wall_ms $w/results.json) | head; }
diff $m/summary.md $w/summary.md >/dev/null && pass || { fail "merged summary.md differs"; diff $m/summary.md $w/summary.md | head; }
untime() { sed -E 's/time="[0-9]+\.[0-9]{3}"/time="T"/g' "$1"; }
diff <(untime $m/junit.xml) <(untime $w/junit.xml) >/dev/null && pass ||
  { fail "merged junit.xml differs apart from times"; diff <(untime $m/junit.xml) <(untime $w/junit.xml) | head; }
unwall() { sed -E 's|(wall time \(cells summed\)</td><td>)[0-9.]+ s|\1T|' "$1"; }
diff <(unwall $m/report.html) <(unwall $w/report.html) >/dev/null && pass ||
  { fail "merged report.html differs apart from wall time"; diff <(unwall $m/report.html) <(unwall $w/report.html) | head; }
diff <(cd $m && ls) <(cd $w && ls) >/dev/null && pass || fail "merged and unsharded report dirs hold different files"
for f in $(cd $w && ls *.json | grep -v '^results.json$'); do cmp -s "$m/$f" "$w/$f" || fail "counterexample $f differs"; done
# The merged directory renders the same again, from results.json alone.
"$lockcheck" report $m --markdown again.md --junit again.xml --expect ../base.json >/dev/null 2>&1
[ $? -eq 0 ] && pass || fail "report of the merged dir exited non-zero"
diff again.md $m/summary.md >/dev/null && pass ||
  { fail "re-rendered summary.md differs"; diff again.md $m/summary.md | head; }
if command -v xmllint >/dev/null 2>&1; then
  xmllint --noout $m/junit.xml && pass || fail "xmllint rejects junit.xml"
  xmllint --html --noout $m/report.html 2>/dev/null && pass || fail "xmllint rejects report.html"
fi

# --- against a baseline: each difference named, exit 1 ---
# single / none: mutex marked violated (it holds: an improvement);
# del-unchecked / pause: owner marked held (it is violated: a regression);
# fenced / pause: dropped (a cell the baseline lacks; not the last line,
# so the JSON stays valid).
sed -E '/"strategy": "single", "faults": "none"/{s/"violated": \[\]/"violated": ["mutex"]/; s/"held": \["mutex",/"held": [/}
        /"strategy": "del-unchecked", "faults": "pause"/{s/"owner",?//; s/"held": \[/"held": ["owner",/; s/,\]/]/}
        /"strategy": "fenced", "faults": "pause"/d' ../base.json >../changed.json
"$lockcheck" report lockcheck-report --expect ../changed.json --out changed >changed.txt 2>&1
code=$?
[ "$code" -eq 1 ] && pass || { fail "report against a changed baseline exited $code, want 1"; cat changed.txt | tail; }
grep -q '^  IMPROVEMENT single / none: mutex violated in the baseline, held now over 24 seeds$' changed.txt && pass || fail "no IMPROVEMENT line"
grep -q '^  REGRESSION del-unchecked / pause: owner held in the baseline, violated now (seed 0x[0-9a-f]*; lockcheck replay changed/del-unchecked-pause-owner.json)$' changed.txt && pass ||
  fail "no REGRESSION line with its replay command"
grep -q '^  NEW fenced / pause: not in the baseline; ' changed.txt && pass || fail "no NEW cell line"
grep -q '^baseline ../changed.json: 3 differences in 9 cells (1 regression, 1 improvement, 1 not in the baseline)$' changed.txt && pass ||
  { fail "wrong difference headline"; grep '^baseline' changed.txt; }
# The regression, the improvement, and the unbaselined cell's violation.
grep -q '<testsuites name="lockcheck" tests="81" failures="3" ' changed/junit.xml && pass ||
  fail "junit.xml does not fail the regression, the improvement and the new cell"
grep -q 'REGRESSION del-unchecked / pause' changed/summary.md && pass || fail "summary.md does not list the regression"

# --- a lone shard or a missing one cannot be compared; nothing is written ---
expect_usage_error() {
  local name="$1"; shift
  "$@" >out.txt 2>err.txt
  local code=$?
  [ "$code" -eq 2 ] && pass || fail "$name: exit $code, want 2"
  [ "$(wc -l <err.txt)" -eq 1 ] && grep -q '^lockcheck: error: ' err.txt && pass || { fail "$name: not one error line"; cat err.txt; }
}
expect_usage_error "three of four shards" "$lockcheck" report shard-1 shard-2 shard-3 --out partial --expect ../base.json
grep -q 'covers shards 1,2,3/4 only' err.txt && pass || fail "the missing shard is not named"
[ -e partial ] && fail "a partial merge wrote its --out dir" || pass
expect_usage_error "run --shard with --expect" "$lockcheck" run --shard 1/2 --seeds 2 --report sx --expect ../base.json
[ -e sx ] && fail "run --shard --expect wrote a report dir" || pass
expect_usage_error "run --shard with --write-baseline" "$lockcheck" run --shard 1/2 --seeds 2 --report sx --write-baseline b.json

# --- malformed inputs: one line, exit 2, nothing written ---
printf '{"lockcheck_baseline": 1, "cells": [' >bad-baseline.json
expect_usage_error "malformed baseline" "$lockcheck" run "${matrix[@]}" --report bb --expect bad-baseline.json
grep -q 'bad-baseline.json: not valid JSON' err.txt && pass || fail "the malformed baseline is not named"
[ -e bb ] && fail "a run with a malformed baseline wrote a report dir" || pass
expect_usage_error "missing baseline" "$lockcheck" report lockcheck-report --expect no-such.json --out nb
[ -e nb ] && fail "report with a missing baseline wrote its --out dir" || pass
cp -r shard-2 tampered
cx=$(ls tampered/*-*.json | head -1)
printf '{"lockcheck_scenario": 1,' >"$cx"
expect_usage_error "malformed counterexample" "$lockcheck" report shard-1 tampered shard-3 shard-4 --out t1 --html t1.html
grep -q "$cx" err.txt && pass || fail "the malformed counterexample is not named"
[ -e t1 ] || [ -e t1.html ] && fail "a malformed counterexample left output behind" || pass
cp shard-2/"$(basename "$cx")" "$cx"
sed -i 's/"trace": "[0-9a-f]*"/"trace": "0000000000000000"/' "$cx"
expect_usage_error "counterexample of another trace" "$lockcheck" report shard-1 tampered shard-3 shard-4 --junit t2.xml
grep -q "is not the trace its results.json names" err.txt && pass || fail "the trace mismatch is not named"
[ -e t2.xml ] && fail "a mismatched counterexample left junit.xml behind" || pass
rm "$cx"
expect_usage_error "missing counterexample" "$lockcheck" report shard-1 tampered shard-3 shard-4 --markdown t3.md
[ -e t3.md ] && fail "a missing counterexample left summary.md behind" || pass
head -c 300 shard-1/results.json >truncated.json
expect_usage_error "truncated results.json" "$lockcheck" report truncated.json --out t4
[ -e t4 ] && fail "a truncated results.json left output behind" || pass
mkdir -p bdir
expect_usage_error "--write-baseline is a directory" "$lockcheck" run "${matrix[@]}" --report bw --write-baseline bdir
[ -e bw ] && fail "a run whose baseline cannot be written ran first" || pass
ls -a lockcheck-report | grep -q '\.tmp$' && fail "temp files left in the report dir" || pass

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
