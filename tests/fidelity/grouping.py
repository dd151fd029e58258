#!/usr/bin/python3
"""grouping.py -- which records make one event: ours against auparse's.

auparse (python3-audit) and our CLI (auditfwd --format json --enrich off)
read the same files; an event is (node, SEC.MSEC:SERIAL, its record types
without EOE). Prints the agreement per file that differs and in total;
exits 1 below --min-agreement (percent of auparse's events we group the
same way). Lines without audit(...) (journald's form) are left out: auparse
has no serial for them either.
Usage: grouping.py --cli AUDITFWD [--min-agreement P] FILE|DIR...
"""
import argparse
import collections
import json
import os
import subprocess
import sys

import auparse

OURS = {"id", "time", "time_from", "host", "node", "type", "incomplete"}


def theirs(path):
    evs = collections.Counter()
    p = auparse.AuParser(auparse.AUSOURCE_FILE, path)
    while p.parse_next_event():
        ts = p.get_timestamp()
        types = []
        p.first_record()
        while True:
            try:
                name = p.get_type_name()
            except LookupError:    # no type auparse can tell: left out
                name = "EOE"
            if name != "EOE":
                types.append(name)
            if not p.next_record():
                break
        if types:
            evs[(ts.host or "", "%d.%03d:%d" % (ts.sec, ts.milli, ts.serial),
                 tuple(sorted(types)))] += 1
    return evs


def ours(cli, path):
    evs = collections.Counter()
    out = subprocess.run([cli, "--format", "json", "--enrich", "off", path],
                         stdout=subprocess.PIPE, check=True).stdout
    for line in out.decode("utf-8", "replace").splitlines():
        e = json.loads(line)
        if "id" not in e:
            continue
        types = []
        for k, v in e.items():
            if k not in OURS:
                types += [k] * (len(v) if isinstance(v, list) else 1)
        evs[(e.get("node", ""), e["id"], tuple(sorted(types)))] += 1
    return evs


def files(args):
    for a in args:
        if os.path.isdir(a):
            for root, _, names in sorted(os.walk(a)):
                for n in sorted(names):
                    if not n.endswith(".md"):
                        yield os.path.join(root, n)
        else:
            yield a


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--min-agreement", type=float, default=100.0)
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    total = same = 0
    for path in files(a.paths):
        t, o = theirs(path), ours(a.cli, path)
        n = sum(t.values())
        ok = sum((t & o).values())
        total += n
        same += ok
        if ok != n:
            print("%8.3f%%  %s" % (100.0 * ok / n, path))
            for ev in sorted((t - o).elements())[:3]:
                print("          auparse only: %s" % (ev,))
            for ev in sorted((o - t).elements())[:3]:
                print("          ours only:    %s" % (ev,))
    pct = 100.0 * same / total if total else 100.0
    print("TOTAL %.3f%%  (%d of %d events grouped alike)" % (pct, same, total))
    return 0 if pct >= a.min_agreement else 1


if __name__ == "__main__":
    sys.exit(main())
