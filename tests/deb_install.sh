#!/usr/bin/env bash
# The Debian package: install it for real (dpkg -i; root), check that it
# depends on exactly the installed rsyslog, that rsyslogd loads the module
# by name -- module(load="omauditfwd") -- and that the CLI runs; then remove
# it again. Run by tests/run-all.sh (CI), not by make check: it changes the
# system. Usage: tests/deb_install.sh PATH.deb
set -u
deb=${1:?usage: deb_install.sh PATH.deb}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"; dpkg -r rsyslog-omauditfwd >/dev/null 2>&1' EXIT
fail() { echo "FAIL: deb_install: $*"; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root"

want="rsyslog (= $(dpkg-query -W -f='${Version}' rsyslog))"
dpkg-deb -f "$deb" Depends | grep -qF "$want" || fail "does not depend on $want: $(dpkg-deb -f "$deb" Depends)"
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -i failed"; }
so=$(dpkg -L rsyslog-omauditfwd | grep '/rsyslog/omauditfwd.so$') || fail "no module in the package"
[ -f "$(dirname "$so")/lmnet.so" ] || fail "module not in rsyslogd's module directory: $so"
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
echo "PASS: deb_install: $(basename "$deb") installs, loads by name, removes cleanly"
