#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what it needs
# (contrib/setup-debian.sh), then builds two ways -- plain (profile-guided,
# `make pgo`, as packaged) and with ASan/UBSan (--enable-sanitizers) --
# with warnings as errors, runs `make check` in
# both, a fuzzing smoke run (tests/fuzz/run.sh --smoke, < 2 min), runs
# `make distcheck`, builds the Debian package and installs it
# (tests/deb_install.sh: as root only), and ends with the totals on a line
# of their own: "N passed, N failed" (automake's # PASS / # FAIL, summed; a
# build, the fuzz smoke run, distcheck or package step counts as one test).
#
#   bash tests/run-all.sh            everything
#   QUICK=1 bash tests/run-all.sh    plain build + make check only
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
passed=0 failed=0

say() { printf '\n=== %s\n' "$*"; }

rsrc=$(bash contrib/setup-debian.sh | tail -n 1) || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
say "rsyslog SDK: $rsrc"
autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; echo "0 passed, 1 failed"; exit 1; }

# count automake's summary of one `make check` log into the totals
count() {
	local log=$1 p f e
	p=$(sed -n 's/^# PASS: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^# FAIL: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	e=$(sed -n 's/^# ERROR: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0} + ${e:-0}))
	[ -n "$p" ] || failed=$((failed + 1))   # no summary: the suite did not run
}

show_failures() {
	local dir=$1 t
	for t in $(find "$dir/tests" -name '*.trs' 2>/dev/null); do
		if grep -qE '^:test-result: (FAIL|ERROR)' "$t"; then
			say "FAILED: ${t%.trs}"
			tail -n 80 "${t%.trs}.log"
		fi
	done
}

# suite NAME TARGET CONFIGURE-ARGS...: configure, `make TARGET` and check
# in _build/NAME
suite() {
	local name=$1 target=$2 dir=$top/_build/$1
	shift 2
	say "build '$name': configure $*; make $target"
	rm -rf "$dir" && mkdir -p "$dir"
	if ! (cd "$dir" && "$top/configure" -q --with-rsyslog-src="$rsrc" CFLAGS="-g -O2 -Werror" "$@" \
	        >configure.log 2>&1 && make -j"$jobs" "$target" >make.log 2>&1); then
		tail -n 40 "$dir/configure.log" "$dir/make.log" 2>/dev/null
		failed=$((failed + 1))
		return 1
	fi
	say "make check ($name)"
	(cd "$dir" && make -j"$jobs" check >check.log 2>&1)
	grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):|^# ' "$dir/check.log"
	count "$dir/check.log"
	show_failures "$dir"
}

# plain: the profile-guided build the package ships (Makefile.am, pgo)
suite plain pgo
if [ -z "${QUICK:-}" ]; then
	suite sanitizers all --enable-sanitizers
	say "fuzz smoke run (tests/fuzz/run.sh --smoke)"
	mkdir -p "$top/_build/fuzz"
	if FUZZ_BUILD_DIR="$top/_build/fuzz" bash "$top/tests/fuzz/run.sh" --smoke \
	        >"$top/_build/fuzz/smoke.log" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "fuzz smoke run FAILED"
	fi
	grep -vE '^PASS: ' "$top/_build/fuzz/smoke.log" | tail -n 40
	say "make distcheck"
	if (cd "$top/_build/plain" && make -j"$jobs" distcheck >distcheck.log 2>&1); then
		grep -E '^omauditfwd-.* archives ready|^=+$' "$top/_build/plain/distcheck.log" | head -n 3
		passed=$((passed + 1))
	else
		tail -n 60 "$top/_build/plain/distcheck.log"
		echo "make distcheck FAILED"
		failed=$((failed + 1))
	fi
	say "Debian package"
	if deb=$(bash "$top/contrib/build-deb.sh" "$top/_build/deb" 2>&1 | tail -n 1) &&
	   [ -f "$deb" ] && bash "$top/tests/deb_install.sh" "$deb"; then
		passed=$((passed + 1))
	else
		echo "Debian package FAILED: $deb"
		failed=$((failed + 1))
	fi
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
