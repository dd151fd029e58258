/* settings.c -- looking settings up and checking their values against the
 * table (settings_table.c): ranges, booleans, words, ports and blank text,
 * with the one message both front ends print. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "size_parse.h"

const setting_t *settings_get(setting_id_t id)
{
	return (unsigned)id < SET_COUNT ? &settings_table()[id] : NULL;
}

const setting_t *settings_find(const char *name)
{
	const setting_t *t = settings_table();
	size_t i;

	for (i = 0; i < SET_COUNT; i++)
		if (strcmp(t[i].name, name) == 0 ||
		    (t[i].alias != NULL && strcmp(t[i].alias, name) == 0))
			return &t[i];
	return NULL;
}

const char *settings_allowed(const setting_t *s)
{
	return s->allowed_fn != NULL ? s->allowed_fn() : s->allowed;
}

/* WORD is one of the comma-separated words of LIST */
static int in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
	}
	return 0;
}

static int blank(const char *s)
{
	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

int settings_check_number(const setting_t *s, long long n, char *err, size_t errlen)
{
	if (n >= s->min && n <= s->max)
		return 0;
	if (n == 0 && (s->flags & SETTING_ZERO_OK))
		return 0;
	if (s->flags & SETTING_ZERO_OK)
		snprintf(err, errlen, "invalid value %lld, expected 0 (no limit) or %lld to %lld",
		         n, s->min, s->max);
	else
		snprintf(err, errlen, "invalid value %lld, expected %s%s%lld to %lld", n,
		         s->allowed ? s->allowed : "", s->allowed ? ", " : "", s->min, s->max);
	return -1;
}

static int check_port(const setting_t *s, const char *text, long long *out, char *err,
                      size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (*text < '0' || *text > '9' || *end != '\0' || errno || v < s->min || v > s->max) {
		snprintf(err, errlen, "invalid value '%s', expected %s", text, s->allowed);
		return -1;
	}
	if (out != NULL)
		*out = v;
	return 0;
}

int settings_check_text(const setting_t *s, const char *text, char *err, size_t errlen)
{
	const char *allowed = settings_allowed(s);
	int ok;

	if (s->type == SETTING_PORT)
		return check_port(s, text, NULL, err, errlen);
	if ((s->flags & SETTING_NONBLANK) && blank(text)) {
		snprintf(err, errlen, "invalid value '%s': must not be empty or blank", text);
		return -1;
	}
	if (s->type != SETTING_ENUM && s->type != SETTING_WORD)
		return 0;
	ok = s->check != NULL ? s->check(text) == 0 : in_list(allowed, text);
	if (ok)
		return 0;
	snprintf(err, errlen, "invalid value '%s', expected %s%s", text,
	         s->type == SETTING_ENUM ? "one of: " : "", allowed);
	return -1;
}

static int parse_number(const setting_t *s, const char *text, long long *n, char *err,
                        size_t errlen)
{
	size_t sz;
	char *end;

	if (s->type == SETTING_SIZE) {
		if (size_parse(text, &sz) != 0 || sz > (size_t)SETTINGS_SIZE_MAX)
			goto bad;
		*n = (long long)sz;
	} else {
		errno = 0;
		*n = strtoll(text, &end, 10);
		if (*text == '\0' || *end != '\0' || errno != 0)
			goto bad;
	}
	return settings_check_number(s, *n, err, errlen);
bad:
	snprintf(err, errlen, "invalid value '%s', expected %s", text,
	         s->type == SETTING_SIZE ? "a size (k, m, g: x 1024; K, M, G: x 1000)" :
	         "a whole number");
	return -1;
}

int settings_parse(const setting_t *s, const char *text, setting_value_t *v,
                   char *err, size_t errlen)
{
	v->text = text;
	v->n = 0;
	switch (s->type) {
	case SETTING_BOOL:
		if (strcmp(text, "on") == 0 || strcmp(text, "off") == 0) {
			v->n = strcmp(text, "on") == 0;
			return 0;
		}
		snprintf(err, errlen, "invalid value '%s', expected on or off", text);
		return -1;
	case SETTING_INT:
	case SETTING_SIZE:
		return parse_number(s, text, &v->n, err, errlen);
	case SETTING_PORT:
		return check_port(s, text, &v->n, err, errlen);
	default:
		return settings_check_text(s, text, err, errlen);
	}
}

int settings_applies(const setting_t *s, const char *transport)
{
	size_t n = strlen(transport);
	const char *p = s->transports;

	if (p == NULL)
		return 1;
	while ((p = strstr(p, transport)) != NULL) {
		if ((p == s->transports || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

void settings_transports_text(const setting_t *s, char *out, size_t len)
{
	size_t i, o = 0;
	const char *p = s->transports != NULL ? s->transports : "any";

	for (i = 0; p[i] != '\0' && o + 2 < len; i++) {
		if (p[i] == ' ')
			out[o++] = ',';
		out[o++] = p[i];
	}
	out[o] = '\0';
}
