/* format_fixture.c -- see format_fixture.h. */
#include <criterion/criterion.h>
#include <string.h>

#include "format_fixture.h"

static audit_record_t recs[FIXTURE_MAX_RECS];
static const audit_record_t *ptrs[FIXTURE_MAX_RECS];
static size_t nrecs_;
static int inited;
static char text[1 << 16];
static char lines_copy[1 << 16];
static buf_t out, scratch;

audit_record_t *fixture_parse(const char *lines, size_t *nrecs)
{
	char *p, *nl;
	size_t i;

	if (!inited) {
		for (i = 0; i < FIXTURE_MAX_RECS; i++)
			audit_record_init(&recs[i]);
		buf_init(&out);
		buf_init(&scratch);
		inited = 1;
	}
	cr_assert_lt(strlen(lines), sizeof(lines_copy));
	strcpy(lines_copy, lines);
	nrecs_ = 0;
	for (p = lines_copy; *p; ) {
		size_t len;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		cr_assert_lt(nrecs_, FIXTURE_MAX_RECS);
		cr_assert_eq(audit_record_parse(&recs[nrecs_], p, len), AUDIT_PARSE_OK,
		             "line does not parse: %.*s", (int)len, p);
		ptrs[nrecs_] = &recs[nrecs_];
		nrecs_++;
		p = nl ? nl + 1 : p + len;
	}
	*nrecs = nrecs_;
	return recs;
}

static const char *finish(void)
{
	cr_assert_lt(out.len, sizeof(text));
	memcpy(text, out.p, out.len);
	text[out.len] = '\0';
	return text;
}

const char *fixture_format(const format_ops_t *f, const format_conf_t *conf, int enrich)
{
	format_event_t ev;
	enrich_conf_t ec;
	enrich_t *e = NULL;

	if (enrich) {
		enrich_conf_default(&ec);
		ec.ids = ENRICH_IDS_NEVER;
		e = enrich_new(&ec);
		cr_assert_not_null(e);
	}
	memset(&ev, 0, sizeof(ev));
	ev.recs = ptrs;
	ev.nrecs = nrecs_;
	ev.host.p = "web01";
	ev.host.len = 5;
	ev.enrich = e;
	ev.scratch = &scratch;
	ev.conf = conf;
	buf_reset(&out);
	f->event(&out, &ev);
	enrich_free(e);
	return finish();
}

const char *fixture_run(const format_ops_t *f, const format_conf_t *conf, int enrich,
                        const char *lines)
{
	size_t n;

	fixture_parse(lines, &n);
	return fixture_format(f, conf, enrich);
}

const char *fixture_unparsed(const format_ops_t *f, const format_conf_t *conf,
                             const char *line, size_t len)
{
	audit_view_t host = { "web01", 5 };
	size_t n;

	fixture_parse("type=EOE msg=audit(1.000:1): ", &n);   /* initialises */
	buf_reset(&out);
	format_unparsed(f, conf, &out, line, len, AUDIT_PARSE_NOT_AUDIT, host);
	return finish();
}

static int key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* one LEEF attribute "key=value" of LEN bytes at P into M */
static void leef_pair(const char *p, size_t len, fixture_msg_t *m)
{
	const char *eq = memchr(p, '=', len), *end = p + len;
	size_t k, v = 0;

	cr_assert_not_null(eq, "attribute without '=': %.*s", (int)len, p);
	cr_assert_gt(eq - p, 0, "empty key");
	cr_assert_lt(m->npairs, FIXTURE_MAX_PAIRS);
	for (k = 0; p + k < eq; k++) {
		cr_assert(key_char(p[k]), "bad key character 0x%02x in %.*s",
		          (unsigned char)p[k], (int)len, p);
		m->pair[m->npairs].key[k] = p[k];
	}
	m->pair[m->npairs].key[k] = '\0';
	for (p = eq + 1; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		cr_assert(c >= 0x20 && c != 0x7f && c != '=', "raw 0x%02x in the value of %s",
		          c, m->pair[m->npairs].key);
		cr_assert_lt(v, sizeof(m->pair[0].val) - 1);
		if (c != '\\') {
			m->pair[m->npairs].val[v++] = (char)c;
			continue;
		}
		cr_assert_lt(p + 1, end, "lone backslash at the end of a value");
		if (p[1] == '\\' || p[1] == '=') {
			m->pair[m->npairs].val[v++] = p[1];
			p++;
		} else if (p[1] == 'u' || p[1] == 'U') {   /* an invisible character */
			int n = p[1] == 'u' ? 4 : 8, i;
			unsigned cp = 0;

			cr_assert(p + 1 + n < end, "short \\u escape in %s", m->pair[m->npairs].key);
			for (i = 0; i < n; i++) {
				cr_assert(hexval(p[2 + i]) >= 0, "bad \\u escape");
				cp = cp * 16 + (unsigned)hexval(p[2 + i]);
			}
			cr_assert(format_is_invisible(cp), "\\u%04x is not an invisible character", cp);
			cr_assert_lt(v + 4, sizeof(m->pair[0].val) - 1);
			if (cp < 0x800) {
				m->pair[m->npairs].val[v++] = (char)(0xC0 | cp >> 6);
			} else if (cp < 0x10000) {
				m->pair[m->npairs].val[v++] = (char)(0xE0 | cp >> 12);
				m->pair[m->npairs].val[v++] = (char)(0x80 | (cp >> 6 & 0x3F));
			} else {
				m->pair[m->npairs].val[v++] = (char)(0xF0 | cp >> 18);
				m->pair[m->npairs].val[v++] = (char)(0x80 | (cp >> 12 & 0x3F));
				m->pair[m->npairs].val[v++] = (char)(0x80 | (cp >> 6 & 0x3F));
			}
			m->pair[m->npairs].val[v++] = (char)(0x80 | (cp & 0x3F));
			p += 1 + n;
		} else {
			cr_assert(p[1] == 'x' && p + 3 < end && hexval(p[2]) >= 0 &&
			          hexval(p[3]) >= 0, "unknown escape in the value of %s",
			          m->pair[m->npairs].key);
			m->pair[m->npairs].val[v++] = (char)(hexval(p[2]) * 16 + hexval(p[3]));
			p += 3;
		}
	}
	m->pair[m->npairs].val[v] = '\0';
	m->pair[m->npairs].vlen = v;
	m->npairs++;
}

void fixture_leef_parse(const char *msg, int version, char delim, fixture_msg_t *m)
{
	const char *p = msg, *bar, *end;
	size_t nfields = version == 1 ? 5 : 6;

	memset(m, 0, sizeof(*m));
	cr_assert_eq(strncmp(msg, version == 1 ? "LEEF:1.0|" : "LEEF:2.0|", 9), 0,
	             "not LEEF %d: %s", version, msg);
	for (m->nhdr = 0; m->nhdr < nfields; m->nhdr++) {
		bar = strchr(p, '|');
		cr_assert_not_null(bar, "header ends early: %s", msg);
		cr_assert_lt((size_t)(bar - p), sizeof(m->hdr[0]));
		memcpy(m->hdr[m->nhdr], p, (size_t)(bar - p));
		m->hdr[m->nhdr][bar - p] = '\0';
		p = bar + 1;
	}
	if (version == 2) {
		char want[4] = { delim, '\0' };
		if (delim == '\t')
			strcpy(want, "x09");
		else if (delim == '|')
			strcpy(want, "x7c");
		cr_assert_str_eq(m->hdr[5], want);
	}
	while (*p) {
		end = strchr(p, delim);
		if (end == NULL)
			end = p + strlen(p);
		leef_pair(p, (size_t)(end - p), m);
		p = *end ? end + 1 : end;
	}
}

/* the CEF header: 7 fields, "\|" and "\\" undone; returns the rest */
static const char *cef_header(const char *msg, fixture_msg_t *m)
{
	const char *p = msg;
	size_t n = 0;

	cr_assert_eq(strncmp(msg, "CEF:0|", 6), 0, "not CEF: %s", msg);
	for (m->nhdr = 0; m->nhdr < 7; m->nhdr++, n = 0) {
		for (; *p && *p != '|'; p++) {
			cr_assert((unsigned char)*p >= 0x20, "control character in the header");
			if (*p == '\\') {
				cr_assert(p[1] == '\\' || p[1] == '|', "bad header escape: %s", msg);
				p++;
			}
			cr_assert_lt(n, sizeof(m->hdr[0]) - 1);
			m->hdr[m->nhdr][n++] = *p;
		}
		cr_assert_eq(*p, '|', "header ends early: %s", msg);
		m->hdr[m->nhdr][n] = '\0';
		p++;
	}
	return p;
}

/* start of the key whose unescaped '=' is at EQ (a word after a space or
 * at START), or NULL when EQ is not a key's '=' */
static const char *cef_key_start(const char *start, const char *eq)
{
	const char *k = eq;

	while (k > start && key_char(k[-1]))
		k--;
	if (k == eq || (k > start && k[-1] != ' '))
		return NULL;
	return k;
}

void fixture_cef_parse(const char *msg, fixture_msg_t *m)
{
	const char *ext, *p, *k, *next_k, *vend;
	size_t v;

	memset(m, 0, sizeof(*m));
	ext = cef_header(msg, m);
	p = ext;
	while (*p) {
		const char *eq = p;

		/* this pair's key */
		while (*eq && *eq != '=')
			eq++;
		cr_assert_eq(*eq, '=', "extension without a key: %s", p);
		k = cef_key_start(ext, eq);
		cr_assert(k == p, "text before a key: %s", p);
		cr_assert_lt(m->npairs, FIXTURE_MAX_PAIRS);
		cr_assert_lt((size_t)(eq - k), sizeof(m->pair[0].key));
		memcpy(m->pair[m->npairs].key, k, (size_t)(eq - k));
		m->pair[m->npairs].key[eq - k] = '\0';
		/* the value runs to the space before the next unescaped '=' key */
		next_k = NULL;
		for (vend = eq + 1; *vend; vend++) {
			if (*vend == '\\' && vend[1]) {
				vend++;
				continue;
			}
			cr_assert(*vend != '\n' && *vend != '\r', "raw CR/LF in a value");
			if (*vend == '=') {
				next_k = cef_key_start(ext, vend);
				cr_assert_not_null(next_k, "unescaped '=' inside a value: %s", eq + 1);
				break;
			}
		}
		vend = next_k ? next_k - 1 : vend;
		v = 0;
		for (p = eq + 1; p < vend; p++) {
			char c = *p;

			if (c == '\\') {
				p++;
				cr_assert(*p == '\\' || *p == '=' || *p == 'n' || *p == 'r',
				          "bad value escape \\%c", *p);
				c = *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
			}
			cr_assert_lt(v, sizeof(m->pair[0].val) - 1);
			m->pair[m->npairs].val[v++] = c;
		}
		m->pair[m->npairs].val[v] = '\0';
		m->pair[m->npairs].vlen = v;
		m->npairs++;
		p = next_k ? next_k : vend;
	}
}

const char *fixture_get(const fixture_msg_t *m, const char *key)
{
	const char *found = NULL;
	size_t i;

	for (i = 0; i < m->npairs; i++) {
		if (strcmp(m->pair[i].key, key) != 0)
			continue;
		cr_assert_null(found, "key %s appears twice", key);
		found = m->pair[i].val;
	}
	return found;
}
