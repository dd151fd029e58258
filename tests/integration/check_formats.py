#!/usr/bin/env python3
"""check_formats.py -- what a collector received in format leef, cef or raw.

  check_formats.py leef EXPECTED RECEIVED [--delim C] [--prefix P] [--host H]
  check_formats.py cef  EXPECTED RECEIVED [--prefix P] [--host H]
  check_formats.py raw  SENT RECEIVED [--stream-from N]

leef / cef: every received line (after PREFIX) must parse with the strict
parser below; EXPECTED is what `auditfwd` (the same core, no rsyslog) made
of the sent lines. Both sides are reduced to what does not depend on the
receiving host (uid names and the host attribution are dropped) and must be
equal as multisets: the same messages, each exactly once, with the same
header and keys. Every received message must also carry the format's
mandatory keys, and its host must be the event's node or H.

raw: with joining on, every audit record of SENT except EOE arrives
byte-identical, exactly once; lines that are not audit records arrive as
they were; nothing else arrives; and the records of one audit event (from
line N of SENT on, where serials are unique) arrive as consecutive lines.
Exit 0 when all holds, 1 with the first differences otherwise.
"""
import argparse
import collections
import re
import sys

KEY = re.compile(r"[A-Za-z0-9_.]+\Z")
ID_DEPENDENT = {"usrName", "suser", "identHostName", "dvchost", "audit.incomplete"}


class Bad(Exception):
    pass


def leef_value(raw, key):
    out, i = bytearray(), 0
    while i < len(raw):
        c = raw[i]
        if c < 0x20 or c == 0x7F or c == ord("="):
            raise Bad("raw byte 0x%02x in the value of %s" % (c, key))
        if c != ord("\\"):
            out.append(c)
            i += 1
            continue
        nxt = raw[i + 1:i + 2]
        if nxt in (b"\\", b"="):
            out += nxt
            i += 2
        elif nxt == b"x" and re.match(rb"[0-9a-f]{2}\Z", raw[i + 2:i + 4]):
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
        elif nxt == b"u" and re.match(rb"[0-9a-f]{4}\Z", raw[i + 2:i + 6]):
            out += chr(int(raw[i + 2:i + 6], 16)).encode()   # an invisible character
            i += 6
        elif nxt == b"U" and re.match(rb"[0-9a-f]{8}\Z", raw[i + 2:i + 10]):
            out += chr(int(raw[i + 2:i + 10], 16)).encode()
            i += 10
        else:
            raise Bad("unknown escape in the value of %s" % key)
    return bytes(out)


def parse_leef(line, delim):
    """(header fields, [(key, value)]) of a LEEF 2.0 line, strictly"""
    if not line.startswith(b"LEEF:2.0|"):
        raise Bad("not LEEF 2.0")
    parts = line.split(b"|", 6)
    if len(parts) != 7:
        raise Bad("short header")
    hdr = [p.decode() for p in parts[1:6]]
    want = "x09" if delim == b"\t" else "x7c" if delim == b"|" else delim.decode()
    if hdr[4] != want:
        raise Bad("delimiter field %r, expected %r" % (hdr[4], want))
    pairs = []
    for attr in parts[6].split(delim):
        key, eq, val = attr.partition(b"=")
        key = key.decode("ascii", "replace")
        if not eq or not KEY.match(key):
            raise Bad("bad attribute %r" % attr[:60])
        pairs.append((key, leef_value(val, key)))
    return hdr[:4], pairs


def cef_header(line):
    if not line.startswith(b"CEF:0|"):
        raise Bad("not CEF")
    fields, cur, i = [], bytearray(), 6
    while len(fields) < 6:
        if i >= len(line):
            raise Bad("short header")
        c = line[i:i + 1]
        if c == b"\\":
            if line[i + 1:i + 2] not in (b"\\", b"|"):
                raise Bad("bad header escape")
            cur += line[i + 1:i + 2]
            i += 2
        elif c == b"|":
            fields.append(bytes(cur).decode("utf-8"))
            cur = bytearray()
            i += 1
        else:
            if c[0] < 0x20:
                raise Bad("control character in the header")
            cur += c
            i += 1
    return fields, line[i:]


CEF_KEY_AT = re.compile(rb"(?:^| )([A-Za-z0-9_.]+)=")


def parse_cef(line):
    hdr, ext = cef_header(line)
    if b"\n" in ext or b"\r" in ext:
        raise Bad("raw line break")
    # the '=' that start keys: not escaped (an even run of backslashes before)
    starts = []
    for m in CEF_KEY_AT.finditer(ext):
        j, n = m.end() - 2, 0
        while j >= 0 and ext[j:j + 1] == b"\\":
            n += 1
            j -= 1
        if n % 2 == 0:
            starts.append(m)
    if not starts or starts[0].start() != 0:
        raise Bad("extension does not start with a key")
    pairs = []
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(ext)
        raw, val, i = ext[m.end():end], bytearray(), 0
        while i < len(raw):
            c = raw[i:i + 1]
            if c == b"=":
                raise Bad("unescaped '=' in the value of %s" % m.group(1))
            if c == b"\\":
                e = raw[i + 1:i + 2]
                if e not in (b"\\", b"=", b"n", b"r"):
                    raise Bad("bad escape in the value of %s" % m.group(1))
                val += {b"n": b"\n", b"r": b"\r"}.get(e, e)
                i += 2
                continue
            val += c
            i += 1
        pairs.append((m.group(1).decode(), bytes(val)))
    return hdr, pairs


def normal(hdr, pairs):
    """what must not depend on the host that formatted the message"""
    keep = []
    for k, v in pairs:
        last = k.rsplit(".", 1)[-1]
        if k in ID_DEPENDENT or (last[:1].isupper() and k not in ("sev",)):
            continue
        keep.append((k, v))
    return (tuple(hdr), tuple(keep))


def check_kv(fmt, args):
    delim = args.delim.encode().decode("unicode_escape").encode() if args.delim else b"\t"
    prefix = args.prefix.encode()
    mandatory = (["devTime", "devTimeFormat", "cat", "sev", "identHostName"] if fmt == "leef"
                 else ["rt", "dvchost", "cat"])
    hostkey = "identHostName" if fmt == "leef" else "dvchost"

    def parse(line):
        return parse_leef(line, delim) if fmt == "leef" else parse_cef(line)

    def lines(path):
        with open(path, "rb") as f:
            data = f.read().split(b"\n")
        if data and data[-1] == b"":
            data.pop()
        return data

    expected = collections.Counter()
    for line in lines(args.expected):
        hdr, pairs = parse(line)
        expected[normal(hdr, pairs)] += 1
    received, errors = collections.Counter(), []
    for n, line in enumerate(lines(args.received), 1):
        try:
            if not line.startswith(prefix):
                raise Bad("does not start with %r" % prefix)
            hdr, pairs = parse(line[len(prefix):])
            d = dict(pairs)
            if len(d) != len(pairs):
                raise Bad("a key appears twice")
            miss = [k for k in mandatory if k not in d]
            if hdr[3] != "UNPARSED" and miss:
                raise Bad("missing %s" % miss)
            host = d.get("audit.node", args.host.encode())
            if d.get(hostkey) != host:
                raise Bad("host %r, expected %r" % (d.get(hostkey), host))
            received[normal(hdr, pairs)] += 1
        except Bad as e:
            errors.append("line %d: %s: %r" % (n, e, line[:160]))
    total = sum(received.values()) + len(errors)
    print("%s: %d received (%d expected), %d unparseable" %
          (fmt, total, sum(expected.values()), len(errors)))
    for e in errors[:5]:
        print("  " + e)
    missing, extra = expected - received, received - expected
    for what, c in (("missing", missing), ("unexpected", extra)):
        if c:
            print("  %d %s, e.g. %r" % (sum(c.values()), what, str(next(iter(c)))[:400]))
    return 0 if not errors and not missing and not extra else 1


def check_raw(args):
    with open(args.expected, "rb") as f:
        sent = [l for l in f.read().split(b"\n")]
    if sent and sent[-1] == b"":
        sent.pop()
    with open(args.received, "rb") as f:
        got = f.read().split(b"\n")
    if got and got[-1] == b"":
        got.pop()
    audit = re.compile(rb"(?:^|\s)type=(\S+) (?:msg=)?audit\((\d+\.\d+:\d+)\)")
    want = collections.Counter()
    for line in sent:
        m = audit.search(line)
        if m and m.group(1) in (b"EOE", b"1320"):
            continue
        want[line] += 1
    have = collections.Counter(got)
    print("raw: %d received, %d expected" % (len(got), sum(want.values())))
    rc = 0
    for what, c in (("missing", want - have), ("unexpected", have - want)):
        if c:
            print("  %d %s, e.g. %r" % (sum(c.values()), what, next(iter(c))[:200]))
            rc = 1
    # the records of an event (by node and id, serials unique from line N)
    ids = set()
    for line in sent[args.stream_from:]:
        m = audit.search(line)
        if m:
            ids.add(m.group(2))
    last_seen, split = {}, 0
    prev = None
    for i, line in enumerate(got):
        m = audit.search(line)
        key = m.group(2) if m and m.group(2) in ids else None
        if key is not None and key != prev and key in last_seen:
            split += 1
            if split <= 3:
                print("  event %s is not consecutive (line %d)" % (key.decode(), i + 1))
        if key is not None:
            last_seen[key] = i
        prev = key
    print("raw: %d events of the stream, %d split" % (len(ids), split))
    if split or not ids:
        rc = 1
    return rc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("format", choices=["leef", "cef", "raw"])
    ap.add_argument("expected")
    ap.add_argument("received")
    ap.add_argument("--delim", default="")
    ap.add_argument("--prefix", default="")
    ap.add_argument("--host", default="")
    ap.add_argument("--stream-from", type=int, default=0)
    args = ap.parse_args()
    if args.format == "raw":
        return check_raw(args)
    return check_kv(args.format, args)


if __name__ == "__main__":
    sys.exit(main())
