#!/usr/bin/env bash
# Build rsyslog-omauditfwd_<version>_<arch>.deb from this checkout:
#   bash contrib/build-deb.sh [OUTDIR]      (default: _build/deb)
# The package depends on exactly the installed rsyslog version and is built
# against its source (contrib/setup-debian.sh prepares both).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/_build/deb}" && cd "${1:-$top/_build/deb}" && pwd)
rsrc=$(bash "$top/contrib/setup-debian.sh" | tail -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ver=$(sed -n '1s/^omauditfwd (\([^-)]*\).*/\1/p' "$top/contrib/debian/changelog")
src=$work/omauditfwd-$ver
mkdir -p "$src"
# the committed tree plus uncommitted changes, without build products
(cd "$top" && git ls-files -co --exclude-standard -z | grep -zv '^_build/' |
	xargs -0 tar -cf - --no-recursion) | tar -C "$src" -xf -
cp -r "$top/contrib/debian" "$src/debian"
(cd "$src" && tar -C "$work" -czf "$work/omauditfwd_${ver%-*}.orig.tar.gz" "omauditfwd-$ver")
(cd "$src" && OMAUDITFWD_RSYSLOG_SRC=$rsrc dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) || {
	tail -n 60 "$work/build.log"; echo "build-deb: dpkg-buildpackage failed" >&2; exit 1; }
cp "$work"/rsyslog-omauditfwd_*.deb "$out/"
ls "$out"/rsyslog-omauditfwd_*.deb
