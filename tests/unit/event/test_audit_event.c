/* test_audit_event.c -- the joiner: records of one event come out together,
 * once, whatever the interleaving, the timeouts, the batch retries and the
 * threads. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "audit_event.h"
#include "clock_ms.h"

static audit_joiner_t *j;
static audit_record_t rec;

static void setup(void)
{
	audit_joiner_conf_t c;

	audit_joiner_conf_default(&c);
	j = audit_joiner_new(&c);
	audit_record_init(&rec);
}

static void teardown(void)
{
	audit_joiner_free(j);
	audit_record_free(&rec);
}

static void add(audit_joiner_t *jj, audit_record_t *r, const char *line)
{
	cr_assert_eq(audit_record_parse(r, line, strlen(line)), AUDIT_PARSE_OK, "%s", line);
	cr_assert_eq(audit_joiner_add(jj, r, line, strlen(line), NULL, 0), 0);
}

/* the type= of line I of completed event E */
static int line_is(size_t e, size_t i, const char *prefix)
{
	const audit_line_t *l = audit_event_line(audit_joiner_completed(j, e), i);

	return l->len >= strlen(prefix) && memcmp(l->p, prefix, strlen(prefix)) == 0;
}

TestSuite(audit_event, .init = setup, .fini = teardown);

Test(audit_event, syscall_records_join_and_complete_on_eoe)
{
	audit_joiner_begin(j);
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=59");
	add(j, &rec, "type=EXECVE msg=audit(1700000000.100:10): argc=1 a0=\"ls\"");
	add(j, &rec, "type=PATH msg=audit(1700000000.100:10): item=0 name=\"/bin/ls\"");
	cr_assert_eq(audit_joiner_ncompleted(j), 0, "nothing is complete before EOE");
	add(j, &rec, "type=EOE msg=audit(1700000000.100:10): ");
	cr_assert_eq(audit_joiner_ncompleted(j), 1);
	cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 0)), 3, "EOE itself is not kept");
	cr_assert(line_is(0, 0, "type=SYSCALL"));
	cr_assert(line_is(0, 2, "type=PATH"));
	cr_assert_eq(audit_event_end(audit_joiner_completed(j, 0)), AUDIT_EVENT_END_EOE);
	audit_joiner_commit(j);
}

/* the joiner keeps each record's parse with its line: the event is
 * formatted from it, not parsed again; its views are in the kept copy */
Test(audit_event, records_keep_their_parse_in_the_copy_of_their_line)
{
	char line[] = "type=SYSCALL msg=audit(1700000000.100:12): arch=c000003e syscall=59 "
	              "comm=\"ls\"";
	const char *other = "type=CWD msg=audit(1700000000.100:12): cwd=\"/\"";
	char given[] = "type=CWD msg=audit(1700000000.100:12): cwd=\"/\"";
	const audit_line_t *l;
	const audit_field_t *f;

	audit_joiner_begin(j);
	add(j, &rec, line);
	memset(line, 'X', sizeof(line) - 1);   /* the caller's buffer is gone */
	/* a record parsed from other bytes than the line given: no parse kept */
	cr_assert_eq(audit_record_parse(&rec, other, strlen(other)), AUDIT_PARSE_OK);
	cr_assert_eq(audit_joiner_add(j, &rec, given, strlen(given), NULL, 0), 0);
	add(j, &rec, "type=EOE msg=audit(1700000000.100:12): ");
	cr_assert_eq(audit_joiner_ncompleted(j), 1);
	l = audit_event_line(audit_joiner_completed(j, 0), 0);
	cr_assert_not_null(l->rec);
	cr_assert_eq(l->rec->line.p, l->p);
	cr_assert_eq(l->rec->serial, 12);
	cr_assert_eq(l->rec->nfields, 3);
	f = audit_record_field(l->rec, "comm");
	cr_assert_not_null(f);
	cr_assert(f->value.p > l->p && f->value.p + f->value.len <= l->p + l->len);
	cr_assert_eq(f->value.len, 2);
	cr_assert_eq(memcmp(f->value.p, "ls", 2), 0);
	cr_assert_null(audit_event_line(audit_joiner_completed(j, 0), 1)->rec);
	audit_joiner_commit(j);
}

/* a line of many tiny fields would cost 14 times its length as a parse:
 * its line is kept alone (parsed again when formatted) */
Test(audit_event, a_line_of_tiny_fields_keeps_no_parse)
{
	static char line[16384];
	size_t len = (size_t)snprintf(line, sizeof(line),
	                              "type=SYSCALL msg=audit(1700000000.100:13): arch=c000003e");
	const audit_line_t *l;

	while (len + 5 < sizeof(line) - 1)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " a=1");
	audit_joiner_begin(j);
	add(j, &rec, line);
	cr_assert_gt(rec.nfields, 3000);
	cr_assert_gt(audit_record_frozen_size(&rec), AUDIT_LINE_FREEZE_RATIO * len +
	             AUDIT_LINE_FREEZE_SLACK);
	add(j, &rec, "type=EOE msg=audit(1700000000.100:13): ");
	cr_assert_eq(audit_joiner_ncompleted(j), 1);
	l = audit_event_line(audit_joiner_completed(j, 0), 0);
	cr_assert_eq(l->len, len);
	cr_assert_null(l->rec);
	audit_joiner_commit(j);
}

Test(audit_event, interleaved_events_stay_apart)
{
	audit_joiner_begin(j);
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.100:10): syscall=59");
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.101:11): syscall=42");
	add(j, &rec, "type=SOCKADDR msg=audit(1700000000.101:11): saddr=0200");
	add(j, &rec, "type=CWD msg=audit(1700000000.100:10): cwd=\"/\"");
	add(j, &rec, "type=EOE msg=audit(1700000000.101:11): ");
	add(j, &rec, "type=EOE msg=audit(1700000000.100:10): ");
	cr_assert_eq(audit_joiner_ncompleted(j), 2);
	cr_assert(line_is(0, 1, "type=SOCKADDR"));
	cr_assert(line_is(1, 1, "type=CWD"));
	audit_joiner_commit(j);
}

/* The joiner compares a record with the last event before hashing its
 * key: an event that ended is no longer that event, a record of another
 * origin with the same stamp is not, and across a batch and its retry
 * the answer is the same. */
Test(audit_event, the_last_event_is_only_a_shortcut_to_the_table)
{
	int round;

	for (round = 0; round < 2; round++) {
		audit_joiner_begin(j);
		add(j, &rec, "node=a type=SYSCALL msg=audit(1700000000.100:10): syscall=59");
		add(j, &rec, "node=a type=CWD msg=audit(1700000000.100:10): cwd=\"/\"");
		add(j, &rec, "node=b type=CWD msg=audit(1700000000.100:10): cwd=\"/b\"");
		add(j, &rec, "node=a type=PATH msg=audit(1700000000.100:10): item=0 name=\"/x\"");
		add(j, &rec, "node=a type=EOE msg=audit(1700000000.100:10): ");
		/* the same key again after its end: a new event */
		add(j, &rec, "node=a type=PATH msg=audit(1700000000.100:10): item=1 name=\"/y\"");
		add(j, &rec, "node=b type=EOE msg=audit(1700000000.100:10): ");
		add(j, &rec, "node=a type=EOE msg=audit(1700000000.100:10): ");
		cr_assert_eq(audit_joiner_ncompleted(j), 3);
		cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 0)), 3);
		cr_assert(line_is(0, 2, "node=a type=PATH"));
		cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 1)), 1);
		cr_assert(line_is(1, 0, "node=b type=CWD"));
		cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 2)), 1);
		cr_assert(line_is(2, 0, "node=a type=PATH msg=audit(1700000000.100:10): item=1"));
		if (round == 0)
			audit_joiner_rollback(j);   /* and the retry finds the same */
		else
			audit_joiner_commit(j);
	}
}

/* Line copies are kept for reuse after their events are done: lines of
 * every size class and beyond it (a 9 KiB line), over batches committed
 * and rolled back, each read back whole in its event */
Test(audit_event, line_memory_given_back_serves_the_next_lines_intact)
{
	static char line[12000];
	static const size_t sizes[] = { 60, 200, 250, 700, 1500, 3800, 4100, 9000 };
	size_t round, s, k;
	int serial = 1;

	for (round = 0; round < 6; round++) {
		audit_joiner_begin(j);
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			int n = snprintf(line, sizeof(line),
			                 "type=SYSCALL msg=audit(1700000000.100:%d): syscall=%zu key=\"",
			                 serial + (int)s, sizes[s]);

			for (k = (size_t)n; k < sizes[s]; k++)
				line[k] = (char)('a' + (k + round) % 26);
			line[sizes[s]] = '"';
			line[sizes[s] + 1] = '\0';
			add(j, &rec, line);
			snprintf(line, sizeof(line), "type=EOE msg=audit(1700000000.100:%d): ",
			         serial + (int)s);
			add(j, &rec, line);
		}
		cr_assert_eq(audit_joiner_ncompleted(j), sizeof(sizes) / sizeof(sizes[0]));
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			const audit_line_t *l = audit_event_line(audit_joiner_completed(j, s), 0);

			cr_assert_eq(l->len, sizes[s] + 1, "round %zu line %zu", round, s);
			for (k = l->len - 2; l->p[k] != '"'; k--)
				cr_assert_eq(l->p[k], (char)('a' + (k + round) % 26),
				             "round %zu line %zu byte %zu", round, s, k);
		}
		if (round % 3 == 1) {
			audit_joiner_rollback(j);   /* the same lines again next round */
		} else {
			audit_joiner_commit(j);
			serial += 100;
		}
	}
}

Test(audit_event, user_space_records_complete_alone)
{
	audit_joiner_begin(j);
	add(j, &rec, "type=USER_LOGIN msg=audit(1700000000.100:20): pid=1 msg='op=login res=failed'");
	cr_assert_eq(audit_joiner_ncompleted(j), 1);
	cr_assert_eq(audit_event_end(audit_joiner_completed(j, 0)), AUDIT_EVENT_END_STANDALONE);
	audit_joiner_commit(j);
}

Test(audit_event, same_serial_from_two_origins_are_two_events)
{
	audit_joiner_begin(j);
	add(j, &rec, "node=a type=SYSCALL msg=audit(1700000000.100:7): syscall=59");
	add(j, &rec, "node=b type=SYSCALL msg=audit(1700000000.100:7): syscall=2");
	add(j, &rec, "<13>1 2023-11-14T22:13:20Z relayed01 audisp - - - "
	             "type=SYSCALL msg=audit(1700000000.100:7): syscall=3");
	add(j, &rec, "node=b type=EOE msg=audit(1700000000.100:7): ");
	cr_assert_eq(audit_joiner_ncompleted(j), 1);
	cr_assert(line_is(0, 0, "node=b"));
	audit_joiner_flush(j);
	cr_assert_eq(audit_joiner_ncompleted(j), 3);
	audit_joiner_commit(j);
}

Test(audit_event, a_lost_eoe_completes_when_the_origin_moves_on)
{
	audit_joiner_stats_t st;

	audit_joiner_begin(j);
	add(j, &rec, "node=a type=SYSCALL msg=audit(1700000000.100:1): syscall=59");
	add(j, &rec, "node=b type=SYSCALL msg=audit(1700000009.000:2): syscall=59");
	cr_assert_eq(audit_joiner_ncompleted(j), 0, "another origin's clock does not count");
	add(j, &rec, "node=a type=SYSCALL msg=audit(1700000002.000:3): syscall=59");
	cr_assert_eq(audit_joiner_ncompleted(j), 0, "1.9 s later is within the 2 s timeout");
	add(j, &rec, "node=a type=SYSCALL msg=audit(1700000002.101:4): syscall=59");
	cr_assert_eq(audit_joiner_ncompleted(j), 1);
	cr_assert_eq(audit_event_end(audit_joiner_completed(j, 0)), AUDIT_EVENT_END_TIMEOUT);
	audit_joiner_commit(j);
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.events_incomplete, 1);
	cr_assert_eq(st.pending, 3);
}

Test(audit_event, times_beyond_int64_milliseconds_are_keys_not_clocks)
{
	/* sec * 1000 once overflowed past INT64_MAX / 1000; such a time is
	 * implausible now: it neither times anything out nor is timed by
	 * itself, and the largest times there are stay separate keys */
	audit_joiner_begin(j);
	add(j, &rec, "node=a type=SYSCALL msg=audit(1700000000.100:1): syscall=59");
	add(j, &rec, "node=a type=SYSCALL msg=audit(9300000000000000.000:2): syscall=59");
	cr_assert_eq(audit_joiner_ncompleted(j), 0, "an implausible time moves no clock");
	add(j, &rec, "node=a type=SYSCALL msg=audit(9223372036854775807.999:3): syscall=59");
	add(j, &rec, "node=a type=SYSCALL msg=audit(9223372036854775807.998:3): syscall=59");
	add(j, &rec, "node=a type=EOE msg=audit(9223372036854775807.999:3): ");
	cr_assert_eq(audit_joiner_ncompleted(j), 1);
	cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 0)), 1,
	             "one millisecond apart: two events");
	/* 2.001 s later on the origin's clock: 1, 2 and .998:3 (timed from
	 * the origin's clock when they began) are all done */
	add(j, &rec, "node=a type=SYSCALL msg=audit(1700000002.101:4): syscall=59");
	cr_assert_eq(audit_joiner_ncompleted(j), 4);
	cr_assert_eq(audit_event_end(audit_joiner_completed(j, 3)), AUDIT_EVENT_END_TIMEOUT);
	audit_joiner_commit(j);
}

/* issue 13: one record dated in the future switched join.timeout off for
 * its origin (10 of 10 later events ended by flush instead of timeout) */
Test(audit_event, a_record_dated_in_the_future_does_not_stop_timeouts)
{
	static const char *const futures[] = {
		"type=SYSCALL msg=audit(253402300800.000:1000): syscall=59",
		"type=SYSCALL msg=audit(9223372036854775807.999:1000): syscall=59",
	};
	char line[160];
	size_t f, n, i;

	for (f = 0; f < 2; f++) {
		audit_joiner_stats_t st;
		audit_joiner_conf_t c;
		audit_joiner_t *jj;

		audit_joiner_conf_default(&c);
		jj = audit_joiner_new(&c);
		audit_joiner_begin(jj);
		add(jj, &rec, futures[f]);
		for (i = 0, n = 0; i < 12; i++) {   /* 10 s apart, no EOE */
			snprintf(line, sizeof(line),
			         "type=SYSCALL msg=audit(%llu.000:%zu): syscall=59",
			         1700000000ULL + 10 * i, i + 1);
			add(jj, &rec, line);
		}
		for (i = 0; i < audit_joiner_ncompleted(jj); i++)
			n += audit_event_end(audit_joiner_completed(jj, i)) == AUDIT_EVENT_END_TIMEOUT;
		cr_assert_eq(n, 12, "%s: the future event and 11 of 12 time out, got %zu",
		             futures[f], n);
		audit_joiner_commit(jj);
		audit_joiner_stats(jj, &st);
		cr_assert_eq(st.pending, 1);
		audit_joiner_free(jj);
	}
}

Test(audit_event, a_record_a_day_ahead_is_plausible_more_is_not)
{
	int64_t now = 1700000000;

	cr_assert(audit_time_plausible(0, now), "the past is plausible (archives, backlogs)");
	cr_assert(audit_time_plausible(now + AUDIT_TIME_FUTURE_MAX_S, now));
	cr_assert_not(audit_time_plausible(now + AUDIT_TIME_FUTURE_MAX_S + 1, now));
	cr_assert_not(audit_time_plausible(INT64_MAX, now));
	cr_assert(audit_time_plausible(INT64_MAX, INT64_MAX));
}

/* issue 13: auparse keeps them apart (an event is its time and serial);
 * serials start again after a reboot */
Test(audit_event, same_serial_at_another_time_is_another_event)
{
	audit_joiner_begin(j);
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.100:77): syscall=59");
	add(j, &rec, "type=PATH msg=audit(1700000001.200:77): item=0 name=\"/x\"");
	add(j, &rec, "type=CWD msg=audit(1700000000.100:77): cwd=\"/\"");
	add(j, &rec, "type=EOE msg=audit(1700000000.100:77): ");
	cr_assert_eq(audit_joiner_ncompleted(j), 1);
	cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 0)), 2);
	cr_assert(line_is(0, 1, "type=CWD"));
	add(j, &rec, "type=EOE msg=audit(1700000001.200:77): ");
	cr_assert_eq(audit_joiner_ncompleted(j), 2);
	cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 1)), 1);
	cr_assert(line_is(1, 0, "type=PATH"));
	audit_joiner_commit(j);
}

static audit_joiner_t *capped_joiner(size_t max_records, size_t max_bytes)
{
	audit_joiner_conf_t c;

	audit_joiner_conf_default(&c);
	c.max_records = max_records;
	c.max_bytes = max_bytes;
	return audit_joiner_new(&c);
}

#define PATH_LINE "type=PATH msg=audit(1700000000.100:5): item=0 name=\"/etc/x\""

Test(audit_event, an_event_at_its_record_cap_is_whole_past_it_goes_in_parts)
{
	audit_joiner_t *jj = capped_joiner(3, AUDIT_JOIN_DEFAULT_MAX_BYTES);
	audit_joiner_stats_t st;
	size_t i;

	audit_joiner_begin(jj);
	for (i = 0; i < 3; i++)
		add(jj, &rec, PATH_LINE);
	add(jj, &rec, "type=EOE msg=audit(1700000000.100:5): ");
	cr_assert_eq(audit_joiner_ncompleted(jj), 1);
	cr_assert_eq(audit_event_end(audit_joiner_completed(jj, 0)), AUDIT_EVENT_END_EOE,
	             "exactly at the cap: nothing was cut");
	audit_joiner_commit(jj);

	audit_joiner_begin(jj);
	for (i = 0; i < 7; i++)
		add(jj, &rec, "type=PATH msg=audit(1700000000.100:6): item=0 name=\"/etc/x\"");
	cr_assert_eq(audit_joiner_ncompleted(jj), 2, "3 + 3 went out, 1 is held");
	add(jj, &rec, "type=EOE msg=audit(1700000000.100:6): ");
	cr_assert_eq(audit_joiner_ncompleted(jj), 3);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(audit_event_end(audit_joiner_completed(jj, i)), AUDIT_EVENT_END_CAPPED);
		cr_assert_eq(audit_event_nlines(audit_joiner_completed(jj, i)), i < 2 ? 3 : 1);
	}
	audit_joiner_commit(jj);
	audit_joiner_stats(jj, &st);
	cr_assert_eq(st.events_capped, 3);
	cr_assert_eq(st.events_incomplete, 3);
	cr_assert_eq(st.events_complete, 1);
	cr_assert_eq(st.pending, 0);
	audit_joiner_free(jj);
}

Test(audit_event, an_event_past_its_byte_cap_goes_in_parts_and_rolls_back)
{
	size_t len = strlen(PATH_LINE), i;
	audit_joiner_t *jj = capped_joiner(AUDIT_JOIN_DEFAULT_MAX_RECORDS, 2 * len);
	audit_joiner_stats_t st;

	for (i = 0; i < 2; i++) {   /* the first try is rolled back */
		audit_joiner_begin(jj);
		add(jj, &rec, PATH_LINE);
		add(jj, &rec, PATH_LINE);
		cr_assert_eq(audit_joiner_ncompleted(jj), 0, "at the cap, not past it");
		add(jj, &rec, PATH_LINE);
		cr_assert_eq(audit_joiner_ncompleted(jj), 1);
		cr_assert_eq(audit_event_nlines(audit_joiner_completed(jj, 0)), 2);
		add(jj, &rec, PATH_LINE);
		add(jj, &rec, PATH_LINE);
		cr_assert_eq(audit_joiner_ncompleted(jj), 2);
		if (i == 0)
			audit_joiner_rollback(jj);
		else
			audit_joiner_commit(jj);
		audit_joiner_stats(jj, &st);
		cr_assert_eq(st.events_capped, 2 * i);
		cr_assert_eq(st.pending, i);
		cr_assert_eq(st.origins, i);
	}
	audit_joiner_begin(jj);
	audit_joiner_flush(jj);
	cr_assert_eq(audit_joiner_ncompleted(jj), 1);
	cr_assert_eq(audit_event_nlines(audit_joiner_completed(jj, 0)), 1);
	cr_assert_eq(audit_event_end(audit_joiner_completed(jj, 0)), AUDIT_EVENT_END_CAPPED,
	             "the last part says so too, whatever ends it");
	audit_joiner_commit(jj);
	audit_joiner_free(jj);
}

Test(audit_event, a_record_larger_than_the_byte_cap_is_an_event_part_alone)
{
	audit_joiner_t *jj = capped_joiner(AUDIT_JOIN_DEFAULT_MAX_RECORDS, 10);

	audit_joiner_begin(jj);
	add(jj, &rec, PATH_LINE);
	add(jj, &rec, PATH_LINE);
	add(jj, &rec, "type=EOE msg=audit(1700000000.100:5): ");
	cr_assert_eq(audit_joiner_ncompleted(jj), 2);
	cr_assert_eq(audit_event_nlines(audit_joiner_completed(jj, 1)), 1);
	audit_joiner_commit(jj);
	audit_joiner_free(jj);
}

/* issue 13: origins were never freed (200,000 node= values kept 26 MB) */
Test(audit_event, origins_are_freed_when_they_hold_nothing)
{
	audit_joiner_stats_t st;
	char line[160];
	size_t i;

	audit_joiner_begin(j);
	for (i = 0; i < 5000; i++) {
		snprintf(line, sizeof(line), "node=n%zu type=SYSCALL msg=audit(1700000000.100:%zu): x=1", i, i);
		add(j, &rec, line);
	}
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.origins, 5000);
	audit_joiner_rollback(j);
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.origins, 0, "a rolled-back batch leaves no origin behind");

	audit_joiner_begin(j);
	for (i = 0; i < 5000; i++) {
		snprintf(line, sizeof(line), "node=n%zu type=SYSCALL msg=audit(1700000000.100:%zu): x=1", i, i);
		add(j, &rec, line);
		if (i % 2 == 0) {
			snprintf(line, sizeof(line), "node=n%zu type=EOE msg=audit(1700000000.100:%zu): ", i, i);
			add(j, &rec, line);
		}
	}
	cr_assert_eq(audit_joiner_ncompleted(j), 2500);
	audit_joiner_commit(j);
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.origins, 2500, "the origins that hold an event stay");
	audit_joiner_begin(j);
	audit_joiner_flush(j);
	audit_joiner_commit(j);
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.origins, 0);
	cr_assert_eq(st.pending, 0);
	/* an origin freed and seen again starts afresh */
	audit_joiner_begin(j);
	add(j, &rec, "node=n1 type=SYSCALL msg=audit(1700000000.100:1): x=1");
	add(j, &rec, "node=n1 type=EOE msg=audit(1700000000.100:1): ");
	cr_assert_eq(audit_joiner_ncompleted(j), 1);
	audit_joiner_commit(j);
}

Test(audit_event, too_many_pending_evicts_the_oldest)
{
	audit_joiner_conf_t c;
	audit_joiner_stats_t st;
	audit_joiner_t *small;

	audit_joiner_conf_default(&c);
	c.max_pending = 2;
	small = audit_joiner_new(&c);
	audit_joiner_begin(small);
	add(small, &rec, "type=SYSCALL msg=audit(1700000000.100:1): syscall=1");
	add(small, &rec, "type=SYSCALL msg=audit(1700000000.100:2): syscall=2");
	add(small, &rec, "type=SYSCALL msg=audit(1700000000.100:3): syscall=3");
	cr_assert_eq(audit_joiner_ncompleted(small), 1);
	cr_assert_eq(audit_event_end(audit_joiner_completed(small, 0)), AUDIT_EVENT_END_EVICTED);
	cr_assert_not_null(strstr(audit_event_line(audit_joiner_completed(small, 0), 0)->p,
	                          "audit(1700000000.100:1)"), "the oldest goes first");
	audit_joiner_commit(small);
	audit_joiner_stats(small, &st);
	cr_assert_eq(st.events_evicted, 1);
	cr_assert_eq(st.pending, 2);
	audit_joiner_free(small);
}

Test(audit_event, flush_completes_everything_held)
{
	audit_joiner_begin(j);
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.100:1): syscall=1");
	add(j, &rec, "type=PATH msg=audit(1700000000.100:1): item=0");
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.200:2): syscall=2");
	audit_joiner_flush(j);
	cr_assert_eq(audit_joiner_ncompleted(j), 2);
	cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 0)), 2);
	cr_assert_eq(audit_event_end(audit_joiner_completed(j, 1)), AUDIT_EVENT_END_FLUSH);
	audit_joiner_commit(j);
}

Test(audit_event, an_eoe_without_its_event_adds_nothing)
{
	audit_joiner_begin(j);
	add(j, &rec, "type=EOE msg=audit(1700000000.100:99): ");
	cr_assert_eq(audit_joiner_ncompleted(j), 0);
	audit_joiner_flush(j);
	cr_assert_eq(audit_joiner_ncompleted(j), 0);
	audit_joiner_commit(j);
}

/* batch 2 fails and is retried: the state goes back to the end of batch 1,
 * and the retry completes each event exactly once. */
static void batch2(void)
{
	add(j, &rec, "type=PATH msg=audit(1700000000.100:1): item=0 name=\"/etc/shadow\"");
	add(j, &rec, "type=EOE msg=audit(1700000000.100:1): ");
	add(j, &rec, "type=USER_CMD msg=audit(1700000000.150:5): pid=1 msg='cmd=6C73 res=success'");
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.200:6): syscall=2");
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.300:7): syscall=3");
	add(j, &rec, "type=EOE msg=audit(1700000000.300:7): ");
}

Test(audit_event, a_retried_batch_yields_each_event_once)
{
	audit_joiner_stats_t st;

	audit_joiner_begin(j);
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.100:1): syscall=257");
	audit_joiner_commit(j);

	audit_joiner_begin(j);
	batch2();
	cr_assert_eq(audit_joiner_ncompleted(j), 3);
	audit_joiner_rollback(j);       /* the transport failed */
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.pending, 1, "back to the state after batch 1");
	cr_assert_eq(st.events_complete, 0);

	audit_joiner_begin(j);          /* rsyslog retries the same batch */
	batch2();
	cr_assert_eq(audit_joiner_ncompleted(j), 3);
	cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 0)), 2,
	             "batch 1's SYSCALL and the PATH, each once");
	cr_assert(line_is(0, 0, "type=SYSCALL"));
	cr_assert(line_is(0, 1, "type=PATH"));
	cr_assert(line_is(1, 0, "type=USER_CMD"));
	cr_assert(line_is(2, 0, "type=SYSCALL msg=audit(1700000000.300:7)"));
	audit_joiner_commit(j);
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.events_complete, 3);
	cr_assert_eq(st.pending, 1, "serial 6 is still waiting for its EOE");
}

Test(audit_event, rollback_undoes_timeouts_and_evictions_too)
{
	audit_joiner_stats_t st;

	audit_joiner_begin(j);
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.100:1): syscall=1");
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.200:2): syscall=2");
	audit_joiner_commit(j);
	audit_joiner_begin(j);
	add(j, &rec, "type=SYSCALL msg=audit(1700000010.000:3): syscall=3");
	audit_joiner_flush(j);
	cr_assert_eq(audit_joiner_ncompleted(j), 3);
	audit_joiner_rollback(j);
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.pending, 2);
	cr_assert_eq(st.events_incomplete, 0);
	audit_joiner_begin(j);
	add(j, &rec, "type=EOE msg=audit(1700000000.200:2): ");
	add(j, &rec, "type=EOE msg=audit(1700000000.100:1): ");
	cr_assert_eq(audit_joiner_ncompleted(j), 2, "both are intact and pending again");
	cr_assert(line_is(0, 0, "type=SYSCALL msg=audit(1700000000.200:2)"));
	audit_joiner_commit(j);
}

/* Two workers of one action share the joiner; records of one event arrive
 * in both workers' batches, interleaved. */
#define THREAD_EVENTS 2000
typedef struct worker { audit_joiner_t *j; int part; size_t completed, lines; } worker_t;

static void *worker_main(void *arg)
{
	worker_t *w = arg;
	audit_record_t r;
	char line[160];
	int e;

	audit_record_init(&r);
	for (e = 0; e < THREAD_EVENTS; e += 10) {
		int k;
		audit_joiner_begin(w->j);
		for (k = e; k < e + 10; k++) {
			/* worker 0 sends SYSCALL, worker 1 PATH; EOE by whoever is second */
			snprintf(line, sizeof(line), "type=%s msg=audit(1700000000.000:%d): x=%d",
			         w->part ? "PATH" : "SYSCALL", k + 1, w->part);
			cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK);
			cr_assert_eq(audit_joiner_add(w->j, &r, line, strlen(line), NULL, 0), 0);
		}
		for (k = 0; (size_t)k < audit_joiner_ncompleted(w->j); k++)
			w->lines += audit_event_nlines(audit_joiner_completed(w->j, (size_t)k));
		w->completed += audit_joiner_ncompleted(w->j);
		audit_joiner_commit(w->j);
	}
	audit_record_free(&r);
	return NULL;
}

Test(audit_event, two_workers_share_one_joiner)
{
	worker_t w[2] = { { j, 0, 0, 0 }, { j, 1, 0, 0 } };
	pthread_t t[2];
	audit_joiner_stats_t st;
	size_t i, lines = 0, n = 0;
	char line[96];

	pthread_create(&t[0], NULL, worker_main, &w[0]);
	pthread_create(&t[1], NULL, worker_main, &w[1]);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	audit_joiner_begin(j);
	for (i = 1; i <= THREAD_EVENTS; i++) {
		snprintf(line, sizeof(line), "type=EOE msg=audit(1700000000.000:%zu): ", i);
		add(j, &rec, line);
	}
	n = audit_joiner_ncompleted(j);
	for (i = 0; i < n; i++) {
		cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, i)), 2,
		             "event %zu has both records", i);
		lines += 2;
	}
	audit_joiner_commit(j);
	cr_assert_eq(n + w[0].completed + w[1].completed, THREAD_EVENTS);
	cr_assert_eq(lines + w[0].lines + w[1].lines, 2 * THREAD_EVENTS);
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.pending, 0);
}

/* The module's join timer is a third party to the joiner's lock: while two
 * workers add, it expires everything (as if every event were idle) and
 * commits or, every other time, rolls back (a send that failed). Events
 * split, but every record comes out once, and nothing is left held. */
typedef struct timer_arg { audit_joiner_t *j; int stop; size_t lines, ticks; } timer_arg_t;

static void *timer_main(void *arg)
{
	timer_arg_t *t = arg;
	size_t k, lines;
	int n;

	/* a few ticks at least, even when the workers were quicker */
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE) || t->ticks < 4) {
		audit_joiner_begin(t->j);
		n = audit_joiner_expire_idle(t->j, mono_now_ms() +
		                             AUDIT_JOIN_DEFAULT_TIMEOUT_MS + 1);
		cr_assert_geq(n, 0);
		cr_assert_eq((size_t)n, audit_joiner_ncompleted(t->j));
		for (k = 0, lines = 0; k < audit_joiner_ncompleted(t->j); k++)
			lines += audit_event_nlines(audit_joiner_completed(t->j, k));
		if (t->ticks++ % 2) {
			t->lines += lines;
			audit_joiner_commit(t->j);
		} else {
			audit_joiner_rollback(t->j);
		}
	}
	return NULL;
}

Test(audit_event, a_timer_beside_two_workers_loses_and_repeats_nothing)
{
	worker_t w[2] = { { j, 0, 0, 0 }, { j, 1, 0, 0 } };
	timer_arg_t ta = { j, 0, 0, 0 };
	pthread_t t[3];
	audit_joiner_stats_t st;
	size_t i, lines = 0;

	pthread_create(&t[2], NULL, timer_main, &ta);
	pthread_create(&t[0], NULL, worker_main, &w[0]);
	pthread_create(&t[1], NULL, worker_main, &w[1]);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	__atomic_store_n(&ta.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t[2], NULL);
	audit_joiner_begin(j);
	audit_joiner_flush(j);
	for (i = 0; i < audit_joiner_ncompleted(j); i++)
		lines += audit_event_nlines(audit_joiner_completed(j, i));
	audit_joiner_commit(j);
	cr_assert_gt(ta.ticks, 1, "the timer ran");
	cr_assert_eq(lines + ta.lines + w[0].lines + w[1].lines, 2 * THREAD_EVENTS,
	             "workers %zu + %zu, timer %zu, flush %zu", w[0].lines, w[1].lines,
	             ta.lines, lines);
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.pending, 0);
}

/* A quiet origin: nothing newer comes, so only the wall clock can end its
 * event. Idle means "no record added for join_timeout", per event, whatever
 * the other origins do. */
Test(audit_event, idle_events_expire_by_arrival_time_not_audit_time)
{
	int64_t t0;
	audit_joiner_stats_t st;

	audit_joiner_begin(j);
	add(j, &rec, "node=quiet type=SYSCALL msg=audit(1700000000.100:1): syscall=59");
	add(j, &rec, "node=quiet type=ANOM_ABEND msg=audit(1700000000.200:2): sig=11");
	t0 = mono_now_ms();
	audit_joiner_commit(j);

	audit_joiner_begin(j);
	/* another origin's traffic, far newer in audit time, is irrelevant */
	add(j, &rec, "node=busy type=SYSCALL msg=audit(1800000000.100:1): syscall=2");
	cr_assert_eq(audit_joiner_ncompleted(j), 0);
	cr_assert_eq(audit_joiner_expire_idle(j, t0), 0, "not idle yet");
	cr_assert_eq(audit_joiner_expire_idle(j, t0 + AUDIT_JOIN_DEFAULT_TIMEOUT_MS - 5), 0,
	             "not idle for join.timeout yet");
	cr_assert_eq(audit_joiner_ncompleted(j), 0);
	audit_joiner_commit(j);

	/* the busy origin's event gets a record later than the quiet ones */
	while (mono_now_ms() < t0 + 20)
		;   /* let the monotonic clock move on */
	audit_joiner_begin(j);
	add(j, &rec, "node=busy type=CWD msg=audit(1800000000.100:1): cwd=\"/\"");
	cr_assert_eq(audit_joiner_expire_idle(j, t0 + AUDIT_JOIN_DEFAULT_TIMEOUT_MS + 1), 2,
	             "the quiet origin's two events are idle, the busy one is not");
	cr_assert_eq(audit_event_end(audit_joiner_completed(j, 1)), AUDIT_EVENT_END_TIMEOUT);
	cr_assert_eq(audit_joiner_expire_idle(j, mono_now_ms() +
	                                      AUDIT_JOIN_DEFAULT_TIMEOUT_MS + 1), 1);
	cr_assert_eq(audit_joiner_ncompleted(j), 3);
	cr_assert_eq(audit_event_end(audit_joiner_completed(j, 0)), AUDIT_EVENT_END_TIMEOUT);
	cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 2)), 2,
	             "the busy event keeps both its records");
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.pending, 0);
	cr_assert_eq(st.events_incomplete, 3);
	/* not delivered: they are held again, as they were */
	audit_joiner_rollback(j);
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.pending, 3);
	cr_assert_eq(st.events_incomplete, 0);
	audit_joiner_begin(j);
	cr_assert_eq(audit_joiner_expire_idle(j, mono_now_ms() +
	                                      AUDIT_JOIN_DEFAULT_TIMEOUT_MS + 1), 3);
	audit_joiner_commit(j);
	audit_joiner_stats(j, &st);
	cr_assert_eq(st.pending, 0);
}

/* A record added to a held event restarts its idle time; a rolled-back
 * record does not. */
Test(audit_event, a_new_record_restarts_the_idle_time_and_rollback_restores_it)
{
	int64_t t0, t1;

	audit_joiner_begin(j);
	add(j, &rec, "type=SYSCALL msg=audit(1700000000.100:1): syscall=59");
	t0 = mono_now_ms();
	audit_joiner_commit(j);
	while ((t1 = mono_now_ms()) < t0 + 20)
		;   /* let the monotonic clock move on */
	audit_joiner_begin(j);
	add(j, &rec, "type=CWD msg=audit(1700000000.100:1): cwd=\"/\"");
	cr_assert_eq(audit_joiner_expire_idle(j, t0 + AUDIT_JOIN_DEFAULT_TIMEOUT_MS + 10), 0,
	             "the second record made it recent again");
	audit_joiner_rollback(j);
	audit_joiner_begin(j);
	cr_assert_eq(audit_joiner_expire_idle(j, t1 + AUDIT_JOIN_DEFAULT_TIMEOUT_MS + 1), 1,
	             "the rolled-back record's arrival was forgotten");
	cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 0)), 1);
	audit_joiner_commit(j);
}

/* Idle by the wall clock is not enough: the records that followed the
 * event's may still be queued in rsyslog (behind a slow delivery, or a
 * batch being retried), and expiring it then would split it. It expires
 * once a later batch of records was committed, or once no batch of
 * records ended for join.timeout. */
Test(audit_event, idle_expiry_waits_for_the_input_to_move_past_the_event)
{
	const int64_t timeout = AUDIT_JOIN_DEFAULT_TIMEOUT_MS;
	int64_t t0, t1;

	audit_joiner_begin(j);
	add(j, &rec, "node=a type=SYSCALL msg=audit(1700000000.100:1): syscall=59");
	t0 = mono_now_ms();
	audit_joiner_commit(j);
	while ((t1 = mono_now_ms()) < t0 + 50)
		;   /* let the monotonic clock move on */
	/* the next batch of records fails and will be retried */
	audit_joiner_begin(j);
	add(j, &rec, "node=a type=CWD msg=audit(1700000000.100:1): cwd=\"/\"");
	audit_joiner_rollback(j);

	audit_joiner_begin(j);   /* the timer */
	cr_assert_eq(audit_joiner_expire_idle(j, t0 + timeout + 10), 0,
	             "idle by the clock, but its next batch is being retried");
	audit_joiner_commit(j);
	audit_joiner_begin(j);
	cr_assert_eq(audit_joiner_expire_idle(j, mono_now_ms() + timeout + 1), 1,
	             "no batch of records for join.timeout: the input is quiet");
	audit_joiner_rollback(j);

	/* the retried batch is delivered; the event is complete but for EOE */
	audit_joiner_begin(j);
	add(j, &rec, "node=b type=SYSCALL msg=audit(1700000000.300:9): syscall=2");
	audit_joiner_commit(j);
	audit_joiner_begin(j);
	cr_assert_eq(audit_joiner_expire_idle(j, t0 + timeout + 10), 1,
	             "a later batch of records was joined: node a's event is idle");
	cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 0)), 1);
	audit_joiner_commit(j);
}

/* An event's first lines are kept in it, the next ones in an array that
 * grows: events of every size up to 20 records keep every line, in
 * order, also when the batch that took them past the inline ones is
 * rolled back and retried. */
Test(audit_event, events_of_every_size_keep_their_lines_in_order)
{
	char line[128];
	size_t n, i, try;

	for (n = 1; n <= 20; n++) {
		audit_joiner_begin(j);
		for (i = 0; i < n / 2; i++) {
			snprintf(line, sizeof(line),
			         "type=PATH msg=audit(1700000000.100:%zu): item=%zu name=\"/x\"", 100 + n, i);
			add(j, &rec, line);
		}
		audit_joiner_commit(j);
		for (try = 0; try < 2; try++) {   /* the first try is rolled back */
			audit_joiner_begin(j);
			for (i = n / 2; i < n; i++) {
				snprintf(line, sizeof(line),
				         "type=PATH msg=audit(1700000000.100:%zu): item=%zu name=\"/x\"",
				         100 + n, i);
				add(j, &rec, line);
			}
			snprintf(line, sizeof(line), "type=EOE msg=audit(1700000000.100:%zu): ", 100 + n);
			add(j, &rec, line);
			cr_assert_eq(audit_joiner_ncompleted(j), 1, "%zu records", n);
			cr_assert_eq(audit_event_nlines(audit_joiner_completed(j, 0)), n);
			for (i = 0; i < n; i++) {
				const audit_line_t *l = audit_event_line(audit_joiner_completed(j, 0), i);
				char want[32];

				snprintf(want, sizeof(want), "item=%zu ", i);
				cr_assert_not_null(strstr(l->p, want), "%zu records, line %zu: %s", n, i,
				                   l->p);
			}
			if (try == 0)
				audit_joiner_rollback(j);
			else
				audit_joiner_commit(j);
		}
	}
}
