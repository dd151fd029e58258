/* format_json.c -- the "json" format: one JSON object per event.
 *
 *   {"id":"1700000000.123:4567","time":"2023-11-14T22:13:20.123Z",
 *    "host":"web01","node":"web01","type":"SYSCALL",
 *    "SYSCALL":{"arch":"c000003e","syscall":"59","comm":"ls",...}}
 *
 * Each record is a member named by its type (an array of objects when the
 * type repeats in the event, e.g. PATH), in the order the types first
 * appear; its fields are members named by the field, values as strings
 * without their quotes. A name that repeats inside one record gets "_2",
 * "_3", ... so the object has unique keys. An event completed without its
 * end (timeout, eviction, flush) carries "incomplete":"<why>".
 *
 * With enrichment, a field's value is its decoded text (hex undone) and its
 * interpretation follows under the UPPERCASE name ("uid":"0","UID":"root"),
 * unless the record already carries that ENRICHED field; EXECVE and
 * PROCTITLE records also get their arguments as "argv":[...].
 */
#include <stdio.h>

#include "format.h"

#define JSON_MAX_DUP_SUFFIX 9999
#define JSON_MAX_UPPER_NAME  64   /* longer names get no interpretation */

static void put_str(buf_t *out, const char *s, size_t len)
{
	buf_putc(out, '"');
	format_json_escape(out, s, len);
	buf_putc(out, '"');
}

static void put_key(buf_t *out, const char *key)
{
	buf_putc(out, '"');
	buf_puts(out, key);
	buf_append(out, "\":", 2);
}

static int same_view(audit_view_t a, audit_view_t b)
{
	return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/* 1 for the first occurrence of field I's name, else its occurrence number */
static unsigned occurrence(const audit_record_t *r, size_t i)
{
	unsigned n = 1;
	size_t j;

	for (j = 0; j < i && n < JSON_MAX_DUP_SUFFIX; j++)
		if (same_view(r->fields[j].name, r->fields[i].name))
			n++;
	return n;
}

static void put_name(buf_t *out, const char *name, size_t len, unsigned nth)
{
	buf_putc(out, '"');
	format_json_escape(out, name, len);
	if (nth > 1)
		buf_printf(out, "_%u", nth);
	buf_append(out, "\":", 2);
}

/* ,"NAME":"interpretation" when F has one the record does not carry */
static void put_interpretation(buf_t *out, const format_event_t *ev,
                               const enrich_ctx_t *ctx, const audit_field_t *f,
                               unsigned nth)
{
	char upper[JSON_MAX_UPPER_NAME + 1];
	size_t i;

	if ((f->flags & AUDIT_FIELD_INTERPRETED) || f->name.len > JSON_MAX_UPPER_NAME)
		return;
	for (i = 0; i < f->name.len; i++)
		upper[i] = (f->name.p[i] >= 'a' && f->name.p[i] <= 'z') ?
		           (char)(f->name.p[i] - 'a' + 'A') : f->name.p[i];
	upper[i] = '\0';
	if (audit_record_field(ctx->rec, upper) != NULL)
		return;   /* the ENRICHED value is already there */
	buf_reset(ev->scratch);
	if (!enrich_interpret(ev->enrich, ctx, f, ev->scratch))
		return;
	buf_putc(out, ',');
	put_name(out, upper, i, nth);
	put_str(out, ev->scratch->p, ev->scratch->len);
}

typedef struct argv_out {
	buf_t *out;
	int n;
} argv_out_t;

static void put_arg(const char *arg, size_t len, void *ud)
{
	argv_out_t *a = ud;

	if (a->n++)
		buf_putc(a->out, ',');
	put_str(a->out, arg, len);
}

/* ,"argv":[...] for PROCTITLE and the event's first EXECVE record (the
 * whole command line, when it spans several EXECVE records) */
static void put_argv(buf_t *out, const format_event_t *ev, const audit_record_t *r)
{
	argv_out_t a = { out, 0 };
	size_t mark = out->len;

	buf_append(out, ",\"argv\":[", 9);
	if (enrich_event_argv(ev->recs, ev->nrecs, r, ev->scratch, put_arg, &a) < 0)
		out->len = mark;   /* not an argv record: take it back */
	else
		buf_putc(out, ']');
}

static void put_record(buf_t *out, const format_event_t *ev, const audit_record_t *r)
{
	enrich_ctx_t ctx;
	size_t i;

	if (ev->enrich != NULL)
		format_enrich_ctx(ev, r, &ctx);
	buf_putc(out, '{');
	for (i = 0; i < r->nfields; i++) {
		const audit_field_t *f = &r->fields[i];
		unsigned nth = occurrence(r, i);

		if (i)
			buf_putc(out, ',');
		put_name(out, f->name.p, f->name.len, nth);
		if (ev->enrich == NULL) {
			put_str(out, f->value.p, f->value.len);
			continue;
		}
		buf_reset(ev->scratch);
		enrich_decode(&ctx, f, ev->scratch);
		put_str(out, ev->scratch->p, ev->scratch->len);
		put_interpretation(out, ev, &ctx, f, nth);
	}
	if (ev->enrich != NULL)
		put_argv(out, ev, r);
	buf_putc(out, '}');
}

static int same_type(const audit_record_t *a, const audit_record_t *b)
{
	if (a->type_str != NULL || b->type_str != NULL)
		return a->type_str == b->type_str;
	return a->type == b->type && same_view(a->type_name, b->type_name);
}

/* Every record of type T (the first of which is recs[at]), as one member:
 * an object, or an array of objects when the type repeats. */
static void put_type_member(buf_t *out, const format_event_t *ev, size_t at)
{
	size_t i, n = 0;

	for (i = at; i < ev->nrecs; i++)
		n += same_type(ev->recs[i], ev->recs[at]);
	buf_append(out, ",\"", 2);
	format_type_name(out, ev->recs[at]);
	buf_append(out, "\":", 2);
	if (n > 1)
		buf_putc(out, '[');
	for (i = at; i < ev->nrecs; i++) {
		if (!same_type(ev->recs[i], ev->recs[at]))
			continue;
		if (i != at)
			buf_putc(out, ',');
		put_record(out, ev, ev->recs[i]);
	}
	if (n > 1)
		buf_putc(out, ']');
}

/* 1 if no record before AT has AT's type */
static int first_of_type(const format_event_t *ev, size_t at)
{
	size_t i;

	for (i = 0; i < at; i++)
		if (same_type(ev->recs[i], ev->recs[at]))
			return 0;
	return 1;
}

static void json_event(buf_t *out, const format_event_t *ev)
{
	const audit_record_t *first = ev->recs[0];
	size_t i;

	buf_putc(out, '{');
	if (first->stamped) {   /* journald's form has no serial: no id */
		buf_append(out, "\"id\":\"", 6);
		buf_printf(out, "%lld.%03u:%llu", (long long)first->sec, first->msec,
		           (unsigned long long)first->serial);
		buf_append(out, "\",", 2);
	}
	buf_append(out, "\"time\":\"", 8);
	format_rfc3339_utc(out, first->sec, first->msec);
	buf_putc(out, '"');
	if (ev->host.p != NULL) {   /* NULL: enrich.hostname="off" */
		buf_putc(out, ',');
		put_key(out, "host");
		put_str(out, ev->host.p, ev->host.len);
	}
	if (first->node.len) {
		buf_putc(out, ',');
		put_key(out, "node");
		put_str(out, first->node.p, first->node.len);
	}
	buf_putc(out, ',');
	put_key(out, "type");
	buf_putc(out, '"');
	format_type_name(out, first);
	buf_putc(out, '"');
	if (ev->incomplete != NULL) {
		buf_append(out, ",\"incomplete\":\"", 15);
		buf_puts(out, ev->incomplete);
		buf_putc(out, '"');
	}
	for (i = 0; i < ev->nrecs; i++)
		if (first_of_type(ev, i))
			put_type_member(out, ev, i);
	buf_putc(out, '}');
}

static void json_unparsed(buf_t *out, const char *line, size_t len,
                          audit_parse_rc_t why, audit_view_t host)
{
	buf_append(out, "{\"type\":\"UNPARSED\",\"reason\":\"", 29);
	buf_puts(out, audit_parse_rc_str(why));
	buf_append(out, "\",", 2);
	put_key(out, "host");
	put_str(out, host.p, host.len);
	buf_putc(out, ',');
	put_key(out, "raw");
	put_str(out, line, len);
	buf_putc(out, '}');
}

const format_ops_t format_json = {
	.name = "json",
	.event = json_event,
	.unparsed = json_unparsed,
};
