#!/usr/bin/env bash
# auditfwd, the CLI: every line of a sample log comes out as one JSON object
# (unparsed lines flagged, or dropped and counted), counters are right, bad
# options are refused with the option named.
set -u
: "${top_srcdir:=$PWD}" "${AUDITFWD:=$PWD/omauditfwd/auditfwd}"
sample=$top_srcdir/contrib/demo/audit.log
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# joined (the default): 6 events and the unparsed line; EOE is not output
"$AUDITFWD" --stats "$sample" >"$tmp/out" 2>"$tmp/err" || fail "exit status $?: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out")" -eq 7 ] || fail "expected 7 messages, got $(wc -l <"$tmp/out")"
grep -qx 'records=16 parsed=15 unparsed=1 dropped=0 messages=7 untrusted=0' "$tmp/err" || fail "stats: $(cat "$tmp/err")"
python3 - "$tmp/out" <<'PY' || fail "joined output is not what the sample holds"
import json, sys
objs = {o.get("id", "unparsed"): o for o in map(json.loads, open(sys.argv[1]))}
sudo = objs["1732520410.517:8812"]
assert sudo["type"] == "SYSCALL" and sudo["SYSCALL"]["key"] == "priv_esc", sudo
assert sudo["EXECVE"]["argv"] == ["sudo", "cat", "/etc/shadow"] and "a2" not in sudo["EXECVE"]
assert sudo["CWD"]["cwd"] == "/home/alice"
assert [p["item"] for p in sudo["PATH"]] == ["0", "1"], "a repeated type is an array"
assert "EOE" not in sudo and "incomplete" not in sudo
nc = objs["1732520415.004:8820"]
assert set(nc) >= {"SYSCALL", "SOCKADDR", "PROCTITLE"}, nc
assert objs["1732520401.102:8801"]["USER_AUTH"]["acct"] == "alice"
assert objs["1732520420.881:4410"]["host"] == "db02"
assert objs["unparsed"]["type"] == "UNPARSED" and objs["unparsed"]["reason"] == "not-audit"
assert objs["unparsed"]["raw"].startswith("this line is not an audit record")
PY

# enrichment (the default): decoded values, interpretations under UPPERCASE
"$AUDITFWD" --enrich-ids always "$sample" >"$tmp/enriched" || fail "enriched run failed"
python3 - "$tmp/enriched" <<'PY' || fail "enriched output is wrong"
import json, sys
objs = {o.get("id", "unparsed"): o for o in map(json.loads, open(sys.argv[1]))}
sudo = objs["1732520410.517:8812"]
assert sudo["SYSCALL"]["SYSCALL"] == "execve" and sudo["SYSCALL"]["ARCH"] == "x86_64", sudo
assert sudo["SYSCALL"]["EUID"] == "root" and sudo["SYSCALL"]["euid"] == "0"
assert sudo["PROCTITLE"]["proctitle"] == "sudo cat /etc/shadow", sudo["PROCTITLE"]
assert objs["1732520410.530:8814"]["USER_CMD"]["cmd"] == "cat /etc/shadow"
nc = objs["1732520415.004:8820"]
assert nc["SYSCALL"]["SYSCALL"] == "connect", nc
assert nc["SYSCALL"]["EXIT"] == "ECONNREFUSED(Connection refused)", nc  # as ausearch -i
assert "198.51.100.5" in nc["SOCKADDR"]["SADDR"] and "8080" in nc["SOCKADDR"]["SADDR"], nc
PY
"$AUDITFWD" --enrich off "$sample" | grep -q '"proctitle":"7375646F00636174002F6574632F736861646F77"}' ||
	fail "--enrich off must leave values as written"
"$AUDITFWD" --enrich-ids never "$sample" | grep -q '"EUID"' && fail "--enrich-ids never resolved ids"

# join off: a message per record, in input order
"$AUDITFWD" --join off --stats "$sample" >"$tmp/out" 2>"$tmp/err" || fail "join off failed"
[ "$(wc -l <"$tmp/out")" -eq 16 ] || fail "join off: expected 16 messages"
grep -qx 'records=16 parsed=15 unparsed=1 dropped=0 messages=16 untrusted=0' "$tmp/err" || fail "stats: $(cat "$tmp/err")"
python3 - "$tmp/out" <<'PY' || fail "record output is not what the sample holds"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert [o["type"] for o in objs].count("PATH") == 2, objs
assert objs[0]["USER_AUTH"]["acct"] == "alice", objs[0]
assert objs[2]["id"] == "1732520410.517:8812" and objs[2]["SYSCALL"]["key"] == "priv_esc"
assert objs[14]["host"] == "db02" and objs[14]["node"] == "db02"
assert objs[15]["type"] == "UNPARSED" and objs[15]["reason"] == "not-audit"
PY

# an event whose EOE never comes is output at the end, flagged incomplete
printf 'type=SYSCALL msg=audit(1700000000.100:5): syscall=59\n' | "$AUDITFWD" |
	grep -q '"incomplete":"flush"' || fail "held event not flushed at end of input"

# same input on stdin, unparsed dropped: one fewer message, still counted
"$AUDITFWD" --unparsed drop --stats <"$sample" >"$tmp/out2" 2>"$tmp/err2" || fail "stdin run failed"
[ "$(wc -l <"$tmp/out2")" -eq 6 ] || fail "drop: expected 6 messages"
grep -q 'unparsed=1 dropped=1' "$tmp/err2" || fail "drop not counted: $(cat "$tmp/err2")"

# trusted off: every line forwarded flagged untrusted, even with unparsed drop
"$AUDITFWD" --trusted off --unparsed drop --stats <"$sample" >"$tmp/out3" 2>"$tmp/err3" ||
	fail "trusted off run failed"
[ "$(grep -c '^{"type":"UNPARSED","reason":"untrusted",' "$tmp/out3")" -eq 16 ] ||
	fail "trusted off: expected 16 untrusted messages: $(head -n 2 "$tmp/out3")"
grep -qx 'records=16 parsed=0 unparsed=0 dropped=0 messages=16 untrusted=16' "$tmp/err3" ||
	fail "untrusted not counted: $(cat "$tmp/err3")"

# a syslog header can be previewed exactly as the module sends it
"$AUDITFWD" --join off --syslog-header rfc5424 --host relay "$sample" | head -n 1 |
	grep -q '^<14>1 2024-11-25T07:40:01.102Z relay auditd - - - {"id":"1732520401.102:8801"' ||
	fail "rfc5424 preview"

# the other formats, with the module's parameters as options
"$AUDITFWD" --format leef --leef-delimiter '^' --syslog-header rfc5424 --syslog-facility local3 \
	--syslog-severity notice --host relay "$sample" | grep -q \
	'^<157>1 2024-11-25T07:40:10.517Z relay auditd - - - LEEF:2.0|Linux|auditd|1.0|SYSCALL:execve|^|devTime=2024-11-25T07:40:10.517Z^' ||
	fail "leef with facility local3, severity notice"
"$AUDITFWD" --format leef --leef-version 1.0 "$sample" | grep -q \
	'^LEEF:1.0|Linux|auditd|1.0|SYSCALL:execve|devTime=2024-11-25T07:40:10.517Z	' || fail "leef 1.0"
"$AUDITFWD" --format cef "$sample" | grep -q \
	'^CEF:0|Linux|auditd|1.0|SYSCALL:execve|SYSCALL execve|3|rt=1732520410517 ' || fail "cef"
# raw: every record but EOE, exactly as in the file, and the unparsed line
"$AUDITFWD" --format raw "$sample" >"$tmp/raw" || fail "raw failed"
[ "$(wc -l <"$tmp/raw")" -eq "$(grep -vc 'type=EOE' "$sample")" ] || fail "raw: wrong count"
grep -vxFf "$sample" "$tmp/raw" && fail "raw: a line that is not in the input"

# enrich-hostname: the host member is the node, else the syslog host, else
# this host; off: none (node kept), the syslog header names this host
"$AUDITFWD" --host relay9 "$sample" >"$tmp/hosts" || fail "host run failed"
"$AUDITFWD" --host relay9 --enrich-hostname off "$sample" >"$tmp/nohost" || fail "no-host run failed"
python3 - "$tmp/hosts" "$tmp/nohost" <<'PY' || fail "enrich-hostname"
import json, sys
on = {o.get("id", "u"): o for o in map(json.loads, open(sys.argv[1]))}
off = {o.get("id", "u"): o for o in map(json.loads, open(sys.argv[2]))}
assert on["1732520410.517:8812"]["host"] == "relay9", on["1732520410.517:8812"]["host"]
assert on["1732520420.881:4410"]["host"] == "db02" == on["1732520420.881:4410"]["node"]
assert all("host" not in o for k, o in off.items() if k != "u"), "host written when off"
assert off["1732520420.881:4410"]["node"] == "db02"
PY
"$AUDITFWD" --host relay9 --enrich-hostname off --syslog-header rfc5424 "$sample" | sed -n 2p |
	grep -q '^<14>1 [^ ]* relay9 auditd ' || fail "header of an unattributed event"

# a command line spanning EXECVE records is one argv, on the first of them
"$AUDITFWD" "$top_srcdir/tests/data/execve_multi.log" >"$tmp/multi" || fail "execve_multi run failed"
python3 - "$tmp/multi" <<'PY' || fail "argv across EXECVE records is wrong"
import json, sys
ev = {o["id"]: o for o in map(json.loads, open(sys.argv[1]))}
first, second = ev["1700000600.250:9001"]["EXECVE"]
argv = first["argv"]
assert len(argv) == 4 and argv[:2] == ["bash", "-c"] and argv[3] == "--login", argv[:2]
assert argv[2].startswith("for f in /var/log/*.log;") and argv[2].endswith("x end"), argv[2][:40]
assert len(argv[2]) == int(first["a2_len"]) == 5270, len(argv[2])
assert "argv" not in second, "the continuation record repeats the argv"
tar = ev["1700000600.900:9002"]["EXECVE"]
assert tar[0]["argv"] == ["tar", "-czf", "/tmp/backup.tgz"], tar[0]["argv"]
PY

# bad options: exit status 2 and the option named
for args in "--format yaml" "--unparsed maybe" "--syslog-header xml" "--port 0" "--framing x" \
            "--join maybe" "--join-timeout 0" "--join-maxpending x" "--enrich x" \
            "--enrich-ids sometimes" "--enrich-hostname maybe" "--leef-version 3.0" \
            "--leef-delimiter ab" "--leef-delimiter ^ --leef-version 1.0 --format leef" \
            "--leef-version 1.0" "--syslog-facility local9" "--syslog-severity 8" \
            "--resend-window 65m" "--resend-window 1x" "--resend-window -1" \
            "--max-message-size 100" "--max-message-size 2k5" "--max-message-size x" \
            "--join-maxrecords 0" "--join-maxbytes 4096" "--join-maxbytes x"; do
	# shellcheck disable=SC2086
	"$AUDITFWD" $args "$sample" >/dev/null 2>"$tmp/e"; rc=$?
	[ $rc -eq 2 ] || fail "'$args' exited $rc"
	opt=${args%% *}
	grep -q -- "$opt" "$tmp/e" || fail "'$args' did not name $opt: $(cat "$tmp/e")"
done
"$AUDITFWD" --resend-window 0 --resend-window 1m "$sample" >/dev/null || fail "--resend-window 1m refused"

# input that stays open (tail -f into a pipe): an event without EOE, then
# silence, comes out within the join timeout + the tick (0.5 s), flagged,
# while the input is still open; an event with its EOE at the next tick
mkfifo "$tmp/fifo"
"$AUDITFWD" --join-timeout 1000 <"$tmp/fifo" >"$tmp/live" 2>"$tmp/live.err" &
cli=$!
exec 7>"$tmp/fifo"
t0=$(date +%s%3N)
echo 'type=SYSCALL msg=audit(1700000900.100:9901): arch=c000003e syscall=59 success=yes exit=0 pid=1 uid=0 comm="sh" exe="/bin/sh"' >&7
echo 'type=SYSCALL msg=audit(1700000900.200:9902): arch=c000003e syscall=2 success=yes exit=3 pid=1 uid=0 comm="sh" exe="/bin/sh"' >&7
echo 'type=EOE msg=audit(1700000900.200:9902): ' >&7
wait_grep() { # PATTERN: up to 30 s; prints the ms waited since t0
	local end=$(($(date +%s) + 30))
	until grep -q "$1" "$tmp/live"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.05
	done
	echo $(($(date +%s%3N) - t0))
}
ms_eoe=$(wait_grep '"id":"1700000900.200:9902"') || fail "live input: the complete event never came out"
ms_quiet=$(wait_grep '"id":"1700000900.100:9901"') || fail "live input: the event without EOE never came out"
kill -0 "$cli" 2>/dev/null || fail "auditfwd ended before its input did: $(cat "$tmp/live.err")"
grep '"id":"1700000900.100:9901"' "$tmp/live" | grep -q '"incomplete":"timeout"' ||
	fail "live input: the quiet event is not flagged: $(cat "$tmp/live")"
grep '"id":"1700000900.200:9902"' "$tmp/live" | grep -q '"incomplete"' &&
	fail "live input: the complete event is flagged"
exec 7>&-
wait "$cli" || fail "auditfwd failed on live input: $(cat "$tmp/live.err")"
[ "$(wc -l <"$tmp/live")" -eq 2 ] || fail "live input: $(wc -l <"$tmp/live") messages, expected 2"
echo "live input: complete event after ${ms_eoe} ms, quiet event after ${ms_quiet} ms (join timeout 1000 ms)"

# --max-message-size: the long command line of the sample is reduced to fit,
# the other events unchanged, and --stats says so
"$AUDITFWD" "$top_srcdir/tests/data/execve_multi.log" >"$tmp/whole" || fail "execve_multi"
"$AUDITFWD" --max-message-size 2k --stats "$top_srcdir/tests/data/execve_multi.log" \
	>"$tmp/cut" 2>"$tmp/err" || fail "--max-message-size 2k failed"
grep -q ' reduced=1 cut=[1-9][0-9]*$' "$tmp/err" || fail "--stats: $(cat "$tmp/err")"
python3 - "$tmp/whole" "$tmp/cut" <<'PY' || fail "--max-message-size: wrong output"
import json, sys
whole = open(sys.argv[1]).read().splitlines()
cut = open(sys.argv[2]).read().splitlines()
assert len(whole) == len(cut), (len(whole), len(cut))
for w, c in zip(whole, cut):
    assert len(c.encode()) <= 2048, len(c)
    if len(w.encode()) <= 2048:
        assert w == c
    else:
        o = json.loads(c)
        assert o["reduced"]["from"] == len(w.encode()), o["reduced"]
        assert o["EXECVE"][0]["argv"][:2] == ["bash", "-c"], o["EXECVE"]
        assert "[cut " in o["EXECVE"][0]["argv"][2]
PY
# --stats shows the joiner's counters too: the sample's 6 events, then the
# same with at most 2 records per event (longer events go out in parts
# flagged capped), and two interleaved events with 1 pending at most
"$AUDITFWD" --stats "$sample" >/dev/null 2>"$tmp/err" || fail "stats run failed"
grep -q ' events.complete=6 events.incomplete=0 events.evicted=0 events.capped=0 events.pending=0 origins.held=0' "$tmp/err" ||
	fail "joiner stats: $(cat "$tmp/err")"
"$AUDITFWD" --stats --join-maxrecords 2 "$sample" >"$tmp/out" 2>"$tmp/err" || fail "capped run failed"
capped=$(grep -c '"incomplete":"capped"' "$tmp/out")
[ "$capped" -gt 0 ] || fail "no event flagged capped: $(cat "$tmp/out")"
grep -q " events.capped=$capped " "$tmp/err" || fail "capped parts $capped, stats: $(cat "$tmp/err")"
printf '%s\n' 'type=SYSCALL msg=audit(1700000000.100:1): syscall=59' \
	'type=SYSCALL msg=audit(1700000000.100:2): syscall=59' >"$tmp/two"
"$AUDITFWD" --stats --join-maxpending 1 "$tmp/two" >/dev/null 2>"$tmp/err" || fail "evicting run failed"
grep -q ' events.evicted=1 ' "$tmp/err" || fail "no eviction counted: $(cat "$tmp/err")"
"$AUDITFWD" /nonexistent/file >/dev/null 2>"$tmp/e" && fail "missing file accepted"
grep -q 'nonexistent' "$tmp/e" || fail "missing file not named"
echo "PASS: cli"
