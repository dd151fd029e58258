/* filter_rules.c -- the filter rule language: parses rule texts and rules
 * files into an immutable rule set (filter_int.h), and says which rule and
 * which word is wrong when one is. Matching lives in filter.c.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libaudit.h>

#include "filter_int.h"

#define FILTER_UID_UNSET   4294967295ULL   /* (uid_t)-1, audit's "unset" */
#define FILTER_LIMIT_MAX   1000000U        /* events per second a limit may allow */
#define FILTER_PWBUF_LEN   16384

static const struct { const char *name; filter_field_t id; } field_names[] = {
	{ "type", FF_TYPE }, { "key", FF_KEY }, { "syscall", FF_SYSCALL },
	{ "exe", FF_EXE }, { "comm", FF_COMM }, { "uid", FF_UID }, { "auid", FF_AUID },
	{ "euid", FF_EUID }, { "success", FF_SUCCESS }, { "host", FF_HOST },
	{ "node", FF_NODE }, { "family", FF_FAMILY }, { "addr", FF_ADDR },
	{ "port", FF_PORT },
};

static const struct { const char *name; long long num; } families[] = {
	{ "unix", 1 }, { "local", 1 }, { "inet", 2 }, { "inet6", 10 },
	{ "netlink", 16 }, { "packet", 17 },
};

/* libaudit machines a syscall name may belong to (a relay's origin may
 * not be this host's arch) */
static const int syscall_machines[] = {
	MACH_X86, MACH_86_64, MACH_IA64, MACH_PPC64, MACH_PPC, MACH_S390X, MACH_S390,
	MACH_ARM, MACH_AARCH64,
};

typedef struct parse_ctx {
	char *err;
	size_t errlen;
	char where[FILTER_NAME_MAX + 32];   /* "rule 3 (name)" for messages */
} parse_ctx_t;

static void fail(parse_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(parse_ctx_t *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: %s", c->where, msg);
}

/* ---- words ---------------------------------------------------------------- */

/* The next word of *S: a run of non-space bytes, where "..." quotes spaces
 * (kept, quotes removed). Written NUL-terminated to OUT (SIZE bytes).
 * 0 at the end of the text, 1 for a word, -1 for a bad one. */
static int next_word(const char **s, char *out, size_t size)
{
	const char *p = *s;
	size_t n = 0;
	int quoted = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	for (; *p != '\0' && (quoted || (*p != ' ' && *p != '\t')); p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (*p == '\\' && p[1] != '\0' && quoted) {
			if (n + 2 >= size)
				return -1;
			out[n++] = *p++;      /* keep the glob's quoting */
		}
		if (n + 1 >= size)
			return -1;
		out[n++] = *p;
	}
	out[n] = '\0';
	*s = p;
	return quoted ? -1 : 1;
}

static int parse_ull(const char *s, unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return (*end != '\0' || errno != 0) ? -1 : 0;
}

/* ---- values ---------------------------------------------------------------- */

static int uid_value(parse_ctx_t *c, const char *v, long long *out)
{
	struct passwd pw, *res = NULL;
	char buf[FILTER_PWBUF_LEN];
	unsigned long long n;

	if (strcmp(v, "unset") == 0 || strcmp(v, "-1") == 0) {
		*out = (long long)FILTER_UID_UNSET;
		return 0;
	}
	if (parse_ull(v, &n) == 0 && n <= FILTER_UID_UNSET) {
		*out = (long long)n;
		return 0;
	}
	if (getpwnam_r(v, &pw, buf, sizeof(buf), &res) == 0 && res != NULL) {
		*out = (long long)pw.pw_uid;
		return 0;
	}
	fail(c, "'%s': not a user name, a uid or 'unset'", v);
	return -1;
}

static int syscall_known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(syscall_machines) / sizeof(syscall_machines[0]); i++)
		if (audit_name_to_syscall(name, syscall_machines[i]) >= 0)
			return 1;
	return 0;
}

/* one value V of condition C: checked and, for numeric fields, converted */
static int add_value(parse_ctx_t *c, filter_cond_t *cond, const char *v)
{
	unsigned long long n;
	long long num = -1;
	size_t i;

	if (*v == '\0') {
		fail(c, "empty value for '%s'", filter_field_name(cond->field));
		return -1;
	}
	if (cond->nvals >= FILTER_VALUES_MAX) {
		fail(c, "'%s': more than %d values", filter_field_name(cond->field),
		     FILTER_VALUES_MAX);
		return -1;
	}
	switch (cond->field) {
	case FF_UID: case FF_AUID: case FF_EUID:
		if (uid_value(c, v, &num) != 0)
			return -1;
		break;
	case FF_SYSCALL:
		if (parse_ull(v, &n) == 0 && n <= INT_MAX)
			num = (long long)n;
		else if (!syscall_known(v)) {
			fail(c, "'%s': not a syscall name or number", v);
			return -1;
		}
		break;
	case FF_SUCCESS:
		if (strcmp(v, "yes") == 0)
			num = 1;
		else if (strcmp(v, "no") == 0)
			num = 0;
		else {
			fail(c, "'%s': success is yes or no", v);
			return -1;
		}
		break;
	case FF_FAMILY:
		for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
			if (strcmp(v, families[i].name) == 0)
				num = families[i].num;
		if (num < 0 && (parse_ull(v, &n) != 0 || n > 0xffff)) {
			fail(c, "'%s': not a socket family (unix, inet, inet6, netlink, packet "
			     "or a number)", v);
			return -1;
		}
		if (num < 0)
			num = (long long)n;
		break;
	case FF_PORT:
		if (parse_ull(v, &n) != 0 || n > 65535) {
			fail(c, "'%s': not a port (0-65535)", v);
			return -1;
		}
		num = (long long)n;
		break;
	default:
		break;
	}
	if ((cond->vals[cond->nvals] = strdup(v)) == NULL) {
		fail(c, "out of memory");
		return -1;
	}
	cond->nums[cond->nvals++] = num;
	return 0;
}

/* FIELD=V1,V2 or FIELD!=V1,V2 */
static int parse_cond(parse_ctx_t *c, const char *word, filter_cond_t *cond)
{
	const char *eq = strchr(word, '=');
	char name[32], *vals, *v, *next;
	size_t nlen, i;
	int rc = 0;

	if (eq == NULL || eq == word) {
		fail(c, "'%s': expected FIELD=VALUE or FIELD!=VALUE", word);
		return -1;
	}
	cond->negate = eq[-1] == '!';
	nlen = (size_t)(eq - word) - (size_t)cond->negate;
	if (nlen == 0 || nlen >= sizeof(name)) {
		fail(c, "'%s': expected FIELD=VALUE or FIELD!=VALUE", word);
		return -1;
	}
	memcpy(name, word, nlen);
	name[nlen] = '\0';
	for (i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (strcmp(name, field_names[i].name) == 0)
			break;
	if (i == sizeof(field_names) / sizeof(field_names[0])) {
		fail(c, "'%s': unknown field '%s' (type, key, syscall, exe, comm, uid, auid, "
		     "euid, success, host, node, family, addr, port)", word, name);
		return -1;
	}
	cond->field = field_names[i].id;
	if ((vals = strdup(eq + 1)) == NULL) {
		fail(c, "out of memory");
		return -1;
	}
	/* values are split at ',' that is not quoted by '\' */
	for (v = vals; rc == 0; v = next + 1) {
		for (next = v; *next != '\0' && *next != ','; next++)
			if (*next == '\\' && next[1] != '\0')
				next++;
		if (*next == '\0') {
			rc = add_value(c, cond, v);
			break;
		}
		*next = '\0';
		rc = add_value(c, cond, v);
	}
	free(vals);
	return rc;
}

/* "limit N/s [per exe]": the words after "limit" */
static int parse_limit(parse_ctx_t *c, const char **s, filter_rule_t *r)
{
	char word[FILTER_RULE_LEN_MAX];
	const char *save;
	unsigned long long n;
	char *slash;

	if (next_word(s, word, sizeof(word)) != 1) {
		fail(c, "'limit' needs a rate: limit N/s");
		return -1;
	}
	slash = strchr(word, '/');
	if (slash == NULL || strcmp(slash, "/s") != 0) {
		fail(c, "'%s': a limit is N/s (events per second)", word);
		return -1;
	}
	*slash = '\0';
	if (parse_ull(word, &n) != 0 || n == 0 || n > FILTER_LIMIT_MAX) {
		fail(c, "'%s/s': the rate is a number from 1 to %u", word, FILTER_LIMIT_MAX);
		return -1;
	}
	r->limit = (unsigned)n;
	save = *s;
	if (next_word(s, word, sizeof(word)) == 1 && strcmp(word, "per") == 0) {
		if (next_word(s, word, sizeof(word)) != 1 || strcmp(word, "exe") != 0) {
			fail(c, "'per' is followed by 'exe'");
			return -1;
		}
		r->per_exe = 1;
	} else {
		*s = save;
	}
	return 0;
}

static int valid_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= FILTER_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

static void rule_free(filter_rule_t *r)
{
	size_t i, k;

	for (i = 0; i < r->nconds; i++) {
		for (k = 0; k < r->conds[i].nvals; k++)
			free(r->conds[i].vals[k]);
	}
	free(r->conds);
}

/* One rule from TEXT (one line, not empty). POS: its 1-based position. */
static int parse_rule(parse_ctx_t *c, const char *text, size_t pos, filter_rule_t *r)
{
	char word[FILTER_RULE_LEN_MAX];
	const char *s = text, *colon;
	int w;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "rule%zu", pos);
	while (*s == ' ' || *s == '\t')
		s++;
	colon = strchr(s, ':');
	if (colon != NULL && strcspn(s, " \t") > (size_t)(colon - s)) {
		if (!valid_name(s, (size_t)(colon - s))) {
			snprintf(c->where, sizeof(c->where), "rule %zu", pos);
			fail(c, "'%.*s': a rule name is 1-%d letters, digits, '_', '.' or '-'",
			     (int)(colon - s), s, FILTER_NAME_MAX - 1);
			return -1;
		}
		memcpy(r->name, s, (size_t)(colon - s));
		r->name[colon - s] = '\0';
		s = colon + 1;
	}
	snprintf(c->where, sizeof(c->where), "rule %zu (%s)", pos, r->name);
	if ((w = next_word(&s, word, sizeof(word))) != 1) {
		fail(c, w == 0 ? "no action: drop, keep or limit N/s" : "unbalanced quote");
		return -1;
	}
	if (strcmp(word, "drop") == 0)
		r->action = FILTER_DROP;
	else if (strcmp(word, "keep") == 0)
		r->action = FILTER_KEEP;
	else if (strcmp(word, "limit") == 0) {
		r->action = FILTER_SUPPRESS;
		if (parse_limit(c, &s, r) != 0)
			return -1;
		r->needs |= (1u << FF_KEY) | (1u << FF_EXE);   /* for its summaries */
	} else {
		fail(c, "'%s': unknown action (drop, keep or limit N/s)", word);
		return -1;
	}
	while ((w = next_word(&s, word, sizeof(word))) == 1) {
		filter_cond_t *nc = realloc(r->conds, (r->nconds + 1) * sizeof(*nc));

		if (nc == NULL) {
			fail(c, "out of memory");
			return -1;
		}
		r->conds = nc;
		memset(&nc[r->nconds], 0, sizeof(nc[0]));
		r->nconds++;
		if (parse_cond(c, word, &nc[r->nconds - 1]) != 0)
			return -1;
		r->needs |= 1u << nc[r->nconds - 1].field;
	}
	if (w < 0) {
		fail(c, "unbalanced quote or a word longer than %d bytes", FILTER_RULE_LEN_MAX);
		return -1;
	}
	return 0;
}

static filter_rules_t *rules_new(void)
{
	return calloc(1, sizeof(filter_rules_t));
}

/* the rules of TEXT (one a line) appended to RS; *POS counts the lines, so
 * a rule is named and reported by its position */
static int parse_text(filter_rules_t *rs, const char *text, size_t *pos, char *err,
                      size_t errlen)
{
	parse_ctx_t c = { err, errlen, "rules" };   /* where: the rule, once parsed */
	char line[FILTER_RULE_LEN_MAX + 1];
	const char *p = text;
	size_t i;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		const char *q;

		(*pos)++;
		if (len > FILTER_RULE_LEN_MAX) {
			snprintf(err, errlen, "rule %zu: longer than %d bytes", *pos,
			         FILTER_RULE_LEN_MAX);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		p = nl != NULL ? nl + 1 : p + len;
		for (q = line; *q == ' ' || *q == '\t'; q++)
			;
		if (*q == '\0' || *q == '#')
			continue;
		if (rs->n >= FILTER_RULES_MAX) {
			snprintf(err, errlen, "more than %d rules", FILTER_RULES_MAX);
			return -1;
		}
		if (parse_rule(&c, line, *pos, &rs->rules[rs->n]) != 0) {
			rule_free(&rs->rules[rs->n]);
			return -1;
		}
		rs->needs |= rs->rules[rs->n].needs;
		for (i = 0; i < rs->n; i++)
			if (strcmp(rs->rules[i].name, rs->rules[rs->n].name) == 0) {
				fail(&c, "the name '%s' is already rule %zu's", rs->rules[i].name, i + 1);
				rule_free(&rs->rules[rs->n]);
				return -1;
			}
		rs->n++;
	}
	return 0;
}

static filter_rules_t *finish(filter_rules_t *rs, int ok)
{
	if (ok && (rs->ctr = calloc(rs->n ? rs->n : 1, sizeof(*rs->ctr))) != NULL)
		return rs;
	filter_rules_free(rs);
	return NULL;
}

filter_rules_t *filter_rules_parse(const char *const *texts, size_t n, char *err,
                                   size_t errlen)
{
	filter_rules_t *rs = rules_new();
	size_t i, pos = 0;

	snprintf(err, errlen, "out of memory");
	if (rs == NULL || (rs->rules = calloc(FILTER_RULES_MAX, sizeof(*rs->rules))) == NULL)
		return finish(rs, 0);
	for (i = 0; i < n; i++)
		if (parse_text(rs, texts[i], &pos, err, errlen) != 0)
			return finish(rs, 0);
	return finish(rs, 1);
}

filter_rules_t *filter_rules_load(const char *path, char *err, size_t errlen)
{
	filter_rules_t *rs;
	FILE *f = fopen(path, "r");
	char *text;
	size_t len, pos = 0;
	int ok;

	if (f == NULL) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if ((text = malloc(FILTER_FILE_MAX + 1)) == NULL) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	len = fread(text, 1, FILTER_FILE_MAX + 1, f);
	ok = !ferror(f);
	fclose(f);
	if (!ok || len > FILTER_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, ok ? "larger than 1 MiB" : "read error");
		free(text);
		return NULL;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: not a text file (NUL byte)", path);
		free(text);
		return NULL;
	}
	rs = rules_new();
	if (rs == NULL || (rs->rules = calloc(FILTER_RULES_MAX, sizeof(*rs->rules))) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(text);
		return finish(rs, 0);
	}
	if (parse_text(rs, text, &pos, err, errlen) != 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errlen, "%s: %s", path, msg);
		free(text);
		return finish(rs, 0);
	}
	free(text);
	return finish(rs, 1);
}

void filter_rules_free(filter_rules_t *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		rule_free(&rs->rules[i]);
	free(rs->rules);
	free(rs->ctr);
	free(rs);
}

size_t filter_rules_count(const filter_rules_t *rs)
{
	return rs->n;
}

const char *filter_rule_name(const filter_rules_t *rs, size_t i)
{
	return rs->rules[i].name;
}

filter_counters_t *filter_rule_counters(filter_rules_t *rs, size_t i)
{
	return &rs->ctr[i];
}

const char *filter_field_name(filter_field_t f)
{
	size_t i;

	for (i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (field_names[i].id == f)
			return field_names[i].name;
	return "?";
}
