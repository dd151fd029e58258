#!/usr/bin/env bash
# End to end, formats leef, cef and raw: feeder -> private rsyslogd with
# three omauditfwd actions (joining on) -> three private receiver
# rsyslogds over TCP. The corpus, three lines that are not audit records
# and 2000 renumbered records are sent once; then
#  - leef (delimiter '^', facility local3, severity notice, APP-NAME
#    auditfwd-leef) and cef: every message parses with a strict parser,
#    carries the mandatory keys and the right host, and the messages equal
#    (as a multiset, host- and uid-name-dependent keys aside) what the
#    auditfwd CLI makes of the same lines: none lost, none extra;
#  - raw: every record except EOE arrives byte-identical, exactly once, the
#    records of an event as consecutive messages, the other lines as sent.
# The sender is stopped at the end, so the events still held (no EOE yet)
# are sent by its shutdown flush. The actions have no size limit
# (maxMessageSize="0"): the CLI's stdout, the reference, has none, and the
# receivers take 64k; reduction has its own test (oversized.sh).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_rsyslogd
require_cmd "$PYTHON"
require_corpus
require_module
[ -x "$AUDITFWD" ] || skip "CLI not built: $AUDITFWD"
CHECK_FORMATS="$ITEST_DIR/check_formats.py"

audit_lines_of_corpus "$T/corpus.txt"
make_stream 2000 "$T/stream.txt"
{
	cat "$T/corpus.txt"
	echo 'this line is not an audit record at all'
	printf 'tab\there, a caret ^ key=value and a backslash \\ here\n'
	echo '{"json": "is not audit either", "type": 1}'
	cat "$T/stream.txt"
} >"$T/sent.txt"
nsent=$(count_lines "$T/sent.txt")
stream_from=$((nsent - 2000))

"$AUDITFWD" --format leef --leef-delimiter '^' --host auditsrc01 "$T/sent.txt" \
	>"$T/expected.leef" || fail "auditfwd --format leef"
"$AUDITFWD" --format cef --host auditsrc01 "$T/sent.txt" >"$T/expected.cef" ||
	fail "auditfwd --format cef"
n_leef=$(count_lines "$T/expected.leef")
n_cef=$(count_lines "$T/expected.cef")
n_raw=$("$PYTHON" - "$T/sent.txt" <<'PY'
import re, sys
eoe = re.compile(rb"(?:^|\s)type=(EOE|1320) (?:msg=)?audit\(")
print(sum(1 for l in open(sys.argv[1], "rb").read().split(b"\n")[:-1] if not eoe.search(l)))
PY
)
log "sending $nsent lines; expecting $n_leef leef, $n_cef cef, $n_raw raw messages"

# receivers; the leef one also writes PRI and APP-NAME in front
declare -A port
for f in leef cef raw; do
	port[$f]=$(free_port)
	receiver_conf "${port[$f]}" "$T/received.$f" "recv_$f" >"$T/recv_$f.conf"
done
sed -i 's/string="%msg%\\n"/string="%pri% %app-name% %msg%\\n"/' "$T/recv_leef.conf"
grep -q '%pri% %app-name%' "$T/recv_leef.conf" || fail "could not set the leef receiver's template"

sport=$(free_port)
actions="$(omauditfwd_action "${port[leef]}" 'format="leef" leef.delimiter="^"' 'maxMessageSize="0"' \
	'syslog.facility="local3" syslog.severity="notice" syslog.appname="auditfwd-leef"')
$(omauditfwd_action "${port[cef]}" 'format="cef"' 'maxMessageSize="0"')
$(omauditfwd_action "${port[raw]}" 'format="raw"' 'maxMessageSize="0"')"
# omauditfwd_action says format="json" first; the last format= must win
actions=$(printf '%s\n' "$actions" | sed 's/ format="json"//')
sender_conf "$sport" "$actions" >"$T/sender.conf"

for f in leef cef raw; do
	rsyslog_start "recv_$f" "$T/recv_$f.conf"
done
rsyslog_start sender "$T/sender.conf"

send_lines "$T/sent.txt" "$sport" >"$T/feeder.log" 2>&1 ||
	fail "feeder: $(cat "$T/feeder.log")"
log "$(cat "$T/feeder.log")"

# wait_quiet FILE...: until none of FILEs grew for 5 s (at most 120 s)
wait_quiet() {
	local end=$(($(date +%s) + 120)) last="" now
	local since
	since=$(date +%s)
	while [ "$(date +%s)" -lt "$end" ]; do
		now=$(for f in "$@"; do count_lines "$f"; done | tr '\n' ' ')
		if [ "$now" != "$last" ]; then
			last=$now
			since=$(date +%s)
		elif [ $(($(date +%s) - since)) -ge 5 ]; then
			return 0
		fi
		sleep 0.5
	done
	return 0
}
wait_quiet "$T/received.leef" "$T/received.cef" "$T/received.raw"
log "before stopping the sender: leef $(count_lines "$T/received.leef"), cef" \
	"$(count_lines "$T/received.cef"), raw $(count_lines "$T/received.raw")"
rsyslog_stop sender || fail "sender did not stop on SIGTERM"

# wait_count FILE N: until FILE has N lines (at most 60 s)
wait_count() {
	local end=$(($(date +%s) + 60))
	while [ "$(count_lines "$1")" -lt "$2" ] && [ "$(date +%s)" -lt "$end" ]; do
		sleep 0.5
	done
}
wait_count "$T/received.leef" "$n_leef"
wait_count "$T/received.cef" "$n_cef"
wait_count "$T/received.raw" "$n_raw"
sleep 1   # anything extra would arrive now
for f in leef cef raw; do
	rsyslog_stop "recv_$f" || fail "receiver $f did not stop on SIGTERM"
done

rc=0
"$PYTHON" "$CHECK_FORMATS" leef "$T/expected.leef" "$T/received.leef" --delim '^' \
	--prefix '157 auditfwd-leef ' --host auditsrc01 || rc=1
"$PYTHON" "$CHECK_FORMATS" cef "$T/expected.cef" "$T/received.cef" --host auditsrc01 || rc=1
"$PYTHON" "$CHECK_FORMATS" raw "$T/sent.txt" "$T/received.raw" --stream-from "$stream_from" || rc=1
[ "$rc" -eq 0 ] || fail "what arrived is not what was sent"
pass "$nsent lines: $n_leef leef, $n_cef cef, $n_raw raw messages, all as expected"
