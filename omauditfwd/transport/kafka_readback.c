/* kafka_readback.c -- read one partition from an offset to its high
 * watermark with librdkafka's simple (group-less) consumer: no offsets
 * are committed, no group is joined, the topic is left as it was.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kafka_readback.h"
#include "clock_ms.h"

#define READBACK_POLL_MS 200

static void quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk; (void)level; (void)fac; (void)buf;
}

static void ignore_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	(void)rk; (void)err; (void)reason; (void)opaque;
}

/* A consumer with the producer's connection settings; the producer's
 * callbacks and statistics are not inherited. */
static rd_kafka_t *reader_new(const rd_kafka_conf_t *conf, char *errstr, size_t errlen)
{
	rd_kafka_conf_t *kc = rd_kafka_conf_dup(conf);
	char err[512];
	rd_kafka_t *rk;

	rd_kafka_conf_set_opaque(kc, NULL);
	rd_kafka_conf_set_log_cb(kc, quiet);
	rd_kafka_conf_set_error_cb(kc, ignore_error);
	rd_kafka_conf_set_stats_cb(kc, NULL);
	if (rd_kafka_conf_set(kc, "statistics.interval.ms", "0", err, sizeof(err)) ||
	    rd_kafka_conf_set(kc, "enable.partition.eof", "true", err, sizeof(err)) ||
	    (rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, err, sizeof(err))) == NULL) {
		rd_kafka_conf_destroy(kc);
		snprintf(errstr, errlen, "kafka read-back consumer: %s", err);
		return NULL;
	}
	return rk;
}

long kafka_readback(const rd_kafka_conf_t *conf, const char *topic, int32_t partition,
                    int64_t from, long max, int timeout_ms, kafka_readback_cb cb,
                    void *opaque, char *errstr, size_t errlen)
{
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt = NULL;
	rd_kafka_message_t *m;
	rd_kafka_resp_err_t err;
	int64_t lo, hi, next;
	long long deadline = mono_now_ms() + timeout_ms;
	long n = 0;
	int started = 0, stop = 0;

	if ((rk = reader_new(conf, errstr, errlen)) == NULL)
		return -1;
	err = rd_kafka_query_watermark_offsets(rk, topic, partition, &lo, &hi, timeout_ms);
	if (err) {
		snprintf(errstr, errlen, "kafka read-back of %s [%d]: watermarks: %s", topic,
		         (int)partition, rd_kafka_err2str(err));
		n = -1;
		goto out;
	}
	next = from > lo ? from : lo;
	if (next >= hi)
		goto out;                       /* nothing after FROM: none of them */
	if (hi - next > max) {
		snprintf(errstr, errlen, "kafka read-back of %s [%d]: %lld messages to read "
		         "(offsets %lld..%lld), more than %ld", topic, (int)partition,
		         (long long)(hi - next), (long long)next, (long long)hi - 1, max);
		n = -2;
		goto out;
	}
	if ((rkt = rd_kafka_topic_new(rk, topic, NULL)) == NULL ||
	    rd_kafka_consume_start(rkt, partition, next) != 0) {
		snprintf(errstr, errlen, "kafka read-back of %s [%d]: %s", topic,
		         (int)partition, rd_kafka_err2str(rd_kafka_last_error()));
		n = -1;
		goto out;
	}
	started = 1;
	while (next < hi && !stop) {
		if (mono_now_ms() >= deadline) {
			snprintf(errstr, errlen, "kafka read-back of %s [%d]: stopped at offset "
			         "%lld of %lld after %d ms", topic, (int)partition,
			         (long long)next, (long long)hi, timeout_ms);
			n = -1;
			break;
		}
		if ((m = rd_kafka_consume(rkt, partition, READBACK_POLL_MS)) == NULL)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			if (m->offset >= next && m->offset < hi) {
				n++;
				stop = cb(m->key, m->key_len, m->payload, m->len, m->offset, opaque);
			}
			next = m->offset + 1;
		} else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			if (m->offset > next)   /* a gap: control records, compaction */
				next = m->offset;
		} else {
			snprintf(errstr, errlen, "kafka read-back of %s [%d]: %s", topic,
			         (int)partition, rd_kafka_message_errstr(m));
			n = -1;
			stop = 1;
		}
		rd_kafka_message_destroy(m);
	}
out:
	if (started)
		rd_kafka_consume_stop(rkt, partition);
	if (rkt != NULL)
		rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return n;
}
