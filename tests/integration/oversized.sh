#!/usr/bin/env bash
# Oversized events against stock receivers with their DEFAULT limits
# (issue 12): a stream of ordinary execve events with oversized ones in the
# middle (100 KB, 300 KB and 2 MB of arguments, written as auditd writes
# them: several EXECVE records, long arguments in hex aN[i] pieces; see
# gen_oversized.py) goes through a private sender rsyslogd with omauditfwd
# (json octet-counted, leef LF-framed; over tcp and over tls, default
# maxMessageSize) to
#   (a) stock rsyslogd receivers (imtcp, global maxMessageSize 8096 by
#       default; one plain, one with the ossl TLS driver), and
#   (b) a syslog-ng receiver (log-msg-size 65536 by default) unpacked
#       privately as tests/bench/setup.sh does (SYSLOG_NG_DIR, default
#       /var/cache/omauditfwd/bench/syslog-ng): syslog() sources for the
#       octet-counted json, network(flags(syslog-protocol)) for LF leef.
# Every event must arrive exactly once, the oversized ones reduced and
# flagged, every message within the limit, the ordinary events after them
# whole (check_oversized.py). Control: the same stream through an action
# with maxMessageSize="0" (no limit) to the plain rsyslogd receiver must
# NOT pass the same check (that is the bug the limit fixes).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tls_lib.sh
. "$ITEST_DIR/tls_lib.sh"

tls_setup
N=${OVERSIZED_EVENTS:-300}
BIG=100000,300000,2000000
NBIG=3
LIMIT=8096
CHECK="$ITEST_DIR/check_oversized.py"

"$PYTHON" "$ITEST_DIR/gen_oversized.py" "$N" "$BIG" >"$T/stream.log" 2>"$T/big.txt" ||
	fail "gen_oversized.py failed"
log "stream: $(count_lines "$T/stream.log") records; oversized (serial argc bytes): $(tr '\n' ';' <"$T/big.txt")"

# ---- receivers with their default limits
declare -A P
for k in rs_json rs_leef rs_ctl rst_json rst_leef sng_json sng_leef sngt_json sngt_leef; do
	P[$k]=$(free_port)
done
# (a) stock rsyslogd: no maxMessageSize, imtcp defaults; one file per input
rs_conf() {   # NAME TLS(0|1) INPUTS...
	local name=$1 tls=$2 in
	shift 2
	mkdir -p "$T/$name.work"
	if [ "$tls" = 1 ]; then
		echo "global(workDirectory=\"$T/$name.work\" DefaultNetstreamDriver=\"$TLS_DRIVER\"" \
			"DefaultNetstreamDriverCAFile=\"$PKI/ca.pem\"" \
			"DefaultNetstreamDriverCertFile=\"$PKI/server.pem\"" \
			"DefaultNetstreamDriverKeyFile=\"$PKI/server.key\")"
		echo "module(load=\"imtcp\" StreamDriver.Name=\"$TLS_DRIVER\" StreamDriver.Mode=\"1\"" \
			"StreamDriver.AuthMode=\"x509/certvalid\")"
	else
		echo "global(workDirectory=\"$T/$name.work\")"
		echo 'module(load="imtcp")'
	fi
	echo 'main_queue(queue.timeoutShutdown="20000")'
	echo 'template(name="m" type="string" string="%msg%\n")'
	for in in "$@"; do
		echo "ruleset(name=\"$in\") { action(type=\"omfile\" file=\"$T/recv.$in\" template=\"m\") }"
		echo "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"${P[$in]}\" ruleset=\"$in\")"
	done
	echo "*.* action(type=\"omfile\" file=\"$T/$name.internal.log\")"
}
rs_conf rs 0 rs_json rs_leef rs_ctl >"$T/rs.conf"
rs_conf rst 1 rst_json rst_leef >"$T/rst.conf"
rsyslog_start rs "$T/rs.conf" "${P[rs_json]}"
rsyslog_start rst "$T/rst.conf" "${P[rst_json]}"

# (b) syslog-ng, private, default log-msg-size
SNG=${SYSLOG_NG_DIR:-/var/cache/omauditfwd/bench/syslog-ng}
sng_outs=()
if [ -x "$SNG/root/usr/sbin/syslog-ng" ]; then
	tlsopt="tls(key-file(\"$PKI/server.key\") cert-file(\"$PKI/server.pem\") ca-file(\"$PKI/ca.pem\") peer-verify(required-trusted))"
	cat >"$T/sng.conf" <<SNGEOF
@version: 3.38
options { keep-hostname(yes); stats-freq(0); };
source s_json { syslog(ip("127.0.0.1") port(${P[sng_json]}) transport("tcp")); };
source s_leef { network(ip("127.0.0.1") port(${P[sng_leef]}) transport("tcp") flags(syslog-protocol)); };
source s_tjson { syslog(ip("127.0.0.1") port(${P[sngt_json]}) transport("tls") $tlsopt); };
source s_tleef { network(ip("127.0.0.1") port(${P[sngt_leef]}) transport("tls") flags(syslog-protocol) $tlsopt); };
destination d_json { file("$T/recv.sng_json" template("\${MSG}\n")); };
destination d_leef { file("$T/recv.sng_leef" template("\${MSG}\n")); };
destination d_tjson { file("$T/recv.sngt_json" template("\${MSG}\n")); };
destination d_tleef { file("$T/recv.sngt_leef" template("\${MSG}\n")); };
log { source(s_json); destination(d_json); };
log { source(s_leef); destination(d_leef); };
log { source(s_tjson); destination(d_tjson); };
log { source(s_tleef); destination(d_tleef); };
SNGEOF
	bg syslog-ng env LD_LIBRARY_PATH="$SNG/root/usr/lib/x86_64-linux-gnu:$SNG/root/usr/lib/syslog-ng" \
		"$SNG/root/usr/sbin/syslog-ng" -F --no-caps -f "$T/sng.conf" \
		--module-path="$SNG/root/usr/lib/syslog-ng/3.38" -R "$T/sng.persist" \
		-p "$T/sng.pid" -c "$T/sng.ctl"
	for k in sng_json sng_leef sngt_json sngt_leef; do
		wait_for_port "${P[$k]}" 15 || fail "syslog-ng did not listen on ${P[$k]}: $(head -c 500 "$T/syslog-ng.log")"
	done
	sng_outs=(sng_json sng_leef sngt_json sngt_leef)
elif [ "${CI:-}" = true ]; then
	fail "syslog-ng not unpacked in $SNG (run tests/bench/setup.sh)"
else
	log "NOTE: syslog-ng not unpacked in $SNG (tests/bench/setup.sh does it): its part is left out"
fi

# ---- the sender: default maxMessageSize everywhere but the control
tcp_act() {   # PORT FORMATOPTS STATSNAME
	echo "action(type=\"omauditfwd\" target=\"127.0.0.1\" port=\"$1\" transport=\"tcp\" $2 statsname=\"$3\"" \
		"action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\" queue.type=\"LinkedList\")"
}
JSON='format="json" framing="octet-counted"'
LEEF='format="leef" leef.delimiter="^" framing="lf"'
acts="$(tcp_act "${P[rs_json]}" "$JSON" rs_json)
$(tcp_act "${P[rs_leef]}" "$LEEF" rs_leef)
$(tcp_act "${P[rs_ctl]}" "$JSON maxMessageSize=\"0\"" rs_ctl)
$(tls_action '"127.0.0.1"' "port=\"${P[rst_json]}\" statsname=\"rst_json\"" | sed "s/ statsname=\"$TEST_NAME\"//")
$(tls_action '"127.0.0.1"' "port=\"${P[rst_leef]}\" $LEEF statsname=\"rst_leef\"" | sed "s/ format=\"json\"//; s/ statsname=\"$TEST_NAME\"//")"
if [ ${#sng_outs[@]} -gt 0 ]; then
	acts="$acts
$(tcp_act "${P[sng_json]}" "$JSON" sng_json)
$(tcp_act "${P[sng_leef]}" "$LEEF" sng_leef)
$(tls_action '"127.0.0.1"' "port=\"${P[sngt_json]}\" statsname=\"sngt_json\"" | sed "s/ statsname=\"$TEST_NAME\"//")
$(tls_action '"127.0.0.1"' "port=\"${P[sngt_leef]}\" $LEEF statsname=\"sngt_leef\"" | sed "s/ format=\"json\"//; s/ statsname=\"$TEST_NAME\"//")"
fi
acts="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/stats.json\")
$(printf '%s\n' "$acts" | sed "s/ name=\"$TEST_NAME\"//")"
sport=$(free_port)
sender_conf "$sport" "$acts" >"$T/sender.conf"
rsyslog_validate "$T/sender.conf" || fail "sender config: $VALIDATE_OUT"
rsyslog_start sender "$T/sender.conf"
send_lines "$T/stream.log" "$sport" >"$T/feeder.log" 2>&1 || fail "feeder: $(cat "$T/feeder.log")"
log "$(cat "$T/feeder.log")"

# ---- wait until every output holds every event (or stops growing)
total=$((N + NBIG))
outs=(rs_json rs_leef rst_json rst_leef "${sng_outs[@]}")
end=$(($(date +%s) + 180))
for o in "${outs[@]}"; do
	while [ "$(count_lines "$T/recv.$o")" -lt "$total" ] && [ "$(date +%s)" -lt "$end" ]; do
		sleep 0.2
	done
done
wait_quiet "$T/recv.rs_ctl" 3 30
sleep 1   # anything extra would arrive now
# impstats: each action reduced the oversized events, the control none
for o in "${outs[@]}" rs_ctl; do
	want=$NBIG
	[ "$o" = rs_ctl ] && want=0
	end=$(($(date +%s) + 15))
	while [ "$(stats_value "$T/stats.json" "$o" messages.reduced)" != "$want" ] &&
	      [ "$(date +%s)" -lt "$end" ]; do
		sleep 0.2
	done
	got=$(stats_value "$T/stats.json" "$o" messages.reduced)
	[ "$got" = "$want" ] || fail "impstats $o: messages.reduced=$got, expected $want"
	cut=$(stats_value "$T/stats.json" "$o" bytes.cut)
	if [ "$want" -gt 0 ] && ! [ "${cut:-0}" -gt 2000000 ]; then
		fail "impstats $o: bytes.cut=$cut, expected the bytes cut (> 2000000)"
	fi
	log "impstats $o: messages.sent=$(stats_value "$T/stats.json" "$o" messages.sent) messages.reduced=$got bytes.cut=$cut"
done
rsyslog_stop sender || fail "sender did not stop on SIGTERM"

rc=0
for o in "${outs[@]}"; do
	case $o in
	*json) "$PYTHON" "$CHECK" json "$N" "$NBIG" "$T/recv.$o" --limit "$LIMIT" || rc=1 ;;
	*leef) "$PYTHON" "$CHECK" leef "$N" "$NBIG" "$T/recv.$o" --limit "$LIMIT" --delim '^' || rc=1 ;;
	esac
done
[ "$rc" -eq 0 ] || fail "what arrived is not every event exactly once, intact or reduced"
if "$PYTHON" "$CHECK" json "$N" "$NBIG" "$T/recv.rs_ctl" >"$T/control.txt" 2>&1; then
	fail "control: without the limit the receiver still got everything intact: the check cannot fail ($(cat "$T/control.txt"))"
fi
log "control, maxMessageSize=\"0\": $(cut -c1-300 "$T/control.txt")"
said=$(cat "$T/rs.internal.log" "$T/rs.log" 2>/dev/null | grep 'frame too large\|oversize' | head -2 | cut -c1-200)
[ -z "$said" ] || log "control: the receiver said: $said"
pass
