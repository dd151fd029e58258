/* deadletter_reader.h -- for tests: read a dead-letter file back strictly,
 * by the format deadletter.h documents (an independent reader: a writer
 * bug must not be mirrored by it). */
#ifndef TEST_DEADLETTER_READER_H
#define TEST_DEADLETTER_READER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DLR_MAX 64

typedef struct dl_got {
	char time[32], reason[80];
	char *topic, *key, *msg;     /* key NULL: none */
	size_t tlen, klen, len;
} dl_got_t;

typedef struct dl_file {
	dl_got_t e[DLR_MAX];
	size_t n;
	int malformed;               /* something did not follow the format */
} dl_file_t;

static char *dlr_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf != NULL) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

static char *dlr_dup(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* 0 and D filled (no file: 0 entries), or -1 when PATH cannot be read */
static int dl_read(const char *path, dl_file_t *d)
{
	size_t len, off = 0;
	char *buf = dlr_slurp(path, &len);

	memset(d, 0, sizeof(*d));
	if (buf == NULL)
		return -1;
	while (off < len && d->n < DLR_MAX) {
		dl_got_t *e = &d->e[d->n];
		char *nl = memchr(buf + off, '\n', len - off), klen[32];
		unsigned long long t, m;
		int used = 0;

		if (nl == NULL || strncmp(buf + off, "omauditfwd-deadletter 1 ", 24) != 0) {
			d->malformed = 1;
			break;
		}
		*nl = '\0';
		if (sscanf(buf + off + 24, "%31s %79s %llu %31s %llu%n", e->time, e->reason, &t,
		           klen, &m, &used) != 5 || buf[off + 24 + used] != '\0') {
			d->malformed = 1;
			break;
		}
		e->tlen = t;
		e->len = m;
		e->klen = strcmp(klen, "-") == 0 ? 0 : strtoull(klen, NULL, 10);
		off = (size_t)(nl - buf) + 1;
		if (off + e->tlen + e->klen + e->len + 1 > len ||
		    buf[off + e->tlen + e->klen + e->len] != '\n') {
			d->malformed = 1;
			break;
		}
		e->topic = dlr_dup(buf + off, e->tlen);
		e->key = strcmp(klen, "-") == 0 ? NULL : dlr_dup(buf + off + e->tlen, e->klen);
		e->msg = dlr_dup(buf + off + e->tlen + e->klen, e->len);
		off += e->tlen + e->klen + e->len + 1;
		d->n++;
	}
	free(buf);
	return 0;
}

static void dl_free(dl_file_t *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->e[i].topic);
		free(d->e[i].key);
		free(d->e[i].msg);
	}
	d->n = 0;
}

#endif
