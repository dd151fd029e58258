#!/usr/bin/env bash
# Outage over RELP: a paced stream of 100,000 audit records flows feeder ->
# rsyslogd + omauditfwd (transport="relp", format="raw", one message per
# record) -> a RELP receiver (rsyslogd, imrelp) whose ruleset is queued on
# disk (queue.type="Disk"). Five times during the stream the receiver is
# stopped (SIGKILL and SIGTERM alternately: a crash and a stop), stays down
# a second and is started again on the same port, each incarnation writing
# a file of its own (a line a killed receiver left half-written is not
# counted: it never stored it).
#
# RELP acknowledges what the receiver took into its queue, so every record
# must arrive (missing=0), and none twice across a stop (SIGTERM). One
# exception is the receiver's own: rsyslog's disk queue, killed, can come
# back with fewer messages than its .qi file says and logs "lost N messages
# from diskqueue"; a missing record the receiver had answered is counted
# against those (asserted: no more), one it never answered fails the test. A crash
# (SIGKILL) can leave what RELP itself cannot tell: a record the receiver
# queued but whose response never reached us is sent again, and rsyslog's
# disk queue replays what it had handed to its action but not yet marked
# done. Duplicates are attributed to the outage they straddle (the copies
# in the incarnations before and after it): 0 for each SIGTERM; for each
# SIGKILL, the records we sent again at most librelp's window (128
# frames), the receiver's replays on top (a record can be both: stored
# before the crash, replayed after it, and sent again); asserted; all
# printed.
#
# The same run, with the same receiver, is made for comparison (printed,
# not asserted; ITEST_RELP_PEERS chooses, default all four):
#   omrelp   rsyslog's own RELP output in our place;
#   tls      omauditfwd transport="tls" to an imtcp (ossl) receiver whose
#            main queue is on disk: a TCP acknowledgement does not say
#            what the receiver kept (see README, Delivery semantics);
#   omfwd    rsyslog's own TLS output (ossl) to that receiver.
# It takes long (9 to 14 minutes on a loaded 2-core machine, most of it the
# two RELP runs: imrelp with a disk queue takes ~450 records/s there);
# ITEST_RELP_PEERS=relp runs the asserted part alone.
# The figures go to $T/figures.txt and the log, for the README's table.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "$0")/tls_lib.sh"
# shellcheck source=tests/integration/relp_lib.sh
. "$(dirname "$0")/relp_lib.sh"

N=${ITEST_RECORDS:-100000}
RATE=${ITEST_RATE:-5000}          # records per second from the feeder
OUTAGES=5
BATCH=256                         # the actions' queue.dequeueBatchSize
PEERS=${ITEST_RELP_PEERS:-relp omrelp tls omfwd}
relp_setup
require_corpus
[ -n "$(_relp_module omrelp)" ] || PEERS=${PEERS//omrelp/}

make_stream "$N" "$T/sent.txt"
# the receiving ruleset's queue: on disk, its position written after every
# change, so that a killed receiver finds on restart what it acknowledged
DISKQ='queue.type="Disk" queue.filename="recvq" queue.checkpointInterval="1"
	queue.maxDiskSpace="1g" queue.saveOnShutdown="on"'

# run_case PEER: one run with sender PEER; sets LOST and DUPS
run_case() {
	local peer=$1 rport sport inc=0 action stats k how last
	rport=$(free_port)
	sport=$(free_port)
	mkdir -p "$T/$peer"
	start_receiver() {
		inc=$((inc + 1))
		if [ "$peer" = tls ] || [ "$peer" = omfwd ]; then
			TLS_RECEIVER_QUEUE="$DISKQ" tls_receiver_conf "$rport" \
				"$T/$peer/received.$inc.txt" "receiver-$peer" >"$T/$peer/receiver.$inc.conf"
			# raw records: written as received, as the RELP receiver does
			sed -i 's/escapeControlCharactersOnReceive="on"/escapeControlCharactersOnReceive="off"/' \
				"$T/$peer/receiver.$inc.conf"
		else
			RELP_RECEIVER_QUEUE="$DISKQ" relp_receiver_conf "$rport" \
				"$T/$peer/received.$inc.txt" "receiver-$peer" >"$T/$peer/receiver.$inc.conf"
		fi
		rsyslog_start "receiver-$peer" "$T/$peer/receiver.$inc.conf" "$rport"
	}
	total() {
		local f n=0
		for f in "$T/$peer"/received.*.txt; do
			[ -f "$f" ] && n=$((n + $(count_lines "$f")))
		done
		echo "$n"
	}
	wait_total() {
		local want=$1 timeout=$2 end
		end=$(($(date +%s) + timeout))
		while [ "$(total)" -lt "$want" ]; do
			[ "$(date +%s)" -lt "$end" ] || return 1
			sleep 0.1
		done
	}
	stats="module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/$peer/stats.log\")"
	case $peer in
	relp)
		action=$(relp_action "\"127.0.0.1\" port=\"$rport\"" \
			"join=\"off\" enrich=\"off\" queue.dequeueBatchSize=\"$BATCH\"" |
			sed 's/format="json"/format="raw"/') ;;
	tls)
		action=$(tls_action "\"127.0.0.1\" port=\"$rport\"" \
			"join=\"off\" enrich=\"off\" queue.dequeueBatchSize=\"$BATCH\"" |
			sed 's/format="json"/format="raw"/') ;;
	omfwd)
		action="action(type=\"omfwd\" name=\"$TEST_NAME\" target=\"127.0.0.1\" port=\"$rport\"
       protocol=\"tcp\" TCP_Framing=\"octet-counted\" StreamDriver=\"ossl\"
       StreamDriverMode=\"1\" StreamDriverAuthMode=\"x509/certvalid\"
       streamdriver.cafile=\"$PKI/ca.pem\" streamdriver.certfile=\"$PKI/client.pem\"
       streamdriver.keyfile=\"$PKI/client.key\"
       template=\"RSYSLOG_SyslogProtocol23Format\"
       action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\"
       queue.type=\"LinkedList\" queue.size=\"200000\" queue.dequeueBatchSize=\"$BATCH\")" ;;
	omrelp)
		action="module(load=\"omrelp\")
action(type=\"omrelp\" name=\"$TEST_NAME\" target=\"127.0.0.1\" port=\"$rport\"
       template=\"RSYSLOG_SyslogProtocol23Format\" timeout=\"10\" conn.timeout=\"5\"
       action.resumeRetryCount=\"-1\" action.resumeInterval=\"1\"
       queue.type=\"LinkedList\" queue.size=\"200000\" queue.dequeueBatchSize=\"$BATCH\")" ;;
	esac
	sender_conf "$sport" "$stats
$action" "sender-$peer" >"$T/$peer/sender.conf"
	start_receiver
	if [ "$peer" = relp ]; then
		# every message's sends and answers, for the attribution below
		OMAUDITFWD_RELP_TRACE="$T/$peer/trace.txt" rsyslog_start "sender-$peer" "$T/$peer/sender.conf"
	else
		rsyslog_start "sender-$peer" "$T/$peer/sender.conf"
	fi
	log "$peer: receiver on $rport, sender on $sport; $N records at $RATE/s, $OUTAGES outages"

	bg "feeder-$peer" send_lines "$T/sent.txt" "$sport" "$RATE"
	local feeder=$BG_PID
	for k in $(seq 1 $OUTAGES); do
		wait_total $((N * k / (OUTAGES + 2))) 180 ||
			fail "$peer: outage $k: stream stalled at $(total) records"
		if [ $((k % 2)) -eq 1 ]; then
			rsyslog_kill "receiver-$peer"
			how=SIGKILL
		else
			rsyslog_stop "receiver-$peer" || fail "$peer: receiver did not stop on SIGTERM"
			how=SIGTERM
		fi
		log "$peer: outage $k ($how) with $(total) records received"
		sleep 1   # the outage itself, not a synchronisation
		start_receiver
	done
	bg_wait "$feeder" 240 || fail "$peer: feeder failed: $(cat "$T/feeder-$peer.log")"

	# all of it, then no more for a while (resends included)
	wait_total "$N" 240 || log "$peer: only $(total) of $N records arrived within 240 s"
	last=-1
	while [ "$(total)" != "$last" ]; do
		last=$(total)
		sleep 3
	done
	rsyslog_stop "sender-$peer" || fail "$peer: sender did not stop"
	rsyslog_stop "receiver-$peer" || fail "$peer: receiver did not stop"
	complete_lines "$T/$peer"/received.*.txt >"$T/$peer/received.txt"
	"$PYTHON" "$CHECK_JSON" "$T/sent.txt" "$T/$peer/received.txt" --raw \
		>"$T/$peer/result.txt" 2>&1
	RESULT=$(head -n 1 "$T/$peer/result.txt")
	LOST=$(sed -n 's/.* missing=\([0-9]*\).*/\1/p' <<<"$RESULT")
	DUPS=$(sed -n 's/.* duplicates=\([0-9]*\).*/\1/p' <<<"$RESULT")
	[ -n "$LOST" ] && [ -n "$DUPS" ] || { cat "$T/$peer/result.txt"; fail "$peer: no counts"; }
	# duplicates per outage: the copies' incarnations (I, J): J > I, the
	# outage that ended I; J = I, the one that began I
	PER_OUTAGE=$("$PYTHON" - "$T/$peer" "$OUTAGES" <<'PY'
import collections, glob, os, sys
d, n = sys.argv[1], int(sys.argv[2])
where = collections.defaultdict(list)
for f in glob.glob(os.path.join(d, "received.[0-9]*.txt")):
    inc = int(f.rsplit(".", 2)[1])
    data = open(f, "rb").read()
    for line in data[:data.rfind(b"\n") + 1].split(b"\n")[:-1]:
        where[line].append(inc)
per = collections.Counter()
for incs in where.values():
    incs.sort()
    for a, b in zip(incs, incs[1:]):
        per[a if b > a else a - 1] += 1
print(" ".join("%d:%d" % (k, per[k]) for k in range(1, n + 1)))
PY
)
	printf '%s lost=%s duplicates=%s per-outage=[%s]%s (%s)\n' "$peer" "$LOST" "$DUPS" \
		"$PER_OUTAGE" "$([ "$peer" != relp ] || echo " attribution=[$(attribute "$T/$peer" "$T/receiver-$peer.internal.log" | sed -n 2p)]")" \
		"$RESULT" >>"$T/figures.txt"
	log "$peer: $RESULT; duplicates per outage (outage:count; odd SIGKILL, even SIGTERM): $PER_OUTAGE"
	if [ "$peer" = relp ]; then
		attribute "$T/$peer" "$T/receiver-$peer.internal.log" >"$T/$peer/attribution.txt" ||
			{ cat "$T/$peer/attribution.txt"; fail "relp: no attribution"; }
		log "relp: attribution of each duplicate (per outage): $(head -n 1 "$T/$peer/attribution.txt")"
		RESENT_ACKED=$(sed -n 's/.*resent.acked=\([0-9]*\).*/\1/p' "$T/$peer/attribution.txt")
		ATTRIB=$(sed -n 2p "$T/$peer/attribution.txt")
		read -r MISS_ANSWERED MISS_UNANSWERED RECV_SAID_LOST < <(sed -n 3p "$T/$peer/attribution.txt")
		log "relp: of $LOST missing: $MISS_UNANSWERED never answered, $MISS_ANSWERED answered by" \
			"the receiver, which logged $RECV_SAID_LOST messages lost from its disk queue"
	fi
	if [ "$peer" = relp ] || [ "$peer" = tls ]; then
		log "$peer: impstats: connects=$(stats_value "$T/$peer/stats.log" "$TEST_NAME" connects)" \
			"connects.failed=$(stats_value "$T/$peer/stats.log" "$TEST_NAME" connects.failed)" \
			"batches.failed=$(stats_value "$T/$peer/stats.log" "$TEST_NAME" batches.failed)"
	fi
	if [ "$peer" = relp ]; then
		local c
		for c in relp.acks.awaited relp.acks.failed relp.reestablished relp.retransmitted \
			relp.skipped relp.resent.unsure; do
			printf ' %s=%s' "$c" "$(stats_value "$T/$peer/stats.log" "$TEST_NAME" "$c")"
		done >"$T/relp.counters"
		log "relp: impstats:$(cat "$T/relp.counters")"
	fi
}

# attribute DIR LOG: each duplicate of DIR/received.*.txt, from the sender's
# trace (DIR/trace.txt, see transport_relp.c): "lost" = handed to librelp
# twice, the first time unanswered (the receiver had taken it, its answer
# died with it); "replay" = handed once, so the receiver stored it twice
# (its disk queue replayed it after the restart); "acked" = handed again
# after the receiver answered it: the sender's fault. Line 1: the summary;
# line 2: per outage k:lost/replay/acked/untraced; line 3: the records
# missing that the receiver answered, those it never answered, and how many
# the receiver (LOG, its internal log) said its disk queue lost.
attribute() {
	"$PYTHON" - "$1" "$OUTAGES" "$T/sent.txt" "$2" <<'PY'
import collections, glob, os, re, sys
d, n, sent, rlog = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def key(b):
    i = b.find(b"type=")
    return b[i:] if i >= 0 else b
hash_of, ev = {}, collections.defaultdict(list)
with open(os.path.join(d, "trace.txt"), "rb") as f:
    for line in f:
        p = line.rstrip(b"\n").split(b" ", 3)
        if p[0] == b"S":
            hash_of[key(p[3])] = p[2]
            ev[p[2]].append("S")
        elif p[0] in (b"A", b"U"):
            ev[p[2]].append(p[0].decode())
        elif p[0] == b"R":
            # a reconnect that failed (rc != 0) sent nothing again, unless
            # it failed while resending: counted as sent, "r"
            ev[p[2]].append("R" if p[3] == b"0" else "r")
        elif p[0] == b"K":
            ev[p[1]].append("K")
# acknowledged, then handed to librelp again (by us or its reconnect)
resent_acked = sum(1 for e in ev.values()
                   if "A" in e and any(x in "SR" for x in e[e.index("A") + 1:]))
where = collections.defaultdict(list)
for f in glob.glob(os.path.join(d, "received.[0-9]*.txt")):
    inc = int(f.rsplit(".", 2)[1])
    data = open(f, "rb").read()
    for line in data[:data.rfind(b"\n") + 1].split(b"\n")[:-1]:
        where[line].append(inc)
per = collections.defaultdict(collections.Counter)
tot = collections.Counter()
for line, incs in where.items():
    if len(incs) < 2:
        continue
    e = ev.get(hash_of.get(key(line)), [])
    handed = sum(1 for x in e if x in "SR") + (1 if "r" in e else 0)
    if handed == 0:
        why = "untraced"
    elif "A" in e and any(x in "SR" for x in e[e.index("A") + 1:]):
        why = "acked"
    else:
        why = None   # per copy, below
    incs.sort()
    # a record handed H times and stored C times: its first H - 1 extra
    # copies are ours (sent again, the answer lost), any beyond them the
    # receiver's replay (stored in [3, 4, 4]: sent twice, and replayed
    # by the disk queue of the incarnation that restarted)
    for i, (a, b) in enumerate(zip(incs, incs[1:])):
        w = why or ("lost" if i < handed - 1 else "replay")
        per[a if b > a else a - 1][w] += 1
        tot[w] += 1
print("sent twice, answer lost=%d; sent once, receiver replayed=%d; "
      "sent again after its answer=%d; untraced=%d; resent.acked=%d" %
      (tot["lost"], tot["replay"], tot["acked"], tot["untraced"], resent_acked))
print(" ".join("%d:%d/%d/%d/%d" % (k, per[k]["lost"], per[k]["replay"], per[k]["acked"],
                                   per[k]["untraced"]) for k in range(1, n + 1)))
# records missing: answered by the receiver (then its to keep), or not
got = set(key(l) for l in where)
answered = unanswered = 0
for line in open(sent, "rb").read().split(b"\n"):
    if line and key(line) not in got:
        if "A" in ev.get(hash_of.get(key(line)), []):
            answered += 1
        else:
            unanswered += 1
said = 0
if os.path.exists(rlog):
    for m in re.finditer(rb"lost (\d+) messages from diskqueue", open(rlog, "rb").read()):
        said += int(m.group(1))
print("%d %d %d" % (answered, unanswered, said))
PY
}

relp_lost= relp_per=
for peer in $PEERS; do
	run_case "$peer"
	[ "$peer" != relp ] || { relp_lost=$LOST; relp_per=$PER_OUTAGE; relp_attr=$ATTRIB
		relp_resent_acked=$RESENT_ACKED relp_miss_answered=$MISS_ANSWERED
		relp_miss_unanswered=$MISS_UNANSWERED relp_recv_said=$RECV_SAID_LOST; }
done
log "figures ($N records, $OUTAGES receiver stops, receiver queued on disk):"
while read -r line; do log "  $line"; done <"$T/figures.txt"
if [ -n "$relp_lost" ]; then
	# a record lost is the sender's unless the receiver answered it and
	# itself logged losing that many from its disk queue (rsyslog after a
	# SIGKILL: "lost N messages from diskqueue (invalid .qi file)")
	[ "$relp_miss_unanswered" -eq 0 ] ||
		fail "relp: $relp_miss_unanswered records lost that the receiver never answered"
	[ "$relp_miss_answered" -le "$relp_recv_said" ] ||
		fail "relp: $relp_lost records lost, $relp_miss_answered of them answered, the receiver logged losing $relp_recv_said"
	[ "$relp_lost" -eq 0 ] ||
		log "relp: $relp_lost records lost by the receiver's disk queue after a SIGKILL (it logged it), none by the sender"
	for o in $relp_per; do
		k=${o%%:*} n=${o#*:}
		[ $((k % 2)) -eq 1 ] || [ "$n" -eq 0 ] ||
			fail "relp: $n duplicates across outage $k (SIGTERM)"
	done
	# a crash: what we sent again because its answer died with the
	# receiver is at most librelp's window; the receiver's own replays
	# are its disk queue's, not bounded by the window
	for o in $relp_attr; do
		k=${o%%:*} a=${o#*:}
		IFS=/ read -r lost _ _ _ <<<"$a"
		[ $((k % 2)) -eq 0 ] || [ "$lost" -le 128 ] ||
			fail "relp: $lost records sent again across outage $k (SIGKILL): more than the window"
	done
	# what the sender can guarantee: nothing answered is sent again, and
	# every duplicate is either an answer the killed receiver took with it
	# or the receiver's own replay (k:lost/replay/acked/untraced)
	[ "$relp_resent_acked" -eq 0 ] ||
		fail "relp: $relp_resent_acked messages sent again after the receiver answered them"
	for o in $relp_attr; do
		k=${o%%:*} a=${o#*:}
		IFS=/ read -r _ _ acked untraced <<<"$a"
		[ "$acked" -eq 0 ] && [ "$untraced" -eq 0 ] ||
			fail "relp: outage $k: duplicates the sender sent again after an answer ($acked) or never traced ($untraced)"
	done
fi
pass "$(tr '\n' ';' <"$T/figures.txt" | sed 's/ ([^)]*)//g')"
