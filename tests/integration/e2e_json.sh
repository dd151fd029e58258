#!/usr/bin/env bash
# End to end: feeder -> private rsyslogd (imtcp -> omauditfwd, format=json)
# -> private receiver rsyslogd (imtcp -> omfile %msg%). Every audit line of
# the corpus arrives as one JSON object with its id, type and fields, and
# three lines that are not audit records arrive as UNPARSED (not-audit)
# with the line unchanged in "raw".
#
# ITEST_OUTPUT=omfwd runs the same test with rsyslog's omfwd in the
# module's place (a check of the harness): the receiver must then get the
# sent lines exactly.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

mode=${ITEST_OUTPUT:-omauditfwd}
require_rsyslogd
require_cmd "$PYTHON"
require_corpus
[ "$mode" = omfwd ] || require_module

# the corpus as it is, three lines that are not audit records, then the
# corpus's events again (3000 records, renumbered) for some volume
audit_lines_of_corpus "$T/corpus.txt"
make_stream 3000 "$T/stream.txt"
{
	cat "$T/corpus.txt"
	echo 'this line is not an audit record at all'
	echo 'Nov 25 07:40:01 web01 sshd[4242]: Accepted publickey for alice from 192.0.2.7 port 50022 ssh2'
	echo '{"json": "is not audit either", "type": 1}'
	cat "$T/stream.txt"
} >"$T/sent.txt"
nsent=$(count_lines "$T/sent.txt")
log "sending $nsent lines ($(count_lines "$T/corpus.txt") + 3000 audit records, 3 others), mode $mode"

rport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
if [ "$mode" = omfwd ]; then
	action=$(omfwd_action "$rport")
else
	action=$(omauditfwd_action "$rport" 'join="off" enrich="off"')
fi
sender_conf "$sport" "$action" >"$T/sender.conf"

rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"
log "receiver on $rport, sender on $sport"

send_lines "$T/sent.txt" "$sport" >"$T/feeder.log" 2>&1 ||
	fail "feeder: $(cat "$T/feeder.log")"
log "$(cat "$T/feeder.log")"

if [ "$mode" = omfwd ]; then
	check=(--raw --no-duplicates)
else
	check=(--no-duplicates --fields 0 --host auditsrc01)
fi
wait_for_check 30 "$T/sent.txt" "$T/received.txt" "${check[@]}" ||
	fail "what arrived is not what was sent"
log "$(count_lines "$T/received.txt") lines arrived"
rsyslog_stop sender || fail "sender did not stop on SIGTERM"
rsyslog_stop receiver || fail "receiver did not stop on SIGTERM"
pass "$nsent lines, mode $mode"
