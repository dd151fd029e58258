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
#define PIPELINE_CLOCK_MAX_S (INT64_MAX / 4000)   /* audit seconds a clock takes */

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
	audit_record_t sumrec;     /* a filter summary, parsed to be sent */
	buf_t sumline;
	size_t sums_sent;          /* this batch's filter summaries sent so far */
	int flush_filter;          /* flush: every window with suppressed events
	                            * ends in this batch */
	int64_t filter_now;        /* the filter's clock at the last event (ms) */
	attack_tags_t tags;        /* the event's ATT&CK tags */
	buf_t keybuf;              /* its rule keys, decoded */
	ancestry_proc_t anc[ANCESTRY_DEPTH_MAX]; /* the event's ancestors */
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
	c->filter = NULL;
	c->ancestry = NULL;
	c->attack = 1;
	c->attack_map = NULL;
	c->filter_audit_clock = 0;
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
	audit_record_init(&p->sumrec);
	buf_init(&p->sumline);
	buf_init(&p->keybuf);
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
	audit_record_free(&p->sumrec);
	buf_free(&p->sumline);
	buf_free(&p->keybuf);
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

/* the event's ATT&CK tags, NULL when it has none (attack.h) */
static const attack_tags_t *attack_tags(pipeline_t *p, const audit_record_t *const *recs,
                                        size_t n)
{
	audit_view_t keys[ATTACK_KEYS_MAX];
	size_t nk;

	if (!p->conf.attack)
		return NULL;
	nk = attack_event_keys(recs, n, &p->keybuf, keys, ATTACK_KEYS_MAX);
	return nk && attack_tag(p->conf.attack_map, keys, nk, &p->tags) ? &p->tags : NULL;
}

/* the event's process's ancestors into p->anc (its origin: node, else the
 * sender; /proc only when that is this host) */
static size_t ancestors(pipeline_t *p, const audit_record_t *const *recs, size_t n,
                        const char *hint, size_t hint_len)
{
	audit_view_t origin = recs[0]->node;
	size_t lh = strlen(p->local_host), sh = strcspn(p->local_host, ".");
	int local;

	if (!origin.len) {
		origin.p = hint != NULL && hint_len ? hint : recs[0]->hostname.p;
		origin.len = hint != NULL && hint_len ? hint_len : recs[0]->hostname.len;
	}
	local = origin.len == 0 ||
	        (origin.len == lh && memcmp(origin.p, p->local_host, lh) == 0) ||
	        (origin.len == sh && memcmp(origin.p, p->local_host, sh) == 0);
	return ancestry_event(p->conf.ancestry, recs, n, origin, local, &p->keybuf, p->anc,
	                      ANCESTRY_DEPTH_MAX);
}

static int emit_formatted(pipeline_t *p, const audit_record_t *const *recs, size_t n,
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
	ev.attack = attack_tags(p, recs, n);
	ev.ancestry = p->anc;
	ev.nancestry = p->conf.ancestry != NULL ? ancestors(p, recs, n, hint, hint_len) : 0;
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

/* The filter's summaries not sent yet, as events of their own (see
 * filter_summary_line). */
static int emit_summaries(pipeline_t *p, msgbatch_t *out)
{
	filter_t *f = p->conf.filter;

	for (; p->sums_sent < filter_summaries(f); p->sums_sent++) {
		const filter_summary_t *s = filter_summary(f, p->sums_sent);
		const audit_record_t *one[1] = { &p->sumrec };

		buf_reset(&p->sumline);
		filter_summary_line(s, &p->sumline);
		if (p->sumline.oom ||
		    audit_record_parse(&p->sumrec, p->sumline.p, p->sumline.len) != AUDIT_PARSE_OK ||
		    emit_formatted(p, one, 1, NULL, s->host, strlen(s->host), out) != 0)
			return -1;
	}
	return 0;
}

static int64_t filter_clock(const pipeline_t *p, const audit_record_t *r)
{
	struct timespec ts;

	if (p->conf.filter_audit_clock)   /* a forged time cannot overflow */
		return r->sec < 0 ? 0 : r->sec > PIPELINE_CLOCK_MAX_S ? PIPELINE_CLOCK_MAX_S * 1000 :
		       r->sec * 1000 + r->msec;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Filters decide on the whole event, before anything is interpreted or
 * formatted: 1 to send it, 0 when it is dropped or suppressed, -1 when
 * memory ran out. Summaries of windows it closed go out first. */
static int filter_event(pipeline_t *p, const audit_record_t *const *recs, size_t n,
                        const char *hint, size_t hint_len, msgbatch_t *out)
{
	audit_view_t host = pick_host(p, recs[0], hint, hint_len);
	filter_action_t a;
	int rule;

	p->filter_now = filter_clock(p, recs[0]);
	a = filter_decide(p->conf.filter, recs, n, host, p->filter_now, &rule);
	if (emit_summaries(p, out) != 0)
		return -1;
	return a == FILTER_KEEP;
}

static int emit_event(pipeline_t *p, const audit_record_t *const *recs, size_t n,
                      const char *incomplete, const char *hint, size_t hint_len,
                      msgbatch_t *out)
{
	int rc;

	if (p->conf.filter != NULL && (rc = filter_event(p, recs, n, hint, hint_len, out)) != 1)
		return rc;
	return emit_formatted(p, recs, n, incomplete, hint, hint_len, out);
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
	p->sums_sent = 0;
	p->flush_filter = 0;
	if (p->conf.filter != NULL)
		filter_begin(p->conf.filter);
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
	rc = audit_record_parse(r, line, len);
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
	p->flush_filter = 1;
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
			audit_parse_rc_t rc = audit_record_parse(&p->evrecs[i], l->p, l->len);

			if (rc != AUDIT_PARSE_OK)   /* it parsed when it was added */
				return -1;
			p->evptrs[i] = &p->evrecs[i];
		}
		if (emit_event(p, p->evptrs, n,
		               end > AUDIT_EVENT_END_STANDALONE ? audit_event_end_str(end) : NULL,
		               NULL, 0, out) != 0)
			return -1;
	}
	if (p->conf.filter != NULL) {    /* windows the clock has moved past */
		if (!p->conf.filter_audit_clock)
			p->filter_now = filter_clock(p, NULL);
		filter_expire(p->conf.filter, p->filter_now, p->flush_filter);
		return emit_summaries(p, out);
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
	if (p->conf.filter != NULL)
		filter_commit(p->conf.filter);
	if (p->conf.joiner != NULL)
		audit_joiner_commit(p->conf.joiner);
}

void pipeline_batch_rollback(pipeline_t *p)
{
	memset(&p->batch, 0, sizeof(p->batch));
	if (p->conf.filter != NULL)
		filter_rollback(p->conf.filter);
	if (p->conf.joiner != NULL)
		audit_joiner_rollback(p->conf.joiner);
}
