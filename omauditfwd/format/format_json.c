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
 * unless the record already carries that ENRICHED field; an EXECVE record's
 * arguments are "argv":[...] instead of its aN fields (every argument byte
 * once; on the event's first EXECVE record when the command line spans
 * several).
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
#include "keyset.h"
#include "syslog_time.h"

#define JSON_MAX_DUP_SUFFIX 9999
#define JSON_MAX_UPPER_NAME  64   /* longer names get no interpretation */

static void put_str(buf_t *out, const char *s, size_t len)
{
	buf_putc(out, '"');
	format_json_escape(out, s, len);
	buf_putc(out, '"');
}

/* a value, cut when the event is reduced (format_reduce_t) */
static void put_val(buf_t *out, const format_event_t *ev, const char *s, size_t len)
{
	char mark[FORMAT_CUT_MARKER_MAX];
	size_t keep, mlen;

	if (ev->reduce == NULL) {   /* the usual case: as it is */
		put_str(out, s, len);
		return;
	}
	mlen = format_cut(ev->reduce, s, len, &keep, mark);
	buf_putc(out, '"');
	format_json_escape(out, s, keep);
	buf_append(out, mark, mlen);   /* plain ASCII: nothing to escape */
	buf_putc(out, '"');
}

static void put_key(buf_t *out, const char *key)
{
	buf_putc(out, '"');
	buf_puts(out, key);
	buf_append(out, "\":", 2);
}

/* ---- unique keys ----------------------------------------------------------- */

/* The keys of one object being written, in a keyset (keyset.h): the keys
 * we add, the object's own names (of its fields, of its types) and the
 * keys written so far; a key is taken when it is any of them. Names are
 * [A-Za-z0-9_-[]] (audit_record.c), so a key is compared as written.
 *
 * A made key NAME_m is looked for from m = n upwards. So that a record of
 * colliding names (a_2=1 a=1 a_3=1 a=1 ...) does not rescan the same
 * taken keys for every field, each taken NAME_m remembers in SKIP the m
 * found free the last time a search passed it: NAME_m .. NAME_(skip-1)
 * were all taken then, and keys are never given back, so a later search
 * jumps there (path compression: the searches cost O(log n) amortized).
 * The text NAME_m, m >= 2, has one NAME and one m (the digits after the
 * last '_'), so SKIP is never shared by two names. */
#define KEY_OURS    1u           /* a key we add */
#define KEY_OWN     2u           /* a name of the object's own fields (types) */
#define KEY_WRITTEN 4u           /* written in this object */

/* One of the keys we add, and its length. They are few and fixed, so
 * they are compared with, not entered in the set (entering nine keys
 * cost an event more than looking them up does). */
typedef struct json_key {
	const char *k;
	size_t len;
} json_key_t;
#define JSON_KEY(s) { s, sizeof(s) - 1 }

typedef struct json_keys {
	keyset_t set;
	buf_t cand;                  /* the key being tried */
	const json_key_t *ours;      /* keys we add, up to one of NULL k */
	keyset_entry_t ours_entry;   /* what a look-up of one of ours finds */
	/* a record's object: its own names are the record's, found in its
	 * index and entered in SET only when a search passes them (NULL: the
	 * own names are all in SET, keys_own) */
	const audit_record_t *rec;
} json_keys_t;

static void keys_init(json_keys_t *ks, const json_key_t *ours, unsigned long *work)
{
	keyset_init(&ks->set, work);
	buf_init(&ks->cand);
	ks->ours = ours;
	memset(&ks->ours_entry, 0, sizeof(ks->ours_entry));
	ks->ours_entry.flags = KEY_OURS;
	ks->rec = NULL;
}

/* 1 when K is one of the keys we add */
static inline int is_ours(const json_keys_t *ks, const char *k, size_t len)
{
	const json_key_t *o;

	for (o = ks->ours; o->k != NULL; o++)
		if (o->len == len && memcmp(o->k, k, len) == 0)
			return 1;
	return 0;
}

static void keys_free(json_keys_t *ks, buf_t *out)
{
	if (ks->set.oom || ks->cand.oom)
		out->oom = 1;   /* a key may repeat: the message is not whole */
	keyset_free(&ks->set);
	buf_free(&ks->cand);
}

/* Add NAME as one of the object's own names; its entry (NULL: no memory) */
static keyset_entry_t *keys_own(json_keys_t *ks, const char *name, size_t len, int copy)
{
	int created;
	keyset_entry_t *e = keyset_add(&ks->set, name, len, copy, &created);

	if (e != NULL)
		e->flags |= KEY_OWN;
	return e;
}

/* The field of ks->rec named K, or NULL. A name that does not start in
 * lower case is in the record's filter of such names (enriched_names)
 * when the record has it: a key made of an upper-case name (an
 * interpretation) is mostly answered there, without a look-up. */
static const audit_field_t *rec_own(const json_keys_t *ks, const char *k, size_t len)
{
	if (ks->rec == NULL)
		return NULL;
	if (len != 0 && !(k[0] >= 'a' && k[0] <= 'z') &&
	    !(ks->rec->enriched_names & audit_enriched_name_bit(k[0], len)))
		return NULL;
	return audit_record_field_view(ks->rec, k, len);
}

/* 1 when K is one of the object's own names. In a record's object those
 * are the record's (the set holds KEY_OWN entries only for names of the
 * record a search passed), so its index answers alone. */
static int key_is_own(json_keys_t *ks, const char *k, size_t len)
{
	const keyset_entry_t *e;

	if (ks->rec != NULL)
		return rec_own(ks, k, len) != NULL;
	e = keyset_find(&ks->set, k, len);
	return e != NULL && (e->flags & KEY_OWN);
}

/* The entry of K, or NULL when K is not taken; a record's own name is
 * entered when it is first passed; one of ours gives ks->ours_entry (it
 * is never NAME_m, m >= 2: its SKIP is never read or written) */
static keyset_entry_t *key_entry(json_keys_t *ks, const char *k, size_t len)
{
	keyset_entry_t *e;
	const audit_field_t *f;
	int created;

	if (is_ours(ks, k, len))
		return &ks->ours_entry;
	e = keyset_find(&ks->set, k, len);
	if (e == NULL && (f = rec_own(ks, k, len)) != NULL &&
	    (e = keyset_add(&ks->set, f->name.p, f->name.len, 0, &created)) != NULL)
		e->flags |= KEY_OWN;
	return e;
}

static void put_key_text(buf_t *out, const char *k, size_t len)
{
	buf_putc(out, '"');
	format_json_escape(out, k, len);
	buf_append(out, "\":", 2);
}

/* ks->cand = NAME (M 1) or NAME_M */
static void candidate_text(json_keys_t *ks, const char *name, size_t len, unsigned m)
{
	buf_reset(&ks->cand);
	buf_append(&ks->cand, name, len);
	if (m > 1) {
		buf_putc(&ks->cand, '_');
		buf_put_uint(&ks->cand, m);
	}
}

/* The entry of candidate NAME (M 1) or NAME_M, in ks->cand; NULL: free */
static keyset_entry_t *candidate(json_keys_t *ks, const char *name, size_t len, unsigned m)
{
	candidate_text(ks, name, len, m);
	if (ks->cand.oom)
		return NULL;
	return key_entry(ks, ks->cand.p, ks->cand.len);
}

static unsigned next_m(const keyset_entry_t *e, unsigned m)
{
	if (m > 1 && e->skip > m)
		return e->skip;
	return m > 1 ? m + 1 : 2;
}

/* Write "KEY": for a key we make from NAME: NAME (when NTH is 1), else
 * NAME_NTH, or the next NAME_m free. */
static void put_made_key(buf_t *out, json_keys_t *ks, const char *name, size_t len,
                         unsigned nth)
{
	keyset_entry_t *e;
	const char *c;
	unsigned m = nth, free_m;
	int created;

	/* the usual case, NTH free at once: entered as written in one look-up
	 * of the set (a key found there was taken: the search below). No
	 * caller makes one of ours today (they are lower case, made keys are
	 * upper case or end in _m); the test keeps the function whole. */
	candidate_text(ks, name, len, nth);
	c = ks->cand.p ? ks->cand.p : "";   /* an empty buffer's NULL */
	if (!ks->cand.oom && !is_ours(ks, c, ks->cand.len) &&
	    rec_own(ks, c, ks->cand.len) == NULL) {
		e = keyset_add(&ks->set, c, ks->cand.len, 1, &created);
		if (e == NULL || created) {
			if (e != NULL)
				e->flags |= KEY_WRITTEN;
			put_key_text(out, c, ks->cand.len);
			return;
		}
	}
	while ((e = candidate(ks, name, len, m)) != NULL)
		m = next_m(e, m);
	free_m = m;
	/* NTH free after all: ks->cand holds it already */
	if (free_m != nth) {
		for (m = nth; m != free_m && (e = candidate(ks, name, len, m)) != NULL; ) {
			unsigned next = next_m(e, m);

			if (m > 1)
				e->skip = free_m;
			m = next;
		}
		candidate(ks, name, len, free_m);
	}
	e = keyset_add(&ks->set, ks->cand.p ? ks->cand.p : "", ks->cand.len, 1, &created);
	if (e != NULL)
		e->flags |= KEY_WRITTEN;
	put_key_text(out, ks->cand.p ? ks->cand.p : "", ks->cand.len);
}

/* Write "KEY": for a field's own NAME, its NTH occurrence in the record:
 * the name itself when it is the first and not one of ours. (Keys made
 * are never a field's name, so a first occurrence is free.) PLAIN: NAME
 * is [A-Za-z0-9_] only (AUDIT_FIELD_PLAIN_NAME). */
static void put_field_key(buf_t *out, json_keys_t *ks, const char *name, size_t len,
                          unsigned nth, int plain)
{
	if (nth == 1 && !is_ours(ks, name, len)) {
		if (plain) {   /* [A-Za-z0-9_]: nothing to escape */
			buf_putc(out, '"');
			buf_append(out, name, len);
			buf_append(out, "\":", 2);
			return;
		}
		put_key_text(out, name, len);
		return;
	}
	put_made_key(out, ks, name, len, nth > 1 ? nth : 2);
}

/* ---- records ---------------------------------------------------------------- */

/* The occurrence number of field F about to be written: 1 for the first
 * of its name, 2 for the second, ... (the parser's count, else counted in
 * its entry) */
static unsigned occurrence(json_keys_t *ks, const audit_field_t *f)
{
	keyset_entry_t *e;

	if (ks->rec != NULL)
		return f->nth < JSON_MAX_DUP_SUFFIX ? f->nth : JSON_MAX_DUP_SUFFIX;
	e = keyset_find(&ks->set, f->name.p, f->name.len);

	if (e == NULL)
		return 1;   /* no memory for the names: the message is flagged oom */
	if (e->count < JSON_MAX_DUP_SUFFIX)
		e->count++;
	return e->count;
}

/* ,"NAME":"interpretation" when F has one the record does not carry */
static void put_interpretation(buf_t *out, json_keys_t *ks, const format_event_t *ev,
                               const enrich_ctx_t *ctx, const audit_record_t *r,
                               const audit_field_t *f, unsigned nth)
{
	char upper[JSON_MAX_UPPER_NAME + 1];
	size_t i = f->name.len;

	if ((f->flags & AUDIT_FIELD_INTERPRETED) ||
	    (r->indexed && !enrich_name_may_interpret(f->hash)) ||
	    !format_upper_name(r, f, upper, JSON_MAX_UPPER_NAME))
		return;
	if (key_is_own(ks, upper, i))
		return;   /* the ENRICHED value is already there */
	buf_reset(ev->scratch);
	if (!enrich_interpret_computed(ev->enrich, ctx, f, ev->scratch))
		return;
	buf_putc(out, ',');
	put_made_key(out, ks, upper, i, nth);
	put_val(out, ev, ev->scratch->p, ev->scratch->len);
}

typedef struct argv_out {
	buf_t *out;
	const format_event_t *ev;
} argv_out_t;

/* one element of "argv":[...] (format_argv_walk); the marker is safe as
 * it is */
static void put_arg(void *ud, size_t nth, const char *arg, size_t len, int marker)
{
	const argv_out_t *a = ud;

	if (nth)
		buf_putc(a->out, ',');
	if (!marker) {
		put_val(a->out, a->ev, arg, len);
		return;
	}
	buf_putc(a->out, '"');
	buf_append(a->out, arg, len);
	buf_putc(a->out, '"');
}

/* 1 for the records whose arguments go out as "argv" (an "argv" key, and
 * no aN fields: every argument byte once) */
static int has_argv(const format_event_t *ev, const audit_record_t *r)
{
	return ev->enrich != NULL && r->type_str != NULL && strcmp(r->type_str, "EXECVE") == 0;
}

/* "argv":[...] for the event's first EXECVE record (the whole command
 * line, when it spans several EXECVE records), after a ',' when the object
 * has members already (MEMBERS) */
static void put_argv(buf_t *out, const format_event_t *ev, const audit_record_t *r,
                     int members)
{
	argv_out_t a;
	size_t mark = out->len;

	a.out = out;
	a.ev = ev;
	if (members)
		buf_putc(out, ',');
	buf_append(out, "\"argv\":[", 8);
	if (format_argv_walk(ev->reduce, ev->recs, ev->nrecs, r, ev->scratch, put_arg, &a,
	                     out) < 0)
		out->len = mark;   /* not an argv record: take it back */
	else
		buf_putc(out, ']');
}

static void put_record(buf_t *out, const format_event_t *ev, const audit_record_t *r)
{
	static const json_key_t argv_key[] = { JSON_KEY("argv"), { NULL, 0 } };
	static const json_key_t no_key[] = { { NULL, 0 } };
	int argv = has_argv(ev, r);
	json_keys_t ks;
	enrich_ctx_t ctx;
	audit_view_t v;
	size_t i;
	int members = 0;

	keys_init(&ks, argv ? argv_key : no_key, ev->work);
	if (r->indexed)
		ks.rec = r;
	else
		for (i = 0; i < r->nfields; i++)
			keys_own(&ks, r->fields[i].name.p, r->fields[i].name.len, 0);
	if (ev->enrich != NULL)
		format_enrich_ctx(ev, r, &ctx);
	buf_putc(out, '{');
	for (i = 0; i < r->nfields; i++) {
		const audit_field_t *f = &r->fields[i];
		unsigned nth = occurrence(&ks, f);

		if (argv && format_is_execve_arg(f->name))
			continue;   /* in "argv" */
		if (ev->reduce != NULL && !format_reduce_keeps(ev->reduce, f->name)) {
			ev->reduce->fields_cut++;
			continue;
		}
		if (members++)
			buf_putc(out, ',');
		put_field_key(out, &ks, f->name.p, f->name.len, nth,
		              (f->flags & AUDIT_FIELD_PLAIN_NAME) != 0);
		if (ev->enrich == NULL) {
			put_val(out, ev, f->value.p, f->value.len);
			continue;
		}
		v = enrich_decoded(&ctx, f, ev->scratch);
		put_val(out, ev, v.p, v.len);
		put_interpretation(out, &ks, ev, &ctx, r, f, nth);
	}
	if (argv)
		put_argv(out, ev, r, members);
	buf_putc(out, '}');
	keys_free(&ks, out);
}

/* put_record through the reduction's cache of the records no cap cuts
 * (format_record_cache_t, as LEEF and CEF do it): a record's object
 * depends on nothing written before it, so the place is not compared.
 * One call of put_record, which the compiler then writes in line. */
static void put_record_once(buf_t *out, const format_event_t *ev, const audit_record_t *r)
{
	format_record_cache_t *c = ev->reduce != NULL ? ev->reduce->record_cache : NULL;
	int keep = c != NULL && c->filling;
	size_t at = out->len, fields_cut = 0;
	int capped = 0;

	if (c != NULL && !c->filling) {
		const format_record_text_t *t = format_record_cache_next(c, r, 0, 0);

		if (t != NULL) {
			buf_append(out, c->bytes.p + t->off, t->len);
			ev->reduce->fields_cut += t->fields_cut;
			return;
		}
	}
	if (keep) {
		fields_cut = ev->reduce->fields_cut;
		capped = ev->reduce->capped;
		ev->reduce->capped = 0;
	}
	put_record(out, ev, r);
	if (keep) {
		if (!ev->reduce->capped && !out->oom)
			format_record_cache_keep(c, out, at, r, 0, 0, 0,
			                         ev->reduce->fields_cut - fields_cut);
		ev->reduce->capped |= capped;
	}
}

/* The member name of R's type, as format_type_name() writes it, in K
 * (TYPE_KEY_MAX: type names are at most 64 bytes, audit_record.c). */
#define TYPE_KEY_MAX 80

static size_t type_key(const audit_record_t *r, char *k)
{
	static const char unknown[] = "UNKNOWN[";
	size_t n;

	if (r->type_str != NULL) {
		n = strnlen(r->type_str, TYPE_KEY_MAX - 1);
		memcpy(k, r->type_str, n);
	} else if (r->type > 0) {   /* at most 8 + 10 + 1 bytes */
		memcpy(k, unknown, sizeof(unknown) - 1);
		n = sizeof(unknown) - 1;
		n += buf_uint_text(k + n, (unsigned)r->type);
		k[n++] = ']';
	} else {
		n = r->type_name.len < TYPE_KEY_MAX - 1 ? r->type_name.len : TYPE_KEY_MAX - 1;
		memcpy(k, r->type_name.p, n);
	}
	k[n] = '\0';
	return n;
}

/* The records of an event grouped by type, in O(nrecs): HEAD[i] is 1 for
 * the first record of its type, NEXT[i] the next record of that type
 * (JSON_NONE: the last). Records are grouped by their member name in a
 * keyset, then by format_same_type() among the few types that share one name
 * (a type libaudit names and UNKNOWN[n] written as such, say). */
#define JSON_NONE ((size_t)-1)
#define JSON_INLINE_RECS 16

typedef struct type_groups {
	size_t *next, *tail, *alt;   /* alt: the next group head with the same name */
	unsigned char *head;
	size_t mem[JSON_INLINE_RECS * 3];
	unsigned char head_mem[JSON_INLINE_RECS];
} type_groups_t;

static int groups_init(type_groups_t *g, size_t n)
{
	if (n <= JSON_INLINE_RECS) {
		g->next = g->mem;
		g->head = g->head_mem;
	} else {
		g->next = malloc(n * 3 * sizeof(size_t) + n);
		if (g->next == NULL)
			return -1;
		g->head = (unsigned char *)(g->next + n * 3);
	}
	g->tail = g->next + n;
	g->alt = g->tail + n;
	memset(g->head, 0, n);
	return 0;
}

static void groups_free(type_groups_t *g)
{
	if (g->next != g->mem)
		free(g->next);
}

/* Group the records, adding every type's member name to KS as its own */
static void group_types(type_groups_t *g, json_keys_t *ks, const format_event_t *ev)
{
	char key[TYPE_KEY_MAX];
	size_t i, h;

	for (i = 0; i < ev->nrecs; i++) {
		keyset_entry_t *e = keys_own(ks, key, type_key(ev->recs[i], key), 1);

		g->next[i] = g->alt[i] = JSON_NONE;
		if (e == NULL) {   /* no memory: a group of its own (flagged oom) */
			g->head[i] = 1;
			g->tail[i] = i;
			continue;
		}
		for (h = e->first ? e->first - 1 : JSON_NONE; h != JSON_NONE; h = g->alt[h])
			if (format_same_type(ev->recs[h], ev->recs[i]))
				break;
		if (h != JSON_NONE) {
			g->next[g->tail[h]] = i;
			g->tail[h] = i;
			continue;
		}
		g->head[i] = 1;
		g->tail[i] = i;
		if (e->first == 0) {
			e->first = i + 1;
		} else {   /* another type of the same name: after the others */
			for (h = e->first - 1; g->alt[h] != JSON_NONE; h = g->alt[h])
				;
			g->alt[h] = i;
		}
	}
}

/* Every record of the type that starts at recs[AT], as one member: an
 * object, or an array of objects when the type repeats. */
static void put_type_member(buf_t *out, json_keys_t *ks, const format_event_t *ev,
                            const type_groups_t *g, size_t at)
{
	char key[TYPE_KEY_MAX];
	size_t i, len = type_key(ev->recs[at], key);
	int many = g->next[at] != JSON_NONE;
	keyset_entry_t *e;

	buf_putc(out, ',');
	/* a type's own name unless it is ours or written already (two types
	 * of one name are not known to exist); type keys are all remembered */
	e = keyset_find(&ks->set, key, len);
	if (e == NULL || (e->flags & KEY_WRITTEN) || is_ours(ks, key, len)) {
		put_made_key(out, ks, key, len, 2);
	} else {
		e->flags |= KEY_WRITTEN;
		put_key_text(out, key, len);
	}
	if (many)
		buf_putc(out, '[');
	for (i = at; i != JSON_NONE; i = g->next[i]) {
		if (i != at)
			buf_putc(out, ',');
		put_record_once(out, ev, ev->recs[i]);
	}
	if (many)
		buf_putc(out, ']');
}

static void json_event(buf_t *out, const format_event_t *ev)
{
	static const json_key_t ours[] = {
		JSON_KEY("id"), JSON_KEY("time"), JSON_KEY("time_from"), JSON_KEY("host"),
		JSON_KEY("node"), JSON_KEY("type"), JSON_KEY("incomplete"), JSON_KEY("attack"),
		JSON_KEY("ancestry"), { NULL, 0 }
	};
	static const json_key_t ours_reduced[] = {
		JSON_KEY("id"), JSON_KEY("time"), JSON_KEY("time_from"), JSON_KEY("host"),
		JSON_KEY("node"), JSON_KEY("type"), JSON_KEY("incomplete"), JSON_KEY("attack"),
		JSON_KEY("ancestry"), JSON_KEY("reduced"), { NULL, 0 }
	};
	const audit_record_t *first = ev->recs[0];
	json_keys_t ks;
	type_groups_t g;
	int64_t sec;
	unsigned msec;
	size_t i;

	buf_putc(out, '{');
	if (first->stamped) {   /* journald's form has no serial: no id */
		buf_append(out, "\"id\":\"", 6);
		format_put_audit_id(out, first);
		buf_append(out, "\",", 2);
	}
	buf_append(out, "\"time\":\"", 8);
	format_event_time(ev, &sec, &msec);
	syslog_time_put_3339(out, sec, msec);
	buf_putc(out, '"');
	if (ev->time_from != NULL) {
		buf_append(out, ",\"time_from\":\"", 14);
		buf_puts(out, ev->time_from);
		buf_putc(out, '"');
	}
	if (ev->host.p != NULL) {   /* NULL: enrich.hostname="off" */
		buf_putc(out, ',');
		put_key(out, "host");
		put_val(out, ev, ev->host.p, ev->host.len);
	}
	if (first->node.len) {
		buf_putc(out, ',');
		put_key(out, "node");
		put_val(out, ev, first->node.p, first->node.len);
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
	if (ev->attack != NULL)
		attack_json(out, ev->attack);
	if (ev->nancestry)
		ancestry_json(out, ev->ancestry, ev->nancestry);
	if (groups_init(&g, ev->nrecs) != 0) {
		out->oom = 1;
		return;
	}
	keys_init(&ks, ev->reduce != NULL ? ours_reduced : ours, ev->work);
	group_types(&g, &ks, ev);
	for (i = 0; i < ev->nrecs; i++)
		if (g.head[i])
			put_type_member(out, &ks, ev, &g, i);
	buf_putc(out, '}');
	keys_free(&ks, out);
	groups_free(&g);
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

/* ,"reduced":{"from":N,...} as the last member of the object OUT ends */
static void json_reduced(buf_t *out, const format_conf_t *conf, const format_reduce_t *r)
{
	(void)conf;
	if (out->len == 0 || out->p[out->len - 1] != '}')
		return;
	out->len--;
	buf_printf(out, ",\"reduced\":{\"from\":%zu,\"values\":%zu,\"bytes\":%zu,"
	           "\"args\":%zu,\"fields\":%zu,\"records\":%zu}}", r->from, r->values_cut,
	           r->value_bytes_cut, r->args_cut, r->fields_cut, r->records_left);
}

const format_ops_t format_json = {
	.name = "json",
	.event = json_event,
	.unparsed = json_unparsed,
	.reduced = json_reduced,
};
