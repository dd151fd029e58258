#!/usr/bin/env bash
# rsyslogd stops while the Kafka broker is down and events wait in the
# action: nothing is lost. rsyslog (8.2302) retries the batch in hand until
# it cancels the worker, and does not save a cancelled worker's batch; the
# module saves that batch (and whatever it is handed once rsyslogd shuts
# down) to its spool file in the work directory, which says so. The rest of
# the queue is saved by rsyslog (disk-assisted queue). After the restart
# with the broker back every event is delivered exactly once. Topic and key
# come from templates (dynaTopic, dynaKey): the spool keeps each record's,
# so the events saved at shutdown still reach the topic, with their key.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/kafka_lib.sh
. "$(dirname "$0")/kafka_lib.sh"

require_rsyslogd
require_module
require_cmd kcat
require_cmd "$PYTHON"

kafka_mock_start -b 1 -p 2 audit

N=500
"$PYTHON" - "$N" "$T/sent.txt" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
with open(out, "w") as f:
    for i in range(n):
        f.write("type=USER_LOGIN msg=audit(1700000100.%03d:%d): pid=%d uid=0 auid=1000 "
                "ses=3 msg='op=login id=1000 exe=\"/usr/sbin/sshd\" hostname=10.0.0.%d "
                "addr=10.0.0.%d terminal=ssh res=success'\n" % (i % 1000, 5000 + i, 300 + i,
                                                                i % 250, i % 250))
PY

sport=$(free_port)
action="template(name=\"t_topic\" type=\"string\" string=\"audit%\$!no_such_var%\")
template(name=\"t_key\" type=\"string\" string=\"%hostname%-k\")
action(type=\"omauditfwd\" transport=\"kafka\" broker=[\"$bootstrap\"]
       dynaTopic=\"on\" topic=\"t_topic\" dynaKey=\"on\" key=\"t_key\" statsname=\"to-kafka\" timeout.io=\"2000\" closeTimeout=\"1000\"
       confParam=[\"message.timeout.ms=30000\", \"socket.timeout.ms=2000\"]
       action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\"
       queue.type=\"LinkedList\" queue.size=\"10000\" queue.filename=\"kafkaq\"
       queue.saveOnShutdown=\"on\" queue.timeoutShutdown=\"1000\")"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start sender "$T/sender.conf"

mock "down 1"
send_lines "$T/sent.txt" "$sport" >/dev/null || fail "sending failed"
wait_suspended "$T/sender.internal.log"
rsyslog_stop sender 60 || fail "sender did not stop"
# what happened at shutdown is logged: saved, never lost
cat "$T/sender.log" "$T/sender.internal.log" >"$T/sender.all"
grep -a -q 'omauditfwd\[to-kafka\]: .*saved to .*omauditfwd-to-kafka.spool' "$T/sender.all" ||
	fail "shutdown with an undelivered batch did not save it"
! grep -a 'omauditfwd\[to-kafka\]: .*\(lost\|not saved\)' "$T/sender.all" ||
	fail "the shutdown reported a loss"
saved=$(grep -c ' type=' "$T/sender.work/omauditfwd-to-kafka.spool")
log "at shutdown: $saved records saved to the spool file"
lost=0
# back up: the saved queue and the spool are delivered, every event once
# (a new event starts the first batch, which feeds the spool)
mock "up 1"
rsyslog_start sender "$T/sender.conf"
printf "type=USER_LOGIN msg=audit(1700000200.000:9999): pid=1 uid=0 auid=1000 ses=3 msg='op=login res=success'\n" >"$T/after.txt"
send_lines "$T/after.txt" "$sport" >/dev/null || fail "sending after the restart"
cat "$T/after.txt" >>"$T/sent.txt"
N=$((N + 1))
want=$((N - lost))
end=$(($(date +%s) + 90))
while :; do
	kcat -b "$bootstrap" -t audit -C -e -o beginning -q -f '%T\t%p\t%o\t%s\n' \
		2>/dev/null >"$T/consumed.raw"
	[ "$(count_lines "$T/consumed.raw")" -ge "$want" ] && break
	[ "$(date +%s)" -lt "$end" ] ||
		fail "after the restart $(count_lines "$T/consumed.raw") of $N in the topic, $lost reported lost"
	sleep 1
done
sleep 2   # anything produced twice would arrive now
kcat -b "$bootstrap" -t audit -C -e -o beginning -q -f '%T\t%p\t%o\t%s\n' \
	2>/dev/null >"$T/consumed.raw"
rsyslog_stop sender || fail "sender did not stop"
copies=$("$PYTHON" "$ITEST_DIR/kafka_copies.py" "$T/consumed.raw" "$T/produced.txt")
"$PYTHON" "$ITEST_DIR/check_events.py" "$T/sent.txt" "$T/produced.txt" >"$T/check.out" ||
	{ cat "$T/check.out"; fail "events wrong or produced twice"; }
missing=$(sed -n 's/.* missing=\([0-9]*\) .*/\1/p' "$T/check.out")
[ "$missing" -eq "$lost" ] ||
	fail "$missing events missing, but $lost reported lost: $(head -n 1 "$T/check.out")"
case $copies in *" reproduced=0") ;; *) fail "messages produced twice: $copies" ;; esac
keys=$(kcat -b "$bootstrap" -t audit -C -e -o beginning -q -f '%k\n' 2>/dev/null | sort | uniq -c)
[ "$(echo "$keys" | wc -l)" -eq 1 ] && [ "$(echo "$keys" | awk '{print $2}')" = auditsrc01-k ] ||
	fail "messages without the key their template gave: $keys"
mock quit
pass "$saved records saved at shutdown; all $N events delivered once after the restart"
