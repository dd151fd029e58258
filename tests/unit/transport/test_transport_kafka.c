/* test_transport_kafka.c -- the kafka transport against librdkafka's mock
 * cluster (in this process): configuration checked without I/O, exact
 * delivery, keys, compression, and above all outages and injected produce
 * errors: a failed batch retried as it was ends up in the topic exactly
 * once (the high watermarks add up to the number of messages sent, and
 * reading the topic back finds each message once). Messages Kafka refuses
 * for good (message.max.bytes set low, refusals injected into the mock)
 * are reduced through the hook or written to the dead-letter file, and the
 * batch around them commits. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "deadletter_reader.h"
#include "kafka_stats.h"
#include "transport.h"

/* the mock applies broker up/down asynchronously, in its own thread */
#define MOCK_SETTLE_US 300000


#define TOPIC       "audit"
#define ERRLEN      512
#define PRODUCE     0          /* Kafka ApiKey of ProduceRequest */

static void quiet_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk; (void)level; (void)fac; (void)buf;
}

static rd_kafka_conf_t *quiet_conf(void)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();

	rd_kafka_conf_set_log_cb(c, quiet_log);
	return c;
}

/* ---- the mock cluster ---- */

typedef struct cluster {
	rd_kafka_t *rk;            /* owns the mock */
	rd_kafka_mock_cluster_t *mc;
	const char *bootstraps;
	int partitions;
} cluster_t;

static void cluster_start(cluster_t *c, int brokers, int partitions)
{
	char err[256];
	int i;

	c->rk = rd_kafka_new(RD_KAFKA_PRODUCER, quiet_conf(), err, sizeof(err));
	cr_assert_not_null(c->rk, "%s", err);
	c->mc = rd_kafka_mock_cluster_new(c->rk, brokers);
	cr_assert_not_null(c->mc);
	c->bootstraps = rd_kafka_mock_cluster_bootstraps(c->mc);
	c->partitions = partitions;
	cr_assert_eq(rd_kafka_mock_topic_create(c->mc, TOPIC, partitions, 1), 0);
	/* the mock picks leaders at random: broker 2 led no partition in some
	 * runs, so taking it down failed nothing. Round robin instead. */
	for (i = 0; i < partitions; i++)
		cr_assert_eq(rd_kafka_mock_partition_set_leader(c->mc, TOPIC, i, i % brokers + 1), 0);
}

/* the port of broker ID (1-based, the order of the bootstrap list) */
static int broker_port(const cluster_t *c, int id)
{
	const char *p = c->bootstraps;
	int i;

	for (i = 1; i < id && p != NULL; i++)
		if ((p = strchr(p, ',')) != NULL)
			p++;
	cr_assert_not_null(p, "no broker %d in %s", id, c->bootstraps);
	p = strchr(p, ':');
	cr_assert_not_null(p);
	return atoi(p + 1);
}

static int port_open(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	cr_assert_geq(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* Set broker ID down or up and wait until the mock's thread has done it
 * (its listener closed or open again: a fixed sleep was too short on a
 * loaded machine), then a little more for its connections. */
static void broker_set(cluster_t *c, int id, int up)
{
	int port = broker_port(c, id), i;

	if (up)
		rd_kafka_mock_broker_set_up(c->mc, id);
	else
		rd_kafka_mock_broker_set_down(c->mc, id);
	for (i = 0; i < 1000 && port_open(port) != up; i++)
		usleep(10000);
	cr_assert_eq(port_open(port), up, "broker %d did not go %s", id, up ? "up" : "down");
	usleep(MOCK_SETTLE_US);
}

static void cluster_stop(cluster_t *c)
{
	rd_kafka_mock_cluster_destroy(c->mc);
	rd_kafka_destroy(c->rk);
}

/* ---- what the topic holds ---- */

typedef struct got {
	char **val, **key;         /* key NULL: none */
	char **hdr;                /* "name=value;..." of its headers, or NULL */
	size_t n;
} got_t;

static void got_free(got_t *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		free(g->val[i]);
		free(g->key[i]);
		free(g->hdr[i]);
	}
	free(g->val);
	free(g->key);
	free(g->hdr);
}

static rd_kafka_t *consumer(const cluster_t *c)
{
	rd_kafka_conf_t *conf = quiet_conf();
	char err[256];
	rd_kafka_t *rk;

	cr_assert_eq(rd_kafka_conf_set(conf, "bootstrap.servers", c->bootstraps, err,
	                               sizeof(err)), RD_KAFKA_CONF_OK);
	cr_assert_eq(rd_kafka_conf_set(conf, "group.id", "test", err, sizeof(err)),
	             RD_KAFKA_CONF_OK);
	cr_assert_eq(rd_kafka_conf_set(conf, "enable.auto.commit", "false", err,
	                               sizeof(err)), RD_KAFKA_CONF_OK);
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
	cr_assert_not_null(rk, "%s", err);
	return rk;
}

/* Sum of the partitions' high watermarks: on a fresh topic, the number of
 * messages it holds. */
static long long topic_count_named(const cluster_t *c, const char *topic, int partitions)
{
	rd_kafka_t *rk = consumer(c);
	long long total = 0;
	int64_t lo, hi;
	int p;

	for (p = 0; p < partitions; p++) {
		cr_assert_eq(rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 5000), 0);
		total += hi;
	}
	rd_kafka_destroy(rk);
	return total;
}

static long long topic_count(const cluster_t *c)
{
	return topic_count_named(c, TOPIC, c->partitions);
}

/* a message's headers as "name=value;name=value", or NULL */
static char *headers_str(rd_kafka_message_t *m)
{
	rd_kafka_headers_t *h = NULL;
	char out[512] = "";
	const char *name;
	const void *val;
	size_t i, size, n = 0;

	if (rd_kafka_message_headers(m, &h) != 0)
		return NULL;
	for (i = 0; rd_kafka_header_get_all(h, i, &name, &val, &size) == 0; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s=%.*s", i ? ";" : "", name,
		                      (int)size, (const char *)val);
	return strdup(out);
}

/* Read all of TOPIC (PARTITIONS of them) back: WANT messages, per
 * partition in order. Waits a while for more than WANT. */
static void topic_read_named(const cluster_t *c, const char *topic, int partitions,
                             size_t want, got_t *g)
{
	rd_kafka_t *rk = consumer(c);
	rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
	time_t until = time(NULL) + 10;
	int p;

	memset(g, 0, sizeof(*g));
	g->val = calloc(want + 1, sizeof(char *));
	g->key = calloc(want + 1, sizeof(char *));
	g->hdr = calloc(want + 1, sizeof(char *));
	for (p = 0; p < partitions; p++)
		rd_kafka_topic_partition_list_add(parts, topic, p)->offset =
			RD_KAFKA_OFFSET_BEGINNING;
	cr_assert_eq(rd_kafka_assign(rk, parts), 0);
	rd_kafka_topic_partition_list_destroy(parts);
	while (g->n < want && time(NULL) < until) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);

		if (m == NULL)
			continue;
		if (m->err == 0) {
			g->val[g->n] = strndup(m->payload, m->len);
			g->key[g->n] = m->key ? strndup(m->key, m->key_len) : NULL;
			g->hdr[g->n] = headers_str(m);
			g->n++;
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
}

static void topic_read(const cluster_t *c, size_t want, got_t *g)
{
	topic_read_named(c, TOPIC, c->partitions, want, g);
}

/* ---- batches ---- */

static void add_msg(msgbatch_t *mb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_msg(msgbatch_t *mb, const char *fmt, ...)
{
	char m[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	cr_assert(n > 0 && (size_t)n < sizeof(m));
	msgbatch_begin(mb);
	buf_append(&mb->data, m, (size_t)n);
	cr_assert_eq(msgbatch_end(mb), 0);
}

#define LINE "<14>1 2023-11-14T22:13:20.123Z web%02d auditd - - - type=SYSCALL " \
	"msg=audit(1700000000.123:%d): arch=c000003e syscall=59 success=yes"

static void make_batch(msgbatch_t *mb, int first, int n)
{
	int i;

	msgbatch_init(mb);
	for (i = first; i < first + n; i++)
		add_msg(mb, LINE, i, i);
}

/* Every message of MB is in G exactly once, and G holds nothing else. */
static void assert_exactly_once(const msgbatch_t *mb, const got_t *g)
{
	size_t i, j, len, hits;
	const char *m;

	cr_assert_eq(g->n, mb->n, "topic holds %zu messages, %zu sent", g->n, mb->n);
	for (i = 0; i < mb->n; i++) {
		m = msgbatch_msg(mb, i, &len);
		for (hits = 0, j = 0; j < g->n; j++)
			hits += strlen(g->val[j]) == len && memcmp(g->val[j], m, len) == 0;
		cr_assert_eq(hits, 1, "message %zu found %zu times", i, hits);
	}
}

/* ---- the transport ---- */

static const char *const fast_params[] = {
	"message.timeout.ms=2500", "retry.backoff.ms=50", "reconnect.backoff.ms=50",
	"reconnect.backoff.max.ms=200", "socket.timeout.ms=2000", "linger.ms=5",
};

static void conf_for(transport_conf_t *tc, const cluster_t *c)
{
	memset(tc, 0, sizeof(*tc));
	tc->kafka.brokers = c ? c->bootstraps : "127.0.0.1:1";
	tc->kafka.topic = TOPIC;
	tc->kafka.conf_params = fast_params;
	tc->kafka.n_conf_params = sizeof(fast_params) / sizeof(fast_params[0]);
	tc->io_timeout_ms = 1500;
	tc->connect_timeout_ms = 1500;
	tc->kafka.close_timeout_ms = 2000;
}

static transport_t *make(const transport_conf_t *tc)
{
	transport_t *t = NULL;
	char err[ERRLEN] = "";

	cr_assert_eq(transport_kafka.create(&t, tc, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	return t;
}

static transport_rc_t create_err(const transport_conf_t *tc, char *err)
{
	transport_t *t = NULL;
	transport_rc_t rc;

	err[0] = '\0';
	rc = transport_kafka.create(&t, tc, err, ERRLEN);
	if (rc == TRANSPORT_OK)
		transport_kafka.destroy(t);
	else
		cr_assert_null(t);
	return rc;
}

/* Send MB until it is delivered, at most TRIES times; returns the tries. */
static int send_until_ok(transport_t *t, const msgbatch_t *mb, int tries)
{
	char err[ERRLEN];
	size_t delivered;
	int i;

	for (i = 1; i <= tries; i++) {
		if (transport_kafka.send(t, mb, &delivered, err, sizeof(err)) == TRANSPORT_OK) {
			cr_assert_eq(delivered, mb->n);
			return i;
		}
		cr_log_info("try %d: %s", i, err);
	}
	cr_assert_fail("not delivered after %d tries: %s", tries, err);
	return -1;
}

/* MB with routes carrying each message's host, as the pipeline gives
 * them (key "host"): LINE's web<NN> of the message's number */
static transport_rc_t send_hosts(transport_t *t, const msgbatch_t *mb, size_t *delivered,
                                 char *err, size_t errlen)
{
	transport_route_t r = { "", 0, NULL, 0, 0, NULL, 0 };
	msgbatch_t routes;
	transport_rc_t rc;
	char host[16];
	size_t i, len;

	msgbatch_init(&routes);
	for (i = 0; i < mb->n; i++) {
		const char *m = msgbatch_msg(mb, i, &len), *n = strstr(m, ".123:");

		r.host_len = (size_t)snprintf(host, sizeof(host), "web%02d",
		                              n != NULL ? atoi(n + 5) % 100 : 0);
		r.host = host;
		msgbatch_begin(&routes);
		transport_route_write(&routes.data, &r);
		cr_assert_eq(msgbatch_end(&routes), 0);
	}
	rc = transport_kafka_send_routed(t, mb, &routes, delivered, err, errlen);
	msgbatch_free(&routes);
	return rc;
}

static int send_hosts_until_ok(transport_t *t, const msgbatch_t *mb, int tries)
{
	char err[ERRLEN];
	size_t delivered;
	int i;

	for (i = 1; i <= tries; i++) {
		if (send_hosts(t, mb, &delivered, err, sizeof(err)) == TRANSPORT_OK) {
			cr_assert_eq(delivered, mb->n);
			return i;
		}
		cr_log_info("try %d: %s", i, err);
	}
	cr_assert_fail("not delivered after %d tries: %s", tries, err);
	return -1;
}

static long long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000LL + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---- configuration ---- */

Test(kafka_conf, unknown_confparam_is_named)
{
	const char *p[] = { "linger.ms=1", "no.such.property=1" };
	transport_conf_t tc;
	char err[ERRLEN];

	conf_for(&tc, NULL);
	tc.kafka.conf_params = p;
	tc.kafka.n_conf_params = 2;
	cr_assert_eq(create_err(&tc, err), TRANSPORT_CONFIG, "%s", err);
	cr_assert(strstr(err, "no.such.property") != NULL, "%s", err);
	cr_assert(strstr(err, "confParam") != NULL, "%s", err);
}

Test(kafka_conf, bad_value_is_named)
{
	const char *p[] = { "linger.ms=soon" };
	transport_conf_t tc;
	char err[ERRLEN];

	conf_for(&tc, NULL);
	tc.kafka.conf_params = p;
	tc.kafka.n_conf_params = 1;
	cr_assert_eq(create_err(&tc, err), TRANSPORT_CONFIG, "%s", err);
	cr_assert(strstr(err, "linger.ms=soon") != NULL, "%s", err);
}

Test(kafka_conf, not_key_value)
{
	const char *p[] = { "linger.ms" };
	transport_conf_t tc;
	char err[ERRLEN];

	conf_for(&tc, NULL);
	tc.kafka.conf_params = p;
	tc.kafka.n_conf_params = 1;
	cr_assert_eq(create_err(&tc, err), TRANSPORT_CONFIG, "%s", err);
	cr_assert(strstr(err, "key=value") != NULL, "%s", err);
}

Test(kafka_conf, unknown_topicconfparam_is_named)
{
	const char *p[] = { "no.such.topic.property=1" };
	transport_conf_t tc;
	char err[ERRLEN];

	conf_for(&tc, NULL);
	tc.kafka.topic_conf_params = p;
	tc.kafka.n_topic_conf_params = 1;
	cr_assert_eq(create_err(&tc, err), TRANSPORT_CONFIG, "%s", err);
	cr_assert(strstr(err, "topicConfParam") && strstr(err, "no.such.topic.property"),
	          "%s", err);
}

/* librdkafka checks combinations only when a handle is made */
Test(kafka_conf, acks_conflicting_with_idempotence)
{
	const char *p[] = { "acks=1" };
	transport_conf_t tc;
	char err[ERRLEN];

	conf_for(&tc, NULL);
	tc.kafka.topic_conf_params = p;
	tc.kafka.n_topic_conf_params = 1;
	cr_assert_eq(create_err(&tc, err), TRANSPORT_CONFIG, "%s", err);
	cr_assert(strstr(err, "acks") && strstr(err, "idempotence"), "%s", err);
}

Test(kafka_conf, timeout_shorter_than_linger)
{
	const char *p[] = { "linger.ms=500", "message.timeout.ms=100" };
	transport_conf_t tc;
	char err[ERRLEN];

	conf_for(&tc, NULL);
	tc.kafka.conf_params = p;
	tc.kafka.n_conf_params = 2;
	cr_assert_eq(create_err(&tc, err), TRANSPORT_CONFIG, "%s", err);
	cr_assert(strstr(err, "message.timeout.ms") != NULL, "%s", err);
}

Test(kafka_conf, compression)
{
	const char *ok[] = { "none", "gzip", "snappy", "lz4", "zstd" };
	transport_conf_t tc;
	char err[ERRLEN];
	size_t i;

	conf_for(&tc, NULL);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		tc.kafka.compression = ok[i];
		cr_assert_eq(create_err(&tc, err), TRANSPORT_OK, "%s: %s", ok[i], err);
	}
	tc.kafka.compression = "brotli";
	cr_assert_eq(create_err(&tc, err), TRANSPORT_CONFIG, "%s", err);
	cr_assert(strstr(err, "compression") && strstr(err, "brotli"), "%s", err);
}

Test(kafka_conf, topic_and_brokers_required)
{
	transport_conf_t tc;
	char err[ERRLEN];

	conf_for(&tc, NULL);
	tc.kafka.topic = NULL;
	cr_assert_eq(create_err(&tc, err), TRANSPORT_CONFIG, "%s", err);
	cr_assert(strstr(err, "topic") != NULL, "%s", err);
	tc.kafka.topic = "bad topic/name";
	cr_assert_eq(create_err(&tc, err), TRANSPORT_CONFIG, "%s", err);
	cr_assert(strstr(err, "bad topic/name") != NULL, "%s", err);
	conf_for(&tc, NULL);
	tc.kafka.brokers = NULL;
	tc.target = NULL;
	cr_assert_eq(create_err(&tc, err), TRANSPORT_CONFIG, "%s", err);
	cr_assert(strstr(err, "broker") != NULL, "%s", err);
}

/* create() (and destroy()) must not touch the network: a listener given
 * as the broker sees no connection. */
Test(kafka_conf, create_does_no_io)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct pollfd pfd;
	transport_conf_t tc;
	char brokers[64];
	transport_t *t;
	int lfd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(lfd, 8), 0);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	snprintf(brokers, sizeof(brokers), "127.0.0.1:%d", ntohs(sa.sin_port));
	conf_for(&tc, NULL);
	tc.kafka.brokers = brokers;
	t = make(&tc);
	transport_kafka.destroy(t);
	pfd.fd = lfd;
	pfd.events = POLLIN;
	cr_assert_eq(poll(&pfd, 1, 300), 0, "create() connected to the broker");
	close(lfd);
}

Test(kafka_conf, brokers_from_target)
{
	transport_conf_t tc;
	char err[ERRLEN];

	conf_for(&tc, NULL);
	tc.kafka.brokers = NULL;
	tc.target = "kafka1";
	tc.port = 9093;
	cr_assert_eq(create_err(&tc, err), TRANSPORT_OK, "%s", err);
}

/* ---- delivery ---- */

Test(kafka, delivers_each_message_once_with_fixed_key, .timeout = 30)
{
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb;
	got_t g;
	size_t i;

	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	tc.kafka.key = "node-a";
	t = make(&tc);
	make_batch(&mb, 0, 200);
	cr_assert_eq(send_until_ok(t, &mb, 1), 1);
	cr_assert_eq(topic_count(&c), 200);
	topic_read(&c, 200, &g);
	cr_assert_eq(g.n, 200);
	for (i = 0; i < g.n; i++) {         /* one partition: in order */
		size_t len;
		const char *m = msgbatch_msg(&mb, i, &len);
		cr_assert(strlen(g.val[i]) == len && memcmp(g.val[i], m, len) == 0,
		          "message %zu: %s", i, g.val[i]);
		cr_assert_str_eq(g.key[i], "node-a");
	}
	cr_assert_eq(transport_kafka_stats(t)->produced, 200);
	cr_assert_eq(transport_kafka_stats(t)->delivered, 200);
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

Test(kafka, per_message_keys, .timeout = 30)
{
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb, keys;
	char err[ERRLEN];
	size_t delivered, i, j;
	got_t g;

	cluster_start(&c, 1, 3);
	conf_for(&tc, &c);
	t = make(&tc);
	make_batch(&mb, 0, 30);
	msgbatch_init(&keys);
	for (i = 0; i < 30; i++) {
		msgbatch_begin(&keys);
		buf_append(&keys.data, "", 1);      /* the configured topic */
		if (i % 10 != 9)                    /* an empty key: none */
			buf_printf(&keys.data, "host%zu", i % 3);
		cr_assert_eq(msgbatch_end(&keys), 0);
	}
	cr_assert_eq(transport_kafka_send_routed(t, &mb, &keys, &delivered, err, sizeof(err)),
	             TRANSPORT_OK, "%s", err);
	topic_read(&c, 30, &g);
	assert_exactly_once(&mb, &g);
	for (j = 0; j < g.n; j++) {
		const char *s = strstr(g.val[j], ".123:") + 5;
		int n = atoi(s);
		if (n % 10 == 9)
			cr_assert_null(g.key[j], "message %d has key %s", n, g.key[j]);
		else {
			char want[16];
			snprintf(want, sizeof(want), "host%d", n % 3);
			cr_assert_str_eq(g.key[j], want);
		}
	}
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	msgbatch_free(&keys);
	cluster_stop(&c);
}

/* key "host": the host each message's route carries (the pipeline puts
 * there the host its header names); a route without one: no key; a route
 * naming a key: that key */
Test(kafka, key_host_from_the_route, .timeout = 30)
{
	const transport_route_t rs[] = {
		{ "", 0, NULL, 0, 0, "web07", 5 }, { "", 0, NULL, 0, 0, "db03", 4 },
		{ "", 0, NULL, 0, 0, NULL, 0 }, { "", 0, "k9", 2, 1, "web01", 5 },
	};
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb, routes;
	char err[ERRLEN];
	size_t delivered, i;
	got_t g;

	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	tc.kafka.key = "host";
	t = make(&tc);
	msgbatch_init(&mb);
	msgbatch_init(&routes);
	for (i = 0; i < 4; i++) {
		add_msg(&mb, "<14>1 2023-11-14T22:13:20.123Z other auditd - - - x=%zu", i);
		msgbatch_begin(&routes);
		transport_route_write(&routes.data, &rs[i]);
		cr_assert_eq(msgbatch_end(&routes), 0);
	}
	cr_assert_eq(transport_kafka_send_routed(t, &mb, &routes, &delivered, err, sizeof(err)),
	             TRANSPORT_OK, "%s", err);
	topic_read(&c, 4, &g);
	cr_assert_eq(g.n, 4);
	for (i = 0; i < 4; i++) {
		int n = atoi(strstr(g.val[i], "x=") + 2);
		if (n == 2)
			cr_assert_null(g.key[i]);
		else
			cr_assert_str_eq(g.key[i], n == 0 ? "web07" : n == 1 ? "db03" : "k9");
	}
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	msgbatch_free(&routes);
	cluster_stop(&c);
}

/* ROUTES for MB: message i goes to topic TOPICS[i % n] ("" the configured
 * one) with key "k<i % 3>" */
static void make_routes(msgbatch_t *routes, const msgbatch_t *mb,
                        const char *const *topics, size_t n)
{
	transport_route_t r;
	char key[32];
	size_t i;

	msgbatch_init(routes);
	for (i = 0; i < mb->n; i++) {
		snprintf(key, sizeof(key), "k%zu", i % 3);
		r = (transport_route_t){ topics[i % n], strlen(topics[i % n]), key, strlen(key), 1,
		                         NULL, 0 };
		msgbatch_begin(routes);
		transport_route_write(&routes->data, &r);
		cr_assert_eq(msgbatch_end(routes), 0);
	}
}

/* a route written and read back is the same route; no key and an empty
 * key stay apart */
Test(kafka, route_written_and_read_back)
{
	const transport_route_t in[] = {
		{ "audit.a", 7, "host1", 5, 1, NULL, 0 }, { "", 0, "k", 1, 1, NULL, 0 },
		{ "t", 1, NULL, 0, 0, NULL, 0 }, { "t", 1, "", 0, 1, NULL, 0 },
		{ "", 0, NULL, 0, 0, NULL, 0 }, { "t", 1, "k", 1, 1, "web1", 4 },
		{ "", 0, NULL, 0, 0, "h", 1 }, { "", 0, "", 0, 1, "h.example", 9 },
	};
	transport_route_t out;
	buf_t b;
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		buf_init(&b);
		transport_route_write(&b, &in[i]);
		transport_route_read(b.p != NULL ? b.p : "", b.len, &out);
		cr_assert_eq(out.topic_len, in[i].topic_len);
		cr_assert(memcmp(out.topic, in[i].topic, in[i].topic_len) == 0);
		cr_assert_eq(out.has_key, in[i].has_key, "route %zu", i);
		cr_assert_eq(out.key_len, in[i].key_len);
		if (in[i].key_len > 0)
			cr_assert(memcmp(out.key, in[i].key, in[i].key_len) == 0);
		cr_assert_eq(out.host_len, in[i].host_len, "route %zu", i);
		if (in[i].host_len > 0)
			cr_assert(memcmp(out.host, in[i].host, in[i].host_len) == 0);
		buf_free(&b);
	}
}

/* MB's messages FIRST, FIRST + STEP, ... as a batch of their own */
static void every_nth(const msgbatch_t *mb, size_t first, size_t step, msgbatch_t *out)
{
	size_t i, len;
	const char *m;

	msgbatch_init(out);
	for (i = first; i < mb->n; i += step) {
		m = msgbatch_msg(mb, i, &len);
		msgbatch_begin(out);
		buf_append(&out->data, m, len);
		cr_assert_eq(msgbatch_end(out), 0);
	}
}

/* G holds exactly the messages of MB that make_routes sent to topic FIRST
 * of STEP topics, each once, with its key */
static void assert_routed(const msgbatch_t *mb, size_t first, size_t step, const got_t *g)
{
	msgbatch_t want;
	char key[8];
	size_t j;

	every_nth(mb, first, step, &want);
	assert_exactly_once(&want, g);
	for (j = 0; j < g->n; j++) {
		int k = atoi(strstr(g->val[j], ".123:") + 5);

		snprintf(key, sizeof(key), "k%d", k % 3);
		cr_assert_not_null(g->key[j]);
		cr_assert_str_eq(g->key[j], key);
	}
	msgbatch_free(&want);
}

Test(kafka, routes_pick_topic_and_key_per_message, .timeout = 30)
{
	static const char *const topics[] = { "", "audit.web", "audit.db" };
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb, routes, odd;
	char err[ERRLEN];
	size_t delivered, i;
	got_t g;

	cluster_start(&c, 1, 1);
	cr_assert_eq(rd_kafka_mock_topic_create(c.mc, "audit.web", 1, 1), 0);
	cr_assert_eq(rd_kafka_mock_topic_create(c.mc, "audit.db", 1, 1), 0);
	conf_for(&tc, &c);
	tc.kafka.key = "fixed";
	t = make(&tc);
	make_batch(&mb, 0, 30);
	make_routes(&routes, &mb, topics, 3);
	cr_assert_eq(transport_kafka_send_routed(t, &mb, &routes, &delivered, err, sizeof(err)),
	             TRANSPORT_OK, "%s", err);
	cr_assert_eq(delivered, 30);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(topic_count_named(&c, i ? topics[i] : TOPIC, 1), 10);
		topic_read_named(&c, i ? topics[i] : TOPIC, 1, 10, &g);
		assert_routed(&mb, i, 3, &g);
		got_free(&g);
	}
	/* a route without the NUL names only the topic: the configured key;
	 * an empty route is the configured topic and key; a message beyond
	 * the routes (after one that named a key) the configured ones too */
	msgbatch_init(&odd);
	add_msg(&odd, "odd %d", 1);
	add_msg(&odd, "odd %d", 2);
	add_msg(&odd, "odd %d", 3);
	add_msg(&odd, "odd %d", 4);
	msgbatch_reset(&routes);
	msgbatch_begin(&routes);
	buf_append(&routes.data, "audit.db", 8);
	cr_assert_eq(msgbatch_end(&routes), 0);
	msgbatch_begin(&routes);
	cr_assert_eq(msgbatch_end(&routes), 0);
	msgbatch_begin(&routes);
	buf_append(&routes.data, "\0own", 4);
	cr_assert_eq(msgbatch_end(&routes), 0);
	cr_assert_eq(transport_kafka_send_routed(t, &odd, &routes, &delivered, err, sizeof(err)),
	             TRANSPORT_OK, "%s", err);
	topic_read_named(&c, "audit.db", 1, 11, &g);
	cr_assert_eq(g.n, 11);
	cr_assert_str_eq(g.val[10], "odd 1");
	cr_assert_str_eq(g.key[10], "fixed");
	got_free(&g);
	cr_assert_eq(topic_count_named(&c, TOPIC, 1), 13);
	topic_read_named(&c, TOPIC, 1, 13, &g);
	cr_assert_eq(g.n, 13);
	cr_assert_str_eq(g.val[10], "odd 2");
	cr_assert_str_eq(g.key[10], "fixed");
	cr_assert_str_eq(g.val[11], "odd 3");
	cr_assert_str_eq(g.key[11], "own");
	cr_assert_str_eq(g.val[12], "odd 4");
	cr_assert_str_eq(g.key[12], "fixed");
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	msgbatch_free(&odd);
	msgbatch_free(&routes);
	cluster_stop(&c);
}

/* Topics only from the routes: no topic is configured or looked up; the
 * same bytes to two topics are two messages, each delivered once even
 * when the batch is retried after an outage. */
Test(kafka, dynamic_topics_retry_delivers_each_once, .timeout = 40)
{
	static const char *const topics[] = { "audit.web", "audit.db" };
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb, routes, want;
	char err[ERRLEN];
	size_t delivered, i;
	got_t g;
	int tries;

	cluster_start(&c, 1, 1);
	cr_assert_eq(rd_kafka_mock_topic_create(c.mc, "audit.web", 2, 1), 0);
	cr_assert_eq(rd_kafka_mock_topic_create(c.mc, "audit.db", 2, 1), 0);
	conf_for(&tc, &c);
	tc.kafka.topic = NULL;
	tc.kafka.topic_dynamic = 1;
	t = make(&tc);
	cr_assert_eq(transport_kafka.connect(t, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	msgbatch_init(&mb);
	for (i = 0; i < 40; i++)       /* pairs of equal messages */
		add_msg(&mb, LINE, (int)(i / 2), (int)(i / 2));
	make_routes(&routes, &mb, topics, 2);
	broker_set(&c, 1, 0);
	cr_assert_eq(transport_kafka_send_routed(t, &mb, &routes, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	cr_assert(strstr(err, "audit.web (the first)") != NULL, "%s", err);
	broker_set(&c, 1, 1);
	for (tries = 1; tries < 6; tries++)
		if (transport_kafka_send_routed(t, &mb, &routes, &delivered, err, sizeof(err)) ==
		    TRANSPORT_OK)
			break;
	cr_assert_lt(tries, 6, "%s", err);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(topic_count_named(&c, topics[i], 2), 20);
		topic_read_named(&c, topics[i], 2, 20, &g);
		every_nth(&mb, i, 2, &want);
		assert_exactly_once(&want, &g);
		msgbatch_free(&want);
		got_free(&g);
	}
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	msgbatch_free(&routes);
	cluster_stop(&c);
}

Test(kafka, configured_headers_go_with_every_message, .timeout = 30)
{
	static const char *const headers[] = { "source=omauditfwd", "format=json", "empty=" };
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb;
	got_t g;
	size_t i;

	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	tc.kafka.headers = headers;
	tc.kafka.n_headers = 3;
	t = make(&tc);
	make_batch(&mb, 0, 5);
	cr_assert_eq(send_until_ok(t, &mb, 1), 1);
	topic_read(&c, 5, &g);
	cr_assert_eq(g.n, 5);
	for (i = 0; i < g.n; i++) {
		cr_assert_not_null(g.hdr[i]);
		cr_assert_str_eq(g.hdr[i], "source=omauditfwd;format=json;empty=");
	}
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

Test(kafka_conf, bad_header_is_named)
{
	static const char *const headers[][1] = { { "novalue" }, { "=x" } };
	transport_conf_t tc;
	char err[ERRLEN];
	size_t i;

	for (i = 0; i < 2; i++) {
		conf_for(&tc, NULL);
		tc.kafka.headers = headers[i];
		tc.kafka.n_headers = 1;
		cr_assert_eq(create_err(&tc, err), TRANSPORT_CONFIG);
		cr_assert(strstr(err, "kafkaHeader") && strstr(err, headers[i][0]), "%s", err);
	}
}

Test(kafka_conf, topic_names_are_fixed_up)
{
	static const struct { const char *in; const char *out; int changed; } cases[] = {
		{ "audit.web-01_x", "audit.web-01_x", 0 }, { "", "_", 1 }, { ".", "_.", 1 },
		{ "..", "_..", 1 }, { "...", "...", 0 }, { "a b/c", "a_b_c", 1 },
		{ "h\xc3\xa9", "h__", 1 },
	};
	char out[TRANSPORT_KAFKA_TOPIC_MAX + 1], in[400];
	size_t i, n;
	int changed;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = transport_kafka_topic_fix(cases[i].in, strlen(cases[i].in), out, &changed);
		cr_assert_str_eq(out, cases[i].out);
		cr_assert_eq(n, strlen(cases[i].out));
		cr_assert_eq(changed, cases[i].changed, "%s", cases[i].in);
	}
	memset(in, 'a', sizeof(in));
	n = transport_kafka_topic_fix(in, sizeof(in), out, &changed);
	cr_assert_eq(n, TRANSPORT_KAFKA_TOPIC_MAX);
	cr_assert(changed);
	n = transport_kafka_topic_fix("a\0b", 3, out, &changed);
	cr_assert_str_eq(out, "a_b");
	cr_assert_eq(n, 3);
}

Test(kafka, every_compression_codec_round_trips, .timeout = 60)
{
	const char *codecs[] = { "gzip", "snappy", "lz4", "zstd" };
	size_t k;

	for (k = 0; k < sizeof(codecs) / sizeof(codecs[0]); k++) {
		cluster_t c;
		transport_conf_t tc;
		transport_t *t;
		msgbatch_t mb;
		got_t g;

		cluster_start(&c, 1, 1);
		conf_for(&tc, &c);
		tc.kafka.compression = codecs[k];
		t = make(&tc);
		make_batch(&mb, 0, 50);
		cr_assert_eq(send_until_ok(t, &mb, 1), 1, "%s", codecs[k]);
		topic_read(&c, 50, &g);
		assert_exactly_once(&mb, &g);
		got_free(&g);
		transport_kafka.destroy(t);
		msgbatch_free(&mb);
		cluster_stop(&c);
	}
}

/* ---- outages ---- */

Test(kafka, broker_down_fails_in_bounded_time_then_retry_delivers_once, .timeout = 30)
{
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb;
	char err[ERRLEN];
	size_t delivered;
	struct timespec t0;
	got_t g;

	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	t = make(&tc);
	make_batch(&mb, 0, 100);
	broker_set(&c, 1, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(transport_kafka.send(t, &mb, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	cr_assert_lt(ms_since(&t0), tc.io_timeout_ms + 1500, "took %lld ms", ms_since(&t0));
	cr_assert_eq(delivered, 0);
	cr_assert(strstr(err, "100 of 100 messages not delivered") != NULL, "%s", err);
	cr_assert_eq(transport_kafka.is_connected(t), 0);
	cr_assert_eq(transport_kafka.connect(t, err, sizeof(err)), TRANSPORT_RETRY);
	rd_kafka_mock_broker_set_up(c.mc, 1);
	cr_assert_eq(transport_kafka.connect(t, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	send_until_ok(t, &mb, 5);
	cr_assert_eq(topic_count(&c), 100);
	topic_read(&c, 100, &g);
	assert_exactly_once(&mb, &g);
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

/* One of three brokers is down: the partitions it leads take nothing,
 * the others take their share. The retry must not produce the delivered
 * share again. */
Test(kafka, partial_failure_retry_sends_only_the_rest, .timeout = 30)
{
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb;
	char err[ERRLEN];
	size_t delivered;
	const transport_kafka_stats_t *st;
	got_t g;

	cluster_start(&c, 3, 6);
	conf_for(&tc, &c);
	tc.kafka.key = "host";             /* keyed: spread over all partitions */
	t = make(&tc);
	st = transport_kafka_stats(t);
	make_batch(&mb, 0, 300);
	/* warm up so every partition's leader is known */
	{
		msgbatch_t one;
		make_batch(&one, 1000, 1);
		send_hosts_until_ok(t, &one, 3);
		msgbatch_free(&one);
	}
	broker_set(&c, 2, 0);
	cr_assert_eq(send_hosts(t, &mb, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	cr_log_info("down: %s", err);
	cr_assert_gt(st->delivered, 1, "nothing was delivered to the live brokers");
	cr_assert_lt(st->delivered, 301);
	rd_kafka_mock_broker_set_up(c.mc, 2);
	send_hosts_until_ok(t, &mb, 5);
	cr_log_info("produced %llu delivered %llu skipped %llu awaited %llu",
	            st->produced, st->delivered, st->skipped, st->awaited);
	cr_assert_gt(st->skipped, 0);
	cr_assert_eq(topic_count(&c), 301);
	topic_read(&c, 301, &g);
	cr_assert_eq(g.n, 301);
	{       /* the warm-up message is the extra one */
		got_t rest = g;
		size_t i;
		for (i = 0; i < g.n; i++)
			if (strstr(g.val[i], ":1000)") != NULL)
				break;
		cr_assert_lt(i, g.n);
		free(g.val[i]);
		free(g.key[i]);
		g.val[i] = g.val[g.n - 1];
		g.key[i] = g.key[g.n - 1];
		rest.n = g.n - 1;
		assert_exactly_once(&mb, &rest);
		g.n--;
	}
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

/* The broker stores a batch but answers after the messages' timeout:
 * librdkafka reports them failed, "possibly persisted". Producing them
 * again would store them twice; the retry reads the partition back,
 * finds them there and produces nothing. */
static void doubt_case(const char *route_topic)
{
	static const char *const params[] = {
		"message.timeout.ms=1500", "socket.timeout.ms=10000", "linger.ms=5",
		"retry.backoff.ms=50", "reconnect.backoff.ms=50", "reconnect.backoff.max.ms=200",
	};
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb, one, routes;
	char err[ERRLEN];
	size_t delivered;
	const transport_kafka_stats_t *st;
	got_t g;

	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	tc.kafka.conf_params = params;
	tc.kafka.n_conf_params = sizeof(params) / sizeof(params[0]);
	tc.io_timeout_ms = 5000;
	t = make(&tc);
	st = transport_kafka_stats(t);
	make_batch(&one, 1000, 1);
	make_batch(&mb, 0, 50);
	msgbatch_init(&routes);
	if (route_topic != NULL) {
		cr_assert_eq(rd_kafka_mock_topic_create(c.mc, route_topic, 1, 1), 0);
		make_routes(&routes, &one, &route_topic, 1);
		cr_assert_eq(transport_kafka_send_routed(t, &one, &routes, &delivered, err,
		                                         sizeof(err)), TRANSPORT_OK, "%s", err);
		msgbatch_free(&routes);
		make_routes(&routes, &mb, &route_topic, 1);
	} else {
		send_until_ok(t, &one, 3);
	}
	rd_kafka_mock_broker_set_rtt(c.mc, 1, 4000);
	usleep(MOCK_SETTLE_US);
	cr_assert_eq(transport_kafka_send_routed(t, &mb, route_topic ? &routes : NULL,
	                                         &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	cr_log_info("slow broker: %s", err);
	cr_assert_gt(st->doubt, 0, "no message in doubt: %s", err);
	cr_assert(strstr(err, "possibly stored") != NULL, "%s", err);
	rd_kafka_mock_broker_set_rtt(c.mc, 1, 0);
	usleep(MOCK_SETTLE_US);
	if (route_topic != NULL) {
		int tries;

		for (tries = 0; tries < 5; tries++)
			if (transport_kafka_send_routed(t, &mb, &routes, &delivered, err,
			                                sizeof(err)) == TRANSPORT_OK)
				break;
		cr_assert_lt(tries, 5, "%s", err);
	} else {
		send_until_ok(t, &mb, 5);
	}
	cr_log_info("produced %llu doubt %llu found %llu absent %llu unresolved %llu",
	            st->produced, st->doubt, st->doubt_found, st->doubt_absent,
	            st->doubt_unresolved);
	cr_assert_eq(st->doubt_found, st->doubt, "found %llu of %llu in doubt",
	             st->doubt_found, st->doubt);
	cr_assert_eq(st->doubt_unresolved, 0);
	cr_assert_eq(topic_count_named(&c, route_topic ? route_topic : TOPIC, 1), 51);
	topic_read_named(&c, route_topic ? route_topic : TOPIC, 1, 51, &g);
	cr_assert_eq(g.n, 51);
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	msgbatch_free(&one);
	msgbatch_free(&routes);
	cluster_stop(&c);
}

Test(kafka, timed_out_but_stored_is_read_back_not_produced_again, .timeout = 60)
{
	doubt_case(NULL);
}

/* the same in a topic a route named: read back from that topic */
Test(kafka, timed_out_but_stored_in_a_routed_topic_is_read_back, .timeout = 60)
{
	doubt_case("audit.routed");
}



/* ---- statistics ---- */

Test(kafka_stats, sums_the_brokers_of_a_librdkafka_document)
{
	static const char doc[] =
		"{\"name\":\"rdkafka#producer-1\",\"type\":\"producer\",\"msg_cnt\":42,"
		"\"msg_size\":9000,\"brokers\":{"
		"\"127.0.0.1:9092/1\":{\"state\":\"UP\",\"txerrs\":3,\"txretries\":5,"
		"\"req_timeouts\":1,\"outbuf_cnt\":0},"
		"\"127.0.0.1:9093/2\":{\"state\":\"DOWN\",\"txerrs\":4,\"txretries\":6,"
		"\"req_timeouts\":2}},\"topics\":{}}";
	kafka_stats_sample_t s;

	cr_assert_eq(kafka_stats_parse(doc, strlen(doc), &s), 0);
	cr_assert_eq(s.msg_cnt, 42);
	cr_assert_eq(s.txerrs, 7);
	cr_assert_eq(s.txretries, 11);
	cr_assert_eq(s.req_timeouts, 3);
	cr_assert_eq(kafka_stats_parse("not json", 8, &s), -1);
	cr_assert_eq(kafka_stats_parse("{\"a\":1}", 7, &s), -1);
}

/* librdkafka's statistics of the live producer reach the counters: a
 * Produce request the broker answers too late in req_timeouts; a refusal
 * Kafka repeats (authorization) in permanent, while retriable errors are
 * not; every batch still ends in the topic once. */
Test(kafka, statistics_and_permanent_errors_are_counted, .timeout = 60)
{
	static const char *const params[] = {
		"message.timeout.ms=1500", "retry.backoff.ms=50", "reconnect.backoff.ms=50",
		"reconnect.backoff.max.ms=200", "socket.timeout.ms=10000", "linger.ms=5",
		"statistics.interval.ms=100",
	};
	rd_kafka_resp_err_t retriable[3] = { RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
	                                     RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
	                                     RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT };
	cluster_t c;
	transport_conf_t tc;
	transport_kafka_stats_t sink;
	transport_t *t;
	msgbatch_t mb, more;
	char err[ERRLEN];
	size_t delivered;
	int i;

	memset(&sink, 0, sizeof(sink));
	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	tc.kafka.conf_params = params;
	tc.kafka.n_conf_params = sizeof(params) / sizeof(params[0]);
	tc.stats = &sink;
	tc.io_timeout_ms = 5000;
	t = make(&tc);
	cr_assert_eq(transport_kafka_stats(t), &sink);
	make_batch(&mb, 0, 100);
	rd_kafka_mock_push_request_errors_array(c.mc, PRODUCE, 3, retriable);
	send_until_ok(t, &mb, 3);
	cr_assert_eq(sink.permanent, 0);
	msgbatch_free(&mb);
	/* answered after the messages' timeout: the request times out */
	make_batch(&mb, 100, 10);
	rd_kafka_mock_broker_set_rtt(c.mc, 1, 3000);
	usleep(MOCK_SETTLE_US);
	cr_assert_eq(transport_kafka.send(t, &mb, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	rd_kafka_mock_broker_set_rtt(c.mc, 1, 0);
	usleep(MOCK_SETTLE_US);
	send_until_ok(t, &mb, 5);
	msgbatch_free(&mb);
	/* statistics are served by the next calls into the producer */
	for (i = 0; i < 50 && sink.req_timeouts == 0; i++) {
		usleep(100000);
		make_batch(&more, 1000 + i, 1);
		send_until_ok(t, &more, 3);
		msgbatch_free(&more);
	}
	cr_log_info("req_timeouts %llu tx_retries %llu tx_errors %llu", sink.req_timeouts,
	            sink.tx_retries, sink.tx_errors);
	cr_assert_gt(sink.req_timeouts, 0);
	cr_assert_eq(sink.permanent, 0);
	make_batch(&mb, 2000, 10);
	rd_kafka_mock_push_request_errors(c.mc, PRODUCE, 1,
	                                  RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
	cr_assert_eq(transport_kafka.send(t, &mb, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	cr_assert(strstr(err, "uthoriz") != NULL, "%s", err);
	cr_assert_eq(sink.permanent, 10, "permanent %llu", sink.permanent);
	send_until_ok(t, &mb, 5);
	cr_assert_eq(topic_count(&c), 100 + 10 + i + 10);
	transport_kafka.destroy(t);
	cr_assert_eq(sink.lost_at_close, 0);
	cr_assert_eq(sink.queue_msgs, 0, "queue gauge %llu after close", sink.queue_msgs);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

/* kafka.batches and kafka.wait.us: each batch counts once, and its wait
 * for the delivery reports includes the broker's round trip. */
#define WAIT_TEST_RTT_MS 300
Test(kafka, wait_for_reports_is_counted, .timeout = 30)
{
	cluster_t c;
	transport_conf_t tc;
	transport_kafka_stats_t sink;
	transport_t *t;
	msgbatch_t mb;

	memset(&sink, 0, sizeof(sink));
	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	tc.stats = &sink;
	t = make(&tc);
	make_batch(&mb, 0, 20);
	cr_assert_eq(send_until_ok(t, &mb, 1), 1);
	cr_assert_eq(sink.batches, 1, "batches %llu", sink.batches);
	msgbatch_free(&mb);
	rd_kafka_mock_broker_set_rtt(c.mc, 1, WAIT_TEST_RTT_MS);
	usleep(MOCK_SETTLE_US);
	make_batch(&mb, 20, 20);
	cr_assert_eq(send_until_ok(t, &mb, 1), 1);
	cr_assert_eq(sink.batches, 2, "batches %llu", sink.batches);
	cr_assert_geq(sink.wait_us, WAIT_TEST_RTT_MS * 1000ULL, "wait %llu us", sink.wait_us);
	cr_assert_eq(topic_count(&c), 40);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

/* Destroyed with a batch not delivered (shutdown, broker down): the
 * messages Kafka has not acknowledged are counted. */
Test(kafka, undelivered_at_destroy_are_counted, .timeout = 30)
{
	cluster_t c;
	transport_conf_t tc;
	transport_kafka_stats_t sink;
	transport_t *t;
	msgbatch_t mb;
	char err[ERRLEN];
	size_t delivered;

	memset(&sink, 0, sizeof(sink));
	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	tc.stats = &sink;
	tc.kafka.close_timeout_ms = 500;
	t = make(&tc);
	make_batch(&mb, 0, 30);
	broker_set(&c, 1, 0);
	cr_assert_eq(transport_kafka.send(t, &mb, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	transport_kafka.destroy(t);
	cr_assert_eq(sink.lost_at_close, 30);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

/* rsyslog may retry a failed batch in parts, one message at a time (seen
 * after a resume): each part matches part of the record, and the rest of
 * the record must survive the part's success, or those messages would be
 * produced a second time. */
Test(kafka, retry_in_parts_produces_nothing_twice, .timeout = 40)
{
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb, part;
	char err[ERRLEN];
	size_t delivered, i, len;
	const char *m;
	const transport_kafka_stats_t *st;

	cluster_start(&c, 1, 2);
	conf_for(&tc, &c);
	tc.kafka.key = "host";
	t = make(&tc);
	st = transport_kafka_stats(t);
	make_batch(&mb, 0, 20);
	broker_set(&c, 1, 0);
	cr_assert_eq(send_hosts(t, &mb, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	broker_set(&c, 1, 1);
	for (i = 0; i < mb.n; i++) {
		msgbatch_init(&part);
		m = msgbatch_msg(&mb, i, &len);
		msgbatch_begin(&part);
		buf_append(&part.data, m, len);
		cr_assert_eq(msgbatch_end(&part), 0);
		send_hosts_until_ok(t, &part, 5);
		msgbatch_free(&part);
	}
	cr_log_info("produced %llu skipped %llu awaited %llu", st->produced, st->skipped,
	            st->awaited);
	cr_assert_eq(topic_count(&c), 20);
	cr_assert_eq(st->produced, 20, "produced %llu", st->produced);
	/* the record is used up: a new batch is produced in full */
	msgbatch_free(&mb);
	make_batch(&mb, 100, 5);
	send_hosts_until_ok(t, &mb, 3);
	cr_assert_eq(topic_count(&c), 25);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

/* ---- injected produce errors ---- */

/* Push CNT errors CODE for the next Produce requests, send a batch of 200
 * until it is delivered; it must be in the topic exactly once. Returns the
 * number of producers that were recreated. */
static unsigned long long produce_errors_then_exactly_once(rd_kafka_resp_err_t code,
                                                           size_t cnt, int partitions)
{
	rd_kafka_resp_err_t errs[16];
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb;
	got_t g;
	size_t i;
	int tries;
	unsigned long long recreated;

	cr_assert_leq(cnt, 16);
	for (i = 0; i < cnt; i++)
		errs[i] = code;
	cluster_start(&c, 1, partitions);
	conf_for(&tc, &c);
	t = make(&tc);
	make_batch(&mb, 0, 200);
	rd_kafka_mock_push_request_errors_array(c.mc, PRODUCE, cnt, errs);
	tries = send_until_ok(t, &mb, 6);
	cr_log_info("%s: %d tries; produced %llu delivered %llu failed %llu skipped %llu "
	            "awaited %llu recreated %llu", rd_kafka_err2name(code), tries,
	            transport_kafka_stats(t)->produced, transport_kafka_stats(t)->delivered,
	            transport_kafka_stats(t)->failed, transport_kafka_stats(t)->skipped,
	            transport_kafka_stats(t)->awaited, transport_kafka_stats(t)->recreated);
	cr_assert_eq(topic_count(&c), 200);
	topic_read(&c, 200, &g);
	assert_exactly_once(&mb, &g);
	recreated = transport_kafka_stats(t)->recreated;
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
	return recreated;
}

/* librdkafka retries these itself: one send() suffices */
Test(kafka, retriable_produce_errors, .timeout = 30)
{
	produce_errors_then_exactly_once(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 3, 1);
	produce_errors_then_exactly_once(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, 2, 4);
	produce_errors_then_exactly_once(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, 4, 4);
}

/* these fail the messages: the batch is retried */
Test(kafka, non_retriable_produce_errors, .timeout = 40)
{
	produce_errors_then_exactly_once(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, 1, 4);
	produce_errors_then_exactly_once(RD_KAFKA_RESP_ERR_INVALID_RECORD, 2, 4);
	produce_errors_then_exactly_once(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, 1, 1);
}

/* ---- retries that are not quite the same batch ---- */

/* rsyslog may retry with more messages than it first gave (or fewer, or in
 * another order): messages are matched by their bytes, not by position. */
Test(kafka, retry_matched_by_content_not_position, .timeout = 30)
{
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t first, again;
	char err[ERRLEN];
	size_t delivered, i, len;
	got_t g;

	cluster_start(&c, 3, 6);
	conf_for(&tc, &c);
	tc.kafka.key = "host";
	t = make(&tc);
	make_batch(&first, 0, 120);
	{
		msgbatch_t one;
		make_batch(&one, 1000, 1);
		send_hosts_until_ok(t, &one, 3);
		msgbatch_free(&one);
	}
	broker_set(&c, 3, 0);
	cr_assert_eq(send_hosts(t, &first, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	rd_kafka_mock_broker_set_up(c.mc, 3);
	/* the retry: 30 new ones first, then the old ones backwards */
	make_batch(&again, 200, 30);
	for (i = first.n; i-- > 0;) {
		const char *m = msgbatch_msg(&first, i, &len);
		msgbatch_begin(&again);
		buf_append(&again.data, m, len);
		cr_assert_eq(msgbatch_end(&again), 0);
	}
	send_hosts_until_ok(t, &again, 5);
	cr_assert_gt(transport_kafka_stats(t)->skipped, 0);
	cr_assert_eq(topic_count(&c), 151);
	topic_read(&c, 151, &g);
	for (i = 0; i < g.n; i++)
		if (strstr(g.val[i], ":1000)") != NULL) {
			free(g.val[i]);
			free(g.key[i]);
			g.val[i] = g.val[--g.n];
			g.key[i] = g.key[g.n];
			break;
		}
	assert_exactly_once(&again, &g);
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&first);
	msgbatch_free(&again);
	cluster_stop(&c);
}

/* A new message with the same bytes as one already delivered is still
 * sent: each remembered message matches once. */
Test(kafka, identical_messages_each_count, .timeout = 30)
{
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb;
	char err[ERRLEN];
	size_t delivered;

	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	t = make(&tc);
	msgbatch_init(&mb);
	add_msg(&mb, "same %d", 1);
	add_msg(&mb, "same %d", 1);
	add_msg(&mb, "same %d", 1);
	broker_set(&c, 1, 0);
	cr_assert_eq(transport_kafka.send(t, &mb, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	rd_kafka_mock_broker_set_up(c.mc, 1);
	send_until_ok(t, &mb, 5);
	cr_assert_eq(topic_count(&c), 3);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

/* After a success the record is forgotten: an old batch sent again is
 * produced again (at least once, never skipped on a guess). */
Test(kafka, success_forgets_the_record, .timeout = 30)
{
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb;

	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	t = make(&tc);
	make_batch(&mb, 0, 10);
	send_until_ok(t, &mb, 1);
	send_until_ok(t, &mb, 1);
	cr_assert_eq(topic_count(&c), 20);
	cr_assert_eq(transport_kafka_stats(t)->skipped, 0);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

/* HUP: disconnect, then the next send makes a new producer */
Test(kafka, disconnect_and_send_again, .timeout = 30)
{
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb;
	char err[ERRLEN];

	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	t = make(&tc);
	cr_assert_eq(transport_kafka.is_connected(t), 0);
	cr_assert_eq(transport_kafka.connect(t, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	cr_assert_eq(transport_kafka.is_connected(t), 1);
	make_batch(&mb, 0, 10);
	send_until_ok(t, &mb, 1);
	transport_kafka.disconnect(t);
	cr_assert_eq(transport_kafka.is_connected(t), 0);
	msgbatch_free(&mb);
	make_batch(&mb, 10, 10);
	send_until_ok(t, &mb, 1);
	cr_assert_eq(topic_count(&c), 20);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

/* the idempotent producer's own errors, which it does not retry */
Test(kafka, idempotence_errors, .timeout = 40)
{
	produce_errors_then_exactly_once(RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH, 1, 1);
	produce_errors_then_exactly_once(RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID, 1, 1);
	produce_errors_then_exactly_once(RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED, 1, 1);
	produce_errors_then_exactly_once(RD_KAFKA_RESP_ERR_PRODUCER_FENCED, 1, 1);
}

/* A sequence desynchronisation is fatal for an idempotent producer: the
 * batch fails, the next send() makes a new producer and delivers it. */
Test(kafka, fatal_error_recreates_the_producer, .timeout = 30)
{
	cr_assert_eq(produce_errors_then_exactly_once(
	             RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 1, 1), 1);
}

/* Not tested: DUPLICATE_SEQUENCE_NUMBER. A real broker says it when it
 * already has the messages, so librdkafka (rightly) reports them delivered;
 * injected by the mock, nothing was stored. */

/* ---- messages refused for good: reduced, or the dead-letter file ---- */

#define SMALL_MAX      2000        /* message.max.bytes of these tests */
#define BIG_LEN        5000        /* a message over it */
#define REDUCED_MARK   "REDUCED "

static const char *const small_params[] = {
	"message.timeout.ms=2500", "retry.backoff.ms=50", "reconnect.backoff.ms=50",
	"reconnect.backoff.max.ms=200", "socket.timeout.ms=2000", "linger.ms=5",
	"message.max.bytes=2000",
};

/* the reduce hook of these tests: the mark and the message's first bytes */
typedef struct reducer {
	const msgbatch_t *mb;      /* the batch handed to send() */
	int calls;
	size_t last_limit;
	enum { R_CUT, R_FAIL, R_TOO_BIG } mode;
} reducer_t;

static int cut_hook(void *ctx, size_t idx, size_t limit, buf_t *out)
{
	reducer_t *r = ctx;
	size_t len, keep;
	const char *m;

	cr_assert_lt(idx, r->mb->n);
	m = msgbatch_msg(r->mb, idx, &len);
	r->calls++;
	r->last_limit = limit;
	if (r->mode == R_FAIL)
		return -1;
	if (r->mode == R_TOO_BIG) {
		buf_append(out, m, len);
		return 0;
	}
	cr_assert_gt(limit, sizeof(REDUCED_MARK));
	keep = limit - sizeof(REDUCED_MARK);
	buf_puts(out, REDUCED_MARK);
	buf_append(out, m, len < keep ? len : keep);
	return 0;
}

static int notices;
static void count_notice(void *ctx, const char *text)
{
	(void)ctx;
	notices++;
	cr_log_info("notice: %s", text);
}

/* a message of LEN bytes, serial I, holding LF and a forged dead-letter
 * entry header */
static void add_big(msgbatch_t *mb, int i, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head), LINE " a0=\"\nomauditfwd-deadletter 1 "
	                 "2020-01-01T00:00:00.000Z FORGED 1 - 1\nx\n", i, i);

	msgbatch_begin(mb);
	buf_append(&mb->data, head, (size_t)n);
	while (mb->data.len - mb->open_at < len)
		buf_putc(&mb->data, (char)('a' + mb->data.len % 26));
	cr_assert_eq(msgbatch_end(mb), 0);
}

/* N messages from serial FIRST, every tenth from the fifth on BIG_LEN long */
static void make_mixed(msgbatch_t *mb, int first, int n)
{
	int i;

	msgbatch_init(mb);
	for (i = first; i < first + n; i++)
		if (i % 10 == 5)
			add_big(mb, i, BIG_LEN);
		else
			add_msg(mb, LINE, i, i);
}

static int is_big(const msgbatch_t *mb, size_t i)
{
	size_t len;

	msgbatch_msg(mb, i, &len);
	return len >= BIG_LEN;
}

static void small_conf(transport_conf_t *tc, const cluster_t *c, transport_kafka_stats_t *sink)
{
	conf_for(tc, c);
	tc->kafka.conf_params = small_params;
	tc->kafka.n_conf_params = sizeof(small_params) / sizeof(small_params[0]);
	tc->kafka.key = "k1";
	memset(sink, 0, sizeof(*sink));
	tc->stats = sink;
	tc->notice = count_notice;
}

static void temp_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/test_kafka_dl.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* message I of MB is in G exactly once, as it is, or reduced by cut_hook */
static size_t find_in(const got_t *g, const char *m, size_t len)
{
	size_t j, hits = 0;

	for (j = 0; j < g->n; j++)
		hits += strlen(g->val[j]) == len && memcmp(g->val[j], m, len) == 0;
	return hits;
}

static size_t find_reduced(const got_t *g, const char *m)
{
	size_t j, hits = 0, mark = sizeof(REDUCED_MARK) - 1, n;

	for (j = 0; j < g->n; j++) {
		n = strlen(g->val[j]);
		hits += n > mark && memcmp(g->val[j], REDUCED_MARK, mark) == 0 &&
		        memcmp(g->val[j] + mark, m, n - mark) == 0;
	}
	return hits;
}

/* message.max.bytes set low: the messages over it are reduced through the
 * hook and delivered in the same send() as the others, none held back */
Test(kafka_refused, over_message_max_bytes_reduced_through_the_hook, .timeout = 40)
{
	transport_kafka_stats_t sink;
	char dir[64], path[128], err[ERRLEN];
	cluster_t c;
	transport_conf_t tc;
	reducer_t r = { 0 };
	transport_t *t;
	msgbatch_t mb;
	size_t delivered, i, len;
	const char *m;
	got_t g;

	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/dl", dir);
	cluster_start(&c, 1, 2);
	small_conf(&tc, &c, &sink);
	make_mixed(&mb, 0, 30);
	r.mb = &mb;
	tc.reduce = cut_hook;
	tc.reduce_ctx = &r;
	tc.deadletter = path;
	t = make(&tc);
	cr_assert_eq(transport_kafka.send(t, &mb, &delivered, err, sizeof(err)), TRANSPORT_OK,
	             "%s", err);
	cr_assert_eq(delivered, 30);
	cr_assert_eq(r.calls, 3);
	cr_assert_leq(r.last_limit, SMALL_MAX - 64 - 2, "limit %zu", r.last_limit);
	cr_assert_gt(r.last_limit, SMALL_MAX / 2, "limit %zu", r.last_limit);
	topic_read(&c, 30, &g);
	cr_assert_eq(g.n, 30);
	for (i = 0; i < mb.n; i++) {
		m = msgbatch_msg(&mb, i, &len);
		if (is_big(&mb, i))
			cr_assert_eq(find_reduced(&g, m), 1, "big message %zu not reduced once", i);
		else
			cr_assert_eq(find_in(&g, m, len), 1, "message %zu", i);
	}
	cr_assert_eq(sink.reduced, 3);
	cr_assert_eq(sink.permanent, 3);
	cr_assert_eq(sink.deadletter, 0);
	cr_assert_eq(notices, 1, "told once per kind, %d times", notices);
	cr_assert_eq(access(path, F_OK), -1, "a dead-letter file was written");
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
	remove_dir(dir);
}

/* No smaller version (the hook fails, or gives one still too large): the
 * messages go to the dead-letter file with their reason, whole, and the
 * batch commits in the same send(); the file reads back exactly. */
Test(kafka_refused, over_message_max_bytes_to_the_deadletter_file, .timeout = 40)
{
	transport_kafka_stats_t sink;
	char dir[64], path[128], err[ERRLEN];
	cluster_t c;
	transport_conf_t tc;
	reducer_t r = { 0 };
	transport_t *t;
	msgbatch_t mb, mb2;
	size_t delivered, i, len, k = 0;
	const char *m;
	dl_file_t d;
	got_t g;

	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/dl", dir);
	cluster_start(&c, 1, 2);
	small_conf(&tc, &c, &sink);
	make_mixed(&mb, 0, 30);
	make_mixed(&mb2, 100, 20);
	r.mb = &mb;
	r.mode = R_FAIL;
	tc.reduce = cut_hook;
	tc.reduce_ctx = &r;
	tc.deadletter = path;
	t = make(&tc);
	cr_assert_eq(transport_kafka.send(t, &mb, &delivered, err, sizeof(err)), TRANSPORT_OK,
	             "%s", err);
	cr_assert_eq(delivered, 30);
	r.mb = &mb2;
	r.mode = R_TOO_BIG;
	cr_assert_eq(transport_kafka.send(t, &mb2, &delivered, err, sizeof(err)), TRANSPORT_OK,
	             "%s", err);
	cr_assert_eq(r.calls, 5);
	cr_assert_eq(topic_count(&c), 27 + 18);
	topic_read(&c, 45, &g);
	cr_assert_eq(dl_read(path, &d), 0);
	cr_assert_not(d.malformed);
	cr_assert_eq(d.n, 5);
	for (i = 0; i < mb.n + mb2.n; i++) {
		const msgbatch_t *b = i < mb.n ? &mb : &mb2;
		size_t j = i < mb.n ? i : i - mb.n;

		m = msgbatch_msg(b, j, &len);
		if (!is_big(b, j)) {
			cr_assert_eq(find_in(&g, m, len), 1, "message %zu", i);
			continue;
		}
		cr_assert_eq(find_in(&g, m, len) + find_reduced(&g, m), 0, "%zu produced", i);
		cr_assert_str_eq(d.e[k].reason, "MSG_SIZE_TOO_LARGE");
		cr_assert_str_eq(d.e[k].topic, TOPIC);
		cr_assert_str_eq(d.e[k].key, "k1");
		cr_assert_eq(d.e[k].len, len);
		cr_assert_eq(memcmp(d.e[k].msg, m, len), 0, "entry %zu differs", k);
		k++;
	}
	cr_assert_eq(sink.deadletter, 5);
	cr_assert_eq(sink.permanent, 5);
	cr_assert_eq(sink.reduced, 0);
	cr_assert_eq(notices, 1, "told once per kind, %d times", notices);
	dl_free(&d);
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	msgbatch_free(&mb2);
	cluster_stop(&c);
	remove_dir(dir);
}

/* one message, alone in its request, refusals injected into the mock */
static void send_one_refused(transport_t *t, cluster_t *c, reducer_t *r, msgbatch_t *mb,
                             int serial, size_t cnt, rd_kafka_resp_err_t code)
{
	rd_kafka_resp_err_t errs[4];
	char err[ERRLEN];
	size_t i, delivered;

	for (i = 0; i < cnt; i++)
		errs[i] = code;
	make_batch(mb, serial, 1);
	r->mb = mb;
	rd_kafka_mock_push_request_errors_array(c->mc, PRODUCE, cnt, errs);
	cr_assert_eq(transport_kafka.send(t, mb, &delivered, err, sizeof(err)), TRANSPORT_OK,
	             "%s", err);
	cr_assert_eq(delivered, 1);
}

/* The broker refuses (its limit is below message.max.bytes): reduced to
 * half, once; refused again, or refused as invalid (no reduction tried),
 * into the dead-letter file. A whole request refused: each message is
 * tried alone, and only one refused alone is judged by it. */
Test(kafka_refused, broker_refusals, .timeout = 60)
{
	transport_kafka_stats_t sink;
	char dir[64], path[128], err[ERRLEN];
	cluster_t c;
	transport_conf_t tc;
	reducer_t r = { 0 };
	transport_t *t;
	msgbatch_t a, b, x, mb;
	size_t len, delivered, i, in_topic, in_dl;
	const char *m;
	dl_file_t d;
	got_t g;

	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/dl", dir);
	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	memset(&sink, 0, sizeof(sink));
	tc.stats = &sink;
	tc.notice = count_notice;
	tc.reduce = cut_hook;
	tc.reduce_ctx = &r;
	tc.deadletter = path;
	t = make(&tc);
	send_one_refused(t, &c, &r, &a, 1, 1, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
	m = msgbatch_msg(&a, 0, &len);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.last_limit, len / 2);
	cr_assert_eq(sink.reduced, 1);
	send_one_refused(t, &c, &r, &b, 2, 2, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
	cr_assert_eq(r.calls, 2);
	send_one_refused(t, &c, &r, &x, 3, 1, RD_KAFKA_RESP_ERR_INVALID_RECORD);
	cr_assert_eq(r.calls, 2, "an invalid record is not a matter of size");
	cr_assert_eq(sink.deadletter, 2);
	cr_assert_eq(dl_read(path, &d), 0);
	cr_assert_eq(d.n, 2);
	cr_assert_str_eq(d.e[0].reason, "MSG_SIZE_TOO_LARGE");
	m = msgbatch_msg(&b, 0, &len);
	cr_assert(d.e[0].len == len && memcmp(d.e[0].msg, m, len) == 0);
	cr_assert_str_eq(d.e[1].reason, "INVALID_RECORD");
	m = msgbatch_msg(&x, 0, &len);
	cr_assert(d.e[1].len == len && memcmp(d.e[1].msg, m, len) == 0);
	cr_assert_null(d.e[1].key);
	dl_free(&d);
	cr_assert_eq(topic_count(&c), 1);
	topic_read(&c, 1, &g);
	m = msgbatch_msg(&a, 0, &len);
	cr_assert_eq(find_reduced(&g, m), 1);
	got_free(&g);
	cr_assert_eq(notices, 3, "notices %d", notices);   /* 3 kinds: reduced; set aside, twice */

	/* a request of 20 refused, then the first one tried alone */
	make_batch(&mb, 100, 20);
	r.mb = &mb;
	rd_kafka_mock_push_request_errors(c.mc, PRODUCE, 2, RD_KAFKA_RESP_ERR_INVALID_RECORD,
	                                  RD_KAFKA_RESP_ERR_INVALID_RECORD);
	cr_assert_eq(transport_kafka.send(t, &mb, &delivered, err, sizeof(err)), TRANSPORT_OK,
	             "%s", err);
	cr_assert_eq(delivered, 20);
	cr_assert_eq(dl_read(path, &d), 0);
	cr_assert_not(d.malformed);
	in_dl = d.n - 2;
	cr_assert_leq(in_dl, 1, "%zu of 20 set aside: only one was refused alone", in_dl);
	in_topic = (size_t)topic_count(&c) - 1;
	cr_assert_eq(in_topic + in_dl, 20, "%zu produced, %zu set aside", in_topic, in_dl);
	topic_read(&c, 21, &g);
	for (i = 0; i < mb.n; i++) {
		size_t k, hits;

		m = msgbatch_msg(&mb, i, &len);
		hits = find_in(&g, m, len);
		for (k = 2; k < d.n; k++)
			hits += d.e[k].len == len && memcmp(d.e[k].msg, m, len) == 0;
		cr_assert_eq(hits, 1, "message %zu: %zu times", i, hits);
	}
	cr_log_info("request refused: %zu delivered, %zu set aside; permanent %llu", in_topic,
	            in_dl, sink.permanent);
	/* the neighbours of the refused message are not counted, but told */
	cr_assert_eq(sink.permanent, 3 + in_dl, "permanent %llu", sink.permanent);
	cr_assert(sink.isolated >= 1 && sink.isolated <= in_topic, "isolated %llu",
	          sink.isolated);
	cr_assert_eq(notices, 4, "notices %d", notices);
	dl_free(&d);
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&a);
	msgbatch_free(&b);
	msgbatch_free(&x);
	msgbatch_free(&mb);
	cluster_stop(&c);
	remove_dir(dir);
}

/* Nothing dropped silently: when the dead-letter file cannot be written
 * (or there is none), the batch stays failed and says why; once it can,
 * the retry sets the message aside and produces nothing twice. */
Test(kafka_refused, unwritable_deadletter_file_keeps_the_batch, .timeout = 40)
{
	transport_kafka_stats_t sink;
	char dir[64], sub[96], path[128], err[ERRLEN];
	cluster_t c;
	transport_conf_t tc;
	transport_t *t, *t2;
	msgbatch_t mb;
	size_t delivered;
	dl_file_t d;

	temp_dir(dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/later", dir);
	snprintf(path, sizeof(path), "%s/dl", sub);
	cluster_start(&c, 1, 1);
	small_conf(&tc, &c, &sink);
	tc.deadletter = path;
	t = make(&tc);
	make_mixed(&mb, 0, 10);
	cr_assert_eq(transport_kafka.send(t, &mb, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	cr_log_info("%s", err);
	cr_assert(strstr(err, "dead-letter file") != NULL && strstr(err, path) != NULL, "%s", err);
	cr_assert_eq(sink.deadletter_failed, 1);
	cr_assert_eq(sink.deadletter, 0);
	cr_assert_eq(topic_count(&c), 9);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_assert_eq(transport_kafka.send(t, &mb, &delivered, err, sizeof(err)), TRANSPORT_OK,
	             "%s", err);
	cr_assert_eq(topic_count(&c), 9, "the retry produced messages twice");
	cr_assert_eq(dl_read(path, &d), 0);
	cr_assert_eq(d.n, 1);
	cr_assert_eq(sink.deadletter, 1);
	cr_assert_eq(sink.permanent, 1, "counted per message, not per try");
	dl_free(&d);
	transport_kafka.destroy(t);
	/* no file at all: the same, and the reason says there is none */
	tc.deadletter = NULL;
	t2 = make(&tc);
	cr_assert_eq(transport_kafka.send(t2, &mb, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	cr_assert(strstr(err, "no dead-letter file") != NULL, "%s", err);
	transport_kafka.destroy(t2);
	msgbatch_free(&mb);
	cluster_stop(&c);
	remove_dir(dir);
}

/* kafka.errors.permanent counts messages: a topic refusal (authorization)
 * that lasts three tries counts the batch's messages once */
Test(kafka_refused, permanent_counts_messages_not_tries, .timeout = 40)
{
	rd_kafka_resp_err_t errs[3] = { RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
	                                RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
	                                RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED };
	transport_kafka_stats_t sink;
	cluster_t c;
	transport_conf_t tc;
	transport_t *t;
	msgbatch_t mb;
	int tries;

	cluster_start(&c, 1, 1);
	conf_for(&tc, &c);
	memset(&sink, 0, sizeof(sink));
	tc.stats = &sink;
	t = make(&tc);
	make_batch(&mb, 0, 10);
	rd_kafka_mock_push_request_errors_array(c.mc, PRODUCE, 3, errs);
	tries = send_until_ok(t, &mb, 8);
	cr_log_info("%d tries, permanent %llu failed %llu", tries, sink.permanent, sink.failed);
	cr_assert_geq(tries, 3);
	cr_assert_eq(sink.permanent, 10);
	cr_assert_eq(sink.deadletter, 0, "a topic's refusal is not the message's");
	cr_assert_eq(topic_count(&c), 10);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	cluster_stop(&c);
}

/* A reduced message whose Produce request goes unanswered (slow broker)
 * is in doubt like any other: the retry reads the partition back for the
 * reduced bytes, which were stored, and produces nothing twice. */
Test(kafka_refused, reduced_message_in_doubt_is_read_back, .timeout = 90)
{
	static const char *const params[] = {
		"message.timeout.ms=1500", "socket.timeout.ms=10000", "linger.ms=5",
		"retry.backoff.ms=50", "reconnect.backoff.ms=50", "reconnect.backoff.max.ms=200",
		"message.max.bytes=2000",
	};
	transport_kafka_stats_t sink;
	cluster_t c;
	transport_conf_t tc;
	reducer_t r = { 0 };
	transport_t *t;
	msgbatch_t mb, one;
	char err[ERRLEN];
	size_t delivered, i, len;
	const char *m;
	got_t g;

	cluster_start(&c, 1, 1);
	small_conf(&tc, &c, &sink);
	tc.kafka.conf_params = params;
	tc.kafka.n_conf_params = sizeof(params) / sizeof(params[0]);
	tc.io_timeout_ms = 5000;
	tc.reduce = cut_hook;
	tc.reduce_ctx = &r;
	t = make(&tc);
	make_batch(&one, 1000, 1);
	send_until_ok(t, &one, 3);
	/* only messages over the limit: their reduced versions are the only
	 * requests, sent to a broker that stores them and answers too late */
	msgbatch_init(&mb);
	for (i = 0; i < 3; i++)
		add_big(&mb, (int)i, BIG_LEN);
	r.mb = &mb;
	rd_kafka_mock_broker_set_rtt(c.mc, 1, 4000);
	usleep(MOCK_SETTLE_US);
	cr_assert_eq(transport_kafka.send(t, &mb, &delivered, err, sizeof(err)),
	             TRANSPORT_RETRY);
	cr_log_info("slow broker: %s", err);
	cr_assert_eq(r.calls, 3);
	cr_assert_geq(sink.doubt, 1, "no reduced message in doubt: %s", err);
	rd_kafka_mock_broker_set_rtt(c.mc, 1, 0);
	usleep(MOCK_SETTLE_US);
	send_until_ok(t, &mb, 5);
	cr_log_info("produced %llu doubt %llu found %llu absent %llu reduced %llu", sink.produced,
	            sink.doubt, sink.doubt_found, sink.doubt_absent, sink.reduced);
	cr_assert_eq(r.calls, 3, "reduced again on the retry");
	cr_assert_eq(sink.reduced, 3, "found by reading back is delivered too");
	cr_assert_eq(sink.doubt_found, sink.doubt, "found %llu of %llu in doubt",
	             sink.doubt_found, sink.doubt);
	cr_assert_eq(topic_count(&c), 4);
	topic_read(&c, 4, &g);
	for (i = 0; i < mb.n; i++) {
		m = msgbatch_msg(&mb, i, &len);
		if (is_big(&mb, i))
			cr_assert_eq(find_reduced(&g, m), 1, "big message %zu", i);
		else
			cr_assert_eq(find_in(&g, m, len), 1, "message %zu", i);
	}
	got_free(&g);
	transport_kafka.destroy(t);
	msgbatch_free(&mb);
	msgbatch_free(&one);
	cluster_stop(&c);
}
