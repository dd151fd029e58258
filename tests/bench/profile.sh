# profile.sh -- where the time goes, sourced by run.sh: perf on the core path
# (auditfwd on the stream's first $PROFILE_RECORDS records, with call graphs
# from DWARF) and on the sender rsyslogd of the e2e TLS path (flat).

# perf_top DATA [OPTIONS...]: the top of a flat profile by symbol
perf_top() {
	local data=$1
	shift
	perf report -i "$data" --stdio --no-children -g none --percent-limit 1 "$@" 2>/dev/null |
		grep -E '^ +[0-9.]+%' | sed 's/[[:space:]-]*$//' | head -n 20
}

bench_profile() {
	local fmt=$E2E_FORMAT
	head -n "$PROFILE_RECORDS" "$STREAM" >"$T/profile.log"
	log "profile: core path ($fmt, $PROFILE_RECORDS records)"
	if perf record -F 999 --call-graph dwarf,16384 -o "$T/core.perf.data" -- \
		"$AUDITFWD" --format "$fmt" "$T/profile.log" >/dev/null 2>"$T/perf-core.log"; then
		perf_top "$T/core.perf.data" --sort symbol >"$OUT_DIR/profile-core.txt"
		# who calls the libc string functions at the top
		perf report -i "$T/core.perf.data" --stdio --no-children -G --sort symbol \
			--symbols=__strcmp_evex,__strcmp_avx2,__strcmp_sse2_unaligned,strcmp,__memcmp_evex_movbe,__memcmp_avx2_movbe \
			--percent-limit 1 2>/dev/null | grep -v '^#' | grep -v '^$' | sed 's/[[:space:]-]*$//' | head -n 60 \
			>"$OUT_DIR/profile-core-callers.txt"
	else
		note "perf record (core) failed: $(tail -n 3 "$T/perf-core.log")"
	fi
	# its own certificates: with --only profile the e2e section made none
	bash "$top_srcdir/tests/pki.sh" "$PKI" || fail "tests/pki.sh failed"
	log "profile: e2e TLS sender rsyslogd (omauditfwd, $fmt, then omfwd)"
	e2e_profile "profile-$fmt" "$(e2e_omauditfwd_action "$fmt" @RPORT@)" \
		"module(load=\"$OMAUDITFWD_MODULE\")" "$(auditfwd_messages "$fmt" "$STREAM")" e2e
	e2e_profile profile-omfwd "$(e2e_omfwd_action @RPORT@)" "" "$RECORDS" e2e-omfwd
}

# e2e_profile NAME ACTION MODULES EXPECTED OUT: perf on the sender of one e2e
# path; profile-OUT.txt its top symbols, profile-OUT-threads.txt its
# samples by thread and library (percentages of the machine's samples; the
# sample counts compare between the two paths: same rate, same stream)
e2e_profile() {
	local name=$1 out=$5 spid
	if e2e_path "$name" "$2" "$3" "$4" . profile && [ -s "$T/$name.perf.data" ]; then
		spid=$(cat "$T/$name.perf.pid")
		# "pid" leads each sort: perf merges the entries of the sender's and
		# the receiver's same-named threads before --pid filters them
		perf_top "$T/$name.perf.data" --pid "$spid" --sort pid,dso,symbol >"$OUT_DIR/profile-$out.txt"
		perf report -n -i "$T/$name.perf.data" --pid "$spid" --stdio --no-children -g none --sort pid,dso \
			2>/dev/null | grep -E '^ +[0-9.]+%' | sed 's/[[:space:]-]*$//' | head -n 16 >"$OUT_DIR/profile-$out-threads.txt"
	else
		note "perf record ($name) failed: $(tail -n 3 "$T/perf-e2e.log" 2>/dev/null)"
	fi
}
