#!/bin/sh
# rsyslogd with the ASan/UBSan runtimes preloaded, so a module built with
# --enable-sanitizers can be loaded into the stock (uninstrumented) rsyslogd.
# rsyslogd's own allocations are not ours to check: leak detection is off,
# every other report aborts the process and shows up in the test's log.
: "${REAL_RSYSLOGD:=/usr/sbin/rsyslogd}"
LD_PRELOAD="${ASAN_RUNTIME:?} ${UBSAN_RUNTIME:?}${LD_PRELOAD:+ $LD_PRELOAD}"
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS
exec "$REAL_RSYSLOGD" "$@"
