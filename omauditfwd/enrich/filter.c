/* filter.c -- deciding events: what an event shows the rules (its types,
 * keys, syscall, process, ids, outcome, host, socket), first-match rule
 * evaluation, limit windows with their summaries, and the batch
 * transaction (undo log) around them. The rule language: filter_rules.c.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libaudit.h>

#include "attack.h"
#include "buf.h"
#include "filter_int.h"
#include "interpret.h"

#define FILTER_WINDOW_MS   1000          /* limits are per second */
#define FILTER_KEYS_MAX    ATTACK_KEYS_MAX  /* rule keys of one event looked at */
#define FILTER_NUM_MAX     32            /* bytes of a number or arch value */
#define FILTER_SLOTS       (2 * FILTER_LIMIT_KEYS_MAX)   /* open addressing */
#define FILTER_ABSENT      (-2LL)        /* a numeric field the event lacks */
#define FILTER_ADDR_MAX    128
#define SOCKADDR_FAM_LEN   2
#define AF_UNIX_PATH_OFF   2
#define AF_INET_ADDR_OFF   4
#define AF_INET6_ADDR_OFF  8
#define AF_INET6_ADDR_LEN  16

/* ---- globs ---------------------------------------------------------------- */

int filter_glob(const char *pat, const char *s, size_t len)
{
	const char *star = NULL;
	size_t si = 0, star_si = 0;

	while (si < len) {
		if (*pat == '*') {
			star = ++pat;
			star_si = si;
			continue;
		}
		if (*pat == '\\' && pat[1] != '\0' && pat[1] == s[si]) {
			pat += 2;
			si++;
			continue;
		}
		if (*pat != '\0' && *pat != '\\' && (*pat == '?' || *pat == s[si])) {
			pat++;
			si++;
			continue;
		}
		if (star == NULL)
			return 0;
		pat = star;            /* the last '*' takes one byte more */
		si = ++star_si;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* ---- what an event shows -------------------------------------------------- */

typedef struct ev_view {
	const audit_record_t *const *recs;
	size_t n;
	audit_view_t host;
	audit_view_t keys[FILTER_KEYS_MAX];
	size_t nkeys;
	long long syscall;             /* FILTER_ABSENT when none */
	const char *syscall_name;      /* NULL when unknown */
	audit_view_t exe, comm;        /* p NULL when absent */
	long long uid, auid, euid, success, family, port;
	audit_view_t addr;
} ev_view_t;

/* scratch for decoded values: one buffer per value, so views stay valid */
enum { DEC_KEY = 0, DEC_EXE, DEC_COMM, DEC_ADDR, DEC_N };

typedef struct bucket {
	int used;
	char exe[FILTER_SUMMARY_EXE_MAX];   /* per exe: whose window it is */
	int64_t window;                     /* start, ms on the caller's clock */
	uint64_t count;                     /* events in the window */
	uint64_t suppressed;                /* of those, beyond the limit */
	char key[FILTER_SUMMARY_EXE_MAX];   /* the last suppressed one's */
	char host[FILTER_SUMMARY_EXE_MAX];
	int64_t last_sec;
	unsigned last_msec;
	uint64_t gen;                       /* batch that saved it in the undo log */
} bucket_t;

/* A fixed open-addressing table of FILTER_SLOTS, not util/hmap.h: at most
 * FILTER_LIMIT_KEYS_MAX windows (the rest share one), and a bucket stays
 * where it is once used, so the batch's undo log restores it in place. */
typedef struct limit_state {
	bucket_t shared;                    /* the rule's window (and overflow) */
	bucket_t *slots[FILTER_SLOTS];      /* per exe; allocated when first used */
	size_t nused;
} limit_state_t;

typedef struct undo {
	bucket_t *b;
	limit_state_t *ls;
	size_t nused;
	bucket_t old;
} undo_t;

struct filter {
	pthread_mutex_t mu;
	filter_rules_t *rs;
	limit_state_t **limits;             /* per rule; NULL unless a limit rule */
	filter_counters_t *batch;           /* this batch's counts per rule */
	size_t ndirty;                      /* buckets with suppressed events */
	size_t ndirty_begin;
	uint64_t gen;
	undo_t *undo;
	size_t nundo, undocap;
	filter_summary_t *sums;
	size_t nsums, sumcap;
	filter_summary_t *carried;          /* windows a swap ended: sent by the
	                                     * next batch that is delivered */
	size_t ncarried;
	int carried_sent;                   /* this batch has them */
	buf_t dec[DEC_N];
};

/* V, hex-decoded into B when it was written in hex */
static audit_view_t decoded(const audit_field_t *f, buf_t *b)
{
	audit_view_t v = f->value;

	if (f->enc == AUDIT_ENC_HEX) {
		buf_reset(b);
		if (interp_unhex(f->value.p, f->value.len, b) && !b->oom) {
			v.p = b->p;
			v.len = b->len;
		}
	}
	return v;
}

static const audit_field_t *ev_field(const ev_view_t *e, const char *name)
{
	const audit_field_t *f;
	size_t i;

	for (i = 0; i < e->n; i++)
		if ((f = audit_record_field(e->recs[i], name)) != NULL)
			return f;
	return NULL;
}

static long long view_num(audit_view_t v)
{
	long long n = 0;
	size_t i;

	if (v.len == 0 || v.len > FILTER_NUM_MAX)
		return FILTER_ABSENT;
	if (v.len == 2 && v.p[0] == '-' && v.p[1] == '1')
		return 4294967295LL;               /* unset, as some records write it */
	for (i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9' || n > 4294967295LL)
			return FILTER_ABSENT;
		n = n * 10 + (v.p[i] - '0');
	}
	return n;
}

static long long field_num(const ev_view_t *e, const char *name)
{
	const audit_field_t *f = ev_field(e, name);

	return f != NULL ? view_num(f->value) : FILTER_ABSENT;
}

static void view_syscall(ev_view_t *e)
{
	const audit_field_t *sc = ev_field(e, "syscall"), *arch = ev_field(e, "arch");
	char a[FILTER_NUM_MAX + 1];
	int machine;

	e->syscall = sc != NULL ? view_num(sc->value) : FILTER_ABSENT;
	if (e->syscall == FILTER_ABSENT || arch == NULL || arch->value.len > FILTER_NUM_MAX)
		return;
	memcpy(a, arch->value.p, arch->value.len);
	a[arch->value.len] = '\0';
	if ((machine = interp_machine_of_arch(a)) >= 0)
		e->syscall_name = audit_syscall_to_name((int)e->syscall, machine);
}

static void view_success(ev_view_t *e)
{
	const audit_field_t *f = ev_field(e, "success");
	audit_view_t v;

	if (f == NULL)
		f = ev_field(e, "res");
	if (f == NULL)
		return;
	v = f->value;
	if ((v.len == 3 && memcmp(v.p, "yes", 3) == 0) ||
	    (v.len == 7 && memcmp(v.p, "success", 7) == 0) || (v.len == 1 && v.p[0] == '1'))
		e->success = 1;
	else if ((v.len == 2 && memcmp(v.p, "no", 2) == 0) ||
	         (v.len == 6 && memcmp(v.p, "failed", 6) == 0) || (v.len == 1 && v.p[0] == '0'))
		e->success = 0;
}

/* SOCKADDR's saddr (hex struct sockaddr): family, address text, port */
static void view_socket(ev_view_t *e, buf_t *b, char *addr)
{
	const audit_field_t *f = NULL;
	const unsigned char *s;
	size_t i;

	for (i = 0; i < e->n && f == NULL; i++)
		if (e->recs[i]->type_str != NULL && strcmp(e->recs[i]->type_str, "SOCKADDR") == 0)
			f = audit_record_field(e->recs[i], "saddr");
	if (f == NULL)
		return;
	buf_reset(b);
	if (!interp_unhex(f->value.p, f->value.len, b) || b->oom || b->len < SOCKADDR_FAM_LEN)
		return;
	s = (const unsigned char *)b->p;
	e->family = s[0] | (s[1] << 8);
	if (e->family == AF_INET && b->len >= AF_INET_ADDR_OFF + 4) {
		e->port = (s[2] << 8) | s[3];
		inet_ntop(AF_INET, s + AF_INET_ADDR_OFF, addr, FILTER_ADDR_MAX);
	} else if (e->family == AF_INET6 && b->len >= AF_INET6_ADDR_OFF + AF_INET6_ADDR_LEN) {
		e->port = (s[2] << 8) | s[3];
		inet_ntop(AF_INET6, s + AF_INET6_ADDR_OFF, addr, FILTER_ADDR_MAX);
	} else if (e->family == AF_UNIX && b->len > AF_UNIX_PATH_OFF) {
		e->addr.p = b->p + AF_UNIX_PATH_OFF;   /* abstract sockets start with NUL */
		e->addr.len = strnlen(e->addr.p + 1, b->len - AF_UNIX_PATH_OFF - 1) + 1;
		if (e->addr.p[0] != '\0')
			e->addr.len = strnlen(e->addr.p, b->len - AF_UNIX_PATH_OFF);
		return;
	} else {
		return;
	}
	e->addr.p = addr;
	e->addr.len = strlen(addr);
}

static audit_view_t field_text(const ev_view_t *e, const char *name, buf_t *b)
{
	const audit_field_t *f = ev_field(e, name);
	audit_view_t none = { NULL, 0 };

	return f != NULL ? decoded(f, b) : none;
}

/* the parts of the event NEEDS asks for */
static void view_event(filter_t *f, ev_view_t *e, unsigned needs, char *addr)
{
	if (needs & (1u << FF_KEY))
		e->nkeys = attack_event_keys(e->recs, e->n, &f->dec[DEC_KEY], e->keys,
		                             FILTER_KEYS_MAX);
	if (needs & (1u << FF_SYSCALL))
		view_syscall(e);
	if (needs & (1u << FF_EXE))
		e->exe = field_text(e, "exe", &f->dec[DEC_EXE]);
	if (needs & (1u << FF_COMM))
		e->comm = field_text(e, "comm", &f->dec[DEC_COMM]);
	if (needs & (1u << FF_UID))
		e->uid = field_num(e, "uid");
	if (needs & (1u << FF_AUID))
		e->auid = field_num(e, "auid");
	if (needs & (1u << FF_EUID))
		e->euid = field_num(e, "euid");
	if (needs & (1u << FF_SUCCESS))
		view_success(e);
	if (needs & ((1u << FF_FAMILY) | (1u << FF_ADDR) | (1u << FF_PORT)))
		view_socket(e, &f->dec[DEC_ADDR], addr);
}

/* ---- matching ----------------------------------------------------------- */

static int any_glob(const filter_cond_t *c, audit_view_t v)
{
	size_t i;

	if (v.p == NULL)
		return 0;
	for (i = 0; i < c->nvals; i++)
		if (filter_glob(c->vals[i], v.p, v.len))
			return 1;
	return 0;
}

static int any_num(const filter_cond_t *c, long long n)
{
	size_t i;

	if (n == FILTER_ABSENT)
		return 0;
	for (i = 0; i < c->nvals; i++)
		if (c->nums[i] == n)
			return 1;
	return 0;
}

static int match_type(const filter_cond_t *c, const ev_view_t *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		const audit_record_t *r = e->recs[i];
		audit_view_t v = r->type_name;

		if (r->type_str != NULL) {
			v.p = r->type_str;
			v.len = strlen(r->type_str);
		}
		if (any_glob(c, v))
			return 1;
	}
	return 0;
}

static int match_key(const filter_cond_t *c, const ev_view_t *e)
{
	size_t i, k;

	for (k = 0; k < c->nvals; k++)
		if (e->nkeys == 0 && strcmp(c->vals[k], "(null)") == 0)
			return 1;
	for (i = 0; i < e->nkeys; i++)
		if (any_glob(c, e->keys[i]))
			return 1;
	return 0;
}

static int match_syscall(const filter_cond_t *c, const ev_view_t *e)
{
	size_t i;

	if (e->syscall == FILTER_ABSENT)
		return 0;
	for (i = 0; i < c->nvals; i++)
		if (c->nums[i] >= 0 ? c->nums[i] == e->syscall :
		    (e->syscall_name != NULL && strcmp(c->vals[i], e->syscall_name) == 0))
			return 1;
	return 0;
}

static int match_cond(const filter_cond_t *c, const ev_view_t *e)
{
	audit_view_t node;
	int m = 0;

	switch (c->field) {
	case FF_TYPE: m = match_type(c, e); break;
	case FF_KEY: m = match_key(c, e); break;
	case FF_SYSCALL: m = match_syscall(c, e); break;
	case FF_EXE: m = any_glob(c, e->exe); break;
	case FF_COMM: m = any_glob(c, e->comm); break;
	case FF_UID: m = any_num(c, e->uid); break;
	case FF_AUID: m = any_num(c, e->auid); break;
	case FF_EUID: m = any_num(c, e->euid); break;
	case FF_SUCCESS: m = any_num(c, e->success); break;
	case FF_HOST: m = any_glob(c, e->host); break;
	case FF_NODE:
		node = e->recs[0]->node;
		m = node.len && any_glob(c, node);
		break;
	case FF_FAMILY: m = any_num(c, e->family); break;
	case FF_ADDR: m = any_glob(c, e->addr); break;
	case FF_PORT: m = any_num(c, e->port); break;
	case FF_NFIELDS: break;
	}
	return c->negate ? !m : m;
}

static int match_rule(const filter_rule_t *r, const ev_view_t *e)
{
	size_t i;

	for (i = 0; i < r->nconds; i++)
		if (!match_cond(&r->conds[i], e))
			return 0;
	return 1;
}

/* ---- limit windows ------------------------------------------------------- */

static int save_undo(filter_t *f, limit_state_t *ls, bucket_t *b)
{
	if (b->gen == f->gen)
		return 0;
	if (f->nundo == f->undocap) {
		size_t cap = f->undocap ? 2 * f->undocap : 16;
		undo_t *u = realloc(f->undo, cap * sizeof(*u));

		if (u == NULL)
			return -1;
		f->undo = u;
		f->undocap = cap;
	}
	f->undo[f->nundo].b = b;
	f->undo[f->nundo].ls = ls;
	f->undo[f->nundo].nused = ls->nused;
	f->undo[f->nundo++].old = *b;
	b->gen = f->gen;
	return 0;
}

static void copy_text(char *dst, audit_view_t v)
{
	size_t n = v.p == NULL ? 0 : v.len;

	if (n >= FILTER_SUMMARY_EXE_MAX)
		n = FILTER_SUMMARY_EXE_MAX - 1;
	if (n)
		memcpy(dst, v.p, n);
	dst[n] = '\0';
}

static uint32_t hash_view(audit_view_t v)
{
	uint32_t h = 2166136261u;   /* FNV-1a */
	size_t i;

	for (i = 0; i < v.len; i++)
		h = (h ^ (unsigned char)v.p[i]) * 16777619u;
	return h;
}

/* the window of EXE in LS: its own, or the shared one when the table is
 * full (NULL: out of memory) */
static bucket_t *exe_bucket(filter_t *f, limit_state_t *ls, audit_view_t exe)
{
	char key[FILTER_SUMMARY_EXE_MAX];
	size_t i, n;
	audit_view_t k;

	copy_text(key, exe);
	k.p = key;
	k.len = strlen(key);
	for (i = hash_view(k) % FILTER_SLOTS, n = 0; n < FILTER_SLOTS;
	     i = (i + 1) % FILTER_SLOTS, n++) {
		bucket_t *b = ls->slots[i];

		if (b != NULL && b->used) {
			if (strcmp(b->exe, key) == 0)
				return b;
			continue;
		}
		if (ls->nused >= FILTER_LIMIT_KEYS_MAX)
			return &ls->shared;
		if (b == NULL && (b = ls->slots[i] = calloc(1, sizeof(*b))) == NULL)
			return NULL;
		if (save_undo(f, ls, b) != 0)
			return NULL;
		b->used = 1;
		memcpy(b->exe, key, k.len + 1);
		ls->nused++;
		return b;
	}
	return &ls->shared;
}

static int push_summary(filter_t *f, const filter_rule_t *r, const bucket_t *b)
{
	filter_summary_t *s;

	if (f->nsums == f->sumcap) {
		size_t cap = f->sumcap ? 2 * f->sumcap : 8;

		if ((s = realloc(f->sums, cap * sizeof(*s))) == NULL)
			return -1;
		f->sums = s;
		f->sumcap = cap;
	}
	s = &f->sums[f->nsums++];
	memcpy(s->rule, r->name, sizeof(s->rule));
	s->limit = r->limit;
	s->per_exe = r->per_exe;
	memcpy(s->exe, b->exe, sizeof(s->exe));
	memcpy(s->key, b->key, sizeof(s->key));
	memcpy(s->host, b->host, sizeof(s->host));
	s->suppressed = b->suppressed;
	s->window_ms = b->window;
	s->last_sec = b->last_sec;
	s->last_msec = b->last_msec;
	return 0;
}

/* B's window is over: its summary, and it starts empty */
static int close_window(filter_t *f, const filter_rule_t *r, bucket_t *b)
{
	if (b->suppressed) {
		if (push_summary(f, r, b) != 0)
			return -1;
		f->ndirty--;
	}
	b->suppressed = 0;
	b->count = 0;
	return 0;
}

/* one event of limit rule R (index I) at NOW: FILTER_KEEP or FILTER_SUPPRESS */
static filter_action_t limit_event(filter_t *f, size_t i, const ev_view_t *e, int64_t now)
{
	const filter_rule_t *r = &f->rs->rules[i];
	limit_state_t *ls = f->limits[i];
	int64_t win = now - (now % FILTER_WINDOW_MS + FILTER_WINDOW_MS) % FILTER_WINDOW_MS;
	bucket_t *b = r->per_exe ? exe_bucket(f, ls, e->exe) : &ls->shared;

	if (b == NULL || save_undo(f, ls, b) != 0)
		return FILTER_KEEP;               /* out of memory: never lose it */
	b->used = 1;
	if (win > b->window) {                /* a clock going back stays in the window */
		if (close_window(f, r, b) != 0)
			return FILTER_KEEP;
		b->window = win;
	}
	if (++b->count <= r->limit)
		return FILTER_KEEP;
	if (b->suppressed++ == 0)
		f->ndirty++;
	copy_text(b->key, e->nkeys ? e->keys[0] : (audit_view_t){ NULL, 0 });
	copy_text(b->host, e->host);
	b->last_sec = e->recs[0]->sec;
	b->last_msec = e->recs[0]->msec;
	return FILTER_SUPPRESS;
}

void filter_expire(filter_t *f, int64_t now_ms, int all)
{
	size_t i, k;

	for (i = 0; f->ndirty > 0 && i < f->rs->n; i++) {
		limit_state_t *ls = f->limits[i];

		if (ls == NULL)
			continue;
		for (k = 0; k <= FILTER_SLOTS; k++) {
			bucket_t *b = k < FILTER_SLOTS ? ls->slots[k] : &ls->shared;

			if (b == NULL || !b->suppressed ||
			    (!all && now_ms < b->window + FILTER_WINDOW_MS))
				continue;
			if (save_undo(f, ls, b) != 0 || close_window(f, &f->rs->rules[i], b) != 0)
				return;               /* out of memory: at the next batch */
		}
	}
}

/* ---- the filter ---------------------------------------------------------- */

static void limits_free(filter_t *f)
{
	size_t i, k;

	for (i = 0; f->limits != NULL && i < f->rs->n; i++) {
		if (f->limits[i] == NULL)
			continue;
		for (k = 0; k < FILTER_SLOTS; k++)
			free(f->limits[i]->slots[k]);
		free(f->limits[i]);
	}
	free(f->limits);
	free(f->batch);
	f->limits = NULL;
	f->batch = NULL;
	f->ndirty = 0;
}

static int limits_new(filter_t *f)
{
	size_t i, n = f->rs->n ? f->rs->n : 1;

	if ((f->limits = calloc(n, sizeof(*f->limits))) == NULL ||
	    (f->batch = calloc(n, sizeof(*f->batch))) == NULL)
		return -1;
	for (i = 0; i < f->rs->n; i++)
		if (f->rs->rules[i].action == FILTER_SUPPRESS &&
		    (f->limits[i] = calloc(1, sizeof(limit_state_t))) == NULL)
			return -1;
	return 0;
}

filter_t *filter_new(filter_rules_t *rs)
{
	filter_t *f = calloc(1, sizeof(*f));
	size_t i;

	if (f == NULL)
		return NULL;
	f->rs = rs;
	pthread_mutex_init(&f->mu, NULL);
	for (i = 0; i < DEC_N; i++)
		buf_init(&f->dec[i]);
	if (limits_new(f) != 0) {
		filter_free(f);
		return NULL;
	}
	return f;
}

void filter_free(filter_t *f)
{
	size_t i;

	if (f == NULL)
		return;
	limits_free(f);
	filter_rules_free(f->rs);
	for (i = 0; i < DEC_N; i++)
		buf_free(&f->dec[i]);
	free(f->undo);
	free(f->sums);
	free(f->carried);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* the windows with suppressed events are over: their summaries wait in
 * f->carried for the next batch (f->sums is free between batches) */
static int carry_windows(filter_t *f)
{
	filter_summary_t *c;
	size_t keep = f->ncarried;

	f->nsums = 0;
	filter_expire(f, 0, 1);
	if (f->nsums == 0)
		return 0;
	if ((c = realloc(f->carried, (keep + f->nsums) * sizeof(*c))) == NULL)
		return -1;
	memcpy(c + keep, f->sums, f->nsums * sizeof(*c));
	f->carried = c;
	f->ncarried = keep + f->nsums;
	f->nsums = 0;
	return 0;
}

/* a rule of NEW named like one of OLD goes on counting from its counts */
static void carry_counts(filter_rules_t *nrs, const filter_rules_t *ors)
{
	size_t i, k;

	for (i = 0; i < nrs->n; i++)
		for (k = 0; k < ors->n; k++)
			if (strcmp(nrs->rules[i].name, ors->rules[k].name) == 0) {
				nrs->ctr[i] = ors->ctr[k];
				break;
			}
}

int filter_swap(filter_t *f, filter_rules_t *rs, filter_rules_t **old)
{
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	*old = f->rs;
	carry_counts(rs, *old);
	if (carry_windows(f) != 0) {
		pthread_mutex_unlock(&f->mu);
		*old = NULL;
		return -1;
	}
	limits_free(f);
	f->rs = rs;
	if (limits_new(f) != 0) {          /* keep running the old set */
		limits_free(f);
		f->rs = *old;
		*old = NULL;
		rc = -1;
		if (limits_new(f) != 0)
			limits_free(f);          /* then every event is kept */
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

filter_rules_t *filter_rules(filter_t *f)
{
	return f->rs;
}

void filter_begin(filter_t *f)
{
	pthread_mutex_lock(&f->mu);
	f->gen++;
	f->nundo = 0;
	f->nsums = 0;
	f->ndirty_begin = f->ndirty;
	if (f->ncarried > 0 && (f->nsums = f->ncarried) > f->sumcap) {
		filter_summary_t *s = realloc(f->sums, f->ncarried * sizeof(*s));

		if (s == NULL)
			f->nsums = 0;       /* out of memory: they wait for the next batch */
		else {
			f->sums = s;
			f->sumcap = f->ncarried;
		}
	}
	if (f->nsums > 0)
		memcpy(f->sums, f->carried, f->nsums * sizeof(*f->sums));
	f->carried_sent = f->nsums > 0;
	if (f->batch != NULL)
		memset(f->batch, 0, f->rs->n * sizeof(*f->batch));
}

filter_action_t filter_decide(filter_t *f, const audit_record_t *const *recs, size_t n,
                              audit_view_t host, int64_t now_ms, int *rule)
{
	ev_view_t e;
	char addr[FILTER_ADDR_MAX];
	size_t i;
	filter_action_t a;

	*rule = -1;
	if (f->batch == NULL || n == 0)
		return FILTER_KEEP;
	memset(&e, 0, sizeof(e));
	e.recs = recs;
	e.n = n;
	e.host = host;
	e.syscall = e.uid = e.auid = e.euid = e.success = e.family = e.port = FILTER_ABSENT;
	view_event(f, &e, f->rs->needs, addr);
	for (i = 0; i < f->rs->n; i++) {
		if (!match_rule(&f->rs->rules[i], &e))
			continue;
		*rule = (int)i;
		a = f->rs->rules[i].action;
		if (a == FILTER_SUPPRESS)
			a = limit_event(f, i, &e, now_ms);
		if (a == FILTER_KEEP)
			f->batch[i].kept++;
		else if (a == FILTER_DROP)
			f->batch[i].dropped++;
		else
			f->batch[i].suppressed++;
		return a;
	}
	return FILTER_KEEP;
}

size_t filter_summaries(const filter_t *f)
{
	return f->nsums;
}

const filter_summary_t *filter_summary(const filter_t *f, size_t i)
{
	return &f->sums[i];
}

void filter_commit(filter_t *f)
{
	size_t i;

	for (i = 0; f->batch != NULL && i < f->rs->n; i++) {
		__atomic_fetch_add(&f->rs->ctr[i].kept, f->batch[i].kept, __ATOMIC_RELAXED);
		__atomic_fetch_add(&f->rs->ctr[i].dropped, f->batch[i].dropped, __ATOMIC_RELAXED);
		__atomic_fetch_add(&f->rs->ctr[i].suppressed, f->batch[i].suppressed,
		                   __ATOMIC_RELAXED);
	}
	if (f->carried_sent)           /* the batch that sent them was delivered */
		f->ncarried = 0;
	f->nundo = 0;
	f->nsums = 0;
	pthread_mutex_unlock(&f->mu);
}

void filter_rollback(filter_t *f)
{
	while (f->nundo > 0) {
		undo_t *u = &f->undo[--f->nundo];

		*u->b = u->old;
		u->ls->nused = u->nused;
	}
	f->ndirty = f->ndirty_begin;
	f->nsums = 0;
	pthread_mutex_unlock(&f->mu);
}

/* a value as auditd writes an untrusted string: "text" when it is plain
 * printable text, else hex */
static void put_value(buf_t *out, const char *s)
{
	size_t i, len = strlen(s);
	int plain = len > 0;

	for (i = 0; i < len && plain; i++)
		plain = s[i] > ' ' && s[i] < 0x7f && s[i] != '"';
	if (plain) {
		buf_putc(out, '"');
		buf_append(out, s, len);
		buf_putc(out, '"');
		return;
	}
	for (i = 0; i < len; i++)
		buf_printf(out, "%02X", (unsigned char)s[i]);
	if (len == 0)
		buf_puts(out, "(null)");
}

void filter_summary_line(const filter_summary_t *s, buf_t *out)
{
	buf_printf(out, "type=" FILTER_SUMMARY_TYPE " msg=audit(%lld.%03u:0): rule=",
	           (long long)s->last_sec, s->last_msec);
	put_value(out, s->rule);
	buf_printf(out, " limit=%u per=%s", s->limit, s->per_exe ? "exe" : "rule");
	if (s->per_exe) {
		buf_puts(out, " exe=");
		put_value(out, s->exe);
	}
	buf_puts(out, " key=");
	put_value(out, s->key);
	buf_printf(out, " suppressed=%llu window=%lld.%03d", (unsigned long long)s->suppressed,
	           (long long)(s->window_ms / FILTER_WINDOW_MS),
	           (int)(s->window_ms % FILTER_WINDOW_MS));
}
