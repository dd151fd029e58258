# report.sh -- the summary on stdout and the entry appended to RESULTS.md,
# sourced by run.sh once every figure is in R[] (bench_lib.sh: result).

# target NAME VALUE MIN: "met" / "NOT met" line for a target
target() {
	local verdict
	verdict=$(awk -v v="$2" -v m="$3" 'BEGIN { if (v == "n/a" || v == "") print "not measured"; else if (v + 0 >= m + 0) print "met"; else print "NOT met" }')
	printf '%-48s %12s  (target >= %s)  %s\n' "$1" "${2:-n/a}" "$3" "$verdict"
}

report_targets() {
	local f=$E2E_FORMAT
	target "core $f records/CPU-s" "${R[core.auditfwd.$f.records_per_cpu_s]:-}" 1000000
	target "core $f / syslog-ng linux-audit-parser" "${R[core.ratio.$f/syslog-ng]:-}" 10
	target "e2e TLS omauditfwd($f) / omfwd" "${R[e2e.ratio.omauditfwd-$f/omfwd]:-}" 0.8
	target "kafka omauditfwd($f) / omkafka" "${R[kafka.ratio.omauditfwd-$f/omkafka]:-}" 0.8
}

report_print() {
	local k
	echo
	echo "== omauditfwd benchmarks ($RECORDS records; rates in records/s)"
	for k in "${R_KEYS[@]}"; do
		printf '  %-56s %s\n' "$k" "${R[$k]}"
	done
	echo "== targets"
	report_targets | sed 's/^/  /'
	for k in "${NOTES[@]}"; do echo "  note: $k"; done
}

report_append() {
	local file=$1 k commit dirty="" build
	commit=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$SRC" diff --quiet HEAD -- omauditfwd 2>/dev/null || dirty=" (+ uncommitted changes in omauditfwd/)"
	[ -f "$file" ] || printf '# Benchmark results\n\nAppended by `tests/bench/run.sh`, newest last. See the README, section Benchmarks.\n' >"$file"
	{
		echo
		echo "## $STARTED, commit $commit$dirty"
		echo
		echo "- command: \`tests/bench/run.sh $ARGS\`"
		echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(awk '$1 == "MemTotal:" { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr), load average at start $LOAD_START"
		echo "- **shared, loaded machine**: other engineers build and test on the same 2 cores during the run, so absolute figures are low and noisy; the ratios compare tools measured in the same run on the same input"
		echo "- versions: rsyslogd $(rsyslogd -v 2>/dev/null | awk 'NR == 1 { print $2 }'), syslog-ng $(LD_LIBRARY_PATH="$SYSLOG_NG_DIR/root/usr/lib/x86_64-linux-gnu:$SYSLOG_NG_DIR/root/usr/lib/syslog-ng" "$SYSLOG_NG_DIR/root/usr/sbin/syslog-ng" --version 2>/dev/null | sed -n 's/^Installer-Version: //p'), ausearch $(ausearch -v 2>&1 | awk '{ print $NF }'), librdkafka $(dpkg-query -W -f='${Version}' librdkafka1 2>/dev/null)"
		build="plain (\`make\`: this compiler has no profile-guided build)"
		grep -q '^PGO_OK = yes' "$BUILD/Makefile" 2>/dev/null &&
			build="profile-guided, as packaged (\`make pgo\`, trained on tests/data)"
		echo "- build: $build, CFLAGS $(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile")"
		echo "- stream: $MIX"
		echo "- core path: records per CPU second of the process (user + system, all threads), best of $REPEAT; auditfwd \`--format F FILE >/dev/null\`; syslog-ng \`file(flags(no-parse))\` → \`linux-audit-parser()\` → \`\$(format-json)\` → file, flow-controlled; \`ausearch -i -if\` on the first $AUSEARCH_RECORDS records (its rate does not depend on the length)"
		echo "- e2e / kafka: records fed per second of wall time until the receiver (TLS rsyslogd) or the topic (mock cluster, high watermarks) holds every message; sender CPU: records per CPU second of the sender rsyslogd"
		echo
		echo "| figure | value |"
		echo "|---|---|"
		for k in "${R_KEYS[@]}"; do echo "| \`$k\` | ${R[$k]} |"; done
		echo
		echo "Targets:"
		echo
		echo '```'
		report_targets
		echo '```'
		if [ ${#NOTES[@]} -gt 0 ]; then
			echo
			echo "Notes:"
			echo
			for k in "${NOTES[@]}"; do echo "- $k"; done
		fi
		for k in profile-core profile-core-callers profile-e2e profile-e2e-threads profile-e2e-omfwd profile-e2e-omfwd-threads profile-budget profile-budget-kafka; do
			[ -s "$OUT_DIR/$k.txt" ] || continue
			echo
			echo "\`$k\`:"
			echo
			echo '```'
			cat "$OUT_DIR/$k.txt"
			echo '```'
		done
	} >>"$file"
}
