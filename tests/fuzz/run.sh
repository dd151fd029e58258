#!/usr/bin/env bash
# run.sh -- build the libFuzzer targets (ASan + UBSan + LeakSanitizer), seed
# their corpora from tests/data/*.log (and $CORPUS_DIR), replay the saved
# regressions, fuzz each target for a while, and report per target the
# executions and the crashes. Exits non-zero on any crash, leak, timeout,
# out-of-memory or sanitizer report; the inputs that caused them are kept
# and their paths printed.
#
#   tests/fuzz/run.sh --smoke                 CI: 15 s per target (< 2 min)
#   tests/fuzz/run.sh --seconds 600 --jobs 1  a longer run
#
# Options:
#   --smoke          15 s per target, one job each
#   --seconds N      seconds per target (default 60)
#   --jobs N         parallel fuzzing processes per target (default 1)
#   --target NAME    only this target (repeatable): fuzz_record,
#                    fuzz_pipeline, fuzz_joiner, fuzz_enrich
#   --build-only     build and seed, do not fuzz
#   --regressions    build and replay regressions/ only
# Environment:
#   CC               a clang with libFuzzer (default clang)
#   FUZZ_BUILD_DIR   build dir (default ${TMPDIR:-/tmp}/omauditfwd-fuzz);
#                    corpora grow there from run to run
#   CORPUS_DIR       more seeds: every line with "type=" in its files
#   FUZZ_SRC         the core sources (default omauditfwd/ of this tree),
#                    e.g. a copy with a known bug patched so a long run
#                    gets past it; the list of core files is taken from
#                    the Makefile.am beside it (libauditfwd_la_SOURCES
#                    without the transports)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
src=${FUZZ_SRC:-$top/omauditfwd}
build=${FUZZ_BUILD_DIR:-${TMPDIR:-/tmp}/omauditfwd-fuzz}
cc=${CC:-clang}
all_targets="fuzz_record fuzz_pipeline fuzz_joiner fuzz_enrich fuzz_filter"

seconds=60 jobs=1 build_only=0 regressions_only=0 targets=""
SMOKE_SECONDS=15         # 4 targets: < 2 min with the build
MAX_LEN=70000            # lines up to AUDIT_RECORD_MAX_LEN (64 KiB) and beyond
UNIT_TIMEOUT_S=25        # one input taking longer is a finding
RSS_LIMIT_MB=2048
CORPUS_DIR_MAX_SEEDS=5000

die() { echo "run.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--smoke) seconds=$SMOKE_SECONDS; jobs=1 ;;
	--seconds) [ $# -ge 2 ] || die "--seconds needs a value"; seconds=$2; shift ;;
	--jobs) [ $# -ge 2 ] || die "--jobs needs a value"; jobs=$2; shift ;;
	--target) [ $# -ge 2 ] || die "--target needs a value"; targets="$targets $2"; shift ;;
	--build-only) build_only=1 ;;
	--regressions) regressions_only=1 ;;
	-h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option: $1 (try --help)" ;;
	esac
	shift
done
case $seconds in ''|*[!0-9]*) die "--seconds: not a number: $seconds" ;; esac
case $jobs in ''|*[!0-9]*|0) die "--jobs: not a positive number: $jobs" ;; esac
targets=${targets:-$all_targets}
for t in $targets; do
	case " $all_targets " in *" $t "*) ;; *) die "unknown target: $t" ;; esac
done

mkdir -p "$build/obj" "$build/bin" "$build/seeds" "$build/crashes" "$build/work" || exit 2

# The core: what libauditfwd is built from (Makefile.am), but the
# transports and their helpers (OpenSSL, librdkafka, sockets: not input
# parsing; the route encoding they share with the joiner stays in), the
# settings table (it names the transports), and the join
# timer that drives them from a thread. A format or helper added to the
# library is fuzzed without a change here.
makefile=$src/../Makefile.am
[ -f "$makefile" ] || makefile=$top/Makefile.am
core=$(awk '/^libauditfwd_la_SOURCES *=/ { on = 1 } on { print; if ($0 !~ /\\$/) exit }' "$makefile" |
	tr ' \t\\' '\n\n\n' | sed -n 's|^omauditfwd/\(.*\)\.c$|\1|p' | grep -Ev '^(transport/(transport|transport_(stream|tcp|tls|kafka|relp)|kafka_.*)|settings/.*|event/join_timer)$')
[ -n "$core" ] || die "no core sources in $makefile"

# ---- build ------------------------------------------------------------------
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-g -O1 -fno-omit-frame-pointer -Wall -Wextra $(for d in "$src"/*/; do printf -- '-I%s ' "${d%/}"; done)$SAN"
LIBS="-laudit -lpthread"

echo "=== build ($cc) into $build"
pids=""
for f in $core; do
	$cc $CFLAGS -fsanitize=fuzzer-no-link -c "$src/$f.c" -o "$build/obj/${f##*/}.o" &
	pids="$pids $!"
done
for t in $targets; do
	$cc $CFLAGS -fsanitize=fuzzer-no-link -c "$here/$t.c" -o "$build/obj/$t.o" &
	pids="$pids $!"
done
for p in $pids; do wait "$p" || die "compilation failed"; done
objs=""
for f in $core; do objs="$objs $build/obj/${f##*/}.o"; done
for t in $targets; do
	# shellcheck disable=SC2086 # word splitting of flags and objects is meant
	$cc $CFLAGS -fsanitize=fuzzer "$build/obj/$t.o" $objs $LIBS -o "$build/bin/$t" ||
		die "link of $t failed"
done

# ---- seeds --------------------------------------------------------------------
# fuzz_record / fuzz_enrich: one line per file. fuzz_pipeline: a config
# byte (see fuzz_pipeline.c), with bit 7 a format byte, then a line,
# cycling through the configs and formats, plus every whole file joined
# and enriched. fuzz_joiner: a config byte then every whole file, as is
# and cut into batches committed, replayed and flushed (fuzz_joiner.c).
echo "=== seeds"
rm -rf "$build/seeds" && mkdir -p "$build/seeds/line" "$build/seeds/pipeline" "$build/seeds/joiner" \
	"$build/seeds/filter"
# fuzz_filter: a rule set, a line "----", then a file's lines
filter_rules=("drop type=CWD" "keep key=T1*
limit 1/s per exe" "a: limit 2/s syscall=execve,connect
drop success=no uid!=0
b: drop family=inet addr=10.* port=22" "drop key=(null)
limit 1/s")
n=0
octal() { printf '%03o' "$1"; }
add_line() {   # LINE
	local cfg
	n=$((n + 1))
	printf '%s' "$1" >"$build/seeds/line/$n"
	cfg=$(( (n * 37) % 256 ))
	{ printf "\\$(octal "$cfg")"
	  [ "$cfg" -lt 128 ] || printf "\\$(octal $(( n % 8 )))"
	  printf '%s' "$1"; } >"$build/seeds/pipeline/$n"
}
for f in "$top"/tests/data/*.log; do
	b=$(basename "$f" .log)
	while IFS= read -r line || [ -n "$line" ]; do add_line "$line"; done <"$f"
	for cfg in 040 050 151; do   # 0x20 join, 0x28 join+enrich, 0x69 join+enrich+replay+3164
		{ printf "\\$cfg"; cat "$f"; } >"$build/seeds/pipeline/$b-$cfg"
	done
	for fmt in 0 1 2 3; do       # 0xa8 join+enrich, format by index
		{ printf "\\250\\$(octal "$fmt")"; cat "$f"; } >"$build/seeds/pipeline/$b-fmt$fmt"
	done
	k=0
	for r in "${filter_rules[@]}"; do
		k=$((k + 1))
		{ printf '%s\n----\n' "$r"; cat "$f"; } >"$build/seeds/filter/$b-$k"
	done
	for cfg in 047 003 017 060; do   # max_pending 8/4/16/1, timeouts 2 s/0/0/100 s
		{ printf "\\$cfg"; cat "$f"; } >"$build/seeds/joiner/$b-$cfg"
		{ printf "\\$cfg"; awk '{ print } NR % 5 == 0 { print "\002" } NR % 7 == 0 { print "\003" }
		                         NR % 3 == 0 { print "\001" }' "$f"; } >"$build/seeds/joiner/$b-$cfg-batches"
	done
done
if [ -n "${CORPUS_DIR:-}" ] && [ -d "$CORPUS_DIR" ]; then
	while IFS= read -r line; do add_line "$line"; done < <(
		find "$CORPUS_DIR" -type f -exec grep -h -a 'type=' {} + 2>/dev/null |
			sort -u | head -n "$CORPUS_DIR_MAX_SEEDS")
fi
echo "$n seed lines"

seeds_of() {   # TARGET
	case $1 in
	fuzz_pipeline) echo "$build/seeds/pipeline" ;;
	fuzz_joiner) echo "$build/seeds/joiner" ;;
	fuzz_filter) echo "$build/seeds/filter" ;;
	*) echo "$build/seeds/line" ;;
	esac
}

[ "$build_only" = 1 ] && { echo "built: $build/bin"; exit 0; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
total_execs=0

# ---- regressions: every saved crash input must now pass -------------------
echo "=== regressions (tests/fuzz/regressions)"
for t in $targets; do
	for r in "$here"/regressions/"$t"-*; do
		[ -f "$r" ] || continue
		if "$build/bin/$t" -runs=1 "$r" >"$build/work/regression.log" 2>&1; then
			echo "PASS: $(basename "$r")"
		else
			echo "FAIL: $(basename "$r")"
			grep -E 'ERROR|runtime error|check failed|^    #[0-9]' "$build/work/regression.log" | head -n 25
			failed=$((failed + 1))
		fi
	done
done

if [ "$regressions_only" = 1 ]; then
	echo "=== regressions only: $failed failure(s)"
	[ "$failed" -eq 0 ]
	exit
fi

# ---- fuzzing ------------------------------------------------------------------
for t in $targets; do
	work=$build/work/$t
	corpus=$build/corpus/$t
	art=$build/crashes/$t-
	rm -rf "$work" && mkdir -p "$work" "$corpus"
	before=$(find "$build/crashes" -maxdepth 1 -name "$t-*" \( -name '*crash-*' -o -name '*leak-*' \
	         -o -name '*timeout-*' -o -name '*oom-*' \) | sort)
	echo "=== $t: ${seconds}s x $jobs job(s)"
	args=(-max_len=$MAX_LEN -dict="$here/audit.dict" -max_total_time="$seconds"
	      -timeout=$UNIT_TIMEOUT_S -rss_limit_mb=$RSS_LIMIT_MB -print_final_stats=1
	      -artifact_prefix="$art")
	if [ "$jobs" -gt 1 ]; then
		args+=(-jobs="$jobs" -workers="$jobs")
	fi
	start=$(date +%s)
	(cd "$work" && "$build/bin/$t" "${args[@]}" "$corpus" "$(seeds_of "$t")" >"$work/main.log" 2>&1)
	rc=$?
	elapsed=$(( $(date +%s) - start ))
	logs=$(ls "$work"/fuzz-*.log 2>/dev/null || echo "$work/main.log")
	# shellcheck disable=SC2086 # LOGS is a list of paths without spaces
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' $logs | awk '{s += $1} END {print s + 0}')
	after=$(find "$build/crashes" -maxdepth 1 -name "$t-*" \( -name '*crash-*' -o -name '*leak-*' \
	        -o -name '*timeout-*' -o -name '*oom-*' \) | sort)
	new=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')
	# shellcheck disable=SC2086
	reports=$(grep -lE '==ERROR: |runtime error:|check failed:|deadly signal|ERROR: libFuzzer' $logs 2>/dev/null | wc -l)
	ncrash=$(echo "$new" | sed '/^$/d' | wc -l)
	total_execs=$((total_execs + execs))
	printf '%s: %s executions in %ss, corpus %s, %s crash file(s), exit %s\n' \
		"$t" "$execs" "$elapsed" "$(ls "$corpus" | wc -l)" "$ncrash" "$rc"
	if [ "$ncrash" -gt 0 ] || [ "$reports" -gt 0 ] || [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
		# shellcheck disable=SC2086
		grep -hE '==ERROR: |SUMMARY: |runtime error:|check failed:' $logs | sort -u | head -n 10
		for c in $new; do echo "  crash input: $c"; done
		echo "  logs: $logs"
	fi
done

echo "=== total: $total_execs executions; $failed failure(s)"
[ "$failed" -eq 0 ]
