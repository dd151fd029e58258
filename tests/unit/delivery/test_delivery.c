/* test_delivery.c -- the delivery policy, transition by transition: the
 * spool found at start (own, foreign, damaged, empty), fed ahead of the
 * batches and removed once delivered, saved to at shutdown (and what is
 * said when it cannot be), a worker's outage logged once, the messages
 * rsyslog drops with a cancelled worker, and one spool file per action.
 * Real spool files in a temporary work directory, a real joiner. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "delivery.h"

#define NOW 1700000000
#define MAX_LOGGED 16

typedef struct logged {
	delivery_level_t level;
	delivery_code_t code;
	int errnum;
	char text[DELIVERY_LOG_MAX];
} logged_t;

static logged_t logged[MAX_LOGGED];
static size_t nlogged;
static char dir[] = "/tmp/omauditfwd-test-delivery.XXXXXX";
static char path[600];
static delivery_t d;
static audit_joiner_t *j;
static audit_record_t rec;

static void capture(delivery_level_t level, delivery_code_t code, int errnum,
                    const char *text)
{
	cr_assert_lt(nlogged, MAX_LOGGED, "too many messages: %s", text);
	logged[nlogged].level = level;
	logged[nlogged].code = code;
	logged[nlogged].errnum = errnum;
	snprintf(logged[nlogged].text, sizeof(logged[nlogged].text), "%s", text);
	nlogged++;
}

/* the messages logged (debug output aside) */
static size_t said(void)
{
	size_t i, n = 0;

	for (i = 0; i < nlogged; i++)
		n += logged[i].level != DELIVERY_DEBUG;
	return n;
}

static const logged_t *last(void)
{
	cr_assert_gt(nlogged, 0, "nothing was logged");
	return &logged[nlogged - 1];
}

static void setup(void)
{
	audit_joiner_conf_t c;

	nlogged = 0;
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/omauditfwd-t1.spool", dir);
	delivery_init(&d, capture);
	delivery_identify(&d, "t1", "collector:514", "tcp", "json");
	audit_joiner_conf_default(&c);
	j = audit_joiner_new(&c);
	audit_record_init(&rec);
}

static void teardown(void)
{
	char cmd[700];

	delivery_free(&d);
	audit_joiner_free(j);
	audit_record_free(&rec);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static const char *const lines_text[] = {
	"type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=59 key=\"a\"",
	"type=PATH msg=audit(1700000000.100:10): item=0 name=\"/bin/ls\"",
	"type=USER_LOGIN msg=audit(1700000000.200:11): pid=1 uid=0 res=success",
};

static void lines_of(audit_line_t *l, size_t n)
{
	size_t i;

	memset(l, 0, n * sizeof(*l));
	for (i = 0; i < n; i++) {
		l[i].p = (char *)lines_text[i];
		l[i].len = strlen(lines_text[i]);
	}
}

/* a spool file at PATH with the first N lines, written by IDENT */
static void spool_with(const char *ident, size_t n)
{
	audit_line_t l[3];
	char err[256];

	lines_of(l, n);
	cr_assert_eq(spool_append(path, ident, l, n, err, sizeof(err)), 0, "%s", err);
}

static int exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* the joiner holds one incomplete event (two records), flushed */
static void hold_one_event(void)
{
	size_t i;

	audit_joiner_begin(j);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(audit_record_parse(&rec, lines_text[i], strlen(lines_text[i])),
		             AUDIT_PARSE_OK);
		cr_assert_eq(audit_joiner_add(j, &rec, lines_text[i], strlen(lines_text[i]),
		                              NULL, 0), 0);
	}
	audit_joiner_flush(j);
}

static size_t spool_lines(const char *p)
{
	spool_t s;
	char err[256];
	size_t n;

	cr_assert_eq(spool_load(p, &s, err, sizeof(err)), 1, "%s", err);
	n = s.nlines;
	spool_free(&s);
	return n;
}

TestSuite(spool_start, .init = setup, .fini = teardown);

Test(spool_start, without_a_work_directory_there_is_no_spool)
{
	const audit_line_t *l;
	size_t n;

	cr_assert_eq(delivery_setup_spool(&d, NULL, NOW), 0);
	cr_assert_null(delivery_spool_path(&d));
	cr_assert_eq(said(), 0);
	cr_assert_eq(last()->level, DELIVERY_DEBUG);
	cr_assert_str_eq(last()->text, "omauditfwd[t1]: no workDirectory: no spool");
	cr_assert_eq(delivery_feed_begin(&d, &l, &n), 0);
}

Test(spool_start, no_file_found_feeds_nothing_and_says_nothing)
{
	const audit_line_t *l;
	size_t n;

	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert_str_eq(delivery_spool_path(&d), path);
	cr_assert_eq(nlogged, 0);
	cr_assert_eq(delivery_feed_begin(&d, &l, &n), 0);
	cr_assert_eq(n, 0);
}

Test(spool_start, only_the_first_worker_sets_up)
{
	spool_with(d.ident, 1);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert_eq(delivery_setup_spool(&d, "/elsewhere", NOW), 0);
	cr_assert_str_eq(delivery_spool_path(&d), path);
	cr_assert_eq(nlogged, 1, "the file found is reported once");
}

Test(spool_start, its_own_file_is_announced_and_fed)
{
	const audit_line_t *l;
	size_t n, tok;

	spool_with(d.ident, 3);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert_eq(last()->level, DELIVERY_INFO);
	cr_assert_eq(last()->code, DELIVERY_CODE_OK);
	cr_assert(strstr(last()->text, "omauditfwd[t1]: ") == last()->text);
	cr_assert(strstr(last()->text, "holds events saved at the last shutdown; they are sent "
	                 "with the first batch") != NULL, "%s", last()->text);
	tok = delivery_feed_begin(&d, &l, &n);
	cr_assert_neq(tok, 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(l[0].p, lines_text[0]);
	cr_assert_str_eq(l[2].p, lines_text[2]);
	delivery_feed_end(&d, tok, 0);
}

Test(spool_start, a_file_without_identity_is_fed_and_said_so)
{
	const audit_line_t *l;
	size_t n, tok;

	spool_with(NULL, 2);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert(strstr(last()->text, "(by a version that did not record the action)") != NULL);
	tok = delivery_feed_begin(&d, &l, &n);
	cr_assert_eq(n, 2);
	delivery_feed_end(&d, tok, 0);
}

Test(spool_start, a_foreign_file_is_set_aside_never_fed)
{
	char aside[700];
	const audit_line_t *l;
	size_t n;

	spool_with("statsname=other transport=tcp format=json", 2);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	snprintf(aside, sizeof(aside), "%s.foreign-%d", path, NOW);
	cr_assert(!exists(path), "the foreign file is moved away");
	cr_assert_eq(spool_lines(aside), 2, "and kept whole");
	cr_assert_eq(said(), 1);
	cr_assert_eq(last()->level, DELIVERY_ERROR);
	cr_assert(strstr(last()->text, "was written by another action (statsname=other "
	                 "transport=tcp format=json), not this one (statsname=t1 transport=tcp "
	                 "format=json): renamed to") != NULL, "%s", last()->text);
	cr_assert_eq(delivery_feed_begin(&d, &l, &n), 0);
	cr_assert_str_eq(delivery_spool_path(&d), path, "this action spools to a fresh file");
}

Test(spool_start, a_foreign_file_that_cannot_be_moved_disables_the_spool)
{
	char aside[700], inside[800];

	spool_with("statsname=other transport=tcp format=json", 1);
	snprintf(aside, sizeof(aside), "%s.foreign-%d", path, NOW);
	snprintf(inside, sizeof(inside), "%s/x", aside);
	cr_assert_eq(mkdir(aside, 0700), 0);   /* rename onto a directory fails */
	cr_assert_eq(mkdir(inside, 0700), 0);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert_null(delivery_spool_path(&d), "never appended to");
	cr_assert(exists(path));
	cr_assert_eq(last()->level, DELIVERY_ERROR);
	cr_assert_neq(last()->errnum, 0);
	cr_assert(strstr(last()->text, "cannot be set aside: this action saves nothing at "
	                 "shutdown") != NULL, "%s", last()->text);
}

Test(spool_start, a_name_too_long_disables_the_spool)
{
	char longdir[PATH_MAX + 8];

	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[sizeof(longdir) - 1] = '\0';
	cr_assert_eq(delivery_setup_spool(&d, longdir, NOW), 0);
	cr_assert_null(delivery_spool_path(&d));
	cr_assert(strstr(last()->text, "spool file name too long") != NULL);
}

TestSuite(spool_feed, .init = setup, .fini = teardown);

Test(spool_feed, delivered_removes_the_file_and_feeds_no_more)
{
	const audit_line_t *l;
	size_t n, tok;

	spool_with(d.ident, 3);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	tok = delivery_feed_begin(&d, &l, &n);
	delivery_feed_end(&d, tok, 1);
	cr_assert(!exists(path));
	cr_assert_eq(last()->level, DELIVERY_INFO);
	cr_assert(strstr(last()->text, "omauditfwd[t1]: collector:514: the 3 records saved at "
	                 "the last shutdown are delivered;") != NULL, "%s", last()->text);
	cr_assert_eq(delivery_feed_begin(&d, &l, &n), 0);
}

Test(spool_feed, failed_batch_keeps_the_file_and_feeds_it_again)
{
	const audit_line_t *l;
	size_t n, tok;

	spool_with(d.ident, 3);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	tok = delivery_feed_begin(&d, &l, &n);
	delivery_feed_end(&d, tok, 0);
	cr_assert(exists(path));
	tok = delivery_feed_begin(&d, &l, &n);
	cr_assert_neq(tok, 0, "the next batch feeds it again");
	cr_assert_eq(n, 3);
	cr_assert_str_eq(l[0].p, lines_text[0]);
	delivery_feed_end(&d, tok, 0);
}

Test(spool_feed, one_batch_at_a_time)
{
	const audit_line_t *l, *l2;
	size_t n, n2, tok;

	spool_with(d.ident, 2);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	tok = delivery_feed_begin(&d, &l, &n);
	cr_assert_neq(tok, 0);
	cr_assert_eq(delivery_feed_begin(&d, &l2, &n2), 0, "another batch feeds nothing");
	cr_assert_eq(n2, 0);
	delivery_feed_end(&d, 0, 1);   /* a batch that fed nothing: no effect */
	cr_assert(exists(path));
	cr_assert_eq(delivery_feed_begin(&d, &l2, &n2), 0, "the first batch still feeds it");
	delivery_feed_end(&d, tok, 1);
	cr_assert(!exists(path));
}

Test(spool_feed, a_large_file_goes_in_chunks_and_is_removed_after_the_last)
{
	audit_line_t *many = calloc(DELIVERY_FEED_MAX + 5, sizeof(*many));
	const audit_line_t *l;
	char err[256];
	size_t i, n, tok;

	cr_assert_not_null(many);
	for (i = 0; i < DELIVERY_FEED_MAX + 5; i++) {
		many[i].p = (char *)lines_text[i % 3];
		many[i].len = strlen(lines_text[i % 3]);
	}
	cr_assert_eq(spool_append(path, d.ident, many, DELIVERY_FEED_MAX + 5, err, sizeof(err)), 0);
	free(many);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	tok = delivery_feed_begin(&d, &l, &n);
	cr_assert_eq(n, DELIVERY_FEED_MAX);
	delivery_feed_end(&d, tok, 1);
	cr_assert(exists(path), "not all delivered yet");
	tok = delivery_feed_begin(&d, &l, &n);
	cr_assert_eq(n, 5);
	cr_assert_str_eq(l[0].p, lines_text[DELIVERY_FEED_MAX % 3], "the next line after the first chunk");
	delivery_feed_end(&d, tok, 0);
	tok = delivery_feed_begin(&d, &l, &n);
	cr_assert_eq(n, 5, "a failed chunk is fed again, not the delivered one");
	delivery_feed_end(&d, tok, 1);
	cr_assert(!exists(path));
}

Test(spool_feed, an_empty_file_is_just_removed)
{
	const audit_line_t *l;
	size_t n, tok;

	spool_with(d.ident, 0);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	tok = delivery_feed_begin(&d, &l, &n);
	cr_assert_neq(tok, 0);
	cr_assert_eq(n, 0);
	delivery_feed_end(&d, tok, 1);
	cr_assert(!exists(path));
}

/* a file with TEXT where the spool is: found at start, set aside as
 * "<spool>.bad" by the first batch, which feeds nothing */
static void set_aside_at_first_batch(const char *text)
{
	char bad[700];
	const audit_line_t *l;
	size_t n;
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert_eq(delivery_feed_begin(&d, &l, &n), 0);
	snprintf(bad, sizeof(bad), "%s.bad", path);
	cr_assert(exists(bad), "set aside, not left to be appended to");
	cr_assert(!exists(path));
}

Test(spool_feed, a_damaged_file_is_set_aside_as_bad)
{
	const audit_line_t *l;
	size_t n;

	set_aside_at_first_batch("omauditfwd-spool 1\n99 short\n");
	cr_assert_eq(last()->level, DELIVERY_ERROR);
	cr_assert(strstr(last()->text, "; renamed to ") != NULL, "%s", last()->text);
	nlogged = 0;
	cr_assert_eq(delivery_feed_begin(&d, &l, &n), 0);
	cr_assert_eq(nlogged, 0, "tried once only");
}

/* not a spool file at all: found at start, set aside by the first batch */
Test(spool_feed, a_file_that_is_no_spool_is_set_aside_as_bad)
{
	set_aside_at_first_batch("something else\n");
}

/* what this run saves at its shutdown is for the next start, not this one */
static void saved_now_is_not_fed(void)
{
	audit_line_t l[3];
	const audit_line_t *fl;
	size_t n;

	lines_of(l, 3);
	cr_assert_eq(delivery_save_batch(&d, NULL, l, 3, "down"), 0);
	cr_assert_eq(delivery_feed_begin(&d, &fl, &n), 0);
	cr_assert(exists(path));
}

Test(spool_feed, after_a_bad_file_nothing_more_is_fed)
{
	static const char text[] = "omauditfwd-spool 1\n99 short\n";
	const audit_line_t *l;
	size_t n;
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert_eq(delivery_feed_begin(&d, &l, &n), 0);
	saved_now_is_not_fed();
}

Test(spool_feed, after_the_file_is_delivered_nothing_more_is_fed)
{
	const audit_line_t *l;
	size_t n, tok;

	spool_with(d.ident, 2);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	tok = delivery_feed_begin(&d, &l, &n);
	delivery_feed_end(&d, tok, 1);
	saved_now_is_not_fed();
}

Test(spool_feed, a_batch_that_fed_nothing_touches_nothing)
{
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	delivery_feed_end(&d, 0, 1);
	delivery_feed_end(&d, 0, 0);
	cr_assert_eq(nlogged, 0);
}

Test(spool_feed, a_file_that_cannot_be_removed_is_reported)
{
	const audit_line_t *l;
	char inside[700];
	size_t n, tok;

	spool_with(d.ident, 1);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	tok = delivery_feed_begin(&d, &l, &n);
	cr_assert_eq(unlink(path), 0);   /* a directory in its place: unlink fails */
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(inside, sizeof(inside), "%s/x", path);
	cr_assert_eq(mkdir(inside, 0700), 0);
	delivery_feed_end(&d, tok, 1);
	cr_assert_eq(last()->level, DELIVERY_ERROR);
	cr_assert_neq(last()->errnum, 0);
	cr_assert(strstr(last()->text, "cannot remove spool file") != NULL, "%s", last()->text);
	cr_assert_eq(delivery_feed_begin(&d, &l, &n), 0, "its events were delivered");
}

TestSuite(shutdown, .init = setup, .fini = teardown);

Test(shutdown, a_batch_is_saved_after_the_held_events)
{
	audit_line_t l[3];
	spool_t s;
	char err[256];

	lines_of(l, 3);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	hold_one_event();
	cr_assert_eq(delivery_save_batch(&d, j, l + 2, 1, "connection refused"), 0);
	audit_joiner_rollback(j);
	cr_assert_eq(spool_load(path, &s, err, sizeof(err)), 1, "%s", err);
	cr_assert_eq(s.nlines, 3);
	cr_assert_str_eq(s.lines[0].p, lines_text[0], "older records first");
	cr_assert_str_eq(s.lines[2].p, lines_text[2]);
	cr_assert_str_eq(s.identity, d.ident);
	spool_free(&s);
	cr_assert_eq(last()->level, DELIVERY_WARNING);
	cr_assert(strstr(last()->text, "shutting down with the collector unreachable "
	                 "(connection refused):") != NULL, "%s", last()->text);
	cr_assert(strstr(last()->text, "(first: 1 records and 1 held events)") != NULL);
}

Test(shutdown, only_the_first_save_is_logged)
{
	audit_line_t l[3];

	lines_of(l, 3);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert_eq(delivery_save_batch(&d, NULL, l, 1, "down"), 0);
	cr_assert_eq(delivery_save_batch(&d, NULL, l + 1, 2, "down"), 0);
	cr_assert_eq(said(), 1);
	cr_assert_eq(last()->level, DELIVERY_DEBUG);
	cr_assert_eq(spool_lines(path), 3, "both batches are saved");
}

Test(shutdown, a_batch_that_cannot_be_saved_stays_with_rsyslog)
{
	audit_line_t l[3];
	char cmd[700];

	lines_of(l, 3);
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);   /* the work directory is gone */
	cr_assert_eq(delivery_save_batch(&d, NULL, l, 3, "down"), -1);
	cr_assert_eq(last()->level, DELIVERY_ERROR);
	cr_assert_eq(last()->code, DELIVERY_CODE_SUSPENDED);
	cr_assert(strstr(last()->text, "and the batch cannot be saved: ") != NULL);
	cr_assert_eq(mkdir(dir, 0700), 0);
}

Test(shutdown, without_a_spool_no_batch_is_saved)
{
	audit_line_t l[3];

	lines_of(l, 3);
	cr_assert_eq(delivery_setup_spool(&d, "", NOW), 0);
	cr_assert_eq(delivery_save_batch(&d, NULL, l, 3, "down"), -1);
}

Test(shutdown, held_events_are_saved_when_not_sent)
{
	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	hold_one_event();
	delivery_held_unsent(&d, j, 1, "connection refused");
	audit_joiner_rollback(j);
	cr_assert_eq(spool_lines(path), 2);
	cr_assert_eq(last()->level, DELIVERY_WARNING);
	cr_assert(strstr(last()->text, "1 incomplete audit events (2 records) held at shutdown "
	                 "could not be delivered (connection refused); saved to") != NULL,
	          "%s", last()->text);
}

Test(shutdown, held_events_without_a_spool_are_reported_lost)
{
	cr_assert_eq(delivery_setup_spool(&d, NULL, NOW), 0);
	hold_one_event();
	delivery_held_unsent(&d, j, 1, "connection refused");
	audit_joiner_rollback(j);
	cr_assert_eq(last()->level, DELIVERY_ERROR);
	cr_assert(strstr(last()->text, "1 incomplete audit events held at shutdown could not be "
	                 "delivered and are lost (set global(workDirectory)") != NULL);
}

Test(shutdown, held_events_not_saved_are_reported_lost)
{
	char cmd[700];

	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	hold_one_event();
	delivery_held_unsent(&d, j, 1, "connection refused");
	audit_joiner_rollback(j);
	cr_assert_eq(last()->level, DELIVERY_ERROR);
	cr_assert(strstr(last()->text, "could not be delivered (connection refused) nor saved, "
	                 "and are lost: ") != NULL, "%s", last()->text);
	cr_assert_eq(mkdir(dir, 0700), 0);
}

Test(shutdown, out_of_memory_is_reported_with_the_count)
{
	delivery_held_nomem(&d, 7);
	cr_assert_eq(last()->code, DELIVERY_CODE_NOMEM);
	cr_assert_str_eq(last()->text, "omauditfwd[t1]: collector:514: 7 incomplete audit events "
	                 "held at shutdown are lost: out of memory");
}

TestSuite(worker, .init = setup, .fini = teardown);

Test(worker, an_outage_is_logged_once_then_every_relog_interval)
{
	delivery_worker_t w;

	cr_assert_eq(delivery_worker_init(&w, &d), 0);
	cr_assert(!delivery_failing(&w));
	delivery_failed(&w, "refused", NOW, 0, 0);
	cr_assert(delivery_failing(&w));
	cr_assert_str_eq(last()->text, "omauditfwd[t1]: collector:514: action suspended, rsyslog "
	                 "keeps the data and retries: refused");
	delivery_failed(&w, "refused", NOW + 10, 0, 0);
	delivery_failed(&w, "refused", NOW + DELIVERY_RELOG_S - 1, 0, 0);
	cr_assert_eq(said(), 1, "retries go to debug output");
	delivery_failed(&w, "refused", NOW + DELIVERY_RELOG_S, 0, 0);
	cr_assert_eq(said(), 2);
	cr_assert_str_eq(last()->text, "omauditfwd[t1]: collector:514: still suspended after "
	                 "300 s and 3 failed attempts: refused");
	delivery_failed(&w, "refused", NOW + DELIVERY_RELOG_S + 1, 0, 0);
	cr_assert_eq(said(), 2, "the next one again after the interval");
	delivery_succeeded(&w);
	cr_assert_eq(last()->level, DELIVERY_INFO);
	cr_assert_str_eq(last()->text, "omauditfwd[t1]: collector:514: delivering again");
	cr_assert(!delivery_failing(&w));
	delivery_succeeded(&w);
	cr_assert_eq(said(), 3, "the recovery is logged once");
	delivery_failed(&w, "reset", NOW + 1000, 0, 0);
	cr_assert(strstr(last()->text, "action suspended") != NULL, "a new outage");
	delivery_failed(&w, "reset", NOW + 1000 + DELIVERY_RELOG_S, 0, 0);
	cr_assert_str_eq(last()->text, "omauditfwd[t1]: collector:514: still suspended after "
	                 "300 s and 1 failed attempts: reset", "counted from its start");
	delivery_worker_free(&w);
}

Test(worker, stopping_without_a_spool_says_the_batch_is_lost_once)
{
	delivery_worker_t w;

	cr_assert_eq(delivery_setup_spool(&d, NULL, NOW), 0);
	nlogged = 0;
	cr_assert_eq(delivery_worker_init(&w, &d), 0);
	delivery_failed(&w, "down", NOW, 0, 0);
	cr_assert_eq(said(), 1, "not stopping: nothing more");
	delivery_failed(&w, "down", NOW + 1, 1, 42);
	cr_assert_eq(said(), 2);
	cr_assert(strstr(last()->text, "shutting down with 42 messages of the batch in hand not "
	                 "delivered") != NULL, "%s", last()->text);
	delivery_failed(&w, "down", NOW + 2, 1, 42);
	cr_assert_eq(said(), 2, "once");
	delivery_worker_free(&w);
}

Test(worker, stopping_with_a_spool_says_nothing_more)
{
	delivery_worker_t w;

	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert_eq(delivery_worker_init(&w, &d), 0);
	delivery_failed(&w, "down", NOW, 1, 42);
	cr_assert_eq(said(), 1);
	delivery_worker_free(&w);
}

Test(worker, messages_rsyslog_dropped_are_saved_each_once)
{
	delivery_worker_t w;
	spool_t s;
	char err[256];

	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert_eq(delivery_worker_init(&w, &d), 0);
	cr_assert_eq(delivery_hold(&w, lines_text[0], strlen(lines_text[0]), "t\0k", 3), 0);
	cr_assert_eq(delivery_hold(&w, lines_text[1], strlen(lines_text[1]), NULL, 0), 0);
	cr_assert_eq(delivery_hold(&w, lines_text[0], strlen(lines_text[0]), "t\0k", 3), 0);
	delivery_settle(&w, lines_text[1], strlen(lines_text[1]), NULL, 0);
	cr_assert_eq(delivery_held(&w), 1);
	delivery_free(&d);                /* the worker may outlive the action */
	delivery_init(&d, capture);
	delivery_worker_free(&w);
	cr_assert_eq(last()->level, DELIVERY_WARNING);
	cr_assert(strstr(last()->text, "omauditfwd[t1]: 1 messages of the batch rsyslog dropped "
	                 "when it stopped this worker are saved to") != NULL, "%s", last()->text);
	cr_assert_eq(spool_load(path, &s, err, sizeof(err)), 1, "%s", err);
	cr_assert_eq(s.nlines, 1);
	cr_assert_str_eq(s.lines[0].p, lines_text[0]);
	cr_assert_eq(s.lines[0].route_len, 3);
	cr_assert_eq(memcmp(s.lines[0].route, "t\0k", 3), 0);
	spool_free(&s);
}

Test(worker, messages_rsyslog_dropped_without_a_spool_are_reported)
{
	delivery_worker_t w;

	cr_assert_eq(delivery_setup_spool(&d, NULL, NOW), 0);
	cr_assert_eq(delivery_worker_init(&w, &d), 0);
	cr_assert_eq(delivery_hold(&w, lines_text[0], strlen(lines_text[0]), NULL, 0), 0);
	delivery_worker_free(&w);
	cr_assert_eq(last()->level, DELIVERY_ERROR);
	cr_assert(strstr(last()->text, "are lost: no global(workDirectory) to save them in") != NULL);
}

Test(worker, messages_rsyslog_dropped_that_cannot_be_saved_are_reported)
{
	delivery_worker_t w;
	char cmd[700];

	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert_eq(delivery_worker_init(&w, &d), 0);
	cr_assert_eq(delivery_hold(&w, lines_text[0], strlen(lines_text[0]), NULL, 0), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	delivery_worker_free(&w);
	cr_assert_eq(last()->level, DELIVERY_ERROR);
	cr_assert(strstr(last()->text, "stopped this worker are lost: ") != NULL);
	cr_assert(strstr(last()->text, "no global(workDirectory)") == NULL, "the error is said");
	cr_assert_eq(mkdir(dir, 0700), 0);
}

Test(worker, nothing_held_nothing_said)
{
	delivery_worker_t w;

	cr_assert_eq(delivery_setup_spool(&d, dir, NOW), 0);
	cr_assert_eq(delivery_worker_init(&w, &d), 0);
	delivery_worker_free(&w);
	cr_assert_eq(nlogged, 0);
	cr_assert(!exists(path));
	memset(&w, 0, sizeof(w));
	delivery_worker_free(&w);   /* a worker whose creation failed early */
}

TestSuite(claims);

Test(claims, a_statsname_is_claimed_once)
{
	delivery_claims_t r = DELIVERY_CLAIMS_INIT;
	char err[DELIVERY_LOG_MAX], *chosen;
	int a = 0, b = 0, c = 0;

	cr_assert_eq(delivery_claim(&r, &a, "siem", "h:514", "json", &chosen, err, sizeof(err)),
	             DELIVERY_CLAIM_OK);
	cr_assert_null(chosen);
	cr_assert_eq(delivery_claim(&r, &b, "siem", "k:9092", "leef", &chosen, err, sizeof(err)),
	             DELIVERY_CLAIM_REFUSED);
	cr_assert_str_eq(err, "omauditfwd: parameter 'statsname': 'siem' would share the spool "
	                 "file omauditfwd-siem.spool with another omauditfwd action (statsname "
	                 "'siem'); give each action a statsname of its own");
	/* names that make the same file name collide too */
	cr_assert_eq(delivery_claim(&r, &b, "omauditfwd-siem", "k", "json", &chosen, err,
	                            sizeof(err)), DELIVERY_CLAIM_REFUSED);
	cr_assert_eq(delivery_claim(&r, &c, "si/em", "k", "json", &chosen, err, sizeof(err)),
	             DELIVERY_CLAIM_OK);
	cr_assert_eq(delivery_claim(&r, &b, "si_em", "k", "json", &chosen, err, sizeof(err)),
	             DELIVERY_CLAIM_REFUSED);
	cr_assert(strstr(err, "(statsname 'si/em')") != NULL, "%s", err);
	delivery_unclaim(&r, &a);
	cr_assert_eq(delivery_claim(&r, &b, "siem", "k", "json", &chosen, err, sizeof(err)),
	             DELIVERY_CLAIM_OK, "released by the first");
	delivery_unclaim(&r, &b);
	delivery_unclaim(&r, &c);
	cr_assert_null(r.head);
}

Test(claims, default_names_are_made_apart)
{
	static const char *const want[] = {
		"omauditfwd-h:514", "omauditfwd-h:514-json", "omauditfwd-h:514-json-2",
		"omauditfwd-h:514-json-3",
	};
	delivery_claims_t r = DELIVERY_CLAIMS_INIT;
	char err[DELIVERY_LOG_MAX], *chosen;
	int owners[4] = { 0 };
	size_t i;

	for (i = 0; i < 4; i++) {
		cr_assert_eq(delivery_claim(&r, &owners[i], NULL, "h:514", "json", &chosen, err,
		                            sizeof(err)), DELIVERY_CLAIM_OK);
		cr_assert_str_eq(chosen, want[i]);
		free(chosen);
	}
	delivery_unclaim(&r, &owners[1]);
	cr_assert_eq(delivery_claim(&r, &owners[1], NULL, "h:514", "json", &chosen, err,
	                            sizeof(err)), DELIVERY_CLAIM_OK);
	cr_assert_str_eq(chosen, want[1], "a released name is taken again");
	free(chosen);
	for (i = 0; i < 4; i++)
		delivery_unclaim(&r, &owners[i]);
	cr_assert_null(r.head);
}

Test(claims, the_default_names_run_out)
{
	delivery_claims_t r = DELIVERY_CLAIMS_INIT;
	char err[DELIVERY_LOG_MAX], *chosen;
	int owners[DELIVERY_NAME_TRIES + 1] = { 0 };
	size_t i;

	for (i = 0; i < DELIVERY_NAME_TRIES; i++) {
		cr_assert_eq(delivery_claim(&r, &owners[i], NULL, "h:514", "raw", &chosen, err,
		                            sizeof(err)), DELIVERY_CLAIM_OK);
		free(chosen);
	}
	cr_assert_eq(delivery_claim(&r, &owners[i], NULL, "h:514", "raw", &chosen, err,
	                            sizeof(err)), DELIVERY_CLAIM_REFUSED);
	cr_assert_null(chosen);
	cr_assert_str_eq(err, "omauditfwd: parameter 'statsname': more than 100 actions to "
	                 "h:514 with the default statsname; give them statsnames of their own");
	for (i = 0; i < DELIVERY_NAME_TRIES; i++)
		delivery_unclaim(&r, &owners[i]);
	cr_assert_null(r.head);
}
