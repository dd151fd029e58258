/* pipeline.c -- parse, attribute, format: one line to one message (see
 * pipeline.h). Owns the per-thread record and the host-name fallback. */
#include <netdb.h>
#include <stdio.h>
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
	pipeline_stats_t batch;    /* this batch's counts, added on commit */
	audit_record_t rec;
	audit_record_t *evrecs;    /* an event's records, parsed again to format */
	const audit_record_t **evptrs;
	size_t evcap;
	buf_t scratch;             /* the formatter's work space */
	msgbatch_t routes;         /* conf.routes: one per message of the batch */
	const char *route;         /* the route of the line being processed */
	size_t route_len;
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
	format_conf_default(&c->fmt);
	c->unparsed = UNPARSED_FORWARD;
	syslog_hdr_conf_default(&c->header);
	c->local_host = NULL;
	c->joiner = NULL;
	c->enrich = NULL;
	c->attribute_host = 1;
	c->routes = 0;
}

/* This host's name: the FQDN when the resolver knows one (as rsyslog's
 * own local host name), else gethostname()'s, else "localhost". */
static void local_fqdn(char *out, size_t size)
{
	struct addrinfo hints, *ai = NULL;

	if (gethostname(out, size - 1) != 0) {
		snprintf(out, size, "localhost");
		return;
	}
	out[size - 1] = '\0';
	if (strchr(out, '.') != NULL)
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(out, NULL, &hints, &ai) == 0 && ai != NULL &&
	    ai->ai_canonname != NULL && strchr(ai->ai_canonname, '.') != NULL)
		snprintf(out, size, "%s", ai->ai_canonname);
	if (ai != NULL)
		freeaddrinfo(ai);
}

pipeline_t *pipeline_new(const pipeline_conf_t *conf, pipeline_stats_t *stats)
{
	pipeline_t *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->conf = *conf;
	p->stats = stats ? stats : &p->own_stats;
	audit_record_init(&p->rec);
	buf_init(&p->scratch);
	msgbatch_init(&p->routes);
	if (conf->local_host != NULL)
		strncpy(p->local_host, conf->local_host, sizeof(p->local_host) - 1);
	else
		local_fqdn(p->local_host, sizeof(p->local_host));
	p->conf.local_host = p->local_host;
	return p;
}

void pipeline_free(pipeline_t *p)
{
	size_t i;

	if (p == NULL)
		return;
	audit_record_free(&p->rec);
	for (i = 0; i < p->evcap; i++)
		audit_record_free(&p->evrecs[i]);
	free(p->evrecs);
	free(p->evptrs);
	buf_free(&p->scratch);
	msgbatch_free(&p->routes);
	free(p);
}

pipeline_stats_t *pipeline_stats(pipeline_t *p)
{
	return p->stats;
}

const msgbatch_t *pipeline_routes(const pipeline_t *p)
{
	return &p->routes;
}

/* the message just added to OUT goes where p->route says */
static int add_route(pipeline_t *p, msgbatch_t *out)
{
	if (!p->conf.routes)
		return 0;
	msgbatch_begin(&p->routes);
	buf_append(&p->routes.data, p->route, p->route_len);
	if (msgbatch_end(&p->routes) != 0) {
		out->n--;               /* the two stay in step */
		out->data.len = out->msgs[out->n].off;
		return -1;
	}
	return 0;
}

/* The host a line is attributed to: its node, else the syslog hostname
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

/* Append one message: header + the body of N records (one event, or one
 * record of it when the format sends each record on its own). */
static int emit_message(pipeline_t *p, format_event_t *ev,
                        const audit_record_t *const *recs, size_t n, msgbatch_t *out)
{
	ev->recs = recs;
	ev->nrecs = n;
	msgbatch_begin(out);
	/* an event without a host member (enrich.hostname="off"): the header
	 * names this host */
	if (ev->host.p != NULL)
		syslog_header_write(&out->data, &p->conf.header, recs[0]->sec, recs[0]->msec,
		                    ev->host.p, ev->host.len);
	else
		syslog_header_write(&out->data, &p->conf.header, recs[0]->sec, recs[0]->msec,
		                    p->local_host, strlen(p->local_host));
	p->conf.format->event(&out->data, ev);
	if (msgbatch_end(out) != 0 || add_route(p, out) != 0)
		return -1;
	p->batch.messages_out++;
	return 0;
}

static int emit_event(pipeline_t *p, const audit_record_t *const *recs, size_t n,
                      const char *incomplete, const char *hint, size_t hint_len,
                      msgbatch_t *out)
{
	format_event_t ev;
	size_t i;

	if (p->conf.attribute_host) {
		ev.host = pick_host(p, recs[0], hint, hint_len);
	} else {   /* enrich.hostname="off": no host member */
		ev.host.p = NULL;
		ev.host.len = 0;
	}
	ev.incomplete = incomplete;
	ev.enrich = p->conf.enrich;
	ev.scratch = &p->scratch;
	ev.conf = &p->conf.fmt;
	if (!p->conf.format->per_record)
		return emit_message(p, &ev, recs, n, out);
	for (i = 0; i < n; i++)
		if (emit_message(p, &ev, recs + i, 1, out) != 0)
			return -1;
	return 0;
}

/* after a failed parse only line, hostname and msg are valid: the message
 * goes out as it came, attributed to its sender */
static int emit_unparsed(pipeline_t *p, audit_parse_rc_t rc, const char *hint,
                         size_t hint_len, msgbatch_t *out)
{
	const audit_record_t *r = &p->rec;
	audit_view_t host = pick_host(p, r, hint, hint_len);

	p->batch.unparsed++;
	if (p->conf.unparsed == UNPARSED_DROP) {
		p->batch.unparsed_dropped++;
		return 0;
	}
	msgbatch_begin(out);
	syslog_header_write(&out->data, &p->conf.header, (int64_t)time(NULL), 0,
	                    host.p, host.len);
	format_unparsed(p->conf.format, &p->conf.fmt, &out->data, r->msg.p, r->msg.len,
	                rc, host);
	if (msgbatch_end(out) != 0 || add_route(p, out) != 0)
		return -1;
	p->batch.messages_out++;
	return 0;
}

void pipeline_batch_begin(pipeline_t *p)
{
	memset(&p->batch, 0, sizeof(p->batch));
	msgbatch_reset(&p->routes);
	if (p->conf.joiner != NULL)
		audit_joiner_begin(p->conf.joiner);
}

int pipeline_process(pipeline_t *p, const char *line, size_t len,
                     const char *host_hint, size_t host_hint_len,
                     msgbatch_t *out)
{
	return pipeline_process_routed(p, line, len, host_hint, host_hint_len, NULL, 0, out);
}

int pipeline_process_routed(pipeline_t *p, const char *line, size_t len,
                            const char *host_hint, size_t host_hint_len,
                            const char *route, size_t route_len, msgbatch_t *out)
{
	audit_record_t *r = &p->rec;
	const audit_record_t *one[1] = { r };
	audit_parse_rc_t rc;

	p->batch.lines_in++;
	p->route = route;
	p->route_len = route != NULL ? route_len : 0;
	/* a line's terminator is framing, not content */
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	/* with a joiner, this parse only decides where the line goes: the
	 * record is parsed again, indexed, when its event is formatted */
	rc = audit_record_parse_opt(r, line, len,
	                            p->conf.joiner != NULL ? AUDIT_PARSE_NO_INDEX : 0);
	if (rc == AUDIT_PARSE_NOMEM)
		return -1;
	if (rc != AUDIT_PARSE_OK)
		return emit_unparsed(p, rc, host_hint, host_hint_len, out);
	p->batch.records_parsed++;
	if (p->conf.joiner != NULL)
		return audit_joiner_add(p->conf.joiner, r, line, len, route, p->route_len);
	return emit_event(p, one, 1, NULL, host_hint, host_hint_len, out);
}

void pipeline_flush(pipeline_t *p)
{
	if (p->conf.joiner != NULL)
		audit_joiner_flush(p->conf.joiner);
}

/* room to parse an event of N records */
static int reserve_event(pipeline_t *p, size_t n)
{
	audit_record_t *nr;
	const audit_record_t **np;
	size_t i, cap = p->evcap ? p->evcap : 8;

	if (n <= p->evcap)
		return 0;
	while (cap < n)
		cap *= 2;
	if ((nr = realloc(p->evrecs, cap * sizeof(*nr))) == NULL)
		return -1;
	p->evrecs = nr;
	if ((np = realloc(p->evptrs, cap * sizeof(*np))) == NULL)
		return -1;
	p->evptrs = np;
	for (i = p->evcap; i < cap; i++)
		audit_record_init(&p->evrecs[i]);
	p->evcap = cap;
	return 0;
}

int pipeline_batch_end(pipeline_t *p, msgbatch_t *out)
{
	audit_joiner_t *j = p->conf.joiner;
	size_t e, i, n;

	for (e = 0; j != NULL && e < audit_joiner_ncompleted(j); e++) {
		const audit_event_t *ev = audit_joiner_completed(j, e);
		audit_event_end_t end = audit_event_end(ev);

		n = audit_event_nlines(ev);
		/* an event goes where its first record's message would have */
		p->route = audit_event_line(ev, 0)->tag;
		p->route_len = audit_event_line(ev, 0)->tag_len;
		if (reserve_event(p, n) != 0)
			return -1;
		for (i = 0; i < n; i++) {
			const audit_line_t *l = audit_event_line(ev, i);
			/* the same bytes parsed when they came in */
			audit_parse_rc_t rc = audit_record_parse_opt(&p->evrecs[i], l->p, l->len,
			                                             AUDIT_PARSE_CHECKED);

			if (rc != AUDIT_PARSE_OK)   /* it parsed when it was added */
				return -1;
			p->evptrs[i] = &p->evrecs[i];
		}
		if (emit_event(p, p->evptrs, n,
		               end > AUDIT_EVENT_END_STANDALONE ? audit_event_end_str(end) : NULL,
		               NULL, 0, out) != 0)
			return -1;
	}
	return 0;
}

/* A batch counts once, when it is delivered: a retried batch is not
 * counted again. */
void pipeline_batch_commit(pipeline_t *p)
{
	PIPELINE_STAT_ADD(p->stats, lines_in, p->batch.lines_in);
	PIPELINE_STAT_ADD(p->stats, records_parsed, p->batch.records_parsed);
	PIPELINE_STAT_ADD(p->stats, unparsed, p->batch.unparsed);
	PIPELINE_STAT_ADD(p->stats, unparsed_dropped, p->batch.unparsed_dropped);
	PIPELINE_STAT_ADD(p->stats, messages_out, p->batch.messages_out);
	memset(&p->batch, 0, sizeof(p->batch));
	if (p->conf.joiner != NULL)
		audit_joiner_commit(p->conf.joiner);
}

void pipeline_batch_rollback(pipeline_t *p)
{
	memset(&p->batch, 0, sizeof(p->batch));
	if (p->conf.joiner != NULL)
		audit_joiner_rollback(p->conf.joiner);
}
