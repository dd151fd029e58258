/* pipeline.h -- line in, output messages out: the core shared by the module
 * and the auditfwd CLI.
 *
 * A pipeline parses each input line into a record, decides what host it
 * belongs to, and appends one complete output message (syslog header +
 * formatted body) per record to a msgbatch_t. Lines that are not audit
 * records are forwarded flagged or dropped and counted, as configured.
 * A pipeline is used by one thread at a time; its counters may be shared
 * by several pipelines (one per rsyslog worker) and are updated atomically.
 */
#ifndef AUDITFWD_PIPELINE_H
#define AUDITFWD_PIPELINE_H

#include <stdint.h>

#include "audit_record.h"
#include "buf.h"
#include "format.h"
#include "syslog_header.h"

typedef enum unparsed_policy {
	UNPARSED_FORWARD = 0,   /* forward the line flagged, count it */
	UNPARSED_DROP           /* do not forward, count it */
} unparsed_policy_t;

int unparsed_policy_parse(const char *s, unparsed_policy_t *out);

typedef struct pipeline_stats {
	uint64_t lines_in;         /* lines handed to the pipeline */
	uint64_t records_parsed;   /* ... that were audit records */
	uint64_t unparsed;         /* ... that were not (any reason) */
	uint64_t unparsed_dropped; /* ... of those, dropped by policy */
	uint64_t messages_out;     /* messages appended to a batch */
} pipeline_stats_t;

#define PIPELINE_STAT_ADD(st, field, n) \
	__atomic_fetch_add(&(st)->field, (n), __ATOMIC_RELAXED)
#define PIPELINE_STAT_GET(st, field) \
	__atomic_load_n(&(st)->field, __ATOMIC_RELAXED)

typedef struct pipeline_conf {
	const format_ops_t *format;
	unparsed_policy_t unparsed;
	syslog_hdr_conf_t header;
	const char *local_host;    /* NULL: gethostname() */
} pipeline_conf_t;

void pipeline_conf_default(pipeline_conf_t *c);

typedef struct pipeline pipeline_t;

/* STATS may be NULL (the pipeline then keeps its own). */
pipeline_t *pipeline_new(const pipeline_conf_t *conf, pipeline_stats_t *stats);
void pipeline_free(pipeline_t *p);
pipeline_stats_t *pipeline_stats(pipeline_t *p);

/* Process one line (LEN bytes, need not be NUL-terminated). HOST_HINT (may
 * be NULL/0) is the syslog hostname the caller knows for this line. Appends
 * 0 or 1 messages to OUT. Returns 0, or -1 when memory ran out (OUT is then
 * unchanged and the caller must retry or fail the batch). */
int pipeline_process(pipeline_t *p, const char *line, size_t len,
                     const char *host_hint, size_t host_hint_len,
                     msgbatch_t *out);

#endif
