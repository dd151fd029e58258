#!/usr/bin/env python3
"""gen_stream.py N OUT [--corpus DIR] [--framed FRAMES] [--host HOST]

Writes N audit.log records built from the audit corpus (default: $CORPUS_DIR,
else ../shared/corpus relative to the repository root) to OUT, one per line.

Only records in audit.log form (`[node=X ]type=T msg=audit(SEC.MSEC:SERIAL):`)
are used, so every peer (ausearch, syslog-ng's linux-audit-parser, auditfwd)
reads the same records. The corpus's events (records grouped by file, node and
audit id, in their original order) are repeated; every copy of an event gets
a new serial and a time 1 ms after the previous event, so events stay distinct
and their records stay together, with realistic ids and times.

--framed FRAMES also writes the same records as RFC 5424 syslog messages in
octet-counted framing (RFC 6587), as auditd's syslog plugin would hand them to
rsyslog, ready to be copied to an imtcp socket. The record mix goes to stderr.

The N records are followed by a trailer: one DAEMON_END record per origin (each
node, and records without one), 10 s of audit time later. It completes, by
join timeout, the events whose EOE never came, so a receiver gets every event
of the stream while the sender keeps running: the stream has a known end.
"""
import argparse
import collections
import os
import re
import sys

RECORD = re.compile(rb"^(?:node=(\S+) )?type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\):")
AUDIT_ID = re.compile(rb"audit\(\d+\.\d+:\d+\)")


def corpus_events(corpus):
    files = []
    for d, _, fs in os.walk(corpus):
        files += [os.path.join(d, f) for f in fs if not f.endswith(".md")]
    events, index = [], {}
    for path in sorted(files):
        with open(path, "rb") as f:
            for line in f.read().split(b"\n"):
                line = line.rstrip(b"\r")
                m = RECORD.match(line)
                if not m:
                    continue
                key = (path, m.group(1), m.group(3), m.group(4), m.group(5))
                if key not in index:
                    index[key] = len(events)
                    events.append([])
                events[index[key]].append((m.group(1), m.group(2), line))
    return events


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_corpus = os.environ.get("CORPUS_DIR") or os.path.join(
        here, "..", "..", "..", "shared", "corpus")
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--corpus", default=default_corpus)
    ap.add_argument("--framed")
    ap.add_argument("--host", default="auditsrc01")
    a = ap.parse_args()

    events = corpus_events(a.corpus)
    if not events:
        sys.exit("gen_stream: no audit records in " + a.corpus)
    hdr = b"<13>1 2024-11-25T07:40:01.000Z " + a.host.encode() + b" audisp-syslog - - - "
    mix = collections.Counter()
    origins = set()
    written, serial, nevents = 0, 5000000, 0
    t_ms = 1732520400000
    out = open(a.out, "wb", buffering=1 << 20)
    framed = open(a.framed, "wb", buffering=1 << 20) if a.framed else None
    while written < a.n:
        for ev in events:
            serial += 1
            t_ms += 1
            nevents += 1
            new = b"audit(%d.%03d:%d)" % (t_ms // 1000, t_ms % 1000, serial)
            for node, typ, line in ev:
                rec = AUDIT_ID.sub(new, line, count=1)
                out.write(rec + b"\n")
                if framed:
                    frame = hdr + rec
                    framed.write(b"%d " % len(frame) + frame)
                mix[typ] += 1
                origins.add(node)
                written += 1
                if written >= a.n:
                    break
            if written >= a.n:
                break
    t_ms += 10000
    for node in sorted(origins, key=lambda n: n or b""):
        serial += 1
        rec = b"%stype=DAEMON_END msg=audit(%d.%03d:%d): op=terminate auid=0 pid=1 " \
              b"subj=unconfined res=success" % (
                  b"node=" + node + b" " if node else b"",
                  t_ms // 1000, t_ms % 1000, serial)
        out.write(rec + b"\n")
        if framed:
            frame = hdr + rec
            framed.write(b"%d " % len(frame) + frame)
    out.close()
    if framed:
        framed.close()
    top = ", ".join("%s %.1f%%" % (t.decode(), 100.0 * c / written)
                    for t, c in mix.most_common(8))
    print("gen_stream: %d records + %d trailer, %d events, %d types: %s, ..."
          % (written, len(origins), nevents, len(mix), top), file=sys.stderr)


if __name__ == "__main__":
    main()
