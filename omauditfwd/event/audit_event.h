/* audit_event.h -- joining the records of one audit event.
 *
 * Kernel records of one syscall share (origin, time, serial) and end with
 * EOE; records that differ in any of the three never join (as auparse:
 * serials start again after a reboot). User-space records
 * (audit_type_is_standalone) are events of their own. The joiner keeps
 * incomplete events and hands out complete ones. An event also completes,
 * flagged incomplete, when its origin's clock is more than join_timeout
 * past it, when more than max_pending events are held (oldest first), or
 * on a flush (HUP, shutdown).
 * And when nothing was added to it for join_timeout (wall time,
 * monotonic): audit_joiner_expire_idle(), which the module calls from a
 * timer, so that a quiet origin's last event does not wait for the
 * origin's next record.
 *
 * origin = the record's node=, else the syslog hostname it came with, else
 * "" (this host): serials are per host, so relayed hosts never mix. The
 * origins are in a table hashed with a random key (siphash.h), so crafted
 * names cannot make it slow, and an origin is freed when it holds nothing.
 *
 * Bounds: an event holds at most max_records records and max_bytes bytes
 * of lines; the record that would take it past either is the first of a
 * new part of the same event. Every part goes out flagged "capped".
 *
 * Time: an origin's clock is the audit time of its latest plausible record
 * (audit_time_plausible: not more than AUDIT_TIME_FUTURE_MAX_S after the
 * receiving clock). An event's own time drives its timeout only when it is
 * plausible; else the event is timed from the origin's clock when it
 * began (no clock yet: it times out at the origin's next plausible
 * record), so a record dated in the future never holds its origin's events
 * back. The time as written stays the key and goes out in the event.
 *
 * Transactions: rsyslog retries a batch that could not be delivered, so
 * every change a batch makes (records added, events created or completed)
 * is logged and undone by audit_joiner_rollback(), which restores the state
 * exactly as it was at audit_joiner_begin(). The joiner is shared by the
 * workers of one action: begin() takes its lock and commit()/rollback()
 * release it, so batches are joined one at a time.
 *
 * Records are kept as copies of their lines, each with a frozen copy of
 * its parse (audit_record_freeze) pointing into the line's copy: an event
 * is formatted from its records as they were parsed when they came, never
 * parsed twice, and the views of the caller's parse never outlive the
 * caller's batch. A record costs its line plus its fields (sizeof
 * (audit_field_t) each, at most AUDIT_RECORD_MAX_FIELDS) and its index;
 * the caps (max_bytes, held) count the lines.
 */
#ifndef AUDITFWD_AUDIT_EVENT_H
#define AUDITFWD_AUDIT_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "audit_record.h"

#define AUDIT_JOIN_DEFAULT_TIMEOUT_MS  2000
#define AUDIT_JOIN_DEFAULT_MAX_PENDING 4096
/* Never cut a real event: the kernel logs an execve's arguments (at most
 * 6 MiB, 12 MiB hex-encoded) in records of at most 7.5 KiB, about 1,700
 * records; the largest in the corpus are 7 records, 17 KiB. */
#define AUDIT_JOIN_DEFAULT_MAX_RECORDS 4096
#define AUDIT_JOIN_DEFAULT_MAX_BYTES   (32u * 1024 * 1024)
/* The least max_bytes accepted: a record of the parser's longest line
 * always fits in one event part. */
#define AUDIT_JOIN_MIN_MAX_BYTES       AUDIT_RECORD_MAX_LEN

/* An audit time more than this after the receiving clock is implausible:
 * a day covers a sender's clock or zone set wrong by hours. Any time back
 * to the epoch is plausible (archives, backlogs, a clock not yet set). */
#define AUDIT_TIME_FUTURE_MAX_S 86400

/* 1 when SEC (audit time) is plausible at the receiving clock NOW_SEC. */
int audit_time_plausible(int64_t sec, int64_t now_sec);

typedef enum audit_event_end {
	AUDIT_EVENT_END_EOE = 0,      /* complete: EOE seen */
	AUDIT_EVENT_END_STANDALONE,   /* complete: a user-space record */
	AUDIT_EVENT_END_TIMEOUT,      /* incomplete: origin moved on, or quiet */
	AUDIT_EVENT_END_EVICTED,      /* incomplete: too many pending */
	AUDIT_EVENT_END_FLUSH,        /* incomplete: HUP or shutdown */
	AUDIT_EVENT_END_CAPPED        /* a part of an event past max_records/bytes */
} audit_event_end_t;

const char *audit_event_end_str(audit_event_end_t end);

/* A record's line as it came, and its route: bytes the caller attached to
 * it and gets back with the event (the module: where the message goes,
 * see pipeline_process_routed); the joiner does not look at them. And the
 * record as it was parsed when it came (audit_record_freeze), so that an
 * event is formatted without parsing its lines again. */
typedef struct audit_line {
	char *p;          /* a copy, NUL-terminated */
	size_t len;
	char *route;      /* NULL: none; else route_len bytes (+ NUL) after p's */
	size_t route_len;
	const audit_record_t *rec; /* the parse of p, or NULL (parse p again) */
} audit_line_t;

/* L = a copy of P (LEN bytes), ROUTE (ROUTE_LEN bytes, or NULL) and a
 * frozen copy of REC, the parse of P (NULL, or not parsed from P: none),
 * in one allocation: free(L->p) frees them all. 0, or -1 when memory ran
 * out. The parse is kept only when it costs at most
 * AUDIT_LINE_FREEZE_RATIO times the line plus AUDIT_LINE_FREEZE_SLACK
 * bytes (an ordinary record: 1.5 KiB for a line of 250 bytes), so that
 * lines of thousands of tiny fields ("a=1 a=1 ...", 56 bytes of parse per
 * 4 bytes of line) held by the joiner cost at most that much memory; such
 * a line is parsed again when its event is formatted. */
#define AUDIT_LINE_FREEZE_RATIO 8
#define AUDIT_LINE_FREEZE_SLACK 1024
int audit_line_copy(audit_line_t *l, const char *p, size_t len, const char *route,
                    size_t route_len, const audit_record_t *rec);

/* A completed event: its records' lines in arrival order. */
typedef struct audit_event audit_event_t;

size_t audit_event_nlines(const audit_event_t *ev);
const audit_line_t *audit_event_line(const audit_event_t *ev, size_t i);
audit_event_end_t audit_event_end(const audit_event_t *ev);

typedef struct audit_joiner_conf {
	unsigned timeout_ms;          /* audit-time gap that completes an event */
	size_t max_pending;           /* events held at most */
	size_t max_records;           /* records in one event (part) at most */
	size_t max_bytes;             /* bytes of lines in one event at most */
} audit_joiner_conf_t;

void audit_joiner_conf_default(audit_joiner_conf_t *c);

typedef struct audit_joiner_stats {
	uint64_t events_complete;     /* EOE or standalone */
	uint64_t events_incomplete;   /* timeout, evicted or flushed */
	uint64_t events_evicted;      /* of those, because of max_pending */
	uint64_t events_capped;       /* of those, parts of an event past a cap */
	uint64_t pending;             /* held now (a gauge) */
	uint64_t origins;             /* origins holding events now (a gauge) */
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
/* The batch's wall clock, NOW_SEC (default: this host's at begin), against
 * which its records' times are plausible or not: a batch replayed after a
 * rollback with the clock it had joins exactly as it did (pipeline.c). */
void audit_joiner_set_clock(audit_joiner_t *j, int64_t now_sec);
/* Add the record R, parsed from LINE (LEN bytes, copied) with its ROUTE
 * (ROUTE_LEN bytes, copied; NULL: none). Events this completes (possibly
 * R's own) are appended to the batch's completed list. Returns 0, or -1
 * when memory ran out (the batch must then be rolled back). */
int audit_joiner_add(audit_joiner_t *j, const audit_record_t *r,
                     const char *line, size_t len, const char *route, size_t route_len);
/* Complete every held event (HUP, shutdown) as part of this batch. */
void audit_joiner_flush(audit_joiner_t *j);
/* Complete, flagged timeout, every held event whose last record was added
 * more than timeout_ms before NOW_MS (mono_now_ms(), clock_ms.h: arrival
 * times are on that clock), as part of
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
