/* kafka_readback.h -- read a stretch of one partition back, to settle
 * whether messages whose delivery is in doubt are in the topic.
 *
 * librdkafka reports a message as failed with the status "possibly
 * persisted" when its Produce request was sent but no answer came before
 * the message timed out, was purged, or the producer failed fatally. The
 * broker may have stored it. Producing it again would then duplicate it,
 * not producing it may lose it: reading the partition after the last offset
 * acknowledged before the doubt arose tells which.
 */
#ifndef AUDITFWD_KAFKA_READBACK_H
#define AUDITFWD_KAFKA_READBACK_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

/* Called for each message read; return nonzero to stop reading. */
typedef int (*kafka_readback_cb)(const char *key, size_t klen, const char *val,
                                 size_t vlen, int64_t offset, void *opaque);

/* Read partition PARTITION of TOPIC from offset FROM (clamped to the low
 * watermark) to the high watermark as it is now, at most MAX messages,
 * with a consumer made from a copy of CONF (the producer's settings:
 * brokers, TLS, SASL). Returns the number of messages read; -1 with
 * ERRSTR set when the partition could not be read (cluster unreachable,
 * TIMEOUT_MS passed); -2 when there are more than MAX messages to read. */
long kafka_readback(const rd_kafka_conf_t *conf, const char *topic, int32_t partition,
                    int64_t from, long max, int timeout_ms, kafka_readback_cb cb,
                    void *opaque, char *errstr, size_t errlen);

#endif
