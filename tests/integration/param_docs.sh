#!/usr/bin/env bash
# Every action parameter of the settings table (auditfwd --list-settings,
# the table the module builds its parameters from) is documented in the
# README's parameter table, and the README documents no parameter the
# table lacks; every CLI setting is in --help and in the manual page.
set -u
: "${top_srcdir:=$PWD}"
: "${top_builddir:=$PWD}"
AUDITFWD=${AUDITFWD:-$top_builddir/omauditfwd/auditfwd}
readme=$top_srcdir/README
list=$("$AUDITFWD" --list-settings) || { echo "FAIL: $AUDITFWD --list-settings failed"; exit 1; }
# name TAB type TAB default TAB transports TAB format TAB where TAB alias TAB help TAB stored
code=$(echo "$list" | awk -F'\t' '$6 != "cli-only" { print $1 }' | sort)
cli=$(echo "$list" | awk -F'\t' '$6 != "rsyslog-only" { print $1 }' | sort)
docs=$(sed -n 's/^| `\([a-zA-Z][a-zA-Z.]*\)` | .*/\1/p' "$readme" | sort -u)
[ "$(echo "$code" | wc -l)" -gt 40 ] || { echo "FAIL: too few parameters in --list-settings"; exit 1; }
[ -n "$docs" ] || { echo "FAIL: no parameter table found in $readme"; exit 1; }
missing=$(comm -23 <(echo "$code") <(echo "$docs"))
extra=$(comm -13 <(echo "$code") <(echo "$docs"))
# counters and other tables also use `name` cells: only flag extras that
# look like parameters documented in the parameter table's columns (5)
extra=$(for p in $extra; do
	grep -q "^| \`$p\` | [^|]* | [^|]* | \(yes\|no\)[^|]* |" "$readme" && echo "$p"; done)
[ -z "$missing" ] || { echo "FAIL: parameters not documented in README: $missing"; exit 1; }
[ -z "$extra" ] || { echo "FAIL: the README documents parameters the module does not have: $extra"; exit 1; }
# the README's "applies to" column names the transports the table gives
for p in $(echo "$list" | awk -F'\t' '$6 != "cli-only" && $4 != "any" && $4 !~ /tls, relp/ { print $1 }'); do
	want=$(echo "$list" | awk -F'\t' -v p="$p" '$1 == p { print $4 }')
	row=$(grep "^| \`$p\` |" "$readme" | head -n 1)
	for t in ${want//,/ }; do
		echo "$row" | grep -q "$t" || { echo "FAIL: README: $p applies to $want, its row does not say $t"; exit 1; }
	done
done
help=$("$AUDITFWD" --help)
man=$("$AUDITFWD" --man)
for p in $cli; do
	echo "$help" | grep -q -- "--$p " || { echo "FAIL: --help does not list --$p"; exit 1; }
	echo "$man" | grep -qF -- "\\fB\\-\\-${p//-/\\-}\\fR" || { echo "FAIL: the manual page does not list --$p"; exit 1; }
done
echo "PASS: $(echo "$code" | wc -l) parameters, all documented; $(echo "$cli" | wc -l) CLI settings in --help and the manual page"
