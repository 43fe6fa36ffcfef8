#!/usr/bin/env bash
# End-to-end tests of the `lockcheck` command: exit codes, counterexample
# files, replay reproducing the TRACE, one-line errors. Usage: cli_test.sh LOCKCHECK
set -uo pipefail
lockcheck="$1"
scen="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/scenarios"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
passes=0

pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_exit CODE NAME -- command...
expect_exit() {
  local want="$1" name="$2"; shift 3
  "$@" >"$work/.stdout" 2>"$work/.stderr"
  local got=$?
  if [ "$got" -eq "$want" ]; then pass; else
    fail "$name: exit $got, want $want"; sed 's/^/    /' "$work/.stdout" "$work/.stderr" | tail -20
  fi
}

# One clear line on stderr, nothing on stdout, exit 2.
expect_usage_error() {
  local name="$1"; shift
  expect_exit 2 "$name" -- "$@"
  if [ "$(wc -l <"$work/.stderr")" -ne 1 ]; then fail "$name: stderr is not one line:"; cat "$work/.stderr"; else pass; fi
  grep -q "^lockcheck: error: " "$work/.stderr" && pass || fail "$name: no 'lockcheck: error:' prefix"
}

cd "$work"

# --- the broken strategy is caught, and the counterexample replays ---
expect_exit 1 "del-unchecked under pauses" -- "$lockcheck" run --strategy del-unchecked --faults pause --seeds 200 --report out -q
grep -q "VIOLATED.*owner" "$work/.stdout" && pass || fail "run does not name owner"
grep -q '^SEED=0x' "$work/.stdout" && pass || fail "no SEED= line"
cx="out/del-unchecked-pause-owner.json"
[ -f "$cx" ] && pass || fail "no counterexample file $cx"
[ -f out/results.json ] && pass || fail "no results.json"
for f in report.html junit.xml summary.md; do
  [ -s "out/$f" ] && pass || fail "run wrote no $f"
done
grep -q '^html:    out/report.html$' "$work/.stdout" && grep -q '^junit:   out/junit.xml$' "$work/.stdout" &&
  grep -q '^summary: out/summary.md$' "$work/.stdout" && pass || fail "run does not say where report.html, junit.xml, summary.md are"
grep -q "replay: lockcheck replay $cx" "$work/.stdout" && pass || fail "no replay command printed"
# Each counterexample has its timeline page beside it, and report.html
# links to it.
page="out/del-unchecked-pause-owner.html"
grep -q '<svg' "$page" 2>/dev/null && grep -q 'data-property="owner"' "$page" && pass ||
  fail "no timeline page $page with the owner violation"
grep -q 'href="del-unchecked-pause-owner.html"' out/report.html && pass || fail "report.html does not link $page"
trace_run=$(awk -v f="$cx" '/^TRACE=/{t=$0} index($0, "replay " f){print t}' "$work/.stdout")
expect_exit 1 "replay of the counterexample" -- "$lockcheck" replay "$cx"
trace_replay=$(grep '^TRACE=' "$work/.stdout")
[ -n "$trace_run" ] && [ "$trace_run" = "$trace_replay" ] && pass || fail "replay TRACE '$trace_replay' != run TRACE '$trace_run'"
grep -q "VIOLATED owner" "$work/.stdout" && pass || fail "replay does not name owner"
grep -q "reproduced: violated owner" "$work/.stdout" && pass || fail "replay did not check the expectation"
ls out/*.tmp >/dev/null 2>&1 && fail "temp files left in the report dir" || pass

# A replay whose expectation no longer matches is a harness fault (3).
sed 's/"trace": "[0-9a-f]*"/"trace": "0000000000000000"/' "$cx" >tampered.json
expect_exit 3 "replay with a wrong expected trace" -- "$lockcheck" replay tampered.json

# A property the file says must hold, violated: also a harness fault (3).
sed 's/"holds": \[/"holds": [ "validity",/' "$scen/fenced-gc-pause-rejected.json" >wrong-holds.json
expect_exit 3 "replay whose expect.holds is violated" -- "$lockcheck" replay wrong-holds.json
grep -q "MISMATCH: the scenario expects validity to hold" "$work/.stdout" && pass || fail "no holds mismatch message"

# --- the correct strategy holds without faults, breaks under long pauses ---
expect_exit 0 "single without faults" -- "$lockcheck" run --strategy single --faults none --seeds 500 --report out2 -q
grep -Eq "^single +none +500 +ok .* holds$" "$work/.stdout" && pass || fail "matrix does not say single/none holds over 500 seeds"
expect_exit 1 "single under pauses" -- "$lockcheck" run --strategy single --faults pause --seeds 500 --report out3 -q
grep -q "VIOLATED.*resource" "$work/.stdout" && pass || fail "single under pauses does not name resource"

# --- every "ok" is earned over every seed: single under clock jumps breaks
# mutex first at seed 0x2 and resource only at 0x18; both are reported,
# each with its own lowest seed and counterexample ---
expect_exit 1 "single under clock jumps" -- "$lockcheck" run --strategy single --faults clock_jump --seeds 30 --shrink-runs 30 --report ok1 -q
grep -Eq "^single +clock_jump +30 +VIOLATED +VIOLATED .*VIOLATED mutex 0x2, resource 0x18, validity 0x2$" "$work/.stdout" && pass ||
  fail "the matrix does not report resource's own lowest seed 0x18"
grep -q "resource: violated on [0-9]* of 30 seeds, lowest 0x18" "$work/.stdout" && pass || fail "no resource violation line"
[ -f ok1/single-clock_jump-resource.json ] && pass || fail "no resource counterexample"
expect_exit 1 "replay of the later property's counterexample" -- "$lockcheck" replay ok1/single-clock_jump-resource.json
grep -q "reproduced: violated resource" "$work/.stdout" && pass || fail "resource counterexample did not reproduce"

# --- determinism: every seed twice, counted ---
expect_exit 1 "determinism check" -- "$lockcheck" run --strategy single --faults pause --seeds 50 --check-determinism --report out4 -q
grep -q "HARNESS FAULT" "$work/.stdout" && fail "nondeterminism reported" || pass
grep -qx "determinism: 50 seeds checked twice, all identical" "$work/.stdout" && pass || fail "no determinism count for 50 seeds"
expect_exit 1 "determinism check over four cells" -- "$lockcheck" run --strategy single,del-unchecked --faults none,pause --seeds 20 --check-determinism --report out4b -q
grep -qx "determinism: 80 seeds checked twice, all identical" "$work/.stdout" && pass || fail "four cells of 20 seeds are not 80 checked twice"
expect_exit 0 "no determinism line unasked" -- "$lockcheck" run --strategy single --faults none --seeds 5 --report out4c -q
grep -q "^determinism:" "$work/.stdout" && fail "determinism line without --check-determinism" || pass

# --- --seed S --seeds N runs N seeds from S; --seed S alone runs S ---
expect_exit 0 "--seed with --seeds" -- "$lockcheck" run --strategy single --faults none --seed 5 --seeds 200 --report sd1 -q
grep -Eq "^single +none +200 " "$work/.stdout" && pass || fail "--seed 5 --seeds 200 did not run 200 seeds"
grep -q '"first_seed": "0x5"' sd1/results.json && grep -q '"seeds_run": 200' sd1/results.json && pass ||
  fail "results.json does not say 200 seeds from 0x5"
expect_exit 0 "--seed alone" -- "$lockcheck" run --strategy single --faults none --seed 5 --report sd2 -q
grep -Eq "^single +none +1 " "$work/.stdout" && pass || fail "--seed 5 alone did not run exactly one seed"
"$lockcheck" run --strategy single --faults all --seed 0x77 --report out5 -q >a.txt 2>&1
"$lockcheck" run --strategy single --faults all --seed 0x77 --report out6 -q >b.txt 2>&1
diff <(grep TRACE= a.txt) <(grep TRACE= b.txt) >/dev/null && pass || fail "two processes, same seed, different TRACE"

# --- failover: single loses the unreplicated lock; the counterexample replays ---
expect_exit 1 "single under failover" -- "$lockcheck" run --strategy single --faults failover --properties mutex --seeds 200 --check-determinism --report out7 -q
grep -q "^single / failover: VIOLATED mutex" "$work/.stdout" && pass || fail "single under failover does not name mutex first"
grep -q "HARNESS FAULT" "$work/.stdout" && fail "nondeterminism reported under failover" || pass
grep -q '"replicas"' out7/single-failover-mutex.json && pass || fail "failover counterexample has no replicas"
expect_exit 1 "replay of the failover counterexample" -- "$lockcheck" replay out7/single-failover-mutex.json
grep -q "reproduced: violated mutex" "$work/.stdout" && pass || fail "failover replay did not reproduce"
"$lockcheck" list faults | grep -q "^failover " && pass || fail "list faults lacks failover"

# --- bad input: one line, exit 2, nothing written ---
expect_usage_error "unknown strategy" "$lockcheck" run --strategy nope --report bad1
[ -e bad1 ] && fail "unknown strategy wrote a report dir" || pass
expect_usage_error "unknown fault class" "$lockcheck" run --faults gc --report bad2
[ -e bad2 ] && fail "unknown fault class wrote a report dir" || pass
expect_usage_error "bad flag" "$lockcheck" run --frobnicate
expect_usage_error "bad seeds" "$lockcheck" run --seeds 0
expect_usage_error "bad seed" "$lockcheck" run --seed 0xZZ
expect_usage_error "missing file" "$lockcheck" replay does-not-exist.json
printf '{"lockcheck_scenario": 1, "strategy": "single",' >broken.json
expect_usage_error "malformed file" "$lockcheck" replay broken.json
printf '{"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "gc"}]}' >kind.json
expect_usage_error "unknown fault kind" "$lockcheck" replay kind.json
grep -q "unknown fault kind 'gc'" "$work/.stderr" && pass || fail "error does not name the kind"
printf '{"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "persistence": "sometimes"}' >persist.json
expect_usage_error "bad persistence" "$lockcheck" replay persist.json
grep -q "persistence: must be" "$work/.stderr" && pass || fail "error does not name persistence"
printf '{"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "failover", "target": "node-0"}]}' >noreplica.json
expect_usage_error "failover without replicas" "$lockcheck" replay noreplica.json
expect_usage_error "no subcommand" "$lockcheck"
expect_usage_error "list what" "$lockcheck" list nothing

# --- shards merge to the unsharded run: the same matrix, the same
# results.json (wall times aside) and the same counterexample files ---
for k in 1 2 3; do
  expect_exit 1 "shard $k/3" -- "$lockcheck" run --strategy single,del-unchecked --faults none,pause --seeds 40 --shard "$k/3" --report "sh$k" -q
done
expect_exit 1 "report merges shards" -- "$lockcheck" report sh3 sh1 sh2 --out merged
grep -A100 '^strategy' "$work/.stdout" | grep -Ev '^(results|html|junit|summary):' >merged.txt
expect_exit 1 "unsharded run" -- "$lockcheck" run --strategy single,del-unchecked --faults none,pause --seeds 40 --report whole -q
grep -A100 '^strategy' "$work/.stdout" | grep -Ev '^(results|html|junit|summary):' >whole.txt
diff merged.txt whole.txt >/dev/null && pass || { fail "merged shards differ from the whole run"; diff merged.txt whole.txt; }
[ -f merged/results.json ] && pass || fail "report --out wrote no results.json"
diff <(grep -v wall_ms merged/results.json) <(grep -v wall_ms whole/results.json) >/dev/null && pass ||
  { fail "merged results.json differs from the unsharded one"; diff <(grep -v wall_ms merged/results.json) <(grep -v wall_ms whole/results.json) | head -20; }
(cd whole && ls) >whole-files.txt
(cd merged && ls) >merged-files.txt
diff merged-files.txt whole-files.txt >/dev/null && pass || fail "report --out did not copy the counterexample files"
for f in $(grep -v results.json whole-files.txt | grep '\.json$'); do cmp -s "whole/$f" "merged/$f" || fail "merged $f differs from the unsharded one"; done
expect_exit 1 "report reads its own merged output" -- "$lockcheck" report merged
expect_usage_error "report of a shard given twice" "$lockcheck" report sh1 sh2 sh1
grep -q "shard 1/3 given twice" "$work/.stderr" && pass || fail "overlapping shards not named"
expect_usage_error "report of a missing dir" "$lockcheck" report no-such-dir
printf '{"lockcheck_results": 1}' >notresults.json
expect_usage_error "report of a bad results.json" "$lockcheck" report notresults.json
# Malformed, overflowing and impossible values: one line, exit 2, never an abort.
head -c 200 whole/results.json >truncated.json
expect_usage_error "report of a truncated results.json" "$lockcheck" report truncated.json
sed '0,/"seeds_run": 40/s//"seeds_run": "x"/' whole/results.json >string.json
expect_usage_error "report of a string count" "$lockcheck" report string.json
sed '0,/"seeds_run": 40/s//"seeds_run": -5/' whole/results.json >negative.json
expect_usage_error "report of a negative seeds_run" "$lockcheck" report negative.json
grep -q "seeds_run: must be a whole number" "$work/.stderr" && pass || fail "negative seeds_run not named"
sed '0,/"seeds_run": 40/s//"seeds_run": 1e999/' whole/results.json >overflow.json
expect_usage_error "report of an overflowing number" "$lockcheck" report overflow.json
sed '0,/"lock_cycles": [0-9]*/s//"lock_cycles": 123456789012345678901234567890/' whole/results.json >bigint.json
expect_usage_error "report of an integer past 64 bits" "$lockcheck" report bigint.json

# --- an unusable --report directory is an error before any cell runs ---
printf 'x' >afile
expect_usage_error "report dir is a file" "$lockcheck" run --strategy single --faults none --seeds 20 --report afile
[ -s "$work/.stdout" ] && fail "a cell ran before the report dir was found unusable" || pass
expect_usage_error "report dir under a file" "$lockcheck" run --strategy single --faults none --seeds 20 --report afile/sub
[ -s "$work/.stdout" ] && fail "a cell ran before the report dir was found unusable" || pass
mkdir -p rdir/results.json
expect_usage_error "results.json is a directory" "$lockcheck" run --strategy single --faults none --seeds 20 --report rdir
[ -s "$work/.stdout" ] && fail "a cell ran before results.json was found unwritable" || pass
expect_usage_error "report --out is a file" "$lockcheck" report whole --out afile
expect_usage_error "bad shard" "$lockcheck" run --shard 4/3
expect_usage_error "unknown property" "$lockcheck" run --properties mutex,liveness
expect_usage_error "bad strategy in a list" "$lockcheck" run --strategy single,nope

# --- swarm cells replay; a budget stops early and says so ---
expect_exit 1 "swarm" -- "$lockcheck" run --strategy del-unchecked --faults swarm --seeds 100 --report sw -q
swarm_cx=$(ls sw/del-unchecked-swarm-*.json | head -1)
expect_exit 1 "replay of a swarm counterexample" -- "$lockcheck" replay "$swarm_cx"
grep -q "reproduced: violated" "$work/.stdout" && pass || fail "swarm counterexample did not reproduce"
expect_exit 0 "budget" -- "$lockcheck" run --strategy single --faults none --seeds 10000000 --budget-ms 200 --report bud
grep -q "stopped by --budget-ms" "$work/.stdout" && pass || fail "budget run does not say it stopped early"

# --- help and list tell the truth ---
for sub in "" run replay list report; do
  expect_exit 0 "--help $sub" -- "$lockcheck" $sub --help
done
"$lockcheck" run --help | grep -q -- "--check-determinism" && pass || fail "run --help lacks --check-determinism"
"$lockcheck" list strategies | grep -q "^del-unchecked *BROKEN" && pass || fail "list strategies"
[ "$("$lockcheck" list faults | wc -l)" -ge 6 ] && pass || fail "list faults"
"$lockcheck" list properties | grep -q "^owner" && pass || fail "list properties"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
