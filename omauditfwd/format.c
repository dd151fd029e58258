/* format.c -- the table of output formats and helpers they share. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "format.h"

static const format_ops_t *const formats[] = {
	&format_json,
	&format_leef,
	&format_cef,
	&format_raw,
};

const format_ops_t *format_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

const char *format_names(void)
{
	return "json, leef, cef, raw";
}

void format_conf_default(format_conf_t *c)
{
	c->leef_version = FORMAT_LEEF_DEFAULT_VERSION;
	c->leef_delim = FORMAT_LEEF_DEFAULT_DELIM;
}

void format_unparsed(const format_ops_t *f, const format_conf_t *conf, buf_t *out,
                     const char *line, size_t len, audit_parse_rc_t why,
                     audit_view_t host)
{
	format_conf_t dflt;

	if (f->unparsed_conf == NULL) {
		f->unparsed(out, line, len, why, host);
		return;
	}
	if (conf == NULL) {
		format_conf_default(&dflt);
		conf = &dflt;
	}
	f->unparsed_conf(out, conf, line, len, why, host);
}

void format_rfc3339_utc(buf_t *out, int64_t sec, unsigned msec)
{
	struct tm tm;
	time_t t = (time_t)sec;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
	           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	           msec % 1000);
}

void format_type_name(buf_t *out, const audit_record_t *r)
{
	if (r->type_str != NULL)
		buf_puts(out, r->type_str);
	else if (r->type > 0)
		buf_printf(out, "UNKNOWN[%d]", r->type);
	else
		buf_append(out, r->type_name.p, r->type_name.len);
}

/* overlong forms and surrogates are invalid */
size_t format_utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned cp;

	if (c < 0xC2 || c > 0xF4)
		return 0;
	n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (n > avail)
		return 0;
	cp = c & (0x7F >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return n;
}

/* Unicode's invisible format characters (general category Cf, Unicode 15:
 * bidi controls, zero-width characters, soft hyphen, BOM, tags, ...) and
 * the line and paragraph separators U+2028/U+2029: characters that change
 * how text around them reads without showing themselves */
static const struct { unsigned lo, hi; } invisible[] = {
	{ 0x00AD, 0x00AD }, { 0x0600, 0x0605 }, { 0x061C, 0x061C }, { 0x06DD, 0x06DD },
	{ 0x070F, 0x070F }, { 0x0890, 0x0891 }, { 0x08E2, 0x08E2 }, { 0x180E, 0x180E },
	{ 0x200B, 0x200F }, { 0x2028, 0x202E }, { 0x2060, 0x2064 }, { 0x2066, 0x206F },
	{ 0xFEFF, 0xFEFF }, { 0xFFF9, 0xFFFB }, { 0x110BD, 0x110BD }, { 0x110CD, 0x110CD },
	{ 0x13430, 0x1343F }, { 0x1BCA0, 0x1BCA3 }, { 0x1D173, 0x1D17A },
	{ 0xE0001, 0xE0001 }, { 0xE0020, 0xE007F },
};

int format_is_invisible(unsigned cp)
{
	size_t i;

	if (cp < 0xAD)
		return 0;
	for (i = 0; i < sizeof(invisible) / sizeof(invisible[0]) && invisible[i].lo <= cp; i++)
		if (cp <= invisible[i].hi)
			return 1;
	return 0;
}

/* The code point of the valid N-byte UTF-8 sequence at S */
static unsigned utf8_cp(const unsigned char *s, size_t n)
{
	unsigned cp = s[0] & (0x7F >> n);
	size_t i;

	for (i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	return cp;
}

void format_escape(buf_t *out, const char *s, size_t len, const format_escaper_t *e,
                   int extra)
{
	const unsigned char *p, *end, *run;

	if (len == 0)
		return;   /* S may be an empty buffer's NULL: NULL + 0 is undefined */
	p = run = (const unsigned char *)s;
	end = p + len;
	while (p < end) {
		unsigned c = *p;
		size_t n;

		if (c >= 0x20 && c < 0x7F && !e->special[c] && (int)c != extra) {
			p++;
			continue;
		}
		if (c >= 0x80 && (n = format_utf8_seq_len(p, (size_t)(end - p))) != 0) {
			unsigned cp = utf8_cp(p, n);

			if (e->put_invisible != NULL && format_is_invisible(cp)) {
				buf_append(out, run, (size_t)(p - run));
				e->put_invisible(out, cp);
				run = p + n;
			}
			p += n;
			continue;
		}
		buf_append(out, run, (size_t)(p - run));
		e->put(out, c);
		run = ++p;
	}
	buf_append(out, run, (size_t)(p - run));
}

/* JSON escapes for the syntax; in the text a JSON reader gets back, '\'
 * is the escape of this format: a backslash of the value is "\\", a byte
 * that is not UTF-8 "\xNN", so the two never read alike (0xFF and the
 * text "\xff" used to) and the bytes can be recovered. */
static void json_put(buf_t *out, unsigned c)
{
	static const char hex[] = "0123456789abcdef";

	if (c == '"') {
		buf_append(out, "\\\"", 2);
	} else if (c == '\\') {
		buf_append(out, "\\\\\\\\", 4);   /* the text \\ */
	} else if (c == '\n') {
		buf_append(out, "\\n", 2);
	} else if (c == '\r') {
		buf_append(out, "\\r", 2);
	} else if (c == '\t') {
		buf_append(out, "\\t", 2);
	} else if (c < 0x20 || c == 0x7F) {
		char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		buf_append(out, e, 6);
	} else {
		/* an invalid UTF-8 byte: kept visible as the text \xNN */
		char e[5] = { '\\', '\\', 'x', hex[c >> 4], hex[c & 15] };
		buf_append(out, e, 5);
	}
}

/* the text \uXXXX (\UXXXXXXXX beyond the BMP): visible, and not a JSON
 * escape, which a reader would turn back into the character */
static void json_put_invisible(buf_t *out, unsigned cp)
{
	buf_append(out, "\\\\", 2);
	format_put_cp_name(out, cp);
}

void format_json_escape(buf_t *out, const char *s, size_t len)
{
	static const format_escaper_t json = { { ['"'] = 1, ['\\'] = 1 }, json_put,
	                                       json_put_invisible };

	format_escape(out, s, len, &json, -1);
}

void format_put_cp_name(buf_t *out, unsigned cp)
{
	static const char hex[] = "0123456789abcdef";
	char b[10];
	int n = cp > 0xFFFF ? 8 : 4, i;

	b[0] = cp > 0xFFFF ? 'U' : 'u';
	for (i = 0; i < n; i++)
		b[1 + i] = hex[(cp >> (4 * (n - 1 - i))) & 15];
	buf_append(out, b, (size_t)n + 1);
}

static audit_view_t event_arch(const format_event_t *ev)
{
	const audit_field_t *arch = NULL;
	audit_view_t v;
	size_t i;

	for (i = 0; i < ev->nrecs && arch == NULL; i++)
		arch = audit_record_field(ev->recs[i], "arch");
	v.p = arch ? arch->value.p : "";
	v.len = arch ? arch->value.len : 0;
	return v;
}

void format_event_find_arch(format_event_t *ev)
{
	ev->arch = event_arch(ev);
}

void format_enrich_ctx(const format_event_t *ev, const audit_record_t *r,
                       enrich_ctx_t *ctx)
{
	ctx->rec = r;
	/* a scan of every field of the event, unless it was done once */
	ctx->arch = ev->arch.p != NULL ? ev->arch : event_arch(ev);
	ctx->origin = r->node.len ? r->node : r->hostname;
	memset(&ctx->facts, 0, sizeof(ctx->facts));
}
