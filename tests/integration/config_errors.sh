#!/usr/bin/env bash
# Configuration errors are caught at load time: `rsyslogd -N1` fails and
# names the offending parameter, for every bad parameter below; the same
# configuration with valid values passes. Every config also holds a valid
# omfile action, so a failure cannot come from "no active actions".
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_rsyslogd
require_module

mkdir -p "$T/work"
# conf_with PARAMS: a config whose omauditfwd action has exactly PARAMS
conf_with() {
	cat >"$T/test.conf" <<EOF
global(workDirectory="$T/work" maxMessageSize="64k")
module(load="$OMAUDITFWD_MODULE")
template(name="t_topic" type="string" string="audit.%hostname%")
action(type="omfile" file="$T/unused.log")
action(type="omauditfwd" $1)
EOF
}

BASE='target="127.0.0.1" port="10514"'
nfail=0
bad() { echo "  FAILED: $*"; nfail=$((nfail + 1)); }

# --- valid configurations must pass
for params in \
	"$BASE" \
	'target="127.0.0.1"' \
	"$BASE transport=\"tcp\" framing=\"octet-counted\" format=\"json\" unparsed=\"forward\"" \
	"$BASE framing=\"lf\" unparsed=\"drop\"" \
	'target="localhost" port="1" transport="tcp"' \
	'target="127.0.0.1" port="65535"' \
	"$BASE join=\"off\" enrich=\"off\" enrich.ids=\"always\" join.timeout=\"500\"" \
	"$BASE enrich.hostname=\"off\"" \
	"$BASE trusted=\"off\"" \
	"$BASE maxMessageSize=\"64k\"" \
	"$BASE maxMessageSize=\"1m\" framing=\"lf\"" \
	"$BASE maxMessageSize=\"4096\"" \
	"$BASE maxMessageSize=\"0\"" \
	"$BASE join.maxrecords=\"100\" join.maxbytes=\"512k\"" \
	"$BASE join.maxbytes=\"65536\"" \
	"$BASE join.maxpending=\"10\" syslog.header=\"rfc3164\" syslog.appname=\"audit\"" \
	"$BASE timeout.connect=\"1000\" timeout.io=\"1000\" template=\"RSYSLOG_FileFormat\"" \
	"$BASE format=\"leef\"" \
	"$BASE format=\"leef\" leef.version=\"1.0\"" \
	"$BASE format=\"leef\" leef.version=\"1.0\" leef.delimiter=\"x09\"" \
	"$BASE format=\"leef\" leef.version=\"2.0\" leef.delimiter=\"^\"" \
	"$BASE format=\"leef\" leef.delimiter=\"0x7C\"" \
	"$BASE format=\"cef\" syslog.facility=\"local3\" syslog.severity=\"notice\"" \
	"$BASE format=\"raw\" syslog.facility=\"13\" syslog.severity=\"0\"" \
	'target=["127.0.0.1", "localhost:10515", "[::1]:10516"] port="10514" failback.interval="5000"' \
	"$BASE resendWindow=\"0\"" \
	"$BASE resendWindow=\"1m\" transport=\"tls\" tls.authmode=\"anon\"" \
	"$BASE resendWindow=\"64m\"" \
	"$BASE) action(type=\"omauditfwd\" $BASE format=\"leef\") action(type=\"omauditfwd\" $BASE" \
	"$BASE statsname=\"one\") action(type=\"omauditfwd\" $BASE statsname=\"two\"" \
	'target=["127.0.0.1:6514"] transport="tls" tls.authmode="anon"' \
	'target="127.0.0.1" transport="relp"' \
	'target="127.0.0.1" transport="relp" port="2514" timeout="5" conn.timeout="2" windowSize="64" rebindInterval="1000"' \
	'target=["127.0.0.1:2514", "localhost:2515"] transport="relp" tls="on" tls.authmode="anon" failback.interval="5000"' \
	'target="127.0.0.1" transport="relp" tls="on" tls.authmode="name" tls.permittedpeer="relay.example" tls.tlsLib="openssl"' \
	'target="127.0.0.1" transport="relp" tls="on" tls.authmode="fingerprint" tls.permittedpeer="SHA1:00:11"'; do
	conf_with "$params"
	if rsyslog_validate "$T/test.conf"; then
		echo "ok    valid: $params"
	else
		bad "valid action rejected: $params"
		sed 's/^/        /' "$T/validate.out"
	fi
done

# --- invalid: PARAM-NAME PARAMS [VALUE]. rsyslogd must exit non-zero and
# name PARAM-NAME (quoted, as rsyslog and the module do); the bad value
# should be named as well (reported, not required).
check_bad() {
	local name=$1 params=$2 value=${3:-}
	conf_with "$params"
	if rsyslog_validate "$T/test.conf"; then
		bad "$name: accepted: $params"
		sed 's/^/        /' "$T/validate.out"
		return
	fi
	if ! grep -Eq "'$name'|\"$name\"" "$T/validate.out"; then
		bad "$name: rejected, but the parameter is not named: $params"
		sed 's/^/        /' "$T/validate.out"
		return
	fi
	local msg
	msg=$(grep -E "'$name'|\"$name\"" "$T/validate.out" | head -n 1 |
		sed 's/^rsyslogd: //; s/^error during parsing file .*, on or before line [0-9]*: //; s/ \[v8.*$//')
	if [ -n "$value" ] && ! grep -qF -- "$value" "$T/validate.out"; then
		echo "ok    $name (note: value '$value' not named): $msg"
	else
		echo "ok    $name: $msg"
	fi
}

check_bad bogus     "$BASE bogus=\"1\""
check_bad target    'port="10514"'
check_bad target    'target="" port="10514"'
check_bad port      'target="127.0.0.1" port="70000"' 70000
check_bad port      'target="127.0.0.1" port="abc"' abc
check_bad port      'target="127.0.0.1" port="0"' 0
check_bad port      'target="127.0.0.1" port="-1"' -1
check_bad port      'target="127.0.0.1" port="514x"' 514x
check_bad framing   "$BASE framing=\"xml\"" xml
check_bad format    "$BASE format=\"yaml\"" yaml
check_bad transport "$BASE transport=\"carrier-pigeon\"" carrier-pigeon
check_bad unparsed  "$BASE unparsed=\"maybe\"" maybe
check_bad enrich.ids "$BASE enrich.ids=\"sometimes\"" sometimes
check_bad enrich.hostname "$BASE enrich.hostname=\"maybe\"" maybe
check_bad trusted "$BASE trusted=\"maybe\"" maybe
check_bad join.timeout "$BASE join.timeout=\"0\""
check_bad join.maxpending "$BASE join.maxpending=\"-3\""
check_bad maxMessageSize "$BASE maxMessageSize=\"100\"" 100
check_bad maxMessageSize "$BASE maxMessageSize=\"2047\"" 2047
check_bad maxMessageSize "$BASE maxMessageSize=\"1k\"" 1024
check_bad maxMessageSize "$BASE maxMessageSize=\"abc\"" abc
check_bad join.maxrecords "$BASE join.maxrecords=\"0\""
check_bad join.maxbytes "$BASE join.maxbytes=\"1000\""
check_bad join.maxbytes "$BASE join.maxbytes=\"lots\"" lots
check_bad syslog.header "$BASE syslog.header=\"rfc9999\"" rfc9999
check_bad syslog.appname "$BASE syslog.appname=\"a:b\"" a:b
check_bad timeout.io "$BASE timeout.io=\"0\""
check_bad leef.version "$BASE format=\"leef\" leef.version=\"3.0\"" 3.0
check_bad leef.version "$BASE format=\"leef\" leef.version=\"2\"" 2
check_bad leef.delimiter "$BASE format=\"leef\" leef.delimiter=\"ab\"" ab
check_bad leef.delimiter "$BASE format=\"leef\" leef.delimiter=\"=\"" =
check_bad leef.delimiter "$BASE format=\"leef\" leef.delimiter=\"x0a\"" x0a
check_bad leef.delimiter "$BASE format=\"leef\" leef.delimiter=\"a\"" a
check_bad leef.delimiter "$BASE format=\"leef\" leef.version=\"1.0\" leef.delimiter=\"^\""
check_bad leef.delimiter "$BASE format=\"json\" leef.delimiter=\"^\""
check_bad leef.version "$BASE leef.version=\"2.0\""
check_bad syslog.facility "$BASE syslog.facility=\"local9\"" local9
check_bad syslog.facility "$BASE syslog.facility=\"24\"" 24
check_bad syslog.severity "$BASE syslog.severity=\"8\"" 8
check_bad syslog.severity "$BASE syslog.severity=\"loud\"" loud

# --- filters: a bad rule fails the load, naming the rule and the word
# (check_filter: the parameter, the params, the text the message must hold)
check_filter() {
	check_bad "$1" "$2"
	grep -qF -- "$3" "$T/validate.out" || bad "$1: the message does not say: $3"
}
printf '# rules\nkeep key=T1*\ncron: drop exe=/usr/sbin/cron\nlimit 20/s per exe syscall=execve\n' >"$T/good.rules"
printf 'keep key=T1*\n\nfrobnicate exe=/bin/sh\n' >"$T/bad.rules"
for params in \
	"$BASE filter=[\"noise: drop key=cron,anacron\", \"limit 10/s per exe syscall=execve\", \"drop type=SERVICE_* success=yes\"]" \
	"$BASE filter.file=\"$T/good.rules\""; do
	conf_with "$params"
	rsyslog_validate "$T/test.conf" || { bad "valid filter rejected: $params"; sed 's/^/        /' "$T/validate.out"; }
done
check_filter filter "$BASE filter=[\"drop uid=0\", \"noisy: drop colour=red\"]" "rule 2 (noisy): 'colour=red': unknown field 'colour'"
check_filter filter "$BASE filter=[\"limit 10 key=x\"]" "rule 1 (rule1): '10': a limit is N/s"
check_filter filter "$BASE filter=[\"drop syscall=notacall\"]" "'notacall': not a syscall name or number"
check_filter filter "$BASE filter=[\"drop auid=no_such_user_xyz\"]" "'no_such_user_xyz': not a user name"
check_filter filter.file "$BASE filter.file=\"$T/bad.rules\"" "$T/bad.rules: rule 3 (rule3): 'frobnicate': unknown action"
check_filter filter.file "$BASE filter.file=\"$T/none.rules\"" "cannot open $T/none.rules"
check_filter filter "$BASE filter=[\"drop\"] filter.file=\"$T/good.rules\"" "one or the other"
# ATT&CK mapping: loaded at load time, a bad line named
printf '# key techniques tactics severity\nidentity T1136,T1098 persistence 6\nT1548* - privilege-escalation 8\n' >"$T/good.map"
printf 'identity T1136 persistence 6\nwebshell T15O5 persistence 9\n' >"$T/bad.map"
conf_with "$BASE attack=\"on\" attack.mapping=\"$T/good.map\""
rsyslog_validate "$T/test.conf" || { bad "valid attack.mapping rejected"; sed 's/^/        /' "$T/validate.out"; }
conf_with "$BASE attack=\"off\""
rsyslog_validate "$T/test.conf" || { bad "attack=off rejected"; sed 's/^/        /' "$T/validate.out"; }
check_filter attack.mapping "$BASE attack.mapping=\"$T/bad.map\"" "$T/bad.map: line 2: 'T15O5': not a list of technique ids"
check_filter attack.mapping "$BASE attack=\"off\" attack.mapping=\"$T/good.map\"" "needs attack=\"on\""
check_bad attack "$BASE attack=\"maybe\""
conf_with "$BASE ancestry=\"on\" ancestry.depth=\"16\" ancestry.maxprocs=\"1000\""
rsyslog_validate "$T/test.conf" || { bad "valid ancestry rejected"; sed 's/^/        /' "$T/validate.out"; }
check_bad ancestry.depth "$BASE ancestry=\"on\" ancestry.depth=\"17\"" 17
check_bad ancestry.depth "$BASE ancestry.depth=\"0\""
check_bad ancestry.maxprocs "$BASE ancestry=\"on\" ancestry.maxprocs=\"99999999\"" 99999999
check_filter ancestry.depth "$BASE ancestry.depth=\"3\"" "need ancestry=\"on\""
check_bad ancestry "$BASE ancestry=\"yes please\""

# --- transport="kafka" (no broker is contacted at load time)
KAFKA='transport="kafka" broker=["127.0.0.1:9092"] topic="audit"'
conf_with "$KAFKA key=\"host\" compression=\"zstd\" closeTimeout=\"1000\" confParam=[\"client.id=audit\", \"linger.ms=20\"] topicConfParam=[\"message.timeout.ms=30000\"]"
rsyslog_validate "$T/test.conf" || { bad "valid kafka action rejected"; sed 's/^/        /' "$T/validate.out"; }
check_bad confParam      "$KAFKA confParam=[\"bogus.key=1\"]" bogus.key
check_bad confParam      "$KAFKA confParam=[\"linger.ms=soon\"]" soon
check_bad confParam      "$KAFKA confParam=[\"linger.ms\"]" linger.ms
check_bad confParam      "$KAFKA confParam=[\"acks=1\"]" acks
check_bad topicConfParam "$KAFKA topicConfParam=[\"no.such.topic.property=2\"]" no.such.topic.property
check_bad compression    "$KAFKA compression=\"brotli\"" brotli
check_bad topic          'transport="kafka" broker=["127.0.0.1:9092"]'
check_bad topic          'transport="kafka" broker=["127.0.0.1:9092"] topic="a/b"' a/b
check_bad broker         'transport="kafka" topic="audit"'
check_bad closeTimeout   "$KAFKA closeTimeout=\"0\""
check_bad broker         "$BASE broker=[\"127.0.0.1:9092\"]"
# topic and key from templates, headers
conf_with "transport=\"kafka\" broker=[\"127.0.0.1:9092\"] dynaTopic=\"on\" topic=\"t_topic\" dynaKey=\"on\" key=\"RSYSLOG_FileFormat\" kafkaHeader=[\"source=omauditfwd\", \"empty=\"]"
rsyslog_validate "$T/test.conf" || { bad "valid kafka template action rejected"; sed 's/^/        /' "$T/validate.out"; }
check_bad dynaTopic      'transport="kafka" broker=["127.0.0.1:9092"] dynaTopic="on"'
check_bad dynaKey        "$KAFKA dynaKey=\"on\""
check_bad no_such_tpl    'transport="kafka" broker=["127.0.0.1:9092"] dynaTopic="on" topic="no_such_tpl"'
check_bad no_such_tpl    "$KAFKA dynaKey=\"on\" key=\"no_such_tpl\""
check_bad kafkaHeader    "$KAFKA kafkaHeader=[\"novalue\"]" novalue
check_bad kafkaHeader    "$KAFKA kafkaHeader=[\"=x\"]" =x
check_bad dynaTopic      "$BASE dynaTopic=\"on\" topic=\"t_topic\""
check_bad kafkaHeader    "$BASE kafkaHeader=[\"a=b\"]"

# several targets, failover
check_bad target    'target=["127.0.0.1", ""]'
check_bad target    'target=["127.0.0.1", "backup:70000"]' 70000
check_bad target    'target="[::1]x"' '[::1]x'
check_bad target    'target=["k1:9092", "k2:9092"] transport="kafka" topic="t"'
check_bad failback.interval "$BASE failback.interval=\"0\""
check_bad failback.interval "$BASE failback.interval=\"soon\""
check_bad resendWindow "$BASE resendWindow=\"65m\"" 68157440
# one spool file per action: two actions may not get the same one
check_bad statsname "$BASE statsname=\"dup\") action(type=\"omauditfwd\" $BASE format=\"leef\" statsname=\"dup\"" dup
check_bad statsname "$BASE statsname=\"a:b\") action(type=\"omauditfwd\" $BASE statsname=\"a_b\"" a_b
check_bad statsname "$BASE) action(type=\"omauditfwd\" $BASE statsname=\"omauditfwd-127.0.0.1:10514\"" omauditfwd-127.0.0.1:10514
check_bad resendWindow "$BASE resendWindow=\"-1\""
check_bad resendWindow "$BASE resendWindow=\"lots\""
check_bad resendWindow 'target="127.0.0.1" transport="kafka" topic="t" resendWindow="1m"'
check_bad resendWindow 'target="127.0.0.1" transport="relp" resendWindow="1m"'
# tls: the old name is gone; fingerprints are checked
check_bad tls.permittedpeers "$BASE transport=\"tls\" tls.permittedpeers=\"x\""
check_bad tls.permittedpeer "$BASE transport=\"tls\" tls.authmode=\"x509/fingerprint\" tls.permittedpeer=\"SHA1:00\"" SHA1:00
check_bad tls.permittedpeer "$BASE tls.permittedpeer=\"x\""
check_bad tls.minversion "$BASE transport=\"tls\" tls.minversion=\"1.1\"" 1.1
# the settings table's ranges: no value wraps, no blank text passes
check_bad timeout.io "$BASE timeout.io=\"2147483648\"" 2147483648
check_bad timeout.connect "$BASE timeout.connect=\"4294967297\"" 4294967297
check_bad join.timeout "$BASE join.timeout=\"4294967296\"" 4294967296
check_bad join.maxpending "$BASE join.maxpending=\"9223372036854775807\""
check_bad rebindInterval "$BASE transport=\"relp\" rebindInterval=\"4294967296\"" 4294967296
check_bad target 'target=" " port="10514"'
check_bad target 'target=["127.0.0.1", "  "] port="10514"'
check_bad statsname "$BASE statsname=\"\""
check_bad template "$BASE template=\"\""
check_bad topic 'transport="kafka" broker=["127.0.0.1:9092"] topic=""'
check_bad compression "$BASE compression=\"zstd\"" tcp
# a permitted peer that anon would ignore is an error, not silence
check_bad tls.permittedpeer 'target="127.0.0.1" transport="tls" tls.authmode="anon" tls.permittedpeer="collector.example"'
check_bad tls.permittedpeer 'target="127.0.0.1" transport="tls" tls.authmode="anon" tls.permittedpeer=["a.example", "b.example"]'
check_bad tls.permittedpeer 'target="127.0.0.1" transport="relp" tls="on" tls.authmode="anon" tls.permittedpeer="r.example"'
# every warning shows in rsyslogd -N1 too, not only at startup
conf_with 'target="127.0.0.1" transport="tls" tls.authmode="anon"'
rsyslog_validate "$T/test.conf" || bad "anon: valid action rejected"
grep -q 'tls.authmode="anon": the collector.s certificate is not checked' "$T/validate.out" ||
	bad "anon: the warning does not show in rsyslogd -N1"
# several parameters that do not apply: each one is named
conf_with "$BASE dynaTopic=\"on\" topic=\"t_topic\""
rsyslog_validate "$T/test.conf" && bad "kafka parameters with tcp accepted"
for p in dynaTopic topic; do
	grep -q "parameter '$p' applies to transport kafka, not to transport=\"tcp\"" "$T/validate.out" ||
		bad "$p: not named as not applying to tcp"
done

# relp: its own parameters need it; the TLS ones need tls="on"; files exist
check_bad windowSize "$BASE windowSize=\"64\""
check_bad tls.tlsLib "$BASE transport=\"tls\" tls.tlsLib=\"openssl\""
check_bad tls.cacert "$BASE transport=\"relp\" tls.cacert=\"/etc/hosts\""
check_bad tls.cacert "$BASE transport=\"relp\" tls=\"on\" tls.cacert=\"/nonexistent/ca.pem\"" /nonexistent/ca.pem
check_bad tls.mycert "$BASE transport=\"relp\" tls=\"on\" tls.mycert=\"/etc/hosts\""
check_bad tls.tlsLib "$BASE transport=\"relp\" tls=\"on\" tls.tlsLib=\"wolfssl\"" wolfssl
check_bad tls.minversion "$BASE transport=\"relp\" tls=\"on\" tls.minversion=\"1.2\""
check_bad tls.authmode "$BASE transport=\"relp\" tls=\"on\" tls.authmode=\"x509/fingerprint\""
check_bad tls.authmode "$BASE transport=\"relp\" tls=\"on\" tls.authmode=\"pgp\"" pgp
check_bad timeout "$BASE transport=\"relp\" timeout=\"0\""
check_bad windowSize "$BASE transport=\"relp\" windowSize=\"-5\""
check_bad tls "$BASE transport=\"relp\" tls=\"sometimes\"" sometimes
check_bad timeout.io "$BASE transport=\"relp\" timeout.io=\"1000\""

# the test can fail: a check of a valid value as "bad" must not pass
conf_with "$BASE format=\"json\""
rsyslog_validate "$T/test.conf" || fail "self-check: a valid config failed"

[ "$nfail" -eq 0 ] || fail "$nfail configuration check(s) failed"
pass "all parameter checks"
