# kafka_lib.sh -- sourced by the Kafka integration tests, after lib.sh.
#
# kafka_mock_start [-b N] [-p N] TOPIC...: start tests/kafka_mock (a librdkafka
#   mock cluster) in the background; sets $bootstrap. The mock reads its
#   commands from a FIFO kept open on fd 3.
# mock CMD...: send one command (down N, up N, err produce CNT CODE, ...) and
#   wait (15 s) until the mock has carried it out ("ok"): a broker set down
#   is down when this returns.
# wait_suspended LOG [SECONDS]: until the action logged its suspension.

: "${KAFKA_MOCK:=$top_builddir/tests/kafka_mock}"

kafka_mock_start() {
	local end
	[ -x "$KAFKA_MOCK" ] || skip "no kafka_mock at $KAFKA_MOCK"
	mkfifo "$T/mock.in"
	exec 3<>"$T/mock.in"   # our end first: opening a FIFO blocks until both exist
	# not through bg(): a background command in a function gets /dev/null as
	# stdin unless it has its own redirection, and the mock quits on EOF
	"$KAFKA_MOCK" "$@" <"$T/mock.in" >"$T/kafka_mock.log" 2>&1 &
	_ITEST_PIDS+=("$!")
	end=$(($(date +%s) + 15))
	until bootstrap=$(head -n 1 "$T/kafka_mock.log") && [ -n "$bootstrap" ]; do
		[ "$(date +%s)" -lt "$end" ] || fail "kafka_mock did not start"
		sleep 0.1
	done
	log "mock cluster at $bootstrap"
}

_mock_answers() { grep -c -E '^(ok|error)' "$T/kafka_mock.log"; }

mock() {
	local before end
	before=$(_mock_answers)
	echo "$*" >&3
	[ "$1" = quit ] && return 0
	end=$(($(date +%s) + 15))
	until [ "$(_mock_answers)" -gt "$before" ]; do
		[ "$(date +%s)" -lt "$end" ] || fail "kafka_mock did not answer '$*'"
		sleep 0.05
	done
	tail -n 1 "$T/kafka_mock.log" | grep -q '^ok' ||
		fail "kafka_mock: '$*': $(tail -n 1 "$T/kafka_mock.log")"
}

# wait_suspended LOG [SECONDS]: wait (60 s) until the action logged its
# suspension in LOG: the outage has reached it. A loaded machine may take
# seconds to hand the action its next batch.
wait_suspended() {
	local end=$(($(date +%s) + ${2:-60}))
	until grep -q 'action suspended' "$1" 2>/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || fail "the outage was not noticed"
		sleep 0.2
	done
}
