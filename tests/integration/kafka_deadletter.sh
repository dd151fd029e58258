#!/usr/bin/env bash
# Messages Kafka refuses for good, through a private rsyslogd: with
# message.max.bytes=10000 and maxMessageSize="0" (so that the pipeline does
# not reduce them first, as it does by default), three events of ~30 KB
# (long EXECVE arguments) among 300 ordinary ones are refused for their size
# and produced again reduced (the module's reduce hook: pipeline_reduce);
# then a record the broker refuses as invalid (INVALID_RECORD injected into
# the mock for one Produce request) goes to the dead-letter file
# <workDirectory>/omauditfwd-<statsname>.deadletter with its reason. Every
# event ends in the topic or in that file exactly once; the action never
# suspends (the events behind a refused one are not held back); impstats
# counts them (kafka.reduced, kafka.deadletter, kafka.errors.permanent per
# message) and each kind of refusal is logged once. The CLI without a reduce
# limit and with --deadletter, and with the default limit, the same.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/kafka_lib.sh
. "$(dirname "$0")/kafka_lib.sh"

require_rsyslogd
require_module
require_cmd kcat
require_cmd "$PYTHON"
kafka_mock_start -b 1 -p 2 audit cli
DL="$T/sender.work/omauditfwd-to-kafka.deadletter"
READ_DL="$top_srcdir/contrib/deadletter.py"

# events FIRST N OUT: N single-record events with serials from FIRST; after
# every 100th a ~30 KB execve event (SYSCALL, EXECVE, EOE) with serial
# 10000 + its number, unless BIG=0
events() {
	"$PYTHON" - "$@" "${BIG:-1}" <<'PY'
import sys
first, n, out, big = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
with open(out, "w") as f:
    for i in range(first, first + n):
        f.write("type=USER_AUTH msg=audit(1700000300.%03d:%d): pid=%d uid=0 auid=1000 "
                "ses=4 msg='op=PAM:authentication acct=\"u%d\" exe=\"/usr/bin/su\" "
                "hostname=? addr=? terminal=pts/2 res=success'\n" % (i % 1000, i, i, i))
        if big and (i - first) % 100 == 50:
            s = 10000 + i
            stamp = "1700000300.%03d:%d" % (i % 1000, s)
            f.write("type=SYSCALL msg=audit(%s): arch=c000003e syscall=59 success=yes "
                    "exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=%d auid=1000 uid=0 "
                    "gid=0 euid=0 comm=\"java\" exe=\"/usr/bin/java\" key=\"exec\"\n"
                    % (stamp, s))
            f.write("type=EXECVE msg=audit(%s): argc=3 a0=\"java\" a1=\"-cp\" a2=\"%s\"\n"
                    % (stamp, ("/opt/lib/x.jar:" * 1000)[:15000]))
            f.write("type=EOE msg=audit(%s): \n" % stamp)
PY
}

sport=$(free_port)
action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
action(type=\"omauditfwd\" transport=\"kafka\" broker=[\"$bootstrap\"] topic=\"audit\"
       key=\"host\" statsname=\"to-kafka\" timeout.io=\"3000\" maxMessageSize=\"0\"
       confParam=[\"message.max.bytes=10000\", \"message.timeout.ms=20000\",
                  \"retry.backoff.ms=50\"]
       action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\"
       queue.type=\"LinkedList\" queue.size=\"10000\")"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start sender "$T/sender.conf"

kstat() {
	grep '"to-kafka"' "$T/stats.log" 2>/dev/null | tail -n 1 | "$PYTHON" -c '
import json, sys
line = sys.stdin.read()
print(json.loads(line[line.index("{"):]).get(sys.argv[1], 0) if "{" in line else 0)' "$1"
}
# wait_stat NAME N: until impstats says NAME >= N (90 s)
wait_stat() {
	local end=$(($(date +%s) + 90))
	until [ "$(kstat "$1")" -ge "$2" ]; do
		[ "$(date +%s)" -lt "$end" ] ||
			fail "$1 is $(kstat "$1"), not $2: $(grep omauditfwd "$T/sender.internal.log" | tail -n 3)"
		sleep 0.5
	done
}

# 1. too large for message.max.bytes, among ordinary events
events 1 300 "$T/a.txt"
SEND_HOST=web01 send_lines "$T/a.txt" "$sport" >/dev/null || fail "sending failed"
wait_stat kafka.reduced 3
wait_stat kafka.delivered 303

# 2. refused by the broker as invalid: the next Produce request, one event
mock err produce 1 INVALID_RECORD
BIG=0 events 500 1 "$T/b.txt"
SEND_HOST=web01 send_lines "$T/b.txt" "$sport" >/dev/null || fail "sending failed"
wait_stat kafka.deadletter 1
BIG=0 events 600 50 "$T/c.txt"
SEND_HOST=web01 send_lines "$T/c.txt" "$sport" >/dev/null || fail "sending failed"
wait_stat kafka.delivered 353

# what the file holds: reason, topic, key, size of each
"$PYTHON" "$READ_DL" list "$DL" >"$T/dl.list" || fail "the dead-letter file is malformed"
log "dead-letter file: $(tr '\n' ';' <"$T/dl.list")"
[ "$(count_lines "$T/dl.list")" -eq 1 ] || fail "$(count_lines "$T/dl.list") entries, not 1"
grep -q ' INVALID_RECORD audit web01 ' "$T/dl.list" ||
	fail "the entry is not the invalid record: $(cat "$T/dl.list")"
"$PYTHON" "$READ_DL" values "$DL" | sed 's/^[^{]*//' >"$T/dl.txt"
grep -q '"id":"[0-9.]*:500"' "$T/dl.txt" || fail "event 500 is not in the dead-letter file"
[ "$(stat -c %a "$DL")" = 600 ] || fail "the dead-letter file is mode $(stat -c %a "$DL")"

# every event exactly once: in the topic or in the dead-letter file
kcat -b "$bootstrap" -t audit -C -e -o beginning -q -f '%T\t%p\t%o\t%s\n' \
	2>"$T/kcat.err" >"$T/consumed.raw" || fail "kcat: $(cat "$T/kcat.err")"
copies=$("$PYTHON" "$ITEST_DIR/kafka_copies.py" "$T/consumed.raw" "$T/produced.txt")
for s in 10051 10151 10251; do
	grep "\"id\":\"[0-9.]*:$s\"" "$T/produced.txt" | grep -q '"reduced":{"from":' ||
		fail "event $s is not in the topic, reduced"
done
cat "$T/a.txt" "$T/b.txt" "$T/c.txt" >"$T/sent.txt"
cat "$T/produced.txt" "$T/dl.txt" >"$T/all.txt"
"$PYTHON" "$ITEST_DIR/check_events.py" "$T/sent.txt" "$T/all.txt" --final >"$T/check.out" ||
	{ cat "$T/check.out"; fail "events lost or twice"; }
case $copies in *" reproduced=0") ;; *) fail "messages produced twice: $copies" ;; esac

# nothing held back, counted per message, told once per kind
[ "$(kstat batches.failed)" -eq 0 ] || fail "$(kstat batches.failed) batches failed"
grep -q 'action suspended' "$T/sender.internal.log" && fail "the action was suspended"
[ "$(kstat kafka.errors.permanent)" -eq 4 ] ||
	fail "kafka.errors.permanent is $(kstat kafka.errors.permanent), not 4"
[ "$(kstat kafka.reduced)" -eq 3 ] || fail "kafka.reduced is $(kstat kafka.reduced), not 3"
[ "$(kstat kafka.deadletter.failed)" -eq 0 ] || fail "dead-letter writes failed"
n=$(grep -c "refused for good (INVALID_RECORD.*written to the dead-letter file $DL" "$T/sender.internal.log")
[ "$n" -eq 1 ] || fail "INVALID_RECORD logged $n times, not once"
n=$(grep -c "refused (MSG_SIZE_TOO_LARGE.*produced again reduced" "$T/sender.internal.log")
[ "$n" -eq 1 ] || fail "MSG_SIZE_TOO_LARGE logged $n times, not once"
rsyslog_stop sender || fail "sender did not stop"

# the CLI: by default its size limit follows message.max.bytes, so the
# pipeline reduces the large events before Kafka sees them
"$AUDITFWD" --broker "$bootstrap" --topic cli --timeout-io 5000 --stats \
	--conf-param message.max.bytes=10000 "$T/a.txt" 2>"$T/cli0.err" ||
	fail "auditfwd: $(cat "$T/cli0.err")"
grep -q ' reduced=3 cut=' "$T/cli0.err" && grep -q ' kafka.delivered=303 .* kafka.reduced=0 ' "$T/cli0.err" ||
	fail "auditfwd --stats (default limit): $(cat "$T/cli0.err")"
# without a limit: refused for their size, reduced through the hook; an
# invalid record: --deadletter FILE, and without it the run fails
mock err produce 1 INVALID_RECORD
"$AUDITFWD" --broker "$bootstrap" --topic cli --timeout-io 5000 --stats --max-message-size 0 \
	--conf-param message.max.bytes=10000 --deadletter "$T/cli.dl" "$T/b.txt" "$T/a.txt" \
	2>"$T/cli.err" || fail "auditfwd --deadletter: $(cat "$T/cli.err")"
grep -q ' kafka.delivered=303 .* kafka.reduced=3 kafka.isolated=[0-9]* kafka.deadletter=1 ' "$T/cli.err" ||
	fail "auditfwd --stats: $(cat "$T/cli.err")"
[ "$("$PYTHON" "$READ_DL" list "$T/cli.dl" | grep -c ' INVALID_RECORD cli ')" -eq 1 ] ||
	fail "auditfwd's dead-letter file: $("$PYTHON" "$READ_DL" list "$T/cli.dl")"
mock err produce 5 INVALID_RECORD   # the CLI tries a batch 5 times
"$AUDITFWD" --broker "$bootstrap" --topic cli --timeout-io 5000 \
	--conf-param message.max.bytes=10000 "$T/b.txt" 2>"$T/cli2.err" &&
	fail "auditfwd without --deadletter succeeded"
grep -q 'no dead-letter file' "$T/cli2.err" || fail "auditfwd: $(cat "$T/cli2.err")"
mock quit
pass "3 of 354 events reduced after Kafka refused them, 1 in the dead-letter file with its reason, the rest in the topic; $(head -n 1 "$T/check.out"); no suspension; $copies"
