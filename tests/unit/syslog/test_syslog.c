/* test_syslog.c -- the syslog unit: the RFC 3339 writer agrees with
 * gmtime_r across the calendar and past its four-digit years, the month
 * table, and the header reader (host, message start, time, APP-NAME). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "syslog_read.h"
#include "syslog_time.h"

/* what the writer must print: gmtime_r and printf, as before it existed */
static void reference(char *out, size_t n, int64_t sec, unsigned msec)
{
	struct tm tm;
	time_t t = (time_t)sec;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, msec % 1000);
}

static void check_3339(int64_t sec, unsigned msec)
{
	char a[SYSLOG_3339_MAX], b[SYSLOG_3339_MAX];
	size_t n = syslog_time_fmt_3339(a, sec, msec);

	reference(b, sizeof(b), sec, msec);
	cr_assert_str_eq(a, b, "%lld", (long long)sec);
	cr_assert_eq(n, strlen(b));
}

Test(syslog_time, rfc3339_with_milliseconds)
{
	char b[SYSLOG_3339_MAX];

	syslog_time_fmt_3339(b, 1700000000, 123);
	cr_assert_str_eq(b, "2023-11-14T22:13:20.123Z");
	syslog_time_fmt_3339(b, 0, 1007);
	cr_assert_str_eq(b, "1970-01-01T00:00:00.007Z");
}

Test(syslog_time, rfc3339_agrees_with_gmtime_across_the_calendar)
{
	static const int64_t secs[] = { 0, 59, 86399, 86400, 951782400 /* 2000-02-29 */,
	                                951868799, 1700000000, 4107542399 /* 2100-02-28 */,
	                                4107542400, 253402300799 /* 9999-12-31 */,
	                                253402300800 /* 10000: gmtime's path */,
	                                -1, -86400, -2208988800 /* 1900-01-01 */,
	                                -62167219200 /* 0000-01-01 */, -62167219201,
	                                INT64_MAX / 2 /* gmtime_r fails */ };
	size_t i;

	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
		check_3339(secs[i], 7);
	for (i = 0; i < 2000; i++)   /* a day and a bit every step, 1970..2100 */
		check_3339((int64_t)i * 2057311, 999);
}

Test(syslog_time, rfc3339_appends_to_a_buffer_and_reads_back)
{
	buf_t b;
	int64_t sec = 0;
	unsigned msec = 0;

	buf_init(&b);
	buf_puts(&b, "x ");
	syslog_time_put_3339(&b, 1700000000, 42);
	cr_assert_eq(b.len, 2 + 24);
	cr_assert(memcmp(b.p, "x 2023-11-14T22:13:20.042Z", b.len) == 0);
	cr_assert_eq(syslog_time_3339(b.p + 2, b.p + b.len, &sec, &msec), 1);
	cr_assert_eq(sec, 1700000000);
	cr_assert_eq(msec, 42);
	buf_free(&b);
}

Test(syslog_time, one_month_table)
{
	static const char *const names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int i;

	for (i = 0; i < SYSLOG_MONTHS; i++) {
		cr_assert_str_eq(syslog_month_name(i), names[i]);
		cr_assert_eq(syslog_month_at(names[i], names[i] + 3), i);
	}
	cr_assert_str_eq(syslog_month_name(12), "Jan");
	cr_assert_eq(syslog_month_at("Ja", "Ja" + 2), -1);
	cr_assert_eq(syslog_month_at("jan", "jan" + 3), -1);
}

static const char *read_header(const char *line, const char **host, size_t *hostlen)
{
	*host = NULL;
	*hostlen = 0;
	return syslog_read_header(line, line + strlen(line), host, hostlen);
}

static void check_header(const char *line, const char *host_want, const char *msg_want)
{
	const char *host, *msg;
	size_t hostlen;

	msg = read_header(line, &host, &hostlen);
	cr_assert_str_eq(msg, msg_want, "%s", line);
	if (host_want == NULL) {
		cr_assert_null(host, "%s", line);
		return;
	}
	cr_assert_eq(hostlen, strlen(host_want), "%s", line);
	cr_assert(memcmp(host, host_want, hostlen) == 0, "%s", line);
}

Test(syslog_read, headers_give_host_and_message)
{
	check_header("<14>1 2023-11-14T22:13:20.123Z web01 auditd - - - type=X", "web01", "type=X");
	check_header("<14>1 2023-11-14T22:13:20Z - app 1 2 [a b=\"]\"] \xef\xbb\xbfm", "", "m");
	check_header("<14>Nov 14 22:13:20 web01 audispd: type=X", "web01", "audispd: type=X");
	check_header("Nov  4 22:13:20 audispd: type=X", NULL, "audispd: type=X");
	check_header("2023-11-14T22:13:20+01:00 h1 audit[12]: m", "h1", "audit[12]: m");
	check_header("<14>1 2023-11-14T22:13:20Z web01", NULL,
	             "<14>1 2023-11-14T22:13:20Z web01");          /* cut short */
	check_header("type=SYSCALL msg=audit(1.2:3):", NULL, "type=SYSCALL msg=audit(1.2:3):");
}

/* Header tokens are scanned sixteen bytes a round: a host of every
 * length from 1 to 40 ends at its space, and a TAB in it (at every
 * place, which makes the line no RFC 5424 header) is seen wherever it
 * falls in a round. */
Test(syslog_read, host_tokens_of_every_length_end_at_their_blank)
{
	char line[160], host[48];
	size_t len, at;

	for (len = 1; len <= 40; len++) {
		memset(host, 'h', len);
		host[len] = '\0';
		snprintf(line, sizeof(line), "<14>1 2023-11-14T22:13:20Z %s app - - - type=X", host);
		check_header(line, host, "type=X");
		for (at = 0; at < len; at++) {
			host[at] = '\t';
			snprintf(line, sizeof(line), "<14>1 2023-11-14T22:13:20Z %s app - - - type=X",
			         host);
			/* not RFC 5424; not RFC 3164 either (no month), nor a 3339 date */
			check_header(line, NULL, line);
			host[at] = 'h';
		}
	}
}

Test(syslog_read, time_and_app_name)
{
	const char *l5424 = "<14>1 2023-11-14T22:13:20.5Z h audit - - - SYSCALL x";
	const char *l3339 = "2023-11-14T23:13:20.250+01:00 h audit: SYSCALL x";
	const char *none = "h audit: SYSCALL x";
	int64_t sec = 0;
	unsigned msec = 0;

	cr_assert_eq(syslog_read_time(l5424, l5424 + strlen(l5424), 0, &sec, &msec), 1);
	cr_assert_eq(sec, 1700000000);
	cr_assert_eq(msec, 500);
	cr_assert_eq(syslog_read_time(l3339, l3339 + strlen(l3339), 0, &sec, &msec), 1);
	cr_assert_eq(sec, 1700000000);
	cr_assert_eq(msec, 250);
	sec = 7;
	cr_assert_eq(syslog_read_time(none, none + strlen(none), 0, &sec, &msec), 0);
	cr_assert_eq(sec, 7);
	cr_assert_eq(syslog_read_app_is(l5424, l5424 + strlen(l5424), "audit", 5), 1);
	cr_assert_eq(syslog_read_app_is(l5424, l5424 + strlen(l5424), "audi", 4), 0);
	cr_assert_eq(syslog_read_app_is(l3339, l3339 + strlen(l3339), "audit", 5), 0);
}
