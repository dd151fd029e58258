# lib.sh -- sourced by the integration tests (bash).
#
# Every test gets a private temp dir ($T), removed when the test passes and
# kept (path printed) when it fails; every process the test starts through
# this file is killed on any exit. Private rsyslogd instances listen on free
# loopback ports only and never touch the system rsyslogd or its config.
#
# Environment (exported by `make check`; fallbacks for running a test by
# hand from the top of the build tree):
#   OMAUDITFWD_MODULE  the built module      ($PWD/omauditfwd/.libs/omauditfwd.so)
#   AUDITFWD           the CLI               ($PWD/omauditfwd/auditfwd)
#   CORPUS_DIR         audit-log corpus      (/work/shared/corpus)
#   RSYSLOGD           rsyslogd to run       (/usr/sbin/rsyslogd)
#   top_srcdir, top_builddir
#   CI=true            a missing prerequisite is a FAIL, never a SKIP
#   KEEP_TMP=1         keep the temp dir even when the test passes
#
# Exit codes (automake): 0 pass, 1 fail, 77 skip.

set -u

ITEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$ITEST_DIR/../.." && pwd)}"
: "${top_builddir:=$PWD}"
: "${OMAUDITFWD_MODULE:=$top_builddir/omauditfwd/.libs/omauditfwd.so}"
: "${AUDITFWD:=$top_builddir/omauditfwd/auditfwd}"
: "${CORPUS_DIR:=/work/shared/corpus}"
: "${RSYSLOGD:=/usr/sbin/rsyslogd}"
: "${PYTHON:=python3}"
CHECK_JSON="$ITEST_DIR/check_json.py"
TEST_NAME=$(basename "$0" .sh)

T=$(mktemp -d "${TMPDIR:-/tmp}/omauditfwd-$TEST_NAME.XXXXXX") || {
	echo "FAIL: mktemp -d"; exit 1; }

declare -a _ITEST_PIDS=()          # every background process we started
declare -A _RS_PID=()              # rsyslogd instances by name
declare -A _RS_CONF=()
declare -A _RS_PORT=()
_ITEST_LOGS_SHOWN=0
_ITEST_T0=${EPOCHREALTIME:-$(date +%s.%N)}

log() {
	local now=${EPOCHREALTIME:-$(date +%s.%N)}
	awk -v n="$TEST_NAME" -v a="$now" -v b="$_ITEST_T0" -v m="$*" \
		'BEGIN { printf "[%s %7.2fs] %s\n", n, a - b, m }'
}

# ---------------------------------------------------------------- exits

# show_logs: print the logs of every rsyslogd this test ran
show_logs() {
	local f
	[ "$_ITEST_LOGS_SHOWN" -eq 0 ] || return 0
	_ITEST_LOGS_SHOWN=1
	for f in "$T"/*.log; do
		[ -s "$f" ] || continue
		echo "----- $f (end; repeated lines counted)"
		tail -n 500 "$f" | cut -c1-400 | uniq -c |
			sed 's/^ *1 /   /; s/^ *\([0-9][0-9]*\) /[x\1] /' | tail -n 40
	done
	echo "-----"
}

# stop_all: stop every process this test started (rsyslogd writes out its
# buffered logs on exit, so the logs are complete afterwards)
stop_all() {
	local pid
	for pid in "${_ITEST_PIDS[@]}"; do
		kill_pid "$pid"
	done
	return 0
}

fail() {
	echo "FAIL: $TEST_NAME: $*"
	stop_all
	show_logs
	exit 1
}

# skip REASON: a missing prerequisite. Under CI it is a failure.
skip() {
	if [ "${CI:-}" = "true" ]; then
		fail "prerequisite missing (CI=true, not skipping): $*"
	fi
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

pass() {
	echo "PASS: $TEST_NAME${1:+: $*}"
	exit 0
}

# _our_child PID: PID is a background job of this shell not yet waited for
# (so the number cannot have been reused by some other process)
_our_child() {
	local j
	for j in $(jobs -p); do
		[ "$j" = "$1" ] && return 0
	done
	return 1
}

# _forget_pid PID: drop PID from the list of processes to stop at exit
_forget_pid() {
	local i
	for i in "${!_ITEST_PIDS[@]}"; do
		[ "${_ITEST_PIDS[$i]}" = "$1" ] && unset '_ITEST_PIDS[i]'
	done
	return 0
}

# kill_pid PID: TERM, wait up to 5 s, then KILL; reaps it. Only our own
# children: a PID that is not a job of this shell is left alone.
kill_pid() {
	local pid=$1 i
	_forget_pid "$pid"
	_our_child "$pid" || return 0
	if ! _pid_running "$pid"; then
		wait "$pid" 2>/dev/null
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		_pid_running "$pid" || break
		sleep 0.1
	done
	if _pid_running "$pid"; then
		echo "warning: pid $pid did not exit on SIGTERM, sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# _pid_running PID: alive and not a zombie
_pid_running() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

_itest_cleanup() {
	local rc=$1
	trap - EXIT INT TERM HUP
	stop_all
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		if [ -n "${KEEP_TMP:-}" ]; then
			echo "kept test dir: $T"
		else
			rm -rf "$T"
		fi
	else
		[ "$_ITEST_LOGS_SHOWN" -ne 0 ] || show_logs
		echo "test dir kept for inspection: $T"
	fi
	exit "$rc"
}
trap '_itest_cleanup $?' EXIT
trap 'echo "interrupted"; exit 1' INT TERM HUP

# bg NAME CMD...: run CMD in the background, stdout+stderr to $T/NAME.log;
# the pid is in $BG_PID and is killed at exit if still running.
bg() {
	local name=$1
	shift
	"$@" >"$T/$name.log" 2>&1 &
	BG_PID=$!
	_ITEST_PIDS+=("$BG_PID")
}

# bg_wait PID TIMEOUT: wait for a background process; its exit status, or
# 124 when it is still running after TIMEOUT seconds (it is then killed).
bg_wait() {
	local pid=$1 timeout=$2 end rc
	end=$(($(date +%s) + timeout))
	while _pid_running "$pid"; do
		if [ "$(date +%s)" -ge "$end" ]; then
			kill_pid "$pid"
			return 124
		fi
		sleep 0.1
	done
	wait "$pid"
	rc=$?
	_forget_pid "$pid"
	return $rc
}

# ---------------------------------------------------------------- prerequisites

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "command '$c' not found"
	done
}

require_rsyslogd() {
	[ -x "$RSYSLOGD" ] || command -v "$RSYSLOGD" >/dev/null 2>&1 ||
		skip "rsyslogd not found at '$RSYSLOGD'"
}

require_module() {
	[ -f "$OMAUDITFWD_MODULE" ] || skip "module not built: $OMAUDITFWD_MODULE"
}

require_corpus() {
	[ -d "$CORPUS_DIR" ] || skip "corpus not found: $CORPUS_DIR"
}

# ---------------------------------------------------------------- ports

# free_port: a TCP port on 127.0.0.1 that was free a moment ago, outside
# the range the kernel takes the source ports of outgoing connections from
# (ip_local_port_range). A port the kernel hands out for bind(0) comes from
# that range, so a connection made by anything else on the machine between
# this call and the bind could take it ("Address already in use"): a make
# check running tests side by side makes thousands. Random among the
# others, each tried with a bind.
free_port() {
	"$PYTHON" -c 'import random, socket
lo, hi = 32768, 60999
try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = map(int, f.read().split())
except (OSError, ValueError):
    pass
ports = [p for p in range(10000, 65536) if p < lo or p > hi] or [0]
for _ in range(200):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", random.choice(ports)))
        port = s.getsockname()[1]
    except OSError:
        continue
    finally:
        s.close()
    break
else:   # none free (or no port outside the range): the kernel chooses
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
print(port)'
}

# _listen_inode PORT: inode of the socket listening on 127.0.0.1:PORT
# (or 0.0.0.0:PORT), empty when none
_listen_inode() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$4 == "0A" && ($2 == "0100007F" p || $2 == "00000000" p) \
		{ print $10; exit }' /proc/net/tcp
}

# wait_for_port PORT TIMEOUT [PID]: until something listens on PORT. With
# PID: the listening socket must belong to PID, and PID must stay alive.
wait_for_port() {
	local port=$1 timeout=$2 pid=${3:-} end inode fd
	end=$(($(date +%s) + timeout))
	while :; do
		if [ -n "$pid" ] && ! _pid_running "$pid"; then
			echo "wait_for_port: process $pid exited before listening on $port"
			return 1
		fi
		inode=$(_listen_inode "$port")
		if [ -n "$inode" ]; then
			[ -z "$pid" ] && return 0
			for fd in /proc/"$pid"/fd/*; do
				[ "$(readlink "$fd" 2>/dev/null)" = "socket:[$inode]" ] && return 0
			done
		fi
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "wait_for_port: nothing${pid:+ of pid $pid} listening on" \
				"127.0.0.1:$port after ${timeout}s"
			return 1
		fi
		sleep 0.05
	done
}

# ---------------------------------------------------------------- rsyslogd

# receiver_conf PORT OUTFILE [NAME]: a private rsyslogd that writes each
# message's %msg% + LF received on imtcp 127.0.0.1:PORT to OUTFILE.
receiver_conf() {
	local port=$1 out=$2 name=${3:-receiver}
	mkdir -p "$T/$name.work"
	cat <<EOF
global(workDirectory="$T/$name.work" maxMessageSize="64k"
       parser.escapeControlCharactersOnReceive="off"
       processInternalMessages="on")
# give the receiver time to write out what it accepted when it is stopped
main_queue(queue.timeoutShutdown="20000" queue.size="500000")
module(load="imtcp")
template(name="itest_msg" type="string" string="%msg%\n")
ruleset(name="itest_recv") {
	action(type="omfile" file="$out" template="itest_msg" flushOnTXEnd="on")
}
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="itest_recv")
# rsyslogd's own messages
*.* action(type="omfile" file="$T/$name.internal.log")
EOF
}

# sender_conf INPORT ACTION_TEXT [NAME]: a private rsyslogd with an imtcp
# input on 127.0.0.1:INPORT (octet-counted or LF framing) whose ruleset
# runs ACTION_TEXT. Lines of ACTION_TEXT that start with "module(" or
# "template(" (one line each) are moved to the top level; an omauditfwd
# action loads $OMAUDITFWD_MODULE unless ACTION_TEXT loads it itself.
sender_conf() {
	local port=$1 action=$2 name=${3:-sender} mods body
	mkdir -p "$T/$name.work"
	# module() and one-line template() statements go to the top level
	mods=$(printf '%s\n' "$action" | grep -E '^[[:space:]]*(module|template)\(' || true)
	body=$(printf '%s\n' "$action" | grep -vE '^[[:space:]]*(module|template)\(' || true)
	if printf '%s' "$body" | grep -q 'type="omauditfwd"' &&
	   ! printf '%s' "$mods" | grep -Eq 'load="([^"]*/)?omauditfwd(\.so)?"'; then
		mods="module(load=\"$OMAUDITFWD_MODULE\")
$mods"
	fi
	cat <<EOF
global(workDirectory="$T/$name.work" maxMessageSize="64k"
       parser.escapeControlCharactersOnReceive="off"
       processInternalMessages="on")
module(load="imtcp")
$mods
ruleset(name="itest_fwd") {
$body
}
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="itest_fwd")
# rsyslogd's own messages (and the module's errors)
*.* action(type="omfile" file="$T/$name.internal.log")
EOF
}

# omauditfwd_action RPORT [EXTRA...]: the standard action of our module
# towards a receiver on 127.0.0.1:RPORT
omauditfwd_action() {
	local rport=$1
	shift
	echo "action(type=\"omauditfwd\" target=\"127.0.0.1\" port=\"$rport\"" \
		"transport=\"tcp\" framing=\"octet-counted\" format=\"json\"" \
		"unparsed=\"forward\" action.resumeRetryCount=\"-1\"" \
		"action.resumeInterval=\"1\" queue.type=\"LinkedList\"" \
		"queue.size=\"200000\" $*)"
}

# omfwd_action RPORT [EXTRA...]: rsyslog's own forwarder in the same place,
# to check the harness itself (the receiver then gets the raw lines)
omfwd_action() {
	local rport=$1
	shift
	echo "action(type=\"omfwd\" target=\"127.0.0.1\" port=\"$rport\"" \
		"protocol=\"tcp\" TCP_Framing=\"octet-counted\"" \
		"template=\"RSYSLOG_SyslogProtocol23Format\"" \
		"action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\"" \
		"queue.type=\"LinkedList\" queue.size=\"200000\" $*)"
}

# _conf_port CONF: the port of the (first) imtcp input in CONF
_conf_port() {
	grep -E 'input\(type="imtcp"' "$1" | sed -n 's/.*port="\{0,1\}\([0-9][0-9]*\).*/\1/p' | head -n 1
}

# rsyslog_start NAME CONF [PORT]: run a private rsyslogd in the foreground
# (-n) in the background; stdout/stderr to $T/NAME.log; wait (15 s) until
# it listens on its imtcp port (PORT, or the one in CONF). Fails the test
# when it does not come up.
rsyslog_start() {
	local name=$1 conf=$2 port=${3:-} pid
	[ -n "$port" ] || port=$(_conf_port "$conf")
	[ -n "$port" ] || fail "rsyslog_start $name: no imtcp port in $conf"
	if [ -n "${_RS_PID[$name]:-}" ] && _pid_running "${_RS_PID[$name]}"; then
		fail "rsyslog_start $name: already running (pid ${_RS_PID[$name]})"
	fi
	echo "=== start $(date +%T.%N)" >>"$T/$name.log"
	"$RSYSLOGD" -n -f "$conf" -i "$T/$name.pid" >>"$T/$name.log" 2>&1 &
	pid=$!
	_ITEST_PIDS+=("$pid")
	_RS_PID[$name]=$pid
	_RS_CONF[$name]=$conf
	_RS_PORT[$name]=$port
	wait_for_port "$port" 15 "$pid" ||
		fail "rsyslogd '$name' (pid $pid) did not come up on port $port"
}

# rsyslog_stop NAME [TIMEOUT]: SIGTERM, wait up to TIMEOUT (20) s for the
# exit; then SIGKILL and return 1 (with a complaint).
rsyslog_stop() {
	local name=$1 timeout=${2:-20} pid end
	pid=${_RS_PID[$name]:-}
	[ -n "$pid" ] || fail "rsyslog_stop $name: not started"
	_our_child "$pid" || fail "rsyslog_stop $name: pid $pid is not ours (any more)"
	kill -TERM "$pid" 2>/dev/null
	end=$(($(date +%s) + timeout))
	while _pid_running "$pid"; do
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "rsyslog_stop: rsyslogd '$name' (pid $pid) still running" \
				"${timeout}s after SIGTERM: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			_forget_pid "$pid"
			_RS_PID[$name]=
			return 1
		fi
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	_forget_pid "$pid"
	_RS_PID[$name]=
	return 0
}

# rsyslog_pid NAME
rsyslog_pid() { echo "${_RS_PID[$1]:-}"; }

# rsyslog_validate CONF: rsyslogd -N1; its output in $T/validate.out (and
# in $VALIDATE_OUT); returns rsyslogd's exit status.
rsyslog_validate() {
	local conf=$1 rc
	"$RSYSLOGD" -N1 -f "$conf" >"$T/validate.out" 2>&1
	rc=$?
	# shellcheck disable=SC2034 # for the caller
	VALIDATE_OUT=$(cat "$T/validate.out")
	return $rc
}

# ---------------------------------------------------------------- data

# audit_lines_of_corpus OUT: every audit record line of the corpus (lines
# that contain "type=" and "audit("), files in sorted order, each line
# LF-terminated (some corpus files do not end with a newline)
audit_lines_of_corpus() {
	"$PYTHON" - "$1" "$CORPUS_DIR" <<'PY'
import os, sys
out, corpus = sys.argv[1], sys.argv[2]
files = []
for d, _, fs in os.walk(corpus):
    files += [os.path.join(d, f) for f in fs if not f.endswith(".md")]
with open(out, "wb") as o:
    for path in sorted(files):
        with open(path, "rb") as f:
            for line in f.read().split(b"\n"):
                line = line.rstrip(b"\r")
                if b"type=" in line and b"audit(" in line:
                    o.write(line + b"\n")
PY
	[ -s "$1" ] || fail "no audit lines in $CORPUS_DIR"
}

# count_lines FILE: number of LF-terminated lines (0 if FILE is missing)
count_lines() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# wait_for_lines FILE N TIMEOUT: until FILE has >= N lines
wait_for_lines() {
	local file=$1 n=$2 timeout=$3 end c
	end=$(($(date +%s) + timeout))
	while :; do
		c=$(count_lines "$file")
		[ "$c" -ge "$n" ] && return 0
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "wait_for_lines: $file has $c lines, expected >= $n after ${timeout}s"
			return 1
		fi
		sleep 0.1
	done
}

# wait_quiet FILE QUIET TIMEOUT: until FILE has not grown (in lines) for
# QUIET seconds (whole), or TIMEOUT seconds have passed: a stream drained
wait_quiet() {
	local file=$1 ticks=$(($2 * 10)) timeout=$3 last=-1 still=0 end c
	end=$(($(date +%s) + timeout))
	while [ "$still" -lt "$ticks" ] && [ "$(date +%s)" -lt "$end" ]; do
		c=$(count_lines "$file")
		if [ "$c" -eq "$last" ]; then still=$((still + 1)); else still=0 last=$c; fi
		sleep 0.1
	done
}

# wait_for_check TIMEOUT SENT RECEIVED [CHECKER OPTIONS...]: run the
# checker (check_json.py SENT RECEIVED OPTIONS) until it passes; give up
# after TIMEOUT seconds, or earlier when RECEIVED has not grown for
# $ITEST_QUIET (5) seconds. The last run's output is printed; returns its
# status. The checker only runs when RECEIVED has at least as many lines
# as SENT (fewer lines always means something is missing) or at the end.
wait_for_check() {
	local timeout=$1 sent=$2 recv=$3 quiet=${ITEST_QUIET:-5}
	local end now c n last=-1 since rc=1 ran=0
	shift 3
	n=$(count_lines "$sent")
	end=$(($(date +%s) + timeout))
	since=$(date +%s)
	while :; do
		now=$(date +%s)
		c=$(count_lines "$recv")
		if [ "$c" != "$last" ]; then
			last=$c
			since=$now
			ran=0
			if [ "$c" -ge "$n" ]; then
				"$PYTHON" "$CHECK_JSON" "$sent" "$recv" "$@" >"$T/check.out" 2>&1
				rc=$?
				ran=1
				[ $rc -eq 0 ] && { cat "$T/check.out"; return 0; }
			fi
		fi
		if [ $((now - since)) -ge "$quiet" ] || [ "$now" -ge "$end" ]; then
			if [ $ran -eq 0 ]; then
				"$PYTHON" "$CHECK_JSON" "$sent" "$recv" "$@" >"$T/check.out" 2>&1
				rc=$?
			fi
			cat "$T/check.out"
			[ $rc -eq 0 ] && return 0
			if [ "$now" -ge "$end" ]; then
				echo "wait_for_check: gave up after ${timeout}s ($c lines received)"
			else
				echo "wait_for_check: no new lines for ${quiet}s ($c lines received)"
			fi
			return $rc
		fi
		sleep 0.2
	done
}

# send_lines FILE PORT [RATE]: send each line of FILE as one RFC 5424
# message (octet-counted framing) to 127.0.0.1:PORT, MSG = the line exactly
# (bytes, no trailing LF). HOST (env SEND_HOST, default "auditsrc01") and
# APP-NAME audisp-syslog in the header. RATE: messages per second (paced),
# 0 = as fast as possible. Returns once the peer has read everything (it
# closes the connection after our FIN), or fails after 60 s.
send_lines() {
	"$PYTHON" - "$1" "$2" "${3:-0}" "${SEND_HOST:-auditsrc01}" <<'PY'
import socket, sys, time
path, port, rate, host = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
with open(path, "rb") as f:
    lines = f.read().split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()
hdr = b"<13>1 2024-11-25T07:40:01.000Z " + host.encode() + b" audisp-syslog - - - "
s = socket.create_connection(("127.0.0.1", port), timeout=30)
t0 = time.monotonic()
buf = []
size = 0
for i, line in enumerate(lines):
    if line.endswith(b"\r"):
        line = line[:-1]
    frame = hdr + line
    buf.append(b"%d " % len(frame) + frame)
    size += len(frame)
    if rate > 0:
        if len(buf) >= max(1, int(rate / 100)):
            s.sendall(b"".join(buf)); buf = []
            ahead = (i + 1) / rate - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
    elif size > 65536:
        s.sendall(b"".join(buf)); buf = []; size = 0
if buf:
    s.sendall(b"".join(buf))
s.shutdown(socket.SHUT_WR)
s.settimeout(60)
while s.recv(4096):
    pass
s.close()
print("sent %d messages in %.2fs" % (len(lines), time.monotonic() - t0))
PY
}

# make_stream N OUT: N audit lines built from the corpus, deterministic.
# The corpus's events (records grouped by file, node and audit id) are
# repeated in order; every copy of an event gets a new serial (and a time
# derived from it), so all records stay distinct and the records of one
# event stay together and share their id.
make_stream() {
	"$PYTHON" - "$1" "$2" "$CORPUS_DIR" <<'PY'
import os, re, sys
n, out, corpus = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rx = re.compile(rb"audit\((\d+)\.(\d+):(\d+)\)")
node_rx = re.compile(rb"^node=(\S+) ")
files = []
for d, _, fs in os.walk(corpus):
    files += [os.path.join(d, f) for f in fs if not f.endswith(".md")]
events, index = [], {}
for path in sorted(files):
    with open(path, "rb") as f:
        for line in f.read().split(b"\n"):
            line = line.rstrip(b"\r")
            if b"type=" not in line or b"audit(" not in line:
                continue
            m = rx.search(line)
            if not m:
                continue
            nm = node_rx.match(line)
            key = (path, nm.group(1) if nm else b"", m.group(0))
            if key not in index:
                index[key] = len(events)
                events.append([])
            events[index[key]].append(line)
if not events:
    sys.exit("make_stream: no audit records in " + corpus)
written, serial = 0, 1000000
with open(out, "wb") as o:
    while written < n:
        for ev in events:
            serial += 1
            sec, msec = 1700000000 + serial // 1000, serial % 1000
            new = b"audit(%d.%03d:%d)" % (sec, msec, serial)
            for line in ev:
                o.write(rx.sub(new, line, count=1) + b"\n")
                written += 1
                if written >= n:
                    break
            if written >= n:
                break
PY
	[ "$(count_lines "$2")" -eq "$1" ] || fail "make_stream: wrong line count in $2"
}
