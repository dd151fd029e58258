#!/usr/bin/env bash
# Interpretation fidelity against auparse (python3-audit, the library behind
# `ausearch -i`), field by field over the whole corpus, with enrich.ids=always
# on our side so both use this host's passwd. Fails below 99.9 % agreement;
# prints the agreement per file and in total and every kind of disagreement
# (tests/fidelity/DIFFERENCES.md says why each remaining kind is deliberate).
# Then shows the gate can fail: the same comparison, with a driver that
# misnames one value, must report it and fail.
. "$(dirname "$0")/lib.sh"

AUPARSE_PYTHON=/usr/bin/python3   # Debian's python3-audit is for the system python
FIDELITY=$top_srcdir/tests/fidelity/fidelity.py
DUMP=$top_builddir/tests/fidelity/fidelity_dump
MIN_AGREEMENT=99.9

require_corpus
[ -x "$DUMP" ] || skip "fidelity driver not built: $DUMP"
"$AUPARSE_PYTHON" -c 'import auparse' 2>/dev/null ||
	skip "auparse for $AUPARSE_PYTHON not found (Debian package python3-audit)"

log "comparing $CORPUS_DIR with auparse"
"$AUPARSE_PYTHON" "$FIDELITY" --dump "$DUMP" --corpus "$CORPUS_DIR" \
	--min-agreement "$MIN_AGREEMENT" >"$T/report" 2>&1
rc=$?
cat "$T/report"
[ $rc -eq 0 ] || fail "agreement with auparse below $MIN_AGREEMENT % (exit $rc)"
grep -q '^TOTAL ' "$T/report" || fail "no total in the report"
files=$(grep -c '^ *[0-9.]*%  ' "$T/report")
[ "$files" -ge 1 ] || fail "no per-file lines in the report"

# the gate: one file, and a driver that shows uid 0 as "nobody" instead of
# "root" -- a real disagreement, which must be counted and fail the run
mkdir -p "$T/corpus" || fail "mkdir"
sample=$CORPUS_DIR/linux-audit__audit-userspace/auparse__test__test.log
[ -f "$sample" ] || sample=$(grep -rl " uid=0 " "$CORPUS_DIR" | head -n 1)
cp "$sample" "$T/corpus/" || fail "no corpus file with uid=0"
cat >"$T/wrong_dump" <<EOF
#!/bin/sh
"$DUMP" "\$1" | sed 's/\tuid\troot\$/\tuid\tnobody/'
EOF
chmod +x "$T/wrong_dump"
"$AUPARSE_PYTHON" "$FIDELITY" --dump "$T/wrong_dump" --corpus "$T/corpus" \
	--quiet >"$T/wrong" 2>&1
rc=$?
cat "$T/wrong"
[ $rc -eq 1 ] || fail "a misnamed uid did not fail the comparison (exit $rc)"
grep -q '^  uid  *value ' "$T/wrong" || fail "the misnamed uid is not reported"
pass "agreement >= $MIN_AGREEMENT % over $files files"
