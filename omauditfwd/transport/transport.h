/* transport.h -- sending batches of messages to a collector.
 *
 * One small interface and one file per transport (transport_tcp.c,
 * transport_tls.c and transport_kafka.c), found by name in one table
 * (transport.c), after curl's vtls. A transport takes a whole batch and
 * reports which messages were delivered; anything short of all of them is an
 * error, and the caller (rsyslog, through the module) keeps the batch and
 * retries it. Errors come back as a code plus a message in the caller's
 * errstr buffer.
 */
#ifndef AUDITFWD_TRANSPORT_H
#define AUDITFWD_TRANSPORT_H

#include <stddef.h>

#include "buf.h"
#include "transport_kafka.h"
#include "transport_relp.h"
#include "transport_tls.h"

typedef enum transport_rc {
	TRANSPORT_OK = 0,
	TRANSPORT_RETRY,          /* not (all) delivered; retry later */
	TRANSPORT_CONFIG          /* bad configuration: will never work */
} transport_rc_t;

typedef enum framing {
	FRAMING_OCTET_COUNTED = 0,  /* RFC 5425/6587: "LEN SP MSG" */
	FRAMING_LF                  /* MSG LF */
} framing_t;

int framing_parse(const char *s, framing_t *out);

#define TRANSPORT_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define TRANSPORT_DEFAULT_IO_TIMEOUT_MS      10000


/* tcp and tls only. Counters for impstats, shared by every transport made
 * from one configuration (the action's workers); updated atomically. */
typedef struct transport_stream_stats {
	unsigned long long connects;           /* sessions established */
	unsigned long long connect_failures;   /* targets that could not be resolved
	                                        * or reached (one per target tried) */
	unsigned long long handshake_failures; /* TLS handshakes refused, failed or
	                                        * timed out */
	unsigned long long failovers;          /* sessions established with another
	                                        * target than the previous session
	                                        * (the first: than the first target) */
	unsigned long long resends;            /* lost connections after which the
	                                        * resend window was sent again */
	unsigned long long resent_bytes;       /* ... its bytes (duplicates at most) */
} transport_stream_stats_t;

#define TRANSPORT_DEFAULT_FAILBACK_INTERVAL_MS 30000

/* The settings of a transport: the common ones, then one member per
 * backend. Why one struct with a member per backend rather than an opaque
 * block allocated through the ops table: the front ends fill settings by
 * the settings table's row before they know which transport is chosen
 * (the transport itself is a setting, and one may be implied later), the
 * defaults are plain values, and nothing needs freeing; each member's
 * type still belongs to its backend's header.
 *
 * Ownership: the caller owns this struct and every string and array it
 * points to. create() only reads it and copies what the transport keeps
 * (transport_conf_keep for the common part, each backend its own member);
 * it never writes to it, and keeps no pointer into it once it returns,
 * except the blocks and contexts the caller shares on purpose (stats,
 * stream_stats, reduce_ctx, notice_ctx), which must outlive the transport. */
typedef struct transport_conf {
	const char *target;        /* host name or address */
	int port;                  /* 0: the transport's default */
	/* tcp and tls: several collectors, "host", "host:port" or "[v6]:port",
	 * tried in this order on every (re)connect; none: target. While on a
	 * later one, the earlier ones are tried again between batches, at most
	 * every failback_interval_ms. */
	const char *const *targets;
	size_t n_targets;
	int failback_interval_ms;
	transport_stream_stats_t *stream_stats; /* NULL: not counted */
	framing_t framing;
	int connect_timeout_ms;
	int io_timeout_ms;
	/* tcp, tls: bytes of delivered batches kept and resent first after a
	 * connection was lost (whole batches: from this to twice this); 0:
	 * none, as omfwd (fewer duplicates after an outage, possible loss) */
#define TRANSPORT_DEFAULT_RESEND_WINDOW ((size_t)256 * 1024)
#define TRANSPORT_RESEND_WINDOW_MAX     ((size_t)64 * 1024 * 1024)
	size_t resend_window;

	/* each backend's own settings, its type declared in its header
	 * (transport_kafka.h, transport_tls.h, transport_relp.h); relp also
	 * reads tls when relp.tls is on */
	transport_kafka_conf_t kafka;
	transport_tls_conf_t tls;
	transport_relp_conf_t relp;

	/* TRANSPORT_CAP_REFUSES: a message the transport refuses for good (see
	 * transport_kafka.c: too large, a record it cannot validate) is first
	 * made smaller, when the error is about its size and there is a reduce
	 * hook: REDUCE(REDUCE_CTX, IDX, LIMIT, OUT) writes message IDX of the
	 * batch handed to send() again, within LIMIT bytes, into OUT: 0, or -1
	 * when it cannot. Once that too is refused (or without the hook, or for
	 * another reason), the message is appended with its reason to the
	 * dead-letter file DEADLETTER (deadletter.h) and settled: the batch
	 * commits. NULL: no file; such a message keeps the batch failed, as any
	 * other error does. */
	int (*reduce)(void *ctx, size_t idx, size_t limit, buf_t *out);
	void *reduce_ctx;
	const char *deadletter;
	/* tells once per kind (error and outcome), for the whole action, that
	 * a message was reduced or dead-lettered; NULL: not told */
	void (*notice)(void *ctx, const char *text);
	void *notice_ctx;

	/* where the transport counts (ops.counters, atomically; shared by the
	 * transports of one action's workers): ops.stats_size bytes the caller
	 * owns, zeroed; NULL: a block of its own */
	void *stats;
	/* TRANSPORT_CAP_STOPPABLE: nonzero when the caller is shutting down:
	 * waits end early (rsyslog cancels a worker that does not return in
	 * time, and the batch of a cancelled worker is lost); NULL: never */
	int (*should_stop)(void);
} transport_conf_t;

void transport_conf_default(transport_conf_t *c);
/* What a transport keeps of SRC in DST: the numbers, the hooks and the
 * shared blocks; every string and array pointer (target, targets, the
 * backends' members, deadletter) is left NULL. The backend copies what it
 * needs of those itself. */
void transport_conf_keep(transport_conf_t *dst, const transport_conf_t *src);

/* One entry of targets: "host", "host:port", "[v6]", "[v6]:port" or a bare
 * IPv6 address into HOST (HOSTLEN bytes) and *PORT (left alone when the
 * entry has none): 0, or -1 with the reason in ERRSTR (transport_stream.c). */
int transport_target_parse(const char *s, char *host, size_t hostlen, int *port,
                           char *errstr, size_t errlen);

typedef struct transport transport_t;

/* the longest topic a route_fix gives (Kafka's limit on a topic name) */
#define TRANSPORT_ROUTE_TOPIC_MAX 249

/* Where one message goes, for a transport with TRANSPORT_CAP_ROUTES
 * (kafka): a topic (empty: the configured one) and, when has_key, a key
 * (empty: no key; without has_key: the configured key), and the host its
 * syslog header names (what key "host" means; empty: no header). Views,
 * not owned. The module sets topic and key (dynaTopic, dynaKey), the
 * pipeline the host when it writes the header. */
typedef struct transport_route {
	const char *topic;
	size_t topic_len;
	const char *key;
	size_t key_len;
	int has_key;
	const char *host;
	size_t host_len;
} transport_route_t;

/* A route travels with its message (through the joiner and the shutdown
 * spool as the module's, then through the pipeline, which adds the host,
 * as opaque bytes) encoded by transport_route_write: when it has a host,
 * TRANSPORT_ROUTE_HOST HOST NUL first (a host as a header writes it has no
 * control character; a topic made by route_fix never starts with one);
 * then TOPIC, then, when it has a key, NUL KEY. A route without a host
 * reads as it did before hosts travelled, so a spool file of an earlier
 * version reads the same. transport_route_read views such BYTES (LEN of
 * them; NULL when LEN is 0) as *R. The one place that knows the encoding. */
#define TRANSPORT_ROUTE_HOST '\001'
void transport_route_write(buf_t *out, const transport_route_t *r);
void transport_route_read(const char *bytes, size_t len, transport_route_t *r);

/* What a transport can do, asked by the front ends instead of which
 * transport it is (after curl's SSLSUPP_* bits). */
#define TRANSPORT_CAP_NEEDS_TARGET 0x001u /* target is required (else: optional) */
#define TRANSPORT_CAP_FAILOVER     0x002u /* several targets, tried in order */
#define TRANSPORT_CAP_STREAM_STATS 0x004u /* counts in conf.stream_stats */
#define TRANSPORT_CAP_FRAMED       0x008u /* syslog framing around each message */
#define TRANSPORT_CAP_TLS          0x010u /* always TLS (conf.tls applies) */
#define TRANSPORT_CAP_TLS_SWITCH   0x020u /* TLS when conf.relp.tls is set */
#define TRANSPORT_CAP_ROUTES       0x040u /* send_routed: a route per message */
#define TRANSPORT_CAP_REFUSES      0x080u /* refuses messages for good: the reduce,
                                           * dead-letter and notice hooks apply */
#define TRANSPORT_CAP_STOPPABLE    0x100u /* its waits end early at shutdown
                                           * (conf.should_stop) */

/* One counter of a transport's statistics: a name for impstats / --stats
 * and its offset (an unsigned long long) in the transport's stats block. */
typedef struct transport_counter {
	const char *name;
	size_t offset;
} transport_counter_t;

typedef struct transport_ops {
	const char *name;
	int default_port;
	unsigned caps;             /* TRANSPORT_CAP_* */
	/* check CONF and allocate; no I/O */
	transport_rc_t (*create)(transport_t **out, const transport_conf_t *conf,
	                         char *errstr, size_t errlen);
	transport_rc_t (*connect)(transport_t *t, char *errstr, size_t errlen);
	/* deliver every message of MB; sets *DELIVERED to how many leading
	 * messages are known to have been delivered */
	transport_rc_t (*send)(transport_t *t, const msgbatch_t *mb,
	                       size_t *delivered, char *errstr, size_t errlen);
	/* TRANSPORT_CAP_ROUTES: send() with a route per message: ROUTES (NULL:
	 * none) holds, at the index of each message of MB, its route as
	 * transport_route_write encodes it */
	transport_rc_t (*send_routed)(transport_t *t, const msgbatch_t *mb,
	                              const msgbatch_t *routes, size_t *delivered,
	                              char *errstr, size_t errlen);
	/* our own close (HUP): the next connection starts afresh, and reads
	 * its files again (tls: the certificates) */
	void (*disconnect)(transport_t *t);
	int (*is_connected)(const transport_t *t);
	void (*destroy)(transport_t *t);
	/* messages of the failed batch(es) being retried that are not
	 * delivered; NULL: not known */
	size_t (*undelivered)(const transport_t *t);
	/* the largest message CONF lets through, when the front end sets no
	 * limit; NULL: REDUCE_DEFAULT_MAX */
	size_t (*default_max_message)(const transport_conf_t *conf);
	/* TRANSPORT_CAP_ROUTES: a route's topic as the transport accepts it,
	 * made of NAME (LEN bytes) in OUT (NUL-terminated); returns its length,
	 * *CHANGED tells whether it differs from NAME. NULL: taken as it is */
	size_t (*route_fix)(const char *name, size_t len,
	                    char out[TRANSPORT_ROUTE_TOPIC_MAX + 1], int *changed);
	/* its statistics: a block of stats_size bytes (conf.stats, shared by
	 * the transports of one action's workers; NULL: a block of its own)
	 * holding these counters */
	const transport_counter_t *counters;
	size_t n_counters;
	size_t stats_size;
} transport_ops_t;

/* 1 when OPS with C speaks TLS (TRANSPORT_CAP_TLS, or TRANSPORT_CAP_TLS_SWITCH
 * switched on): conf.tls applies */
int transport_uses_tls(const transport_ops_t *ops, const transport_conf_t *c);

/* The transport called NAME, or NULL. */
const transport_ops_t *transport_find(const char *name);
const char *transport_names(void);

extern const transport_ops_t transport_tcp;
extern const transport_ops_t transport_tls;
extern const transport_ops_t transport_kafka;
extern const transport_ops_t transport_relp;



/* kafka's counters (tests; the front ends use ops.counters) */
const transport_kafka_stats_t *transport_kafka_stats(const transport_t *t);
/* ops.undelivered of kafka */
size_t transport_kafka_undelivered(const transport_t *t);
/* ops.send_routed of kafka: ROUTES (NULL: none) holds, at the index of each
 * message of MB, its route (transport_route_t, as transport_route_write
 * encodes it). An empty topic (or no route) is conf.kafka.topic; without a
 * key, conf.kafka.key's; an empty key is no key. A topic must be a valid
 * name (see below). */
transport_rc_t transport_kafka_send_routed(transport_t *t, const msgbatch_t *mb,
                                           const msgbatch_t *routes, size_t *delivered,
                                           char *errstr, size_t errlen);

#define TRANSPORT_KAFKA_TOPIC_MAX TRANSPORT_ROUTE_TOPIC_MAX /* Kafka's limit on a topic name */
/* A topic name Kafka accepts, made of NAME (LEN bytes) in OUT: characters
 * other than a-z A-Z 0-9 . _ - become '_', it is cut at the limit, and an
 * empty name, "." or ".." gets a '_' before it. Returns its length;
 * *CHANGED tells whether it differs from NAME. ops.route_fix of kafka. */
size_t transport_kafka_topic_fix(const char *name, size_t len,
                                 char out[TRANSPORT_KAFKA_TOPIC_MAX + 1], int *changed);


#endif
