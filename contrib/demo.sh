#!/usr/bin/env bash
# The demo: a sample audit log goes, as auditd's syslog plugin would send
# it, into a private rsyslogd that runs omauditfwd, which forwards every
# record as JSON to a second private rsyslogd (the "collector"). Shows the
# configuration and what the collector received. Installs and builds what it
# needs first; touches neither the system rsyslogd nor its configuration.
#
#   bash contrib/demo.sh [AUDIT_LOG]     (default: contrib/demo/audit.log)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
sample=$(realpath "${1:-$top/contrib/demo/audit.log}")
build=$top/_build/demo

echo "== preparing (packages, rsyslog SDK, build) ..."
rsrc=$(bash "$top/contrib/setup-debian.sh" | tail -n 1)
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null 2>&1)
mkdir -p "$build"
if [ ! -f "$build/Makefile" ]; then
	(cd "$build" && "$top/configure" -q --with-rsyslog-src="$rsrc" >/dev/null)
fi
make -s -C "$build" -j"$(nproc)" >/dev/null

set +e +u
top_srcdir=$top top_builddir=$build
OMAUDITFWD_MODULE=$build/omauditfwd/.libs/omauditfwd.so
# shellcheck source=../tests/integration/lib.sh
. "$top/tests/integration/lib.sh"

rport=$(free_port)
receiver_conf "$rport" "$T/collector.out" collector >"$T/collector.conf"
rsyslog_start collector "$T/collector.conf"

sport=$(free_port)
action=$(omauditfwd_action "$rport")
sender_conf "$sport" "$action" forwarder >"$T/forwarder.conf"
rsyslog_start forwarder "$T/forwarder.conf"

echo
echo "== the forwarder's action (rsyslogd $(rsyslogd -v | sed -n '1s/^rsyslogd *\([^ ]*\).*/\1/p'), module $OMAUDITFWD_MODULE):"
echo "$action" | sed 's/^/   /'
echo
echo "== sending $(wc -l <"$sample") lines of $sample as host 'web01' (audisp-syslog) ..."
SEND_HOST=web01 send_lines "$sample" "$sport" >/dev/null || fail "sending failed"
# the records of each event arrive as one message: 6 events + 1 unparsed line
want=7
wait_for_lines "$T/collector.out" "$want" 30 || fail "the collector did not receive everything"

echo
echo "== the collector received $(count_lines "$T/collector.out") messages for $(wc -l <"$sample") lines:" \
     "one per audit event, its records joined. The sudo event, pretty-printed:"
grep -m 1 '"EXECVE"' "$T/collector.out" | "$PYTHON" -m json.tool
echo
echo "== all of them, one line each (id, host, the records of the event):"
"$PYTHON" - "$T/collector.out" <<'PY'
import json, sys
meta = {"id", "time", "host", "node", "type", "incomplete"}
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["type"] == "UNPARSED":
        print("  %-22s %-6s UNPARSED reason=%s raw=%r" % ("-", o["host"], o["reason"], o["raw"][:40]))
        continue
    recs = ["%s%s" % (k, "[%d]" % len(v) if isinstance(v, list) else "") for k, v in o.items() if k not in meta]
    print("  %-22s %-6s %s" % (o["id"], o["host"], " + ".join(recs)))
PY
echo
echo "== the same preview without rsyslogd: $build/omauditfwd/auditfwd --stats $sample"
"$AUDITFWD" --stats "$sample" >/dev/null
rsyslog_stop forwarder
rsyslog_stop collector
echo
echo "Demo done."
pass
