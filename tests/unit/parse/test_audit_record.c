/* test_audit_record.c -- the audit record parser as a specification: a real
 * line in, the expected header and fields out, for every input form, value
 * encoding and bad input. Data files: $TEST_DATA_DIR, else tests/data. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <libaudit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_record.h"
#include "testutil.h"

#define DATA_DIR_ENV     "TEST_DATA_DIR"
#define DATA_DIR_DEFAULT "tests/data"
#define DATA_SUFFIX      ".log"
#define PATH_MAX_LEN     4096
#define GS               "\x1d"   /* ENRICHED separator */

static audit_record_t rec;

static void setup(void)
{
	audit_record_init(&rec);
}

static void teardown(void)
{
	audit_record_free(&rec);
}

TestSuite(audit_record, .init = setup, .fini = teardown);

static audit_parse_rc_t parse(const char *line)
{
	return audit_record_parse(&rec, line, strlen(line));
}

static void expect_ok(const char *line)
{
	audit_parse_rc_t rc = parse(line);

	cr_assert_eq(rc, AUDIT_PARSE_OK, "rc %s for: %s", audit_parse_rc_str(rc),
	             line);
}

static void expect_rc(const char *line, audit_parse_rc_t want)
{
	audit_parse_rc_t rc = parse(line);

	cr_assert_eq(rc, want, "rc %s, want %s, for: %s", audit_parse_rc_str(rc),
	             audit_parse_rc_str(want), line);
}

static void expect_view(audit_view_t v, const char *want, const char *what)
{
	cr_assert(v.len == strlen(want) && memcmp(v.p, want, v.len) == 0,
	          "%s: got '%.*s', want '%s'", what, (int)v.len, v.p, want);
}

static const audit_field_t *field(const char *name)
{
	const audit_field_t *f = audit_record_field(&rec, name);

	cr_assert_not_null(f, "no field '%s'", name);
	return f;
}

static void expect_field(const char *name, const char *value, audit_enc_t enc,
                         unsigned flags)
{
	const audit_field_t *f = field(name);

	expect_view(f->value, value, name);
	cr_assert_eq(f->enc, enc, "%s: enc %d, want %d", name, f->enc, enc);
	/* (the plain-name hint has a test of its own) */
	cr_assert_eq(f->flags & ~AUDIT_FIELD_PLAIN_NAME, flags, "%s: flags %#x, want %#x",
	             name, f->flags, flags);
}

static void expect_no_field(const char *name)
{
	cr_assert_null(audit_record_field(&rec, name), "unexpected field '%s'",
	               name);
}

/* ---- data files ------------------------------------------------------- */

static const char *data_dir(void)
{
	const char *d = getenv(DATA_DIR_ENV);

	return d != NULL && *d ? d : DATA_DIR_DEFAULT;
}

/* The whole of data file NAME, NUL-terminated; *LEN without the NUL. */
static char *read_data(const char *name, size_t *len)
{
	char path[PATH_MAX_LEN];

	snprintf(path, sizeof(path), "%s/%s", data_dir(), name);
	return testutil_slurp(path, len);
}

/* Line IDX (0-based) of data file NAME: a pointer into *BUF, the caller
 * frees *BUF. The line keeps its terminator, as a reader would pass it. */
static const char *data_line(const char *name, unsigned idx, char **buf,
                             size_t *len)
{
	size_t total;
	char *p, *end, *nl;

	*buf = read_data(name, &total);
	p = *buf;
	end = p + total;
	for (; idx > 0; idx--) {
		nl = memchr(p, '\n', (size_t)(end - p));
		cr_assert_not_null(nl, "%s has too few lines", name);
		p = nl + 1;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
	return p;
}

typedef void (*line_fn)(const char *file, unsigned lineno, const char *line,
                        size_t len);

/* Call FN on every line of every *.log data file. */
static unsigned each_data_line(line_fn fn)
{
	DIR *d = opendir(data_dir());
	struct dirent *e;
	unsigned count = 0;

	cr_assert_not_null(d, "no data directory %s (set %s)", data_dir(),
	                   DATA_DIR_ENV);
	while ((e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name), total;
		char *buf, *p, *end;
		unsigned lineno = 0;

		if (nl < strlen(DATA_SUFFIX) ||
		    strcmp(e->d_name + nl - strlen(DATA_SUFFIX), DATA_SUFFIX) != 0)
			continue;
		buf = read_data(e->d_name, &total);
		for (p = buf, end = buf + total; p < end; ) {
			char *q = memchr(p, '\n', (size_t)(end - p));
			size_t len = q ? (size_t)(q - p) : (size_t)(end - p);

			fn(e->d_name, ++lineno, p, len);
			count++;
			p += len + 1;
		}
		free(buf);
	}
	closedir(d);
	return count;
}

/* ---- input forms ------------------------------------------------------ */

Test(audit_record, raw_audit_log_line_gives_header_and_fields)
{
	const char *line =
	    "type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e "
	    "syscall=59 success=yes exit=0 a0=55d1 a1=7ffe a2=10 a3=0 items=2 "
	    "comm=\"ls\" exe=\"/usr/bin/ls\" key=(null)";

	expect_ok(line);
	expect_view(rec.type_name, "SYSCALL", "type_name");
	cr_assert_eq(rec.type, AUDIT_SYSCALL);
	cr_assert_str_eq(rec.type_str, "SYSCALL");
	cr_assert_eq(rec.sec, 1700000000);
	cr_assert_eq(rec.msec, 123);
	cr_assert_eq(rec.serial, 4567);
	expect_view(rec.line, line, "line");
	expect_view(rec.text, line, "text");
	cr_assert_eq(rec.node.len, 0);
	cr_assert_eq(rec.hostname.len, 0);
	cr_assert_eq(rec.enriched, 0);
	cr_assert(rec.body.len > 0 && strncmp(rec.body.p, "arch=", 5) == 0);
	cr_assert_eq(rec.nfields, 12);
	expect_field("arch", "c000003e", AUDIT_ENC_PLAIN, 0);
	expect_field("syscall", "59", AUDIT_ENC_PLAIN, 0);
	expect_field("comm", "ls", AUDIT_ENC_QUOTED, 0);
	expect_field("exe", "/usr/bin/ls", AUDIT_ENC_QUOTED, 0);
	expect_field("key", "(null)", AUDIT_ENC_NULL, 0);
	expect_view(rec.fields[rec.nfields - 1].name, "key", "last field");
}

Test(audit_record, syscall_arguments_are_plain_numbers_not_hex)
{
	expect_ok("type=SYSCALL msg=audit(1700000000.123:1): arch=c000003e "
	          "syscall=59 a0=10 a1=DEAD a2=1000 a3=AB");
	expect_field("a0", "10", AUDIT_ENC_PLAIN, 0);
	expect_field("a1", "DEAD", AUDIT_ENC_PLAIN, 0);
	expect_field("a2", "1000", AUDIT_ENC_PLAIN, 0);
	expect_field("a3", "AB", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, trailing_lf_and_crlf_are_not_part_of_the_line)
{
	const char *base = "type=CWD msg=audit(1700000000.123:4567): cwd=\"/root\"";
	char buf[128];

	snprintf(buf, sizeof(buf), "%s\n", base);
	expect_ok(buf);
	expect_view(rec.line, base, "line after LF");
	expect_field("cwd", "/root", AUDIT_ENC_QUOTED, 0);
	snprintf(buf, sizeof(buf), "%s\r\n", base);
	expect_ok(buf);
	expect_view(rec.line, base, "line after CRLF");
	expect_view(rec.text, base, "text after CRLF");
	expect_field("cwd", "/root", AUDIT_ENC_QUOTED, 0);
}

Test(audit_record, node_prefix_gives_node_and_record_starts_at_node)
{
	const char *line = "node=web01 type=EXECVE msg=audit(1700000000.123:4567): "
	                   "argc=3 a0=\"ls\" a1=2D6C a2=\"/tmp\"";

	expect_ok(line);
	expect_view(rec.node, "web01", "node");
	expect_view(rec.text, line, "text");
	cr_assert_eq(rec.type, AUDIT_EXECVE);
	expect_no_field("node");
	expect_no_field("type");
	expect_field("argc", "3", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, kernel_line_maps_numeric_type_with_libaudit)
{
	expect_ok("audit: type=1300 audit(1700000000.123:4567): arch=c000003e "
	          "syscall=59 success=yes exit=0 comm=\"ls\"");
	expect_view(rec.type_name, "1300", "type_name");
	cr_assert_eq(rec.type, 1300);
	cr_assert_str_eq(rec.type_str, "SYSCALL");
	cr_assert_eq(rec.serial, 4567);
	cr_assert(strncmp(rec.text.p, "type=1300 audit(", 16) == 0);
	cr_assert_eq(rec.hostname.len, 0);
	expect_field("comm", "ls", AUDIT_ENC_QUOTED, 0);
}

Test(audit_record, kernel_line_with_dmesg_prefix)
{
	expect_ok("kernel: [   12.345678] audit: type=1400 audit(1700000000.400:78): "
	          "apparmor=\"DENIED\" operation=\"open\" profile=\"/usr/sbin/cupsd\" "
	          "name=\"/etc/shadow\" pid=980 comm=\"cupsd\"");
	cr_assert_eq(rec.type, AUDIT_AVC);
	cr_assert_str_eq(rec.type_str, "AVC");
	cr_assert_eq(rec.hostname.len, 0);
	expect_field("apparmor", "DENIED", AUDIT_ENC_QUOTED, 0);
	expect_field("name", "/etc/shadow", AUDIT_ENC_QUOTED, 0);
}

/* journald keeps the audit stamp apart (_AUDIT_ID, _SOURCE_REALTIME_...)
 * and writes "TYPE body" under the tag audit[PID] (tests/data/journald.log,
 * as rsyslog's imjournal writes it to a file, or forwards it) */
Test(audit_record, journald_form_file_format)
{
	char *buf;
	size_t len;
	const char *line = data_line("journald.log", 0, &buf, &len);

	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	cr_assert_eq(rec.type, AUDIT_SYSCALL);
	expect_view(rec.type_name, "SYSCALL", "type_name");
	expect_view(rec.hostname, "web01", "hostname");
	cr_assert_eq(rec.stamped, 0);
	cr_assert_eq(rec.serial, 0);
	cr_assert_eq(rec.sec, 1732520410);    /* the header's time */
	cr_assert_eq(rec.msec, 517);
	expect_field("syscall", "59", AUDIT_ENC_PLAIN, 0);
	expect_field("key", "priv_esc", AUDIT_ENC_QUOTED, 0);
	free(buf);
	line = data_line("journald.log", 3, &buf, &len);   /* no pid: "audit:" */
	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	cr_assert_eq(rec.type, AUDIT_PROCTITLE);
	expect_field("proctitle", "7375646F00636174002F6574632F736861646F77",
	             AUDIT_ENC_HEX, 0);
	free(buf);
}

Test(audit_record, journald_form_rfc5424_app_name)
{
	char *buf;
	size_t len;
	const char *line = data_line("journald.log", 4, &buf, &len);

	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	cr_assert_eq(rec.type, AUDIT_USER_AUTH);
	cr_assert_eq(rec.stamped, 0);
	cr_assert_eq(rec.sec, 1732520401);    /* 08:40:01.102+01:00 */
	cr_assert_eq(rec.msec, 102);
	expect_field("acct", "alice", AUDIT_ENC_QUOTED, AUDIT_FIELD_NESTED);
	expect_field("res", "success", AUDIT_ENC_PLAIN, AUDIT_FIELD_NESTED);
	free(buf);
	/* another APP-NAME: not journald's, not a record */
	expect_rc("<86>1 2024-11-25T08:40:01.102+01:00 web01 sshd 2211 - - "
	          "USER_AUTH pid=2211 uid=0", AUDIT_PARSE_NOT_AUDIT);
}

Test(audit_record, journald_form_rfc3164_types)
{
	char *buf;
	size_t len;
	const char *line = data_line("journald.log", 5, &buf, &len);

	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	cr_assert_eq(rec.type, AUDIT_SERVICE_START);
	cr_assert_eq(rec.stamped, 0);
	cr_assert_neq(rec.sec, 0);            /* Nov 25 07:40:12, this year */
	expect_field("unit", "systemd-tmpfiles-clean", AUDIT_ENC_PLAIN,
	             AUDIT_FIELD_NESTED);
	free(buf);
	line = data_line("journald.log", 8, &buf, &len);   /* systemd's AUDITnnnn */
	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	cr_assert_eq(rec.type, 1334);
	expect_field("op", "UNLOAD", AUDIT_ENC_PLAIN, 0);
	free(buf);
	/* kmsg through syslog keeps its stamp */
	line = data_line("journald.log", 9, &buf, &len);
	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	cr_assert_eq(rec.stamped, 1);
	cr_assert_eq(rec.serial, 8830);
	cr_assert_eq(rec.sec, 1732520415);
	free(buf);
}

Test(audit_record, journald_tag_without_a_record_type_is_not_audit)
{
	/* the kernel's own audit messages are not records */
	expect_rc("Nov 25 07:40:13 web01 audit: backlog limit exceeded",
	          AUDIT_PARSE_NOT_AUDIT);
	expect_rc("Nov 25 07:40:13 web01 audit: kauditd hold queue overflow",
	          AUDIT_PARSE_NOT_AUDIT);
	expect_rc("Nov 25 07:40:13 web01 audit[x]: SYSCALL arch=c000003e",
	          AUDIT_PARSE_NOT_AUDIT);
	expect_rc("Nov 25 07:40:13 web01 auditd[412]: SYSCALL arch=c000003e",
	          AUDIT_PARSE_NOT_AUDIT);
	expect_rc("Nov 25 07:40:13 web01 audit: AUDITX op=1", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("Nov 25 07:40:13 web01 audit: SYSCALL", AUDIT_PARSE_NOT_AUDIT);
}

Test(audit_record, stamped_records_say_so)
{
	expect_ok("type=CWD msg=audit(1700000000.123:4567): cwd=\"/\"");
	cr_assert_eq(rec.stamped, 1);
}

Test(audit_record, unknown_bracket_type_gives_its_number)
{
	expect_ok("type=UNKNOWN[1334] msg=audit(1700000000.123:4567): prog-id=41 "
	          "op=LOAD");
	expect_view(rec.type_name, "UNKNOWN[1334]", "type_name");
	cr_assert_eq(rec.type, 1334);
	/* libaudit's own name when it knows the number (3.x: "BPF") */
	if (audit_msg_type_to_name(1334) == NULL)
		cr_assert_null(rec.type_str);
	else
		cr_assert_str_eq(rec.type_str, audit_msg_type_to_name(1334));
	expect_field("prog-id", "41", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, type_name_libaudit_does_not_know_parses_with_type_zero)
{
	expect_ok("type=NOT_A_REAL_TYPE msg=audit(1700000000.123:4567): x=1");
	expect_view(rec.type_name, "NOT_A_REAL_TYPE", "type_name");
	cr_assert_eq(rec.type, 0);
	cr_assert_null(rec.type_str);
	expect_field("x", "1", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, rfc5424_header_gives_hostname)
{
	expect_ok("<13>1 2023-11-14T22:13:20.123+00:00 host01 audisp-syslog - - - "
	          "type=CWD msg=audit(1700000000.123:4567): cwd=\"/root\"");
	expect_view(rec.hostname, "host01", "hostname");
	cr_assert(strncmp(rec.text.p, "type=CWD ", 9) == 0);
	cr_assert_eq(rec.type, AUDIT_CWD);
	expect_field("cwd", "/root", AUDIT_ENC_QUOTED, 0);
}

Test(audit_record, rfc5424_structured_data_is_skipped_even_with_decoys)
{
	expect_ok("<13>1 2023-11-14T22:13:20.123+00:00 host01 audisp-syslog 812 - "
	          "[meta k=\"v \\] x\" q=\"type=X msg=audit(1.2:3): \"][o ip=\"1\"] "
	          "type=CWD msg=audit(1700000000.123:4567): cwd=\"/root\"");
	expect_view(rec.hostname, "host01", "hostname");
	expect_view(rec.type_name, "CWD", "type_name");
	cr_assert_eq(rec.serial, 4567);
}

Test(audit_record, rfc5424_message_with_bom)
{
	expect_ok("<13>1 2023-11-14T22:13:20Z host01 audisp-syslog - - - "
	          "\xef\xbb\xbftype=EOE msg=audit(1700000000.123:4567): ");
	expect_view(rec.hostname, "host01", "hostname");
	cr_assert_eq(rec.type, AUDIT_EOE);
}

Test(audit_record, rfc5424_nil_hostname_is_empty)
{
	expect_ok("<13>1 2023-11-14T22:13:20Z - audisp-syslog - - - "
	          "type=EOE msg=audit(1700000000.123:4567): ");
	cr_assert_eq(rec.hostname.len, 0);
	cr_assert_eq(rec.type, AUDIT_EOE);
}

Test(audit_record, rfc3164_with_pri_gives_hostname_and_node)
{
	expect_ok("<13>Nov 14 22:13:20 host01 audisp-syslog: node=x "
	          "type=CWD msg=audit(1700000000.123:4567): cwd=\"/\"");
	expect_view(rec.hostname, "host01", "hostname");
	expect_view(rec.node, "x", "node");
	cr_assert(strncmp(rec.text.p, "node=x type=CWD", 15) == 0);
}

Test(audit_record, rfc3164_without_pri_from_audispd)
{
	expect_ok("Nov 14 22:13:20 host01 audispd: type=EOE "
	          "msg=audit(1700000000.123:4567): ");
	expect_view(rec.hostname, "host01", "hostname");
	cr_assert_eq(rec.type, AUDIT_EOE);
}

Test(audit_record, rfc3164_space_padded_day)
{
	expect_ok("Nov  4 02:03:04 host01 audisp-syslog: type=EOE "
	          "msg=audit(1700000000.123:4567): ");
	expect_view(rec.hostname, "host01", "hostname");
}

Test(audit_record, rfc3164_without_hostname_has_empty_hostname)
{
	expect_ok("Nov 14 22:13:20 audisp-syslog: type=EOE "
	          "msg=audit(1700000000.123:4567): ");
	cr_assert_eq(rec.hostname.len, 0);
}

Test(audit_record, rsyslog_file_format_gives_hostname)
{
	expect_ok("2023-11-14T22:13:20.123456+00:00 host01 audisp-syslog: "
	          "type=CWD msg=audit(1700000000.123:4567): cwd=\"/tmp\"");
	expect_view(rec.hostname, "host01", "hostname");
	expect_field("cwd", "/tmp", AUDIT_ENC_QUOTED, 0);
}

Test(audit_record, syslog_wrapped_kernel_line)
{
	expect_ok("Nov 14 22:13:20 host01 kernel: [  301.000001] audit: type=1300 "
	          "audit(1700000000.123:4567): arch=c000003e syscall=59");
	expect_view(rec.hostname, "host01", "hostname");
	cr_assert_eq(rec.type, AUDIT_SYSCALL);
	expect_field("syscall", "59", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, no_recognisable_header_means_no_hostname)
{
	expect_ok("some collector said: type=CWD msg=audit(1700000000.123:4567): "
	          "cwd=\"/\"");
	cr_assert_eq(rec.hostname.len, 0);
	cr_assert(strncmp(rec.text.p, "type=CWD", 8) == 0);
}

Test(audit_record, record_is_found_past_junk_and_false_starts)
{
	expect_ok("junk type=nothing here type=SYSCALL msg=audit(1.1:1 "
	          "type=CWD msg=audit(1700000000.123:4567): cwd=\"/\"");
	expect_view(rec.type_name, "CWD", "type_name");
	cr_assert_eq(rec.serial, 4567);
}

Test(audit_record, type_must_start_a_token)
{
	expect_rc("xtype=CWD msg=audit(1700000000.123:4567): cwd=\"/\"",
	          AUDIT_PARSE_NOT_AUDIT);
}

/* ---- ENRICHED --------------------------------------------------------- */

Test(audit_record, enriched_fields_after_gs_are_interpreted)
{
	expect_ok("type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e "
	          "syscall=59 auid=1000 uid=0 key=\"x\"" GS "ARCH=x86_64 "
	          "SYSCALL=execve AUID=\"alice\" UID=\"root\"");
	cr_assert_eq(rec.enriched, 1);
	expect_field("key", "x", AUDIT_ENC_QUOTED, 0);
	expect_field("auid", "1000", AUDIT_ENC_PLAIN, 0);
	expect_field("ARCH", "x86_64", AUDIT_ENC_PLAIN, AUDIT_FIELD_INTERPRETED);
	expect_field("SYSCALL", "execve", AUDIT_ENC_PLAIN, AUDIT_FIELD_INTERPRETED);
	expect_field("AUID", "alice", AUDIT_ENC_QUOTED, AUDIT_FIELD_INTERPRETED);
	expect_field("UID", "root", AUDIT_ENC_QUOTED, AUDIT_FIELD_INTERPRETED);
}

Test(audit_record, enriched_gs_right_after_unquoted_value)
{
	expect_ok("type=LOGIN msg=audit(1700000000.123:4567): pid=1 old-auid=4294967295 "
	          "auid=1000 res=1" GS "UID=\"root\" OLD-AUID=\"unset\"");
	expect_field("res", "1", AUDIT_ENC_PLAIN, 0);
	expect_field("old-auid", "4294967295", AUDIT_ENC_PLAIN, 0);
	expect_field("OLD-AUID", "unset", AUDIT_ENC_QUOTED, AUDIT_FIELD_INTERPRETED);
}

Test(audit_record, enriched_through_syslog_plugin_uppercase_names)
{
	expect_ok("<13>Nov 14 22:13:20 host01 audisp-syslog: type=SYSCALL "
	          "msg=audit(1700000000.123:4567): arch=c000003e syscall=59 "
	          "auid=1000 key=\"x\" ARCH=x86_64 SYSCALL=execve AUID=\"alice\" "
	          "F_2=1");
	cr_assert_eq(rec.enriched, 1);
	expect_field("arch", "c000003e", AUDIT_ENC_PLAIN, 0);
	expect_field("key", "x", AUDIT_ENC_QUOTED, 0);
	expect_field("ARCH", "x86_64", AUDIT_ENC_PLAIN, AUDIT_FIELD_INTERPRETED);
	expect_field("AUID", "alice", AUDIT_ENC_QUOTED, AUDIT_FIELD_INTERPRETED);
	expect_field("F_2", "1", AUDIT_ENC_PLAIN, AUDIT_FIELD_INTERPRETED);
}

/* audit_record_may_have_enriched answers 0 only for a name whose upper
 * case no field of the record has: every field whose name has no lower
 * case letter is found through the filter, interpreted or not (a hostile
 * "A0[1]" is not an interpreted name but is an upper-cased "a0[1]") */
Test(audit_record, the_enriched_name_filter_never_hides_an_upper_case_name)
{
	static const char *const lines[] = {
		"type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e syscall=59 "
		"auid=1000 uid=0 key=\"x\"" GS "ARCH=x86_64 SYSCALL=execve AUID=\"alice\" "
		"UID=\"root\"",
		"type=EXECVE msg=audit(1700000000.123:4567): argc=2 a0=\"ls\" a0[1]=\"x\" "
		"A0[1]=\"y\" 9LIVES=1 _X=2 -Y=3" GS "UID=\"root\"",
		"type=LOGIN msg=audit(1700000000.123:4567): pid=1 old-auid=4294967295 "
		"auid=1000 res=1" GS "UID=\"root\" OLD-AUID=\"unset\"",
	};
	size_t i, j, k, hidden = 0;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		expect_ok(lines[i]);
		cr_assert_eq(rec.enriched, 1, "%s", lines[i]);
		for (j = 0; j < rec.nfields; j++) {
			const audit_field_t *g = &rec.fields[j];
			char low[64];
			int lower = 0;

			for (k = 0; k < g->name.len && k < sizeof(low) - 1; k++) {
				lower |= g->name.p[k] >= 'a' && g->name.p[k] <= 'z';
				low[k] = g->name.p[k] >= 'A' && g->name.p[k] <= 'Z' ?
				         (char)(g->name.p[k] - 'A' + 'a') : g->name.p[k];
			}
			low[k] = '\0';
			if (lower)
				continue;
			cr_expect(audit_record_may_have_enriched(&rec, low, k),
			          "%.*s is hidden in %s", (int)g->name.len, g->name.p, lines[i]);
		}
		/* and it does filter: most lower-case names of no counterpart */
		hidden += !audit_record_may_have_enriched(&rec, "comm", 4);
		hidden += !audit_record_may_have_enriched(&rec, "pid", 3);
		hidden += !audit_record_may_have_enriched(&rec, "syscall", 7);
	}
	cr_expect_gt(hidden, 0);
	cr_expect_eq(audit_record_may_have_enriched(&rec, "uid", 3), 1);
}

Test(audit_record, digits_only_name_is_not_interpreted)
{
	expect_ok("type=SYSCALL msg=audit(1700000000.123:4567): 12=1 a_b=2");
	cr_assert_eq(rec.enriched, 0);
	expect_field("12", "1", AUDIT_ENC_PLAIN, 0);
	expect_field("a_b", "2", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, enriched_braced_sockaddr)
{
	expect_ok("type=SOCKADDR msg=audit(1700000000.123:4567): "
	          "saddr=02000016C0A800010000000000000000" GS
	          "SADDR={ saddr_fam=inet laddr=192.168.0.1 lport=22 }");
	expect_field("saddr", "02000016C0A800010000000000000000",
	             AUDIT_ENC_PLAIN, 0);
	expect_field("SADDR", "saddr_fam=inet laddr=192.168.0.1 lport=22",
	             AUDIT_ENC_BRACED, AUDIT_FIELD_INTERPRETED);
	cr_assert_eq(rec.nfields, 2);
}

/* A socket path may hold braces: the value ends at the '}' that balances
 * the opening '{' (tests/data/enriched_sockaddr.log, line 1) */
Test(audit_record, enriched_braced_socket_path_with_braces)
{
	char *buf;
	size_t len;
	const char *line = data_line("enriched_sockaddr.log", 0, &buf, &len);

	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	expect_field("SADDR", "fam=local path=/tmp/.{FD2DD8D4-3A1B-4C2D-9E8F-"
	             "0123456789AB}", AUDIT_ENC_BRACED, AUDIT_FIELD_INTERPRETED);
	cr_assert_eq(rec.nfields, 2);
	free(buf);
	/* braces inside, then another field */
	expect_ok("type=SOCKADDR msg=audit(1700000000.123:4567): "
	          "SADDR={ fam=local path=/a{b}c/{d} } next=1");
	expect_field("SADDR", "fam=local path=/a{b}c/{d}", AUDIT_ENC_BRACED,
	             AUDIT_FIELD_INTERPRETED);
	expect_field("next", "1", AUDIT_ENC_PLAIN, 0);
	/* a lone '{' in the path: the last '}' that ends a token */
	expect_ok("type=SOCKADDR msg=audit(1700000000.123:4567): "
	          "SADDR={ fam=local path=/tmp/a{b }");
	expect_field("SADDR", "fam=local path=/tmp/a{b", AUDIT_ENC_BRACED,
	             AUDIT_FIELD_INTERPRETED);
	/* a lone '}' inside a word does not end the value */
	expect_ok("type=SOCKADDR msg=audit(1700000000.123:4567): "
	          "SADDR={ fam=local path=/tmp/a}b }" GS "X=1");
	expect_field("SADDR", "fam=local path=/tmp/a}b", AUDIT_ENC_BRACED,
	             AUDIT_FIELD_INTERPRETED);
	expect_field("X", "1", AUDIT_ENC_PLAIN, AUDIT_FIELD_INTERPRETED);
}

/* auditd writes "SADDR=unknown family" for a family it does not know:
 * both words are the value (tests/data/enriched_sockaddr.log, line 2) */
Test(audit_record, enriched_saddr_unknown_family)
{
	char *buf;
	size_t len;
	const char *line = data_line("enriched_sockaddr.log", 1, &buf, &len);

	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	expect_field("saddr", "FF00", AUDIT_ENC_PLAIN, 0);
	expect_field("SADDR", "unknown family", AUDIT_ENC_PLAIN,
	             AUDIT_FIELD_INTERPRETED);
	cr_assert_eq(rec.nfields, 2);
	free(buf);
	/* before a further field, and after rsyslog's escaped separator */
	expect_ok("type=SOCKADDR msg=audit(1700000000.123:4567): saddr=FF00"
	          "#035SADDR=unknown family" GS "X=1");
	expect_field("SADDR", "unknown family", AUDIT_ENC_PLAIN,
	             AUDIT_FIELD_INTERPRETED);
	expect_field("X", "1", AUDIT_ENC_PLAIN, AUDIT_FIELD_INTERPRETED);
	/* only that text: other words after a value stay free text */
	expect_ok("type=SOCKADDR msg=audit(1700000000.123:4567): "
	          "SADDR=unknown families");
	expect_field("SADDR", "unknown", AUDIT_ENC_PLAIN, AUDIT_FIELD_INTERPRETED);
	expect_ok("type=SOCKADDR msg=audit(1700000000.123:4567): "
	          "saddr=unknown family");
	expect_field("saddr", "unknown", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, enriched_after_nested_user_message)
{
	expect_ok("type=USER_ACCT msg=audit(1700000000.123:4567): pid=9 uid=1000 "
	          "msg='op=PAM:accounting acct=\"alice\" res=success'" GS
	          "UID=\"alice\" AUID=\"alice\"");
	expect_field("res", "success", AUDIT_ENC_PLAIN, AUDIT_FIELD_NESTED);
	expect_field("UID", "alice", AUDIT_ENC_QUOTED, AUDIT_FIELD_INTERPRETED);
	expect_field("uid", "1000", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, rule_keys_joined_by_0x01_are_legal)
{
	expect_ok("type=SYSCALL msg=audit(1700000000.123:4567): syscall=257 "
	          "key=\"identity\x01passwd\"" GS "SYSCALL=openat");
	expect_field("key", "identity\x01passwd", AUDIT_ENC_QUOTED, 0);
}

/* As auparse reads them: one key= field per rule key, each still hex. */
Test(audit_record, hex_rule_keys_are_one_field_each)
{
	expect_ok("type=SYSCALL msg=audit(1516033123.371:1106): arch=c000003e "
	          "syscall=59 success=yes exit=0 items=2 comm=\"uname\" "
	          "key=65786563013634626974");
	cr_assert_eq(rec.nfields, 8);
	expect_view(rec.fields[6].name, "key", "1st name");
	expect_view(rec.fields[6].value, "65786563", "1st key");   /* exec */
	cr_assert_eq(rec.fields[6].enc, AUDIT_ENC_HEX);
	expect_view(rec.fields[7].name, "key", "2nd name");
	expect_view(rec.fields[7].value, "3634626974", "2nd key"); /* 64bit */
	cr_assert_eq(rec.fields[7].enc, AUDIT_ENC_HEX);
}

Test(audit_record, hex_rule_key_separators_at_the_ends_make_no_empty_key)
{
	expect_ok("type=SYSCALL msg=audit(1700000000.123:4567): syscall=257 "
	          "key=016964010170617373776401");
	cr_assert_eq(rec.nfields, 3);
	expect_view(rec.fields[1].value, "6964", "1st key");
	expect_view(rec.fields[2].value, "706173737764", "2nd key");
	/* "01" inside a byte (x10 x1F) is not a separator */
	expect_ok("type=SYSCALL msg=audit(1700000000.123:4567): key=3031101F");
	cr_assert_eq(rec.nfields, 1);
	expect_field("key", "3031101F", AUDIT_ENC_HEX, 0);
	/* nothing but separators: kept as written */
	expect_ok("type=SYSCALL msg=audit(1700000000.123:4567): key=0101");
	cr_assert_eq(rec.nfields, 1);
	expect_field("key", "", AUDIT_ENC_HEX, 0);
}

/* A 0x1D deleted on the way (go-libaudit's ubuntu-21.10 test data) */
Test(audit_record, enriched_glued_to_null_key_is_split)
{
	expect_ok("type=SYSCALL msg=audit(1643150874.899:880): arch=c000003e "
	          "syscall=305 success=yes exit=5 subj=/usr/sbin/chronyd "
	          "key=(null)ARCH=x86_64 SYSCALL=clock_adjtime AUID=\"unset\"");
	expect_field("key", "(null)", AUDIT_ENC_NULL, 0);
	expect_field("ARCH", "x86_64", AUDIT_ENC_PLAIN, AUDIT_FIELD_INTERPRETED);
	expect_field("SYSCALL", "clock_adjtime", AUDIT_ENC_PLAIN,
	             AUDIT_FIELD_INTERPRETED);
	cr_assert_eq(rec.enriched, 1);
	/* only "(null)" followed by an UPPERCASE name= is cut */
	expect_ok("type=SYSCALL msg=audit(1700000000.123:4567): key=(null)x=1");
	expect_field("key", "(null)x=1", AUDIT_ENC_PLAIN, 0);
	expect_ok("type=SYSCALL msg=audit(1700000000.123:4567): key=(null)ARCH");
	expect_field("key", "(null)ARCH", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, plain_record_is_not_enriched)
{
	expect_ok("type=CWD msg=audit(1700000000.123:4567): cwd=\"/\"");
	cr_assert_eq(rec.enriched, 0);
}

/* ---- nested user messages --------------------------------------------- */

Test(audit_record, user_message_fields_are_nested)
{
	expect_ok("type=USER_LOGIN msg=audit(1700000000.123:4567): pid=1 uid=0 "
	          "auid=4294967295 ses=4294967295 subj=unconfined msg='op=login "
	          "acct=\"bob\" exe=\"/usr/sbin/sshd\" hostname=? addr=10.0.0.5 "
	          "terminal=ssh res=failed'");
	cr_assert_eq(rec.type, AUDIT_USER_LOGIN);
	expect_field("pid", "1", AUDIT_ENC_PLAIN, 0);
	expect_field("subj", "unconfined", AUDIT_ENC_PLAIN, 0);
	expect_field("op", "login", AUDIT_ENC_PLAIN, AUDIT_FIELD_NESTED);
	expect_field("acct", "bob", AUDIT_ENC_QUOTED, AUDIT_FIELD_NESTED);
	expect_field("exe", "/usr/sbin/sshd", AUDIT_ENC_QUOTED, AUDIT_FIELD_NESTED);
	expect_field("hostname", "?", AUDIT_ENC_PLAIN, AUDIT_FIELD_NESTED);
	expect_field("addr", "10.0.0.5", AUDIT_ENC_PLAIN, AUDIT_FIELD_NESTED);
	expect_field("res", "failed", AUDIT_ENC_PLAIN, AUDIT_FIELD_NESTED);
	expect_no_field("msg");
	cr_assert_eq(rec.nfields, 12);
}

Test(audit_record, user_message_of_free_text_is_one_squoted_field)
{
	expect_ok("type=USER msg=audit(1700000000.123:4567): pid=1 uid=0 "
	          "msg='hello from a test program'");
	expect_field("msg", "hello from a test program", AUDIT_ENC_SQUOTED, 0);
	cr_assert_eq(rec.nfields, 3);
}

Test(audit_record, user_avc_mixes_free_text_and_fields)
{
	expect_ok("type=USER_AVC msg=audit(1700000000.123:4567): pid=1 uid=0 "
	          "auid=4294967295 ses=4294967295 subj=system_u:system_r:init_t:s0 "
	          "msg='avc:  received policyload notice (seqno=2)  "
	          "exe=\"/usr/lib/systemd/systemd\" sauid=0 hostname=? addr=? "
	          "terminal=?'");
	expect_field("exe", "/usr/lib/systemd/systemd", AUDIT_ENC_QUOTED,
	             AUDIT_FIELD_NESTED);
	expect_field("sauid", "0", AUDIT_ENC_PLAIN, AUDIT_FIELD_NESTED);
	expect_field("terminal", "?", AUDIT_ENC_PLAIN, AUDIT_FIELD_NESTED);
	expect_no_field("msg");
	expect_no_field("(seqno");
	expect_no_field("avc");
}

Test(audit_record, single_quote_inside_a_nested_quoted_value)
{
	expect_ok("type=USER_AUTH msg=audit(1700000000.123:4567): pid=1 "
	          "msg='op=PAM:authentication acct=\"o'brien\" res=success' x=1");
	expect_field("acct", "o'brien", AUDIT_ENC_QUOTED, AUDIT_FIELD_NESTED);
	expect_field("res", "success", AUDIT_ENC_PLAIN, AUDIT_FIELD_NESTED);
	expect_field("x", "1", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, nested_hex_command)
{
	expect_ok("type=USER_CMD msg=audit(1700000000.123:4567): pid=5300 "
	          "msg='cwd=\"/home/alice\" cmd=6C73202D6C61 terminal=pts/0 "
	          "res=success'");
	expect_field("cmd", "6C73202D6C61", AUDIT_ENC_HEX, AUDIT_FIELD_NESTED);
	expect_field("cwd", "/home/alice", AUDIT_ENC_QUOTED, AUDIT_FIELD_NESTED);
}

Test(audit_record, nested_empty_value_before_the_closing_quote)
{
	expect_ok("type=ADD_GROUP msg=audit(1700000000.123:4567): pid=1 "
	          "msg='op= id=1004 terminal='");
	expect_field("op", "", AUDIT_ENC_PLAIN, AUDIT_FIELD_NESTED);
	expect_field("terminal", "", AUDIT_ENC_PLAIN, AUDIT_FIELD_NESTED);
}

Test(audit_record, free_text_tokens_are_not_fields)
{
	expect_ok("type=USER_AVC msg=audit(1700000000.123:4567): avc:  denied  "
	          "{ read } for  pid=4410 comm=\"httpd\" tclass=file");
	cr_assert_eq(rec.nfields, 3);
	expect_field("pid", "4410", AUDIT_ENC_PLAIN, 0);
	expect_field("tclass", "file", AUDIT_ENC_PLAIN, 0);
}

/* auparse's two pseudo-fields of an SELinux AVC, before the real ones */
Test(audit_record, avc_verdict_and_permissions_are_fields)
{
	expect_ok("type=AVC msg=audit(1170021493.977:293): avc:  denied  "
	          "{ read write } for  pid=13010 comm=\"pickup\" name=\"maildrop\" "
	          "dev=hda7 ino=14911367 tclass=dir");
	cr_assert_eq(rec.nfields, 8);
	expect_view(rec.fields[0].name, "seresult", "1st name");
	expect_field("seresult", "denied", AUDIT_ENC_PLAIN, 0);
	expect_view(rec.fields[1].name, "seperms", "2nd name");
	expect_field("seperms", "read write", AUDIT_ENC_PLAIN, 0);
	expect_field("pid", "13010", AUDIT_ENC_PLAIN, 0);
	expect_field("tclass", "dir", AUDIT_ENC_PLAIN, 0);
	expect_ok("type=AVC msg=audit(1226874073.147:96): avc:  granted  "
	          "{ setenforce } for  pid=1 comm=\"init\"");
	expect_field("seresult", "granted", AUDIT_ENC_PLAIN, 0);
	expect_field("seperms", "setenforce", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, avc_without_the_selinux_prefix_has_no_verdict)
{
	/* AppArmor writes AVC records of name=value fields only */
	expect_ok("type=AVC msg=audit(1700000000.123:4567): apparmor=\"DENIED\" "
	          "operation=\"open\" profile=\"/usr/sbin/cupsd\" pid=980");
	expect_no_field("seresult");
	expect_no_field("seperms");
	cr_assert_eq(rec.nfields, 4);
	/* a verdict without braces: only seresult */
	expect_ok("type=AVC msg=audit(1700000000.123:4567): avc:  denied for pid=1");
	expect_field("seresult", "denied", AUDIT_ENC_PLAIN, 0);
	expect_no_field("seperms");
}

/* ---- braces, EXECVE, (null), ? ---------------------------------------- */

Test(audit_record, braced_value_is_trimmed_inner_text)
{
	expect_ok("type=SOCKADDR msg=audit(1700000000.123:4567): "
	          "SADDR={ saddr_fam=inet laddr=10.0.0.1 lport=22 } next=1");
	expect_field("SADDR", "saddr_fam=inet laddr=10.0.0.1 lport=22",
	             AUDIT_ENC_BRACED, AUDIT_FIELD_INTERPRETED);
	expect_field("next", "1", AUDIT_ENC_PLAIN, 0);
	expect_no_field("laddr");
}

Test(audit_record, execve_arguments_quoted_or_hex)
{
	expect_ok("type=EXECVE msg=audit(1700000000.123:4567): argc=3 a0=\"ls\" "
	          "a1=2D6C a2=\"/tmp\"");
	expect_field("argc", "3", AUDIT_ENC_PLAIN, 0);
	expect_field("a0", "ls", AUDIT_ENC_QUOTED, 0);
	expect_field("a1", "2D6C", AUDIT_ENC_HEX, 0);
	expect_field("a2", "/tmp", AUDIT_ENC_QUOTED, 0);
}

Test(audit_record, execve_split_long_argument)
{
	char *buf;
	size_t len;
	const char *line = data_line("execve_long.log", 1, &buf, &len);

	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	expect_field("a1_len", "20000", AUDIT_ENC_PLAIN, 0);
	cr_assert_eq(field("a1[0]")->enc, AUDIT_ENC_HEX);
	cr_assert(strncmp(field("a1[0]")->value.p, "2F746D702F", 10) == 0);
	free(buf);
	line = data_line("execve_long.log", 2, &buf, &len);
	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	cr_assert_eq(rec.nfields, 1);
	cr_assert_eq(field("a1[1]")->enc, AUDIT_ENC_HEX);
	cr_assert_eq(field("a1[1]")->value.len, 128);
	free(buf);
}

Test(audit_record, null_question_mark_and_none)
{
	expect_ok("type=SYSCALL msg=audit(1700000000.123:4567): tty=(none) "
	          "key=(null) hostname=? name=(null)");
	expect_field("tty", "(none)", AUDIT_ENC_PLAIN, 0);
	expect_field("key", "(null)", AUDIT_ENC_NULL, 0);
	expect_field("hostname", "?", AUDIT_ENC_PLAIN, 0);
	expect_field("name", "(null)", AUDIT_ENC_NULL, 0);
}

Test(audit_record, untrusted_string_fields_in_hex)
{
	expect_ok("type=PROCTITLE msg=audit(1700000000.123:4567): "
	          "proctitle=6C73002D6C002F746D70");
	expect_field("proctitle", "6C73002D6C002F746D70", AUDIT_ENC_HEX, 0);
	expect_ok("type=CWD msg=audit(1700000000.123:4567): cwd=2F746D702F6120622063");
	expect_field("cwd", "2F746D702F6120622063", AUDIT_ENC_HEX, 0);
	expect_ok("type=PATH msg=audit(1700000000.123:4567): item=0 "
	          "name=2F746D702F782079 inode=12 dev=fd:00");
	expect_field("name", "2F746D702F782079", AUDIT_ENC_HEX, 0);
	expect_field("dev", "fd:00", AUDIT_ENC_PLAIN, 0);
	expect_ok("type=ANOM_ABEND msg=audit(1700000000.123:4567): "
	          "comm=6D7920617070 exe=\"/opt/app\" sig=11");
	expect_field("comm", "6D7920617070", AUDIT_ENC_HEX, 0);
	expect_ok("type=TTY msg=audit(1700000000.123:4567): tty pid=5 data=6C730D");
	expect_field("data", "6C730D", AUDIT_ENC_HEX, 0);
}

Test(audit_record, hex_needs_even_uppercase_digits)
{
	expect_ok("type=PATH msg=audit(1700000000.123:4567): name=ABC "
	          "comm=2d6c exe=A path=2D6G");
	expect_field("name", "ABC", AUDIT_ENC_PLAIN, 0);
	expect_field("comm", "2d6c", AUDIT_ENC_PLAIN, 0);
	expect_field("exe", "A", AUDIT_ENC_PLAIN, 0);
	expect_field("path", "2D6G", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, hex_only_for_untrusted_string_fields)
{
	expect_ok("type=EXECVE msg=audit(1700000000.123:4567): argc=12 a0=41 "
	          "a10=4142 a2_len=20 a3[0]=4344");
	expect_field("argc", "12", AUDIT_ENC_PLAIN, 0);
	expect_field("a0", "41", AUDIT_ENC_HEX, 0);
	expect_field("a10", "4142", AUDIT_ENC_HEX, 0);
	expect_field("a2_len", "20", AUDIT_ENC_PLAIN, 0);
	expect_field("a3[0]", "4344", AUDIT_ENC_HEX, 0);
	expect_ok("type=CONFIG_CHANGE msg=audit(1700000000.123:4567): ses=12 "
	          "res=10 old=00");
	expect_field("ses", "12", AUDIT_ENC_PLAIN, 0);
	expect_field("old", "00", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, non_ascii_bytes_are_allowed_in_values)
{
	expect_ok("type=USER_LOGIN msg=audit(1700000000.123:4567): pid=1 "
	          "msg='op=login acct=\"j\xc3\xbcrgen\" res=success'");
	expect_field("acct", "j\xc3\xbcrgen", AUDIT_ENC_QUOTED, AUDIT_FIELD_NESTED);
}

Test(audit_record, tab_separates_fields)
{
	expect_ok("type=CWD msg=audit(1700000000.123:4567): a=1\tb=2");
	expect_field("a", "1", AUDIT_ENC_PLAIN, 0);
	expect_field("b", "2", AUDIT_ENC_PLAIN, 0);
}

Test(audit_record, first_of_repeated_names_is_returned)
{
	expect_ok("type=SYSCALL msg=audit(1700000000.123:4567): uid=1 uid=2 "
	          "subj==unconfined");
	expect_field("uid", "1", AUDIT_ENC_PLAIN, 0);
	cr_assert_eq(rec.nfields, 3);
	expect_view(rec.fields[1].value, "2", "second uid");
	expect_field("subj", "=unconfined", AUDIT_ENC_PLAIN, 0);
	expect_no_field("gid");
}

/* ---- header and timestamp --------------------------------------------- */

Test(audit_record, msec_takes_one_to_three_digits_as_a_fraction)
{
	expect_ok("type=EOE msg=audit(1700000000.5:1): ");
	cr_assert_eq(rec.msec, 500);
	expect_ok("type=EOE msg=audit(1700000000.05:1): ");
	cr_assert_eq(rec.msec, 50);
	expect_ok("type=EOE msg=audit(1700000000.007:1): ");
	cr_assert_eq(rec.msec, 7);
	expect_ok("type=EOE msg=audit(1700000000.999:1): ");
	cr_assert_eq(rec.msec, 999);
	expect_rc("type=EOE msg=audit(1700000000.1234:1): ", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=EOE msg=audit(1700000000.:1): ", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=EOE msg=audit(1700000000:1): ", AUDIT_PARSE_NOT_AUDIT);
}

Test(audit_record, largest_sec_and_serial)
{
	expect_ok("type=EOE msg=audit(9223372036854775807.000:18446744073709551615): ");
	cr_assert_eq(rec.sec, INT64_MAX);
	cr_assert_eq(rec.serial, UINT64_MAX);
}

/* The stamp's numbers of every length, read eight digits at a time where
 * eight bytes are left: each digit's place, and the byte after the last
 * digit, read right. The digits are "1234567890..." from a varying start,
 * so that a digit read in the wrong place changes the value. */
Test(audit_record, stamp_numbers_of_every_length)
{
	static const char digits[] = "12345678901234567890123456789";
	char line[160], sec[24], serial[24];
	size_t ls, lr, from;

	for (ls = 1; ls <= 18; ls++) {
		for (lr = 1; lr <= 19; lr++) {
			from = (ls + lr) % 10;
			memcpy(sec, digits + from, ls);
			sec[ls] = '\0';
			memcpy(serial, digits + from + 1, lr);
			serial[lr] = '\0';
			/* the serial last on the line too: fewer than eight bytes
			 * after it */
			snprintf(line, sizeof(line), "type=EOE msg=audit(%s.123:%s):%s", sec,
			         serial, lr % 2 ? " " : "");
			expect_ok(line);
			cr_assert_eq((uint64_t)rec.sec, strtoull(sec, NULL, 10), "%s", line);
			cr_assert_eq(rec.serial, strtoull(serial, NULL, 10), "%s", line);
			cr_assert_eq(rec.msec, 123, "%s", line);
		}
	}
	/* a digit count that is not the end of the number: a byte that is
	 * not a digit right after eight or sixteen of them */
	expect_rc("type=EOE msg=audit(12345678x.123:1): ", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=EOE msg=audit(1.123:1234567812345678/): ", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=EOE msg=audit(1234567\xfa.123:1): ", AUDIT_PARSE_NOT_AUDIT);
	expect_ok("type=EOE msg=audit(12345678.123:1234567812345678): ");
	cr_assert_eq(rec.sec, 12345678);
	cr_assert_eq(rec.serial, 1234567812345678ULL);
}

/* Type names resolve through a table made once from libaudit's names:
 * each one to the number and stable name libaudit gives, and a name that
 * differs from one of them anywhere (also past its sixteenth byte, or by
 * its length) to what libaudit says of it. */
Test(audit_record, every_libaudit_type_name_resolves_as_libaudit_says)
{
	static const char *const near[] = {
		"ANOM_LOGIN_FAILUREX", "ANOM_LOGIN_FAILURE", "ANOM_LOGIN_FAILURESS",
		"SYSCAL", "SYSCALLL", "syscall", "USER_AUTH_", "X",
	};
	char line[160];
	size_t i;
	int t, n = 0;

	for (t = 1; t <= 2999; t++) {
		const char *name = audit_msg_type_to_name(t);

		if (name == NULL)
			continue;
		snprintf(line, sizeof(line), "type=%s msg=audit(1.000:1): a=b", name);
		expect_ok(line);
		cr_assert_eq(rec.type, audit_name_to_msg_type(name), "%s", name);
		cr_assert_str_eq(rec.type_str, audit_msg_type_to_name(rec.type), "%s", name);
		n++;
	}
	cr_assert_gt(n, 100, "libaudit named only %d types", n);
	for (i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
		int want = audit_name_to_msg_type(near[i]);

		snprintf(line, sizeof(line), "type=%s msg=audit(1.000:1): a=b", near[i]);
		expect_ok(line);
		cr_assert_eq(rec.type, want > 0 ? want : 0, "%s", near[i]);
	}
}

Test(audit_record, overflowing_serial_or_sec_is_not_audit)
{
	expect_rc("type=EOE msg=audit(1700000000.123:18446744073709551616): ",
	          AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=EOE msg=audit(1700000000.123:99999999999999999999999): ",
	          AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=EOE msg=audit(9223372036854775808.123:1): ",
	          AUDIT_PARSE_NOT_AUDIT);
	/* 19 digits above INT64_MAX, and leading zeros before the largest */
	expect_rc("type=EOE msg=audit(9999999999999999999.123:1): ",
	          AUDIT_PARSE_NOT_AUDIT);
	expect_ok("type=EOE msg=audit(0000000000000000000009223372036854775807.000:"
	          "00000000000000000000018446744073709551615): ");
	cr_assert_eq(rec.sec, INT64_MAX);
	cr_assert_eq(rec.serial, UINT64_MAX);
}

Test(audit_record, eoe_has_an_empty_body)
{
	expect_ok("type=EOE msg=audit(1700000000.123:4567): ");
	cr_assert_eq(rec.type, AUDIT_EOE);
	cr_assert_eq(rec.nfields, 0);
	cr_assert_eq(rec.body.len, 0);
	expect_ok("type=EOE msg=audit(1700000000.123:4567):");
	cr_assert_eq(rec.nfields, 0);
	cr_assert_eq(rec.body.len, 0);
}

Test(audit_record, body_is_everything_after_the_header)
{
	expect_ok("type=EXECVE msg=audit(1700000000.123:4567):  a1[1]=4142");
	expect_view(rec.body, " a1[1]=4142", "body");
	expect_ok("type=CWD msg=audit(1700000000.123:4567):cwd=\"/\"");
	expect_view(rec.body, "cwd=\"/\"", "body");
}

Test(audit_record, old_auditd_header_without_colon)
{
	expect_ok("type=DAEMON_CONFIG msg=audit(1490000000.477:34) config changed, "
	          "auid=0 pid=1512 subj=unconfined res=success");
	cr_assert_eq(rec.type, AUDIT_DAEMON_CONFIG);
	cr_assert_eq(rec.serial, 34);
	expect_view(rec.body, "config changed, auid=0 pid=1512 subj=unconfined "
	            "res=success", "body");
	expect_field("auid", "0", AUDIT_ENC_PLAIN, 0);
	expect_field("res", "success", AUDIT_ENC_PLAIN, 0);
	expect_no_field("config");
}

Test(audit_record, record_is_reused_without_new_allocation)
{
	const audit_field_t *fields;

	expect_ok("type=SYSCALL msg=audit(1700000000.123:1): a=1 b=2 c=3 d=4 e=5 "
	          "f=6 g=7 h=8 i=9 j=10 k=11 l=12 m=13 n=14 o=15 p=16 q=17 r=18 "
	          "s=19 t=20 u=21 v=22 w=23 x=24 y=25 z=26 aa=27 bb=28 cc=29 "
	          "dd=30 ee=31 ff=32 gg=33");
	cr_assert_eq(rec.nfields, 33);
	fields = rec.fields;
	expect_ok("type=CWD msg=audit(1700000000.123:2): cwd=\"/\"");
	cr_assert_eq(rec.nfields, 1);
	cr_assert_eq(rec.fields, fields);
	cr_assert_eq(rec.node.len, 0);
	expect_ok("node=a type=CWD msg=audit(1700000000.123:2): cwd=\"/\"");
	expect_ok("type=CWD msg=audit(1700000000.123:2): cwd=\"/\"");
	cr_assert_eq(rec.node.len, 0, "node must not leak from the last line");
}

/* ---- bad input -------------------------------------------------------- */

Test(audit_record, not_audit_lines)
{
	expect_rc("hello world", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("\n", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("        ", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=SYSCALL", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=SYSCALL msg=aud", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=UNKNOWN[1329] msg=?", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("# comment about type=SYSCALL", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=SYS-CALL msg=audit(1700000000.123:1): ", AUDIT_PARSE_NOT_AUDIT);
	expect_rc("type=SYSCALL msg=audit(1700000000.123:1)x", AUDIT_PARSE_NOT_AUDIT);
	cr_assert_eq(audit_record_parse(&rec, NULL, 0), AUDIT_PARSE_NOT_AUDIT);
}

Test(audit_record, truncated_header)
{
	expect_rc("type=SYSCALL msg=audit(", AUDIT_PARSE_TRUNCATED);
	expect_rc("type=SYSCALL msg=audit(1700000000", AUDIT_PARSE_TRUNCATED);
	expect_rc("type=SYSCALL msg=audit(1700000000.12", AUDIT_PARSE_TRUNCATED);
	expect_rc("type=SYSCALL msg=audit(1700000000.123:", AUDIT_PARSE_TRUNCATED);
	expect_rc("type=SYSCALL msg=audit(1700000000.123:4567", AUDIT_PARSE_TRUNCATED);
	expect_rc("type=SYSCALL msg=audit(1700000000.123:4567)", AUDIT_PARSE_TRUNCATED);
	expect_rc("audit: type=1300 audit(1700000000.1\n", AUDIT_PARSE_TRUNCATED);
}

Test(audit_record, truncated_values)
{
	expect_rc("type=SYSCALL msg=audit(1700000000.123:1): comm=\"ls",
	          AUDIT_PARSE_TRUNCATED);
	expect_rc("type=SOCKADDR msg=audit(1700000000.123:1): SADDR={ fam=inet",
	          AUDIT_PARSE_TRUNCATED);
	expect_rc("type=USER_LOGIN msg=audit(1700000000.123:1): pid=1 msg='op=login "
	          "acct=\"bob res=failed'", AUDIT_PARSE_TRUNCATED);
}

/* go-libaudit's test data has a SERVICE_START whose writer lost the closing
 * quote; auparse reads every field of it, and so do we. */
Test(audit_record, nested_msg_without_closing_quote_is_read_like_auparse)
{
	audit_record_t r;
	const char *line = "type=SERVICE_START msg=audit(1492625990.183:4083): pid=1 "
	                   "uid=0 auid=4294967295 ses=4294967295 msg='unit=rsyslog "
	                   "comm=\"systemd\" exe=\"/lib/systemd/systemd\" hostname=? "
	                   "addr=? terminal=? res=success";
	const audit_field_t *f;

	audit_record_init(&r);
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK);
	cr_assert_eq(r.nfields, 11);
	f = audit_record_field(&r, "res");
	cr_assert_not_null(f);
	cr_assert_eq(f->value.len, 7);
	cr_assert_eq(memcmp(f->value.p, "success", 7), 0);
	cr_assert(f->flags & AUDIT_FIELD_NESTED);
	cr_assert_eq(audit_record_parse(&r, "type=USER_LOGIN msg=audit(1.000:1): pid=1 msg='",
	                                47), AUDIT_PARSE_OK);
	cr_assert_eq(r.nfields, 2);
	cr_assert_eq(r.fields[1].enc, AUDIT_ENC_SQUOTED);
	cr_assert_eq(r.fields[1].value.len, 0);
	audit_record_free(&r);
}

/* Whatever the verdict, the sender and the message are known, so an
 * unparsed line can be forwarded unchanged and attributed. */
Test(audit_record, failed_parse_still_splits_the_syslog_header)
{
	audit_record_t r;
	const char *line = "<13>1 2024-11-25T07:40:01.000Z web01 audisp-syslog - - - "
	                   "not an audit record";

	audit_record_init(&r);
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_NOT_AUDIT);
	cr_assert_eq(r.hostname.len, 5);
	cr_assert_eq(memcmp(r.hostname.p, "web01", 5), 0);
	cr_assert_eq(r.msg.len, 19);
	cr_assert_eq(memcmp(r.msg.p, "not an audit record", 19), 0);
	line = "Nov 25 07:40:01 db02 audispd: type=SYSCALL msg=audit(1.000:1): a=\002";
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_BINARY);
	cr_assert_eq(r.hostname.len, 4);
	cr_assert_eq(memcmp(r.msg.p, "audispd: type=SYSCALL", 21), 0); /* 3164: the tag is MSG */
	line = "plain text";
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_NOT_AUDIT);
	cr_assert_eq(r.hostname.len, 0);
	cr_assert_eq(r.msg.p, line);
	cr_assert_eq(r.msg.len, 10);
	audit_record_free(&r);
}

Test(audit_record, too_long)
{
	size_t len = AUDIT_RECORD_MAX_LEN + 1;
	char *line = malloc(len + 1);
	const char *hdr = "type=PROCTITLE msg=audit(1700000000.123:1): proctitle=";

	cr_assert_not_null(line);
	memset(line, 'A', len);
	memcpy(line, hdr, strlen(hdr));
	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_TOO_LONG);
	cr_assert_eq(audit_record_parse(&rec, line, len - 1), AUDIT_PARSE_OK,
	             "exactly the maximum is accepted");
	line[len - 1] = '\n';
	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK,
	             "the terminator does not count");
	free(line);
}

Test(audit_record, binary_bytes)
{
	static const char nul[] = "type=CWD msg=audit(1700000000.123:1): cwd=\"/\0x\"";

	cr_assert_eq(audit_record_parse(&rec, nul, sizeof(nul) - 1),
	             AUDIT_PARSE_BINARY);
	expect_rc("type=CWD msg=audit(1700000000.123:1): cwd=\"/\x07\"",
	          AUDIT_PARSE_BINARY);
	expect_rc("type=CWD msg=audit(1700000000.123:1): cwd=\"/\x7f\"",
	          AUDIT_PARSE_BINARY);
	expect_rc("type=CWD msg=audit(1700000000.123:1): a=1\rb=2",
	          AUDIT_PARSE_BINARY);
	expect_rc("type=CWD msg=audit(1700000000.123:1): a=1\nb=2",
	          AUDIT_PARSE_BINARY);
	expect_rc("\x1b[31mtype=CWD msg=audit(1700000000.123:1): a=1",
	          AUDIT_PARSE_BINARY);
	expect_ok("type=CWD msg=audit(1700000000.123:1):\ta=1\x01" GS "B=2\xff");
}

/* A control byte is found wherever it is: at every offset of a line long
 * enough for the 16- and 8-byte rounds and the byte-by-byte tail, each
 * refused byte refused there and each allowed one (TAB, 0x01, 0x1D, the
 * printable and UTF-8 edges) let through */
Test(audit_record, binary_bytes_at_every_offset)
{
	static const unsigned char bad[] = { 0x00, 0x02, 0x1C, 0x1F, 0x7F };
	static const unsigned char good[] = { '\t', 0x01, 0x1D, 0x20, 0x7E, 0x80, 0xFF };
	const char *hdr = "type=PROCTITLE msg=audit(1700000000.123:1): proctitle=";
	size_t hl = strlen(hdr), len = hl + 53, at, b;
	char line[128];

	memset(line, 'A', sizeof(line));
	memcpy(line, hdr, hl);
	for (at = hl; at < len; at++) {
		for (b = 0; b < sizeof(bad); b++) {
			line[at] = (char)bad[b];
			cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_BINARY,
			             "0x%02x at %zu", bad[b], at);
		}
		for (b = 0; b < sizeof(good); b++) {
			line[at] = (char)good[b];
			cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK,
			             "0x%02x at %zu", good[b], at);
		}
		line[at] = 'A';
	}
	/* and in the header, before the record */
	for (at = 0; at < 16; at++) {
		char copy[128];

		memcpy(copy, line, len);
		copy[at] = 0x7F;
		cr_assert_eq(audit_record_parse(&rec, copy, len), AUDIT_PARSE_BINARY, "at %zu", at);
	}
}

/* The value a=xxx... of LINE (HEAD, 40 'x' with STOP written at K, TAIL)
 * is WANT bytes long */
static void expect_word_end(const char *head, const char *stop, size_t k, const char *tail,
                            size_t want)
{
	char line[256], val[64];
	size_t hl = strlen(head), sl = strlen(stop);

	memset(val, 'x', 40);
	memcpy(val + k, stop, sl);
	snprintf(line, sizeof(line), "%s%.*s%s", head, (int)(40 > k + sl ? 40 : k + sl), val, tail);
	expect_ok(line);
	cr_assert_eq(field("a")->value.len, want, "stop \"%s\" at %zu of: %s (%zu bytes from %zu)",
	             stop, k, line, field("a")->value.len, hl);
}

/* An unquoted value ends at the first separator wherever it is: in the
 * sixteen-byte rounds of the scan and in its byte-by-byte tail, in the
 * body and inside msg='...' */
Test(audit_record, unquoted_values_end_at_every_offset)
{
	const char *body = "type=SYSCALL msg=audit(1700000000.123:1): a=";
	const char *nested = "type=USER_LOGIN msg=audit(1700000000.123:1): pid=1 msg='a=";
	size_t k;

	for (k = 1; k < 40; k++) {
		expect_word_end(body, " ", k, " b=1", k);
		expect_word_end(body, "\t", k, " b=1", k);
		expect_word_end(body, GS, k, " b=1", k);
		expect_word_end(body, "#035", k, "", k);     /* the escaped separator */
		expect_word_end(body, "#", k, " b=1", 40);   /* a '#' of its own: kept */
		expect_word_end(body, "'", k, " b=1", 40);   /* ' ends nothing in the body */
		expect_word_end(nested, " ", k, "'", k);
		expect_word_end(nested, "'", k, "", k);      /* the closing quote */
		expect_word_end(nested, "#", k, "'", 40);
	}
}

static void expect_nfields(unsigned n, audit_parse_rc_t want)
{
	const char *hdr = "type=SYSCALL msg=audit(1700000000.123:1):";
	size_t hl = strlen(hdr), len = hl + (size_t)n * 4;
	char *line = malloc(len);
	unsigned i;

	cr_assert_not_null(line);
	memcpy(line, hdr, hl);
	for (i = 0; i < n; i++)
		memcpy(line + hl + (size_t)i * 4, " a=1", 4);
	cr_assert_eq(audit_record_parse(&rec, line, len), want, "%u fields", n);
	free(line);
}

Test(audit_record, too_many_fields)
{
	expect_nfields(10000, AUDIT_PARSE_TOO_MANY_FIELDS);
	expect_nfields(AUDIT_RECORD_MAX_FIELDS + 1, AUDIT_PARSE_TOO_MANY_FIELDS);
	expect_nfields(AUDIT_RECORD_MAX_FIELDS, AUDIT_PARSE_OK);
	cr_assert_eq(rec.nfields, AUDIT_RECORD_MAX_FIELDS);
}

/* Every prefix of every data line, in a buffer of exactly that size, so
 * that ASan sees any read past the end. */
static void parse_every_prefix(const char *file, unsigned lineno,
                               const char *line, size_t len)
{
	size_t n;

	(void)file;
	(void)lineno;
	for (n = 0; n <= len; n++) {
		char *copy = malloc(n ? n : 1);
		audit_parse_rc_t rc;

		cr_assert_not_null(copy);
		memcpy(copy, line, n);
		rc = audit_record_parse(&rec, copy, n);
		cr_assert(rc <= AUDIT_PARSE_TOO_MANY_FIELDS);
		free(copy);
	}
}

Test(audit_record, never_reads_past_the_end)
{
	cr_assert_gt(each_data_line(parse_every_prefix), 0);
}

/* ---- data files, helpers ---------------------------------------------- */

static void parse_ok(const char *file, unsigned lineno, const char *line,
                     size_t len)
{
	audit_parse_rc_t rc;

	if (len == 0)
		return;
	rc = audit_record_parse(&rec, line, len);
	cr_assert_eq(rc, AUDIT_PARSE_OK, "%s:%u: %s: %.*s", file, lineno,
	             audit_parse_rc_str(rc), (int)len, line);
	cr_assert(rec.type_name.len > 0, "%s:%u: no type", file, lineno);
	cr_assert_neq(rec.type, 0, "%s:%u: type unknown to libaudit", file, lineno);
}

Test(audit_record, every_data_file_line_parses)
{
	cr_assert_gt(each_data_line(parse_ok), 0);
}

Test(audit_record, rc_strings_are_stable)
{
	cr_assert_str_eq(audit_parse_rc_str(AUDIT_PARSE_OK), "ok");
	cr_assert_str_eq(audit_parse_rc_str(AUDIT_PARSE_NOT_AUDIT), "not-audit");
	cr_assert_str_eq(audit_parse_rc_str(AUDIT_PARSE_TRUNCATED), "truncated");
	cr_assert_str_eq(audit_parse_rc_str(AUDIT_PARSE_TOO_LONG), "too-long");
	cr_assert_str_eq(audit_parse_rc_str(AUDIT_PARSE_BINARY), "binary");
	cr_assert_str_eq(audit_parse_rc_str(AUDIT_PARSE_TOO_MANY_FIELDS),
	                 "too-many-fields");
}

Test(audit_record, standalone_types_are_user_space_ones)
{
	cr_assert_eq(audit_type_is_standalone(1099), 0);
	cr_assert_eq(audit_type_is_standalone(1100), 1);
	cr_assert_eq(audit_type_is_standalone(AUDIT_USER_LOGIN), 1);
	cr_assert_eq(audit_type_is_standalone(1299), 1);
	cr_assert_eq(audit_type_is_standalone(AUDIT_SYSCALL), 0);
	cr_assert_eq(audit_type_is_standalone(AUDIT_TYPE_EOE), 0);
	cr_assert_eq(audit_type_is_standalone(2099), 0);
	cr_assert_eq(audit_type_is_standalone(2100), 1);
	cr_assert_eq(audit_type_is_standalone(2999), 1);
	cr_assert_eq(audit_type_is_standalone(3000), 0);
	cr_assert_eq(audit_type_is_standalone(0), 0);
}

Test(audit_record, crlf_data_file)
{
	char *buf;
	size_t len;
	const char *line = data_line("crlf.log", 2, &buf, &len);

	cr_assert_eq(audit_record_parse(&rec, line, len), AUDIT_PARSE_OK);
	cr_assert_eq(rec.line.p[rec.line.len - 1], '"');
	expect_field("cwd", "/home/alice", AUDIT_ENC_QUOTED, 0);
	free(buf);
}

/* rsyslog's default parser.escapeControlCharactersOnReceive turns the
 * ENRICHED separator 0x1D into the text "#035": the interpreted fields
 * must still be found, and the raw value before it must end there. */
Test(audit_record, enriched_separator_escaped_by_rsyslog)
{
	audit_record_t r;
	const char *line = "type=SYSCALL msg=audit(1700000000.123:45): arch=c000003e "
	                   "syscall=59 uid=0 key=(null)#035ARCH=x86_64 SYSCALL=execve "
	                   "UID=\"root\"";
	const audit_field_t *f;

	audit_record_init(&r);
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK);
	cr_assert_eq(r.nfields, 7);
	f = audit_record_field(&r, "key");
	cr_assert_eq(f->enc, AUDIT_ENC_NULL);
	cr_assert_eq(f->value.len, 6);
	f = audit_record_field(&r, "ARCH");
	cr_assert_not_null(f);
	cr_assert(f->flags & AUDIT_FIELD_INTERPRETED);
	cr_assert_eq(memcmp(f->value.p, "x86_64", 6), 0);
	cr_assert(r.enriched);
	line = "type=SYSCALL msg=audit(1700000000.123:46): uid=0 key=\"k\"#035auid_x=1";
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK);
	cr_assert_eq(r.nfields, 3);
	cr_assert(r.fields[2].flags & AUDIT_FIELD_INTERPRETED, "after #035, even lowercase");
	/* a '#' that is not the escaped separator is an ordinary byte */
	line = "type=SYSCALL msg=audit(1700000000.123:47): tty=#03 x=#0351";
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK);
	cr_assert_eq(r.nfields, 2, "tty=#03 is a value; x ends at #035, '1' is free text");
	cr_assert_eq(r.fields[0].value.len, 3);
	cr_assert_eq(r.fields[1].value.len, 0);
	audit_record_free(&r);
}

/* RHEL 5's PAM messages: "(hostname=?, addr=?, terminal=cron res=success)" */
Test(audit_record, old_pam_punctuation_is_not_part_of_values)
{
	audit_record_t r;
	const char *line = "type=USER_START msg=audit(1170021601.344:297): user pid=13015 uid=0 "
	                   "auid=0 msg='PAM: session open acct=root : exe=\"/usr/sbin/crond\" "
	                   "(hostname=?, addr=?, terminal=cron res=success)'";
	const audit_field_t *f;

	audit_record_init(&r);
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK);
	f = audit_record_field(&r, "hostname");
	cr_assert_not_null(f, "the '(' does not hide the field");
	cr_assert_eq(f->value.len, 1);
	cr_assert_eq(audit_record_field(&r, "addr")->value.len, 1, "no trailing ','");
	f = audit_record_field(&r, "res");
	cr_assert_eq(f->value.len, 7, "no trailing ')'");
	line = "type=USER_LOGIN msg=audit(1.000:1): pid=1 msg='op=login hostname=(none) res=failed'";
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK);
	cr_assert_eq(audit_record_field(&r, "hostname")->value.len, 6, "(none) keeps its ')'");
	audit_record_free(&r);
}

/* ---- the index of names ------------------------------------------------ */

/* every field knows its occurrence (nth); audit_record_field finds the
 * first of a name, also past the index's first size and for names longer
 * than the 8 bytes of a key, and without an index (AUDIT_PARSE_NO_INDEX) */
Test(audit_record, index_of_names)
{
	char line[4096];
	size_t n, i;
	const audit_field_t *f;

	n = (size_t)snprintf(line, sizeof(line), "type=PATH msg=audit(1.0:1): ");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "f%zu=%zu dup=%zu ", i, i, i);
	n += (size_t)snprintf(line + n, sizeof(line) - n,
	                      "inode_uid=1 inode_gid=2 inode_uid=3 x=1");
	cr_assert_eq(audit_record_parse(&rec, line, n), AUDIT_PARSE_OK);
	cr_assert_eq(rec.nfields, 204);
	for (i = 0; i < 100; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%zu", i);
		f = field(name);
		cr_assert_eq(f, &rec.fields[2 * i]);
		cr_assert_eq(f->nth, 1);
		cr_assert_eq(rec.fields[2 * i + 1].nth, i + 1, "dup #%zu", i);
	}
	cr_assert_eq(field("dup"), &rec.fields[1]);
	expect_field("inode_uid", "1", AUDIT_ENC_PLAIN, 0);
	expect_field("inode_gid", "2", AUDIT_ENC_PLAIN, 0);
	cr_assert_eq(rec.fields[202].nth, 2);
	expect_field("x", "1", AUDIT_ENC_PLAIN, 0);   /* at the line's end */
	expect_no_field("inode_ui");
	expect_no_field("f100");
	cr_assert_not_null(audit_record_field_view(&rec, "f10xyz", 3));
	/* a shorter record after a long one: the index starts again */
	expect_ok("type=CWD msg=audit(1.0:2): cwd=\"/\" a=1 a=2");
	cr_assert_eq(field("a")->nth, 1);
	cr_assert_eq(rec.fields[2].nth, 2);
	expect_no_field("f1");
	expect_no_field("dup");
	/* without the index */
	cr_assert_eq(audit_record_parse_opt(&rec, line, n, AUDIT_PARSE_NO_INDEX),
	             AUDIT_PARSE_OK);
	cr_assert_eq(rec.indexed, 0);
	cr_assert_eq(field("dup"), &rec.fields[1]);
	cr_assert_eq(field("f99"), &rec.fields[198]);
	expect_no_field("f100");
	/* AVC's static names are in the index too */
	expect_ok("type=AVC msg=audit(1.0:3): avc:  denied  { read } for pid=1");
	expect_field("seresult", "denied", AUDIT_ENC_PLAIN, 0);
	expect_field("seperms", "read", AUDIT_ENC_PLAIN, 0);
}

/* every escaped (untrusted-string) name of auparse's typetab.h: an even
 * upper-hex value is HEX; a name that is none of them keeps it PLAIN */
Test(audit_record, escaped_names_are_hex)
{
	static const char *const names[] = {
		"acct", "apparmor", "cgroup", "cmd", "comm", "cwd", "data",
		"denied_mask", "device", "dir", "exe", "file", "grp", "info",
		"invalid_context", "key", "name", "new-chardev", "new-disk",
		"new-fs", "new-net", "new-rng", "new_group", "ocomm",
		"old-chardev", "old-disk", "old-fs", "old-net", "old-rng",
		"operation", "path", "proctitle", "profile", "requested_mask",
		"root_dir", "sw", "vm", "watch",
	};
	static const char *const plain[] = {
		"pid", "uid", "ses", "exit", "a0", "names", "keys", "cw", "comm_",
		"invalid_contexT", "requested_masks", "new-chardeV",
	};
	char line[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(line, sizeof(line), "type=USER msg=audit(1.0:1): %s=4142", names[i]);
		expect_ok(line);
		cr_assert_eq(field(names[i])->enc, AUDIT_ENC_HEX, "%s", names[i]);
	}
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		snprintf(line, sizeof(line), "type=USER msg=audit(1.0:1): %s=4142", plain[i]);
		expect_ok(line);
		cr_assert_eq(field(plain[i])->enc, AUDIT_ENC_PLAIN, "%s", plain[i]);
	}
}

/* AUDIT_PARSE_CHECKED: the caller vouches for the bytes (a copy of a line
 * that parsed): no control-byte check; without it the check stands */
Test(audit_record, checked_line_skips_the_binary_check)
{
	static const char line[] = "type=CWD msg=audit(1.0:1): cwd=\"/\x02\"";

	cr_assert_eq(audit_record_parse(&rec, line, sizeof(line) - 1), AUDIT_PARSE_BINARY);
	cr_assert_eq(audit_record_parse_opt(&rec, line, sizeof(line) - 1, AUDIT_PARSE_CHECKED),
	             AUDIT_PARSE_OK);
	expect_field("cwd", "/\x02", AUDIT_ENC_QUOTED, 0);
}

/* ---- frozen copies (what the joiner keeps) ---- */

/* a frozen copy reads as the parse it was made from, from its own line:
 * the original line and record can be gone */
static void expect_frozen_like_parse(const char *text)
{
	size_t len = strlen(text), i;
	char *orig = strdup(text), *copy = malloc(len + 1);
	audit_record_t *fresh = malloc(sizeof(*fresh));
	void *mem;
	const audit_record_t *fz;

	cr_assert(orig != NULL && copy != NULL && fresh != NULL);
	cr_assert_eq(audit_record_parse(&rec, orig, len), AUDIT_PARSE_OK, "%s", text);
	memcpy(copy, orig, len + 1);
	mem = malloc(audit_record_frozen_size(&rec));
	cr_assert(mem != NULL);
	fz = audit_record_freeze(mem, &rec, copy);
	/* spoil the original line and the record it was parsed into */
	memset(orig, 'X', len);
	cr_assert_eq(audit_record_parse(&rec, "type=EOE msg=audit(1.000:1): ", 29), AUDIT_PARSE_OK);
	audit_record_init(fresh);
	cr_assert_eq(audit_record_parse(fresh, copy, len), AUDIT_PARSE_OK);
	cr_assert_eq(fz->line.p, copy);
	cr_assert_eq(fz->nfields, fresh->nfields);
	cr_assert_eq(fz->type, fresh->type);
	cr_assert_eq(fz->serial, fresh->serial);
	cr_assert_eq(fz->body.p, fresh->body.p);
	cr_assert_eq(fz->hostname.p, fresh->hostname.p);
	cr_assert_eq(fz->hostname.len, fresh->hostname.len);
	for (i = 0; i < fz->nfields; i++) {
		const audit_field_t *a = &fz->fields[i], *b = &fresh->fields[i];
		char name[64];

		cr_assert_eq(a->name.len, b->name.len);
		cr_assert_eq(memcmp(a->name.p, b->name.p, a->name.len), 0);
		cr_assert_eq(a->value.p, b->value.p, "field %zu of %s", i, text);
		cr_assert_eq(a->value.len, b->value.len);
		cr_assert_eq(a->enc, b->enc);
		cr_assert_eq(a->flags, b->flags);
		cr_assert_eq(a->nth, b->nth);
		cr_assert_eq(a->hash, b->hash);
		/* the copy's index finds what a fresh parse's finds */
		cr_assert(a->name.len < sizeof(name));
		memcpy(name, a->name.p, a->name.len);
		name[a->name.len] = '\0';
		cr_assert_eq(audit_record_field(fz, name) - fz->fields,
		             audit_record_field(fresh, name) - fresh->fields, "%s", name);
	}
	cr_assert_null(audit_record_field(fz, "no_such_field"));
	audit_record_free(fresh);
	free(fresh);
	free(mem);
	free(copy);
	free(orig);
}

Test(audit_record, frozen_copy_reads_as_a_fresh_parse_of_its_line)
{
	expect_frozen_like_parse("<13>1 2023-11-14T22:13:20Z web01 audisp - - - type=SYSCALL "
	                         "msg=audit(1700000000.123:4567): arch=c000003e syscall=59 "
	                         "success=yes exit=0 a0=55d1 a1=55d2 items=2 ppid=1 pid=4410 "
	                         "auid=1000 uid=0 comm=\"bash\" exe=\"/usr/bin/bash\" "
	                         "key=\"exec\"" GS "ARCH=x86_64 SYSCALL=execve AUID=\"alice\"");
	expect_frozen_like_parse("type=USER_LOGIN msg=audit(1700000000.123:4568): pid=1 uid=0 "
	                         "msg='op=login acct=\"bob\" exe=\"/usr/sbin/sshd\" res=failed'");
	/* a name the parser adds itself (static, outside the line) */
	expect_frozen_like_parse("type=AVC msg=audit(1700000000.123:4569): avc:  denied  "
	                         "{ read write } for  pid=7 comm=\"x\" scontext=a tcontext=b");
	expect_frozen_like_parse("type=EXECVE msg=audit(1700000000.123:4570): argc=3 a0=\"ls\" "
	                         "a1=2D6C a2=\"/tmp\"");
}

/* a record of no fields has no field array yet: its frozen copy is made
 * without copying from NULL (UB; fails under --enable-sanitizers) */
Test(audit_record, frozen_copy_of_a_record_without_fields)
{
	static const char line[] = "type=EOE msg=audit(1700000000.123:4567): ";
	char copy[sizeof(line)];
	void *mem;
	const audit_record_t *fz;

	cr_assert_eq(audit_record_parse(&rec, line, strlen(line)), AUDIT_PARSE_OK);
	cr_assert_eq(rec.nfields, 0);
	cr_assert_null(rec.fields);
	memcpy(copy, line, sizeof(line));
	mem = malloc(audit_record_frozen_size(&rec));
	cr_assert_not_null(mem);
	fz = audit_record_freeze(mem, &rec, copy);
	cr_assert_eq(fz->nfields, 0);
	cr_assert_eq(fz->serial, 4567);
	cr_assert_eq(fz->line.p, copy);
	cr_assert_null(audit_record_field(fz, "type"));
	free(mem);
}

/* A guess of where a field is gives the answer of the look-up: the first
 * field of the name, whether the guess is right, names another field, a
 * later field of the same name, or is beyond the fields; also without an
 * index. */
Test(audit_record, field_at_a_guess_is_the_first_of_its_name)
{
	static const char line[] =
		"type=SYSCALL msg=audit(1.000:1): arch=c000003e a0=1 x=2 a0=3 a1=4";
	static const char twice[] = "type=SYSCALL msg=audit(1.000:1): a0=5 a0=6";
	size_t at;

	expect_ok(line);
	cr_assert_eq(audit_record_field_at(&rec, "arch", 0), &rec.fields[0]);
	for (at = 0; at < 8; at++) {
		cr_assert_eq(audit_record_field_at(&rec, "a0", at), &rec.fields[1], "at %zu", at);
		cr_assert_eq(audit_record_field_at(&rec, "a1", at), &rec.fields[4], "at %zu", at);
		cr_assert_null(audit_record_field_at(&rec, "a2", at), "at %zu", at);
		cr_assert_null(audit_record_field_at(&rec, "a", at), "at %zu", at);
	}
	/* without an index the fields have no nth (what the last parse left
	 * there: here a first a0 at 1) */
	expect_ok("type=SYSCALL msg=audit(1.000:1): b=1 a0=2");
	cr_assert_eq(audit_record_parse_opt(&rec, line, strlen(line), AUDIT_PARSE_NO_INDEX),
	             AUDIT_PARSE_OK);
	for (at = 0; at < 8; at++)
		cr_assert_eq(audit_record_field_at(&rec, "a0", at), &rec.fields[1], "at %zu", at);
	expect_ok("type=SYSCALL msg=audit(1.000:1): b=1 a0=2");
	cr_assert_eq(audit_record_parse_opt(&rec, twice, strlen(twice), AUDIT_PARSE_NO_INDEX),
	             AUDIT_PARSE_OK);
	cr_assert_eq(audit_record_field_at(&rec, "a0", 1), &rec.fields[0]);
}

/* AUDIT_FIELD_PLAIN_NAME: the tokenizer's word that a name is
 * [A-Za-z0-9_] only, which keys take as it is: never on a name with '-',
 * '[' or ']' anywhere, in the body or inside msg='...'. */
Test(audit_record, plain_names_are_flagged_and_only_they)
{
	static const struct { const char *name; int plain; } want[] = {
		{ "abc_9", 1 }, { "a-b", 0 }, { "a0[1]", 0 }, { "x]", 0 }, { "Z", 1 },
		{ "9a", 1 }, { "ab-", 0 }, { "op", 1 }, { "new-y", 0 }, { "k_", 1 },
	};
	size_t i;

	expect_ok("type=USER_ACCT msg=audit(1.000:1): abc_9=1 a-b=2 a0[1]=3 x]=4 Z=5 9a=6 "
	          "ab-=7 msg='op=x new-y=1 k_=2'");
	cr_assert_eq(rec.nfields, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const audit_field_t *f = audit_record_field(&rec, want[i].name);

		cr_assert_not_null(f, "%s", want[i].name);
		cr_assert_eq((f->flags & AUDIT_FIELD_PLAIN_NAME) != 0, want[i].plain, "%s",
		             want[i].name);
	}
}
