#!/usr/bin/env bash
# No value can forge a message: audit records whose values carry CR, LF,
# '|', '=' and a fake syslog header (hex-encoded as auditd writes them, so
# decoded by enrichment; and raw CR/LF bytes inside a quoted value, as a
# hostile sender could deliver them) go through the module over TLS to a
# real receiver, for every format and both framings. The receiver must get
# exactly one message per record, each carrying its own record's serial.
# The receiver escapes control characters (#012), so one message is one
# line of its file, and an LF the module let through with framing="lf"
# would show as a second message.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "$0")/tls_lib.sh"

# ===== formats checked: extend this list as formats are added =====
# (each must keep one record's message in one message; the checks below
# are format-neutral: count of messages, and one serial per message)
FORMATS=${ITEST_FORMATS:-json leef cef raw}
FRAMINGS="octet-counted lf"
# ===================================================================

tls_setup

hex() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n' | tr a-f A-F; }
forged=$'\r\n<13>1 2024-01-01T00:00:00Z forged evil - - - FORGED|k=v type=SYSCALL'
# the records; @CR@ and @LF@ become raw bytes when sent
cat >"$T/sent.txt" <<EOF
type=USER_CMD msg=audit(1700000001.001:7770001): pid=1 uid=0 auid=0 ses=1 msg='cwd="/" cmd=$(hex "ls$forged") terminal=pts/0 res=success'
type=USER_ACCT msg=audit(1700000001.002:7770002): pid=2 uid=0 auid=0 msg='op=PAM:accounting acct="a|b=c|cat=x" exe="/usr/bin/x=y|z" res=success'
type=USER_LOGIN msg=audit(1700000001.003:7770003): pid=3 uid=0 msg='op=login acct="bob@CR@@LF@<13>1 2024-01-01T00:00:00Z forged evil - - - FORGED" exe="/bin/login" res=failed'
type=PROCTITLE msg=audit(1700000001.004:7770004): proctitle=$(hex $'sh\0-c\0echo a|b=c\r\n<14>FORGED')
type=EXECVE msg=audit(1700000001.005:7770005): argc=2 a0="sh" a1=$(hex $'x\ntype=SYSCALL msg=audit(1700000001.006:7770006): FORGED')
type=SYSCALL msg=audit(1700000001.007:7770007): arch=c000003e syscall=59 success=yes exit=0 comm=$(hex $'a\rb\nc|d=e') exe="/bin/sh" key=$(hex $'k|v=1\n')
EOF
serials="7770001 7770002 7770003 7770004 7770005 7770007"
nrec=$(count_lines "$T/sent.txt")

# feed FILE PORT: one octet-counted RFC 5424 frame per line, @CR@/@LF@ as bytes
feed() {
	"$PYTHON" - "$1" "$2" <<'PY'
import socket, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
s = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=30)
for l in lines:
    if not l:
        continue
    m = b"<13>1 2024-11-25T07:40:01.000Z auditsrc01 audisp-syslog - - - " + \
        l.replace(b"@CR@", b"\r").replace(b"@LF@", b"\n")
    s.sendall(b"%d " % len(m) + m)
s.shutdown(socket.SHUT_WR)
while s.recv(4096):
    pass
PY
}

runs=0
for format in $FORMATS; do
	for framing in $FRAMINGS; do
		runs=$((runs + 1))
		name="$format-$framing"
		rport=$(free_port)
		sport=$(free_port)
		out=$T/received-$name.txt
		tls_receiver_conf "$rport" "$out" "receiver-$name" >"$T/receiver-$name.conf"
		sender_conf "$sport" "$(tls_action "\"127.0.0.1\" port=\"$rport\"" \
			"join=\"off\" framing=\"$framing\"" | sed "s/format=\"json\"/format=\"$format\"/")" \
			"sender-$name" >"$T/sender-$name.conf"
		rsyslog_start "receiver-$name" "$T/receiver-$name.conf"
		rsyslog_start "sender-$name" "$T/sender-$name.conf"
		feed "$T/sent.txt" "$sport" || fail "$name: feeder failed"
		# one last ordinary record: once it is there, everything before it is
		echo "type=USER_END msg=audit(1700000001.099:7770099): pid=9 uid=0 msg='op=end res=success'" >"$T/last.txt"
		feed "$T/last.txt" "$sport" || fail "$name: feeder failed"
		wait_for_grep "$out" 7770099 60 || fail "$name: the last record did not arrive"
		rsyslog_stop "sender-$name" || fail "$name: sender did not stop"
		rsyslog_stop "receiver-$name" || fail "$name: receiver did not stop"
		"$PYTHON" - "$out" "$format" $serials 7770099 >"$T/check-$name.txt" 2>&1 <<'PY'
import json, sys
path, fmt, serials = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = open(path, "rb").read().decode("utf-8", "replace").split("\n")
if lines and lines[-1] == "":
    lines.pop()
bad, seen = [], {}
for i, l in enumerate(lines):
    mine = [s for s in serials if s in l]
    if len(mine) != 1:
        bad.append("message %d carries %d record serials: %r" % (i + 1, len(mine), l[:200]))
        continue
    seen[mine[0]] = seen.get(mine[0], 0) + 1
    if mine[0] == "7770003" and "FORGED" not in l:
        bad.append("record 7770003 arrived without its hostile value: %r" % l[:200])
    if fmt == "json":
        try:
            json.loads(l)
        except ValueError as e:
            bad.append("message %d is not one JSON object (%s): %r" % (i + 1, e, l[:200]))
for s in serials:
    if seen.get(s, 0) != 1:
        bad.append("record %s arrived %d times" % (s, seen.get(s, 0)))
print("%s: %d messages for %d records" % (path.rsplit("/", 1)[-1], len(lines), len(serials)))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
		rc=$?
		log "$(cat "$T/check-$name.txt" | head -n 5)"
		[ $rc -eq 0 ] || fail "$name: a value forged or split a message"
	done
done
pass "$runs format/framing combinations, $nrec hostile records each: one message per record"
