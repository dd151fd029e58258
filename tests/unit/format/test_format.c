/* test_format.c -- JSON escaping, timestamps and syslog headers: what a
 * collector receives must be valid and must not be forgeable by a value. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "syslog_header.h"
#include "syslog_time.h"

static buf_t out;

static void setup(void) { buf_init(&out); }
static void teardown(void) { buf_free(&out); }

static const char *text(void)
{
	buf_putc(&out, '\0');
	out.len--;
	return out.p;
}

static const char *esc(const char *s, size_t len)
{
	buf_reset(&out);
	format_json_escape(&out, s, len);
	return text();
}

TestSuite(format, .init = setup, .fini = teardown);

/* a put that shows what it was given, for the escaping tests */
static void mark_put(buf_t *o, unsigned c)
{
	buf_printf(o, "<%02x>", c);
}

static void mark_invisible(buf_t *o, unsigned cp)
{
	buf_printf(o, "{%x}", cp);
}

/* format_escape scans long runs sixteen bytes a round: the same text as
 * escaping the text a piece at a time (a byte, or a UTF-8 sequence whole),
 * which never reaches a round. Texts of 0 to 40 bytes of 'a' with, at
 * every offset, every byte value or a UTF-8 sequence (2 bytes, an
 * invisible one of 3, 4 bytes); two escapers, with and without an EXTRA
 * character (one that is special already, one beyond a byte). */
Test(format, escape_in_rounds_equals_piece_by_piece)
{
	static const format_escaper_t escapers[] = {
		FORMAT_ESCAPER('"', '\\', mark_put, mark_invisible),
		FORMAT_ESCAPER('\\', '=', mark_put, NULL),
	};
	static const char *const seqs[] = { "\xc3\xa9", "\xe2\x80\xae", "\xf0\x9f\x98\x80" };
	static const int extras[] = { -1, '^', '=', 300 };
	char s[48];
	size_t len, at, k, e, x, i, cases = 0;
	buf_t want;

	buf_init(&want);
	for (e = 0; e < 2; e++)
		for (x = 0; x < 4; x++)
			for (len = 0; len <= 40; len++)
				for (at = 0; at < len || (len == 0 && at == 0); at++)
					for (k = 0; k < 256 + 3; k++) {
						const char *plant = k < 256 ? NULL : seqs[k - 256];
						size_t pl = plant ? strlen(plant) : 1, n;

						memset(s, 'a', sizeof(s));
						if (len > 0) {
							if (plant)
								memcpy(s + at, plant, pl);
							else
								s[at] = (char)k;
						}
						n = len > 0 ? len - 1 + pl : 0;
						buf_reset(&out);
						format_escape(&out, s, n, &escapers[e], extras[x]);
						buf_reset(&want);
						for (i = 0; i < n; i += (len > 0 && i == at) ? pl : 1)
							format_escape(&want, s + i, (len > 0 && i == at) ? pl : 1,
							              &escapers[e], extras[x]);
						/* (an empty buffer may have no memory: no memcmp then) */
						cr_assert(out.len == want.len &&
						          (out.len == 0 || memcmp(out.p, want.p, out.len) == 0),
						          "escaper %zu extra %d len %zu byte %zu at %zu", e,
						          extras[x], len, k, at);
						cases++;
						if (len == 0)
							break;
					}
	cr_expect_gt(cases, 1000000);
	buf_free(&want);
}

/* The short path takes a text only when every byte is plain for the
 * table, and then copies it whole; otherwise it leaves OUT as it was. Each
 * byte value at each offset of texts of 1 to FORMAT_SHORT_TEXT + 1 bytes,
 * and a buffer with too little room. */
Test(format, plain_short_takes_only_plain_text)
{
	static const unsigned char look[256] = { FORMAT_ESC_NOT_TEXT, ['"'] = 1, ['='] = 1 };
	char s[FORMAT_SHORT_TEXT + 1];
	size_t len, at;
	int c;

	for (len = 1; len <= FORMAT_SHORT_TEXT + 1; len++) {
		for (at = 0; at < len; at++) {
			for (c = 0; c < 256; c++) {
				int took;

				memset(s, 'x', sizeof(s));
				s[at] = (char)c;
				buf_reset(&out);
				buf_append(&out, "<", 1);
				took = format_plain_short(&out, s, len, look);
				cr_assert_eq(took, len <= FORMAT_SHORT_TEXT && !look[c],
				             "len %zu, 0x%02x at %zu", len, (unsigned)c, at);
				cr_assert_eq(out.len, took ? 1 + len : 1, "len %zu, 0x%02x at %zu", len,
				             (unsigned)c, at);
				cr_assert(!took || memcmp(out.p + 1, s, len) == 0);
			}
		}
	}
	/* room for fewer than FORMAT_SHORT_TEXT more bytes: the long way */
	buf_reset(&out);
	buf_reserve(&out, 2 * FORMAT_SHORT_TEXT);
	out.len = out.cap - (FORMAT_SHORT_TEXT - 1);
	cr_assert_eq(format_plain_short(&out, "ab", 2, look), 0);
	cr_assert_eq(out.len, out.cap - (FORMAT_SHORT_TEXT - 1));
}

Test(format, json_escape_plain_text_is_unchanged)
{
	cr_assert_str_eq(esc("/usr/bin/ls -la", 15), "/usr/bin/ls -la");
}

Test(format, json_escape_quotes_backslash_and_controls)
{
	/* a backslash reads back as the text \\ (JSON "\\\\") */
	cr_assert_str_eq(esc("a\"b\\c\nd\re\tf", 11), "a\\\"b\\\\\\\\c\\nd\\re\\tf");
	cr_assert_str_eq(esc("\x01\x1d\x7f", 3), "\\u0001\\u001d\\u007f");
}

Test(format, json_escape_keeps_nul_bytes_visible)
{
	cr_assert_str_eq(esc("a\0b", 3), "a\\u0000b");
}

Test(format, json_escape_passes_valid_utf8)
{
	cr_assert_str_eq(esc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14),
	                 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

Test(format, json_escape_marks_invalid_utf8_bytes_instead_of_dropping)
{
	/* lone continuation, overlong '/', truncated sequence, surrogate */
	cr_assert_str_eq(esc("\x80", 1), "\\\\x80");
	cr_assert_str_eq(esc("\xc0\xaf", 2), "\\\\xc0\\\\xaf");
	cr_assert_str_eq(esc("x\xe2\x82", 3), "x\\\\xe2\\\\x82");
	cr_assert_str_eq(esc("\xed\xa0\x80", 3), "\\\\xed\\\\xa0\\\\x80");
}

/* 0xFF and the text \xff (and \\xff) read back as three different texts */
Test(format, json_escape_tells_invalid_bytes_from_backslash_text)
{
	cr_assert_str_eq(esc("\xff", 1), "\\\\xff");               /* reads \xff */
	cr_assert_str_eq(esc("\\xff", 4), "\\\\\\\\xff");        /* reads \\xff */
	cr_assert_str_eq(esc("\\\xff", 2), "\\\\\\\\\\\\xff");  /* reads \\\xff */
	cr_assert_str_eq(esc("\\", 1), "\\\\\\\\");
	cr_assert_str_eq(esc("\\\\", 2), "\\\\\\\\\\\\\\\\");
}

/* the invisible format characters, at the edges of their ranges */
Test(format, invisible_characters_at_their_limits)
{
	static const unsigned yes[] = { 0xAD, 0x600, 0x605, 0x61C, 0x200B, 0x200F, 0x2028,
	                                0x202E, 0x2060, 0x2064, 0x2066, 0x2069, 0x206F,
	                                0xFEFF, 0xFFF9, 0xFFFB, 0xE0001, 0xE0020, 0xE007F };
	static const unsigned no[] = { 0x20, 0x7F, 0xAC, 0xAE, 0x5FF, 0x606, 0x200A, 0x2010,
	                               0x2027, 0x202F, 0x2065, 0x2070, 0xFEFE, 0xFF00,
	                               0xFFFA + 2, 0xFFFD, 0xE0000, 0xE0002, 0xE0080, 0x10FFFF };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		cr_assert(format_is_invisible(yes[i]), "U+%04X", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_assert(!format_is_invisible(no[i]), "U+%04X", no[i]);
}

/* in JSON they read as the text \uXXXX (not a JSON escape, which a reader
 * would turn back into the character); the text "\u202e" reads \\u202e */
Test(format, json_escape_shows_invisible_characters)
{
	cr_assert_str_eq(esc("exe\xe2\x80\xaegnp", 9), "exe\\\\u202egnp");
	cr_assert_str_eq(esc("\xef\xbb\xbf\xc2\xad", 5), "\\\\ufeff\\\\u00ad");
	cr_assert_str_eq(esc("\xf3\xa0\x80\x81", 4), "\\\\U000e0001");
	cr_assert_str_eq(esc("\xe2\x81\xa5\xe2\x81\xb0", 6), "\xe2\x81\xa5\xe2\x81\xb0");
	cr_assert_str_eq(esc("\\u202e", 6), "\\\\\\\\u202e");
}

Test(format, json_escape_of_nothing_is_nothing)
{
	/* an empty buffer's NULL with length 0: NULL + 0 is undefined in C
	 * (UBSan, --enable-sanitizers); an empty enriched value passes it */
	buf_reset(&out);
	format_json_escape(&out, NULL, 0);
	cr_assert_eq(out.len, 0);
}

Test(format, format_table_finds_json_and_rejects_unknown)
{
	cr_assert_eq(format_find("json"), &format_json);
	cr_assert_null(format_find("yaml"));
	cr_assert_null(format_find(""));
}

Test(format, json_unparsed_line_is_forwarded_flagged_and_intact)
{
	audit_view_t host = { "h1", 2 };

	buf_reset(&out);
	format_json.unparsed(&out, "hello \"world\"", 13, AUDIT_PARSE_NOT_AUDIT, host);
	cr_assert_str_eq(text(), "{\"type\":\"UNPARSED\",\"reason\":\"not-audit\","
	                 "\"host\":\"h1\",\"raw\":\"hello \\\"world\\\"\"}");
}

Test(format, syslog_rfc5424_header)
{
	syslog_hdr_conf_t c;

	syslog_hdr_conf_default(&c);
	buf_reset(&out);
	syslog_header_write(&out, &c, 1700000000, 5, "web01", 5);
	cr_assert_str_eq(text(), "<14>1 2023-11-14T22:13:20.005Z web01 auditd - - - ");
}

/* the PRI's every bound, and the last time RFC 5424 can write (9999) and
 * the first it cannot, which takes the clock, like a time before 1970 */
Test(format, syslog_rfc5424_header_pri_and_time_bounds)
{
	syslog_hdr_conf_t c;
	char year[16];
	time_t now = time(NULL);
	struct tm tm;
	int64_t beyond[] = { 253402300800LL, -1, INT64_MAX };
	size_t i;

	syslog_hdr_conf_default(&c);
	c.facility = 0;
	c.severity = 0;
	buf_reset(&out);
	syslog_header_write(&out, &c, 253402300799LL, 999, "h", 1);
	cr_assert_str_eq(text(), "<0>1 9999-12-31T23:59:59.999Z h auditd - - - ");
	c.facility = 23;
	c.severity = 7;
	buf_reset(&out);
	syslog_header_write(&out, &c, 1700000000, 5, "h", 1);
	cr_assert_str_eq(text(), "<191>1 2023-11-14T22:13:20.005Z h auditd - - - ");
	c.facility = 1;
	c.severity = 2;
	buf_reset(&out);
	syslog_header_write(&out, &c, 1700000000, 5, "h", 1);
	cr_assert_str_eq(text(), "<10>1 2023-11-14T22:13:20.005Z h auditd - - - ");
	gmtime_r(&now, &tm);
	snprintf(year, sizeof(year), "%04d-", tm.tm_year + 1900);
	for (i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++) {
		buf_reset(&out);
		syslog_header_write(&out, &c, beyond[i], 5, "h", 1);
		cr_assert(strncmp(text(), "<10>1 ", 6) == 0 && strncmp(text() + 6, year, 5) == 0,
		          "%lld: %s", (long long)beyond[i], text());
		cr_assert(strstr(text(), ".000Z h auditd - - - ") != NULL, "%s", text());
	}
}

Test(format, syslog_rfc3164_header)
{
	syslog_hdr_conf_t c;

	syslog_hdr_conf_default(&c);
	c.style = SYSLOG_HDR_RFC3164;
	c.facility = 13;
	c.severity = 5;
	c.app_name = "audit";
	buf_reset(&out);
	syslog_header_write(&out, &c, 1700000000, 5, "web01", 5);
	cr_assert_str_eq(text(), "<109>Nov 14 22:13:20 web01 audit: ");
}

Test(format, syslog_header_host_cannot_break_the_header)
{
	syslog_hdr_conf_t c;

	syslog_hdr_conf_default(&c);
	buf_reset(&out);
	syslog_header_write(&out, &c, 0, 0, "a b\nc", 5);
	cr_assert_str_eq(text(), "<14>1 1970-01-01T00:00:00.000Z a_b_c auditd - - - ");
	buf_reset(&out);
	syslog_header_write(&out, &c, 0, 0, "", 0);
	cr_assert_str_eq(text(), "<14>1 1970-01-01T00:00:00.000Z - auditd - - - ");
}

Test(format, syslog_none_writes_nothing)
{
	syslog_hdr_conf_t c;

	syslog_hdr_conf_default(&c);
	c.style = SYSLOG_HDR_NONE;
	buf_reset(&out);
	syslog_header_write(&out, &c, 0, 0, "h", 1);
	cr_assert_eq(out.len, 0);
}

Test(format, syslog_option_parsers)
{
	syslog_style_t s;

	cr_assert_eq(syslog_style_parse("rfc3164", &s), 0);
	cr_assert_eq(s, SYSLOG_HDR_RFC3164);
	cr_assert_eq(syslog_style_parse("RFC5424", &s), -1);
	cr_assert_eq(syslog_app_name_check("auditd"), 0);
	cr_assert_eq(syslog_app_name_check("a b"), -1);
	cr_assert_eq(syslog_app_name_check("x:"), -1);
	cr_assert_eq(syslog_app_name_check(""), -1);
}

Test(format, msgbatch_spans_messages_back_to_back)
{
	msgbatch_t mb;
	size_t len;
	const char *m;

	msgbatch_init(&mb);
	msgbatch_begin(&mb);
	buf_puts(&mb.data, "one");
	cr_assert_eq(msgbatch_end(&mb), 0);
	msgbatch_begin(&mb);
	buf_puts(&mb.data, "dropped");
	msgbatch_cancel(&mb);
	msgbatch_begin(&mb);
	buf_puts(&mb.data, "two!");
	cr_assert_eq(msgbatch_end(&mb), 0);
	cr_assert_eq(mb.n, 2);
	m = msgbatch_msg(&mb, 1, &len);
	cr_assert_eq(len, 4);
	cr_assert_eq(memcmp(m, "two!", 4), 0);
	msgbatch_free(&mb);
}

Test(format, syslog_facility_by_name_or_number)
{
	int v = -1;

	cr_assert_eq(syslog_facility_parse("user", &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(syslog_facility_parse("local7", &v), 0);
	cr_assert_eq(v, 23);
	cr_assert_eq(syslog_facility_parse("authpriv", &v), 0);
	cr_assert_eq(v, 10);
	cr_assert_eq(syslog_facility_parse("audit", &v), 0);
	cr_assert_eq(v, 13);
	cr_assert_eq(syslog_facility_parse("security", &v), 0);
	cr_assert_eq(v, 4);
	cr_assert_eq(syslog_facility_parse("0", &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(syslog_facility_parse("23", &v), 0);
	cr_assert_eq(v, 23);
	cr_assert_neq(syslog_facility_parse("24", &v), 0);
	cr_assert_neq(syslog_facility_parse("-1", &v), 0);
	cr_assert_neq(syslog_facility_parse("local8", &v), 0);
	cr_assert_neq(syslog_facility_parse("", &v), 0);
	cr_assert_neq(syslog_facility_parse("1x", &v), 0);
}

Test(format, syslog_severity_by_name_or_number)
{
	int v = -1;

	cr_assert_eq(syslog_severity_parse("info", &v), 0);
	cr_assert_eq(v, 6);
	cr_assert_eq(syslog_severity_parse("warning", &v), 0);
	cr_assert_eq(v, 4);
	cr_assert_eq(syslog_severity_parse("warn", &v), 0);
	cr_assert_eq(v, 4);
	cr_assert_eq(syslog_severity_parse("err", &v), 0);
	cr_assert_eq(v, 3);
	cr_assert_eq(syslog_severity_parse("7", &v), 0);
	cr_assert_eq(v, 7);
	cr_assert_neq(syslog_severity_parse("8", &v), 0);
	cr_assert_neq(syslog_severity_parse("loud", &v), 0);
}

Test(format, syslog_header_carries_the_configured_priority)
{
	syslog_hdr_conf_t c;

	syslog_hdr_conf_default(&c);
	c.facility = 19;   /* local3 */
	c.severity = 5;    /* notice */
	buf_reset(&out);
	syslog_header_write(&out, &c, 1700000000, 123, "web01", 5);
	cr_assert_str_eq(text(), "<157>1 2023-11-14T22:13:20.123Z web01 auditd - - - ");
}

/* ---- the time of a received header (journald's records have no other) */

static int t3339(const char *s, int64_t *sec, unsigned *ms)
{
	return syslog_time_3339(s, s + strlen(s), sec, ms);
}

Test(format, syslog_time_rfc3339_with_offsets)
{
	int64_t sec = -1;
	unsigned ms = 9;

	cr_assert(t3339("2023-11-14T22:13:20Z host", &sec, &ms));
	cr_assert_eq(sec, 1700000000);
	cr_assert_eq(ms, 0);
	cr_assert(t3339("2023-11-14T23:13:20.123456+01:00", &sec, &ms));
	cr_assert_eq(sec, 1700000000);
	cr_assert_eq(ms, 123);
	cr_assert(t3339("2023-11-14T17:43:20.5-04:30", &sec, &ms));
	cr_assert_eq(sec, 1700000000);
	cr_assert_eq(ms, 500);
	/* no zone, a bad field, cut short: not a time, outputs untouched */
	sec = -1;
	cr_assert_not(t3339("2023-11-14T22:13:20", &sec, &ms));
	cr_assert_not(t3339("2023-11-14T22:13:2x+00:00", &sec, &ms));
	cr_assert_not(t3339("2023-11-14T22:13", &sec, &ms));
	cr_assert_not(t3339("2023-11-14T22:13:20+01", &sec, &ms));
	/* before 1970: no audit time (found by fuzz_record) */
	cr_assert_not(t3339("0224-11-25T07:40:10.517000+00:00", &sec, &ms));
	cr_assert_not(t3339("1970-01-01T00:30:00+01:00", &sec, &ms));
	cr_assert_eq(sec, -1);
}

Test(format, syslog_time_rfc3164_guesses_the_year)
{
	const char *nov = "Nov 14 22:13:20 host audit: x";
	const char *dec = "Dec 31 23:59:59 host";
	const char *pad = "Jan  2 03:04:05 host";
	time_t now = 1700000000 + 3600;   /* 2023-11-14T23:13:20Z */
	int64_t sec = -1;

	setenv("TZ", "UTC", 1);
	tzset();
	cr_assert(syslog_time_3164(nov, nov + strlen(nov), now, &sec));
	cr_assert_eq(sec, 1700000000);
	/* Dec 31 seen in November: last year's */
	cr_assert(syslog_time_3164(dec, dec + strlen(dec), now, &sec));
	cr_assert_eq(sec, 1672531199);    /* 2022-12-31T23:59:59Z */
	cr_assert(syslog_time_3164(pad, pad + strlen(pad), now, &sec));
	cr_assert_eq(sec, 1672628645);    /* 2023-01-02T03:04:05Z */
	cr_assert_not(syslog_time_3164("Nox 14 22:13:20 h", "Nox 14 22:13:20 h" + 17,
	                               now, &sec));
	cr_assert_not(syslog_time_3164("Nov 14 22:13", "Nov 14 22:13" + 12, now, &sec));
}

/* format_upper_plain turns a plain name of up to 8 bytes in one word: the
 * same text as byte by byte, for every name character at every place and
 * every length; longer or non-plain names, and a record without an index,
 * are left to the byte loop. */
Test(format, upper_plain_is_upper_case_byte_by_byte)
{
	static const char chars[] = "abcxyzABCXYZ0123456789_";
	char line[128], name[16], up[16], want[16];
	audit_record_t r;
	size_t len, at, c, i;

	audit_record_init(&r);
	for (len = 1; len <= 8; len++)
		for (at = 0; at < len; at++)
			for (c = 0; c < sizeof(chars) - 1; c++) {
				memset(name, 'q', len);
				name[len] = '\0';
				name[at] = chars[c];
				if (name[0] >= '0' && name[0] <= '9')
					name[0] = 'q';   /* (a digits-only name is not a name) */
				snprintf(line, sizeof(line), "type=PATH msg=audit(1.000:1): %s=1", name);
				cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK);
				cr_assert_eq(r.nfields, 1, "%s", line);
				for (i = 0; i <= len; i++)
					want[i] = (name[i] >= 'a' && name[i] <= 'z') ? (char)(name[i] - 32) : name[i];
				cr_assert_eq(format_upper_plain(&r, &r.fields[0], up), 1, "%s", name);
				cr_assert_str_eq(up, want);
			}
	snprintf(line, sizeof(line), "type=PATH msg=audit(1.000:1): abcdefghi=1 a-b=2");
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK);
	cr_assert_eq(format_upper_plain(&r, &r.fields[0], up), 0, "nine bytes");
	cr_assert_eq(format_upper_plain(&r, &r.fields[1], up), 0, "not plain");
	/* without an index the fields have no key (what the last parse left) */
	snprintf(line, sizeof(line), "type=PATH msg=audit(1.000:1): zzz=1");
	cr_assert_eq(audit_record_parse(&r, line, strlen(line)), AUDIT_PARSE_OK);
	snprintf(line, sizeof(line), "type=PATH msg=audit(1.000:1): abc=1");
	cr_assert_eq(audit_record_parse_opt(&r, line, strlen(line), AUDIT_PARSE_NO_INDEX),
	             AUDIT_PARSE_OK);
	cr_assert_eq(format_upper_plain(&r, &r.fields[0], up), 0, "no index: no key");
	audit_record_free(&r);
}
