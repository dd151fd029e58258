#!/usr/bin/env bash
# On a relay, this host's passwd must not name the users of other hosts.
# Through rsyslogd with the defaults (join on, enrich on, enrich.ids=auto):
#  - a record from another host (node=, or only the sender's syslog
#    hostname) keeps uid numeric, with no UID name;
#  - a record whose node= is this host gets names from this host's passwd;
#  - an ENRICHED value from the origin (UID="alice") is what is shown;
#  - codes are interpreted everywhere (ARCH, SYSCALL), hex is decoded.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_rsyslogd
require_cmd "$PYTHON"
require_module
me=$(hostname)

cat >"$T/sent.txt" <<LINES
node=otherhost type=SYSCALL msg=audit(1700000000.100:1): arch=c000003e syscall=59 success=yes exit=0 uid=0 auid=0 comm="sh" exe="/bin/sh"
node=otherhost type=PROCTITLE msg=audit(1700000000.100:1): proctitle=2F62696E2F7368002D69
node=otherhost type=EOE msg=audit(1700000000.100:1): 
type=SYSCALL msg=audit(1700000000.200:2): arch=c000003e syscall=59 success=yes exit=0 uid=0 comm="sh" exe="/bin/sh"
type=EOE msg=audit(1700000000.200:2): 
node=$me type=SYSCALL msg=audit(1700000000.300:3): arch=c000003e syscall=59 success=yes exit=0 uid=0 comm="sh" exe="/bin/sh"
node=$me type=EOE msg=audit(1700000000.300:3): 
node=otherhost type=USER_LOGIN msg=audit(1700000000.400:4): pid=1 uid=0 auid=1000 ses=1 msg='op=login id=1000 exe="/usr/sbin/sshd" res=success' UID="root" AUID="alice" ID="alice"
LINES

rport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
sender_conf "$sport" "$(omauditfwd_action "$rport")" >"$T/sender.conf"
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"
SEND_HOST=web01 send_lines "$T/sent.txt" "$sport" >/dev/null || fail "sending failed"
wait_for_lines "$T/received.txt" 4 30 || fail "not all events arrived"

"$PYTHON" - "$T/received.txt" "$me" <<'PY' || fail "wrong enrichment on the relay"
import json, sys
me = sys.argv[2]
ev = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[1])}
other = ev["1700000000.100:1"]["SYSCALL"]
assert other["uid"] == "0" and "UID" not in other and "AUID" not in other, other
assert other["SYSCALL"] == "execve" and other["ARCH"] == "x86_64", other
assert ev["1700000000.100:1"]["PROCTITLE"]["proctitle"] == "/bin/sh -i"
assert ev["1700000000.100:1"]["host"] == "otherhost"
relayed = ev["1700000000.200:2"]
assert relayed["host"] == "web01" and "UID" not in relayed["SYSCALL"], relayed
local = ev["1700000000.300:3"]["SYSCALL"]
assert local["UID"] == "root", local
login = ev["1700000000.400:4"]["USER_LOGIN"]
assert login["AUID"] == "alice" and login["auid"] == "1000", login
print("relay: ids of otherhost and web01 stay numeric; node=%s resolved; ENRICHED kept" % me)
PY
rsyslog_stop sender || fail "sender did not stop"
rsyslog_stop receiver || fail "receiver did not stop"
pass "ids of other hosts stay numeric under enrich.ids=auto"
