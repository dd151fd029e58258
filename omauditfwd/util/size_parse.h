/* size_parse.h -- a size as rsyslog's own size parameters write it. */
#ifndef AUDITFWD_SIZE_PARSE_H
#define AUDITFWD_SIZE_PARSE_H

#include <stddef.h>

/* "64k", "1m", "8096" into *OUT: digits and at most one suffix, k/m/g
 * 1024-based, K/M/G 1000-based; 0, or -1 (OUT untouched) if S is not one
 * or does not fit a size_t. */
int size_parse(const char *s, size_t *out);

#endif
