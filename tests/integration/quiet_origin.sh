#!/usr/bin/env bash
# Bounded latency: an event whose origin falls silent reaches the collector
# within join.timeout + the join timer's tick (0.5 s) after its last
# record arrived, with no other message to carry it: the last command
# before a host goes quiet, and kernel records that never get an EOE
# (ANOM_ABEND). An event with its EOE goes out with its own batch, not
# flagged. A HUP releases what is held at once (second action, whose
# join.timeout is an hour). Latencies are reported; the only bound is a
# generous one (the test fails when the event does not come at all).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

BOUND=${ITEST_LATENCY_BOUND:-30}   # seconds: "never came", not a timing test
require_rsyslogd
require_cmd "$PYTHON"
require_module

rport=$(free_port)
hport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
receiver_conf "$hport" "$T/held.txt" receiver2 >"$T/receiver2.conf"
action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
$(omauditfwd_action "$rport" 'statsname="quiet" join.timeout="2000"')
$(omauditfwd_action "$hport" 'statsname="hourly" join.timeout="3600000"')"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start receiver2 "$T/receiver2.conf"
rsyslog_start sender "$T/sender.conf"

now=$(date +%s)
now_ms() { date +%s%3N; }
# wait_id FILE ID: until FILE has the event ID (BOUND s); prints the ms
# waited since $t0
wait_id() {
	local end=$(($(date +%s) + BOUND))
	until grep -q "\"id\":\"$2\"" "$1" 2>/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.05
	done
	echo $(($(now_ms) - t0))
}

# 1. the last command of a host, no EOE, then silence; and a crash record
q=quiet01
cat >"$T/quiet.txt" <<EOF
node=$q type=SYSCALL msg=audit($now.100:424242): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=4242 auid=1000 uid=0 gid=0 euid=0 tty=pts0 ses=1 comm="sh" exe="/bin/sh" key="lastcmd"
node=$q type=CWD msg=audit($now.100:424242): cwd="/root"
node=$q type=ANOM_ABEND msg=audit($now.200:424243): auid=1000 uid=0 gid=0 ses=1 pid=4243 comm="crashme" exe="/tmp/crashme" sig=11 res=1
EOF
t0=$(now_ms)
SEND_HOST=$q send_lines "$T/quiet.txt" "$sport" >/dev/null || fail "sending failed"
ms1=$(wait_id "$T/received.txt" "$now.100:424242") ||
	fail "an event without EOE did not arrive within ${BOUND}s of silence"
ms2=$(wait_id "$T/received.txt" "$now.200:424243") ||
	fail "an ANOM_ABEND record did not arrive within ${BOUND}s of silence"
grep "\"id\":\"$now.100:424242\"" "$T/received.txt" | grep -q '"incomplete":"timeout"' ||
	fail "the quiet event is not flagged incomplete: $(cat "$T/received.txt")"
grep "\"id\":\"$now.100:424242\"" "$T/received.txt" | grep -q '/root' ||
	fail "the quiet event lost a record: $(cat "$T/received.txt")"
log "no EOE, then silence: the event arrived after ${ms1} ms, ANOM_ABEND after ${ms2} ms" \
	"(join.timeout 2000 ms + tick 500 ms documented)"
# nothing else may have gone out twice
[ "$(grep -c "424242" "$T/received.txt")" -eq 1 ] || fail "the quiet event arrived twice"

# 2. with its EOE: out with its batch, not flagged
e=eoe01
cat >"$T/eoe.txt" <<EOF
node=$e type=SYSCALL msg=audit($now.300:515151): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=5151 auid=1000 uid=0 gid=0 euid=0 tty=pts0 ses=1 comm="id" exe="/usr/bin/id" key="cmd"
node=$e type=CWD msg=audit($now.300:515151): cwd="/home"
node=$e type=EOE msg=audit($now.300:515151): 
EOF
t0=$(now_ms)
SEND_HOST=$e send_lines "$T/eoe.txt" "$sport" >/dev/null || fail "sending failed"
ms3=$(wait_id "$T/received.txt" "$now.300:515151") || fail "the event with EOE did not arrive"
grep "\"id\":\"$now.300:515151\"" "$T/received.txt" | grep -q '"incomplete"' &&
	fail "the event with its EOE went out flagged: not with its batch"
log "with EOE: arrived after ${ms3} ms, complete"

# 3. the action with a join.timeout of an hour still holds the quiet
# event; a HUP, and nothing else, releases it
wait_id "$T/held.txt" "$now.300:515151" >/dev/null || fail "the second action sent nothing"
grep -q "424242" "$T/held.txt" && fail "join.timeout=3600000 did not hold the event"
t0=$(now_ms)
kill -HUP "$(rsyslog_pid sender)"
ms4=$(wait_id "$T/held.txt" "$now.100:424242") ||
	fail "a HUP did not release the held event within ${BOUND}s"
grep "\"id\":\"$now.100:424242\"" "$T/held.txt" | grep -q '"incomplete":"flush"' ||
	fail "the HUP's event is not flagged flush: $(cat "$T/held.txt")"
log "HUP: the held event arrived after ${ms4} ms"

# impstats: what the timer sent, per action (the quiet event and the
# ANOM_ABEND; for the second action, by the HUP)
jt() {
	"$PYTHON" - "$T/stats.log" "$1" "$2" <<'PY'
import json, sys, time
path, name, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
for _ in range(100):
    try:
        rows = [json.loads(l[l.index("{"):]) for l in open(path) if '"%s"' % name in l]
    except FileNotFoundError:
        rows = []
    if rows and rows[-1].get("jointimer.events") == want:
        sys.exit(0)
    time.sleep(0.1)
print("impstats of %s: %s" % (name, json.dumps(rows[-1]) if rows else "none"))
sys.exit(1)
PY
}
jt quiet 2 || fail "jointimer.events of the first action is not 2"
jt hourly 2 || fail "jointimer.events of the second action is not 2"
rsyslog_stop sender || fail "sender did not stop"
for f in received held; do
	for id in 424242 424243 515151; do
		[ "$(grep -c "$now\.[0-9]*:$id\"" "$T/$f.txt")" -eq 1 ] ||
			fail "event $id is not in $f.txt exactly once: $(cat "$T/$f.txt")"
	done
done
rsyslog_stop receiver || fail "receiver did not stop"
rsyslog_stop receiver2 || fail "receiver2 did not stop"
pass "quiet event after ${ms1} ms, ANOM_ABEND after ${ms2} ms, EOE event after ${ms3} ms," \
	"HUP release after ${ms4} ms"
