#!/usr/bin/env bash
# Process ancestry stays within ancestry.maxprocs: 100,000 distinct
# processes (each an execve, each the child of the one before) through the
# CLI with a cap of 1,000 leave exactly 1,000 in the table (99,000
# evicted), the walks still find the recent parents, and the peak RSS is
# within a few MB of the same run without ancestry.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd "$PYTHON"
[ -x /usr/bin/time ] || skip "no /usr/bin/time"
N=100000
gen() {
	"$PYTHON" - "$N" <<'PY'
import sys
n = int(sys.argv[1]); w = sys.stdout.write
for i in range(n):
    t = "1700000100.%03d" % (i % 1000)
    w('node=h1 type=SYSCALL msg=audit(%s:%d): arch=c000003e syscall=59 success=yes exit=0 '
      'items=2 ppid=%d pid=%d auid=1000 uid=0 gid=0 euid=0 comm="p%d" exe="/usr/bin/p%d" '
      'key="exec"\n' % (t, i + 1, 1000 + i - 1 if i else 1, 1000 + i, i, i))
    w('node=h1 type=EXECVE msg=audit(%s:%d): argc=2 a0="p%d" a1="--run"\n' % (t, i + 1, i))
    w('node=h1 type=EOE msg=audit(%s:%d): \n' % (t, i + 1))
PY
}
gen | /usr/bin/time -f "rss=%M" "$AUDITFWD" --format leef --ancestry on --ancestry-maxprocs 1000 \
	--stats >"$T/on.out" 2>"$T/on.err" || fail "auditfwd failed: $(cat "$T/on.err")"
gen | /usr/bin/time -f "rss=%M" "$AUDITFWD" --format leef --stats >/dev/null 2>"$T/off.err" ||
	fail "auditfwd failed: $(cat "$T/off.err")"
log "$(grep -h 'ancestry:\|rss=' "$T/on.err" "$T/off.err" | tr '\n' ' ')"
grep -q "evictions=99000 size=1000$" "$T/on.err" || fail "the table is not at its cap: $(cat "$T/on.err")"
# the last process's event: its four ancestors are the four before it
tail -n 1 "$T/on.out" | grep -q "ancestry.4.comm=p$((N - 5))" ||
	fail "the last event's ancestry is wrong: $(tail -n 1 "$T/on.out" | grep -o 'ancestry.[0-9].comm=[^	]*')"
on=$(sed -n 's/^rss=//p' "$T/on.err")
off=$(sed -n 's/^rss=//p' "$T/off.err")
# under ASan (quarantine, shadow memory) RSS is reported, not judged: the
# plain build judges it
[ -n "${ASAN_RUNTIME:-}" ] || [ "$on" -lt $((off + 8192)) ] ||
	fail "RSS with ancestry ${on} kB, without ${off} kB: more than 8 MB apart"
pass "1,000 of $N processes kept, ancestry right, RSS ${on} kB (without ancestry ${off} kB)"
