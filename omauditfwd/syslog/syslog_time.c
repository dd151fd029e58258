/* syslog_time.c -- syslog's times (see syslog_time.h): RFC 3339 read with
 * its offset and written in UTC, RFC 3164 read in local time; the month
 * names. */
#include <stdio.h>
#include <string.h>

#include "syslog_time.h"

#define DECIMAL_BASE   10
#define MSEC_PER_SEC   1000
#define MONTH_NAME_LEN 3
#define SEC_PER_MIN    60
#define MIN_PER_HOUR   60
#define SEC_PER_HOUR   3600
#define SEC_PER_DAY    86400
#define TM_BASE_YEAR   1900
#define FAST_YEAR_MAX  9999   /* four digits: written without gmtime_r */
#define MSEC_DIGITS    3

static const char month_names[SYSLOG_MONTHS][MONTH_NAME_LEN + 1] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int syslog_month_at(const char *p, const char *end)
{
	int i;

	if (end - p < MONTH_NAME_LEN)
		return -1;
	for (i = 0; i < SYSLOG_MONTHS; i++)
		if (memcmp(p, month_names[i], MONTH_NAME_LEN) == 0)
			return i;
	return -1;
}

const char *syslog_month_name(int mon)
{
	return month_names[(unsigned)mon % SYSLOG_MONTHS];
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

	if ((i = syslog_month_at(p, end)) < 0 || end - p < 15)
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

/* the N (2, 3 or 4) last digits of V at P, two at a time */
static void put_digits(char *p, unsigned v, int n)
{
	if (n == 4) {
		memcpy(p, buf_digit_pairs + 2 * (v / 100 % 100), 2);
		p += 2;
	} else if (n == 3) {
		*p++ = (char)('0' + v / 100 % DECIMAL_BASE);
	}
	memcpy(p, buf_digit_pairs + 2 * (v % 100), 2);
}

/* The civil date of DAYS since 1970-01-01 (proleptic Gregorian; H. Hinnant's
 * days_from_civil inverse): pure arithmetic, unlike gmtime_r, which takes
 * glibc's time zone lock. */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* a year outside 0-9999, as gmtime_r and printf have it */
static size_t fmt_3339_slow(char out[SYSLOG_3339_MAX], int64_t sec,
                            unsigned msec)
{
	struct tm tm;
	time_t t = (time_t)sec;
	int n;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	n = snprintf(out, SYSLOG_3339_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
	             tm.tm_year + TM_BASE_YEAR, tm.tm_mon + 1, tm.tm_mday,
	             tm.tm_hour, tm.tm_min, tm.tm_sec, msec % MSEC_PER_SEC);
	return n > 0 && n < SYSLOG_3339_MAX ? (size_t)n : 0;
}

/* The layout's fixed positions as syslog_time_3339 reads them, and the
 * fraction at 20 and 'Z' at 23: 24 characters. */
size_t syslog_time_fmt_3339(char out[SYSLOG_3339_MAX], int64_t sec,
                            unsigned msec)
{
	int64_t days = sec >= 0 ? sec / SEC_PER_DAY :
	               -((-sec + SEC_PER_DAY - 1) / SEC_PER_DAY), y;
	unsigned rem = (unsigned)(sec - days * SEC_PER_DAY), m, d;

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > FAST_YEAR_MAX)
		return fmt_3339_slow(out, sec, msec);
	put_digits(out, (unsigned)y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = 'T';
	put_digits(out + 11, rem / SEC_PER_HOUR, 2);
	out[13] = ':';
	put_digits(out + 14, rem / SEC_PER_MIN % MIN_PER_HOUR, 2);
	out[16] = ':';
	put_digits(out + 17, rem % SEC_PER_MIN, 2);
	out[19] = '.';
	put_digits(out + 20, msec % MSEC_PER_SEC, MSEC_DIGITS);
	out[23] = 'Z';
	out[24] = '\0';
	return 24;
}

void syslog_time_put_3339(buf_t *out, int64_t sec, unsigned msec)
{
	char b[SYSLOG_3339_MAX];

	buf_append(out, b, syslog_time_fmt_3339(b, sec, msec));
}
