/* attack.c -- ATT&CK technique ids recognised in rule keys, the mapping
 * file that adds techniques, tactics and severities to keys, and the tags
 * as JSON (LEEF and CEF write them through format_kv.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack.h"
#include "filter.h"
#include "interpret.h"

#define TECH_DIGITS 4
#define SUB_DIGITS  3

typedef struct map_entry {
	char *glob;
	attack_tags_t tags;            /* its tactics point into tactic_text */
	char *tactic_text;
} map_entry_t;

struct attack_map {
	map_entry_t *e;
	size_t n;
};

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void add_tech(attack_tags_t *t, const char *id, size_t len)
{
	size_t i;

	for (i = 0; i < t->ntech; i++)
		if (strlen(t->tech[i]) == len && memcmp(t->tech[i], id, len) == 0)
			return;
	if (t->ntech == ATTACK_TECH_MAX || len >= ATTACK_ID_MAX)
		return;
	memcpy(t->tech[t->ntech], id, len);
	t->tech[t->ntech++][len] = '\0';
}

static void add_tactic(attack_tags_t *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ntactic; i++)
		if (strcmp(t->tactic[i], name) == 0)
			return;
	if (t->ntactic < ATTACK_TACTIC_MAX)
		t->tactic[t->ntactic++] = name;
}

/* the length of a technique id at KEY+I (a word start), 0 if none */
static size_t tech_at(const char *key, size_t len, size_t i)
{
	size_t k, n;

	if (key[i] != 'T' || (i > 0 && is_alnum(key[i - 1])) || len - i < 1 + TECH_DIGITS)
		return 0;
	for (k = 1; k <= TECH_DIGITS; k++)
		if (!is_digit(key[i + k]))
			return 0;
	n = 1 + TECH_DIGITS;
	if (i + n + 1 + SUB_DIGITS <= len && key[i + n] == '.') {
		for (k = 1; k <= SUB_DIGITS && is_digit(key[i + n + k]); k++)
			;
		if (k > SUB_DIGITS)
			n += 1 + SUB_DIGITS;
	}
	if (i + n < len && (is_alnum(key[i + n]) ||
	                    (key[i + n] == '.' && i + n + 1 < len && is_digit(key[i + n + 1]))))
		return 0;
	return n;
}

void attack_key_techniques(const char *key, size_t len, attack_tags_t *t)
{
	size_t i, n;

	for (i = 0; i < len; i++)
		if ((n = tech_at(key, len, i)) > 0) {
			add_tech(t, key + i, n);
			i += n - 1;
		}
}

size_t attack_event_keys(const audit_record_t *const *recs, size_t n, buf_t *b,
                         audit_view_t *keys, size_t max)
{
	size_t off[ATTACK_KEYS_MAX], i, k, nk = 0;
	const audit_record_t *r = NULL;

	if (max > ATTACK_KEYS_MAX)
		max = ATTACK_KEYS_MAX;
	for (i = 0; i < n && r == NULL; i++)
		if (audit_record_field(recs[i], "key") != NULL)
			r = recs[i];
	if (r == NULL)
		return 0;
	buf_reset(b);
	for (k = 0; k < r->nfields && nk < max; k++) {
		const audit_field_t *f = &r->fields[k];

		if (f->name.len != 3 || memcmp(f->name.p, "key", 3) != 0 ||
		    f->enc == AUDIT_ENC_NULL ||
		    (f->value.len == 6 && memcmp(f->value.p, "(null)", 6) == 0))
			continue;
		if (f->enc == AUDIT_ENC_HEX) {
			off[nk] = b->len;
			if (!interp_unhex(f->value.p, f->value.len, b) || b->oom)
				continue;
			keys[nk].p = NULL;                    /* in B: set below */
			keys[nk].len = b->len - off[nk];
		} else {
			keys[nk] = f->value;
		}
		nk++;
	}
	for (i = 0; i < nk; i++)
		if (keys[i].p == NULL)
			keys[i].p = b->p + off[i];
	return nk;
}

int attack_tag(const attack_map_t *m, const audit_view_t *keys, size_t nkeys,
               attack_tags_t *t)
{
	size_t i, e, k;

	t->ntech = t->ntactic = 0;
	t->severity = 0;
	for (i = 0; i < nkeys; i++)
		attack_key_techniques(keys[i].p, keys[i].len, t);
	for (e = 0; m != NULL && e < m->n; e++) {
		const map_entry_t *me = &m->e[e];

		for (i = 0; i < nkeys; i++)
			if (filter_glob(me->glob, keys[i].p, keys[i].len))
				break;
		if (i == nkeys)
			continue;
		for (k = 0; k < me->tags.ntech; k++)
			add_tech(t, me->tags.tech[k], strlen(me->tags.tech[k]));
		for (k = 0; k < me->tags.ntactic; k++)
			add_tactic(t, me->tags.tactic[k]);
		if (me->tags.severity > t->severity)
			t->severity = me->tags.severity;
	}
	return t->ntech > 0 || t->ntactic > 0 || t->severity > 0;
}

/* ---- the mapping file ------------------------------------------------------ */

static int bad(char *err, size_t errlen, const char *path, size_t ln, const char *what,
               const char *word)
{
	snprintf(err, errlen, "%s: line %zu: '%s': %s", path, ln, word, what);
	return -1;
}

static int parse_techs(char *w, attack_tags_t *t)
{
	char *tok, *save = NULL;

	if (strcmp(w, "-") == 0)
		return 0;
	for (tok = strtok_r(w, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		size_t len = strlen(tok);

		if (tech_at(tok, len, 0) != len || t->ntech == ATTACK_TECH_MAX)
			return -1;
		add_tech(t, tok, len);
	}
	return 0;
}

static int parse_tactics(char *w, map_entry_t *e)
{
	char *tok, *save = NULL, *p;

	if (strcmp(w, "-") == 0)
		return 0;
	for (p = w; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-' ||
		      *p == '_' || *p == ','))
			return -1;
	if ((e->tactic_text = strdup(w)) == NULL)
		return -1;
	for (tok = strtok_r(e->tactic_text, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strlen(tok) >= ATTACK_TACTIC_LEN || e->tags.ntactic == ATTACK_TACTIC_MAX)
			return -1;
		add_tactic(&e->tags, tok);
	}
	return 0;
}

/* one line "GLOB TECHS TACTICS SEVERITY" into E */
static int parse_line(char *line, map_entry_t *e, const char *path, size_t ln, char *err,
                      size_t errlen)
{
	char *w[5], *save = NULL, *end;
	size_t n = 0;
	long sev;

	for (w[n] = strtok_r(line, " \t", &save); w[n] != NULL && n < 4;
	     w[++n] = strtok_r(NULL, " \t", &save))
		;
	if (n != 4 || w[4] != NULL)   /* too few words, or a fifth */
		return bad(err, errlen, path, ln, "expected KEY TECHNIQUES TACTICS SEVERITY "
		           "('-' for none)", n == 4 ? w[4] : n ? w[n - 1] : "");
	if ((e->glob = strdup(w[0])) == NULL)
		return bad(err, errlen, path, ln, "out of memory", w[0]);
	if (parse_techs(w[1], &e->tags) != 0)
		return bad(err, errlen, path, ln, "not a list of technique ids (T1234, "
		           "T1234.001)", w[1]);
	if (parse_tactics(w[2], e) != 0)
		return bad(err, errlen, path, ln, "not a list of tactic names", w[2]);
	if (strcmp(w[3], "-") != 0) {
		errno = 0;
		sev = strtol(w[3], &end, 10);
		if (*end != '\0' || errno != 0 || sev < 1 || sev > ATTACK_SEVERITY_MAX)
			return bad(err, errlen, path, ln, "the severity is 1-10 or '-'", w[3]);
		e->tags.severity = (int)sev;
	}
	return 0;
}

attack_map_t *attack_map_load(const char *path, char *err, size_t errlen)
{
	char line[ATTACK_LINE_MAX + 2], *p;
	attack_map_t *m;
	FILE *f;
	size_t ln = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->e = calloc(ATTACK_MAP_MAX, sizeof(*m->e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		ln++;
		if (strlen(line) > ATTACK_LINE_MAX) {
			snprintf(err, errlen, "%s: line %zu: longer than %d bytes", path, ln,
			         ATTACK_LINE_MAX);
			goto fail;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0')
			continue;
		if (m->n == ATTACK_MAP_MAX) {
			snprintf(err, errlen, "%s: more than %d entries", path, ATTACK_MAP_MAX);
			goto fail;
		}
		if (parse_line(p, &m->e[m->n++], path, ln, err, errlen) != 0)
			goto fail;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	return m;
fail:
	fclose(f);
	attack_map_free(m);
	return NULL;
}

void attack_map_free(attack_map_t *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; m->e != NULL && i < m->n; i++) {
		free(m->e[i].glob);
		free(m->e[i].tactic_text);
	}
	free(m->e);
	free(m);
}

size_t attack_map_count(const attack_map_t *m)
{
	return m->n;
}

/* ---- output ------------------------------------------------------------- */

void attack_join_techniques(buf_t *out, const attack_tags_t *t)
{
	size_t i;

	for (i = 0; i < t->ntech; i++) {
		if (i)
			buf_putc(out, ',');
		buf_puts(out, t->tech[i]);
	}
}

void attack_join_tactics(buf_t *out, const attack_tags_t *t)
{
	size_t i;

	for (i = 0; i < t->ntactic; i++) {
		if (i)
			buf_putc(out, ',');
		buf_puts(out, t->tactic[i]);
	}
}

/* ids and tactic names are [A-Za-z0-9._-]: no JSON escaping needed */
void attack_json(buf_t *out, const attack_tags_t *t)
{
	size_t i;
	int first = 1;

	buf_puts(out, ",\"attack\":{");
	if (t->ntech) {
		buf_puts(out, "\"technique\":[");
		for (i = 0; i < t->ntech; i++)
			buf_printf(out, "%s\"%s\"", i ? "," : "", t->tech[i]);
		buf_putc(out, ']');
		first = 0;
	}
	if (t->ntactic) {
		buf_puts(out, first ? "\"tactic\":[" : ",\"tactic\":[");
		for (i = 0; i < t->ntactic; i++)
			buf_printf(out, "%s\"%s\"", i ? "," : "", t->tactic[i]);
		buf_putc(out, ']');
		first = 0;
	}
	if (t->severity)
		buf_printf(out, "%s\"severity\":%d", first ? "" : ",", t->severity);
	buf_putc(out, '}');
}
