/* test_pipeline.c -- one line in, one complete message out: header, JSON
 * body, host attribution, and the unparsed policy. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pipeline.h"
#include "transport.h"

static msgbatch_t mb;
static pipeline_t *pipe_;
static pipeline_conf_t conf;

static void setup(void)
{
	msgbatch_init(&mb);
	pipeline_conf_default(&conf);
	conf.local_host = "relay01";
	conf.header.style = SYSLOG_HDR_NONE;
}

static audit_joiner_t *joiner_;

static void teardown(void)
{
	pipeline_free(pipe_);
	pipe_ = NULL;
	audit_joiner_free(joiner_);
	joiner_ = NULL;
	msgbatch_free(&mb);
}

/* a pipeline that joins, with a joiner of default settings */
static void joining_pipeline(void)
{
	audit_joiner_conf_t jc;

	audit_joiner_conf_default(&jc);
	conf.joiner = joiner_ = audit_joiner_new(&jc);
	pipe_ = pipeline_new(&conf, NULL);
}

static char *run(const char *line)
{
	static char copy[8192];
	size_t len;
	const char *m;

	if (pipe_ == NULL)
		pipe_ = pipeline_new(&conf, NULL);
	msgbatch_reset(&mb);
	pipeline_batch_begin(pipe_);
	cr_assert_eq(pipeline_process(pipe_, line, strlen(line), NULL, 0, &mb), 0);
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	pipeline_batch_commit(pipe_);
	if (mb.n == 0)
		return NULL;
	m = msgbatch_msg(&mb, 0, &len);
	cr_assert_lt(len, sizeof(copy));
	memcpy(copy, m, len);
	copy[len] = '\0';
	return copy;
}

TestSuite(pipeline, .init = setup, .fini = teardown);

Test(pipeline, syscall_record_becomes_one_json_object)
{
	const char *m = run("type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e "
	                    "syscall=59 success=yes exit=0 comm=\"ls\" exe=\"/usr/bin/ls\" "
	                    "key=(null)\n");

	cr_assert_str_eq(m, "{\"id\":\"1700000000.123:4567\",\"time\":\"2023-11-14T22:13:20.123Z\","
	                 "\"host\":\"relay01\",\"type\":\"SYSCALL\",\"SYSCALL\":{\"arch\":\"c000003e\","
	                 "\"syscall\":\"59\",\"success\":\"yes\",\"exit\":\"0\",\"comm\":\"ls\","
	                 "\"exe\":\"/usr/bin/ls\",\"key\":\"(null)\"}}");
}

Test(pipeline, node_names_the_host)
{
	const char *m = run("node=web01 type=CWD msg=audit(1700000000.123:4567): cwd=\"/root\"");

	cr_assert_str_eq(m, "{\"id\":\"1700000000.123:4567\",\"time\":\"2023-11-14T22:13:20.123Z\","
	                 "\"host\":\"web01\",\"node\":\"web01\",\"type\":\"CWD\",\"CWD\":{\"cwd\":\"/root\"}}");
}

/* journald's form has no serial: each record is an event of its own at
 * once (journald drops EOE), without an id, at the syslog header's time */
Test(pipeline, journald_records_are_events_of_their_own)
{
	const char *m;

	joining_pipeline();
	m = run("2024-11-25T07:40:10.517000+00:00 web01 audit[8812]: SYSCALL "
	        "arch=c000003e syscall=59 success=yes exit=0 pid=8812 comm=\"sudo\"");
	cr_assert_not_null(m, "the SYSCALL record was held for an EOE");
	cr_assert_str_eq(m, "{\"time\":\"2024-11-25T07:40:10.517Z\",\"host\":\"web01\","
	                 "\"type\":\"SYSCALL\",\"SYSCALL\":{\"arch\":\"c000003e\","
	                 "\"syscall\":\"59\",\"success\":\"yes\",\"exit\":\"0\","
	                 "\"pid\":\"8812\",\"comm\":\"sudo\"}}");
	m = run("2024-11-25T07:40:10.517000+00:00 web01 audit: CWD cwd=\"/home/alice\"");
	cr_assert_str_eq(m, "{\"time\":\"2024-11-25T07:40:10.517Z\",\"host\":\"web01\","
	                 "\"type\":\"CWD\",\"CWD\":{\"cwd\":\"/home/alice\"}}");
}

/* enrich.hostname="off": no host member; the node, when there is one, stays */
Test(pipeline, no_host_attribution_when_switched_off)
{
	const char *m;

	conf.attribute_host = 0;
	m = run("<13>1 2023-11-14T22:13:20.123+00:00 host07 audisp-syslog - - - "
	        "type=CWD msg=audit(1700000000.123:4567): cwd=\"/\"");
	cr_assert_str_eq(m, "{\"id\":\"1700000000.123:4567\",\"time\":\"2023-11-14T22:13:20.123Z\","
	                 "\"type\":\"CWD\",\"CWD\":{\"cwd\":\"/\"}}");
	m = run("node=web01 type=CWD msg=audit(1700000000.123:4567): cwd=\"/root\"");
	cr_assert_str_eq(m, "{\"id\":\"1700000000.123:4567\",\"time\":\"2023-11-14T22:13:20.123Z\","
	                 "\"node\":\"web01\",\"type\":\"CWD\",\"CWD\":{\"cwd\":\"/root\"}}");
}

/* the syslog header of an unattributed event names this host, the sender */
Test(pipeline, no_host_attribution_header_names_this_host)
{
	const char *m;

	conf.attribute_host = 0;
	conf.header.style = SYSLOG_HDR_RFC5424;
	m = run("node=web01 type=CWD msg=audit(1700000000.123:4567): cwd=\"/root\"");
	cr_assert(strncmp(m, "<14>1 2023-11-14T22:13:20.123Z relay01 auditd - - - {", 53) == 0,
	          "header: %.60s", m);
	cr_assert_null(strstr(m, "\"host\""), "%s", m);
}

/* a node= that no host name could be does not name the message: the
 * sender does, and the node stays in the body; at the limits of the
 * characters and the length a HOSTNAME may have */
Test(pipeline, a_node_that_is_no_host_name_stays_in_the_body)
{
	static const struct { const char *node, *hdr; } cases[] = {
		{ "ev|il<13>1]x", "host07" },
		{ "web 01", NULL },               /* a space ends the node: "web" */
		{ "-", "host07" },                /* RFC 5424's NILVALUE */
		{ "a\\b", "host07" },
		{ "web\xc3\xa9" "01", "host07" }, /* not ASCII */
		{ "web-01.example.net", "web-01.example.net" },
		{ "web_01", "web_01" },           /* auditd name_format=user */
		{ "2001:db8::1", "2001:db8::1" }, /* name_format=numeric */
		{ "192.0.2.1", "192.0.2.1" },
	};
	char line[1024], want[512];
	size_t i;
	const char *m;

	conf.header.style = SYSLOG_HDR_RFC5424;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].hdr == NULL)
			continue;
		snprintf(line, sizeof(line), "<13>1 2023-11-14T22:13:20.123+00:00 host07 "
		         "audisp-syslog - - - node=%s type=CWD msg=audit(1700000000.123:4567): "
		         "cwd=\"/\"", cases[i].node);
		m = run(line);
		snprintf(want, sizeof(want), "<14>1 2023-11-14T22:13:20.123Z %s auditd - - - {",
		         cases[i].hdr);
		cr_assert(strncmp(m, want, strlen(want)) == 0, "node %s: %s", cases[i].node, m);
		cr_assert(strstr(m, "\"node\":\"") != NULL, "node %s: %s", cases[i].node, m);
	}
}

/* 255 characters are a HOSTNAME, 256 are not */
Test(pipeline, a_node_longer_than_a_hostname_stays_in_the_body)
{
	char line[1024], node[300];
	const char *m;

	conf.header.style = SYSLOG_HDR_RFC5424;
	memset(node, 'a', sizeof(node));
	node[255] = '\0';
	snprintf(line, sizeof(line), "<13>1 2023-11-14T22:13:20.123+00:00 host07 audisp-syslog - - - "
	         "node=%s type=CWD msg=audit(1700000000.123:1): cwd=\"/\"", node);
	m = run(line);
	cr_assert(strncmp(m + 31, node, 255) == 0 && m[31 + 255] == ' ', "%.300s", m);
	node[255] = 'a';
	node[256] = '\0';
	snprintf(line, sizeof(line), "<13>1 2023-11-14T22:13:20.123+00:00 host07 audisp-syslog - - - "
	         "node=%s type=CWD msg=audit(1700000000.123:2): cwd=\"/\"", node);
	m = run(line);
	cr_assert(strncmp(m + 31, "host07 ", 7) == 0, "%.300s", m);
}

Test(pipeline, syslog_hostname_names_the_host_when_there_is_no_node)
{
	const char *m = run("<13>1 2023-11-14T22:13:20.123+00:00 host07 audisp-syslog - - - "
	                    "type=CWD msg=audit(1700000000.123:4567): cwd=\"/\"");

	cr_assert(strstr(m, "\"host\":\"host07\"") != NULL, "%s", m);
}

Test(pipeline, repeated_field_names_stay_unique_keys)
{
	const char *m = run("type=USER_LOGIN msg=audit(1700000000.123:9): pid=1 uid=0 "
	                    "msg='op=login uid=1000 res=failed'");

	cr_assert(strstr(m, "\"uid\":\"0\"") != NULL, "%s", m);
	cr_assert(strstr(m, "\"uid_2\":\"1000\"") != NULL, "%s", m);
}

Test(pipeline, rfc5424_header_uses_audit_time_and_host)
{
	const char *m;

	conf.header.style = SYSLOG_HDR_RFC5424;
	m = run("node=web01 type=EOE msg=audit(1700000000.123:4567): ");
	cr_assert(strncmp(m, "<14>1 2023-11-14T22:13:20.123Z web01 auditd - - - {\"id\":", 55) == 0,
	          "%s", m);
}

Test(pipeline, unparsed_line_is_forwarded_flagged_by_default)
{
	const char *m = run("this is not audit\n");
	pipeline_stats_t *st = pipeline_stats(pipe_);

	cr_assert_str_eq(m, "{\"type\":\"UNPARSED\",\"reason\":\"not-audit\",\"host\":\"relay01\","
	                 "\"raw\":\"this is not audit\"}");
	cr_assert_eq(st->unparsed, 1);
	cr_assert_eq(st->unparsed_dropped, 0);
	cr_assert_eq(st->messages_out, 1);
}

Test(pipeline, unparsed_line_is_dropped_and_counted_when_asked)
{
	pipeline_stats_t *st;

	conf.unparsed = UNPARSED_DROP;
	cr_assert_null(run("garbage"));
	st = pipeline_stats(pipe_);
	cr_assert_eq(st->lines_in, 1);
	cr_assert_eq(st->unparsed, 1);
	cr_assert_eq(st->unparsed_dropped, 1);
	cr_assert_eq(st->messages_out, 0);
}

Test(pipeline, binary_input_is_flagged_with_its_reason)
{
	static const char line[] = "type=SYSCALL msg=audit(1700000000.123:1): a=\0b";
	size_t len;
	const char *m;

	pipe_ = pipeline_new(&conf, NULL);
	cr_assert_eq(pipeline_process(pipe_, line, sizeof(line) - 1, NULL, 0, &mb), 0);
	cr_assert_eq(mb.n, 1);
	m = msgbatch_msg(&mb, 0, &len);
	cr_assert(memmem(m, len, "\"reason\":\"binary\"", 17) != NULL);
	cr_assert(memmem(m, len, "a=\\u0000b", 9) != NULL, "the NUL is kept, escaped");
}

Test(pipeline, shared_stats_add_up_across_pipelines)
{
	pipeline_stats_t shared;
	pipeline_t *a, *b;

	memset(&shared, 0, sizeof(shared));
	a = pipeline_new(&conf, &shared);
	b = pipeline_new(&conf, &shared);
	pipeline_batch_begin(a);
	cr_assert_eq(pipeline_process(a, "x", 1, NULL, 0, &mb), 0);
	pipeline_batch_commit(a);
	pipeline_batch_begin(b);
	cr_assert_eq(pipeline_process(b, "type=EOE msg=audit(1.000:1): ", 29, NULL, 0, &mb), 0);
	pipeline_batch_commit(b);
	cr_assert_eq(shared.lines_in, 2);
	cr_assert_eq(shared.records_parsed, 1);
	cr_assert_eq(shared.unparsed, 1);
	pipeline_free(a);
	pipeline_free(b);
}

Test(pipeline, unparsed_syslog_message_keeps_its_sender_and_only_its_text)
{
	const char *m = run("<13>1 2024-11-25T07:40:01.000Z web01 audisp-syslog - - - "
	                    "hello world");

	cr_assert_str_eq(m, "{\"type\":\"UNPARSED\",\"reason\":\"not-audit\",\"host\":\"web01\","
	                 "\"raw\":\"hello world\"}");
}

/* ---- with a joiner ---- */

static const char *const sudo_event[] = {
	"type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=59 key=\"x\"",
	"type=PATH msg=audit(1700000000.100:10): item=0 name=\"/usr/bin/sudo\"",
	"type=CWD msg=audit(1700000000.100:10): cwd=\"/root\"",
	"type=PATH msg=audit(1700000000.100:10): item=1 name=\"/lib64/ld.so\"",
	"type=EOE msg=audit(1700000000.100:10): ",
};

static void feed(pipeline_t *p, const char *const *lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cr_assert_eq(pipeline_process(p, lines[i], strlen(lines[i]), NULL, 0, &mb), 0);
}

Test(pipeline, joined_event_is_one_message_with_repeated_types_as_arrays)
{
	size_t len;
	const char *m;

	joining_pipeline();
	pipeline_batch_begin(pipe_);
	feed(pipe_, sudo_event, 5);
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	pipeline_batch_commit(pipe_);
	cr_assert_eq(mb.n, 1);
	m = msgbatch_msg(&mb, 0, &len);
	cr_assert_eq(len, strlen("{\"id\":\"1700000000.100:10\",\"time\":\"2023-11-14T22:13:20.100Z\","
	             "\"host\":\"relay01\",\"type\":\"SYSCALL\",\"SYSCALL\":{\"arch\":\"c000003e\","
	             "\"syscall\":\"59\",\"key\":\"x\"},\"PATH\":[{\"item\":\"0\",\"name\":"
	             "\"/usr/bin/sudo\"},{\"item\":\"1\",\"name\":\"/lib64/ld.so\"}],\"CWD\":"
	             "{\"cwd\":\"/root\"}}"), "%.*s", (int)len, m);
	cr_assert_eq(memcmp(m, "{\"id\":\"1700000000.100:10\",\"time\":\"2023-11-14T22:13:20.100Z\","
	             "\"host\":\"relay01\",\"type\":\"SYSCALL\",\"SYSCALL\":{\"arch\":\"c000003e\","
	             "\"syscall\":\"59\",\"key\":\"x\"},\"PATH\":[{\"item\":\"0\",\"name\":"
	             "\"/usr/bin/sudo\"},{\"item\":\"1\",\"name\":\"/lib64/ld.so\"}],\"CWD\":"
	             "{\"cwd\":\"/root\"}}", len), 0);
}

Test(pipeline, a_rolled_back_batch_is_formatted_once_on_retry)
{
	size_t len;
	const char *m;

	joining_pipeline();
	pipeline_batch_begin(pipe_);
	feed(pipe_, sudo_event, 2);          /* batch 1: delivered */
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	cr_assert_eq(mb.n, 0);
	pipeline_batch_commit(pipe_);
	pipeline_batch_begin(pipe_);         /* batch 2: delivery fails */
	feed(pipe_, sudo_event + 2, 3);
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	cr_assert_eq(mb.n, 1);
	pipeline_batch_rollback(pipe_);
	msgbatch_reset(&mb);
	pipeline_batch_begin(pipe_);         /* rsyslog retries batch 2 */
	feed(pipe_, sudo_event + 2, 3);
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	pipeline_batch_commit(pipe_);
	cr_assert_eq(mb.n, 1);
	m = msgbatch_msg(&mb, 0, &len);
	cr_assert(memmem(m, len, "\"PATH\":[{\"item\":\"0\"", 19) != NULL, "%.*s", (int)len, m);
	cr_assert(memmem(m, len, "\"item\":\"1\"", 10) != NULL);
	cr_assert_null(memmem(m, len, "},{\"item\":\"1\"},{", 16), "no record twice");
}

Test(pipeline, flushed_event_is_marked_incomplete)
{
	size_t len;
	const char *m;

	joining_pipeline();
	pipeline_batch_begin(pipe_);
	feed(pipe_, sudo_event, 1);
	pipeline_flush(pipe_);
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	pipeline_batch_commit(pipe_);
	cr_assert_eq(mb.n, 1);
	m = msgbatch_msg(&mb, 0, &len);
	cr_assert(memmem(m, len, "\"type\":\"SYSCALL\",\"incomplete\":\"flush\",\"SYSCALL\":", 48) != NULL,
	          "%.*s", (int)len, m);
}

/* a batch that is rolled back and retried counts once */
Test(pipeline, counters_count_delivered_batches_only)
{
	pipeline_stats_t *st;

	pipe_ = pipeline_new(&conf, NULL);
	st = pipeline_stats(pipe_);
	pipeline_batch_begin(pipe_);
	feed(pipe_, sudo_event, 2);
	pipeline_batch_rollback(pipe_);
	cr_assert_eq(st->lines_in, 0);
	cr_assert_eq(st->messages_out, 0);
	pipeline_batch_begin(pipe_);
	feed(pipe_, sudo_event, 2);
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	pipeline_batch_commit(pipe_);
	cr_assert_eq(st->lines_in, 2);
	cr_assert_eq(st->records_parsed, 2);
	cr_assert_eq(st->messages_out, 2, "join off: a message per record");
}

/* ---- routes (dynaTopic, dynaKey) ---- */

static void feed_routed(pipeline_t *p, const char *const *lines, size_t n, const char *route)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char r[64];
		int len = snprintf(r, sizeof(r), "%s%zu", route, i);

		cr_assert_eq(pipeline_process_routed(p, lines[i], strlen(lines[i]), NULL, 0, r,
		                                     (size_t)len, &mb), 0);
	}
}

static void assert_route(size_t i, const char *want)
{
	const msgbatch_t *routes = pipeline_routes(pipe_);
	size_t len;
	const char *r;

	cr_assert_eq(routes->n, mb.n, "a route per message");
	r = msgbatch_msg(routes, i, &len);
	cr_assert(len == strlen(want) && memcmp(r, want, len) == 0, "message %zu: route %.*s, "
	          "not %s", i, (int)len, r, want);
}

/* an event goes where its first record's message was to go, even when
 * it completes in a later batch; an unparsed line where its own was */
Test(pipeline, a_joined_event_takes_its_first_records_route)
{
	conf.routes = 1;
	joining_pipeline();
	pipeline_batch_begin(pipe_);
	feed_routed(pipe_, sudo_event, 2, "one.");
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	cr_assert_eq(mb.n, 0);
	cr_assert_eq(pipeline_routes(pipe_)->n, 0);
	pipeline_batch_commit(pipe_);
	pipeline_batch_begin(pipe_);
	feed_routed(pipe_, sudo_event + 2, 3, "two.");
	cr_assert_eq(pipeline_process_routed(pipe_, "not audit", 9, NULL, 0, "bad", 3, &mb), 0);
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	cr_assert_eq(mb.n, 2);
	assert_route(0, "bad");             /* unparsed: at once */
	assert_route(1, "one.0");           /* the event: at the batch's end */
	pipeline_batch_commit(pipe_);
	/* a line without a route: an empty one */
	msgbatch_reset(&mb);
	pipeline_batch_begin(pipe_);
	cr_assert_eq(pipeline_process(pipe_, "not audit", 9, NULL, 0, &mb), 0);
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	assert_route(0, "");
	pipeline_batch_commit(pipe_);
}

/* joining off: a record's own; format raw: each record of an event the
 * event's */
Test(pipeline, routes_without_joining_and_per_record_formats)
{
	conf.routes = 1;
	pipe_ = pipeline_new(&conf, NULL);
	pipeline_batch_begin(pipe_);
	feed_routed(pipe_, sudo_event, 2, "r.");
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	cr_assert_eq(mb.n, 2);
	assert_route(0, "r.0");
	assert_route(1, "r.1");
	pipeline_batch_commit(pipe_);
	pipeline_free(pipe_);

	msgbatch_reset(&mb);
	conf.format = &format_raw;
	joining_pipeline();
	pipeline_batch_begin(pipe_);
	feed_routed(pipe_, sudo_event, 5, "e.");
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	cr_assert_eq(mb.n, 4);
	assert_route(0, "e.0");
	assert_route(3, "e.0");
	pipeline_batch_commit(pipe_);
}

/* message I's route carries the host its syslog header names (what
 * Kafka's key "host" means), its topic and key unchanged */
static void assert_route_host(size_t i, const char *topic, const char *key)
{
	const char *m, *r, *h, *e;
	size_t len, rlen;
	transport_route_t rt;

	m = msgbatch_msg(&mb, i, &len);
	h = strchr(strchr(m, ' ') + 1, ' ') + 1;      /* <PRI>1 TIME HOST ... */
	e = strchr(h, ' ');
	r = msgbatch_msg(pipeline_routes(pipe_), i, &rlen);
	transport_route_read(r, rlen, &rt);
	cr_assert(rt.host_len == (size_t)(e - h) && memcmp(rt.host, h, rt.host_len) == 0,
	          "message %zu: route host %.*s, header %.*s", i, (int)rt.host_len, rt.host,
	          (int)(e - h), h);
	cr_assert(rt.topic_len == strlen(topic) && memcmp(rt.topic, topic, rt.topic_len) == 0);
	cr_assert_eq(rt.has_key, key != NULL);
	if (key != NULL)
		cr_assert(rt.key_len == strlen(key) && memcmp(rt.key, key, rt.key_len) == 0);
}

Test(pipeline, a_route_carries_the_host_of_its_header)
{
	static const transport_route_t keyed = { "audit.x", 7, "k1", 2, 1, NULL, 0 };
	buf_t r;

	buf_init(&r);
	transport_route_write(&r, &keyed);
	conf.routes = 1;
	conf.header.style = SYSLOG_HDR_RFC5424;
	pipe_ = pipeline_new(&conf, NULL);
	pipeline_batch_begin(pipe_);
	/* a hint with a space: written "web_01" in the header and the route */
	cr_assert_eq(pipeline_process_routed(pipe_, "not audit", 9, "web 01", 6, r.p, r.len,
	                                     &mb), 0);
	cr_assert_eq(pipeline_process_routed(pipe_, sudo_event[0], strlen(sudo_event[0]),
	                                     NULL, 0, NULL, 0, &mb), 0);
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	cr_assert_eq(mb.n, 2);
	assert_route_host(0, "audit.x", "k1");
	assert_route_host(1, "", NULL);
	pipeline_batch_commit(pipe_);
	buf_free(&r);
}

/* routes are per batch: a rolled back batch's are gone on the retry */
Test(pipeline, a_retried_batch_has_its_routes_once)
{
	conf.routes = 1;
	joining_pipeline();
	pipeline_batch_begin(pipe_);
	feed_routed(pipe_, sudo_event, 5, "x.");
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	pipeline_batch_rollback(pipe_);
	msgbatch_reset(&mb);
	pipeline_batch_begin(pipe_);
	feed_routed(pipe_, sudo_event, 5, "y.");
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	cr_assert_eq(mb.n, 1);
	assert_route(0, "y.0");
	pipeline_batch_commit(pipe_);
}

/* issue 13: audit(9223372036854775807.999:1) became 1900-01-00T00:00:00.999Z
 * in the header and rt=18446744073709551615 in CEF; year 10000 became
 * 10000-01-01T...: the receiving clock stands in, the event says so, and
 * its id keeps the time as written */
Test(pipeline, an_implausible_audit_time_never_reaches_a_time_key)
{
	static const struct { const format_ops_t *f; const char *flag; } fmts[] = {
		{ &format_json, "\"time_from\":\"received\"" },
		{ &format_leef, "audit.time_from=received" },
		{ &format_cef, "audit.time_from=received" },
		{ &format_raw, "" },
	};
	static const char *const lines[] = {
		"type=USER_LOGIN msg=audit(9223372036854775807.999:1): pid=1 res=success",
		"type=USER_LOGIN msg=audit(253402300800.000:2): pid=1 res=success",
	};
	char year[16], want[64];
	size_t f, l;
	time_t now = time(NULL);
	struct tm tm;
	const char *m;

	gmtime_r(&now, &tm);
	snprintf(year, sizeof(year), "%04d-", tm.tm_year + 1900);
	conf.header.style = SYSLOG_HDR_RFC5424;
	for (f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
		for (l = 0; l < 2; l++) {
			conf.format = fmts[f].f;
			pipeline_free(pipe_);
			pipe_ = NULL;
			m = run(lines[l]);
			cr_assert(strncmp(m + 6, year, 5) == 0, "receive time in the header: %s", m);
			cr_assert(strstr(m, fmts[f].flag) != NULL, "%s", m);
			cr_assert(strstr(m, "10000-") == NULL && strstr(m, "1900-") == NULL &&
			          strstr(m, "rt=18446744073709551615") == NULL, "%s", m);
			if (fmts[f].f == &format_raw)
				continue;
			snprintf(want, sizeof(want), "%.*s", 18, strchr(lines[l], '(') + 1);
			cr_assert(strstr(m, want) != NULL, "the id keeps %s: %s", want, m);
			if (fmts[f].f == &format_cef)
				cr_assert(strstr(m, "rt=1") != NULL, "%s", m);
		}
}

Test(pipeline, an_audit_time_a_day_ahead_is_kept)
{
	char line[128];
	const char *m;

	snprintf(line, sizeof(line), "type=USER_LOGIN msg=audit(%lld.000:3): pid=1",
	         (long long)time(NULL) + AUDIT_TIME_FUTURE_MAX_S - 60);
	m = run(line);
	cr_assert(strstr(m, "time_from") == NULL, "%s", m);
}

/* the messages of one batch of LINES, as one string */
static void batch_text(const char *const *lines, size_t n, buf_t *out)
{
	size_t i, len;
	const char *m;

	msgbatch_reset(&mb);
	pipeline_batch_begin(pipe_);
	for (i = 0; i < n; i++)
		cr_assert_eq(pipeline_process(pipe_, lines[i], strlen(lines[i]), NULL, 0, &mb), 0);
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	buf_reset(out);
	for (i = 0; i < mb.n; i++) {
		m = msgbatch_msg(&mb, i, &len);
		buf_append(out, m, len);
		buf_putc(out, '\n');
	}
}

/* until this host's clock is in a later second than T (a second at most) */
static void next_second(time_t t)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	while (time(NULL) <= t)
		nanosleep(&ts, NULL);
}

/* A retried batch sends the bytes the first try sent (Kafka compares them
 * to know what a failed batch already delivered): the clock that stands
 * in for an implausible audit time and that stamps an unparsed line's
 * header is the first try's, however late the retry; a committed batch's
 * successor reads the clock again. The fuzz target fuzz_filter found the
 * retry differing when a second went by between the two tries. */
Test(pipeline, a_retried_batch_keeps_its_clock)
{
	static const char *const lines[] = {
		"type=USER_LOGIN msg=audit(253402300800.000:2): pid=1 res=success",
		"not an audit record",
	};
	static const format_ops_t *const fmts[] = { &format_json, &format_leef, &format_cef,
	                                            &format_raw };
	buf_t first, again;
	size_t f;

	buf_init(&first);
	buf_init(&again);
	conf.header.style = SYSLOG_HDR_RFC5424;
	for (f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		conf.format = fmts[f];
		pipeline_free(pipe_);
		audit_joiner_free(joiner_);
		joining_pipeline();
		batch_text(lines, 2, &first);
		cr_assert_eq(mb.n, 2);
		pipeline_batch_rollback(pipe_);
		next_second(time(NULL));
		batch_text(lines, 2, &again);
		cr_assert(again.len == first.len && memcmp(again.p, first.p, first.len) == 0,
		          "%s: the retry differs:\n%.*s\nfirst:\n%.*s", fmts[f]->name,
		          (int)again.len, again.p, (int)first.len, first.p);
		pipeline_batch_rollback(pipe_);    /* and again, later still */
		next_second(time(NULL));
		batch_text(lines, 2, &again);
		cr_assert(again.len == first.len && memcmp(again.p, first.p, first.len) == 0);
		pipeline_batch_commit(pipe_);
		batch_text(lines, 2, &again);      /* a new batch: a new clock */
		cr_assert(again.len != first.len || memcmp(again.p, first.p, first.len) != 0,
		          "%s: a new batch kept the old clock", fmts[f]->name);
		pipeline_batch_commit(pipe_);
	}
	buf_free(&first);
	buf_free(&again);
}

/* ... but not for longer than conf.clock_hold_ms (an hour by default): a
 * retry after a longer outage reads the clock again, so the records of the
 * moment never look implausible against a clock kept from its start */
Test(pipeline, a_retry_later_than_the_hold_reads_the_clock_again)
{
	static const char *const lines[] = {
		"type=USER_LOGIN msg=audit(253402300800.000:2): pid=1 res=success",
	};
	buf_t first, again;
	time_t t;

	cr_assert_eq(conf.clock_hold_ms, PIPELINE_CLOCK_HOLD_MS);
	cr_assert_lt(PIPELINE_CLOCK_HOLD_MS, AUDIT_TIME_FUTURE_MAX_S * 1000LL / 2);
	buf_init(&first);
	buf_init(&again);
	conf.header.style = SYSLOG_HDR_RFC5424;
	conf.clock_hold_ms = 500;
	t = time(NULL);
	joining_pipeline();
	batch_text(lines, 1, &first);
	pipeline_batch_rollback(pipe_);
	next_second(t + 1);                 /* more than a second later */
	batch_text(lines, 1, &again);
	cr_assert(again.len != first.len || memcmp(again.p, first.p, first.len) != 0,
	          "a retry past the hold kept the old clock: %.*s", (int)again.len, again.p);
	pipeline_batch_commit(pipe_);
	buf_free(&first);
	buf_free(&again);
}
