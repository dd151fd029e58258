/* reduce.c -- the search for the reduction that makes a message fit its
 * size limit (see reduce.h): stages from "values capped" to "the minimal
 * message", and within a stage a binary search over the value cap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reduce.h"

/* reduce.h's stages */
enum { STAGE_CAPPED, STAGE_ESSENTIAL, STAGE_MINIMAL, STAGE_BARE, STAGE_N };

void reducer_init(reducer_t *rd)
{
	memset(rd, 0, sizeof(*rd));
	buf_init(&rd->attempt);
	buf_init(&rd->best);
	format_argv_cache_init(&rd->argv);
	rd->fr.argv_cache = &rd->argv;   /* emptied after each reduce_fit */
	format_record_cache_init(&rd->texts);
	rd->fr.record_cache = &rd->texts;   /* emptied for each stage */
}

void reducer_free(reducer_t *rd)
{
	buf_free(&rd->attempt);
	buf_free(&rd->best);
	free(rd->recs);
	format_argv_cache_free(&rd->argv);
	format_record_cache_free(&rd->texts);
}

static int is_execve(const audit_record_t *r)
{
	return r->type_str != NULL && strcmp(r->type_str, "EXECVE") == 0;
}

/* stage 2's records: EXECVE all (they are one argument list), of any
 * other type the first REDUCE_MAX_PER_TYPE; *N receives their count */
static const audit_record_t *const *few_records(reducer_t *rd,
                                                const audit_record_t *const *recs,
                                                size_t nrecs, size_t *n)
{
	size_t i, j, same;

	if (nrecs > rd->cap) {
		const audit_record_t **p = realloc(rd->recs, nrecs * sizeof(*p));

		if (p == NULL)
			return NULL;
		rd->recs = p;
		rd->cap = nrecs;
	}
	for (i = 0, *n = 0; i < nrecs; i++) {
		for (j = 0, same = 0; j < i && !is_execve(recs[i]); j++)
			same += format_same_type(recs[j], recs[i]);
		if (same < REDUCE_MAX_PER_TYPE)
			rd->recs[(*n)++] = recs[i];
	}
	return rd->recs;
}

/* One stage's search: the records written, what to write them with, the
 * limit, and the best settings found (their message is in rd->best). */
typedef struct search {
	reducer_t *rd;
	size_t limit;
	const audit_record_t *const *recs;
	size_t nrecs;
	reduce_write_fn w;
	void *ud;
	format_reduce_t *best;
	/* What the attempts have shown. A message written at a cap that cut
	 * nothing (format_reduce_t.capped 0) is the message of every larger
	 * cap too, so from that cap on the outcome is known without writing
	 * the message again (each of an oversized event's dozen attempts
	 * decodes all of its values): it fails from FAILS_FROM on, and from
	 * FITS_FROM on it fits with the message rd->best holds already (the
	 * binary search keeps no smaller cap after a fit). */
	size_t fails_from, fits_from;
} search_t;

/* Write the message at value cap CAP into rd->attempt; 1 when it fits */
static int attempt(search_t *s, size_t cap)
{
	reducer_t *rd = s->rd;

	buf_reset(&rd->attempt);
	format_reduce_reset(&rd->fr);
	rd->fr.value_max = cap;
	rd->fr.argv_max = cap * REDUCE_ARGV_FACTOR;
	rd->texts.next = 0;
	s->w(&rd->attempt, &rd->fr, s->recs, s->nrecs, s->ud);
	return !rd->attempt.oom && rd->attempt.len <= s->limit;
}

/* keep the attempt just made as the best so far (with its counts) */
static void keep(reducer_t *rd, format_reduce_t *best)
{
	buf_t t = rd->best;

	rd->best = rd->attempt;
	rd->attempt = t;
	*best = rd->fr;
}

/* attempt() at CAP, or its known outcome; a fit is kept */
static int try_cap(search_t *s, size_t cap)
{
	if (cap >= s->fails_from)
		return 0;
	if (cap >= s->fits_from)
		return 1;
	if (!attempt(s, cap)) {
		if (!s->rd->fr.capped && !s->rd->attempt.oom)
			s->fails_from = cap;
		return 0;
	}
	keep(s->rd, s->best);
	if (!s->rd->fr.capped)
		s->fits_from = cap;
	return 1;
}

/* The largest cap in [LO, HI] whose message fits, written into rd->best;
 * 0 when not even LO fits. */
static int search(search_t *s, size_t lo, size_t hi)
{
	s->fails_from = s->fits_from = SIZE_MAX;
	/* the first attempt has the stage's smallest cap: the records it cuts
	 * nothing of are kept for the others (format_record_cache_t) */
	format_record_cache_clear(&s->rd->texts);
	s->rd->texts.filling = 1;
	if (!try_cap(s, lo)) {
		s->rd->texts.filling = 0;
		return 0;
	}
	s->rd->texts.filling = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;

		if (try_cap(s, mid))
			lo = mid;
		else
			hi = mid - 1;
	}
	return 1;
}

size_t reduce_fit(reducer_t *rd, buf_t *out, size_t limit, size_t from,
                  const audit_record_t *const *recs, size_t nrecs,
                  reduce_write_fn w, void *ud, format_reduce_t *r)
{
	format_reduce_t best;
	search_t st = { rd, limit, NULL, 0, w, ud, &best, SIZE_MAX, SIZE_MAX };
	int stage, fit = 0;

	memset(&best, 0, sizeof(best));
	rd->fr.from = from;
	for (stage = 0; stage < STAGE_N && !fit; stage++) {
		const audit_record_t *const *rs = recs;
		size_t n = nrecs, lo = REDUCE_MIN_VALUE, hi = limit;

		rd->fr.essential = stage == STAGE_CAPPED ? 0 : stage == STAGE_BARE ? 2 : 1;
		rd->fr.records_left = 0;
		if (stage == STAGE_ESSENTIAL && nrecs > 1 &&
		    (rs = few_records(rd, recs, nrecs, &n)) == NULL)
			break;   /* memory ran out: nothing fits */
		if (stage >= STAGE_MINIMAL) {
			n = nrecs ? 1 : 0;
			lo = 0;
			hi = REDUCE_MIN_VALUE;
		}
		rd->fr.records_left = nrecs - n;
		st.recs = rs;
		st.nrecs = n;
		fit = search(&st, lo, hi);
	}
	if (fit)
		buf_append(out, rd->best.p, rd->best.len);
	if (rd->attempt.cap > REDUCE_KEEP_MAX) {   /* a 2 MB event's attempts */
		buf_free(&rd->attempt);
		buf_init(&rd->attempt);
	}
	/* the argument lists of these records, decoded once for all their
	 * attempts: the records may go once it returns */
	format_argv_cache_drop(&rd->argv);
	if (format_argv_cache_size(&rd->argv) > REDUCE_KEEP_MAX)
		format_argv_cache_free(&rd->argv);
	format_record_cache_clear(&rd->texts);   /* the records may go too */
	if (format_record_cache_size(&rd->texts) > REDUCE_KEEP_MAX)
		format_record_cache_free(&rd->texts);
	if (!fit || out->oom)
		return 0;
	best.argv_cache = NULL;   /* the work space stays the reducer's */
	*r = best;
	return rd->best.len;
}

size_t reduce_kafka_default(const char *const *conf, size_t nconf,
                            const char *const *headers, size_t nheaders)
{
	static const char key[] = "message.max.bytes=";
	size_t max = REDUCE_KAFKA_MAX_BYTES, i, cost = REDUCE_KAFKA_MARGIN;
	unsigned long long v;
	char *end;

	for (i = 0; i < nconf; i++) {
		if (strncmp(conf[i], key, sizeof(key) - 1) != 0)
			continue;
		v = strtoull(conf[i] + sizeof(key) - 1, &end, 10);
		if (*end == '\0' && v > 0)
			max = (size_t)v;   /* librdkafka refuses what is not a number */
	}
	for (i = 0; i < nheaders; i++)
		cost += strlen(headers[i]) + REDUCE_KAFKA_HEADER_COST;
	return max > cost + REDUCE_MIN_LIMIT ? max - cost : REDUCE_MIN_LIMIT;
}

size_t reduce_message_limit(size_t max, int octet_counted, int lf)
{
	size_t digits = 1, m;

	if (max == 0)
		return 0;
	for (m = max; m >= 10; m /= 10)
		digits++;
	if (octet_counted)
		return max > digits + 1 ? max - digits - 1 : 1;
	if (lf)
		return max > 1 ? max - 1 : 1;
	return max;
}
