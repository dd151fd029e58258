#!/usr/bin/env bash
# Impossible audit times reach no syslog header (issue 13): records dated
# audit(9223372036854775807.999:1) and in year 10000 went out as
# 1900-01-00T00:00:00.999Z / 10000-01-01T... and a stock rsyslogd receiver
# could not parse the header (HOSTNAME became "localhost", APP-NAME empty).
# Through a private sender and receiver, in every format: the receiver
# parses HOSTNAME and APP-NAME, TIMESTAMP is the receiving clock's (this
# year), the event says time_from=received and keeps its id as written.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_rsyslogd
require_module

rport=$(free_port)
sport=$(free_port)
mkdir -p "$T/receiver.work"
cat >"$T/receiver.conf" <<EOF
global(workDirectory="$T/receiver.work" maxMessageSize="64k")
module(load="imtcp")
template(name="hdr" type="string"
         string="%hostname%|%app-name%|%timereported:::date-rfc3339%|%msg%\n")
ruleset(name="recv") {
	action(type="omfile" file="$T/received.txt" template="hdr" flushOnTXEnd="on")
}
input(type="imtcp" address="127.0.0.1" port="$rport" ruleset="recv")
*.* action(type="omfile" file="$T/receiver.internal.log")
EOF
action=""
for fmt in json leef cef raw; do
	action="$action
if \$msg contains 'fmt=$fmt ' then {
$(omauditfwd_action "$rport" "statsname=\"$fmt\"" | sed "s/format=\"json\"/format=\"$fmt\"/")
}"
done
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start receiver "$T/receiver.conf"
rsyslog_start sender "$T/sender.conf"

for fmt in json leef cef raw; do
	echo "node=web$fmt type=USER_LOGIN msg=audit(9223372036854775807.999:1): pid=1 fmt=$fmt res=success"
	echo "node=web$fmt type=USER_LOGIN msg=audit(253402300800.000:2): pid=1 fmt=$fmt res=success"
done >"$T/sent.txt"
send_lines "$T/sent.txt" "$sport" >/dev/null || fail "sending failed"
wait_for_lines "$T/received.txt" 8 30 || fail "not everything arrived"
year=$(date -u +%Y)
while IFS='|' read -r host app ts msg; do
	fmt=${host#web}
	[ "$app" = auditd ] || fail "APP-NAME '$app' not parsed: $host|$app|$ts|$msg"
	case $fmt in json | leef | cef | raw) ;; *) fail "HOSTNAME '$host' not parsed: $msg" ;; esac
	case $ts in "$year"-*) ;; *) fail "TIMESTAMP '$ts' is not the receiving clock's: $msg" ;; esac
	case $fmt in
	json) flag='"time_from":"received"' ;;
	leef | cef) flag='audit.time_from=received' ;;
	raw) flag='msg=audit(' ;;
	esac
	case $msg in *"$flag"*) ;; *) fail "$fmt: no '$flag': $msg" ;; esac
	case $msg in *'9223372036854775807.999:1'* | *'253402300800.000:2'*) ;;
	*) fail "$fmt: the id as written is lost: $msg" ;; esac
	case $msg in *1900-* | *10000-* | *rt=18446744073709551615*) fail "$fmt: impossible time: $msg" ;; esac
done <"$T/received.txt"
rsyslog_stop sender || fail "sender did not stop"
rsyslog_stop receiver || fail "receiver did not stop"
pass "8 messages, 4 formats: headers parsed, receiving clock, flagged"
