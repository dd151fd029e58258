#!/usr/bin/env bash
# contrib/audit/: the rules load without a kernel? No: auditctl needs one.
# So this checks what can be checked here: every line is a comment, a known
# control option, a watch (-w PATH -p PERMS -k KEY) or a syscall rule
# (-a always,exit -F arch=b64|b32 -S names [-F field=value...] -k KEY);
# every syscall name exists for its arch (ausyscall --exact); every rule has
# a key from the documented key list; the plugin config enables
# audisp-syslog with a valid priority and facility.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require_cmd ausyscall
plugin=$top_srcdir/contrib/audit/syslog.conf
fields='arch auid uid euid gid egid success exit a0 a1 a2 a3 path dir perm exe key pid ppid'
errors=0
err() { echo "  $rules:$ln: $*"; errors=$((errors + 1)); }
# check_rules FILE: the rules of FILE (nrules: how many)
check_rules() {
rules=$1 nrules=0 ln=0
keys=$(sed -n 's/^## keys: //p; s/^##       //p' "$rules" | tr -d ' ' | tr ',' '\n' | grep -v '^$')
[ -n "$keys" ] || fail "no key list in $rules"
while IFS= read -r line; do
	ln=$((ln + 1))
	case $line in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086
	set -- $line
	case $1 in
	-b|-f|--backlog_wait_time|-e)
		[ $# -eq 2 ] && [ "$2" -eq "$2" ] 2>/dev/null || err "bad control option: $line"
		continue ;;
	-w)
		[ $# -eq 6 ] && [ "$3" = -p ] && [ "$5" = -k ] || { err "bad watch: $line"; continue; }
		case $2 in /*) ;; *) err "watch path not absolute: $2" ;; esac
		printf '%s' "$4" | grep -Eq '^[rwxa]+$' || err "bad permissions: $4"
		key=$6 ;;
	-a)
		[ "$2" = always,exit ] || err "expected -a always,exit: $line"
		shift 2
		arch= key= syscalls=
		while [ $# -gt 0 ]; do
			case $1 in
			-F) case $2 in
				arch=b64) arch=x86_64 ;;
				arch=b32) arch=i386 ;;
				*) f=${2%%[=!<>]*}
				   printf ' %s ' "$fields" | grep -q " $f " || err "unknown field: $2" ;;
				esac
				shift 2 ;;
			-S) syscalls=$2; shift 2 ;;
			-k) key=$2; shift 2 ;;
			*) err "unknown option $1"; shift ;;
			esac
		done
		[ -n "$arch" ] || err "syscall rule without -F arch="
		[ -n "$syscalls" ] || err "syscall rule without -S"
		for s in ${syscalls//,/ }; do
			ausyscall "$arch" "$s" --exact >/dev/null 2>&1 || err "no syscall '$s' on $arch"
		done ;;
	*)
		err "unknown rule: $line"; continue ;;
	esac
	[ -n "$key" ] || err "rule without a key"
	printf '%s\n' "$keys" | grep -qx -- "$key" || err "key '$key' not in the documented key list"
	nrules=$((nrules + 1))
done <"$rules"
[ "$nrules" -ge 20 ] || fail "only $nrules rules in $rules"
}
check_rules "$top_srcdir/contrib/audit/omauditfwd.rules"
n1=$nrules
# the ATT&CK ruleset: every key starts with a technique id, which the CLI
# recognises (its JSON "attack" member names it)
check_rules "$top_srcdir/contrib/audit/omauditfwd-attack.rules"
n2=$nrules
cli=$AUDITFWD
[ -x "$cli" ] || fail "no CLI at $cli"
for key in $keys; do
	printf '%s' "$key" | grep -Eq '^T[0-9]{4}(\.[0-9]{3})?_[a-z0-9_]+$' ||
		err "key '$key' does not start with a technique id"
	id=${key%%_*}
	echo "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes key=\"$key\"" |
		"$cli" --join off --attack-mapping "$top_srcdir/contrib/audit/attack-mapping.conf" |
		grep -q "\"attack\":{\"technique\":\[\"$id\"\],\"tactic\":\[\"" ||
		err "key '$key': the CLI does not tag it $id with a tactic from attack-mapping.conf"
done
[ "$errors" -eq 0 ] || fail "$errors problem(s) in the audit rules"

grep -qx 'active = yes' "$plugin" || fail "the syslog plugin is not enabled"
grep -qx 'path = /sbin/audisp-syslog' "$plugin" || fail "the plugin path is not audisp-syslog"
args=$(sed -n 's/^args = //p' "$plugin")
for a in $args; do
	case $a in
	LOG_EMERG|LOG_ALERT|LOG_CRIT|LOG_ERR|LOG_WARNING|LOG_NOTICE|LOG_INFO|LOG_DEBUG) ;;
	LOG_LOCAL[0-7]|LOG_AUTH|LOG_AUTHPRIV|LOG_DAEMON|LOG_SYSLOG|LOG_USER) ;;
	*) fail "plugin args: unknown '$a'" ;;
	esac
done
pass "$n1 + $n2 rules, every syscall known, every rule keyed (the ATT&CK set by technique, each mapped); plugin config valid"
