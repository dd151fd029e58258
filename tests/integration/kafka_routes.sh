#!/usr/bin/env bash
# Topic and key from templates, per event (dynaTopic, dynaKey, as omkafka
# names them), and fixed headers (kafkaHeader): rsyslogd + omauditfwd ->
# a librdkafka mock cluster (tests/kafka_mock). Two hosts send the sample
# log; each host's joined events land in its own topic, keyed by host, with
# the headers. A second action's template gives names Kafka refuses
# ("audit/web01"): its events go to the name made valid ("audit_web01"),
# its messages are counted in kafka.topic.renamed, and it is logged once.
# A last event without EOE is sent by the join timer to its own topic,
# with its key, without waiting for a shutdown.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/kafka_lib.sh
. "$(dirname "$0")/kafka_lib.sh"

require_rsyslogd
require_module
require_cmd kcat
kafka_mock_start -b 1 -p 1 audit.web01 audit.db01 audit_web01 audit_db01

sport=$(free_port)
action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
template(name=\"t_topic\" type=\"string\" string=\"audit.%hostname%\")
template(name=\"t_key\" type=\"string\" string=\"%hostname%-k\")
template(name=\"t_bad\" type=\"string\" string=\"audit/%hostname%\")
action(type=\"omauditfwd\" transport=\"kafka\" broker=[\"$bootstrap\"] statsname=\"routed\"
       dynaTopic=\"on\" topic=\"t_topic\" dynaKey=\"on\" key=\"t_key\"
       kafkaHeader=[\"source=omauditfwd\", \"site=lab\"]
       timeout.io=\"3000\" confParam=[\"message.timeout.ms=4000\"]
       action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\")
action(type=\"omauditfwd\" transport=\"kafka\" broker=[\"$bootstrap\"] statsname=\"renamed\"
       dynaTopic=\"on\" topic=\"t_bad\" timeout.io=\"3000\"
       action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\")"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start sender "$T/sender.conf"

SEND_HOST=web01 send_lines "$top_srcdir/contrib/demo/audit.log" "$sport" >/dev/null || fail "sending failed"
SEND_HOST=db01 send_lines "$top_srcdir/contrib/demo/audit.log" "$sport" >/dev/null || fail "sending failed"

# topic TOPIC: its messages as "key TAB headers TAB body"
topic() {
	kcat -b "$bootstrap" -t "$1" -C -e -o beginning -q -f '%k\t%h\t%s\n' 2>/dev/null >"$T/$1.txt"
	count_lines "$T/$1.txt"
}
for t in audit.web01 audit.db01 audit_web01 audit_db01; do
	end=$(($(date +%s) + 30))
	until [ "$(topic "$t")" -ge 7 ]; do
		[ "$(date +%s)" -lt "$end" ] || fail "topic $t: $(topic "$t") messages, expected 7"
		sleep 0.5
	done
done
sleep 1    # nothing more may come
for h in web01 db01; do
	t=audit.$h
	[ "$(topic "$t")" -eq 7 ] || fail "topic $t: $(topic "$t") messages, expected 7"
	bad=$(awk -F '\t' -v k="$h-k" '$1 != k || $2 != "source=omauditfwd,site=lab"' "$T/$t.txt" | head -n 1)
	[ -z "$bad" ] || fail "topic $t: a message without its key or headers: $bad"
	grep -q "\"host\":\"$h\"" "$T/$t.txt" || fail "topic $t: no event of $h"
	other=$([ "$h" = web01 ] && echo db01 || echo web01)
	! grep -q "\"host\":\"$other\"" "$T/$t.txt" || fail "topic $t holds events of $other"
	[ "$(topic "audit_$h")" -eq 7 ] || fail "topic audit_$h: $(topic "audit_$h") messages, expected 7"
done
grep -q '"EXECVE":{.*"argv":\["sudo","cat","/etc/shadow"\]' "$T/audit.db01.txt" ||
	fail "the joined sudo event is not in audit.db01"

# the renamed topics: counted per message rendered (16 lines per host),
# logged once
end=$(($(date +%s) + 10))
renamed() { grep '"name": *"renamed"' "$T/stats.log" | tail -n 1 | sed -n 's/.*"kafka.topic.renamed": *\([0-9]*\).*/\1/p'; }
until [ "$(renamed)" = 32 ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "kafka.topic.renamed is '$(renamed)', expected 32"
	sleep 0.5
done
n=$(grep -c 'not a Kafka topic name' "$T/sender.internal.log")
[ "$n" -eq 1 ] || fail "the renamed topic was logged $n times, expected once"
grep -q 'gave "audit/web01", not a Kafka topic name: sent to "audit_web01"' "$T/sender.internal.log" ||
	grep -q 'gave "audit/db01", not a Kafka topic name: sent to "audit_db01"' "$T/sender.internal.log" ||
	fail "the warning does not name the template's text and the topic: $(grep 'topic name' "$T/sender.internal.log")"
routed=$(grep '"name": *"routed"' "$T/stats.log" | tail -n 1 | sed -n 's/.*"kafka.topic.renamed": *\([0-9]*\).*/\1/p')
[ "$routed" = 0 ] || fail "valid names were counted as renamed: '$routed'"

# a quiet origin's last event (no EOE, nothing after it): the join timer
# sends it, before any shutdown, to its own topic with its key and headers
echo 'type=SYSCALL msg=audit(1732520600.000:77001): arch=c000003e syscall=59 success=yes exit=0 pid=7 uid=0 comm="sh" exe="/bin/sh" key="quiet"' >"$T/quiet.txt"
SEND_HOST=db01 send_lines "$T/quiet.txt" "$sport" >/dev/null || fail "sending failed"
end=$(($(date +%s) + 30))
until [ "$(topic audit.db01)" -ge 8 ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "the quiet event did not reach audit.db01 without a shutdown"
	sleep 0.5
done
quiet=$(grep '"id":"1732520600.000:77001"' "$T/audit.db01.txt")
[ -n "$quiet" ] || fail "audit.db01's 8th message is not the quiet event: $(tail -n 1 "$T/audit.db01.txt")"
awk -F '\t' '$1 == "db01-k" && $2 == "source=omauditfwd,site=lab"' <<<"$quiet" | grep -q . ||
	fail "the quiet event lost its key or headers: $quiet"
grep -q '"incomplete":"timeout"' <<<"$quiet" || fail "the quiet event is not flagged: $quiet"
rsyslog_stop sender || fail "sender did not stop"
mock quit
pass "topics and keys from templates: 7 events per host in audit.web01/audit.db01 with keys and headers; 32 messages renamed"
