#!/usr/bin/env bash
# transport="tls" against real TLS receivers: a private rsyslogd with imtcp
# over rsyslog's stream driver ($ITEST_TLS_DRIVER: ossl, default, or gtls;
# tls_gtls.sh runs this with gtls), requiring a client certificate
# (x509/certvalid).
#
#   delivery     every audit line of the corpus and 1000 more arrive once,
#                as JSON objects with their fields (exact content);
#   wrong CA     the receiver's certificate is by a CA we do not trust;
#   wrong name   its certificate is for wrong.example, not 127.0.0.1;
#   no cert      we present no client certificate: the receiver refuses;
#   TLS 1.1      a receiver limited to TLS 1.1 (ossl: openssl s_server
#                -tls1_1 at security level 0; gtls: a gnutls priority string).
#
# Every refusal must show as an error line in the sending rsyslogd's own log
# naming the action (its statsname) and the target, with the reason, and
# nothing may arrive at the receiver.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "$0")/tls_lib.sh"

tls_setup
require_corpus
log "receivers use the $TLS_DRIVER stream driver"

# --- delivery and exact content
audit_lines_of_corpus "$T/corpus.txt"
make_stream 1000 "$T/stream.txt"
cat "$T/corpus.txt" "$T/stream.txt" >"$T/sent.txt"
rport=$(free_port)
sport=$(free_port)
tls_receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
sender_conf "$sport" "$(tls_action "\"127.0.0.1\" port=\"$rport\"" \
	'join="off" enrich="off"')" >"$T/sender.conf"
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"
send_lines "$T/sent.txt" "$sport" >"$T/feeder.log" 2>&1 || fail "feeder: $(cat "$T/feeder.log")"
wait_for_check 60 "$T/sent.txt" "$T/received.txt" --no-duplicates --fields 0 \
	--host auditsrc01 >"$T/check.txt" || { cat "$T/check.txt"; fail "delivery over TLS"; }
log "delivery: $(head -n 1 "$T/check.txt")"
grep -q "omauditfwd\[$TEST_NAME\]" "$T/sender.internal.log" 2>/dev/null &&
	fail "the good connection logged an error: $(grep "omauditfwd\[" "$T/sender.internal.log")"
rsyslog_stop sender || fail "sender did not stop"
rsyslog_stop receiver || fail "receiver did not stop"
mv "$T/sender.internal.log" "$T/delivery.sender.internal.log"

# refused CASE REASON_REGEX SENDER_EXTRA RECEIVER_KIND [ARGS]: start a
# receiver (rsyslog CERT [IMTCP_EXTRA] [GLOBAL_EXTRA], or s_server), a
# sender towards it; send 20 records; the sender's log must say
# "omauditfwd[NAME]: 127.0.0.1:PORT: action suspended ... REASON" and the
# receiver must get nothing. Both are stopped within their deadlines.
ncase=0
refused() {
	local case=$1 why=$2 extra=$3 kind=$4 out n
	shift 4
	ncase=$((ncase + 1))
	rport=$(free_port)
	sport=$(free_port)
	out=$T/refused$ncase.txt
	case $kind in
	rsyslog)
		tls_receiver_conf "$rport" "$out" "receiver$ncase" "$@" >"$T/receiver$ncase.conf"
		rsyslog_start "receiver$ncase" "$T/receiver$ncase.conf"
		;;
	s_server)
		# -www: no stdin needed; what a client sends would be answered,
		# and shows in its log
		bg "receiver$ncase" openssl s_server -www -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' \
			-accept "127.0.0.1:$rport" -cert "$PKI/server.pem" -key "$PKI/server.key"
		wait_for_port "$rport" 15 "$BG_PID" || fail "$case: s_server did not start"
		;;
	esac
	sender_conf "$sport" "$(tls_action "\"127.0.0.1\" port=\"$rport\"" "$extra")" \
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
	if [ "$kind" = rsyslog ]; then
		rsyslog_stop "receiver$ncase" || fail "$case: receiver did not stop"
		n=$(count_lines "$out")
	else
		kill_pid "$BG_PID"
		n=$(grep -c 'audit(' "$T/receiver$ncase.log")
	fi
	[ "$n" -eq 0 ] || fail "$case: $n messages arrived although the connection was refused"
}

refused "wrong CA" "certificate verify failed: unable to get local issuer certificate" \
	'' rsyslog untrusted
refused "wrong name" "certificate is not for 127\.0\.0\.1" '' rsyslog wrongname
TLS_NO_CLIENT_CERT=1 refused "no client certificate" \
	"refused the connection after the handshake|certificate required|handshake failure" \
	'' rsyslog server
if [ "$TLS_DRIVER" = gtls ]; then
	refused "TLS 1.1" "unsupported protocol|protocol version|wrong version" '' rsyslog server \
		'gnutlsPriorityString="NORMAL:-VERS-ALL:+VERS-TLS1.1"'
else
	refused "TLS 1.1" "unsupported protocol|protocol version|wrong version" '' s_server
fi
pass "$TLS_DRIVER: delivery exact; wrong CA, wrong name, no client certificate and TLS 1.1 refused, logged, nothing delivered"
