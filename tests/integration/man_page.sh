#!/usr/bin/env bash
# The manual page auditfwd(1), built from the settings table (auditfwd
# --man, installed by make install): it renders with no warning from groff
# or man, it lists every setting the CLI takes (and the rsyslogd-only ones
# apart), and the built page is the one the program writes now.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

page=$top_builddir/omauditfwd/auditfwd.1
[ -f "$page" ] || fail "$page was not built (man1_MANS)"
"$AUDITFWD" --man >"$T/now.1" || fail "auditfwd --man failed"
cmp -s "$page" "$T/now.1" || fail "$page differs from what auditfwd --man writes now"

# groff: -ww every warning, -z no output; anything on stderr is a warning
groff -man -ww -z -Tutf8 "$T/now.1" 2>"$T/groff.err" || fail "groff failed: $(cat "$T/groff.err")"
[ ! -s "$T/groff.err" ] || fail "groff warns: $(head -n 5 "$T/groff.err")"
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$T/now.1" >"$T/man.txt" 2>"$T/man.err" ||
		fail "man -l failed: $(cat "$T/man.err")"
	[ ! -s "$T/man.err" ] || fail "man -l warns: $(head -n 5 "$T/man.err")"
else
	groff -man -Tutf8 "$T/now.1" >"$T/man.txt" 2>/dev/null
fi
grep -q '^NAME' "$T/man.txt" && grep -q '^OPTIONS' "$T/man.txt" || fail "no NAME or OPTIONS section"

# every CLI setting is an option of the page; the rsyslogd-only ones are
# under their own heading
"$AUDITFWD" --list-settings >"$T/list" || fail "--list-settings failed"
n=0
while IFS=$'\t' read -r name _ _ _ _ where _; do
	if [ "$where" = rsyslog-only ]; then
		sed -n '/^RSYSLOGD ONLY/,$p' "$T/man.txt" | grep -q "^ *$name\$" ||
			fail "$name is not listed as rsyslogd-only"
	else
		grep -q -- "^ *--$name\b" "$T/man.txt" || fail "--$name is not in the manual page"
		n=$((n + 1))
	fi
done <"$T/list"
[ "$n" -gt 40 ] || fail "only $n CLI settings"
pass "auditfwd(1): renders cleanly, lists all $n CLI settings"
