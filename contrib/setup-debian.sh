#!/usr/bin/env bash
# Prepare a Debian (bookworm) machine to build and test omauditfwd.
#
#  1. installs the build and test packages with apt-get;
#  2. enables Debian source packages by mirroring the machine's own apt
#     entries as deb-src (no archive host is written here: it is read from
#     the entries that are already configured);
#  3. fetches the source of the *installed* rsyslog version, configures it
#     once (only config.h is needed) and caches the prepared tree;
#  4. unpacks syslog-ng privately for the tests (tests/bench/setup.sh).
#
# Prints the prepared tree's path on its last line: pass it to
#   ./configure --with-rsyslog-src=DIR
# Re-running is cheap: packages already present and a cached tree are reused.
#
# Environment:
#   OMAUDITFWD_CACHE   where the prepared rsyslog tree lives
#                      (default /var/cache/omauditfwd)
#   SKIP_APT=1         do not install packages (they are already there)
set -euo pipefail

CACHE=${OMAUDITFWD_CACHE:-/var/cache/omauditfwd}
log() { printf 'setup-debian: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || [ -n "${SKIP_APT:-}" ] || die "run as root (apt-get is needed), or set SKIP_APT=1"

BUILD_PKGS="build-essential autoconf automake libtool pkg-config dpkg-dev debhelper fakeroot
 libestr-dev libfastjson-dev librdkafka-dev libssl-dev libaudit-dev libcriterion-dev
 zlib1g-dev librelp-dev"
TEST_PKGS="rsyslog rsyslog-openssl rsyslog-gnutls rsyslog-relp auditd python3-audit kcat openssl
 procps iproute2 clang libclang-rt-14-dev valgrind lintian"
# tests/bench/run.sh: profiles, the omkafka peer, /usr/bin/time (the syslog-ng
# peer is unpacked privately by tests/bench/setup.sh)
BENCH_PKGS="linux-perf rsyslog-kafka time"

codename() { . /etc/os-release && printf '%s' "${VERSION_CODENAME:-bookworm}"; }

# Write deb-src twins of the machine's own Debian entries (deb822 .sources
# files and one-line .list files), keeping their URIs, suites, components and
# Signed-By. Only entries whose suites name this distribution's codename are
# mirrored, so third-party repositories are left alone.
enable_deb_src() {
    local out=/etc/apt/sources.list.d/omauditfwd-deb-src.sources cn
    cn=$(codename)
    if apt-get indextargets 2>/dev/null | grep -q '^Identifier: Sources'; then
        return 0
    fi
    log "enabling Debian source packages (mirroring existing apt entries for $cn)"
    {
        local f
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -e "$f" ] || continue
            [ "$f" = "$out" ] && continue
            awk -v cn="$cn" '
                function flush() {
                    if (n && isdeb && suites ~ cn) {
                        for (i = 1; i <= n; i++) print lines[i]
                        print ""
                    }
                    n = 0; isdeb = 0; suites = ""
                }
                /^[[:space:]]*$/ { flush(); next }
                /^#/ { next }
                /^Types:/ {
                    if ($0 ~ /(^|[[:space:]:])deb([[:space:]]|$)/) isdeb = 1
                    lines[++n] = "Types: deb-src"; next
                }
                /^Suites:/ { suites = $0 }
                /^Enabled:[[:space:]]*no/ { isdeb = 0 }
                { lines[++n] = $0 }
                END { flush() }' "$f"
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -e "$f" ] || continue
            awk -v cn="$cn" '$1 == "deb" && $0 ~ cn {
                    uri = ""; opts = ""; i = 2
                    if ($2 ~ /^\[/) { while ($i !~ /\]$/) { opts = opts " " $i; i++ } opts = opts " " $i; i++ }
                    uri = $i; suite = $(i + 1); comps = ""
                    for (j = i + 2; j <= NF; j++) comps = comps " " $j
                    print "Types: deb-src"; print "URIs: " uri; print "Suites: " suite
                    print "Components:" comps
                    if (match(opts, /signed-by=[^] ]+/))
                        print "Signed-By: " substr(opts, RSTART + 10, RLENGTH - 10)
                    print ""
                }' "$f"
        done
    } > "$out.tmp"
    [ -s "$out.tmp" ] || { rm -f "$out.tmp"; die "no apt entry for '$cn' found to mirror as deb-src"; }
    mv "$out.tmp" "$out"
    apt-get update -qq
}

install_packages() {
    local missing=() p
    for p in $BUILD_PKGS $TEST_PKGS $BENCH_PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing: ${missing[*]}"
    apt-get update -qq
    # rsyslog/auditd postinst scripts try to start their services; on a
    # machine without an init system that must not fail the install.
    local policy=/usr/sbin/policy-rc.d created=
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    [ -n "$created" ] && rm -f "$policy"
    return 0
}

prepare_rsyslog_src() {
    local ver upver dir
    ver=$(dpkg-query -W -f='${Version}' rsyslog) || die "rsyslog is not installed"
    upver=${ver#*:}; upver=${upver%%-*}
    dir="$CACHE/rsyslog-$upver"
    if [ -f "$dir/config.h" ] && [ -f "$dir/.omauditfwd-prepared" ]; then
        log "using cached rsyslog $upver source in $dir"
        printf '%s\n' "$dir"; return 0
    fi
    enable_deb_src
    mkdir -p "$CACHE"
    local work; work=$(mktemp -d "$CACHE/fetch.XXXXXX")
    # Only the upstream tarball is used, and every Debian revision of one
    # upstream version shares it; some mirrors (the security archive) do not
    # serve sources, so try the installed revision first, then its siblings.
    local v tarball=
    for v in "$ver" $(apt-cache showsrc rsyslog 2>/dev/null |
                      awk -v up="$upver" '$1 == "Version:" && index($2, up) { print $2 }'); do
        log "fetching rsyslog $v source"
        (cd "$work" && apt-get source --download-only -qq "rsyslog=$v" >&2) || true
        tarball=$(ls "$work"/rsyslog_"$upver".orig.tar.* 2>/dev/null | head -n1 || true)
        [ -n "$tarball" ] && break
    done
    [ -n "$tarball" ] || die "no rsyslog_$upver.orig tarball was downloaded"
    rm -rf "$dir"
    tar -C "$CACHE" -xf "$tarball"
    [ -d "$dir" ] || die "unpacking $tarball did not create $dir"
    rm -rf "$work"
    log "configuring rsyslog $upver (only config.h is used; ~1 min)"
    (cd "$dir" && ./configure -q --disable-generate-man-pages --disable-libgcrypt \
        --disable-uuid --disable-libsystemd --disable-klog --disable-inet \
        --disable-fmhttp --disable-imjournal >"$dir/.configure.log" 2>&1) ||
        die "rsyslog configure failed; see $dir/.configure.log"
    [ -f "$dir/config.h" ] || die "rsyslog configure produced no config.h"
    touch "$dir/.omauditfwd-prepared"
    printf '%s\n' "$dir"
}

# tests/integration/oversized.sh sends to a stock syslog-ng too: it is
# unpacked privately (it conflicts with rsyslog as a package), as the
# benchmarks' peer, in /var/cache/omauditfwd/bench/syslog-ng
unpack_syslog_ng() {
    [ -n "${SKIP_APT:-}" ] && return 0
    SKIP_APT=1 bash "$(dirname "$0")/../tests/bench/setup.sh" >/dev/null ||
        die "could not unpack syslog-ng privately (tests/bench/setup.sh)"
}

[ -n "${SKIP_APT:-}" ] || install_packages
unpack_syslog_ng
prepare_rsyslog_src
