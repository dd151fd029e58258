/* transport_kafka.c -- Kafka through a librdkafka producer.
 *
 * A batch is delivered when every message of it has a successful delivery
 * report; anything less is TRANSPORT_RETRY and the caller sends the same
 * batch again later. Defaults: acks=all, enable.idempotence=true,
 * linger.ms=5, message.timeout.ms=60000; confParam/topicConfParam override
 * them, and create() checks the whole configuration (including librdkafka's
 * own cross-checks) with a producer that has no brokers, so no network I/O.
 *
 * Retries without duplicates. The transport remembers the last batch that
 * failed: per message its bytes (key and value, copied) and its state:
 * delivered, still in flight inside librdkafka, or not delivered. The next
 * send() matches each of its messages to a remembered one with exactly the
 * same key and value (a 64-bit hash finds the candidate, memcmp confirms;
 * each remembered message matches at most one new one, the one at the same
 * index first). A delivered match is not produced again; an in-flight match
 * is not produced again either, its pending report is awaited for the new
 * batch; everything else is produced. So a batch retried as it was (or
 * reordered, shrunk or grown around the failed messages) yields each message
 * once. What is not matched is produced: a message whose bytes changed
 * between tries, or a retry that comes after an unrelated batch succeeded
 * (a success forgets the record), is sent again -- at least once, never
 * lost.
 *
 * Messages in doubt. librdkafka reports a message failed with the status
 * "possibly persisted" when its Produce request was sent but unanswered
 * when the message timed out (message.timeout.ms, e.g. a broker outage
 * longer than it), was purged (close, recreate) or the producer failed
 * fatally: the broker may have stored it, and after the epoch bump that
 * follows, producing it again would store it twice. Such a message is kept
 * in doubt (KM_DOUBT, with its partition and the highest offset acknowledged
 * in that partition before the doubt arose); the retry first reads that
 * partition back from there (kafka_readback.c): found, it is delivered;
 * not found, it is produced again. Only when the read-back cannot be done
 * (more than KAFKA_READBACK_MAX messages to read) is it produced again
 * unverified, counted in doubt_unresolved: the one case of a duplicate.
 *
 * Messages refused for good. Most errors concern the topic or the cluster
 * and keep the batch (it is retried until the cause is fixed). A few concern
 * one message only (msg_refusals[]: too large, an invalid record): it will
 * never be produced as it is, and must not hold back the others. A broker
 * refuses a whole request for it, so a message refused that way is produced
 * alone first; refused alone (or by librdkafka's own size check), it is
 * produced once more in a smaller version when the error is about its size
 * and the conf has a reduce hook, and otherwise (or when that is refused
 * too) it is written with its reason to the dead-letter file
 * (deadletter.h) and settled (KM_SETTLED): the batch commits. Without a
 * file, or when writing it fails, it stays not delivered: nothing is
 * dropped to get unstuck.
 *
 * Fatal producer errors (rd_kafka_fatal_error, e.g. idempotence state that
 * cannot be recovered) fail the batch; the next send() destroys the producer
 * (collecting every delivery report it still owes) and creates a new one.
 * librdkafka's callbacks run only inside our rd_kafka_poll()/flush() calls,
 * on the caller's thread, so the state needs no lock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "clock_ms.h"
#include "deadletter.h"
#include "hmap.h"
#include "kafka_readback.h"
#include "kafka_stats.h"
#include "reduce.h"
#include "transport.h"

#define KAFKA_DEFAULT_PORT       9092
#define KAFKA_LINGER_MS          "5"
#define KAFKA_MESSAGE_TIMEOUT_MS "60000"
#define KAFKA_STATS_INTERVAL_MS  "10000"
#define KAFKA_POLL_MS            50     /* one wait for delivery reports */
#define KAFKA_CONNECT_SLICE_MS   250    /* one wait for metadata */
#define KAFKA_STOP_WAIT_MS       1000   /* shutting down: wait without progress */
#define KAFKA_QUEUE_FULL_WAIT_MS 10     /* producer queue full: serve reports */
#define KAFKA_TICKET_CHUNK       256
#define KAFKA_TOPIC_MAX          TRANSPORT_KAFKA_TOPIC_MAX
#define KAFKA_TOPIC_FALLBACK     "_"    /* dynamic topics, a message without */
#define KAFKA_HASH_BUCKETS      256    /* to start with: the maps grow */
#define FNV_OFFSET_BASIS        0xcbf29ce484222325ULL
#define KAFKA_READBACK_MAX       500000 /* messages read to settle a doubt */
/* what librdkafka adds to a message's key, value and headers when it checks
 * message.max.bytes (a record's varints and attributes; rounded up) */
#define KAFKA_MSG_OVERHEAD       64
#define KAFKA_HEADER_OVERHEAD    12     /* per header: its varints */
/* a broker refused a message that is within message.max.bytes: its own
 * limit is lower and unknown here; the reduced version gets this share */
#define KAFKA_REDUCE_DIVISOR     2

/* KM_DOUBT: failed "possibly persisted"; settled by reading back.
 * KM_SETTLED: refused for good and written to the dead-letter file: done,
 * like KM_DELIVERED, for the batch. */
enum { KM_TODO = 0, KM_INFLIGHT, KM_DELIVERED, KM_DOUBT, KM_SETTLED };

/* msg_opaque of one produced message: which entry its report is for */
typedef struct ticket {
	struct ticket *next_free;
	long idx;                  /* into t->cur; -1: its batch is forgotten */
} ticket_t;

typedef struct ticket_chunk {
	struct ticket_chunk *next;
	ticket_t tk[KAFKA_TICKET_CHUNK];
} ticket_chunk_t;

typedef struct kmsg {
	const char *val, *key;     /* into the caller's batch or t->saved */
	size_t vlen, klen;         /* key NULL: no key */
	const char *topic;         /* t->topic, or a route's (not NUL-terminated);
	                            * never NULL */
	size_t tlen;
	uint64_t hash;             /* msg_hash, once hashed is set (entry_hash) */
	int hashed;
	ticket_t *tk;              /* set while KM_INFLIGHT */
	int state;
	int taken;                 /* matching scratch */
	int refused;               /* produce() itself failed (err) */
	rd_kafka_resp_err_t err;   /* why it was not delivered */
	int32_t partition;         /* KM_DOUBT: where it may be */
	int64_t floor;             /* KM_DOUBT: it can only be after this offset */
	char *rbuf;                /* the reduced version produced instead of val
	                            * (owned, moves with the entry), or NULL */
	size_t rlen;
	int reduced;               /* a reduced version was asked for (once) */
	int alone;                 /* refused while produced alone: its own fault */
	int counted;               /* counted in permanent */
} kmsg_t;

typedef struct kmsgs {
	kmsg_t *v;
	size_t n, cap;
} kmsgs_t;

/* a topic handle of the producer, by name (dynamic topics) */
typedef struct topic_ref {
	hmap_node_t hnode;         /* in t->topics, by fnv1a of the name */
	rd_kafka_topic_t *rkt;
	size_t len;
	char name[];
} topic_ref_t;

/* the highest offset acknowledged in one partition of one topic */
typedef struct acked {
	hmap_node_t hnode;         /* in t->acked, by acked_hash */
	int32_t partition;
	int64_t offset;
	size_t len;
	char topic[];
} acked_t;

struct transport {
	transport_conf_t conf;
	char *brokers, *topic, *key;
	size_t topic_len;
	int key_host;              /* key = the host of the route (its header's) */
	rd_kafka_headers_t *hdrs;  /* a copy goes with every message; or NULL */
	rd_kafka_conf_t *kconf;    /* checked; each producer gets a copy */
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;     /* t->topic's; NULL when the topics are dynamic */
	int fatal;                 /* recreate the producer before the next send */
	int stale;                 /* produce() refused messages: likewise */
	int suspect;               /* last send failed: connect() probes again */
	char fatal_str[256];
	char client_err[256];      /* latest error_cb reason */
	kmsgs_t cur;               /* batch being sent, or the last failed one */
	kmsgs_t nxt;
	size_t batch_n;            /* cur: the batch's entries come first */
	size_t matched;            /* entries of the record the batch matched */
	size_t inflight;           /* batch entries that are KM_INFLIGHT */
	size_t round;              /* messages in flight together this send() */
	char *deadletter;          /* the dead-letter file, or NULL */
	char dl_err[300];          /* why refused messages could not be set aside */
	size_t max_msg;            /* message.max.bytes */
	size_t hdrs_size;          /* what the configured headers add to a message */
	unsigned long long reports;
	buf_t saved;               /* bytes of the record (failed batches) */
	buf_t spare;
	/* matching: open addressing over cur, an index of that array built
	 * anew for each batch (so not a util/hmap map: it has no nodes) */
	size_t *slots;
	size_t nslots;
	hmap_t acked;              /* acked_t */
	/* the routes' topics: librdkafka finds a topic by name with a linear
	 * search, and keeps each one until the producer is destroyed anyway */
	hmap_t topics;             /* topic_ref_t */
	ticket_chunk_t *chunks;
	ticket_t *free_tk;
	transport_kafka_stats_t own;   /* when the caller gives no sink */
	transport_kafka_stats_t *st;   /* where we count */
	kafka_stats_sample_t last;     /* this producer's last statistics */
};

#define STAT_ADD(t, f, n) __atomic_fetch_add(&(t)->st->f, (n), __ATOMIC_RELAXED)

static int stopping(const transport_t *t)
{
	return t->conf.should_stop != NULL && t->conf.should_stop();
}

/* nothing more to do for E: delivered, or in the dead-letter file */
static int settled(const kmsg_t *e)
{
	return e->state == KM_DELIVERED || e->state == KM_SETTLED;
}

static uint64_t fnv1a(uint64_t h, const char *p, size_t n)
{
	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t msg_hash(const kmsg_t *e)
{
	uint64_t h = FNV_OFFSET_BASIS;

	if (e->key != NULL)
		h = fnv1a(fnv1a(h, e->key, e->klen), "\0k", 2);
	h = fnv1a(fnv1a(h, e->topic, e->tlen), "\0t", 2);
	return fnv1a(h, e->val, e->vlen);
}

/* E's hash, computed on first use: only a batch compared with the record
 * of a failed one needs it, and hashing every byte of every message would
 * cost the sender about as much as the rest of the transport */
static uint64_t entry_hash(kmsg_t *e)
{
	if (!e->hashed) {
		e->hash = msg_hash(e);
		e->hashed = 1;
	}
	return e->hash;
}

/* E as it was produced: with its reduced version's bytes when it has one
 * (what reading a partition back can find); hashed */
static kmsg_t produced_view(const kmsg_t *e)
{
	kmsg_t v = *e;

	if (e->rbuf != NULL) {
		v.val = e->rbuf;
		v.vlen = e->rlen;
		v.hashed = 0;
	}
	entry_hash(&v);
	return v;
}

static int msg_same(kmsg_t *a, kmsg_t *b)
{
	return entry_hash(a) == entry_hash(b) && a->vlen == b->vlen &&
	       (a->key == NULL) == (b->key == NULL) && a->klen == b->klen &&
	       a->tlen == b->tlen && memcmp(a->val, b->val, a->vlen) == 0 &&
	       (a->key == NULL || memcmp(a->key, b->key, a->klen) == 0) &&
	       memcmp(a->topic, b->topic, a->tlen) == 0;
}

/* ---- tickets ---- */

static ticket_t *ticket_get(transport_t *t)
{
	ticket_t *tk;
	size_t i;

	if (t->free_tk == NULL) {
		ticket_chunk_t *c = malloc(sizeof(*c));

		if (c == NULL)
			return NULL;
		c->next = t->chunks;
		t->chunks = c;
		for (i = 0; i < KAFKA_TICKET_CHUNK; i++) {
			c->tk[i].next_free = t->free_tk;
			t->free_tk = &c->tk[i];
		}
	}
	tk = t->free_tk;
	t->free_tk = tk->next_free;
	return tk;
}

static void ticket_put(transport_t *t, ticket_t *tk)
{
	tk->next_free = t->free_tk;
	t->free_tk = tk;
}

/* ---- offsets acknowledged, per topic and partition ---- */

static uint64_t acked_hash(const char *topic, size_t n, int32_t p)
{
	return fnv1a(FNV_OFFSET_BASIS, topic, n) + (uint64_t)p;
}

static acked_t *acked_find(const transport_t *t, const char *topic, size_t n, int32_t p)
{
	uint64_t h = acked_hash(topic, n, p);
	hmap_node_t *hn;

	for (hn = hmap_chain(&t->acked, h); hn != NULL; hn = hn->next) {
		acked_t *a = HMAP_ENTRY(hn, acked_t, hnode);

		if (a->partition == p && a->len == n && memcmp(a->topic, topic, n) == 0)
			return a;
	}
	return NULL;
}

static void note_acked(transport_t *t, const char *topic, int32_t p, int64_t offset)
{
	acked_t *a;
	size_t n;

	if (p < 0 || offset < 0 || topic == NULL)
		return;
	n = strlen(topic);
	if ((a = acked_find(t, topic, n, p)) == NULL) {
		if ((a = malloc(sizeof(*a) + n + 1)) == NULL)
			return;         /* a doubt there reads from the start */
		a->partition = p;
		a->offset = -1;
		a->len = n;
		memcpy(a->topic, topic, n + 1);
		hmap_insert(&t->acked, &a->hnode, acked_hash(topic, n, p));
		if (t->acked.n > t->acked.nbuckets)   /* a failure only costs speed */
			(void)hmap_resize(&t->acked, t->acked.nbuckets * 2);
	}
	if (offset > a->offset)
		a->offset = offset;
}

/* -1: none known */
static int64_t acked_offset(transport_t *t, const kmsg_t *e, int32_t p)
{
	const acked_t *a;

	if (p < 0)
		return -1;
	a = acked_find(t, e->topic, e->tlen, p);
	return a != NULL ? a->offset : -1;
}

/* the producer's handle of topic NAME (LEN bytes), made on first use;
 * NULL (rd_kafka_last_error() says why) when librdkafka refuses it */
static rd_kafka_topic_t *topic_handle(transport_t *t, const char *name, size_t len)
{
	uint64_t h = fnv1a(FNV_OFFSET_BASIS, name, len);
	char cname[KAFKA_TOPIC_MAX + 1];
	rd_kafka_topic_t *rkt;
	hmap_node_t *hn;
	topic_ref_t *r;

	for (hn = hmap_chain(&t->topics, h); hn != NULL; hn = hn->next) {
		r = HMAP_ENTRY(hn, topic_ref_t, hnode);
		if (r->len == len && memcmp(r->name, name, len) == 0)
			return r->rkt;
	}
	if (len > KAFKA_TOPIC_MAX)
		return NULL;
	memcpy(cname, name, len);
	cname[len] = '\0';
	if ((rkt = rd_kafka_topic_new(t->rk, cname, NULL)) == NULL)
		return NULL;
	if ((r = malloc(sizeof(*r) + len + 1)) == NULL) {
		rd_kafka_topic_destroy(rkt);
		return NULL;
	}
	r->rkt = rkt;
	r->len = len;
	memcpy(r->name, cname, len + 1);
	hmap_insert(&t->topics, &r->hnode, h);
	if (t->topics.n > t->topics.nbuckets)   /* a failure only costs speed */
		(void)hmap_resize(&t->topics, t->topics.nbuckets * 2);
	return rkt;
}

static void topic_free(hmap_node_t *hn, void *ud)
{
	topic_ref_t *r = HMAP_ENTRY(hn, topic_ref_t, hnode);

	(void)ud;
	rd_kafka_topic_destroy(r->rkt);
	free(r);
}

static void topics_free(transport_t *t)
{
	hmap_clear(&t->topics, topic_free, NULL);
}

static void acked_free(hmap_node_t *hn, void *ud)
{
	(void)ud;
	free(HMAP_ENTRY(hn, acked_t, hnode));
}

/* An error Kafka repeats on every try until someone fixes its cause. A
 * broker error in a delivery report is one: librdkafka retries the others
 * until the message times out (then the report says _MSG_TIMED_OUT). The
 * idempotence errors are not: a new producer gets past them. */
static int is_permanent(rd_kafka_resp_err_t err)
{
	switch (err) {
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
	case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
		return 1;
	case RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER:
	case RD_KAFKA_RESP_ERR_DUPLICATE_SEQUENCE_NUMBER:
	case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
	case RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID:
	case RD_KAFKA_RESP_ERR_PRODUCER_FENCED:
		return 0;
	default:
		return err > 0;
	}
}

/* Refusals that concern one message, not the topic or the cluster: this
 * message, as it is, will never be produced (the others may well be). A
 * broker refuses a whole request for them, so a message is only judged by
 * them when it was refused alone. Their index is their kind (notices). */
static const rd_kafka_resp_err_t msg_refusals[] = {
	RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,     /* > message.max.bytes (local or
	                                           * the broker's max.message.bytes) */
	RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE,  /* > the broker's segment size */
	RD_KAFKA_RESP_ERR_INVALID_RECORD,         /* the broker cannot validate it */
};
#define KAFKA_N_REFUSALS (sizeof(msg_refusals) / sizeof(msg_refusals[0]))

/* the index of ERR in msg_refusals, or -1 */
static int msg_refusal(rd_kafka_resp_err_t err)
{
	size_t i;

	for (i = 0; i < KAFKA_N_REFUSALS; i++)
		if (msg_refusals[i] == err)
			return (int)i;
	return -1;
}

/* a refusal that a smaller version of the message may get past */
static int size_refusal(rd_kafka_resp_err_t err)
{
	return err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ||
	       err == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE;
}

/* Count E in permanent once, however often it is retried (E NULL: a
 * message of a forgotten batch). */
static void count_permanent(transport_t *t, kmsg_t *e, rd_kafka_resp_err_t err)
{
	if (!is_permanent(err) || (e != NULL && e->counted))
		return;
	if (e != NULL)
		e->counted = 1;
	STAT_ADD(t, permanent, 1);
}

/* ---- librdkafka callbacks (served by our poll/flush calls) ---- */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	transport_t *t = opaque;
	ticket_t *tk = m->_private;
	kmsg_t *e;

	(void)rk;
	t->reports++;
	e = tk != NULL && tk->idx >= 0 ? &t->cur.v[tk->idx] : NULL;
	if (m->err)
		STAT_ADD(t, failed, 1);
	else
		STAT_ADD(t, delivered, 1);
	/* a refusal of one message fails the whole request: counted once the
	 * message is found to be the cause (judge_refused) */
	if (m->err && msg_refusal(m->err) < 0)
		count_permanent(t, e, m->err);
	if (!m->err)
		note_acked(t, rd_kafka_topic_name(m->rkt), m->partition, m->offset);
	if (tk == NULL)
		return;
	if (e != NULL) {
		if (!m->err && e->rbuf != NULL)
			STAT_ADD(t, reduced, 1);
		e->tk = NULL;
		if ((size_t)tk->idx < t->batch_n)
			t->inflight--;
		e->state = m->err ? KM_TODO : KM_DELIVERED;
		e->err = m->err;
		e->refused = 0;
		if (m->err && m->partition >= 0 &&
		    rd_kafka_message_status(m) == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED) {
			e->state = KM_DOUBT;
			e->partition = m->partition;
			e->floor = acked_offset(t, e, m->partition);
			STAT_ADD(t, doubt, 1);
		}
	}
	/* these leave the topic in an error state that produce() keeps
	 * returning until a metadata refresh: use a new producer */
	if (m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
	    m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
	    m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
		t->stale = 1;
	ticket_put(t, tk);
}

/* Add what changed since this producer's last statistics: the sums over
 * several producers (workers) stay right, gauges included. */
static void stats_apply(transport_t *t, const kafka_stats_sample_t *s)
{
	STAT_ADD(t, queue_msgs, (unsigned long long)(s->msg_cnt - t->last.msg_cnt));
	STAT_ADD(t, tx_errors, (unsigned long long)(s->txerrs - t->last.txerrs));
	STAT_ADD(t, tx_retries, (unsigned long long)(s->txretries - t->last.txretries));
	STAT_ADD(t, req_timeouts,
	         (unsigned long long)(s->req_timeouts - t->last.req_timeouts));
	t->last = *s;
}

static int on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
	kafka_stats_sample_t s;

	(void)rk;
	if (kafka_stats_parse(json, len, &s) == 0)
		stats_apply(opaque, &s);
	return 0;       /* librdkafka frees JSON */
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	transport_t *t = opaque;

	snprintf(t->client_err, sizeof(t->client_err), "%s", reason);
	if (err == RD_KAFKA_RESP_ERR__FATAL && !t->fatal) {
		t->fatal = 1;
		rd_kafka_fatal_error(rk, t->fatal_str, sizeof(t->fatal_str));
	}
}

/* librdkafka logs nothing unless asked (confParam debug=...): errors reach
 * the caller through error_cb and errstr instead. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk; (void)level; (void)fac; (void)buf;
}

/* ---- configuration ---- */

static int set_param(rd_kafka_conf_t *kc, rd_kafka_topic_conf_t *tc, const char *what,
                     const char *kv, char *errstr, size_t errlen)
{
	char name[256], err[512];
	const char *eq = strchr(kv, '=');
	size_t n;
	rd_kafka_conf_res_t r;

	if (eq == NULL || eq == kv || (n = (size_t)(eq - kv)) >= sizeof(name)) {
		snprintf(errstr, errlen, "kafka parameter '%s': \"%s\": expected key=value", what, kv);
		return -1;
	}
	memcpy(name, kv, n);
	name[n] = '\0';
	r = tc ? rd_kafka_topic_conf_set(tc, name, eq + 1, err, sizeof(err))
	       : rd_kafka_conf_set(kc, name, eq + 1, err, sizeof(err));
	if (r != RD_KAFKA_CONF_OK) {
		snprintf(errstr, errlen, "kafka parameter '%s': \"%s\": %s", what, kv, err);
		return -1;
	}
	return 0;
}

#define TOPIC_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

static int topic_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > KAFKA_TOPIC_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	return strspn(s, TOPIC_CHARS) == n;
}

size_t transport_kafka_topic_fix(const char *name, size_t len,
                                 char out[TRANSPORT_KAFKA_TOPIC_MAX + 1], int *changed)
{
	size_t i, n = 0;

	*changed = len > KAFKA_TOPIC_MAX;
	if (len == 0 || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.')) {
		out[n++] = '_';
		*changed = 1;
	}
	for (i = 0; i < len && n < KAFKA_TOPIC_MAX; i++) {
		if (name[i] != '\0' && strchr(TOPIC_CHARS, name[i]) != NULL) {
			out[n++] = name[i];
		} else {
			out[n++] = '_';
			*changed = 1;
		}
	}
	out[n] = '\0';
	return n;
}

/* the configured headers ("name=value") as a list; 0, or -1 with ERRSTR */
static int build_headers(transport_t *t, const transport_conf_t *c, char *errstr,
                         size_t errlen)
{
	const char *kv, *eq;
	size_t i;

	if (c->kafka.n_headers == 0)
		return 0;
	if (c->kafka.headers == NULL) {
		snprintf(errstr, errlen, "kafka kafkaHeader: no array");
		return -1;
	}
	t->hdrs = rd_kafka_headers_new(c->kafka.n_headers);
	for (i = 0; i < c->kafka.n_headers; i++) {
		kv = c->kafka.headers[i];
		if ((eq = strchr(kv, '=')) == NULL || eq == kv) {
			snprintf(errstr, errlen, "kafka parameter 'kafkaHeader': \"%s\": expected "
			         "name=value", kv);
			return -1;
		}
		rd_kafka_header_add(t->hdrs, kv, eq - kv, eq + 1, -1);
		t->hdrs_size += strlen(kv) - 1 + KAFKA_HEADER_OVERHEAD;
	}
	return 0;
}

static int has_param(const char *const *v, size_t n, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < n; i++)
		if (strncmp(v[i], name, len) == 0 && v[i][len] == '=')
			return 1;
	return 0;
}

/* t->kconf from the configuration: our defaults, then confParam, then
 * topicConfParam, then compression (the dedicated parameter wins). */
static int build_conf(transport_t *t, const transport_conf_t *c, char *errstr,
                      size_t errlen)
{
	static const char *const defaults[] = {
		"acks=all", "enable.idempotence=true", "linger.ms=" KAFKA_LINGER_MS,
		"message.timeout.ms=" KAFKA_MESSAGE_TIMEOUT_MS,
		"statistics.interval.ms=" KAFKA_STATS_INTERVAL_MS,
	};
	static const char *const codecs[] = { "none", "gzip", "snappy", "lz4", "zstd" };
	rd_kafka_topic_conf_t *tc;
	char kv[64];
	size_t i;

	t->kconf = rd_kafka_conf_new();
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (set_param(t->kconf, NULL, "default", defaults[i], errstr, errlen) != 0)
			return -1;
	for (i = 0; i < c->kafka.n_conf_params; i++)
		if (set_param(t->kconf, NULL, "confParam", c->kafka.conf_params[i], errstr,
		              errlen) != 0)
			return -1;
	if ((tc = rd_kafka_conf_get_default_topic_conf(t->kconf)) == NULL) {
		tc = rd_kafka_topic_conf_new();
		rd_kafka_conf_set_default_topic_conf(t->kconf, tc);
	}
	for (i = 0; i < c->kafka.n_topic_conf_params; i++)
		if (set_param(NULL, tc, "topicConfParam", c->kafka.topic_conf_params[i],
		              errstr, errlen) != 0)
			return -1;
	if (c->kafka.compression != NULL && c->kafka.compression[0] != '\0') {
		for (i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
			if (strcmp(c->kafka.compression, codecs[i]) == 0)
				break;
		if (i == sizeof(codecs) / sizeof(codecs[0])) {
			snprintf(errstr, errlen, "kafka parameter 'compression': \"%s\": expected one of "
			         "none, gzip, snappy, lz4, zstd", c->kafka.compression);
			return -1;
		}
		snprintf(kv, sizeof(kv), "compression.codec=%s", codecs[i]);
		if (set_param(t->kconf, NULL, "compression", kv, errstr, errlen) != 0)
			return -1;
	}
	if (!has_param(c->kafka.conf_params, c->kafka.n_conf_params, "debug"))
		rd_kafka_conf_set_log_cb(t->kconf, on_log);
	return 0;
}

/* librdkafka checks combinations (acks vs idempotence, linger vs timeout,
 * TLS files, ...) only when a handle is created: create one that has no
 * brokers, so it does no network I/O, and throw it away. */
static int trial_producer(transport_t *t, char *errstr, size_t errlen)
{
	rd_kafka_conf_t *kc = rd_kafka_conf_dup(t->kconf);
	char err[512];
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;

	rd_kafka_conf_set_log_cb(kc, on_log);
	if (rd_kafka_conf_set(kc, "bootstrap.servers", "", err, sizeof(err)) !=
	    RD_KAFKA_CONF_OK ||
	    (rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof(err))) == NULL) {
		rd_kafka_conf_destroy(kc);
		snprintf(errstr, errlen, "kafka parameter 'confParam' (on top of the defaults "
		         "acks=all, enable.idempotence=true, linger.ms=" KAFKA_LINGER_MS "): %s", err);
		return -1;
	}
	rkt = rd_kafka_topic_new(rk, t->topic, NULL);
	if (rkt == NULL)
		snprintf(errstr, errlen, "kafka topic \"%s\": %s", t->topic,
		         rd_kafka_err2str(rd_kafka_last_error()));
	else
		rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return rkt == NULL ? -1 : 0;
}

/* the number librdkafka's setting NAME holds in KC, or 0 */
static size_t conf_size(const rd_kafka_conf_t *kc, const char *name)
{
	char v[64];
	size_t n = sizeof(v);

	if (rd_kafka_conf_get(kc, name, v, &n) != RD_KAFKA_CONF_OK)
		return 0;
	return (size_t)strtoull(v, NULL, 10);
}

static char *brokers_from_target(const transport_conf_t *c)
{
	size_t n;
	char *s;

	if (c->kafka.brokers != NULL && c->kafka.brokers[0] != '\0')
		return strdup(c->kafka.brokers);
	if (c->target == NULL || c->target[0] == '\0')
		return NULL;
	/* one host without a port: add the configured one */
	if (c->port > 0 && strpbrk(c->target, ":,") == NULL) {
		n = strlen(c->target) + 8;
		if ((s = malloc(n)) != NULL)
			snprintf(s, n, "%s:%d", c->target, c->port);
		return s;
	}
	return strdup(c->target);
}

static void kafka_destroy(transport_t *t);

/* the topic and offset maps of a new T: 0, or -1 (memory) */
static int maps_init(transport_t *t)
{
	return hmap_init(&t->acked, KAFKA_HASH_BUCKETS) != 0 ||
	       hmap_init(&t->topics, KAFKA_HASH_BUCKETS) != 0 ? -1 : 0;
}

static transport_rc_t kafka_create(transport_t **out, const transport_conf_t *conf,
                                   char *errstr, size_t errlen)
{
	transport_t *t;

	*out = NULL;
	if ((conf->kafka.brokers == NULL || conf->kafka.brokers[0] == '\0') &&
	    (conf->target == NULL || conf->target[0] == '\0')) {
		snprintf(errstr, errlen, "kafka: parameter 'broker' (or 'target') required");
		return TRANSPORT_CONFIG;
	}
	/* dynamic topics need none (KAFKA_TOPIC_FALLBACK) */
	if (conf->kafka.topic != NULL ? !topic_name_ok(conf->kafka.topic)
	                              : !conf->kafka.topic_dynamic) {
		snprintf(errstr, errlen, "kafka parameter 'topic': \"%s\": expected 1 to %d characters "
		         "of a-z A-Z 0-9 . _ -", conf->kafka.topic ? conf->kafka.topic : "",
		         KAFKA_TOPIC_MAX);
		return TRANSPORT_CONFIG;
	}
	if (conf->kafka.n_conf_params > 0 && conf->kafka.conf_params == NULL) {
		snprintf(errstr, errlen, "kafka confParam: no array");
		return TRANSPORT_CONFIG;
	}
	if (conf->kafka.n_topic_conf_params > 0 && conf->kafka.topic_conf_params == NULL) {
		snprintf(errstr, errlen, "kafka topicConfParam: no array");
		return TRANSPORT_CONFIG;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL || maps_init(t) != 0)
		goto oom;
	buf_init(&t->saved);
	buf_init(&t->spare);
	transport_conf_keep(&t->conf, conf);
	t->st = conf->stats != NULL ? (transport_kafka_stats_t *)conf->stats : &t->own;
	if ((t->brokers = brokers_from_target(conf)) == NULL ||
	    (t->topic = strdup(conf->kafka.topic != NULL ? conf->kafka.topic
	                                                 : KAFKA_TOPIC_FALLBACK)) == NULL ||
	    (conf->kafka.key != NULL && (t->key = strdup(conf->kafka.key)) == NULL))
		goto oom;
	if (t->key != NULL && t->key[0] == '\0') {
		free(t->key);
		t->key = NULL;
	}
	t->key_host = t->key != NULL && strcmp(t->key, "host") == 0;
	t->topic_len = strlen(t->topic);
	/* of the kafka settings, the numbers; the strings are t's own copies,
	 * the arrays live on in kconf and hdrs */
	t->conf.kafka.topic_dynamic = conf->kafka.topic_dynamic;
	t->conf.kafka.close_timeout_ms = conf->kafka.close_timeout_ms < 0
	                                 ? TRANSPORT_DEFAULT_KAFKA_CLOSE_TIMEOUT_MS
	                                 : conf->kafka.close_timeout_ms;
	if (build_headers(t, conf, errstr, errlen) != 0 || build_conf(t, conf, errstr, errlen) != 0 ||
	    trial_producer(t, errstr, errlen) != 0) {
		kafka_destroy(t);
		return TRANSPORT_CONFIG;
	}
	if (rd_kafka_conf_set(t->kconf, "bootstrap.servers", t->brokers, errstr, errlen) !=
	    RD_KAFKA_CONF_OK) {
		kafka_destroy(t);
		return TRANSPORT_CONFIG;
	}
	if (conf->deadletter != NULL && conf->deadletter[0] != '\0' &&
	    (t->deadletter = strdup(conf->deadletter)) == NULL)
		goto oom;
	t->max_msg = conf_size(t->kconf, "message.max.bytes");
	rd_kafka_conf_set_opaque(t->kconf, t);
	rd_kafka_conf_set_dr_msg_cb(t->kconf, on_delivery);
	rd_kafka_conf_set_error_cb(t->kconf, on_error);
	rd_kafka_conf_set_stats_cb(t->kconf, on_stats);
	*out = t;
	return TRANSPORT_OK;
oom:
	kafka_destroy(t);
	snprintf(errstr, errlen, "out of memory");
	return TRANSPORT_CONFIG;
}

/* ---- the producer ---- */

static transport_rc_t producer_open(transport_t *t, char *errstr, size_t errlen)
{
	rd_kafka_conf_t *kc = rd_kafka_conf_dup(t->kconf);
	char err[512];

	t->fatal = t->stale = 0;
	t->fatal_str[0] = '\0';
	if ((t->rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof(err))) == NULL) {
		rd_kafka_conf_destroy(kc);
		snprintf(errstr, errlen, "kafka: cannot create producer: %s", err);
		return TRANSPORT_RETRY;
	}
	if (!t->conf.kafka.topic_dynamic &&
	    (t->rkt = rd_kafka_topic_new(t->rk, t->topic, NULL)) == NULL) {
		snprintf(errstr, errlen, "kafka topic \"%s\": %s", t->topic,
		         rd_kafka_err2str(rd_kafka_last_error()));
		rd_kafka_destroy(t->rk);
		t->rk = NULL;
		return TRANSPORT_RETRY;
	}
	return TRANSPORT_OK;
}

/* Close the producer: wait up to TIMEOUT_MS for what is in flight, purge the
 * rest and collect every report it owes, so each entry ends delivered or
 * not (a purged in-flight message counts as not delivered). */
static void producer_close(transport_t *t, int timeout_ms)
{
	size_t i;

	if (t->rk == NULL)
		return;
	if (!t->fatal && timeout_ms > 0)
		rd_kafka_flush(t->rk, timeout_ms);
	rd_kafka_purge(t->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
	rd_kafka_poll(t->rk, 0);
	if (t->rkt != NULL)
		rd_kafka_topic_destroy(t->rkt);
	topics_free(t);
	rd_kafka_destroy(t->rk);
	t->rk = NULL;
	t->rkt = NULL;
	/* its queue is gone; its totals start again with the next one */
	STAT_ADD(t, queue_msgs, (unsigned long long)-t->last.msg_cnt);
	memset(&t->last, 0, sizeof(t->last));
	/* reports that never came (none expected): the tickets are reclaimed */
	for (i = 0; i < t->cur.n; i++)
		if (t->cur.v[i].state == KM_INFLIGHT) {
			t->cur.v[i].state = KM_TODO;
			t->cur.v[i].err = RD_KAFKA_RESP_ERR__PURGE_INFLIGHT;
			t->cur.v[i].tk = NULL;
		}
	t->inflight = 0;
	while (t->chunks != NULL) {
		ticket_chunk_t *c = t->chunks;
		t->chunks = c->next;
		free(c);
	}
	t->free_tk = NULL;
}

/* A producer that can be used: replace one that failed fatally (what it
 * still held is purged) or whose topic state went bad (let what is in
 * flight finish first). */
static transport_rc_t producer_ready(transport_t *t, char *errstr, size_t errlen)
{
	if (t->rk != NULL && (t->fatal || t->stale)) {
		producer_close(t, t->fatal ? 0 : t->conf.kafka.close_timeout_ms);
		STAT_ADD(t, recreated, 1);
	}
	if (t->rk == NULL)
		return producer_open(t, errstr, errlen);
	return TRANSPORT_OK;
}

/* ---- the record of the last failed batch ---- */

static int kmsgs_reserve(kmsgs_t *a, size_t n)
{
	kmsg_t *v;

	if (n <= a->cap)
		return 0;
	if ((v = realloc(a->v, n * sizeof(*v))) == NULL)
		return -1;
	a->v = v;
	a->cap = n;
	return 0;
}

/* E's topic and key from its route R: 1 when the route names the key,
 * else 0 (the configured key applies) */
static int apply_route(kmsg_t *e, const transport_route_t *r)
{
	if (r->topic_len > 0 && r->topic_len <= KAFKA_TOPIC_MAX) {
		e->topic = r->topic;
		e->tlen = r->topic_len;
	}
	if (!r->has_key)
		return 0;
	e->key = r->key_len > 0 ? r->key : NULL;
	e->klen = r->key_len;
	return 1;
}

/* t->nxt = the batch's messages with their topics and keys (hashed when
 * first compared: entry_hash) */
static int describe_batch(transport_t *t, const msgbatch_t *mb, const msgbatch_t *routes)
{
	transport_route_t r;
	const char *route;
	size_t i, rlen;

	if (kmsgs_reserve(&t->nxt, mb->n) != 0)
		return -1;
	for (i = 0; i < mb->n; i++) {
		kmsg_t *e = &t->nxt.v[i];
		int keyed = 0;          /* the route named the key */

		memset(e, 0, sizeof(*e));
		e->val = msgbatch_msg(mb, i, &e->vlen);
		e->topic = t->topic;
		e->tlen = t->topic_len;
		transport_route_read(NULL, 0, &r);
		if (routes != NULL && i < routes->n) {
			route = msgbatch_msg(routes, i, &rlen);
			transport_route_read(route, rlen, &r);
			keyed = apply_route(e, &r);
		}
		if (!keyed && t->key_host) {
			e->key = r.host_len > 0 ? r.host : NULL;
			e->klen = r.host_len;
		} else if (!keyed && t->key != NULL) {
			e->key = t->key;
			e->klen = strlen(t->key);
		}
	}
	t->nxt.n = mb->n;
	return 0;
}

/* Carry the state of the record (t->cur) over to the matching messages of
 * t->nxt, then make t->nxt current: the batch's entries first (batch_n of
 * them), then the record's entries no message of the batch matched. rsyslog
 * may retry a failed batch in parts (one message at a time, after a
 * resume): those stay remembered for the next parts. */
static int match_previous(transport_t *t)
{
	size_t i, j, mask, n = t->nxt.n;
	kmsgs_t tmp;

	t->batch_n = n;
	t->matched = 0;
	if (t->cur.n > 0) {
		if (kmsgs_reserve(&t->nxt, n + t->cur.n) != 0)
			return -1;
		for (t->nslots = 16; t->nslots < 2 * t->cur.n; t->nslots *= 2)
			;
		free(t->slots);
		if ((t->slots = calloc(t->nslots, sizeof(*t->slots))) == NULL)
			return -1;
		mask = t->nslots - 1;
		for (i = 0; i < t->cur.n; i++) {
			t->cur.v[i].taken = 0;
			for (j = entry_hash(&t->cur.v[i]) & mask; t->slots[j]; j = (j + 1) & mask)
				;
			t->slots[j] = i + 1;
		}
		for (i = 0; i < n; i++) {
			kmsg_t *e = &t->nxt.v[i], *p = NULL;

			if (i < t->cur.n && !t->cur.v[i].taken && msg_same(e, &t->cur.v[i]))
				p = &t->cur.v[i];
			for (j = entry_hash(e) & mask; p == NULL && t->slots[j]; j = (j + 1) & mask) {
				kmsg_t *c = &t->cur.v[t->slots[j] - 1];
				if (!c->taken && msg_same(e, c))
					p = c;
			}
			if (p == NULL)
				continue;
			p->taken = 1;
			t->matched++;
			e->state = p->state;
			e->err = p->err;
			e->partition = p->partition;
			e->floor = p->floor;
			e->rbuf = p->rbuf;          /* moves: p is not kept */
			e->rlen = p->rlen;
			p->rbuf = NULL;
			e->reduced = p->reduced;
			e->alone = p->alone;
			e->counted = p->counted;
			if (p->state == KM_INFLIGHT) {
				e->tk = p->tk;
				e->tk->idx = (long)i;
				STAT_ADD(t, awaited, 1);
			} else if (p->state == KM_DELIVERED || p->state == KM_SETTLED) {
				STAT_ADD(t, skipped, 1);
			}
		}
		for (i = 0; i < t->cur.n; i++) {
			kmsg_t *c = &t->cur.v[i];

			if (c->taken)
				continue;
			t->nxt.v[t->nxt.n] = *c;
			if (c->state == KM_INFLIGHT)
				c->tk->idx = (long)t->nxt.n;
			t->nxt.n++;
		}
	}
	t->inflight = 0;
	for (i = 0; i < n; i++)
		if (t->nxt.v[i].state == KM_INFLIGHT)
			t->inflight++;
	tmp = t->cur;
	t->cur = t->nxt;
	t->nxt = tmp;
	return 0;
}

/* Drop the record's entries from FROM on; their reports go to no one. */
static void drop_entries(transport_t *t, size_t from)
{
	size_t i;

	for (i = from; i < t->cur.n; i++) {
		if (t->cur.v[i].state == KM_INFLIGHT)
			t->cur.v[i].tk->idx = -1;
		free(t->cur.v[i].rbuf);
		t->cur.v[i].rbuf = NULL;
	}
	t->cur.n = from;
}

/* The batch failed: copy the bytes of the record (the batch's entries point
 * into the caller's batch, which it reuses; the others into t->saved) into
 * t->spare, which becomes t->saved, so the retry can be compared with them.
 * A batch that matched nothing of the record means rsyslog has moved on:
 * the old entries are dropped. */
static void remember_failed(transport_t *t)
{
	buf_t *b = &t->spare, tmp;
	size_t i, off = 0;

	if (t->matched == 0)
		drop_entries(t, t->batch_n);
	buf_reset(b);
	buf_reserve(b, 1);              /* never a NULL base, even if all empty */
	for (i = 0; i < t->cur.n; i++) {
		buf_append(b, t->cur.v[i].val, t->cur.v[i].vlen);
		if (t->cur.v[i].key != NULL)
			buf_append(b, t->cur.v[i].key, t->cur.v[i].klen);
		if (t->cur.v[i].topic != t->topic)
			buf_append(b, t->cur.v[i].topic, t->cur.v[i].tlen);
	}
	if (b->oom) {
		/* nothing to compare with: in-flight ones become orphans and the
		 * retry produces everything (duplicates, no loss) */
		drop_entries(t, 0);
		t->batch_n = 0;
		t->inflight = 0;
		return;
	}
	for (i = 0; i < t->cur.n; i++) {
		kmsg_t *e = &t->cur.v[i];

		e->val = b->p + off;
		off += e->vlen;
		if (e->key != NULL) {
			e->key = b->p + off;
			off += e->klen;
		}
		if (e->topic != t->topic) {
			e->topic = b->p + off;
			off += e->tlen;
		}
	}
	tmp = t->saved;
	t->saved = t->spare;
	t->spare = tmp;
	t->batch_n = 0;
	t->inflight = 0;
}

/* The batch was delivered. When it matched part of the record, the rest of
 * the record stays (its bytes are in t->saved, untouched): rsyslog is
 * retrying a failed batch in parts. Otherwise the record is dropped. */
static void forget_batch(transport_t *t)
{
	size_t i, n = 0;

	if (t->matched == 0) {
		drop_entries(t, 0);
	} else {
		for (i = 0; i < t->batch_n; i++) {
			free(t->cur.v[i].rbuf);
			t->cur.v[i].rbuf = NULL;
		}
		for (i = t->batch_n; i < t->cur.n; i++, n++) {
			t->cur.v[n] = t->cur.v[i];
			if (t->cur.v[n].state == KM_INFLIGHT)
				t->cur.v[n].tk->idx = (long)n;
		}
		t->cur.n = n;
	}
	t->batch_n = 0;
	t->inflight = 0;
}

/* ---- settling doubts ---- */

/* the doubtful messages of one partition, looked up by content */
typedef struct doubt_scan {
	transport_t *t;
	const kmsg_t *first;       /* names the topic read */
	size_t *tab;               /* open addressing: index + 1 into t->cur */
	size_t mask;
	size_t left;               /* not found yet */
} doubt_scan_t;

static int doubt_seen(const char *key, size_t klen, const char *val, size_t vlen,
                      int64_t offset, void *opaque)
{
	doubt_scan_t *s = opaque;
	kmsg_t probe, *e;
	size_t j;

	(void)offset;
	memset(&probe, 0, sizeof(probe));
	probe.val = val != NULL ? val : "";
	probe.vlen = vlen;
	probe.key = key;
	probe.klen = key != NULL ? klen : 0;
	probe.topic = s->first->topic;
	probe.tlen = s->first->tlen;
	for (j = entry_hash(&probe) & s->mask; s->tab[j]; j = (j + 1) & s->mask) {
		kmsg_t pv;

		e = &s->t->cur.v[s->tab[j] - 1];
		pv = produced_view(e);
		if (e->state == KM_DOUBT && msg_same(&probe, &pv)) {
			e->state = KM_DELIVERED;
			STAT_ADD(s->t, doubt_found, 1);
			if (e->rbuf != NULL)
				STAT_ADD(s->t, reduced, 1);
			return --s->left == 0;
		}
	}
	return 0;
}

static int in_partition(const kmsg_t *e, const kmsg_t *first)
{
	return e->state == KM_DOUBT && e->partition == first->partition &&
	       e->tlen == first->tlen && memcmp(e->topic, first->topic, e->tlen) == 0;
}

/* Read back the partitions of the messages in doubt: found ones are
 * delivered, the others go back to be produced. -1 (ERRSTR set): the
 * cluster could not be read; they stay in doubt. */
static int settle_doubts(transport_t *t, char *errstr, size_t errlen)
{
	char why[400];
	size_t i, j, nslots;
	char topic[KAFKA_TOPIC_MAX + 1];
	const kmsg_t *first;
	doubt_scan_t s;
	int64_t from;
	long r;

	for (i = 0; i < t->batch_n; i++) {
		if (t->cur.v[i].state != KM_DOUBT)
			continue;
		first = &t->cur.v[i];
		memcpy(topic, first->topic, first->tlen);
		topic[first->tlen] = '\0';
		s.t = t;
		s.first = first;
		s.left = 0;
		from = INT64_MAX;
		for (j = i; j < t->batch_n; j++)
			if (in_partition(&t->cur.v[j], first)) {
				s.left++;
				if (t->cur.v[j].floor + 1 < from)
					from = t->cur.v[j].floor + 1;
			}
		for (nslots = 16; nslots < 2 * s.left; nslots *= 2)
			;
		if ((s.tab = calloc(nslots, sizeof(*s.tab))) == NULL) {
			snprintf(errstr, errlen, "kafka: out of memory settling doubts");
			return -1;
		}
		s.mask = nslots - 1;
		for (j = i; j < t->batch_n; j++)
			if (in_partition(&t->cur.v[j], first)) {
				size_t k = produced_view(&t->cur.v[j]).hash & s.mask;

				while (s.tab[k])
					k = (k + 1) & s.mask;
				s.tab[k] = j + 1;
			}
		r = kafka_readback(t->kconf, topic, first->partition, from, KAFKA_READBACK_MAX,
		                   3 * t->conf.io_timeout_ms, doubt_seen, &s, why, sizeof(why));
		free(s.tab);
		if (r == -1) {
			snprintf(errstr, errlen, "kafka %s topic %s: %zu messages whose delivery "
			         "is in doubt cannot be verified yet: %s", t->brokers, topic,
			         s.left, why);
			return -1;
		}
		for (j = i; j < t->batch_n; j++)
			if (in_partition(&t->cur.v[j], first)) {
				t->cur.v[j].state = KM_TODO;
				if (r == -2)
					STAT_ADD(t, doubt_unresolved, 1);
				else
					STAT_ADD(t, doubt_absent, 1);
			}
	}
	return 0;
}

static int has_doubts(const transport_t *t)
{
	size_t i;

	for (i = 0; i < t->batch_n; i++)
		if (t->cur.v[i].state == KM_DOUBT)
			return 1;
	return 0;
}

/* ---- sending ---- */

/* one rd_kafka_produceva() of E: its topic (by handle when it is ours),
 * value, key, the configured headers (a copy: the message owns it) */
static rd_kafka_resp_err_t produce_call(transport_t *t, const kmsg_t *e, ticket_t *tk)
{
	rd_kafka_topic_t *rkt = t->rkt;
	rd_kafka_headers_t *hdrs = NULL;
	rd_kafka_error_t *error;
	rd_kafka_resp_err_t err;
	rd_kafka_vu_t vu[6];
	size_t n = 0;

	memset(vu, 0, sizeof(vu));
	if ((rkt == NULL || e->topic != t->topic) &&
	    (rkt = topic_handle(t, e->topic, e->tlen)) == NULL)
		return rd_kafka_last_error() ? rd_kafka_last_error() : RD_KAFKA_RESP_ERR__INVALID_ARG;
	vu[n].vtype = RD_KAFKA_VTYPE_RKT;
	vu[n++].u.rkt = rkt;
	vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
	vu[n].u.mem.ptr = (void *)(e->rbuf != NULL ? e->rbuf : e->val);
	vu[n++].u.mem.size = e->rbuf != NULL ? e->rlen : e->vlen;
	if (e->key != NULL) {
		vu[n].vtype = RD_KAFKA_VTYPE_KEY;
		vu[n].u.mem.ptr = (void *)e->key;
		vu[n++].u.mem.size = e->klen;
	}
	vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
	vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
	vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
	vu[n++].u.ptr = tk;
	if (t->hdrs != NULL) {
		hdrs = rd_kafka_headers_copy(t->hdrs);
		vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
		vu[n++].u.headers = hdrs;
	}
	if ((error = rd_kafka_produceva(t->rk, vu, n)) == NULL)
		return RD_KAFKA_RESP_ERR_NO_ERROR;
	err = rd_kafka_error_code(error);
	rd_kafka_error_destroy(error);
	if (hdrs != NULL)
		rd_kafka_headers_destroy(hdrs);
	return err;
}

static transport_rc_t produce_one(transport_t *t, size_t i, long long deadline)
{
	kmsg_t *e = &t->cur.v[i];
	rd_kafka_resp_err_t err;
	ticket_t *tk;

	if ((tk = ticket_get(t)) == NULL) {
		e->err = RD_KAFKA_RESP_ERR__FAIL;
		return TRANSPORT_RETRY;
	}
	tk->idx = (long)i;
	for (;;) {
		err = produce_call(t, e, tk);
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || mono_now_ms() >= deadline || t->fatal ||
		    stopping(t))
			break;
		rd_kafka_poll(t->rk, KAFKA_QUEUE_FULL_WAIT_MS);
	}
	if (err) {
		ticket_put(t, tk);
		e->err = err;
		e->refused = 1;
		/* a topic error state (authorization, unknown topic) lasts until a
		 * metadata refresh, minutes away: a new producer asks at once */
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL &&
		    err != RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
			t->stale = 1;
		STAT_ADD(t, failed, 1);
		count_permanent(t, e, err);
		return TRANSPORT_RETRY;
	}
	e->tk = tk;
	e->state = KM_INFLIGHT;
	t->inflight++;
	STAT_ADD(t, produced, 1);
	return TRANSPORT_OK;
}

/* Serve reports until nothing is in flight, or none came for io_timeout_ms,
 * or the producer failed fatally. */
static void await_reports(transport_t *t)
{
	long long progress_at = mono_now_ms();
	unsigned long long seen = t->reports;

	while (t->inflight > 0 && !t->fatal) {
		/* flush, not poll: while it runs, librdkafka sends what it holds
		 * at once instead of lingering (linger.ms) for more messages that
		 * will not come before this batch is settled */
		rd_kafka_flush(t->rk, KAFKA_POLL_MS);
		if (t->reports != seen) {
			seen = t->reports;
			progress_at = mono_now_ms();
		} else if (mono_now_ms() - progress_at >= t->conf.io_timeout_ms ||
		           (stopping(t) && mono_now_ms() - progress_at >= KAFKA_STOP_WAIT_MS)) {
			break;
		}
	}
	if (t->fatal) {       /* librdkafka fails what it holds; collect that */
		rd_kafka_purge(t->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
		rd_kafka_poll(t->rk, 0);
	}
}

/* ---- messages refused for good ---- */

/* What librdkafka lets E's value be: message.max.bytes less the key, the
 * headers and a record's overhead (0: unknown). */
static size_t value_budget(const transport_t *t, const kmsg_t *e)
{
	size_t over = KAFKA_MSG_OVERHEAD + (e->key != NULL ? e->klen : 0) + t->hdrs_size;

	return t->max_msg > over ? t->max_msg - over : 0;
}

/* Produce entry I alone and wait for its report: 1 delivered, 0 not (its
 * error in the entry), -1 no report in time (the batch fails). */
static int produce_alone(transport_t *t, size_t i)
{
	if (produce_one(t, i, mono_now_ms() + t->conf.io_timeout_ms) == TRANSPORT_OK)
		await_reports(t);
	if (t->cur.v[i].state == KM_INFLIGHT || t->fatal)
		return -1;
	return t->cur.v[i].state == KM_DELIVERED;
}

/* Ask the reduce hook for a version of entry I within what Kafka takes:
 * 0 (the entry produces it from now on), or -1. Asked once per message. */
static int reduce_entry(transport_t *t, size_t i)
{
	kmsg_t *e = &t->cur.v[i];
	size_t len = e->rbuf != NULL ? e->rlen : e->vlen, limit = value_budget(t, e);
	buf_t out;

	e->reduced = 1;
	if (t->conf.reduce == NULL || i >= t->batch_n)
		return -1;
	if (limit == 0 || limit >= len)     /* the broker's limit is lower */
		limit = len / KAFKA_REDUCE_DIVISOR;
	buf_init(&out);
	if (limit == 0 || t->conf.reduce(t->conf.reduce_ctx, i, limit, &out) != 0 || out.oom ||
	    out.len == 0 || out.len > limit) {
		buf_free(&out);
		return -1;
	}
	free(e->rbuf);
	e->rbuf = out.p;            /* the buffer's memory is the entry's now */
	e->rlen = out.len;
	return 0;
}

/* Tell the caller, once per kind for the action (the bit of KIND in the
 * shared counters), what happened to a refused message. */
static void notice_once(transport_t *t, unsigned kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void notice_once(transport_t *t, unsigned kind, const char *fmt, ...)
{
	unsigned long long bit = 1ULL << kind;
	char text[768];
	va_list ap;

	if (t->conf.notice == NULL ||
	    (__atomic_fetch_or(&t->st->noticed, bit, __ATOMIC_RELAXED) & bit))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	t->conf.notice(t->conf.notice_ctx, text);
}

/* Entry I is refused for good (its error in it): decide it. 1 it is to
 * go to the dead-letter file, 0 it is settled otherwise (delivered, or
 * its error turned out not to be its own), -1 stop (no report in time). */
static int judge_refused(transport_t *t, size_t i)
{
	kmsg_t *e = &t->cur.v[i];
	size_t before;
	int r;

	/* a broker refuses the whole request: is this message the cause? */
	if (!e->refused && !e->alone && t->round > 1) {
		rd_kafka_resp_err_t why = e->err;

		if ((r = produce_alone(t, i)) > 0) {
			STAT_ADD(t, isolated, 1);
			notice_once(t, 2 * KAFKA_N_REFUSALS,
			            "kafka topic %.*s: a Produce request was refused (%s: %s) but "
			            "its messages are taken one by one; each is produced alone now, "
			            "slowly (counted in kafka.isolated; told once): make batch.size "
			            "and message.max.bytes fit the topic's max.message.bytes",
			            (int)e->tlen, e->topic, rd_kafka_err2name(why),
			            rd_kafka_err2str(why));
		}
		if (r != 0)
			return r < 0 ? -1 : 0;
		if (msg_refusal(e->err) < 0)
			return 0;       /* something else now: retried with the batch */
	}
	e->alone = 1;
	count_permanent(t, e, e->err);
	if (size_refusal(e->err) && !e->reduced) {
		before = e->vlen;
		if (reduce_entry(t, i) == 0) {
			rd_kafka_resp_err_t why = e->err;

			if ((r = produce_alone(t, i)) != 0) {
				if (r > 0)
					notice_once(t, 2 * (unsigned)msg_refusal(why),
					            "kafka topic %.*s: a message of %zu bytes was refused "
					            "(%s: %s) and produced again reduced to %zu bytes "
					            "(counted in kafka.reduced; told once per reason)",
					            (int)e->tlen, e->topic, before, rd_kafka_err2name(why),
					            rd_kafka_err2str(why), e->rlen);
				return r < 0 ? -1 : 0;
			}
			if (msg_refusal(e->err) < 0)
				return 0;
		}
	}
	return 1;
}

/* After the batch's reports: every message refused for good is judged
 * (judge_refused) and those that stay refused go to the dead-letter file
 * together and are settled. -1 (t->dl_err says why) when they could not
 * be written: they stay not delivered. */
static int settle_refusals(transport_t *t)
{
	deadletter_entry_t *dl = NULL;
	size_t *idx = NULL, n = 0, i;
	int r, rc = 0;

	for (i = 0; i < t->batch_n && !t->fatal; i++) {
		kmsg_t *e = &t->cur.v[i];

		if (e->state != KM_TODO || msg_refusal(e->err) < 0)
			continue;
		if ((r = judge_refused(t, i)) < 0)
			break;
		if (r == 0)
			continue;
		if (dl == NULL && ((dl = calloc(t->batch_n, sizeof(*dl))) == NULL ||
		                   (idx = calloc(t->batch_n, sizeof(*idx))) == NULL)) {
			snprintf(t->dl_err, sizeof(t->dl_err), "out of memory");
			rc = -1;
			break;
		}
		dl[n].reason = rd_kafka_err2name(e->err);
		dl[n].topic = e->topic;
		dl[n].tlen = e->tlen;
		dl[n].key = e->key;
		dl[n].klen = e->klen;
		dl[n].msg = e->val;         /* the original, whole */
		dl[n].len = e->vlen;
		idx[n++] = i;
	}
	if (n > 0 && rc == 0) {
		if (t->deadletter == NULL) {
			snprintf(t->dl_err, sizeof(t->dl_err), "no dead-letter file to set them "
			         "aside in (global(workDirectory) is not set)");
			rc = -1;
		} else if (deadletter_append(t->deadletter, dl, n, t->dl_err,
		                             sizeof(t->dl_err)) != 0) {
			STAT_ADD(t, deadletter_failed, 1);
			rc = -1;
		} else {
			for (i = 0; i < n; i++) {
				kmsg_t *e = &t->cur.v[idx[i]];

				e->state = KM_SETTLED;
				notice_once(t, 2 * (unsigned)msg_refusal(e->err) + 1,
				            "kafka topic %.*s: a message of %zu bytes was refused for "
				            "good (%s: %s) and written to the dead-letter file %s; the "
				            "messages after it go on (counted in kafka.deadletter; "
				            "told once per reason)", (int)e->tlen, e->topic, e->vlen,
				            rd_kafka_err2name(e->err), rd_kafka_err2str(e->err),
				            t->deadletter);
			}
			STAT_ADD(t, deadletter, n);
		}
	}
	free(dl);
	free(idx);
	return rc;
}

static void failure_text(transport_t *t, char *errstr, size_t errlen)
{
	size_t i, failed = 0, refused = 0, pending = 0, doubt = 0;
	rd_kafka_resp_err_t ferr = 0, rerr = 0;
	const kmsg_t *first = NULL;
	int n;

	for (i = 0; i < t->batch_n; i++) {
		const kmsg_t *e = &t->cur.v[i];

		if (first == NULL && !settled(e))
			first = e;
		if (e->state == KM_INFLIGHT)
			pending++;
		else if (e->state == KM_DOUBT)
			doubt++;
		else if (e->state == KM_TODO && e->refused && refused++ == 0)
			rerr = e->err;
		else if (e->state == KM_TODO && !e->refused && failed++ == 0)
			ferr = e->err;
	}
	n = snprintf(errstr, errlen, "kafka %s topic %.*s%s: %zu of %zu messages not delivered",
	             t->brokers, first != NULL ? (int)first->tlen : 0, first != NULL ? first->topic : "",
	             t->conf.kafka.topic_dynamic ? " (the first)" : "",
	             failed + refused + pending + doubt, t->batch_n);
	if (doubt && n >= 0 && (size_t)n < errlen)
		n += snprintf(errstr + n, errlen - n, "; %zu possibly stored (no answer), "
		              "to be verified by reading the partition back", doubt);
	if (pending && n >= 0 && (size_t)n < errlen)
		n += snprintf(errstr + n, errlen - n, "; %zu without a delivery report after "
		              "%d ms", pending, t->conf.io_timeout_ms);
	if (failed && n >= 0 && (size_t)n < errlen)
		n += snprintf(errstr + n, errlen - n, "; %zu failed: %s", failed,
		              rd_kafka_err2str(ferr));
	if (refused && n >= 0 && (size_t)n < errlen)
		n += snprintf(errstr + n, errlen - n, "; %zu refused by the producer: %s",
		              refused, rd_kafka_err2str(rerr));
	if (t->dl_err[0] && n >= 0 && (size_t)n < errlen)
		n += snprintf(errstr + n, errlen - n, "; messages refused for good could not be "
		              "set aside: %s", t->dl_err);
	if (t->fatal && n >= 0 && (size_t)n < errlen)
		n += snprintf(errstr + n, errlen - n, "; fatal producer error, the producer "
		              "will be recreated: %s", t->fatal_str);
	else if (t->client_err[0] && n >= 0 && (size_t)n < errlen)
		snprintf(errstr + n, errlen - n, "; client: %s", t->client_err);
}

transport_rc_t transport_kafka_send_routed(transport_t *t, const msgbatch_t *mb,
                                           const msgbatch_t *routes, size_t *delivered,
                                           char *errstr, size_t errlen)
{
	long long deadline;
	int64_t wait_from;
	transport_rc_t rc;
	size_t i;

	*delivered = 0;
	if (mb->n == 0)
		return TRANSPORT_OK;
	t->client_err[0] = '\0';
	t->dl_err[0] = '\0';
	if ((rc = producer_ready(t, errstr, errlen)) != TRANSPORT_OK)
		return rc;
	rd_kafka_poll(t->rk, 0);        /* reports for the previous try */
	if (describe_batch(t, mb, routes) != 0 || match_previous(t) != 0) {
		snprintf(errstr, errlen, "kafka: out of memory for %zu messages", mb->n);
		return TRANSPORT_RETRY;
	}
	if (has_doubts(t) && settle_doubts(t, errstr, errlen) != 0) {
		remember_failed(t);
		t->suspect = 1;
		return TRANSPORT_RETRY;
	}
	deadline = mono_now_ms() + t->conf.io_timeout_ms;
	for (i = 0; i < t->batch_n && !t->fatal; i++)
		if (t->cur.v[i].state == KM_TODO)
			produce_one(t, i, deadline);
	t->round = t->inflight;
	wait_from = mono_now_us();
	await_reports(t);
	STAT_ADD(t, wait_us, (unsigned long long)(mono_now_us() - wait_from));
	STAT_ADD(t, batches, 1);
	if (t->inflight == 0 && !t->fatal)
		settle_refusals(t);
	for (i = 0; i < t->batch_n && settled(&t->cur.v[i]); i++)
		;
	*delivered = i;
	if (i == t->batch_n) {
		forget_batch(t);
		t->suspect = 0;
		return TRANSPORT_OK;
	}
	failure_text(t, errstr, errlen);
	remember_failed(t);
	t->suspect = 1;
	return TRANSPORT_RETRY;
}

static transport_rc_t kafka_send(transport_t *t, const msgbatch_t *mb,
                                 size_t *delivered, char *errstr, size_t errlen)
{
	return transport_kafka_send_routed(t, mb, NULL, delivered, errstr, errlen);
}

/* Make a producer and ask the cluster about the topic: a resumed action
 * should not be handed batches the cluster cannot take. */
static transport_rc_t kafka_connect(transport_t *t, char *errstr, size_t errlen)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_resp_err_t err;
	transport_rc_t rc;
	long long deadline, slice;

	if ((rc = producer_ready(t, errstr, errlen)) != TRANSPORT_OK)
		return rc;
	/* in slices, so a shutdown does not wait for the whole timeout */
	deadline = mono_now_ms() + t->conf.connect_timeout_ms;
	do {
		slice = deadline - mono_now_ms();
		if (slice > KAFKA_CONNECT_SLICE_MS)
			slice = KAFKA_CONNECT_SLICE_MS;
		/* dynamic topics: the cluster answering is all we can know */
		err = rd_kafka_metadata(t->rk, 0, t->rkt, &md, slice > 0 ? (int)slice : 1);
		if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			if (t->rkt != NULL && md->topic_cnt == 1 && md->topics[0].err)
				err = md->topics[0].err;
			rd_kafka_metadata_destroy(md);
		}
	} while (err == RD_KAFKA_RESP_ERR__TIMED_OUT && mono_now_ms() < deadline && !stopping(t));
	rd_kafka_poll(t->rk, 0);
	if (err) {
		snprintf(errstr, errlen, "kafka %s topic %s: %s%s%s", t->brokers,
		         t->rkt != NULL ? t->topic : "(from the template)",
		         rd_kafka_err2str(err), t->client_err[0] ? "; client: " : "",
		         t->client_err);
		return TRANSPORT_RETRY;
	}
	t->suspect = 0;
	return TRANSPORT_OK;
}

static int kafka_is_connected(const transport_t *t)
{
	return t->rk != NULL && !t->fatal && !t->stale && !t->suspect;
}

/* HUP or shutdown: let in-flight messages finish (close_timeout_ms); the
 * record of a failed batch survives, with what the flush settled. */
static void kafka_disconnect(transport_t *t)
{
	producer_close(t, t->conf.kafka.close_timeout_ms);
	t->fatal = t->stale = t->suspect = 0;
}

static void kafka_destroy(transport_t *t)
{
	size_t i;

	if (t == NULL)
		return;
	producer_close(t, t->conf.kafka.close_timeout_ms);
	/* the rest of a failed batch, as the last reports left it: the caller
	 * still has the batch, but this transport will not deliver it */
	for (i = 0; i < t->cur.n; i++)
		if (!settled(&t->cur.v[i]))
			STAT_ADD(t, lost_at_close, 1);
	drop_entries(t, 0);
	if (t->kconf != NULL)
		rd_kafka_conf_destroy(t->kconf);
	free(t->deadletter);
	free(t->cur.v);
	free(t->nxt.v);
	free(t->slots);
	hmap_clear(&t->acked, acked_free, NULL);
	hmap_free(&t->acked);
	hmap_free(&t->topics);   /* emptied with the producer */
	if (t->hdrs != NULL)
		rd_kafka_headers_destroy(t->hdrs);
	buf_free(&t->saved);
	buf_free(&t->spare);
	free(t->brokers);
	free(t->topic);
	free(t->key);
	free(t);
}

size_t transport_kafka_undelivered(const transport_t *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->cur.n; i++)
		n += !settled(&t->cur.v[i]);
	return n;
}

const transport_kafka_stats_t *transport_kafka_stats(const transport_t *t)
{
	return t->st;
}

/* ops.default_max_message: what message.max.bytes of confParam lets
 * through, less the headers (reduce.h) */
static size_t kafka_default_max(const transport_conf_t *conf)
{
	return reduce_kafka_default(conf->kafka.conf_params, conf->kafka.n_conf_params,
	                            conf->kafka.headers, conf->kafka.n_headers);
}

#define KCTR(name, field) { name, offsetof(transport_kafka_stats_t, field) }
static const transport_counter_t kafka_counters[] = {
	KCTR("kafka.produced", produced), KCTR("kafka.delivered", delivered),
	KCTR("kafka.failed", failed), KCTR("kafka.skipped", skipped),
	KCTR("kafka.awaited", awaited), KCTR("kafka.recreated", recreated),
	KCTR("kafka.doubt", doubt), KCTR("kafka.doubt.found", doubt_found),
	KCTR("kafka.doubt.absent", doubt_absent),
	KCTR("kafka.doubt.unresolved", doubt_unresolved),
	KCTR("kafka.errors.permanent", permanent), KCTR("kafka.reduced", reduced),
	KCTR("kafka.isolated", isolated), KCTR("kafka.deadletter", deadletter),
	KCTR("kafka.deadletter.failed", deadletter_failed),
	KCTR("kafka.undelivered.shutdown", lost_at_close),
	KCTR("kafka.batches", batches), KCTR("kafka.wait.us", wait_us),
	KCTR("kafka.queue.msgs", queue_msgs), KCTR("kafka.tx.errors", tx_errors),
	KCTR("kafka.tx.retries", tx_retries), KCTR("kafka.req.timeouts", req_timeouts),
};
#undef KCTR

const transport_ops_t transport_kafka = {
	.name = "kafka",
	.default_port = KAFKA_DEFAULT_PORT,
	.caps = TRANSPORT_CAP_ROUTES | TRANSPORT_CAP_REFUSES | TRANSPORT_CAP_STOPPABLE,
	.create = kafka_create,
	.connect = kafka_connect,
	.send = kafka_send,
	.send_routed = transport_kafka_send_routed,
	.disconnect = kafka_disconnect,
	.is_connected = kafka_is_connected,
	.destroy = kafka_destroy,
	.undelivered = transport_kafka_undelivered,
	.default_max_message = kafka_default_max,
	.route_fix = transport_kafka_topic_fix,
	.counters = kafka_counters,
	.n_counters = sizeof(kafka_counters) / sizeof(kafka_counters[0]),
	.stats_size = sizeof(transport_kafka_stats_t),
};
