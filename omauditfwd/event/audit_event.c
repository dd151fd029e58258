/* audit_event.c -- the joiner: pending events by (origin, time, serial),
 * their completion rules and bounds, the origins and their clocks, and the
 * undo log that makes a batch retryable (see audit_event.h). */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_event.h"
#include "buf.h"
#include "hmap.h"
#include "siphash.h"
#include "clock_ms.h"

#define TABLE_INITIAL_SIZE   256      /* power of two */
#define ORIGIN_TABLE_MIN     256      /* power of two, chained, grows and shrinks */
#define ORIGIN_SHRINK_RATIO  4        /* shrink when fewer than size / this */
#define LINES_INITIAL_CAP    8
/* an event's first lines live in it: most events are a few records, and
 * an array of their own cost every event an allocation and a free */
#define EVENT_INLINE_LINES   4
#define NO_CLOCK             INT64_MIN
/* Once what the joiner holds has shrunk by this much since its peak (a
 * flood went out), freed memory is given back to the system. */
#define TRIM_BYTES           (8u * 1024 * 1024)

typedef struct origin {
	hmap_node_t hnode;            /* in the joiner's origins */
	struct origin *tnext;         /* touched in this batch (touched set) */
	int64_t clock;                /* its latest plausible record's time (ms), or NO_CLOCK */
	int64_t clock_at_begin;       /* touched: clock when the batch began */
	int touched;
	audit_event_t *head, *tail;   /* its pending events, oldest first */
	size_t len;
	char name[];                  /* len bytes + NUL */
} origin_t;

struct audit_event {
	hmap_node_t hnode;            /* in the joiner's events; its hash is */
	                              /* of (origin, sec, msec, serial) */
	audit_event_t *oprev, *onext; /* origin's list */
	audit_event_t *gprev, *gnext; /* all pending, oldest first */
	origin_t *origin;
	uint64_t serial;
	int64_t sec;                  /* the key's time, as written */
	unsigned msec;
	int64_t ms;                   /* the time its timeout runs from, or NO_CLOCK */
	size_t bytes;                 /* of its lines */
	int capped;                   /* a part of an event past a cap */
	int64_t arrived_ms;           /* mono_now_ms() at its last record */
	uint64_t batch;               /* the batch that brought its last record */
	audit_line_t *lines;          /* inline, or (beyond it) its own block */
	size_t nlines, cap;
	audit_event_end_t end;
	audit_line_t inline_lines[EVENT_INLINE_LINES];
};

typedef enum undo_kind { UNDO_CREATE, UNDO_ADD, UNDO_COMPLETE } undo_kind_t;

typedef struct undo {
	undo_kind_t kind;
	audit_event_t *ev;
	size_t nlines;                            /* UNDO_ADD: count before */
	int64_t arrived_ms;                       /* UNDO_ADD: arrival before */
	uint64_t batch;                           /* UNDO_ADD: batch before */
	audit_event_t *oprev, *onext, *gprev, *gnext;  /* UNDO_COMPLETE */
} undo_t;

/* Line memory: a held line's copy (its text, route and frozen parse, about
 * 1.5 KiB for an ordinary record) is above what malloc keeps in its fast
 * per-thread caches, and every record took one and gave it back at the
 * commit. The joiner keeps the blocks it gets back, in classes of
 * LINE_POOL_GRAIN bytes up to LINE_POOL_CLASSES of them, at most
 * LINE_POOL_KEEP_BYTES in all (a batch of 1,024 ordinary records holds
 * about 1.5 MiB of lines: a pool smaller than a batch's lines let most of
 * them go to malloc again), and gives them to the next lines. A block
 * starts with its class (LINE_POOL_NONE: a plain malloc); the line's
 * bytes follow, aligned. */
#define LINE_POOL_GRAIN      256
#define LINE_POOL_CLASSES    16                   /* blocks up to 4 KiB */
#define LINE_POOL_KEEP_BYTES (2 * 1024 * 1024)
#define LINE_POOL_NONE       ((size_t)-1)
#define LINE_HEADER          _Alignof(max_align_t)

typedef struct line_block {
	struct line_block *next;   /* in a pool list */
} line_block_t;

struct audit_joiner {
	audit_joiner_conf_t conf;
	pthread_mutex_t lock;         /* held from begin to commit/rollback */
	siphash_key_t key;            /* random: table positions are secret */
	int64_t now_sec;              /* the receiving clock at begin */
	hmap_t events;                /* pending events, by key_hash */
	hmap_t origins;               /* by siphash of the name */
	origin_t *touched;            /* origins this batch touched */
	origin_t *last;               /* the last record's origin (this batch) */
	audit_event_t *last_ev;       /* the last event looked up or created,
	                               * while it is in the table */
	size_t held, held_peak;       /* bytes of lines and origins held, its peak */
	audit_event_t *ghead, *gtail;
	undo_t *undo;
	size_t nundo, undocap;
	audit_event_t **done;         /* completed in this batch */
	size_t ndone, donecap;
	audit_joiner_stats_t stats;   /* atomics: read without the lock */
	audit_joiner_stats_t stats_at_begin;
	/* what the idle expiry needs to know of the input (see
	 * audit_joiner_expire_idle): batches are numbered at begin; one that
	 * added records is an input batch */
	uint64_t batch;               /* the batch in progress, or the last */
	int batch_input;              /* ... it added records */
	uint64_t input_committed;     /* the last input batch committed (0: none) */
	int64_t input_ended_ms;       /* when the last input batch ended */
	/* blocks of line copies given back, kept for the next lines (see
	 * "line memory") */
	struct line_block *pool[LINE_POOL_CLASSES];
	size_t pool_bytes;
};

const char *audit_event_end_str(audit_event_end_t end)
{
	switch (end) {
	case AUDIT_EVENT_END_EOE:        return "eoe";
	case AUDIT_EVENT_END_STANDALONE: return "standalone";
	case AUDIT_EVENT_END_TIMEOUT:    return "timeout";
	case AUDIT_EVENT_END_EVICTED:    return "evicted";
	case AUDIT_EVENT_END_FLUSH:      return "flush";
	case AUDIT_EVENT_END_CAPPED:     return "capped";
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
	c->max_records = AUDIT_JOIN_DEFAULT_MAX_RECORDS;
	c->max_bytes = AUDIT_JOIN_DEFAULT_MAX_BYTES;
}

int audit_time_plausible(int64_t sec, int64_t now_sec)
{
	return sec <= now_sec || sec - now_sec <= AUDIT_TIME_FUTURE_MAX_S;
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
	out->events_capped = STAT_GET(j, events_capped);
	out->pending = STAT_GET(j, pending);
	out->origins = STAT_GET(j, origins);
}

const audit_joiner_stats_t *audit_joiner_counters(const audit_joiner_t *j)
{
	return &j->stats;
}

/* ---- origins ------------------------------------------------------------ */

/* Rehash into SIZE buckets; a failure only costs speed. */
static void origins_resize(audit_joiner_t *j, size_t size)
{
	(void)hmap_resize(&j->origins, size);
}

/* O joins the batch's touched set: its clock can be restored and, when it
 * ends the batch holding nothing, it is freed (origins_reap). */
static void origin_touch(audit_joiner_t *j, origin_t *o)
{
	if (o->touched)
		return;
	o->touched = 1;
	o->clock_at_begin = o->clock;
	o->tnext = j->touched;
	j->touched = o;
}

static origin_t *origin_get(audit_joiner_t *j, const char *name, size_t len)
{
	hmap_node_t *n;
	origin_t *o = j->last;
	uint64_t h;

	/* a relay's records come in runs from one host: no hash for those */
	if (o != NULL && o->len == len && memcmp(o->name, name, len) == 0) {
		origin_touch(j, o);
		return o;
	}
	h = siphash(&j->key, name, len);
	for (n = hmap_chain(&j->origins, h); n != NULL; n = n->next) {
		o = HMAP_ENTRY(n, origin_t, hnode);
		if (n->hash == h && o->len == len && memcmp(o->name, name, len) == 0) {
			origin_touch(j, o);
			return j->last = o;
		}
	}
	if ((o = calloc(1, sizeof(*o) + len + 1)) == NULL)
		return NULL;
	memcpy(o->name, name, len);
	o->len = len;
	j->held += sizeof(*o) + len;
	o->clock = NO_CLOCK;
	hmap_insert(&j->origins, &o->hnode, h);
	origin_touch(j, o);
	j->last = o;
	STAT_ADD(j, origins, 1);
	if (j->origins.n > j->origins.nbuckets)
		origins_resize(j, j->origins.nbuckets * 2);
	return o;
}

/* End of a batch: the touched origins that hold nothing are freed (their
 * clock goes with them: with no event to time out it has no use). */
static void origins_reap(audit_joiner_t *j)
{
	origin_t *o, *next;
	size_t size = j->origins.nbuckets;

	j->last = NULL;    /* it may be freed below */
	for (o = j->touched; o != NULL; o = next) {
		next = o->tnext;
		o->touched = 0;
		o->tnext = NULL;
		if (o->head != NULL)
			continue;
		hmap_remove(&j->origins, &o->hnode);
		j->held -= sizeof(*o) + o->len;
		free(o);
		STAT_SUB(j, origins, 1);
	}
	j->touched = NULL;
	if (size > ORIGIN_TABLE_MIN && j->origins.n < size / ORIGIN_SHRINK_RATIO)
		origins_resize(j, size / 2 > ORIGIN_TABLE_MIN ? size / 2 : ORIGIN_TABLE_MIN);
}

/* ---- the event table ------------------------------------------------------ */

static uint64_t key_hash(const audit_joiner_t *j, const origin_t *o, int64_t sec,
                         unsigned msec, uint64_t serial)
{
	uint64_t k[4];

	k[0] = (uint64_t)(uintptr_t)o;
	k[1] = (uint64_t)sec;
	k[2] = msec;
	k[3] = serial;
	return siphash(&j->key, k, sizeof(k));
}

/* The pending event of the key, or NULL; *HASH is set to the key's hash.
 * An event's records come one after another: the last event is compared
 * first, and only a new key is hashed. */
static audit_event_t *lookup(audit_joiner_t *j, const origin_t *o, int64_t sec,
                             unsigned msec, uint64_t serial, uint64_t *hash)
{
	audit_event_t *ev = j->last_ev;
	hmap_node_t *n;
	uint64_t h;

	if (ev != NULL && ev->origin == o && ev->serial == serial && ev->sec == sec &&
	    ev->msec == msec) {
		*hash = ev->hnode.hash;
		return ev;
	}
	*hash = h = key_hash(j, o, sec, msec, serial);
	for (n = hmap_chain(&j->events, h); n != NULL; n = n->next) {
		ev = HMAP_ENTRY(n, audit_event_t, hnode);
		if (n->hash == h && ev->origin == o && ev->serial == serial &&
		    ev->sec == sec && ev->msec == msec)
			return j->last_ev = ev;
	}
	return NULL;
}

/* Double the table when it is full; a failure only costs speed. */
static void table_grow(audit_joiner_t *j)
{
	if (j->events.n >= j->events.nbuckets)
		(void)hmap_resize(&j->events, j->events.nbuckets * 2);
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
	hmap_insert(&j->events, &ev->hnode, ev->hnode.hash);
	STAT_ADD(j, pending, 1);
}

static void unlink_event(audit_joiner_t *j, audit_event_t *ev)
{
	origin_t *o = ev->origin;

	*(ev->oprev ? &ev->oprev->onext : &o->head) = ev->onext;
	*(ev->onext ? &ev->onext->oprev : &o->tail) = ev->oprev;
	*(ev->gprev ? &ev->gprev->gnext : &j->ghead) = ev->gnext;
	*(ev->gnext ? &ev->gnext->gprev : &j->gtail) = ev->gprev;
	hmap_remove(&j->events, &ev->hnode);
	if (j->last_ev == ev)
		j->last_ev = NULL;
	STAT_SUB(j, pending, 1);
}

/* ---- line memory (see struct audit_joiner) ------------------------------- */

/* Room for a line copy of BYTES bytes: its address, or NULL */
static char *line_alloc(audit_joiner_t *j, size_t bytes)
{
	size_t cls;
	char *blk;

	if (bytes > SIZE_MAX - LINE_HEADER - LINE_POOL_GRAIN)
		return NULL;
	cls = (bytes + LINE_HEADER + LINE_POOL_GRAIN - 1) / LINE_POOL_GRAIN - 1;
	if (cls < LINE_POOL_CLASSES && j->pool[cls] != NULL) {
		blk = (char *)j->pool[cls];
		j->pool[cls] = j->pool[cls]->next;
		j->pool_bytes -= (cls + 1) * LINE_POOL_GRAIN;
	} else if (cls < LINE_POOL_CLASSES) {
		blk = malloc((cls + 1) * LINE_POOL_GRAIN);
	} else {
		cls = LINE_POOL_NONE;
		blk = malloc(bytes + LINE_HEADER);
	}
	if (blk == NULL)
		return NULL;
	memcpy(blk, &cls, sizeof(cls));
	return blk + LINE_HEADER;
}

/* Give back the copy at P (line_alloc's, or NULL) */
static void line_free(audit_joiner_t *j, char *p)
{
	char *blk;
	size_t cls;

	if (p == NULL)
		return;
	blk = p - LINE_HEADER;
	memcpy(&cls, blk, sizeof(cls));
	if (cls >= LINE_POOL_CLASSES ||
	    j->pool_bytes + (cls + 1) * LINE_POOL_GRAIN > LINE_POOL_KEEP_BYTES) {
		free(blk);
		return;
	}
	((line_block_t *)(void *)blk)->next = j->pool[cls];
	j->pool[cls] = (line_block_t *)(void *)blk;
	j->pool_bytes += (cls + 1) * LINE_POOL_GRAIN;
}

static void pool_free(audit_joiner_t *j)
{
	size_t c;

	for (c = 0; c < LINE_POOL_CLASSES; c++) {
		while (j->pool[c] != NULL) {
			line_block_t *b = j->pool[c];

			j->pool[c] = b->next;
			free(b);
		}
	}
	j->pool_bytes = 0;
}

static void event_free(audit_joiner_t *j, audit_event_t *ev)
{
	size_t i;

	for (i = 0; i < ev->nlines; i++)
		line_free(j, ev->lines[i].p);
	if (ev->lines != ev->inline_lines)
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

/* A new pending event of R's key, whose hash is H (key_hash) */
static audit_event_t *create_event(audit_joiner_t *j, origin_t *o,
                                   const audit_record_t *r, int64_t ms, uint64_t h)
{
	audit_event_t *ev = calloc(1, sizeof(*ev));

	if (ev == NULL || log_undo(j, UNDO_CREATE, ev) == NULL) {
		free(ev);
		return NULL;
	}
	ev->lines = ev->inline_lines;
	ev->cap = EVENT_INLINE_LINES;
	ev->origin = o;
	ev->serial = r->serial;
	ev->sec = r->sec;
	ev->msec = r->msec;
	ev->hnode.hash = h;
	ev->ms = ms;
	ev->arrived_ms = mono_now_ms();
	ev->batch = j->batch;
	j->batch_input = 1;
	table_grow(j);
	link_event(j, ev, o->tail, NULL, j->gtail, NULL);
	j->last_ev = ev;
	return ev;
}

/* where the frozen record starts: past the line and the route, aligned */
static size_t record_offset(size_t bytes)
{
	const size_t align = _Alignof(max_align_t);

	return (bytes + align - 1) / align * align;
}

/* The bytes a copy of the line (P, LEN) with its route and the frozen REC
 * takes, and where the record starts in it (*AT); *REC is set to NULL when
 * the line keeps no parse */
static size_t line_layout(const char *p, size_t len, const char *route, size_t route_len,
                          const audit_record_t **rec, size_t *at)
{
	size_t bytes = len + 1 + (route != NULL ? route_len + 1 : 0), frozen;

	*at = bytes;
	if (*rec != NULL && ((*rec)->line.p != p || (*rec)->line.len > len))
		*rec = NULL;   /* not a parse of these bytes */
	frozen = *rec != NULL ? audit_record_frozen_size(*rec) : 0;
	if (frozen > AUDIT_LINE_FREEZE_RATIO * len + AUDIT_LINE_FREEZE_SLACK)
		*rec = NULL;   /* a line of many tiny fields: parsed again instead */
	if (*rec != NULL) {
		*at = record_offset(bytes);
		bytes = *at + frozen;
	}
	return bytes;
}

/* The line copy into COPY, laid out as line_layout said */
static void line_fill(audit_line_t *l, char *copy, const char *p, size_t len,
                      const char *route, size_t route_len, const audit_record_t *rec,
                      size_t at)
{
	memcpy(copy, p, len);
	copy[len] = '\0';
	l->p = copy;
	l->len = len;
	l->route = NULL;
	l->route_len = 0;
	if (route != NULL) {
		l->route = copy + len + 1;
		memcpy(l->route, route, route_len);
		l->route[route_len] = '\0';
		l->route_len = route_len;
	}
	l->rec = rec != NULL ? audit_record_freeze(copy + at, rec, copy) : NULL;
}

int audit_line_copy(audit_line_t *l, const char *p, size_t len, const char *route,
                    size_t route_len, const audit_record_t *rec)
{
	size_t at, bytes = line_layout(p, len, route, route_len, &rec, &at);
	char *copy = malloc(bytes);

	if (copy == NULL)
		return -1;
	line_fill(l, copy, p, len, route, route_len, rec, at);
	return 0;
}

static int add_line(audit_joiner_t *j, audit_event_t *ev, const audit_record_t *r,
                    const char *line, size_t len, const char *route, size_t route_len)
{
	audit_line_t l;
	undo_t *u;
	size_t at, bytes;
	char *copy;

	if (ev->nlines == ev->cap) {
		size_t cap = ev->cap > EVENT_INLINE_LINES ? ev->cap * 2 : LINES_INITIAL_CAP;
		audit_line_t *nl;

		if (ev->lines == ev->inline_lines) {
			if ((nl = malloc(cap * sizeof(*nl))) == NULL)
				return -1;
			memcpy(nl, ev->inline_lines, ev->nlines * sizeof(*nl));
		} else if ((nl = realloc(ev->lines, cap * sizeof(*nl))) == NULL) {
			return -1;
		}
		ev->lines = nl;
		ev->cap = cap;
	}
	bytes = line_layout(line, len, route, route_len, &r, &at);
	if ((copy = line_alloc(j, bytes)) == NULL)
		return -1;
	line_fill(&l, copy, line, len, route, route_len, r, at);
	if ((u = log_undo(j, UNDO_ADD, ev)) == NULL) {
		line_free(j, l.p);
		return -1;
	}
	u->nlines = ev->nlines;
	u->arrived_ms = ev->arrived_ms;
	u->batch = ev->batch;
	ev->lines[ev->nlines++] = l;
	ev->arrived_ms = mono_now_ms();
	ev->batch = j->batch;
	j->batch_input = 1;
	ev->bytes += len;
	j->held += len;
	if (j->held > j->held_peak)
		j->held_peak = j->held;
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
	origin_touch(j, ev->origin);   /* it may hold nothing now */
	if (ev->capped)                /* every part says so, whatever ended it */
		end = AUDIT_EVENT_END_CAPPED;
	ev->end = end;
	j->done[j->ndone++] = ev;
	if (end <= AUDIT_EVENT_END_STANDALONE) {
		STAT_ADD(j, events_complete, 1);
	} else {
		STAT_ADD(j, events_incomplete, 1);
		if (end == AUDIT_EVENT_END_EVICTED)
			STAT_ADD(j, events_evicted, 1);
		if (end == AUDIT_EVENT_END_CAPPED)
			STAT_ADD(j, events_capped, 1);
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
	if (j->conf.max_records == 0)
		j->conf.max_records = 1;
	siphash_key_random(&j->key);
	if (hmap_init(&j->events, TABLE_INITIAL_SIZE) != 0 ||
	    hmap_init(&j->origins, ORIGIN_TABLE_MIN) != 0) {
		hmap_free(&j->events);
		hmap_free(&j->origins);
		free(j);
		return NULL;
	}
	pthread_mutex_init(&j->lock, NULL);
	return j;
}

static void origin_free(hmap_node_t *n, void *ud)
{
	(void)ud;
	free(HMAP_ENTRY(n, origin_t, hnode));
}

void audit_joiner_free(audit_joiner_t *j)
{
	audit_event_t *ev, *next;
	size_t i;

	if (j == NULL)
		return;
	for (ev = j->ghead; ev != NULL; ev = next) {
		next = ev->gnext;
		event_free(j, ev);
	}
	for (i = 0; i < j->ndone; i++)
		event_free(j, j->done[i]);
	pool_free(j);
	hmap_clear(&j->origins, origin_free, NULL);
	pthread_mutex_destroy(&j->lock);
	hmap_free(&j->origins);
	hmap_free(&j->events);
	free(j->undo);
	free(j->done);
	free(j);
}

/* SEC.MSEC in milliseconds, at most INT64_MAX: a later time than that is
 * that time (SEC is 0 to INT64_MAX, audit_record.c), so two times always
 * subtract without overflow. */
static int64_t audit_time_ms(int64_t sec, unsigned msec)
{
	if (sec > (INT64_MAX - (int64_t)msec) / CLOCK_MS_PER_S)
		return INT64_MAX;
	return sec * CLOCK_MS_PER_S + (int64_t)msec;
}

void audit_joiner_begin(audit_joiner_t *j)
{
	pthread_mutex_lock(&j->lock);
	j->nundo = 0;
	j->ndone = 0;
	j->now_sec = (int64_t)time(NULL);
	audit_joiner_stats(j, &j->stats_at_begin);
	j->batch++;
	j->batch_input = 0;
}

void audit_joiner_set_clock(audit_joiner_t *j, int64_t now_sec)
{
	j->now_sec = now_sec;
}

/* the batch in progress ends (COMMITTED or rolled back) */
static void batch_ended(audit_joiner_t *j, int committed)
{
	if (!j->batch_input)
		return;
	j->input_ended_ms = mono_now_ms();
	if (committed)
		j->input_committed = j->batch;
}

/* The time R's event is timed from (see audit_event.h): R's own when it
 * is plausible (it then also sets the origin's clock: as before, the time
 * of the origin's latest record, so records out of order time nothing
 * out early), else the origin's clock, else NO_CLOCK: the event then
 * times out at the origin's next plausible record (the receiving clock
 * would hold it, and the events behind it, while old logs are replayed). */
static int64_t timing_ms(audit_joiner_t *j, origin_t *o, const audit_record_t *r)
{
	int64_t ms = audit_time_ms(r->sec, r->msec);

	if (audit_time_plausible(r->sec, j->now_sec)) {
		o->clock = ms;
		return ms;
	}
	return o->clock;
}

/* A record would take EV past a cap: EV goes out as it is, flagged, and
 * the record starts the event's next part (flagged too). */
static int past_cap(const audit_joiner_t *j, const audit_event_t *ev, size_t len)
{
	return ev->nlines > 0 &&
	       (ev->nlines >= j->conf.max_records || ev->bytes + len > j->conf.max_bytes);
}

int audit_joiner_add(audit_joiner_t *j, const audit_record_t *r,
                     const char *line, size_t len, const char *route, size_t route_len)
{
	audit_view_t name = r->node.len ? r->node : r->hostname;
	origin_t *o = origin_get(j, name.p, name.len);
	audit_event_t *ev;
	uint64_t h;
	int64_t ms;

	if (o == NULL)
		return -1;
	if (!r->stamped) {
		/* journald's form: no serial to join by, and its time is the
		 * syslog header's, not the audit clock: an event of its own;
		 * an EOE there ends nothing and holds nothing */
		if (r->type == AUDIT_TYPE_EOE)
			return 0;
		if ((ev = create_event(j, o, r, audit_time_ms(r->sec, r->msec),
		                       key_hash(j, o, r->sec, r->msec, r->serial))) == NULL ||
		    add_line(j, ev, r, line, len, route, route_len) != 0)
			return -1;
		return complete(j, ev, AUDIT_EVENT_END_STANDALONE);
	}
	ms = timing_ms(j, o, r);
	/* the origin has moved on: what it left incomplete is done */
	while (o->head != NULL && o->clock != NO_CLOCK &&
	       (o->head->ms == NO_CLOCK || o->clock - o->head->ms > (int64_t)j->conf.timeout_ms))
		if (complete(j, o->head, AUDIT_EVENT_END_TIMEOUT) != 0)
			return -1;
	ev = lookup(j, o, r->sec, r->msec, r->serial, &h);
	if (ev == NULL && r->type == AUDIT_TYPE_EOE)
		return 0;   /* the end of an event already emitted: nothing to add */
	if (ev != NULL && r->type != AUDIT_TYPE_EOE && past_cap(j, ev, len)) {
		if (complete(j, ev, AUDIT_EVENT_END_CAPPED) != 0 ||
		    (ev = create_event(j, o, r, ev->ms, h)) == NULL)
			return -1;
		ev->capped = 1;
	}
	if (ev == NULL && (ev = create_event(j, o, r, ms, h)) == NULL)
		return -1;
	if (r->type != AUDIT_TYPE_EOE && add_line(j, ev, r, line, len, route, route_len) != 0)
		return -1;
	if (r->type == AUDIT_TYPE_EOE && complete(j, ev, AUDIT_EVENT_END_EOE) != 0)
		return -1;
	if (ev->nlines == 1 && audit_type_is_standalone(r->type) &&
	    complete(j, ev, AUDIT_EVENT_END_STANDALONE) != 0)
		return -1;
	while (j->events.n > j->conf.max_pending)
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

/* Every held event is looked at: they are in the order they were created,
 * not in the order of their last records. At most max_pending of them.
 * Idle means more than timeout_ms without a record AND the input moved on
 * past the event: a later input batch was committed (the records that
 * followed the event's were joined, so nothing more of it was there), or
 * no input batch ended for timeout_ms (the input is quiet). Wall time
 * alone would split an event whose next batch is merely late: one still
 * queued in rsyslog behind a slow delivery, or a retry after an outage. */
int audit_joiner_expire_idle(audit_joiner_t *j, int64_t now_ms)
{
	audit_event_t *ev, *next;
	int quiet = now_ms - j->input_ended_ms > (int64_t)j->conf.timeout_ms;
	int n = 0;

	for (ev = j->ghead; ev != NULL; ev = next) {
		next = ev->gnext;
		if (now_ms - ev->arrived_ms <= (int64_t)j->conf.timeout_ms)
			continue;
		if (!quiet && j->input_committed <= ev->batch)
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

/* After a flood went out, what malloc keeps could stay in the process's
 * RSS for good: give it back (outside the lock: it takes a while). */
static int shrunk(audit_joiner_t *j)
{
	if (j->held_peak - j->held < TRIM_BYTES)
		return 0;
	j->held_peak = j->held;
	return 1;
}

void audit_joiner_commit(audit_joiner_t *j)
{
	size_t i;
	int trim;

	batch_ended(j, 1);
	for (i = 0; i < j->ndone; i++) {
		j->held -= j->done[i]->bytes;
		event_free(j, j->done[i]);
	}
	j->ndone = 0;
	j->nundo = 0;
	origins_reap(j);
	trim = shrunk(j);
	pthread_mutex_unlock(&j->lock);
	if (trim)
		buf_give_back_memory();
}

void audit_joiner_rollback(audit_joiner_t *j)
{
	origin_t *o;
	int trim;

	batch_ended(j, 0);
	while (j->nundo > 0) {
		undo_t *u = &j->undo[--j->nundo];
		audit_event_t *ev = u->ev;

		switch (u->kind) {
		case UNDO_COMPLETE:   /* the newest completion: the last done */
			j->ndone--;
			link_event(j, ev, u->oprev, u->onext, u->gprev, u->gnext);
			break;
		case UNDO_ADD:
			while (ev->nlines > u->nlines) {
				ev->nlines--;
				ev->bytes -= ev->lines[ev->nlines].len;
				j->held -= ev->lines[ev->nlines].len;
				line_free(j, ev->lines[ev->nlines].p);
			}
			ev->arrived_ms = u->arrived_ms;
			ev->batch = u->batch;
			break;
		case UNDO_CREATE:
			unlink_event(j, ev);
			event_free(j, ev);
			break;
		}
	}
	STAT_SET(j, events_complete, j->stats_at_begin.events_complete);
	STAT_SET(j, events_incomplete, j->stats_at_begin.events_incomplete);
	STAT_SET(j, events_evicted, j->stats_at_begin.events_evicted);
	STAT_SET(j, events_capped, j->stats_at_begin.events_capped);
	STAT_SET(j, pending, j->stats_at_begin.pending);
	for (o = j->touched; o != NULL; o = o->tnext)
		o->clock = o->clock_at_begin;
	origins_reap(j);
	trim = shrunk(j);
	pthread_mutex_unlock(&j->lock);
	if (trim)
		buf_give_back_memory();
}
