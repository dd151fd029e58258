/* transport_route.c -- a message's route (topic, key, host) as bytes and
 * back (see transport.h): the one encoding the joiner, the spool and the
 * transports share. No backend here, so the core (and its fuzz targets)
 * link it without the transports. */
#include <string.h>

#include "transport.h"

void transport_route_write(buf_t *out, const transport_route_t *r)
{
	if (r->host_len > 0) {
		buf_putc(out, TRANSPORT_ROUTE_HOST);
		buf_append(out, r->host, r->host_len);
		buf_putc(out, '\0');
	}
	buf_append(out, r->topic, r->topic_len);
	if (r->has_key) {
		buf_putc(out, '\0');
		buf_append(out, r->key, r->key_len);
	}
}

void transport_route_read(const char *bytes, size_t len, transport_route_t *r)
{
	const char *nul;

	memset(r, 0, sizeof(*r));
	r->topic = "";
	if (len == 0)
		return;
	if (bytes[0] == TRANSPORT_ROUTE_HOST &&
	    (nul = memchr(bytes + 1, '\0', len - 1)) != NULL) {
		r->host = bytes + 1;
		r->host_len = (size_t)(nul - r->host);
		len -= (size_t)(nul + 1 - bytes);
		bytes = nul + 1;
	}
	nul = len > 0 ? memchr(bytes, '\0', len) : NULL;
	r->topic = bytes;
	r->topic_len = nul != NULL ? (size_t)(nul - bytes) : len;
	r->has_key = nul != NULL;
	r->key = nul != NULL ? nul + 1 : NULL;
	r->key_len = nul != NULL ? len - r->topic_len - 1 : 0;
}
