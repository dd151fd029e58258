/* transport.c -- the table of transports and the configuration they share. */
#include <string.h>

#include "transport.h"

static const transport_ops_t *const transports[] = {
	&transport_tcp,
};

const transport_ops_t *transport_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		if (strcmp(transports[i]->name, name) == 0)
			return transports[i];
	return NULL;
}

const char *transport_names(void)
{
	return "tcp";
}

int framing_parse(const char *s, framing_t *out)
{
	if (strcmp(s, "octet-counted") == 0)
		*out = FRAMING_OCTET_COUNTED;
	else if (strcmp(s, "lf") == 0)
		*out = FRAMING_LF;
	else
		return -1;
	return 0;
}

void transport_conf_default(transport_conf_t *c)
{
	c->target = NULL;
	c->port = 0;
	c->framing = FRAMING_OCTET_COUNTED;
	c->connect_timeout_ms = TRANSPORT_DEFAULT_CONNECT_TIMEOUT_MS;
	c->io_timeout_ms = TRANSPORT_DEFAULT_IO_TIMEOUT_MS;
}
