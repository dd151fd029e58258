/* buf.h -- a growable byte buffer, and a batch of messages stored in one.
 *
 * Formatters append straight into a buf_t; a msgbatch_t is the bytes of many
 * output messages back to back plus (offset, length) per message, which is
 * what a transport sends. Both are reused across batches (reset keeps the
 * memory), so the steady state allocates nothing; a batch that grew past
 * MSGBATCH_KEEP_BYTES / MSGBATCH_KEEP_MSGS gives its memory back on reset.
 */
#ifndef AUDITFWD_BUF_H
#define AUDITFWD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef struct buf {
	char *p;
	size_t len;
	size_t cap;
	int oom;          /* sticky: an allocation failed, contents are short */
} buf_t;

void buf_init(buf_t *b);
void buf_free(buf_t *b);
static inline void buf_reset(buf_t *b) { b->len = 0; b->oom = 0; }
/* Make room for N more bytes; 0 on success, -1 (and oom set) on failure. */
int buf_reserve(buf_t *b, size_t n);
/* Give back the memory a flood left: when B holds at most KEEP / 2 bytes
 * but has room for more than KEEP, its room shrinks to KEEP / 2. */
void buf_shrink(buf_t *b, size_t keep);
/* After a large buffer was freed or shrunk: ask malloc to return the
 * memory it keeps to the system (glibc's malloc_trim; elsewhere nothing),
 * so a flood leaves no lasting RSS. Takes a while: call it rarely. */
void buf_give_back_memory(void);
/* buf_append's way when the bytes do not fit (or the buffer is broken) */
void buf_append_slow(buf_t *b, const void *p, size_t n);
/* N bytes from S to D (no overlap). Most copies here are a field name or
 * value of a few bytes: up to 16 of them are two loads and two stores
 * (overlapping when N is not a power of two) instead of a call to memcpy. */
static inline void buf_copy(char *d, const void *src, size_t n)
{
	const char *s = src;

	if (n >= 8 && n <= 16) {
		unsigned long long a, z;

		memcpy(&a, s, 8);
		memcpy(&z, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &z, 8);
	} else if (n >= 4 && n < 8) {
		unsigned a, z;

		memcpy(&a, s, 4);
		memcpy(&z, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &z, 4);
	} else if (n < 4) {
		size_t i;

		for (i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		memcpy(d, s, n);
	}
}

/* Append N bytes at P. Inline: most appends are a few bytes into a buffer
 * with room, and a call per field name and value showed in the profile. */
static inline void buf_append(buf_t *b, const void *p, size_t n)
{
	if (n != 0 && n <= b->cap - b->len && !b->oom) {
		buf_copy(b->p + b->len, p, n);
		b->len += n;
	} else {
		buf_append_slow(b, p, n);
	}
}
static inline void buf_putc(buf_t *b, char c)
{
	if (b->len < b->cap || buf_reserve(b, 1) == 0)
		b->p[b->len++] = c;
}
static inline void buf_puts(buf_t *b, const char *s) { buf_append(b, s, strlen(s)); }
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_put_uint(buf_t *b, unsigned long long v);
/* V in octal, at least MIN_DIGITS digits (zero-padded): printf's "%0*llo" */
void buf_put_octal(buf_t *b, unsigned long long v, unsigned min_digits);
/* V in lower-case hex without leading zeros: printf's "%llx" */
void buf_put_hex(buf_t *b, unsigned long long v);
/* V in decimal at D (BUF_UINT_TEXT_MAX bytes, no NUL): its length */
#define BUF_UINT_TEXT_MAX 20
size_t buf_uint_text(char *d, unsigned long long v);
/* "00" "01" ... "99": the two digits of N at buf_digit_pairs + 2 * N, so
 * a number is written two digits (one division) at a time */
extern const char buf_digit_pairs[200];

typedef struct msg_span {
	size_t off;       /* into the batch's data */
	size_t len;
} msg_span_t;

#define MSGBATCH_KEEP_BYTES (4u * 1024 * 1024)
#define MSGBATCH_KEEP_MSGS  65536

typedef struct msgbatch {
	buf_t data;
	msg_span_t *msgs;
	size_t n;
	size_t cap;
	size_t open_at;   /* start of the message being built */
} msgbatch_t;

void msgbatch_init(msgbatch_t *mb);
void msgbatch_free(msgbatch_t *mb);
void msgbatch_reset(msgbatch_t *mb);
/* Start a message: what is appended to mb->data until msgbatch_end() is it. */
static inline void msgbatch_begin(msgbatch_t *mb) { mb->open_at = mb->data.len; }
/* Close the message; 0 on success, -1 on allocation failure (the message is
 * then removed again so the batch stays consistent). */
int msgbatch_end(msgbatch_t *mb);
/* Drop a message that was begun but is not wanted. */
static inline void msgbatch_cancel(msgbatch_t *mb) { mb->data.len = mb->open_at; }
static inline const char *msgbatch_msg(const msgbatch_t *mb, size_t i, size_t *len)
{
	*len = mb->msgs[i].len;
	return mb->data.p + mb->msgs[i].off;
}

#endif
