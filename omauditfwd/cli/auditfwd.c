/* auditfwd.c -- the command-line front end of the core: files or stdin
 * through the same pipeline the rsyslog module runs, to stdout (one message
 * per line) or to a transport. For previews, debugging and benchmarks.
 * Its options are the settings table's (cli_options.c): the module's
 * parameter names (--syslog.header, older spelling --syslog-header), so a
 * preview shows exactly what an action would send.
 */
#include "auditfwd_config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli_options.h"
#include "clock_ms.h"
#include "pipeline.h"
#include "reduce.h"
#include "transport.h"

#define CLI_BATCH_MESSAGES 1024       /* messages per write/send */
#define CLI_SEND_ATTEMPTS  5          /* tries per batch before giving up */
#define CLI_RETRY_SLEEP_S  1
#define CLI_TICK_MS        500        /* input that stays open: quiet this long,
                                       * what is ready and idle goes out */
#define CLI_READ_CHUNK     65536

typedef struct cli {
	pipeline_t *pipe;
	audit_joiner_t *joiner;
	enrich_t *enrich;
	filter_t *filter;
	msgbatch_t batch;
	const transport_ops_t *tops;
	transport_t *tr;
	int failed;
	transport_stream_stats_t sstats;   /* TRANSPORT_CAP_STREAM_STATS */
	void *tstats;                      /* the transport's counters (owned;
	                                    * read after it is destroyed) */
	int sending;                       /* to a transport, not stdout */
	int routes;                        /* each message with its route (pipeline_routes) */
	attack_map_t *amap;
	ancestry_t *anc;
	uint64_t bytes_sent;
	uint64_t batches_failed;           /* send attempts that failed */
} cli_t;

/* transport_conf_t.reduce: the pipeline writes message IDX again */
static int reduce_message(void *ctx, size_t idx, size_t limit, buf_t *out)
{
	return pipeline_reduce(ctx, idx, limit, out);
}

/* the batch to the transport, with its routes when it takes them */
static transport_rc_t send_batch(cli_t *c, size_t *delivered, char *errstr, size_t errlen)
{
	if (c->routes)
		return c->tops->send_routed(c->tr, &c->batch, pipeline_routes(c->pipe),
		                            delivered, errstr, errlen);
	return c->tops->send(c->tr, &c->batch, delivered, errstr, errlen);
}

static int flush_batch(cli_t *c)
{
	char errstr[512];
	size_t i, len, delivered;
	int attempt;

	if (c->batch.n == 0)
		return 0;
	if (c->tr == NULL) {
		for (i = 0; i < c->batch.n; i++) {
			const char *m = msgbatch_msg(&c->batch, i, &len);
			fwrite(m, 1, len, stdout);
			putc('\n', stdout);
		}
		c->bytes_sent += c->batch.data.len;
		msgbatch_reset(&c->batch);
		if (ferror(stdout)) {
			fprintf(stderr, "auditfwd: writing to stdout: %s\n", strerror(errno));
			return -1;
		}
		return 0;
	}
	for (attempt = 1; attempt <= CLI_SEND_ATTEMPTS; attempt++) {
		if (send_batch(c, &delivered, errstr, sizeof(errstr)) == TRANSPORT_OK) {
			c->bytes_sent += c->batch.data.len;
			msgbatch_reset(&c->batch);
			return 0;
		}
		c->batches_failed++;
		fprintf(stderr, "auditfwd: attempt %d/%d: %s\n", attempt, CLI_SEND_ATTEMPTS,
		        errstr);
		if (attempt < CLI_SEND_ATTEMPTS)
			sleep(CLI_RETRY_SLEEP_S);
	}
	return -1;
}

/* End the open transaction: format what completed, deliver, commit. */
static int end_batch(cli_t *c)
{
	if (pipeline_batch_end(c->pipe, &c->batch) != 0 || flush_batch(c) != 0) {
		pipeline_batch_rollback(c->pipe);
		return -1;
	}
	pipeline_batch_commit(c->pipe);
	return 0;
}

/* One line (LEN bytes, its LF included when it has one) into the open
 * batch, which is delivered every CLI_BATCH_MESSAGES lines: 0 or -1. */
static int take_line(cli_t *c, const char *line, size_t len, size_t *lines)
{
	if (pipeline_process(c->pipe, line, len, NULL, 0, &c->batch) != 0) {
		fprintf(stderr, "auditfwd: out of memory\n");
		pipeline_batch_rollback(c->pipe);
		return -1;
	}
	if (++*lines % CLI_BATCH_MESSAGES == 0) {
		if (end_batch(c) != 0)
			return -1;
		pipeline_batch_begin(c->pipe);
	}
	return 0;
}

/* Input that may stay open (a pipe from tail -f, a terminal, a socket):
 * read it as it comes, and every CLI_TICK_MS deliver what is complete and
 * the events that got no record for the join timeout (as the module's join
 * timer does, flagged "incomplete":"timeout"), however busy the input is.
 * The messages are the same as from a file; only when they go out differs. */
static int run_live(cli_t *c, int fd, const char *name)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *buf = NULL, *nb, *lf;
	size_t cap = 0, len = 0, off, lines = 0;
	int64_t now, tick_at = mono_now_ms() + CLI_TICK_MS;
	ssize_t n;
	int r;

	pipeline_batch_begin(c->pipe);
	for (;;) {
		now = mono_now_ms();
		r = now < tick_at ? poll(&pfd, 1, (int)(tick_at - now)) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto read_error;
		if (r == 0) {   /* a tick: out with what is ready */
			tick_at = mono_now_ms() + CLI_TICK_MS;
			if (c->joiner != NULL &&
			    audit_joiner_expire_idle(c->joiner, mono_now_ms()) < 0) {
				fprintf(stderr, "auditfwd: out of memory\n");
				pipeline_batch_rollback(c->pipe);
				free(buf);
				return -1;
			}
			if (end_batch(c) != 0 || fflush(stdout) != 0) {
				free(buf);
				return -1;
			}
			pipeline_batch_begin(c->pipe);
			continue;
		}
		if (cap - len < CLI_READ_CHUNK) {
			if ((nb = realloc(buf, cap + CLI_READ_CHUNK)) == NULL) {
				fprintf(stderr, "auditfwd: out of memory\n");
				pipeline_batch_rollback(c->pipe);
				free(buf);
				return -1;
			}
			buf = nb;
			cap += CLI_READ_CHUNK;
		}
		if ((n = read(fd, buf + len, cap - len)) < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto read_error;
		if (n == 0)
			break;
		len += (size_t)n;
		for (off = 0; (lf = memchr(buf + off, '\n', len - off)) != NULL;
		     off = (size_t)(lf + 1 - buf))
			if (take_line(c, buf + off, (size_t)(lf + 1 - (buf + off)), &lines) != 0) {
				free(buf);
				return -1;
			}
		memmove(buf, buf + off, len - off);
		len -= off;
	}
	/* the end: a last line without its LF, as getline gives it */
	if (len > 0 && take_line(c, buf, len, &lines) != 0) {
		free(buf);
		return -1;
	}
	free(buf);
	return end_batch(c);
read_error:
	fprintf(stderr, "auditfwd: reading %s: %s\n", name, strerror(errno));
	free(buf);
	(void)end_batch(c);
	return -1;
}

static int run_stream(cli_t *c, FILE *in, const char *name)
{
	char *line = NULL;
	size_t cap = 0, lines = 0;
	struct stat st;
	ssize_t n;
	int rc = 0;

	if (fstat(fileno(in), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return run_live(c, fileno(in), name);
	pipeline_batch_begin(c->pipe);
	while ((n = getline(&line, &cap, in)) >= 0) {
		if (take_line(c, line, (size_t)n, &lines) != 0) {
			free(line);
			return -1;
		}
	}
	if (ferror(in)) {
		fprintf(stderr, "auditfwd: reading %s: %s\n", name, strerror(errno));
		rc = -1;
	}
	if (end_batch(c) != 0)
		rc = -1;
	free(line);
	return rc;
}

static void put_counter(const char *name, unsigned long long v)
{
	fprintf(stderr, " %s=%llu", name, v);
}

/* --stats: the pipeline's counts on one line (as they always were), then
 * every other counter the module gives impstats, by the same names. */
static void print_stats(const cli_t *c)
{
	pipeline_stats_t *st = pipeline_stats(c->pipe);
	size_t i;

	fprintf(stderr, "records=%llu parsed=%llu unparsed=%llu dropped=%llu messages=%llu"
	        " untrusted=%llu",
	        (unsigned long long)st->lines_in, (unsigned long long)st->records_parsed,
	        (unsigned long long)st->unparsed, (unsigned long long)st->unparsed_dropped,
	        (unsigned long long)st->messages_out, (unsigned long long)st->untrusted);
	if (st->messages_reduced != 0)
		fprintf(stderr, " reduced=%llu cut=%llu", (unsigned long long)st->messages_reduced,
		        (unsigned long long)st->bytes_cut);
	fputc('\n', stderr);
	fprintf(stderr, "bytes.sent=%llu", (unsigned long long)c->bytes_sent);
	put_counter("batches.failed", c->batches_failed);
	if (c->joiner != NULL) {
		audit_joiner_stats_t js;

		audit_joiner_stats(c->joiner, &js);
		put_counter("events.complete", js.events_complete);
		put_counter("events.incomplete", js.events_incomplete);
		put_counter("events.evicted", js.events_evicted);
		put_counter("events.capped", js.events_capped);
		put_counter("events.pending", js.pending);
		put_counter("origins.held", js.origins);
	}
	if (c->enrich != NULL) {
		const enrich_stats_t *es = enrich_stats(c->enrich);

		put_counter("idcache.hits", es->id_cache_hits);
		put_counter("idcache.misses", es->id_cache_misses);
	}
	if (c->sending && (c->tops->caps & TRANSPORT_CAP_STREAM_STATS)) {
		put_counter("connects", c->sstats.connects);
		put_counter("connects.failed", c->sstats.connect_failures);
		put_counter("handshakes.failed", c->sstats.handshake_failures);
		put_counter("failovers", c->sstats.failovers);
		put_counter("resends", c->sstats.resends);
		put_counter("resent.bytes", c->sstats.resent_bytes);
	}
	for (i = 0; c->sending && c->tstats != NULL && i < c->tops->n_counters; i++)
		put_counter(c->tops->counters[i].name, *(const unsigned long long *)
		            ((const char *)c->tstats + c->tops->counters[i].offset));
	fputc('\n', stderr);
}

/* At the end of the input, what is still held is complete as it is. */
static int flush_held(cli_t *c)
{
	pipeline_batch_begin(c->pipe);
	pipeline_flush(c->pipe);
	return end_batch(c);
}

/* --filter rules or a --filter-file (not both), checked as the module
 * checks them at load */
static int setup_filter(cli_t *c, pipeline_conf_t *pconf, const char *const *rules,
                        size_t n, const char *file)
{
	filter_rules_t *rs;
	char err[512];

	if (n == 0 && file == NULL)
		return 0;
	if (n > 0 && file != NULL) {
		fprintf(stderr, "auditfwd: --filter and --filter-file: one or the other\n");
		return -1;
	}
	rs = file != NULL ? filter_rules_load(file, err, sizeof(err)) :
	     filter_rules_parse(rules, n, err, sizeof(err));
	if (rs == NULL) {
		fprintf(stderr, "auditfwd: %s: %s\n", file != NULL ? "--filter-file" : "--filter",
		        err);
		return -1;
	}
	if ((c->filter = pconf->filter = filter_new(rs)) == NULL) {
		filter_rules_free(rs);
		fprintf(stderr, "auditfwd: out of memory\n");
		return -1;
	}
	return 0;
}

static void print_filter_stats(cli_t *c)
{
	filter_rules_t *rs;
	size_t i;

	if (c->filter == NULL)
		return;
	rs = filter_rules(c->filter);
	for (i = 0; i < filter_rules_count(rs); i++) {
		const filter_counters_t *k = filter_rule_counters(rs, i);

		fprintf(stderr, "filter %s: kept=%llu dropped=%llu suppressed=%llu\n",
		        filter_rule_name(rs, i), (unsigned long long)k->kept,
		        (unsigned long long)k->dropped, (unsigned long long)k->suppressed);
	}
}

/* the kafka transport tells what it did with a refused message */
static void print_notice(void *ctx, const char *text)
{
	(void)ctx;
	fprintf(stderr, "auditfwd: %s\n", text);
}

/* the stages the options ask for: 0, or the exit status */
static int setup_stages(cli_t *c, cli_opts_t *o)
{
	char errstr[512];
	cli_list_t *rules = &o->list[SET_FILTER];

	if (setup_filter(c, &o->pconf, rules->v, rules->n, o->filter_file) != 0)
		return 2;
	if (o->ancestry && (c->anc = o->pconf.ancestry = ancestry_new(&o->aconf)) == NULL)
		goto oom;
	if (o->attack_mapping != NULL) {
		if ((c->amap = attack_map_load(o->attack_mapping, errstr, sizeof(errstr))) == NULL) {
			fprintf(stderr, "auditfwd: --%s: %s\n", o->spelled[SET_ATTACK_MAPPING], errstr);
			return 2;
		}
		o->pconf.attack_map = c->amap;
	}
	if (o->join && (c->joiner = o->pconf.joiner = audit_joiner_new(&o->jconf)) == NULL)
		goto oom;
	o->econf.local_host = o->pconf.local_host;
	if (o->enrich && (c->enrich = o->pconf.enrich = enrich_new(&o->econf)) == NULL)
		goto oom;
	if ((c->pipe = pipeline_new(&o->pconf, NULL)) == NULL)
		goto oom;
	return 0;
oom:
	fprintf(stderr, "auditfwd: out of memory\n");
	return 1;
}

/* the transport, when sending: 0, or the exit status */
static int setup_transport(cli_t *c, cli_opts_t *o)
{
	char errstr[512];

	c->tops = o->tops;
	if (o->tops->stats_size > 0 && (c->tstats = calloc(1, o->tops->stats_size)) == NULL) {
		fprintf(stderr, "auditfwd: out of memory\n");
		return 1;
	}
	o->tconf.stats = c->tstats;
	if (o->tops->caps & TRANSPORT_CAP_STREAM_STATS)
		o->tconf.stream_stats = &c->sstats;
	if ((o->tops->caps & TRANSPORT_CAP_REFUSES) && o->tconf.deadletter != NULL)
		o->tconf.notice = print_notice;
	/* a message the transport refuses for its size is written again smaller */
	o->tconf.reduce = reduce_message;
	o->tconf.reduce_ctx = c->pipe;
	if (c->tops->create(&c->tr, &o->tconf, errstr, sizeof(errstr)) != TRANSPORT_OK) {
		fprintf(stderr, "auditfwd: %s\n", errstr);
		return 2;
	}
	return 0;
}

/* every FILE of ARGV from FIRST (none: standard input), then what is held */
static int run_inputs(cli_t *c, int argc, char **argv, int first)
{
	int i, rc = 0;

	if (first == argc)
		rc = run_stream(c, stdin, "standard input");
	for (i = first; i < argc && rc == 0; i++) {
		FILE *f = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");

		if (f == NULL) {
			fprintf(stderr, "auditfwd: %s: %s\n", argv[i], strerror(errno));
			return -1;
		}
		rc = run_stream(c, f, argv[i]);
		if (f != stdin)
			fclose(f);
	}
	if (rc == 0)
		rc = flush_held(c);
	if (fflush(stdout) != 0)
		rc = -1;
	return rc;
}

static void print_ancestry_stats(const ancestry_t *anc)
{
	const ancestry_stats_t *as = ancestry_stats(anc);

	fprintf(stderr, "ancestry: hits=%llu misses=%llu proc=%llu evictions=%llu size=%llu\n",
	        (unsigned long long)as->hits, (unsigned long long)as->misses,
	        (unsigned long long)as->proc_reads, (unsigned long long)as->evictions,
	        (unsigned long long)as->size);
}

static void cli_free(cli_t *c)
{
	if (c->tr != NULL)
		c->tops->destroy(c->tr);
	pipeline_free(c->pipe);
	audit_joiner_free(c->joiner);
	enrich_free(c->enrich);
	filter_free(c->filter);
	attack_map_free(c->amap);
	ancestry_free(c->anc);
	msgbatch_free(&c->batch);
	free(c->tstats);
}

int main(int argc, char **argv)
{
	cli_opts_t *o = calloc(1, sizeof(*o));
	cli_t c;
	int rc, sending;

	memset(&c, 0, sizeof(c));
	msgbatch_init(&c.batch);
	if (o == NULL || (rc = cli_parse_args(argc, argv, o)) != 0) {
		rc = o == NULL ? 1 : rc == 1 ? 0 : rc;
		goto out;
	}
	if ((sending = cli_sending(o)) && o->spelled[SET_SYSLOG_HEADER] == NULL)
		o->pconf.header.style = SYSLOG_HDR_RFC5424;
	o->pconf.max_message = pipeline_message_limit(o->max_msg, sending ? o->tops : NULL,
	                                              &o->tconf);
	/* a routed transport gets each message's route, for its host */
	c.routes = o->pconf.routes = sending && (o->tops->caps & TRANSPORT_CAP_ROUTES);
	if ((rc = setup_stages(&c, o)) != 0 || (sending && (rc = setup_transport(&c, o)) != 0))
		goto out;
	rc = run_inputs(&c, argc, argv, o->first_file) == 0 ? 0 : 1;
	/* closed first: what it counts at its close (kafka.undelivered.shutdown)
	 * is printed too */
	c.sending = sending;
	if (c.tr != NULL)
		c.tops->destroy(c.tr);
	c.tr = NULL;
	if (o->stats) {
		print_stats(&c);
		print_filter_stats(&c);
		if (c.anc != NULL)
			print_ancestry_stats(c.anc);
	}
out:
	cli_free(&c);
	if (o != NULL)
		cli_opts_free(o);
	free(o);
	return rc;
}
