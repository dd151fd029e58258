#!/usr/bin/env bash
# `make install` puts omauditfwd.so (and no libtool .la) into rsyslog's
# module directory, and rsyslogd loads it from there by name:
# module(load="omauditfwd"). The install goes to a DESTDIR and rsyslogd is
# pointed at it with -M, so the system's module directory is not touched.
set -u
: "${top_builddir:=$PWD}" "${RSYSLOGD:=/usr/sbin/rsyslogd}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/log" 2>/dev/null; exit 1; }

moddir=$(make -s -C "$top_builddir" print-moddir 2>/dev/null) || fail "no moddir from make"
make -s -C "$top_builddir" install DESTDIR="$tmp/root" >"$tmp/log" 2>&1 || fail "make install"
so=$tmp/root$moddir/omauditfwd.so
[ -f "$so" ] || fail "$so not installed"
[ ! -e "$tmp/root$moddir/omauditfwd.la" ] || fail "libtool .la installed into the module dir"

mkdir -p "$tmp/work"
cat >"$tmp/ok.conf" <<CONF
global(workDirectory="$tmp/work")
module(load="omauditfwd")
action(type="omauditfwd" target="127.0.0.1" port="10514")
CONF
"$RSYSLOGD" -N1 -M "$tmp/root$moddir" -f "$tmp/ok.conf" >"$tmp/log" 2>&1 || fail "rsyslogd did not load the module by name"
# the same check must fail when the module is not there: the test can fail
"$RSYSLOGD" -N1 -M "$tmp/work" -f "$tmp/ok.conf" >"$tmp/log2" 2>&1 && fail "loading from an empty directory succeeded"
echo "PASS: installed to $moddir, loads by name"
