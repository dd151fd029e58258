#!/usr/bin/env bash
# Outage over TLS: a paced stream of 100,000 audit records flows feeder ->
# rsyslogd + omauditfwd (transport="tls") -> a TLS receiver (rsyslogd, imtcp
# over ossl, client certificates required). Five times during the stream
# the receiver is killed (SIGKILL, SIGTERM alternately: a crash and a
# stop), stays down a second and is started again on the same port, each
# incarnation writing a file of its own (a line a killed receiver left
# half-written is not counted: it never stored it).
#
# Every record must arrive (missing=0). Duplicates are expected: after a
# lost connection the module resends its replay window (resendWindow,
# default 256 KiB of delivered batches, kept as whole batches up to twice
# that), because a TCP acknowledgement does not say what the receiver
# stored. They are counted and printed, and fail the test beyond that
# window per outage.
#
# The same sender runs rsyslog's omfwd over TLS beside it, to a second TLS
# receiver killed and restarted with ours: duplicates and losses per outage
# are printed for both (outage_figures.py). omfwd's losses are reported,
# never a failure; ours fail the test. ITEST_RESEND_WINDOW sets our
# resendWindow (0 shows the test failing on the losses that follow).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "$0")/tls_lib.sh"

N=${ITEST_RECORDS:-100000}
RATE=${ITEST_RATE:-5000}          # records per second from the feeder
OUTAGES=5
BATCH=256                         # the action's queue.dequeueBatchSize
REPLAY_MAX=$((2 * 256 * 1024))    # bytes: the default resendWindow, kept up to twice
tls_setup
require_corpus

make_stream "$N" "$T/sent.txt"
rport=$(free_port)
fport=$(free_port)
sport=$(free_port)
# the receiver writes what it takes as it takes it (no queue of its own to
# lose when killed): what a crash loses is what it had not read yet
export TLS_RECEIVER_QUEUE='queue.type="Direct"'
inc=0
start_receiver() {
	inc=$((inc + 1))
	tls_receiver_conf "$rport" "$T/received.$inc.txt" receiver >"$T/receiver.$inc.conf"
	rsyslog_start receiver "$T/receiver.$inc.conf"
	tls_receiver_conf "$fport" "$T/freceived.$inc.txt" freceiver >"$T/freceiver.$inc.conf"
	rsyslog_start freceiver "$T/freceiver.$inc.conf"
}
total() {
	local f n=0
	for f in "$T"/received.*.txt; do
		[ -f "$f" ] && n=$((n + $(count_lines "$f")))
	done
	echo "$n"
}
wait_total() {
	local want=$1 timeout=$2 end
	end=$(($(date +%s) + timeout))
	while [ "$(total)" -lt "$want" ]; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
$(tls_action "\"127.0.0.1\" port=\"$rport\"" \
	"join=\"off\" enrich=\"off\" queue.dequeueBatchSize=\"$BATCH\"" \
	${ITEST_RESEND_WINDOW:+"resendWindow=\"$ITEST_RESEND_WINDOW\""})
action(type=\"omfwd\" target=\"127.0.0.1\" port=\"$fport\" protocol=\"tcp\" TCP_Framing=\"octet-counted\" StreamDriver=\"$TLS_DRIVER\" StreamDriverMode=\"1\" StreamDriverAuthMode=\"x509/certvalid\" streamdriver.cafile=\"$PKI/ca.pem\" streamdriver.certfile=\"$PKI/client.pem\" streamdriver.keyfile=\"$PKI/client.key\" template=\"RSYSLOG_SyslogProtocol23Format\" action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\" queue.type=\"LinkedList\" queue.size=\"200000\" queue.dequeueBatchSize=\"$BATCH\")"
sender_conf "$sport" "$action" >"$T/sender.conf"
start_receiver
rsyslog_start sender "$T/sender.conf"
log "receiver on $rport (omfwd's on $fport), sender on $sport; $N records at $RATE/s, $OUTAGES outages"

bg feeder send_lines "$T/sent.txt" "$sport" "$RATE"
feeder=$BG_PID
for k in $(seq 1 $OUTAGES); do
	wait_total $((N * k / (OUTAGES + 2))) 180 || fail "outage $k: stream stalled at $(total) records"
	if [ $((k % 2)) -eq 1 ]; then
		rsyslog_kill receiver
		rsyslog_kill freceiver
		how=SIGKILL
	else
		rsyslog_stop receiver || fail "receiver did not stop on SIGTERM"
		rsyslog_stop freceiver || fail "omfwd's receiver did not stop on SIGTERM"
		how=SIGTERM
	fi
	log "outage $k ($how) with $(total) records received"
	sleep 1   # the outage itself, not a synchronisation
	start_receiver
done
bg_wait "$feeder" 240 || fail "feeder failed: $(cat "$T/feeder.log")"
log "feeder: $(cat "$T/feeder.log")"

# all of it, then no more for a while (replays included)
wait_total "$N" 240 || log "only $(total) of $N records arrived within 240 s"
last=-1
while [ "$(total)" != "$last" ]; do
	last=$(total)
	sleep 3
done
ftotal() { cat "$T"/freceived.*.txt 2>/dev/null | wc -l; }
last=-1
while [ "$(ftotal)" != "$last" ]; do
	last=$(ftotal)
	sleep 3
done
rsyslog_stop sender || fail "sender did not stop"
rsyslog_stop receiver || fail "receiver did not stop"
rsyslog_stop freceiver || fail "omfwd's receiver did not stop"
files=() ffiles=()
for i in $(seq 1 "$inc"); do
	complete_lines "$T/received.$i.txt" >"$T/complete.$i.txt"
	complete_lines "$T/freceived.$i.txt" >"$T/fcomplete.$i.txt"
	files+=("$T/complete.$i.txt")
	ffiles+=("$T/fcomplete.$i.txt")
done
"$PYTHON" "$ITEST_DIR/outage_figures.py" json "$T/sent.txt" "${files[@]}" >"$T/ours.txt" ||
	fail "outage_figures.py failed: $(cat "$T/ours.txt")"
"$PYTHON" "$ITEST_DIR/outage_figures.py" raw "$T/sent.txt" "${ffiles[@]}" >"$T/omfwd.txt" ||
	fail "outage_figures.py failed: $(cat "$T/omfwd.txt")"
log "per outage, omauditfwd (resendWindow ${ITEST_RESEND_WINDOW:-default}) | omfwd over TLS, same outages:"
paste -d '|' "$T/ours.txt" "$T/omfwd.txt" | sed 's/^/    /; s/|/   |   /'
complete_lines "$T"/received.*.txt >"$T/received.txt"
"$PYTHON" "$CHECK_JSON" "$T/sent.txt" "$T/received.txt" --delivery >"$T/result.txt" 2>&1
rc=$?
head -n 20 "$T/result.txt"
summary=$(head -n 1 "$T/result.txt")
[ $rc -eq 0 ] || fail "records lost over $OUTAGES receiver outages: $summary"
dups=$(sed -n 's/.* duplicates=\([0-9]*\).*/\1/p' <<<"$summary")
avg=$(( $(wc -c <"$T/received.txt") / $(count_lines "$T/received.txt") ))
per_outage=$(( REPLAY_MAX / avg + BATCH ))
log "impstats: connects=$(stats_value "$T/stats.log" "$TEST_NAME" connects)" \
	"handshakes.failed=$(stats_value "$T/stats.log" "$TEST_NAME" handshakes.failed)" \
	"connects.failed=$(stats_value "$T/stats.log" "$TEST_NAME" connects.failed)" \
	"resends=$(stats_value "$T/stats.log" "$TEST_NAME" resends)" \
	"resent.bytes=$(stats_value "$T/stats.log" "$TEST_NAME" resent.bytes)"
log "duplicates: $dups; bound $OUTAGES x $per_outage (replay window of ~$avg-byte messages + one batch of $BATCH)"
[ -n "$dups" ] || fail "no duplicate count in: $summary"
[ "$dups" -le $((OUTAGES * per_outage)) ] || fail "$dups duplicates: more than the replay window per outage"
grep -q '^total: .* lost=0 ' "$T/ours.txt" || fail "our records lost: $(cat "$T/ours.txt")"
pass "$summary; $OUTAGES outages (SIGKILL/SIGTERM); omfwd: $(tail -n 1 "$T/omfwd.txt")"
