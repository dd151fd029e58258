/* testutil.h -- small helpers shared by the criterion tests. */
#ifndef AUDITFWD_TESTUTIL_H
#define AUDITFWD_TESTUTIL_H

#include <stddef.h>

/* The whole file at PATH, NUL-terminated (*LEN without the NUL); fails the
 * current test when it cannot be read. Free with free(). */
char *testutil_slurp(const char *path, size_t *len);

#endif
