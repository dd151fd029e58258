/* kafka_stats.h -- the few numbers we take from librdkafka's statistics
 * JSON (statistics.interval.ms; see librdkafka's STATISTICS.md): queue
 * depth now, and the brokers' transmission errors, retries and request
 * timeouts so far, summed over the brokers.
 */
#ifndef AUDITFWD_KAFKA_STATS_H
#define AUDITFWD_KAFKA_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef struct kafka_stats_sample {
	int64_t msg_cnt;        /* messages in the producer's queues (gauge) */
	int64_t txerrs;         /* transmission errors, all brokers (total) */
	int64_t txretries;      /* request retries, all brokers (total) */
	int64_t req_timeouts;   /* requests timed out, all brokers (total) */
} kafka_stats_sample_t;

/* Parse one statistics document; 0, or -1 when it is not one. */
int kafka_stats_parse(const char *json, size_t len, kafka_stats_sample_t *out);

#endif
