#!/usr/bin/env bash
# Certificate rotation by HUP: the action's client certificate files are
# first a certificate the receiver does not trust (its CA is not the
# receiver's), so the receiver refuses and nothing is delivered. The files
# are replaced with a good certificate: without a HUP the module keeps
# using what it loaded (still refused); after `kill -HUP` the next
# connection reads the files again and every record arrives.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "$0")/tls_lib.sh"

tls_setup
require_corpus

mkdir -p "$T/certs"
cp "$PKI/untrusted.pem" "$T/certs/client.pem"
cp "$PKI/untrusted.key" "$T/certs/client.key"
make_stream 200 "$T/sent.txt"
rport=$(free_port)
sport=$(free_port)
tls_receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
$(TLS_NO_CLIENT_CERT=1 tls_action "\"127.0.0.1\" port=\"$rport\"" \
	"tls.mycert=\"$T/certs/client.pem\" tls.myprivkey=\"$T/certs/client.key\" join=\"off\" enrich=\"off\"")"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"
send_lines "$T/sent.txt" "$sport" >/dev/null 2>&1 || fail "feeder failed"
wait_for_grep "$T/sender.internal.log" \
	"omauditfwd\[$TEST_NAME\]: 127\.0\.0\.1:$rport: action suspended.*unknown ca" 60 ||
	fail "the untrusted client certificate was not refused"
log "refused: $(grep -Eo "omauditfwd\[$TEST_NAME\]: .*" "$T/sender.internal.log" | head -n 1 | cut -c1-200)"

# rotate the files; a retry without HUP must still use the old certificate
cp "$PKI/client.pem" "$T/certs/client.pem.new" && mv "$T/certs/client.pem.new" "$T/certs/client.pem"
cp "$PKI/client.key" "$T/certs/client.key.new" && mv "$T/certs/client.key.new" "$T/certs/client.key"
hf0=$(stats_value "$T/stats.log" "$TEST_NAME" handshakes.failed)
end=$(($(date +%s) + 60))
while [ "$(stats_value "$T/stats.log" "$TEST_NAME" handshakes.failed)" -le "${hf0:-0}" ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "no retry seen in impstats (handshakes.failed=$hf0)"
	sleep 0.2
done
[ "$(count_lines "$T/received.txt")" -eq 0 ] ||
	fail "records arrived after the files changed but before the HUP"
log "files replaced, retried without HUP: still refused (handshakes.failed $hf0 -> $(stats_value "$T/stats.log" "$TEST_NAME" handshakes.failed))"

kill -HUP "$(rsyslog_pid sender)"
wait_for_check 60 "$T/sent.txt" "$T/received.txt" --no-duplicates >"$T/check.txt" ||
	{ cat "$T/check.txt"; fail "the records did not arrive after the HUP"; }
log "after HUP: $(head -n 1 "$T/check.txt")"
grep -q "omauditfwd\[$TEST_NAME\]: 127\.0\.0\.1:$rport: delivering again" "$T/sender.internal.log" ||
	fail "no recovery line in the sender's log"
rsyslog_stop sender || fail "sender did not stop"
rsyslog_stop receiver || fail "receiver did not stop"
pass "rotated client certificate used after HUP, not before"
