#!/usr/bin/env python3
"""check_oversized.py -- what a collector received of gen_oversized.py's stream.

  check_oversized.py json|leef N BIG RECEIVED [--limit L] [--delim C]

RECEIVED holds one message per line (the receiver's %msg% / ${MSG}). Every
event must be there exactly once and nothing else: the N ordinary events
(serials 1..N) whole -- the message parses (JSON; strict LEEF), is not
reduced, and carries its arguments "ls -la /tmp/dirN" -- and the BIG
oversized ones (serials 1000001..) reduced: parseable, flagged with the
size they had, carrying id, type, host, the rule key, the user, exe, cwd,
syscall, argc and the first arguments, with the cut marked. With --limit,
no line is longer than L bytes. Exit 0, or 1 with what is wrong.
"""
import json
import re
import sys

KEY = re.compile(r"[A-Za-z0-9_.]+\Z")
CUT_ARGS = re.compile(r"\[\.\.\. \d+ args, \d+ bytes cut \.\.\.\]")


class Bad(Exception):
    pass


def leef_pairs(line, delim):
    m = re.match(r"LEEF:2\.0\|Linux\|auditd\|1\.0\|([^|]*)\|([^|]*)\|", line)
    if not m:
        raise Bad("not a LEEF 2.0 header")
    pairs = {}
    for part in line[m.end():].split(delim):
        if "=" not in part:
            raise Bad("a pair without '=': %r" % part[:60])
        k, v = part.split("=", 1)
        if not KEY.match(k):
            raise Bad("bad key %r" % k[:60])
        i, out = 0, []
        while i < len(v):   # escapes \\ \= \xHH only; no raw '=' or control
            c = v[i]
            if c == "=" or ord(c) < 0x20:
                raise Bad("raw %r in the value of %s" % (c, k))
            if c == "\\":
                n = v[i + 1:i + 2]
                if n in ("\\", "="):
                    out.append(n)
                    i += 2
                    continue
                if n == "x" and re.match(r"[0-9a-f]{2}", v[i + 2:i + 4]):
                    out.append(chr(int(v[i + 2:i + 4], 16)))
                    i += 4
                    continue
                raise Bad("bad escape in the value of %s" % k)
            out.append(c)
            i += 1
        if k in pairs:
            raise Bad("key %s twice" % k)
        pairs[k] = "".join(out)
    return m.group(1), pairs


def check_json(line, n_big):
    o = json.loads(line)
    serial = int(o["id"].split(":")[1])
    ex = o["EXECVE"][0] if isinstance(o["EXECVE"], list) else o["EXECVE"]
    argv = ex["argv"]
    if serial < 1000000:
        if "reduced" in o:
            raise Bad("event %d reduced" % serial)
        if argv != ["ls", "-la", "/tmp/dir%d" % serial]:
            raise Bad("event %d: argv %r" % (serial, argv[:4]))
        if o["SYSCALL"]["key"] != "exec" or o["CWD"]["cwd"] != "/home/alice":
            raise Bad("event %d: fields wrong" % serial)
        return serial
    r = o.get("reduced")
    if not r or r["from"] <= len(line):
        raise Bad("event %d: not flagged reduced from a larger size: %r" % (serial, r))
    sc = o["SYSCALL"]
    need = {"key": "big", "exe": "/usr/bin/java", "comm": "java", "uid": "1000",
            "auid": "1000", "syscall": "59", "success": "yes"}
    for k, v in need.items():
        if sc.get(k) != v:
            raise Bad("event %d: SYSCALL.%s is %r" % (serial, k, sc.get(k)))
    if o.get("CWD", {}).get("cwd") != "/srv/app" or not o.get("host") or o["type"] != "SYSCALL":
        raise Bad("event %d: cwd/host/type missing" % serial)
    if argv[:2] != ["java", "-cp"] or not any(CUT_ARGS.fullmatch(a) for a in argv):
        raise Bad("event %d: argv head %r, no cut marker" % (serial, argv[:3]))
    if argv[-1] != "com.example.Main" or int(ex["argc"]) < len(argv):
        raise Bad("event %d: argv tail %r" % (serial, argv[-1:]))
    return serial


def check_leef(line, delim):
    eid, p = leef_pairs(line, delim)
    serial = int(p["audit.id"].split(":")[1])
    if serial < 1000000:
        if "audit.reduced" in p:
            raise Bad("event %d reduced" % serial)
        if p.get("EXECVE.argv") != "ls -la /tmp/dir%d" % serial or p.get("policy") != "exec":
            raise Bad("event %d: argv %r" % (serial, p.get("EXECVE.argv", "")[:40]))
        return serial
    if int(p.get("audit.reduced", 0)) <= len(line):
        raise Bad("event %d: not flagged reduced from a larger size" % serial)
    need = {"policy": "big", "SYSCALL.exe": "/usr/bin/java", "SYSCALL.comm": "java",
            "SYSCALL.uid": "1000", "SYSCALL.auid": "1000", "SYSCALL.syscall": "59",
            "CWD.cwd": "/srv/app", "resource": "/usr/bin/java"}
    for k, v in need.items():
        if p.get(k) != v:
            raise Bad("event %d: %s is %r" % (serial, k, p.get(k)))
    if eid != "SYSCALL:execve" or not p.get("identHostName"):
        raise Bad("event %d: EventID %r / host" % (serial, eid))
    argv = p.get("EXECVE.argv", "")
    if not argv.startswith("java -cp ") or not CUT_ARGS.search(argv) or \
            not argv.endswith(" com.example.Main"):
        raise Bad("event %d: argv %r" % (serial, argv[:60]))
    return serial


def main():
    fmt, n, n_big, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 0
    delim = sys.argv[sys.argv.index("--delim") + 1] if "--delim" in sys.argv else "\t"
    seen, errors = {}, []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for i, line in enumerate(lines, 1):
        try:
            if limit and len(line.encode("utf-8", "surrogateescape")) > limit:
                raise Bad("%d bytes, over the limit %d" % (len(line), limit))
            s = check_json(line, n_big) if fmt == "json" else check_leef(line, delim)
            seen[s] = seen.get(s, 0) + 1
        except (Bad, ValueError, KeyError, IndexError, TypeError) as e:
            errors.append("line %d (%d bytes, %r...): %s" % (i, len(line), line[:50], e))
    want = set(range(1, n + 1)) | set(range(1000001, 1000001 + n_big))
    missing = sorted(want - set(seen))
    twice = sorted(s for s, c in seen.items() if c > 1)
    extra = sorted(set(seen) - want)
    ok = not (errors or missing or twice or extra)
    print("%s %s: %d lines, %d events of %d, %d missing, %d twice, %d bad lines%s" % (
        "OK" if ok else "BAD", path, len(lines), len(seen), len(want), len(missing),
        len(twice), len(errors), "" if ok else
        ": " + "; ".join(errors[:3] + ["missing %s" % missing[:8]] * bool(missing) +
                         ["twice %s" % twice[:8]] * bool(twice))))
    return 0 if ok else 1


sys.exit(main())
