#!/usr/bin/env bash
# The module's own line template (the default: RSYSLOG_SyslogProtocol23Format
# without PROCID, MSGID and STRUCTURED-DATA) gives the output the whole
# RFC 5424 line gives, for every input form. One private rsyslogd runs two
# omauditfwd actions on the same input: one with no template, one with
# template="RSYSLOG_SyslogProtocol23Format"; each sends to a receiver of
# its own. The input is every line of tests/data and of the corpus's first
# records, each sent three ways: as the whole syslog message (the files'
# own headers: RFC 5424, rsyslog's file format, journald's "audit[PID]:",
# kmsg, none), under an RFC 3164 header with a TAG, and under an RFC 5424
# header with a PROCID, a MSGID and STRUCTURED-DATA whose value holds a
# blank and an escaped ']'; then lines that are not audit records, a
# message with no APP-NAME, and STRUCTURED-DATA that breaks the RFC. Both receivers must hold the same messages (as a
# multiset: the two actions' batches need not end at the same lines) and
# the journald records must have been parsed, with their header's time.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_rsyslogd
require_cmd "$PYTHON"
require_corpus
require_module

audit_lines_of_corpus "$T/corpus.txt"
head -n 300 "$T/corpus.txt" >"$T/lines.txt"
for f in "$top_srcdir"/tests/data/*.log; do
	tr -d '\r' <"$f"
	echo
done | grep -v '^$' >>"$T/lines.txt"
nframes=$("$PYTHON" - "$T/lines.txt" "$T/frames.bin" <<'PY'

import sys
lines = [l for l in open(sys.argv[1], "rb").read().split(b"\n") if l]
frames = []
for i, l in enumerate(lines):
    frames.append(l)                                    # its own header, or none
    frames.append(b"<14>Dec  7 10:%02d:%02d host3164 audispd[%d]: " % (i // 60 % 60, i % 60, 100 + i) + l)
    frames.append(b"<86>1 2026-12-07T10:00:%02d.%06d+01:00 host5424 auditd %d AUDIT "
                  b"[origin software=\"auditd\" swVersion=\"3.0.9\"][x@32473 k=\"a b\\] c\"] "
                  % (i % 60, i, 4000 + i) + l)
frames += [b"this line is not an audit record at all",
           b"<13>1 2026-12-07T10:00:00Z hostnoapp - - - - type=USER_CMD msg=audit(1733565600.001:9): pid=1 uid=0",
           b"<13>1 2026-12-07T10:00:00Z hostempty audit - - -",
           b'<13>1 2026-12-07T10:00:00Z hostbadsd auditd - - [x@32473 k="a b] c"] not audit',
           b'<13>1 2026-12-07T10:00:00Z hostbadsd auditd - - [x@32473 k="a b] c"] type=USER_CMD msg=audit(1733565600.003:11): pid=2 uid=0',
           b'<13>Dec  7 10:00:00 host3164 kernel: audit: type=1400 audit(1733565600.002:10): apparmor="DENIED" operation="open"']
with open(sys.argv[2], "wb") as f:
    for fr in frames:
        f.write(b"%d " % len(fr) + fr)
print(len(frames))
PY
) || fail "could not build the frames"
journald=$(grep -cE ' audit(\[[0-9]+\])?: [A-Z][A-Z_0-9]* | audit [0-9-]+ - - [A-Z]' "$T/lines.txt")
[ "$journald" -ge 5 ] || fail "the input has only $journald journald records"

declare -A port
for a in line full; do
	port[$a]=$(free_port)
	receiver_conf "${port[$a]}" "$T/received.$a" "recv_$a" >"$T/recv_$a.conf"
done
sport=$(free_port)
actions="$(omauditfwd_action "${port[line]}" 'maxMessageSize="0"')
$(omauditfwd_action "${port[full]}" 'maxMessageSize="0"' 'template="RSYSLOG_SyslogProtocol23Format"')"
sender_conf "$sport" "$actions" >"$T/sender.conf"
rsyslog_validate "$T/sender.conf" || fail "rsyslogd -N1: $VALIDATE_OUT"
for a in line full; do
	rsyslog_start "recv_$a" "$T/recv_$a.conf"
done
rsyslog_start sender "$T/sender.conf"

"$PYTHON" - "$T/frames.bin" "$sport" <<'PY' >"$T/feeder.log" 2>&1 || fail "feeder: $(cat "$T/feeder.log")"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=30)
s.sendall(open(sys.argv[1], "rb").read())
s.shutdown(socket.SHUT_WR)
s.settimeout(60)
while s.recv(4096):
    pass
PY
# the held events go out when the sender stops; first let the stream drain
wait_quiet "$T/received.line" 3 60
wait_quiet "$T/received.full" 3 60
rsyslog_stop sender || fail "sender did not stop on SIGTERM"
wait_quiet "$T/received.line" 2 30
wait_quiet "$T/received.full" 2 30
for a in line full; do
	rsyslog_stop "recv_$a" || fail "receiver $a did not stop on SIGTERM"
done

nl=$(count_lines "$T/received.line")
nf=$(count_lines "$T/received.full")
log "$nframes frames sent; $nl messages with the module's line, $nf with the whole line"
# a message per frame at most (events join records), a third at least
[ "$nl" -ge $((nframes / 3)) ] || fail "only $nl messages arrived for $nframes frames"
# an unescaped ']' in a STRUCTURED-DATA value breaks RFC 5424: rsyslog's
# parser ends the SD there, and its MSG is what the module's line holds
# (as omfwd's %msg% would); the whole line let our reader guess otherwise
grep -qF '"host":"hostbadsd","raw":"c\"] not audit"' "$T/received.line" ||
	fail "the malformed STRUCTURED-DATA's message is not rsyslog's MSG"
grep -v '"host":"hostbadsd"' "$T/received.line" | sort >"$T/sorted.line"
grep -v '"host":"hostbadsd"' "$T/received.full" | sort >"$T/sorted.full"
if ! cmp -s "$T/sorted.line" "$T/sorted.full"; then
	diff "$T/sorted.line" "$T/sorted.full" | head -n 20
	fail "the two templates gave different messages"
fi
# the journald records were parsed (their time is the header's), the
# other forms were too, and the lines that are not audit went out flagged
parsed=$(grep -c '"time":"2024-11-25T07:40:10.517Z","host":"web01","type":"SYSCALL"' "$T/sorted.line")
[ "$parsed" -ge 1 ] || fail "no journald SYSCALL record with its header's time"
grep -q '"host":"host5424"' "$T/sorted.line" || fail "nothing names the RFC 5424 header's host"
grep -q '"host":"host3164"' "$T/sorted.line" || fail "nothing names the RFC 3164 header's host"
grep -q '"type":"UNPARSED"' "$T/sorted.line" || fail "no unparsed line came out flagged"
pass "$nframes frames, $nl messages: the same with either template"
