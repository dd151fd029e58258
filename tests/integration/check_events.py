#!/usr/bin/env python3
"""check_events.py SENT RECEIVED [--final]: joined events arrived right.

SENT holds audit lines, RECEIVED the JSON messages a collector got (one per
line). For every (node, audit id) of SENT, the records received under that
id must add up to the records sent (EOE excepted): an id may arrive as more
than one message only when they hold different record types (a user-space
record is an event of its own even when kernel records share its serial).
The same event twice is a duplicate (fatal unless --allow-duplicates, for
at-least-once paths; the count is printed either way). Before --final, ids still missing are
allowed (events may be held); with --final none may be missing.
Prints one summary line; exits 0 when all is right.
"""
import collections, json, re, sys
sent, received = sys.argv[1], sys.argv[2]
final = "--final" in sys.argv
# --allow-duplicates: an event may arrive more than once (at-least-once
# delivery); it must still arrive complete. Duplicates are still counted.
allow_dup = "--allow-duplicates" in sys.argv
rx = re.compile(r"audit\((\d+\.\d+:\d+)\)")
node_rx = re.compile(r"^node=(\S+) ")
tp = re.compile(r"type=(\S+)")
want = collections.Counter()
for line in open(sent, encoding="utf-8", errors="replace"):
    m = rx.search(line)
    if not m or tp.search(line).group(1) == "EOE":
        continue
    n = node_rx.match(line)
    want[(n.group(1) if n else "", m.group(1))] += 1
meta = {"id", "time", "host", "node", "type", "incomplete", "reduced"}
got, seen, msgs, dup, bad, incomplete = collections.Counter(), set(), set(), 0, 0, 0
for line in open(received, encoding="utf-8"):
    o = json.loads(line)
    if o.get("type") == "UNPARSED":
        bad += 1
        continue
    key = (o.get("node", ""), o["id"])
    types = tuple(sorted(k for k in o if k not in meta))
    dup += (key, types) in msgs      # the same event twice
    msgs.add((key, types))
    seen.add(key)
    incomplete += "incomplete" in o
    got[key] += sum(len(v) if isinstance(v, list) else 1
                    for k, v in o.items() if k not in meta)
    # an event over maxMessageSize may be reduced to fewer records: it
    # says how many it left out
    got[key] += o.get("reduced", {}).get("records", 0)
missing = [k for k in want if k not in got]
short = [k for k in want if k in got and
         (got[k] < want[k] if allow_dup else got[k] != want[k])]
print("events sent=%d received=%d missing=%d duplicates=%d wrong_record_count=%d "
      "incomplete=%d unparsed=%d" % (len(want), len(seen), len(missing), dup,
                                     len(short), incomplete, bad))
for k in (missing + short)[:5]:
    print("   ", k, "sent", want[k], "records, received", got.get(k, 0))
ok = (allow_dup or not dup) and not short and not bad and (not missing or not final)
sys.exit(0 if ok and (final or len(seen) > 0) else 1)
