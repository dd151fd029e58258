# core.sh -- the core path, file -> /dev/null, sourced by run.sh.
# auditfwd (parse + join + enrich + format) per format, syslog-ng's
# linux-audit-parser (file -> JSON file) and `ausearch -i -if FILE`, on the
# same stream. Rates are records per CPU second (user + system of the
# process, all threads): "per core", and what a loaded shared machine
# disturbs least; wall-clock rates are recorded beside them.

# core_auditfwd FORMAT [NAME OPTION...]: best of $REPEAT runs, the results
# named after NAME (FORMAT when not given), the CLI given OPTIONs
core_auditfwd() {
	local fmt=$1 name=${2:-$1} i u s e cpu best=0 wall=0 msgs
	shift
	[ $# -eq 0 ] || shift
	for ((i = 0; i < REPEAT; i++)); do
		/usr/bin/time -f '%e %U %S' -o "$T/time.out" \
			"$AUDITFWD" --format "$fmt" "$@" --stats "$STREAM" >/dev/null 2>"$T/core.err" ||
			{ note "auditfwd --format $fmt failed: $(head -c 300 "$T/core.err")"; return 1; }
		read -r e u s <"$T/time.out"
		msgs=$(sed -n 's/.*messages=\([0-9]*\).*/\1/p' "$T/core.err")
		grep -q "records=$RECORDS parsed=$RECORDS unparsed=0" "$T/core.err" ||
			{ note "auditfwd --format $fmt: not every record parsed: $(cat "$T/core.err")"; return 1; }
		cpu=$(calc "$u + $s")
		if [ "$(rate "$RECORDS" "$cpu")" -gt "$best" ]; then
			best=$(rate "$RECORDS" "$cpu") wall=$(rate "$RECORDS" "$e")
		fi
	done
	result "core.auditfwd.$name.records_per_cpu_s" "$best"
	result "core.auditfwd.$name.records_per_wall_s" "$wall"
	result "core.auditfwd.$name.messages" "$msgs"
	[ "$name" = "$fmt" ] ||
		result "core.auditfwd.$name.messages_reduced" "$(sed -n 's/.* reduced=\([0-9]*\).*/\1/p' "$T/core.err")"
}

# core_syslog_ng: file source -> linux-audit-parser -> format-json -> file,
# flow-controlled (nothing dropped); complete when its destination has
# taken every record (syslog-ng-ctl stats) and the file holds them all
core_syslog_ng() {
	local root=$SYSLOG_NG_DIR/root i pid t0 written cpu best=0 wall=0 secs end dropped
	local sng=(env LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu:$root/usr/lib/syslog-ng")
	for ((i = 0; i < REPEAT; i++)); do
		rm -f "$T/sng.out" "$T/sng.persist"
		cat >"$T/sng.conf" <<SNG
@version: 3.38
options { stats-freq(0); log-msg-size(65536); log-fifo-size(100000); };
source s_in { file("$STREAM" flags(no-parse) log-fetch-limit(1000) log-iw-size(100000)); };
parser p_audit { linux-audit-parser(prefix(".auditd.")); };
destination d_out { file("$T/sng.out" template("\$(format-json --scope none --key .auditd.*)\n")); };
log { source(s_in); parser(p_audit); destination(d_out); flags(flow-control); };
SNG
		t0=$(now)
		"${sng[@]}" "$root/usr/sbin/syslog-ng" -F --no-caps -f "$T/sng.conf" \
			--module-path="$root/usr/lib/syslog-ng/3.38" -R "$T/sng.persist" \
			-p "$T/sng.pid" -c "$T/sng.ctl" >"$T/syslog-ng.log" 2>&1 &
		pid=$!
		_ITEST_PIDS+=("$pid")
		end=$(($(date +%s) + DEADLINE))
		written=0
		while [ "$written" -lt "$RECORDS" ]; do
			_pid_running "$pid" || { note "syslog-ng exited: $(head -c 300 "$T/syslog-ng.log")"; return 1; }
			[ "$(date +%s)" -lt "$end" ] || { note "syslog-ng: $written of $RECORDS records after ${DEADLINE}s"; kill_pid "$pid"; return 1; }
			sleep 0.2
			written=$("${sng[@]}" "$root/usr/sbin/syslog-ng-ctl" stats -c "$T/sng.ctl" 2>/dev/null |
				awk -F';' '$1 == "destination" && $2 == "d_out" && $5 == "processed" { n += $6 } END { print n + 0 }')
		done
		while [ "$(count_lines "$T/sng.out")" -lt "$RECORDS" ]; do
			[ "$(date +%s)" -lt "$end" ] || { note "syslog-ng: $(count_lines "$T/sng.out") of $RECORDS records written after ${DEADLINE}s"; kill_pid "$pid"; return 1; }
			sleep 0.2
		done
		cpu=$(cpu_seconds "$pid")
		secs=$(calc "$(now) - $t0")
		dropped=$("${sng[@]}" "$root/usr/sbin/syslog-ng-ctl" stats -c "$T/sng.ctl" 2>/dev/null |
			awk -F';' '$5 == "dropped" { n += $6 } END { print n + 0 }')
		kill_pid "$pid"
		[ "$dropped" -eq 0 ] || { note "syslog-ng dropped $dropped messages"; return 1; }
		grep -q '"type":"SYSCALL"' "$T/sng.out" || { note "syslog-ng wrote no parsed audit records"; return 1; }
		if [ "$(rate "$RECORDS" "$cpu")" -gt "$best" ]; then
			best=$(rate "$RECORDS" "$cpu") wall=$(rate "$RECORDS" "$secs")
		fi
	done
	result "core.syslog-ng.records_per_cpu_s" "$best"
	result "core.syslog-ng.records_per_wall_s" "$wall"
}

# core_ausearch: ausearch -i on the first $AUSEARCH_RECORDS records (it is
# slow: its rate does not depend on the slice's length)
core_ausearch() {
	local i e u s cpu best=0 wall=0 n
	head -n "$AUSEARCH_RECORDS" "$STREAM" >"$T/slice.log"
	for ((i = 0; i < REPEAT; i++)); do
		/usr/bin/time -f '%e %U %S' -o "$T/time.out" \
			ausearch -i -if "$T/slice.log" >"$T/ausearch.out" 2>"$T/ausearch.err" ||
			{ note "ausearch failed: $(head -c 300 "$T/ausearch.err")"; return 1; }
		read -r e u s <"$T/time.out"
		n=$(grep -c '^node=\|^type=' "$T/ausearch.out")
		[ "$n" -ge $((AUSEARCH_RECORDS / 2)) ] || { note "ausearch printed only $n records"; return 1; }
		cpu=$(calc "$u + $s")
		if [ "$(rate "$AUSEARCH_RECORDS" "$cpu")" -gt "$best" ]; then
			best=$(rate "$AUSEARCH_RECORDS" "$cpu") wall=$(rate "$AUSEARCH_RECORDS" "$e")
		fi
	done
	result "core.ausearch.records_per_cpu_s" "$best"
	result "core.ausearch.records_per_wall_s" "$wall"
}

bench_core() {
	local f
	log "core path: $RECORDS records, formats: $FORMATS"
	for f in $FORMATS; do
		core_auditfwd "$f"
	done
	# as the module sends to a TLS collector by default: RFC 5424 header,
	# octet counting, maxMessageSize 8096 (the events over it reduced; on
	# stdout the CLI has no limit, so the runs above never reduce)
	core_auditfwd "$E2E_FORMAT" "$E2E_FORMAT-as-sent" --syslog-header rfc5424 \
		--framing octet-counted --max-message-size 8096
	core_syslog_ng
	core_ausearch
	for f in $FORMATS; do
		result "core.ratio.$f/syslog-ng" "$(ratio "${R[core.auditfwd.$f.records_per_cpu_s]:-n/a}" "${R[core.syslog-ng.records_per_cpu_s]:-n/a}")"
		result "core.ratio.$f/ausearch" "$(ratio "${R[core.auditfwd.$f.records_per_cpu_s]:-n/a}" "${R[core.ausearch.records_per_cpu_s]:-n/a}")"
	done
}
