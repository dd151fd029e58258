#!/usr/bin/env python3
"""deadletter.py -- read omauditfwd's dead-letter file (format: README,
"Messages Kafka refuses for good"; omauditfwd/delivery/deadletter.h).

  deadletter.py list FILE          one line per entry: N TIME REASON TOPIC KEY SIZE
                                   (KEY '-' for none; TOPIC and KEY with
                                   characters other than printable ASCII as \\xNN)
  deadletter.py values FILE        each message followed by LF (they hold no
                                   LF when the format escapes control
                                   characters: json, leef, cef)
  deadletter.py extract FILE DIR   DIR/NNNNNN.msg (the message, byte for
                                   byte), DIR/NNNNNN.topic, DIR/NNNNNN.key
                                   (absent: no key), for replaying, e.g.
                                   kcat -P -b BROKER -t "$(cat N.topic)" -k "$(cat N.key)" N.msg

An entry cut short (disk full, crash) is reported on stderr and skipped up
to the next entry header; the exit status is then 1.
"""
import os
import re
import sys

MAGIC = b"omauditfwd-deadletter 1 "
HEADER = re.compile(rb"^omauditfwd-deadletter 1 (\S+) ([A-Za-z0-9_]+) (\d+) (\d+|-) (\d+)$")


def entries(data):
    """(time, reason, topic, key or None, msg) for each entry; bad offsets to stderr"""
    off, bad = 0, 0
    while off < len(data):
        nl = data.find(b"\n", off)
        m = HEADER.match(data[off:nl]) if nl >= 0 else None
        end = None
        if m:
            tlen, mlen = int(m.group(3)), int(m.group(5))
            klen = 0 if m.group(4) == b"-" else int(m.group(4))
            start = nl + 1
            end = start + tlen + klen + mlen
            if end >= len(data) or data[end:end + 1] != b"\n":
                end = None
        if end is None:
            bad += 1
            sys.stderr.write("deadletter.py: malformed entry at byte %d, skipped\n" % off)
            nxt = data.find(b"\n" + MAGIC, off + 1)
            off = len(data) if nxt < 0 else nxt + 1
            continue
        topic = data[start:start + tlen]
        key = None if m.group(4) == b"-" else data[start + tlen:start + tlen + klen]
        yield (m.group(1).decode(), m.group(2).decode(), topic, key,
               data[start + tlen + klen:end])
        off = end + 1
    entries.bad = bad


def printable(b):
    return "".join(chr(c) if 0x21 <= c < 0x7f and c != 0x5c else "\\x%02x" % c for c in b)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("list", "values", "extract") or \
            (argv[1] == "extract") != (len(argv) == 4):
        sys.stderr.write(__doc__)
        return 2
    with open(argv[2], "rb") as f:
        data = f.read()
    entries.bad = 0
    out = sys.stdout.buffer
    for n, (time, reason, topic, key, msg) in enumerate(entries(data), 1):
        if argv[1] == "list":
            out.write(("%d %s %s %s %s %d\n" % (n, time, reason, printable(topic),
                                                "-" if key is None else printable(key),
                                                len(msg))).encode())
        elif argv[1] == "values":
            out.write(msg + b"\n")
        else:
            base = os.path.join(argv[3], "%06d" % n)
            os.makedirs(argv[3], exist_ok=True)
            for ext, val in (("msg", msg), ("topic", topic), ("key", key)):
                if val is not None:
                    with open(base + "." + ext, "wb") as f:
                        f.write(val)
    return 1 if entries.bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
