#!/usr/bin/env bash
# rebindInterval over RELP (omrelp's meaning: a session carries at most that
# many messages, then it is closed and another opened, so that a load
# balancer can spread them). A real receiver (rsyslogd, imrelp) sits behind
# a TCP relay that counts, per connection, the RELP "syslog" frames it
# carried (tests/integration/relp_lib.sh: relp_counting_relay).
#
# The records wait in the sender's queue until the relay opens, so that the
# batches are large (queue.dequeueBatchSize="1000"), far above the interval:
#   rebindInterval="100"  every record arrives once; no connection carried
#                         more than 100 syslog frames; the relay saw as many
#                         connections as the sender counted (connects), and
#                         relp.rebinds counted;
#   rebindInterval="0"    (the default) the same records: a session per
#                         batch, so some connection carries more than 100
#                         (the check above can fail), relp.rebinds 0.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "$0")/tls_lib.sh"
# shellcheck source=tests/integration/relp_lib.sh
. "$(dirname "$0")/relp_lib.sh"

N=3000
INTERVAL=100
relp_setup
require_corpus
make_stream "$N" "$T/sent.txt"

# run CASE REBIND: sets SESSIONS, MAXFRAMES, REBINDS
run() {
	local case=$1 rebind=$2 rport lport sport out
	rport=$(free_port)
	lport=$(free_port)
	sport=$(free_port)
	out=$T/$case.received.txt
	relp_receiver_conf "$rport" "$out" "receiver-$case" >"$T/receiver-$case.conf"
	sender_conf "$sport" "module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/$case.stats.log\")
$(relp_action "\"127.0.0.1\" port=\"$lport\"" "join=\"off\" enrich=\"off\"" \
		"queue.dequeueBatchSize=\"1000\" rebindInterval=\"$rebind\"" |
		sed 's/format="json"/format="raw"/')" "sender-$case" >"$T/sender-$case.conf"
	rsyslog_start "receiver-$case" "$T/receiver-$case.conf" "$rport"
	rsyslog_start "sender-$case" "$T/sender-$case.conf"
	# everything queued while nothing listens on the relay's port
	send_lines "$T/sent.txt" "$sport" >"$T/feeder-$case.log" 2>&1 ||
		fail "$case: feeder: $(cat "$T/feeder-$case.log")"
	bg "relay-$case" relp_counting_relay "$lport" "$rport" "$T/$case.sessions.txt"
	wait_for_port "$lport" 15 || fail "$case: the relay did not start"
	wait_for_check 120 "$T/sent.txt" "$out" --raw >"$T/$case.check.txt" ||
		{ cat "$T/$case.check.txt"; fail "$case: delivery over RELP with rebindInterval=$rebind"; }
	log "$case: $(head -n 1 "$T/$case.check.txt")"
	rsyslog_stop "sender-$case" || fail "$case: sender did not stop"
	rsyslog_stop "receiver-$case" || fail "$case: receiver did not stop"
	SESSIONS=$(count_lines "$T/$case.sessions.txt")
	MAXFRAMES=$(sort -n "$T/$case.sessions.txt" | tail -n 1)
	REBINDS=$(stats_value "$T/$case.stats.log" "$TEST_NAME" relp.rebinds)
	CONNECTS=$(stats_value "$T/$case.stats.log" "$TEST_NAME" connects)
	log "$case: $SESSIONS sessions, at most $MAXFRAMES syslog frames in one;" \
		"relp.rebinds=$REBINDS connects=$(stats_value "$T/$case.stats.log" "$TEST_NAME" connects)" \
		"relp.acks.failed=$(stats_value "$T/$case.stats.log" "$TEST_NAME" relp.acks.failed)"
}

run rebind "$INTERVAL"
[ "$MAXFRAMES" -le "$INTERVAL" ] ||
	fail "rebind: a session carried $MAXFRAMES messages, rebindInterval=$INTERVAL"
[ "$SESSIONS" -ge $((N / INTERVAL)) ] ||
	fail "rebind: $SESSIONS sessions for $N messages, rebindInterval=$INTERVAL"
[ "${REBINDS:-0}" -ge $(((N - 1000) / 1000 * (1000 / INTERVAL - 1))) ] ||
	fail "rebind: relp.rebinds=$REBINDS, fewer than the batches of 1000 need"
[ "$SESSIONS" = "$CONNECTS" ] || fail "rebind: the relay saw $SESSIONS sessions, the sender counted $CONNECTS"
rebind_sessions=$SESSIONS rebinds=$REBINDS

run default 0
[ "$MAXFRAMES" -gt "$INTERVAL" ] ||
	fail "default: no session carried more than $INTERVAL messages: the batches were too small to tell"
[ "${REBINDS:-0}" -eq 0 ] || fail "default: relp.rebinds=$REBINDS without rebindInterval"

pass "rebindInterval=$INTERVAL: $rebind_sessions sessions, relp.rebinds=$rebinds, each <= $INTERVAL messages;" \
	"without: $SESSIONS sessions, up to $MAXFRAMES messages in one; all $N records once in both"
