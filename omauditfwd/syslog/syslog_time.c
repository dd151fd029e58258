/* syslog_time.c -- the time of a received syslog header (see
 * syslog_time.h): RFC 3339 with its offset, RFC 3164 in local time. */
#include <string.h>

#include "syslog_time.h"

#define DECIMAL_BASE   10
#define MSEC_PER_SEC   1000
#define MONTH_NAME_LEN 3
#define SEC_PER_MIN    60
#define MIN_PER_HOUR   60
#define SEC_PER_DAY    86400
#define TM_BASE_YEAR   1900

static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The month at P (0-11), or -1. */
static int month_at(const char *p, const char *end)
{
	size_t i;

	if (end - p < MONTH_NAME_LEN)
		return -1;
	for (i = 0; i < sizeof(month_names) / sizeof(month_names[0]); i++)
		if (memcmp(p, month_names[i], MONTH_NAME_LEN) == 0)
			return (int)i;
	return -1;
}

/* N digits at P as a number, or -1. */
static int digits_at(const char *p, const char *end, int n)
{
	int v = 0;

	if (end - p < n)
		return -1;
	for (; n > 0; n--, p++) {
		if (!is_digit(*p))
			return -1;
		v = v * DECIMAL_BASE + (*p - '0');
	}
	return v;
}

/* The offsets below are the fixed positions of the layout (0-based: year
 * 0, month 5, day 8, hour 11, minute 14, second 17; 19 characters). */
int syslog_time_3339(const char *p, const char *end, int64_t *sec,
                     unsigned *msec)
{
	struct tm tm;
	int off = 0, sign, ms = 0, scale = MSEC_PER_SEC / DECIMAL_BASE;

	memset(&tm, 0, sizeof(tm));
	if ((tm.tm_year = digits_at(p, end, 4)) < 0 || end - p < 19 ||
	    p[4] != '-' || (tm.tm_mon = digits_at(p + 5, end, 2)) < 1 ||
	    p[7] != '-' || (tm.tm_mday = digits_at(p + 8, end, 2)) < 1 ||
	    (p[10] != 'T' && p[10] != ' ') ||
	    (tm.tm_hour = digits_at(p + 11, end, 2)) < 0 || p[13] != ':' ||
	    (tm.tm_min = digits_at(p + 14, end, 2)) < 0 || p[16] != ':' ||
	    (tm.tm_sec = digits_at(p + 17, end, 2)) < 0)
		return 0;
	p += 19;
	if (p < end && *p == '.')
		for (p++; p < end && is_digit(*p); p++, scale /= DECIMAL_BASE)
			ms += (*p - '0') * scale;
	if (p < end && (*p == '+' || *p == '-')) {
		int hh, mm;

		sign = *p == '-' ? -1 : 1;
		if ((hh = digits_at(p + 1, end, 2)) < 0 || end - p < 6 ||
		    p[3] != ':' || (mm = digits_at(p + 4, end, 2)) < 0)
			return 0;
		off = sign * (hh * MIN_PER_HOUR + mm) * SEC_PER_MIN;
	} else if (p >= end || *p != 'Z') {
		return 0;
	}
	tm.tm_year -= TM_BASE_YEAR;
	tm.tm_mon--;
	/* before 1970 (year 0224, found by fuzz_record) is no audit time */
	if ((int64_t)timegm(&tm) - off < 0)
		return 0;
	*sec = (int64_t)timegm(&tm) - off;
	*msec = (unsigned)ms;
	return 1;
}

/* "Mmm dd hh:mm:ss": 15 characters; day at 4, space-padded; hour 7,
 * minute 10, second 13. */
int syslog_time_3164(const char *p, const char *end, time_t now,
                     int64_t *sec)
{
	struct tm tm, now_tm;
	time_t t;
	int i;

	if ((i = month_at(p, end)) < 0 || end - p < 15)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_mon = i;
	tm.tm_mday = digits_at(p + 4 + (p[4] == ' '), end, 1 + (p[4] != ' '));
	if (tm.tm_mday < 1 || (tm.tm_hour = digits_at(p + 7, end, 2)) < 0 ||
	    (tm.tm_min = digits_at(p + 10, end, 2)) < 0 ||
	    (tm.tm_sec = digits_at(p + 13, end, 2)) < 0)
		return 0;
	localtime_r(&now, &now_tm);
	tm.tm_year = now_tm.tm_year;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t > now + SEC_PER_DAY) {
		tm.tm_year--;
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	*sec = (int64_t)t;
	return 1;
}
