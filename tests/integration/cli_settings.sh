#!/usr/bin/env bash
# auditfwd takes the module's parameters under their own names (the
# settings table): --tls.* against a real TLS receiver (a private rsyslogd
# with imtcp over rsyslog's stream driver, client certificate required),
# the same checks as the module (no value wraps, a setting that does not
# apply is named), the rsyslogd-only ones refused, old spellings kept.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "$0")/tls_lib.sh"

sample=$top_srcdir/contrib/demo/audit.log

# refused ARGS... -- TEXT: exit status 2, and stderr says TEXT
refused() {
	local args=() text
	while [ "$1" != "--" ]; do args+=("$1"); shift; done
	text=$2
	"$AUDITFWD" "${args[@]}" "$sample" >/dev/null 2>"$T/e"; rc=$?
	[ $rc -eq 2 ] || fail "'${args[*]}' exited $rc: $(cat "$T/e")"
	grep -qF -- "$text" "$T/e" || fail "'${args[*]}': stderr does not say '$text': $(cat "$T/e")"
}
refused --timeout.io 2147483648 -- "--timeout.io: invalid value 2147483648"
refused --timeout-io 2147483648 -- "--timeout-io: invalid value 2147483648"
refused --join.timeout 4294967296 -- "--join.timeout: invalid value 4294967296"
refused --target " " -- "--target: invalid value ' ': must not be empty or blank"
refused --template RSYSLOG_FileFormat -- "--template: means something only inside rsyslogd"
refused --statsname x -- "--statsname: means something only inside rsyslogd"
refused --dynaTopic on -- "--dynaTopic: means something only inside rsyslogd"
refused --dynaKey on -- "--dynaKey: means something only inside rsyslogd"
refused --target 127.0.0.1 --topic audit --transport tcp -- \
	"--topic applies to transport kafka, not to --transport tcp"
refused --target 127.0.0.1 --resendWindow 1m --transport relp -- \
	"--resendWindow applies to transport tcp, tls, not to --transport relp"
refused --target 127.0.0.1 --transport relp --tls.cacert /etc/hosts -- \
	"--tls.cacert needs --tls on with --transport relp"
refused --target 127.0.0.1 --transport tls --tls.authmode anon --tls.permittedpeer x -- \
	"--tls.permittedpeer: ignored with --tls.authmode anon"
refused --unparsed maybe -- "expected one of: forward, drop"
refused --leef.version 1.0 -- "--leef.version needs --format leef"

# new and old spellings give the same output
"$AUDITFWD" --syslog.header rfc5424 --host h --syslog.facility local3 "$sample" >"$T/new" ||
	fail "new spellings refused"
"$AUDITFWD" --syslog-header rfc5424 --host h --syslog-facility local3 "$sample" >"$T/old" ||
	fail "old spellings refused"
cmp -s "$T/new" "$T/old" || fail "--syslog.header and --syslog-header differ"
[ -s "$T/new" ] || fail "no output"

# --tls.*: to a real TLS receiver that requires our client certificate
tls_setup
rport=$(free_port)
tls_receiver_conf "$rport" "$T/received.txt" >"$T/receiver.conf"
rsyslog_start receiver "$T/receiver.conf"
n=$("$AUDITFWD" "$sample" | wc -l)
"$AUDITFWD" --target 127.0.0.1 --port "$rport" --transport tls --tls.cacert "$PKI/ca.pem" \
	--tls.mycert "$PKI/client.pem" --tls.myprivkey "$PKI/client.key" \
	--tls.authmode x509/name --tls.permittedpeer localhost --tls.minversion 1.2 \
	--failback.interval 1000 --timeout.io 5000 --stats "$sample" 2>"$T/cli.err" ||
	fail "sending over TLS failed: $(cat "$T/cli.err")"
wait_for_lines "$T/received.txt" "$n" 30 || fail "the receiver got $(wc -l <"$T/received.txt") of $n"
grep -q ' connects=1 ' "$T/cli.err" || fail "--stats: $(cat "$T/cli.err")"
# the CA option is used: a CA that did not sign the receiver's certificate fails
"$AUDITFWD" --target 127.0.0.1 --port "$rport" --transport tls \
	--tls.cacert "$PKI/untrusted-ca.pem" --tls.mycert "$PKI/client.pem" \
	--tls.myprivkey "$PKI/client.key" --timeout.connect 2000 "$sample" \
	>/dev/null 2>"$T/bad.err" && fail "an untrusted receiver was accepted"
grep -qi 'certificate\|verif' "$T/bad.err" || fail "no certificate error: $(cat "$T/bad.err")"
rsyslog_stop receiver || fail "receiver did not stop"
[ "$(wc -l <"$T/received.txt")" -eq "$n" ] || fail "the refused run delivered something"
pass "the CLI takes the table's settings; --tls.* against a TLS receiver ($n messages)"
