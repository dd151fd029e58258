#!/usr/bin/env bash
# rsyslogd + omauditfwd (transport="kafka") -> a librdkafka mock cluster in
# a process of its own (tests/kafka_mock). The sample log arrives as joined
# events; then the broker goes down mid-stream and comes back: every event
# is in the topic exactly once (the batch is kept by rsyslog while the
# broker is away, and what was delivered before is not produced again).
#
# Fails on any lost event and on any event we produced twice. Copies that
# the mock stores because it does not check an idempotent (non-transactional)
# producer's sequence numbers -- a Produce request retried by librdkafka
# after the broker dropped the connection, which a real broker would not
# store again -- are told apart by their timestamp (kafka_copies.py) and
# reported, not counted as duplicates.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/kafka_lib.sh
. "$(dirname "$0")/kafka_lib.sh"

N=${ITEST_RECORDS:-3000}
require_rsyslogd
require_module
require_corpus
require_cmd kcat
kafka_mock_start -b 1 -p 2 audit cli

sport=$(free_port)
# KAFKA_DEBUG=eos,msg,...: librdkafka's debug log into sender.log
action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
action(type=\"omauditfwd\" transport=\"kafka\" broker=[\"$bootstrap\"] topic=\"audit\"
       key=\"host\" statsname=\"to-kafka\" timeout.io=\"3000\" closeTimeout=\"2000\"
       confParam=[${KAFKA_DEBUG:+\"debug=$KAFKA_DEBUG\", }\"message.timeout.ms=4000\",
                  \"socket.timeout.ms=2000\", \"statistics.interval.ms=1000\"]
       action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\"
       queue.type=\"LinkedList\" queue.size=\"200000\")"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start sender "$T/sender.conf"

# consume the topic's messages (bodies: the JSON after the syslog header);
# consumed.raw keeps timestamp, partition and offset of each
consume() {
	kcat -b "$bootstrap" -t audit -C -e -o beginning -q -f '%T\t%p\t%o\t%s\n' \
		2>/dev/null >"$T/consumed.raw"
	cut -f 4- "$T/consumed.raw" | sed 's/^[^{]*//' >"$T/consumed.txt"
	count_lines "$T/consumed.txt"
}

SEND_HOST=web01 send_lines "$top_srcdir/contrib/demo/audit.log" "$sport" >/dev/null || fail "sending failed"
end=$(($(date +%s) + 30))
until [ "$(consume)" -ge 7 ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "the sample did not arrive in the topic ($(consume) messages)"
	sleep 0.5
done
grep -q '"EXECVE":{.*"argv":\["sudo","cat","/etc/shadow"\]' "$T/consumed.txt" ||
	fail "the joined sudo event is not in the topic"
log "sample: 7 messages in the topic"

# the CLI produces the same way (its options carry the module's names)
"$AUDITFWD" --broker "$bootstrap" --topic cli --key host --timeout-io 5000 \
	"$top_srcdir/contrib/demo/audit.log" 2>"$T/cli.err" || fail "auditfwd to kafka: $(cat "$T/cli.err")"
n=$(kcat -b "$bootstrap" -t cli -C -e -o beginning -q 2>/dev/null | wc -l)
[ "$n" -eq 7 ] || fail "auditfwd produced $n messages, expected 7"
"$AUDITFWD" --broker "$bootstrap" --topic cli --conf-param bogus.key=1 /dev/null 2>"$T/cli.err"
[ $? -eq 2 ] && grep -q 'bogus.key' "$T/cli.err" || fail "bad --conf-param not refused: $(cat "$T/cli.err")"

# the broker goes away while a stream flows, and comes back
make_stream "$N" "$T/sent.txt"
# (up again once the action noticed, and at least 4 s later)
mock "down 1"
down_at=$(date +%s)
bg feeder send_lines "$T/sent.txt" "$sport" 2000
wait_suspended "$T/sender.internal.log"
while [ "$(date +%s)" -lt $((down_at + 4)) ]; do sleep 0.2; done
mock "up 1"
bg_wait "$BG_PID" 60 || fail "feeder failed"
# rsyslog retries after the broker is back: wait until the topic stops
# growing (3 s), then stopping the sender flushes the events still held
last=-1 still=0 end=$(($(date +%s) + 90))
while [ "$still" -lt 6 ] && [ "$(date +%s)" -lt "$end" ]; do
	c=$(consume)
	if [ "$c" -eq "$last" ] && [ "$c" -gt 7 ]; then still=$((still + 1)); else still=0 last=$c; fi
	sleep 0.5
done
grep -q 'delivering again' "$T/sender.internal.log" || fail "the action never resumed"
kstats() { grep '"to-kafka"' "$T/stats.log" | tail -n 1 | sed 's/^[^{]*//'; }
log "impstats before stopping: $(kstats)"
# the batches' waits for their delivery reports are counted
kstats | grep -Eq '"kafka\.batches": ?[1-9]' && kstats | grep -Eq '"kafka\.wait\.us": ?[1-9]' ||
	fail "impstats lacks kafka.batches / kafka.wait.us: $(kstats)"
rsyslog_stop sender || fail "sender did not stop"   # flushes held events
consume >/dev/null
copies=$("$PYTHON" "$ITEST_DIR/kafka_copies.py" "$T/consumed.raw" "$T/produced.txt")
log "topic: $copies"
# the stream's events, without the sample's (kcat reads partition by
# partition, so the sample is not simply the first lines)
grep -v -e '"UNPARSED"' -e '"id":"17325' "$T/produced.txt" >"$T/stream.txt"
"$PYTHON" "$ITEST_DIR/check_events.py" "$T/sent.txt" "$T/stream.txt" --final \
	>"$T/check.out" ||
	{ cat "$T/check.out"; fail "events lost or produced twice across the broker outage"; }
cat "$T/check.out"
case $copies in *" reproduced=0") ;; *) fail "messages produced twice: $copies" ;; esac
mock quit
pass "broker outage: $(head -n 1 "$T/check.out"); $copies"
