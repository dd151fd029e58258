/* format_kv.c -- the event summary and the field walk shared by the LEEF
 * and CEF formats (see format_kv.h). Values are looked up in the records
 * (zero-copy views), decoded or interpreted into the event's scratch buffer
 * and escaped by the format straight into the output. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_kv.h"
#include "keyset.h"

/* libaudit's numbers of the record types the summary looks at */
#define KV_TYPE_USER_AVC      1107
#define KV_TYPE_SYSCALL       1300
#define KV_TYPE_PATH          1302
#define KV_TYPE_SOCKADDR      1306
#define KV_TYPE_EXECVE        1309
#define KV_TYPE_NETFILTER_PKT 1324
#define KV_TYPE_AVC           1400
#define KV_TYPE_SELINUX_ERR   1401

#define KV_MAX_UPPER_NAME 64      /* longer names get no interpretation */
#define KV_MAX_DUP_SUFFIX 9999

/* (the first bytes are compared inline: most names differ there) */
static int view_is(audit_view_t v, const char *s)
{
	size_t n = strlen(s);

	return v.len == n && (n == 0 || v.p[0] == s[0]) && memcmp(v.p, s, n) == 0;
}

/* Each byte as it goes into a key: the characters a key may hold,
 * [A-Za-z0-9_.], as they are, every other byte '_'. A table of what to
 * write, so that a byte costs one load and one store. */
#define KM(c) (((c) >= '0' && (c) <= '9') || ((c) >= 'A' && (c) <= 'Z') || \
               ((c) >= 'a' && (c) <= 'z') || (c) == '_' || (c) == '.' ? (char)(c) : '_')
#define KM4(c)  KM(c), KM((c) + 1), KM((c) + 2), KM((c) + 3)
#define KM16(c) KM4(c), KM4((c) + 4), KM4((c) + 8), KM4((c) + 12)
#define KM64(c) KM16(c), KM16((c) + 16), KM16((c) + 32), KM16((c) + 48)
static const char key_map[256] = { KM64(0), KM64(64), KM64(128), KM64(192) };

/* S (LEN bytes) as a key part at D */
static void key_chars(char *d, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		d[i] = key_map[(unsigned char)s[i]];
}

void kv_key_part(buf_t *out, const char *s, size_t len)
{
	if (buf_reserve(out, len) != 0)
		return;
	key_chars(out->p + out->len, s, len);
	out->len += len;
}

/* The ENRICHED counterpart of F written by the origin (UID="root"), or NULL */
static const audit_field_t *enriched_of(const audit_record_t *r, const audit_field_t *f)
{
	char up[KV_MAX_UPPER_NAME + 1];

	if (!audit_record_may_have_enriched(r, f->name.p, f->name.len) ||
	    (f->flags & AUDIT_FIELD_INTERPRETED) || !format_upper_name(r, f, up, KV_MAX_UPPER_NAME))
		return NULL;
	return audit_record_field(r, up);
}

static audit_view_t scratch_view(const format_event_t *ev)
{
	audit_view_t v = { ev->scratch->p ? ev->scratch->p : "", ev->scratch->len };

	return v;
}

/* CTX for record R of EV, starting from the facts M keeps when they are
 * R's (M NULL: none) */
static void memo_ctx(const format_event_t *ev, const kv_memo_t *m,
                     const audit_record_t *r, enrich_ctx_t *ctx)
{
	format_enrich_ctx(ev, r, ctx);
	if (m != NULL && m->facts_rec == r)
		ctx->facts = m->facts;
}

/* F's interpretation (INTERPRETED: enrich_interpret's answer) or decoded
 * value V, kept when there is room */
static void memo_put(kv_memo_t *m, const audit_field_t *f, int interpreted,
                     audit_view_t v)
{
	if (m->n == KV_MEMO_MAX || v.len > sizeof(m->text) - m->used)
		return;
	memcpy(m->text + m->used, v.p, v.len);
	m->e[m->n].f = f;
	m->e[m->n].interpreted = interpreted;
	m->e[m->n].off = m->used;
	m->e[m->n].len = v.len;
	m->used += v.len;
	m->n++;
}

/* REF's text: with INTERP its interpretation when it has one, else its
 * decoded value; without enrichment the value as written (or the
 * origin's ENRICHED interpretation). An interpretation is made once per
 * event: M keeps it, and the facts of its record. Valid until the next use
 * of EV's scratch. */
static audit_view_t ref_text(const format_event_t *ev, kv_memo_t *m, kv_ref_t ref,
                             int interp)
{
	const audit_field_t *up;
	enrich_ctx_t ctx;
	audit_view_t v;
	int i, rc;

	if (ev->enrich == NULL || ev->scratch == NULL) {
		if (interp && (up = enriched_of(ref.r, ref.f)) != NULL)
			return up->value;
		return ref.f->value;
	}
	if (interp && (i = kv_memo_find(m, ref.f)) >= 0)
		return kv_memo_text(m, i);
	memo_ctx(ev, m, ref.r, &ctx);
	buf_reset(ev->scratch);
	if (!interp)
		return enrich_decoded(&ctx, ref.f, ev->scratch);
	rc = enrich_interpret(ev->enrich, &ctx, ref.f, ev->scratch);
	m->facts_rec = ref.r;
	m->facts = ctx.facts;
	v = rc ? scratch_view(ev) : enrich_decoded(&ctx, ref.f, ev->scratch);
	memo_put(m, ref.f, rc, v);
	return v;
}

static void take(kv_ref_t *ref, const audit_record_t *r, const audit_field_t *f)
{
	if (ref->f == NULL) {
		ref->r = r;
		ref->f = f;
	}
}

static int is_parent_path(const audit_record_t *r)
{
	const audit_field_t *nt = audit_record_field(r, "nametype");

	return nt != NULL && view_is(nt->value, "PARENT");
}

/* is_parent_path() of the resource's record and of the record being
 * summarized, each found once (a PATH record may hold many names) */
typedef struct parent_memo {
	const audit_record_t *r[2];
	int v[2];
} parent_memo_t;

static int parent_of(parent_memo_t *m, int which, const audit_record_t *r)
{
	if (m->r[which] != r) {
		m->r[which] = r;
		m->v[which] = is_parent_path(r);
	}
	return m->v[which];
}

static void summarize_field(kv_summary_t *s, parent_memo_t *pm, const audit_record_t *r,
                            const audit_field_t *f)
{
	/* the first letters of the names looked at below: most fields are
	 * none of them and are passed over at once */
	static const unsigned char first[256] = {
		['a'] = 1, ['d'] = 1, ['e'] = 1, ['k'] = 1, ['n'] = 1, ['o'] = 1,
		['p'] = 1, ['r'] = 1, ['s'] = 1, ['u'] = 1,
	};
	audit_view_t n = f->name;

	if (n.len == 0 || !first[(unsigned char)n.p[0]])
		return;
	switch (r->type) {
	case KV_TYPE_SYSCALL:
		if (view_is(n, "syscall"))
			take(&s->syscall, r, f);
		else if (view_is(n, "success"))
			take(&s->success, r, f);
		break;
	case KV_TYPE_SOCKADDR:
		if (view_is(n, "saddr"))
			take(&s->saddr, r, f);
		return;
	case KV_TYPE_NETFILTER_PKT:
		if (view_is(n, "saddr"))
			take(&s->ref[KV_SRC], r, f);
		else if (view_is(n, "daddr"))
			take(&s->ref[KV_DST], r, f);
		else if (view_is(n, "sport"))
			take(&s->ref[KV_SRC_PORT], r, f);
		else if (view_is(n, "dport"))
			take(&s->ref[KV_DST_PORT], r, f);
		else if (view_is(n, "proto"))
			take(&s->ref[KV_PROTO], r, f);
		return;
	case KV_TYPE_PATH:
		if (view_is(n, "name") && f->enc != AUDIT_ENC_NULL) {
			/* a PARENT only when no other PATH names a file */
			if (s->ref[KV_RESOURCE].f != NULL &&
			    parent_of(pm, 0, s->ref[KV_RESOURCE].r) && !parent_of(pm, 1, r))
				s->ref[KV_RESOURCE].f = NULL;
			take(&s->ref[KV_RESOURCE], r, f);
		}
		return;
	default:
		break;
	}
	if (view_is(n, "auid"))
		take(&s->auid, r, f);
	else if (view_is(n, "uid"))
		take(&s->uid, r, f);
	else if (view_is(n, "acct"))
		take(&s->ref[KV_ACCOUNT], r, f);
	else if (view_is(n, "res"))
		take(&s->res, r, f);
	else if (view_is(n, "op"))
		take(&s->ref[KV_ACTION], r, f);
	else if (view_is(n, "exe"))
		take(&s->ref[KV_EXE], r, f);
	else if (view_is(n, "key") && f->enc != AUDIT_ENC_NULL && f->value.len)
		take(&s->ref[KV_POLICY], r, f);
	else if (view_is(n, "addr") && f->value.len && !view_is(f->value, "?"))
		take(&s->ref[KV_SRC], r, f);
}

void kv_summarize(const format_event_t *ev, kv_summary_t *s)
{
	parent_memo_t pm = { { NULL, NULL }, { 0, 0 } };
	size_t i, j;

	/* the memo's texts are not cleared: they are read only where its
	 * counts say they were written */
	memset(s, 0, offsetof(kv_summary_t, memo));
	s->memo.facts_rec = NULL;
	s->memo.n = 0;
	s->memo.used = 0;
	for (i = 0; i < ev->nrecs; i++) {
		const audit_record_t *r = ev->recs[i];

		for (j = 0; j < r->nfields; j++)
			if (!(r->fields[j].flags & AUDIT_FIELD_INTERPRETED))
				summarize_field(s, &pm, r, &r->fields[j]);
	}
	if (s->success.f != NULL)
		s->failed = view_is(s->success.f->value, "no");
	else if (s->res.f != NULL)
		s->failed = view_is(s->res.f->value, "failed") || view_is(s->res.f->value, "0") ||
		            view_is(s->res.f->value, "no");
	if (s->saddr.f != NULL && s->syscall.f != NULL) {
		static const char *const peer_is_src[] = { "accept", "accept4", "recvfrom",
		                                           "recvmsg", "recvmmsg" };
		audit_view_t sc = ref_text(ev, &s->memo, s->syscall, 1);

		for (i = 0; i < sizeof(peer_is_src) / sizeof(peer_is_src[0]); i++)
			if (view_is(sc, peer_is_src[i]))
				s->sock_peer_is_src = 1;
	}
}

/* "laddr" or "lport" out of a SOCKADDR interpretation
 * ("{ saddr_fam=inet laddr=10.0.0.1 lport=22 }") */
static int sockaddr_part(const format_event_t *ev, kv_summary_t *s,
                         const char *part, audit_view_t *v)
{
	audit_view_t t = ref_text(ev, &s->memo, s->saddr, 1);
	size_t plen = strlen(part), i, end;

	for (i = 0; i + plen + 1 < t.len; i++) {
		if ((i == 0 || t.p[i - 1] == ' ') && memcmp(t.p + i, part, plen) == 0 &&
		    t.p[i + plen] == '=') {
			i += plen + 1;
			for (end = i; end < t.len && t.p[end] != ' ' && t.p[end] != '}'; end++)
				;
			v->p = t.p + i;
			v->len = end - i;
			return v->len != 0;
		}
	}
	return 0;
}

static int id_is_set(const audit_field_t *f)
{
	return !view_is(f->value, "4294967295") && !view_is(f->value, "-1");
}

int kv_item(const format_event_t *ev, kv_summary_t *s, kv_item_t it,
            audit_view_t *v)
{
	const kv_ref_t *ref = &s->ref[it];
	int sock = s->saddr.f != NULL;

	switch (it) {
	case KV_USER:
		if (s->auid.f != NULL && id_is_set(s->auid.f))
			*v = ref_text(ev, &s->memo, s->auid, 1);
		else if (s->ref[KV_ACCOUNT].f != NULL)
			*v = ref_text(ev, &s->memo, s->ref[KV_ACCOUNT], 0);
		else if (s->uid.f != NULL)
			*v = ref_text(ev, &s->memo, s->uid, 1);
		else
			return 0;
		return 1;
	case KV_SRC:
		if (ref->f == NULL)
			return sock && s->sock_peer_is_src && sockaddr_part(ev, s, "laddr", v);
		break;
	case KV_SRC_PORT:
		if (ref->f == NULL)
			return sock && s->sock_peer_is_src && sockaddr_part(ev, s, "lport", v);
		break;
	case KV_DST:
		if (ref->f == NULL)
			return sock && !s->sock_peer_is_src && sockaddr_part(ev, s, "laddr", v);
		break;
	case KV_DST_PORT:
		if (ref->f == NULL)
			return sock && !s->sock_peer_is_src && sockaddr_part(ev, s, "lport", v);
		break;
	case KV_PROTO:
		if (ref->f == NULL)
			return 0;
		*v = ref_text(ev, &s->memo, *ref, 1);
		return 1;
	case KV_ACTION:
		if (s->syscall.f != NULL) {
			*v = ref_text(ev, &s->memo, s->syscall, 1);
			return 1;
		}
		break;
	case KV_OUTCOME:
		if (s->success.f == NULL && s->res.f == NULL)
			return 0;
		v->p = s->failed ? "failure" : "success";
		v->len = strlen(v->p);
		return 1;
	default:
		break;
	}
	if (ref->f == NULL)
		return 0;
	*v = ref_text(ev, &s->memo, *ref, 0);
	return 1;
}

/* The record's type name (into TMP when it has to be made up) */
audit_view_t kv_type_name(const audit_record_t *r, char *tmp, size_t tmpsize)
{
	audit_view_t v;

	if (r->type_str != NULL) {
		v.p = r->type_str;
		v.len = strlen(r->type_str);
	} else if (r->type > 0) {
		v.p = tmp;
		v.len = (size_t)snprintf(tmp, tmpsize, "UNKNOWN[%d]", r->type);
	} else {
		v = r->type_name;
	}
	return v;
}

/* Append S with characters other than [A-Za-z0-9_:.[]-] as '_' */
static void id_part(buf_t *out, audit_view_t s)
{
	size_t i;

	if (buf_reserve(out, s.len) != 0)
		return;
	for (i = 0; i < s.len; i++) {
		char c = s.p[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '.' ||
		         c == '[' || c == ']' || c == '-';
		out->p[out->len++] = ok ? c : '_';
	}
}

void kv_event_id(buf_t *out, const format_event_t *ev, kv_summary_t *s)
{
	const audit_record_t *first = ev->recs[0];
	char tmp[32];

	id_part(out, kv_type_name(first, tmp, sizeof(tmp)));
	if (first->type == KV_TYPE_SYSCALL && s->syscall.f != NULL) {
		audit_view_t v = ref_text(ev, &s->memo, s->syscall, 1);

		if (ev->reduce != NULL && v.len > ev->reduce->value_max) {
			v.len = ev->reduce->value_max;   /* reduced: cut, without a marker */
			ev->reduce->capped = 1;
		}
		buf_putc(out, ':');
		id_part(out, v);
	}
}

int kv_severity(const format_event_t *ev, const kv_summary_t *s)
{
	const audit_record_t *first = ev->recs[0];
	char tmp[32];
	audit_view_t t = kv_type_name(first, tmp, sizeof(tmp));

	if (ev->attack != NULL && ev->attack->severity > 0)   /* the mapping's */
		return ev->attack->severity;
	if (t.len > 5 && memcmp(t.p, "ANOM_", 5) == 0)
		return 8;
	if (first->type == KV_TYPE_AVC || first->type == KV_TYPE_USER_AVC ||
	    first->type == KV_TYPE_SELINUX_ERR)
		return 6;
	return s->failed ? 5 : 3;
}

size_t kv_attack_text(const format_event_t *ev, int tactics, char *out, size_t size)
{
	const attack_tags_t *t = ev->attack;
	size_t i, n = 0, k = tactics ? t->ntactic : t->ntech;

	out[0] = '\0';
	for (i = 0; i < k && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "," : "",
		                      tactics ? t->tactic[i] : t->tech[i]);
	return n < size ? n : size - 1;
}

void kv_ancestry_pairs(kv_out_t *o, const format_event_t *ev)
{
	char key[48], num[24];
	size_t i;

	for (i = 0; i < ev->nancestry; i++) {
		const ancestry_proc_t *p = &ev->ancestry[i];

		snprintf(key, sizeof(key), "ancestry.%zu.pid", i + 1);
		snprintf(num, sizeof(num), "%u", p->pid);
		kv_pair(o, key, num, strlen(num));
		snprintf(key, sizeof(key), "ancestry.%zu.ppid", i + 1);
		snprintf(num, sizeof(num), "%u", p->ppid);
		kv_pair(o, key, num, strlen(num));
		snprintf(key, sizeof(key), "ancestry.%zu.exe", i + 1);
		if (p->exe[0])
			kv_pair(o, key, p->exe, strlen(p->exe));
		snprintf(key, sizeof(key), "ancestry.%zu.comm", i + 1);
		if (p->comm[0])
			kv_pair(o, key, p->comm, strlen(p->comm));
		snprintf(key, sizeof(key), "ancestry.%zu.argv", i + 1);
		if (p->argv[0])
			kv_pair(o, key, p->argv, strlen(p->argv));
		snprintf(key, sizeof(key), "ancestry.%zu.uid", i + 1);
		snprintf(num, sizeof(num), "%lld", p->uid);
		if (p->uid != ANCESTRY_ID_UNKNOWN)
			kv_pair(o, key, num, strlen(num));
		snprintf(key, sizeof(key), "ancestry.%zu.auid", i + 1);
		snprintf(num, sizeof(num), "%lld", p->auid);
		if (p->auid != ANCESTRY_ID_UNKNOWN)
			kv_pair(o, key, num, strlen(num));
	}
}

static void pair_start(kv_out_t *o)
{
	if (o->npairs++)
		buf_putc(o->out, o->sep);
}

/* a value, cut when the event is reduced (forced inline: once a value,
 * and mostly a call through o->value) */
static inline __attribute__((always_inline)) void
kv_value(const kv_out_t *o, const char *s, size_t len)
{
	char mark[FORMAT_CUT_MARKER_MAX];
	size_t keep, mlen;

	if (o->reduce == NULL) {   /* the usual case: as it is */
		o->value(o, s, len);
		return;
	}
	mlen = format_cut(o->reduce, s, len, &keep, mark);
	o->value(o, s, keep);
	if (mlen)
		o->value(o, mark, mlen);
}

void kv_key(kv_out_t *o, const char *key)
{
	pair_start(o);
	buf_puts(o->out, key);
	buf_putc(o->out, '=');
}

void kv_pair(kv_out_t *o, const char *key, const char *v, size_t len)
{
	kv_key(o, key);
	kv_value(o, v, len);
}

void kv_pair_view(kv_out_t *o, const char *key, audit_view_t v)
{
	kv_pair(o, key, v.p, v.len);
}

void kv_pair_type(kv_out_t *o, const char *key, const audit_record_t *r)
{
	char tmp[32];

	kv_pair_view(o, key, kv_type_name(r, tmp, sizeof(tmp)));
}

/* Bytes that are equal exactly when two records are of the same type: the
 * address of libaudit's name when there is one, else the number and the
 * name as written (a record's type name is at most 64 bytes). */
#define TYPE_ID_MAX (1 + sizeof(const char *) + sizeof(int) + 80)

static size_t type_id(const audit_record_t *r, char *id)
{
	size_t n = r->type_name.len < 80 ? r->type_name.len : 80;

	if (r->type_str != NULL) {
		id[0] = 'S';
		memcpy(id + 1, &r->type_str, sizeof(r->type_str));
		return 1 + sizeof(r->type_str);
	}
	id[0] = 'N';
	memcpy(id + 1, &r->type, sizeof(r->type));
	if (n)
		memcpy(id + 1 + sizeof(r->type), r->type_name.p, n);
	return 1 + sizeof(r->type) + n;
}

/* The names of one record's fields: the parser's index and counts (an
 * indexed record, every record the pipeline formats), else a keyset
 * filled as the fields are walked (a record parsed without its index). */
typedef struct kv_names {
	const audit_record_t *r;
	keyset_t set;           /* only for a record without an index */
} kv_names_t;

static void names_init(kv_names_t *n, const format_event_t *ev, const audit_record_t *r)
{
	size_t i;
	int created;

	n->r = r;
	if (r->indexed)
		return;
	keyset_init(&n->set, ev->work);
	if (r->enriched)   /* an ENRICHED name is looked up before it is seen */
		for (i = 0; i < r->nfields; i++)
			(void)keyset_add(&n->set, r->fields[i].name.p, r->fields[i].name.len, 0,
			                 &created);
}

/* 1 when memory ran out */
static int names_free(kv_names_t *n)
{
	int oom;

	if (n->r->indexed)
		return 0;
	oom = n->set.oom;
	keyset_free(&n->set);
	return oom;
}

/* The occurrence number of field F's name in its record so far: 1, 2, ... */
static unsigned occurrence(kv_names_t *n, const audit_field_t *f)
{
	int created;
	keyset_entry_t *e;

	if (n->r->indexed)
		return f->nth < KV_MAX_DUP_SUFFIX ? f->nth : KV_MAX_DUP_SUFFIX;
	if ((e = keyset_add(&n->set, f->name.p, f->name.len, 0, &created)) == NULL)
		return 1;   /* no memory: the message is flagged oom */
	if (e->count < KV_MAX_DUP_SUFFIX)
		e->count++;
	return e->count;
}

/* 1 when the record has a field named NAME (LEN bytes) */
static int names_has(kv_names_t *n, const char *name, size_t len)
{
	if (n->r->indexed)
		return audit_record_field_view(n->r, name, len) != NULL;
	return keyset_find(&n->set, name, len) != NULL;
}

/* The start of a record's keys, "<TYPE>[.<nth>].", made once per record
 * (len 0: too long to keep, written per key) */
#define KV_KEY_PREFIX_MAX 128
typedef struct kv_prefix {
	char p[KV_KEY_PREFIX_MAX];
	size_t len;
	audit_view_t type;
	unsigned nth;
} kv_prefix_t;

static void prefix_of(kv_prefix_t *k, audit_view_t type, unsigned nth)
{
	char digits[3 * sizeof(nth)];
	size_t n = 0, at;

	k->type = type;
	k->nth = nth;
	k->len = 0;
	if (nth > 1)
		for (at = nth; at != 0; at /= 10)
			digits[n++] = (char)('0' + at % 10);
	if (type.len + 2 + n > sizeof(k->p))
		return;
	key_chars(k->p, type.p, type.len);
	at = type.len;
	if (n) {
		k->p[at++] = '.';
		while (n)
			k->p[at++] = digits[--n];
	}
	k->p[at++] = '.';
	k->len = at;
}

static void put_prefix(kv_out_t *o, const kv_prefix_t *k)
{
	if (k->len) {
		buf_append(o->out, k->p, k->len);
		return;
	}
	kv_key_part(o->out, k->type.p, k->type.len);
	if (k->nth > 1) {
		buf_putc(o->out, '.');
		buf_put_uint(o->out, k->nth);
	}
	buf_putc(o->out, '.');
}

/* "<TYPE>[.<nth>].<name>[_<dup>]=". Forced inline: called for every
 * field and interpretation, a call cost a fifth of its work in saved
 * registers. PLAIN: NAME is [A-Za-z0-9_] only (AUDIT_FIELD_PLAIN_NAME),
 * which a key holds as it is. */
static inline __attribute__((always_inline)) void
field_key(kv_out_t *o, const kv_prefix_t *k, const char *name, size_t len, unsigned dup,
          int plain)
{
	buf_t *b = o->out;
	char *d;

	/* the usual case, written in one go: a kept prefix, and room */
	if (k->len != 0 && !b->oom &&
	    b->cap - b->len >= 1 + k->len + len + 1 + BUF_UINT_TEXT_MAX + 1) {
		d = b->p + b->len;
		if (o->npairs++)
			*d++ = o->sep;
		buf_copy(d, k->p, k->len);
		d += k->len;
		if (plain)
			buf_copy(d, name, len);
		else
			key_chars(d, name, len);
		d += len;
		if (dup > 1) {
			*d++ = '_';
			d += buf_uint_text(d, dup);
		}
		*d++ = '=';
		b->len = (size_t)(d - b->p);
		return;
	}
	pair_start(o);
	put_prefix(o, k);
	kv_key_part(o->out, name, len);
	if (dup > 1) {
		buf_putc(o->out, '_');
		buf_put_uint(o->out, dup);
	}
	buf_putc(o->out, '=');
}

/* one element of <TYPE>.argv (format_argv_walk), space-separated */
static void put_arg(void *ud, size_t nth, const char *arg, size_t len, int marker)
{
	kv_out_t *o = ud;

	if (nth)
		buf_putc(o->out, ' ');
	if (marker)
		o->value(o, arg, len);
	else
		kv_value(o, arg, len);
}

/* the argument list of R, as <TYPE>.argv (after its key) */
static int put_argv(kv_out_t *o, const format_event_t *ev, const audit_record_t *r)
{
	return format_argv_walk(o->reduce, ev->recs, ev->nrecs, r, ev->scratch, put_arg, o,
	                        o->out);
}

static void record_fields(kv_out_t *o, const format_event_t *ev, const audit_record_t *r,
                          unsigned nth)
{
	char tmp[32], up[KV_MAX_UPPER_NAME + 1];
	int enrich = ev->enrich != NULL && ev->scratch != NULL;
	enrich_ctx_t ctx;
	kv_names_t names;
	kv_prefix_t key;
	audit_view_t v;
	size_t i;
	int upped, rc;

	prefix_of(&key, kv_type_name(r, tmp, sizeof(tmp)), nth);
	names_init(&names, ev, r);
	if (enrich)
		memo_ctx(ev, o->memo, r, &ctx);   /* the summary's facts of R */
	for (i = 0; i < r->nfields; i++) {
		const audit_field_t *f = &r->fields[i];
		unsigned dup = occurrence(&names, f);

		if (enrich && r->type == KV_TYPE_EXECVE && format_is_execve_arg(f->name))
			continue;   /* in <TYPE>.argv: every argument byte once */
		if (o->reduce != NULL && !format_reduce_keeps(o->reduce, f->name)) {
			o->reduce->fields_cut++;
			continue;
		}
		field_key(o, &key, f->name.p, f->name.len, dup,
		          (f->flags & AUDIT_FIELD_PLAIN_NAME) != 0);
		if (!enrich) {
			kv_value(o, f->value.p, f->value.len);
			continue;
		}
		v = enrich_decoded(&ctx, f, ev->scratch);
		kv_value(o, v.p, v.len);
		/* the upper-case name is written only when there is an
		 * interpretation, and looked up only when it may be there */
		if ((f->flags & AUDIT_FIELD_INTERPRETED) || f->name.len > KV_MAX_UPPER_NAME ||
		    (r->indexed && !enrich_name_may_interpret(f->hash)))
			continue;
		upped = audit_record_may_have_enriched(r, f->name.p, f->name.len) &&
		        format_upper_name(r, f, up, KV_MAX_UPPER_NAME);
		if (upped && names_has(&names, up, f->name.len))
			continue;
		/* the summary's interpretation when it made one: the record has
		 * no counterpart of F, so its look for one found none */
		rc = o->memo != NULL ? kv_memo_interpretation(o->memo, f, &v) : -1;
		if (rc < 0) {
			buf_reset(ev->scratch);
			rc = enrich_interpret_computed(ev->enrich, &ctx, f, ev->scratch);
			v = scratch_view(ev);
		}
		if (!rc)
			continue;
		if (!upped)
			(void)format_upper_name(r, f, up, KV_MAX_UPPER_NAME);
		/* the upper case of a plain name is plain */
		field_key(o, &key, up, f->name.len, dup, (f->flags & AUDIT_FIELD_PLAIN_NAME) != 0);
		kv_value(o, v.p, v.len);
	}
	if (names_free(&names))
		o->out->oom = 1;
	if (enrich && r->type == KV_TYPE_EXECVE) {
		size_t mark = o->out->len, pairs = o->npairs;

		field_key(o, &key, "argv", 4, 1, 0);
		if (put_argv(o, ev, r) < 0) {
			o->out->len = mark;
			o->npairs = pairs;
		}
	}
}

/* record_fields through the reduction's cache of the records no cap cuts
 * (format_record_cache_t): an attempt after a stage's first copies the
 * text the first one kept for R, when R comes at the same place (the same
 * number and the same pairs before it); the first one keeps the text of
 * each record it cut nothing of. The copy is what record_fields would
 * write: a record no cap cuts is written the same at every larger cap,
 * and a stage's first attempt has its smallest. */
static void record_fields_cached(kv_out_t *o, const format_event_t *ev,
                                 const audit_record_t *r, unsigned nth)
{
	format_record_cache_t *c = o->reduce->record_cache;
	size_t at = o->out->len, npairs = o->npairs, fields_cut;
	int capped;

	if (!c->filling) {
		const format_record_text_t *t = format_record_cache_next(c, r, nth, o->npairs);

		if (t != NULL) {
			buf_append(o->out, c->bytes.p + t->off, t->len);
			o->npairs += t->pairs;
			o->reduce->fields_cut += t->fields_cut;
		} else {
			record_fields(o, ev, r, nth);
		}
		return;
	}
	fields_cut = o->reduce->fields_cut;
	capped = o->reduce->capped;
	o->reduce->capped = 0;
	record_fields(o, ev, r, nth);
	if (!o->reduce->capped && !o->out->oom)
		format_record_cache_keep(c, o->out, at, r, nth, npairs, o->npairs - npairs,
		                         o->reduce->fields_cut - fields_cut);
	o->reduce->capped |= capped;
}

/* record_fields, or record_fields_cached when reducing */
static inline __attribute__((always_inline)) void
record_fields_once(kv_out_t *o, const format_event_t *ev, const audit_record_t *r,
                   unsigned nth)
{
	if (o->reduce != NULL && o->reduce->record_cache != NULL)
		record_fields_cached(o, ev, r, nth);
	else
		record_fields(o, ev, r, nth);
}

/* events of at most this many records number them without a keyset */
#define KV_TYPES_BY_HAND 16

void kv_event_fields(kv_out_t *o, const format_event_t *ev)
{
	const audit_record_t *first = ev->recs[0];
	keyset_t types;
	size_t i;
	int created;

	kv_key(o, "audit.id");        /* nothing to escape */
	format_put_audit_id(o->out, first);
	if (first->node.len)
		kv_pair_view(o, "audit.node", first->node);
	if (ev->incomplete != NULL)
		kv_pair(o, "audit.incomplete", ev->incomplete, strlen(ev->incomplete));
	if (ev->time_from != NULL)
		kv_pair(o, "audit.time_from", ev->time_from, strlen(ev->time_from));
	/* each record's number among those of its type: counted by hand in
	 * the usual few records, in a set of the type ids in a large event
	 * (the same answer: a type name is at most 64 bytes, type_id keeps 80) */
	if (ev->nrecs <= KV_TYPES_BY_HAND) {
		for (i = 0; i < ev->nrecs; i++) {
			unsigned nth = 1;
			size_t j;

			for (j = 0; j < i; j++)
				nth += (unsigned)format_same_type(ev->recs[i], ev->recs[j]);
			record_fields_once(o, ev, ev->recs[i], nth);
		}
		return;
	}
	keyset_init(&types, ev->work);
	for (i = 0; i < ev->nrecs; i++) {
		char id[TYPE_ID_MAX];
		keyset_entry_t *e = keyset_add(&types, id, type_id(ev->recs[i], id), 1, &created);

		record_fields_once(o, ev, ev->recs[i], e != NULL ? ++e->count : 1);
	}
	if (types.oom)
		o->out->oom = 1;
	keyset_free(&types);
}

void kv_reduced_pairs(kv_out_t *o, const format_reduce_t *r)
{
	static const char *const keys[] = {
		"audit.reduced", "audit.reduced.values", "audit.reduced.bytes",
		"audit.reduced.args", "audit.reduced.fields", "audit.reduced.records"
	};
	size_t v[6], i;

	v[0] = r->from;
	v[1] = r->values_cut;
	v[2] = r->value_bytes_cut;
	v[3] = r->args_cut;
	v[4] = r->fields_cut;
	v[5] = r->records_left;
	for (i = 0; i < 6; i++) {
		kv_key(o, keys[i]);   /* digits: nothing to escape */
		buf_put_uint(o->out, v[i]);
	}
}
