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

void transport_route_write(buf_t *out, const transport_route_t *r)
{
	buf_append(out, r->topic, r->topic_len);
	if (r->has_key) {
		buf_append(out, "", 1);
		buf_append(out, r->key, r->key_len);
	}
}

void transport_route_read(const char *bytes, size_t len, transport_route_t *r)
{
	const char *nul = memchr(bytes, '\0', len);

	r->topic = bytes;
	r->topic_len = nul != NULL ? (size_t)(nul - bytes) : len;
	r->has_key = nul != NULL;
	r->key = nul != NULL ? nul + 1 : NULL;
	r->key_len = nul != NULL ? len - r->topic_len - 1 : 0;
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
	c->kafka_brokers = c->kafka_topic = c->kafka_key = c->kafka_compression = NULL;
	c->kafka_topic_dynamic = 0;
	c->kafka_headers = NULL;
	c->kafka_n_headers = 0;
	c->kafka_conf_params = c->kafka_topic_conf_params = NULL;
	c->kafka_n_conf_params = c->kafka_n_topic_conf_params = 0;
	c->kafka_close_timeout_ms = TRANSPORT_DEFAULT_KAFKA_CLOSE_TIMEOUT_MS;
	c->stats = NULL;                /* the transport counts for itself */
	c->should_stop = NULL;
	c->reduce = NULL;               /* refused for good: no smaller version */
	c->reduce_ctx = NULL;
	c->kafka_deadletter = NULL;     /* ... and nowhere to set it aside */
	c->kafka_notice = NULL;
	c->kafka_notice_ctx = NULL;
	c->tls_cacert = c->tls_mycert = c->tls_myprivkey = c->tls_minversion = NULL;
	c->tls_authmode = TLS_AUTH_X509_NAME;
	c->tls_permittedpeers = NULL;
	c->tls_n_permittedpeers = 0;
	c->relp_tls = 0;
	c->relp_timeout_s = TRANSPORT_DEFAULT_RELP_TIMEOUT_S;
	c->relp_conn_timeout_s = TRANSPORT_DEFAULT_RELP_CONN_TIMEOUT_S;
	c->relp_window = 0;
	c->relp_rebind = 0;
	c->relp_tlslib = NULL;
}
