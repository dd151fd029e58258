#!/usr/bin/env bash
# Injected Produce errors through a private rsyslogd: retriable ones
# (NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT) are retried by librdkafka;
# a permanent one (TOPIC_AUTHORIZATION_FAILED: librdkafka fails the
# messages at once) suspends the action, is logged with its reason and
# counted in impstats (kafka.errors.permanent), and the batch is kept and
# delivered once the broker takes it. Every event ends in the topic exactly
# once.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/kafka_lib.sh
. "$(dirname "$0")/kafka_lib.sh"

require_rsyslogd
require_module
require_cmd kcat
require_cmd "$PYTHON"
kafka_mock_start -b 1 -p 4 audit

# events N FIRST OUT: N single-record events with serials from FIRST
events() {
	"$PYTHON" - "$@" <<'PY'
import sys
n, first, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with open(out, "w") as f:
    for i in range(first, first + n):
        f.write("type=USER_AUTH msg=audit(1700000200.%03d:%d): pid=%d uid=0 auid=1000 "
                "ses=4 msg='op=PAM:authentication acct=\"u%d\" exe=\"/usr/bin/su\" "
                "hostname=? addr=? terminal=pts/2 res=success'\n" % (i % 1000, i, i, i))
PY
}

sport=$(free_port)
action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
action(type=\"omauditfwd\" transport=\"kafka\" broker=[\"$bootstrap\"] topic=\"audit\"
       statsname=\"to-kafka\" timeout.io=\"3000\"
       confParam=[\"message.timeout.ms=20000\", \"retry.backoff.ms=50\"]
       action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\"
       queue.type=\"LinkedList\" queue.size=\"10000\")"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start sender "$T/sender.conf"

# kstat NAME: the action's counter NAME in its last impstats line
kstat() {
	grep '"to-kafka"' "$T/stats.log" 2>/dev/null | tail -n 1 | "$PYTHON" -c '
import json, sys
line = sys.stdin.read()
print(json.loads(line[line.index("{"):]).get(sys.argv[1], 0) if "{" in line else 0)' "$1"
}
# wait_sent N: until impstats says N messages were delivered (90 s)
wait_sent() {
	local end=$(($(date +%s) + 90))
	until [ "$(kstat messages.sent)" -ge "$1" ]; do
		[ "$(date +%s)" -lt "$end" ] || fail "only $(kstat messages.sent) of $1 delivered"
		sleep 0.5
	done
}

# retriable: librdkafka retries, the action never fails
mock err produce 3 NOT_LEADER_FOR_PARTITION
mock err produce 2 REQUEST_TIMED_OUT
events 200 1 "$T/a.txt"
send_lines "$T/a.txt" "$sport" >/dev/null || fail "sending failed"
wait_sent 200
[ "$(kstat batches.failed)" -eq 0 ] || fail "a retriable error failed a batch"
[ "$(kstat kafka.errors.permanent)" -eq 0 ] || fail "a retriable error counted as permanent"

# permanent: the batch fails, is logged and counted, and is kept
mock err produce 1 TOPIC_AUTHORIZATION_FAILED
events 100 1000 "$T/b.txt"
send_lines "$T/b.txt" "$sport" >/dev/null || fail "sending failed"
wait_sent 300
grep -q 'action suspended.*uthoriz' "$T/sender.internal.log" ||
	fail "the authorization failure was not logged: $(grep omauditfwd "$T/sender.internal.log" | tail -n 2)"
end=$(($(date +%s) + 10))   # impstats comes every second
until [ "$(kstat kafka.errors.permanent)" -gt 0 ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "kafka.errors.permanent not counted"
	sleep 0.5
done
log "impstats: batches.failed=$(kstat batches.failed) kafka.errors.permanent=$(kstat kafka.errors.permanent) kafka.produced=$(kstat kafka.produced)"

cat "$T/a.txt" "$T/b.txt" >"$T/sent.txt"
kcat -b "$bootstrap" -t audit -C -e -o beginning -q -f '%T\t%p\t%o\t%s\n' \
	2>"$T/kcat.err" >"$T/consumed.raw" || fail "kcat: $(cat "$T/kcat.err")"
rsyslog_stop sender || fail "sender did not stop"
copies=$("$PYTHON" "$ITEST_DIR/kafka_copies.py" "$T/consumed.raw" "$T/produced.txt")
"$PYTHON" "$ITEST_DIR/check_events.py" "$T/sent.txt" "$T/produced.txt" --final \
	>"$T/check.out" || { cat "$T/check.out"; fail "events lost or produced twice"; }
case $copies in *" reproduced=0") ;; *) fail "messages produced twice: $copies" ;; esac
mock quit
pass "retriable and permanent Produce errors: $(head -n 1 "$T/check.out"); $copies"
