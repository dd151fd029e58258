#!/usr/bin/env bash
# Shutdown with the collector down loses nothing.
#
# Events whose EOE has not come yet are held by the joiner; rsyslog has
# already been told their records were delivered, so its queue cannot keep
# them. And while the collector is down rsyslog retries a failed batch
# message by message (records before an EOE are taken into the joiner, the
# EOEs and user-space records are retried) and drops the batch it is still
# retrying at the forced end of a shutdown. Here the collector takes a
# first part of the stream (K incomplete events held, C complete ones
# delivered), then goes away while M more events (each followed by a
# user-space record, so that retried batches hold data) wait in the action
# queue. At shutdown the module saves the retried batches, the rest of the
# queue and the held events to the spool file in the work directory. After
# a restart with the collector back, the spooled records are fed again
# ahead of the next batch (a new event starts one) and delivered, the spool file is removed, and a last shutdown with the
# collector up delivers the events held then. In the end every event of
# the stream has arrived exactly once, with all its records.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

K=${ITEST_HELD:-40} C=${ITEST_COMPLETE:-20} M=${ITEST_QUEUED:-300}
require_rsyslogd
require_cmd "$PYTHON"
require_module

# event lines: SYSCALL + PATH (+ EOE when complete), one audit time for all
# so that no event completes by join.timeout
gen() { # FIRST_SERIAL COUNT COMPLETE(0|1)
	local s
	for ((s = $1; s < $1 + $2; s++)); do
		printf 'type=SYSCALL msg=audit(1700000000.100:%d): arch=c000003e syscall=59 success=yes exit=0 pid=%d uid=0 comm="sh" exe="/bin/sh" key="spool"\n' "$s" "$s"
		printf 'type=PATH msg=audit(1700000000.100:%d): item=0 name="/bin/sh" inode=%d nametype=NORMAL\n' "$s" "$s"
		[ "$3" -eq 1 ] && printf 'type=EOE msg=audit(1700000000.100:%d): \n' "$s"
		# a user-space record: an event of its own
		[ "$3" -eq 1 ] && printf "type=USER_LOGIN msg=audit(1700000000.100:%d): pid=1 uid=0 auid=0 ses=1 msg='op=login acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? addr=10.0.0.1 terminal=ssh res=success'\n" "$((s + 100000))"
	done
	return 0
}
gen 1000 "$K" 0 >"$T/held.txt"
gen 2000 "$C" 1 >"$T/complete.txt"
gen 3000 "$M" 1 >"$T/queued.txt"
cat "$T/held.txt" "$T/complete.txt" >"$T/phase1.txt"
gen 9000 1 1 >"$T/after.txt"
cat "$T/phase1.txt" "$T/queued.txt" "$T/after.txt" >"$T/sent.txt"

rport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
action=$(omauditfwd_action "$rport" 'join="on" join.timeout="600000"' \
	'statsname="spooltest" queue.filename="spooltest" queue.saveOnShutdown="on"' \
	'queue.timeoutShutdown="1000" queue.timeoutActionCompletion="1000"')
sender_conf "$sport" "$action" >"$T/sender.conf"
spool="$T/sender.work/omauditfwd-spooltest.spool"
check_events() {
	"$PYTHON" "$ITEST_DIR/check_events.py" "$T/sent.txt" "$T/received.txt" "$@"
}
# events_in FILE FIRST COUNT: how many of serials FIRST.. arrived in FILE
events_in() {
	grep -o '"id":"[0-9.]*:[0-9]*"' "$1" 2>/dev/null | sed 's/.*:\([0-9]*\)"$/\1/' |
		awk -v a="$2" -v n="$3" '$1 >= a && $1 < a + n' | sort -u | wc -l
}

# --- 1. collector up: the complete events arrive, the incomplete are held
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"
send_lines "$T/phase1.txt" "$sport" >/dev/null || fail "sending phase 1"
end=$(($(date +%s) + 60))
until [ "$(events_in "$T/received.txt" 2000 "$C")" -eq "$C" ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "the $C complete events did not arrive"
	sleep 0.2
done
[ "$(events_in "$T/received.txt" 1000 "$K")" -eq 0 ] ||
	fail "incomplete events were sent before their end or a flush"
log "phase 1: $C complete events delivered, $K held"

# --- 2. collector down; more events queue up; shutdown
rsyslog_stop receiver || fail "receiver did not stop"
send_lines "$T/queued.txt" "$sport" >/dev/null || fail "sending phase 2"
end=$(($(date +%s) + 30))
until grep -q 'omauditfwd\[spooltest\]: .*action suspended' "$T/sender.internal.log"; do
	[ "$(date +%s)" -lt "$end" ] || fail "the action never noticed the collector was gone"
	sleep 0.2
done
rsyslog_stop sender 60 || fail "sender did not stop on SIGTERM"
# rsyslogd's own log actions are gone by then: the reports are on stderr.
# The batch rsyslog was retrying is saved with the held events (rsyslog
# would drop it at the end of its shutdown timeout), and what is held at
# the very end is saved by the shutdown flush.
cat "$T/sender.log" "$T/sender.internal.log" >"$T/sender.all"
grep -Eq "omauditfwd\[spooltest\]: .*(shutting down with the collector unreachable .* saved to $spool|held at shutdown could not be delivered .*saved to $spool)" \
	"$T/sender.all" || fail "the shutdown did not report saving to $spool"
! grep -q "omauditfwd\[spooltest\]: .*lost" "$T/sender.all" || fail "the shutdown reported a loss"
[ -s "$spool" ] || fail "no spool file $spool"
nrec=$(grep -c ' type=' "$spool")
[ "$nrec" -ge $((2 * K)) ] || fail "spool file holds $nrec records, the $K held events alone have $((2 * K))"
log "phase 2: shutdown saved $nrec records to the spool"

# --- 3. collector back, sender restarted: queue and spool are delivered
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"
# the spool goes out with the next batches: new records start them
send_lines "$T/after.txt" "$sport" >/dev/null || fail "sending after the restart"
end=$(($(date +%s) + 90))
while [ -e "$spool" ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "the spool file was not delivered after the restart"
	sleep 0.2
done
# the queue drains: until nothing new has arrived for 3 s
wait_quiet "$T/received.txt" 3 90
cat "$T/sender.log" "$T/sender.internal.log" |
	grep -q "omauditfwd\[spooltest\]: .*holds events saved at the last shutdown" ||
	fail "the restart did not report the spool file"
cat "$T/sender.log" "$T/sender.internal.log" |
	grep -q "omauditfwd\[spooltest\]: .*saved at the last shutdown are delivered" ||
	fail "the spool file's delivery was not reported"
log "phase 3: spool fed to the joiner and removed; $(events_in "$T/received.txt" 3000 "$M") of $M queued events complete"

# --- 4. shutdown with the collector up delivers what is held
rsyslog_stop sender 60 || fail "sender did not stop on SIGTERM"
end=$(($(date +%s) + 30))
until check_events --final >"$T/check.out"; do
	[ "$(date +%s)" -lt "$end" ] || { cat "$T/check.out"; fail "events lost, split or duplicated"; }
	sleep 0.5
done
cat "$T/check.out"
[ "$(events_in "$T/received.txt" 1000 "$K")" -eq "$K" ] || fail "held events missing"
grep -q '"incomplete"' "$T/received.txt" || fail "the held events were not flagged incomplete"
rsyslog_stop receiver || fail "receiver did not stop"
pass "$(head -n 1 "$T/check.out")"
