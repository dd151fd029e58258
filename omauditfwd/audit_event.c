/* audit_event.c -- the joiner: pending events by (origin, serial), their
 * completion rules, and the undo log that makes a batch retryable (see
 * audit_event.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_event.h"

#define TABLE_INITIAL_SIZE   256      /* power of two */
#define ORIGIN_TABLE_SIZE    256      /* power of two, chained */
#define LINES_INITIAL_CAP    8
#define MS_PER_S             1000
#define HASH_MULT            0x9E3779B97F4A7C15ULL

typedef struct origin {
	struct origin *next;          /* hash chain */
	char *name;
	size_t len;
	audit_event_t *head, *tail;   /* its pending events, oldest first */
} origin_t;

struct audit_event {
	audit_event_t *hnext;         /* hash chain */
	audit_event_t *oprev, *onext; /* origin's list */
	audit_event_t *gprev, *gnext; /* all pending, oldest first */
	origin_t *origin;
	uint64_t serial;
	int64_t ms;                   /* audit time of its first record */
	int64_t arrived_ms;           /* audit_joiner_now_ms() at its last record */
	audit_line_t *lines;
	size_t nlines, cap;
	audit_event_end_t end;
};

typedef enum undo_kind { UNDO_CREATE, UNDO_ADD, UNDO_COMPLETE } undo_kind_t;

typedef struct undo {
	undo_kind_t kind;
	audit_event_t *ev;
	size_t nlines;                            /* UNDO_ADD: count before */
	int64_t arrived_ms;                       /* UNDO_ADD: arrival before */
	audit_event_t *oprev, *onext, *gprev, *gnext;  /* UNDO_COMPLETE */
} undo_t;

struct audit_joiner {
	audit_joiner_conf_t conf;
	pthread_mutex_t lock;         /* held from begin to commit/rollback */
	audit_event_t **table;
	size_t tsize, count;
	origin_t *origins[ORIGIN_TABLE_SIZE];
	audit_event_t *ghead, *gtail;
	undo_t *undo;
	size_t nundo, undocap;
	audit_event_t **done;         /* completed in this batch */
	size_t ndone, donecap;
	audit_joiner_stats_t stats;   /* atomics: read without the lock */
	audit_joiner_stats_t stats_at_begin;
};

const char *audit_event_end_str(audit_event_end_t end)
{
	switch (end) {
	case AUDIT_EVENT_END_EOE:        return "eoe";
	case AUDIT_EVENT_END_STANDALONE: return "standalone";
	case AUDIT_EVENT_END_TIMEOUT:    return "timeout";
	case AUDIT_EVENT_END_EVICTED:    return "evicted";
	case AUDIT_EVENT_END_FLUSH:      return "flush";
	}
	return "unknown";
}

size_t audit_event_nlines(const audit_event_t *ev) { return ev->nlines; }
const audit_line_t *audit_event_line(const audit_event_t *ev, size_t i) { return &ev->lines[i]; }
audit_event_end_t audit_event_end(const audit_event_t *ev) { return ev->end; }

void audit_joiner_conf_default(audit_joiner_conf_t *c)
{
	c->timeout_ms = AUDIT_JOIN_DEFAULT_TIMEOUT_MS;
	c->max_pending = AUDIT_JOIN_DEFAULT_MAX_PENDING;
}

/* ---- counters ---------------------------------------------------------- */

#define STAT_ADD(j, f, n) __atomic_fetch_add(&(j)->stats.f, (n), __ATOMIC_RELAXED)
#define STAT_SUB(j, f, n) __atomic_fetch_sub(&(j)->stats.f, (n), __ATOMIC_RELAXED)
#define STAT_GET(j, f)    __atomic_load_n(&(j)->stats.f, __ATOMIC_RELAXED)
#define STAT_SET(j, f, v) __atomic_store_n(&(j)->stats.f, (v), __ATOMIC_RELAXED)

void audit_joiner_stats(audit_joiner_t *j, audit_joiner_stats_t *out)
{
	out->events_complete = STAT_GET(j, events_complete);
	out->events_incomplete = STAT_GET(j, events_incomplete);
	out->events_evicted = STAT_GET(j, events_evicted);
	out->pending = STAT_GET(j, pending);
}

const audit_joiner_stats_t *audit_joiner_counters(const audit_joiner_t *j)
{
	return &j->stats;
}

/* ---- origins and the event table -------------------------------------- */

static size_t hash_bytes(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return (size_t)h;
}

static origin_t *origin_get(audit_joiner_t *j, const char *name, size_t len)
{
	origin_t **slot = &j->origins[hash_bytes(name, len) & (ORIGIN_TABLE_SIZE - 1)];
	origin_t *o;

	for (o = *slot; o != NULL; o = o->next)
		if (o->len == len && memcmp(o->name, name, len) == 0)
			return o;
	if ((o = calloc(1, sizeof(*o))) == NULL || (o->name = malloc(len + 1)) == NULL) {
		free(o);
		return NULL;
	}
	memcpy(o->name, name, len);
	o->name[len] = '\0';
	o->len = len;
	o->next = *slot;
	*slot = o;
	return o;
}

static size_t slot_of(const audit_joiner_t *j, const origin_t *o, uint64_t serial)
{
	return (size_t)((serial ^ (uint64_t)(uintptr_t)o) * HASH_MULT >> 20) & (j->tsize - 1);
}

static audit_event_t *lookup(const audit_joiner_t *j, const origin_t *o, uint64_t serial)
{
	audit_event_t *ev;

	for (ev = j->table[slot_of(j, o, serial)]; ev != NULL; ev = ev->hnext)
		if (ev->origin == o && ev->serial == serial)
			return ev;
	return NULL;
}

static void table_insert(audit_joiner_t *j, audit_event_t *ev)
{
	size_t s = slot_of(j, ev->origin, ev->serial);

	ev->hnext = j->table[s];
	j->table[s] = ev;
}

static void table_remove(audit_joiner_t *j, audit_event_t *ev)
{
	audit_event_t **pp = &j->table[slot_of(j, ev->origin, ev->serial)];

	while (*pp != ev)
		pp = &(*pp)->hnext;
	*pp = ev->hnext;
}

/* Double the table when it is full; a failure only costs speed. */
static void table_grow(audit_joiner_t *j)
{
	audit_event_t **old = j->table, *ev, *next;
	size_t oldsize = j->tsize, i;

	if (j->count < j->tsize)
		return;
	j->table = calloc(oldsize * 2, sizeof(*j->table));
	if (j->table == NULL) {
		j->table = old;
		return;
	}
	j->tsize = oldsize * 2;
	for (i = 0; i < oldsize; i++)
		for (ev = old[i]; ev != NULL; ev = next) {
			next = ev->hnext;
			table_insert(j, ev);
		}
	free(old);
}

/* ---- the two pending lists ---------------------------------------------- */

static void link_event(audit_joiner_t *j, audit_event_t *ev,
                       audit_event_t *oprev, audit_event_t *onext,
                       audit_event_t *gprev, audit_event_t *gnext)
{
	origin_t *o = ev->origin;

	ev->oprev = oprev;
	ev->onext = onext;
	*(oprev ? &oprev->onext : &o->head) = ev;
	*(onext ? &onext->oprev : &o->tail) = ev;
	ev->gprev = gprev;
	ev->gnext = gnext;
	*(gprev ? &gprev->gnext : &j->ghead) = ev;
	*(gnext ? &gnext->gprev : &j->gtail) = ev;
	table_insert(j, ev);
	j->count++;
	STAT_ADD(j, pending, 1);
}

static void unlink_event(audit_joiner_t *j, audit_event_t *ev)
{
	origin_t *o = ev->origin;

	*(ev->oprev ? &ev->oprev->onext : &o->head) = ev->onext;
	*(ev->onext ? &ev->onext->oprev : &o->tail) = ev->oprev;
	*(ev->gprev ? &ev->gprev->gnext : &j->ghead) = ev->gnext;
	*(ev->gnext ? &ev->gnext->gprev : &j->gtail) = ev->gprev;
	table_remove(j, ev);
	j->count--;
	STAT_SUB(j, pending, 1);
}

static void event_free(audit_event_t *ev)
{
	size_t i;

	for (i = 0; i < ev->nlines; i++)
		free(ev->lines[i].p);
	free(ev->lines);
	free(ev);
}

/* ---- the undo log --------------------------------------------------------- */

static undo_t *log_undo(audit_joiner_t *j, undo_kind_t kind, audit_event_t *ev)
{
	undo_t *u;

	if (j->nundo == j->undocap) {
		size_t cap = j->undocap ? j->undocap * 2 : 64;
		undo_t *nu = realloc(j->undo, cap * sizeof(*nu));
		if (nu == NULL)
			return NULL;
		j->undo = nu;
		j->undocap = cap;
	}
	u = &j->undo[j->nundo++];
	memset(u, 0, sizeof(*u));
	u->kind = kind;
	u->ev = ev;
	return u;
}

/* ---- changes, each logged before it is made ------------------------------ */

static audit_event_t *create_event(audit_joiner_t *j, origin_t *o, uint64_t serial,
                                   int64_t ms)
{
	audit_event_t *ev = calloc(1, sizeof(*ev));

	if (ev == NULL || log_undo(j, UNDO_CREATE, ev) == NULL) {
		free(ev);
		return NULL;
	}
	ev->origin = o;
	ev->serial = serial;
	ev->ms = ms;
	ev->arrived_ms = audit_joiner_now_ms();
	table_grow(j);
	link_event(j, ev, o->tail, NULL, j->gtail, NULL);
	return ev;
}

int audit_line_copy(audit_line_t *l, const char *p, size_t len, const char *tag,
                    size_t tag_len)
{
	char *copy = malloc(len + 1 + (tag != NULL ? tag_len + 1 : 0));

	if (copy == NULL)
		return -1;
	memcpy(copy, p, len);
	copy[len] = '\0';
	l->p = copy;
	l->len = len;
	l->tag = NULL;
	l->tag_len = 0;
	if (tag != NULL) {
		l->tag = copy + len + 1;
		memcpy(l->tag, tag, tag_len);
		l->tag[tag_len] = '\0';
		l->tag_len = tag_len;
	}
	return 0;
}

static int add_line(audit_joiner_t *j, audit_event_t *ev, const char *line, size_t len,
                    const char *tag, size_t tag_len)
{
	audit_line_t l;
	undo_t *u;

	if (ev->nlines == ev->cap) {
		size_t cap = ev->cap ? ev->cap * 2 : LINES_INITIAL_CAP;
		audit_line_t *nl = realloc(ev->lines, cap * sizeof(*nl));
		if (nl == NULL)
			return -1;
		ev->lines = nl;
		ev->cap = cap;
	}
	if (audit_line_copy(&l, line, len, tag, tag_len) != 0)
		return -1;
	if ((u = log_undo(j, UNDO_ADD, ev)) == NULL) {
		free(l.p);
		return -1;
	}
	u->nlines = ev->nlines;
	u->arrived_ms = ev->arrived_ms;
	ev->lines[ev->nlines++] = l;
	ev->arrived_ms = audit_joiner_now_ms();
	return 0;
}

static int complete(audit_joiner_t *j, audit_event_t *ev, audit_event_end_t end)
{
	undo_t *u;

	if (j->ndone == j->donecap) {
		size_t cap = j->donecap ? j->donecap * 2 : 64;
		audit_event_t **nd = realloc(j->done, cap * sizeof(*nd));
		if (nd == NULL)
			return -1;
		j->done = nd;
		j->donecap = cap;
	}
	if ((u = log_undo(j, UNDO_COMPLETE, ev)) == NULL)
		return -1;
	u->oprev = ev->oprev;
	u->onext = ev->onext;
	u->gprev = ev->gprev;
	u->gnext = ev->gnext;
	unlink_event(j, ev);
	ev->end = end;
	j->done[j->ndone++] = ev;
	if (end <= AUDIT_EVENT_END_STANDALONE) {
		STAT_ADD(j, events_complete, 1);
	} else {
		STAT_ADD(j, events_incomplete, 1);
		if (end == AUDIT_EVENT_END_EVICTED)
			STAT_ADD(j, events_evicted, 1);
	}
	return 0;
}

/* ---- public ----------------------------------------------------------------- */

audit_joiner_t *audit_joiner_new(const audit_joiner_conf_t *conf)
{
	audit_joiner_t *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->conf = *conf;
	if (j->conf.max_pending == 0)
		j->conf.max_pending = 1;
	j->tsize = TABLE_INITIAL_SIZE;
	if ((j->table = calloc(j->tsize, sizeof(*j->table))) == NULL) {
		free(j);
		return NULL;
	}
	pthread_mutex_init(&j->lock, NULL);
	return j;
}

void audit_joiner_free(audit_joiner_t *j)
{
	audit_event_t *ev, *next;
	origin_t *o, *onext;
	size_t i;

	if (j == NULL)
		return;
	for (ev = j->ghead; ev != NULL; ev = next) {
		next = ev->gnext;
		event_free(ev);
	}
	for (i = 0; i < j->ndone; i++)
		event_free(j->done[i]);
	for (i = 0; i < ORIGIN_TABLE_SIZE; i++)
		for (o = j->origins[i]; o != NULL; o = onext) {
			onext = o->next;
			free(o->name);
			free(o);
		}
	pthread_mutex_destroy(&j->lock);
	free(j->table);
	free(j->undo);
	free(j->done);
	free(j);
}

void audit_joiner_begin(audit_joiner_t *j)
{
	pthread_mutex_lock(&j->lock);
	j->nundo = 0;
	j->ndone = 0;
	audit_joiner_stats(j, &j->stats_at_begin);
}

/* SEC.MSEC in milliseconds, at most INT64_MAX: a later time than that is
 * that time (SEC is 0 to INT64_MAX, audit_record.c), so two times always
 * subtract without overflow. */
static int64_t audit_time_ms(int64_t sec, unsigned msec)
{
	if (sec > (INT64_MAX - (int64_t)msec) / MS_PER_S)
		return INT64_MAX;
	return sec * MS_PER_S + (int64_t)msec;
}

int audit_joiner_add(audit_joiner_t *j, const audit_record_t *r,
                     const char *line, size_t len, const char *tag, size_t tag_len)
{
	audit_view_t name = r->node.len ? r->node : r->hostname;
	int64_t ms = audit_time_ms(r->sec, r->msec);
	origin_t *o = origin_get(j, name.p, name.len);
	audit_event_t *ev;

	if (o == NULL)
		return -1;
	if (!r->stamped) {
		/* journald's form: no serial to join by, and its time is the
		 * syslog header's, not the audit clock: an event of its own */
		if ((ev = create_event(j, o, r->serial, ms)) == NULL ||
		    add_line(j, ev, line, len, tag, tag_len) != 0)
			return -1;
		return complete(j, ev, AUDIT_EVENT_END_STANDALONE);
	}
	/* the origin has moved on: what it left incomplete is done */
	while (o->head != NULL && ms - o->head->ms > (int64_t)j->conf.timeout_ms)
		if (complete(j, o->head, AUDIT_EVENT_END_TIMEOUT) != 0)
			return -1;
	ev = lookup(j, o, r->serial);
	if (ev == NULL && r->type == AUDIT_TYPE_EOE)
		return 0;   /* the end of an event already emitted: nothing to add */
	if (ev == NULL && (ev = create_event(j, o, r->serial, ms)) == NULL)
		return -1;
	if (r->type != AUDIT_TYPE_EOE && add_line(j, ev, line, len, tag, tag_len) != 0)
		return -1;
	if (r->type == AUDIT_TYPE_EOE && complete(j, ev, AUDIT_EVENT_END_EOE) != 0)
		return -1;
	if (ev->nlines == 1 && audit_type_is_standalone(r->type) &&
	    complete(j, ev, AUDIT_EVENT_END_STANDALONE) != 0)
		return -1;
	while (j->count > j->conf.max_pending)
		if (complete(j, j->ghead, AUDIT_EVENT_END_EVICTED) != 0)
			return -1;
	return 0;
}

void audit_joiner_flush(audit_joiner_t *j)
{
	while (j->ghead != NULL)
		if (complete(j, j->ghead, AUDIT_EVENT_END_FLUSH) != 0)
			return;
}

int64_t audit_joiner_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / 1000000;
}

/* Every held event is looked at: they are in the order they were created,
 * not in the order of their last records. At most max_pending of them. */
int audit_joiner_expire_idle(audit_joiner_t *j, int64_t now_ms)
{
	audit_event_t *ev, *next;
	int n = 0;

	for (ev = j->ghead; ev != NULL; ev = next) {
		next = ev->gnext;
		if (now_ms - ev->arrived_ms <= (int64_t)j->conf.timeout_ms)
			continue;
		if (complete(j, ev, AUDIT_EVENT_END_TIMEOUT) != 0)
			return -1;
		n++;
	}
	return n;
}

size_t audit_joiner_ncompleted(const audit_joiner_t *j)
{
	return j->ndone;
}

const audit_event_t *audit_joiner_completed(const audit_joiner_t *j, size_t i)
{
	return j->done[i];
}

void audit_joiner_commit(audit_joiner_t *j)
{
	size_t i;

	for (i = 0; i < j->ndone; i++)
		event_free(j->done[i]);
	j->ndone = 0;
	j->nundo = 0;
	pthread_mutex_unlock(&j->lock);
}

void audit_joiner_rollback(audit_joiner_t *j)
{
	while (j->nundo > 0) {
		undo_t *u = &j->undo[--j->nundo];
		audit_event_t *ev = u->ev;

		switch (u->kind) {
		case UNDO_COMPLETE:   /* the newest completion: the last done */
			j->ndone--;
			link_event(j, ev, u->oprev, u->onext, u->gprev, u->gnext);
			break;
		case UNDO_ADD:
			while (ev->nlines > u->nlines)
				free(ev->lines[--ev->nlines].p);
			ev->arrived_ms = u->arrived_ms;
			break;
		case UNDO_CREATE:
			unlink_event(j, ev);
			event_free(ev);
			break;
		}
	}
	STAT_SET(j, events_complete, j->stats_at_begin.events_complete);
	STAT_SET(j, events_incomplete, j->stats_at_begin.events_incomplete);
	STAT_SET(j, events_evicted, j->stats_at_begin.events_evicted);
	STAT_SET(j, pending, j->stats_at_begin.pending);
	pthread_mutex_unlock(&j->lock);
}
