/* settings_store.c -- where each transport setting is stored
 * (settings_store.h): one switch per kind of value, so the front ends
 * store by id and the "stored" column and the code cannot drift apart
 * (test_settings checks every row against these). */
#include <stdlib.h>
#include <string.h>

#include "settings_store.h"

#define STORED_PREFIX "transport_conf_t."

int settings_in_transport(setting_id_t id)
{
	const setting_t *s = settings_get(id);

	return s != NULL && s->stored != NULL && strstr(s->stored, STORED_PREFIX) != NULL;
}

int settings_store_number(transport_conf_t *c, setting_id_t id, long long n)
{
	switch (id) {
	case SET_PORT: c->port = (int)n; break;
	case SET_TIMEOUT_CONNECT: c->connect_timeout_ms = (int)n; break;
	case SET_TIMEOUT_IO: c->io_timeout_ms = (int)n; break;
	case SET_FAILBACK_INTERVAL: c->failback_interval_ms = (int)n; break;
	case SET_RESEND_WINDOW: c->resend_window = (size_t)n; break;
	case SET_CLOSE_TIMEOUT: c->kafka.close_timeout_ms = (int)n; break;
	case SET_DYNA_TOPIC: c->kafka.topic_dynamic = (int)n; break;
	case SET_RELP_TLS: c->relp.tls = (int)n; break;
	case SET_RELP_TIMEOUT: c->relp.timeout_s = (int)n; break;
	case SET_RELP_CONN_TIMEOUT: c->relp.conn_timeout_s = (int)n; break;
	case SET_WINDOW_SIZE: c->relp.window = (int)n; break;
	case SET_REBIND_INTERVAL: c->relp.rebind = (unsigned)n; break;
	default: return -1;
	}
	return 0;
}

/* the parsers cannot fail on what the table accepted */
int settings_store_text(transport_conf_t *c, setting_id_t id, const char *s)
{
	switch (id) {
	case SET_PORT: c->port = s != NULL ? atoi(s) : 0; break;
	case SET_FRAMING: if (s != NULL) (void)framing_parse(s, &c->framing); break;
	case SET_BROKER: c->kafka.brokers = s; break;
	case SET_TOPIC: c->kafka.topic = s; break;
	case SET_KEY: c->kafka.key = s; break;
	case SET_COMPRESSION: c->kafka.compression = s; break;
	case SET_TLS_CACERT: c->tls.cacert = s; break;
	case SET_TLS_MYCERT: c->tls.mycert = s; break;
	case SET_TLS_MYPRIVKEY: c->tls.myprivkey = s; break;
	case SET_TLS_AUTHMODE: if (s != NULL) (void)tls_authmode_parse(s, &c->tls.authmode); break;
	case SET_TLS_MINVERSION: c->tls.minversion = s; break;
	case SET_TLS_TLSLIB: c->relp.tlslib = s; break;
	case SET_CLI_DEADLETTER: c->deadletter = s; break;
	default: return -1;
	}
	return 0;
}

int settings_store_list(transport_conf_t *c, setting_id_t id, const char *const *v, size_t n)
{
	switch (id) {
	case SET_TARGET:
		c->targets = v;
		c->n_targets = n;
		c->target = n > 0 ? v[0] : NULL;
		break;
	case SET_CONF_PARAM: c->kafka.conf_params = v; c->kafka.n_conf_params = n; break;
	case SET_TOPIC_CONF_PARAM:
		c->kafka.topic_conf_params = v;
		c->kafka.n_topic_conf_params = n;
		break;
	case SET_KAFKA_HEADER: c->kafka.headers = v; c->kafka.n_headers = n; break;
	case SET_TLS_PERMITTEDPEER:
		c->tls.permittedpeers = v;
		c->tls.n_permittedpeers = n;
		break;
	default: return -1;
	}
	return 0;
}
