/* test_reduce.c -- maxMessageSize: a message over the limit is reduced to
 * one well-formed message of its format (strict parsers), never larger
 * than the limit, flagged, keeping what detection needs; an argument list
 * cut in the middle with its marker; an unparsed line of 64 KiB; the
 * minimal message at the smallest limit; pipeline_reduce(); and events
 * under the limit byte-identical. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_fixture.h"
#include "pipeline.h"
#include "reduce.h"
#include "../../fuzz/fuzz_util.h"

#define HOST_HINT "relay01"
#define NARGS     1000

static pipeline_conf_t conf;
static audit_joiner_t *joiner;
static enrich_t *enricher;
static pipeline_t *pipe_;
static msgbatch_t mb;
static fixture_msg_t m;
static buf_t text;   /* the event's lines */

static void setup(void)
{
	enrich_conf_t ec;
	audit_joiner_conf_t jc;

	msgbatch_init(&mb);
	buf_init(&text);
	pipeline_conf_default(&conf);
	conf.local_host = "relay01";
	conf.header.style = SYSLOG_HDR_NONE;
	enrich_conf_default(&ec);
	ec.ids = ENRICH_IDS_NEVER;
	ec.local_host = "relay01";
	conf.enrich = enricher = enrich_new(&ec);
	audit_joiner_conf_default(&jc);
	conf.joiner = joiner = audit_joiner_new(&jc);
}

static void teardown(void)
{
	pipeline_free(pipe_);
	pipe_ = NULL;
	audit_joiner_free(joiner);
	enrich_free(enricher);
	msgbatch_free(&mb);
	buf_free(&text);
}

TestSuite(reduce, .init = setup, .fini = teardown);

/* S as upper-case hex: how auditd writes a value with special bytes */
static void hex(buf_t *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf_printf(b, "%02X", (unsigned char)s[i]);
}

/* every character a format must neutralise, and UTF-8 both valid and not */
static const char danger[] = "a\"b\\c=d|e^f\tg\rh\ni\x01j\x7fk\xffl\xc3\xa9m n%o#p{q}r[s]";
#define DANGER_LEN (sizeof(danger) - 1)

/* An execve event of serial SERIAL with NARGS arguments (some dangerous,
 * one long), NPATH PATH records, every long value dangerous. */
static void big_event_n(unsigned serial, int npath, int nargs)
{
	const char *a = "audit(1700000000.123:";
	int i, j;

	buf_printf(&text, "type=SYSCALL msg=%s%u): arch=c000003e syscall=59 success=yes "
	           "exit=0 a0=1 a1=2 items=2 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=0 "
	           "comm=", a, serial);
	hex(&text, danger, DANGER_LEN);
	buf_puts(&text, " exe=");
	for (i = 0; i < 20; i++)
		hex(&text, danger, DANGER_LEN);
	buf_puts(&text, " key=\"big\"\n");
	buf_printf(&text, "type=EXECVE msg=%s%u): argc=%d", a, serial, nargs);
	for (i = 0; i < nargs; i++) {
		if (i % 100 == 5) {
			buf_printf(&text, " a%d=", i);
			hex(&text, danger, DANGER_LEN);
		} else {
			buf_printf(&text, " a%d=\"arg%04d\"", i, i);
		}
		if (i % 300 == 299)
			buf_printf(&text, "\ntype=EXECVE msg=%s%u):", a, serial);
	}
	buf_printf(&text, "\ntype=CWD msg=%s%u): cwd=", a, serial);
	for (i = 0; i < 40; i++)
		hex(&text, danger, DANGER_LEN);
	for (j = 0; j < npath; j++) {
		buf_printf(&text, "\ntype=PATH msg=%s%u): item=%d name=", a, serial, j);
		for (i = 0; i < 5; i++)
			hex(&text, danger, DANGER_LEN);
		buf_puts(&text, " inode=1 dev=fd:01 mode=0100755 nametype=NORMAL");
	}
	buf_printf(&text, "\ntype=PROCTITLE msg=%s%u): proctitle=", a, serial);
	hex(&text, danger, DANGER_LEN);
	buf_printf(&text, "\ntype=EOE msg=%s%u): \n", a, serial);
}

static void big_event(unsigned serial, int npath)
{
	big_event_n(serial, npath, NARGS);
}

static void small_event(unsigned serial)
{
	buf_printf(&text, "type=SYSCALL msg=audit(1700000000.123:%u): arch=c000003e "
	           "syscall=59 success=yes exit=0 auid=1000 uid=0 comm=\"ls\" "
	           "exe=\"/usr/bin/ls\" key=\"small\"\n"
	           "type=EXECVE msg=audit(1700000000.123:%u): argc=2 a0=\"ls\" a1=\"-l\"\n"
	           "type=EOE msg=audit(1700000000.123:%u): \n", serial, serial, serial);
}

/* the lines of TEXT through a new pipeline, one batch; messages in mb */
static void run_batch(int commit)
{
	const char *p = text.p, *end = text.p + text.len, *nl;

	pipeline_free(pipe_);
	cr_assert_not_null(pipe_ = pipeline_new(&conf, NULL));
	msgbatch_reset(&mb);
	pipeline_batch_begin(pipe_);
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		cr_assert_eq(pipeline_process(pipe_, p, (size_t)(nl - p), HOST_HINT,
		                              strlen(HOST_HINT), &mb), 0);
	}
	pipeline_flush(pipe_);
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	if (commit)
		pipeline_batch_commit(pipe_);
}

/* message I as a string (no header: conf.header is NONE unless a test
 * changes it) */
static char *msg(size_t i, size_t *len)
{
	const char *s = msgbatch_msg(&mb, i, len);
	char *c = malloc(*len + 1);

	memcpy(c, s, *len);
	c[*len] = '\0';
	return c;
}

static void assert_json(const char *s, size_t len)
{
	size_t at;
	const char *err = fuzz_json_object_check(s, len, 1, &at);

	cr_assert_null(err, "not JSON: %s at %zu: %.*s", err, at, (int)(len < 300 ? len : 300), s);
	cr_assert(fuzz_utf8_valid((const unsigned char *)s, len), "not UTF-8");
}

/* the body is well-formed for format F, and carries what detection needs */
static void assert_reduced_ok(const format_ops_t *f, const char *s, size_t len)
{
	audit_record_t r;

	cr_assert_null(memchr(s, '\n', len), "LF in a message");
	cr_assert_null(memchr(s, '\r', len), "CR in a message");
	cr_assert_eq(strlen(s), len, "NUL in a message");
	if (f == &format_json) {
		assert_json(s, len);
		cr_assert_not_null(strstr(s, ",\"reduced\":{\"from\":"), "%s", s);
		cr_assert_not_null(strstr(s, "\"id\":\"1700000000.123:"), "%s", s);
		cr_assert_not_null(strstr(s, "\"type\":\"SYSCALL\""), "%s", s);
		cr_assert_not_null(strstr(s, "\"host\":\"" HOST_HINT "\""), "%s", s);
	} else if (f == &format_leef) {
		fixture_leef_parse(s, 2, '\t', &m);
		cr_assert_not_null(fixture_get(&m, "audit.reduced"));
		cr_assert_not_null(fixture_get(&m, "audit.id"));
		cr_assert_str_eq(fixture_get(&m, "identHostName"), HOST_HINT);
		cr_assert_str_eq(fixture_get(&m, "cat"), "SYSCALL");
	} else if (f == &format_cef) {
		fixture_cef_parse(s, &m);
		cr_assert_not_null(fixture_get(&m, "audit.reduced"));
		cr_assert_not_null(fixture_get(&m, "audit.id"));
		cr_assert_str_eq(fixture_get(&m, "dvchost"), HOST_HINT);
	} else {
		audit_record_init(&r);
		cr_assert_eq(audit_record_parse(&r, s, len), AUDIT_PARSE_OK,
		             "raw: not a record: %.200s", s);
		cr_assert_not_null(audit_record_field(&r, "reduced_from"), "%.200s", s);
		audit_record_free(&r);
	}
}

static const format_ops_t *const all[] = { &format_json, &format_leef, &format_cef,
                                           &format_raw };

/* Limits from the smallest up, just below and at the full size: never
 * larger than the limit, always well-formed, flagged when reduced. */
Test(reduce, every_format_fits_every_limit_and_stays_well_formed)
{
	static const size_t limits[] = { REDUCE_MIN_LIMIT, REDUCE_MIN_LIMIT + 1, 2500, 3000,
	                                 3333, 3999, 4000, 4095 };
	size_t f, l, i, len;

	big_event(7, 3);
	for (f = 0; f < sizeof(all) / sizeof(all[0]); f++) {
		conf.format = all[f];
		for (l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
			conf.max_message = limits[l];
			run_batch(1);
			cr_assert_gt(mb.n, 0);
			for (i = 0; i < mb.n; i++) {
				char *s = msg(i, &len);

				cr_assert_leq(len, limits[l], "%s: %zu bytes over the limit %zu",
				              all[f]->name, len, limits[l]);
				if (all[f] != &format_raw || strstr(s, "reduced_from=") != NULL)
					assert_reduced_ok(all[f], s, len);
				free(s);
			}
			if (all[f] == &format_raw)   /* the records over the limit */
				cr_assert_geq(pipeline_stats(pipe_)->messages_reduced, 1);
			else
				cr_assert_eq(pipeline_stats(pipe_)->messages_reduced, 1,
				             "%s at %zu", all[f]->name, limits[l]);
		}
	}
}

/* the detection fields survive the reduction (json) */
Test(reduce, json_keeps_what_detection_needs)
{
	size_t len;
	char *s;

	big_event(7, 3);
	conf.max_message = 3000;
	run_batch(1);
	s = msg(0, &len);
	assert_json(s, len);
	cr_assert_not_null(strstr(s, "\"key\":\"big\""), "%s", s);
	cr_assert_not_null(strstr(s, "\"auid\":\"1000\""), "%s", s);
	cr_assert_not_null(strstr(s, "\"uid\":\"0\""), "%s", s);
	cr_assert_not_null(strstr(s, "\"syscall\":\"59\",\"SYSCALL\":\"execve\""), "%s", s);
	cr_assert_not_null(strstr(s, "\"success\":\"yes\""), "%s", s);
	cr_assert_not_null(strstr(s, "\"argc\":\"1000\""), "%s", s);
	cr_assert_not_null(strstr(s, "\"argv\":[\"arg0000\",\"arg0001\""), "%s", s);
	cr_assert_not_null(strstr(s, "\"exe\":\"a\\\"b\\\\\\\\c=d|e^f\\tg\\rh\\ni\\u0001j"), "%s", s);
	cr_assert_not_null(strstr(s, "[cut "), "the long exe is cut, with a marker: %s", s);
	free(s);
}

/* At the full size the message is byte-identical; one byte less reduces. */
Test(reduce, limits_just_above_and_below_the_size)
{
	size_t f, len, full;
	char *whole, *s;

	small_event(1);
	big_event_n(2, 40, 300);   /* 40 PATH records: well above REDUCE_MIN_LIMIT */
	small_event(3);
	for (f = 0; f < sizeof(all) / sizeof(all[0]); f++) {
		conf.format = all[f];
		if (all[f]->per_record)
			continue;   /* raw: records, below */
		conf.max_message = 0;
		run_batch(1);
		cr_assert_eq(mb.n, 3);
		whole = msg(1, &full);
		conf.max_message = full;
		run_batch(1);
		s = msg(1, &len);
		cr_assert_str_eq(s, whole, "%s at its own size", all[f]->name);
		free(s);
		conf.max_message = full + 1;
		run_batch(1);
		s = msg(1, &len);
		cr_assert_str_eq(s, whole);
		free(s);
		cr_assert_eq(pipeline_stats(pipe_)->messages_reduced, 0);
		conf.max_message = full - 1;
		run_batch(1);
		s = msg(1, &len);
		cr_assert_leq(len, full - 1);
		assert_reduced_ok(all[f], s, len);
		cr_assert_eq(pipeline_stats(pipe_)->messages_reduced, 1);
		cr_assert_eq(pipeline_stats(pipe_)->bytes_cut, full - len);
		free(s);
		/* the small events around it are untouched */
		s = msg(0, &len);
		cr_assert_null(strstr(s, "reduced"), "%s", s);
		free(s);
		free(whole);
	}
}

/* "[... K args, N bytes cut ...]": the first and the last arguments kept,
 * K and N exactly what was left out */
Test(reduce, argv_is_cut_in_the_middle_with_a_marker)
{
	size_t len, kept = 0, k = 0, n = 0, bytes = 0;
	const char *p, *arr;
	char *s;

	buf_printf(&text, "type=EXECVE msg=audit(1700000000.123:9): argc=%d", NARGS);
	for (int i = 0; i < NARGS; i++)
		buf_printf(&text, " a%d=\"arg%04d\"", i, i);
	buf_puts(&text, "\ntype=EOE msg=audit(1700000000.123:9): \n");
	conf.max_message = 2500;
	run_batch(1);
	s = msg(0, &len);
	assert_json(s, len);
	arr = strstr(s, "\"argv\":[\"arg0000\",");
	cr_assert_not_null(arr, "%s", s);
	cr_assert_not_null(strstr(s, ",\"arg0999\"]"), "the last argument is kept: %s", s);
	p = strstr(arr, "\"[... ");
	cr_assert_not_null(p, "no marker: %s", s);
	cr_assert_eq(sscanf(p, "\"[... %zu args, %zu bytes cut ...]\"", &k, &bytes), 2, "%s", p);
	for (p = arr + 8; (p = strstr(p, "\"arg")) != NULL && p < strstr(arr, "\"]"); p++)
		n++;
	kept = n;
	cr_assert_eq(k + kept, NARGS, "%zu left out + %zu kept", k, kept);
	cr_assert_eq(bytes, k * 7, "every argument is 7 bytes");
	cr_assert_not_null(strstr(s, "\"args\":"), "%s", s);
	free(s);
	/* LEEF: the same cut, in EXECVE.argv */
	conf.format = &format_leef;
	run_batch(1);
	s = msg(0, &len);
	fixture_leef_parse(s, 2, '\t', &m);
	cr_assert(strncmp(fixture_get(&m, "EXECVE.argv"), "arg0000 arg0001 ", 16) == 0);
	cr_assert_not_null(strstr(fixture_get(&m, "EXECVE.argv"), " args, "));
	cr_assert_not_null(strstr(fixture_get(&m, "EXECVE.argv"), " arg0999"));
	cr_assert_str_eq(fixture_get(&m, "EXECVE.argc"), "1000");
	free(s);
}

/* An unparsed line of 64 KiB, 8k limit: one message, flagged, cut */
Test(reduce, an_unparsed_line_of_64k_fits_8k)
{
	size_t f, len, i;
	char *s;

	for (i = 0; i < 65536; i++)
		buf_putc(&text, danger[i % DANGER_LEN] == '\n' ? '_' : danger[i % DANGER_LEN]);
	for (f = 0; f < sizeof(all) / sizeof(all[0]); f++) {
		conf.format = all[f];
		conf.max_message = all[f] == &format_json || all[f] == &format_raw ? 8096 : 4000;
		conf.header.style = SYSLOG_HDR_NONE;
		run_batch(1);
		cr_assert_eq(mb.n, 1);
		s = msg(0, &len);
		cr_assert_leq(len, conf.max_message, "%s: %zu", all[f]->name, len);
		cr_assert_gt(len, conf.max_message / 2, "%s: cut too much: %zu", all[f]->name, len);
		cr_assert_null(memchr(s, '\n', len));
		cr_assert_null(memchr(s, '\r', len));
		if (all[f] == &format_json) {
			assert_json(s, len);
			cr_assert_not_null(strstr(s, "{\"type\":\"UNPARSED\",\"reason\":\""));
			cr_assert_not_null(strstr(s, "bytes]\",\"reduced\":{\"from\":"), "%s", s);
		} else if (all[f] == &format_leef) {
			fixture_leef_parse(s, 2, '\t', &m);
			cr_assert_not_null(fixture_get(&m, "audit.reason"));
			cr_assert_not_null(fixture_get(&m, "audit.reduced"));
		} else if (all[f] == &format_cef) {
			fixture_cef_parse(s, &m);
			cr_assert_not_null(fixture_get(&m, "reason"));
			cr_assert_not_null(fixture_get(&m, "audit.reduced"));
		} else {
			cr_assert_not_null(strstr(s, "[cut "), "raw: the cut is marked");
		}
		cr_assert_eq(pipeline_stats(pipe_)->messages_reduced, 1);
		free(s);
	}
}

/* The worst case for the minimal message: a 255-byte host, a 48-byte
 * APP-NAME, a 64-byte type name and thousands of essential fields: at
 * REDUCE_MIN_LIMIT every format still fits (reduce.h's promise). */
Test(reduce, the_minimal_message_fits_the_smallest_limit)
{
	static const syslog_style_t styles[] = { SYSLOG_HDR_RFC5424, SYSLOG_HDR_RFC3164 };
	char host[256], app[49], type[65];
	size_t f, st, len, i;
	char *s;

	memset(host, 'h', 255);
	host[255] = '\0';
	memset(app, 'a', 48);
	app[48] = '\0';
	memset(type, 'T', 64);
	type[64] = '\0';
	buf_printf(&text, "type=%s msg=audit(1700000000.123:5): ", type);
	for (i = 0; i < 3000; i++)
		buf_printf(&text, "uid=%zu ", i);
	buf_puts(&text, "\n");
	conf.header.app_name = app;
	conf.local_host = host;
	for (f = 0; f < sizeof(all) / sizeof(all[0]); f++) {
		for (st = 0; st < 2; st++) {
			conf.format = all[f];
			conf.header.style = styles[st];
			conf.max_message = REDUCE_MIN_LIMIT;
			conf.joiner = NULL;   /* a record of an unknown type: its own event */
			pipeline_free(pipe_);
			pipe_ = pipeline_new(&conf, NULL);
			msgbatch_reset(&mb);
			pipeline_batch_begin(pipe_);
			cr_assert_eq(pipeline_process(pipe_, text.p, text.len - 1, host, 255, &mb), 0,
			             "%s: no reduction fits", all[f]->name);
			pipeline_batch_commit(pipe_);
			s = msg(0, &len);
			cr_assert_leq(len, REDUCE_MIN_LIMIT, "%s: %zu", all[f]->name, len);
			free(s);
		}
	}
	conf.joiner = joiner;
}

/* pipeline_reduce: a message of the batch again under a smaller limit */
Test(reduce, pipeline_reduce_rewrites_a_message_of_the_batch)
{
	size_t len, small_len, big_len, min_len;
	char *small, *big;
	buf_t out;
	pipeline_stats_t *st;

	buf_init(&out);
	small_event(1);
	big_event(2, 3);
	buf_puts(&text, "this line is not an audit record\n");
	small_event(3);
	run_batch(0);   /* no limit; the batch is still open */
	cr_assert_eq(mb.n, 4, "%zu", mb.n);
	/* the unparsed line came first (pipeline_process), then the events */
	big = msg(2, &big_len);
	cr_assert_not_null(strstr(big, "\"key\":\"big\""), "%.100s", big);
	cr_assert_eq(pipeline_reduce(pipe_, 2, 3000, &out), 0);
	cr_assert_leq(out.len, 3000);
	assert_json(out.p, out.len);
	cr_assert_not_null(memmem(out.p, out.len, "\"key\":\"big\"", 11));
	cr_assert_not_null(memmem(out.p, out.len, ",\"reduced\":{\"from\":", 19));
	/* again, smaller still, appended */
	len = out.len;
	cr_assert_eq(pipeline_reduce(pipe_, 2, REDUCE_MIN_LIMIT, &out), 0);
	min_len = out.len - len;
	cr_assert_leq(min_len, REDUCE_MIN_LIMIT);
	assert_json(out.p + len, out.len - len);
	/* a message that fits already comes back as it is */
	small = msg(1, &small_len);
	buf_reset(&out);
	cr_assert_eq(pipeline_reduce(pipe_, 1, 3000, &out), 0);
	cr_assert_eq(out.len, small_len);
	cr_assert_eq(memcmp(out.p, small, small_len), 0);
	/* the unparsed line (kept as a copy) */
	buf_reset(&out);
	cr_assert_eq(pipeline_reduce(pipe_, 0, 3000, &out), 0);
	assert_json(out.p, out.len);
	cr_assert_eq(pipeline_reduce(pipe_, 4, 3000, &out), -1, "no such message");
	pipeline_batch_commit(pipe_);
	st = pipeline_stats(pipe_);
	cr_assert_eq(st->messages_out, 4);
	cr_assert_eq(st->messages_reduced, 1);
	cr_assert_eq(st->bytes_cut, big_len - min_len, "counted: the cut of what is sent last");
	free(small);
	free(big);
	buf_free(&out);
}

/* An execve of PID (parent PPID) running EXE, keyed KEY, at 1700000100 + SEC */
static void exec_event(unsigned serial, unsigned sec, unsigned ppid, unsigned pid,
                       const char *exe, const char *key)
{
	buf_printf(&text, "node=web01 type=SYSCALL msg=audit(17000001%02u.001:%u): arch=c000003e "
	           "syscall=59 success=yes exit=0 items=1 ppid=%u pid=%u auid=1000 uid=0 "
	           "comm=\"x\" exe=\"%s\" key=\"%s\"\n"
	           "node=web01 type=EXECVE msg=audit(17000001%02u.001:%u): argc=1 a0=\"%s\"\n"
	           "node=web01 type=EOE msg=audit(17000001%02u.001:%u): \n",
	           sec, serial, ppid, pid, exe, key, sec, serial, exe, sec, serial);
}

/* pipeline_reduce writes every message as it was emitted: an event's
 * ATT&CK tags and the ancestors found when it was emitted (not what the
 * table says after a later event reused a pid), and the filter's summary
 * events, which are no input line */
Test(reduce, pipeline_reduce_rewrites_tags_ancestry_and_summaries_as_emitted)
{
	const char *rule[] = { "burst: limit 1/s key=T1105" };
	char err[256];
	ancestry_conf_t ac;
	ancestry_t *anc;
	filter_t *flt;
	size_t i, len, with_anc = 0, summaries = 0;
	buf_t out;

	buf_init(&out);
	ancestry_conf_default(&ac);
	ac.use_proc = 0;
	cr_assert_not_null(anc = ancestry_new(&ac));
	cr_assert_not_null(flt = filter_new(filter_rules_parse(rule, 1, err, sizeof(err))), "%s",
	                   err);
	conf.ancestry = anc;
	conf.filter = flt;
	conf.filter_audit_clock = 1;
	exec_event(1, 0, 1, 1000, "/usr/sbin/sshd", "exec");
	exec_event(2, 0, 1000, 1100, "/usr/bin/bash", "exec");
	exec_event(3, 0, 1100, 1200, "/usr/bin/sudo", "exec");
	exec_event(4, 0, 1200, 1300, "/usr/bin/sh", "T1059");
	exec_event(5, 0, 1, 1200, "/usr/bin/reused", "exec");   /* pid 1200 again */
	exec_event(6, 0, 1300, 1400, "/usr/bin/curl", "T1105");
	exec_event(7, 0, 1300, 1401, "/usr/bin/curl", "T1105");  /* suppressed */
	exec_event(8, 2, 1300, 1402, "/usr/bin/curl", "T1105");  /* summary, then kept */
	run_batch(0);
	for (i = 0; i < mb.n; i++) {
		char *mi = msg(i, &len);

		if (strstr(mi, "\"ancestry\":[") != NULL)
			with_anc++;
		if (strstr(mi, "AUDITFWD_SUPPRESSED") != NULL)
			summaries++;
		buf_reset(&out);
		cr_assert_eq(pipeline_reduce(pipe_, i, 1 << 20, &out), 0, "message %zu", i);
		cr_assert_eq(out.len, len, "message %zu: %.*s\nwas %s", i, (int)out.len, out.p, mi);
		cr_assert_eq(memcmp(out.p, mi, len), 0, "message %zu: %.*s\nwas %s", i,
		             (int)out.len, out.p, mi);
		if (strstr(mi, "\"key\":\"T1059\"") != NULL) {
			cr_assert_not_null(strstr(mi, "\"attack\":"), "%s", mi);
			cr_assert_not_null(strstr(mi, "/usr/bin/sudo"), "%s", mi);
		}
		buf_reset(&out);   /* and reduced: within the smallest limit */
		cr_assert_eq(pipeline_reduce(pipe_, i, REDUCE_MIN_LIMIT, &out), 0, "message %zu", i);
		cr_assert_leq(out.len, REDUCE_MIN_LIMIT);
		assert_json(out.p, out.len);
		free(mi);
	}
	cr_assert_eq(mb.n, 8, "%zu", mb.n);   /* 7 events and one summary */
	cr_assert_eq(summaries, 1);
	cr_assert_geq(with_anc, 5);
	pipeline_batch_commit(pipe_);
	pipeline_free(pipe_);
	pipe_ = NULL;
	conf.ancestry = NULL;
	conf.filter = NULL;
	conf.filter_audit_clock = 0;
	filter_free(flt);
	ancestry_free(anc);
	buf_free(&out);
}

/* An event whose ancestry alone is larger than the smallest limit (16
 * ancestors, each exe 256 bytes of characters every format escapes) is
 * still reduced to fit it, in every format: the bare message has none */
Test(reduce, a_long_ancestry_still_fits_the_smallest_limit)
{
	ancestry_conf_t ac;
	ancestry_t *anc;
	size_t f, len;
	unsigned i;
	char *last;

	for (f = 0; f < sizeof(all) / sizeof(all[0]); f++) {
		ancestry_conf_default(&ac);
		ac.use_proc = 0;
		ac.depth = ANCESTRY_DEPTH_MAX;
		cr_assert_not_null(anc = ancestry_new(&ac));
		conf.ancestry = anc;
		conf.format = all[f];
		conf.max_message = REDUCE_MIN_LIMIT;
		buf_reset(&text);
		for (i = 1; i <= ANCESTRY_DEPTH_MAX + 1; i++) {
			size_t k;

			buf_printf(&text, "type=SYSCALL msg=audit(1700000000.123:%u): arch=c000003e "
			           "syscall=59 success=yes exit=0 items=1 ppid=%u pid=%u auid=1000 "
			           "uid=0 comm=\"x\" exe=", i, 100 + i - 1, 100 + i);
			for (k = 0; k < 256 / DANGER_LEN + 1; k++)
				hex(&text, danger, DANGER_LEN);
			buf_printf(&text, " key=\"k\"\ntype=EOE msg=audit(1700000000.123:%u): \n", i);
		}
		run_batch(1);
		last = msg(mb.n - 1, &len);
		cr_assert_leq(len, REDUCE_MIN_LIMIT, "%s: %zu", all[f]->name, len);
		free(last);
		pipeline_free(pipe_);
		pipe_ = NULL;
		conf.ancestry = NULL;
		ancestry_free(anc);
	}
	conf.format = &format_json;
	conf.max_message = 0;
}

/* pipeline_reduce with joining off: the record's line is kept for it */
Test(reduce, pipeline_reduce_with_joining_off)
{
	buf_t out;

	buf_init(&out);
	conf.joiner = NULL;
	big_event(2, 3);
	run_batch(0);
	cr_assert_gt(mb.n, 3);
	cr_assert_eq(pipeline_reduce(pipe_, 1, REDUCE_MIN_LIMIT, &out), 0);   /* an EXECVE */
	cr_assert_leq(out.len, REDUCE_MIN_LIMIT);
	assert_json(out.p, out.len);
	cr_assert_not_null(memmem(out.p, out.len, "\"type\":\"EXECVE\"", 15));
	pipeline_batch_rollback(pipe_);
	conf.joiner = joiner;
	buf_free(&out);
}

/* An empty line with no sender's name is an unparsed message like any
 * other: written again (pipeline_reduce) it comes out as it was sent, in
 * every format, from a batch that kept no line bytes at all */
Test(reduce, an_empty_line_is_written_again_as_sent)
{
	size_t f, len;
	buf_t out;
	char *s;

	buf_init(&out);
	for (f = 0; f < sizeof(all) / sizeof(all[0]); f++) {
		conf.format = all[f];
		pipeline_free(pipe_);
		cr_assert_not_null(pipe_ = pipeline_new(&conf, NULL));
		msgbatch_reset(&mb);
		pipeline_batch_begin(pipe_);
		cr_assert_eq(pipeline_process(pipe_, "\n", 1, NULL, 0, &mb), 0);
		cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
		cr_assert_eq(mb.n, 1, "%s", all[f]->name);
		s = msg(0, &len);
		buf_reset(&out);
		cr_assert_eq(pipeline_reduce(pipe_, 0, (size_t)1 << 30, &out), 0, "%s", all[f]->name);
		cr_assert(out.len == len && memcmp(out.p, s, len) == 0, "%s", all[f]->name);
		buf_reset(&out);
		cr_assert_eq(pipeline_reduce(pipe_, 0, REDUCE_MIN_LIMIT, &out), 0);
		cr_assert_leq(out.len, REDUCE_MIN_LIMIT);
		pipeline_batch_rollback(pipe_);
		free(s);
	}
	buf_free(&out);
}

/* maxMessageSize: the Kafka default, the framing (the size syntax:
 * tests/unit/util/test_size_parse.c) */
Test(reduce, sizes_defaults_and_framing)
{
	const char *conf1[] = { "acks=all", "message.max.bytes=10000" };
	const char *hdrs[] = { "env=prod" };

	/* Kafka: librdkafka's default, or confParam's, less the margin */
	cr_assert_eq(reduce_kafka_default(NULL, 0, NULL, 0), 1000000 - REDUCE_KAFKA_MARGIN);
	cr_assert_eq(reduce_kafka_default(conf1, 2, NULL, 0), 10000 - REDUCE_KAFKA_MARGIN);
	cr_assert_eq(reduce_kafka_default(conf1, 2, hdrs, 1),
	             10000 - REDUCE_KAFKA_MARGIN - 8 - REDUCE_KAFKA_HEADER_COST);
	/* octet counting "8096 " costs 5 bytes at most, LF 1, Kafka none */
	cr_assert_eq(reduce_message_limit(8096, 1, 0), 8091);
	cr_assert_eq(reduce_message_limit(8096, 0, 1), 8095);
	cr_assert_eq(reduce_message_limit(8096, 0, 0), 8096);
	cr_assert_eq(reduce_message_limit(0, 1, 0), 0);
}

/* reduce_fit() on its own: one record written as JSON, reduced as the
 * reducer asks; every write counted */
typedef struct direct {
	buf_t scratch;
	unsigned writes;
	const format_ops_t *f;   /* NULL: JSON */
} direct_t;

static void write_direct(buf_t *out, format_reduce_t *r, const audit_record_t *const *recs,
                         size_t n, void *ud)
{
	direct_t *d = ud;
	format_event_t ev;

	memset(&ev, 0, sizeof(ev));
	ev.recs = recs;
	ev.nrecs = n;
	ev.enrich = enricher;
	ev.scratch = &d->scratch;
	ev.reduce = r;
	if (d->f == NULL)
		d->f = &format_json;
	d->f->event(out, &ev);
	if (d->f->reduced != NULL)
		d->f->reduced(out, NULL, r);
	d->writes++;
}

/* the message of REC reduced to LIMIT by RD, in OUT (emptied first) */
static void reduce_direct(reducer_t *rd, const audit_record_t *rec, size_t limit,
                          buf_t *out, direct_t *d)
{
	const audit_record_t *recs[1] = { rec };
	format_reduce_t r;

	buf_reset(out);
	cr_assert_gt(reduce_fit(rd, out, limit, limit + 1, recs, 1, write_direct, d, &r), 0);
}

/* The reducer decodes an argument list once for all its attempts; the
 * next event, parsed into the same record at the same address, has its
 * own arguments, as a new reducer writes them. */
Test(reduce, the_next_event_does_not_get_the_argument_list_of_the_last)
{
	audit_record_t rec;
	reducer_t rd, fresh;
	direct_t d;
	buf_t out, want;
	int i;

	memset(&d, 0, sizeof(d));
	buf_init(&d.scratch);
	buf_init(&out);
	buf_init(&want);
	audit_record_init(&rec);
	reducer_init(&rd);
	reducer_init(&fresh);
	for (const char *c = "a"; *c != 'c'; c = *c == 'a' ? "b" : "c") {
		buf_reset(&text);
		buf_puts(&text, "type=EXECVE msg=audit(1700000000.123:7): argc=400");
		for (i = 0; i < 400; i++)
			buf_printf(&text, " a%d=\"%s%04d%s\"", i, c, i, "0123456789");
		cr_assert_eq(audit_record_parse(&rec, text.p, text.len), AUDIT_PARSE_OK);
		reduce_direct(&rd, &rec, 4096, &out, &d);
		reduce_direct(&fresh, &rec, 4096, &want, &d);
		buf_putc(&out, '\0');
		buf_putc(&want, '\0');
		cr_assert_str_eq(out.p, want.p);
		cr_assert_not_null(strstr(out.p, *c == 'a' ? "\"a0000" : "\"b0000"), "%s", out.p);
		cr_assert_null(strstr(out.p, *c == 'a' ? "\"b0" : "\"a0"), "%s", out.p);
		reducer_free(&fresh);
		reducer_init(&fresh);
	}
	reducer_free(&rd);
	reducer_free(&fresh);
	audit_record_free(&rec);
	buf_free(&out);
	buf_free(&want);
	buf_free(&d.scratch);
}

/* A cap that cut nothing wrote the message of every larger cap: the search
 * does not write it again. 300 values of 8 bytes do not fit 2048 bytes
 * with every field (one write at the smallest cap, which cuts nothing,
 * settles the first stage) and fit with the essential ones (one write
 * settles the second): two writes, not two dozen. */
Test(reduce, a_cap_that_cut_nothing_is_not_tried_again)
{
	audit_record_t rec;
	reducer_t rd;
	direct_t d;
	buf_t out;
	int i;

	memset(&d, 0, sizeof(d));
	buf_init(&d.scratch);
	buf_init(&out);
	audit_record_init(&rec);
	reducer_init(&rd);
	buf_puts(&text, "type=SYSCALL msg=audit(1700000000.123:8): arch=c000003e syscall=59 "
	         "success=yes exit=0 auid=1000 uid=0 comm=\"sh\" exe=\"/bin/sh\"");
	for (i = 0; i < 300; i++)
		buf_printf(&text, " x%d=v%07d", i, i);
	cr_assert_eq(audit_record_parse(&rec, text.p, text.len), AUDIT_PARSE_OK);
	reduce_direct(&rd, &rec, 2048, &out, &d);
	cr_assert_eq(d.writes, 2, "%u writes", d.writes);
	cr_assert_leq(out.len, 2048);
	buf_putc(&out, '\0');
	cr_assert_not_null(strstr(out.p, "\"exe\":\"/bin/sh\""), "%s", out.p);
	cr_assert_null(strstr(out.p, "\"x1\""), "%s", out.p);
	reducer_free(&rd);
	audit_record_free(&rec);
	buf_free(&out);
	buf_free(&d.scratch);
}

/* The message of the N records RP at LIMIT as a search that writes every
 * cap it visits finds it (reduce.c's binary search over the first stage,
 * without skipping known caps), in WANT; 0 when the first stage cannot
 * fit (not even the smallest cap) */
static int plain_search(const audit_record_t *const *rp, size_t n, size_t limit,
                         direct_t *d, buf_t *want)
{
	size_t lo = REDUCE_MIN_VALUE, hi = limit;
	format_reduce_t r;
	buf_t attempt;

	memset(&r, 0, sizeof(r));
	r.from = limit + 1;
	buf_init(&attempt);
	buf_reset(want);
	for (;;) {
		size_t cap = want->len == 0 ? lo : lo + (hi - lo + 1) / 2;

		buf_reset(&attempt);
		format_reduce_reset(&r);
		r.value_max = cap;
		r.argv_max = cap * REDUCE_ARGV_FACTOR;
		write_direct(&attempt, &r, rp, n, d);
		if (attempt.len <= limit) {
			buf_reset(want);
			buf_append(want, attempt.p, attempt.len);
			lo = cap;
		} else if (want->len == 0) {
			break;
		} else {
			hi = cap - 1;
		}
		if (lo >= hi)
			break;
	}
	buf_free(&attempt);
	return want->len != 0;
}

/* The search skips the caps whose message is known (above), and copies
 * the records no cap cuts from its stage's first attempt
 * (format_record_cache_t): it finds what a search writing every cap
 * finds. Three events: big_event_n's (long values in every record, an
 * argument list), 1,000 short arguments (only the list is cut: no value
 * is long), and short records around one long argument and one long
 * PROCTITLE (the short ones copied, two of a type among them), at limits
 * over the first stage's range, in every format (raw cuts no list: 1,000
 * fields fit the largest only). */
Test(reduce, skipping_known_caps_finds_what_writing_every_cap_finds)
{
	audit_record_t recs[8];
	const audit_record_t *rp[8];
	const char *p, *nl;
	size_t n, limit, f;
	reducer_t rd;
	direct_t d;
	buf_t out, want;
	format_reduce_t got;
	int ev, i, compared = 0;

	memset(&d, 0, sizeof(d));
	buf_init(&d.scratch);
	buf_init(&out);
	buf_init(&want);
	reducer_init(&rd);
	for (ev = 0; ev < 3; ev++) {
		buf_reset(&text);
		if (ev == 0) {
			big_event_n(11, 2, 120);
		} else if (ev == 2) {
			const char *a = "msg=audit(1700000000.123:13):";

			buf_printf(&text, "type=SYSCALL %s arch=c000003e syscall=59 success=yes exit=0 "
			           "a0=1 a1=2 items=2 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=0 "
			           "comm=\"sh\" exe=\"/bin/sh\" key=\"exec\"\n", a);
			buf_printf(&text, "type=EXECVE %s argc=3 a0=\"sh\" a1=\"-c\" a2=\"", a);
			for (i = 0; i < 9000; i++)
				buf_putc(&text, (char)('a' + i % 26));
			buf_printf(&text, "\"\ntype=CWD %s cwd=\"/home/user\"\n", a);
			for (i = 0; i < 3; i++)
				buf_printf(&text, "type=PATH %s item=%d name=\"/usr/bin/f%d\" inode=%d "
				           "dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n",
				           a, i, i, 100 + i);
			buf_printf(&text, "type=PROCTITLE %s proctitle=", a);
			for (i = 0; i < 3000; i++)
				buf_printf(&text, "%02X", 'a' + i % 26);
			buf_putc(&text, '\n');
		} else {
			buf_printf(&text, "type=EXECVE msg=audit(1700000000.123:12): argc=%d", NARGS);
			for (i = 0; i < NARGS; i++)
				buf_printf(&text, " a%d=\"arg%04d\"", i, i);
			buf_putc(&text, '\n');
		}
		for (n = 0, p = text.p; n < 8 &&
		     (nl = memchr(p, '\n', (size_t)(text.p + text.len - p))) != NULL; p = nl + 1) {
			audit_record_init(&recs[n]);
			cr_assert_eq(audit_record_parse(&recs[n], p, (size_t)(nl - p)), AUDIT_PARSE_OK);
			rp[n] = &recs[n];
			n++;
		}
		for (f = 0; f < sizeof(all) / sizeof(all[0]); f++) {
			d.f = all[f];
			for (limit = 3000; limit <= 9000; limit += 1500) {
				if (!plain_search(rp, n, limit, &d, &want))
					continue;
				compared++;
				buf_reset(&out);
				cr_assert_gt(reduce_fit(&rd, &out, limit, limit + 1, rp, n, write_direct,
				                        &d, &got), 0);
				cr_assert(out.len == want.len && memcmp(out.p, want.p, out.len) == 0,
				          "%s at %zu: %.*s\nwant %.*s", all[f]->name, limit,
				          (int)out.len, out.p, (int)want.len, want.p);
			}
		}
		while (n > 0)
			audit_record_free(&recs[--n]);
	}
	cr_assert_geq(compared, 45, "%d", compared);
	reducer_free(&rd);
	buf_free(&out);
	buf_free(&want);
	buf_free(&d.scratch);
}

/* The reducer gives back what a huge argument list made its cache hold:
 * 160,000 arguments (40 EXECVE records of 4,000) are 160 kB of text but
 * 1.25 MB of lengths, both counted against REDUCE_KEEP_MAX. */
Test(reduce, the_argument_cache_of_a_huge_list_is_given_back)
{
	enum { NREC = 40, PER = 4000 };
	static audit_record_t recs[NREC];
	static const audit_record_t *rp[NREC];
	static buf_t lines[NREC];
	reducer_t rd;
	direct_t d;
	buf_t out;
	size_t kept;
	int i, j;

	memset(&d, 0, sizeof(d));
	buf_init(&d.scratch);
	buf_init(&out);
	reducer_init(&rd);
	for (i = 0; i < NREC; i++) {
		buf_init(&lines[i]);
		buf_printf(&lines[i], "type=EXECVE msg=audit(1700000000.123:13):");
		if (i == 0)
			buf_printf(&lines[i], " argc=%d", NREC * PER);
		for (j = 0; j < PER; j++)
			buf_printf(&lines[i], " a%d=x", i * PER + j);
		audit_record_init(&recs[i]);
		cr_assert_eq(audit_record_parse(&recs[i], lines[i].p, lines[i].len), AUDIT_PARSE_OK);
		rp[i] = &recs[i];
	}
	cr_assert_gt(reduce_fit(&rd, &out, 8000, 8001, rp, NREC, write_direct, &d, &(format_reduce_t){ 0 }), 0);
	buf_putc(&out, '\0');
	cr_assert_not_null(strstr(out.p, " args, "), "the list is cut: %.300s", out.p);
	for (i = 0, kept = 0; i < FORMAT_ARGV_CACHE_LISTS; i++)
		kept += rd.argv.list[i].bytes.cap + rd.argv.list[i].cap * sizeof(size_t);
	cr_assert_leq(kept, REDUCE_KEEP_MAX, "%zu bytes kept", kept);
	for (i = 0; i < NREC; i++) {
		audit_record_free(&recs[i]);
		buf_free(&lines[i]);
	}
	reducer_free(&rd);
	buf_free(&out);
	buf_free(&d.scratch);
}
