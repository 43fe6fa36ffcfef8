#!/usr/bin/env python3
"""Prints how far shrinking got: one row per counterexample file in a report
directory (as `lockcheck run --report DIR` writes them), then the median and
the worst case of clients, faults and acquires per client.

Usage: scripts/shrink_table.py DIR

Reads the counterexample scenario files themselves (not results.json), so
it does not depend on how the run summarises its cells.
"""
import json
import os
import re
import statistics
import sys


def rows(directory):
    out = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json") or name == "results.json":
            continue
        with open(os.path.join(directory, name)) as f:
            s = json.load(f)
        if "lockcheck_scenario" not in s:
            continue
        m = re.search(r"under faults '([^']*)'", s.get("description", ""))
        cell = m.group(1) if m else "?"
        w = s.get("workload", {})
        lat = s.get("network", {}).get("latency_ms", [1, 5])
        out.append({
            "strategy": s["strategy"],
            "cell": cell,
            "property": s.get("expect", {}).get("property", "?"),
            "nodes": s.get("nodes", 1),
            "clients": s.get("clients", 2),
            "faults": len(s.get("faults", [])),
            "acquires": w.get("acquires_per_client", 5),
            "writes": w.get("writes_per_hold", 3),
            "duration_ms": s.get("duration_ms", 20000),
            "latency": "%d-%d" % (lat[0], lat[1]),
            "replicas": s.get("replicas", 0),
        })
    return out


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: shrink_table.py DIR\n")
        return 2
    rs = rows(sys.argv[1])
    if not rs:
        sys.stderr.write("no counterexample files in %s\n" % sys.argv[1])
        return 2
    cols = ["strategy", "cell", "property", "nodes", "clients", "faults", "acquires", "writes",
            "duration_ms", "latency", "replicas"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rs)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in rs:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))
    print()
    print("%d counterexamples" % len(rs))
    for key in ["clients", "faults", "acquires", "writes", "duration_ms"]:
        values = [r[key] for r in rs]
        worst = max(values)
        worst_rows = [r for r in rs if r[key] == worst]
        example = "%s/%s/%s" % (worst_rows[0]["strategy"], worst_rows[0]["cell"], worst_rows[0]["property"])
        print("%-12s median %-8g worst %-8d (%d files, e.g. %s)" %
              (key, statistics.median(values), worst, len(worst_rows), example))
    return 0


if __name__ == "__main__":
    sys.exit(main())
