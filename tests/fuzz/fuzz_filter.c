/* fuzz_filter.c -- libFuzzer target for event filters and ATT&CK tags:
 * the input is a rule set, a line "----", then audit lines. A rule set
 * that parses runs over the lines in one joined batch (JSON, audit-time
 * limit windows), which is then rolled back and run again: both runs must
 * give the same messages (a retried batch decides the same, summaries
 * included), every message must be one JSON object, and no more events
 * may come out than went in plus the summaries; pipeline_reduce() writes
 * each message again as it was sent, and within the smallest limit. A
 * rule set that does not parse must say which rule is at fault.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "pipeline.h"
#include "reduce.h"
#include "fuzz_util.h"

#define FUZZ_SEP "\n----\n"
#define FUZZ_LOCAL_HOST "fuzzhost.example"
#define REDUCE_NO_CUT   ((size_t)1 << 30)   /* larger than any message here */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t run(pipeline_t *p, const char *in, size_t size, msgbatch_t *mb)
{
	const char *line = in, *end = in + size, *nl;
	size_t n = 0;

	msgbatch_reset(mb);
	pipeline_batch_begin(p);
	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		FUZZ_CHECK(pipeline_process(p, line, (size_t)(nl - line), NULL, 0, mb) == 0,
		           "pipeline_process failed");
		n++;
		line = nl + 1;
	}
	pipeline_flush(p);
	FUZZ_CHECK(pipeline_batch_end(p, mb) == 0, "pipeline_batch_end failed");
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *sep;
	char *rules, err[512];
	const char *texts[1];
	filter_rules_t *rs;
	filter_t *f;
	audit_joiner_conf_t jc;
	audit_joiner_t *j;
	pipeline_conf_t c;
	pipeline_t *p;
	msgbatch_t a, b;
	buf_t out;
	size_t i, len, lb, nlines, rlen;

	sep = memmem(in, size, FUZZ_SEP, strlen(FUZZ_SEP));
	if (sep == NULL || memchr(in, '\0', (size_t)(sep - in)) != NULL)
		return 0;
	rlen = (size_t)(sep - in);
	rules = malloc(rlen + 1);
	FUZZ_CHECK(rules != NULL, "malloc");
	memcpy(rules, in, rlen);
	rules[rlen] = '\0';
	texts[0] = rules;
	rs = filter_rules_parse(texts, 1, err, sizeof(err));
	free(rules);
	if (rs == NULL) {
		FUZZ_CHECK(strncmp(err, "rule ", 5) == 0 || strncmp(err, "more than", 9) == 0 ||
		           strcmp(err, "out of memory") == 0, "error without its rule: %s", err);
		return 0;
	}
	FUZZ_CHECK((f = filter_new(rs)) != NULL, "filter_new");
	audit_joiner_conf_default(&jc);
	jc.max_pending = 64;
	FUZZ_CHECK((j = audit_joiner_new(&jc)) != NULL, "audit_joiner_new");
	pipeline_conf_default(&c);
	c.header.style = SYSLOG_HDR_NONE;
	c.local_host = FUZZ_LOCAL_HOST;
	c.joiner = j;
	c.filter = f;
	c.filter_audit_clock = 1;
	FUZZ_CHECK((p = pipeline_new(&c, NULL)) != NULL, "pipeline_new");
	msgbatch_init(&a);
	msgbatch_init(&b);
	in = sep + strlen(FUZZ_SEP);
	size -= (size_t)(in - (const char *)data);
	nlines = run(p, in, size, &a);
	pipeline_batch_rollback(p);
	run(p, in, size, &b);
	FUZZ_CHECK(a.n == b.n, "replay: %zu messages, first try %zu", b.n, a.n);
	for (i = 0; i < a.n; i++) {
		const char *ma = msgbatch_msg(&a, i, &len), *mb_ = msgbatch_msg(&b, i, &lb);
		size_t at;
		const char *e;

		FUZZ_CHECK(len == lb && memcmp(ma, mb_, len) == 0, "replayed message %zu differs", i);
		e = fuzz_json_object_check(ma, len, 1, &at);
		if (e != NULL) {
			fuzz_show("message", ma, len, at);
			FUZZ_CHECK(0, "not a JSON object: %s at %zu", e, at);
		}
	}
	FUZZ_CHECK(a.n <= nlines + filter_summaries(f), "%zu messages from %zu lines and "
	           "%zu summaries", a.n, nlines, filter_summaries(f));
	/* written again (pipeline_reduce, Kafka's reduction): as emitted, and
	 * within the smallest limit, summaries included */
	buf_init(&out);
	for (i = 0; i < b.n; i++) {
		const char *m = msgbatch_msg(&b, i, &len);
		size_t at;
		const char *e;

		buf_reset(&out);
		FUZZ_CHECK(pipeline_reduce(p, i, REDUCE_NO_CUT, &out) == 0, "pipeline_reduce(%zu)", i);
		/* an implausible audit time's stand-in too: the batch's clock
		 * ("time_from":"received") */
		FUZZ_CHECK(out.len == len && memcmp(out.p, m, len) == 0,
		           "message %zu written again differs", i);
		buf_reset(&out);
		FUZZ_CHECK(pipeline_reduce(p, i, REDUCE_MIN_LIMIT, &out) == 0,
		           "pipeline_reduce(%zu) at the smallest limit", i);
		FUZZ_CHECK(out.len <= REDUCE_MIN_LIMIT, "message %zu reduced: %zu bytes", i, out.len);
		e = fuzz_json_object_check(out.p, out.len, 1, &at);
		if (e != NULL) {
			fuzz_show("reduced message", out.p, out.len, at);
			FUZZ_CHECK(0, "reduced: not a JSON object: %s at %zu", e, at);
		}
	}
	buf_free(&out);
	pipeline_batch_commit(p);
	msgbatch_free(&a);
	msgbatch_free(&b);
	pipeline_free(p);
	audit_joiner_free(j);
	filter_free(f);
	return 0;
}
