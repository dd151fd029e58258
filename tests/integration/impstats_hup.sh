#!/usr/bin/env bash
# What an operator sees and does: impstats counters of the action match
# what was sent, and a HUP makes the events held for their EOE go out
# (flagged "incomplete":"flush") at once, without waiting for a batch.
# join.timeout is long here, so that only the HUP can release the event.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_rsyslogd
require_cmd "$PYTHON"
require_module
sample=$top_srcdir/contrib/demo/audit.log

rport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
$(omauditfwd_action "$rport" 'statsname="audit-to-siem" join.timeout="600000"')"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"

# the sample (6 events, 1 unparsed line) and an event that never ends
cp "$sample" "$T/sent.txt"
echo 'node=web09 type=SYSCALL msg=audit(1732520500.000:9999): arch=c000003e syscall=2 uid=0' >>"$T/sent.txt"
SEND_HOST=web01 send_lines "$T/sent.txt" "$sport" >/dev/null || fail "sending failed"
wait_for_lines "$T/received.txt" 7 30 || fail "the sample did not arrive"

# stats FIELD=VALUE...: wait (10 s) until the action's last impstats line
# has these values; prints the line
stats() {
	"$PYTHON" - "$T/stats.log" "$@" <<'PY'
import json, sys, time
path, want = sys.argv[1], dict(a.split("=") for a in sys.argv[2:])
line = None
for _ in range(100):
    try:
        # log.file lines are "DATE: {json}"
        rows = [json.loads(l[l.index("{"):]) for l in open(path) if '"audit-to-siem"' in l]
    except FileNotFoundError:
        rows = []
    if rows:
        line = rows[-1]
        if all(str(line.get(k)) == v for k, v in want.items()):
            print(json.dumps(line)); sys.exit(0)
    time.sleep(0.1)
print("impstats never showed %s; last: %s" % (want, json.dumps(line)))
sys.exit(1)
PY
}
stats lines.in=17 records.parsed=16 records.unparsed=1 messages.sent=7 \
	events.complete=6 events.incomplete=0 events.pending=1 batches.failed=0 \
	>"$T/stats1.out" || fail "$(cat "$T/stats1.out")"
log "impstats: $(cat "$T/stats1.out")"
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["origin"]=="omauditfwd" and d["bytes.sent"]>0, d' \
	"$T/stats1.out" || fail "origin or bytes.sent wrong"
grep -q '"id":"1732520500.000:9999"' "$T/received.txt" && fail "an event without its EOE went out before HUP"

kill -HUP "$(rsyslog_pid sender)"
# no other message: the HUP alone releases the held event (the join timer
# carries out the flush)
wait_for_lines "$T/received.txt" 8 30 || fail "HUP did not release the held event"
grep '"id":"1732520500.000:9999"' "$T/received.txt" | grep -q '"incomplete":"flush"' ||
	fail "the held event did not arrive flagged incomplete: $(tail -n 2 "$T/received.txt")"
stats lines.in=17 messages.sent=8 events.complete=6 events.incomplete=1 events.pending=0 \
	>"$T/stats2.out" || fail "$(cat "$T/stats2.out")"
echo 'type=USER_LOGIN msg=audit(1732520501.000:10000): pid=1 uid=0 auid=0 msg='"'"'op=login res=success'"'" >"$T/more.txt"
SEND_HOST=web01 send_lines "$T/more.txt" "$sport" >/dev/null || fail "sending failed"
wait_for_lines "$T/received.txt" 9 30 || fail "a message after the HUP did not arrive"
stats lines.in=18 messages.sent=9 events.complete=7 events.incomplete=1 events.pending=0 \
	>"$T/stats3.out" || fail "$(cat "$T/stats3.out")"
rsyslog_stop sender || fail "sender did not stop"
rsyslog_stop receiver || fail "receiver did not stop"
pass "counters right before and after HUP; held event flushed by the HUP alone"
