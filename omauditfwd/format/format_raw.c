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
 *
 * A record over the size limit (format_reduce_t) is written again from its
 * fields, each still as written (quotes, hex, braces) with long values cut
 * (a hex value at an even length), so it stays one well-formed record,
 * and ends with reduced_from=<size before> reduced_cut=<bytes cut>.
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

/* what a value is written between, by encoding (audit_enc_t) */
static const char *const enc_open[] = { "", "\"", "", "", "{", "'" };
static const char *const enc_close[] = { "", "\"", "", "", "}", "'" };

static void put_field(buf_t *out, const audit_field_t *f, format_reduce_t *red)
{
	size_t keep = f->value.len;
	unsigned e = (unsigned)f->enc < sizeof(enc_open) / sizeof(enc_open[0]) ? f->enc : 0;

	if (keep > red->value_max) {
		red->capped = 1;
		keep = red->value_max;
		if (f->enc == AUDIT_ENC_HEX)
			keep &= ~(size_t)1;   /* whole bytes */
		red->values_cut++;
		red->value_bytes_cut += f->value.len - keep;
	}
	put_line(out, f->name.p, f->name.len);
	buf_putc(out, '=');
	buf_puts(out, enc_open[e]);
	put_line(out, f->value.p, keep);
	buf_puts(out, enc_close[e]);
}

static void raw_reduced_record(buf_t *out, const audit_record_t *r, format_reduce_t *red)
{
	const char *start = r->nfields ? r->fields[0].name.p : r->text.p + r->text.len;
	int nested = r->nfields && (r->fields[0].flags & AUDIT_FIELD_NESTED), first = 1;
	size_t i;

	/* node=... type=... msg=audit(...): (and msg=' when it opens the fields) */
	if (start >= r->text.p && start <= r->text.p + r->text.len)
		put_line(out, r->text.p, (size_t)(start - r->text.p));
	for (i = 0; i < r->nfields; i++) {
		const audit_field_t *f = &r->fields[i];
		int in = (f->flags & AUDIT_FIELD_NESTED) != 0;

		if (!format_reduce_keeps(red, f->name)) {
			red->fields_cut++;
			continue;
		}
		if (nested && !in) {
			buf_putc(out, '\'');
			nested = 0;
		}
		if (!first)
			buf_putc(out, ' ');
		if (in && !nested) {
			buf_puts(out, "msg='");
			nested = 1;
		}
		put_field(out, f, red);
		first = 0;
	}
	if (nested)
		buf_putc(out, '\'');
	buf_printf(out, "%sreduced_from=%zu reduced_cut=%zu", first ? "" : " ", red->from,
	           red->value_bytes_cut);
}

static void raw_event(buf_t *out, const format_event_t *ev)
{
	size_t i;

	if (ev->reduce != NULL) {
		for (i = 0; i < ev->nrecs; i++) {
			if (i)
				buf_putc(out, '\n');
			raw_reduced_record(out, ev->recs[i], ev->reduce);
		}
		return;
	}

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
