/* pipeline.c -- parse, attribute, format: one line to one message (see
 * pipeline.h). Owns the per-thread record and the host-name fallback. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline.h"

#define PIPELINE_HOST_MAX 256

struct pipeline {
	pipeline_conf_t conf;
	pipeline_stats_t *stats;
	pipeline_stats_t own_stats;
	audit_record_t rec;
	char local_host[PIPELINE_HOST_MAX];
};

int unparsed_policy_parse(const char *s, unparsed_policy_t *out)
{
	if (strcmp(s, "forward") == 0)
		*out = UNPARSED_FORWARD;
	else if (strcmp(s, "drop") == 0)
		*out = UNPARSED_DROP;
	else
		return -1;
	return 0;
}

void pipeline_conf_default(pipeline_conf_t *c)
{
	c->format = &format_json;
	c->unparsed = UNPARSED_FORWARD;
	syslog_hdr_conf_default(&c->header);
	c->local_host = NULL;
}

pipeline_t *pipeline_new(const pipeline_conf_t *conf, pipeline_stats_t *stats)
{
	pipeline_t *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->conf = *conf;
	p->stats = stats ? stats : &p->own_stats;
	audit_record_init(&p->rec);
	if (conf->local_host != NULL) {
		strncpy(p->local_host, conf->local_host, sizeof(p->local_host) - 1);
	} else if (gethostname(p->local_host, sizeof(p->local_host) - 1) != 0) {
		strcpy(p->local_host, "localhost");
	}
	p->conf.local_host = p->local_host;
	return p;
}

void pipeline_free(pipeline_t *p)
{
	if (p == NULL)
		return;
	audit_record_free(&p->rec);
	free(p);
}

pipeline_stats_t *pipeline_stats(pipeline_t *p)
{
	return p->stats;
}

/* The host an event is attributed to: its node, else the syslog hostname
 * (the caller's, else one found in the line), else this host. */
static audit_view_t pick_host(const pipeline_t *p, const audit_record_t *r,
                              const char *hint, size_t hint_len)
{
	audit_view_t h;

	if (r->node.len)
		return r->node;
	if (hint != NULL && hint_len) {
		h.p = hint;
		h.len = hint_len;
		return h;
	}
	if (r->hostname.len)
		return r->hostname;
	h.p = p->local_host;
	h.len = strlen(p->local_host);
	return h;
}

int pipeline_process(pipeline_t *p, const char *line, size_t len,
                     const char *host_hint, size_t host_hint_len,
                     msgbatch_t *out)
{
	audit_record_t *r = &p->rec;
	audit_parse_rc_t rc;
	audit_view_t host;

	PIPELINE_STAT_ADD(p->stats, lines_in, 1);
	/* a line's terminator is framing, not content */
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	rc = audit_record_parse(r, line, len);
	if (rc == AUDIT_PARSE_NOMEM)
		return -1;
	host = pick_host(p, r, host_hint, host_hint_len);
	msgbatch_begin(out);
	if (rc == AUDIT_PARSE_OK) {
		const audit_record_t *recs[1] = { r };
		format_event_t ev;

		PIPELINE_STAT_ADD(p->stats, records_parsed, 1);
		ev.recs = recs;
		ev.nrecs = 1;
		ev.host = host;
		syslog_header_write(&out->data, &p->conf.header, r->sec, r->msec,
		                    host.p, host.len);
		p->conf.format->event(&out->data, &ev);
	} else {
		/* after a failed parse only line, hostname and msg are valid: the
		 * message goes out as it came, attributed to its sender */
		PIPELINE_STAT_ADD(p->stats, unparsed, 1);
		if (p->conf.unparsed == UNPARSED_DROP) {
			PIPELINE_STAT_ADD(p->stats, unparsed_dropped, 1);
			return 0;
		}
		syslog_header_write(&out->data, &p->conf.header, (int64_t)time(NULL), 0,
		                    host.p, host.len);
		p->conf.format->unparsed(&out->data, r->msg.p, r->msg.len, rc, host);
	}
	if (msgbatch_end(out) != 0)
		return -1;
	PIPELINE_STAT_ADD(p->stats, messages_out, 1);
	return 0;
}
