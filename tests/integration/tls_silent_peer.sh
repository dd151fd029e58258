#!/usr/bin/env bash
# A collector that accepts TCP but never answers the TLS handshake (a
# listener that reads and says nothing): the connection attempt ends after
# timeout.connect, the action suspends, rsyslogd's own log says why, naming
# the action and the target, and rsyslogd still shuts down promptly.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "$0")/tls_lib.sh"

tls_setup
require_corpus

rport=$(free_port)
sport=$(free_port)
# accept, read and drop whatever comes, never send; one line per connection
bg silent "$PYTHON" -u -c '
import socket, sys, threading
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1])))
l.listen(16)
def drain(c):
    while c.recv(65536):
        pass
while True:
    c, _ = l.accept()
    print("accepted", flush=True)
    threading.Thread(target=drain, args=(c,), daemon=True).start()
' "$rport"
silent=$BG_PID
wait_for_port "$rport" 15 "$silent" || fail "silent listener did not start"

sender_conf "$sport" "$(tls_action "\"127.0.0.1\" port=\"$rport\"" \
	'timeout.connect="1500" timeout.io="1500" join="off"')" >"$T/sender.conf"
rsyslog_start sender "$T/sender.conf"
make_stream 50 "$T/sent.txt"
send_lines "$T/sent.txt" "$sport" >/dev/null 2>&1 || fail "feeder failed"

wait_for_grep "$T/sender.internal.log" \
	"omauditfwd\[$TEST_NAME\]: 127\.0\.0\.1:$rport: action suspended.*TLS handshake: no answer within 1500 ms" 60 ||
	fail "no error line naming the action, the target and the handshake timeout"
log "$(grep -Eo "omauditfwd\[$TEST_NAME\]: .*" "$T/sender.internal.log" | head -n 1 | cut -c1-250)"
grep -q accepted "$T/silent.log" || fail "the listener never saw a connection"
# the worker keeps retrying (one connection per resume), it is not stuck
wait_for_lines "$T/silent.log" 3 60 || fail "no further connection attempts after the first"

rsyslog_stop sender 30 || fail "rsyslogd did not shut down within 30 s with the handshake hanging"
log "sender stopped; the listener saw $(count_lines "$T/silent.log") connections"
kill_pid "$silent"
pass "handshake timeout after timeout.connect, logged, action suspended, shutdown prompt"
