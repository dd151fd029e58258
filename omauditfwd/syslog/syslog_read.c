/* syslog_read.c -- reads the syslog header in front of a received line
 * (see syslog_read.h): where the message starts, the host, the time and
 * RFC 5424's APP-NAME. */
#include <stddef.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "syslog_read.h"
#include "syslog_time.h"

#define LIT_LEN(s) (sizeof(s) - 1)

#define PRI_DIGITS_MAX          3    /* <191> */
#define VERSION_DIGITS_MAX      2    /* RFC 5424 VERSION */
#define MONTH_NAME_LEN          3
#define DAY_DIGITS_MAX          2
#define RFC5424_SKIPPED_TOKENS  3    /* APP-NAME PROCID MSGID */
#define UTF8_BOM    "\xef\xbb\xbf"   /* may open an RFC 5424 MSG */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Past at most MAX digits at P (P itself when there is none). */
static const char *skip_digits(const char *p, const char *end, int max)
{
	const char *s = p;

	while (p < end && is_digit(*p) && p - s < max)
		p++;
	return p;
}

/* Past "<PRI>", or P when there is none. */
static const char *skip_pri(const char *p, const char *end)
{
	const char *q;

	if (p >= end || *p != '<')
		return p;
	q = skip_digits(p + 1, end, PRI_DIGITS_MAX);
	if (q == p + 1 || q >= end || *q != '>')
		return p;
	return q + 1;
}

/* Past RFC 5424's "VERSION " at P (just after "<PRI>"), or NULL. */
static const char *skip_version(const char *p, const char *end)
{
	const char *q = skip_digits(p, end, VERSION_DIGITS_MAX);

	if (q == p || q >= end || *q != ' ')
		return NULL;
	return q + 1;
}

/* The first blank at or after P, or END. Sixteen bytes a round while that
 * many are left (SSE2, which every x86-64 has): a header's tokens are
 * tens of bytes, and every received line has one. */
static const char *blank_at(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');

	while (end - p >= (ptrdiff_t)sizeof(__m128i)) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, sp),
		                                                      _mm_cmpeq_epi8(x, tab)));

		if (m != 0)
			return p + __builtin_ctz(m);
		p += sizeof(__m128i);
	}
#endif
	while (p < end && !is_blank(*p))
		p++;
	return p;
}

/* Past one token of non-blanks and the single space that ends it, or NULL
 * when the token is empty or the line ends. */
static const char *skip_token(const char *p, const char *end)
{
	const char *s = p;

	p = blank_at(p, end);
	if (p == s || p >= end || *p != ' ')
		return NULL;
	return p + 1;
}

/* RFC 5424 STRUCTURED-DATA: "-" or one or more [id k="v \] x"] elements. */
static const char *skip_sd(const char *p, const char *end)
{
	if (p < end && *p == '-')
		return p + 1;
	if (p >= end || *p != '[')
		return NULL;
	while (p < end && *p == '[') {
		int quoted = 0;

		for (p++; p < end; p++) {
			if (quoted && *p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = !quoted;
			else if (!quoted && *p == ']')
				break;
		}
		if (p >= end)
			return NULL;
		p++;
	}
	return p;
}

/* After "<PRI>": VERSION SP TIMESTAMP SP HOST SP APP SP PROCID SP MSGID SP
 * SD [SP MSG]. Returns the start of MSG, or NULL when this is not one. */
static const char *parse_5424(const char *p, const char *end,
                              const char **host, size_t *hostlen)
{
	const char *h;
	size_t hlen;
	int i;

	if ((p = skip_version(p, end)) == NULL)
		return NULL;
	p = skip_token(p, end);                   /* TIMESTAMP */
	if (p == NULL)
		return NULL;
	h = p;
	p = skip_token(p, end);                   /* HOSTNAME */
	if (p == NULL)
		return NULL;
	hlen = (size_t)(p - h) - 1;
	for (i = 0; i < RFC5424_SKIPPED_TOKENS && p != NULL; i++)
		p = skip_token(p, end);
	if (p == NULL || (p = skip_sd(p, end)) == NULL)
		return NULL;
	if (p < end && *p == ' ')
		p++;
	if ((size_t)(end - p) >= LIT_LEN(UTF8_BOM) &&
	    memcmp(p, UTF8_BOM, LIT_LEN(UTF8_BOM)) == 0)
		p += LIT_LEN(UTF8_BOM);
	/* the nil value "-" means the sender did not know its name */
	*host = h;
	*hostlen = (hlen == 1 && *h == '-') ? 0 : hlen;
	return p;
}

/* "Mmm dd hh:mm:ss " (day may be space-padded): past it, or NULL. */
static const char *skip_3164_date(const char *p, const char *end)
{
	const char *d;

	if (syslog_month_at(p, end) < 0)
		return NULL;
	p += MONTH_NAME_LEN;
	if (p >= end || *p != ' ')
		return NULL;
	while (p < end && *p == ' ')
		p++;
	d = p;
	p = skip_digits(p, end, DAY_DIGITS_MAX);
	if (p == d || p >= end || *p != ' ')
		return NULL;
	p++;
	if (p >= end || !is_digit(*p))
		return NULL;
	return skip_token(p, end);
}

/* "YYYY-MM-DDT... ": past it, or NULL. */
static const char *skip_3339_date(const char *p, const char *end)
{
	static const char shape[] = "dddd-dd-ddT";
	size_t i;

	if ((size_t)(end - p) < LIT_LEN(shape))
		return NULL;
	for (i = 0; i < LIT_LEN(shape); i++) {
		if (shape[i] == 'd' ? !is_digit(p[i]) : p[i] != shape[i])
			return NULL;
	}
	return skip_token(p, end);
}

/* The RFC 3164 / rsyslog-file HOST token at P. A token that ends in ':'
 * or holds '[' is the TAG of a header without a host: no hostname. */
static const char *take_host(const char *p, const char *end,
                             const char **host, size_t *hostlen)
{
	const char *s = p;
	const char *next = skip_token(p, end);
	size_t len;

	if (next == NULL)
		return p;
	len = (size_t)(next - s) - 1;
	if (s[len - 1] == ':' || memchr(s, '[', len) != NULL)
		return s;
	*host = s;
	*hostlen = len;
	return next;
}

const char *syslog_read_header(const char *line, const char *end,
                               const char **host, size_t *hostlen)
{
	const char *p = skip_pri(line, end);
	const char *q;

	if (p != line && (q = parse_5424(p, end, host, hostlen)) != NULL)
		return q;
	if ((q = skip_3164_date(p, end)) != NULL ||
	    (q = skip_3339_date(p, end)) != NULL)
		return take_host(q, end, host, hostlen);
	return line;
}

int syslog_read_time(const char *line, const char *end, time_t now,
                     int64_t *sec, unsigned *msec)
{
	const char *p = skip_pri(line, end);
	const char *q;

	if (p != line && (q = skip_version(p, end)) != NULL &&  /* RFC 5424 */
	    syslog_time_3339(q, end, sec, msec))
		return 1;
	return syslog_time_3339(p, end, sec, msec) ||
	       syslog_time_3164(p, end, now, sec);
}

int syslog_read_app_is(const char *line, const char *end, const char *app,
                       size_t len)
{
	const char *p = skip_pri(line, end), *a;

	if (p == line || (p = skip_version(p, end)) == NULL)
		return 0;
	if ((p = skip_token(p, end)) == NULL ||   /* TIMESTAMP */
	    (p = skip_token(p, end)) == NULL)     /* HOSTNAME */
		return 0;
	a = p;
	return skip_token(p, end) == a + len + 1 && memcmp(a, app, len) == 0;
}
