#!/usr/bin/python3
"""fidelity.py -- our field interpretation against auparse's, on a corpus.

For every corpus file, every record is read twice: by auparse (Debian's
python3-audit, the library behind `ausearch -i`) and by our core through
tests/fidelity/fidelity_dump (one line per field: ID TYPE NAME VALUE).
Records are paired by their line in the file and fields by (name,
occurrence); every auparse field counts once, plus every field only we
have. A field agrees when both texts are identical, or when one of the
documented normalisations in normalised()/glued() applies (auparse's text
is then not an interpretation of the field: a quoted token it does not
interpret, ENRICHED values after a space, input that was interpreted before
it was written, a lost 0x1D); those are counted and printed by name.
Prints the agreement per file and in total and a table of the kinds of
disagreement; exits 1 below --min-agreement (percent). Kinds: "missing"
(auparse has the field, we do not), "extra" (the reverse), "quotes" (only
auparse's quotes differ, but auparse did interpret it), "value" (anything
else). tests/fidelity/DIFFERENCES.md says why each remaining one is
deliberate.

auparse's own header fields ("node", "type") are not fields of ours (they
are the record's node and type) and are left out; everything else counts.
Run with the system python (/usr/bin/python3) so `import auparse` works.
"""
import argparse
import collections
import os
import re
import subprocess
import sys

try:
    import auparse
except ImportError:
    sys.exit("fidelity.py: needs auparse (Debian python3-audit); "
             "run it with /usr/bin/python3")

HEADER_FIELDS = ("node", "type")
SKIPPED = []    # auparse records that are not audit lines (see theirs())
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
            if key is not None and "type=" not in au.get_record_text():
                # not an audit record: auparse makes a record, with one
                # nameless field, of any line inside an event (a comment
                # line of a test file); our parser rejects it
                SKIPPED.append(key)
                key = None
            if key is not None and au.first_field():
                while True:
                    try:
                        name = au.get_field_name()
                        value = au.interpret_field()
                        raw = au.get_field_str()
                        ftype = au.get_field_type()
                    except (LookupError, RuntimeError):
                        name, value, raw, ftype = "(unnamed)", "", "", 0
                    if name not in HEADER_FIELDS:
                        fields.append((name, Theirs(tty_escape(value or ""),
                                                    raw or "", ftype)))
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


class Theirs:
    """auparse's view of one field: its interpretation (what ausearch -i
    prints), the token as written, and auparse's type for the field."""
    __slots__ = ("value", "raw", "ftype")

    def __init__(self, value, raw, ftype):
        self.value, self.raw, self.ftype = value, raw, ftype

    def __eq__(self, other):
        return self.value == other

    def __str__(self):
        return self.value


def by_occurrence(fields):
    seen = collections.Counter()
    out = {}
    for name, value in fields:
        out[(name, seen[name])] = value
        seen[name] += 1
    return out


# auparse types whose interpretation reads the token as a number (uid/gid
# names, syscall, arch, syscall arguments); see "already-interpreted" below.
NUMERIC_TYPES = (auparse.AUPARSE_TYPE_UID, auparse.AUPARSE_TYPE_GID,
                 auparse.AUPARSE_TYPE_SYSCALL, auparse.AUPARSE_TYPE_ARCH,
                 auparse.AUPARSE_TYPE_A0, auparse.AUPARSE_TYPE_A1,
                 auparse.AUPARSE_TYPE_A2, auparse.AUPARSE_TYPE_A2 + 1)  # A3
NUMBER = re.compile(r"-?[0-9A-Fa-f]+")


def normalised(name, ours, theirs, record):
    """The documented normalisation under which OURS agrees with THEIRS
    (auparse's field in RECORD, a by_occurrence dict), or None. Each one is
    a case where auparse's interpretation is not a statement about the field
    (tests/fidelity/DIFFERENCES.md says why); each is counted and printed.

    enriched: the record carries auditd's ENRICHED values after a space
      (auditd's syslog plugin replaces the 0x1D separator by one), so
      auparse takes UID="alice" for a field of its own, uninterpreted, and
      interprets uid with this host's passwd. Given the 0x1D form, auparse
      interprets uid by the ENRICHED value (its "interpretation list"), and
      so do we in both forms. Compared with that value.
    quotes: auparse has no interpretation for the field and returns the
      token as written (interpretation == raw token); the token is our value
      in double quotes.
    already-interpreted: auparse reads the token as a number, but it is not
      one (uid=vagrant, syscall=execve, arch=x86_64, a0=0x1fd05c0: an input
      whose values were interpreted before it was written); we show the
      token as written, auparse shows what strtoul() made of it."""
    if theirs.value == theirs.raw and theirs.raw == '"' + ours + '"':
        return "quotes"
    upper = record.get((name[0].upper(), name[1]))
    if (name[0] != name[0].upper() and upper is not None and
            upper.value == upper.raw and upper.raw == '"' + ours + '"'):
        return "enriched"
    if (theirs.ftype in NUMERIC_TYPES and not NUMBER.fullmatch(theirs.raw)
            and ours == theirs.raw):
        return "already-interpreted"
    return None


def glued(name, ours, record):
    """lost-separator: ENRICHED text whose 0x1D was deleted on the way glues
    the first interpreted field to the last raw value (key=(null)ARCH=x86_64).
    auparse keeps it inside that value ("(null)" is what it shows for key);
    we split it, so ARCH is a field of ours only. It agrees when auparse's
    token holds exactly that field and value right after "(null)"."""
    text = "(null)%s=%s" % (name, ours)
    return name.isupper() and any(t.raw == text or t.raw.startswith(text + " ")
                                  for t in record.values())


class Tally:
    def __init__(self):
        self.total = 0
        self.agree = 0
        self.normalised = collections.Counter()
        self.kinds = collections.Counter()
        self.examples = {}

    def add(self, kind, example):
        self.kinds[kind] += 1
        self.examples.setdefault(kind, example)

    def merge(self, other):
        self.total += other.total
        self.agree += other.agree
        self.normalised.update(other.normalised)
        for k, n in other.kinds.items():
            self.kinds[k] += n
            self.examples.setdefault(k, other.examples[k])


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
                    tally.add((name, "missing"), (fname, key, "", str(fb[fk])))
                    continue
                if fk not in fb:
                    if glued(name, fa[fk], fb):
                        tally.normalised["lost-separator"] += 1
                    else:
                        tally.add((name, "extra"), (fname, key, fa[fk], ""))
                    continue
                ours, theirs = fa[fk], fb[fk]
                if ours == theirs.value:
                    tally.agree += 1
                    continue
                how = normalised(fk, ours, theirs, fb)
                if how:
                    tally.normalised[how] += 1
                elif theirs.raw == '"' + ours + '"':
                    tally.add((name, "quotes"), (fname, key, ours, str(theirs)))
                else:
                    tally.add((name, "value"), (fname, key, ours, str(theirs)))


def pct(t):
    """Agreement in percent, counting the documented normalisations."""
    agree = t.agree + sum(t.normalised.values())
    return 100.0 * agree / t.total if t.total else 100.0


def strict_pct(t):
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
    args = ap.parse_args()

    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(args.corpus)
                   for f in fs)
    files = [f for f in files if wanted(f)]
    if not files:
        sys.exit("fidelity.py: no audit log in %s" % args.corpus)
    total = Tally()
    worst = (101.0, None)
    for path in files:
        t = Tally()
        rel = os.path.relpath(path, args.corpus)
        compare(ours(args.dump, path), theirs(path), t, rel)
        total.merge(t)
        if t.total and pct(t) < worst[0]:
            worst = (pct(t), rel)
        if not args.quiet:
            print("%7.3f%%  %5d/%5d  %s" % (pct(t), t.total - sum(
                t.kinds.values()), t.total, rel))
    agreeing = total.total - sum(total.kinds.values())
    print("\nTOTAL %.3f%%  (%d of %d fields agree, %d files)" %
          (pct(total), agreeing, total.total, len(files)))
    print("  of which identical: %d (%.3f%%); agreeing after a documented "
          "normalisation: %s" % (total.agree, strict_pct(total), ", ".join(
              "%s %d" % kv for kv in total.normalised.most_common()) or "none"))
    if SKIPPED:
        print("  not compared: %d line(s) auparse reads as a record but that "
              "hold no type= (comments)" % len(SKIPPED))
    if worst[1]:
        print("worst file: %.3f%%  %s" % worst)
    if total.kinds:
        print("\ndisagreements (field, kind, count, example file/record, "
              "ours | theirs):")
        for (name, kind), n in total.kinds.most_common():
            fname, key, o, y = total.examples[(name, kind)]
            print("  %-16s %-8s %5d  %s line %s\n      ours:   %s\n"
                  "      theirs: %s" % (name, kind, n, fname, key[0], clip(o),
                                        clip(y)))
    by_kind = collections.Counter()
    for (_, kind), n in total.kinds.items():
        by_kind[kind] += n
    print("\ndisagreements by kind: " + (", ".join(
        "%s %d" % kv for kv in by_kind.most_common()) or "none"))
    if pct(total) < args.min_agreement:
        print("FAIL: agreement %.3f%% is below %.3f%%" %
              (pct(total), args.min_agreement))
        return 1
    print("PASS: agreement %.3f%% >= %.3f%%" % (pct(total), args.min_agreement))
    return 0


if __name__ == "__main__":
    sys.exit(main())
