# relp_lib.sh -- sourced by the relp_*.sh integration tests, after lib.sh
# and tls_lib.sh (for the PKI, wait_for_grep, rsyslog_kill, complete_lines,
# stats_value).
#
# Real RELP receivers: private rsyslogd instances with imrelp (Debian
# package rsyslog-relp), plain or over TLS with the test PKI, requiring a
# client certificate that chains to the test CA (tls.authmode="certvalid").

# relp_setup: prerequisites (imrelp, omrelp) and the PKI in $PKI
relp_setup() {
	require_rsyslogd
	require_cmd "$PYTHON" openssl
	require_module
	[ -n "$(_relp_module imrelp)" ] ||
		skip "imrelp not installed (Debian: rsyslog-relp)"
	sh "$top_srcdir/tests/pki.sh" "$PKI" || fail "tests/pki.sh $PKI failed"
}

_relp_module() {
	local d
	for d in /usr/lib/x86_64-linux-gnu/rsyslog /usr/lib/rsyslog /usr/lib64/rsyslog; do
		[ -f "$d/$1.so" ] && { echo "$d/$1.so"; return 0; }
	done
	return 0
}

# relp_receiver_conf PORT OUTFILE [NAME] [TLS_CERT] [INPUT_EXTRA]: a private
# rsyslogd that writes each message received by imrelp on 127.0.0.1:PORT
# as %msg% + LF to OUTFILE. TLS_CERT: the PKI name of its server certificate
# (TLS on, client certificates by the test CA required); empty: plain RELP.
# RELP_RECEIVER_QUEUE: the parameters of the receiving ruleset's queue
# (default: none, the ruleset runs on the main queue). Messages are written
# as received (no escaping: the raw format's records keep their bytes).
relp_receiver_conf() {
	local port=$1 out=$2 name=${3:-receiver} cert=${4:-} extra=${5:-} tls=
	mkdir -p "$T/$name.work"
	[ -z "$cert" ] || tls="tls=\"on\" tls.cacert=\"$PKI/ca.pem\"
       tls.mycert=\"$PKI/$cert.pem\" tls.myprivkey=\"$PKI/$cert.key\"
       tls.authmode=\"certvalid\""
	cat <<EOF
global(workDirectory="$T/$name.work" maxMessageSize="64k"
       parser.escapeControlCharactersOnReceive="off"
       processInternalMessages="on")
main_queue(queue.timeoutShutdown="20000" queue.size="500000")
module(load="imrelp")
template(name="itest_msg" type="string" string="%msg%\n")
ruleset(name="itest_recv" ${RELP_RECEIVER_QUEUE:-}) {
	action(type="omfile" file="$out" template="itest_msg" flushOnTXEnd="on")
}
input(type="imrelp" address="127.0.0.1" port="$port" ruleset="itest_recv"
      maxDataSize="64k" $tls $extra)
*.* action(type="omfile" file="$T/$name.internal.log")
EOF
}

# relp_action TARGETS [EXTRA...]: our action, transport relp, towards
# TARGETS (a quoted string or an array); RELP_TLS=1: over TLS with the test
# CA and the client certificate (TLS_NO_CLIENT_CERT=1: none)
relp_action() {
	local targets=$1 tls=
	shift
	if [ -n "${RELP_TLS:-}" ]; then
		# librelp matches names with the DNS names of the certificate
		# only, never its IP addresses: the test certificate's name
		tls="tls=\"on\" tls.cacert=\"$PKI/ca.pem\" tls.permittedpeer=\"localhost\""
		[ -n "${TLS_NO_CLIENT_CERT:-}" ] ||
			tls="$tls tls.mycert=\"$PKI/client.pem\" tls.myprivkey=\"$PKI/client.key\""
	fi
	echo "action(type=\"omauditfwd\" name=\"$TEST_NAME\" target=$targets" \
		"transport=\"relp\" $tls format=\"json\" statsname=\"$TEST_NAME\"" \
		"timeout=\"10\" conn.timeout=\"5\"" \
		"action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\"" \
		"queue.type=\"LinkedList\" queue.size=\"200000\" $*)"
}

# relp_counting_relay LISTEN_PORT TARGET_PORT OUT: a TCP relay on
# 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT (a RELP receiver) that,
# when a connection ends, appends to OUT the number of RELP "syslog" frames
# the client sent on it (frames parsed: TXNR SP COMMAND SP DATALEN [SP
# DATA] LF). Runs until killed; run it with bg, whose job it becomes (exec:
# the job's shell would die on kill_pid's TERM and leave python running).
relp_counting_relay() {
	exec "$PYTHON" - "$@" <<'PY'
import re, socket, sys, threading
lport, tport, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
hdr = re.compile(rb"(\d+) (\w+) (\d+)([ \n])")
lock = threading.Lock()

def pipe(src, dst, frames=None):
    buf = b""
    try:
        while True:
            d = src.recv(65536)
            if not d:
                break
            dst.sendall(d)
            if frames is None:
                continue
            buf += d
            while True:
                m = hdr.match(buf)
                if not m:
                    break
                n = int(m.group(3))
                end = m.end() + (n + 1 if n else 0)
                if len(buf) < end:
                    break
                if m.group(2) == b"syslog":
                    frames[0] += 1
                buf = buf[end:]
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

def serve(c):
    try:
        s = socket.create_connection(("127.0.0.1", tport))
    except OSError:
        c.close()
        return
    frames = [0]
    back = threading.Thread(target=pipe, args=(s, c))
    back.start()
    pipe(c, s, frames)
    back.join()
    c.close()
    s.close()
    with lock, open(out, "a") as f:
        f.write("%d\n" % frames[0])

ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", lport))
ls.listen(64)
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
}
