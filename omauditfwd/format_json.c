/* format_json.c -- the "json" format: one JSON object per event.
 *
 *   {"id":"1700000000.123:4567","time":"2023-11-14T22:13:20.123Z",
 *    "host":"web01","node":"web01","type":"SYSCALL",
 *    "SYSCALL":{"arch":"c000003e","syscall":"59","comm":"ls",...}}
 *
 * Each record is a member named by its type (an array of objects when the
 * type repeats in the event, e.g. PATH), in the order the types first
 * appear; its fields are members named by the field, values as strings
 * without their quotes. An event completed without its end (timeout,
 * eviction, flush) carries "incomplete":"<why>".
 *
 * With enrichment, a field's value is its decoded text (hex undone) and its
 * interpretation follows under the UPPERCASE name ("uid":"0","UID":"root"),
 * unless the record already carries that ENRICHED field; EXECVE and
 * PROCTITLE records also get their arguments as "argv":[...].
 *
 * Every object has unique keys (json_keys_t below): the keys we add (id,
 * time, host, node, type, incomplete; argv) are never shadowed, a field or
 * type keeps its name when it is the first of that name and not one of
 * ours, and every other key -- a repeated name, an interpretation, a name
 * of ours -- is NAME, NAME_n (the n-th occurrence) or the next NAME_m that
 * is neither a key already written, nor one of ours, nor any name of the
 * object's own fields or types.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- unique keys ----------------------------------------------------------- */

/* The keys of one object being written. Names (of fields, of types) are
 * [A-Za-z0-9_-[]] (audit_record.c), so a key is compared as written. */
typedef struct json_key {
	size_t off, len;             /* in made */
} json_key_t;

typedef struct json_keys {
	const char *const *ours;     /* the keys we add, NULL-terminated */
	/* 1 when K is the name of one of the object's own members */
	int (*own_name)(const void *ctx, const char *k, size_t len);
	const void *ctx;
	buf_t made;                  /* the keys made so far, back to back */
	json_key_t *keys;
	size_t n, cap;
	int oom;
} json_keys_t;

static void keys_init(json_keys_t *ks, const char *const *ours,
                      int (*own_name)(const void *, const char *, size_t),
                      const void *ctx)
{
	memset(ks, 0, sizeof(*ks));
	ks->ours = ours;
	ks->own_name = own_name;
	ks->ctx = ctx;
	buf_init(&ks->made);
}

static void keys_free(json_keys_t *ks, buf_t *out)
{
	if (ks->oom || ks->made.oom)
		out->oom = 1;   /* a key may repeat: the message is not whole */
	buf_free(&ks->made);
	free(ks->keys);
}

static int is_ours(const json_keys_t *ks, const char *k, size_t len)
{
	const char *const *o;

	for (o = ks->ours; *o != NULL; o++)
		if (strlen(*o) == len && memcmp(*o, k, len) == 0)
			return 1;
	return 0;
}

static int is_written(const json_keys_t *ks, const char *k, size_t len)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (ks->keys[i].len == len && memcmp(ks->made.p + ks->keys[i].off, k, len) == 0)
			return 1;
	return 0;
}

static int is_taken(const json_keys_t *ks, const char *k, size_t len)
{
	return is_ours(ks, k, len) || ks->own_name(ks->ctx, k, len) ||
	       is_written(ks, k, len);
}

/* Remember the key at [OFF, made.len) as written and write "KEY": */
static void put_key_at(buf_t *out, json_keys_t *ks, size_t off)
{
	if (ks->n == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 16;
		json_key_t *k = realloc(ks->keys, cap * sizeof(*k));

		if (k == NULL) {
			ks->oom = 1;
			return;
		}
		ks->keys = k;
		ks->cap = cap;
	}
	if (ks->made.oom)
		return;
	ks->keys[ks->n].off = off;
	ks->keys[ks->n++].len = ks->made.len - off;
	buf_putc(out, '"');
	format_json_escape(out, ks->made.p + off, ks->made.len - off);
	buf_append(out, "\":", 2);
}

/* Write "KEY": for a key we make from NAME: NAME (when NTH is 1), else
 * NAME_NTH, or the next NAME_m free. */
static void put_made_key(buf_t *out, json_keys_t *ks, const char *name, size_t len,
                         unsigned nth)
{
	size_t off = ks->made.len;
	unsigned m = nth;

	buf_append(&ks->made, name, len);
	for (;;) {
		ks->made.len = off + len;
		if (m > 1)
			buf_printf(&ks->made, "_%u", m);
		if (ks->made.oom || !is_taken(ks, ks->made.p + off, ks->made.len - off))
			break;
		m = m > 1 ? m + 1 : 2;
	}
	put_key_at(out, ks, off);
}

/* Write "KEY": for a field's own NAME, its NTH occurrence in the record:
 * the name itself when it is the first and not one of ours. (Keys made
 * are never a field's name, so a first occurrence is free.) */
static void put_field_key(buf_t *out, json_keys_t *ks, const char *name, size_t len,
                          unsigned nth)
{
	if (nth == 1 && !is_ours(ks, name, len)) {
		buf_putc(out, '"');
		format_json_escape(out, name, len);
		buf_append(out, "\":", 2);
		return;
	}
	put_made_key(out, ks, name, len, nth > 1 ? nth : 2);
}

static int record_has_name(const void *ctx, const char *k, size_t len)
{
	const audit_record_t *r = ctx;
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].name.len == len && memcmp(r->fields[i].name.p, k, len) == 0)
			return 1;
	return 0;
}

/* ---- records ---------------------------------------------------------------- */

/* 1 for the first occurrence of field I's name, else its occurrence number */
static unsigned occurrence(const audit_record_t *r, size_t i)
{
	unsigned n = r->fields[i].nth;   /* counted by the parser */

	return n < JSON_MAX_DUP_SUFFIX ? n : JSON_MAX_DUP_SUFFIX;
}

/* ,"NAME":"interpretation" when F has one the record does not carry */
static void put_interpretation(buf_t *out, json_keys_t *ks, const format_event_t *ev,
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
	put_made_key(out, ks, upper, i, nth);
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

/* 1 for the records that enrich_argv() gives arguments (an "argv" key) */
static int has_argv(const format_event_t *ev, const audit_record_t *r)
{
	return ev->enrich != NULL && r->type_str != NULL &&
	       (strcmp(r->type_str, "EXECVE") == 0 || strcmp(r->type_str, "PROCTITLE") == 0);
}

/* "argv":[...] for PROCTITLE and the event's first EXECVE record (the
 * whole command line, when it spans several EXECVE records), after a ','
 * when the object has members already */
static void put_argv(buf_t *out, const format_event_t *ev, const audit_record_t *r)
{
	argv_out_t a = { out, 0 };
	size_t mark = out->len;

	if (r->nfields > 0)
		buf_putc(out, ',');
	buf_append(out, "\"argv\":[", 8);
	if (enrich_event_argv(ev->recs, ev->nrecs, r, ev->scratch, put_arg, &a) < 0)
		out->len = mark;   /* not an argv record: take it back */
	else
		buf_putc(out, ']');
}

static void put_record(buf_t *out, const format_event_t *ev, const audit_record_t *r)
{
	static const char *const argv_key[] = { "argv", NULL };
	static const char *const no_key[] = { NULL };
	int argv = has_argv(ev, r);
	json_keys_t ks;
	enrich_ctx_t ctx;
	size_t i;

	keys_init(&ks, argv ? argv_key : no_key, record_has_name, r);
	if (ev->enrich != NULL)
		format_enrich_ctx(ev, r, &ctx);
	buf_putc(out, '{');
	for (i = 0; i < r->nfields; i++) {
		const audit_field_t *f = &r->fields[i];
		unsigned nth = occurrence(r, i);

		if (i)
			buf_putc(out, ',');
		put_field_key(out, &ks, f->name.p, f->name.len, nth);
		if (ev->enrich == NULL) {
			put_str(out, f->value.p, f->value.len);
			continue;
		}
		buf_reset(ev->scratch);
		enrich_decode(&ctx, f, ev->scratch);
		put_str(out, ev->scratch->p, ev->scratch->len);
		put_interpretation(out, &ks, ev, &ctx, f, nth);
	}
	if (argv)
		put_argv(out, ev, r);
	buf_putc(out, '}');
	keys_free(&ks, out);
}

static int same_type(const audit_record_t *a, const audit_record_t *b)
{
	if (a->type_str != NULL || b->type_str != NULL)
		return a->type_str == b->type_str;
	return a->type == b->type && same_view(a->type_name, b->type_name);
}

/* The member name of R's type, as format_type_name() writes it, in K
 * (TYPE_KEY_MAX: type names are at most 64 bytes, audit_record.c). */
#define TYPE_KEY_MAX 80

static size_t type_key(const audit_record_t *r, char *k)
{
	int n;

	if (r->type_str != NULL)
		n = snprintf(k, TYPE_KEY_MAX, "%s", r->type_str);
	else if (r->type > 0)
		n = snprintf(k, TYPE_KEY_MAX, "UNKNOWN[%d]", r->type);
	else
		n = snprintf(k, TYPE_KEY_MAX, "%.*s", (int)r->type_name.len, r->type_name.p);
	return n < 0 ? 0 : (size_t)n < TYPE_KEY_MAX ? (size_t)n : TYPE_KEY_MAX - 1;
}

static int event_has_type_name(const void *ctx, const char *k, size_t len)
{
	const format_event_t *ev = ctx;
	char t[TYPE_KEY_MAX];
	size_t i;

	for (i = 0; i < ev->nrecs; i++)
		if (type_key(ev->recs[i], t) == len && memcmp(t, k, len) == 0)
			return 1;
	return 0;
}

/* Every record of type T (the first of which is recs[at]), as one member:
 * an object, or an array of objects when the type repeats. */
static void put_type_member(buf_t *out, json_keys_t *ks, const format_event_t *ev,
                            size_t at)
{
	char key[TYPE_KEY_MAX];
	size_t i, n = 0, len = type_key(ev->recs[at], key), off = ks->made.len;

	for (i = at; i < ev->nrecs; i++)
		n += same_type(ev->recs[i], ev->recs[at]);
	buf_putc(out, ',');
	/* a type's own name unless it is ours or written already (two types
	 * of one name are not known to exist); type keys are all remembered */
	if (is_ours(ks, key, len) || is_written(ks, key, len)) {
		put_made_key(out, ks, key, len, 2);
	} else {
		buf_append(&ks->made, key, len);
		put_key_at(out, ks, off);
	}
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
	static const char *const ours[] = {
		"id", "time", "host", "node", "type", "incomplete", NULL
	};
	const audit_record_t *first = ev->recs[0];
	json_keys_t ks;
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
	keys_init(&ks, ours, event_has_type_name, ev);
	for (i = 0; i < ev->nrecs; i++)
		if (first_of_type(ev, i))
			put_type_member(out, &ks, ev, i);
	buf_putc(out, '}');
	keys_free(&ks, out);
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
