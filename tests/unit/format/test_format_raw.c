/* test_format_raw.c -- raw: every record exactly as written, one message
 * per record, also when records are joined into events. */
#include <criterion/criterion.h>
#include <string.h>

#include "format_fixture.h"
#include "pipeline.h"

static msgbatch_t mb;
static pipeline_t *pipe_;
static audit_joiner_t *joiner_;

static void setup(void)
{
	msgbatch_init(&mb);
}

static void teardown(void)
{
	pipeline_free(pipe_);
	audit_joiner_free(joiner_);
	msgbatch_free(&mb);
}

TestSuite(raw, .init = setup, .fini = teardown);

static void start(int join, unparsed_policy_t unparsed)
{
	pipeline_conf_t c;
	audit_joiner_conf_t jc;

	pipeline_conf_default(&c);
	c.format = &format_raw;
	c.unparsed = unparsed;
	c.header.style = SYSLOG_HDR_NONE;
	c.local_host = "relay01";
	if (join) {
		audit_joiner_conf_default(&jc);
		c.joiner = joiner_ = audit_joiner_new(&jc);
	}
	pipe_ = pipeline_new(&c, NULL);
	cr_assert_not_null(pipe_);
	pipeline_batch_begin(pipe_);
}

static void feed(const char *line)
{
	cr_assert_eq(pipeline_process(pipe_, line, strlen(line), NULL, 0, &mb), 0);
}

static void end(void)
{
	cr_assert_eq(pipeline_batch_end(pipe_, &mb), 0);
	pipeline_batch_commit(pipe_);
}

static void expect_msg(size_t i, const char *body)
{
	size_t len;
	const char *m;

	cr_assert_lt(i, mb.n);
	m = msgbatch_msg(&mb, i, &len);
	cr_assert(len == strlen(body) && memcmp(m, body, len) == 0,
	          "message %zu: '%.*s', expected '%s'", i, (int)len, m, body);
}

#define SYSCALL_L "node=web01 type=SYSCALL msg=audit(1700000000.123:7): arch=c000003e " \
	"syscall=59 success=yes exit=0 comm=\"ls\" exe=\"/usr/bin/ls\" key=(null)"
#define EXECVE_L  "node=web01 type=EXECVE msg=audit(1700000000.123:7): argc=2 a0=\"ls\" a1=2D6C"
#define PROCT_L   "node=web01 type=PROCTITLE msg=audit(1700000000.123:7): proctitle=6C73002D6C"
#define EOE_L     "node=web01 type=EOE msg=audit(1700000000.123:7): "

Test(raw, joined_event_goes_out_as_consecutive_records_unchanged)
{
	start(1, UNPARSED_FORWARD);
	feed(SYSCALL_L "\n");
	feed(EXECVE_L);
	feed(PROCT_L "\r\n");
	cr_assert_eq(mb.n, 0, "nothing before the event is complete");
	feed(EOE_L);
	end();
	/* the EOE only ends the event: it is not forwarded when joining */
	cr_assert_eq(mb.n, 3);
	expect_msg(0, SYSCALL_L);
	expect_msg(1, EXECVE_L);
	expect_msg(2, PROCT_L);
	cr_assert_eq(pipeline_stats(pipe_)->messages_out, 3);
}

Test(raw, without_joining_every_record_including_eoe)
{
	start(0, UNPARSED_FORWARD);
	feed(SYSCALL_L);
	feed(EOE_L);
	end();
	cr_assert_eq(mb.n, 2);
	expect_msg(0, SYSCALL_L);
	expect_msg(1, EOE_L);
}

Test(raw, syslog_wrappers_are_removed_and_the_node_prefix_kept)
{
	start(0, UNPARSED_FORWARD);
	feed("<13>1 2024-11-25T07:40:01.000Z web01 audisp-syslog - - - " EXECVE_L);
	feed("Nov 25 07:40:01 web01 audisp-syslog: " PROCT_L);
	end();
	expect_msg(0, EXECVE_L);
	expect_msg(1, PROCT_L);
}

Test(raw, unparsed_lines_follow_the_policy)
{
	start(0, UNPARSED_FORWARD);
	feed("this is not audit\tat all");
	end();
	cr_assert_eq(mb.n, 1);
	expect_msg(0, "this is not audit\tat all");
	pipeline_free(pipe_);
	msgbatch_reset(&mb);
	start(0, UNPARSED_DROP);
	feed("this is not audit\tat all");
	end();
	cr_assert_eq(mb.n, 0);
}

Test(raw, an_inner_line_break_cannot_end_the_message)
{
	const char *out = fixture_unparsed(&format_raw, NULL, "a\nb\rc", 5);

	cr_assert_str_eq(out, "a b c");
}

/* found by fuzz_pipeline: a binary line's NUL went out inside the message */
Test(raw, a_nul_byte_cannot_cut_the_message)
{
	const char *out = fixture_unparsed(&format_raw, NULL, "a\0b\0", 4);

	cr_assert_str_eq(out, "a b ");
}
