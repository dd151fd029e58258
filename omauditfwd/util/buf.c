/* buf.c -- growable byte buffer and message batch (see buf.h). */
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "buf.h"

#define BUF_MIN_CAP 256

void buf_init(buf_t *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

void buf_free(buf_t *b)
{
	free(b->p);
	buf_init(b);
}

void buf_give_back_memory(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

void buf_shrink(buf_t *b, size_t keep)
{
	char *np;

	if (b->cap <= keep || b->len > keep / 2 || keep < 2)
		return;
	if ((np = realloc(b->p, keep / 2)) == NULL)
		return;   /* it stays as large as it was: no harm */
	b->p = np;
	b->cap = keep / 2;
	buf_give_back_memory();
}

int buf_reserve(buf_t *b, size_t n)
{
	size_t need, cap;
	char *np;

	if (b->oom)
		return -1;
	if (n <= b->cap - b->len)
		return 0;
	need = b->len + n;
	if (need < b->len)
		goto fail;
	cap = b->cap ? b->cap : BUF_MIN_CAP;
	while (cap < need) {
		if (cap > (size_t)-1 / 2)
			goto fail;
		cap *= 2;
	}
	np = realloc(b->p, cap);
	if (np == NULL)
		goto fail;
	b->p = np;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

void buf_append_slow(buf_t *b, const void *p, size_t n)
{
	if (n == 0 || buf_reserve(b, n) != 0)
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void buf_printf(buf_t *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (buf_reserve(b, 64) != 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		if (buf_reserve(b, (size_t)n + 1) != 0)
			return;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void buf_put_uint(buf_t *b, unsigned long long v)
{
	char tmp[BUF_UINT_TEXT_MAX];

	buf_append(b, tmp, buf_uint_text(tmp, v));
}

#define P10(t) t "0" t "1" t "2" t "3" t "4" t "5" t "6" t "7" t "8" t "9"
const char buf_digit_pairs[200] = P10("0") P10("1") P10("2") P10("3") P10("4")
                                  P10("5") P10("6") P10("7") P10("8") P10("9");

size_t buf_uint_text(char *d, unsigned long long v)
{
	char tmp[BUF_UINT_TEXT_MAX];
	size_t i = sizeof(tmp);

	for (; v >= 100; v /= 100) {
		i -= 2;
		memcpy(tmp + i, buf_digit_pairs + 2 * (v % 100), 2);
	}
	if (v >= 10) {
		i -= 2;
		memcpy(tmp + i, buf_digit_pairs + 2 * v, 2);
	} else {
		tmp[--i] = (char)('0' + v);
	}
	memcpy(d, tmp + i, sizeof(tmp) - i);
	return sizeof(tmp) - i;
}

void buf_put_octal(buf_t *b, unsigned long long v, unsigned min_digits)
{
	char tmp[24];   /* 22 octal digits for 64 bits */
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + (v & 7));
		v >>= 3;
	} while (v);
	while (sizeof(tmp) - i < min_digits && i > 0)
		tmp[--i] = '0';
	buf_append(b, tmp + i, sizeof(tmp) - i);
}

void buf_put_hex(buf_t *b, unsigned long long v)
{
	static const char digits[] = "0123456789abcdef";
	size_t n = v ? (size_t)(64 - __builtin_clzll(v) + 3) / 4 : 1, i;

	if (buf_reserve(b, n) != 0)
		return;
	for (i = n; i-- > 0; v >>= 4)
		b->p[b->len + i] = digits[v & 0xf];
	b->len += n;
}

void msgbatch_init(msgbatch_t *mb)
{
	buf_init(&mb->data);
	mb->msgs = NULL;
	mb->n = mb->cap = 0;
	mb->open_at = 0;
}

void msgbatch_free(msgbatch_t *mb)
{
	buf_free(&mb->data);
	free(mb->msgs);
	msgbatch_init(mb);
}

void msgbatch_reset(msgbatch_t *mb)
{
	/* a batch that carried a flood (an event capped at join.maxbytes)
	 * does not keep its memory for good */
	if (mb->data.cap > MSGBATCH_KEEP_BYTES || mb->cap > MSGBATCH_KEEP_MSGS) {
		msgbatch_free(mb);
		buf_give_back_memory();
		return;
	}
	buf_reset(&mb->data);
	mb->n = 0;
	mb->open_at = 0;
}

int msgbatch_end(msgbatch_t *mb)
{
	if (mb->data.oom)
		goto fail;
	if (mb->n == mb->cap) {
		size_t cap = mb->cap ? mb->cap * 2 : 64;
		msg_span_t *nm = realloc(mb->msgs, cap * sizeof(*nm));
		if (nm == NULL)
			goto fail;
		mb->msgs = nm;
		mb->cap = cap;
	}
	mb->msgs[mb->n].off = mb->open_at;
	mb->msgs[mb->n].len = mb->data.len - mb->open_at;
	mb->n++;
	return 0;
fail:
	mb->data.len = mb->open_at;
	return -1;
}
