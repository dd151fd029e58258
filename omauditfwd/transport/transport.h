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

/* How the tls transport checks the collector's certificate. */
typedef enum tls_authmode {
	TLS_AUTH_X509_NAME = 0,     /* "x509/name": chain + name (permitted peers,
	                             * else the target) */
	TLS_AUTH_X509_FINGERPRINT,  /* "x509/fingerprint": SHA-256 of the peer's
	                             * certificate is a permitted peer; no chain */
	TLS_AUTH_X509_CERTVALID,    /* "x509/certvalid": chain only */
	TLS_AUTH_ANON               /* "anon": no check at all */
} tls_authmode_t;

/* 0 and *OUT set, or -1 for an unknown mode (transport_tls.c) */
int tls_authmode_parse(const char *s, tls_authmode_t *out);

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

	/* --- kafka (transport_kafka.c); all optional except the topic --- */
#define TRANSPORT_DEFAULT_KAFKA_CLOSE_TIMEOUT_MS 5000
	const char *kafka_brokers;     /* bootstrap.servers; NULL: target[:port] */
	const char *kafka_topic;       /* the topic of a message its route names none */
	int kafka_topic_dynamic;       /* the topics come from the routes: no
	                                * topic is looked up at connect, and
	                                * kafka_topic is only the fallback */
	const char *kafka_key;         /* NULL/"": no key; "host": the event's host;
	                                * anything else: that fixed key */
	const char *const *kafka_headers; /* "name=value": on every message */
	size_t kafka_n_headers;
	const char *kafka_compression; /* none|gzip|snappy|lz4|zstd; NULL: none */
	const char *const *kafka_conf_params;       /* "key=value" for librdkafka */
	size_t kafka_n_conf_params;
	const char *const *kafka_topic_conf_params; /* "key=value", topic level */
	size_t kafka_n_topic_conf_params;
	int kafka_close_timeout_ms;    /* flush at disconnect/destroy */
	/* --- end of the kafka part; below, what several transports use --- */
	/* A message Kafka refuses for good (see transport_kafka.c: too large,
	 * a record it cannot validate) is first made smaller, when the error is
	 * about its size and there is a reduce hook: REDUCE(REDUCE_CTX, IDX,
	 * LIMIT, OUT) writes message IDX of the batch handed to send() again,
	 * within LIMIT bytes, into OUT: 0, or -1 when it cannot. Once that too
	 * is refused (or without the hook, or for another reason), the message
	 * is appended with its reason to the dead-letter file KAFKA_DEADLETTER
	 * (deadletter.h) and settled: the batch commits. NULL: no file; such a
	 * message keeps the batch failed, as any other error does. */
	int (*reduce)(void *ctx, size_t idx, size_t limit, buf_t *out);
	void *reduce_ctx;
	const char *kafka_deadletter;
	/* tells once per kind (error and outcome), for the whole action, that
	 * a message was reduced or dead-lettered; NULL: not told */
	void (*kafka_notice)(void *ctx, const char *text);
	void *kafka_notice_ctx;
	/* --- end kafka --- */

	/* --- tls (transport_tls.c); all-zero is the default --- */
	const char *tls_cacert;      /* PEM CA file; NULL: the system's store */
	const char *tls_mycert;      /* PEM client certificate (chain) for mutual */
	const char *tls_myprivkey;   /* TLS and its key: both or neither */
	tls_authmode_t tls_authmode;
	/* names (or IP addresses) the certificate must carry one of, or for
	 * x509/fingerprint "SHA256:AB:CD:..." fingerprints; none: the target */
	const char *const *tls_permittedpeers;
	size_t tls_n_permittedpeers;
	const char *tls_minversion;  /* "1.2" (NULL) or "1.3" */
	/* --- end tls --- */

	/* --- relp (transport_relp.c); uses target(s), port, failback and
	 * stream_stats (connects: sessions opened) as tcp/tls do, and the
	 * tls_cacert, tls_mycert, tls_myprivkey, tls_authmode and
	 * tls_permittedpeers above when relp_tls is set --- */
#define TRANSPORT_DEFAULT_RELP_TIMEOUT_S      90 /* omrelp's "timeout" */
#define TRANSPORT_DEFAULT_RELP_CONN_TIMEOUT_S 10 /* omrelp's "conn.timeout" */
	int relp_tls;                /* "tls": RELP over TLS */
	int relp_timeout_s;          /* wait for the window or a response */
	int relp_conn_timeout_s;     /* connect */
	int relp_window;             /* frames unacknowledged at most; 0: librelp's */
	unsigned relp_rebind;        /* messages per session at most; 0: no limit */
	const char *relp_tlslib;     /* "openssl" or "gnutls"; NULL: librelp's */
	/* --- end relp --- */

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

/* One entry of targets: "host", "host:port", "[v6]", "[v6]:port" or a bare
 * IPv6 address into HOST (HOSTLEN bytes) and *PORT (left alone when the
 * entry has none): 0, or -1 with the reason in ERRSTR (transport_stream.c). */
int transport_target_parse(const char *s, char *host, size_t hostlen, int *port,
                           char *errstr, size_t errlen);

typedef struct transport transport_t;

/* Where one message goes, for a transport with TRANSPORT_CAP_ROUTES
 * (kafka): a topic (empty: the configured one) and, when has_key, a key
 * (empty: no key; without has_key: the configured key). Views, not owned. */
typedef struct transport_route {
	const char *topic;
	size_t topic_len;
	const char *key;
	size_t key_len;
	int has_key;
} transport_route_t;

/* A route travels with its message (through the pipeline and the joiner,
 * which carry it as opaque bytes) encoded by transport_route_write: TOPIC,
 * then, when it has a key, NUL KEY. transport_route_read views such BYTES
 * (LEN of them) as *R. The one place that knows the encoding. */
void transport_route_write(buf_t *out, const transport_route_t *r);
void transport_route_read(const char *bytes, size_t len, transport_route_t *r);

/* What a transport can do, asked by the front ends instead of which
 * transport it is (after curl's SSLSUPP_* bits). */
#define TRANSPORT_CAP_NEEDS_TARGET 0x001u /* target is required (else: optional) */
#define TRANSPORT_CAP_FAILOVER     0x002u /* several targets, tried in order */
#define TRANSPORT_CAP_STREAM_STATS 0x004u /* counts in conf.stream_stats */
#define TRANSPORT_CAP_FRAMED       0x008u /* syslog framing around each message */
#define TRANSPORT_CAP_TLS          0x010u /* always TLS (the tls_* files apply) */
#define TRANSPORT_CAP_TLS_SWITCH   0x020u /* TLS when conf.relp_tls is set */
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
	/* its statistics: a block of stats_size bytes (conf.stats, shared by
	 * the transports of one action's workers; NULL: a block of its own)
	 * holding these counters */
	const transport_counter_t *counters;
	size_t n_counters;
	size_t stats_size;
} transport_ops_t;

/* The transport called NAME, or NULL. */
const transport_ops_t *transport_find(const char *name);
const char *transport_names(void);

extern const transport_ops_t transport_tcp;
extern const transport_ops_t transport_tls;
extern const transport_ops_t transport_kafka;
extern const transport_ops_t transport_relp;

/* relp only. Counters for impstats, shared by the transports of one action's
 * workers; updated atomically. */
typedef struct transport_relp_stats {
	unsigned long long acks_awaited;   /* batches whose every acknowledgement
	                                    * was awaited (the session's close) */
	unsigned long long acks_failed;    /* ... not all acknowledged in time */
	unsigned long long reestablished;  /* broken sessions librelp re-opened,
	                                    * sending its unacknowledged frames again */
	unsigned long long retransmitted;  /* messages handed to librelp again by
	                                    * librelp itself (at most: some of them may
	                                    * have been acknowledged already) */
	unsigned long long skipped;        /* retried messages not sent again: the
	                                    * receiver acknowledged them, or librelp
	                                    * holds them for its own retransmission */
	unsigned long long resent_unsure;  /* messages sent again whose
	                                    * acknowledgement was unknown: may duplicate */
	unsigned long long auth_failures;  /* TLS peers refused (either side) */
	unsigned long long rebinds;        /* sessions closed and opened again
	                                    * after rebindInterval messages */
} transport_relp_stats_t;

/* kafka only. Counters for impstats; updated atomically by the sending thread. */
typedef struct transport_kafka_stats {
	unsigned long long produced;    /* messages handed to librdkafka */
	unsigned long long delivered;   /* successful delivery reports */
	unsigned long long failed;      /* failed reports and refused produce() */
	unsigned long long skipped;     /* retried messages already delivered */
	unsigned long long awaited;     /* retried messages still in flight: waited
	                                 * for instead of produced again */
	unsigned long long recreated;   /* producers replaced after a fatal error or
	                                 * a refusing topic state */
	unsigned long long doubt;       /* failed "possibly persisted": in doubt */
	unsigned long long doubt_found; /* ... found by reading back: delivered */
	unsigned long long doubt_absent;/* ... not found: produced again */
	unsigned long long doubt_unresolved; /* ... too far to read back: produced
	                                 * again unverified (may duplicate) */
	unsigned long long permanent;   /* messages Kafka refused for a reason that
	                                 * retrying does not cure (authorization,
	                                 * unknown topic, size, invalid record):
	                                 * each message once, not once per retry */
	unsigned long long reduced;     /* refused for their size, produced again
	                                 * smaller (reduce hook) and delivered */
	unsigned long long isolated;    /* of a Produce request refused for one
	                                 * message, produced again alone and
	                                 * delivered */
	unsigned long long deadletter;  /* refused for good, written to the
	                                 * dead-letter file and settled */
	unsigned long long deadletter_failed; /* attempts to write the dead-letter
	                                 * file that failed (the batch stays failed) */
	unsigned long long noticed;     /* not a counter: the kinds of refusal
	                                 * already told (kafka_notice), a bit each */
	unsigned long long lost_at_close; /* messages of a failed batch still not
	                                 * delivered when the transport was destroyed */
	/* from librdkafka's statistics (statistics.interval.ms), summed over
	 * the producers: */
	unsigned long long queue_msgs;  /* messages in the producers' queues (gauge) */
	unsigned long long tx_errors;   /* brokers' transmission errors */
	unsigned long long tx_retries;  /* request retries */
	unsigned long long req_timeouts;/* requests timed out */
} transport_kafka_stats_t;

/* kafka's counters (tests; the front ends use ops.counters) */
const transport_kafka_stats_t *transport_kafka_stats(const transport_t *t);
/* ops.undelivered of kafka */
size_t transport_kafka_undelivered(const transport_t *t);
/* ops.send_routed of kafka: ROUTES (NULL: none) holds, at the index of each
 * message of MB, its route (transport_route_t, as transport_route_write
 * encodes it). An empty topic (or no route) is conf.kafka_topic; without a
 * key, conf.kafka_key's; an empty key is no key. A topic must be a valid
 * name (see below). */
transport_rc_t transport_kafka_send_routed(transport_t *t, const msgbatch_t *mb,
                                           const msgbatch_t *routes, size_t *delivered,
                                           char *errstr, size_t errlen);

#define TRANSPORT_KAFKA_TOPIC_MAX 249  /* Kafka's limit on a topic name */
/* A topic name Kafka accepts, made of NAME (LEN bytes) in OUT: characters
 * other than a-z A-Z 0-9 . _ - become '_', it is cut at the limit, and an
 * empty name, "." or ".." gets a '_' before it. Returns its length;
 * *CHANGED tells whether it differs from NAME. */
size_t transport_kafka_topic_fix(const char *name, size_t len,
                                 char out[TRANSPORT_KAFKA_TOPIC_MAX + 1], int *changed);


#endif
