#!/usr/bin/env bash
# The ready-made configurations in contrib/rsyslog/ are valid for the
# rsyslogd they are meant for: each passes `rsyslogd -N1` with the built
# module (loaded by path instead of by name), a private workDirectory and
# the test PKI of tests/pki.sh in place of /etc/omauditfwd/pki (the tls
# transport refuses certificate files it cannot read at load time). A
# config with no omauditfwd action (the RELP relay, relay-relp-siem.conf,
# the other end of host-relp-tls.conf) is validated all the same.
# No contrib config ships unvalidated: every contrib/ file that Makefile.am's
# EXTRA_DIST lists is validated here (contrib/rsyslog/), by audit_rules.sh
# (contrib/audit/), or is one of the known scripts and packaging files; and
# every file of contrib/rsyslog/ and contrib/audit/ is in EXTRA_DIST.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_rsyslogd
require_module
require_cmd openssl
sh "$top_srcdir/tests/pki.sh" "$T/pki" || fail "tests/pki.sh failed"
n=0 validated=
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
	validated="$validated contrib/rsyslog/$name.conf"
	n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "expected at least 4 configurations, found $n"

# EXTRA_DIST's contrib/ entries (continuation lines joined)
dist=$(sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$top_srcdir/Makefile.am" |
	sed -n 's/^EXTRA_DIST[[:space:]]*+\{0,1\}=//p' | tr -s ' \t' '\n' | grep '^contrib/')
[ -n "$dist" ] || fail "no contrib/ entry found in Makefile.am's EXTRA_DIST"
nd=0
for f in $dist; do
	nd=$((nd + 1))
	case " $validated " in *" $f "*) continue ;; esac
	case $f in
	# not configurations: scripts, the Debian packaging, the demo's input
	contrib/setup-debian.sh|contrib/build-deb.sh|contrib/pgo-train.sh|contrib/deadletter.py|contrib/demo.sh|\
	contrib/demo/*|contrib/debian/*) ;;
	contrib/audit/*)
		grep -qF "contrib/audit/${f#contrib/audit/}" "$ITEST_DIR/audit_rules.sh" ||
			fail "$f is in EXTRA_DIST but tests/integration/audit_rules.sh does not check it" ;;
	*)
		fail "$f is in EXTRA_DIST but no test validates it (rsyslog configs: contrib_configs.sh, audit files: audit_rules.sh)" ;;
	esac
done
for f in "$top_srcdir"/contrib/rsyslog/* "$top_srcdir"/contrib/audit/*; do
	rel=contrib/${f#"$top_srcdir"/contrib/}
	printf '%s\n' "$dist" | grep -qxF "$rel" || fail "$rel is not in Makefile.am's EXTRA_DIST"
done
pass "$n contrib configurations validate; all $nd contrib/ files of EXTRA_DIST are checked or known"
