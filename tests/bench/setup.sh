#!/usr/bin/env bash
# setup.sh -- what the benchmarks need beyond contrib/setup-debian.sh:
#   - Debian packages: linux-perf (profiles), rsyslog-kafka (omkafka, the Kafka
#     peer), auditd (ausearch, a peer), kcat, openssl, python3;
#   - syslog-ng (a peer: its linux-audit-parser). syslog-ng-core conflicts with
#     rsyslog as a package, so it is downloaded with `apt-get download` and
#     unpacked with `dpkg -x` into a private directory, together with the
#     libraries it needs that are not installed; nothing of it is installed.
# Prints the private syslog-ng directory on its last line.
# Environment: BENCH_CACHE (default /var/cache/omauditfwd/bench), SKIP_APT=1.
set -euo pipefail

CACHE=${BENCH_CACHE:-/var/cache/omauditfwd/bench}
log() { printf 'bench/setup: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

BENCH_PKGS="linux-perf rsyslog rsyslog-kafka rsyslog-openssl auditd kcat openssl python3 procps time"

install_packages() {
	local missing=() p i
	for p in $BENCH_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing: ${missing[*]}"
	for i in 1 2 3 4 5 6; do   # the dpkg lock may be busy
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${missing[@]}" >&2 && return 0
		sleep 10
	done
	die "apt-get install ${missing[*]} failed"
}

# syslog_ng_private: syslog-ng-core and its missing libraries in $CACHE/syslog-ng
syslog_ng_private() {
	local dir=$CACHE/syslog-ng dl dep
	if [ -x "$dir/root/usr/sbin/syslog-ng" ] && [ -f "$dir/.complete" ]; then
		printf '%s\n' "$dir"; return 0
	fi
	rm -rf "$dir"; mkdir -p "$dir/debs" "$dir/root"
	dl=(syslog-ng-core)
	for dep in $(apt-cache depends syslog-ng-core 2>/dev/null |
	             awk '$1 == "Depends:" && $2 !~ /^</ { print $2 }'); do
		dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q 'install ok installed' ||
			dl+=("$dep")
	done
	log "downloading into $dir: ${dl[*]}"
	(cd "$dir/debs" && apt-get download -qq "${dl[@]}" >&2) || {
		apt-get update -qq; (cd "$dir/debs" && apt-get download -qq "${dl[@]}" >&2); } ||
		die "apt-get download ${dl[*]} failed"
	for deb in "$dir"/debs/*.deb; do
		dpkg -x "$deb" "$dir/root"
	done
	[ -x "$dir/root/usr/sbin/syslog-ng" ] || die "no syslog-ng binary in the unpacked package"
	touch "$dir/.complete"
	printf '%s\n' "$dir"
}

[ -n "${SKIP_APT:-}" ] || install_packages
syslog_ng_private
