# budget.sh -- where the sender's instructions go, sourced by run.sh: the e2e
# TLS path of e2e.sh (feeder -> sender rsyslogd -> TLS rsyslogd) with the
# sender under callgrind, for omfwd (raw lines) and for omauditfwd, on a
# stream of BUDGET_RECORDS records of the same generator. Instructions are
# counted from the first byte fed to the last message received (the
# counters are zeroed after start-up), so start-up and TLS handshakes are
# not in them. Unlike CPU seconds on this shared machine, the counts do
# not depend on the load: they say, per record and per library, what the
# module costs beside what rsyslog's own work costs, and so what the module
# may cost for omauditfwd to reach a ratio R of omfwd:
#   module budget = omfwd's total / R - (omauditfwd's total - the module's)
# (instructions are not cycles: the ratio of the counts is what the CPU
# ratio would be at equal instructions per cycle.)

BUDGET_RECORDS=${BUDGET_RECORDS:-50000}
BUDGET_TARGET=0.8

# budget_path NAME ACTION MODULES EXPECTED STREAM_FRAMES: one path with the
# sender under callgrind; its counts (zeroed once it listens) in $T/NAME.cg
budget_path() {
	local name=$1 action=$2 mods=$3 expected=$4 frames=$5
	local rport sport out=$T/$name.recv spid
	rport=$(free_port)
	sport=$(free_port)
	rm -f "$out" "$T/$name.cg"*
	action=${action//@RPORT@/$rport}
	e2e_receiver_conf "$rport" "$out" >"$T/receiver.conf"
	e2e_sender_conf "$sport" "$action" "$mods" >"$T/sender.conf"
	rsyslog_start receiver "$T/receiver.conf"
	valgrind --tool=callgrind --callgrind-out-file="$T/$name.cg" \
		"$RSYSLOGD" -n -f "$T/sender.conf" -i "$T/sender.pid" >"$T/$name.valgrind.log" 2>&1 &
	spid=$!
	_ITEST_PIDS+=("$spid")
	if ! wait_for_port "$sport" 120 "$spid" >"$T/wait.out"; then
		note "budget $name: the sender under callgrind did not come up: $(cat "$T/wait.out")"
		kill_pid "$spid"; rsyslog_stop receiver
		return 1
	fi
	if ! callgrind_control -z "$spid" >"$T/$name.zero.log" 2>&1; then
		note "budget $name: could not zero the counters: $(tail -n 1 "$T/$name.zero.log")"
		kill_pid "$spid"; rsyslog_stop receiver
		return 1
	fi
	bg feeder python3 "$BENCH_DIR/feed.py" "$frames" "$sport"
	if ! wait_for_size "$out" $((expected * 2)) "$DEADLINE" 120 >"$T/wait.out"; then
		note "budget $name: $(cat "$T/wait.out")"
		kill_pid "$spid"; rsyslog_stop receiver
		return 1
	fi
	bg_wait "$BG_PID" 60 >/dev/null 2>&1
	# the counts are written when the sender exits (a dump taken while its
	# threads run would count the functions they are in several times);
	# its shutdown adds little: the queues are empty
	kill -TERM "$spid" 2>/dev/null
	bg_wait "$spid" 120 >/dev/null 2>&1 || note "budget $name: the sender did not stop in time"
	rsyslog_stop receiver || note "budget $name: receiver did not stop in time"
	[ -s "$T/$name.cg" ] || { note "budget $name: no callgrind output"; return 1; }
}

# budget_by_object FILE: "instructions object" lines, largest first
budget_by_object() { python3 "$BENCH_DIR/cg_objects.py" "$1"; }

bench_budget() {
	local fmt=$E2E_FORMAT stream=$T/budget.log frames=$T/budget.frames expected
	local total_f total_o module_o budget name n
	require_cmd valgrind callgrind_control
	python3 "$BENCH_DIR/gen_stream.py" "$BUDGET_RECORDS" "$stream" --framed "$frames" \
		>/dev/null 2>"$T/budget.gen" || { note "budget: gen_stream.py failed"; return 1; }
	bash "$top_srcdir/tests/pki.sh" "$PKI" || fail "tests/pki.sh failed"
	expected=$(auditfwd_messages "$fmt" "$stream")
	log "budget: senders under callgrind, $(count_lines "$stream") records (omfwd, omauditfwd $fmt)"
	budget_path budget-omfwd "$(e2e_omfwd_action @RPORT@)" "" "$(count_lines "$stream")" "$frames" ||
		return 1
	budget_path "budget-$fmt" "$(e2e_omauditfwd_action "$fmt" @RPORT@)" \
		"module(load=\"$OMAUDITFWD_MODULE\")" "$expected" "$frames" || return 1
	budget_by_object "$T/budget-omfwd.cg" >"$T/budget-omfwd.obj"
	budget_by_object "$T/budget-$fmt.cg" >"$T/budget-$fmt.obj"
	total_f=$(awk '{ s += $1 } END { printf "%.0f\n", s }' "$T/budget-omfwd.obj")
	total_o=$(awk '{ s += $1 } END { printf "%.0f\n", s }' "$T/budget-$fmt.obj")
	module_o=$(awk '$2 == "omauditfwd.so" { print $1 }' "$T/budget-$fmt.obj")
	n=$(count_lines "$stream")
	result "budget.records" "$n"
	result "budget.omfwd.instructions_per_record" "$(rate "$total_f" "$n")"
	result "budget.omauditfwd-$fmt.instructions_per_record" "$(rate "$total_o" "$n")"
	result "budget.omauditfwd-$fmt.module_instructions_per_record" "$(rate "${module_o:-0}" "$n")"
	result "budget.ratio.omfwd/omauditfwd-$fmt" "$(ratio "$total_f" "$total_o")"
	budget=$(awk -v f="$total_f" -v o="$total_o" -v m="${module_o:-0}" -v r="$BUDGET_TARGET" -v n="$n" \
		'BEGIN { b = (f / r - (o - m)) / n; printf "%d\n", b }')
	result "budget.module_instructions_per_record_for_${BUDGET_TARGET}x_omfwd" "$budget"
	# per object, per record, side by side
	{
		printf '%-26s %12s %12s\n' "instructions per record" omfwd "omauditfwd-$fmt"
		for name in $(awk '{ print $2 }' "$T/budget-omfwd.obj" "$T/budget-$fmt.obj" | awk '!s[$0]++'); do
			printf '%-26s %12s %12s\n' "$name" \
				"$(awk -v k="$name" -v n="$n" '$2 == k { printf "%d", $1 / n }' "$T/budget-omfwd.obj")" \
				"$(awk -v k="$name" -v n="$n" '$2 == k { printf "%d", $1 / n }' "$T/budget-$fmt.obj")"
		done | awk '{ a = $2 + 0; b = $3 + 0; if (a >= 20 || b >= 20) print }'
	} >"$OUT_DIR/profile-budget.txt"
}
