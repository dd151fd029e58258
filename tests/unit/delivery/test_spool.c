/* test_spool.c -- events held at shutdown survive in the spool file exactly:
 * every line, byte for byte (also lines with LF, NUL-free binary and the
 * empty line), appended across shutdowns, and a damaged file is refused. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

static char dir[] = "/tmp/omauditfwd-test-spool.XXXXXX";
static char path[512];
static audit_joiner_t *j;
static audit_record_t rec;

static void setup(void)
{
	audit_joiner_conf_t c;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.spool", dir);
	audit_joiner_conf_default(&c);
	j = audit_joiner_new(&c);
	audit_record_init(&rec);
}

static void teardown(void)
{
	char cmd[600];

	audit_joiner_free(j);
	audit_record_free(&rec);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void add_tagged(const char *line, const char *route, size_t route_len)
{
	cr_assert_eq(audit_record_parse(&rec, line, strlen(line)), AUDIT_PARSE_OK, "%s", line);
	cr_assert_eq(audit_joiner_add(j, &rec, line, strlen(line), route, route_len), 0);
}

static void add(const char *line)
{
	add_tagged(line, NULL, 0);
}

static void write_file(const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static const char *const held[] = {
	"type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=59 key=\"a b\"",
	"type=PATH msg=audit(1700000000.100:10): item=0 name=\"/bin/ls\"",
	"node=web01 type=SYSCALL msg=audit(1700000000.200:11): arch=c000003e syscall=42",
};

TestSuite(spool, .init = setup, .fini = teardown);

Test(spool, flushed_events_round_trip_in_order)
{
	spool_t s;
	size_t nev, nl, i;
	char err[256];

	audit_joiner_begin(j);
	for (i = 0; i < 3; i++)
		add(held[i]);
	audit_joiner_flush(j);
	cr_assert_eq(spool_append_completed(path, NULL, j, &nev, &nl, err, sizeof(err)), 0, "%s", err);
	audit_joiner_rollback(j);
	cr_assert_eq(nev, 2);
	cr_assert_eq(nl, 3);

	cr_assert_eq(spool_load(path, &s, err, sizeof(err)), 1, "%s", err);
	cr_assert_eq(s.nlines, 3);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(s.lines[i].len, strlen(held[i]));
		cr_assert_str_eq(s.lines[i].p, held[i]);
	}
	spool_free(&s);
}

Test(spool, a_second_shutdown_appends)
{
	spool_t s;
	size_t nev, nl;
	char err[256];

	audit_joiner_begin(j);
	add(held[0]);
	audit_joiner_flush(j);
	cr_assert_eq(spool_append_completed(path, NULL, j, &nev, &nl, err, sizeof(err)), 0, "%s", err);
	audit_joiner_rollback(j);
	audit_joiner_begin(j);
	add(held[2]);
	audit_joiner_flush(j);
	cr_assert_eq(spool_append_completed(path, NULL, j, &nev, &nl, err, sizeof(err)), 0, "%s", err);
	audit_joiner_rollback(j);

	cr_assert_eq(spool_load(path, &s, err, sizeof(err)), 1, "%s", err);
	cr_assert_eq(s.nlines, 2, "the first shutdown's line is kept");
	cr_assert_str_eq(s.lines[0].p, held[0]);
	cr_assert_str_eq(s.lines[1].p, held[2]);
	spool_free(&s);
}

Test(spool, lines_with_lf_and_empty_lines_are_exact)
{
	static const char text[] = "omauditfwd-spool 1\n5 a\nb c\n0 \n3 xyz\n";
	spool_t s;
	char err[256];

	write_file(text, sizeof(text) - 1);
	cr_assert_eq(spool_load(path, &s, err, sizeof(err)), 1, "%s", err);
	cr_assert_eq(s.nlines, 3);
	cr_assert_eq(s.lines[0].len, 5);
	cr_assert_eq(memcmp(s.lines[0].p, "a\nb c", 5), 0);
	cr_assert_eq(s.lines[1].len, 0);
	cr_assert_str_eq(s.lines[2].p, "xyz");
	spool_free(&s);
}

/* each line keeps its route (the Kafka route of its message), any bytes */
Test(spool, tags_round_trip_with_their_lines)
{
	static const char tag0[] = "audit.web01\0key with\nLF";
	spool_t s;
	size_t nev, nl;
	audit_line_t lines[2];
	char err[256];

	audit_joiner_begin(j);
	add_tagged(held[0], tag0, sizeof(tag0) - 1);
	add_tagged(held[1], "other", 5);           /* same event: its own route */
	add(held[2]);                              /* no route */
	audit_joiner_flush(j);
	cr_assert_eq(spool_append_completed(path, NULL, j, &nev, &nl, err, sizeof(err)), 0, "%s", err);
	audit_joiner_rollback(j);
	lines[0].p = (char *)"a batch line";
	lines[0].len = 12;
	lines[0].route = (char *)"";                 /* an empty route is a route */
	lines[0].route_len = 0;
	lines[1].p = (char *)"";
	lines[1].len = 0;
	lines[1].route = (char *)"t";
	lines[1].route_len = 1;
	cr_assert_eq(spool_append(path, NULL, lines, 2, err, sizeof(err)), 0, "%s", err);

	cr_assert_eq(spool_load(path, &s, err, sizeof(err)), 1, "%s", err);
	cr_assert_eq(s.nlines, 5);
	cr_assert_str_eq(s.lines[0].p, held[0]);
	cr_assert_eq(s.lines[0].route_len, sizeof(tag0) - 1);
	cr_assert_eq(memcmp(s.lines[0].route, tag0, sizeof(tag0) - 1), 0);
	cr_assert_eq(s.lines[0].route[s.lines[0].route_len], '\0');
	cr_assert_str_eq(s.lines[1].p, held[1]);
	cr_assert_str_eq(s.lines[1].route, "other");
	cr_assert_str_eq(s.lines[2].p, held[2]);
	cr_assert_null(s.lines[2].route);
	cr_assert_str_eq(s.lines[3].p, "a batch line");
	cr_assert_not_null(s.lines[3].route);
	cr_assert_eq(s.lines[3].route_len, 0);
	cr_assert_eq(s.lines[4].len, 0);
	cr_assert_str_eq(s.lines[4].p, "");
	cr_assert_str_eq(s.lines[4].route, "t");
	spool_free(&s);
}

/* a file written before routes (version 1) is read; entries appended to it
 * later may carry routes */
Test(spool, version_1_files_are_read_and_appended_to)
{
	static const char text[] = "omauditfwd-spool 1\n3 abc\n";
	audit_line_t l = { (char *)"def", 3, (char *)"tp", 2, NULL };
	spool_t s;
	char err[256];

	write_file(text, sizeof(text) - 1);
	cr_assert_eq(spool_append(path, NULL, &l, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(spool_load(path, &s, err, sizeof(err)), 1, "%s", err);
	cr_assert_eq(s.nlines, 2);
	cr_assert_str_eq(s.lines[0].p, "abc");
	cr_assert_null(s.lines[0].route);
	cr_assert_str_eq(s.lines[1].p, "def");
	cr_assert_str_eq(s.lines[1].route, "tp");
	spool_free(&s);
}

Test(spool, held_messages_differ_by_tag)
{
	spool_held_t h;

	memset(&h, 0, sizeof(h));
	cr_assert_eq(spool_held_add(&h, "m", 1, NULL, 0), 0);
	cr_assert_eq(spool_held_add(&h, "m", 1, "a", 1), 0);
	cr_assert_eq(spool_held_add(&h, "m", 1, "a", 1), 0);   /* the same: once */
	cr_assert_eq(spool_held_add(&h, "m", 1, "b", 1), 0);
	cr_assert_eq(h.n, 3);
	cr_assert_str_eq(h.v[1].route, "a");
	spool_held_remove(&h, "m", 1, "a", 1);
	cr_assert_eq(h.n, 2);
	cr_assert_null(h.v[0].route);
	cr_assert_str_eq(h.v[1].route, "b");
	spool_held_remove(&h, "m", 1, NULL, 0);
	cr_assert_eq(h.n, 1);
	spool_held_free(&h);
}

/* Format 3: the writer's identity at the top, read back by spool_load()
 * and spool_identity_of(); appending keeps the first writer's line. */
Test(spool, the_identity_of_the_writer_is_kept)
{
	static const char want[] = "statsname=omauditfwd-127.0.0.1:514-leef transport=tcp "
	                           "format=leef";
	char id[SPOOL_IDENTITY_MAX], other[SPOOL_IDENTITY_MAX], err[256];
	audit_line_t l = { (char *)"abc", 3, NULL, 0, NULL };
	spool_t s;
	FILE *f;

	spool_identity(id, sizeof(id), "omauditfwd-127.0.0.1:514-leef", "tcp", "leef");
	cr_assert_str_eq(id, want);
	spool_identity(other, sizeof(other), "a b\nc\x01\xc3\xa9", "tcp", "json");
	cr_assert_str_eq(other, "statsname=a b_c___ transport=tcp format=json",
	                 "one printable line: %s", other);
	spool_identity(other, 16, "long-name", "tcp", "json");
	cr_assert_str_eq(other, "statsname=long-");

	cr_assert_eq(spool_identity_of(path, other, sizeof(other), err, sizeof(err)), 0,
	             "no file");
	cr_assert_eq(spool_append(path, id, &l, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(spool_append(path, "statsname=x", &l, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(spool_identity_of(path, other, sizeof(other), err, sizeof(err)), 1, "%s",
	             err);
	cr_assert_str_eq(other, want, "the file's first writer: %s", other);
	cr_assert_eq(spool_load(path, &s, err, sizeof(err)), 1, "%s", err);
	cr_assert_str_eq(s.identity, want);
	cr_assert_eq(s.nlines, 2);
	cr_assert_str_eq(s.lines[1].p, "abc");
	spool_free(&s);

	/* formats 1 and 2 have none: "" */
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("omauditfwd-spool 2\n3 abc\n", f);
	fclose(f);
	cr_assert_eq(spool_identity_of(path, other, sizeof(other), err, sizeof(err)), 1);
	cr_assert_str_eq(other, "");
	cr_assert_eq(spool_load(path, &s, err, sizeof(err)), 1, "%s", err);
	cr_assert_null(s.identity);
	cr_assert_eq(s.nlines, 1);
	spool_free(&s);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("omauditfwd-spool 1\n3 abc\n", f);
	fclose(f);
	cr_assert_eq(spool_identity_of(path, other, sizeof(other), err, sizeof(err)), 1);
	cr_assert_str_eq(other, "");
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("not a spool\n", f);
	fclose(f);
	cr_assert_eq(spool_identity_of(path, other, sizeof(other), err, sizeof(err)), -1);
	cr_assert(strstr(err, "not an omauditfwd spool file") != NULL, "%s", err);
}

Test(spool, no_file_is_not_an_error)
{
	spool_t s;
	char err[256];

	cr_assert_eq(spool_load(path, &s, err, sizeof(err)), 0);
	cr_assert_eq(s.nlines, 0);
}

Test(spool, damaged_files_are_refused_naming_the_place)
{
	static const char *const bad[] = {
		"not a spool\n",
		"omauditfwd-spool 1\n5 abc\n",              /* truncated record */
		"omauditfwd-spool 1\n3 abcX",               /* no LF after it */
		"omauditfwd-spool 1\nx abc\n",              /* no length */
		"omauditfwd-spool 1\n3abc\n",               /* no space */
		"omauditfwd-spool 1\n99999999999999999999999 a\n", /* overflow */
		"omauditfwd-spool 1\n3 abc\n4 ab",          /* truncated tail */
		"omauditfwd-spool 2\n3/2 abcd\n",           /* route cut short */
		"omauditfwd-spool 2\n3/ abcde\n",           /* no route length */
		"omauditfwd-spool 2\n3/2abcde\n",           /* no space */
		"omauditfwd-spool 2\n3/99999999999999999999999 a\n",
		"omauditfwd-spool 4\n3 abc\n",              /* a version to come */
		"omauditfwd-spool 3 \n3 abc\n",             /* no identity */
		"omauditfwd-spool 3 x",                      /* no LF after it */
		"",
	};
	spool_t s;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(bad[i], strlen(bad[i]));
		cr_assert_eq(spool_load(path, &s, err, sizeof(err)), -1, "case %zu loaded", i);
		cr_assert(strstr(err, path) != NULL, "case %zu: %s", i, err);
		cr_assert_eq(s.nlines, 0);
		cr_assert_null(s.buf);
	}
}

Test(spool, path_from_statsname_is_one_safe_file_name)
{
	char out[64];

	cr_assert_eq(spool_path(out, sizeof(out), "/var/spool/rsyslog",
	                        "omauditfwd-10.0.0.1:6514/../x"), 0);
	cr_assert_str_eq(out, "/var/spool/rsyslog/omauditfwd-10.0.0.1_6514_.._x.spool");
	cr_assert_eq(spool_path(out, sizeof(out), "/w", "qradar"), 0);
	cr_assert_str_eq(out, "/w/omauditfwd-qradar.spool");
	cr_assert_eq(spool_path(out, 20, "/var/spool/rsyslog", "qradar"), -1, "too long");
}
