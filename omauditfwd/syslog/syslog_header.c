/* syslog_header.c -- writes RFC 5424 / RFC 3164 headers (see syslog_header.h). */
#include <string.h>
#include <time.h>

#include "syslog_header.h"
#include "syslog_time.h"

/* the first second of the year 10000: RFC 5424 writes years in four
 * digits, and receivers parse no other (10000-01-01T00:00:00Z) */
#define SEC_YEAR_10000  253402300800LL

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

/* RFC 5424's facilities by the names rsyslog gives them, in code order
 * (13, "audit", is RFC 5424's "log audit"); "security" is auth, as in
 * syslog.conf */
static const char *const facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp",
	"cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};
static const char *const severities[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

/* index of S in NAMES, or S as a number below N; -1 if neither */
static int name_or_number(const char *s, const char *const *names, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	if (*s == '\0' || strlen(s) > 2)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v < n ? v : -1;
}

int syslog_facility_parse(const char *s, int *out)
{
	int v = name_or_number(s, facilities, 24);

	if (v < 0 && strcmp(s, "security") == 0)
		v = 4;
	if (v < 0)
		return -1;
	*out = v;
	return 0;
}

int syslog_severity_parse(const char *s, int *out)
{
	int v = name_or_number(s, severities, 8);

	if (v < 0 && strcmp(s, "error") == 0)
		v = 3;
	else if (v < 0 && strcmp(s, "warn") == 0)
		v = 4;
	else if (v < 0 && strcmp(s, "panic") == 0)
		v = 0;
	if (v < 0)
		return -1;
	*out = v;
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

int syslog_hostname_ok(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > SYSLOG_HOSTNAME_MAX || (len == 1 && name[0] == '-'))
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_' || c == ':'))
			return 0;
	}
	return 1;
}

size_t syslog_header_host(const char *host, size_t len, char out[SYSLOG_HOSTNAME_MAX + 1])
{
	size_t i;

	if (len == 0) {
		out[0] = '-';
		out[1] = '\0';
		return 1;
	}
	if (len > SYSLOG_HOSTNAME_MAX)
		len = SYSLOG_HOSTNAME_MAX;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)host[i];
		out[i] = (c <= 32 || c >= 127) ? '_' : (char)c;
	}
	out[len] = '\0';
	return len;
}

static void put_host(buf_t *out, const char *host, size_t len)
{
	char h[SYSLOG_HOSTNAME_MAX + 1];

	buf_append(out, h, syslog_header_host(host, len, h));
}

/* The RFC 5424 header written straight into OUT's room, reserved once
 * (a message writes one; the pieces one by one cost about twice as much).
 * When there is no room, buf_reserve has marked OUT (oom) and nothing is
 * written, as an append would have done. */
static void rfc5424_in_place(buf_t *out, const syslog_hdr_conf_t *c, int pri, int64_t sec,
                            unsigned msec, const char *host, size_t hostlen)
{
	size_t alen = strlen(c->app_name), hlen = hostlen ? hostlen : 1;
	char *d;

	if (hlen > SYSLOG_HOSTNAME_MAX)
		hlen = SYSLOG_HOSTNAME_MAX;
	/* "<191>1 " time " " host " " app " - - - ", the time's and the host's
	 * writers each ending with a NUL */
	if (buf_reserve(out, 7 + SYSLOG_3339_MAX + 1 + hlen + 1 + alen + 7) != 0)
		return;
	d = out->p + out->len;
	*d++ = '<';
	if (pri >= 100)
		*d++ = (char)('0' + pri / 100);
	if (pri >= 10)
		*d++ = (char)('0' + pri / 10 % 10);
	*d++ = (char)('0' + pri % 10);
	memcpy(d, ">1 ", 3);
	d += 3;
	d += syslog_time_fmt_3339(d, sec, msec);
	*d++ = ' ';
	d += syslog_header_host(host, hostlen, d);
	*d++ = ' ';
	memcpy(d, c->app_name, alen);
	d += alen;
	memcpy(d, " - - - ", 7);
	d += 7;
	out->len = (size_t)(d - out->p);
}

void syslog_header_write(buf_t *out, const syslog_hdr_conf_t *c,
                         int64_t sec, unsigned msec,
                         const char *host, size_t hostlen)
{
	struct tm tm;
	time_t t = (time_t)sec;
	int pri = c->facility * 8 + c->severity;

	if (c->style == SYSLOG_HDR_NONE)
		return;
	/* a time no receiver parses (RFC 5424: four-digit years) never goes
	 * out: the caller already puts the receiving clock there (pipeline.c),
	 * this is the last line of defence. (The bound in seconds: no
	 * gmtime_r for the RFC 5424 header, written once per message.) */
	if (sec < 0 || sec >= SEC_YEAR_10000) {
		t = time(NULL);
		msec = 0;
	}
	if (c->style == SYSLOG_HDR_RFC5424) {
		rfc5424_in_place(out, c, pri, (int64_t)t, msec, host, hostlen);
	} else {
		gmtime_r(&t, &tm);
		buf_printf(out, "<%d>%s %2d %02d:%02d:%02d ", pri, syslog_month_name(tm.tm_mon),
		           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		put_host(out, host, hostlen);
		buf_putc(out, ' ');
		buf_puts(out, c->app_name);
		buf_append(out, ": ", 2);
	}
}
