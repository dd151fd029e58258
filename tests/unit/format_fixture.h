/* format_fixture.h -- audit lines in, one formatted body out, and strict
 * parsers of what LEEF and CEF consumers read: shared by the format tests. */
#ifndef AUDITFWD_FORMAT_FIXTURE_H
#define AUDITFWD_FORMAT_FIXTURE_H

#include "format.h"

#define FIXTURE_MAX_RECS  64
#define FIXTURE_MAX_PAIRS 512

/* The records of LINES (LF-separated), parsed; they stay valid until the
 * next call. A field's name may be changed by the caller before
 * fixture_format (to try names the parser never produces). */
audit_record_t *fixture_parse(const char *lines, size_t *nrecs);
/* Format the records of the last fixture_parse as one event of host
 * "web01" with format F, options CONF (NULL: defaults), enrichment on or
 * off (ids never resolved: results do not depend on this host). */
const char *fixture_format(const format_ops_t *f, const format_conf_t *conf, int enrich);
/* fixture_parse + fixture_format */
const char *fixture_run(const format_ops_t *f, const format_conf_t *conf, int enrich,
                        const char *lines);
/* the unparsed message for LINE (LEN bytes) */
const char *fixture_unparsed(const format_ops_t *f, const format_conf_t *conf,
                             const char *line, size_t len);

/* S starts with PREFIX */
#define fixture_assert_prefix(s, prefix) \
	cr_assert(strncmp((s), (prefix), strlen(prefix)) == 0, "%s", (s))

/* A message as a consumer sees it: header fields and key=value pairs with
 * the escapes undone (values may hold NUL bytes: see vlen). */
typedef struct fixture_msg {
	size_t nhdr;
	char hdr[8][256];
	size_t npairs;
	struct {
		char key[256];
		char val[4096];
		size_t vlen;
	} pair[FIXTURE_MAX_PAIRS];
} fixture_msg_t;

/* Strict LEEF: "LEEF:V|Vendor|Product|Version|EventID|[delim|]" then pairs
 * split at DELIM; every key [A-Za-z0-9_.]+, no raw '=' or control
 * character in a value, escapes only \\ \= \xHH. Fails the test
 * otherwise. */
void fixture_leef_parse(const char *msg, int version, char delim, fixture_msg_t *m);
/* Strict CEF: 7 header fields (escapes \| \\), then pairs: a key is a
 * [A-Za-z0-9_.]+ word after a space (or at the start) followed by an
 * unescaped '='; value escapes only \\ \= \n \r; no raw CR/LF. */
void fixture_cef_parse(const char *msg, fixture_msg_t *m);
/* The value of KEY (NULL when absent; fails when it appears twice). */
const char *fixture_get(const fixture_msg_t *m, const char *key);

#endif
