/* auditfwd.c -- the command-line front end of the core: files or stdin
 * through the same pipeline the rsyslog module runs, to stdout (one message
 * per line) or to a transport. For previews, debugging and benchmarks.
 * Long options carry the module's parameter names (syslog.header ->
 * --syslog-header), so a preview shows exactly what an action would send.
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

#include "clock_ms.h"
#include "pipeline.h"
#include "reduce.h"
#include "size_parse.h"
#include "transport.h"

#define CLI_BATCH_MESSAGES 1024       /* messages per write/send */
#define CLI_SEND_ATTEMPTS  5          /* tries per batch before giving up */
#define CLI_RETRY_SLEEP_S  1
#define CLI_MAX_CONF_PARAMS 64        /* --conf-param / --topic-conf-param */
#define CLI_MAX_FILTERS     FILTER_RULES_MAX  /* --filter */
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
	transport_stream_stats_t sstats;   /* tcp, tls */
	uint64_t bytes_sent;
	uint64_t batches_failed;           /* send attempts that failed */
} cli_t;

static void usage(FILE *f)
{
	fprintf(f,
"usage: auditfwd [OPTIONS] [FILE...]\n"
"Parse audit records (audit.log lines, syslog-wrapped, kernel, ENRICHED) from\n"
"FILEs or standard input and write one formatted message per line to stdout,\n"
"or send them to a collector with --target.\n"
"\n"
"  --format NAME          output format: %s (default json)\n"
"  --unparsed POLICY      forward | drop lines that are not audit records\n"
"                         (default forward: flagged, never silently lost)\n"
"  --syslog-header STYLE  none | rfc5424 | rfc3164 (default: none on stdout,\n"
"                         rfc5424 with --target)\n"
"  --syslog-appname NAME  syslog APP-NAME (default %s)\n"
"  --syslog-facility F    facility: name (user, local0, ...) or 0-23 (default %d)\n"
"  --syslog-severity S    severity: name (info, notice, ...) or 0-7 (default %d)\n"
"  --leef-version V       leef: 2.0 (default) or 1.0\n"
"  --leef-delimiter D     leef 2.0: attribute delimiter, a character or xHH\n"
"                         (default x09, TAB)\n"
"  --host NAME            this host's name (default: gethostname)\n"
"  --join on|off          join the records of an event into one message\n"
"                         (default on)\n"
"  --join-timeout MS      an event without its EOE is complete when its origin\n"
"                         is this much newer, in audit time, or (input that\n"
"                         stays open) when it got no record for this long\n"
"                         (default %d)\n"
"  --join-maxpending N    incomplete events held at most (default %d)\n"
"  --join-maxrecords N    records in one event at most; past it the event goes\n"
"                         out in parts flagged capped (default %d)\n"
"  --join-maxbytes N      bytes of records in one event at most, >= 65536\n"
"                         (default %u)\n"
"  --enrich on|off        decode values and add interpretations under the\n"
"                         UPPERCASE names (default on)\n"
"  --enrich-hostname on|off  on: an event's host is its node, else the\n"
"                         syslog host, else this host's FQDN (default);\n"
"                         off: no host member\n"
"  --trusted on|off       off: every line failed the trust check: forwarded\n"
"                         flagged (unparsed, reason untrusted), never parsed\n"
"  --enrich-ids POLICY    auto | always | never: uid/gid names from this\n"
"                         host's passwd (auto: only for its own records)\n"
"  --filter RULE          an event filter rule (repeatable, in order; see\n"
"                         README \"Filters\"), e.g. 'drop key=cron'\n"
"  --filter-file PATH     the filter rules in a file, one a line\n"
"  --filter-clock audit|wall  limit windows in the events' audit time\n"
"                         (default: a preview of a log shows what the live\n"
"                         rate gives) or this host's clock (as the module)\n"
"  --ancestry on|off      each event's process ancestors (default off)\n"
"  --ancestry-depth N     ancestors per event, 1-16 (default %d)\n"
"  --ancestry-maxprocs N  processes kept (default %d)\n"
"  --ancestry-proc on|off read /proc for this host's processes the input has\n"
"                         not shown (default off: a file is another time)\n"
"  --attack on|off        ATT&CK technique tags from rule keys (default on)\n"
"  --attack-mapping PATH  techniques, tactics and severities for rule keys\n"
"  --target HOST          send to HOST instead of writing to stdout\n"
"  --broker LIST          kafka: bootstrap brokers (host:port,...)\n"
"  --topic NAME           kafka: topic (sends to Kafka instead of stdout)\n"
"  --key host|TEXT        kafka: message key\n"
"  --compression CODEC    kafka: none | gzip | snappy | lz4 | zstd\n"
"  --conf-param K=V       kafka: librdkafka setting (repeatable)\n"
"  --topic-conf-param K=V kafka: librdkafka topic setting (repeatable)\n"
"  --close-timeout MS     kafka: wait for messages in flight at the end\n"
"  --deadletter FILE      kafka: append messages Kafka refuses for good (too\n"
"                         large, invalid) to FILE and go on (default: none,\n"
"                         such a message fails the run)\n"
"  --port N               port (default: the transport's)\n"
"  --transport NAME       %s (default tcp)\n"
"  --framing MODE         octet-counted | lf (default octet-counted)\n"
"  --timeout-connect MS   connect timeout (default %d)\n"
"  --timeout-io MS        write/acknowledge timeout (default %d)\n"
"  --resend-window SIZE   tcp, tls: delivered bytes resent after a lost\n"
"                         connection, e.g. 256k, 1m; 0: none (default 256k)\n"
"  --max-message-size N   largest message, syslog header and framing included\n"
"                         (8096, 64k, 1m; 0: no limit); a larger event is\n"
"                         reduced to fit (default: %d with --target, the\n"
"                         Kafka default with --topic, none on stdout)\n"
"  --stats                print counters to stderr at the end (with\n"
"                         filters: per rule, kept, dropped, suppressed)\n"
"  --version, --help\n",
	        format_names(), SYSLOG_DEFAULT_APPNAME, SYSLOG_DEFAULT_FACILITY,
	        SYSLOG_DEFAULT_SEVERITY, AUDIT_JOIN_DEFAULT_TIMEOUT_MS,
	        AUDIT_JOIN_DEFAULT_MAX_PENDING, AUDIT_JOIN_DEFAULT_MAX_RECORDS,
	        (unsigned)AUDIT_JOIN_DEFAULT_MAX_BYTES, ANCESTRY_DEFAULT_DEPTH,
	        ANCESTRY_DEFAULT_CAP, transport_names(),
	        TRANSPORT_DEFAULT_CONNECT_TIMEOUT_MS, TRANSPORT_DEFAULT_IO_TIMEOUT_MS,
	        REDUCE_DEFAULT_MAX);
}

/* transport_conf_t.reduce: the pipeline writes message IDX again */
static int reduce_message(void *ctx, size_t idx, size_t limit, buf_t *out)
{
	return pipeline_reduce(ctx, idx, limit, out);
}

static int die_usage(const char *opt, const char *val, const char *expected)
{
	fprintf(stderr, "auditfwd: --%s: invalid value '%s', expected %s\n", opt, val,
	        expected);
	return 2;
}

static int positive_int(const char *s, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno || v < 1 || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* a size as rsyslog writes it (size_parse), at most MAX */
static int size_arg(const char *s, size_t max, size_t *out)
{
	size_t v;

	if (size_parse(s, &v) != 0 || v > max)
		return -1;
	*out = v;
	return 0;
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
		if (c->tops->send(c->tr, &c->batch, &delivered, errstr, sizeof(errstr)) ==
		    TRANSPORT_OK) {
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
	if (c->tr != NULL && c->tops != &transport_kafka) {
		put_counter("connects", c->sstats.connects);
		put_counter("connects.failed", c->sstats.connect_failures);
		put_counter("handshakes.failed", c->sstats.handshake_failures);
		put_counter("failovers", c->sstats.failovers);
		put_counter("resends", c->sstats.resends);
		put_counter("resent.bytes", c->sstats.resent_bytes);
	}
	if (c->tr != NULL && c->tops == &transport_kafka) {
		const transport_kafka_stats_t *k = transport_kafka_stats(c->tr);

		put_counter("kafka.produced", k->produced);
		put_counter("kafka.delivered", k->delivered);
		put_counter("kafka.failed", k->failed);
		put_counter("kafka.skipped", k->skipped);
		put_counter("kafka.awaited", k->awaited);
		put_counter("kafka.recreated", k->recreated);
		put_counter("kafka.doubt", k->doubt);
		put_counter("kafka.doubt.found", k->doubt_found);
		put_counter("kafka.doubt.absent", k->doubt_absent);
		put_counter("kafka.doubt.unresolved", k->doubt_unresolved);
		put_counter("kafka.errors.permanent", k->permanent);
		put_counter("kafka.reduced", k->reduced);
		put_counter("kafka.isolated", k->isolated);
		put_counter("kafka.deadletter", k->deadletter);
		put_counter("kafka.deadletter.failed", k->deadletter_failed);
		put_counter("kafka.queue.msgs", k->queue_msgs);
		put_counter("kafka.tx.errors", k->tx_errors);
		put_counter("kafka.tx.retries", k->tx_retries);
		put_counter("kafka.req.timeouts", k->req_timeouts);
	}
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

int main(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_UNPARSED, O_HEADER, O_APPNAME, O_HOST, O_TARGET,
	       O_PORT, O_TRANSPORT, O_FRAMING, O_TCONNECT, O_TIO, O_STATS, O_VERSION,
	       O_JOIN, O_JTIMEOUT, O_JMAX, O_ENRICH, O_EIDS, O_EHOST, O_BROKER, O_TOPIC, O_KEY,
	       O_COMPRESSION, O_CONFPARAM, O_TOPICCONFPARAM, O_CLOSETIMEOUT, O_FACILITY,
	       O_SEVERITY, O_LEEFVERSION, O_LEEFDELIM, O_DEADLETTER, O_RESEND, O_TRUSTED, O_MAXMSG,
	       O_JMAXRECORDS, O_JMAXBYTES, O_FILTER, O_FILTERFILE, O_FILTERCLOCK, O_ATTACK,
	       O_ATTACKMAP, O_ANC, O_ANCDEPTH, O_ANCMAX, O_ANCPROC };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "unparsed", required_argument, NULL, O_UNPARSED },
		{ "syslog-header", required_argument, NULL, O_HEADER },
		{ "syslog-appname", required_argument, NULL, O_APPNAME },
		{ "syslog-facility", required_argument, NULL, O_FACILITY },
		{ "syslog-severity", required_argument, NULL, O_SEVERITY },
		{ "leef-version", required_argument, NULL, O_LEEFVERSION },
		{ "leef-delimiter", required_argument, NULL, O_LEEFDELIM },
		{ "host", required_argument, NULL, O_HOST },
		{ "join", required_argument, NULL, O_JOIN },
		{ "join-timeout", required_argument, NULL, O_JTIMEOUT },
		{ "join-maxpending", required_argument, NULL, O_JMAX },
		{ "join-maxrecords", required_argument, NULL, O_JMAXRECORDS },
		{ "join-maxbytes", required_argument, NULL, O_JMAXBYTES },
		{ "enrich", required_argument, NULL, O_ENRICH },
		{ "enrich-ids", required_argument, NULL, O_EIDS },
		{ "enrich-hostname", required_argument, NULL, O_EHOST },
		{ "trusted", required_argument, NULL, O_TRUSTED },
		{ "broker", required_argument, NULL, O_BROKER },
		{ "topic", required_argument, NULL, O_TOPIC },
		{ "key", required_argument, NULL, O_KEY },
		{ "compression", required_argument, NULL, O_COMPRESSION },
		{ "conf-param", required_argument, NULL, O_CONFPARAM },
		{ "topic-conf-param", required_argument, NULL, O_TOPICCONFPARAM },
		{ "close-timeout", required_argument, NULL, O_CLOSETIMEOUT },
		{ "deadletter", required_argument, NULL, O_DEADLETTER },
		{ "target", required_argument, NULL, O_TARGET },
		{ "port", required_argument, NULL, O_PORT },
		{ "transport", required_argument, NULL, O_TRANSPORT },
		{ "framing", required_argument, NULL, O_FRAMING },
		{ "timeout-connect", required_argument, NULL, O_TCONNECT },
		{ "timeout-io", required_argument, NULL, O_TIO },
		{ "ancestry", required_argument, NULL, O_ANC },
		{ "ancestry-depth", required_argument, NULL, O_ANCDEPTH },
		{ "ancestry-maxprocs", required_argument, NULL, O_ANCMAX },
		{ "ancestry-proc", required_argument, NULL, O_ANCPROC },
		{ "attack", required_argument, NULL, O_ATTACK },
		{ "attack-mapping", required_argument, NULL, O_ATTACKMAP },
		{ "filter", required_argument, NULL, O_FILTER },
		{ "filter-file", required_argument, NULL, O_FILTERFILE },
		{ "filter-clock", required_argument, NULL, O_FILTERCLOCK },
		{ "resend-window", required_argument, NULL, O_RESEND },
		{ "max-message-size", required_argument, NULL, O_MAXMSG },
		{ "stats", no_argument, NULL, O_STATS },
		{ "version", no_argument, NULL, O_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	pipeline_conf_t pconf;
	transport_conf_t tconf;
	audit_joiner_conf_t jconf;
	enrich_conf_t econf;
	cli_t c;
	int opt, stats = 0, header_set = 0, rc = 0, i, join = 1, enrich = 1, v, leef_set = 0;
	size_t max_msg = 0;
	int max_msg_set = 0;
	const char *conf_params[CLI_MAX_CONF_PARAMS], *topic_params[CLI_MAX_CONF_PARAMS];
	static const char *filters[CLI_MAX_FILTERS];
	const char *filter_file = NULL, *attack_mapping = NULL;
	attack_map_t *amap = NULL;
	ancestry_conf_t aconf;
	ancestry_t *anc = NULL;
	int ancestry = 0;
	size_t nfilters = 0;
	char errstr[512];

	memset(&c, 0, sizeof(c));
	pipeline_conf_default(&pconf);
	pconf.header.style = SYSLOG_HDR_NONE;
	pconf.filter_audit_clock = 1;
	transport_conf_default(&tconf);
	audit_joiner_conf_default(&jconf);
	enrich_conf_default(&econf);
	ancestry_conf_default(&aconf);
	aconf.use_proc = 0;
	c.tops = &transport_tcp;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case O_FORMAT:
			if ((pconf.format = format_find(optarg)) == NULL)
				return die_usage("format", optarg, format_names());
			break;
		case O_UNPARSED:
			if (unparsed_policy_parse(optarg, &pconf.unparsed) != 0)
				return die_usage("unparsed", optarg, "forward or drop");
			break;
		case O_HEADER:
			if (syslog_style_parse(optarg, &pconf.header.style) != 0)
				return die_usage("syslog-header", optarg, "none, rfc5424 or rfc3164");
			header_set = 1;
			break;
		case O_APPNAME:
			if (syslog_app_name_check(optarg) != 0)
				return die_usage("syslog-appname", optarg, "printable text without spaces");
			pconf.header.app_name = optarg;
			break;
		case O_FACILITY:
			if (syslog_facility_parse(optarg, &pconf.header.facility) != 0)
				return die_usage("syslog-facility", optarg, "a facility name or 0-23");
			break;
		case O_SEVERITY:
			if (syslog_severity_parse(optarg, &pconf.header.severity) != 0)
				return die_usage("syslog-severity", optarg, "a severity name or 0-7");
			break;
		case O_LEEFVERSION:
			if (format_leef_version_parse(optarg, &pconf.fmt.leef_version) != 0)
				return die_usage("leef-version", optarg, "2.0 or 1.0");
			leef_set = 1;
			break;
		case O_LEEFDELIM:
			if (format_leef_delim_parse(optarg, &pconf.fmt.leef_delim) != 0)
				return die_usage("leef-delimiter", optarg, "a printable character "
				                 "that is not a letter, digit, '_', '.', '=', '\\' or "
				                 "space, or xHH");
			leef_set = 1;
			break;
		case O_HOST:
			pconf.local_host = optarg;
			break;
		case O_JOIN:
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
				return die_usage("join", optarg, "on or off");
			join = strcmp(optarg, "on") == 0;
			break;
		case O_ENRICH:
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
				return die_usage("enrich", optarg, "on or off");
			enrich = strcmp(optarg, "on") == 0;
			break;
		case O_BROKER:
			tconf.kafka_brokers = optarg;
			c.tops = &transport_kafka;
			break;
		case O_TOPIC:
			tconf.kafka_topic = optarg;
			c.tops = &transport_kafka;
			break;
		case O_KEY:
			tconf.kafka_key = optarg;
			break;
		case O_COMPRESSION:
			tconf.kafka_compression = optarg;
			break;
		case O_CONFPARAM:
			if (tconf.kafka_n_conf_params == CLI_MAX_CONF_PARAMS)
				return die_usage("conf-param", optarg, "fewer settings");
			conf_params[tconf.kafka_n_conf_params++] = optarg;
			tconf.kafka_conf_params = conf_params;
			break;
		case O_TOPICCONFPARAM:
			if (tconf.kafka_n_topic_conf_params == CLI_MAX_CONF_PARAMS)
				return die_usage("topic-conf-param", optarg, "fewer settings");
			topic_params[tconf.kafka_n_topic_conf_params++] = optarg;
			tconf.kafka_topic_conf_params = topic_params;
			break;
		case O_DEADLETTER:
			tconf.kafka_deadletter = optarg;
			tconf.kafka_notice = print_notice;
			break;
		case O_CLOSETIMEOUT:
			if (positive_int(optarg, 3600000, &tconf.kafka_close_timeout_ms) != 0)
				return die_usage("close-timeout", optarg, "milliseconds > 0");
			break;
		case O_TRUSTED:
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
				return die_usage("trusted", optarg, "on or off");
			pconf.trusted = strcmp(optarg, "on") == 0;
			break;
		case O_EHOST:
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
				return die_usage("enrich-hostname", optarg, "on or off");
			pconf.attribute_host = strcmp(optarg, "on") == 0;
			break;
		case O_EIDS:
			if (enrich_ids_parse(optarg, &econf.ids) != 0)
				return die_usage("enrich-ids", optarg, "auto, always or never");
			break;
		case O_JTIMEOUT:
			if (positive_int(optarg, 3600000, &v) != 0)
				return die_usage("join-timeout", optarg, "milliseconds > 0");
			jconf.timeout_ms = (unsigned)v;
			break;
		case O_JMAX:
			if (positive_int(optarg, 10000000, &v) != 0)
				return die_usage("join-maxpending", optarg, "a number > 0");
			jconf.max_pending = (size_t)v;
			break;
		case O_JMAXRECORDS:
			if (positive_int(optarg, INT_MAX, &v) != 0)
				return die_usage("join-maxrecords", optarg, "a number > 0");
			jconf.max_records = (size_t)v;
			break;
		case O_JMAXBYTES:
			if (positive_int(optarg, INT_MAX, &v) != 0 || v < (int)AUDIT_JOIN_MIN_MAX_BYTES)
				return die_usage("join-maxbytes", optarg, "bytes, at least 65536");
			jconf.max_bytes = (size_t)v;
			break;
		case O_TARGET:
			tconf.target = optarg;
			break;
		case O_PORT:
			if (positive_int(optarg, 65535, &tconf.port) != 0)
				return die_usage("port", optarg, "1..65535");
			break;
		case O_TRANSPORT:
			if ((c.tops = transport_find(optarg)) == NULL)
				return die_usage("transport", optarg, transport_names());
			break;
		case O_FRAMING:
			if (framing_parse(optarg, &tconf.framing) != 0)
				return die_usage("framing", optarg, "octet-counted or lf");
			break;
		case O_TCONNECT:
			if (positive_int(optarg, 3600000, &tconf.connect_timeout_ms) != 0)
				return die_usage("timeout-connect", optarg, "milliseconds > 0");
			break;
		case O_TIO:
			if (positive_int(optarg, 3600000, &tconf.io_timeout_ms) != 0)
				return die_usage("timeout-io", optarg, "milliseconds > 0");
			break;
		case O_ANC:
		case O_ANCPROC:
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
				return die_usage(opt == O_ANC ? "ancestry" : "ancestry-proc", optarg,
				                 "on or off");
			if (opt == O_ANC)
				ancestry = strcmp(optarg, "on") == 0;
			else
				aconf.use_proc = strcmp(optarg, "on") == 0;
			break;
		case O_ANCDEPTH:
			if (positive_int(optarg, ANCESTRY_DEPTH_MAX, &v) != 0)
				return die_usage("ancestry-depth", optarg, "1-16");
			aconf.depth = (unsigned)v;
			break;
		case O_ANCMAX:
			if (positive_int(optarg, ANCESTRY_CAP_MAX, &v) != 0)
				return die_usage("ancestry-maxprocs", optarg, "1-4194304");
			aconf.cap = (size_t)v;
			break;
		case O_ATTACK:
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
				return die_usage("attack", optarg, "on or off");
			pconf.attack = strcmp(optarg, "on") == 0;
			break;
		case O_ATTACKMAP:
			attack_mapping = optarg;
			break;
		case O_FILTER:
			if (nfilters == CLI_MAX_FILTERS)
				return die_usage("filter", optarg, "fewer rules");
			filters[nfilters++] = optarg;
			break;
		case O_FILTERFILE:
			filter_file = optarg;
			break;
		case O_FILTERCLOCK:
			if (strcmp(optarg, "audit") != 0 && strcmp(optarg, "wall") != 0)
				return die_usage("filter-clock", optarg, "audit or wall");
			pconf.filter_audit_clock = strcmp(optarg, "audit") == 0;
			break;
		case O_RESEND:
			if (size_arg(optarg, TRANSPORT_RESEND_WINDOW_MAX, &tconf.resend_window) != 0)
				return die_usage("resend-window", optarg, "a size from 0 to 64m "
				                 "(k, m: x 1024)");
			break;
		case O_MAXMSG:
			if (size_parse(optarg, &max_msg) != 0 ||
			    (max_msg != 0 && max_msg < REDUCE_MIN_LIMIT)) {
				char want[80];

				snprintf(want, sizeof(want), "0 (no limit) or a size of at least %d bytes",
				         REDUCE_MIN_LIMIT);
				return die_usage("max-message-size", optarg, want);
			}
			max_msg_set = 1;
			break;
		case O_STATS:
			stats = 1;
			break;
		case O_VERSION:
			printf("auditfwd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (leef_set && pconf.format != &format_leef) {
		fprintf(stderr, "auditfwd: --leef-version and --leef-delimiter need --format leef\n");
		return 2;
	}
	if (pconf.fmt.leef_version == 1 && pconf.fmt.leef_delim != '\t') {
		fprintf(stderr, "auditfwd: --leef-delimiter: LEEF 1.0 separates attributes "
		        "with TAB only\n");
		return 2;
	}
	if (tconf.target != NULL || c.tops == &transport_kafka) {
		if (!header_set)
			pconf.header.style = SYSLOG_HDR_RFC5424;
		tconf.stream_stats = &c.sstats;
	}
	if (setup_filter(&c, &pconf, filters, nfilters, filter_file) != 0)
		return 2;
	if (ancestry) {
		if ((anc = pconf.ancestry = ancestry_new(&aconf)) == NULL) {
			fprintf(stderr, "auditfwd: out of memory\n");
			return 1;
		}
	}
	if (attack_mapping != NULL) {
		if (!pconf.attack) {
			fprintf(stderr, "auditfwd: --attack-mapping needs --attack on\n");
			return 2;
		}
		if ((amap = attack_map_load(attack_mapping, errstr, sizeof(errstr))) == NULL) {
			fprintf(stderr, "auditfwd: --attack-mapping: %s\n", errstr);
			return 2;
		}
		pconf.attack_map = amap;
	}
	if (!max_msg_set && c.tops == &transport_kafka)
		max_msg = reduce_kafka_default(tconf.kafka_conf_params, tconf.kafka_n_conf_params,
		                               tconf.kafka_headers, tconf.kafka_n_headers);
	else if (!max_msg_set && tconf.target != NULL)
		max_msg = REDUCE_DEFAULT_MAX;
	pconf.max_message = reduce_message_limit(
		max_msg, (tconf.target != NULL && c.tops != &transport_kafka) &&
		         tconf.framing == FRAMING_OCTET_COUNTED,
		(tconf.target != NULL && c.tops != &transport_kafka) && tconf.framing == FRAMING_LF);
	msgbatch_init(&c.batch);
	if (join && (c.joiner = pconf.joiner = audit_joiner_new(&jconf)) == NULL) {
		fprintf(stderr, "auditfwd: out of memory\n");
		return 1;
	}
	econf.local_host = pconf.local_host;
	if (enrich && (c.enrich = pconf.enrich = enrich_new(&econf)) == NULL) {
		fprintf(stderr, "auditfwd: out of memory\n");
		return 1;
	}
	if ((c.pipe = pipeline_new(&pconf, NULL)) == NULL) {
		fprintf(stderr, "auditfwd: out of memory\n");
		return 1;
	}
	if (tconf.target != NULL || c.tops == &transport_kafka) {
		/* a message Kafka refuses for its size is written again smaller */
		tconf.reduce = reduce_message;
		tconf.reduce_ctx = c.pipe;
		if (c.tops->create(&c.tr, &tconf, errstr, sizeof(errstr)) != TRANSPORT_OK) {
			fprintf(stderr, "auditfwd: %s\n", errstr);
			/* made before the transport (its reduce hook is the pipeline):
			 * freed, so that a refused configuration leaks nothing */
			pipeline_free(c.pipe);
			audit_joiner_free(c.joiner);
			enrich_free(c.enrich);
			filter_free(c.filter);
			attack_map_free(amap);
			ancestry_free(anc);
			msgbatch_free(&c.batch);
			return 2;
		}
	}
	if (optind == argc) {
		rc = run_stream(&c, stdin, "standard input");
	} else {
		for (i = optind; i < argc && rc == 0; i++) {
			FILE *f = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");
			if (f == NULL) {
				fprintf(stderr, "auditfwd: %s: %s\n", argv[i], strerror(errno));
				rc = -1;
				break;
			}
			rc = run_stream(&c, f, argv[i]);
			if (f != stdin)
				fclose(f);
		}
	}
	if (rc == 0)
		rc = flush_held(&c);
	if (fflush(stdout) != 0)
		rc = -1;
	if (stats) {
		print_stats(&c);
		print_filter_stats(&c);
	}
	if (c.tr != NULL)
		c.tops->destroy(c.tr);
	pipeline_free(c.pipe);
	audit_joiner_free(c.joiner);
	enrich_free(c.enrich);
	filter_free(c.filter);
	attack_map_free(amap);
	if (anc != NULL && stats) {
		const ancestry_stats_t *as = ancestry_stats(anc);
		fprintf(stderr, "ancestry: hits=%llu misses=%llu proc=%llu evictions=%llu size=%llu\n",
		        (unsigned long long)as->hits, (unsigned long long)as->misses,
		        (unsigned long long)as->proc_reads, (unsigned long long)as->evictions,
		        (unsigned long long)as->size);
	}
	ancestry_free(anc);
	msgbatch_free(&c.batch);
	return rc == 0 ? 0 : 1;
}
