#!/usr/bin/env bash
# The Debian package: install it for real (dpkg -i; root), check that it
# depends on exactly the installed rsyslog, that rsyslogd loads the module
# by name -- module(load="omauditfwd") -- and that the CLI runs, that the
# manual page and, as examples, every contrib rsyslog config and audit file
# of this tree are installed; then remove it again. Before that, lintian
# (installed by contrib/setup-debian.sh) must report no error and no warning.
# Run by tests/run-all.sh (CI), not by make check: it changes the system.
# Usage: tests/deb_install.sh PATH.deb
set -u
deb=${1:?usage: deb_install.sh PATH.deb}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"; dpkg -r rsyslog-omauditfwd >/dev/null 2>&1' EXIT
fail() { echo "FAIL: deb_install: $*"; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root"

checked="not checked by lintian (not installed)"
if command -v lintian >/dev/null 2>&1; then
	# info tags are shown; errors and warnings fail (the one override, with
	# its reason, is in contrib/debian/rsyslog-omauditfwd.lintian-overrides)
	lintian --fail-on error,warning --info --display-info "$deb" >"$tmp/lintian.log" 2>&1
	rc=$?
	grep -v '^running with root privileges' "$tmp/lintian.log"
	[ "$rc" -eq 0 ] && ! grep -q '^[EW]: ' "$tmp/lintian.log" ||
		fail "lintian (exit $rc) reports errors or warnings, or did not run"
	checked="lintian-clean"
else
	echo "deb_install: lintian is not installed: the package is not checked (contrib/setup-debian.sh installs it)"
fi

want="rsyslog (= $(dpkg-query -W -f='${Version}' rsyslog))"
dpkg-deb -f "$deb" Depends | grep -qF "$want" || fail "does not depend on $want: $(dpkg-deb -f "$deb" Depends)"
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -i failed"; }
so=$(dpkg -L rsyslog-omauditfwd | grep '/rsyslog/omauditfwd.so$') || fail "no module in the package"
[ -f "$(dirname "$so")/lmnet.so" ] || fail "module not in rsyslogd's module directory: $so"
# the manual page, and every contrib config of this tree as an example, as it is
dpkg -L rsyslog-omauditfwd | grep -q '^/usr/share/man/man1/auditfwd\.1\.gz$' ||
	fail "no manual page auditfwd(1) in the package"
ex=/usr/share/doc/rsyslog-omauditfwd/examples
n=0
for f in "$top"/contrib/rsyslog/*.conf "$top"/contrib/audit/*; do
	rel=${f#"$top"/contrib/}
	if [ -f "$ex/$rel" ]; then
		cmp -s "$f" "$ex/$rel" || fail "$ex/$rel differs from contrib/$rel"
	elif [ -f "$ex/$rel.gz" ]; then
		zcat "$ex/$rel.gz" | cmp -s "$f" - || fail "$ex/$rel.gz differs from contrib/$rel"
	else
		fail "contrib/$rel is not installed as an example under $ex"
	fi
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no contrib config found under $top/contrib"
mkdir -p "$tmp/work"
cat >"$tmp/t.conf" <<CONF
global(workDirectory="$tmp/work")
module(load="omauditfwd")
action(type="omauditfwd" target="127.0.0.1" port="10514")
CONF
rsyslogd -N1 -f "$tmp/t.conf" >"$tmp/n1.log" 2>&1 || { cat "$tmp/n1.log"; fail "rsyslogd did not load omauditfwd by name"; }
echo 'type=EOE msg=audit(1.000:1): ' | auditfwd --join off | grep -q '"type":"EOE"' || fail "auditfwd from the package does not run"
dpkg -r rsyslog-omauditfwd >/dev/null 2>&1 || fail "dpkg -r failed"
[ ! -e "$so" ] || fail "module left behind after removal"
echo "PASS: deb_install: $(basename "$deb") $checked, installs with its manual page and $n examples, loads by name, removes cleanly"
