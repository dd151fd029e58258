#!/usr/bin/env bash
# Outage at scale: a stream of 100,000 audit events through a private
# rsyslogd into a librdkafka mock cluster (16 partitions); the broker goes
# down mid-stream, with requests it stored still unanswered, for longer than
# message.timeout.ms (so librdkafka times messages out, those "possibly
# persisted"), and comes back. After
# recovery every event must be in the topic exactly once: none lost, none
# produced twice. Copies the mock stores because it does not check an
# idempotent producer's sequence numbers (see kafka_copies.py) are reported
# separately. Prints the figures: produced, consumed, lost, duplicates.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/kafka_lib.sh
. "$(dirname "$0")/kafka_lib.sh"

N=${KAFKA_OUTAGE_EVENTS:-100000}
DOWN_S=${KAFKA_OUTAGE_SECONDS:-8}     # > message.timeout.ms below
require_rsyslogd
require_module
require_cmd kcat
require_cmd "$PYTHON"

kafka_mock_start -b 1 -p 16 audit

# The mock keeps only the last ~5 MB of a partition (tests/kafka_mock.c):
# the 100,000 events (~36 MB) must spread evenly over the 16 partitions.
# Without a key librdkafka sticks to one partition for
# sticky.partitioning.linger.ms (10 ms): after the outage, the backlog
# went out in bursts and one partition got 14,664 messages (5.3 MB), whose
# oldest the mock then dropped. 0 spreads message by message.

# N single-record events (user-space records are complete on their own)
"$PYTHON" - "$N" "$T/sent.txt" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
with open(out, "w") as f:
    for i in range(n):
        f.write("type=USER_ACCT msg=audit(%d.%03d:%d): pid=%d uid=0 auid=1000 ses=%d "
                "msg='op=PAM:accounting grantors=pam_unix acct=\"u%d\" "
                "exe=\"/usr/bin/sudo\" hostname=? addr=? terminal=/dev/pts/1 res=success'\n"
                % (1700000000 + i // 1000, i % 1000, i + 1, 1000 + i % 30000, i % 97, i % 500))
PY

sport=$(free_port)
action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
action(type=\"omauditfwd\" transport=\"kafka\" broker=[\"$bootstrap\"] topic=\"audit\"
       statsname=\"to-kafka\" timeout.io=\"2000\" closeTimeout=\"2000\"
       confParam=[\"message.timeout.ms=3000\", \"socket.timeout.ms=2000\",
                  \"statistics.interval.ms=1000\", \"sticky.partitioning.linger.ms=0\"]
       action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\"
       queue.type=\"LinkedList\" queue.size=\"300000\" queue.dequeueBatchSize=\"1024\")"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start sender "$T/sender.conf"

# kstat NAME: the action's counter NAME in its last impstats line (0 before)
kstat() {
	grep '"to-kafka"' "$T/stats.log" 2>/dev/null | tail -n 1 | "$PYTHON" -c '
import json, sys
line = sys.stdin.read()
print(json.loads(line[line.index("{"):]).get(sys.argv[1], 0) if "{" in line else 0)' "$1"
}

# paced, so the outage falls in the middle of the stream (~20 s)
bg feeder send_lines "$T/sent.txt" "$sport" "${KAFKA_OUTAGE_RATE:-5000}"
# the broker goes down once a tenth of the stream is in the topic
end=$(($(date +%s) + 120))
until [ "$(kstat messages.sent)" -ge $((N / 10)) ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "the stream did not start ($(kstat messages.sent) sent)"
	sleep 0.2
done
before=$(kstat messages.sent)
# the broker answers late just before it goes down, so requests the broker
# has stored are in flight when it does: their messages time out "possibly
# persisted" and the retry must find them by reading back, not produce them
mock rtt 1 1500
sleep 1
mock "down 1"
mock rtt 1 0
log "broker down after $before events; for ${DOWN_S}s (message.timeout.ms=3000)"
down_at=$(date +%s)
wait_suspended "$T/sender.internal.log"
while [ "$(date +%s)" -lt $((down_at + DOWN_S)) ]; do sleep 0.2; done
during=$(kstat messages.sent)
mock "up 1"
log "broker up; $during events delivered before it came back"
bg_wait "$BG_PID" 180 || fail "feeder failed"

end=$(($(date +%s) + 240))
until [ "$(kstat messages.sent)" -ge "$N" ]; do
	[ "$(date +%s)" -lt "$end" ] ||
		fail "only $(kstat messages.sent) of $N events delivered after the outage"
	sleep 1
done
stats=$(grep '"to-kafka"' "$T/stats.log" | tail -n 1 | sed 's/^[^{]*//')
rsyslog_stop sender || fail "sender did not stop"

kcat -b "$bootstrap" -t audit -C -e -o beginning -q -f '%T\t%p\t%o\t%s\n' \
	2>"$T/kcat.err" >"$T/consumed.raw" || fail "kcat: $(cat "$T/kcat.err")"
# a partition that does not start at offset 0 lost its oldest messages to
# the mock's size limit: that is the test's limit, not the module's loss
pruned=$(awk -F '\t' '!($2 in lo) || $3 < lo[$2] { lo[$2] = $3 }
	END { for (p in lo) if (lo[p] > 0) printf "partition %s from offset %s; ", p, lo[p] }' \
	"$T/consumed.raw")
[ -z "$pruned" ] || fail "the mock cluster dropped the oldest messages (it keeps ~5 MB per partition): $pruned"
copies=$("$PYTHON" "$ITEST_DIR/kafka_copies.py" "$T/consumed.raw" "$T/produced.txt")
"$PYTHON" "$ITEST_DIR/check_events.py" "$T/sent.txt" "$T/produced.txt" --final \
	>"$T/check.out"
rc=$?
"$PYTHON" - "$stats" "$copies" "$(head -n 1 "$T/check.out")" <<'PY'
import json, re, sys
s = json.loads(sys.argv[1])
c = dict(kv.split("=") for kv in sys.argv[2].split())
e = dict(kv.split("=") for kv in sys.argv[3].split()[1:])
print("figures: events sent=%s produced=%s consumed=%s (distinct %s) lost=%s "
      "duplicates=%s mock-retransmitted=%s | kafka.doubt=%s found=%s absent=%s "
      "unresolved=%s skipped=%s awaited=%s batches.failed=%s tx.retries=%s "
      "req.timeouts=%s" % (e["sent"], s.get("kafka.produced"), c["messages"],
      c["distinct"], e["missing"], e["duplicates"], c["retransmitted"],
      s.get("kafka.doubt"), s.get("kafka.doubt.found"), s.get("kafka.doubt.absent"),
      s.get("kafka.doubt.unresolved"), s.get("kafka.skipped"), s.get("kafka.awaited"),
      s.get("batches.failed"), s.get("kafka.tx.retries"), s.get("kafka.req.timeouts")))
PY
[ "$rc" -eq 0 ] || { cat "$T/check.out"; fail "events lost or produced twice"; }
case $copies in *" reproduced=0") ;; *) fail "messages produced twice: $copies" ;; esac
mock quit
pass "$N events across a ${DOWN_S}s broker outage: $(head -n 1 "$T/check.out")"
