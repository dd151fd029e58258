/* spool.c -- the shutdown spool file (see spool.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd_write.h"
#include "spool.h"

#define SPOOL_MAGIC_V3  "omauditfwd-spool 3 "    /* then the identity, LF */
#define SPOOL_MAGIC     "omauditfwd-spool 2\n"   /* no identity; still read */
#define SPOOL_MAGIC_V1  "omauditfwd-spool 1\n"   /* no routes either; still read */
#define SPOOL_HEAD_MAX  (sizeof(SPOOL_MAGIC_V3) + SPOOL_IDENTITY_MAX)
#define SPOOL_MAX_SIZE  ((size_t)1 << 30)   /* refuse to load more */

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
	snprintf(err, errlen, "spool file %s: %s", path, what);
	return -1;
}

static int write_line(int fd, const audit_line_t *l)
{
	char len[64];
	int n = l->route != NULL ? snprintf(len, sizeof(len), "%zu/%zu ", l->len, l->route_len)
	                       : snprintf(len, sizeof(len), "%zu ", l->len);

	return fd_write_all(fd, len, (size_t)n) || fd_write_all(fd, l->p, l->len) ||
	       (l->route != NULL && fd_write_all(fd, l->route, l->route_len)) ||
	       fd_write_all(fd, "\n", 1) ? -1 : 0;
}

/* open PATH for appending, with the first line when it is new: fd or -1 */
static int open_append(const char *path, const char *identity, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
		fail(err, errlen, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 ||
	    (st.st_size == 0 && identity == NULL &&
	     fd_write_all(fd, SPOOL_MAGIC, sizeof(SPOOL_MAGIC) - 1) != 0) ||
	    (st.st_size == 0 && identity != NULL &&
	     (fd_write_all(fd, SPOOL_MAGIC_V3, sizeof(SPOOL_MAGIC_V3) - 1) != 0 ||
	      fd_write_all(fd, identity, strlen(identity)) != 0 || fd_write_all(fd, "\n", 1) != 0))) {
		fail(err, errlen, path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* RC of the writes so far; then fsync and close FD: 0 or -1 with ERR */
static int finish_append(int fd, int rc, const char *path, char *err, size_t errlen)
{
	if (fd_sync_close(fd, rc) != 0)
		return fail(err, errlen, path, strerror(errno));
	return 0;
}

int spool_append(const char *path, const char *identity, const audit_line_t *lines,
                 size_t n, char *err, size_t errlen)
{
	size_t i;
	int fd, rc = 0;

	if ((fd = open_append(path, identity, err, errlen)) < 0)
		return -1;
	for (i = 0; rc == 0 && i < n; i++)
		rc = write_line(fd, &lines[i]);
	return finish_append(fd, rc, path, err, errlen);
}

int spool_append_completed(const char *path, const char *identity,
                           const audit_joiner_t *j, size_t *nevents, size_t *nlines,
                           char *err, size_t errlen)
{
	size_t e, i, ne = audit_joiner_ncompleted(j), nl = 0;
	int fd, rc = 0;

	*nevents = *nlines = 0;
	if ((fd = open_append(path, identity, err, errlen)) < 0)
		return -1;
	for (e = 0; rc == 0 && e < ne; e++) {
		const audit_event_t *ev = audit_joiner_completed(j, e);
		for (i = 0; rc == 0 && i < audit_event_nlines(ev); i++, nl++)
			rc = write_line(fd, audit_event_line(ev, i));
	}
	if ((rc = finish_append(fd, rc, path, err, errlen)) == 0) {
		*nevents = ne;
		*nlines = nl;
	}
	return rc;
}

static int read_file(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		return fail(err, errlen, path, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || (size_t)st.st_size > SPOOL_MAX_SIZE) {
		close(fd);
		return fail(err, errlen, path, "cannot size it, or larger than 1 GiB");
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return fail(err, errlen, path, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		return fail(err, errlen, path, "short read");
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 1;
}

/* a decimal count at P: 0 with *N and *END set, or -1 */
static int count_at(char *p, unsigned long long *n, char **end)
{
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*n = strtoull(p, end, 10);
	return errno != 0 ? -1 : 0;
}

/* the lines of BUF after the magic, as views; NUL replaces each line's LF
 * (and the route is moved one byte up to get one too) */
static int split_lines(spool_t *s, size_t off, size_t len, char *err, size_t errlen,
                       const char *path)
{
	size_t cap = 0;
	char what[96];

	while (off < len) {
		char *end;
		unsigned long long n, tn = 0;
		int routed;

		if (count_at(s->buf + off, &n, &end) != 0)
			goto bad;
		if ((routed = *end == '/') && count_at(end + 1, &tn, &end) != 0)
			goto bad;
		if (*end != ' ' || n > len - (size_t)(end + 1 - s->buf) ||
		    tn > len - (size_t)(end + 1 - s->buf) - n || end[1 + n + tn] != '\n')
			goto bad;
		if (s->nlines == cap) {
			audit_line_t *nl;
			cap = cap ? cap * 2 : 64;
			if ((nl = realloc(s->lines, cap * sizeof(*nl))) == NULL)
				return fail(err, errlen, path, "out of memory");
			s->lines = nl;
		}
		s->lines[s->nlines].p = end + 1;
		s->lines[s->nlines].len = (size_t)n;
		s->lines[s->nlines].route = NULL;
		s->lines[s->nlines].route_len = (size_t)tn;
		s->lines[s->nlines].rec = NULL;
		if (routed) {
			/* LINE ROUTE LF -> LINE NUL ROUTE NUL: the line's space and LEN's
			 * digits before it give the byte */
			memmove(end, end + 1, (size_t)n);
			s->lines[s->nlines].p = end;
			end[n] = '\0';
			s->lines[s->nlines].route = end + 1 + n;
			end[1 + n + tn] = '\0';
		} else {
			end[1 + n] = '\0';
		}
		s->nlines++;
		off = (size_t)(end + 1 - s->buf) + (size_t)n + (size_t)tn + 1;
	}
	return 0;
bad:
	snprintf(what, sizeof(what), "malformed at byte %zu (record %zu)", off, s->nlines + 1);
	return fail(err, errlen, path, what);
}

/* The length of the first line of BUF (LEN bytes), LF included, when it is
 * a spool file's, with *IDENTITY and *IDLEN set (NULL, 0: none); else 0. */
static size_t head_of(const char *buf, size_t len, const char **identity, size_t *idlen)
{
	const char *lf;

	*identity = NULL;
	*idlen = 0;
	if ((len >= sizeof(SPOOL_MAGIC) - 1 &&
	     memcmp(buf, SPOOL_MAGIC, sizeof(SPOOL_MAGIC) - 1) == 0) ||
	    (len >= sizeof(SPOOL_MAGIC_V1) - 1 &&
	     memcmp(buf, SPOOL_MAGIC_V1, sizeof(SPOOL_MAGIC_V1) - 1) == 0))
		return sizeof(SPOOL_MAGIC) - 1;
	if (len < sizeof(SPOOL_MAGIC_V3) - 1 ||
	    memcmp(buf, SPOOL_MAGIC_V3, sizeof(SPOOL_MAGIC_V3) - 1) != 0 ||
	    (lf = memchr(buf, '\n', len < SPOOL_HEAD_MAX ? len : SPOOL_HEAD_MAX)) == NULL ||
	    lf == buf + sizeof(SPOOL_MAGIC_V3) - 1)
		return 0;
	*identity = buf + sizeof(SPOOL_MAGIC_V3) - 1;
	*idlen = (size_t)(lf - *identity);
	return (size_t)(lf + 1 - buf);
}

int spool_load(const char *path, spool_t *s, char *err, size_t errlen)
{
	size_t len = 0, off, idlen;
	const char *identity;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = read_file(path, &s->buf, &len, err, errlen)) != 1)
		return rc;
	if ((off = head_of(s->buf, len, &identity, &idlen)) == 0) {
		spool_free(s);
		return fail(err, errlen, path, "not an omauditfwd spool file (bad first line)");
	}
	if (identity != NULL) {
		s->buf[off - 1] = '\0';   /* its LF */
		s->identity = identity;
	}
	if (split_lines(s, off, len, err, errlen, path) != 0) {
		spool_free(s);
		return -1;
	}
	return 1;
}

int spool_identity_of(const char *path, char *out, size_t outlen,
                      char *err, size_t errlen)
{
	char head[SPOOL_HEAD_MAX];
	const char *identity;
	size_t got = 0, idlen;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		return fail(err, errlen, path, strerror(errno));
	}
	while (got < sizeof(head) && ((r = read(fd, head + got, sizeof(head) - got)) > 0 ||
	                              (r < 0 && errno == EINTR)))
		got += r > 0 ? (size_t)r : 0;
	close(fd);
	if (head_of(head, got, &identity, &idlen) == 0)
		return fail(err, errlen, path, "not an omauditfwd spool file (bad first line)");
	if (idlen >= outlen)
		idlen = outlen - 1;
	memcpy(out, identity != NULL ? identity : "", idlen);
	out[idlen] = '\0';
	return 1;
}

void spool_identity(char *out, size_t outlen, const char *statsname,
                    const char *transport, const char *format)
{
	size_t i;

	if (outlen == 0)
		return;
	snprintf(out, outlen, "statsname=%s transport=%s format=%s", statsname, transport,
	         format);
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			out[i] = '_';
}

void spool_free(spool_t *s)
{
	free(s->buf);
	free(s->lines);
	memset(s, 0, sizeof(*s));
}

static size_t held_find(const spool_held_t *h, const char *p, size_t len,
                        const char *route, size_t route_len)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].len == len && memcmp(h->v[i].p, p, len) == 0 &&
		    (h->v[i].route == NULL) == (route == NULL) &&
		    (route == NULL || (h->v[i].route_len == route_len &&
		                     memcmp(h->v[i].route, route, route_len) == 0)))
			return i;
	return (size_t)-1;
}

int spool_held_add(spool_held_t *h, const char *p, size_t len, const char *route,
                   size_t route_len)
{
	if (held_find(h, p, len, route, route_len) != (size_t)-1)
		return 0;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		audit_line_t *v = realloc(h->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	if (audit_line_copy(&h->v[h->n], p, len, route, route_len, NULL) != 0)
		return -1;
	h->n++;
	return 0;
}

void spool_held_remove(spool_held_t *h, const char *p, size_t len, const char *route,
                       size_t route_len)
{
	size_t i = held_find(h, p, len, route, route_len);

	if (i == (size_t)-1)
		return;
	free(h->v[i].p);
	memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof(h->v[0]));
	h->n--;
}

void spool_held_free(spool_held_t *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->v[i].p);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

int spool_path(char *out, size_t outlen, const char *dir, const char *name)
{
	size_t i, n;
	/* the default statsname already starts with it */
	int w = snprintf(out, outlen, "%s/%s", dir,
	                 strncmp(name, "omauditfwd-", 11) == 0 ? "" : "omauditfwd-");

	if (w < 0 || (size_t)w >= outlen)
		return -1;
	n = (size_t)w;
	for (i = 0; name[i] != '\0'; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (n + 1 >= outlen)
			return -1;
		out[n++] = ok ? c : '_';
	}
	if (n + sizeof(".spool") > outlen)
		return -1;
	memcpy(out + n, ".spool", sizeof(".spool"));
	return 0;
}
