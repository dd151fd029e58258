#!/usr/bin/env bash
# Every action parameter the module declares is documented in the README's
# parameter table, and the table documents no parameter the module lacks.
set -u
: "${top_srcdir:=$PWD}"
src=$top_srcdir/omauditfwd/module/omauditfwd.c
readme=$top_srcdir/README.md
code=$(sed -n '/^static struct cnfparamdescr actpdescr\[\] = {/,/^};/p' "$src" |
	sed -n 's/^[[:space:]]*{ "\([^"]*\)".*/\1/p' | sort)
docs=$(sed -n 's/^| `\([a-zA-Z][a-zA-Z.]*\)` | .*/\1/p' "$readme" | sort -u)
[ -n "$code" ] || { echo "FAIL: no parameters found in $src"; exit 1; }
[ -n "$docs" ] || { echo "FAIL: no parameter table found in $readme"; exit 1; }
missing=$(comm -23 <(echo "$code") <(echo "$docs"))
extra=$(comm -13 <(echo "$code") <(echo "$docs"))
# counters and other tables also use `name` cells: only flag extras that
# look like parameters documented in the parameter table's columns (5)
extra=$(for p in $extra; do
	grep -q "^| \`$p\` | [^|]* | [^|]* | \(yes\|no\)[^|]* |" "$readme" && echo "$p"; done)
[ -z "$missing" ] || { echo "FAIL: parameters not documented in README.md: $missing"; exit 1; }
[ -z "$extra" ] || { echo "FAIL: README.md documents parameters the module does not have: $extra"; exit 1; }
echo "PASS: $(echo "$code" | wc -l) parameters, all documented"
