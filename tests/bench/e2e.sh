# e2e.sh -- end to end over TLS, sourced by run.sh.
#   feeder -> private rsyslogd (imtcp) -> ACTION -> private rsyslogd (imtcp,
#   StreamDriver ossl, client certificate required) -> omfile
# ACTION is omauditfwd (transport="tls") or rsyslog's omfwd (StreamDriver
# ossl, the raw lines). Same sender settings, same receiver, same stream.
# The receiver writes one short line per message (its first character), so
# counting messages costs nothing: a path is done when the receiver has every
# message (the stream's trailer completes the last events), timed from the
# first byte fed. The sender's RSS is sampled throughout.
#
# With E2E_WORKERS (run.sh --workers LIST): each action gets a queue of its
# own with N worker threads (E2E_ACTION_QUEUE), for each N of the list, and
# the paths run REPEAT rounds interleaved (omfwd, omauditfwd for each N in
# each round); the summary gives medians and each round's N-worker / 1-worker
# ratio. The CPU of every thread of the sender goes to threads-NAME.txt.

E2E_SENDER_QUEUE='main_queue(queue.size="200000" queue.dequeueBatchSize="1024")'
# the action's own queue (empty: it runs in the main queue's worker); a
# further worker starts when a batch's worth of messages waits
E2E_ACTION_QUEUE=''
e2e_action_queue() {
	echo "queue.type=\"LinkedList\" queue.size=\"200000\" queue.dequeueBatchSize=\"1024\"
	queue.workerThreads=\"$1\" queue.workerThreadMinimumMessages=\"1024\""
}

e2e_receiver_conf() {
	local port=$1 out=$2
	mkdir -p "$T/receiver.work"
	cat <<CONF
global(workDirectory="$T/receiver.work" maxMessageSize="64k"
       parser.escapeControlCharactersOnReceive="off"
       DefaultNetstreamDriver="ossl" DefaultNetstreamDriverCAFile="$PKI/ca.pem"
       DefaultNetstreamDriverCertFile="$PKI/server.pem"
       DefaultNetstreamDriverKeyFile="$PKI/server.key")
main_queue(queue.size="1000000" queue.dequeueBatchSize="1024")
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1"
       StreamDriver.AuthMode="x509/certvalid")
template(name="first_char" type="string" string="%msg:1:1%\n")
ruleset(name="recv") {
	action(type="omfile" file="$out" template="first_char" ioBufferSize="256k")
}
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="recv")
*.* action(type="omfile" file="$T/receiver.internal.log")
CONF
}

e2e_sender_conf() {
	local port=$1 action=$2 mods=$3
	mkdir -p "$T/sender.work"
	cat <<CONF
global(workDirectory="$T/sender.work" maxMessageSize="64k"
       parser.escapeControlCharactersOnReceive="off"
       DefaultNetstreamDriverCAFile="$PKI/ca.pem"
       DefaultNetstreamDriverCertFile="$PKI/client.pem"
       DefaultNetstreamDriverKeyFile="$PKI/client.key")
$E2E_SENDER_QUEUE
module(load="imtcp")
$mods
ruleset(name="fwd") {
$action
}
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="fwd")
*.* action(type="omfile" file="$T/sender.internal.log")
CONF
}

# e2e_path NAME ACTION MODULES EXPECTED FIRSTCHAR [PROFILE]: one measured run;
# results under e2e.NAME.*. With PROFILE: instead of measuring, perf records
# the sender while the stream flows (into $T/NAME.perf.data).
e2e_path() {
	local name=$1 action=$2 mods=$3 expected=$4 first=$5 profile=${6:-}
	local rport sport out=$T/$name.recv t0 t1 cpu0 cpu1 rcpu0 rcpu1 st0 st1 spid rpid perfpid
	local rss=$T/$name.rss
	rport=$(free_port)
	sport=$(free_port)
	rm -f "$out" "$rss"
	action=${action//@RPORT@/$rport}
	e2e_receiver_conf "$rport" "$out" >"$T/receiver.conf"
	e2e_sender_conf "$sport" "$action" "$mods" >"$T/sender.conf"
	rsyslog_start receiver "$T/receiver.conf"
	rsyslog_start sender "$T/sender.conf"
	spid=$(rsyslog_pid sender)
	rpid=$(rsyslog_pid receiver)
	sleep 1
	sample_rss "$spid" "$rss"
	cpu0=$(cpu_seconds "$spid")
	rcpu0=$(cpu_seconds "$rpid")
	st0=$(machine_busy)
	if [ -n "$profile" ]; then
		# the whole machine: the queue's worker threads start after the
		# sender does, and "perf record -p" would not see them; the
		# report keeps the sender's samples (--pid)
		echo "$spid" >"$T/$name.perf.pid"
		perf record -F 499 -g -a -o "$T/$name.perf.data" >"$T/perf-e2e.log" 2>&1 &
		perfpid=$!
		_ITEST_PIDS+=("$perfpid")
	fi
	t0=$(now)
	bg feeder python3 "$BENCH_DIR/feed.py" "$FRAMES" "$sport"
	if ! wait_for_size "$out" $((expected * 2)) "$DEADLINE" 60 >"$T/wait.out"; then
		note "e2e $name: $(cat "$T/wait.out") (receiver got $(($(stat -c %s "$out" 2>/dev/null || echo 0) / 2)) of $expected messages)"
		[ -z "$profile" ] || kill -INT "$perfpid"
		rsyslog_stop sender; rsyslog_stop receiver
		return 1
	fi
	t1=$(now)
	cpu1=$(cpu_seconds "$spid")
	rcpu1=$(cpu_seconds "$rpid")
	st1=$(machine_busy)
	thread_cpu "$spid" >"$OUT_DIR/threads-$name.txt"
	if [ -n "$profile" ]; then
		kill -INT "$perfpid"
		bg_wait "$perfpid" 120 >/dev/null 2>&1   # perf exits 130 on SIGINT
	fi
	sleep 2   # an end-of-run RSS sample, idle
	bg_wait "$BG_PID" 60 >/dev/null 2>&1
	rsyslog_stop sender || note "e2e $name: sender did not stop in time"
	rsyslog_stop receiver || note "e2e $name: receiver did not stop in time"
	[ -z "$profile" ] || return 0
	if grep -qv "^$first" "$out"; then
		note "e2e $name: unexpected messages at the receiver: $(grep -v "^$first" "$out" | sort | uniq -c | head -3 | tr '\n' ' ')"
		return 1
	fi
	result "e2e.$name.records_per_s" "$(rate "$RECORDS" "$(calc "$t1 - $t0")")"
	result "e2e.$name.records_per_sender_cpu_s" "$(rate "$RECORDS" "$(calc "$cpu1 - $cpu0")")"
	result "e2e.$name.messages" "$expected"
	result "e2e.$name.wall_s/sender_cpu_s/receiver_cpu_s/machine_busy_cores" \
		"$(calc "$t1 - $t0")/$(calc "$cpu1 - $cpu0")/$(calc "$rcpu1 - $rcpu0")/$(busy_cores "$st0" "$st1")"
	result "e2e.$name.sender_rss_kb.start/peak/end" "$(awk '$2 == "" { next } s == "" { s = $2 } $2 > p { p = $2 } { e = $2 } END { printf "%d/%d/%d", s, p, e }' "$rss")"
	result "e2e.$name.sender_rss_mb.by_tenth" "$(rss_by_tenth "$rss" "$t0" "$t1")"
	cp "$rss" "$OUT_DIR/rss-e2e-$name.txt" 2>/dev/null || true
}

e2e_omauditfwd_action() {
	echo "action(type=\"omauditfwd\" target=\"127.0.0.1\" port=\"$2\" transport=\"tls\"
	tls.cacert=\"$PKI/ca.pem\" tls.mycert=\"$PKI/client.pem\" tls.myprivkey=\"$PKI/client.key\"
	tls.authmode=\"x509/certvalid\" format=\"$1\" framing=\"octet-counted\"
	action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\" $E2E_ACTION_QUEUE)"
}

e2e_omfwd_action() {
	echo "action(type=\"omfwd\" target=\"127.0.0.1\" port=\"$1\" protocol=\"tcp\"
	StreamDriver=\"ossl\" StreamDriverMode=\"1\" StreamDriverAuthMode=\"x509/certvalid\"
	TCP_Framing=\"octet-counted\" template=\"RSYSLOG_SyslogProtocol23Format\"
	action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\" $E2E_ACTION_QUEUE)"
}

# the receiver's port is only known inside e2e_path: ACTION holds @RPORT@
bench_e2e() {
	local fmt=$E2E_FORMAT expected first
	bash "$top_srcdir/tests/pki.sh" "$PKI" || fail "tests/pki.sh failed"
	expected=$(auditfwd_messages "$fmt" "$STREAM")
	case $fmt in   # what the receiver's messages start with
	json) first='{' ;; leef) first=L ;; cef) first=C ;; *) first='[nt]' ;;
	esac
	if [ -n "${E2E_WORKERS:-}" ]; then
		bench_e2e_workers "$fmt" "$expected" "$first"
		return
	fi
	log "e2e TLS: omfwd (raw lines), then omauditfwd (format=$fmt, $expected messages)"
	e2e_path omfwd "$(e2e_omfwd_action @RPORT@)" "" "$RECORDS" '[nt]'
	e2e_path "omauditfwd-$fmt" "$(e2e_omauditfwd_action "$fmt" @RPORT@)" \
		"module(load=\"$OMAUDITFWD_MODULE\")" "$expected" "$first"
	result "e2e.ratio.omauditfwd-$fmt/omfwd" "$(ratio "${R[e2e.omauditfwd-$fmt.records_per_s]:-n/a}" "${R[e2e.omfwd.records_per_s]:-n/a}")"
	result "e2e.ratio_cpu.omauditfwd-$fmt/omfwd" "$(ratio "${R[e2e.omauditfwd-$fmt.records_per_sender_cpu_s]:-n/a}" "${R[e2e.omfwd.records_per_sender_cpu_s]:-n/a}")"
}

# median of the numbers on stdin (n/a ignored), and "min-max"
median() { grep -v n/a | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%d (%d-%d)\n", m, v[1], v[NR] }'; }

# bench_e2e_workers FORMAT EXPECTED FIRSTCHAR: omfwd and omauditfwd with an
# action queue of N workers for each N of E2E_WORKERS, REPEAT rounds
# interleaved; per round the ratio of N workers to the list's first count
bench_e2e_workers() {
	local fmt=$1 expected=$2 first=$3 r w base path ws
	ws=${E2E_WORKERS//,/ }
	base=${ws%% *}
	log "e2e TLS, action queue with workers $ws, $REPEAT rounds: omfwd, omauditfwd (format=$fmt)"
	for ((r = 1; r <= REPEAT; r++)); do
		for w in $ws; do
			E2E_ACTION_QUEUE=$(e2e_action_queue "$w")
			e2e_path "omfwd-w$w-r$r" "$(e2e_omfwd_action @RPORT@)" "" "$RECORDS" '[nt]' ||
				note "e2e omfwd, $w workers, round $r incomplete"
			e2e_path "omauditfwd-$fmt-w$w-r$r" "$(e2e_omauditfwd_action "$fmt" @RPORT@)" \
				"module(load=\"$OMAUDITFWD_MODULE\")" "$expected" "$first" ||
				note "e2e omauditfwd, $w workers, round $r incomplete"
		done
		for path in omfwd "omauditfwd-$fmt"; do
			for w in $ws; do
				[ "$w" = "$base" ] && continue
				result "e2e.ratio.$path.w$w/w$base.r$r" "$(ratio "${R[e2e.$path-w$w-r$r.records_per_s]:-n/a}" "${R[e2e.$path-w$base-r$r.records_per_s]:-n/a}")"
			done
		done
	done
	E2E_ACTION_QUEUE=''
	for path in omfwd "omauditfwd-$fmt"; do
		for w in $ws; do
			result "e2e.$path-w$w.records_per_s.median(min-max)" "$(for ((r = 1; r <= REPEAT; r++)); do echo "${R[e2e.$path-w$w-r$r.records_per_s]:-n/a}"; done | median)"
			result "e2e.$path-w$w.records_per_sender_cpu_s.median(min-max)" "$(for ((r = 1; r <= REPEAT; r++)); do echo "${R[e2e.$path-w$w-r$r.records_per_sender_cpu_s]:-n/a}"; done | median)"
		done
	done
}
