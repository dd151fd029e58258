#!/usr/bin/env bash
# The ready-made configurations in contrib/rsyslog/ are valid for the
# rsyslogd they are meant for: each passes `rsyslogd -N1` with the built
# module (loaded by path instead of by name), a private workDirectory and
# the test PKI of tests/pki.sh in place of /etc/omauditfwd/pki (the tls
# transport refuses certificate files it cannot read at load time). A
# config with no omauditfwd action (the RELP relay, relay-relp-siem.conf,
# the other end of host-relp-tls.conf) is validated all the same.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_rsyslogd
require_module
require_cmd openssl
sh "$top_srcdir/tests/pki.sh" "$T/pki" || fail "tests/pki.sh failed"
n=0
for conf in "$top_srcdir"/contrib/rsyslog/*.conf; do
	name=$(basename "$conf" .conf)
	mkdir -p "$T/$name.work"
	{
		grep -q '^global(workDirectory=' "$conf" || echo "global(workDirectory=\"$T/$name.work\")"
		sed -e "s|module(load=\"omauditfwd\")|module(load=\"$OMAUDITFWD_MODULE\")|" \
		    -e "s|^global(workDirectory=\"[^\"]*\")|global(workDirectory=\"$T/$name.work\")|" \
		    -e "s|/etc/omauditfwd/pki/|$T/pki/|g" "$conf"
	} >"$T/$name.conf"
	# the relay of host-relp-tls.conf forwards finished events with
	# rsyslog's own omfwd: it has no omauditfwd action to load
	if grep -q 'type="omauditfwd"' "$conf"; then
		grep -q "$OMAUDITFWD_MODULE" "$T/$name.conf" || fail "$name: does not load omauditfwd"
	fi
	rsyslog_validate "$T/$name.conf" || fail "$name: rsyslogd -N1 failed: $VALIDATE_OUT"
	if printf '%s\n' "$VALIDATE_OUT" | grep -qiE 'error|warning'; then
		fail "$name: rsyslogd -N1 complained: $VALIDATE_OUT"
	fi
	log "ok: $name"
	n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "expected at least 4 configurations, found $n"
pass "$n contrib configurations validate"
