#!/usr/bin/env bash
# Re-records the TRACE of regression scenarios whose event order changed on
# purpose (a new event kind, a reworded fault, a workload that now renews).
# A file is rewritten only when the trace is the *only* expectation that
# failed: its verdict, first property and `holds` list must still reproduce,
# so a changed verdict can never be recorded away. Say why in the commit.
# Usage: tests/rerecord_traces.sh LOCKCHECK [FILE...]   (default: tests/scenarios/*.json)
set -euo pipefail
lockcheck="$1"
shift
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/scenarios"
[ $# -gt 0 ] || set -- "$dir"/*.json
changed=0
for f in "$@"; do
  out="$("$lockcheck" replay "$f" 2>&1)" || true
  grep -q '^reproduced: ' <<<"$out" && continue
  mismatches="$(grep '^MISMATCH: ' <<<"$out" || true)"
  if [ -z "$mismatches" ] || grep -qv 'expects TRACE=' <<<"$mismatches"; then
    echo "not re-recorded (more than the trace changed): $f" >&2
    sed 's/^/    /' <<<"$out" | tail -6 >&2
    continue
  fi
  old="$(sed -n 's/^MISMATCH: the scenario expects TRACE=\([0-9a-f]*\); got TRACE=\([0-9a-f]*\)$/\1/p' <<<"$mismatches")"
  new="$(sed -n 's/^MISMATCH: the scenario expects TRACE=\([0-9a-f]*\); got TRACE=\([0-9a-f]*\)$/\2/p' <<<"$mismatches")"
  [ -n "$old" ] && [ -n "$new" ] || { echo "cannot read the traces of $f" >&2; exit 1; }
  sed -i "s/\"trace\": \"$old\"/\"trace\": \"$new\"/" "$f"
  "$lockcheck" replay "$f" 2>&1 | grep -q '^reproduced: ' || { echo "re-recorded $f does not reproduce" >&2; exit 1; }
  echo "re-recorded $(basename "$f"): $old -> $new"
  changed=$((changed + 1))
done
echo "$changed file(s) re-recorded"
