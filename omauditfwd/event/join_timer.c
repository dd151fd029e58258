/* join_timer.c -- the join timer's thread: idle events completed and sent
 * as a batch of the joiner, a HUP's flush, retries (see join_timer.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "join_timer.h"
#include "clock_ms.h"

#define ERRSTR_MAX 512

struct join_timer {
	join_timer_conf_t conf;
	join_timer_stats_t own_stats;
	pthread_t thread;
	pthread_mutex_t mu;          /* guards stop, kick */
	pthread_cond_t cv;           /* CLOCK_MONOTONIC */
	int stop, kick;
	/* the thread's own */
	pipeline_t *pipe;
	transport_t *tr;
	msgbatch_t mb;
	int64_t retry_at;            /* mono_now_ms() of the next try */
	int64_t used_at;             /* ... when its connection last sent */
	int failing;                 /* reported once per outage */
};

static int flush_get(const join_timer_t *t)
{
	return t->conf.flush_requested != NULL &&
	       __atomic_load_n(t->conf.flush_requested, __ATOMIC_ACQUIRE);
}

static int flush_take(join_timer_t *t)
{
	return t->conf.flush_requested != NULL &&
	       __atomic_exchange_n(t->conf.flush_requested, 0, __ATOMIC_ACQ_REL);
}

static void flush_set(join_timer_t *t, int v)
{
	if (t->conf.flush_requested != NULL)
		__atomic_store_n(t->conf.flush_requested, v, __ATOMIC_RELEASE);
}

static void failed(join_timer_t *t, const char *why)
{
	__atomic_fetch_add(&t->conf.stats->failed, 1, __ATOMIC_RELAXED);
	t->retry_at = mono_now_ms() + t->conf.retry_ms;
	if (!t->failing && t->conf.report != NULL)
		t->conf.report(t->conf.ctx, 1, why);
	t->failing = 1;
}

static transport_rc_t send_batch(join_timer_t *t, size_t *delivered, char *errstr,
                                 size_t errlen)
{
	if (t->conf.pconf->routes)
		return transport_kafka_send_routed(t->tr, &t->mb, pipeline_routes(t->pipe),
		                                   delivered, errstr, errlen);
	return t->conf.ops->send(t->tr, &t->mb, delivered, errstr, errlen);
}

/* One tick: complete the idle events (all of them after a HUP) and send
 * them. Returns 1 when it found events to send but had no connection (the
 * caller connects and calls again), else 0. */
static int tick(join_timer_t *t, int connected)
{
	audit_joiner_t *j = t->conf.pconf->joiner;
	char errstr[ERRSTR_MAX] = "out of memory";
	audit_joiner_stats_t st;
	size_t delivered;
	int flush, n;

	audit_joiner_stats(j, &st);
	if (st.pending == 0) {
		if (flush_get(t))   /* nothing to flush: the HUP is done */
			flush_set(t, 0);
		return 0;
	}
	pipeline_batch_begin(t->pipe);
	if ((flush = flush_take(t)) != 0) {
		pipeline_flush(t->pipe);
		n = (int)audit_joiner_ncompleted(j);
	} else {
		n = audit_joiner_expire_idle(j, mono_now_ms());
	}
	if (n == 0) {
		pipeline_batch_commit(t->pipe);   /* nothing changed */
		return 0;
	}
	if (n > 0 && !connected) {
		pipeline_batch_rollback(t->pipe);
		if (flush)
			flush_set(t, 1);
		return 1;
	}
	msgbatch_reset(&t->mb);
	if (n > 0 && pipeline_batch_end(t->pipe, &t->mb) == 0 &&
	    send_batch(t, &delivered, errstr, sizeof(errstr)) == TRANSPORT_OK) {
		pipeline_batch_commit(t->pipe);
		if (t->conf.bytes_sent != NULL)
			__atomic_fetch_add(t->conf.bytes_sent, t->mb.data.len, __ATOMIC_RELAXED);
		__atomic_fetch_add(&t->conf.stats->events, (uint64_t)n, __ATOMIC_RELAXED);
		t->used_at = mono_now_ms();
		if (t->failing && t->conf.report != NULL)
			t->conf.report(t->conf.ctx, 0, "");
		t->failing = 0;
		return 0;
	}
	pipeline_batch_rollback(t->pipe);
	if (flush)
		flush_set(t, 1);
	failed(t, errstr);
	return 0;
}

/* connect the transport (creating it the first time): 0 or -1 (reported) */
static int connect_now(join_timer_t *t)
{
	char errstr[ERRSTR_MAX];

	if (t->tr == NULL &&
	    t->conf.ops->create(&t->tr, t->conf.tconf, errstr, sizeof(errstr)) != TRANSPORT_OK) {
		t->tr = NULL;
		failed(t, errstr);
		return -1;
	}
	if (!t->conf.ops->is_connected(t->tr) &&
	    t->conf.ops->connect(t->tr, errstr, sizeof(errstr)) != TRANSPORT_OK) {
		failed(t, errstr);
		return -1;
	}
	t->used_at = mono_now_ms();
	return 0;
}

/* wait for the next tick, a kick or the stop: 1 to go on, 0 to stop */
static int wait_tick(join_timer_t *t, int64_t until_ms)
{
	struct timespec ts;
	int go;

	ts.tv_sec = (time_t)(until_ms / 1000);
	ts.tv_nsec = (long)(until_ms % 1000) * 1000000L;
	pthread_mutex_lock(&t->mu);
	while (!t->stop && !t->kick && pthread_cond_timedwait(&t->cv, &t->mu, &ts) == 0)
		;
	t->kick = 0;
	go = !t->stop;
	pthread_mutex_unlock(&t->mu);
	return go;
}

static void *timer_main(void *arg)
{
	join_timer_t *t = arg;
	int64_t now;

	while (wait_tick(t, mono_now_ms() + t->conf.tick_ms)) {
		now = mono_now_ms();
		/* a retry waits its turn, a HUP does not */
		if ((t->conf.paused != NULL && t->conf.paused()) ||
		    (now < t->retry_at && !flush_get(t)))
			continue;
		if (tick(t, t->tr != NULL && t->conf.ops->is_connected(t->tr)) &&
		    connect_now(t) == 0)
			(void)tick(t, 1);
		if (t->tr != NULL && t->conf.ops->is_connected(t->tr) &&
		    now - t->used_at > JOIN_TIMER_IDLE_CLOSE_MS)
			t->conf.ops->disconnect(t->tr);
	}
	return NULL;
}

static void timer_free(join_timer_t *t)
{
	if (t->tr != NULL)
		t->conf.ops->destroy(t->tr);
	pipeline_free(t->pipe);
	msgbatch_free(&t->mb);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

int join_timer_start(join_timer_t **out, const join_timer_conf_t *conf,
                     char *errstr, size_t errlen)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	join_timer_t *t;
	int rc;

	*out = NULL;
	if (conf->pconf == NULL || conf->pconf->joiner == NULL) {
		snprintf(errstr, errlen, "join timer: no joiner");
		return -1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(errstr, errlen, "join timer: out of memory");
		return -1;
	}
	t->conf = *conf;
	if (t->conf.stats == NULL)
		t->conf.stats = &t->own_stats;
	if (t->conf.tick_ms == 0)
		t->conf.tick_ms = JOIN_TIMER_TICK_MS;
	if (t->conf.retry_ms == 0)
		t->conf.retry_ms = JOIN_TIMER_RETRY_MS;
	msgbatch_init(&t->mb);
	pthread_mutex_init(&t->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((t->pipe = pipeline_new(conf->pconf, conf->pstats)) == NULL) {
		snprintf(errstr, errlen, "join timer: out of memory");
		timer_free(t);
		return -1;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);   /* signals go elsewhere */
	rc = pthread_create(&t->thread, NULL, timer_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(errstr, errlen, "join timer: cannot start a thread: %s", strerror(rc));
		timer_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void join_timer_kick(join_timer_t *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->kick = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

void join_timer_stop(join_timer_t *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	timer_free(t);
}
