#!/usr/bin/env bash
# auditfwd, the CLI: every line of a sample log comes out as one JSON object
# (unparsed lines flagged, or dropped and counted), counters are right, bad
# options are refused with the option named.
set -u
: "${top_srcdir:=$PWD}" "${AUDITFWD:=$PWD/omauditfwd/auditfwd}"
sample=$top_srcdir/contrib/demo/audit.log
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$AUDITFWD" --stats "$sample" >"$tmp/out" 2>"$tmp/err" || fail "exit status $?: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out")" -eq 16 ] || fail "expected 16 messages, got $(wc -l <"$tmp/out")"
grep -qx 'records=16 parsed=15 unparsed=1 dropped=0 messages=16' "$tmp/err" || fail "stats: $(cat "$tmp/err")"
python3 - "$tmp/out" <<'PY' || fail "output is not what the sample holds"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert [o["type"] for o in objs].count("PATH") == 2, objs
assert objs[0]["USER_AUTH"]["acct"] == "alice", objs[0]
assert objs[2]["id"] == "1732520410.517:8812" and objs[2]["SYSCALL"]["key"] == "priv_esc"
assert objs[14]["host"] == "db02" and objs[14]["node"] == "db02"
assert objs[15]["type"] == "UNPARSED" and objs[15]["reason"] == "not-audit"
assert objs[15]["raw"].startswith("this line is not an audit record")
PY

# same input on stdin, unparsed dropped: one fewer message, still counted
"$AUDITFWD" --unparsed drop --stats <"$sample" >"$tmp/out2" 2>"$tmp/err2" || fail "stdin run failed"
[ "$(wc -l <"$tmp/out2")" -eq 15 ] || fail "drop: expected 15 messages"
grep -q 'unparsed=1 dropped=1' "$tmp/err2" || fail "drop not counted: $(cat "$tmp/err2")"

# a syslog header can be previewed exactly as the module sends it
"$AUDITFWD" --syslog-header rfc5424 --host relay "$sample" | head -n 1 |
	grep -q '^<14>1 2024-11-25T07:40:01.102Z relay auditd - - - {"id":"1732520401.102:8801"' ||
	fail "rfc5424 preview"

# bad options: exit status 2 and the option named
for args in "--format yaml" "--unparsed maybe" "--syslog-header xml" "--port 0" "--framing x"; do
	# shellcheck disable=SC2086
	"$AUDITFWD" $args "$sample" >/dev/null 2>"$tmp/e"; rc=$?
	[ $rc -eq 2 ] || fail "'$args' exited $rc"
	opt=${args%% *}
	grep -q -- "$opt" "$tmp/e" || fail "'$args' did not name $opt: $(cat "$tmp/e")"
done
"$AUDITFWD" /nonexistent/file >/dev/null 2>"$tmp/e" && fail "missing file accepted"
grep -q 'nonexistent' "$tmp/e" || fail "missing file not named"
echo "PASS: cli"
