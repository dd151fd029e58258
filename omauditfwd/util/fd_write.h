/* fd_write.h -- writing all of a buffer to a file descriptor: the loops
 * around write()/writev() that go on after a short write or EINTR, for the
 * files the core writes (spool, dead letters). Blocking descriptors only.
 */
#ifndef AUDITFWD_FD_WRITE_H
#define AUDITFWD_FD_WRITE_H

#include <stddef.h>
#include <sys/uio.h>

/* All N bytes at P: 0, or -1 with errno (EINTR is retried). */
int fd_write_all(int fd, const void *p, size_t n);
/* All of IOV (CNT entries, consumed: the caller's array is changed):
 * 0, or -1 with errno (EINTR is retried). */
int fd_writev_all(int fd, struct iovec *iov, int cnt);
/* Ends a file written with RC (0: the writes so far succeeded): fsync
 * when RC is 0, then close FD in every case. 0, or -1 with errno of the
 * first failure (a write's, fsync's or close's). */
int fd_sync_close(int fd, int rc);

#endif
