#!/usr/bin/env bash
# The README's console examples, checked against the real output of this
# build so they cannot drift. An example is a fenced block whose first line
# is `$ lockcheck ...`: each `$ ` line is a command, the lines after it (up
# to the next `$ ` line) its exact output, stdout and stderr together. The
# examples run in order, in one fresh temporary directory (a later example
# may use a file an earlier one wrote), with `lockcheck` this build.
#
# The only placeholder: wall-clock figures, which no two runs share, match
# whatever they are: "(N lock cycles in T ms" compares with T masked.
#
# Usage: readme_test.sh LOCKCHECK [README] [--update]
# --update rewrites each example's output in README from the real output.
set -uo pipefail
lockcheck="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
readme="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/README.md"
update=0
for arg in "${@:2}"; do
  case "$arg" in
    --update) update=1 ;;
    *) readme="$arg" ;;
  esac
done
[ -f "$readme" ] || { echo "FAIL: no $readme"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/run"
ln -s "$lockcheck" "$work/bin/lockcheck"

# Wall-clock figures masked.
mask() { sed -E 's/ lock cycles in [0-9]+ ms/ lock cycles in T ms/g'; }

mapfile -t lines <"$readme"
out=()         # the README as --update rewrites it
examples=0
commands=0
failures=0
last=0         # exit code of the previous command, for `$ echo $?`
i=0
n=${#lines[@]}
while [ "$i" -lt "$n" ]; do
  line="${lines[$i]}"
  out+=("$line")
  i=$((i + 1))
  [[ "$line" == '```'* ]] || continue
  # A fenced block: an example when its first line is `$ lockcheck`.
  if [ "$i" -ge "$n" ] || [[ "${lines[$i]}" != '$ lockcheck '* ]]; then
    while [ "$i" -lt "$n" ] && [[ "${lines[$i]}" != '```'* ]]; do out+=("${lines[$i]}"); i=$((i + 1)); done
    if [ "$i" -lt "$n" ]; then out+=("${lines[$i]}"); i=$((i + 1)); fi
    continue
  fi
  examples=$((examples + 1))
  while [ "$i" -lt "$n" ] && [[ "${lines[$i]}" != '```'* ]]; do
    cmd="${lines[$i]#\$ }"
    out+=("${lines[$i]}")
    i=$((i + 1))
    expected=()
    while [ "$i" -lt "$n" ] && [[ "${lines[$i]}" != '```'* ]] && [[ "${lines[$i]}" != '$ '* ]]; do
      expected+=("${lines[$i]}")
      i=$((i + 1))
    done
    commands=$((commands + 1))
    actual="$(cd "$work/run" && PATH="$work/bin:$PATH" && { (exit "$last"); eval "$cmd"; } 2>&1)"
    last=$?
    if [ "$update" -eq 1 ]; then
      [ -n "$actual" ] && mapfile -t -O "${#out[@]}" out <<<"$actual"
      continue
    fi
    want="$(printf '%s\n' "${expected[@]+"${expected[@]}"}")"
    if ! diff -u <(mask <<<"$want") <(mask <<<"$actual") >"$work/diff" 2>&1; then
      echo "FAIL: README example \`$cmd\` (line $((i - ${#expected[@]}))) prints something else:"
      sed 's/^/    /' "$work/diff" | tail -n +3
      failures=$((failures + 1))
    fi
  done
  if [ "$i" -lt "$n" ]; then out+=("${lines[$i]}"); i=$((i + 1)); fi
done

[ "$examples" -gt 0 ] || { echo "FAIL: no \`\$ lockcheck\` examples in $readme"; exit 1; }
if [ "$update" -eq 1 ]; then
  printf '%s\n' "${out[@]}" >"$readme.tmp" && mv "$readme.tmp" "$readme"
  echo "updated $commands commands in $examples examples of $readme"
  exit 0
fi
echo "$((commands - failures)) of $commands commands in $examples README examples print what the README shows"
[ "$failures" -eq 0 ]
