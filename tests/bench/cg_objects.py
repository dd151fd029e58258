#!/usr/bin/env python3
"""cg_objects.py CALLGRIND_OUT: the exclusive instruction count of each
object (executable, library) of a callgrind output file, one "COUNT NAME"
line each, largest first (NAME without its directory).

callgrind_annotate is not used for this: in the file of a process whose
threads were inside their loops when its counters were zeroed (the input
thread of a private rsyslogd), it lists those loops' whole cost as their
own cost, so its per-function lines add up to far more than the total.
Here a cost line counts for the current object (ob=) unless it follows a
calls= line: that one is the inclusive cost of a call, counted where the
callee's own lines are."""
import re
import sys

names = {}          # "(id)" -> object name (the file compresses names)
obj = "???"
after_calls = False
total = {}

def name_of(spec):
    m = re.match(r"\((\d+)\)(?:\s+(.*))?$", spec.strip())
    if not m:
        return spec.strip()
    if m.group(2) is not None:
        names[m.group(1)] = m.group(2)
    return names.get(m.group(1), "???")

with open(sys.argv[1], errors="replace") as f:
    for line in f:
        if line.startswith("ob="):
            obj = name_of(line[3:])
        elif line.startswith("cob="):
            name_of(line[4:])      # define the id; the current object stays
        elif line.startswith("calls="):
            after_calls = True
        elif line[:1] in "0123456789+-*":
            parts = line.split()
            if len(parts) >= 2:
                if not after_calls:
                    total[obj] = total.get(obj, 0) + int(parts[1])
                after_calls = False
for o, n in sorted(total.items(), key=lambda kv: -kv[1]):
    print(n, o.rsplit("/", 1)[-1])
