#!/usr/bin/env bash
# Two omauditfwd actions in one rsyslogd never share mutable state: each
# has its own joiner, enricher, counters and connections. Action A runs two
# workers on a disk-assisted queue, action B three workers on an in-memory
# one; the same stream goes to both, and each collector gets every event
# exactly once, complete.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

N=${ITEST_RECORDS:-4000}
require_rsyslogd
require_cmd "$PYTHON"
require_corpus
require_module

make_stream "$N" "$T/sent.txt"
ra=$(free_port)
rb=$(free_port)
sport=$(free_port)
receiver_conf "$ra" "$T/a.txt" ra >"$T/ra.conf"
receiver_conf "$rb" "$T/b.txt" rb >"$T/rb.conf"
action="$(omauditfwd_action "$ra" 'statsname="a" queue.workerThreads="2"' \
	'queue.dequeueBatchSize="16" queue.filename="action-a" queue.saveOnShutdown="on"')
$(omauditfwd_action "$rb" 'statsname="b" queue.workerThreads="3" queue.dequeueBatchSize="5"')"
sender_conf "$sport" "$action" >"$T/sender.conf"
rsyslog_start ra "$T/ra.conf"
rsyslog_start rb "$T/rb.conf"
rsyslog_start sender "$T/sender.conf"
send_lines "$T/sent.txt" "$sport" >/dev/null || fail "sending failed"

# both streams drain (no growth for 2 s), then stopping the sender flushes
# what each action still holds
for f in a b; do
	wait_quiet "$T/$f.txt" 2 60
done
rsyslog_stop sender || fail "sender did not stop"
for f in a b; do
	end=$(($(date +%s) + 20))
	until "$PYTHON" "$ITEST_DIR/check_events.py" "$T/sent.txt" "$T/$f.txt" --final >"$T/$f.check"; do
		[ "$(date +%s)" -lt "$end" ] || { cat "$T/$f.check"; fail "action $f: events lost, split or duplicated"; }
		sleep 0.5
	done
	log "action $f: $(head -n 1 "$T/$f.check")"
done
cmp -s <(sort "$T/a.txt") <(sort "$T/b.txt") ||
	fail "the two actions sent different events for the same stream"
rsyslog_stop ra || fail "receiver a did not stop"
rsyslog_stop rb || fail "receiver b did not stop"
pass "both actions: $(head -n 1 "$T/a.check")"
