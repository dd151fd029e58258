/* deadletter.c -- the dead-letter file: messages refused for good, with
 * their reason, appended length-prefixed and fsynced (see deadletter.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "deadletter.h"
#include "fd_write.h"
#include "syslog_time.h"

#define DEADLETTER_HEADER_MAX 256     /* one entry's header line */
#define DEADLETTER_PREFIX     "omauditfwd-"
#define DEADLETTER_SUFFIX     ".deadletter"
#define NSEC_PER_MSEC         1000000L

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
	snprintf(err, errlen, "dead-letter file %s: %s", path, what);
	return -1;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* REASON as a name of letters, digits and '_' (never empty) into OUT */
static void reason_name(const char *reason, char out[DEADLETTER_REASON_MAX + 1])
{
	size_t i;

	for (i = 0; reason != NULL && reason[i] != '\0' && i < DEADLETTER_REASON_MAX; i++)
		out[i] = name_char(reason[i]) ? reason[i] : '_';
	if (i == 0)
		out[i++] = '_';
	out[i] = '\0';
}

/* the header line of E written at NOW into OUT: its length */
static size_t header_line(const deadletter_entry_t *e, const struct timespec *now,
                          char out[DEADLETTER_HEADER_MAX])
{
	char reason[DEADLETTER_REASON_MAX + 1], klen[32], stamp[SYSLOG_3339_MAX];
	int n;

	reason_name(e->reason, reason);
	if (e->key != NULL)
		snprintf(klen, sizeof(klen), "%zu", e->klen);
	else
		snprintf(klen, sizeof(klen), "-");
	syslog_time_fmt_3339(stamp, (int64_t)now->tv_sec,
	                     (unsigned)(now->tv_nsec / NSEC_PER_MSEC));
	n = snprintf(out, DEADLETTER_HEADER_MAX, DEADLETTER_MAGIC "%s %s %zu %s %zu\n",
	             stamp, reason, e->tlen, klen, e->len);
	return n > 0 && n < DEADLETTER_HEADER_MAX ? (size_t)n : 0;
}

static int write_entry(int fd, const deadletter_entry_t *e, const struct timespec *now)
{
	char head[DEADLETTER_HEADER_MAX];
	struct iovec iov[5];
	size_t hlen = header_line(e, now, head);

	if (hlen == 0) {
		errno = EINVAL;
		return -1;
	}
	iov[0].iov_base = head;
	iov[0].iov_len = hlen;
	iov[1].iov_base = (void *)e->topic;
	iov[1].iov_len = e->topic != NULL ? e->tlen : 0;
	iov[2].iov_base = (void *)e->key;
	iov[2].iov_len = e->key != NULL ? e->klen : 0;
	iov[3].iov_base = (void *)e->msg;
	iov[3].iov_len = e->msg != NULL ? e->len : 0;
	iov[4].iov_base = (void *)"\n";
	iov[4].iov_len = 1;
	return fd_writev_all(fd, iov, 5);
}

int deadletter_append(const char *path, const deadletter_entry_t *v, size_t n,
                      char *err, size_t errlen)
{
	struct timespec now;
	struct stat st;
	size_t i;
	int fd, rc = 0;

	if (path == NULL || path[0] == '\0')
		return fail(err, errlen, "(none)", "no file configured");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return fail(err, errlen, path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, path, "not a regular file");
	}
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < n && rc == 0; i++)
		rc = write_entry(fd, &v[i], &now);
	if (fd_sync_close(fd, rc) != 0)
		return fail(err, errlen, path, strerror(errno));
	return 0;
}

int deadletter_path(char *out, size_t outlen, const char *dir, const char *statsname)
{
	size_t i, n;
	int w = snprintf(out, outlen, "%s/%s", dir,
	                 strncmp(statsname, DEADLETTER_PREFIX, sizeof(DEADLETTER_PREFIX) - 1) == 0
	                 ? "" : DEADLETTER_PREFIX);

	if (w < 0 || (size_t)w >= outlen)
		return -1;
	n = (size_t)w;
	for (i = 0; statsname[i] != '\0'; i++) {
		char c = statsname[i];

		if (n + 1 >= outlen)
			return -1;
		out[n++] = name_char(c) || c == '.' || c == '-' ? c : '_';
	}
	if (n + sizeof(DEADLETTER_SUFFIX) > outlen)
		return -1;
	memcpy(out + n, DEADLETTER_SUFFIX, sizeof(DEADLETTER_SUFFIX));
	return 0;
}
