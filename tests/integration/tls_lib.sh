# tls_lib.sh -- sourced by the tls_*.sh integration tests, after lib.sh.
#
# A throw-away PKI (tests/pki.sh) and real TLS receivers: private rsyslogd
# instances with imtcp over rsyslog's own stream drivers (ossl or gtls),
# in server mode, requiring a client certificate that chains to the test CA
# (StreamDriver.AuthMode="x509/certvalid").

# ITEST_TLS_DRIVER: the receivers' stream driver, ossl (default) or gtls
TLS_DRIVER=${ITEST_TLS_DRIVER:-ossl}
PKI=$T/pki

# tls_setup: prerequisites and the PKI in $PKI
tls_setup() {
	require_rsyslogd
	require_cmd "$PYTHON" openssl
	require_module
	case $TLS_DRIVER in
	ossl|gtls) ;;
	*) fail "ITEST_TLS_DRIVER=$TLS_DRIVER: expected ossl or gtls" ;;
	esac
	[ -n "$(_tls_driver_lib "$TLS_DRIVER")" ] ||
		skip "rsyslog stream driver $TLS_DRIVER not installed (lmnsd_$TLS_DRIVER.so)"
	sh "$top_srcdir/tests/pki.sh" "$PKI" || fail "tests/pki.sh $PKI failed"
}

_tls_driver_lib() {
	local d
	for d in /usr/lib/x86_64-linux-gnu/rsyslog /usr/lib/rsyslog /usr/lib64/rsyslog; do
		[ -f "$d/lmnsd_$1.so" ] && { echo "$d/lmnsd_$1.so"; return 0; }
	done
	return 0
}

# tls_receiver_conf PORT OUTFILE [NAME] [CERT] [IMTCP_MODULE_EXTRA] [GLOBAL_EXTRA]:
# a private rsyslogd that writes each message received over TLS on
# 127.0.0.1:PORT as %msg% + LF to OUTFILE. CERT: the PKI name of its server
# certificate (default server: localhost, 127.0.0.1, by the test CA).
# Control characters are escaped on receive (#012 for LF), so one message
# is always one line of OUTFILE.
# TLS_RECEIVER_QUEUE: the receiver's main_queue() parameters.
tls_receiver_conf() {
	local port=$1 out=$2 name=${3:-receiver} cert=${4:-server} extra=${5:-}
	local gextra=${6:-}
	local queue='queue.timeoutShutdown="20000" queue.size="500000"'
	[ -z "${TLS_RECEIVER_QUEUE:-}" ] || queue=$TLS_RECEIVER_QUEUE
	mkdir -p "$T/$name.work"
	cat <<EOF
global(workDirectory="$T/$name.work" maxMessageSize="64k"
       parser.escapeControlCharactersOnReceive="on"
       processInternalMessages="on"
       DefaultNetstreamDriver="$TLS_DRIVER"
       DefaultNetstreamDriverCAFile="$PKI/ca.pem"
       DefaultNetstreamDriverCertFile="$PKI/$cert.pem"
       DefaultNetstreamDriverKeyFile="$PKI/$cert.key" $gextra)
main_queue($queue)
module(load="imtcp" StreamDriver.Name="$TLS_DRIVER" StreamDriver.Mode="1"
       StreamDriver.AuthMode="x509/certvalid" $extra)
template(name="itest_msg" type="string" string="%msg%\n")
ruleset(name="itest_recv") {
	action(type="omfile" file="$out" template="itest_msg" flushOnTXEnd="on")
}
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="itest_recv")
*.* action(type="omfile" file="$T/$name.internal.log")
EOF
}

# tls_action TARGETS [EXTRA...]: our action, transport tls, towards TARGETS
# (a quoted string or an array), with the test CA and the client
# certificate unless EXTRA says otherwise (TLS_NO_CLIENT_CERT=1: none)
tls_action() {
	local targets=$1 certs
	shift
	certs="tls.cacert=\"$PKI/ca.pem\""
	[ -n "${TLS_NO_CLIENT_CERT:-}" ] ||
		certs="$certs tls.mycert=\"$PKI/client.pem\" tls.myprivkey=\"$PKI/client.key\""
	echo "action(type=\"omauditfwd\" name=\"$TEST_NAME\" target=$targets" \
		"transport=\"tls\" $certs format=\"json\" statsname=\"$TEST_NAME\"" \
		"action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\"" \
		"queue.type=\"LinkedList\" queue.size=\"200000\" $*)"
}

# wait_for_grep FILE REGEX TIMEOUT: until a line of FILE matches (grep -E)
wait_for_grep() {
	local file=$1 rx=$2 timeout=$3 end
	end=$(($(date +%s) + timeout))
	while ! grep -Eq -- "$rx" "$file" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "wait_for_grep: no line matching '$rx' in $file after ${timeout}s"
			return 1
		fi
		sleep 0.1
	done
}

# rsyslog_kill NAME: SIGKILL a private rsyslogd (a crash), reap it
rsyslog_kill() {
	local name=$1 pid
	pid=$(rsyslog_pid "$name")
	[ -n "$pid" ] || fail "rsyslog_kill $name: not started"
	_our_child "$pid" || fail "rsyslog_kill $name: pid $pid is not ours (any more)"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	_forget_pid "$pid"
	_RS_PID[$name]=
}

# complete_lines FILE...: the LF-terminated lines of the files, in order;
# an unterminated last line (a receiver killed mid-write) is left out
complete_lines() {
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		"$PYTHON" -c 'import sys
d = open(sys.argv[1], "rb").read()
sys.stdout.buffer.write(d[:d.rfind(b"\n") + 1])' "$f"
	done
}

# stats_value FILE STATSNAME COUNTER: the counter in the last impstats
# (format json, log.file) line of our action STATSNAME; empty when none yet
stats_value() {
	"$PYTHON" - "$@" <<'PY'
import json, sys
path, name, ctr = sys.argv[1:4]
last = None
try:
    for l in open(path):
        if '"%s"' % name in l and "{" in l:
            row = json.loads(l[l.index("{"):])
            if row.get("origin") == "omauditfwd" and row.get("name") == name:
                last = row
except FileNotFoundError:
    pass
if last is not None and ctr in last:
    print(last[ctr])
PY
}
