#!/usr/bin/env bash
# Joining inside rsyslogd: the records of each event arrive joined, once,
# although (1) the action runs two worker threads with small batches,
# so one event's records land in different batches and workers, and (2) the
# collector is down for the first seconds, so every batch fails and rsyslog
# retries it (the joiner rolls each failed batch back). Events still held
# when rsyslogd stops are flushed then (complete as they are, flagged).
# A user-space record is an event of its own even when kernel records share
# its serial (systemd's SERVICE_START and the sendto that carried it): such
# a serial arrives as two messages, which together hold all its records.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

N=${ITEST_RECORDS:-6000}
DOWN=${ITEST_DOWNTIME:-3}
require_rsyslogd
require_cmd "$PYTHON"
require_corpus
require_module

make_stream "$N" "$T/sent.txt"
rport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
action=$(omauditfwd_action "$rport" 'join="on" queue.workerThreads="2"' \
	'queue.dequeueBatchSize="7" queue.minDequeueBatchSize.timeout="0"')
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start sender "$T/sender.conf"
log "sender on $sport; collector on $rport is DOWN for ${DOWN}s; $N records"

bg feeder send_lines "$T/sent.txt" "$sport" 3000
feeder=$BG_PID
sleep "$DOWN"   # the outage itself: every batch fails and is rolled back
grep -q 'omauditfwd\[.*\]: .*action suspended' "$T/sender.internal.log" ||
	fail "the action was never suspended: the outage did not happen"
rsyslog_start receiver "$T/receiver.conf"
log "collector up"
bg_wait "$feeder" 60 || fail "feeder failed: $(cat "$T/feeder.log")"

# everything but the events still held arrives; then stopping the sender
# flushes those
check_events() {
	"$PYTHON" "$ITEST_DIR/check_events.py" "$T/sent.txt" "$T/received.txt" "$@"
}
wait_for_lines "$T/received.txt" $((N / 10)) 60 || fail "nothing arrived after the outage"
# let the stream drain: until nothing new has arrived for 2 s
wait_quiet "$T/received.txt" 2 60
check_events >"$T/check.out" || { cat "$T/check.out"; fail "events were wrong before shutdown"; }
log "before shutdown: $(head -n 1 "$T/check.out")"
rsyslog_stop sender || fail "sender did not stop on SIGTERM"
end=$(($(date +%s) + 20))
until check_events --final >"$T/check.out"; do
	[ "$(date +%s)" -lt "$end" ] || { cat "$T/check.out"; fail "events lost, split or duplicated"; }
	sleep 0.5
done
cat "$T/check.out"
grep -q 'suspended' "$T/sender.internal.log" || fail "no retry happened"
rsyslog_stop receiver || fail "receiver did not stop"
pass "$(head -n 1 "$T/check.out")"
