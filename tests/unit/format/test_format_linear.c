/* test_format_linear.c -- every format's work is linear in its input: a
 * size sweep of hostile records (names that collide after de-duplication,
 * interpretations that collide with fields, many records of one type),
 * judged by the key-table slots the formats probe (format_event_t.work)
 * and the slots of the parser's index of names, when the record is parsed
 * and when a format looks a name up in it (audit_record_t.work),
 * not by time, against an ordinary record of the same number of fields. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "audit_record.h"
#include "enrich.h"
#include "format.h"

#define SWEEP_MIN    250
#define SWEEP_MAX    4000        /* the parser takes 4096 fields */
#define LINE_MAX_LEN (64 * 1024)
/* probes per field any record may cost (measured: 4-18 per field from
 * 250 to 4000 fields, varying with the hash's seed, an address; the
 * quadratic search this guards against cost 177 per field at 250 fields
 * and grows with n), and how much more a hostile record of the same size
 * may cost than an ordinary one (measured: at most 2.5x in json) */
#define MAX_PROBES_PER_FIELD 32
#define MAX_HOSTILE_FACTOR   8
#define MAX_RECS_SWEEP       4000

typedef enum { SHAPE_PLAIN, SHAPE_COLLIDE, SHAPE_UPPER, SHAPE_SUFFIXED, SHAPE_PREFIX } shape_t;

static char line[LINE_MAX_LEN];
static unsigned long work;   /* slots probed: keysets and the record's index */
static audit_record_t rec;
static buf_t out, scratch;
static enrich_t *en;

static void setup(void)
{
	enrich_conf_t c;

	audit_record_init(&rec);
	buf_init(&out);
	buf_init(&scratch);
	enrich_conf_default(&c);
	c.ids = ENRICH_IDS_NEVER;
	c.local_host = "h1";
	en = enrich_new(&c);
	cr_assert_not_null(en);
}

static void teardown(void)
{
	enrich_free(en);
	buf_free(&scratch);
	buf_free(&out);
	audit_record_free(&rec);
}

TestSuite(format_linear, .init = setup, .fini = teardown);

/* A SYSCALL line of N fields of SHAPE:
 *   plain     f0=1 f1=1 ...
 *   collide   a_2=1 a=1 a_3=1 a=1 ...   (issue 13: 24 s for 4000 fields)
 *   upper     UID_2=1 uid=0 UID_3=1 uid=0 ...   (interpretations collide)
 *   suffixed  a=1 a=1 ... a_2=1 a_3=1 ...       (later names taken early)
 *   prefix    aaaaaaaa0000=1 aaaaaaaa0001=1 ...  (one first 8 bytes: the
 *             parser's index hashed only those, 75 ms a record) */
static size_t make_line(shape_t shape, unsigned n)
{
	size_t len = (size_t)snprintf(line, sizeof(line),
	                              "type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e");
	unsigned i;

	for (i = 0; i + 1 < n; i++) {
		int k = 0;

		switch (shape) {
		case SHAPE_PLAIN:
			k = snprintf(line + len, sizeof(line) - len, " f%u=1", i);
			break;
		case SHAPE_COLLIDE:
			k = i % 2 ? snprintf(line + len, sizeof(line) - len, " a=1")
			          : snprintf(line + len, sizeof(line) - len, " a_%u=1", i / 2 + 2);
			break;
		case SHAPE_UPPER:
			k = i % 2 ? snprintf(line + len, sizeof(line) - len, " uid=0")
			          : snprintf(line + len, sizeof(line) - len, " UID_%u=1", i / 2 + 2);
			break;
		case SHAPE_SUFFIXED:
			k = i < n / 2 ? snprintf(line + len, sizeof(line) - len, " a=1")
			              : snprintf(line + len, sizeof(line) - len, " a_%u=1", i - n / 2 + 2);
			break;
		case SHAPE_PREFIX:
			k = snprintf(line + len, sizeof(line) - len, " aaaaaaaa%04u=1", i);
			break;
		}
		cr_assert(k > 0 && (size_t)k < sizeof(line) - len);
		len += (size_t)k;
	}
	return len;
}

/* The slots probed to write one event of NRECS copies of the record,
 * added to work */
static unsigned long probes(const format_ops_t *f, int enrich, size_t nrecs)
{
	static const audit_record_t *rp[MAX_RECS_SWEEP];
	format_event_t ev;
	size_t i;

	for (i = 0; i < nrecs; i++)
		rp[i] = &rec;
	memset(&ev, 0, sizeof(ev));
	ev.recs = rp;
	ev.nrecs = nrecs;
	ev.host.p = "h1";
	ev.host.len = 2;
	ev.enrich = enrich ? en : NULL;
	ev.scratch = &scratch;
	ev.work = &work;
	buf_reset(&out);
	f->event(&out, &ev);
	cr_assert_eq(out.oom, 0);
	return work;
}

static unsigned long record_probes(const format_ops_t *f, int enrich, shape_t shape,
                                   unsigned n)
{
	size_t len = make_line(shape, n);

	work = 0;
	rec.work = &work;   /* the parse's probes count too */
	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	cr_assert_eq(rec.nfields, n);
	return probes(f, enrich, 1);
}

static void sweep(const format_ops_t *f, int enrich)
{
	static const shape_t hostile[] = { SHAPE_COLLIDE, SHAPE_UPPER, SHAPE_SUFFIXED,
	                                   SHAPE_PREFIX };
	unsigned n;
	size_t s;

	for (n = SWEEP_MIN; n <= SWEEP_MAX; n *= 2) {
		unsigned long plain = record_probes(f, enrich, SHAPE_PLAIN, n);

		cr_assert_leq(plain, (unsigned long)MAX_PROBES_PER_FIELD * n,
		              "%s: %lu probes for %u ordinary fields", f->name, plain, n);
		for (s = 0; s < sizeof(hostile) / sizeof(hostile[0]); s++) {
			unsigned long h = record_probes(f, enrich, hostile[s], n);

			cr_log_info("%s enrich=%d shape %d n=%u: %lu probes (ordinary %lu)",
			            f->name, enrich, (int)hostile[s], n, h, plain);

			cr_assert_leq(h, (unsigned long)MAX_PROBES_PER_FIELD * n,
			              "%s enrich=%d shape %d: %lu probes for %u fields",
			              f->name, enrich, (int)hostile[s], h, n);
			cr_assert_leq(h, MAX_HOSTILE_FACTOR * (plain > n ? plain : n),
			              "%s enrich=%d shape %d: %lu probes for %u fields "
			              "(an ordinary record: %lu)", f->name, enrich, (int)hostile[s],
			              h, n, plain);
		}
	}
}

Test(format_linear, json_keys_linear_in_fields)
{
	sweep(&format_json, 1);
	sweep(&format_json, 0);
}

Test(format_linear, leef_cef_keys_linear_in_fields)
{
	sweep(&format_leef, 1);
	sweep(&format_cef, 1);
	sweep(&format_cef, 0);
}

/* an event of many records of one type: type members and type numbers
 * are found once, not by rescanning the records before */
Test(format_linear, records_of_one_type_linear)
{
	static const format_ops_t *const fmts[] = { &format_json, &format_leef, &format_cef };
	size_t len = make_line(SHAPE_PLAIN, 4), i, nrecs;

	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		for (nrecs = 250; nrecs <= MAX_RECS_SWEEP; nrecs *= 2) {
			unsigned long w;

			work = 0;
			w = probes(fmts[i], 0, nrecs);

			cr_assert_leq(w, (unsigned long)MAX_PROBES_PER_FIELD * 5 * nrecs,
			              "%s: %lu probes for %zu records", fmts[i]->name, w, nrecs);
		}
}
