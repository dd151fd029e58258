/* test_filter.c -- the filter rule language and its evaluation: every
 * field, globs, first match wins, errors that name the rule and the word,
 * limit windows on an injected clock with their summaries, rollback. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"

#define EXECVE_LINE \
	"type=SYSCALL msg=audit(1700000000.123:1): arch=c000003e syscall=59 success=yes " \
	"exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=0 " \
	"comm=\"sudo\" exe=\"/usr/bin/sudo\" key=\"T1548.003_2\""
#define CONNECT_LINE \
	"node=web01 type=SYSCALL msg=audit(1700000001.000:2): arch=c000003e syscall=42 " \
	"success=no exit=-111 a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=1 pid=77 auid=4294967295 " \
	"uid=33 gid=33 euid=33 comm=\"curl\" exe=\"/usr/bin/curl\" key=(null)"
#define SOCKADDR_LINE \
	"node=web01 type=SOCKADDR msg=audit(1700000001.000:2): saddr=020000500A000001"
#define LOGIN_LINE \
	"type=USER_LOGIN msg=audit(1700000002.000:3): pid=9 uid=0 auid=1000 ses=1 " \
	"msg='op=login acct=\"alice\" exe=\"/usr/sbin/sshd\" hostname=? addr=10.1.2.3 " \
	"terminal=ssh res=failed'"
/* exe in hex (a space in the path), two keys joined by 0x01 */
#define HEX_LINE \
	"type=SYSCALL msg=audit(1700000003.000:4): arch=c000003e syscall=2 success=yes " \
	"exit=3 items=1 ppid=1 pid=5 auid=1000 uid=1000 gid=0 euid=1000 comm=\"my prog\" " \
	"exe=2F746D702F6D792070726F67 key=6964656E7469747901543130383721"

static audit_record_t recs[4];
static const audit_record_t *ptrs[4];
static size_t nrecs;
static filter_t *flt;

static void setup(void)
{
	size_t i;

	for (i = 0; i < 4; i++)
		audit_record_init(&recs[i]);
	nrecs = 0;
	flt = NULL;
}

static void teardown(void)
{
	size_t i;

	for (i = 0; i < 4; i++)
		audit_record_free(&recs[i]);
	filter_free(flt);
}

TestSuite(filter, .init = setup, .fini = teardown);

static void event(const char *a, const char *b)
{
	nrecs = 0;
	cr_assert_eq(audit_record_parse(&recs[0], a, strlen(a)), AUDIT_PARSE_OK);
	ptrs[nrecs++] = &recs[0];
	if (b != NULL) {
		cr_assert_eq(audit_record_parse(&recs[1], b, strlen(b)), AUDIT_PARSE_OK);
		ptrs[nrecs++] = &recs[1];
	}
}

static filter_t *rules(const char *text)
{
	char err[512] = "";
	const char *t[1] = { text };
	filter_rules_t *rs = filter_rules_parse(t, 1, err, sizeof(err));

	cr_assert_not_null(rs, "%s: %s", text, err);
	filter_free(flt);
	flt = filter_new(rs);
	cr_assert_not_null(flt);
	return flt;
}

/* the decision for the current event at NOW ms: "keep", "drop",
 * "suppress", and the rule's index in *RULE */
static filter_action_t decide_at(int64_t now, int *rule)
{
	audit_view_t host = { "web01", 5 };

	return filter_decide(flt, ptrs, nrecs, host, now, rule);
}

/* does the rule "drop COND" drop the event? */
static int drops(const char *cond)
{
	char text[1024];
	int rule;
	filter_action_t a;

	snprintf(text, sizeof(text), "drop %s", cond);
	rules(text);
	filter_begin(flt);
	a = decide_at(0, &rule);
	filter_commit(flt);
	return a == FILTER_DROP;
}

static char *parse_error(const char *const *texts, size_t n)
{
	static char err[512];
	filter_rules_t *rs = filter_rules_parse(texts, n, err, sizeof(err));

	cr_assert_null(rs, "parsed: %s", texts[0]);
	return err;
}

Test(filter, every_field_matches_and_misses)
{
	event(EXECVE_LINE, NULL);
	cr_expect(drops("type=SYSCALL"));
	cr_expect(!drops("type=PATH"));
	cr_expect(drops("key=T1548*"));
	cr_expect(!drops("key=T1059*"));
	cr_expect(drops("syscall=execve"));
	cr_expect(drops("syscall=59"));
	cr_expect(!drops("syscall=connect,42"));
	cr_expect(drops("exe=/usr/bin/*"));
	cr_expect(!drops("exe=/usr/sbin/*"));
	cr_expect(drops("comm=su?o"));
	cr_expect(drops("uid=0"));
	cr_expect(drops("uid=root"));
	cr_expect(drops("auid=1000"));
	cr_expect(!drops("auid=unset"));
	cr_expect(drops("euid=0"));
	cr_expect(drops("success=yes"));
	cr_expect(!drops("success=no"));
	cr_expect(drops("host=web*"));
	cr_expect(!drops("node=*"));       /* no node= in the line */
	cr_expect(!drops("family=inet"));  /* no SOCKADDR */
	cr_expect(drops("family!=inet"));
}

Test(filter, socket_node_and_unset)
{
	event(CONNECT_LINE, SOCKADDR_LINE);
	cr_expect(drops("family=inet addr=10.0.0.* port=80"));
	cr_expect(!drops("family=inet6"));
	cr_expect(!drops("port=443"));
	cr_expect(drops("family=2"));
	cr_expect(drops("node=web01"));
	cr_expect(drops("auid=unset uid=33"));
	cr_expect(drops("key=(null)"));
	cr_expect(!drops("key!=(null)"));
	cr_expect(drops("success=no syscall=connect"));
}

Test(filter, user_records_res_and_nested_exe)
{
	event(LOGIN_LINE, NULL);
	cr_expect(drops("success=no"));
	cr_expect(drops("exe=/usr/sbin/sshd type=USER_*"));
	cr_expect(!drops("syscall=execve"));   /* no syscall in the event */
	cr_expect(drops("syscall!=execve"));
}

Test(filter, hex_values_and_several_keys)
{
	event(HEX_LINE, NULL);
	cr_expect(drops("exe=\"/tmp/my prog\""));
	cr_expect(drops("comm=\"my prog\""));
	cr_expect(drops("key=identity"));
	cr_expect(drops("key=T1087!"));
	cr_expect(!drops("key=(null)"));
}

Test(filter, conditions_and_values)
{
	event(EXECVE_LINE, NULL);
	cr_expect(drops("uid=5,0,7"));               /* values: any */
	cr_expect(!drops("uid=0 comm=bash"));        /* fields: all */
	cr_expect(drops("uid!=5,6"));                /* != : none of them */
	cr_expect(!drops("uid!=5,0"));
	cr_expect(drops(""));                        /* no condition: every event */
}

Test(filter, globs)
{
	cr_expect(filter_glob("*", "", 0));
	cr_expect(filter_glob("a*c", "abbbc", 5));
	cr_expect(filter_glob("a*c", "ac", 2));
	cr_expect(!filter_glob("a*c", "abcd", 4));
	cr_expect(filter_glob("*/sh", "/usr/bin/sh", 11));
	cr_expect(filter_glob("?", "x", 1));
	cr_expect(!filter_glob("?", "", 0));
	cr_expect(filter_glob("a\\*", "a*", 2));
	cr_expect(!filter_glob("a\\*", "ab", 2));
	cr_expect(filter_glob("*a*b*", "xxaxxbxx", 8));
}

Test(filter, first_match_wins_and_default_keeps)
{
	int rule;
	const char *t[3] = { "keep exe=/usr/bin/sudo", "drop uid=0", "cron: drop comm=cron" };
	char err[256];
	filter_rules_t *rs = filter_rules_parse(t, 3, err, sizeof(err));

	cr_assert_not_null(rs, "%s", err);
	flt = filter_new(rs);
	cr_assert_str_eq(filter_rule_name(rs, 0), "rule1");
	cr_assert_str_eq(filter_rule_name(rs, 2), "cron");
	event(EXECVE_LINE, NULL);
	filter_begin(flt);
	cr_expect_eq(decide_at(0, &rule), FILTER_KEEP);
	cr_expect_eq(rule, 0);
	event(CONNECT_LINE, NULL);                    /* uid 33, curl: no rule */
	cr_expect_eq(decide_at(0, &rule), FILTER_KEEP);
	cr_expect_eq(rule, -1);
	filter_commit(flt);
	cr_expect_eq(filter_rule_counters(rs, 0)->kept, 1);
	cr_expect_eq(filter_rule_counters(rs, 1)->dropped, 0);
}

Test(filter, errors_name_the_rule_and_the_word)
{
	const char *t1[2] = { "drop uid=0", "noisy: drop colour=red" };
	const char *t2[1] = { "discard key=x" };
	const char *t3[1] = { "limit 10 key=x" };
	const char *t4[1] = { "drop syscall=notacall" };
	const char *t5[1] = { "drop uid=nosuchuser_xyz" };
	const char *t6[2] = { "a: drop", "a: keep" };
	const char *t7[1] = { "drop key=\"unbalanced" };
	const char *t8[1] = { "bad!: drop" };
	const char *t9[1] = { "drop success=maybe" };
	const char *t10[1] = { "limit 5/s per pid" };

	cr_expect_str_eq(parse_error(t1, 2), "rule 2 (noisy): 'colour=red': unknown field "
	                 "'colour' (type, key, syscall, exe, comm, uid, auid, euid, success, "
	                 "host, node, family, addr, port)");
	cr_expect(strstr(parse_error(t2, 1), "rule 1 (rule1): 'discard': unknown action") != NULL);
	cr_expect(strstr(parse_error(t3, 1), "'10': a limit is N/s") != NULL);
	cr_expect(strstr(parse_error(t4, 1), "'notacall': not a syscall") != NULL);
	cr_expect(strstr(parse_error(t5, 1), "'nosuchuser_xyz': not a user name") != NULL);
	cr_expect(strstr(parse_error(t6, 2), "rule 2 (a): the name 'a' is already rule 1's") != NULL);
	cr_expect(strstr(parse_error(t7, 1), "unbalanced quote") != NULL);
	cr_expect(strstr(parse_error(t8, 1), "rule 1: 'bad!': a rule name is") != NULL);
	cr_expect(strstr(parse_error(t9, 1), "'maybe': success is yes or no") != NULL);
	cr_expect(strstr(parse_error(t10, 1), "'per' is followed by 'exe'") != NULL);
}

Test(filter, comments_blank_lines_and_file_positions)
{
	char path[] = "/tmp/test_filter_XXXXXX", err[512];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	filter_rules_t *rs;

	fputs("# noise\n\nkeep key=T1*   # ATT&CK first\ndrop type=CWD\nfoo\n", f);
	fclose(f);
	rs = filter_rules_load(path, err, sizeof(err));
	cr_expect_null(rs);
	cr_expect(strstr(err, "rule 5 (rule5): 'foo': unknown action") != NULL, "%s", err);
	f = fopen(path, "w");
	fputs("# noise\n\nkeep key=T1*   # ATT&CK first\ndrop type=CWD\n", f);
	fclose(f);
	rs = filter_rules_load(path, err, sizeof(err));
	cr_assert_not_null(rs, "%s", err);
	cr_expect_eq(filter_rules_count(rs), 2);
	cr_expect_str_eq(filter_rule_name(rs, 1), "rule4");
	filter_rules_free(rs);
	unlink(path);
	cr_expect_null(filter_rules_load("/nonexistent/rules", err, sizeof(err)));
	cr_expect(strstr(err, "cannot open /nonexistent/rules") != NULL);
}

/* N events at NOW; how many were kept */
static int burst(int n, int64_t now)
{
	int i, kept = 0, rule;

	for (i = 0; i < n; i++)
		kept += decide_at(now, &rule) == FILTER_KEEP;
	return kept;
}

Test(filter, limit_window_and_summary)
{
	const filter_summary_t *s;
	char line[1024];
	buf_t b;

	rules("execs: limit 3/s syscall=execve");
	event(EXECVE_LINE, NULL);
	filter_begin(flt);
	cr_expect_eq(burst(10, 5000), 3);             /* window [5000, 6000) */
	cr_expect_eq(burst(2, 5999), 0);
	filter_expire(flt, 5999, 0);
	cr_expect_eq(filter_summaries(flt), 0);       /* window not over */
	cr_expect_eq(burst(5, 6000), 3);              /* next window: summary first */
	cr_assert_eq(filter_summaries(flt), 1);
	s = filter_summary(flt, 0);
	cr_expect_str_eq(s->rule, "execs");
	cr_expect_eq(s->suppressed, 9);
	cr_expect_eq(s->window_ms, 5000);
	cr_expect_str_eq(s->key, "T1548.003_2");
	buf_init(&b);
	filter_summary_line(s, &b);
	snprintf(line, sizeof(line), "%.*s", (int)b.len, b.p);
	cr_expect_str_eq(line, "type=AUDITFWD_SUPPRESSED msg=audit(1700000000.123:0): "
	                 "rule=\"execs\" limit=3 per=rule key=\"T1548.003_2\" suppressed=9 "
	                 "window=5.000");
	buf_free(&b);
	filter_expire(flt, 7000, 0);                  /* [6000, 7000) is over */
	cr_expect_eq(filter_summaries(flt), 2);
	cr_expect_eq(filter_summary(flt, 1)->suppressed, 2);
	filter_commit(flt);
	cr_expect_eq(filter_rule_counters(filter_rules(flt), 0)->kept, 6);
	cr_expect_eq(filter_rule_counters(filter_rules(flt), 0)->suppressed, 11);
}

Test(filter, limit_per_exe_and_clock_going_back)
{
	rules("limit 2/s per exe");
	filter_begin(flt);
	event(EXECVE_LINE, NULL);
	cr_expect_eq(burst(4, 1000), 2);
	event(CONNECT_LINE, NULL);                    /* another exe: its own window */
	cr_expect_eq(burst(4, 1000), 2);
	cr_expect_eq(burst(1, 500), 0);               /* back in time: same window */
	filter_expire(flt, 0, 1);                     /* flush: every window */
	cr_assert_eq(filter_summaries(flt), 2);
	cr_expect_str_eq(filter_summary(flt, 0)->exe[0] == '/' ? "ok" : "no", "ok");
	cr_expect_eq(filter_summary(flt, 0)->suppressed + filter_summary(flt, 1)->suppressed, 5);
	filter_commit(flt);
}

Test(filter, rollback_undoes_windows_and_counts)
{
	rules("limit 2/s");
	event(EXECVE_LINE, NULL);
	filter_begin(flt);
	cr_expect_eq(burst(3, 1000), 2);
	filter_commit(flt);
	filter_begin(flt);                            /* a batch that fails ... */
	cr_expect_eq(burst(5, 2000), 2);
	cr_expect_eq(filter_summaries(flt), 1);
	filter_rollback(flt);
	filter_begin(flt);                            /* ... decides the same again */
	cr_expect_eq(burst(5, 2000), 2);
	cr_expect_eq(filter_summaries(flt), 1);
	cr_expect_eq(filter_summary(flt, 0)->suppressed, 1);
	filter_commit(flt);
	cr_expect_eq(filter_rule_counters(filter_rules(flt), 0)->kept, 4);
	cr_expect_eq(filter_rule_counters(filter_rules(flt), 0)->suppressed, 4);
}

Test(filter, per_exe_cap_shares_one_window)
{
	char line[512];
	int i, rule, kept = 0;

	rules("limit 1/s per exe");
	filter_begin(flt);
	for (i = 0; i < FILTER_LIMIT_KEYS_MAX + 10; i++) {
		snprintf(line, sizeof(line), "type=SYSCALL msg=audit(1.000:%d): syscall=59 "
		         "exe=\"/bin/p%d\"", i + 1, i);
		event(line, NULL);
		kept += decide_at(0, &rule) == FILTER_KEEP;
	}
	/* each of the first exes gets one; the rest share one window */
	cr_expect_eq(kept, FILTER_LIMIT_KEYS_MAX + 1);
	filter_commit(flt);
}

Test(filter, swap_runs_the_new_set)
{
	int rule;
	filter_rules_t *old = NULL;
	const char *t[1] = { "keep" };
	char err[128];

	rules("drop");
	event(EXECVE_LINE, NULL);
	filter_begin(flt);
	cr_expect_eq(decide_at(0, &rule), FILTER_DROP);
	filter_commit(flt);
	cr_assert_eq(filter_swap(flt, filter_rules_parse(t, 1, err, sizeof(err)), &old), 0);
	filter_rules_free(old);
	filter_begin(flt);
	cr_expect_eq(decide_at(0, &rule), FILTER_KEEP);
	filter_commit(flt);
}

Test(filter, swap_sends_the_summaries_of_open_windows)
{
	filter_rules_t *old = NULL;
	const char *t[1] = { "other: drop" };
	char err[128];

	rules("lim: limit 1/s");
	event(EXECVE_LINE, NULL);
	filter_begin(flt);
	cr_expect_eq(burst(4, 1000), 1);
	filter_commit(flt);
	cr_assert_eq(filter_swap(flt, filter_rules_parse(t, 1, err, sizeof(err)), &old), 0);
	filter_rules_free(old);                       /* summaries do not point into it */
	filter_begin(flt);                            /* a batch that fails ... */
	cr_assert_eq(filter_summaries(flt), 1);
	filter_rollback(flt);
	filter_begin(flt);                            /* ... the next one sends it */
	cr_assert_eq(filter_summaries(flt), 1);
	cr_expect_str_eq(filter_summary(flt, 0)->rule, "lim");
	cr_expect_eq(filter_summary(flt, 0)->suppressed, 3);
	filter_commit(flt);
	filter_begin(flt);
	cr_expect_eq(filter_summaries(flt), 0);
	filter_commit(flt);
}
