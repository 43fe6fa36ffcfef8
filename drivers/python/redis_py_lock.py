#!/usr/bin/python3
"""redis-py's Lock (Debian python3-redis) as a lockcheck driver (docs/drivers.md).

Used as its documentation shows: Lock(redis, key, timeout=ttl), acquire with
a blocking timeout, do the work, release. The Lock has no notion of lease
validity, so the driver reports its grant with validity "-" and writes
without a check (there is none to make short of a round trip to Redis).
Uses the first node only: redis-py's Lock is a single-instance lock.
"""
import os
import sys
import time

import redis
from redis.exceptions import LockError


def main():
    env = os.environ
    host, port = env["LOCKCHECK_CONTROL"].rsplit(":", 1)
    control = redis.Redis(host=host, port=int(port), socket_timeout=30)

    def report(*args):
        reply = control.execute_command(*args)
        if reply not in (b"OK", "OK", True):
            sys.exit("control refused %s: %r" % (args[0], reply))

    report("LOCKCHECK.HELLO", env["LOCKCHECK_CLIENT"])
    while control.execute_command("LOCKCHECK.START") not in (b"GO", "GO"):
        time.sleep(0.005)
    node_host, node_port = env["LOCKCHECK_NODES"].split(",")[0].rsplit(":", 1)
    ttl_s = int(env["LOCKCHECK_TTL_MS"]) / 1000.0
    r = redis.Redis(host=node_host, port=int(node_port), socket_timeout=max(0.05, ttl_s / 10))
    writes = int(env["LOCKCHECK_WRITES"])
    hold_s = int(env["LOCKCHECK_HOLD_MS"]) / 1000.0
    think_s = int(env["LOCKCHECK_THINK_MS"]) / 1000.0
    for _ in range(int(env["LOCKCHECK_ACQUIRES"])):
        lock = r.lock(env["LOCKCHECK_KEY"], timeout=ttl_s, sleep=0.01,
                      blocking_timeout=int(env["LOCKCHECK_ACQUIRE_TIMEOUT_MS"]) / 1000.0)
        report("LOCKCHECK.ACQUIRING")
        # Lock.acquire raises on a connection error instead of retrying; a
        # service would try again until its own deadline, and so does this.
        deadline = time.monotonic() + int(env["LOCKCHECK_ACQUIRE_TIMEOUT_MS"]) / 1000.0
        granted, error = False, None
        while not granted and time.monotonic() < deadline:
            try:
                granted = lock.acquire(blocking_timeout=max(0.0, deadline - time.monotonic()))
            except redis.RedisError as e:
                error = e
                time.sleep(0.01)
        if not granted and error is not None:
            report("LOCKCHECK.NOTGRANTED", "error: %s" % error)
            time.sleep(think_s)
            continue
        if not granted:
            report("LOCKCHECK.NOTGRANTED", "blocking_timeout")
            time.sleep(think_s)
            continue
        token = lock.local.token.decode()
        report("LOCKCHECK.GRANTED", token, "-")
        for _ in range(writes):
            report("LOCKCHECK.CHECKED")
            report("LOCKCHECK.WRITE", token)
            time.sleep(hold_s / max(writes, 1))
        report("LOCKCHECK.RELEASING")
        try:
            lock.release()
            report("LOCKCHECK.RELEASED", "ok")
        except (LockError, redis.RedisError) as e:
            report("LOCKCHECK.RELEASED", "fail", "%s: %s" % (type(e).__name__, e))
        time.sleep(think_s)
    report("LOCKCHECK.DONE")


if __name__ == "__main__":
    main()
