/* test_corpus.c -- every line of the third-party corpus ($CORPUS_DIR, else
 * ../shared/corpus) that looks like an audit record must parse; a missing
 * corpus fails unless OMAUDITFWD_ALLOW_NO_CORPUS=1. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit_record.h"
#include "testutil.h"

#define CORPUS_DIR_ENV     "CORPUS_DIR"
#define CORPUS_DIR_DEFAULT "../shared/corpus"
#define ALLOW_NO_CORPUS    "OMAUDITFWD_ALLOW_NO_CORPUS"
#define PATH_MAX_LEN       4096
#define MAX_DEPTH          8
#define SHOWN_LINE_MAX     300

typedef struct counts {
	unsigned files, lines, audit, parsed, other, other_parsed;
} counts_t;

/* The independent rule: an audit line names a type and has an audit(...)
 * stamp. Not the parser's own search, just two substrings. */
static int looks_like_audit(const char *line, size_t len)
{
	return memmem(line, len, "type=", 5) != NULL &&
	       memmem(line, len, "audit(", 6) != NULL;
}

static void check_line(const char *path, unsigned lineno, const char *line,
                       size_t n, audit_record_t *rec, counts_t *c)
{
	audit_parse_rc_t rc = audit_record_parse(rec, line, n);

	c->lines++;
	if (!looks_like_audit(line, n)) {
		c->other++;
		if (rc == AUDIT_PARSE_OK)
			c->other_parsed++;
		return;
	}
	c->audit++;
	if (rc == AUDIT_PARSE_OK)
		c->parsed++;
	cr_expect_eq(rc, AUDIT_PARSE_OK, "%s:%u: %s: %.*s", path, lineno,
	             audit_parse_rc_str(rc),
	             (int)(n < SHOWN_LINE_MAX ? n : SHOWN_LINE_MAX), line);
}

static void check_file(const char *path, audit_record_t *rec, counts_t *total)
{
	counts_t c = { 1, 0, 0, 0, 0, 0 };
	size_t len;
	char *buf = testutil_slurp(path, &len);
	char *p = buf, *end = buf + len;
	unsigned lineno = 0;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		check_line(path, ++lineno, p, n, rec, &c);
		p += n + 1;
	}
	free(buf);
	fprintf(stderr, "corpus %s: lines %u, audit %u, parsed %u, not-audit %u\n",
	        path, c.lines, c.audit, c.parsed, c.other);
	total->files++;
	total->lines += c.lines;
	total->audit += c.audit;
	total->parsed += c.parsed;
	total->other += c.other;
	total->other_parsed += c.other_parsed;
}

static void walk(const char *dir, int depth, audit_record_t *rec,
                 counts_t *total)
{
	struct dirent **names;
	int n, i;

	cr_assert_lt(depth, MAX_DEPTH, "corpus nested too deep at %s", dir);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		char path[PATH_MAX_LEN];
		struct stat st;

		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				walk(path, depth + 1, rec, total);
			else if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
				check_file(path, rec, total);
		}
		free(names[i]);
	}
	free(names);
}

Test(corpus, every_audit_line_parses)
{
	const char *dir = getenv(CORPUS_DIR_ENV);
	const char *allow = getenv(ALLOW_NO_CORPUS);
	audit_record_t rec;
	counts_t total = { 0, 0, 0, 0, 0, 0 };

	if (dir == NULL || *dir == '\0')
		dir = CORPUS_DIR_DEFAULT;
	audit_record_init(&rec);
	walk(dir, 0, &rec, &total);
	audit_record_free(&rec);
	if (total.files == 0 || total.audit == 0) {
		if (allow != NULL && strcmp(allow, "1") == 0) {
			fprintf(stderr, "\n*** WARNING: no audit corpus in %s: corpus "
			        "test SKIPPED (%s=1) ***\n\n", dir, ALLOW_NO_CORPUS);
			cr_skip_test("no corpus in %s", dir);
		}
		cr_assert_fail("*** no audit corpus in %s (set %s, or %s=1 to skip) ***",
		               dir, CORPUS_DIR_ENV, ALLOW_NO_CORPUS);
	}
	fprintf(stderr, "corpus TOTAL: files %u, lines %u, audit %u, parsed %u, "
	        "not-audit %u (of which the parser accepted %u)\n", total.files,
	        total.lines, total.audit, total.parsed, total.other,
	        total.other_parsed);
	cr_expect_eq(total.parsed, total.audit, "%u audit lines did not parse",
	             total.audit - total.parsed);
}
