/* join_timer.h -- the thread that sends what a joiner has held too long.
 *
 * An event is held until its EOE, or until its origin's records move
 * join.timeout past it in audit time. An origin that falls silent (the
 * last command before a host goes quiet, ANOM_ABEND and the other records
 * that never get an EOE) would keep its last event until it logs again,
 * and a batch only comes when some message comes. So an action with
 * joining on runs a join timer: a thread that wakes every tick_ms and
 * completes the events that got no record for join.timeout (monotonic
 * time, see audit_joiner_expire_idle), flagged "incomplete":"timeout", and
 * sends them through a transport of its own. Every event therefore reaches
 * the transport at most join.timeout + tick_ms (+ the time to send) after
 * its last record arrived. A kick (HUP) makes it complete every held event
 * at once, when *flush_requested is set.
 *
 * It is a batch like the workers': it holds the joiner's lock from begin
 * to commit (delivered) or rollback (not: the events stay held, and it
 * tries again after retry_ms). It connects before taking the lock, so a
 * collector that does not answer delays the workers' batches by one send
 * at most (the io timeout), never by a connect. Its connection is opened
 * when it has something to send and closed after JOIN_TIMER_IDLE_CLOSE_MS
 * unused. join_timer_stop() ends it; every wait of the thread is bounded
 * by the transport's timeouts.
 */
#ifndef AUDITFWD_JOIN_TIMER_H
#define AUDITFWD_JOIN_TIMER_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline.h"
#include "transport.h"

#define JOIN_TIMER_TICK_MS        500     /* the documented extra delay */
#define JOIN_TIMER_RETRY_MS       5000    /* after a failed connect or send */
#define JOIN_TIMER_IDLE_CLOSE_MS  60000   /* its connection, unused, is closed */

typedef struct join_timer_stats {
	uint64_t events;     /* events it sent */
	uint64_t failed;     /* its attempts (connect or send) that failed */
} join_timer_stats_t;

typedef struct join_timer_conf {
	const pipeline_conf_t *pconf;     /* the action's; its joiner must be set */
	pipeline_stats_t *pstats;         /* the action's counters (NULL: its own) */
	const transport_ops_t *ops;       /* how and where to send, as the workers */
	const transport_conf_t *tconf;
	int *flush_requested;             /* a HUP's flush, shared with the batches
	                                   * (atomic; NULL: none) */
	uint64_t *bytes_sent;             /* bytes it delivered are added (atomic;
	                                   * NULL: not counted) */
	join_timer_stats_t *stats;        /* atomic; NULL: its own */
	int (*paused)(void);              /* nonzero: skip the tick (shutting
	                                   * down); NULL: never */
	/* an attempt failed (FAILED 1, once per outage, WHY the reason), or
	 * the first success after that (FAILED 0, WHY ""); NULL: silent */
	void (*report)(void *ctx, int failed, const char *why);
	void *ctx;
	unsigned tick_ms;                 /* 0: JOIN_TIMER_TICK_MS */
	unsigned retry_ms;                /* 0: JOIN_TIMER_RETRY_MS */
} join_timer_conf_t;

typedef struct join_timer join_timer_t;

/* Start the thread (all signals blocked in it). 0, or -1 with ERRSTR. */
int join_timer_start(join_timer_t **out, const join_timer_conf_t *conf,
                     char *errstr, size_t errlen);
/* Wake the thread now (a HUP: *flush_requested was set). Any thread. */
void join_timer_kick(join_timer_t *t);
/* End the thread and free T (NULL: nothing). The events it holds stay in
 * the joiner. */
void join_timer_stop(join_timer_t *t);

#endif
