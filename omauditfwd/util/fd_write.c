/* fd_write.c -- write()/writev() until all is written, and the fsync and
 * close that end a file (see fd_write.h). */
#include <errno.h>
#include <unistd.h>

#include "fd_write.h"

int fd_writev_all(int fd, struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		ssize_t w = writev(fd, iov, cnt);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (cnt > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int fd_write_all(int fd, const void *p, size_t n)
{
	struct iovec iov;

	iov.iov_base = (void *)p;
	iov.iov_len = n;
	return fd_writev_all(fd, &iov, 1);
}

int fd_sync_close(int fd, int rc)
{
	int saved;

	if (rc == 0 && fsync(fd) != 0)
		rc = -1;
	saved = errno;
	if (close(fd) != 0 && rc == 0)
		return -1;
	errno = saved;
	return rc;
}
