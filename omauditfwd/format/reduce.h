/* reduce.h -- a message over the size limit, made to fit: "reduction, not
 * rejection".
 *
 * The formatters know how to cut (format_reduce_t in format.h: long values
 * cut with a marker, an argument list cut in the middle, only the fields a
 * detection needs); this unit finds the settings that fit. It writes the
 * message again with a cap on value lengths, searching for the largest cap
 * under which the whole message (syslog header included) fits, so the
 * longest values are cut first and short ones stay whole. Stages, each
 * tried only when the one before cannot fit even at its smallest cap:
 *   1. every record and field, values capped (REDUCE_MIN_VALUE at least);
 *   2. only the essential fields (format_essential_field), at most
 *      REDUCE_MAX_PER_TYPE records of a type (EXECVE records all), capped;
 *   3. the minimal message: the first record's essential fields, values
 *      capped from REDUCE_MIN_VALUE down to 0;
 *   4. the first record without fields: id, time, host, type and the
 *      reduction flag only.
 * A limit of REDUCE_MIN_LIMIT or more always fits stage 4 (a syslog header
 * with a 255-byte host, a 48-byte APP-NAME and a 64-byte type name
 * included), so with such a limit no message is ever larger than it.
 */
#ifndef AUDITFWD_REDUCE_H
#define AUDITFWD_REDUCE_H

#include "format.h"

#define REDUCE_MIN_LIMIT    2048   /* the smallest limit that always fits */
#define REDUCE_MIN_VALUE    32     /* stages 1-2 cap values at no less */
#define REDUCE_ARGV_FACTOR  4      /* an argument list may hold 4 caps */
#define REDUCE_MAX_PER_TYPE 4      /* stage 2: records of one type kept */
#define REDUCE_KEEP_MAX     (1024 * 1024) /* work buffers larger are freed */

/* The action's maxMessageSize: what a stock receiver with its default
 * settings takes whole. rsyslog's imtcp keeps 8096 bytes of a message
 * (its global maxMessageSize; octet-counted and LF-framed alike; a longer
 * octet-counted frame is split into two messages, a longer line is cut),
 * syslog-ng's network() and syslog() sources 65536 (log-msg-size). The
 * limit counts the framing too, so 8096 leaves rsyslog's 8096 of message. */
#define REDUCE_DEFAULT_MAX      8096
/* With Kafka: message.max.bytes (librdkafka's default 1000000) less this:
 * librdkafka counts 36 bytes of record framing besides the value, the key
 * and the headers into message.max.bytes (measured with librdkafka 2.0.2);
 * the rest is room for a key (a host name: 255 bytes at most). Fixed
 * headers (kafkaHeader) are taken off as well. */
#define REDUCE_KAFKA_MAX_BYTES  1000000
#define REDUCE_KAFKA_MARGIN     1024
#define REDUCE_KAFKA_HEADER_COST 16    /* per header, beside name and value */

/* The default limit for Kafka: message.max.bytes as CONF ("key=value"
 * librdkafka settings) sets it, else librdkafka's default, less
 * REDUCE_KAFKA_MARGIN and the cost of the HEADERS ("name=value"). */
size_t reduce_kafka_default(const char *const *conf, size_t nconf,
                            const char *const *headers, size_t nheaders);
/* The most a message (syslog header and body) may hold so that, with its
 * framing, it stays within MAX: octet counting ("LEN ") costs at most the
 * digits of MAX and a space, LF framing one byte, Kafka nothing. */
size_t reduce_message_limit(size_t max, int octet_counted, int lf);

/* Write one whole message (header and body, and the format's "reduced"
 * flag) for the records RECS reduced as R says, appending to OUT. */
typedef void (*reduce_write_fn)(buf_t *out, format_reduce_t *r,
                                const audit_record_t *const *recs, size_t nrecs,
                                void *ud);

typedef struct reducer {
	format_reduce_t fr;
	buf_t attempt, best;
	const audit_record_t **recs;   /* stage 2's records */
	size_t cap;
	format_argv_cache_t argv;      /* the argument list the attempts write */
	format_record_cache_t texts;   /* the records no cap cuts, in a stage */
} reducer_t;

void reducer_init(reducer_t *rd);
void reducer_free(reducer_t *rd);

/* Append to OUT the message W writes for RECS (FROM bytes unreduced), made
 * to fit in LIMIT bytes. RECS may be empty for a message of no records (an
 * unparsed line: W ignores them). Returns the size appended, or 0 when no
 * stage fits (a LIMIT below REDUCE_MIN_LIMIT) or memory ran out: nothing
 * is appended then. *R receives the settings and counts used. */
size_t reduce_fit(reducer_t *rd, buf_t *out, size_t limit, size_t from,
                  const audit_record_t *const *recs, size_t nrecs,
                  reduce_write_fn w, void *ud, format_reduce_t *r);

#endif
