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

int format_is_execve_arg(audit_view_t n)
{
	size_t i = 1, d;

	if (n.len < 2 || n.p[0] != 'a')
		return 0;
	for (d = i; i < n.len && n.p[i] >= '0' && n.p[i] <= '9'; i++)
		;
	if (i == d)
		return 0;
	if (i == n.len)
		return 1;
	if (n.p[i] != '[' || n.p[n.len - 1] != ']' || i + 2 >= n.len)
		return 0;
	for (i++; i < n.len - 1; i++)
		if (n.p[i] < '0' || n.p[i] > '9')
			return 0;
	return 1;
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
			p += n;
			continue;
		}
		buf_append(out, run, (size_t)(p - run));
		e->put(out, c);
		run = ++p;
	}
	buf_append(out, run, (size_t)(p - run));
}

static void json_put(buf_t *out, unsigned c)
{
	static const char hex[] = "0123456789abcdef";

	if (c == '"' || c == '\\') {
		char e[2] = { '\\', (char)c };
		buf_append(out, e, 2);
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

void format_json_escape(buf_t *out, const char *s, size_t len)
{
	static const format_escaper_t json = { { ['"'] = 1, ['\\'] = 1 }, json_put };

	format_escape(out, s, len, &json, -1);
}

void format_enrich_ctx(const format_event_t *ev, const audit_record_t *r,
                       enrich_ctx_t *ctx)
{
	const audit_field_t *arch = NULL;
	size_t i;

	for (i = 0; i < ev->nrecs && arch == NULL; i++)
		arch = audit_record_field(ev->recs[i], "arch");
	ctx->rec = r;
	ctx->arch.p = arch ? arch->value.p : "";
	ctx->arch.len = arch ? arch->value.len : 0;
	ctx->origin = r->node.len ? r->node : r->hostname;
	memset(&ctx->facts, 0, sizeof(ctx->facts));
}
