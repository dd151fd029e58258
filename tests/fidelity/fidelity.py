#!/usr/bin/python3
"""fidelity.py -- our field interpretation against auparse's, on a corpus.

For every corpus file, every record is read twice: by auparse (Debian's
python3-audit, the library behind `ausearch -i`) and by our core through
tests/fidelity/fidelity_dump (one line per field: ID TYPE NAME VALUE).
Records are paired by their line in the file and fields by (name,
occurrence); every auparse field counts once, plus every
field only we have. Prints the agreement per file and in total, and a table
of the kinds of disagreement; exits 1 below --min-agreement (percent). Kinds: "missing"
(auparse has the field, we do not), "extra" (the reverse), "quotes" (auparse
shows an uninterpreted value with the quotes it was written in, we show the
value), "value" (anything else). tests/fidelity/DIFFERENCES.md says why each
remaining kind is deliberate; --allow-kind lets a documented presentation
kind count as agreement, and the figure is then printed both ways.

auparse's own header fields ("node", "type") are not fields of ours (they
are the record's node and type) and are left out; everything else counts.
Run with the system python (/usr/bin/python3) so `import auparse` works.
"""
import argparse
import collections
import os
import subprocess
import sys

try:
    import auparse
except ImportError:
    sys.exit("fidelity.py: needs auparse (Debian python3-audit); "
             "run it with /usr/bin/python3")

HEADER_FIELDS = ("node", "type")
EXAMPLE_MAX = 120


def wanted(path):
    """Corpus files: any file holding at least one audit-looking line."""
    try:
        with open(path, "rb") as f:
            for line in f:
                if b"type=" in line and b"audit(" in line:
                    return True
    except OSError:
        pass
    return False


def tty_escape(s):
    """auparse's default (TTY) escaping of an interpreted value."""
    return "".join("\\%03o" % ord(c) if ord(c) < 0x20 else c for c in s)


def theirs(path):
    """{record key: [[(name, value)], ...]} as auparse reads the file."""
    recs = collections.defaultdict(list)
    au = auparse.AuParser(auparse.AUSOURCE_FILE, path)
    while au.parse_next_event():
        au.first_record()
        while True:
            try:
                key = (str(au.get_line_number()),)
            except (LookupError, RuntimeError):
                key = None
            fields = []
            if key is not None and au.first_field():
                while True:
                    try:
                        name = au.get_field_name()
                        value = au.interpret_field()
                    except (LookupError, RuntimeError):
                        name, value = "(unnamed)", ""
                    if name not in HEADER_FIELDS:
                        fields.append((name, tty_escape(value or "")))
                    if not au.next_field():
                        break
                recs[key].append(fields)
            if not au.next_record():
                break
    return recs


def ours(dump, path):
    """The same shape from our driver (ID is LINE:NODE|STAMP)."""
    out = subprocess.run([dump, path], check=True, capture_output=True).stdout
    recs = collections.defaultdict(list)
    prev = None
    for raw in out.decode("utf-8", "surrogateescape").split("\n"):
        if not raw:
            continue
        rid, rtype, name, value = raw.split("\t", 3)
        lineno = rid.split(":", 1)[0]
        key = (lineno,)
        if (lineno, key) != prev:
            recs[key].append([])
            prev = (lineno, key)
        recs[key][-1].append((name, value))
    return recs


def by_occurrence(fields):
    seen = collections.Counter()
    out = {}
    for name, value in fields:
        out[(name, seen[name])] = value
        seen[name] += 1
    return out


class Tally:
    def __init__(self):
        self.total = 0
        self.agree = 0
        self.kinds = collections.Counter()
        self.examples = {}

    def add(self, kind, example):
        self.kinds[kind] += 1
        self.examples.setdefault(kind, example)


def compare(mine, yours, tally, fname):
    for key in sorted(set(mine) | set(yours), key=str):
        a, b = mine.get(key, []), yours.get(key, [])
        for i in range(max(len(a), len(b))):
            fa = by_occurrence(a[i]) if i < len(a) else {}
            fb = by_occurrence(b[i]) if i < len(b) else {}
            for fk in list(fb) + [k for k in fa if k not in fb]:
                tally.total += 1
                name = fk[0]
                if fk not in fa:
                    tally.add((name, "missing"), (fname, key, "", fb[fk]))
                elif fk not in fb:
                    tally.add((name, "extra"), (fname, key, fa[fk], ""))
                elif fa[fk] == fb[fk]:
                    tally.agree += 1
                elif fb[fk] == '"' + fa[fk] + '"':
                    tally.add((name, "quotes"), (fname, key, fa[fk], fb[fk]))
                else:
                    tally.add((name, "value"), (fname, key, fa[fk], fb[fk]))


def pct(t):
    return 100.0 * t.agree / t.total if t.total else 100.0


def clip(s):
    return s if len(s) <= EXAMPLE_MAX else s[:EXAMPLE_MAX] + "..."


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dump", default="./fidelity_dump")
    ap.add_argument("--corpus", default=os.environ.get(
        "CORPUS_DIR", "/work/shared/corpus"))
    ap.add_argument("--min-agreement", type=float, default=99.9)
    ap.add_argument("--quiet", action="store_true", help="no per-file lines")
    ap.add_argument("--allow-kind", action="append", default=[],
                    help="count this documented kind of difference (e.g. "
                    "quotes) as agreement for the threshold; repeatable")
    args = ap.parse_args()

    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(args.corpus)
                   for f in fs)
    files = [f for f in files if wanted(f)]
    total = Tally()
    worst = (101.0, None)
    for path in files:
        t = Tally()
        rel = os.path.relpath(path, args.corpus)
        compare(ours(args.dump, path), theirs(path), t, rel)
        total.total += t.total
        total.agree += t.agree
        for k, n in t.kinds.items():
            total.kinds[k] += n
            total.examples.setdefault(k, t.examples[k])
        if t.total and pct(t) < worst[0]:
            worst = (pct(t), rel)
        if not args.quiet:
            print("%7.3f%%  %5d/%5d  %s" % (pct(t), t.agree, t.total, rel))
    print("\nTOTAL %.3f%%  (%d of %d fields agree, %d files)" %
          (pct(total), total.agree, total.total, len(files)))
    if worst[1]:
        print("worst file: %.3f%%  %s" % worst)
    if total.kinds:
        print("\ndisagreements (field, kind, count, example file/record, ours | theirs):")
        for (name, kind), n in total.kinds.most_common():
            fname, key, o, y = total.examples[(name, kind)]
            print("  %-16s %-8s %5d  %s line %s\n      ours:   %s\n      theirs: %s" %
                  (name, kind, n, fname, key[0], clip(o), clip(y)))
    by_kind = collections.Counter()
    for (_, kind), n in total.kinds.items():
        by_kind[kind] += n
    print("\nby kind: " + ", ".join("%s %d" % kv for kv in by_kind.most_common()))
    allowed = sum(by_kind[k] for k in args.allow_kind)
    score = pct(total)
    if allowed:
        score = 100.0 * (total.agree + allowed) / total.total
        print("agreement counting %s as agreeing: %.3f%%" %
              ("+".join(args.allow_kind), score))
    return 0 if score >= args.min_agreement else 1


if __name__ == "__main__":
    sys.exit(main())
