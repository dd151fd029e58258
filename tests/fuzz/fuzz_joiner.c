/* fuzz_joiner.c -- libFuzzer target for the event joiner alone: a sequence
 * of records in batches, with commits, rollbacks (each batch rolled back is
 * replayed, as rsyslog retries it) and flushes, under small limits so that
 * timeouts and evictions happen.
 *
 * The first input byte is the configuration:
 *   bits 0-3  max_pending = 1 + value
 *   bits 4-5  timeout: 0, 1 ms, 2 s (the default), 100 s
 *   bits 6-7  caps per event: the defaults, 1 record, 3 records, 200 bytes
 * The rest is lines. A line that is one control byte ends the batch:
 *   \x01 commit   \x02 roll back, replay, commit   \x03 flush, commit
 * and any other line is a record (lines that do not parse are skipped).
 * At the end the open batch is committed and a last one flushes.
 *
 * Checks:
 * - every record other than EOE comes out in exactly one delivered event
 *   (the multiset of delivered lines is the multiset of added lines), and
 *   no EOE line ever does;
 * - the lines of an event share their time, serial and origin (node, else the
 *   syslog host);
 * - a batch rolled back and replayed completes the same events, line for
 *   line, in the same order, with the same ends;
 * - the counters: complete + incomplete = events delivered, evicted <=
 *   incomplete, capped <= incomplete, nothing pending and no origin held
 *   after the last flush.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit_event.h"
#include "buf.h"
#include "fuzz_util.h"

#define CTL_COMMIT   '\x01'
#define CTL_REPLAY   '\x02'
#define CTL_FLUSH    '\x03'
#define EVENT_SEP    '\n'   /* between the lines of an event in a snapshot */
#define BATCH_SEP    '\x1e' /* between events in a snapshot */

static const unsigned timeouts_ms[4] = { 0, 1, AUDIT_JOIN_DEFAULT_TIMEOUT_MS, 100000 };
static const size_t caps_records[4] = { AUDIT_JOIN_DEFAULT_MAX_RECORDS, 1, 3,
                                        AUDIT_JOIN_DEFAULT_MAX_RECORDS };
static const size_t caps_bytes[4] = { AUDIT_JOIN_DEFAULT_MAX_BYTES, AUDIT_JOIN_DEFAULT_MAX_BYTES,
                                      AUDIT_JOIN_DEFAULT_MAX_BYTES, 200 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct lines {
	fuzz_span_t *v;
	size_t n, cap;
} lines_t;

static void lines_add(lines_t *l, const char *p, size_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		fuzz_span_t *v = realloc(l->v, cap * sizeof(*v));

		FUZZ_CHECK(v != NULL, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].p = (const unsigned char *)p;
	l->v[l->n++].len = len;
}

typedef struct run {
	audit_joiner_t *j;
	audit_record_t rec, other;
	lines_t added;          /* views into the input */
	buf_t delivered;        /* copies of the delivered lines, back to back */
	lines_t dlines;         /* offsets into delivered (p = offset) */
	uint64_t events;        /* delivered */
} run_t;

/* Add the records of [FROM, TO) (control lines excluded) to the joiner. */
static void add_batch(run_t *r, const char *in, size_t from, size_t to, int count)
{
	size_t at = from;

	while (at < to) {
		const char *line = in + at, *nl = memchr(line, '\n', to - at);
		size_t len = nl ? (size_t)(nl - line) : to - at;

		at += len + 1;
		if (audit_record_parse(&r->rec, line, len) != AUDIT_PARSE_OK)
			continue;
		FUZZ_CHECK(audit_joiner_add(r->j, &r->rec, line, len, NULL, 0) == 0,
		           "audit_joiner_add failed");
		if (count && r->rec.type != AUDIT_TYPE_EOE)
			lines_add(&r->added, line, len);
	}
}

static audit_view_t origin_of(const audit_record_t *rec)
{
	return rec->node.len ? rec->node : rec->hostname;
}

static int same(audit_view_t a, audit_view_t b)
{
	return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/* The completed events of the open batch, checked, as one string. */
static void snapshot(run_t *r, buf_t *snap)
{
	size_t i, k, n = audit_joiner_ncompleted(r->j);

	buf_reset(snap);
	for (i = 0; i < n; i++) {
		const audit_event_t *ev = audit_joiner_completed(r->j, i);
		size_t nl = audit_event_nlines(ev);

		FUZZ_CHECK(nl >= 1, "an event without lines");
		buf_printf(snap, "%d", (int)audit_event_end(ev));
		for (k = 0; k < nl; k++) {
			const audit_line_t *l = audit_event_line(ev, k);

			FUZZ_CHECK(audit_record_parse(&r->rec, l->p, l->len) == AUDIT_PARSE_OK,
			           "an event line does not parse: %.*s", (int)l->len, l->p);
			FUZZ_CHECK(r->rec.type != AUDIT_TYPE_EOE, "an EOE line came out");
			FUZZ_CHECK(l->p[l->len] == '\0', "event line not NUL-terminated");
			if (k == 0) {
				audit_record_parse(&r->other, l->p, l->len);
			} else {
				FUZZ_CHECK(r->rec.serial == r->other.serial,
				           "serials %llu and %llu in one event",
				           (unsigned long long)r->other.serial,
				           (unsigned long long)r->rec.serial);
				FUZZ_CHECK(r->rec.sec == r->other.sec && r->rec.msec == r->other.msec,
				           "two times in one event");
				FUZZ_CHECK(same(origin_of(&r->rec), origin_of(&r->other)),
				           "two origins in one event");
			}
			buf_putc(snap, EVENT_SEP);
			buf_append(snap, l->p, l->len);
		}
		buf_putc(snap, BATCH_SEP);
	}
	FUZZ_CHECK(!snap->oom, "out of memory");
}

/* Commit the open batch: its events are delivered. */
static void commit(run_t *r)
{
	size_t i, k, n = audit_joiner_ncompleted(r->j);

	for (i = 0; i < n; i++) {
		const audit_event_t *ev = audit_joiner_completed(r->j, i);

		for (k = 0; k < audit_event_nlines(ev); k++) {
			const audit_line_t *l = audit_event_line(ev, k);

			lines_add(&r->dlines, (const char *)(uintptr_t)r->delivered.len, l->len);
			buf_append(&r->delivered, l->p, l->len);
		}
	}
	FUZZ_CHECK(!r->delivered.oom, "out of memory");
	r->events += n;
	audit_joiner_commit(r->j);
}

static void batch(run_t *r, const char *in, size_t from, size_t to, char ctl,
                  buf_t *first, buf_t *again)
{
	audit_joiner_begin(r->j);
	add_batch(r, in, from, to, 1);
	if (ctl == CTL_FLUSH)
		audit_joiner_flush(r->j);
	if (ctl == CTL_REPLAY) {
		snapshot(r, first);
		audit_joiner_rollback(r->j);
		audit_joiner_begin(r->j);
		add_batch(r, in, from, to, 0);
		snapshot(r, again);
		FUZZ_CHECK(first->len == again->len &&
		           (first->len == 0 || memcmp(first->p, again->p, first->len) == 0),
		           "a replayed batch completed other events (%zu vs %zu bytes)",
		           first->len, again->len);
	} else {
		snapshot(r, first);
	}
	commit(r);
}

static void check_all_delivered(run_t *r)
{
	size_t i;

	for (i = 0; i < r->dlines.n; i++)   /* offsets into pointers, now stable */
		r->dlines.v[i].p = (const unsigned char *)r->delivered.p +
		                   (uintptr_t)r->dlines.v[i].p;
	FUZZ_CHECK(r->added.n == r->dlines.n, "%zu records added, %zu delivered",
	           r->added.n, r->dlines.n);
	if (r->added.n == 0)
		return;   /* qsort(NULL, 0, ...) is undefined */
	qsort(r->added.v, r->added.n, sizeof(fuzz_span_t), fuzz_span_cmp);
	qsort(r->dlines.v, r->dlines.n, sizeof(fuzz_span_t), fuzz_span_cmp);
	for (i = 0; i < r->added.n; i++)
		FUZZ_CHECK(fuzz_span_cmp(&r->added.v[i], &r->dlines.v[i]) == 0,
		           "record %zu delivered differs: %.*s", i,
		           (int)r->added.v[i].len, (const char *)r->added.v[i].p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	audit_joiner_conf_t jc;
	audit_joiner_stats_t st;
	run_t r;
	buf_t first, again;
	const char *in;
	char *copy;
	size_t at, from;

	if (size < 1)
		return 0;
	audit_joiner_conf_default(&jc);
	jc.max_pending = 1 + (data[0] & 0x0f);
	jc.timeout_ms = timeouts_ms[(data[0] >> 4) & 3];
	jc.max_records = caps_records[(data[0] >> 6) & 3];
	jc.max_bytes = caps_bytes[(data[0] >> 6) & 3];
	copy = malloc(size);   /* exact size: ASan sees over-reads */
	FUZZ_CHECK(copy != NULL, "out of memory");
	memcpy(copy, data + 1, size - 1);
	in = copy;
	size--;

	memset(&r, 0, sizeof(r));
	r.j = audit_joiner_new(&jc);
	FUZZ_CHECK(r.j != NULL, "audit_joiner_new");
	audit_record_init(&r.rec);
	audit_record_init(&r.other);
	buf_init(&r.delivered);
	buf_init(&first);
	buf_init(&again);

	for (at = from = 0; at < size; ) {
		const char *nl = memchr(in + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (in + at)) : size - at;

		if (len == 1 && (in[at] == CTL_COMMIT || in[at] == CTL_REPLAY ||
		                 in[at] == CTL_FLUSH)) {
			batch(&r, in, from, at, in[at], &first, &again);
			from = at + len + 1;
		}
		at += len + 1;
	}
	batch(&r, in, from < size ? from : size, size, CTL_COMMIT, &first, &again);
	batch(&r, in, size, size, CTL_FLUSH, &first, &again);

	audit_joiner_stats(r.j, &st);
	FUZZ_CHECK(st.pending == 0, "%llu events pending after a flush",
	           (unsigned long long)st.pending);
	FUZZ_CHECK(st.events_complete + st.events_incomplete == r.events,
	           "counters: %llu complete + %llu incomplete, %llu delivered",
	           (unsigned long long)st.events_complete,
	           (unsigned long long)st.events_incomplete, (unsigned long long)r.events);
	FUZZ_CHECK(st.events_evicted <= st.events_incomplete, "more evicted than incomplete");
	FUZZ_CHECK(st.events_capped <= st.events_incomplete, "more capped than incomplete");
	FUZZ_CHECK(st.origins == 0, "%llu origins held with no event", (unsigned long long)st.origins);
	check_all_delivered(&r);

	buf_free(&first);
	buf_free(&again);
	buf_free(&r.delivered);
	free(r.added.v);
	free(r.dlines.v);
	audit_record_free(&r.rec);
	audit_record_free(&r.other);
	audit_joiner_free(r.j);
	free(copy);
	return 0;
}
