/* transport_kafka.h -- the settings of Kafka (transport_kafka.c) and its
 * counters.
 *
 * Ownership: the strings and arrays are the caller's (transport_conf_t's
 * rule); kafka_create copies what it keeps (brokers, topic, key, the
 * headers and librdkafka settings as librdkafka objects).
 */
#ifndef AUDITFWD_TRANSPORT_KAFKA_H
#define AUDITFWD_TRANSPORT_KAFKA_H

#include <stddef.h>

#define TRANSPORT_DEFAULT_KAFKA_CLOSE_TIMEOUT_MS 5000

/* all optional except the topic */
typedef struct transport_kafka_conf {
	const char *brokers;     /* bootstrap.servers; NULL: target[:port] */
	const char *topic;       /* the topic of a message its route names none */
	int topic_dynamic;       /* the topics come from the routes: no topic is
	                          * looked up at connect, and topic is only the
	                          * fallback */
	const char *key;         /* NULL/"": no key; "host": the event's host;
	                          * anything else: that fixed key */
	const char *const *headers; /* "name=value": on every message */
	size_t n_headers;
	const char *compression; /* none|gzip|snappy|lz4|zstd; NULL: none */
	const char *const *conf_params;       /* "key=value" for librdkafka */
	size_t n_conf_params;
	const char *const *topic_conf_params; /* "key=value", topic level */
	size_t n_topic_conf_params;
	int close_timeout_ms;    /* flush at disconnect/destroy */
} transport_kafka_conf_t;

/* Counters for impstats; updated atomically by the sending thread. */
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
	                                 * already told (conf.notice), a bit each */
	unsigned long long lost_at_close; /* messages of a failed batch still not
	                                 * delivered when the transport was destroyed */
	unsigned long long batches;     /* batches that waited for their delivery
	                                 * reports (every send() of messages that
	                                 * got that far) */
	unsigned long long wait_us;     /* microseconds those batches waited for
	                                 * their delivery reports */
	/* from librdkafka's statistics (statistics.interval.ms), summed over
	 * the producers: */
	unsigned long long queue_msgs;  /* messages in the producers' queues (gauge) */
	unsigned long long tx_errors;   /* brokers' transmission errors */
	unsigned long long tx_retries;  /* request retries */
	unsigned long long req_timeouts;/* requests timed out */
} transport_kafka_stats_t;

#endif
