#!/usr/bin/env python3
"""kafka_copies.py CONSUMED OUT: tell retransmissions from re-productions.

CONSUMED is what `kcat -C -f '%T\\t%p\\t%o\\t%s\\n'` printed (timestamp,
partition, offset, message). OUT gets each distinct message body (the JSON
after the syslog header) once per production, one per line, for
check_events.py.

A message stored twice with the SAME timestamp is one production sent twice
on the wire: librdkafka retried a Produce request whose answer was lost when
the broker went down, with the same producer id and sequence numbers. A
real broker recognises the sequence and does not store it again; librdkafka's
mock cluster checks sequences only for transactional producers
(rd_kafka_mock_validate_records() returns early without a TransactionalId),
so it stores the copy. Those copies are counted as "retransmitted" and
dropped from OUT. The same message with a DIFFERENT timestamp was handed to
librdkafka again by us: that copy stays in OUT, so check_events.py counts
it as a duplicate, and it is counted here as "reproduced".
Prints one summary line.
"""
import collections, sys

consumed, out = sys.argv[1], sys.argv[2]
stamps = collections.defaultdict(list)     # body -> [timestamp, ...]
total = 0
for line in open(consumed, encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    if not line:
        continue
    ts, part, off, msg = line.split("\t", 3)
    total += 1
    stamps[msg].append(ts)
retransmitted = reproduced = 0
with open(out, "w", encoding="utf-8") as f:
    for msg, tss in stamps.items():
        distinct = set(tss)
        retransmitted += len(tss) - len(distinct)
        if '"type":"UNPARSED"' not in msg:   # the same line may come twice
            reproduced += len(distinct) - 1
        body = msg[msg.find("{"):] if "{" in msg else msg
        for _ in distinct:
            f.write(body + "\n")
print("messages=%d distinct=%d retransmitted=%d reproduced=%d"
      % (total, len(stamps), retransmitted, reproduced))
