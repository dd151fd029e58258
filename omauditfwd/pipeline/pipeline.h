/* pipeline.h -- lines in, output messages out: the core shared by the
 * module and the auditfwd CLI.
 *
 * A pipeline parses each input line into a record and, with joining on,
 * hands it to the action's joiner; the events that complete are formatted
 * (syslog header + body) into a msgbatch_t at the end of the batch. With
 * joining off every record is a message of its own. Lines that are not
 * audit records are forwarded flagged, or dropped, and counted either way.
 *
 * Batches are transactions, because rsyslog retries a batch it could not
 * deliver:  begin; process each line; end (format); then commit when the
 * messages were delivered, or rollback (the joiner forgets the batch).
 * A pipeline is used by one thread at a time; its counters and joiner may
 * be shared by several pipelines (one per rsyslog worker).
 */
#ifndef AUDITFWD_PIPELINE_H
#define AUDITFWD_PIPELINE_H

#include <stdint.h>

#include "audit_event.h"
#include "audit_record.h"
#include "buf.h"
#include "clock_ms.h"
#include "filter.h"
#include "format.h"
#include "syslog_header.h"

typedef enum unparsed_policy {
	UNPARSED_FORWARD = 0,   /* forward the line flagged, count it */
	UNPARSED_DROP           /* do not forward, count it */
} unparsed_policy_t;

int unparsed_policy_parse(const char *s, unparsed_policy_t *out);

/* Counted per delivered batch (on commit), so a retried batch counts once. */
typedef struct pipeline_stats {
	uint64_t lines_in;         /* lines handed to the pipeline */
	uint64_t records_parsed;   /* ... that were audit records */
	uint64_t unparsed;         /* ... that were not (any reason) */
	uint64_t unparsed_dropped; /* ... of those, dropped by policy */
	uint64_t untrusted;        /* lines forwarded flagged untrusted (trusted=0) */
	uint64_t messages_out;     /* messages delivered */
	uint64_t messages_reduced; /* ... of those, reduced to fit max_message */
	uint64_t bytes_cut;        /* ... the bytes the reduction took off them */
} pipeline_stats_t;

#define PIPELINE_STAT_ADD(st, field, n) \
	__atomic_fetch_add(&(st)->field, (n), __ATOMIC_RELAXED)
#define PIPELINE_STAT_GET(st, field) \
	__atomic_load_n(&(st)->field, __ATOMIC_RELAXED)

typedef struct pipeline_conf {
	const format_ops_t *format;
	format_conf_t fmt;         /* the format's options (leef.*) */
	unparsed_policy_t unparsed;
	syslog_hdr_conf_t header;
	const char *local_host;    /* NULL: gethostname() */
	audit_joiner_t *joiner;    /* NULL: joining off, a message per record */
	enrich_t *enrich;          /* NULL: values as written, no interpretation */
	int attribute_host;        /* enrich.hostname: 1 (default) an event's
	                            * host is its node, else the syslog host,
	                            * else this host's FQDN; 0: no host member
	                            * (the syslog header names this host) */
	int routes;                /* keep each message's route (see below) */
	filter_t *filter;          /* NULL: every event is sent (see filter.h);
	                            * shared like the joiner */
	ancestry_t *ancestry;      /* NULL: no process ancestry (ancestry.h) */
	int attack;                /* 1 (default): ATT&CK tags from rule keys */
	const attack_map_t *attack_map; /* NULL: technique ids in keys only */
	int filter_audit_clock;    /* 1: limit windows in audit time (previews
	                            * of a file); 0: this host's clock */
	int trusted;               /* 1 (default): lines come from a trusted
	                            * sender; 0: every line is a claim that
	                            * failed the configuration's trust check,
	                            * forwarded flagged as unparsed, reason
	                            * "untrusted" (whatever unparsed says),
	                            * never parsed into an event */
	size_t max_message;        /* 0: no limit; else no message (syslog header
	                            * and body; the transport's framing is the
	                            * caller's to subtract) is larger: one over it
	                            * is reduced (reduce.h). At least
	                            * REDUCE_MIN_LIMIT for the guarantee. */
	int64_t clock_hold_ms;     /* a batch begun after a rollback keeps the
	                            * clock of the batch rolled back while it is
	                            * at most this old (PIPELINE_CLOCK_HOLD_MS;
	                            * see pipeline_batch_begin) */
} pipeline_conf_t;

void pipeline_conf_default(pipeline_conf_t *c);

struct transport_ops;
struct transport_conf;
/* The pipeline's max_message for a largest message of GIVEN bytes, syslog
 * header and framing included (maxMessageSize; -1: not given), sent with
 * T and C: not given, the transport's default (REDUCE_DEFAULT_MAX when it
 * has none); then less the framing C chooses, when T frames. T NULL: not
 * sent (stdout): GIVEN, or no limit, and no framing. */
size_t pipeline_message_limit(long long given, const struct transport_ops *t,
                              const struct transport_conf *c);

typedef struct pipeline pipeline_t;

/* STATS may be NULL (the pipeline then keeps its own). */
pipeline_t *pipeline_new(const pipeline_conf_t *conf, pipeline_stats_t *stats);
void pipeline_free(pipeline_t *p);
pipeline_stats_t *pipeline_stats(pipeline_t *p);

/* A rolled-back batch's clock is kept for its retries for an hour at most:
 * far less than the day an audit time may run ahead of the clock
 * (AUDIT_TIME_FUTURE_MAX_S), so after a long outage the records of the
 * moment never look implausible against a clock kept from its start. */
#define PIPELINE_CLOCK_HOLD_MS (3600 * CLOCK_MS_PER_S)

/* Start a batch (takes the joiner's lock when joining). The batch reads
 * this host's wall clock once, here: the time that stands in for an
 * implausible audit time, an unparsed line's header, the filters' clock
 * (the module's; the CLI's with --filter-clock wall) and the joiner's
 * plausibility check. A batch begun after a rollback keeps the clock of
 * the batch rolled back (up to conf.clock_hold_ms), so a retry formats and
 * decides exactly as the first try did; a commit lets the next batch read
 * the clock again. */
void pipeline_batch_begin(pipeline_t *p);

/* Process one line (LEN bytes, need not be NUL-terminated). HOST_HINT (may
 * be NULL/0) is the syslog hostname the caller knows for this line.
 * Appends to OUT the messages that are ready now (records when joining is
 * off, unparsed lines). Returns 0, or -1 when memory ran out: the batch
 * must then be rolled back. */
int pipeline_process(pipeline_t *p, const char *line, size_t len,
                     const char *host_hint, size_t host_hint_len,
                     msgbatch_t *out);

/* The same, for a line with a route: bytes that say where its messages go
 * (transport_route_t as transport_route_write encodes it; the module:
 * the topic and key its rsyslog message gave). With conf.routes set, every
 * message the batch emits gets a route, in pipeline_routes() at the same
 * index: an unparsed line's or a record's (joining off) is its line's; an
 * event's is the route of its first record's line; each with the host the
 * message's syslog header names (none without a header). NULL: none (an
 * empty route). */
int pipeline_process_routed(pipeline_t *p, const char *line, size_t len,
                            const char *host_hint, size_t host_hint_len,
                            const char *route, size_t route_len, msgbatch_t *out);
/* The routes of this batch's messages so far (conf.routes). */
const msgbatch_t *pipeline_routes(const pipeline_t *p);

/* Complete every held event within this batch (HUP, shutdown). */
void pipeline_flush(pipeline_t *p);

/* Format the events this batch completed into OUT. Returns 0 or -1 (out of
 * memory: roll back). */
int pipeline_batch_end(pipeline_t *p, msgbatch_t *out);
/* Message IDX of this batch again, reduced to fit LIMIT bytes (syslog
 * header and body), appended to OUT: for a transport that learns only when
 * sending that a message is too large (a Kafka broker's message.max.bytes).
 * IDX counts the messages the pipeline emitted since pipeline_batch_begin
 * (pipeline_process and pipeline_batch_end together), which is their index
 * in OUT when the caller's batch was empty at begin. The events and lines
 * stay available until commit or rollback. A message that already fits is
 * appended as it is. The batch's counts follow: the message counts as
 * reduced, and bytes.cut by what it lost. Returns 0; -1 when IDX is not a
 * message of the batch, LIMIT is too small for even the minimal message
 * (below REDUCE_MIN_LIMIT it may be), or memory ran out (OUT unchanged). */
int pipeline_reduce(pipeline_t *p, size_t idx, size_t limit, buf_t *out);

/* The batch's messages were delivered / were not: end the transaction. */
void pipeline_batch_commit(pipeline_t *p);
void pipeline_batch_rollback(pipeline_t *p);

#endif
