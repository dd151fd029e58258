#!/usr/bin/env bash
# The collector goes away mid-stream and comes back: a paced stream of
# 20,000+ audit records flows feeder -> rsyslogd + omauditfwd -> receiver;
# after some records arrived the receiver is stopped (SIGTERM), stays down
# for 2.5 s and starts again on the same port, appending to the same file.
# At the end every record has arrived (missing=0); duplicates are reported.
#
# ITEST_OUTPUT=omfwd: the same with rsyslog's omfwd (harness check; plain
# TCP syslog without application acks may lose what was in flight).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

mode=${ITEST_OUTPUT:-omauditfwd}
N=${ITEST_RECORDS:-20000}
RATE=${ITEST_RATE:-4000}         # records per second from the feeder
DOWN=${ITEST_DOWNTIME:-2.5}      # seconds the receiver stays down
require_rsyslogd
require_cmd "$PYTHON"
require_corpus
[ "$mode" = omfwd ] || require_module

make_stream "$N" "$T/sent.txt"
rport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
if [ "$mode" = omfwd ]; then
	action=$(omfwd_action "$rport")
	check=(--raw)
else
	action=$(omauditfwd_action "$rport" 'join="off" enrich="off"')
	check=(--delivery)
fi
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"
log "receiver on $rport, sender on $sport; $N records at $RATE/s, mode $mode"

bg feeder send_lines "$T/sent.txt" "$sport" "$RATE"
feeder=$BG_PID

# stop the receiver once a tenth of the stream has arrived
wait_for_lines "$T/received.txt" $((N / 10)) 30 || fail "stream did not start"
rsyslog_stop receiver || fail "receiver did not stop on SIGTERM"
at_stop=$(count_lines "$T/received.txt")
log "receiver stopped with $at_stop lines written"
[ "$at_stop" -lt "$N" ] || fail "the whole stream arrived before the receiver was stopped"
sleep "$DOWN"   # the outage itself, not a synchronisation
at_restart=$(count_lines "$T/received.txt")
[ "$at_restart" -eq "$at_stop" ] || fail "file grew while the receiver was down"
rsyslog_start receiver "$T/receiver.conf"
log "receiver restarted"

bg_wait "$feeder" 60 || fail "feeder failed: $(cat "$T/feeder.log")"
log "feeder: $(cat "$T/feeder.log")"
wait_for_check 60 "$T/sent.txt" "$T/received.txt" "${check[@]}" >"$T/result.txt"
rc=$?
cat "$T/result.txt"
log "sent $N, $(count_lines "$T/received.txt") lines received"
[ $rc -eq 0 ] || fail "records lost across the receiver restart"
rsyslog_stop sender || fail "sender did not stop on SIGTERM"
rsyslog_stop receiver || fail "receiver did not stop on SIGTERM"
pass "$(head -n 1 "$T/result.txt")"
