/* fuzz_util.h -- checks shared by the fuzz targets: a failed check aborts
 * with a message, so libFuzzer keeps the input as a crash.
 *
 * Header-only (static functions) so each target is one translation unit
 * plus the core sources; nothing here is used outside tests/fuzz.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_record.h"

#define FUZZ_CHECK(cond, ...) do {                                        \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: check failed: %s: ",      \
			        __FILE__, __LINE__, #cond);               \
			fprintf(stderr, __VA_ARGS__);                     \
			fputc('\n', stderr);                              \
			abort();                                          \
		}                                                         \
	} while (0)

/* Reading every byte of a view makes ASan report a view that reaches
 * outside its buffer; the sum goes to a volatile so it is not optimised
 * away. */
static volatile unsigned fuzz_sink;

static inline void fuzz_touch(const char *p, size_t len)
{
	unsigned s = 0;
	size_t i;

	for (i = 0; i < len; i++)
		s += (unsigned char)p[i];
	fuzz_sink += s;
}

/* V lies inside [BASE, BASE+LEN) (an empty view may sit at BASE+LEN); views
 * are never NULL (audit_record.c's reset()). */
static inline int fuzz_view_within(audit_view_t v, const char *base, size_t len)
{
	return v.p != NULL && v.p >= base && v.p <= base + len &&
	       v.len <= (size_t)(base + len - v.p);
}

/* INNER lies inside OUTER. An empty view may point anywhere in the line
 * (the parser leaves unset views at the line's start), so it only has to
 * be inside LINE. */
static inline int fuzz_view_in_view(audit_view_t inner, audit_view_t outer,
                                    audit_view_t line)
{
	if (inner.len == 0)
		return fuzz_view_within(inner, line.p, line.len);
	return fuzz_view_within(inner, outer.p, outer.len);
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* 1 when S is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). */
static inline int fuzz_utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned c, cp;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c < 0xC2 || c > 0xF4)
			return 0;
		n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		if (len - i < n)
			return 0;
		cp = c & (0x7Fu >> n);
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return 0;
		i += n;
	}
	return 1;
}

/* ---- strict JSON (RFC 8259) ---------------------------------------------- */

/* A recursive-descent validator: one value, nothing but whitespace after
 * it, strings with only the escapes RFC 8259 allows and no raw control
 * characters, numbers in the RFC's grammar. Object keys must be unique
 * (compared as written, escapes and all): format_json.c promises it. */

#define FUZZ_JSON_MAX_DEPTH 64

typedef struct fuzz_json {
	const unsigned char *p, *end;
	const char *err;
	int check_dup_keys;
} fuzz_json_t;

typedef struct fuzz_span {
	const unsigned char *p;
	size_t len;
} fuzz_span_t;

static inline int fuzz_json_value(fuzz_json_t *j, int depth);

static inline void fuzz_json_ws(fuzz_json_t *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	                         *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static inline int fuzz_json_fail(fuzz_json_t *j, const char *why)
{
	if (j->err == NULL)
		j->err = why;
	return 0;
}

static inline int fuzz_is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static inline int fuzz_json_string(fuzz_json_t *j, fuzz_span_t *span)
{
	const unsigned char *start;
	int k;

	if (j->p >= j->end || *j->p != '"')
		return fuzz_json_fail(j, "expected a string");
	start = ++j->p;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p < 0x20)
			return fuzz_json_fail(j, "raw control character in a string");
		if (*j->p != '\\') {
			j->p++;
			continue;
		}
		if (++j->p >= j->end)
			return fuzz_json_fail(j, "string ends in an escape");
		switch (*j->p) {
		case '"': case '\\': case '/': case 'b': case 'f':
		case 'n': case 'r': case 't':
			j->p++;
			break;
		case 'u':
			for (k = 1; k <= 4; k++)
				if (j->p + k >= j->end || !fuzz_is_hex(j->p[k]))
					return fuzz_json_fail(j, "bad \\u escape");
			j->p += 5;
			break;
		default:
			return fuzz_json_fail(j, "unknown escape");
		}
	}
	if (j->p >= j->end)
		return fuzz_json_fail(j, "unterminated string");
	if (span != NULL) {
		span->p = start;
		span->len = (size_t)(j->p - start);
	}
	j->p++;
	return 1;
}

static inline int fuzz_json_digits(fuzz_json_t *j)
{
	const unsigned char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static inline int fuzz_json_number(fuzz_json_t *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!(j->p < j->end && *j->p >= '1' && *j->p <= '9') || !fuzz_json_digits(j))
		return fuzz_json_fail(j, "bad number");
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!fuzz_json_digits(j))
			return fuzz_json_fail(j, "bad fraction");
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!fuzz_json_digits(j))
			return fuzz_json_fail(j, "bad exponent");
	}
	return 1;
}

static inline int fuzz_span_cmp(const void *a, const void *b)
{
	const fuzz_span_t *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* Sorts KEYS; 1 when no two are equal. */
static inline int fuzz_keys_unique(fuzz_span_t *keys, size_t n, fuzz_span_t *dup)
{
	size_t i;

	qsort(keys, n, sizeof(*keys), fuzz_span_cmp);
	for (i = 1; i < n; i++)
		if (fuzz_span_cmp(&keys[i - 1], &keys[i]) == 0) {
			*dup = keys[i];
			return 0;
		}
	return 1;
}

static inline int fuzz_json_object(fuzz_json_t *j, int depth)
{
	fuzz_span_t *keys = NULL, dup;
	size_t n = 0, cap = 0;
	int ok = 0;

	j->p++;   /* '{' */
	fuzz_json_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return 1;
	}
	for (;;) {
		if (n == cap) {
			fuzz_span_t *nk;

			cap = cap ? cap * 2 : 16;
			nk = realloc(keys, cap * sizeof(*keys));
			FUZZ_CHECK(nk != NULL, "out of memory");
			keys = nk;
		}
		fuzz_json_ws(j);
		if (!fuzz_json_string(j, &keys[n]))
			goto out;
		n++;
		fuzz_json_ws(j);
		if (j->p >= j->end || *j->p != ':') {
			fuzz_json_fail(j, "expected ':'");
			goto out;
		}
		j->p++;
		if (!fuzz_json_value(j, depth + 1))
			goto out;
		fuzz_json_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			break;
		}
		fuzz_json_fail(j, "expected ',' or '}'");
		goto out;
	}
	if (j->check_dup_keys && !fuzz_keys_unique(keys, n, &dup)) {
		fprintf(stderr, "duplicate key \"%.*s\"\n", (int)dup.len, (const char *)dup.p);
		fuzz_json_fail(j, "duplicate object key");
		goto out;
	}
	ok = 1;
out:
	free(keys);
	return ok;
}

static inline int fuzz_json_array(fuzz_json_t *j, int depth)
{
	j->p++;   /* '[' */
	fuzz_json_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 1;
	}
	for (;;) {
		if (!fuzz_json_value(j, depth + 1))
			return 0;
		fuzz_json_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return 1;
		}
		return fuzz_json_fail(j, "expected ',' or ']'");
	}
}

static inline int fuzz_json_literal(fuzz_json_t *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return fuzz_json_fail(j, "unexpected character");
	j->p += n;
	return 1;
}

static inline int fuzz_json_value(fuzz_json_t *j, int depth)
{
	if (depth > FUZZ_JSON_MAX_DEPTH)
		return fuzz_json_fail(j, "nested too deep");
	fuzz_json_ws(j);
	if (j->p >= j->end)
		return fuzz_json_fail(j, "expected a value");
	switch (*j->p) {
	case '{': return fuzz_json_object(j, depth);
	case '[': return fuzz_json_array(j, depth);
	case '"': return fuzz_json_string(j, NULL);
	case 't': return fuzz_json_literal(j, "true");
	case 'f': return fuzz_json_literal(j, "false");
	case 'n': return fuzz_json_literal(j, "null");
	default:  return fuzz_json_number(j);
	}
}

/* NULL when S is one valid JSON object, else why not; *AT is the offset
 * where validation stopped. */
static inline const char *fuzz_json_object_check(const char *s, size_t len,
                                          int check_dup_keys, size_t *at)
{
	fuzz_json_t j;

	j.p = (const unsigned char *)s;
	j.end = j.p + len;
	j.err = NULL;
	j.check_dup_keys = check_dup_keys;
	fuzz_json_ws(&j);
	if (j.p >= j.end || *j.p != '{')
		fuzz_json_fail(&j, "not an object");
	else if (fuzz_json_value(&j, 0)) {
		fuzz_json_ws(&j);
		if (j.p != j.end)
			fuzz_json_fail(&j, "trailing bytes after the value");
	}
	*at = (size_t)(j.p - (const unsigned char *)s);
	return j.err;
}

/* Print a bounded excerpt of a message around offset AT. */
static inline void fuzz_show(const char *what, const char *s, size_t len, size_t at)
{
	size_t from = at > 200 ? at - 200 : 0;
	size_t to = len - at > 200 ? at + 200 : len;

	fprintf(stderr, "%s (%zu bytes), around offset %zu:\n%.*s\n", what, len, at,
	        (int)(to - from), s + from);
}

#endif
