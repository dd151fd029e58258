#!/bin/sh
# The training run of `make pgo` (a profile-guided build): the auditfwd
# CLI built with -fprofile-generate formats the sample logs of tests/data
# in every format, as the CLI writes them and as the module sends them
# (an RFC 5424 header, messages reduced to 8096 bytes), so that the
# compiler learns which branches of the parser, the joiner, the
# interpreters and the formats real records take. The CLI and the module
# are built from the same objects (libauditfwd.la), so the module gets the
# same profile. The benchmark stream (tests/bench/gen_stream.py) is not
# trained on: the benchmarks measure a build that never saw their input.
#   contrib/pgo-train.sh AUDITFWD DATA_DIR
set -u
cli=${1:?usage: pgo-train.sh AUDITFWD DATA_DIR}
data=${2:?usage: pgo-train.sh AUDITFWD DATA_DIR}
as_sent="--syslog.header rfc5424 --maxMessageSize 8096"
n=0
for f in "$data"/*.log; do
	[ -f "$f" ] || continue
	for fmt in leef json cef raw; do
		for form in "" "$as_sent"; do
			# shellcheck disable=SC2086 # FORM is options, split on purpose
			"$cli" --format "$fmt" $form "$f" >/dev/null 2>&1 || {
				echo "pgo-train: auditfwd --format $fmt $form $f failed" >&2; exit 1; }
		done
	done
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "pgo-train: no *.log under $data" >&2; exit 1; }
echo "pgo-train: $n logs, 4 formats, 2 forms"
