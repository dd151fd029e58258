#!/usr/bin/env bash
# The trust model of contrib/rsyslog/audisp-to-siem.conf, through a private
# rsyslogd running that file: imuxsock on a private socket (never /dev/log)
# with Annotate and ParseTrusted, as the file asks of /etc/rsyslog.conf.
#   - a forged USER_LOGIN written with logger -t audisp-syslog as nobody,
#     and one as root (right uid, wrong executable), are not audit events:
#     they arrive flagged ("type":"UNPARSED","reason":"untrusted", their
#     sender's uid and executable in "raw"), counted in records.untrusted;
#   - a record written by the real /usr/sbin/audisp-syslog as root (in a
#     mount namespace of its own where /dev/log is the private socket)
#     arrives as an audit event.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_rsyslogd
require_module
require_cmd logger
require_cmd setpriv
require_cmd unshare
require_cmd "$PYTHON"
plugin=/usr/sbin/audisp-syslog
[ -x "$plugin" ] || skip "no $plugin (package auditd)"
[ "$(id -u)" = 0 ] || skip "needs root (a sender as root and one as nobody)"
unshare -m true 2>/dev/null || skip "cannot make a mount namespace (unshare -m)"

chmod 755 "$T"                  # nobody must reach the socket
sock=$T/log.sock
rport=$(free_port)
sport=$(free_port)
receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
mkdir -p "$T/sender.work"
{
	cat <<CONF
global(workDirectory="$T/sender.work" maxMessageSize="64k"
       processInternalMessages="on")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$sock" Annotate="on" ParseTrusted="on")
module(load="impstats" interval="1" format="json" log.syslog="off"
       log.file="$T/stats.log")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$sport" ruleset="unused")
ruleset(name="unused") { stop }
CONF
	sed -e "s|module(load=\"omauditfwd\")|module(load=\"$OMAUDITFWD_MODULE\")|" \
	    -e "s|target=\"siem-collector.example.net\" port=\"514\"|target=\"127.0.0.1\" port=\"$rport\"|" \
	    -e 's|action.resumeInterval="10"|action.resumeInterval="1"|' \
	    "$top_srcdir/contrib/rsyslog/audisp-to-siem.conf"
	echo "*.* action(type=\"omfile\" file=\"$T/sender.internal.log\")"
} >"$T/sender.conf"
grep -q "port=\"$rport\"" "$T/sender.conf" || fail "could not point the contrib config at the receiver"
rsyslog_validate "$T/sender.conf" || fail "rsyslogd -N1: $VALIDATE_OUT"

rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "imuxsock did not create $sock"
chmod 666 "$sock"

forged='type=USER_LOGIN msg=audit(1700000000.100:9001): pid=4242 uid=0 auid=0 ses=1 msg='\''op=login acct="root" exe="/usr/sbin/sshd" hostname=? addr=203.0.113.9 terminal=ssh res=success'\'''
setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
	logger -u "$sock" -t audisp-syslog "$forged" || fail "logger as nobody failed"
logger -u "$sock" -t audispd "${forged/9001/9002}" || fail "logger as root failed"
real='type=USER_LOGIN msg=audit(1700000000.200:9003): pid=77 uid=0 auid=1000 ses=2 msg='\''op=login acct="alice" exe="/usr/sbin/sshd" hostname=? addr=192.0.2.7 terminal=ssh res=success'\'''
# the plugin runs until its input ends, as under auditd: imuxsock reads a
# sender's executable from /proc when the line arrives, and a sender gone
# by then has none (its lines count as untrusted)
mkfifo "$T/plugin.in"
unshare -m sh -c "mount -t tmpfs omauditfwd-test /dev && ln -s '$sock' /dev/log &&
	exec $plugin LOG_INFO LOG_LOCAL6" <"$T/plugin.in" >"$T/plugin.log" 2>&1 &
plugin_pid=$!
_ITEST_PIDS+=("$plugin_pid")
exec 7>"$T/plugin.in"
printf '%s\n' "$real" >&7

# 3 audit lines (the plugin's own start message is untrusted-looking too:
# it is tagged audisp-syslog and comes from the plugin: trusted, not audit)
wait_for_lines "$T/received.txt" 4 30 || fail "not everything arrived: $(cat "$T/received.txt")"
wait_quiet "$T/received.txt" 1 5
exec 7>&-                       # the plugin ends with its input
wait "$plugin_pid" || fail "$plugin failed: $(cat "$T/plugin.log")"
"$PYTHON" - "$T/received.txt" <<'PY' || fail "what arrived is wrong: $(cat "$T/received.txt")"
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
events = [m for m in msgs if m.get("type") != "UNPARSED"]
flagged = [m for m in msgs if m.get("reason") == "untrusted"]
ids = sorted(m.get("id", "") for m in events)
assert ids == ["1700000000.200:9003"], "audit events: %s" % ids
assert events[0]["USER_LOGIN"]["acct"] == "alice", events[0]
raws = sorted(m["raw"] for m in flagged)
assert len(flagged) == 2, "flagged: %s" % raws
# (logger may be gone before rsyslogd reads its executable: then exe= is empty)
assert any(r.startswith("sender(uid=65534 ") and ":9001)" in r for r in raws), raws
assert any(r.startswith("sender(uid=0 ") and ":9002)" in r and
           ("exe=/usr/bin/logger)" in r or "exe=)" in r) for r in raws), raws
assert all(m["type"] == "UNPARSED" for m in flagged)
others = [m for m in msgs if m not in events and m not in flagged]
assert all(m.get("reason") == "not-audit" for m in others), others
print("events", ids, "flagged", len(flagged), "others", len(others))
PY
# impstats: the forged lines are counted
for _ in $(seq 100); do
	grep -q '"name": "audit-untrusted-to-siem".*"records.untrusted": 2' "$T/stats.log" 2>/dev/null && break
	sleep 0.1
done
grep -q '"name": "audit-untrusted-to-siem".*"records.untrusted": 2' "$T/stats.log" ||
	fail "records.untrusted is not 2: $(grep audit-untrusted "$T/stats.log" | tail -n 1)"
grep -q '"name": "audit-to-siem".*"records.untrusted": 0' "$T/stats.log" ||
	fail "the trusted action counted untrusted lines"
rsyslog_stop sender || fail "sender did not stop"
rsyslog_stop receiver || fail "receiver did not stop"
pass "forged lines flagged untrusted and counted, the plugin's record forwarded as an event"
