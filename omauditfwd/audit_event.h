/* audit_event.h -- joining the records of one audit event.
 *
 * Kernel records of one syscall share (origin, serial) and end with EOE;
 * user-space records (audit_type_is_standalone) are events of their own.
 * The joiner keeps incomplete events and hands out complete ones. An event
 * also completes, flagged incomplete, when a record of the same origin is
 * more than join_timeout newer (audit time), when more than max_pending
 * events are held (oldest first), or on a flush (HUP, shutdown). And
 * when nothing was added to it for join_timeout (wall time, monotonic):
 * audit_joiner_expire_idle(), which the module calls from a timer, so that
 * a quiet origin's last event does not wait for the origin's next record.
 *
 * origin = the record's node=, else the syslog hostname it came with, else
 * "" (this host): serials are per host, so relayed hosts never mix.
 *
 * Transactions: rsyslog retries a batch that could not be delivered, so
 * every change a batch makes (records added, events created or completed)
 * is logged and undone by audit_joiner_rollback(), which restores the state
 * exactly as it was at audit_joiner_begin(). The joiner is shared by the
 * workers of one action: begin() takes its lock and commit()/rollback()
 * release it, so batches are joined one at a time.
 *
 * Records are kept as copies of their lines and parsed again when their
 * event is formatted: the views of a parse never outlive the caller's batch.
 */
#ifndef AUDITFWD_AUDIT_EVENT_H
#define AUDITFWD_AUDIT_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "audit_record.h"

#define AUDIT_JOIN_DEFAULT_TIMEOUT_MS  2000
#define AUDIT_JOIN_DEFAULT_MAX_PENDING 4096

typedef enum audit_event_end {
	AUDIT_EVENT_END_EOE = 0,      /* complete: EOE seen */
	AUDIT_EVENT_END_STANDALONE,   /* complete: a user-space record */
	AUDIT_EVENT_END_TIMEOUT,      /* incomplete: origin moved on, or quiet */
	AUDIT_EVENT_END_EVICTED,      /* incomplete: too many pending */
	AUDIT_EVENT_END_FLUSH         /* incomplete: HUP or shutdown */
} audit_event_end_t;

const char *audit_event_end_str(audit_event_end_t end);

/* A record's line as it came, and its tag: bytes the caller attached to
 * it and gets back with the event (the module: where the message goes,
 * see pipeline_process_routed); the joiner does not look at them. */
typedef struct audit_line {
	char *p;          /* a copy, NUL-terminated */
	size_t len;
	char *tag;        /* NULL: none; else tag_len bytes (+ NUL) after p's */
	size_t tag_len;
} audit_line_t;

/* L = a copy of P (LEN bytes) and TAG (TAG_LEN bytes, or NULL), in one
 * allocation: free(L->p) frees both. 0, or -1 when memory ran out. */
int audit_line_copy(audit_line_t *l, const char *p, size_t len, const char *tag,
                    size_t tag_len);

/* A completed event: its records' lines in arrival order. */
typedef struct audit_event audit_event_t;

size_t audit_event_nlines(const audit_event_t *ev);
const audit_line_t *audit_event_line(const audit_event_t *ev, size_t i);
audit_event_end_t audit_event_end(const audit_event_t *ev);

typedef struct audit_joiner_conf {
	unsigned timeout_ms;          /* audit-time gap that completes an event */
	size_t max_pending;           /* events held at most */
} audit_joiner_conf_t;

void audit_joiner_conf_default(audit_joiner_conf_t *c);

typedef struct audit_joiner_stats {
	uint64_t events_complete;     /* EOE or standalone */
	uint64_t events_incomplete;   /* timeout, evicted or flushed */
	uint64_t events_evicted;      /* of those, because of max_pending */
	uint64_t pending;             /* held now (a gauge) */
} audit_joiner_stats_t;

typedef struct audit_joiner audit_joiner_t;

audit_joiner_t *audit_joiner_new(const audit_joiner_conf_t *conf);
void audit_joiner_free(audit_joiner_t *j);
/* A copy of the counters (any time, any thread). */
void audit_joiner_stats(audit_joiner_t *j, audit_joiner_stats_t *out);
/* The live counters, for a reader that loads them itself (impstats). */
const audit_joiner_stats_t *audit_joiner_counters(const audit_joiner_t *j);

/* Start a batch: takes the joiner's lock. */
void audit_joiner_begin(audit_joiner_t *j);
/* Add the record R, parsed from LINE (LEN bytes, copied) with its TAG
 * (TAG_LEN bytes, copied; NULL: none). Events this completes (possibly
 * R's own) are appended to the batch's completed list. Returns 0, or -1
 * when memory ran out (the batch must then be rolled back). */
int audit_joiner_add(audit_joiner_t *j, const audit_record_t *r,
                     const char *line, size_t len, const char *tag, size_t tag_len);
/* Complete every held event (HUP, shutdown) as part of this batch. */
void audit_joiner_flush(audit_joiner_t *j);
/* The clock of arrival times: CLOCK_MONOTONIC in milliseconds. */
int64_t audit_joiner_now_ms(void);
/* Complete, flagged timeout, every held event whose last record was added
 * more than timeout_ms before NOW_MS (audit_joiner_now_ms()), as part of
 * this batch. Returns how many, or -1 when memory ran out (roll back). */
int audit_joiner_expire_idle(audit_joiner_t *j, int64_t now_ms);
/* The events completed so far in this batch, in completion order. */
size_t audit_joiner_ncompleted(const audit_joiner_t *j);
const audit_event_t *audit_joiner_completed(const audit_joiner_t *j, size_t i);
/* The batch was delivered: forget its completed events, release the lock. */
void audit_joiner_commit(audit_joiner_t *j);
/* The batch was not delivered: undo everything it did, release the lock. */
void audit_joiner_rollback(audit_joiner_t *j);

#endif
