/* test_attack.c -- ATT&CK technique ids in rule keys, the mapping file,
 * and the tags in every format (through the pipeline, as the module and
 * the CLI run it). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attack.h"
#include "pipeline.h"

#define SUDO_LINE(key) \
	"type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e syscall=59 " \
	"success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=2 auid=1000 uid=0 " \
	"gid=0 euid=0 comm=\"sudo\" exe=\"/usr/bin/sudo\" key=" key

/* the technique ids found in KEY, joined by ',' */
static const char *techs(const char *key)
{
	static char out[256];
	attack_tags_t t;
	buf_t b;

	memset(&t, 0, sizeof(t));
	attack_key_techniques(key, strlen(key), &t);
	buf_init(&b);
	attack_join_techniques(&b, &t);
	snprintf(out, sizeof(out), "%.*s", (int)b.len, b.len ? b.p : "");
	buf_free(&b);
	return out;
}

Test(attack, technique_ids_in_keys)
{
	cr_expect_str_eq(techs("T1087"), "T1087");
	cr_expect_str_eq(techs("T1548.003"), "T1548.003");
	cr_expect_str_eq(techs("T1548.003_2"), "T1548.003");
	cr_expect_str_eq(techs("T1059.004-shell"), "T1059.004");
	cr_expect_str_eq(techs("mitre-T1059"), "T1059");
	cr_expect_str_eq(techs("T1136_T1098"), "T1136,T1098");
	cr_expect_str_eq(techs("T1136,T1136.001"), "T1136,T1136.001");
	cr_expect_str_eq(techs("T1087 T1087"), "T1087");           /* no repeats */
	cr_expect_str_eq(techs("T1548.03"), "");                   /* not 3 digits */
	cr_expect_str_eq(techs("T1548.0031"), "");
	cr_expect_str_eq(techs("T12345"), "");
	cr_expect_str_eq(techs("T123"), "");
	cr_expect_str_eq(techs("xT1059"), "");
	cr_expect_str_eq(techs("T1059x"), "");
	cr_expect_str_eq(techs("t1059"), "");
	cr_expect_str_eq(techs("identity"), "");
	cr_expect_str_eq(techs("T1548."), "T1548");
	cr_expect_str_eq(techs(""), "");
}

static char mapfile[64];

static attack_map_t *map_of(const char *text, char *err, size_t errlen)
{
	FILE *f;
	int fd;

	snprintf(mapfile, sizeof(mapfile), "/tmp/test_attack_XXXXXX");
	fd = mkstemp(mapfile);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	attack_map_t *m = attack_map_load(mapfile, err, errlen);
	unlink(mapfile);
	return m;
}

static const char *bad_map(const char *text)
{
	static char err[512];

	cr_assert_null(map_of(text, err, sizeof(err)), "loaded: %s", text);
	return strchr(err, ':') + 2;   /* after the file name */
}

Test(attack, mapping_errors_name_the_line_and_word)
{
	cr_expect_str_eq(bad_map("identity T1136 persistence 6\nwebshell T15O5 x 9\n"),
	                 "line 2: 'T15O5': not a list of technique ids (T1234, T1234.001)");
	cr_expect_str_eq(bad_map("identity T1136 persistence\n"),
	                 "line 1: 'persistence': expected KEY TECHNIQUES TACTICS SEVERITY "
	                 "('-' for none)");
	cr_expect_str_eq(bad_map("# c\nidentity - - 11\n"),
	                 "line 2: '11': the severity is 1-10 or '-'");
	cr_expect_str_eq(bad_map("identity - per\"sist 3\n"),
	                 "line 1: 'per\"sist': not a list of tactic names");
	cr_expect_str_eq(bad_map("identity - - 3 extra\n"),
	                 "line 1: 'extra': expected KEY TECHNIQUES TACTICS SEVERITY "
	                 "('-' for none)");
}

Test(attack, mapping_merges_every_matching_entry)
{
	char err[256];
	attack_map_t *m = map_of("# key techniques tactics severity\n"
	                         "identity   T1136,T1098  persistence  6\n"
	                         "T1548*     -            privilege-escalation,defense-evasion  8\n"
	                         "ident*     T1098        persistence,credential-access  -\n",
	                         err, sizeof(err));
	audit_view_t keys[2] = { { "identity", 8 }, { "T1548.003_2", 11 } };
	attack_tags_t t;
	buf_t b;

	cr_assert_not_null(m, "%s", err);
	cr_expect_eq(attack_map_count(m), 3);
	cr_assert(attack_tag(m, keys, 2, &t));
	buf_init(&b);
	attack_json(&b, &t);
	buf_putc(&b, '\0');
	cr_expect_str_eq(b.p, ",\"attack\":{\"technique\":[\"T1548.003\",\"T1136\",\"T1098\"],"
	                 "\"tactic\":[\"persistence\",\"privilege-escalation\",\"defense-evasion\","
	                 "\"credential-access\"],\"severity\":8}");
	cr_expect(!attack_tag(m, keys, 0, &t));                    /* no key: no tag */
	keys[0].p = "cron";
	keys[0].len = 4;
	cr_expect(!attack_tag(m, keys, 1, &t));
	cr_expect(!attack_tag(NULL, keys, 1, &t));
	buf_free(&b);
	attack_map_free(m);
}

/* ---- through the pipeline ------------------------------------------------ */

static char *run(const char *format, int attack, const attack_map_t *m, const char *line)
{
	static char out[8192];
	pipeline_conf_t c;
	pipeline_t *p;
	msgbatch_t mb;
	enrich_conf_t ec;
	enrich_t *e;
	size_t len;
	const char *msg;

	pipeline_conf_default(&c);
	c.format = format_find(format);
	c.header.style = SYSLOG_HDR_NONE;
	c.local_host = "web01";
	c.attack = attack;
	c.attack_map = m;
	enrich_conf_default(&ec);
	ec.ids = ENRICH_IDS_NEVER;
	c.enrich = e = enrich_new(&ec);
	p = pipeline_new(&c, NULL);
	msgbatch_init(&mb);
	pipeline_batch_begin(p);
	cr_assert_eq(pipeline_process(p, line, strlen(line), NULL, 0, &mb), 0);
	cr_assert_eq(pipeline_batch_end(p, &mb), 0);
	pipeline_batch_commit(p);
	cr_assert_eq(mb.n, 1);
	msg = msgbatch_msg(&mb, 0, &len);
	snprintf(out, sizeof(out), "%.*s", (int)len, msg);
	msgbatch_free(&mb);
	pipeline_free(p);
	enrich_free(e);
	return out;
}

Test(attack, tags_in_every_format)
{
	char err[256];
	attack_map_t *m = map_of("T1548* - privilege-escalation 8\n", err, sizeof(err));
	const char *line = SUDO_LINE("\"T1548.003_2\"");

	cr_assert_not_null(m, "%s", err);
	cr_expect(strstr(run("json", 1, m, line), "\"type\":\"SYSCALL\",\"attack\":{\"technique\":"
	                 "[\"T1548.003\"],\"tactic\":[\"privilege-escalation\"],\"severity\":8},"
	                 "\"SYSCALL\":{") != NULL, "%s", run("json", 1, m, line));
	cr_expect(strstr(run("leef", 1, m, line), "\tcat=T1548.003\tsev=8\t") != NULL);
	cr_expect(strstr(run("leef", 1, m, line), "\tpolicy=T1548.003_2\tattack.technique="
	                 "T1548.003\tattack.tactic=privilege-escalation\taudit.id=") != NULL);
	cr_expect(strstr(run("cef", 1, m, line), "|SYSCALL execve|8|") != NULL);
	cr_expect(strstr(run("cef", 1, m, line), " cs1=T1548.003_2 cs2Label=attack technique "
	                 "cs2=T1548.003 cs3Label=attack tactic cs3=privilege-escalation "
	                 "audit.id=") != NULL, "%s", run("cef", 1, m, line));
	cr_expect(strstr(run("raw", 1, m, line), "attack") == NULL);   /* as written */
	/* without a mapping: the technique only, the severity computed */
	cr_expect(strstr(run("json", 1, NULL, line), ",\"attack\":{\"technique\":[\"T1548.003\"]},")
	          != NULL);
	cr_expect(strstr(run("leef", 1, NULL, line), "\tcat=T1548.003\tsev=3\t") != NULL);
	/* attack off, or a key without a technique: the output of before */
	cr_expect(strstr(run("json", 0, m, line), "attack") == NULL);
	cr_expect(strstr(run("leef", 0, m, line), "\tcat=SYSCALL\tsev=3\t") != NULL);
	cr_expect(strstr(run("json", 1, m, SUDO_LINE("\"priv_esc\"")), "attack") == NULL);
	cr_expect(strstr(run("cef", 1, m, SUDO_LINE("(null)")), "cs2") == NULL);
	attack_map_free(m);
}

Test(attack, severity_ten_is_written_whole)
{
	char err[256];
	attack_map_t *m = map_of("webshell T1505.003 persistence 10\n", err, sizeof(err));
	const char *line = SUDO_LINE("\"webshell\"");

	cr_assert_not_null(m, "%s", err);
	cr_expect(strstr(run("leef", 1, m, line), "\tcat=T1505.003\tsev=10\t") != NULL);
	cr_expect(strstr(run("cef", 1, m, line), "|SYSCALL execve|10|") != NULL);
	attack_map_free(m);
}
