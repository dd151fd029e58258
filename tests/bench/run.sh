#!/usr/bin/env bash
# run.sh -- omauditfwd's benchmarks, one command. Installs what it needs
# (contrib/setup-debian.sh, tests/bench/setup.sh), builds the tree in
# _build/bench, generates the stream, measures omauditfwd and its peers in the
# same run on the same input, prints ratios and absolute rates, and appends
# the run to tests/bench/RESULTS.md.
#
#   tests/bench/run.sh [--records N] [--repeat N] [--long] [--only LIST]
#                      [--no-setup] [--results FILE] [--workers LIST]
#                      [--batch N]
#
#   --records N   records in the stream (default 1,000,000)
#   --repeat N    core path: best of N runs of every tool (default 1);
#                 with --workers: N interleaved rounds of the e2e paths
#   --long        also the memory run: RSS of the sender rsyslogd during a
#                 10,000,000-record stream through omauditfwd over TLS
#                 (about 20 minutes here)
#   --only LIST   comma-separated subset of core,e2e,kafka,profile,memory,
#                 budget (memory: the --long run alone; budget, not run
#                 unless named: the e2e senders under callgrind, their
#                 instructions per record by library, BUDGET_RECORDS
#                 records, default 50,000, a few minutes)
#   --no-setup    skip the package setup (SKIP_APT)
#   --results F   where to append (default tests/bench/RESULTS.md)
#   --workers L   e2e: comma-separated worker counts, e.g. 1,2: omfwd and
#                 omauditfwd each with an action queue of N workers
#                 (queue.workerThreads) for each N; medians and ratios to
#                 the first count (default: no action queue, as before)
#   --batch N     kafka: the sender's queue.dequeueBatchSize (the main
#                 queue's; both Kafka actions run in its worker, so it is
#                 the most messages of one of their batches; default 1024)
# Environment: CORPUS_DIR (default ../shared/corpus from the repository
# root), KEEP_TMP=1 keeps the work directory (streams, logs, perf data).
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$BENCH_DIR/../.." && pwd)

RECORDS_MAIN=1000000 REPEAT=1 LONG=0 ONLY=core,e2e,kafka,profile SETUP=1 E2E_WORKERS=
KAFKA_BATCH=
RESULTS=$BENCH_DIR/RESULTS.md
ARGS="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--records) RECORDS_MAIN=$2; shift ;;
	--repeat) REPEAT=$2; shift ;;
	--long) LONG=1 ;;
	--only) ONLY=$2; shift ;;
	--no-setup) SETUP=0 ;;
	--results) RESULTS=$2; shift ;;
	--workers) E2E_WORKERS=$2; shift
		[[ $E2E_WORKERS =~ ^[1-9][0-9]?(,[1-9][0-9]?)*$ ]] ||
			{ echo "run.sh: --workers wants worker counts like 1,2" >&2; exit 2; } ;;
	--batch) KAFKA_BATCH=$2; shift
		[[ $KAFKA_BATCH =~ ^[1-9][0-9]{0,5}$ ]] ||
			{ echo "run.sh: --batch wants a batch size like 4096" >&2; exit 2; } ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
want() { case ",$ONLY," in *",$1,"*) return 0 ;; esac; return 1; }
want memory && LONG=1

: "${CORPUS_DIR:=$SRC/../shared/corpus}"
[ -d "$CORPUS_DIR" ] || CORPUS_DIR=/work/shared/corpus
export CORPUS_DIR

# ---- setup and build (before lib.sh, which wants the built tree)
if [ "$SETUP" -eq 1 ]; then
	bash "$SRC/contrib/setup-debian.sh" >/dev/null || { echo "run.sh: setup-debian.sh failed" >&2; exit 1; }
	SYSLOG_NG_DIR=$(bash "$BENCH_DIR/setup.sh" | tail -n 1) || { echo "run.sh: bench setup failed" >&2; exit 1; }
else
	SYSLOG_NG_DIR=$(SKIP_APT=1 bash "$BENCH_DIR/setup.sh" | tail -n 1) || exit 1
fi
BUILD=$SRC/_build/bench
echo "run.sh: building in $BUILD" >&2
(
	set -e
	cd "$SRC"
	[ -x configure ] && [ configure -nt configure.ac ] && [ configure -nt Makefile.am ] || autoreconf -fi >/dev/null 2>&1
	mkdir -p "$BUILD" && cd "$BUILD"
	[ -f Makefile ] || "$SRC/configure" -q
	# what the package ships: the profile-guided build (Makefile.am, pgo)
	make -s -j2 pgo >/dev/null
	make -s tests/kafka_mock >/dev/null
) || { echo "run.sh: build failed" >&2; exit 1; }

top_srcdir=$SRC top_builddir=$BUILD
OMAUDITFWD_MODULE=$BUILD/omauditfwd/.libs/omauditfwd.so
AUDITFWD=$BUILD/omauditfwd/auditfwd
KAFKA_MOCK=$BUILD/tests/kafka_mock
export top_srcdir top_builddir OMAUDITFWD_MODULE AUDITFWD KAFKA_MOCK
# shellcheck source=tests/bench/bench_lib.sh
. "$BENCH_DIR/bench_lib.sh"
for f in core e2e kafka profile budget; do
	# shellcheck source=/dev/null
	. "$BENCH_DIR/$f.sh"
done

require_rsyslogd
require_cmd perf kcat ausearch python3 /usr/bin/time
OUT_DIR=$T/out PKI=$T/pki
mkdir -p "$OUT_DIR"
AUSEARCH_RECORDS=100000 PROFILE_RECORDS=200000
[ "$AUSEARCH_RECORDS" -le "$RECORDS_MAIN" ] || AUSEARCH_RECORDS=$RECORDS_MAIN
FORMATS=$(bench_formats | tr '\n' ' ')
E2E_FORMAT=json
case " $FORMATS " in *" leef "*) E2E_FORMAT=leef ;; esac
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# ---- the stream
STREAM=$T/stream.log FRAMES=$T/stream.frames
python3 "$BENCH_DIR/gen_stream.py" "$RECORDS_MAIN" "$STREAM" --framed "$FRAMES" 2>"$T/gen.out" ||
	fail "gen_stream.py: $(cat "$T/gen.out")"
MIX=$(cat "$T/gen.out")
RECORDS=$(count_lines "$STREAM")   # with the trailer
log "$MIX"
# rsyslogd, auditfwd, syslog-ng and kafka get at most this long per path
DEADLINE=$((600 + RECORDS / 2000))

want core && { bench_core || note "core path incomplete"; }
want e2e && { bench_e2e || note "e2e path incomplete"; }
want kafka && { bench_kafka || note "kafka path incomplete"; }
want profile && { bench_profile || note "profile incomplete"; }
want budget && { bench_budget || note "budget incomplete"; }

if [ "$LONG" -eq 1 ]; then
	log "memory: 10,000,000 records through omauditfwd over TLS"
	STREAM=$T/long.log FRAMES=$T/long.frames
	rm -f "$T/stream.log" "$T/stream.frames"
	python3 "$BENCH_DIR/gen_stream.py" 10000000 "$STREAM" --framed "$FRAMES" 2>>"$T/gen.out" ||
		fail "gen_stream.py (long) failed"
	MIX=$(tail -n 1 "$T/gen.out")
	RECORDS=$(count_lines "$STREAM") DEADLINE=$((600 + RECORDS / 2000))
	bash "$top_srcdir/tests/pki.sh" "$PKI"
	e2e_path "long-$E2E_FORMAT" "$(e2e_omauditfwd_action "$E2E_FORMAT" @RPORT@)" \
		"module(load=\"$OMAUDITFWD_MODULE\")" "$(auditfwd_messages "$E2E_FORMAT" "$STREAM")" \
		"$(case $E2E_FORMAT in json) echo '{' ;; leef) echo L ;; *) echo . ;; esac)" ||
		note "memory run incomplete"
	cp "$T/long-$E2E_FORMAT.rss" "$OUT_DIR/rss-long.txt" 2>/dev/null
fi

. "$BENCH_DIR/report.sh"
report_print
report_append "$RESULTS"
log "appended to $RESULTS"
stop_all
exit 0
