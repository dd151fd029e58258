#!/bin/bash
# hostile.sh -- the formats on crafted records against ordinary records of
# the same size (issue 13: names that collide after de-duplication cost
# 24 s for one 4000-field line in the JSON formatter before).
#
#   tests/bench/hostile.sh [AUDITFWD] [REPEAT]
#
# AUDITFWD: the CLI (default _build/plain/omauditfwd/auditfwd); REPEAT:
# events of each kind per run (default 20). Prints, per format and shape,
# the CPU seconds (user + system) and the ratio to the ordinary record.
# Run by hand (not part of make check); record figures in RESULTS.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../_build/plain/omauditfwd/auditfwd}
repeat=${2:-20}
fields=4000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# one file per shape: REPEAT events of one SYSCALL record of FIELDS fields
python3 - "$tmp" "$repeat" "$fields" <<'PY'
import sys
tmp, repeat, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
shapes = {
    "ordinary": lambda i: "f%d=1" % i,
    "collide":  lambda i: "a=1" if i % 2 else "a_%d=1" % (i // 2 + 2),
    "upper":    lambda i: "uid=0" if i % 2 else "UID_%d=1" % (i // 2 + 2),
    "suffixed": lambda i: "a=1" if i < n // 2 else "a_%d=1" % (i - n // 2 + 2),
}
for name, f in shapes.items():
    with open("%s/%s.log" % (tmp, name), "w") as out:
        for ev in range(1, repeat + 1):
            fs = " ".join(f(i) for i in range(n - 1))
            out.write("type=SYSCALL msg=audit(1700000000.%03d:%d): arch=c000003e %s\n"
                      % (ev % 1000, ev, fs))
            out.write("type=EOE msg=audit(1700000000.%03d:%d): \n" % (ev % 1000, ev))
PY

cpu() {   # CPU seconds of one run of the CLI
	/usr/bin/time -f '%U %S' "$bin" --enrich-ids never "$@" 2>&1 >/dev/null |
		awk 'END { printf "%.2f", $1 + $2 }'
}

printf '%-6s %-9s %8s %8s %6s\n' format shape bytes cpu_s ratio
for fmt in json leef cef raw; do
	base=$(cpu --format "$fmt" "$tmp/ordinary.log")
	for shape in ordinary collide upper suffixed; do
		t=$(cpu --format "$fmt" "$tmp/$shape.log")
		printf '%-6s %-9s %8d %8s %6s\n' "$fmt" "$shape" "$(stat -c %s "$tmp/$shape.log")" \
			"$t" "$(awk -v a="$t" -v b="$base" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
	done
done
