/* test_enrich.c -- decoding and interpretation as a specification: one real
 * audit line in, the value `ausearch -i` shows out, for every decoder and
 * interpreter; then the id policy (auto/always/never by origin) and the id
 * cache (hits, misses, TTL, clear). Data files: $TEST_DATA_DIR, else
 * tests/data. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "audit_record.h"
#include "buf.h"
#include "enrich.h"
#include "interpret.h"

#define DATA_DIR_ENV     "TEST_DATA_DIR"
#define DATA_DIR_DEFAULT "tests/data"
#define PATH_MAX_LEN     4096
#define LINE_MAX_LEN     4096
#define TINY_TTL_S       1
#define AFTER_TTL_S      1
#define AFTER_TTL_NS     100000000L  /* + 0.1 s */
#define THREADS          4
#define THREAD_ROUNDS    1000
#define LOCAL_HOST       "thishost.example.org"

static audit_record_t rec;
static buf_t out;
static enrich_t *en;

static void start(enrich_ids_t ids, unsigned ttl)
{
	enrich_conf_t c;

	enrich_conf_default(&c);
	c.ids = ids;
	c.id_ttl_s = ttl;
	c.local_host = LOCAL_HOST;
	enrich_free(en);
	en = enrich_new(&c);
	cr_assert_not_null(en);
}

static void setup(void)
{
	audit_record_init(&rec);
	buf_init(&out);
	en = NULL;
	start(ENRICH_IDS_ALWAYS, ENRICH_DEFAULT_ID_TTL_S);
}

static void teardown(void)
{
	enrich_free(en);
	buf_free(&out);
	audit_record_free(&rec);
}

TestSuite(enrich, .init = setup, .fini = teardown);

static const audit_field_t *field(const char *line, const char *name)
{
	const audit_field_t *f;

	cr_assert_eq(audit_record_parse(&rec, line, strlen(line)), AUDIT_PARSE_OK,
	             "does not parse: %s", line);
	f = audit_record_field(&rec, name);
	cr_assert_not_null(f, "no field %s in %s", name, line);
	return f;
}

static enrich_ctx_t ctx_of(const audit_record_t *r)
{
	enrich_ctx_t c = { .rec = r };

	return c;
}

/* The interpretation of NAME in LINE, NULL when there is none. */
static const char *interp(const char *line, const char *name)
{
	const audit_field_t *f = field(line, name);
	enrich_ctx_t c = ctx_of(&rec);

	buf_reset(&out);
	if (!enrich_interpret(en, &c, f, &out)) {
		cr_assert_eq(out.len, 0, "output written but 0 returned");
		return NULL;
	}
	buf_putc(&out, '\0');
	return out.p;
}

/* The decoded value of NAME in LINE; *CHANGED tells if it differs. */
static const char *decode(const char *line, const char *name, int *changed,
                          size_t *len)
{
	const audit_field_t *f = field(line, name);
	enrich_ctx_t c = ctx_of(&rec);

	buf_reset(&out);
	*changed = enrich_decode(&c, f, &out);
	*len = out.len;
	buf_putc(&out, '\0');
	return out.p;
}

#define EXPECT_INTERP(line, name, want) \
	cr_assert_str_eq(interp((line), (name)) ? out.p : "(none)", (want))
#define EXPECT_NONE(line, name) \
	cr_assert_null(interp((line), (name)), "interpreted as %s", out.p)

#define SYSCALL_X86 "type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e "
#define SYSCALL_ARM "type=SYSCALL msg=audit(1700000000.123:4567): arch=c00000b7 "

/* ---- decoding ------------------------------------------------------------ */

Test(enrich, decode_hex_name)
{
	int ch; size_t n;

	cr_assert_str_eq(decode("type=PATH msg=audit(1.0:1): item=0 name=2F746D702F6120622063 inode=1",
	                        "name", &ch, &n), "/tmp/a b c");
	cr_assert_eq(ch, 1);
}

Test(enrich, decode_quoted_is_unchanged)
{
	int ch; size_t n;

	cr_assert_str_eq(decode("type=SYSCALL msg=audit(1.0:1): comm=\"bash\" exe=\"/bin/bash\"",
	                        "comm", &ch, &n), "bash");
	cr_assert_eq(ch, 0);
}

Test(enrich, decode_proctitle_nul_becomes_space)
{
	int ch; size_t n;

	cr_assert_str_eq(decode("type=PROCTITLE msg=audit(1.0:1): proctitle=6966636F6E66696700656E7334002D70726F6D697363",
	                        "proctitle", &ch, &n), "ifconfig ens4 -promisc");
}

Test(enrich, decode_proctitle_lower_case_hex)
{
	int ch; size_t n;

	cr_assert_str_eq(decode("type=PROCTITLE msg=audit(1.0:1): proctitle=536f6d65",
	                        "proctitle", &ch, &n), "Some");
}

Test(enrich, decode_execve_arg_keeps_nul_and_invalid_utf8)
{
	int ch; size_t n;
	const char *v = decode("type=EXECVE msg=audit(1.0:1): argc=2 a0=\"ls\" a1=2D6C00FF",
	                       "a1", &ch, &n);

	cr_assert_eq(n, 4);
	cr_assert_eq(memcmp(v, "-l\0\xff", 4), 0);
}

Test(enrich, decode_null_is_raw)
{
	int ch; size_t n;

	cr_assert_str_eq(decode("type=SYSCALL msg=audit(1.0:1): arch=c000003e key=(null)",
	                        "key", &ch, &n), "(null)");
	cr_assert_eq(ch, 0);
}

/* ---- interpretation: the syscall record ---------------------------------- */

Test(enrich, arch)
{
	EXPECT_INTERP(SYSCALL_X86 "syscall=59", "arch", "x86_64");
	EXPECT_INTERP(SYSCALL_ARM "syscall=221", "arch", "aarch64");
	EXPECT_INTERP("type=SYSCALL msg=audit(1.0:1): arch=1234 syscall=1",
	              "arch", "unknown-elf-type(1234)");
}

Test(enrich, syscall_depends_on_arch)
{
	EXPECT_INTERP(SYSCALL_X86 "syscall=59", "syscall", "execve");
	EXPECT_INTERP(SYSCALL_ARM "syscall=221", "syscall", "execve");
	EXPECT_INTERP(SYSCALL_X86 "syscall=44", "syscall", "sendto");
}

Test(enrich, syscall_of_another_record_uses_event_arch)
{
	const audit_field_t *f = field("type=SECCOMP msg=audit(1.0:1): sig=31 syscall=221 compat=0", "syscall");
	enrich_ctx_t c = { .rec = &rec, .arch = { "c00000b7", 8 } };

	cr_assert_eq(enrich_interpret(en, &c, f, &out), 1);
	buf_putc(&out, '\0');
	cr_assert_str_eq(out.p, "execve");
}

Test(enrich, exit_errno)
{
	EXPECT_INTERP(SYSCALL_X86 "syscall=2 success=no exit=-2", "exit",
	              "ENOENT(No such file or directory)");
	EXPECT_INTERP(SYSCALL_X86 "syscall=42 success=no exit=-115", "exit",
	              "EINPROGRESS(Operation now in progress)");
	EXPECT_NONE(SYSCALL_X86 "syscall=2 success=yes exit=3", "exit");
}

Test(enrich, success_field_is_not_interpreted_but_res_is)
{
	EXPECT_NONE(SYSCALL_X86 "syscall=2 success=yes exit=3", "success");
	EXPECT_INTERP("type=CONFIG_CHANGE msg=audit(1.0:1): auid=0 ses=1 op=add_rule key=(null) list=4 res=1",
	              "res", "yes");
	EXPECT_INTERP("type=CONFIG_CHANGE msg=audit(1.0:1): auid=0 ses=1 op=add_rule key=(null) list=4 res=0",
	              "res", "no");
	EXPECT_NONE("type=USER_LOGIN msg=audit(1.0:1): pid=1 uid=0 msg='op=login res=failed'", "res");
}

Test(enrich, list)
{
	EXPECT_INTERP("type=CONFIG_CHANGE msg=audit(1.0:1): auid=0 ses=1 op=add_rule key=(null) list=4 res=1",
	              "list", "exit");
}

Test(enrich, session_unset)
{
	EXPECT_INTERP(SYSCALL_X86 "syscall=59 ses=4294967295", "ses", "unset");
	EXPECT_NONE(SYSCALL_X86 "syscall=59 ses=3", "ses");
}

Test(enrich, syscall_args_default_hex)
{
	EXPECT_INTERP(SYSCALL_X86 "syscall=59 a0=7f564b2672a0 a1=0", "a0", "0x7f564b2672a0");
	EXPECT_INTERP(SYSCALL_X86 "syscall=59 a0=7f564b2672a0 a1=0", "a1", "0x0");
}

Test(enrich, syscall_args_by_syscall)
{
	EXPECT_INTERP(SYSCALL_X86 "syscall=2 a0=1 a1=10800 a2=0", "a1",
	              "O_RDONLY|O_NONBLOCK|O_DIRECTORY");
	EXPECT_INTERP(SYSCALL_X86 "syscall=13 a0=b a1=0 a2=0", "a0", "SIGSEGV");
	EXPECT_INTERP(SYSCALL_X86 "syscall=62 a0=4d2 a1=1", "a1", "SIGHUP");
	EXPECT_INTERP(SYSCALL_X86 "syscall=41 a0=2 a1=1 a2=6", "a0", "inet");
	EXPECT_INTERP(SYSCALL_X86 "syscall=41 a0=2 a1=80801 a2=6", "a1", "SOCK_STREAM");
	EXPECT_INTERP(SYSCALL_X86 "syscall=41 a0=2 a1=1 a2=6", "a2", "tcp");
	EXPECT_INTERP(SYSCALL_X86 "syscall=265 a0=ffffff9c a1=1 a2=ffffff9c", "a0", "AT_FDCWD");
	EXPECT_INTERP(SYSCALL_X86 "syscall=133 a0=1 a1=1180 a2=0", "a1", "fifo,600");
	EXPECT_INTERP(SYSCALL_X86 "syscall=165 a0=1 a1=2 a2=3 a3=6", "a3", "MS_NOSUID|MS_NODEV");
	EXPECT_INTERP(SYSCALL_X86 "syscall=105 a0=0 a1=0", "a0", "root");
	EXPECT_INTERP(SYSCALL_X86 "syscall=90 a0=1 a1=1ed", "a1", "0755");
}

/* Which rule applies is remembered per argument, machine and syscall
 * number: the same number is another syscall on another machine (x86_64's
 * 2 is open, aarch64's io_submit), the same syscall has other rules for
 * other arguments, and numbers beyond the memo are looked up each time. */
Test(enrich, syscall_arg_rules_per_machine_argument_and_number)
{
	int round;

	for (round = 0; round < 2; round++) {   /* the second from the memo */
		EXPECT_INTERP(SYSCALL_X86 "syscall=2 a0=1 a1=10800 a2=1ed", "a1",
		              "O_RDONLY|O_NONBLOCK|O_DIRECTORY");
		EXPECT_INTERP(SYSCALL_ARM "syscall=2 a0=1 a1=10800 a2=1ed", "a1", "0x10800");
		EXPECT_INTERP(SYSCALL_X86 "syscall=2 a0=1 a1=10800 a2=1ed", "a2", "0x1ed");
		EXPECT_INTERP(SYSCALL_X86 "syscall=2 a0=1 a1=10840 a2=1ed", "a2", "0755");
		EXPECT_INTERP(SYSCALL_X86 "syscall=2 a0=1 a1=10800 a2=1ed", "a0", "0x1");
		EXPECT_INTERP(SYSCALL_X86 "syscall=1073741826 a0=1 a1=10800", "a1", "0x10800");
		EXPECT_INTERP(SYSCALL_X86 "syscall=5000 a0=1 a1=10800", "a1", "0x10800");
	}
}

Test(enrich, execve_args_are_decoded_not_interpreted)
{
	EXPECT_NONE("type=EXECVE msg=audit(1.0:1): argc=2 a0=\"ls\" a1=\"-l\"", "a0");
}

/* ---- interpretation: files, capabilities, network ------------------------ */

Test(enrich, mode)
{
	EXPECT_INTERP("type=PATH msg=audit(1.0:1): item=0 name=\"/etc/x\" mode=0100644 ouid=0", "mode", "file,644");
	EXPECT_INTERP("type=PATH msg=audit(1.0:1): item=0 name=\"/d\" mode=042775 ouid=0", "mode", "dir,sgid,775");
	EXPECT_INTERP("type=PATH msg=audit(1.0:1): item=0 name=\"/t\" mode=041777 ouid=0", "mode", "dir,sticky,777");
	EXPECT_INTERP("type=MQ_OPEN msg=audit(1.0:1): oflag=0x42 mode=0600 mq_flags=0x0", "mode", "0600");
}

Test(enrich, perm)
{
	EXPECT_INTERP("type=CONFIG_CHANGE msg=audit(1.0:1): op=add_rule perm=0 res=1", "perm", "read,write,exec,attr");
	EXPECT_INTERP("type=CONFIG_CHANGE msg=audit(1.0:1): op=add_rule perm=10 res=1", "perm", "write,attr");
}

Test(enrich, cap_bitmaps_and_capability)
{
	EXPECT_INTERP("type=BPRM_FCAPS msg=audit(1.0:1): fver=0 fp=0000000000000000 fi=0", "fp", "none");
	EXPECT_INTERP("type=PATH msg=audit(1.0:1): item=0 cap_fp=0000000000000003 cap_fi=0", "cap_fp", "chown,dac_override");
	EXPECT_INTERP("type=PATH msg=audit(1.0:1): item=0 cap_fp=0000000000200000 cap_fi=0", "cap_fp", "sys_admin");
	EXPECT_INTERP("type=AVC msg=audit(1.0:1): capability=21 capname=\"sys_admin\"", "capability", "sys_admin");
}

Test(enrich, sockaddr_inet)
{
	EXPECT_INTERP("type=SOCKADDR msg=audit(1.0:1): saddr=0200E31C4853E6640000000000000000",
	              "saddr", "{ saddr_fam=inet laddr=72.83.230.100 lport=58140 }");
}

Test(enrich, sockaddr_inet6)
{
	EXPECT_INTERP("type=SOCKADDR msg=audit(1.0:1): saddr=0A0000500000000020010DB800000000000000000000000100000000",
	              "saddr", "{ saddr_fam=inet6 laddr=2001:db8::1 lport=80 }");
}

Test(enrich, sockaddr_unix_and_abstract)
{
	EXPECT_INTERP("type=SOCKADDR msg=audit(1.0:1): saddr=01002F6465762F6C6F6700",
	              "saddr", "{ saddr_fam=local path=/dev/log }");
	EXPECT_INTERP("type=SOCKADDR msg=audit(1.0:1): saddr=0100006162",
	              "saddr", "{ saddr_fam=local path=ab }");
}

Test(enrich, sockaddr_netlink_and_others)
{
	EXPECT_INTERP("type=SOCKADDR msg=audit(1.0:1): saddr=100000000000000000000000",
	              "saddr", "{ saddr_fam=netlink nlnk-fam=16 nlnk-pid=0 }");
	EXPECT_INTERP("type=SOCKADDR msg=audit(1.0:1): saddr=11000300",
	              "saddr", "{ saddr_fam=packet (unsupported) }");
	EXPECT_INTERP("type=SOCKADDR msg=audit(1.0:1): saddr=FF00", "saddr", "unknown-family(255)");
	EXPECT_INTERP("type=SOCKADDR msg=audit(1.0:1): saddr=0200", "saddr",
	              "{ saddr_fam=inet sockaddr len too short }");
}

Test(enrich, sockaddr_in_avc_is_text)
{
	EXPECT_NONE("type=AVC msg=audit(1.0:1): avc:  denied  { name_bind } for  pid=1 saddr=10.0.0.1 src=22", "saddr");
}

Test(enrich, small_codes)
{
	EXPECT_INTERP("type=ANOM_ABEND msg=audit(1.0:1): auid=0 pid=1 comm=\"x\" sig=11 res=1", "sig", "SIGSEGV");
	EXPECT_INTERP("type=NETFILTER_CFG msg=audit(1.0:1): table=filter family=2 entries=3", "family", "ipv4");
	EXPECT_INTERP("type=NETFILTER_PKT msg=audit(1.0:1): mark=0x0 saddr=10.0.0.1 daddr=10.0.0.2 proto=6", "proto", "tcp");
	EXPECT_INTERP("type=ANOM_PROMISCUOUS msg=audit(1.0:1): dev=eth0 prom=256 old_prom=0 auid=0", "prom", "yes");
	EXPECT_INTERP("type=ANOM_PROMISCUOUS msg=audit(1.0:1): dev=eth0 prom=256 old_prom=0 auid=0", "old_prom", "no");
	EXPECT_INTERP("type=SECCOMP msg=audit(1.0:1): sig=31 arch=c000003e syscall=1 code=0x0", "code", "kill");
}

Test(enrich, tty_data)
{
	EXPECT_INTERP("type=TTY msg=audit(1.0:1): major=136 minor=0 comm=\"bash\" data=6C730D1B5B41",
	              "data", "\"ls\",<ret>,<up>");
}

/* ---- ids: names, policy, ENRICHED ---------------------------------------- */

#define LOCAL_LINE  "type=SYSCALL msg=audit(1.0:1): arch=c000003e syscall=59 auid=4294967295 uid=0 gid=0"
#define REMOTE_LINE "node=otherhost type=SYSCALL msg=audit(1.0:1): arch=c000003e syscall=59 auid=4294967295 uid=0 gid=0"
#define SAME_HOST   "node=thishost type=SYSCALL msg=audit(1.0:1): arch=c000003e syscall=59 auid=4294967295 uid=0 gid=0"

Test(enrich, ids_auto_resolves_local_records_only)
{
	start(ENRICH_IDS_AUTO, ENRICH_DEFAULT_ID_TTL_S);
	EXPECT_INTERP(LOCAL_LINE, "uid", "root");
	EXPECT_INTERP(LOCAL_LINE, "gid", "root");
	EXPECT_INTERP(SAME_HOST, "uid", "root");
	EXPECT_NONE(REMOTE_LINE, "uid");
	EXPECT_NONE(REMOTE_LINE, "gid");
	EXPECT_INTERP(REMOTE_LINE, "auid", "unset");
}

Test(enrich, ids_auto_origin_from_ctx)
{
	const audit_field_t *f;
	enrich_ctx_t c;

	start(ENRICH_IDS_AUTO, ENRICH_DEFAULT_ID_TTL_S);
	f = field(LOCAL_LINE, "uid");
	c = ctx_of(&rec);
	c.origin.p = "relayed-host";
	c.origin.len = strlen(c.origin.p);
	cr_assert_eq(enrich_interpret(en, &c, f, &out), 0);
}

Test(enrich, ids_always_resolves_both)
{
	start(ENRICH_IDS_ALWAYS, ENRICH_DEFAULT_ID_TTL_S);
	EXPECT_INTERP(LOCAL_LINE, "uid", "root");
	EXPECT_INTERP(REMOTE_LINE, "uid", "root");
}

Test(enrich, ids_never_resolves_neither)
{
	start(ENRICH_IDS_NEVER, ENRICH_DEFAULT_ID_TTL_S);
	EXPECT_NONE(LOCAL_LINE, "uid");
	EXPECT_NONE(REMOTE_LINE, "uid");
	EXPECT_INTERP(LOCAL_LINE, "auid", "unset");
}

Test(enrich, ids_unknown_and_names)
{
	EXPECT_INTERP("type=PATH msg=audit(1.0:1): item=0 ouid=1 ogid=1", "ouid", "daemon");
	EXPECT_INTERP("type=PATH msg=audit(1.0:1): item=0 ouid=1 ogid=1", "ogid", "daemon");
	EXPECT_INTERP("type=PATH msg=audit(1.0:1): item=0 ouid=3999999 ogid=1", "ouid", "unknown(3999999)");
	/* above 2^31 as ausearch -i prints it: auparse holds ids in an int */
	EXPECT_INTERP("type=SYSCALL msg=audit(1678283440.683:225): arch=c000003e "
	              "syscall=4 auid=4292467295 uid=502", "auid", "unknown(-2500001)");
	EXPECT_INTERP("type=PATH msg=audit(1.0:1): item=0 ouid=1 ogid=4294967294", "ogid", "unknown(-2)");
	EXPECT_INTERP("type=ADD_GROUP msg=audit(1.0:1): pid=1 uid=0 msg='op=add-group id=1 res=success'", "id", "daemon");
}

Test(enrich, ids_non_numeric_stay_as_written)
{
	EXPECT_NONE("type=SYSCALL msg=audit(1.0:1): arch=x86_64 syscall=execve uid=vagrant", "uid");
	EXPECT_NONE("type=SYSCALL msg=audit(1.0:1): arch=x86_64 syscall=execve uid=vagrant", "syscall");
}

Test(enrich, enriched_values_win_even_on_a_relay)
{
	start(ENRICH_IDS_AUTO, ENRICH_DEFAULT_ID_TTL_S);
	EXPECT_INTERP("node=otherhost type=SYSCALL msg=audit(1.0:1): arch=c000003e syscall=59 auid=1000 uid=0"
	              "\x1d" "ARCH=x86_64 SYSCALL=execve AUID=\"alice\" UID=\"root\"", "auid", "alice");
	EXPECT_INTERP("node=otherhost type=SYSCALL msg=audit(1.0:1): arch=c000003e syscall=59 auid=1000 uid=0"
	              " ARCH=x86_64 SYSCALL=execve AUID=\"alice\" UID=\"root\"", "auid", "alice");
	EXPECT_NONE("node=otherhost type=SYSCALL msg=audit(1.0:1): arch=c000003e syscall=59 auid=1000 uid=0"
	            "\x1d" "AUID=\"alice\"", "AUID");
}

/* ---- the id cache --------------------------------------------------------- */

static void lookup_daemon(void)
{
	cr_assert_str_eq(interp("type=PATH msg=audit(1.0:1): item=0 ouid=1", "ouid"), "daemon");
}

Test(enrich, cache_counts_hits_and_misses)
{
	const enrich_stats_t *st = enrich_stats(en);

	lookup_daemon();
	cr_assert_eq(st->id_cache_misses, 1);
	cr_assert_eq(st->id_cache_hits, 0);
	lookup_daemon();
	lookup_daemon();
	cr_assert_eq(st->id_cache_misses, 1);
	cr_assert_eq(st->id_cache_hits, 2);
	EXPECT_INTERP(LOCAL_LINE, "uid", "root");   /* 0: no lookup at all */
	cr_assert_eq(st->id_cache_misses + st->id_cache_hits, 3);
}

/* An id this host does not know is cached as its text: the hit writes
 * what the miss wrote, after text already in the output */
Test(enrich, an_unknown_id_reads_the_same_from_the_cache)
{
	const enrich_stats_t *st = enrich_stats(en);
	static const char *const lines[] = {
		"type=PATH msg=audit(1.0:1): item=0 ouid=3999999 ogid=1",
		"type=SYSCALL msg=audit(1.0:1): arch=c000003e syscall=4 auid=4292467295 uid=502",
	};
	static const char *const names[] = { "ouid", "auid" };
	static const char *const want[] = { "unknown(3999999)", "unknown(-2500001)" };
	size_t i, round;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < 2; i++) {
			const audit_field_t *f = field(lines[i], names[i]);
			enrich_ctx_t c = ctx_of(&rec);

			buf_reset(&out);
			buf_append(&out, "x=", 2);
			cr_assert(enrich_interpret(en, &c, f, &out));
			cr_assert(out.len == 2 + strlen(want[i]) &&
			          memcmp(out.p, "x=", 2) == 0 &&
			          memcmp(out.p + 2, want[i], strlen(want[i])) == 0,
			          "round %zu: %.*s", round, (int)out.len, out.p);
		}
	}
	cr_assert_eq(st->id_cache_misses, 2);
	cr_assert_eq(st->id_cache_hits, 4);
}

Test(enrich, cache_entries_expire_after_ttl)
{
	struct timespec pause = { AFTER_TTL_S, AFTER_TTL_NS };

	start(ENRICH_IDS_ALWAYS, TINY_TTL_S);
	lookup_daemon();
	lookup_daemon();
	cr_assert_eq(enrich_stats(en)->id_cache_hits, 1);
	nanosleep(&pause, NULL);
	lookup_daemon();
	cr_assert_eq(enrich_stats(en)->id_cache_misses, 2);
}

Test(enrich, cache_clear_forgets)
{
	lookup_daemon();
	enrich_clear_cache(en);
	lookup_daemon();
	cr_assert_eq(enrich_stats(en)->id_cache_misses, 2);
}

Test(enrich, cache_is_bounded)
{
	enrich_conf_t c;
	enrich_t *small;
	audit_record_t r;
	buf_t b;
	char line[LINE_MAX_LEN];
	unsigned id;

	enrich_conf_default(&c);
	c.ids = ENRICH_IDS_ALWAYS;
	c.id_cache_max = 2;
	small = enrich_new(&c);
	audit_record_init(&r);
	buf_init(&b);
	for (id = 1; id <= 10; id++) {
		enrich_ctx_t ctx = { .rec = &r };

		snprintf(line, sizeof(line), "type=PATH msg=audit(1.0:1): ouid=%u", id);
		cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK);
		buf_reset(&b);
		cr_assert_eq(enrich_interpret(small, &ctx, audit_record_field(&r, "ouid"), &b), 1);
	}
	cr_assert_eq(enrich_stats(small)->id_cache_misses, 10);
	buf_free(&b);
	audit_record_free(&r);
	enrich_free(small);
}

static void *hammer(void *arg)
{
	const char *line = "type=PATH msg=audit(1.0:1): item=0 ouid=1 ogid=2";
	audit_record_t r;
	buf_t b;
	int i, bad = 0;

	audit_record_init(&r);
	buf_init(&b);
	audit_record_parse(&r, line, strlen(line));
	for (i = 0; i < THREAD_ROUNDS; i++) {
		enrich_ctx_t ctx = { .rec = &r };

		buf_reset(&b);
		enrich_interpret(arg, &ctx, audit_record_field(&r, i % 2 ? "ouid" : "ogid"), &b);
		bad += b.len == 0;
	}
	buf_free(&b);
	audit_record_free(&r);
	return (void *)(intptr_t)bad;
}

Test(enrich, cache_shared_by_threads)
{
	pthread_t t[THREADS];
	void *bad;
	int i;

	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, hammer, en);
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], &bad);
		cr_assert_eq((intptr_t)bad, 0);
	}
	cr_assert_eq(enrich_stats(en)->id_cache_hits + enrich_stats(en)->id_cache_misses,
	             THREADS * THREAD_ROUNDS);
}

/* ---- configuration and a whole event from a file ------------------------- */

Test(enrich, ids_parse)
{
	enrich_ids_t v;

	cr_assert_eq(enrich_ids_parse("auto", &v), 0);
	cr_assert_eq(v, ENRICH_IDS_AUTO);
	cr_assert_eq(enrich_ids_parse("ALWAYS", &v), 0);
	cr_assert_eq(v, ENRICH_IDS_ALWAYS);
	cr_assert_eq(enrich_ids_parse("never", &v), 0);
	cr_assert_eq(v, ENRICH_IDS_NEVER);
	cr_assert_eq(enrich_ids_parse("sometimes", &v), -1);
}

Test(enrich, event_file)
{
	const char *dir = getenv(DATA_DIR_ENV) ? getenv(DATA_DIR_ENV) : DATA_DIR_DEFAULT;
	char path[PATH_MAX_LEN], line[LINE_MAX_LEN];
	FILE *fp;
	int ch; size_t n;

	snprintf(path, sizeof(path), "%s/enrich_event.log", dir);
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "cannot open %s", path);
	cr_assert_not_null(fgets(line, sizeof(line), fp));
	EXPECT_INTERP(line, "syscall", "execve");
	EXPECT_INTERP(line, "a3", "0x0");
	cr_assert_not_null(fgets(line, sizeof(line), fp));
	decode(line, "a1", &ch, &n);
	cr_assert_eq(n, 3);
	cr_assert_eq(memcmp(out.p, "-l\0", 3), 0);
	cr_assert_str_eq(decode(line, "a2", &ch, &n), "/tmp/\\xff");
	cr_assert_not_null(fgets(line, sizeof(line), fp));
	cr_assert_str_eq(decode(line, "proctitle", &ch, &n), "ls -l /tmp");
	fclose(fp);
}

/* AVC: seperms as auparse joins it; one permission is not interpreted */
Test(enrich, avc_permissions)
{
	const char *avc = "type=AVC msg=audit(1170021493.977:293): avc:  denied  "
	                  "{ read write } for  pid=13010 comm=\"pickup\" tclass=dir";

	EXPECT_INTERP(avc, "seperms", "read,write");
	EXPECT_NONE(avc, "seresult");
	EXPECT_NONE("type=AVC msg=audit(1170021493.977:283): avc:  denied  { read } "
	            "for  pid=13010", "seperms");
}

/* Each rule key of a multi-key value decodes on its own */
Test(enrich, split_rule_keys_decode_each)
{
	const char *line = "type=SYSCALL msg=audit(1516033123.371:1106): arch=c000003e "
	                   "syscall=59 key=65786563013634626974";
	enrich_ctx_t c;
	int ch; size_t n;

	cr_assert_str_eq(decode(line, "key", &ch, &n), "exec");
	cr_assert_eq(rec.nfields, 4);
	c = ctx_of(&rec);
	buf_reset(&out);
	cr_assert_eq(enrich_decode(&c, &rec.fields[3], &out), 1);
	cr_assert_eq(out.len, 5);
	cr_assert_eq(memcmp(out.p, "64bit", 5), 0);
}

/* ---- argv ---- */

typedef struct args { char v[8][128]; int n; } args_t;

static void collect(const char *arg, size_t len, void *ud)
{
	args_t *a = ud;

	cr_assert_lt(a->n, 8);
	cr_assert_lt(len, sizeof(a->v[0]));
	memcpy(a->v[a->n], arg, len);
	a->v[a->n++][len] = '\0';
}

static int argv_of(const char *line, args_t *a)
{
	static audit_record_t r;
	buf_t scratch;
	int n;

	memset(a, 0, sizeof(*a));
	audit_record_init(&r);
	buf_init(&scratch);
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK, "%s", line);
	n = enrich_argv(&r, &scratch, collect, a);
	buf_free(&scratch);
	audit_record_free(&r);
	return n;
}

Test(enrich, execve_argv_joins_hex_quoted_and_split_arguments)
{
	args_t a;

	/* a1 is hex ("-la"), a2 comes in two pieces ("/tmp/" + "x y") */
	cr_assert_eq(argv_of("type=EXECVE msg=audit(1700000000.100:1): argc=4 a0=\"ls\" "
	                     "a1=2D6C61 a2_len=8 a2[0]=2F746D702F a2[1]=782079 a3=\"z\"", &a), 4);
	cr_assert_str_eq(a.v[0], "ls");
	cr_assert_str_eq(a.v[1], "-la");
	cr_assert_str_eq(a.v[2], "/tmp/x y");
	cr_assert_str_eq(a.v[3], "z");
}

Test(enrich, proctitle_argv_splits_at_nul)
{
	args_t a;

	cr_assert_eq(argv_of("type=PROCTITLE msg=audit(1700000000.100:1): "
	                     "proctitle=2F62696E2F7368002D6300696400", &a), 3);
	cr_assert_str_eq(a.v[0], "/bin/sh");
	cr_assert_str_eq(a.v[1], "-c");
	cr_assert_str_eq(a.v[2], "id");
	cr_assert_eq(argv_of("type=PROCTITLE msg=audit(1700000000.100:1): proctitle=\"bash\"", &a), 1);
	cr_assert_str_eq(a.v[0], "bash");
}

/* tests/data/execve_multi.log: two events whose command lines span two
 * EXECVE records each -- one in the middle of an argument (a2[0] | a2[1]),
 * one between arguments (a0 a1 | a2). */
#define MULTI_RECS     11
#define MULTI_LINE_MAX 8192

typedef struct big_args { char v[4][6000]; size_t len[4]; int n; } big_args_t;

static void collect_big(const char *arg, size_t len, void *ud)
{
	big_args_t *a = ud;

	cr_assert_lt(a->n, 4);
	cr_assert_lt(len, sizeof(a->v[0]));
	memcpy(a->v[a->n], arg, len);
	a->v[a->n][len] = '\0';
	a->len[a->n++] = len;
}

Test(enrich, execve_argv_spans_the_records_of_an_event)
{
	const char *dir = getenv(DATA_DIR_ENV) ? getenv(DATA_DIR_ENV) : DATA_DIR_DEFAULT;
	static char lines[MULTI_RECS][MULTI_LINE_MAX];
	audit_record_t recs[MULTI_RECS];
	const audit_record_t *ev[MULTI_RECS];
	char path[PATH_MAX_LEN];
	big_args_t a;
	buf_t scratch;
	FILE *fp;
	size_t i, n = 0;

	snprintf(path, sizeof(path), "%s/execve_multi.log", dir);
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "cannot open %s", path);
	buf_init(&scratch);
	while (n < MULTI_RECS && fgets(lines[n], MULTI_LINE_MAX, fp) != NULL) {
		audit_record_init(&recs[n]);
		cr_assert_eq(audit_record_parse(&recs[n], lines[n], strlen(lines[n])),
		             AUDIT_PARSE_OK, "line %zu", n + 1);
		ev[n] = &recs[n];
		n++;
	}
	fclose(fp);
	cr_assert_eq(n, MULTI_RECS);

	/* event 9001 is records 0..6: EXECVE at 1 and 2 */
	memset(&a, 0, sizeof(a));
	cr_assert_eq(enrich_event_argv(ev, 7, ev[1], &scratch, collect_big, &a), 4);
	cr_assert_str_eq(a.v[0], "bash");
	cr_assert_str_eq(a.v[1], "-c");
	cr_assert_eq(a.len[2], 5270, "a2_len=5270, got %zu", a.len[2]);
	cr_assert_eq(strncmp(a.v[2], "for f in /var/log/*.log; do grep -c 'session opened'", 52), 0);
	cr_assert_eq(strcmp(a.v[2] + a.len[2] - 8, "xxxx end"), 0, "tail: %s",
	             a.v[2] + a.len[2] - 8);
	cr_assert_str_eq(a.v[3], "--login");
	/* the continuation record has no argv of its own; SYSCALL has none */
	cr_assert_eq(enrich_event_argv(ev, 7, ev[2], &scratch, collect_big, &a), -1);
	cr_assert_eq(enrich_event_argv(ev, 7, ev[0], &scratch, collect_big, &a), -1);
	/* alone (join off), a record shows what it holds: the piece a2[0] */
	memset(&a, 0, sizeof(a));
	cr_assert_eq(enrich_argv(ev[1], &scratch, collect_big, &a), 3);
	cr_assert_lt(a.len[2], 5270);

	/* event 9002 is records 7..10: split between whole arguments */
	memset(&a, 0, sizeof(a));
	cr_assert_eq(enrich_event_argv(ev + 7, 4, ev[8], &scratch, collect_big, &a), 3);
	cr_assert_str_eq(a.v[0], "tar");
	cr_assert_str_eq(a.v[1], "-czf");
	cr_assert_str_eq(a.v[2], "/tmp/backup.tgz");
	/* a record that is not one of the event's */
	cr_assert_eq(enrich_event_argv(ev + 7, 4, ev[1], &scratch, collect_big, &a), -1);

	for (i = 0; i < n; i++)
		audit_record_free(&recs[i]);
	buf_free(&scratch);
}

Test(enrich, execve_argument_index_that_overflows_is_not_an_argument)
{
	args_t a;

	/* 2^64 + 1 and 2^64 wrapped to 1 and 0 (and were undefined) */
	cr_assert_eq(argv_of("type=EXECVE msg=audit(1700000000.100:1): argc=1 a0=\"ls\" "
	                     "a18446744073709551617=\"x\"", &a), 1);
	cr_assert_str_eq(a.v[0], "ls");
	cr_assert_eq(argv_of("type=EXECVE msg=audit(1700000000.100:1): argc=2 a0=\"ls\" "
	                     "a1[18446744073709551616]=\"x\"", &a), 1);
	cr_assert_str_eq(a.v[0], "ls");
	cr_assert_eq(argv_of("type=EXECVE msg=audit(1700000000.100:1): argc=1 "
	                     "a99999999999999999999=\"x\" a0[99999999999999999999]=\"y\"", &a), 0);
}

Test(enrich, argv_only_for_execve_and_proctitle)
{
	args_t a;

	cr_assert_eq(argv_of("type=SYSCALL msg=audit(1700000000.100:1): a0=1 a1=2", &a), -1);
	cr_assert_eq(a.n, 0);
}

/* The number parser's unchecked first digits (19 decimal, 15 hex) and the
 * checked ones after them: the largest u64 parses, one more does not, in
 * both bases; a bad digit fails anywhere in the number. */
Test(enrich, numbers_parse_up_to_the_largest_u64_and_not_beyond)
{
	static const struct {
		const char *s;
		int base, ok;
		unsigned long long v;
	} cases[] = {
		{ "0", 10, 1, 0 },
		{ "4294967295", 10, 1, 4294967295ULL },
		{ "9999999999999999999", 10, 1, 9999999999999999999ULL },
		{ "18446744073709551615", 10, 1, 18446744073709551615ULL },
		{ "18446744073709551616", 10, 0, 0 },
		{ "99999999999999999999", 10, 0, 0 },
		{ "000000000000000000000000000042", 10, 1, 42 },
		{ "", 10, 0, 0 },
		{ "12a", 10, 0, 0 },
		{ "1234567890123456789x", 10, 0, 0 },
		{ "-1", 10, 0, 0 },
		{ "7fffffffffffffff", 16, 1, 0x7fffffffffffffffULL },
		{ "ffffffffffffffff", 16, 1, 0xffffffffffffffffULL },
		{ "FFFFFFFFFFFFFFFF", 16, 1, 0xffffffffffffffffULL },
		{ "10000000000000000", 16, 0, 0 },
		{ "fffffffffffffffg", 16, 0, 0 },
		{ "0x10", 16, 0, 0 },
		{ "777", 8, 1, 0777 },
		{ "8", 8, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long long v = 12345;
		int ok = interp_parse_ull(cases[i].s, cases[i].base, &v);

		cr_expect_eq(ok, cases[i].ok, "\"%s\" base %d: %d", cases[i].s, cases[i].base, ok);
		if (cases[i].ok)
			cr_expect_eq(v, cases[i].v, "\"%s\": %llu", cases[i].s, v);
		else
			cr_expect_eq(v, 12345ULL, "\"%s\" wrote %llu", cases[i].s, v);
	}
}

/* enrich_decoded is enrich_decode without the copy: the same text for
 * every encoding, the field's own bytes when decoding changes nothing */
Test(enrich, the_decoded_view_is_the_decoded_text)
{
	static const char line[] =
		"type=PROCTITLE msg=audit(1.0:1): proctitle=2F62696E2F7368002D63 "
		"name=2F746D702F61 comm=\"bash\" pid=42 key=(null) "
		"subj=unconfined_u:unconfined_r:unconfined_t:s0 x=";
	static const char *const names[] = { "proctitle", "name", "comm", "pid", "key",
	                                     "subj", "x" };
	size_t i;
	buf_t want, scratch;

	buf_init(&want);
	buf_init(&scratch);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const audit_field_t *f = field(line, names[i]);
		enrich_ctx_t c = ctx_of(&rec);
		audit_view_t v;
		int changed;

		buf_reset(&want);
		changed = enrich_decode(&c, f, &want);
		buf_append(&scratch, "stale", 5);
		v = enrich_decoded(&c, f, &scratch);
		cr_expect_eq(v.len, want.len, "%s: %zu, want %zu", names[i], v.len, want.len);
		cr_expect(v.len == 0 || memcmp(v.p, want.p, v.len) == 0, "%s: %.*s", names[i],
		          (int)v.len, v.p);
		if (!changed)
			cr_expect_eq(v.p, f->value.p, "%s was copied", names[i]);
	}
	buf_free(&want);
	buf_free(&scratch);
}

/* interp_unhex decodes in one pass: a bad digit anywhere, even the last,
 * leaves OUT as it was (what is already in it included) */
Test(enrich, unhex_keeps_nothing_of_a_value_that_is_not_hex)
{
	static const struct {
		const char *in;
		int ok;
		const char *want;
	} cases[] = {
		{ "2F746D70", 1, "pre/tmp" }, { "2f746d70", 1, "pre/tmp" },
		{ "2F746D7G", 0, "pre" }, { "GF746D70", 0, "pre" }, { "2F746D7", 0, "pre" },
		{ "", 0, "pre" }, { "00", 1, "pre\\0" },
	};
	size_t i;
	buf_t b;

	buf_init(&b);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ok;

		buf_reset(&b);
		buf_append(&b, "pre", 3);
		ok = interp_unhex(cases[i].in, strlen(cases[i].in), &b);
		cr_expect_eq(ok, cases[i].ok, "%s", cases[i].in);
		if (strcmp(cases[i].want, "pre\\0") == 0)
			cr_expect(b.len == 4 && memcmp(b.p, "pre\0", 4) == 0, "%s", cases[i].in);
		else
			cr_expect(b.len == strlen(cases[i].want) &&
			          memcmp(b.p, cases[i].want, b.len) == 0,
			          "%s: %.*s", cases[i].in, (int)b.len, b.p);
	}
	buf_free(&b);
}

/* the reference: a byte's hex value, -1 when it is not a hex digit */
static int ref_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Sixteen digits at a time, then one pair at a time: the same bytes as a
 * pair-by-pair reference for every length from 0 to 80, digits of both
 * cases, and a byte that is not a digit at every position (the bytes
 * around the ranges: '/', ':', '@', 'G', '`', 'g', 0x80, 0xC0, 0xE0) */
Test(enrich, unhex_in_rounds_equals_pair_by_pair)
{
	static const char digits[] = "0123456789abcdefABCDEF";
	static const unsigned char bad[] = { '/', ':', '@', 'G', '`', 'g', 0x80, 0xC0, 0xE0, 0 };
	char in[81], want[41];
	size_t len, at, k, checked = 0;
	unsigned seed = 12345;
	buf_t b;

	buf_init(&b);
	for (len = 0; len <= 80; len++) {
		for (at = 0; at <= len; at++) {
			for (k = 0; k < sizeof(bad); k++) {
				size_t i;
				int ok = len > 0 && len % 2 == 0, got;

				for (i = 0; i < len; i++) {
					seed = seed * 1103515245u + 12345u;
					in[i] = digits[(seed >> 16) % (sizeof(digits) - 1)];
				}
				if (at < len)
					in[at] = (char)bad[k];
				for (i = 0; ok && i < len; i += 2) {
					int hi = ref_hex((unsigned char)in[i]), lo = ref_hex((unsigned char)in[i + 1]);

					if (hi < 0 || lo < 0)
						ok = 0;
					else
						want[i / 2] = (char)(hi * 16 + lo);
				}
				buf_reset(&b);
				buf_append(&b, "pre", 3);
				got = interp_unhex(in, len, &b);
				cr_assert_eq(got, ok, "len %zu, bad byte 0x%02x at %zu", len, bad[k], at);
				cr_assert_eq(b.len, 3 + (ok ? len / 2 : 0), "len %zu at %zu", len, at);
				cr_assert(memcmp(b.p, "pre", 3) == 0);
				if (ok)
					cr_assert(memcmp(b.p + 3, want, len / 2) == 0, "len %zu", len);
				checked++;
				if (at == len)
					break;   /* no bad byte: once */
			}
		}
	}
	cr_expect_gt(checked, 20000);
	buf_free(&b);
}

/* ---- the filter of interpretable names ----------------------------------- */

typedef struct filter_counts {
	unsigned long fields, passed, interpreted;
} filter_counts_t;

/* every field of every audit line of PATH: the filter never hides an
 * interpretation */
static void filter_file(const char *path, filter_counts_t *n)
{
	char line[LINE_MAX_LEN];
	FILE *fp = fopen(path, "r");
	size_t i;

	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		enrich_ctx_t c = ctx_of(&rec);

		if (audit_record_parse(&rec, line, strlen(line)) != AUDIT_PARSE_OK || !rec.indexed)
			continue;
		for (i = 0; i < rec.nfields; i++) {
			const audit_field_t *f = &rec.fields[i];
			int may = enrich_name_may_interpret(f->hash);

			buf_reset(&out);
			n->fields++;
			n->passed += (unsigned long)may;
			if (enrich_interpret_computed(en, &c, f, &out)) {
				n->interpreted++;
				cr_assert(may, "%s: %.*s=%.*s has an interpretation the filter hides",
				          path, (int)f->name.len, f->name.p, (int)f->value.len, f->value.p);
			}
		}
	}
	fclose(fp);
}

static void filter_walk(const char *dir, int depth, filter_counts_t *n)
{
	struct dirent **names;
	char path[PATH_MAX_LEN];
	struct stat st;
	int i, k;

	if (depth > 4 || (k = scandir(dir, &names, NULL, alphasort)) < 0)
		return;
	for (i = 0; i < k; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				filter_walk(path, depth + 1, n);
			else if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
				filter_file(path, n);
		}
		free(names[i]);
	}
	free(names);
}

/* enrich_name_may_interpret lets callers skip the names that have no
 * interpretation: over every field of tests/data and of the corpus
 * ($CORPUS_DIR, else ../shared/corpus, when there), no field with an
 * interpretation is filtered out, and the filter does filter. */
Test(enrich, the_name_filter_never_hides_an_interpretation)
{
	const char *data = getenv(DATA_DIR_ENV), *corpus = getenv("CORPUS_DIR");
	filter_counts_t n = { 0, 0, 0 };

	filter_walk(data != NULL && *data ? data : DATA_DIR_DEFAULT, 0, &n);
	filter_walk(corpus != NULL && *corpus ? corpus : "../shared/corpus", 0, &n);
	static const char *const plain[] = {
		"pid", "ppid", "comm", "exe", "items", "inode", "dev", "name", "cwd", "key",
	};
	size_t i, out_of = 0;

	cr_assert_gt(n.interpreted, 100, "only %lu fields interpreted", n.interpreted);
	cr_assert_lt(n.passed, n.fields, "the filter let all %lu fields through", n.fields);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		out_of += !enrich_name_may_interpret(audit_name_hash(plain[i], strlen(plain[i])));
	cr_assert_geq(out_of, 8, "only %zu of 10 names without interpretation filtered", out_of);
}
