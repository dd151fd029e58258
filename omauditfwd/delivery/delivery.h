/* delivery.h -- the delivery policy of an action, apart from rsyslog.
 *
 * What a failed batch means (the action is suspended and retried; the
 * outage is logged once, again every DELIVERY_RELOG_S, its end once), what
 * happens at shutdown (a batch that cannot be delivered goes to the spool
 * file instead of being dropped; so do the events the joiner holds and the
 * batch rsyslog drops with a cancelled worker), and the spool's life after
 * the next start (set up by the first worker, a foreign file set aside, fed
 * ahead of the first batches, removed once delivered, a damaged one set
 * aside as .bad). spool.h holds the file format.
 *
 * The glue tells it what happened: a batch begins (delivery_feed_begin),
 * is delivered or fails (delivery_feed_end, delivery_succeeded,
 * delivery_failed), shutdown (delivery_save_batch, delivery_held_unsent,
 * delivery_worker_free). It answers with what to do: feed these lines
 * first, the batch is saved (let rsyslog consider it delivered) or not
 * (suspend), and says what to log through the caller's delivery_log_fn,
 * each message complete and only as often as the policy wants.
 *
 * Backends are not named here: the glue says whether the transport is
 * stopping and how many messages it has not delivered.
 *
 * Threads: a delivery_t is shared by the action's workers (the feed is
 * taken by one batch at a time); a delivery_worker_t belongs to one worker.
 * The claims registry is safe from any thread.
 */
#ifndef AUDITFWD_DELIVERY_H
#define AUDITFWD_DELIVERY_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "audit_event.h"
#include "spool.h"

#define DELIVERY_LOG_MAX    2048    /* bytes of a message, NUL included (rsyslog's) */
#define DELIVERY_RELOG_S    300     /* a lasting failure is logged again */
#define DELIVERY_FEED_MAX   10000   /* spool lines fed ahead of one batch */
#define DELIVERY_NAME_TRIES 100     /* default spool names tried at most */
#define DELIVERY_CAND_MAX   320     /* bytes of a default statsname */

typedef enum {
	DELIVERY_ERROR,      /* an error (rsyslog: LogError) */
	DELIVERY_WARNING,
	DELIVERY_INFO,
	DELIVERY_DEBUG       /* debug output only */
} delivery_level_t;

/* what the message is about (rsyslog shows it as an error code) */
typedef enum {
	DELIVERY_CODE_OK,
	DELIVERY_CODE_ERR,
	DELIVERY_CODE_SUSPENDED,
	DELIVERY_CODE_NOMEM
} delivery_code_t;

/* TEXT: the whole message, without a trailing LF; ERRNUM: an errno whose
 * text the logger appends, or 0 */
typedef void (*delivery_log_fn)(delivery_level_t level, delivery_code_t code, int errnum,
                                const char *text);

/* ---- the action ---- */

typedef struct delivery {
	delivery_log_fn log;
	const char *name;           /* the action's statsname (not owned) */
	const char *where;          /* its target, for messages (not owned) */
	char ident[SPOOL_IDENTITY_MAX]; /* at the top of its spool file */
	char *spool_path;           /* NULL: no work directory, no spool */
	int checked;                /* delivery_setup_spool() ran (under setup_mu) */
	int pending;                /* the spool file is to be fed in (atomic) */
	int warned;                 /* shutdown spooling reported (atomic) */
	pthread_mutex_t setup_mu;
	pthread_mutex_t feed_mu;    /* held by the batch that feeds the spool */
	spool_t spool;              /* the spool being fed, loaded once */
	size_t next;                /* its first line not yet delivered */
} delivery_t;

void delivery_init(delivery_t *d, delivery_log_fn log);
void delivery_free(delivery_t *d);

/* The action's names, once they are final: NAME and WHERE are kept as
 * pointers; TRANSPORT and FORMAT go into the spool identity. */
void delivery_identify(delivery_t *d, const char *name, const char *where,
                       const char *transport, const char *format);

/* Where the spool file is (WORKDIR: rsyslog's work directory, NULL or ""
 * for none) and whether the last shutdown left one; a file written by
 * another action is renamed PATH.foreign-NOW and never fed. Once per
 * action (later calls do nothing). 0, or -1 when memory ran out. */
int delivery_setup_spool(delivery_t *d, const char *workdir, time_t now);

/* The spool file, NULL when there is none. */
const char *delivery_spool_path(const delivery_t *d);

/* A batch begins (not during shutdown): when a spool file is pending and
 * no other batch feeds it, the next DELIVERY_FEED_MAX of its lines, to go
 * into the batch ahead of its own, in *LINES, *N. The answer is a token for
 * delivery_feed_end (the batch then holds the feed), or 0 when this batch
 * feeds nothing (a file that cannot be read is renamed PATH.bad). */
size_t delivery_feed_begin(delivery_t *d, const audit_line_t **lines, size_t *n);

/* The batch that fed up to TOKEN is over, DELIVERED or not; the file is
 * removed once every line of it has been delivered. */
void delivery_feed_end(delivery_t *d, size_t token, int delivered);

/* Shutdown with events held by the joiner J (PENDING of them) that could
 * not be sent (WHY): saved to the spool (the joiner's current batch, which
 * the caller flushed), or reported lost. Logs what happened. */
void delivery_held_unsent(delivery_t *d, const audit_joiner_t *j,
                          unsigned long long pending, const char *why);
/* ... or that could not even be tried: no memory */
void delivery_held_nomem(delivery_t *d, unsigned long long pending);

/* Shutdown, and a batch of N LINES cannot be delivered (WHY): save the
 * events the joiner J completed in its current batch (J may be NULL), then
 * LINES, to the spool. 0: saved, the batch counts as delivered; -1: not
 * saved (logged), rsyslog keeps it. The first save is logged, later ones
 * go to debug output. */
int delivery_save_batch(delivery_t *d, const audit_joiner_t *j, const audit_line_t *lines,
                        size_t n, const char *why);

/* ---- a worker ---- */

typedef struct delivery_worker {
	delivery_log_fn log;
	char *name, *where;         /* copies: the worker may outlive the action */
	char *spool_path;           /* NULL: none */
	char *ident;
	int failing;                /* last attempt failed: log recovery once */
	int stop_logged;            /* stopping with a batch not delivered: logged */
	time_t failing_since, failing_logged;
	unsigned long failures;     /* attempts failed since failing_since */
	spool_held_t held;          /* messages handed back, not yet settled */
} delivery_worker_t;

/* W for a worker of D (after delivery_setup_spool). 0, or -1 when memory
 * ran out. A zeroed W may be freed. */
int delivery_worker_init(delivery_worker_t *w, const delivery_t *d);

/* The worker is gone: messages still held are those rsyslog dropped when
 * it cancelled the worker at shutdown: saved to the spool, or reported. */
void delivery_worker_free(delivery_worker_t *w);

/* The last attempt failed. */
int delivery_failing(const delivery_worker_t *w);

/* An attempt failed at NOW (WHY): logged once per outage, again after
 * DELIVERY_RELOG_S. STOPPING: the transport is shutting down with
 * UNDELIVERED messages of the batch not delivered; without a spool file
 * that batch is lost when rsyslog cancels the worker: said once. */
void delivery_failed(delivery_worker_t *w, const char *why, time_t now, int stopping,
                     size_t undelivered);

/* A batch that sent something was delivered: the end of an outage is
 * logged once. */
void delivery_succeeded(delivery_worker_t *w);

/* A message of a batch handed back to rsyslog (hold) or settled at last
 * (delivered or saved). ROUTE may be NULL. hold: 0, or -1 (out of memory,
 * not kept). */
int delivery_hold(delivery_worker_t *w, const char *p, size_t len, const char *route,
                  size_t route_len);
void delivery_settle(delivery_worker_t *w, const char *p, size_t len, const char *route,
                     size_t route_len);
size_t delivery_held(const delivery_worker_t *w);

/* ---- one spool file per action ---- */

/* The spool file names claimed by the module's actions, so that a second
 * action that would get the same one is refused (its statsname given) or
 * named apart (the default statsname "omauditfwd-WHERE", then with
 * "-FORMAT", then "-FORMAT-N" appended). */
typedef struct delivery_claim {
	struct delivery_claim *next;
	const void *owner;
	char statsname[DELIVERY_CAND_MAX];
	char name[PATH_MAX];
} delivery_claim_t;

typedef struct delivery_claims {
	delivery_claim_t *head;
	pthread_mutex_t mu;
} delivery_claims_t;

#define DELIVERY_CLAIMS_INIT { NULL, PTHREAD_MUTEX_INITIALIZER }

typedef enum {
	DELIVERY_CLAIM_OK,
	DELIVERY_CLAIM_REFUSED,     /* ERR says why (a configuration error) */
	DELIVERY_CLAIM_NOMEM
} delivery_claim_rc_t;

/* Claim a spool file name for OWNER: STATSNAME when given (not NULL),
 * else a default statsname from WHERE and FORMAT, returned in *CHOSEN
 * (malloc'd; NULL when STATSNAME was given). */
delivery_claim_rc_t delivery_claim(delivery_claims_t *r, const void *owner,
                                   const char *statsname, const char *where,
                                   const char *format, char **chosen,
                                   char *err, size_t errlen);
void delivery_unclaim(delivery_claims_t *r, const void *owner);

#endif
