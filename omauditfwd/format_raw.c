/* format_raw.c -- the "raw" format: every record as it was written, one
 * message per record (also when records are joined: the records of an
 * event then go out as consecutive messages), for collectors that parse
 * audit.log lines themselves (QRadar's "Linux OS" DSM):
 *
 *   node=web01 type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e ...
 *
 * The body is the record from its "node=" / "type=" to the end of the
 * line, without a syslog wrapper in front of it; a line that is not an
 * audit record is sent as it came. CR, LF and NUL inside a line (never
 * in a real record) are written as spaces, so they cannot end or cut the
 * message.
 */
#include "format.h"

static void put_line(buf_t *out, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *run = s;

	for (; p < end; p++) {
		if (*p != '\n' && *p != '\r' && *p != '\0')
			continue;
		buf_append(out, run, (size_t)(p - run));
		buf_putc(out, ' ');
		run = p + 1;
	}
	buf_append(out, run, (size_t)(end - run));
}

static void raw_event(buf_t *out, const format_event_t *ev)
{
	size_t i;

	/* one record per call (per_record); several only if called directly */
	for (i = 0; i < ev->nrecs; i++) {
		if (i)
			buf_putc(out, '\n');
		put_line(out, ev->recs[i]->text.p, ev->recs[i]->text.len);
	}
}

/* A raw line has no room for a flag: an untrusted one gets the marker
 * RAW_UNTRUSTED_MARK in front, so it no longer starts like a record */
#define RAW_UNTRUSTED_MARK "untrusted: "

static void raw_unparsed(buf_t *out, const char *line, size_t len,
                         audit_parse_rc_t why, audit_view_t host)
{
	(void)host;
	if (why == AUDIT_PARSE_UNTRUSTED)
		buf_puts(out, RAW_UNTRUSTED_MARK);
	put_line(out, line, len);
}

const format_ops_t format_raw = {
	.name = "raw",
	.event = raw_event,
	.unparsed = raw_unparsed,
	.per_record = 1,
};
