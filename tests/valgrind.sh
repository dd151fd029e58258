#!/usr/bin/env bash
# valgrind.sh -- the unit tests and the CLI under valgrind (memcheck): no
# invalid read/write, no use of uninitialised values, no definite leak.
#
#   make check-valgrind                  from a build dir (plain build: the
#                                        sanitizer build cannot run in it)
#   tests/valgrind.sh [TEST...]          by hand, from the top of a build
#                                        dir; TEST is a unit test program
#                                        (default: every tests/unit/*/test_*)
#
# Criterion runs every test in a child process and ignores the exit status
# valgrind gives a child, so every process gets its own valgrind log
# (--trace-children=yes, --log-file=%p) and a log whose ERROR SUMMARY is not
# 0 is a failure; definite leaks count as errors
# (--errors-for-leak-kinds=definite). The CLI runs on every file of the
# corpus ($CORPUS_DIR), joined and enriched (the default), then on all of
# them at once in the other configurations.
#
# Environment: top_builddir (default .), top_srcdir (default: this
# script's tree), AUDITFWD, CORPUS_DIR, TEST_DATA_DIR (as make check),
# VALGRIND (default valgrind), VALGRIND_OPTS (more options, e.g.
# --track-origins=yes to find where an uninitialised value came from),
# VALGRIND_SKIP_CLI=1 (unit tests only), KEEP_LOGS=1 (keep the logs).
# Exit: 0 clean, 1 a finding (the logs are kept and their paths printed),
# 77 valgrind missing.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$PWD}"
: "${AUDITFWD:=$top_builddir/omauditfwd/auditfwd}"
: "${CORPUS_DIR:=/work/shared/corpus}"
: "${TEST_DATA_DIR:=$top_srcdir/tests/data}"
: "${VALGRIND:=valgrind}"
export top_srcdir top_builddir TEST_DATA_DIR CORPUS_DIR   # tests find tests/pki.sh by them

command -v "$VALGRIND" >/dev/null || { echo "SKIP: no $VALGRIND"; exit 77; }
[ -x "$AUDITFWD" ] || { echo "FAIL: no $AUDITFWD (run make first)"; exit 1; }
[ -d "$CORPUS_DIR" ] || { echo "FAIL: no corpus at $CORPUS_DIR"; exit 1; }

logs=$(mktemp -d "${TMPDIR:-/tmp}/omauditfwd-valgrind.XXXXXX") || exit 1
# system programs the tests start (sh, openssl) are not ours: not traced
# shellcheck disable=SC2206 # VALGRIND_OPTS is a list of options
VG=("$VALGRIND" --trace-children=yes --trace-children-skip='/bin/*,/usr/bin/*,/usr/sbin/*'
    --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99
    --num-callers=30 --suppressions="$here/valgrind.supp" ${VALGRIND_OPTS:-})
failed=0 runs=0
# the first line of every kind of memcheck error
VG_ERROR_RE='^==[0-9]+== (Invalid |Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|Argument .* of function|Process terminating|[0-9,]+ .*bytes in [0-9,]+ blocks are definitely lost)'

# run NAME CMD...: CMD under valgrind, logs in $logs/NAME/<pid>.log
run() {
	local name=$1 dir=$logs/$1 rc bad
	shift
	mkdir -p "$dir"
	runs=$((runs + 1))
	"${VG[@]}" --log-file="$dir/%p.log" "$@" >"$dir/stdout" 2>"$dir/stderr"
	rc=$?
	# a process that exec'd an untraced program (system()) has no summary:
	# then any error valgrind reported before the exec counts
	bad=$(for f in "$dir"/*.log; do
		if grep -q 'ERROR SUMMARY: ' "$f"; then
			grep -q 'ERROR SUMMARY: 0 errors' "$f" || echo "$f"
		elif grep -qE "$VG_ERROR_RE" "$f"; then
			echo "$f"
		fi
	done)
	if [ -n "$bad" ] || [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
		echo "FAIL: $name (exit $rc)"
		for f in $bad; do
			echo "  $f:"
			grep -E '^==[0-9]+== ([A-Z]|   (at|by) )' "$f" | head -n 30 | sed 's/^/    /'
		done
		[ "$rc" -eq 0 ] || tail -n 15 "$dir/stderr" | sed 's/^/    /'
	else
		echo "PASS: $name ($(ls "$dir"/*.log | wc -l) process(es))"
	fi
}

# ---- unit tests -----------------------------------------------------------------
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	for t in "$top_builddir"/tests/unit/*/test_*; do
		[ -x "$t" ] && [ -f "$t" ] && tests+=("$t")
	done
fi
[ ${#tests[@]} -gt 0 ] || { echo "FAIL: no unit tests in $top_builddir/tests/unit"; exit 1; }
for t in "${tests[@]}"; do
	# one test at a time: valgrind is slow and the transport tests wait
	# for their peers with deadlines
	run "$(basename "$t")" "$t" --jobs 1
done

# ---- the CLI on the corpus ------------------------------------------------------------
if [ -n "${VALGRIND_SKIP_CLI:-}" ]; then
	echo "=== valgrind: $runs run(s), the CLI skipped, $failed failure(s)"
	if [ "$failed" -eq 0 ] && [ -z "${KEEP_LOGS:-}" ]; then rm -rf "$logs"; else echo "logs: $logs"; fi
	[ "$failed" -eq 0 ]
	exit
fi
files=()
while IFS= read -r f; do files+=("$f"); done < <(find "$CORPUS_DIR" -type f | sort)
[ ${#files[@]} -gt 0 ] || { echo "FAIL: the corpus is empty"; exit 1; }
i=0
for f in "${files[@]}"; do
	i=$((i + 1))
	run "auditfwd-$i-$(basename "$f")" "$AUDITFWD" --host valgrind.example --stats "$f"
done
run auditfwd-all-nojoin "$AUDITFWD" --host valgrind.example --join off --enrich on \
	--syslog-header rfc5424 --stats "${files[@]}"
run auditfwd-all-raw "$AUDITFWD" --host valgrind.example --join on --enrich off \
	--unparsed drop --syslog-header rfc3164 "${files[@]}"
run auditfwd-all-ids "$AUDITFWD" --host valgrind.example --enrich-ids always \
	--join-maxpending 4 --join-timeout 1 "${files[@]}"

echo "=== valgrind: $runs run(s), ${#files[@]} corpus file(s), $failed failure(s)"
if [ "$failed" -eq 0 ] && [ -z "${KEEP_LOGS:-}" ]; then
	rm -rf "$logs"
else
	echo "logs: $logs"
fi
[ "$failed" -eq 0 ]
