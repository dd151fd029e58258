/* test_format_json.c -- the "json" format's promises that a consumer can
 * rely on whatever the record holds: every object has unique keys (a record
 * field never shadows a key we add, suffixes never collide), and records
 * without fields still give valid JSON. Found by tests/fuzz (regressions/). */
#include <criterion/criterion.h>
#include <string.h>

#include "audit_record.h"
#include "enrich.h"
#include "format.h"

#define MAX_RECS 8

static audit_record_t recs[MAX_RECS];
static const audit_record_t *rp[MAX_RECS];
static buf_t out, scratch;
static enrich_t *en;

static void setup(void)
{
	enrich_conf_t c;
	size_t i;

	for (i = 0; i < MAX_RECS; i++) {
		audit_record_init(&recs[i]);
		rp[i] = &recs[i];
	}
	buf_init(&out);
	buf_init(&scratch);
	enrich_conf_default(&c);
	c.ids = ENRICH_IDS_NEVER;
	c.local_host = "h1";
	en = enrich_new(&c);
	cr_assert_not_null(en);
}

static void teardown(void)
{
	size_t i;

	enrich_free(en);
	buf_free(&scratch);
	buf_free(&out);
	for (i = 0; i < MAX_RECS; i++)
		audit_record_free(&recs[i]);
}

TestSuite(format_json, .init = setup, .fini = teardown);

/* The JSON of one event of the first N records of recs, enriched or not */
static const char *format_recs(int enrich, size_t n)
{
	format_event_t ev;

	memset(&ev, 0, sizeof(ev));
	ev.recs = rp;
	ev.nrecs = n;
	ev.host.p = "h1";
	ev.host.len = 2;
	ev.enrich = enrich ? en : NULL;
	ev.scratch = &scratch;
	buf_reset(&out);
	format_json.event(&out, &ev);
	cr_assert_eq(out.oom, 0);
	buf_putc(&out, '\0');
	out.len--;
	return out.p;
}

/* The JSON of one event made of LINES (NULL-terminated), enriched or not. */
static const char *event_of(int enrich, const char *const *lines)
{
	size_t n;

	for (n = 0; lines[n] != NULL; n++) {
		cr_assert_lt(n, MAX_RECS);
		cr_assert_eq(audit_record_parse(&recs[n], lines[n], strlen(lines[n])),
		             AUDIT_PARSE_OK, "%s", lines[n]);
	}
	return format_recs(enrich, n);
}

static const char *one(int enrich, const char *line)
{
	const char *lines[] = { line, NULL };

	return event_of(enrich, lines);
}

#define HEAD "{\"id\":\"1700000000.123:1\",\"time\":\"2023-11-14T22:13:20.123Z\",\"host\":\"h1\","

Test(format_json, execve_and_proctitle_without_fields_are_valid)
{
	cr_assert_str_eq(one(1, "type=EXECVE msg=audit(1700000000.123:1): "),
	                 HEAD "\"type\":\"EXECVE\",\"EXECVE\":{\"argv\":[]}}");
	cr_assert_str_eq(one(1, "type=PROCTITLE msg=audit(1700000000.123:1): "),
	                 HEAD "\"type\":\"PROCTITLE\",\"PROCTITLE\":{}}");
}

/* every argument byte once: enriched, the aN fields are only in argv (a
 * long argument's aN[i] pieces too); argc and aN_len stay; PROCTITLE keeps
 * its proctitle and gets no argv */
Test(format_json, execve_arguments_are_sent_once_in_argv)
{
	cr_assert_str_eq(one(1, "type=EXECVE msg=audit(1700000000.123:1): argc=3 a0=\"ls\" "
	                        "a1_len=4 a1[0]=2D6C a1[1]=\"a\" a2=\"/\""),
	                 HEAD "\"type\":\"EXECVE\",\"EXECVE\":{\"argc\":\"3\",\"a1_len\":\"4\","
	                 "\"argv\":[\"ls\",\"-la\",\"/\"]}}");
	cr_assert_str_eq(one(1, "type=PROCTITLE msg=audit(1700000000.123:1): "
	                        "proctitle=6C73002D6C61"),
	                 HEAD "\"type\":\"PROCTITLE\",\"PROCTITLE\":{\"proctitle\":\"ls -la\"}}");
}

Test(format_json, empty_value_enriched_is_an_empty_string)
{
	cr_assert_str_eq(one(1, "type=CWD msg=audit(1700000000.123:1): cwd="),
	                 HEAD "\"type\":\"CWD\",\"CWD\":{\"cwd\":\"\"}}");
}

Test(format_json, a_field_named_argv_does_not_shadow_the_argv_array)
{
	cr_assert_str_eq(one(1, "type=EXECVE msg=audit(1700000000.123:1): argv=x a0=\"ls\""),
	                 HEAD "\"type\":\"EXECVE\",\"EXECVE\":{\"argv_2\":\"x\","
	                 "\"argv\":[\"ls\"]}}");
	/* without enrichment there is no array: the field keeps its name */
	cr_assert_str_eq(one(0, "type=EXECVE msg=audit(1700000000.123:1): argv=x a0=\"ls\""),
	                 HEAD "\"type\":\"EXECVE\",\"EXECVE\":{\"argv\":\"x\",\"a0\":\"ls\"}}");
}

Test(format_json, repeated_names_skip_suffixes_that_are_field_names)
{
	cr_assert_str_eq(one(0, "type=CWD msg=audit(1700000000.123:1): a=1 a=2 a_2=3"),
	                 HEAD "\"type\":\"CWD\",\"CWD\":{\"a\":\"1\",\"a_3\":\"2\",\"a_2\":\"3\"}}");
	cr_assert_str_eq(one(0, "type=CWD msg=audit(1700000000.123:1): a=1 a_3=0 a=2 a_2=3 a=4"),
	                 HEAD "\"type\":\"CWD\",\"CWD\":{\"a\":\"1\",\"a_3\":\"0\",\"a_4\":\"2\","
	                 "\"a_2\":\"3\",\"a_5\":\"4\"}}");
}

Test(format_json, repeated_names_keep_the_usual_suffixes)
{
	cr_assert_str_eq(one(1, "type=SYSCALL msg=audit(1700000000.123:1): arch=c000003e "
	                        "arch=c00000b7"),
	                 HEAD "\"type\":\"SYSCALL\",\"SYSCALL\":{\"arch\":\"c000003e\","
	                 "\"ARCH\":\"x86_64\",\"arch_2\":\"c00000b7\",\"ARCH_2\":\"aarch64\"}}");
}

Test(format_json, an_interpretation_suffix_skips_field_names)
{
	cr_assert_str_eq(one(1, "type=SYSCALL msg=audit(1700000000.123:1): arch=c000003e "
	                        "ARCH_2=x arch=c000003e"),
	                 HEAD "\"type\":\"SYSCALL\",\"SYSCALL\":{\"arch\":\"c000003e\","
	                 "\"ARCH\":\"x86_64\",\"ARCH_2\":\"x\",\"arch_2\":\"c000003e\","
	                 "\"ARCH_3\":\"x86_64\"}}");
}

Test(format_json, a_type_named_like_a_top_level_key_gets_a_suffix)
{
	cr_assert_str_eq(one(0, "type=host msg=audit(1700000000.123:1): a=1"),
	                 HEAD "\"type\":\"host\",\"host_2\":{\"a\":\"1\"}}");
	cr_assert_str_eq(one(0, "type=type msg=audit(1700000000.123:1): a=1"),
	                 HEAD "\"type\":\"type\",\"type_2\":{\"a\":\"1\"}}");
}

Test(format_json, a_type_suffix_skips_the_names_of_other_types)
{
	const char *lines[] = {
		"type=id msg=audit(1700000000.123:1): a=1",
		"type=id_2 msg=audit(1700000000.123:1): b=2",
		NULL
	};

	cr_assert_str_eq(event_of(0, lines),
	                 HEAD "\"type\":\"id\",\"id_3\":{\"a\":\"1\"},\"id_2\":{\"b\":\"2\"}}");
}

/* A record's own names and repeated names come from the parser's index;
 * a record parsed without one (AUDIT_PARSE_NO_INDEX) enters every name in
 * the object's key set: the same keys either way, collisions included. */
Test(format_json, a_record_without_its_index_gives_the_same_keys)
{
	static const char *const cases[] = {
		"type=CWD msg=audit(1700000000.123:1): a=1 a_3=0 a=2 a_2=3 a=4",
		"type=SYSCALL msg=audit(1700000000.123:1): arch=c000003e ARCH_2=x arch=c000003e",
		"type=SYSCALL msg=audit(1700000000.123:1): arch=c000003e arch=c00000b7 uid=0 "
		"uid=1 UID_2=x",
		"type=EXECVE msg=audit(1700000000.123:1): argv=x argv_2=y a0=\"ls\"",
		"type=SYSCALL msg=audit(1700000000.123:1): arch=c000003e syscall=59 uid=0 "
		"comm=\"x\"\x1d" "ARCH=x86_64 SYSCALL=execve UID=\"root\"",
	};
	static char indexed[8192];
	size_t c;
	int enrich;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (enrich = 0; enrich <= 1; enrich++) {
			const char *got = one(enrich, cases[c]);

			cr_assert_eq(recs[0].indexed, 1);
			cr_assert_lt(strlen(got), sizeof(indexed));
			strcpy(indexed, got);
			cr_assert_eq(audit_record_parse_opt(&recs[0], cases[c], strlen(cases[c]),
			                                    AUDIT_PARSE_NO_INDEX), AUDIT_PARSE_OK);
			cr_assert_eq(recs[0].indexed, 0);
			cr_assert_str_eq(format_recs(enrich, 1), indexed, "case %zu, enrich %d", c,
			                 enrich);
		}
}
