/* size_parse.c -- sizes written as rsyslog writes them (see
 * size_parse.h). */
#include <errno.h>
#include <stdlib.h>

#include "size_parse.h"

#define DECIMAL_BASE 10
#define KIB 1024ULL   /* k, m, g */
#define KB  1000ULL   /* K, M, G */

int size_parse(const char *s, size_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, DECIMAL_BASE);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': mul = KIB; break;
	case 'm': mul = KIB * KIB; break;
	case 'g': mul = KIB * KIB * KIB; break;
	case 'K': mul = KB; break;
	case 'M': mul = KB * KB; break;
	case 'G': mul = KB * KB * KB; break;
	default: return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > (unsigned long long)(size_t)-1 / mul)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}
