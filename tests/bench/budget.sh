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
# ratio would be at equal instructions per cycle.) The same follows for the
# Kafka senders of kafka.sh (omkafka, omauditfwd transport="kafka"), done
# when the mock cluster's topic holds every message.

BUDGET_RECORDS=${BUDGET_RECORDS:-50000}
BUDGET_TARGET=0.8

# budget_sender_start NAME: the sender of $T/sender.conf under callgrind,
# its counts (zeroed once it listens on SPORT) to come in $T/NAME.cg; its
# pid in BUDGET_SPID
budget_sender_start() {
	local name=$1 sport=$2
	rm -f "$T/$name.cg"*
	valgrind --tool=callgrind --callgrind-out-file="$T/$name.cg" \
		"$RSYSLOGD" -n -f "$T/sender.conf" -i "$T/sender.pid" >"$T/$name.valgrind.log" 2>&1 &
	BUDGET_SPID=$!
	_ITEST_PIDS+=("$BUDGET_SPID")
	if ! wait_for_port "$sport" 120 "$BUDGET_SPID" >"$T/wait.out"; then
		note "budget $name: the sender under callgrind did not come up: $(cat "$T/wait.out")"
		kill_pid "$BUDGET_SPID"
		return 1
	fi
	if ! callgrind_control -z "$BUDGET_SPID" >"$T/$name.zero.log" 2>&1; then
		note "budget $name: could not zero the counters: $(tail -n 1 "$T/$name.zero.log")"
		kill_pid "$BUDGET_SPID"
		return 1
	fi
}

# budget_sender_stop NAME: the counts are written when the sender exits (a
# dump taken while its threads run would count the functions they are in
# several times); its shutdown adds little: the queues are empty
budget_sender_stop() {
	local name=$1
	kill -TERM "$BUDGET_SPID" 2>/dev/null
	bg_wait "$BUDGET_SPID" 120 >/dev/null 2>&1 || note "budget $name: the sender did not stop in time"
	[ -s "$T/$name.cg" ] || { note "budget $name: no callgrind output"; return 1; }
}

# budget_path NAME ACTION MODULES EXPECTED STREAM_FRAMES: one TLS path with
# the sender under callgrind; its counts in $T/NAME.cg
budget_path() {
	local name=$1 action=$2 mods=$3 expected=$4 frames=$5
	local rport sport out=$T/$name.recv
	rport=$(free_port)
	sport=$(free_port)
	rm -f "$out"
	action=${action//@RPORT@/$rport}
	e2e_receiver_conf "$rport" "$out" >"$T/receiver.conf"
	e2e_sender_conf "$sport" "$action" "$mods" >"$T/sender.conf"
	rsyslog_start receiver "$T/receiver.conf"
	budget_sender_start "$name" "$sport" || { rsyslog_stop receiver; return 1; }
	bg feeder python3 "$BENCH_DIR/feed.py" "$frames" "$sport"
	if ! wait_for_size "$out" $((expected * 2)) "$DEADLINE" 120 >"$T/wait.out"; then
		note "budget $name: $(cat "$T/wait.out")"
		kill_pid "$BUDGET_SPID"; rsyslog_stop receiver
		return 1
	fi
	bg_wait "$BG_PID" 60 >/dev/null 2>&1
	budget_sender_stop "$name" || { rsyslog_stop receiver; return 1; }
	rsyslog_stop receiver || note "budget $name: receiver did not stop in time"
}

# budget_kafka_path NAME TOPIC ACTION MODULES EXPECTED STREAM_FRAMES: the
# same for a Kafka path (the mock cluster of kafka.sh, running): done when
# TOPIC holds EXPECTED more messages, delivered and acknowledged
budget_kafka_path() {
	local name=$1 topic=$2 action=$3 mods=$4 expected=$5 frames=$6
	local sport base
	base=$(topic_messages "$topic")
	sport=$(free_port)
	e2e_sender_conf "$sport" "$action" "$mods" >"$T/sender.conf"
	budget_sender_start "$name" "$sport" || return 1
	bg feeder python3 "$BENCH_DIR/feed.py" "$frames" "$sport"
	if ! topic_wait "budget $name" "$topic" "$base" "$expected" 120; then
		kill_pid "$BUDGET_SPID"
		return 1
	fi
	bg_wait "$BG_PID" 60 >/dev/null 2>&1
	budget_sender_stop "$name"
}

# budget_by_object FILE: "instructions object" lines, largest first
budget_by_object() { python3 "$BENCH_DIR/cg_objects.py" "$1"; }

# budget_report KEY FILE PEER OURS N: results under KEY.* for the peer
# sender's counts ($T/FILE-PEER.cg) against omauditfwd's ($T/FILE-OURS.cg)
# over N records, and the two side by side, per object and per record, in
# $OUT_DIR/profile-FILE.txt
budget_report() {
	local key=$1 file=$2 peer=$3 ours=$4 n=$5 total_p total_o module_o budget name
	local pf=$T/$file-$peer.obj of=$T/$file-$ours.obj
	budget_by_object "$T/$file-$peer.cg" >"$pf"
	budget_by_object "$T/$file-$ours.cg" >"$of"
	total_p=$(awk '{ s += $1 } END { printf "%.0f\n", s }' "$pf")
	total_o=$(awk '{ s += $1 } END { printf "%.0f\n", s }' "$of")
	module_o=$(awk '$2 == "omauditfwd.so" { print $1 }' "$of")
	result "$key.$peer.instructions_per_record" "$(rate "$total_p" "$n")"
	result "$key.$ours.instructions_per_record" "$(rate "$total_o" "$n")"
	result "$key.$ours.module_instructions_per_record" "$(rate "${module_o:-0}" "$n")"
	result "$key.ratio.$peer/$ours" "$(ratio "$total_p" "$total_o")"
	budget=$(awk -v f="$total_p" -v o="$total_o" -v m="${module_o:-0}" -v r="$BUDGET_TARGET" -v n="$n" \
		'BEGIN { b = (f / r - (o - m)) / n; printf "%d\n", b }')
	result "$key.module_instructions_per_record_for_${BUDGET_TARGET}x_$peer" "$budget"
	{
		printf '%-26s %12s %12s\n' "instructions per record" "$peer" "$ours"
		for name in $(awk '{ print $2 }' "$pf" "$of" | awk '!s[$0]++'); do
			printf '%-26s %12s %12s\n' "$name" \
				"$(awk -v k="$name" -v n="$n" '$2 == k { printf "%d", $1 / n }' "$pf")" \
				"$(awk -v k="$name" -v n="$n" '$2 == k { printf "%d", $1 / n }' "$of")"
		done | awk '{ a = $2 + 0; b = $3 + 0; if (a >= 20 || b >= 20) print }'
	} >"$OUT_DIR/profile-$file.txt"
}

# The TLS paths (omfwd, omauditfwd), then, when the mock cluster is built,
# the Kafka paths (omkafka, omauditfwd transport="kafka", as kafka.sh runs
# them: the Kafka budget is the sender's work for delivery-confirmed
# batches, librdkafka's threads included, and says nothing of the time a
# batch waits for its acknowledgement)
bench_budget() {
	local fmt=$E2E_FORMAT stream=$T/budget.log frames=$T/budget.frames expected n
	require_cmd valgrind callgrind_control
	python3 "$BENCH_DIR/gen_stream.py" "$BUDGET_RECORDS" "$stream" --framed "$frames" \
		>/dev/null 2>"$T/budget.gen" || { note "budget: gen_stream.py failed"; return 1; }
	bash "$top_srcdir/tests/pki.sh" "$PKI" || fail "tests/pki.sh failed"
	expected=$(auditfwd_messages "$fmt" "$stream")
	n=$(count_lines "$stream")
	result "budget.records" "$n"
	log "budget: senders under callgrind, $n records (omfwd, omauditfwd $fmt)"
	budget_path budget-omfwd "$(e2e_omfwd_action @RPORT@)" "" "$n" "$frames" ||
		return 1
	budget_path "budget-omauditfwd-$fmt" "$(e2e_omauditfwd_action "$fmt" @RPORT@)" \
		"module(load=\"$OMAUDITFWD_MODULE\")" "$expected" "$frames" || return 1
	budget_report budget budget omfwd "omauditfwd-$fmt" "$n"
	[ -x "$KAFKA_MOCK" ] || { note "budget: no mock cluster at $KAFKA_MOCK, no Kafka budget"; return 0; }
	rm -f "$T/mock.in"
	kafka_mock_start
	log "budget: Kafka senders under callgrind, $n records (omkafka, omauditfwd $fmt)"
	budget_kafka_path budget-kafka-omkafka raw "action(type=\"omkafka\" broker=[\"$BOOTSTRAP\"] topic=\"raw\"
		template=\"RSYSLOG_SyslogProtocol23Format\"
		action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\")" \
		'module(load="omkafka")' "$n" "$frames" || { echo quit >&3; return 1; }
	budget_kafka_path "budget-kafka-omauditfwd-$fmt" "audit-$fmt" "action(type=\"omauditfwd\" transport=\"kafka\"
		broker=[\"$BOOTSTRAP\"] topic=\"audit-$fmt\" format=\"$fmt\"
		action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\")" \
		"module(load=\"$OMAUDITFWD_MODULE\")" "$expected" "$frames" || { echo quit >&3; return 1; }
	echo quit >&3
	budget_report budget.kafka budget-kafka omkafka "omauditfwd-$fmt" "$n"
}
