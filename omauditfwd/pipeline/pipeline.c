/* pipeline.c -- parse, attribute, format: one line to one message (see
 * pipeline.h). Owns the per-thread record and the host-name fallback. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline.h"
#include "reduce.h"
#include "clock_ms.h"
#include "transport.h"

#define PIPELINE_HOST_MAX 256
#define PIPELINE_CLOCK_MAX_S (INT64_MAX / 4000)   /* audit seconds a clock takes */
#define PIPELINE_NONE     ((size_t)-1)

/* Where a message of the batch came from, so that pipeline_reduce can
 * write it again: an event the joiner completed in this batch, or a line
 * (a record with joining off, an unparsed line) copied into p->lines. */
typedef struct msg_source {
	size_t event;              /* the joiner's completed event, or NONE: a line */
	size_t rec;                /* per-record formats: its record, else NONE */
	size_t line_off, line_len; /* a line: in p->lines */
	size_t hint_off, hint_len; /* ... and its host hint */
	int summary;               /* a line: a filter summary (filter.h), not
	                            * input: never untrusted */
	size_t anc_off, nanc;      /* the event's ancestors, copied into p->lines
	                            * as emitted (the table has moved on since) */
	size_t from;               /* its size unreduced */
	size_t len;                /* its size as emitted */
} msg_source_t;
#define PIPELINE_TIME_FROM_RECEIVED "received"

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
	reducer_t reducer;         /* conf.max_message */
	msg_source_t *srcs;        /* one per message of the batch */
	size_t nsrcs, srccap;
	msg_source_t cur;          /* the source of the messages being emitted */
	buf_t lines;               /* the batch's lines that are sources */
	int oom;                   /* a source could not be kept */
	int64_t clock_ms;          /* the batch's wall clock (pipeline_batch_begin) */
	int clock_held;            /* rolled back: the batch again keeps it */
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

size_t pipeline_message_limit(long long given, const transport_ops_t *t,
                              const transport_conf_t *c)
{
	int framed = t != NULL && (t->caps & TRANSPORT_CAP_FRAMED);
	size_t max = 0;

	if (given >= 0)
		max = (size_t)given;
	else if (t != NULL && t->default_max_message != NULL)
		max = t->default_max_message(c);
	else if (t != NULL)
		max = REDUCE_DEFAULT_MAX;
	return reduce_message_limit(max, framed && c->framing == FRAMING_OCTET_COUNTED,
	                            framed && c->framing == FRAMING_LF);
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
	c->trusted = 1;
	c->max_message = 0;
	c->clock_hold_ms = PIPELINE_CLOCK_HOLD_MS;
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
	reducer_init(&p->reducer);
	buf_init(&p->lines);
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
	reducer_free(&p->reducer);
	buf_free(&p->lines);
	free(p->srcs);
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

/* the message just added to OUT goes where p->route says, with HOST the
 * host its header names (transport_route_t; none without a header) */
static int add_route(pipeline_t *p, msgbatch_t *out, audit_view_t host)
{
	char h[SYSLOG_HOSTNAME_MAX + 1];
	transport_route_t r;

	if (!p->conf.routes)
		return 0;
	transport_route_read(p->route, p->route_len, &r);
	r.host = h;
	r.host_len = p->conf.header.style == SYSLOG_HDR_NONE
	             ? 0 : syslog_header_host(host.p, host.len, h);
	msgbatch_begin(&p->routes);
	transport_route_write(&p->routes.data, &r);
	if (msgbatch_end(&p->routes) != 0) {
		out->n--;               /* the two stay in step */
		out->data.len = out->msgs[out->n].off;
		return -1;
	}
	return 0;
}

/* The sender: the syslog hostname the caller knows, else the record's
 * syslog wrapper's, else this host */
static audit_view_t sender_host(const pipeline_t *p, const audit_record_t *r,
                                const char *hint, size_t hint_len)
{
	audit_view_t h;

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

/* The host a line is attributed to: its node, else the sender */
static audit_view_t pick_host(const pipeline_t *p, const audit_record_t *r,
                              const char *hint, size_t hint_len)
{
	if (r->node.len)
		return r->node;
	return sender_host(p, r, hint, hint_len);
}

/* The syslog header's HOSTNAME for an event attributed to HOST: HOST,
 * unless it is a node= that no host name could be (ev|il<13>1]x): then
 * the sender's, and the node stays in the body only */
static audit_view_t header_host(const pipeline_t *p, const audit_record_t *r,
                                audit_view_t host, const char *hint, size_t hint_len)
{
	if (host.p == NULL) {   /* enrich.hostname="off": this host */
		host.p = p->local_host;
		host.len = strlen(p->local_host);
		return host;
	}
	if (r->node.len && host.p == r->node.p && !syslog_hostname_ok(host.p, host.len))
		return sender_host(p, r, hint, hint_len);
	return host;
}

typedef struct event_writer {
	const pipeline_t *p;
	const format_event_t *ev;
	audit_view_t hdr;          /* the syslog header's HOSTNAME */
} event_writer_t;

/* reduce_write_fn: the event's message reduced as R says */
static void write_reduced_event(buf_t *out, format_reduce_t *r,
                                const audit_record_t *const *recs, size_t n, void *ud)
{
	const event_writer_t *w = ud;
	format_event_t ev = *w->ev;
	int64_t sec;
	unsigned msec;

	ev.recs = recs;
	ev.nrecs = n;
	ev.reduce = r;
	if (r->essential == 2)   /* the bare message: no ancestry either (JSON
	                          * writes it uncut), so it fits REDUCE_MIN_LIMIT */
		ev.nancestry = 0;
	format_event_time(&ev, &sec, &msec);
	syslog_header_write(out, &w->p->conf.header, sec, msec, w->hdr.p, w->hdr.len);
	w->p->conf.format->event(out, &ev);
	if (w->p->conf.format->reduced != NULL)
		w->p->conf.format->reduced(out, &w->p->conf.fmt, r);
}

/* Append to OUT the message of EV (header naming HDR + body), reduced to LIMIT when
 * it is larger (0: no limit). *FROM receives its unreduced size, *LEN the
 * size appended; returns 0, or -1 when memory ran out. */
static int write_event(pipeline_t *p, buf_t *out, const format_event_t *ev,
                       audit_view_t hdr, size_t limit, size_t *from, size_t *len)
{
	size_t at = out->len;
	event_writer_t w = { p, ev, hdr };
	format_reduce_t r;
	int64_t sec;
	unsigned msec;

	format_event_time(ev, &sec, &msec);
	syslog_header_write(out, &p->conf.header, sec, msec, hdr.p, hdr.len);
	p->conf.format->event(out, ev);
	*len = *from = out->len - at;
	if (out->oom)
		return -1;
	if (limit == 0 || *from <= limit)
		return 0;
	out->len = at;
	*len = reduce_fit(&p->reducer, out, limit, *from, ev->recs, ev->nrecs,
	                  write_reduced_event, &w, &r);
	return *len != 0 ? 0 : -1;
}

/* the message just emitted: its source, and the reduction counts */
static int note_message(pipeline_t *p, size_t from, size_t len)
{
	if (p->nsrcs == p->srccap) {
		size_t cap = p->srccap ? p->srccap * 2 : 64;
		msg_source_t *n = realloc(p->srcs, cap * sizeof(*n));

		if (n == NULL)
			return -1;
		p->srcs = n;
		p->srccap = cap;
	}
	p->cur.from = from;
	p->cur.len = len;
	p->srcs[p->nsrcs++] = p->cur;
	p->batch.messages_out++;
	if (len < from) {
		p->batch.messages_reduced++;
		p->batch.bytes_cut += from - len;
	}
	return 0;
}

/* Append one message: header + the body of N records (one event, or one
 * record of it when the format sends each record on its own). */
static int emit_message(pipeline_t *p, format_event_t *ev, audit_view_t hdr_host,
                        const audit_record_t *const *recs, size_t n, msgbatch_t *out)
{
	size_t from, len;

	ev->recs = recs;
	ev->nrecs = n;
	ev->reduce = NULL;
	format_event_find_arch(ev);
	msgbatch_begin(out);
	if (write_event(p, &out->data, ev, hdr_host, p->conf.max_message, &from, &len) != 0 ||
	    msgbatch_end(out) != 0 || add_route(p, out, hdr_host) != 0)
		return -1;
	return note_message(p, from, len);
}

/* An audit time far in the future (up to year 292277026596) would make a
 * header no receiver parses and hold nothing real: the receiving clock
 * stands in for it, and the event says so (time_from) */
static void event_time_check(const pipeline_t *p, format_event_t *ev,
                             const audit_record_t *first)
{
	ev->time_from = NULL;
	ev->time_sec = p->clock_ms / CLOCK_MS_PER_S;
	ev->time_msec = 0;
	if (!audit_time_plausible(first->sec, ev->time_sec))
		ev->time_from = PIPELINE_TIME_FROM_RECEIVED;
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

/* the ancestors just found (p->anc) are the current source's, kept for
 * pipeline_reduce: learning from the events after this one may change
 * what the table would answer */
static int keep_ancestry(pipeline_t *p, size_t n)
{
	p->cur.anc_off = p->lines.len;
	p->cur.nanc = n;
	if (n)
		buf_append(&p->lines, p->anc, n * sizeof(p->anc[0]));
	return p->lines.oom ? -1 : 0;
}

static int emit_formatted(pipeline_t *p, const audit_record_t *const *recs, size_t n,
                          const char *incomplete, const char *hint, size_t hint_len,
                          msgbatch_t *out)
{
	format_event_t ev;
	audit_view_t hdr;
	size_t i;

	if (p->conf.attribute_host) {
		ev.host = pick_host(p, recs[0], hint, hint_len);
	} else {   /* enrich.hostname="off": no host member */
		ev.host.p = NULL;
		ev.host.len = 0;
	}
	ev.incomplete = incomplete;
	event_time_check(p, &ev, recs[0]);
	ev.attack = attack_tags(p, recs, n);
	ev.ancestry = p->anc;
	ev.nancestry = p->conf.ancestry != NULL ? ancestors(p, recs, n, hint, hint_len) : 0;
	if (keep_ancestry(p, ev.nancestry) != 0)
		return -1;
	ev.enrich = p->conf.enrich;
	ev.scratch = &p->scratch;
	ev.conf = &p->conf.fmt;
	ev.work = NULL;
	hdr = header_host(p, recs[0], ev.host, hint, hint_len);
	if (!p->conf.format->per_record) {
		p->cur.rec = PIPELINE_NONE;
		return emit_message(p, &ev, hdr, recs, n, out);
	}
	for (i = 0; i < n; i++) {
		p->cur.rec = i;
		if (emit_message(p, &ev, hdr, recs + i, 1, out) != 0)
			return -1;
	}
	return 0;
}

/* the line LINE (LEN bytes) and its host hint are the source of the
 * messages about to be emitted: kept until the batch ends */
static void line_source(pipeline_t *p, const char *line, size_t len, const char *hint,
                        size_t hint_len)
{
	p->cur.event = PIPELINE_NONE;
	p->cur.rec = PIPELINE_NONE;
	p->cur.summary = 0;
	p->cur.nanc = 0;
	p->cur.line_off = p->lines.len;
	p->cur.line_len = len;
	buf_append(&p->lines, line, len);
	p->cur.hint_off = p->lines.len;
	p->cur.hint_len = hint != NULL ? hint_len : 0;
	if (hint != NULL)
		buf_append(&p->lines, hint, hint_len);
	if (p->lines.oom)
		p->oom = 1;
}

/* The filter's summaries not sent yet, as events of their own (see
 * filter_summary_line). */
static int emit_summaries(pipeline_t *p, msgbatch_t *out)
{
	filter_t *f = p->conf.filter;
	msg_source_t cur = p->cur;   /* the event being decided on's */

	for (; p->sums_sent < filter_summaries(f); p->sums_sent++) {
		const filter_summary_t *s = filter_summary(f, p->sums_sent);
		const audit_record_t *one[1] = { &p->sumrec };
		size_t hlen = strlen(s->host);

		buf_reset(&p->sumline);
		filter_summary_line(s, &p->sumline);
		if (p->sumline.oom)
			return -1;
		/* its source: the line, as one unparsed would be */
		line_source(p, p->sumline.p, p->sumline.len, s->host, hlen);
		p->cur.summary = 1;
		if (p->oom ||
		    audit_record_parse(&p->sumrec, p->sumline.p, p->sumline.len) != AUDIT_PARSE_OK ||
		    emit_formatted(p, one, 1, NULL, s->host, hlen, out) != 0)
			return -1;
	}
	p->cur = cur;
	return 0;
}

static int64_t filter_clock(const pipeline_t *p, const audit_record_t *r)
{
	if (p->conf.filter_audit_clock)   /* a forged time cannot overflow */
		return r->sec < 0 ? 0 : r->sec > PIPELINE_CLOCK_MAX_S ? PIPELINE_CLOCK_MAX_S * CLOCK_MS_PER_S :
		       r->sec * CLOCK_MS_PER_S + r->msec;
	return p->clock_ms;
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

typedef struct unparsed_writer {
	const pipeline_t *p;
	const audit_record_t *r;
	audit_parse_rc_t rc;
	audit_view_t host;
} unparsed_writer_t;

/* reduce_write_fn: the unparsed line's message reduced as R says (R NULL:
 * as it is) */
static void write_unparsed_msg(buf_t *out, format_reduce_t *r,
                               const audit_record_t *const *recs, size_t n, void *ud)
{
	const unparsed_writer_t *w = ud;

	(void)recs;
	(void)n;
	syslog_header_write(out, &w->p->conf.header, w->p->clock_ms / CLOCK_MS_PER_S, 0,
	                    w->host.p, w->host.len);
	format_unparsed_reduced(w->p->conf.format, &w->p->conf.fmt, out, w->r->msg.p,
	                        w->r->msg.len, w->rc, w->host, r);
}

/* the host of the unparsed line in p->rec: an untrusted line's node= is a
 * claim, it is named by its sender */
static audit_view_t unparsed_host(const pipeline_t *p, audit_parse_rc_t rc,
                                  const char *hint, size_t hint_len)
{
	return rc == AUDIT_PARSE_UNTRUSTED ? sender_host(p, &p->rec, hint, hint_len)
	                                   : pick_host(p, &p->rec, hint, hint_len);
}

/* as write_event, for the unparsed line in p->rec, named HOST */
static int write_unparsed(pipeline_t *p, buf_t *out, audit_parse_rc_t rc,
                          audit_view_t host, size_t limit, size_t *from, size_t *len)
{
	unparsed_writer_t w = { p, &p->rec, rc, host };
	size_t at = out->len;
	format_reduce_t r;

	write_unparsed_msg(out, NULL, NULL, 0, &w);
	*len = *from = out->len - at;
	if (out->oom)
		return -1;
	if (limit == 0 || *from <= limit)
		return 0;
	out->len = at;
	*len = reduce_fit(&p->reducer, out, limit, *from, NULL, 0, write_unparsed_msg, &w, &r);
	return *len != 0 ? 0 : -1;
}

/* after a failed parse only line, hostname and msg are valid: the message
 * goes out as it came, attributed to its sender. An untrusted line is
 * always forwarded: dropping it would let a forger stay unseen. */
static int emit_unparsed(pipeline_t *p, audit_parse_rc_t rc, const char *hint,
                         size_t hint_len, msgbatch_t *out)
{
	audit_view_t host;
	size_t from, len;

	if (rc == AUDIT_PARSE_UNTRUSTED) {
		p->batch.untrusted++;
	} else {
		p->batch.unparsed++;
		if (p->conf.unparsed == UNPARSED_DROP) {
			p->batch.unparsed_dropped++;
			return 0;
		}
	}
	host = unparsed_host(p, rc, hint, hint_len);
	msgbatch_begin(out);
	if (write_unparsed(p, &out->data, rc, host, p->conf.max_message, &from, &len) != 0 ||
	    msgbatch_end(out) != 0 || add_route(p, out, host) != 0)
		return -1;
	return note_message(p, from, len);
}

void pipeline_batch_begin(pipeline_t *p)
{
	int64_t now = wall_now_ms();

	if (!p->clock_held || now - p->clock_ms > p->conf.clock_hold_ms)
		p->clock_ms = now;
	memset(&p->batch, 0, sizeof(p->batch));
	msgbatch_reset(&p->routes);
	p->nsrcs = 0;
	buf_reset(&p->lines);
	p->oom = 0;
	if (p->conf.joiner != NULL) {
		audit_joiner_begin(p->conf.joiner);
		audit_joiner_set_clock(p->conf.joiner, p->clock_ms / CLOCK_MS_PER_S);
	}
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
	/* the only parse of the line: the joiner keeps a frozen copy of it
	 * with its line, which formats the event */
	rc = audit_record_parse(r, line, len);
	if (rc == AUDIT_PARSE_NOMEM)
		return -1;
	if (!p->conf.trusted)
		rc = AUDIT_PARSE_UNTRUSTED;
	if (rc != AUDIT_PARSE_OK) {
		line_source(p, line, len, host_hint, host_hint_len);
		return p->oom ? -1 : emit_unparsed(p, rc, host_hint, host_hint_len, out);
	}
	p->batch.records_parsed++;
	if (p->conf.joiner != NULL)
		return audit_joiner_add(p->conf.joiner, r, line, len, route, p->route_len);
	line_source(p, line, len, host_hint, host_hint_len);
	return p->oom ? -1 : emit_event(p, one, 1, NULL, host_hint, host_hint_len, out);
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

/* The records of completed event EV into p->evptrs: as the joiner kept
 * them, or parsed again from a line kept without its parse */
static int parse_event(pipeline_t *p, const audit_event_t *ev, size_t *n)
{
	size_t i;

	*n = audit_event_nlines(ev);
	if (reserve_event(p, *n) != 0)
		return -1;
	for (i = 0; i < *n; i++) {
		const audit_line_t *l = audit_event_line(ev, i);

		if (l->rec != NULL) {
			p->evptrs[i] = l->rec;
			continue;
		}
		/* the same bytes parsed when they came in */
		if (audit_record_parse_opt(&p->evrecs[i], l->p, l->len, AUDIT_PARSE_CHECKED) !=
		    AUDIT_PARSE_OK)
			return -1;   /* it parsed when it was added */
		p->evptrs[i] = &p->evrecs[i];
	}
	return 0;
}

static const char *incomplete_of(const audit_event_t *ev)
{
	audit_event_end_t end = audit_event_end(ev);

	return end > AUDIT_EVENT_END_STANDALONE ? audit_event_end_str(end) : NULL;
}

int pipeline_batch_end(pipeline_t *p, msgbatch_t *out)
{
	audit_joiner_t *j = p->conf.joiner;
	size_t e, n;

	for (e = 0; j != NULL && e < audit_joiner_ncompleted(j); e++) {
		const audit_event_t *ev = audit_joiner_completed(j, e);

		/* an event goes where its first record's message would have */
		p->route = audit_event_line(ev, 0)->route;
		p->route_len = audit_event_line(ev, 0)->route_len;
		if (parse_event(p, ev, &n) != 0)
			return -1;
		p->cur.event = e;
		p->cur.rec = PIPELINE_NONE;
		p->cur.summary = 0;
		p->cur.nanc = 0;
		p->cur.line_len = p->cur.hint_len = 0;
		if (emit_event(p, p->evptrs, n, incomplete_of(ev), NULL, 0, out) != 0)
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

/* The message of source S again into OUT, within LIMIT (0: none); as
 * write_event */
static int rewrite(pipeline_t *p, const msg_source_t *s, size_t limit, buf_t *out,
                   size_t *from, size_t *len)
{
	const char *hint = s->hint_len ? p->lines.p + s->hint_off : NULL;
	const audit_record_t *one[1] = { &p->rec };
	const audit_record_t *const *recs = one;
	const char *incomplete = NULL;
	audit_parse_rc_t rc;
	format_event_t ev;
	size_t n = 1;

	if (s->event == PIPELINE_NONE) {
		/* an empty line kept nothing: no pointer to offset */
		rc = audit_record_parse(&p->rec, s->line_len ? p->lines.p + s->line_off : "",
		                        s->line_len);
		if (rc == AUDIT_PARSE_NOMEM)
			return -1;
		if (!p->conf.trusted && !s->summary)
			rc = AUDIT_PARSE_UNTRUSTED;
		if (rc != AUDIT_PARSE_OK)
			return write_unparsed(p, out, rc, unparsed_host(p, rc, hint, s->hint_len),
			                      limit, from, len);
	} else {
		const audit_event_t *e;

		if (p->conf.joiner == NULL || s->event >= audit_joiner_ncompleted(p->conf.joiner))
			return -1;
		e = audit_joiner_completed(p->conf.joiner, s->event);
		if (parse_event(p, e, &n) != 0)
			return -1;
		recs = p->evptrs;
		incomplete = incomplete_of(e);
	}
	memset(&ev, 0, sizeof(ev));
	/* what emit_formatted gave the whole event: its tags, and the
	 * ancestors as they were found then */
	ev.attack = attack_tags(p, recs, n);
	if (s->nanc) {
		if (s->nanc > ANCESTRY_DEPTH_MAX ||
		    s->anc_off + s->nanc * sizeof(p->anc[0]) > p->lines.len)
			return -1;
		memcpy(p->anc, p->lines.p + s->anc_off, s->nanc * sizeof(p->anc[0]));
		ev.ancestry = p->anc;
		ev.nancestry = s->nanc;
	}
	if (s->rec != PIPELINE_NONE) {
		if (s->rec >= n)
			return -1;
		recs += s->rec;
		n = 1;
	}
	if (p->conf.attribute_host)
		ev.host = pick_host(p, recs[0], hint, s->hint_len);
	ev.incomplete = incomplete;
	ev.enrich = p->conf.enrich;
	ev.scratch = &p->scratch;
	ev.conf = &p->conf.fmt;
	ev.recs = recs;
	ev.nrecs = n;
	event_time_check(p, &ev, recs[0]);
	format_event_find_arch(&ev);
	return write_event(p, out, &ev, header_host(p, recs[0], ev.host, hint, s->hint_len),
	                   limit, from, len);
}

int pipeline_reduce(pipeline_t *p, size_t idx, size_t limit, buf_t *out)
{
	msg_source_t *s;
	size_t at = out->len, from, len;

	if (idx >= p->nsrcs || limit == 0)
		return -1;
	s = &p->srcs[idx];
	if (rewrite(p, s, limit, out, &from, &len) != 0 || out->oom || len > limit) {
		out->len = at;
		return -1;
	}
	if (len < s->len) {   /* the batch's counts follow what is sent now */
		if (s->len == s->from)
			p->batch.messages_reduced++;
		p->batch.bytes_cut += s->len - len;
		s->len = len;
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
	PIPELINE_STAT_ADD(p->stats, untrusted, p->batch.untrusted);
	PIPELINE_STAT_ADD(p->stats, messages_out, p->batch.messages_out);
	PIPELINE_STAT_ADD(p->stats, messages_reduced, p->batch.messages_reduced);
	PIPELINE_STAT_ADD(p->stats, bytes_cut, p->batch.bytes_cut);
	memset(&p->batch, 0, sizeof(p->batch));
	p->clock_held = 0;
	if (p->conf.filter != NULL)
		filter_commit(p->conf.filter);
	if (p->conf.joiner != NULL)
		audit_joiner_commit(p->conf.joiner);
}

void pipeline_batch_rollback(pipeline_t *p)
{
	memset(&p->batch, 0, sizeof(p->batch));
	p->clock_held = 1;
	if (p->conf.filter != NULL)
		filter_rollback(p->conf.filter);
	if (p->conf.joiner != NULL)
		audit_joiner_rollback(p->conf.joiner);
}
