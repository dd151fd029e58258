#!/usr/bin/env bash
# One spool per action, always. Two actions, JSON and LEEF, to the same
# collector with the default statsname: they used to share one spool file
# (omauditfwd-<target>_<port>.spool), so after a restart the JSON action
# sent every saved event twice and the LEEF action's were lost. Now the
# second default name is set apart ("-leef"), each file records the action
# that wrote it, and after the restart every held event arrives once per
# action. Then a spool file written by another action is put in the JSON
# action's place: it is set aside (renamed .foreign-*), reported, and not
# sent.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

K=${ITEST_HELD:-30} C=${ITEST_COMPLETE:-10}
require_rsyslogd
require_cmd "$PYTHON"
require_module

gen() { # FIRST_SERIAL COUNT COMPLETE(0|1)
	local s
	for ((s = $1; s < $1 + $2; s++)); do
		printf 'type=SYSCALL msg=audit(1700000000.100:%d): arch=c000003e syscall=59 success=yes exit=0 pid=%d uid=0 comm="sh" exe="/bin/sh" key="spool"\n' "$s" "$s"
		printf 'type=PATH msg=audit(1700000000.100:%d): item=0 name="/bin/sh" inode=%d nametype=NORMAL\n' "$s" "$s"
		[ "$3" -eq 1 ] && printf 'type=EOE msg=audit(1700000000.100:%d): \n' "$s"
	done
	return 0
}
gen 1000 "$K" 0 >"$T/phase1.txt"
gen 2000 "$C" 1 >>"$T/phase1.txt"
gen 9000 1 1 >"$T/after.txt"
gen 9100 1 1 >"$T/after2.txt"

rport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
common='join.timeout="600000" queue.timeoutShutdown="1000" queue.timeoutActionCompletion="1000"'
action="$(omauditfwd_action "$rport" "$common")
$(omauditfwd_action "$rport" "$common" | sed 's/format="json"/format="leef"/')"
sender_conf "$sport" "$action" >"$T/sender.conf"
grep -q 'format="leef"' "$T/sender.conf" || fail "no leef action in the config"
grep -q statsname "$T/sender.conf" && fail "the actions must have the default statsname"
jspool="$T/sender.work/omauditfwd-127.0.0.1_$rport.spool"
lspool="$T/sender.work/omauditfwd-127.0.0.1_$rport-leef.spool"

# count FORMAT SERIAL: messages of that format for that event serial
count() {
	if [ "$1" = json ]; then
		grep -c "^{.*\"id\":\"1700000000.100:$2\"" "$T/received.txt"
	else
		grep -c "^LEEF:.*audit.id=1700000000.100:$2[^0-9]" "$T/received.txt"
	fi
}

# --- 1. collector up: the complete events arrive twice (json, leef), the
# incomplete ones are held by both actions
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"
send_lines "$T/phase1.txt" "$sport" >/dev/null || fail "sending phase 1"
wait_for_lines "$T/received.txt" $((2 * C)) 60 || fail "the complete events did not arrive"

# --- 2. collector down, shutdown: each action saves its own held events
rsyslog_stop receiver || fail "receiver did not stop"
rsyslog_stop sender 60 || fail "sender did not stop"
[ -s "$jspool" ] || fail "no spool file $jspool: $(ls "$T/sender.work")"
[ -s "$lspool" ] || fail "no spool file $lspool for the second action: $(ls "$T/sender.work")"
for f in "$jspool" "$lspool"; do
	n=$(grep -c ' type=' "$f")
	[ "$n" -eq $((2 * K)) ] || fail "$f holds $n records, expected $((2 * K))"
done
head -n 1 "$jspool" | grep -q "^omauditfwd-spool 3 statsname=omauditfwd-127.0.0.1:$rport transport=tcp format=json$" ||
	fail "bad identity in $jspool: $(head -n 1 "$jspool")"
head -n 1 "$lspool" | grep -q "^omauditfwd-spool 3 statsname=omauditfwd-127.0.0.1:$rport-leef transport=tcp format=leef$" ||
	fail "bad identity in $lspool: $(head -n 1 "$lspool")"
log "phase 2: $(basename "$jspool") and $(basename "$lspool"), $((2 * K)) records each"

# --- 3. collector back, restart: each spool goes to its own action
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"
send_lines "$T/after.txt" "$sport" >/dev/null || fail "sending after the restart"
end=$(($(date +%s) + 60))
while [ -e "$jspool" ] || [ -e "$lspool" ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "the spool files were not delivered after the restart"
	sleep 0.2
done
rsyslog_stop sender 60 || fail "sender did not stop"
wait_quiet "$T/received.txt" 2 30
bad=0
for ((s = 1000; s < 1000 + K; s++)); do
	for fmt in json leef; do
		n=$(count $fmt $s)
		[ "$n" -eq 1 ] || { echo "event $s: $n $fmt messages"; bad=$((bad + 1)); }
	done
done
for ((s = 2000; s < 2000 + C; s++)); do
	for fmt in json leef; do
		[ "$(count $fmt $s)" -eq 1 ] || { echo "event $s: $(count $fmt $s) $fmt messages"; bad=$((bad + 1)); }
	done
done
[ "$bad" -eq 0 ] || fail "$bad (event, format) pairs did not arrive exactly once"
log "phase 3: each of the $K held and $C complete events arrived once per action"

# --- 4. a spool file of another action in the JSON action's place
printf 'omauditfwd-spool 3 statsname=elsewhere transport=tcp format=cef\n' >"$jspool"
line='type=SYSCALL msg=audit(1700000000.100:7777): arch=c000003e syscall=59 success=yes exit=0 pid=1 uid=0 comm="sh" exe="/bin/sh"'
printf '%d %s\n' "${#line}" "$line" >>"$jspool"
rsyslog_start sender "$T/sender.conf"
send_lines "$T/after2.txt" "$sport" >/dev/null || fail "sending after the second restart"
wait_for_lines "$T/received.txt" $((2 * K + 2 * C + 4)) 30 || fail "the last event did not arrive"
rsyslog_stop sender 60 || fail "sender did not stop"
[ -e "$jspool" ] && fail "the foreign spool file was left in place"
ls "$T/sender.work"/omauditfwd-127.0.0.1_"$rport".spool.foreign-* >/dev/null 2>&1 ||
	fail "the foreign spool file was not set aside: $(ls "$T/sender.work")"
cat "$T/sender.log" "$T/sender.internal.log" | grep -q 'written by another action (statsname=elsewhere' ||
	fail "setting the foreign spool file aside was not reported"
grep -q ':7777' "$T/received.txt" && fail "the foreign spool file's record was sent"
rsyslog_stop receiver || fail "receiver did not stop"
pass "two actions, one collector, default names: each held event once per action;" \
	"a foreign spool file set aside"
