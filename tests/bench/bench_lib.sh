# bench_lib.sh -- helpers of the benchmarks (sourced by tests/bench/run.sh).
# Builds on tests/integration/lib.sh: private temp dir $T, private rsyslogds
# on free loopback ports, every started process stopped on exit.

# shellcheck source=tests/integration/lib.sh
. "$BENCH_DIR/../integration/lib.sh"

CLK_TCK=$(getconf CLK_TCK)

# now: seconds since the epoch, microsecond resolution
now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }

# cpu_seconds PID: user + system CPU time of PID (all its threads) so far
cpu_seconds() {
	awk -v t="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / t }' "/proc/$1/stat"
}

# machine_busy: "BUSY TOTAL" jiffies of all CPUs so far (/proc/stat)
machine_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8; exit }' /proc/stat; }

# busy_cores "B0 T0" "B1 T1": CPUs busy on average between the samples
busy_cores() {
	awk -v a="$1" -v b="$2" -v n="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " ")
		if (y[2] > x[2]) printf "%.2f\n", n * (y[1] - x[1]) / (y[2] - x[2]); else print "n/a" }'
}

# thread_cpu PID: "CPU_SECONDS NAME" of each thread of PID
thread_cpu() {
	local t
	for t in /proc/"$1"/task/*; do
		awk -v t="$CLK_TCK" '{ n = $0; sub(/^[^(]*\(/, "", n); sub(/\).*$/, "", n)
			sub(/^.*\) /, ""); printf "%.2f %s\n", ($12 + $13) / t, n }' "$t/stat" 2>/dev/null
	done | sort -rn
}

# rss_kb PID: resident set size of PID in KiB
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }

# calc EXPR: floating point arithmetic (awk), e.g. calc "1000000 / 3.2"
calc() { awk "BEGIN { printf \"%.10g\n\", $1 }"; }

# rate COUNT SECONDS: COUNT / SECONDS rounded, or "n/a" when SECONDS is 0
rate() { awk -v c="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%d\n", c / s + 0.5; else print "n/a" }'; }

# ratio A B: A / B with two decimals, or "n/a"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "n/a" && b != "n/a" && b > 0) printf "%.2f\n", a / b; else print "n/a" }'; }

# kfmt N: 1234567 -> 1,234,567
kfmt() { LC_ALL=C printf "%'d\n" "$1" 2>/dev/null | sed 's/^$/'"$1"'/' || echo "$1"; }

# result KEY VALUE: record a figure (printed in the summary, written to RESULTS.md)
declare -A R=()
declare -a R_KEYS=()
result() {
	[ -n "${R[$1]+x}" ] || R_KEYS+=("$1")
	R[$1]=$2
	log "$1 = $2"
}

# note TEXT: a line for the report (what was measured how, what failed)
declare -a NOTES=()
note() { NOTES+=("$*"); log "note: $*"; }

# wait_for_size FILE BYTES DEADLINE_S STALL_S: until FILE has at least BYTES;
# 1 when the deadline passes or the size does not change for STALL_S seconds
wait_for_size() {
	local file=$1 want=$2 deadline=$3 stall=$4 end size last=-1 since
	end=$(($(date +%s) + deadline))
	since=$(date +%s)
	while :; do
		size=$(stat -c %s "$file" 2>/dev/null || echo 0)
		[ "$size" -ge "$want" ] && return 0
		if [ "$size" != "$last" ]; then last=$size since=$(date +%s); fi
		if [ "$(date +%s)" -ge "$end" ] || [ $(($(date +%s) - since)) -ge "$stall" ]; then
			echo "wait_for_size: $file has $size bytes, expected $want"
			return 1
		fi
		sleep 0.1
	done
}

# rss_by_tenth RSS T0 T1: the highest RSS sample (MB) in each tenth of the
# stream's wall time T0..T1, from sample_rss's file: memory that grows with
# the records climbs from tenth to tenth, a full queue is a plateau. A
# tenth without a sample (a run shorter than 5 s: one every 0.5 s) is "-".
rss_by_tenth() {
	awk -v t0="$2" -v t1="$3" '
		$2 == "" || $1 < t0 || $1 > t1 || t1 <= t0 { next }
		{ i = int(($1 - t0) * 10 / (t1 - t0)); if (i > 9) i = 9; if (!(i in m) || $2 > m[i]) m[i] = $2 }
		END { for (i = 0; i < 10; i++) printf "%s%s", i ? " " : "", (i in m) ? sprintf("%.0f", m[i] / 1024) : "-" }' "$1"
}

# sample_rss PID OUT: every 0.5 s append "SECONDS RSS_KB" to OUT while PID runs
# (a background job; its pid in $BG_PID)
sample_rss() {
	local pid=$1 out=$2
	(
		while [ -r "/proc/$pid/status" ]; do
			echo "$(now) $(rss_kb "$pid")" >>"$out"
			sleep 0.5
		done
	) &
	BG_PID=$!
	_ITEST_PIDS+=("$BG_PID")
}

# auditfwd_messages FORMAT FILE: messages the CLI makes of FILE (its joiner
# is the module's), i.e. what a receiver must get
auditfwd_messages() {
	"$AUDITFWD" --format "$1" --stats "$2" 2>&1 >/dev/null |
		sed -n 's/.*messages=\([0-9]*\).*/\1/p'
}

# bench_formats: the output formats this build's CLI accepts
bench_formats() {
	local f
	for f in json leef cef raw; do
		"$AUDITFWD" --format "$f" /dev/null >/dev/null 2>&1 && echo "$f"
	done
}
