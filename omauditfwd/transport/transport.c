/* transport.c -- the table of transports and the configuration they share. */
#include <string.h>

#include "transport.h"

static const transport_ops_t *const transports[] = {
	&transport_tcp,
	&transport_tls,
	&transport_kafka,
	&transport_relp,
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
	return "tcp, tls, kafka, relp";
}

int transport_uses_tls(const transport_ops_t *ops, const transport_conf_t *c)
{
	return (ops->caps & TRANSPORT_CAP_TLS) ||
	       ((ops->caps & TRANSPORT_CAP_TLS_SWITCH) && c->relp.tls);
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
	memset(c, 0, sizeof(*c));     /* every hook and field not named below */
	c->target = NULL;
	c->port = 0;
	c->targets = NULL;
	c->n_targets = 0;
	c->failback_interval_ms = TRANSPORT_DEFAULT_FAILBACK_INTERVAL_MS;
	c->stream_stats = NULL;
	c->framing = FRAMING_OCTET_COUNTED;
	c->connect_timeout_ms = TRANSPORT_DEFAULT_CONNECT_TIMEOUT_MS;
	c->io_timeout_ms = TRANSPORT_DEFAULT_IO_TIMEOUT_MS;
	c->resend_window = TRANSPORT_DEFAULT_RESEND_WINDOW;
	c->stats = NULL;                /* the transport counts for itself */
	c->should_stop = NULL;
	c->reduce = NULL;               /* refused for good: no smaller version */
	c->reduce_ctx = NULL;
	c->deadletter = NULL;           /* ... and nowhere to set it aside */
	c->notice = NULL;
	c->notice_ctx = NULL;
	/* the backends' members: zero but for these */
	c->kafka.close_timeout_ms = TRANSPORT_DEFAULT_KAFKA_CLOSE_TIMEOUT_MS;
	c->tls.authmode = TLS_AUTH_X509_NAME;
	c->relp.timeout_s = TRANSPORT_DEFAULT_RELP_TIMEOUT_S;
	c->relp.conn_timeout_s = TRANSPORT_DEFAULT_RELP_CONN_TIMEOUT_S;
}

void transport_conf_keep(transport_conf_t *dst, const transport_conf_t *src)
{
	*dst = *src;
	dst->target = NULL;
	dst->targets = NULL;
	dst->n_targets = 0;
	dst->deadletter = NULL;
	memset(&dst->kafka, 0, sizeof(dst->kafka));
	memset(&dst->tls, 0, sizeof(dst->tls));
	memset(&dst->relp, 0, sizeof(dst->relp));
}
