/* test_transport_relp.c -- the relp transport against a real RELP receiver:
 * a librelp server in a thread of the test. A batch is committed only once
 * every message was answered; a receiver that stops answering costs the
 * configured timeout, not more; the retried batch carries only what was not
 * answered, whether the session broke while sending or while closing. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <librelp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

#define MSGS_MAX   256
#define MSG_LEN    64
#define TIMEOUT_S  2          /* the transport's "timeout" in these tests */

/* The receiver. Every message the callback returns from is answered by
 * librelp and counts as kept, unless the receiver is "dead". The message
 * numbered stall_at (1-based, over the receiver's life) blocks the callback
 * until srv_stop(): the receiver stops answering, and what it got from then
 * on is not kept (a receiver that dies loses what it had not answered). */
typedef struct srv {
	relpEngine_t *eng;
	pthread_t th;
	int port;
	volatile int done;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stall_at, received, dead;
	char got[MSGS_MAX][MSG_LEN];
	int ngot;
} srv_t;

/* LeakSanitizer, for this test alone: librelp's server loop keeps the
 * 32-byte epoll registration of a session still open when its engine is
 * destroyed (the dead receiver of the window test; the client's broken
 * session is kept for its reconnect). librelp is stripped, so the stack
 * names nothing finer; the client's side is checked by the integration
 * tests under the sanitizers (rsyslogd with the module, imrelp). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:librelp.so\n";
}

static relpRetVal on_syslog(void *usr, unsigned char *host, unsigned char *ip,
                            unsigned char *msg, size_t len)
{
	srv_t *s = usr;

	(void)host; (void)ip;
	pthread_mutex_lock(&s->mu);
	s->received++;
	if (s->stall_at && s->received == s->stall_at)
		while (!s->dead)
			pthread_cond_wait(&s->cv, &s->mu);
	if (!s->dead && s->ngot < MSGS_MAX && len < MSG_LEN) {
		memcpy(s->got[s->ngot], msg, len);
		s->got[s->ngot++][len] = '\0';
	}
	pthread_mutex_unlock(&s->mu);
	return RELP_RET_OK;
}

static void *srv_main(void *arg)
{
	srv_t *s = arg;

	relpEngineRun(s->eng);
	s->done = 1;
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;      /* only interrupts the receiver's epoll_wait */
}

/* librelp calls these without checking that they were set */
static void srv_dbg(char *fmt, ...)
{
	(void)fmt;
}

static void srv_err(void *usr, char *objinfo, char *errmsg, relpRetVal code)
{
	(void)usr; (void)objinfo; (void)errmsg; (void)code;
}

static void srv_generic_err(char *objinfo, char *errmsg, relpRetVal code)
{
	(void)objinfo; (void)errmsg; (void)code;
}

static int free_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	cr_assert_geq(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* a receiver on PORT (0: a free one) */
static void srv_start(srv_t *s, int port, int stall_at)
{
	struct sigaction sa;
	relpSrv_t *ls;
	char p[16];

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->stall_at = stall_at;
	s->port = port ? port : free_port();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;       /* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);        /* as rsyslogd: a peer gone is an error */
	snprintf(p, sizeof(p), "%d", s->port);
	cr_assert_eq(relpEngineConstruct(&s->eng), RELP_RET_OK);
	cr_assert_eq(relpEngineSetDbgprint(s->eng, srv_dbg), RELP_RET_OK);
	cr_assert_eq(relpEngineSetOnErr(s->eng, srv_err), RELP_RET_OK);
	cr_assert_eq(relpEngineSetOnAuthErr(s->eng, srv_err), RELP_RET_OK);
	cr_assert_eq(relpEngineSetOnGenericErr(s->eng, srv_generic_err), RELP_RET_OK);
	cr_assert_eq(relpEngineSetFamily(s->eng, AF_INET), RELP_RET_OK);
	cr_assert_eq(relpEngineSetEnableCmd(s->eng, (unsigned char *)"syslog",
	                                    eRelpCmdState_Required), RELP_RET_OK);
	cr_assert_eq(relpEngineSetSyslogRcv2(s->eng, on_syslog), RELP_RET_OK);
	cr_assert_eq(relpEngineListnerConstruct(s->eng, &ls), RELP_RET_OK);
	cr_assert_eq(relpSrvSetLstnPort(ls, (unsigned char *)p), RELP_RET_OK);
	cr_assert_eq(relpSrvSetLstnAddr(ls, (unsigned char *)"127.0.0.1"), RELP_RET_OK);
	cr_assert_eq(relpSrvSetUsrPtr(ls, s), RELP_RET_OK);
	cr_assert_eq(relpEngineListnerConstructFinalize(s->eng, ls), RELP_RET_OK,
	             "cannot listen on port %d", s->port);
	cr_assert_eq(pthread_create(&s->th, NULL, srv_main, s), 0);
}

/* the receiver dies: nothing more is kept, its sessions and port close */
static void srv_stop(srv_t *s)
{
	struct timespec ms10 = { 0, 10 * 1000 * 1000 };

	pthread_mutex_lock(&s->mu);
	s->dead = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	relpEngineSetStop(s->eng);
	while (!s->done) {
		pthread_kill(s->th, SIGUSR1);
		nanosleep(&ms10, NULL);
	}
	pthread_join(s->th, NULL);
	relpEngineDestruct(&s->eng);
}

static transport_relp_stats_t stats;

static transport_t *make(int port, int window, unsigned rebind)
{
	transport_conf_t c;
	transport_t *t = NULL;
	char err[256];

	transport_conf_default(&c);
	c.target = "127.0.0.1";
	c.port = port;
	c.relp.timeout_s = TIMEOUT_S;
	c.relp.conn_timeout_s = TIMEOUT_S;
	c.relp.window = window;
	c.relp.rebind = rebind;
	c.stats = &stats;
	cr_assert_eq(transport_relp.create(&t, &c, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	return t;
}

static void batch(msgbatch_t *mb, int n)
{
	char m[MSG_LEN];
	int i;

	msgbatch_init(mb);
	for (i = 1; i <= n; i++) {
		snprintf(m, sizeof(m), "message %03d", i);
		msgbatch_begin(mb);
		buf_puts(&mb->data, m);
		cr_assert_eq(msgbatch_end(mb), 0);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* the receiver kept exactly the messages FIRST..LAST, in order */
static void kept(const srv_t *s, int first, int last)
{
	char want[MSG_LEN];
	int i;

	cr_assert_eq(s->ngot, last - first + 1, "kept %d messages, want %d..%d", s->ngot,
	             first, last);
	for (i = first; i <= last; i++) {
		snprintf(want, sizeof(want), "message %03d", i);
		cr_assert_str_eq(s->got[i - first], want);
	}
}

Test(transport_relp, a_batch_is_delivered_and_answered, .timeout = 30)
{
	srv_t s;
	msgbatch_t mb;
	transport_t *t;
	size_t done = 0;
	char err[256] = "";

	srv_start(&s, 0, 0);
	t = make(s.port, 0, 0);
	batch(&mb, 50);
	cr_assert_eq(transport_relp.send(t, &mb, &done, err, sizeof(err)), TRANSPORT_OK,
	             "%s", err);
	cr_assert_eq(done, 50);
	kept(&s, 1, 50);     /* answered, hence kept, before send() returned */
	cr_assert_eq(stats.acks_failed, 0);
	transport_relp.destroy(t);
	msgbatch_free(&mb);
	srv_stop(&s);
}

/* The receiver answers 30 messages of 50, then stops answering (it holds
 * message 31 without answering) and dies. The batch is not committed, within
 * the timeout; the retry to the restarted receiver carries 31..50 alone. */
static void unanswered_then_retry(int window)
{
	srv_t s, s2;
	msgbatch_t mb;
	transport_t *t;
	size_t done = 9;
	char err[256] = "";
	double t0, took;
	transport_rc_t rc;

	srv_start(&s, 0, 31);
	t = make(s.port, window, 0);
	batch(&mb, 50);
	t0 = now_s();
	rc = transport_relp.send(t, &mb, &done, err, sizeof(err));
	took = now_s() - t0;
	cr_assert_eq(rc, TRANSPORT_RETRY, "a batch whose messages 31..50 were never answered "
	             "was committed (rc %d)", (int)rc);
	cr_assert_eq(done, 0);
	cr_assert_lt(took, TIMEOUT_S + 2.0, "send() took %.1f s, timeout %d s", took, TIMEOUT_S);
	cr_log_info("window %d: retry after %.1f s: %s", window, took, err);
	srv_stop(&s);
	kept(&s, 1, 30);

	srv_start(&s2, s.port, 0);
	done = 0;
	cr_assert_eq(transport_relp.send(t, &mb, &done, err, sizeof(err)), TRANSPORT_OK,
	             "%s", err);
	cr_assert_eq(done, 50);
	kept(&s2, 31, 50);   /* not 1..30 again: they were answered */
	transport_relp.destroy(t);
	msgbatch_free(&mb);
	srv_stop(&s2);
}

/* the window holds the whole batch: the close waits, and times out */
Test(transport_relp, unanswered_close_retries_only_the_unanswered, .timeout = 30)
{
	unanswered_then_retry(0);
}

/* a window of 10: sending message 41 waits for room and times out; the
 * broken session is kept and librelp's reconnect resends 31..40 */
Test(transport_relp, unanswered_window_retries_only_the_unanswered, .timeout = 30)
{
	unanswered_then_retry(10);
	cr_assert_geq(stats.reestablished, 1);
}

/* rebindInterval 20: a batch of 50 goes over three sessions, each answered
 * in full before the next; the receiver stops answering in the third, and
 * the retry carries that session's messages alone */
Test(transport_relp, rebind_sessions_each_answered, .timeout = 30)
{
	srv_t s, s2;
	msgbatch_t mb;
	transport_t *t;
	size_t done = 0;
	char err[256] = "";

	srv_start(&s, 0, 0);
	t = make(s.port, 0, 20);
	batch(&mb, 50);
	cr_assert_eq(transport_relp.send(t, &mb, &done, err, sizeof(err)), TRANSPORT_OK,
	             "%s", err);
	cr_assert_eq(done, 50);
	kept(&s, 1, 50);
	cr_assert_eq(stats.rebinds, 2);
	cr_assert_eq(stats.acks_awaited, 3);
	srv_stop(&s);

	srv_start(&s, s.port, 45);
	cr_assert_eq(transport_relp.send(t, &mb, &done, err, sizeof(err)), TRANSPORT_RETRY);
	srv_stop(&s);
	kept(&s, 1, 44);
	srv_start(&s2, s.port, 0);
	cr_assert_eq(transport_relp.send(t, &mb, &done, err, sizeof(err)), TRANSPORT_OK,
	             "%s", err);
	cr_assert_eq(done, 50);
	kept(&s2, 45, 50);
	transport_relp.destroy(t);
	msgbatch_free(&mb);
	srv_stop(&s2);
}

/* rebindInterval 20 and a window of 5: the third session breaks while
 * sending (45 unanswered, 46..49 fill the window); then the session is
 * dropped (the action was told to disconnect), so librelp's list is gone.
 * The two sessions closed for the rebind were answered in full: the retry
 * sends 41..50 (41..44 again: answered, but by a session whose answers
 * died with it), never 1..40. */
Test(transport_relp, rebind_then_dropped_session_keeps_what_was_confirmed, .timeout = 30)
{
	srv_t s, s2;
	msgbatch_t mb;
	transport_t *t;
	size_t done = 0;
	char err[256] = "";

	srv_start(&s, 0, 45);
	t = make(s.port, 5, 20);
	batch(&mb, 50);
	cr_assert_eq(transport_relp.send(t, &mb, &done, err, sizeof(err)), TRANSPORT_RETRY);
	srv_stop(&s);
	kept(&s, 1, 44);
	transport_relp.disconnect(t);
	srv_start(&s2, s.port, 0);
	cr_assert_eq(transport_relp.send(t, &mb, &done, err, sizeof(err)), TRANSPORT_OK,
	             "%s", err);
	cr_assert_eq(done, 50);
	kept(&s2, 41, 50);
	transport_relp.destroy(t);
	msgbatch_free(&mb);
	srv_stop(&s2);
}
