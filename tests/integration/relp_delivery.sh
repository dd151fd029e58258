#!/usr/bin/env bash
# transport="relp" against real RELP receivers: private rsyslogd instances
# with imrelp (rsyslog-relp), plain and over TLS (client certificate
# required, tls.authmode="certvalid" on the receiver's side).
#
#   plain        every audit line of the corpus and 1000 more arrive once,
#                as JSON objects with their fields (exact content), and the
#                impstats counters say every batch waited for its acks;
#   tls          the same over RELP/TLS (x509/name, the certificate's DNS
#                name as tls.permittedpeer), librelp's OpenSSL side;
#   failover     two targets, the first refusing: all arrives by the second;
#   formats      leef, cef and raw (join="on") each arrive complete;
#   wrong CA     the receiver's certificate is by a CA we do not trust;
#   wrong name   its certificate is for wrong.example, not 127.0.0.1;
#   no cert      we present no client certificate: the receiver refuses.
#
# Every refusal must show as an error line in the sending rsyslogd's own log
# naming the action and the target, and nothing may arrive.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "$0")/tls_lib.sh"
# shellcheck source=tests/integration/relp_lib.sh
. "$(dirname "$0")/relp_lib.sh"

relp_setup
require_corpus

audit_lines_of_corpus "$T/corpus.txt"
make_stream 1000 "$T/stream.txt"
cat "$T/corpus.txt" "$T/stream.txt" >"$T/sent.txt"

# delivered CASE CERT ACTION_EXTRA CHECK_ARGS...: a receiver (TLS with
# server certificate CERT, or plain), a sender; every line of sent.txt must
# arrive as checked by check_json.py with CHECK_ARGS
ncase=0
delivered() {
	local case=$1 cert=$2 extra=$3 rport sport out
	shift 3
	ncase=$((ncase + 1))
	rport=$(free_port)
	sport=$(free_port)
	out=$T/delivered$ncase.txt
	relp_receiver_conf "$rport" "$out" "receiver$ncase" "$cert" >"$T/receiver$ncase.conf"
	sender_conf "$sport" "module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats$ncase.log\")
$(relp_action "\"127.0.0.1\" port=\"$rport\"" "$extra")" "sender$ncase" >"$T/sender$ncase.conf"
	rsyslog_start "receiver$ncase" "$T/receiver$ncase.conf" "$rport"
	rsyslog_start "sender$ncase" "$T/sender$ncase.conf"
	send_lines "$T/sent.txt" "$sport" >"$T/feeder.log" 2>&1 ||
		fail "$case: feeder: $(cat "$T/feeder.log")"
	wait_for_check 60 "$T/sent.txt" "$out" "$@" >"$T/check$ncase.txt" ||
		{ cat "$T/check$ncase.txt"; fail "$case: delivery over RELP"; }
	log "$case: $(head -n 1 "$T/check$ncase.txt")"
	grep -q "omauditfwd\[$TEST_NAME\]" "$T/sender$ncase.internal.log" 2>/dev/null &&
		fail "$case: the good session logged an error: $(grep "omauditfwd\[" "$T/sender$ncase.internal.log")"
	wait_for_grep "$T/stats$ncase.log" '"relp.acks.awaited": *[1-9]' 15 ||
		fail "$case: relp.acks.awaited not counted"
	log "$case: impstats: relp.acks.awaited=$(stats_value "$T/stats$ncase.log" "$TEST_NAME" relp.acks.awaited)" \
		"connects=$(stats_value "$T/stats$ncase.log" "$TEST_NAME" connects)" \
		"relp.acks.failed=$(stats_value "$T/stats$ncase.log" "$TEST_NAME" relp.acks.failed)"
	rsyslog_stop "sender$ncase" || fail "$case: sender did not stop"
	rsyslog_stop "receiver$ncase" || fail "$case: receiver did not stop"
}

delivered plain '' 'join="off" enrich="off"' --no-duplicates --fields 0 --host auditsrc01
# librelp's OpenSSL side against imrelp's default (GnuTLS)
RELP_TLS=1 delivered tls server 'join="off" enrich="off" tls.tlsLib="openssl"' \
	--no-duplicates --fields 0 --host auditsrc01

# failover: the first target refuses (nothing listens), the second takes it
dead=$(free_port)
rport=$(free_port)
sport=$(free_port)
relp_receiver_conf "$rport" "$T/failover.txt" receiver-fo >"$T/receiver-fo.conf"
sender_conf "$sport" "module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats-fo.log\")
$(relp_action "[\"127.0.0.1:$dead\", \"127.0.0.1:$rport\"]" 'join="off" enrich="off"')" \
	sender-fo >"$T/sender-fo.conf"
rsyslog_start receiver-fo "$T/receiver-fo.conf" "$rport"
rsyslog_start sender-fo "$T/sender-fo.conf"
send_lines "$T/stream.txt" "$sport" >"$T/feeder.log" 2>&1 || fail "failover: feeder failed"
wait_for_check 60 "$T/stream.txt" "$T/failover.txt" --no-duplicates --fields 0 \
	>"$T/check-fo.txt" || { cat "$T/check-fo.txt"; fail "failover: delivery"; }
wait_for_grep "$T/stats-fo.log" '"failovers": *[1-9]' 15 || fail "failover: not counted"
log "failover: $(head -n 1 "$T/check-fo.txt"); failovers=$(stats_value "$T/stats-fo.log" "$TEST_NAME" failovers)" \
	"connects.failed=$(stats_value "$T/stats-fo.log" "$TEST_NAME" connects.failed)"
rsyslog_stop sender-fo || fail "failover: sender did not stop"
rsyslog_stop receiver-fo || fail "failover: receiver did not stop"

# leef and cef (joined: one message per event) equal what the CLI makes of
# the same lines; raw: every record but EOE arrives once, in order per event
[ -x "$AUDITFWD" ] || skip "CLI not built: $AUDITFWD"
CHECK_FORMATS="$ITEST_DIR/check_formats.py"
nsent=$(count_lines "$T/sent.txt")
"$AUDITFWD" --format leef --leef-delimiter '^' --host auditsrc01 "$T/sent.txt" \
	>"$T/expected.leef" || fail "auditfwd --format leef"
"$AUDITFWD" --format cef --host auditsrc01 "$T/sent.txt" >"$T/expected.cef" ||
	fail "auditfwd --format cef"
n_raw=$("$PYTHON" - "$T/sent.txt" <<'PY'
import re, sys
eoe = re.compile(rb"(?:^|\s)type=(EOE|1320) (?:msg=)?audit\(")
print(sum(1 for l in open(sys.argv[1], "rb").read().split(b"\n")[:-1] if not eoe.search(l)))
PY
)
declare -A want=([leef]=$(count_lines "$T/expected.leef") [cef]=$(count_lines "$T/expected.cef") [raw]=$n_raw)
declare -A fmtargs=([leef]="--delim ^ --host auditsrc01" [cef]="--host auditsrc01"
	[raw]="--stream-from $((nsent - 1000))")
for fmt in leef cef raw; do
	rport=$(free_port)
	sport=$(free_port)
	relp_receiver_conf "$rport" "$T/received.$fmt" "receiver-$fmt" >"$T/receiver-$fmt.conf"
	# compared with the CLI's stdout, which has no size limit
	extra="format=\"$fmt\" maxMessageSize=\"0\""
	[ "$fmt" != leef ] || extra="$extra leef.delimiter=\"^\""
	sender_conf "$sport" "$(relp_action "\"127.0.0.1\" port=\"$rport\"" "$extra" |
		sed 's/ format="json"//')" "sender-$fmt" >"$T/sender-$fmt.conf"
	rsyslog_start "receiver-$fmt" "$T/receiver-$fmt.conf" "$rport"
	rsyslog_start "sender-$fmt" "$T/sender-$fmt.conf"
	send_lines "$T/sent.txt" "$sport" >"$T/feeder.log" 2>&1 || fail "$fmt: feeder failed"
	wait_quiet "$T/received.$fmt" 3 60
	# the events still held (no EOE yet) go with the sender's shutdown
	rsyslog_stop "sender-$fmt" || fail "$fmt: sender did not stop"
	wait_for_lines "$T/received.$fmt" "${want[$fmt]}" 30 || :
	rsyslog_stop "receiver-$fmt" || fail "$fmt: receiver did not stop"
	# shellcheck disable=SC2086 # the options are words
	"$PYTHON" "$CHECK_FORMATS" "$fmt" \
		"$([ "$fmt" = raw ] && echo "$T/sent.txt" || echo "$T/expected.$fmt")" \
		"$T/received.$fmt" ${fmtargs[$fmt]} >"$T/check-$fmt.txt" 2>&1 ||
		{ cat "$T/check-$fmt.txt"; fail "$fmt over RELP: not what was sent"; }
	log "$fmt: ${want[$fmt]} messages as expected: $(head -n 1 "$T/check-$fmt.txt")"
done

# refused CASE REASON_REGEX CERT: a TLS receiver with server certificate
# CERT, a sender towards it; 20 records; the sender's log must name the
# action, the target and the reason, and the receiver must get nothing
refused() {
	local case=$1 why=$2 cert=$3 out n
	ncase=$((ncase + 1))
	rport=$(free_port)
	sport=$(free_port)
	out=$T/refused$ncase.txt
	relp_receiver_conf "$rport" "$out" "receiver$ncase" "$cert" >"$T/receiver$ncase.conf"
	rsyslog_start "receiver$ncase" "$T/receiver$ncase.conf" "$rport"
	sender_conf "$sport" "$(RELP_TLS=1 relp_action "\"127.0.0.1\" port=\"$rport\"")" \
		"sender$ncase" >"$T/sender$ncase.conf"
	rsyslog_start "sender$ncase" "$T/sender$ncase.conf"
	head -n 20 "$T/stream.txt" >"$T/few.txt"
	send_lines "$T/few.txt" "$sport" >/dev/null 2>&1 || fail "$case: feeder failed"
	wait_for_grep "$T/sender$ncase.internal.log" \
		"omauditfwd\[$TEST_NAME\]: 127\.0\.0\.1:$rport: action suspended.*($why)" 60 ||
		fail "$case: no error line naming the action, the target and ($why)"
	log "$case: $(grep -Eo "omauditfwd\[$TEST_NAME\]: .*" "$T/sender$ncase.internal.log" |
		head -n 1 | cut -c1-300)"
	rsyslog_stop "sender$ncase" || fail "$case: sender did not stop"
	rsyslog_stop "receiver$ncase" || fail "$case: receiver did not stop"
	n=$(count_lines "$out")
	[ "$n" -eq 0 ] || fail "$case: $n messages arrived although the session was refused"
}

refused "wrong CA" "no session.*certificate validation failed" untrusted
refused "wrong name" "no session.*no permit+ed name found, peer DNSname: wrong\.example" wrongname
TLS_NO_CLIENT_CERT=1 refused "no client certificate" "no session.*(opening connection|handshake)" server
pass "plain, TLS and failover delivery exact (json per record; leef, cef per event; raw); wrong CA, wrong name, no client certificate refused, logged, nothing delivered"
