/* syslog_header.c -- writes RFC 5424 / RFC 3164 headers (see syslog_header.h). */
#include <string.h>
#include <time.h>

#include "syslog_header.h"

void syslog_hdr_conf_default(syslog_hdr_conf_t *c)
{
	c->style = SYSLOG_HDR_RFC5424;
	c->facility = SYSLOG_DEFAULT_FACILITY;
	c->severity = SYSLOG_DEFAULT_SEVERITY;
	c->app_name = SYSLOG_DEFAULT_APPNAME;
}

int syslog_style_parse(const char *s, syslog_style_t *out)
{
	if (strcmp(s, "rfc5424") == 0)
		*out = SYSLOG_HDR_RFC5424;
	else if (strcmp(s, "rfc3164") == 0)
		*out = SYSLOG_HDR_RFC3164;
	else if (strcmp(s, "none") == 0)
		*out = SYSLOG_HDR_NONE;
	else
		return -1;
	return 0;
}

int syslog_app_name_check(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > SYSLOG_APPNAME_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] <= 32 || (unsigned char)name[i] >= 127 ||
		    name[i] == ':' || name[i] == '[')
			return -1;
	return 0;
}

static void put_host(buf_t *out, const char *host, size_t len)
{
	size_t i;

	if (len == 0) {
		buf_putc(out, '-');
		return;
	}
	if (len > SYSLOG_HOSTNAME_MAX)
		len = SYSLOG_HOSTNAME_MAX;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)host[i];
		buf_putc(out, (c <= 32 || c >= 127) ? '_' : (char)c);
	}
}

void syslog_header_write(buf_t *out, const syslog_hdr_conf_t *c,
                         int64_t sec, unsigned msec,
                         const char *host, size_t hostlen)
{
	static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	time_t t = (time_t)sec;
	int pri = c->facility * 8 + c->severity;

	if (c->style == SYSLOG_HDR_NONE)
		return;
	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	if (c->style == SYSLOG_HDR_RFC5424) {
		buf_printf(out, "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%03uZ ", pri,
		           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		           tm.tm_min, tm.tm_sec, msec % 1000);
		put_host(out, host, hostlen);
		buf_putc(out, ' ');
		buf_puts(out, c->app_name);
		buf_append(out, " - - - ", 7);
	} else {
		buf_printf(out, "<%d>%s %2d %02d:%02d:%02d ", pri, mon[tm.tm_mon % 12],
		           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		put_host(out, host, hostlen);
		buf_putc(out, ' ');
		buf_puts(out, c->app_name);
		buf_append(out, ": ", 2);
	}
}
