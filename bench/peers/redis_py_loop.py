#!/usr/bin/env python3
"""redis-py's Lock (Debian python3-redis): one uncontended lock cycle
(acquire + release) in a loop, for scripts/peers_bench.sh.
  redis_py_loop.py HOST:PORT CYCLES
Prints "cycles_per_s=<n> cpu_s=<t>" as bench/peer_loops does."""
import sys
import time

import redis


def main():
    try:
        host, port = sys.argv[1].rsplit(":", 1)
        cycles = int(sys.argv[2])
        if cycles <= 0:
            raise ValueError
        client = redis.Redis(host=host, port=int(port))
    except (IndexError, ValueError):
        print("usage: redis_py_loop.py HOST:PORT CYCLES", file=sys.stderr)
        return 2
    # The key pattern and TTL of the other peers (timeout is in seconds).
    lock = client.lock("peers:lock", timeout=30, blocking_timeout=1)
    wall_start = time.monotonic()
    cpu_start = time.process_time()
    for _ in range(cycles):
        if not lock.acquire():
            print("redis_py_loop: not acquired", file=sys.stderr)
            return 1
        lock.release()
    wall_s = time.monotonic() - wall_start
    print(f"cycles_per_s={cycles / wall_s:.0f} cpu_s={time.process_time() - cpu_start:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
