/* delivery_worker.c -- one worker's side of the delivery policy: an outage
 * logged once (and its end), the stop without a spool said once, and the
 * messages handed back to rsyslog until they are settled (see delivery.h). */
#include <stdlib.h>
#include <string.h>

#include "delivery_int.h"

static int copy(char **out, const char *s)
{
	*out = NULL;
	return s != NULL && (*out = strdup(s)) == NULL ? -1 : 0;
}

int delivery_worker_init(delivery_worker_t *w, const delivery_t *d)
{
	memset(w, 0, sizeof(*w));
	w->log = d->log;
	if (copy(&w->name, d->name) != 0 || copy(&w->where, d->where) != 0 ||
	    copy(&w->spool_path, d->spool_path) != 0 || copy(&w->ident, d->ident) != 0)
		return -1;
	return 0;
}

/* rsyslog cancelled the worker at shutdown while retrying the messages
 * held, and drops them (8.2302 does not save a cancelled worker's batch):
 * keep them */
static void save_dropped(delivery_worker_t *w)
{
	char err[DELIVERY_LOG_MAX];

	if (w->held.n == 0)
		return;
	if (w->spool_path != NULL &&
	    spool_append(w->spool_path, w->ident, w->held.v, w->held.n, err, sizeof(err)) == 0)
		delivery_say(w->log, DELIVERY_WARNING, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: "
		             "%zu messages of the batch rsyslog dropped when it stopped this worker "
		             "are saved to %s and sent after the next start", w->name, w->held.n,
		             w->spool_path);
	else
		delivery_say(w->log, DELIVERY_ERROR, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: "
		             "%zu messages of the batch rsyslog dropped when it stopped this worker "
		             "are lost: %s", w->name, w->held.n, w->spool_path != NULL ? err :
		             "no global(workDirectory) to save them in");
}

void delivery_worker_free(delivery_worker_t *w)
{
	save_dropped(w);
	spool_held_free(&w->held);
	free(w->name);
	free(w->where);
	free(w->spool_path);
	free(w->ident);
	w->name = w->where = w->spool_path = w->ident = NULL;
}

int delivery_failing(const delivery_worker_t *w)
{
	return w->failing;
}

/* rsyslog retries every resumeInterval: one line each time would flood */
static void note_failure(delivery_worker_t *w, const char *why, time_t now)
{
	if (!w->failing) {
		delivery_say(w->log, DELIVERY_ERROR, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: "
		             "%s: action suspended, rsyslog keeps the data and retries: %s",
		             w->name, w->where, why);
		w->failing_since = w->failing_logged = now;
		w->failures = 0;
	} else if (now - w->failing_logged >= DELIVERY_RELOG_S) {
		/* an error that does not pass (authorization, a message too large)
		 * must not go quiet while the queue fills */
		delivery_say(w->log, DELIVERY_ERROR, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: "
		             "%s: still suspended after %ld s and %lu failed attempts: %s",
		             w->name, w->where, (long)(now - w->failing_since), w->failures, why);
		w->failing_logged = now;
	} else {
		delivery_say(w->log, DELIVERY_DEBUG, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: "
		             "still failing: %s", w->name, why);
	}
	w->failures++;
	w->failing = 1;
}

/* Stopping while the collector does not take a batch: rsyslog retries it
 * until it cancels this worker, and rsyslog 8.2302 does not save the batch
 * of a cancelled worker, even with queue.saveOnShutdown (the rest of the
 * queue it does save). Without a spool file, say so, with the count, once. */
static void note_stop_failure(delivery_worker_t *w, const char *why, size_t undelivered)
{
	if (w->stop_logged)
		return;
	w->stop_logged = 1;
	delivery_say(w->log, DELIVERY_ERROR, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: %s: "
	             "shutting down with %zu messages of the batch in hand not delivered: "
	             "when rsyslog cancels this worker (queue.timeoutShutdown, "
	             "queue.timeoutActionCompletion) that batch is lost; the rest of the queue "
	             "is kept with queue.saveOnShutdown: %s", w->name, w->where, undelivered,
	             why);
}

void delivery_failed(delivery_worker_t *w, const char *why, time_t now, int stopping,
                     size_t undelivered)
{
	note_failure(w, why, now);
	if (w->spool_path == NULL && stopping)
		note_stop_failure(w, why, undelivered);
}

void delivery_succeeded(delivery_worker_t *w)
{
	if (w->failing)
		delivery_say(w->log, DELIVERY_INFO, DELIVERY_CODE_OK, 0, "omauditfwd[%s]: %s: "
		             "delivering again", w->name, w->where);
	w->failing = 0;
}

int delivery_hold(delivery_worker_t *w, const char *p, size_t len, const char *route,
                  size_t route_len)
{
	return spool_held_add(&w->held, p, len, route, route_len);
}

void delivery_settle(delivery_worker_t *w, const char *p, size_t len, const char *route,
                     size_t route_len)
{
	spool_held_remove(&w->held, p, len, route, route_len);
}

size_t delivery_held(const delivery_worker_t *w)
{
	return w->held.n;
}
