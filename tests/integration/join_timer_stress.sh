#!/usr/bin/env bash
# The join timer, the workers' batches and HUP share the joiner's lock: none
# may deadlock another, and no record may be lost or sent twice. A stream
# of corpus events goes through an action with two workers and small
# batches, join.timeout 300 ms (so the timer completes events all the
# time), while rsyslogd gets a HUP every 0.2 s (each one a flush by the
# timer and a reconnect of every worker). Then rsyslogd must stop promptly,
# and every record must have arrived exactly once. Events may be split (a
# flush or a timeout in the middle of one): records are counted per event,
# not messages.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

N=${ITEST_RECORDS:-6000}
require_rsyslogd
require_cmd "$PYTHON"
require_corpus
require_module

make_stream "$N" "$T/sent.txt"
rport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
action=$(omauditfwd_action "$rport" 'join="on" join.timeout="300" queue.workerThreads="2"' \
	'queue.dequeueBatchSize="7" queue.minDequeueBatchSize.timeout="0"')
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"

bg feeder send_lines "$T/sent.txt" "$sport" 2000
feeder=$BG_PID
hups=0
pid=$(rsyslog_pid sender)
while kill -0 "$feeder" 2>/dev/null; do
	kill -HUP "$pid" || fail "sender gone during the HUPs"
	hups=$((hups + 1))
	sleep 0.2
done
bg_wait "$feeder" 60 || fail "feeder failed: $(cat "$T/feeder.log")"
log "$hups HUPs during the stream"
# everything arrives without a shutdown (the timer), then the sender stops
end=$(($(date +%s) + 60))
until "$PYTHON" "$ITEST_DIR/check_events.py" "$T/sent.txt" "$T/received.txt" --final \
	>"$T/check.out" || grep -q ' missing=0 .* wrong_record_count=0 .* unparsed=0' "$T/check.out"; do
	[ "$(date +%s)" -lt "$end" ] || { cat "$T/check.out"; fail "records missing without a shutdown"; }
	sleep 0.5
done
log "before shutdown: $(head -n 1 "$T/check.out")"
rsyslog_stop sender 20 || fail "sender did not stop within 20 s: a deadlock?"
wait_quiet "$T/received.txt" 1 10
"$PYTHON" "$ITEST_DIR/check_events.py" "$T/sent.txt" "$T/received.txt" --final >"$T/check.out"
cat "$T/check.out"
grep -q ' missing=0 .* wrong_record_count=0 .* unparsed=0' "$T/check.out" ||
	fail "records lost or repeated: $(head -n 1 "$T/check.out")"
grep -q '"incomplete":"flush"' "$T/received.txt" || fail "no HUP flush happened"
grep -q '"incomplete":"timeout"' "$T/received.txt" || fail "the timer completed nothing"
rsyslog_stop receiver || fail "receiver did not stop"
pass "$hups HUPs, $(head -n 1 "$T/check.out")"
