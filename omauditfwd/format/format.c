/* format.c -- the table of output formats and helpers they share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "format.h"

static const format_ops_t *const formats[] = {
	&format_json,
	&format_leef,
	&format_cef,
	&format_raw,
};

const format_ops_t *format_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

const char *format_names(void)
{
	return "json, leef, cef, raw";
}

void format_conf_default(format_conf_t *c)
{
	c->leef_version = FORMAT_LEEF_DEFAULT_VERSION;
	c->leef_delim = FORMAT_LEEF_DEFAULT_DELIM;
}

void format_record_cache_init(format_record_cache_t *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->bytes);
}

void format_record_cache_free(format_record_cache_t *c)
{
	buf_free(&c->bytes);
	free(c->e);
	format_record_cache_init(c);
}

void format_record_cache_clear(format_record_cache_t *c)
{
	buf_reset(&c->bytes);
	c->n = 0;
	c->next = 0;
	c->filling = 0;
	c->broken = 0;
}

size_t format_record_cache_size(const format_record_cache_t *c)
{
	return c->bytes.cap + c->cap * sizeof(*c->e);
}

void format_record_cache_keep(format_record_cache_t *c, const buf_t *out, size_t at,
                              const audit_record_t *r, unsigned nth, size_t npairs,
                              size_t pairs, size_t fields_cut)
{
	format_record_text_t *t;

	if (c->broken)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		format_record_text_t *e = realloc(c->e, cap * sizeof(*e));

		if (e == NULL) {
			c->broken = 1;
			return;
		}
		c->e = e;
		c->cap = cap;
	}
	t = &c->e[c->n];
	t->rec = r;
	t->nth = nth;
	t->npairs = npairs;
	t->off = c->bytes.len;
	t->len = out->len - at;
	t->pairs = pairs;
	t->fields_cut = fields_cut;
	buf_append(&c->bytes, out->p + at, t->len);
	if (c->bytes.oom)
		c->broken = 1;
	else
		c->n++;
}

const format_record_text_t *format_record_cache_next(format_record_cache_t *c,
                                                     const audit_record_t *r,
                                                     unsigned nth, size_t npairs)
{
	const format_record_text_t *t;

	if (c->broken || c->next >= c->n)
		return NULL;
	t = &c->e[c->next];
	if (t->rec != r || t->nth != nth || t->npairs != npairs)
		return NULL;
	c->next++;
	return t;
}

void format_reduce_reset(format_reduce_t *r)
{
	r->values_cut = 0;
	r->value_bytes_cut = 0;
	r->args_cut = 0;
	r->fields_cut = 0;
	r->capped = 0;
}

int format_reduce_keeps(const format_reduce_t *r, audit_view_t name)
{
	if (r == NULL || r->essential == 0)
		return 1;
	return r->essential == 1 && format_essential_field(name);
}

int format_essential_field(audit_view_t name)
{
	/* who, what, where from, with which outcome, under which rule */
	static const char *const keep[] = {
		"arch", "syscall", "success", "exit", "res", "result", "op",
		"auid", "uid", "euid", "suid", "fsuid", "gid", "egid", "ses", "pid",
		"ppid", "acct", "id", "comm", "exe", "cwd", "key", "name", "nametype",
		"item", "items", "argc", "saddr", "addr", "hostname", "terminal",
		"tty", "laddr", "lport", "raddr", "rport", "daddr", "dport", "sport",
		"proto", "subj", "obj", "apparmor", "operation", "profile",
		"seresult", "seperms", "scontext", "tcontext", "tclass", "cmd",
		"proctitle", NULL
	};
	char lower[16];
	size_t i;
	const char *const *k;

	if (name.len == 0 || name.len >= sizeof(lower))
		return 0;
	/* the interpretation of a kept field (UID, SADDR) is kept with it */
	for (i = 0; i < name.len; i++)
		lower[i] = (name.p[i] >= 'A' && name.p[i] <= 'Z') ?
		           (char)(name.p[i] - 'A' + 'a') : name.p[i];
	lower[i] = '\0';
	for (k = keep; *k != NULL; k++)
		if (strcmp(*k, lower) == 0)
			return 1;
	return 0;
}

size_t format_cut(format_reduce_t *r, const char *s, size_t len, size_t *keep,
                  char mark[FORMAT_CUT_MARKER_MAX])
{
	size_t k;
	int n;

	*keep = len;
	if (r == NULL || len <= r->value_max)
		return 0;
	r->capped = 1;
	k = r->value_max;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;   /* not in the middle of a UTF-8 sequence */
	*keep = k;
	r->values_cut++;
	r->value_bytes_cut += len - k;
	n = snprintf(mark, FORMAT_CUT_MARKER_MAX, "[cut %zu bytes]", len - k);
	return n > 0 ? (size_t)n : 0;
}

/* what an argument of LEN bytes costs when it is kept */
static size_t kept_len(const format_reduce_t *r, size_t len)
{
	return len > r->value_max ? r->value_max + FORMAT_CUT_MARKER_MAX / 2 : len;
}

/* The cut of an argument list of N arguments of lengths LEN when it
 * holds more than REDUCE->argv_max bytes: the first *HEAD and the last
 * *TAIL of its *TOTAL arguments are kept, the ones between are left out
 * and MARK (*MLEN bytes) says so. Returns 1 when the list is cut, 0 when
 * it is not (written as it is). Counts what it leaves out in REDUCE. */
static int argv_cut(format_reduce_t *reduce, const size_t *len, size_t n,
                    size_t *head, size_t *tail, size_t *total,
                    char mark[FORMAT_CUT_MARKER_MAX], size_t *mlen)
{
	size_t i, bytes = 0, hb = 0, tb = 0, cut;

	for (i = 0; i < n; i++)
		bytes += len[i];
	if (bytes <= reduce->argv_max)
		return 0;
	reduce->capped = 1;
	/* the first arguments up to half the budget (argv[0] always), then
	 * the last ones up to the rest; a kept argument costs at most
	 * value_max (it is cut to that) */
	for (*head = 0; *head < n && (*head == 0 || hb + kept_len(reduce, len[*head]) <=
	                                            reduce->argv_max / 2); (*head)++)
		hb += kept_len(reduce, len[*head]);
	for (*tail = 0; *head + *tail < n &&
	     tb + kept_len(reduce, len[n - 1 - *tail]) + hb <= reduce->argv_max; (*tail)++)
		tb += kept_len(reduce, len[n - 1 - *tail]);
	if (*head + *tail >= n)
		return 0;
	*total = n;
	for (i = *head, cut = 0; i < n - *tail; i++)
		cut += len[i];
	reduce->args_cut += n - *head - *tail;
	reduce->value_bytes_cut += cut;
	i = (size_t)snprintf(mark, FORMAT_CUT_MARKER_MAX, "[... %zu args, %zu bytes cut ...]",
	                     n - *head - *tail, cut);
	*mlen = i < FORMAT_CUT_MARKER_MAX ? i : FORMAT_CUT_MARKER_MAX - 1;
	return 1;
}

void format_argv_cache_init(format_argv_cache_t *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < FORMAT_ARGV_CACHE_LISTS; i++)
		buf_init(&c->list[i].bytes);
}

void format_argv_cache_free(format_argv_cache_t *c)
{
	size_t i;

	for (i = 0; i < FORMAT_ARGV_CACHE_LISTS; i++) {
		buf_free(&c->list[i].bytes);
		free(c->list[i].lens);
		buf_free(&c->list[i].written);
		free(c->list[i].texts);
	}
	format_argv_cache_init(c);
}

static void list_drop(format_argv_list_t *l)
{
	l->r = NULL;
	l->n = 0;
	buf_reset(&l->bytes);
	buf_reset(&l->written);
	if (l->texts != NULL)
		memset(l->texts, 0, l->texts_cap * sizeof(*l->texts));
}

void format_argv_cache_drop(format_argv_cache_t *c)
{
	size_t i;

	c->recs = NULL;
	c->nrecs = 0;
	c->next = 0;
	for (i = 0; i < FORMAT_ARGV_CACHE_LISTS; i++)
		list_drop(&c->list[i]);
}

size_t format_argv_cache_size(const format_argv_cache_t *c)
{
	size_t i, n = 0;

	for (i = 0; i < FORMAT_ARGV_CACHE_LISTS; i++)
		n += c->list[i].bytes.cap + c->list[i].cap * sizeof(*c->list[i].lens) +
		     c->list[i].written.cap + c->list[i].texts_cap * sizeof(*c->list[i].texts);
	return n;
}

/* enrich_arg_fn: one more argument into the list (UD); r NULL when
 * memory ran out */
static void cache_arg(const char *arg, size_t len, void *ud)
{
	format_argv_list_t *l = ud;

	if (l->r == NULL)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64, *a = realloc(l->lens, cap * sizeof(*a));

		if (a == NULL) {
			l->r = NULL;
			return;
		}
		l->lens = a;
		l->cap = cap;
	}
	buf_append(&l->bytes, arg, len);
	l->lens[l->n++] = len;
}

/* The argument list of R (enrich_event_argv's walk over RECS) from C,
 * decoded now unless C held it already; NULL when memory ran out */
static format_argv_list_t *cached_argv(format_argv_cache_t *c,
                                             const audit_record_t *const *recs,
                                             size_t nrecs, const audit_record_t *r,
                                             buf_t *scratch)
{
	format_argv_list_t *l;
	size_t i;

	if (c->recs != recs || c->nrecs != nrecs) {
		format_argv_cache_drop(c);
		c->recs = recs;
		c->nrecs = nrecs;
	}
	for (i = 0; i < FORMAT_ARGV_CACHE_LISTS; i++)
		if (c->list[i].r == r && r != NULL)
			return &c->list[i];
	l = &c->list[c->next];
	c->next = (c->next + 1) % FORMAT_ARGV_CACHE_LISTS;
	list_drop(l);
	l->r = r;
	l->nargs = enrich_event_argv(recs, nrecs, r, scratch, cache_arg, l);
	if (l->r == NULL || l->bytes.oom || (l->nargs >= 0 && (size_t)l->nargs != l->n)) {
		list_drop(l);
		return NULL;
	}
	return l;
}

typedef struct argv_walk {
	format_argv_put_fn put;
	void *ud;
	buf_t *out;        /* where PUT writes, with LIST's texts: copied */
	format_argv_list_t *list;
	size_t value_max;  /* the arguments it does not cut are copied */
	int reduced;
	size_t i;          /* the argument being walked */
	size_t n;          /* elements written */
	size_t head, tail; /* reduced: the first HEAD and the last TAIL are kept */
	size_t total;      /* arguments */
	char mark[FORMAT_CUT_MARKER_MAX];
	size_t mlen;
} argv_walk_t;

/* Argument I (ARG, LEN bytes), kept: put, or copied from what an earlier
 * put of it wrote when no cap cuts it (LEN <= value_max). Its separator
 * is the same at every cap: the first argument is always kept, so only
 * it has none. */
static void put_kept(argv_walk_t *w, size_t i, const char *arg, size_t len)
{
	format_argv_list_t *l = w->list;
	format_argv_text_t *t;
	size_t from;

	if (l == NULL || l->texts == NULL || i >= l->n || len > w->value_max) {
		w->put(w->ud, w->n++, arg, len, 0);
		return;
	}
	t = &l->texts[i];
	if (t->len != 0) {
		buf_append(w->out, l->written.p + t->at, t->len);
		w->n++;
		return;
	}
	from = w->out->len;
	w->put(w->ud, w->n++, arg, len, 0);
	if (w->out->oom || w->out->len <= from)
		return;
	t->at = l->written.len;
	buf_append(&l->written, w->out->p + from, w->out->len - from);
	t->len = l->written.oom ? 0 : w->out->len - from;
}

/* reduced: the first and last arguments, the ones between as one marker */
static void walk_arg(const char *arg, size_t len, void *ud)
{
	argv_walk_t *w = ud;
	size_t i = w->i++;

	if (!w->reduced || i < w->head || i >= w->total - w->tail)
		put_kept(w, i, arg, len);
	else if (i == w->head)
		w->put(w->ud, w->n++, w->mark, w->mlen, 1);
}

/* L's texts, one per argument, none kept yet (0 when memory ran out: the
 * arguments are put each time) */
static int list_texts(format_argv_list_t *l)
{
	format_argv_text_t *t;

	if (l->texts != NULL && l->texts_cap >= l->n)
		return 1;
	t = realloc(l->texts, (l->n ? l->n : 1) * sizeof(*t));
	if (t == NULL)
		return 0;
	memset(t, 0, (l->n ? l->n : 1) * sizeof(*t));
	buf_reset(&l->written);
	l->texts = t;
	l->texts_cap = l->n ? l->n : 1;
	return 1;
}

int format_argv_walk(format_reduce_t *reduce, const audit_record_t *const *recs,
                     size_t nrecs, const audit_record_t *r, buf_t *scratch,
                     format_argv_put_fn put, void *ud, buf_t *out)
{
	argv_walk_t w;
	format_argv_cache_t local, *c;
	format_argv_list_t *l;
	const char *base;
	size_t i, at = 0;
	int rc;

	memset(&w, 0, sizeof(w));
	w.put = put;
	w.ud = ud;
	if (reduce == NULL)
		return enrich_event_argv(recs, nrecs, r, scratch, walk_arg, &w);
	/* the lengths are needed before the first argument is written: the
	 * list decoded first, into the reducer's cache (or one of this call) */
	if ((c = reduce->argv_cache) == NULL) {
		format_argv_cache_init(&local);
		c = &local;
	}
	if ((l = cached_argv(c, recs, nrecs, r, scratch)) == NULL) {
		rc = enrich_event_argv(recs, nrecs, r, scratch, walk_arg, &w);
	} else if ((rc = l->nargs) >= 0) {
		base = l->bytes.p != NULL ? l->bytes.p : "";
		w.reduced = argv_cut(reduce, l->lens, l->n, &w.head, &w.tail, &w.total,
		                     w.mark, &w.mlen);
		if (out != NULL && c != &local && list_texts(l)) {
			w.out = out;
			w.list = l;
			w.value_max = reduce->value_max;
		}
		for (i = 0; i < l->n; at += l->lens[i], i++)
			walk_arg(base + at, l->lens[i], &w);
	}
	if (c == &local)
		format_argv_cache_free(&local);
	return rc;
}

void format_unparsed_reduced(const format_ops_t *f, const format_conf_t *conf,
                             buf_t *out, const char *line, size_t len,
                             audit_parse_rc_t why, audit_view_t host,
                             format_reduce_t *r)
{
	char mark[FORMAT_CUT_MARKER_MAX], hmark[FORMAT_CUT_MARKER_MAX];
	size_t keep, hkeep, mlen, hlen, at;
	buf_t tmp;

	if (r == NULL) {
		format_unparsed(f, conf, out, line, len, why, host);
		return;
	}
	/* the cut line and host with their markers, in one work buffer */
	mlen = format_cut(r, line, len, &keep, mark);
	hlen = format_cut(r, host.p, host.len, &hkeep, hmark);
	buf_init(&tmp);
	buf_append(&tmp, line, keep);
	buf_append(&tmp, mark, mlen);
	at = tmp.len;
	buf_append(&tmp, host.p, hkeep);
	buf_append(&tmp, hmark, hlen);
	if (tmp.oom) {
		out->oom = 1;
	} else {
		audit_view_t h = { tmp.p != NULL ? tmp.p + at : "", tmp.len - at };

		format_unparsed(f, conf, out, tmp.p != NULL ? tmp.p : "", at, why, h);
		if (f->reduced != NULL)
			f->reduced(out, conf, r);
	}
	buf_free(&tmp);
}

void format_unparsed(const format_ops_t *f, const format_conf_t *conf, buf_t *out,
                     const char *line, size_t len, audit_parse_rc_t why,
                     audit_view_t host)
{
	format_conf_t dflt;

	if (f->unparsed_conf == NULL) {
		f->unparsed(out, line, len, why, host);
		return;
	}
	if (conf == NULL) {
		format_conf_default(&dflt);
		conf = &dflt;
	}
	f->unparsed_conf(out, conf, line, len, why, host);
}

void format_type_name(buf_t *out, const audit_record_t *r)
{
	if (r->type_str != NULL)
		buf_puts(out, r->type_str);
	else if (r->type > 0)
		buf_printf(out, "UNKNOWN[%d]", r->type);
	else
		buf_append(out, r->type_name.p, r->type_name.len);
}

int format_same_type(const audit_record_t *a, const audit_record_t *b)
{
	if (a->type_str != NULL || b->type_str != NULL)
		return a->type_str == b->type_str;
	return a->type == b->type && a->type_name.len == b->type_name.len &&
	       memcmp(a->type_name.p, b->type_name.p, a->type_name.len) == 0;
}

void format_put_audit_id(buf_t *out, const audit_record_t *r)
{
	unsigned msec = r->msec % 1000;
	char ms[3];

	if (r->sec < 0) {
		buf_putc(out, '-');
		buf_put_uint(out, (unsigned long long)-(r->sec + 1) + 1);
	} else {
		buf_put_uint(out, (unsigned long long)r->sec);
	}
	buf_putc(out, '.');
	ms[0] = (char)('0' + msec / 100);
	ms[1] = (char)('0' + msec / 10 % 10);
	ms[2] = (char)('0' + msec % 10);
	buf_append(out, ms, sizeof(ms));
	buf_putc(out, ':');
	buf_put_uint(out, (unsigned long long)r->serial);
}

int format_is_execve_arg(audit_view_t n)
{
	size_t i = 1, d;

	if (n.len < 2 || n.p[0] != 'a')
		return 0;
	for (d = i; i < n.len && n.p[i] >= '0' && n.p[i] <= '9'; i++)
		;
	if (i == d)
		return 0;
	if (i == n.len)
		return 1;
	if (n.p[i] != '[' || n.p[n.len - 1] != ']' || i + 2 >= n.len)
		return 0;
	for (i++; i < n.len - 1; i++)
		if (n.p[i] < '0' || n.p[i] > '9')
			return 0;
	return 1;
}

/* overlong forms and surrogates are invalid */
size_t format_utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned cp;

	if (c < 0xC2 || c > 0xF4)
		return 0;
	n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (n > avail)
		return 0;
	cp = c & (0x7F >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return n;
}

/* Unicode's invisible format characters (general category Cf, Unicode 15:
 * bidi controls, zero-width characters, soft hyphen, BOM, tags, ...) and
 * the line and paragraph separators U+2028/U+2029: characters that change
 * how text around them reads without showing themselves */
static const struct { unsigned lo, hi; } invisible[] = {
	{ 0x00AD, 0x00AD }, { 0x0600, 0x0605 }, { 0x061C, 0x061C }, { 0x06DD, 0x06DD },
	{ 0x070F, 0x070F }, { 0x0890, 0x0891 }, { 0x08E2, 0x08E2 }, { 0x180E, 0x180E },
	{ 0x200B, 0x200F }, { 0x2028, 0x202E }, { 0x2060, 0x2064 }, { 0x2066, 0x206F },
	{ 0xFEFF, 0xFEFF }, { 0xFFF9, 0xFFFB }, { 0x110BD, 0x110BD }, { 0x110CD, 0x110CD },
	{ 0x13430, 0x1343F }, { 0x1BCA0, 0x1BCA3 }, { 0x1D173, 0x1D17A },
	{ 0xE0001, 0xE0001 }, { 0xE0020, 0xE007F },
};

int format_is_invisible(unsigned cp)
{
	size_t i;

	if (cp < 0xAD)
		return 0;
	for (i = 0; i < sizeof(invisible) / sizeof(invisible[0]) && invisible[i].lo <= cp; i++)
		if (cp <= invisible[i].hi)
			return 1;
	return 0;
}

/* The code point of the valid N-byte UTF-8 sequence at S */
static unsigned utf8_cp(const unsigned char *s, size_t n)
{
	unsigned cp = s[0] & (0x7F >> n);
	size_t i;

	for (i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	return cp;
}

/* The first byte at or after P that E's LOOK marks, or that is EXTRA (-1:
 * none), or END. Sixteen bytes a round while that many are left (SSE2,
 * which every x86-64 has): a byte is marked when it is below 0x20 or from
 * 0x80 on (below 0x20 as a signed byte), 0x7F, or one of E's two
 * SPECIAL: FORMAT_ESC_NOT_TEXT and the two, which is what LOOK holds
 * (FORMAT_ESCAPER makes both). Then eight look-ups a round, then one. */
static inline __attribute__((always_inline)) const unsigned char *
next_special(const unsigned char *p, const unsigned char *end, const format_escaper_t *e,
             int extra)
{
	const unsigned char *look = e->look;

#ifdef __SSE2__
	const __m128i ctl = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F);
	const __m128i s1 = _mm_set1_epi8((char)e->special[0]);
	const __m128i s2 = _mm_set1_epi8((char)e->special[1]);
	const __m128i ex = _mm_set1_epi8((char)(extra >= 0 ? extra : e->special[0]));

	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, ctl), _mm_cmpeq_epi8(x, del)),
		                           _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, s1),
		                                                     _mm_cmpeq_epi8(x, s2)),
		                                        _mm_cmpeq_epi8(x, ex)));
		unsigned m = (unsigned)_mm_movemask_epi8(hit);

		if (m != 0)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	if (extra < 0) {
		while (end - p >= 8 && (look[p[0]] | look[p[1]] | look[p[2]] | look[p[3]] |
		                        look[p[4]] | look[p[5]] | look[p[6]] | look[p[7]]) == 0)
			p += 8;
		while (p < end && !look[*p])
			p++;
	} else {
		while (p < end && !look[*p] && (int)*p != extra)
			p++;
	}
	return p;
}

void format_escape(buf_t *out, const char *s, size_t len, const format_escaper_t *e,
                   int extra)
{
	const unsigned char *p, *end, *run, *look = e->look;

	if (len == 0)
		return;   /* S may be an empty buffer's NULL: NULL + 0 is undefined */
	if (extra >= 256 || (extra >= 0 && look[extra]))
		extra = -1;   /* no byte, or special already */
	p = run = (const unsigned char *)s;
	end = p + len;
	while (p < end) {
		unsigned c;
		size_t n;

		/* the run of plain text up to the next byte to look at */
		p = next_special(p, end, e, extra);
		if (p == end)
			break;
		c = *p;
		if (c >= 0x80 && (n = format_utf8_seq_len(p, (size_t)(end - p))) != 0) {
			unsigned cp = utf8_cp(p, n);

			if (e->put_invisible != NULL && format_is_invisible(cp)) {
				buf_append(out, run, (size_t)(p - run));
				e->put_invisible(out, cp);
				run = p + n;
			}
			p += n;
			continue;
		}
		buf_append(out, run, (size_t)(p - run));
		e->put(out, c);
		run = ++p;
	}
	buf_append(out, run, (size_t)(p - run));
}

/* JSON escapes for the syntax; in the text a JSON reader gets back, '\'
 * is the escape of this format: a backslash of the value is "\\", a byte
 * that is not UTF-8 "\xNN", so the two never read alike (0xFF and the
 * text "\xff" used to) and the bytes can be recovered. */
static void json_put(buf_t *out, unsigned c)
{
	static const char hex[] = "0123456789abcdef";

	if (c == '"') {
		buf_append(out, "\\\"", 2);
	} else if (c == '\\') {
		buf_append(out, "\\\\\\\\", 4);   /* the text \\ */
	} else if (c == '\n') {
		buf_append(out, "\\n", 2);
	} else if (c == '\r') {
		buf_append(out, "\\r", 2);
	} else if (c == '\t') {
		buf_append(out, "\\t", 2);
	} else if (c < 0x20 || c == 0x7F) {
		char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		buf_append(out, e, 6);
	} else {
		/* an invalid UTF-8 byte: kept visible as the text \xNN */
		char e[5] = { '\\', '\\', 'x', hex[c >> 4], hex[c & 15] };
		buf_append(out, e, 5);
	}
}

/* the text \uXXXX (\UXXXXXXXX beyond the BMP): visible, and not a JSON
 * escape, which a reader would turn back into the character */
static void json_put_invisible(buf_t *out, unsigned cp)
{
	buf_append(out, "\\\\", 2);
	format_put_cp_name(out, cp);
}

void format_json_escape(buf_t *out, const char *s, size_t len)
{
	static const format_escaper_t json =
		FORMAT_ESCAPER('"', '\\', json_put, json_put_invisible);

	if (!format_plain_short(out, s, len, json.look))
		format_escape(out, s, len, &json, -1);
}

void format_put_cp_name(buf_t *out, unsigned cp)
{
	static const char hex[] = "0123456789abcdef";
	char b[10];
	int n = cp > 0xFFFF ? 8 : 4, i;

	b[0] = cp > 0xFFFF ? 'U' : 'u';
	for (i = 0; i < n; i++)
		b[1 + i] = hex[(cp >> (4 * (n - 1 - i))) & 15];
	buf_append(out, b, (size_t)n + 1);
}

static audit_view_t event_arch(const format_event_t *ev)
{
	const audit_field_t *arch = NULL;
	audit_view_t v;
	size_t i;

	for (i = 0; i < ev->nrecs && arch == NULL; i++)
		arch = audit_record_field(ev->recs[i], "arch");
	v.p = arch ? arch->value.p : "";
	v.len = arch ? arch->value.len : 0;
	return v;
}

void format_event_find_arch(format_event_t *ev)
{
	ev->arch = event_arch(ev);
}

void format_enrich_ctx(const format_event_t *ev, const audit_record_t *r,
                       enrich_ctx_t *ctx)
{
	ctx->rec = r;
	/* a scan of every field of the event, unless it was done once */
	ctx->arch = ev->arch.p != NULL ? ev->arch : event_arch(ev);
	ctx->origin = r->node.len ? r->node : r->hostname;
	memset(&ctx->facts, 0, sizeof(ctx->facts));
}
