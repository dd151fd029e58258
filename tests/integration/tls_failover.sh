#!/usr/bin/env bash
# Failover and failback over TLS: the action has two targets, two TLS
# receivers (rsyslogd, imtcp over ossl). A paced stream flows to the first;
# it is stopped mid-stream and the stream goes on to the second; it comes
# back and, after failback.interval, the stream returns to it. Every
# record arrives (across the three receiver runs), the end of the stream
# at the first target, and impstats counts the failovers.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "$0")/tls_lib.sh"

N=${ITEST_RECORDS:-20000}
RATE=${ITEST_RATE:-2000}
tls_setup
require_corpus

make_stream "$N" "$T/sent.txt"
pa=$(free_port)
pb=$(free_port)
sport=$(free_port)
tls_receiver_conf "$pa" "$T/a.1.txt" primary >"$T/primary.1.conf"
tls_receiver_conf "$pa" "$T/a.2.txt" primary >"$T/primary.2.conf"
tls_receiver_conf "$pb" "$T/b.txt" secondary >"$T/secondary.conf"
action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
$(tls_action "[\"127.0.0.1:$pa\", \"127.0.0.1:$pb\"]" \
	'join="off" enrich="off" failback.interval="2000" timeout.connect="2000"')"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start primary "$T/primary.1.conf"
rsyslog_start secondary "$T/secondary.conf"
rsyslog_start sender "$T/sender.conf"
log "primary on $pa, secondary on $pb, sender on $sport; $N records at $RATE/s"

bg feeder send_lines "$T/sent.txt" "$sport" "$RATE"
feeder=$BG_PID
wait_for_lines "$T/a.1.txt" $((N / 5)) 120 || fail "the stream did not start at the primary"
[ "$(count_lines "$T/b.txt")" -eq 0 ] || fail "the secondary got records while the primary was up"
rsyslog_stop primary || fail "primary did not stop"
log "primary stopped with $(count_lines "$T/a.1.txt") records"
wait_for_lines "$T/b.txt" 1 60 || fail "no failover to the secondary"
log "the secondary receives"
rsyslog_start primary "$T/primary.2.conf"
wait_for_lines "$T/a.2.txt" 1 60 || fail "no failback to the primary after it returned"
at_failback=$(count_lines "$T/b.txt")
log "back at the primary; the secondary got $at_failback records"
bg_wait "$feeder" 120 || fail "feeder failed: $(cat "$T/feeder.log")"

# everything arrived, then no more for a while (replays included)
end=$(($(date +%s) + 120))
while [ $(($(count_lines "$T/a.1.txt") + $(count_lines "$T/a.2.txt") + $(count_lines "$T/b.txt"))) -lt "$N" ]; do
	[ "$(date +%s)" -lt "$end" ] || break
	sleep 0.2
done
sleep 2
cat "$T/a.1.txt" "$T/b.txt" "$T/a.2.txt" >"$T/received.txt"
"$PYTHON" "$CHECK_JSON" "$T/sent.txt" "$T/received.txt" --delivery >"$T/result.txt" 2>&1 ||
	fail "records lost in failover: $(head -n 5 "$T/result.txt")"
log "$(head -n 1 "$T/result.txt")"
lastid=$(tail -n 1 "$T/sent.txt" | sed -n 's/.*audit(\([0-9.:]*\)).*/\1/p')
grep -q "\"id\":\"$lastid\"" "$T/a.2.txt" || fail "the end of the stream ($lastid) did not go to the primary"
sleep 2   # one more impstats interval
fo=$(stats_value "$T/stats.log" "$TEST_NAME" failovers)
co=$(stats_value "$T/stats.log" "$TEST_NAME" connects)
log "impstats: connects=$co failovers=$fo connects.failed=$(stats_value "$T/stats.log" "$TEST_NAME" connects.failed)"
[ "${fo:-0}" -ge 2 ] || fail "impstats failovers=$fo, expected at least 2 (away and back)"
[ "${co:-0}" -ge 3 ] || fail "impstats connects=$co, expected at least 3"
rsyslog_stop sender || fail "sender did not stop"
pass "$(head -n 1 "$T/result.txt"); failover and failback"
