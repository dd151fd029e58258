/* fuzz_pipeline.c -- libFuzzer target for the pipeline with every format
 * the format table knows: the input's lines go through pipeline_process();
 * every message must be one syslog header (as configured) plus a body
 * without NUL, CR or LF, and there must be exactly one message per line
 * (none for a line the unparsed=drop policy dropped). With format json the
 * whole message is also valid UTF-8 without control bytes and the body one
 * valid JSON object with unique keys.
 *
 * The first input byte picks the configuration:
 *   bits 0-1  syslog header: 0 rfc5424, 1 rfc3164, 2 none, 3 rfc5424
 *   bit 2     unparsed: 0 forward, 1 drop
 *   bit 3     enrichment (ids=never)
 *   bit 4     a host hint and a route ("r<line number>") with every line:
 *             every message has a route, a line's number (its own line's
 *             when joining is off); a replay gives the same routes
 *   bit 5     joining on: one batch, flushed, and (bit 6) rolled back and
 *             replayed, which must give the same messages
 *   bit 7     0: format json; 1: the next byte picks the format, by its
 *             low nibble's index modulo the number of formats in
 *             format_names(), so a format added to the table is fuzzed
 *             without a change here; its high nibble H, when not 0, sets
 *             maxMessageSize: REDUCE_MIN_LIMIT + (H - 1) * 256
 * With a size limit no message may be larger (reduce.c), each must still
 * pass the checks above, and (joining on, first try) every message of the
 * batch written again by pipeline_reduce() at REDUCE_MIN_LIMIT must fit
 * that and pass them too.
 * Set FUZZ_ALLOW_DUP_KEYS=1 to accept JSON objects with repeated keys.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_event.h"
#include "enrich.h"
#include "pipeline.h"
#include "reduce.h"
#include "transport.h"
#include "fuzz_util.h"

#define CFG_STYLE_MASK  0x03
#define CFG_DROP        0x04
#define CFG_ENRICH      0x08
#define CFG_HOST_HINT   0x10
#define CFG_JOIN        0x20
#define CFG_REPLAY      0x40
#define CFG_FORMAT      0x80
#define FUZZ_MAX_FORMATS 32

#define FUZZ_LOCAL_HOST "fuzzhost.example"
#define FUZZ_HOST_HINT  "relay-7"
#define FUZZ_JOIN_MAX_PENDING 64
#define FUZZ_LIMIT_STEP       256   /* maxMessageSize steps of the format byte */

static enrich_t *enricher;
static int allow_dup_keys;
static const format_ops_t *formats[FUZZ_MAX_FORMATS];
static size_t nformats;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every name in format_names() ("json, leef, ..."), found by format_find(). */
static void load_formats(void)
{
	const char *p = format_names();
	char name[64];
	size_t len;

	while (*p != '\0') {
		len = strcspn(p, ", ");
		if (len > 0) {
			FUZZ_CHECK(len < sizeof(name) && nformats < FUZZ_MAX_FORMATS,
			           "format_names(): %s", format_names());
			memcpy(name, p, len);
			name[len] = '\0';
			formats[nformats] = format_find(name);
			FUZZ_CHECK(formats[nformats] != NULL,
			           "format_names() lists \"%s\", format_find() does not know it", name);
			nformats++;
		}
		p += len;
		p += strspn(p, ", ");
	}
	FUZZ_CHECK(nformats > 0 && format_find("json") != NULL, "no formats, or no json");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	enrich_conf_t ec;
	const char *dup = getenv("FUZZ_ALLOW_DUP_KEYS");

	(void)argc;
	(void)argv;
	enrich_conf_default(&ec);
	ec.ids = ENRICH_IDS_NEVER;
	ec.local_host = FUZZ_LOCAL_HOST;
	enricher = enrich_new(&ec);
	FUZZ_CHECK(enricher != NULL, "enrich_new");
	allow_dup_keys = dup != NULL && strcmp(dup, "1") == 0;
	load_formats();
	return 0;
}

static size_t skip_past(const char *s, size_t len, size_t at, char c)
{
	while (at < len && s[at] != c)
		at++;
	FUZZ_CHECK(at < len, "header: no '%c'", c);
	return at + 1;
}

/* Offset of the body in message S: past the header the style writes. */
static size_t body_offset(const char *s, size_t len, syslog_style_t style,
                          const char *app)
{
	size_t at = 0, applen = strlen(app);
	int spaces;

	if (style == SYSLOG_HDR_NONE)
		return 0;
	FUZZ_CHECK(len > 0 && s[0] == '<', "header: no PRI");
	at = skip_past(s, len, 0, '>');
	if (style == SYSLOG_HDR_RFC5424) {
		/* 1 TIMESTAMP HOST APP - - - : seven spaces, none inside a token */
		FUZZ_CHECK(at < len && s[at] == '1', "header: no VERSION");
		for (spaces = 0; spaces < 4; spaces++)
			at = skip_past(s, len, at, ' ');
		FUZZ_CHECK(len - at >= 6 && memcmp(s + at, "- - - ", 6) == 0,
		           "header: no '- - - ' after APP-NAME");
		FUZZ_CHECK(memcmp(s + at - applen - 1, app, applen) == 0,
		           "header: APP-NAME is not %s", app);
		return at + 6;
	}
	/* Mmm dd hh:mm:ss HOST APP: -- the date is 15 characters */
	FUZZ_CHECK(len - at > 16 && s[at + 15] == ' ', "header: bad RFC 3164 date");
	at = skip_past(s, len, at + 16, ' ');
	FUZZ_CHECK(len - at >= applen + 2 && memcmp(s + at, app, applen) == 0 &&
	           memcmp(s + at + applen, ": ", 2) == 0, "header: no '%s: '", app);
	return at + applen + 2;
}

static int is_json;   /* the format of the current input */
static size_t max_msg; /* its size limit (0: none) */

static void check_message(const char *m, size_t len, syslog_style_t style,
                          const char *app)
{
	size_t i, at, body;
	const char *err;

	FUZZ_CHECK(max_msg == 0 || len <= max_msg, "a message of %zu bytes, limit %zu", len,
	           max_msg);
	for (i = 0; i < len; i++)
		if (m[i] == '\0' || m[i] == '\r' || m[i] == '\n') {
			fuzz_show("message", m, len, i);
			FUZZ_CHECK(0, "NUL, CR or LF at %zu", i);
		}
	body = body_offset(m, len, style, app);
	if (!is_json)
		return;
	for (i = 0; i < len; i++)
		if ((unsigned char)m[i] < 0x20 || m[i] == 0x7f) {
			fuzz_show("message", m, len, i);
			FUZZ_CHECK(0, "control byte %#x at %zu", (unsigned char)m[i], i);
		}
	if (!fuzz_utf8_valid((const unsigned char *)m, len)) {
		fuzz_show("message", m, len, 0);
		FUZZ_CHECK(0, "message is not valid UTF-8");
	}
	err = fuzz_json_object_check(m + body, len - body, !allow_dup_keys, &at);
	if (err != NULL) {
		fuzz_show("body", m + body, len - body, at);
		FUZZ_CHECK(0, "body is not a valid JSON object: %s at offset %zu", err, at);
	}
}

static void check_batch(const msgbatch_t *mb, size_t from, syslog_style_t style,
                        const char *app)
{
	size_t i, len;

	for (i = from; i < mb->n; i++) {
		const char *m = msgbatch_msg(mb, i, &len);

		check_message(m, len, style, app);
	}
}

/* One line into P, with the route "r<N>" when the pipeline keeps routes. */
static void process(pipeline_t *p, const pipeline_conf_t *conf, const char *line, size_t len,
                    const char *hint, size_t n, msgbatch_t *mb)
{
	char route[32];
	int rlen = snprintf(route, sizeof(route), "r%zu", n);

	FUZZ_CHECK(pipeline_process_routed(p, line, len, hint, hint ? strlen(hint) : 0,
	                                   conf->routes ? route : NULL, (size_t)rlen, mb) == 0,
	           "pipeline_process failed");
}

/* With routes: one per message of MB from FROM on, each "r<N>" with N below
 * NLINES, and N == ONLY unless ONLY is -1. */
static void check_routes(const pipeline_t *p, const pipeline_conf_t *conf, const msgbatch_t *mb,
                         size_t from, size_t nlines, long only)
{
	const msgbatch_t *routes = pipeline_routes(p);
	size_t i, len;
	char buf[32];
	const char *r;
	transport_route_t rt;
	long n;

	if (!conf->routes)
		return;
	FUZZ_CHECK(routes->n == mb->n, "%zu routes for %zu messages", routes->n, mb->n);
	for (i = from; i < routes->n; i++) {
		r = msgbatch_msg(routes, i, &len);
		/* the pipeline adds the event's host: the topic is what came in */
		transport_route_read(r, len, &rt);
		FUZZ_CHECK(rt.topic_len > 1 && rt.topic_len < sizeof(buf) && rt.topic[0] == 'r',
		           "route %zu: %.*s", i, (int)len, r);
		memcpy(buf, rt.topic + 1, rt.topic_len - 1);
		buf[rt.topic_len - 1] = '\0';
		n = strtol(buf, NULL, 10);
		FUZZ_CHECK(n >= 0 && (size_t)n < nlines && (only < 0 || n == only),
		           "route %zu is %s: %zu lines, expected %ld", i, buf, nlines, only);
	}
}

/* The line starting at *AT (without its '\n'); 0 when there is none. */
static int next_line(const char *in, size_t size, size_t *at,
                     const char **line, size_t *len)
{
	const char *nl;

	if (*at >= size)
		return 0;
	*line = in + *at;
	nl = memchr(*line, '\n', size - *at);
	*len = nl ? (size_t)(nl - *line) : size - *at;
	*at += *len + 1;
	return 1;
}

/* Joining off: a batch per line, so the stats tell what became of it. */
static void run_lines(pipeline_t *p, const pipeline_conf_t *conf, const char *in,
                      size_t size, const char *hint, msgbatch_t *mb)
{
	pipeline_stats_t *st = pipeline_stats(p);
	const char *line;
	size_t at = 0, len, before, n = 0;

	while (next_line(in, size, &at, &line, &len)) {
		pipeline_stats_t s0 = *st, d;

		before = mb->n;
		pipeline_batch_begin(p);
		process(p, conf, line, len, hint, n, mb);
		FUZZ_CHECK(pipeline_batch_end(p, mb) == 0, "pipeline_batch_end failed");
		check_routes(p, conf, mb, before, n + 1, (long)n);
		n++;
		pipeline_batch_commit(p);
		d.lines_in = st->lines_in - s0.lines_in;
		d.records_parsed = st->records_parsed - s0.records_parsed;
		d.unparsed = st->unparsed - s0.unparsed;
		d.unparsed_dropped = st->unparsed_dropped - s0.unparsed_dropped;
		d.messages_out = st->messages_out - s0.messages_out;
		FUZZ_CHECK(d.lines_in == 1 && d.records_parsed + d.unparsed == 1,
		           "stats: lines %llu parsed %llu unparsed %llu",
		           (unsigned long long)d.lines_in, (unsigned long long)d.records_parsed,
		           (unsigned long long)d.unparsed);
		FUZZ_CHECK(d.unparsed_dropped ==
		           (conf->unparsed == UNPARSED_DROP ? d.unparsed : 0),
		           "stats: dropped %llu of %llu unparsed",
		           (unsigned long long)d.unparsed_dropped, (unsigned long long)d.unparsed);
		FUZZ_CHECK(mb->n - before == 1 - d.unparsed_dropped,
		           "%zu messages for one line (dropped %llu)", mb->n - before,
		           (unsigned long long)d.unparsed_dropped);
		FUZZ_CHECK(d.messages_out == mb->n - before, "stats: messages_out %llu, made %zu",
		           (unsigned long long)d.messages_out, mb->n - before);
		check_batch(mb, before, conf->header.style, conf->header.app_name);
		msgbatch_reset(mb);
	}
}

/* Joining on: every line in one batch, flushed at the end. */
static void run_joined(pipeline_t *p, const pipeline_conf_t *conf, const char *in,
                       size_t size, const char *hint, msgbatch_t *mb)
{
	const char *line;
	size_t at = 0, len, n = 0;

	pipeline_batch_begin(p);
	while (next_line(in, size, &at, &line, &len))
		process(p, conf, line, len, hint, n++, mb);
	pipeline_flush(p);
	FUZZ_CHECK(pipeline_batch_end(p, mb) == 0, "pipeline_batch_end failed");
	check_batch(mb, 0, conf->header.style, conf->header.app_name);
	check_routes(p, conf, mb, 0, n, -1);
}

/* Every message of the open batch again at the smallest limit */
static void check_reduce_all(pipeline_t *p, const pipeline_conf_t *conf, size_t n)
{
	size_t i, keep = max_msg;
	buf_t out;

	buf_init(&out);
	max_msg = REDUCE_MIN_LIMIT;
	for (i = 0; i < n; i++) {
		buf_reset(&out);
		FUZZ_CHECK(pipeline_reduce(p, i, REDUCE_MIN_LIMIT, &out) == 0,
		           "pipeline_reduce(%zu) failed", i);
		check_message(out.p, out.len, conf->header.style, conf->header.app_name);
	}
	FUZZ_CHECK(pipeline_reduce(p, n, REDUCE_MIN_LIMIT, &out) == -1,
	           "pipeline_reduce past the batch");
	max_msg = keep;
	buf_free(&out);
}

/* the batch's routes, copied (the pipeline's are reset by the next batch) */
static void copy_routes(const pipeline_t *p, msgbatch_t *out)
{
	const msgbatch_t *routes = pipeline_routes(p);
	size_t i, len;
	const char *r;

	for (i = 0; i < routes->n; i++) {
		r = msgbatch_msg(routes, i, &len);
		msgbatch_begin(out);
		buf_append(&out->data, r, len);
		FUZZ_CHECK(msgbatch_end(out) == 0, "out of memory");
	}
}

/* The number of lines, and of those that are records other than EOE (an
 * EOE only ends an event: alone it makes no message). */
static size_t count_lines(const char *in, size_t size, size_t *not_eoe)
{
	static audit_record_t r;
	const char *line;
	size_t at = 0, len, n = 0;

	*not_eoe = 0;
	while (next_line(in, size, &at, &line, &len)) {
		n++;
		if (audit_record_parse(&r, line, len) == AUDIT_PARSE_OK &&
		    r.type != AUDIT_TYPE_EOE)
			(*not_eoe)++;
	}
	return n;
}

/* Every forwarded unparsed line is a message; the records other than EOE
 * make between one event (all joined) and one per record. */
static void check_joined_counts(const pipeline_stats_t *st, const msgbatch_t *mb,
                                const char *in, size_t size)
{
	uint64_t fwd = st->unparsed - st->unparsed_dropped;
	size_t recs, lines = count_lines(in, size, &recs);

	FUZZ_CHECK(st->lines_in == lines && st->records_parsed + st->unparsed == lines,
	           "stats: %zu lines, in %llu, parsed %llu, unparsed %llu", lines,
	           (unsigned long long)st->lines_in, (unsigned long long)st->records_parsed,
	           (unsigned long long)st->unparsed);
	FUZZ_CHECK(st->messages_out == mb->n, "stats: messages_out %llu, made %zu",
	           (unsigned long long)st->messages_out, mb->n);
	FUZZ_CHECK(mb->n >= fwd + (recs > 0) && mb->n <= fwd + recs,
	           "%zu messages for %llu forwarded lines and %zu records (not EOE)",
	           mb->n, (unsigned long long)fwd, recs);
}

/* the whole message, headers too: a replay keeps the batch's clock, the
 * time an unparsed line's header and an implausible time's stand-in show */
static void check_replay(const msgbatch_t *a, const msgbatch_t *b)
{
	size_t i, la, lb;

	FUZZ_CHECK(a->n == b->n, "replayed batch has %zu messages, first try %zu", b->n, a->n);
	for (i = 0; i < a->n; i++) {
		const char *ma = msgbatch_msg(a, i, &la), *mb = msgbatch_msg(b, i, &lb);

		FUZZ_CHECK(la == lb && memcmp(ma, mb, la) == 0, "replayed message %zu differs", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const syslog_style_t styles[4] = {
		SYSLOG_HDR_RFC5424, SYSLOG_HDR_RFC3164, SYSLOG_HDR_NONE, SYSLOG_HDR_RFC5424
	};
	pipeline_conf_t conf;
	const format_ops_t *fmt;
	audit_joiner_conf_t jc;
	audit_joiner_t *joiner = NULL;
	pipeline_t *p;
	msgbatch_t mb, again, routes1, routes2;
	const char *hint;
	char *in;
	unsigned cfg;

	if (size < 1)
		return 0;
	cfg = data[0];
	data++;
	size--;
	fmt = format_find("json");
	max_msg = 0;
	if ((cfg & CFG_FORMAT) && size > 0) {
		fmt = formats[(data[0] & 0x0F) % nformats];
		if (data[0] >> 4)
			max_msg = REDUCE_MIN_LIMIT + (size_t)((data[0] >> 4) - 1) * FUZZ_LIMIT_STEP;
		data++;   /* the format byte is no line */
		size--;
	}
	in = malloc(size ? size : 1);   /* exact size: ASan sees over-reads */
	FUZZ_CHECK(in != NULL, "out of memory");
	if (size)
		memcpy(in, data, size);

	pipeline_conf_default(&conf);
	conf.format = fmt;
	is_json = strcmp(conf.format->name, "json") == 0;
	conf.header.style = styles[cfg & CFG_STYLE_MASK];
	conf.unparsed = (cfg & CFG_DROP) ? UNPARSED_DROP : UNPARSED_FORWARD;
	conf.local_host = FUZZ_LOCAL_HOST;
	conf.enrich = (cfg & CFG_ENRICH) ? enricher : NULL;
	hint = (cfg & CFG_HOST_HINT) ? FUZZ_HOST_HINT : NULL;
	conf.routes = hint != NULL;
	conf.max_message = max_msg;
	if (cfg & CFG_JOIN) {
		audit_joiner_conf_default(&jc);
		jc.max_pending = FUZZ_JOIN_MAX_PENDING;   /* eviction is reachable */
		joiner = audit_joiner_new(&jc);
		FUZZ_CHECK(joiner != NULL, "audit_joiner_new");
		conf.joiner = joiner;
	}
	p = pipeline_new(&conf, NULL);
	FUZZ_CHECK(p != NULL, "pipeline_new");
	msgbatch_init(&mb);
	msgbatch_init(&again);
	msgbatch_init(&routes1);
	msgbatch_init(&routes2);

	if (joiner == NULL) {
		run_lines(p, &conf, in, size, hint, &mb);
	} else if (cfg & CFG_REPLAY) {
		run_joined(p, &conf, in, size, hint, &mb);
		copy_routes(p, &routes1);
		pipeline_batch_rollback(p);
		run_joined(p, &conf, in, size, hint, &again);
		copy_routes(p, &routes2);
		pipeline_batch_commit(p);
		check_replay(&mb, &again);
		FUZZ_CHECK(routes1.data.len == routes2.data.len && routes1.n == routes2.n &&
		           (routes1.data.len == 0 ||
		            memcmp(routes1.data.p, routes2.data.p, routes1.data.len) == 0),
		           "the replay's routes differ");
	} else {
		run_joined(p, &conf, in, size, hint, &mb);
		if (max_msg)
			check_reduce_all(p, &conf, mb.n);
		pipeline_batch_commit(p);
	}
	if (joiner != NULL)
		check_joined_counts(pipeline_stats(p), &mb, in, size);

	msgbatch_free(&mb);
	msgbatch_free(&again);
	msgbatch_free(&routes1);
	msgbatch_free(&routes2);
	pipeline_free(p);
	audit_joiner_free(joiner);
	free(in);
	return 0;
}
