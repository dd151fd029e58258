#!/usr/bin/env bash
# `make install` puts omauditfwd.so (and no libtool .la) into rsyslog's
# module directory, and rsyslogd loads it from there by name:
# module(load="omauditfwd"). The install goes to a DESTDIR and rsyslogd is
# pointed at it with -M, so the system's module directory is not touched.
set -u
: "${top_builddir:=$PWD}" "${RSYSLOGD:=/usr/sbin/rsyslogd}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/log" 2>/dev/null; exit 1; }

mk() { make --no-print-directory -s -C "$top_builddir" "$@"; }
: "${MODDIR:=$(mk print-moddir)}"
moddir=$MODDIR
[ -n "$moddir" ] || fail "no module directory"
mk install DESTDIR="$tmp/root" >"$tmp/log" 2>&1 || fail "make install"
so=$tmp/root$moddir/omauditfwd.so
[ -f "$so" ] || fail "$so not installed"
[ ! -e "$tmp/root$moddir/omauditfwd.la" ] || fail "libtool .la installed into the module dir"

# rsyslogd -M takes one directory for all its modules (lmnet, ...): the
# system's, with ours from the install beside them
sysmods=${RSYSLOG_SYSMODDIR:-/usr/lib/x86_64-linux-gnu/rsyslog}
[ -f "$sysmods/lmnet.so" ] || fail "no rsyslog modules in $sysmods"
mkdir -p "$tmp/work" "$tmp/mods" "$tmp/without"
ln -s "$sysmods"/*.so "$tmp/mods/"
ln -s "$sysmods"/*.so "$tmp/without/"
rm -f "$tmp/mods/omauditfwd.so" "$tmp/without/omauditfwd.so"
ln -s "$so" "$tmp/mods/omauditfwd.so"
cat >"$tmp/ok.conf" <<CONF
global(workDirectory="$tmp/work")
module(load="omauditfwd")
action(type="omauditfwd" target="127.0.0.1" port="10514")
CONF
"$RSYSLOGD" -N1 -M "$tmp/mods" -f "$tmp/ok.conf" >"$tmp/log" 2>&1 || fail "rsyslogd did not load the module by name"
# the same check must fail when our module is not there: the test can fail
"$RSYSLOGD" -N1 -M "$tmp/without" -f "$tmp/ok.conf" >"$tmp/log2" 2>&1 &&
	fail "rsyslogd loaded omauditfwd from a directory without it"
grep -q "omauditfwd" "$tmp/log2" || fail "no error naming omauditfwd: $(cat "$tmp/log2")"
echo "PASS: installed to $moddir, loads by name"
