#!/usr/bin/env bash
# Re-records the TRACE of regression scenarios whose event order changed on
# purpose (a new event kind, a reworded fault, a workload that now renews),
# and the trace_format it belongs to (sim::kTraceFormat: bump it in the same
# change). A file is rewritten only when the trace is the *only* expectation
# that failed (or was not compared, being of another trace_format): its
# verdict, first property and `holds` list must still reproduce, so a
# changed verdict can never be recorded away. Say why in the commit.
# Usage: tests/rerecord_traces.sh LOCKCHECK [FILE...]   (default: tests/scenarios/*.json)
set -euo pipefail
lockcheck="$1"
shift
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/scenarios"
[ $# -gt 0 ] || set -- "$dir"/*.json

# set_format FILE N: the file's "trace_format" becomes N (absent means 1,
# so a file of format 1 without the key is left as it is).
set_format() {
  local f="$1" n="$2"
  if grep -q '"trace_format":' "$f"; then
    sed -i "s/\"trace_format\": [0-9]*/\"trace_format\": $n/" "$f"
  elif [ "$n" != 1 ]; then
    sed -i "0,/\"lockcheck_scenario\": 1,/s//\"lockcheck_scenario\": 1,\n  \"trace_format\": $n,/" "$f"
  fi
}

changed=0
for f in "$@"; do
  out="$("$lockcheck" replay "$f" 2>&1)" || true
  format="$(sed -n "s/^TRACE not compared: the file's trace is trace_format [0-9]*, this build's is trace_format \([0-9]*\) .*/\1/p" <<<"$out")"
  if grep -q '^reproduced: ' <<<"$out" && [ -z "$format" ]; then continue; fi
  mismatches="$(grep '^MISMATCH: ' <<<"$out" || true)"
  if [ -n "$format" ]; then
    # Another trace format: the verdicts were checked, the trace was not.
    if ! grep -q '^reproduced: ' <<<"$out"; then
      echo "not re-recorded (more than the trace changed): $f" >&2
      sed 's/^/    /' <<<"$out" | tail -6 >&2
      continue
    fi
    old="$(sed -n 's/.*"trace": "\([0-9a-f]*\)".*/\1/p' "$f")"
    new="$(sed -n 's/^TRACE=\([0-9a-f]*\)$/\1/p' <<<"$out")"
  else
    if [ -z "$mismatches" ] || grep -qv 'expects TRACE=' <<<"$mismatches"; then
      echo "not re-recorded (more than the trace changed): $f" >&2
      sed 's/^/    /' <<<"$out" | tail -6 >&2
      continue
    fi
    old="$(sed -n 's/^MISMATCH: the scenario expects TRACE=\([0-9a-f]*\); got TRACE=\([0-9a-f]*\)$/\1/p' <<<"$mismatches")"
    new="$(sed -n 's/^MISMATCH: the scenario expects TRACE=\([0-9a-f]*\); got TRACE=\([0-9a-f]*\)$/\2/p' <<<"$mismatches")"
  fi
  [ -n "$old" ] && [ -n "$new" ] || { echo "cannot read the traces of $f" >&2; exit 1; }
  sed -i "s/\"trace\": \"$old\"/\"trace\": \"$new\"/" "$f"
  [ -z "$format" ] || set_format "$f" "$format"
  out="$("$lockcheck" replay "$f" 2>&1)" || true
  if ! grep -q '^reproduced: ' <<<"$out" || grep -q '^TRACE not compared' <<<"$out"; then
    echo "re-recorded $f does not reproduce" >&2
    exit 1
  fi
  echo "re-recorded $(basename "$f"): $old -> $new${format:+ (trace_format $format)}"
  changed=$((changed + 1))
done
echo "$changed file(s) re-recorded"
