# kafka.sh -- Kafka end to end, sourced by run.sh.
#   feeder -> private rsyslogd (imtcp) -> omkafka (the raw lines) or
#   omauditfwd (transport="kafka") -> librdkafka mock cluster (tests/kafka_mock,
#   a process of its own, 1 broker, KAFKA_PARTITIONS partitions per topic)
# A path is done when the topic's partitions hold every message (sum of the
# high watermarks, queried with kcat: delivered and acknowledged by the
# broker), timed from the first byte fed. Both producers use acks=all
# (librdkafka's default for omkafka; omauditfwd sets it).
# KAFKA_ACTION_EXTRA: more parameters for the omauditfwd action (to try
# settings, e.g. 'confParam=["linger.ms=1"]'); recorded with the results.
# KAFKA_ACTION_QUEUE: parameters for BOTH actions (e.g. an action queue:
# 'queue.type="LinkedList" queue.dequeueBatchSize="4096"'); recorded too.
# omauditfwd's path also records kafka.batches and wait_share, the share of
# the wall time its batches waited for their delivery reports (impstats'
# kafka.wait.us over the path's wall time).
# KAFKA_RTT_MS: the mock broker answers this many milliseconds late (a
# cluster on the network rather than on the loopback); recorded too.
# KAFKA_BATCH (run.sh --batch N): the sender main queue's dequeueBatchSize,
# which is the batch size of both actions when they have no queue of their
# own. With REPEAT > 1 (run.sh --repeat N) the two paths run N rounds,
# interleaved, and the summary gives medians (min-max).

KAFKA_PARTITIONS=4

kafka_mock_start() {
	local end
	mkfifo "$T/mock.in"
	exec 3<>"$T/mock.in"
	"$KAFKA_MOCK" -b 1 -p "$KAFKA_PARTITIONS" raw "audit-$E2E_FORMAT" <"$T/mock.in" >"$T/kafka_mock.log" 2>&1 &
	_ITEST_PIDS+=("$!")
	end=$(($(date +%s) + 30))
	until BOOTSTRAP=$(head -n 1 "$T/kafka_mock.log") && [ -n "$BOOTSTRAP" ]; do
		[ "$(date +%s)" -lt "$end" ] || fail "kafka_mock did not start"
		sleep 0.1
	done
	log "mock cluster at $BOOTSTRAP"
	if [ -n "${KAFKA_RTT_MS:-}" ]; then
		echo "rtt 1 $KAFKA_RTT_MS" >&3
		note "kafka: the mock broker answers $KAFKA_RTT_MS ms late (KAFKA_RTT_MS)"
	fi
}

# topic_messages TOPIC: messages in TOPIC (sum of the partitions' high watermarks)
topic_messages() {
	local args=() p
	for ((p = 0; p < KAFKA_PARTITIONS; p++)); do args+=(-t "$1:$p:-1"); done
	kcat -b "$BOOTSTRAP" -Q "${args[@]}" 2>/dev/null |
		awk '$3 == "offset" { n += $4 } END { print n + 0 }'
}

# topic_wait WHAT TOPIC BASE EXPECTED STALL_S: until TOPIC holds EXPECTED
# messages more than BASE (how many, in TOPIC_N); 1, with a note about
# WHAT, when DEADLINE passes or no message comes for STALL_S seconds
topic_wait() {
	local what=$1 topic=$2 base=$3 expected=$4 stall=$5 last=-1 since end
	end=$(($(date +%s) + DEADLINE))
	since=$(date +%s)
	while :; do
		TOPIC_N=$(($(topic_messages "$topic") - base))
		[ "$TOPIC_N" -ge "$expected" ] && return 0
		[ "$TOPIC_N" != "$last" ] && { last=$TOPIC_N since=$(date +%s); }
		if [ "$(date +%s)" -ge "$end" ] || [ $(($(date +%s) - since)) -ge "$stall" ]; then
			note "$what: $TOPIC_N of $expected messages in topic $topic"
			return 1
		fi
		# each look at the topic is a kcat run: seldom while far off, then
		# often, so the end is seen within a few tens of ms (a 0.3 s step
		# put a short run's rate in one of two groups)
		if [ $((TOPIC_N * 10)) -ge $((expected * 9)) ]; then sleep 0.02; else sleep 0.3; fi
	done
}

# kafka_path NAME TOPIC ACTION MODULES EXPECTED: EXPECTED more messages
# in TOPIC than it holds now
kafka_path() {
	local name=$1 topic=$2 action=$3 mods=$4 expected=$5 sport t0 t1 cpu0 cpu1 spid
	local n base
	base=$(topic_messages "$topic")
	rm -f "$T/kstats.log"
	sport=$(free_port)
	e2e_sender_conf "$sport" "$action" "$mods" >"$T/sender.conf"
	rsyslog_start sender "$T/sender.conf"
	spid=$(rsyslog_pid sender)
	sleep 1
	cpu0=$(cpu_seconds "$spid")
	t0=$(now)
	bg feeder python3 "$BENCH_DIR/feed.py" "$FRAMES" "$sport"
	if ! topic_wait "kafka $name" "$topic" "$base" "$expected" 60; then
		rsyslog_stop sender
		return 1
	fi
	t1=$(now)
	n=$TOPIC_N
	cpu1=$(cpu_seconds "$spid")
	thread_cpu "$spid" >"$OUT_DIR/threads-kafka-$name.txt"
	bg_wait "$BG_PID" 60 >/dev/null 2>&1
	kafka_wait_share "$name" "$(calc "$t1 - $t0")"
	rsyslog_stop sender || note "kafka $name: sender did not stop in time"
	[ "$n" -eq "$expected" ] || note "kafka $name: $n messages in the topic, expected $expected (duplicates)"
	result "kafka.$name.records_per_s" "$(rate "$RECORDS" "$(calc "$t1 - $t0")")"
	result "kafka.$name.records_per_sender_cpu_s" "$(rate "$RECORDS" "$(calc "$cpu1 - $cpu0")")"
	result "kafka.$name.messages" "$n"
}

# kafka_wait_share NAME WALL_S: omauditfwd's kafka.batches and the share
# of the wall time its batches waited for their delivery reports
# (kafka.wait.us), from the impstats file of its path (none for omkafka)
kafka_wait_share() {
	local name=$1 wall=$2 line end
	[ -f "$T/kstats.log" ] || return 0
	end=$(($(date +%s) + 5))
	sleep 1.2      # the sender is idle: the next line has the final counts
	until line=$(grep '"bench-kafka"' "$T/kstats.log" | tail -n 1) && [ -n "$line" ]; do
		[ "$(date +%s)" -lt "$end" ] || return 0
		sleep 0.2
	done
	line=${line#*\{}
	result "kafka.$name.batches" "$(printf '{%s\n' "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["kafka.batches"])')"
	result "kafka.$name.wait_share" "$(printf '{%s\n' "$line" | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["kafka.wait.us"] / 1e6 / float(sys.argv[1])))' "$wall")"
}

bench_kafka() {
	local fmt=$E2E_FORMAT expected r sfx q=${KAFKA_ACTION_QUEUE:-} path
	local E2E_SENDER_QUEUE=$E2E_SENDER_QUEUE
	[ -x "$KAFKA_MOCK" ] || { note "kafka: no mock cluster at $KAFKA_MOCK"; return 1; }
	kafka_mock_start
	[ -z "${KAFKA_ACTION_EXTRA:-}" ] || note "kafka: the omauditfwd action also has: $KAFKA_ACTION_EXTRA"
	[ -z "$q" ] || note "kafka: both actions also have: $q"
	if [ -n "${KAFKA_BATCH:-}" ]; then
		E2E_SENDER_QUEUE="main_queue(queue.size=\"200000\" queue.dequeueBatchSize=\"$KAFKA_BATCH\")"
		note "kafka: sender main queue: queue.dequeueBatchSize=\"$KAFKA_BATCH\""
	fi
	expected=$(auditfwd_messages "$fmt" "$STREAM")
	log "kafka: omkafka (raw lines), then omauditfwd (format=$fmt, $expected messages), $REPEAT round(s)"
	for ((r = 1; r <= REPEAT; r++)); do
		sfx=
		[ "$REPEAT" -eq 1 ] || sfx=-r$r
		kafka_path "omkafka$sfx" raw "action(type=\"omkafka\" broker=[\"$BOOTSTRAP\"] topic=\"raw\"
		template=\"RSYSLOG_SyslogProtocol23Format\" $q
		action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\")" \
			'module(load="omkafka")' "$RECORDS"
		kafka_path "omauditfwd-$fmt$sfx" "audit-$fmt" "action(type=\"omauditfwd\" transport=\"kafka\"
		broker=[\"$BOOTSTRAP\"] topic=\"audit-$fmt\" format=\"$fmt\" statsname=\"bench-kafka\" ${KAFKA_ACTION_EXTRA:-} $q
		action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\")" \
			"module(load=\"$OMAUDITFWD_MODULE\")
		module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/kstats.log\")" \
			"$expected"
		result "kafka.ratio.omauditfwd-$fmt/omkafka$sfx" "$(ratio "${R[kafka.omauditfwd-$fmt$sfx.records_per_s]:-n/a}" "${R[kafka.omkafka$sfx.records_per_s]:-n/a}")"
		result "kafka.ratio_cpu.omauditfwd-$fmt/omkafka$sfx" "$(ratio "${R[kafka.omauditfwd-$fmt$sfx.records_per_sender_cpu_s]:-n/a}" "${R[kafka.omkafka$sfx.records_per_sender_cpu_s]:-n/a}")"
	done
	if [ "$REPEAT" -gt 1 ]; then
		for path in omkafka "omauditfwd-$fmt"; do
			result "kafka.$path.records_per_s.median(min-max)" "$(for ((r = 1; r <= REPEAT; r++)); do echo "${R[kafka.$path-r$r.records_per_s]:-n/a}"; done | median)"
			result "kafka.$path.records_per_sender_cpu_s.median(min-max)" "$(for ((r = 1; r <= REPEAT; r++)); do echo "${R[kafka.$path-r$r.records_per_sender_cpu_s]:-n/a}"; done | median)"
		done
		# the targets' ratios: of the medians
		result "kafka.ratio.omauditfwd-$fmt/omkafka" "$(ratio "${R[kafka.omauditfwd-$fmt.records_per_s.median(min-max)]%% *}" "${R[kafka.omkafka.records_per_s.median(min-max)]%% *}")"
		result "kafka.ratio_cpu.omauditfwd-$fmt/omkafka" "$(ratio "${R[kafka.omauditfwd-$fmt.records_per_sender_cpu_s.median(min-max)]%% *}" "${R[kafka.omkafka.records_per_sender_cpu_s.median(min-max)]%% *}")"
	fi
	echo quit >&3
}
