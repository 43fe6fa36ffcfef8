#!/usr/bin/env bash
# redis-py (Debian python3-redis) against `lockcheck serve`: connect, the
# connect-time commands, a pipeline, and its Lock (SET NX PX + the Lua
# release script through EVALSHA / NOSCRIPT / EVAL). Usage: BUILD_DIR
set -uo pipefail
lc="$(cd "$1" && pwd)/cli/lockcheck"
out="$(mktemp)"
"$lc" serve --nodes 1 --clients 1 >"$out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q '^ready$' "$out" && break; sleep 0.05; done
port=$(sed -n 's/^node-0 client-0 127.0.0.1:\([0-9]*\)$/\1/p' "$out")
[ -n "$port" ] || { echo "serve did not start:"; cat "$out"; exit 1; }
/usr/bin/python3 - "$port" <<'PY'
import sys
import redis

r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), client_name="lc-test", socket_timeout=2)
assert r.ping() is True
assert r.client_getname() == "lc-test", r.client_getname()
assert isinstance(r.client_id(), int)
info = r.info()
assert info["redis_version"] == "7.0.15" and info["loading"] == 0 and info["role"] == "master", info
assert r.echo("hi") == b"hi"
p = r.pipeline(transaction=False)
for i in range(50):
    p.set("k%d" % i, i)
    p.get("k%d" % i)
res = p.execute()
assert res[1::2] == [str(i).encode() for i in range(50)], res
lock = r.lock("lockcheck:lock", timeout=5, blocking_timeout=1)
assert lock.acquire()
assert not r.lock("lockcheck:lock", timeout=5, blocking_timeout=0.1).acquire()
assert lock.owned()
lock.extend(5)
lock.release()  # EVALSHA, NOSCRIPT on first use on a fresh script cache: redis-py falls back to EVAL
assert r.get("lockcheck:lock") is None
print("redis-py against lockcheck serve: ok")
PY
