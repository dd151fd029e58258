/* fuzz_record.c -- libFuzzer target for audit_record_parse(): the input is
 * one line; every view of the result is read byte by byte (so ASan catches
 * a view that leaves the input) and checked against the header's promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit_record.h"
#include "fuzz_util.h"

/* One record reused across inputs, as the pipeline reuses its own: a parse
 * must not depend on what the record held before. */
static audit_record_t reused;

static void check_rc(audit_parse_rc_t rc)
{
	const char *s = audit_parse_rc_str(rc);

	FUZZ_CHECK(rc == AUDIT_PARSE_OK || rc == AUDIT_PARSE_NOT_AUDIT ||
	           rc == AUDIT_PARSE_TRUNCATED || rc == AUDIT_PARSE_TOO_LONG ||
	           rc == AUDIT_PARSE_BINARY || rc == AUDIT_PARSE_TOO_MANY_FIELDS ||
	           rc == AUDIT_PARSE_NOMEM, "rc %d", (int)rc);
	FUZZ_CHECK(s != NULL && strcmp(s, "unknown") != 0, "rc %d has no token", (int)rc);
}

/* What audit_record.c calls binary: a byte < 0x20 other than TAB, 0x01
 * (rule-key joiner) and 0x1D (ENRICHED separator), or DEL. */
static int has_bad_byte(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != 0x01 && c != 0x1d) || c == 0x7f)
			return 1;
	}
	return 0;
}

/* The views that are valid whatever the rc. */
static void check_outer(const audit_record_t *r, audit_parse_rc_t rc,
                        const char *in, size_t size)
{
	size_t stripped = size;

	while (stripped && (in[stripped - 1] == '\n' || in[stripped - 1] == '\r'))
		stripped--;
	FUZZ_CHECK(r->line.p == in && r->line.len == stripped,
	           "line is not the input minus CR/LF (%zu of %zu)", r->line.len, size);
	FUZZ_CHECK(fuzz_view_within(r->hostname, in, size), "hostname outside the input");
	FUZZ_CHECK(fuzz_view_in_view(r->msg, r->line, r->line), "msg outside the line");
	fuzz_touch(r->line.p, r->line.len);
	fuzz_touch(r->hostname.p, r->hostname.len);
	fuzz_touch(r->msg.p, r->msg.len);
	if (stripped > AUDIT_RECORD_MAX_LEN)
		FUZZ_CHECK(rc == AUDIT_PARSE_TOO_LONG && r->hostname.len == 0 &&
		           r->msg.p == in && r->msg.len == stripped,
		           "a line of %zu bytes gave %s", stripped, audit_parse_rc_str(rc));
	else
		FUZZ_CHECK(rc != AUDIT_PARSE_TOO_LONG, "%zu bytes is not too long", stripped);
	if (stripped <= AUDIT_RECORD_MAX_LEN)
		FUZZ_CHECK((rc == AUDIT_PARSE_BINARY) == has_bad_byte(in, stripped),
		           "rc %s but the line %s a control byte", audit_parse_rc_str(rc),
		           has_bad_byte(in, stripped) ? "has" : "has no");
}

/* The index of names (when the record has one, and is small enough for
 * a quadratic check): every name is found at its first field, and every
 * field's nth counts the fields of its name up to it. */
#define INDEX_CHECK_MAX_FIELDS 256

static void check_index(const audit_record_t *r)
{
	size_t i, j;

	if (!r->indexed || r->nfields > INDEX_CHECK_MAX_FIELDS)
		return;
	for (i = 0; i < r->nfields; i++) {
		const audit_field_t *f = &r->fields[i], *first = NULL;
		unsigned nth = 0;

		for (j = 0; j <= i; j++)
			if (r->fields[j].name.len == f->name.len &&
			    memcmp(r->fields[j].name.p, f->name.p, f->name.len) == 0) {
				if (first == NULL)
					first = &r->fields[j];
				nth++;
			}
		FUZZ_CHECK(audit_record_field_view(r, f->name.p, f->name.len) == first,
		           "field %zu: the index finds another field", i);
		FUZZ_CHECK(f->nth == nth, "field %zu: nth %u, want %u", i, f->nth, nth);
	}
}

static void check_fields(const audit_record_t *r)
{
	size_t i;

	FUZZ_CHECK(r->nfields <= AUDIT_RECORD_MAX_FIELDS, "nfields %zu", r->nfields);
	FUZZ_CHECK(r->nfields <= r->cap, "nfields %zu > cap %zu", r->nfields, r->cap);
	check_index(r);
	for (i = 0; i < r->nfields; i++) {
		const audit_field_t *f = &r->fields[i];

		FUZZ_CHECK(f->name.len > 0, "field %zu has an empty name", i);
		/* an AVC record's first fields are named by the parser, as auparse
		 * names them: seresult, seperms (their values are in the body) */
		FUZZ_CHECK(fuzz_view_in_view(f->name, r->body, r->line) ||
		           (i < 2 && ((f->name.len == 8 && memcmp(f->name.p, "seresult", 8) == 0) ||
		                      (f->name.len == 7 && memcmp(f->name.p, "seperms", 7) == 0))),
		           "field %zu name outside the body", i);
		FUZZ_CHECK(fuzz_view_in_view(f->value, r->body, r->line), "field %zu value outside the body", i);
		FUZZ_CHECK(f->enc >= AUDIT_ENC_PLAIN && f->enc <= AUDIT_ENC_SQUOTED,
		           "field %zu enc %d", i, (int)f->enc);
		FUZZ_CHECK((f->flags & ~(unsigned)(AUDIT_FIELD_NESTED | AUDIT_FIELD_INTERPRETED |
		                                   AUDIT_FIELD_PLAIN_NAME)) == 0,
		           "field %zu flags %#x", i, f->flags);
		/* a name flagged plain goes into keys as it is: [A-Za-z0-9_] only */
		if (f->flags & AUDIT_FIELD_PLAIN_NAME) {
			size_t k;

			for (k = 0; k < f->name.len; k++) {
				unsigned char c = (unsigned char)f->name.p[k];

				FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
				           (c >= 'a' && c <= 'z') || c == '_',
				           "field %zu flagged plain, byte %#x in its name", i, c);
			}
		}
		FUZZ_CHECK(f->enc != AUDIT_ENC_NULL ||
		           (f->value.len == 6 && memcmp(f->value.p, "(null)", 6) == 0),
		           "field %zu NULL but not (null)", i);
		fuzz_touch(f->name.p, f->name.len);
		fuzz_touch(f->value.p, f->value.len);
	}
	if (r->nfields > 0) {
		/* the lookup walks every name */
		FUZZ_CHECK(audit_record_field(r, "\x7f-no-such-field") == NULL, "phantom field");
	}
}

static void check_ok(const audit_record_t *r)
{
	FUZZ_CHECK(fuzz_view_in_view(r->text, r->msg, r->line), "text outside msg");
	FUZZ_CHECK(fuzz_view_in_view(r->node, r->text, r->line), "node outside text");
	FUZZ_CHECK(fuzz_view_in_view(r->type_name, r->text, r->line), "type_name outside text");
	FUZZ_CHECK(fuzz_view_in_view(r->body, r->text, r->line), "body outside text");
	FUZZ_CHECK(r->type_name.len > 0, "a parsed record without a type");
	FUZZ_CHECK(r->msec < 1000, "msec %u", r->msec);
	FUZZ_CHECK(r->sec >= 0, "sec %lld", (long long)r->sec);
	FUZZ_CHECK(r->type >= 0, "type %d", r->type);
	FUZZ_CHECK(r->body.p + r->body.len == r->line.p + r->line.len,
	           "body does not run to the end of the line");
	fuzz_touch(r->text.p, r->text.len);
	fuzz_touch(r->node.p, r->node.len);
	fuzz_touch(r->type_name.p, r->type_name.len);
	fuzz_touch(r->body.p, r->body.len);
	if (r->type_str != NULL)
		fuzz_touch(r->type_str, strlen(r->type_str));
	check_fields(r);
}

static int same_view(audit_view_t a, audit_view_t b)
{
	return a.p == b.p && a.len == b.len;
}

/* A fresh record and the reused one agree on everything. */
static void check_same(const audit_record_t *a, const audit_record_t *b,
                       audit_parse_rc_t rc)
{
	size_t i;

	FUZZ_CHECK(same_view(a->line, b->line) && same_view(a->hostname, b->hostname) &&
	           same_view(a->msg, b->msg), "reused record differs (outer views)");
	if (rc != AUDIT_PARSE_OK)
		return;
	FUZZ_CHECK(same_view(a->text, b->text) && same_view(a->node, b->node) &&
	           same_view(a->type_name, b->type_name) && same_view(a->body, b->body) &&
	           a->type == b->type && a->type_str == b->type_str && a->sec == b->sec &&
	           a->msec == b->msec && a->serial == b->serial &&
	           a->enriched == b->enriched && a->nfields == b->nfields,
	           "reused record differs (header)");
	for (i = 0; i < a->nfields; i++)
		FUZZ_CHECK(same_view(a->fields[i].name, b->fields[i].name) &&
		           same_view(a->fields[i].value, b->fields[i].value) &&
		           a->fields[i].enc == b->fields[i].enc &&
		           a->fields[i].flags == b->fields[i].flags,
		           "reused record differs (field %zu)", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size heap copy: one byte past the input is a redzone */
	char *in = malloc(size ? size : 1);
	audit_record_t fresh;
	audit_parse_rc_t rc, rc2;

	FUZZ_CHECK(in != NULL, "out of memory");
	if (size)
		memcpy(in, data, size);
	rc = audit_record_parse(&reused, in, size);
	check_rc(rc);
	check_outer(&reused, rc, in, size);
	if (rc == AUDIT_PARSE_OK)
		check_ok(&reused);
	else
		FUZZ_CHECK(rc != AUDIT_PARSE_NOMEM, "out of memory on %zu bytes", size);

	audit_record_init(&fresh);
	rc2 = audit_record_parse(&fresh, in, size);
	FUZZ_CHECK(rc == rc2, "reused record gave %s, fresh gave %s",
	           audit_parse_rc_str(rc), audit_parse_rc_str(rc2));
	check_same(&reused, &fresh, rc);
	audit_record_free(&fresh);
	free(in);
	return 0;
}
