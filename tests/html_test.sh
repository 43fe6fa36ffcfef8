#!/usr/bin/env bash
# `lockcheck replay FILE --html OUT` as a person sees it: Debian's chromium
# renders the page headless; the DOM it built must hold the timeline's lanes
# and the violation marker, the page's script must have run without an
# error, and a 1280 px screenshot must be a real picture. Before that, the
# flag's error paths (exit 2, one line, nothing left behind), which need no
# browser.
# Usage: html_test.sh LOCKCHECK SCENARIO_DIR. Exits 77 (ctest SKIP) when no
# chromium is installed: scripts/setup.sh installs it.
set -uo pipefail
lockcheck="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
scen="$(cd "$2" && pwd)"
work="$(mktemp -d)"
browsers=()  # pids (= process groups) of the chromium runs
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

# --- the flag's errors: exit 2, one line on stderr, no file, no temp file ---
"$lockcheck" replay "$scen/single-no-faults.json" --html no/such/dir/page.html >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 2 ] && pass || fail "--html into a missing directory: exit $rc, want 2"
[ "$(wc -l <err.txt)" -eq 1 ] && grep -q '^lockcheck: error: ' err.txt && pass || { fail "not one error line:"; cat err.txt; }
[ ! -e no ] && pass || fail "something was left for a missing directory"
mkdir taken.html
"$lockcheck" replay "$scen/single-no-faults.json" --html taken.html >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 2 ] && pass || fail "--html onto a directory: exit $rc, want 2"
[ "$(wc -l <err.txt)" -eq 1 ] && pass || { fail "not one error line:"; cat err.txt; }
[ ! -e taken.html.tmp ] && [ -z "$(ls -A taken.html)" ] && pass || fail "a temp file was left behind"
echo '{"lockcheck_scenario": 1' >broken.json
"$lockcheck" replay broken.json --html broken.html >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 2 ] && [ ! -e broken.html ] && [ ! -e broken.html.tmp ] && pass || fail "a bad scenario: exit $rc or a page written"

# --- the pages: Kleppmann's Redlock case, and a correct run without faults ---
# The expected TRACE is left out of the copy: this test is about the page,
# the regression suite checks traces.
sed '/"trace":/d; s/"property": "mutex",/"property": "mutex"/' "$scen/redlock-node-clock-jump-partition.json" >kleppmann.json
"$lockcheck" replay kleppmann.json --html kleppmann.html >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 1 ] && grep -q "^reproduced: violated mutex" out.txt && pass || { fail "replay --html of the Kleppmann case: exit $rc"; cat out.txt err.txt; }
[ -s kleppmann.html ] && [ ! -e kleppmann.html.tmp ] && pass || fail "no kleppmann.html"
"$lockcheck" replay "$scen/single-no-faults.json" --html holds.html >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 0 ] && [ -s holds.html ] && pass || fail "replay --html of a holding run: exit $rc"
grep -Eq '(src|href)="(https?:)?//' kleppmann.html && fail "the page fetches something" || pass

if ! command -v chromium >/dev/null 2>&1; then
  echo "SKIP: chromium is not installed (scripts/setup.sh installs it); $passes checks passed, $failures failed"
  [ "$failures" -eq 0 ] && exit 77 || exit 1
fi

# chromium PAGE OUT ERR ARGS...: one headless run in its own process group,
# so whatever it leaves running (renderer, zygote) is killed by its pid.
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

# The DOM as chromium built it: lanes, marker, the script's mark, no errors.
for page in kleppmann holds; do
  chromium_run "$page.html" "$page.dom" "$page.log" --dump-dom || fail "$page: chromium --dump-dom failed"
  grep -q '<html lang="en" data-script="ok">' "$page.dom" && pass || fail "$page: the page's script did not finish"
  grep -q 'Uncaught' "$page.log" && { fail "$page: script error:"; grep 'Uncaught' "$page.log"; } || pass
  grep -q '<svg xmlns="http://www.w3.org/2000/svg" class="timeline"' "$page.dom" && pass || fail "$page: no timeline svg"
done
for lane in client-0 client-1 node-0 node-1 node-2 node-3 node-4; do
  grep -q "class=\"lane [a-z]*-lane\" data-lane=\"$lane\"" kleppmann.dom && pass || fail "kleppmann: no lane $lane"
done
grep -q 'data-lane="node-5"' kleppmann.dom && fail "kleppmann: a lane for a node that is not there" || pass
grep -q '<g class="violation" data-property="mutex" data-at-ms="381.000">' kleppmann.dom && pass ||
  fail "kleppmann: no mutex marker at 381 ms"
grep -q 'class="ev grant named" data-kind="granted" data-session="2"' kleppmann.dom && pass ||
  fail "kleppmann: client-1's grant is not highlighted"
grep -q 'data-kind="clock_jump"' kleppmann.dom && pass || fail "kleppmann: no clock jump mark"
for lane in client-0 client-1 client-2 node-0; do
  grep -q "data-lane=\"$lane\"" holds.dom && pass || fail "holds: no lane $lane"
done
grep -q 'class="violation"' holds.dom && fail "holds: a violation marker on a run that holds" || pass

# A screenshot at 1280 px: a PNG of that width, big enough to hold a picture.
chromium_run kleppmann.html shot.out shot.log --hide-scrollbars --window-size=1280,900 --screenshot="$work/shot.png" ||
  fail "chromium --screenshot failed"
if [ -s shot.png ]; then
  magic=$(head -c 8 shot.png | od -An -tx1 | tr -d ' \n')
  [ "$magic" = "89504e470d0a1a0a" ] && pass || fail "shot.png is not a PNG ($magic)"
  width=$((16#$(dd if=shot.png bs=1 skip=16 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n')))
  height=$((16#$(dd if=shot.png bs=1 skip=20 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n')))
  [ "$width" -eq 1280 ] && [ "$height" -eq 900 ] && pass || fail "screenshot is ${width}x${height}, want 1280x900"
  # A blank 1280x900 page compresses to a few kB; the report is far more.
  size=$(wc -c <shot.png)
  [ "$size" -gt 60000 ] && pass || fail "screenshot is only $size bytes: nothing drawn?"
else
  fail "no screenshot written"
fi

echo "$passes checks passed, $failures failed"
[ "$failures" -eq 0 ]
