#!/usr/bin/env python3
"""Duplicates and losses per outage, for outage tests.

usage: outage_figures.py MODE SENT RECEIVED.1 RECEIVED.2 ...

RECEIVED.k is what the k-th incarnation of the receiver stored (complete
lines); outage k is the one between incarnations k and k+1. MODE json: our
messages with join="off" (each record one object, matched to a sent line
by its id and type); raw: the sent lines themselves (omfwd). A record
received more than once counts as duplicates of the outage after the
first incarnation that holds it; a record never received is a loss of the
outage after the incarnation that holds the last record sent before it
received ("end" when that is the last incarnation, "start" when none).

Prints one line per outage, "outage K: duplicates=D lost=L", then
"total: duplicates=D lost=L unmatched=U" (lines matched to nothing sent),
and up to 3 unmatched lines.
"""
import collections
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_json import read_lines, audit_id, audit_type, is_audit  # noqa: E402


CTL_RX = re.compile(r"#(0[0-3][0-7]|177)")


def main():
    mode, sent_path, recv_paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    sent = read_lines(sent_path)

    def key_of_sent(line):
        if mode == "json":
            return (audit_id(line), audit_type(line)) if is_audit(line) else None
        return line

    def key_of_recv(line):
        if mode == "json":
            try:
                o = json.loads(line)
                return (o.get("id"), o.get("type"))
            except ValueError:
                return None
        # the TLS receiver escapes control characters (#035: the GS before
        # ENRICHED fields)
        return CTL_RX.sub(lambda m: chr(int(m.group(1), 8)), line)

    slots = collections.defaultdict(list)     # key -> sent indices, in order
    for i, line in enumerate(sent):
        slots[key_of_sent(line)].append(i)
    copies = [[] for _ in sent]                # sent index -> incarnations
    unmatched, samples = 0, []
    for f, path in enumerate(recv_paths, 1):
        seen = collections.Counter()
        for line in read_lines(path):
            k = key_of_recv(line)
            idx = slots.get(k)
            if not idx:
                unmatched += 1
                if len(samples) < 3:
                    samples.append(line[:200])
                continue
            n = seen[k]
            seen[k] += 1
            copies[idx[min(n, len(idx) - 1)]].append(f)
    dups = collections.Counter()
    lost = collections.Counter()
    last_file = 0
    for i, c in enumerate(copies):
        if c:
            if len(c) > 1:
                dups[min(c)] += len(c) - 1
            last_file = max(c)
        else:
            lost[last_file] += 1
    n = len(recv_paths)
    for k in range(1, n):
        print("outage %d: duplicates=%d lost=%d" % (k, dups[k], lost[k]))
    if lost[0] or lost[n]:
        print("outside outages: lost=%d (before the first record received) "
              "%d (after the last)" % (lost[0], lost[n]))
    print("total: duplicates=%d lost=%d unmatched=%d"
          % (sum(dups.values()), sum(lost.values()), unmatched))
    for line in samples:
        print("  unmatched: %r" % line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
