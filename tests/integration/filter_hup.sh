#!/usr/bin/env bash
# Filters in a running rsyslogd: the rules of filter.file decide what
# arrives, a HUP reloads them (what arrives changes), a file that no longer
# parses leaves the rules in force and the log says why, a limit rule's
# suppressed events are counted and reported by summary events, and the
# per-rule impstats counters match what arrived.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_rsyslogd
require_cmd "$PYTHON"
require_module
sample=$top_srcdir/contrib/demo/audit.log
rules=$T/audit.rules

# v1: the sample's sshd events (2) and its nc event (1) are dropped
cat >"$rules" <<'EOF'
# v1
sshd: drop exe=/usr/sbin/sshd
nc: drop comm=nc
EOF
rport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
$(omauditfwd_action "$rport" "statsname=\"flt\" filter.file=\"$rules\"")"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"

# stats NAME FIELD=VALUE...: wait (10 s) until impstats object NAME's last
# line has these values; prints the line
stats() {
	"$PYTHON" - "$T/stats.log" "$@" <<'PY'
import json, sys, time
path, name, want = sys.argv[1], sys.argv[2], dict(a.split("=") for a in sys.argv[3:])
line = None
for _ in range(100):
    try:
        rows = [json.loads(l[l.index("{"):]) for l in open(path)]
        rows = [r for r in rows if r.get("name") == name]
    except FileNotFoundError:
        rows = []
    if rows:
        line = rows[-1]
        if all(str(line.get(k)) == v for k, v in want.items()):
            print(json.dumps(line)); sys.exit(0)
    time.sleep(0.1)
print("impstats never showed %s for %s; last: %s" % (want, name, json.dumps(line)))
sys.exit(1)
PY
}

# hup_and_wait TEXT: HUP the sender, wait until its log shows TEXT
hup_and_wait() {
	local before
	before=$(grep -c "$1" "$T/sender.internal.log" 2>/dev/null)
	kill -HUP "$(rsyslog_pid sender)"
	for _ in $(seq 100); do
		[ "$(grep -c "$1" "$T/sender.internal.log" 2>/dev/null)" -gt "${before:-0}" ] && return 0
		sleep 0.1
	done
	fail "no '$1' in the sender's log after HUP"
}

# --- v1: 6 events + 1 unparsed line in, 3 events and the line out
SEND_HOST=web01 send_lines "$sample" "$sport" >/dev/null || fail "sending failed"
wait_for_lines "$T/received.txt" 4 30 || fail "v1: the sample did not arrive"
grep -q '/usr/sbin/sshd' "$T/received.txt" && fail "v1: an sshd event was not dropped"
grep -q '"comm":"nc"' "$T/received.txt" && fail "v1: the nc event was not dropped"
stats flt.filter sshd.dropped=2 nc.dropped=1 sshd.kept=0 >"$T/s1.out" || fail "$(cat "$T/s1.out")"
log "v1 counters: $(cat "$T/s1.out")"

# --- v2 by HUP: keep the sudo event, drop user-space records, limit the rest
# (the unnamed rule is named by its line: rule2)
cat >"$rules" <<'EOF'
# v2
keep key=priv_esc
user: drop type=USER_*,ADD_USER
sys: limit 1/s per exe type=SYSCALL
EOF
hup_and_wait "reloaded, 3 filter rules"
SEND_HOST=web01 send_lines "$sample" "$sport" >/dev/null || fail "sending failed"
# sudo's execve, nc's connect, the line; nothing of the user records
wait_for_lines "$T/received.txt" 7 30 || fail "v2: the sample did not arrive"
tail -n +5 "$T/received.txt" >"$T/v2.txt"
grep -q '"type":"USER_' "$T/v2.txt" && fail "v2: a user-space event arrived"
grep -q '"comm":"nc"' "$T/v2.txt" || fail "v2: the nc event did not arrive (v1 still in force?)"
grep -q '"key":"priv_esc"' "$T/v2.txt" || fail "v2: the sudo event did not arrive"
stats flt.filter rule2.kept=1 user.dropped=4 sys.kept=1 >"$T/s2.out" || fail "$(cat "$T/s2.out")"

# --- a file that does not parse: the v2 rules stay in force
printf 'keep key=priv_esc\nuser: drop typo=USER_*\n' >"$rules"
hup_and_wait "filter.file not reloaded"
grep "filter.file not reloaded" "$T/sender.internal.log" | tail -n 1 |
	grep -q "rule 2 (user): 'typo=USER_\*': unknown field 'typo'" ||
	fail "the failed reload does not name the rule and the word: $(grep 'not reloaded' "$T/sender.internal.log")"

# 5 connects of nc (one exe, distinct events) within a second or two: the
# first of each second is sent, the rest suppressed and summarized
for i in 1 2 3 4 5; do
	sed -n '/:8820)/p' "$sample" | sed "s/:8820)/:$((9000 + i)))/"
done >"$T/nc5.txt"
SEND_HOST=web01 send_lines "$T/nc5.txt" "$sport" >/dev/null || fail "sending failed"
stats flt.filter user.dropped=4 >/dev/null || fail "v2 counters lost by the failed reload"
"$PYTHON" - "$T/stats.log" <<'PY' >"$T/s3.out" || fail "$(cat "$T/s3.out")"
import json, sys, time
r = None
for _ in range(100):
    rows = [json.loads(l[l.index("{"):]) for l in open(sys.argv[1])]
    r = ([x for x in rows if x.get("name") == "flt.filter"] or [None])[-1]
    if r is not None and r["sys.kept"] + r["sys.suppressed"] == 6:
        print(json.dumps(r)); sys.exit(0)
    time.sleep(0.1)
print("sys.kept + sys.suppressed never reached 6:", r); sys.exit(1)
PY
suppressed=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["sys.suppressed"])' "$T/s3.out")
[ "$suppressed" -ge 1 ] || fail "no connect was suppressed: $(cat "$T/s3.out")"
# a HUP ends the windows: the summaries come with the next batch
hup_and_wait "filter.file not reloaded"
echo 'not an audit record, to start a batch' >"$T/poke.txt"
SEND_HOST=web01 send_lines "$T/poke.txt" "$sport" >/dev/null || fail "sending failed"
"$PYTHON" - "$T/received.txt" "$suppressed" <<'PY' >"$T/sum.out" || fail "$(cat "$T/sum.out")"
import json, sys, time
path, want = sys.argv[1], int(sys.argv[2])
for _ in range(150):
    sums = [json.loads(l[l.index("{"):]) for l in open(path) if "AUDITFWD_SUPPRESSED" in l]
    got = sum(int(s["AUDITFWD_SUPPRESSED"]["suppressed"]) for s in sums)
    if got == want:
        s = sums[-1]["AUDITFWD_SUPPRESSED"]
        assert s["rule"] == "sys" and s["per"] == "exe" and s["exe"] == "/usr/bin/nc.openbsd", s
        assert s["key"] == "net_connect", s
        print("summaries:", len(sums), "suppressed:", got); sys.exit(0)
    time.sleep(0.1)
print("summaries say %d suppressed, the counter %d" % (got, want)); sys.exit(1)
PY
log "$(cat "$T/sum.out")"
kept=$(grep -c '"comm":"nc"' "$T/received.txt")
[ "$kept" -eq $((6 - suppressed)) ] ||
	fail "$kept nc events arrived, expected $((6 - suppressed)) (6 sent, $suppressed suppressed)"
rsyslog_stop sender || fail "sender did not stop"
rsyslog_stop receiver || fail "receiver did not stop"
pass "filter.file decides, HUP reloads it, a bad file keeps the rules, limits are counted and summarized"
