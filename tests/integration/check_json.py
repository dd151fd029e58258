#!/usr/bin/env python3
"""check_json.py SENT RECEIVED [options]

Compare what a test sent (one line per message: audit records, and maybe
lines that are not audit records) with what the receiver wrote (one
message per line).

JSON mode (default; omauditfwd format=json, one object per audit record):
  * every received line must be a JSON object (any invalid line fails);
  * the multiset of (id, type) of the sent audit records is compared with
    the received objects: id is SEC.MSEC:SERIAL (MSEC 3 digits), type the
    name written in type=NAME. A sent type that is numeric (1300) or
    UNKNOWN[n] matches any received type with the same id (the module
    names it from libaudit);
  * a sent line that is not an audit record (no "type=" and "audit(") must
    arrive as {"type":"UNPARSED","reason":"not-audit","raw":<the line>};
  * for a sample of the sent records (--fields N, default 500; 0 = all),
    each plain key=value / key="value" field of the sent line must appear,
    with the same value (quotes removed), in the received object's member
    named by the record type. Fields whose name occurs more than once in
    the line, braced/single-quoted values, the contents of msg='...' and
    the interpreted part after an ENRICHED 0x1D separator are not checked.
Delivery mode (--delivery; outage tests): only that every sent line arrived
  (once, unless duplicates are allowed) as a record or as UNPARSED (raw may
  then carry a header in front of the line); no field, host or reason
  checks.
Raw mode (--raw; e.g. rsyslog's omfwd in the module's place): the received
lines must be exactly the sent lines (as a multiset).

Prints "sent=N received=M missing=X duplicates=Y" (and details) and exits
1 if anything is missing, unexpected, invalid or different; duplicates are
only reported, unless --no-duplicates.
"""
import argparse
import collections
import json
import re
import sys

ID_RX = re.compile(r"audit\((\d+)\.(\d+):(\d+)\)")
TYPE_RX = re.compile(r"(?:^|\s)type=(\S+)")
MAX_SHOW = 10


def read_lines(path):
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        print("(%s does not exist: nothing received)" % path)
        return []
    with f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [l.rstrip(b"\r").decode("utf-8", "surrogateescape") for l in lines]


def is_audit(line):
    return "type=" in line and "audit(" in line and ID_RX.search(line) is not None


def audit_id(line):
    m = ID_RX.search(line)
    return "%d.%03d:%d" % (int(m.group(1)), int(m.group(2)), int(m.group(3)))


def audit_type(line):
    m = TYPE_RX.search(line)
    return m.group(1) if m else None


def wildcard_type(t):
    return t is None or t.isdigit() or t.startswith("UNKNOWN[")


def tokenize(body):
    """(name, value, kind) of the top-level fields of BODY, in order.
    kind: plain, dquoted, squoted, braced. Tokens without '=' are skipped."""
    out = []
    i, n = 0, len(body)
    while i < n:
        while i < n and body[i] == " ":
            i += 1
        if i >= n:
            break
        j = i
        while j < n and body[j] not in " =":
            j += 1
        if j >= n or body[j] == " ":
            # a bare word ("denied", "{", "for"): skip it, and a brace group
            if body[i] == "{":
                k = body.find("}", i)
                j = n if k < 0 else k + 1
            i = j
            continue
        name = body[i:j]
        j += 1  # past '='
        if j < n and body[j] in "\"'":
            q = body[j]
            k = body.find(q, j + 1)
            if k < 0:
                out.append((name, body[j + 1:], "broken"))
                break
            out.append((name, body[j + 1:k], "dquoted" if q == '"' else "squoted"))
            i = k + 1
        elif j < n and body[j] == "{":
            k = body.find("}", j)
            k = n - 1 if k < 0 else k
            out.append((name, body[j:k + 1], "braced"))
            i = k + 1
        else:
            k = body.find(" ", j)
            k = n if k < 0 else k
            out.append((name, body[j:k], "plain"))
            i = k
    return out


def as_parsed(name, value, kind):
    """VALUE as the module's parser gives it (omauditfwd/parse/audit_record.c): a
    "(null)" glued to an UPPERCASE name= (a lost 0x1D) ends at ')'; a hex
    key= holding byte 01 is several rule keys, of which "key" is the first."""
    if kind != "plain":
        return value
    if re.match(r"\(null\)[A-Z][A-Z0-9_]*=", value):
        return "(null)"
    if name == "key" and re.fullmatch(r"(?:[0-9A-F]{2})+", value):
        pairs = [value[i:i + 2] for i in range(0, len(value), 2)]
        keys = "".join(" " if p == "01" else p for p in pairs).split()
        if keys:
            return keys[0]
    return value


def checkable_fields(line):
    """{name: value} of the fields of LINE the received JSON must repeat"""
    k = line.find("): ")
    if k < 0:
        return {}
    body = line[k + 3:]
    body = body.split("\x1d", 1)[0]
    toks = tokenize(body)
    squoted = " ".join(v for _, v, kind in toks if kind in ("squoted", "broken"))
    names = collections.Counter(name for name, _, _ in toks)
    # every "name=" anywhere in the line (ENRICHED part, nested msg included)
    everywhere = collections.Counter(re.findall(r"(?:^|[\s'{\x1d])([^\s=']+)=", line))
    res = {}
    for name, value, kind in toks:
        if kind not in ("plain", "dquoted") or name == "msg":
            continue
        if names[name] != 1 or everywhere[name] != 1:
            continue
        if re.search(r"(?:^|\s)" + re.escape(name) + "=", squoted):
            continue
        res[name] = as_parsed(name, value, kind)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sent")
    ap.add_argument("received")
    ap.add_argument("--raw", action="store_true", help="compare lines exactly")
    ap.add_argument("--no-duplicates", action="store_true", help="duplicates are fatal")
    ap.add_argument("--fields", type=int, default=500, metavar="N",
                    help="check the fields of N sampled records (0 = all)")
    ap.add_argument("--delivery", action="store_true",
                    help="judge delivery only: every sent line arrived once, as a "
                    "record or UNPARSED (raw may carry a header); no field, host or "
                    "reason checks")
    ap.add_argument("--host", help="the syslog header's hostname: every received "
                    "object's host must be this, or the record's node= when it has one")
    ap.add_argument("--quiet", action="store_true", help="summary line only")
    a = ap.parse_args()

    sent = read_lines(a.sent)
    received = read_lines(a.received)
    problems = []

    def detail(title, items):
        if items:
            problems.append("%s: %d" % (title, len(items)))
            if not a.quiet:
                print("%s (%d):" % (title, len(items)))
                for it in items[:MAX_SHOW]:
                    print("   ", it if len(str(it)) < 600 else str(it)[:600] + "...")

    def note(title, items):
        if items and not a.quiet:
            print("%s (%d, not fatal here):" % (title, len(items)))
            for it in items[:3]:
                print("   ", it if len(str(it)) < 300 else str(it)[:300] + "...")

    if a.raw:
        cs, cr = collections.Counter(sent), collections.Counter(received)
        missing = list((cs - cr).elements())
        extra = cr - cs
        dups = [l for l in extra.elements() if l in cs]
        unexpected = [l for l in extra.elements() if l not in cs]
        print("sent=%d received=%d missing=%d duplicates=%d unexpected=%d"
              % (len(sent), len(received), len(missing), len(dups), len(unexpected)))
        detail("missing", missing)
        detail("unexpected", unexpected)
        if a.no_duplicates:
            detail("duplicates", dups)
        return 1 if problems else 0

    # ---- JSON mode
    objs, invalid = [], []
    for i, line in enumerate(received):
        try:
            o = json.loads(line)
            if not isinstance(o, dict):
                raise ValueError("not an object")
            objs.append(o)
        except ValueError as e:
            invalid.append("line %d: %s: %r" % (i + 1, e, line[:300]))

    sent_audit = [l for l in sent if is_audit(l)]
    sent_other = [l for l in sent if not is_audit(l)]
    sent_all = set(sent)

    def match_raw(raw):
        """(sent line, prefix) for an UNPARSED raw: the line itself, or a
        sent line that RAW ends with after a space (a header in front)"""
        if raw in sent_all:
            return raw, ""
        for k, ch in enumerate(raw):
            if ch == " " and raw[k + 1:] in sent_all:
                return raw[k + 1:], raw[:k + 1]
        return None, None

    schema, unparsed_bad, unparsed_audit, raw_prefix = [], [], [], []
    missing, dups, unexpected = [], [], []
    recv_by_id = collections.defaultdict(list)      # id -> [type]
    objs_by_id = collections.defaultdict(list)      # id -> [obj]
    unparsed_got = collections.Counter()            # sent line -> UNPARSED copies
    for o in objs:
        t = o.get("type")
        if t == "UNPARSED":
            raw, reason = o.get("raw"), o.get("reason")
            if reason not in ("not-audit", "truncated", "too-long", "binary",
                              "too-many-fields"):
                unparsed_bad.append("bad reason: %r" % (o,))
            if not isinstance(raw, str):
                unparsed_bad.append("no raw: %r" % (o,))
                continue
            line, prefix = match_raw(raw)
            if line is None:
                unexpected.append("UNPARSED %r" % raw[:300])
                continue
            unparsed_got[line] += 1
            if prefix:
                raw_prefix.append("raw has %r in front of the line: %r" % (prefix, line[:200]))
            if not a.delivery:
                if a.host is not None and o.get("host") != a.host:
                    unparsed_bad.append("host %r, expected %r: %r"
                                        % (o.get("host"), a.host, o))
                if not is_audit(line) and reason != "not-audit":
                    unparsed_bad.append("expected reason not-audit: %r" % (o,))
            continue
        oid = o.get("id")
        if not isinstance(oid, str) or not isinstance(t, str):
            schema.append("no id/type: %r" % (o,))
            continue
        if not isinstance(o.get(t), dict):
            schema.append("no object member named by type %r: %r" % (t, o))
        if not isinstance(o.get("time"), str) or not isinstance(o.get("host"), str):
            schema.append("no time/host: %r" % (o,))
        elif a.host is not None and not a.delivery and o["host"] != o.get("node", a.host):
            schema.append("host %r, expected %r: %r" % (o["host"], o.get("node", a.host), o))
        if "node" in o and not isinstance(o["node"], str):
            schema.append("node is not a string: %r" % (o,))
        recv_by_id[oid].append(t)
        objs_by_id[oid].append(o)

    # audit records: by (id, type); those that arrived UNPARSED are delivered
    # (--delivery) or a failure of their own, not counted as missing
    sent_by_id = collections.defaultdict(list)
    for l in sent_audit:
        if unparsed_got[l] > 0:
            unparsed_got[l] -= 1
            unparsed_audit.append(l[:300])
            continue
        sent_by_id[audit_id(l)].append(audit_type(l))
    for i, types in sent_by_id.items():
        rest = collections.Counter(recv_by_id.get(i, []))
        wild = 0
        for t in types:
            if wildcard_type(t):
                wild += 1
            elif rest[t] > 0:
                rest[t] -= 1
            else:
                missing.append("%s %s" % (i, t))
        left = list(rest.elements())
        if len(left) < wild:
            missing += ["%s (numeric/unknown type)" % i] * (wild - len(left))
        dups += ["%s %s" % (i, t) for t in left[wild:]]
    for i, types in recv_by_id.items():
        if i not in sent_by_id:
            unexpected += ["%s %s" % (i, t) for t in types]

    # lines that are not audit records: one UNPARSED each; leftover UNPARSED
    # copies of audit lines are duplicates
    cu = collections.Counter(sent_other)
    for line, k in cu.items():
        got = unparsed_got[line]
        unparsed_got[line] = 0
        if got < k:
            missing += ["UNPARSED %r" % line[:200]] * (k - got)
        elif got > k:
            dups += ["UNPARSED %r" % line[:200]] * (got - k)
    for line, k in unparsed_got.items():
        dups += ["UNPARSED %r" % line[:200]] * k

    # fields of a sample of records
    fields_bad, checked = [], 0
    if a.fields >= 0 and sent_audit and not a.delivery:
        step = 1 if a.fields == 0 or a.fields >= len(sent_audit) else len(sent_audit) / a.fields
        idx = sorted({int(k * step) for k in range(len(sent_audit) if step == 1 else a.fields)})
        for k in idx:
            line = sent_audit[k]
            want = checkable_fields(line)
            if not want:
                continue
            i, t = audit_id(line), audit_type(line)
            cands = [o for o in objs_by_id.get(i, [])
                     if wildcard_type(t) or o.get("type") == t]
            if not cands:
                continue  # counted as missing already
            checked += 1
            best = None
            for o in cands:
                rec = o.get(o.get("type"))
                if not isinstance(rec, dict):
                    continue
                diff = ["%s: sent %r, got %r" % (n, v, rec.get(n))
                        for n, v in want.items() if rec.get(n) != v]
                if best is None or len(diff) < len(best):
                    best = diff
            if best:
                fields_bad.append("%s %s: %s\n      sent: %s" % (i, t, "; ".join(best[:5]),
                                                                line[:400]))

    print("sent=%d received=%d missing=%d duplicates=%d unexpected=%d invalid=%d "
          "unparsed_audit=%d raw_prefixed=%d fields_checked=%d fields_bad=%d"
          % (len(sent), len(received), len(missing), len(dups), len(unexpected),
             len(invalid), len(unparsed_audit), len(raw_prefix), checked, len(fields_bad)))
    detail("invalid JSON lines", invalid)
    detail("missing", missing)
    detail("unexpected (not sent)", unexpected)
    detail("schema errors", schema)
    if a.delivery:
        note("audit records that arrived UNPARSED (delivered)", unparsed_audit)
        note("UNPARSED raw is not exactly the line", raw_prefix)
    else:
        detail("audit records that arrived UNPARSED", unparsed_audit)
        detail("UNPARSED raw is not exactly the line", raw_prefix)
        detail("bad UNPARSED objects", unparsed_bad)
        detail("field mismatches", fields_bad)
    if a.no_duplicates:
        detail("duplicates", dups)
    elif dups and not a.quiet:
        print("duplicates (%d, not fatal):" % len(dups))
        for d in dups[:MAX_SHOW]:
            print("   ", d)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
