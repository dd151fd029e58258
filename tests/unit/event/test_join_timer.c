/* test_join_timer.c -- the join timer against a real TCP collector: an
 * event idle for the join timeout goes out flagged, a HUP's flush goes out
 * at once, nothing connects while nothing is due, and an unreachable
 * collector leaves the event held and intact. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "join_timer.h"
#include "clock_ms.h"

#define WAIT_MAX_MS 10000   /* "never came", not a timing */

/* ---- a collector: accepts connections and keeps what it reads -------- */
typedef struct peer {
	int lfd, port, stop, conns;
	char got[65536];
	size_t len;
	pthread_mutex_t mu;
	pthread_t th;
} peer_t;

static void *peer_main(void *arg)
{
	peer_t *p = arg;
	struct pollfd fds[8];
	int nfds = 1, i;
	ssize_t n;

	fds[0].fd = p->lfd;
	fds[0].events = POLLIN;
	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		if (poll(fds, (nfds_t)nfds, 20) <= 0)
			continue;
		if ((fds[0].revents & POLLIN) && nfds < 8) {
			fds[nfds].fd = accept(p->lfd, NULL, NULL);
			fds[nfds].events = POLLIN;
			if (fds[nfds].fd >= 0) {
				nfds++;
				__atomic_fetch_add(&p->conns, 1, __ATOMIC_RELAXED);
			}
		}
		for (i = 1; i < nfds; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			pthread_mutex_lock(&p->mu);
			n = read(fds[i].fd, p->got + p->len, sizeof(p->got) - 1 - p->len);
			if (n > 0)
				p->len += (size_t)n;
			p->got[p->len] = '\0';
			pthread_mutex_unlock(&p->mu);
			if (n <= 0) {
				close(fds[i].fd);
				fds[i--] = fds[--nfds];
			}
		}
	}
	for (i = 1; i < nfds; i++)
		close(fds[i].fd);
	return NULL;
}

/* a port nothing listens on (LISTEN 0), or a collector on it */
static int listener(int *port, int listen_too)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	if (!listen_too) {
		close(fd);
		return -1;
	}
	cr_assert_eq(listen(fd, 8), 0);
	return fd;
}

static peer_t peer;

static void peer_start(void)
{
	memset(&peer, 0, sizeof(peer));
	pthread_mutex_init(&peer.mu, NULL);
	peer.lfd = listener(&peer.port, 1);
	pthread_create(&peer.th, NULL, peer_main, &peer);
}

static void peer_stop(void)
{
	__atomic_store_n(&peer.stop, 1, __ATOMIC_RELEASE);
	pthread_join(peer.th, NULL);
	close(peer.lfd);
}

/* until the collector got NEEDLE: 1, or 0 after WAIT_MAX_MS */
static int peer_wait(const char *needle)
{
	int64_t end = mono_now_ms() + WAIT_MAX_MS;
	int found;

	do {
		pthread_mutex_lock(&peer.mu);
		found = strstr(peer.got, needle) != NULL;
		pthread_mutex_unlock(&peer.mu);
		if (found)
			return 1;
		usleep(10000);
	} while (mono_now_ms() < end);
	return 0;
}

/* ---- the action: a joiner, a worker's pipeline, the timer's conf ------- */
static audit_joiner_t *joiner;
static pipeline_conf_t pconf;
static transport_conf_t tconf;
static join_timer_conf_t jconf;
static join_timer_stats_t jstats;
static int flush_flag, reports_failed, reports_ok;

static void report(void *ctx, int failed, const char *why)
{
	(void)ctx;
	(void)why;
	__atomic_fetch_add(failed ? &reports_failed : &reports_ok, 1, __ATOMIC_RELAXED);
}

static void action(unsigned join_timeout_ms, int port)
{
	audit_joiner_conf_t jc;

	audit_joiner_conf_default(&jc);
	jc.timeout_ms = join_timeout_ms;
	joiner = audit_joiner_new(&jc);
	pipeline_conf_default(&pconf);
	pconf.local_host = "sender";
	pconf.joiner = joiner;
	transport_conf_default(&tconf);
	tconf.target = "127.0.0.1";
	tconf.port = port;
	tconf.connect_timeout_ms = 1000;
	tconf.io_timeout_ms = 1000;
	memset(&jconf, 0, sizeof(jconf));
	memset(&jstats, 0, sizeof(jstats));
	flush_flag = reports_failed = reports_ok = 0;
	jconf.pconf = &pconf;
	jconf.ops = &transport_tcp;
	jconf.tconf = &tconf;
	jconf.flush_requested = &flush_flag;
	jconf.stats = &jstats;
	jconf.report = report;
	jconf.tick_ms = 20;
	jconf.retry_ms = 50;
}

/* a worker's batch with LINE, which completes nothing */
static void worker_batch(const char *line)
{
	pipeline_t *p = pipeline_new(&pconf, NULL);
	msgbatch_t mb;

	msgbatch_init(&mb);
	pipeline_batch_begin(p);
	cr_assert_eq(pipeline_process(p, line, strlen(line), NULL, 0, &mb), 0);
	cr_assert_eq(pipeline_batch_end(p, &mb), 0);
	cr_assert_eq(mb.n, 0, "the event is held");
	pipeline_batch_commit(p);
	pipeline_free(p);
	msgbatch_free(&mb);
}

static uint64_t pending(void)
{
	audit_joiner_stats_t st;

	audit_joiner_stats(joiner, &st);
	return st.pending;
}

#define QUIET_LINE "type=SYSCALL msg=audit(1700000000.100:1): arch=c000003e syscall=59 " \
                   "success=yes exit=0 pid=7 uid=0 comm=\"sh\" exe=\"/bin/sh\""

Test(join_timer, an_idle_event_goes_out_flagged_without_a_batch, .timeout = 30)
{
	join_timer_t *t;
	char err[256];

	peer_start();
	action(100, peer.port);
	worker_batch(QUIET_LINE);
	cr_assert_eq(join_timer_start(&t, &jconf, err, sizeof(err)), 0, "%s", err);
	cr_assert(peer_wait("\"id\":\"1700000000.100:1\""), "the idle event never came");
	cr_assert(peer_wait("\"incomplete\":\"timeout\""), "not flagged: %s", peer.got);
	join_timer_stop(t);
	cr_assert_eq(__atomic_load_n(&jstats.events, __ATOMIC_RELAXED), 1);
	cr_assert_eq(jstats.failed, 0);
	cr_assert_eq(pending(), 0);
	peer_stop();
	audit_joiner_free(joiner);
}

Test(join_timer, nothing_connects_while_nothing_is_due, .timeout = 30)
{
	join_timer_t *t;
	char err[256];
	int64_t end;

	peer_start();
	action(600000, peer.port);
	worker_batch(QUIET_LINE);
	cr_assert_eq(join_timer_start(&t, &jconf, err, sizeof(err)), 0, "%s", err);
	end = mono_now_ms() + 300;   /* some 15 ticks */
	while (mono_now_ms() < end)
		usleep(10000);
	cr_assert_eq(__atomic_load_n(&peer.conns, __ATOMIC_RELAXED), 0);
	cr_assert_eq(pending(), 1);
	/* a HUP: the held event goes out at once, flagged flush */
	__atomic_store_n(&flush_flag, 1, __ATOMIC_RELEASE);
	join_timer_kick(t);
	cr_assert(peer_wait("\"incomplete\":\"flush\""), "the HUP's flush never came");
	join_timer_stop(t);
	cr_assert_eq(flush_flag, 0, "the flush is done");
	cr_assert_eq(pending(), 0);
	cr_assert_eq(jstats.events, 1);
	peer_stop();
	audit_joiner_free(joiner);
}

Test(join_timer, an_unreachable_collector_leaves_the_event_held_and_intact, .timeout = 30)
{
	join_timer_t *t;
	pipeline_t *p;
	msgbatch_t mb;
	char err[256];
	int port;
	int64_t end;

	listener(&port, 0);   /* nobody listens there */
	action(50, port);
	worker_batch(QUIET_LINE);
	cr_assert_eq(join_timer_start(&t, &jconf, err, sizeof(err)), 0, "%s", err);
	end = mono_now_ms() + WAIT_MAX_MS;
	while (__atomic_load_n(&jstats.failed, __ATOMIC_RELAXED) < 3 &&
	       mono_now_ms() < end)
		usleep(10000);
	join_timer_stop(t);
	cr_assert_geq(jstats.failed, 3, "it retried");
	cr_assert_eq(reports_failed, 1, "reported once per outage");
	cr_assert_eq(jstats.events, 0);
	cr_assert_eq(pending(), 1, "still held");
	/* ... and whole: a flush (shutdown) gives it with its record */
	p = pipeline_new(&pconf, NULL);
	msgbatch_init(&mb);
	pipeline_batch_begin(p);
	pipeline_flush(p);
	cr_assert_eq(pipeline_batch_end(p, &mb), 0);
	cr_assert_eq(mb.n, 1);
	pipeline_batch_commit(p);
	pipeline_free(p);
	msgbatch_free(&mb);
	audit_joiner_free(joiner);
}

Test(join_timer, needs_a_joiner)
{
	join_timer_t *t;
	join_timer_conf_t c;
	pipeline_conf_t pc;
	char err[256];

	pipeline_conf_default(&pc);
	memset(&c, 0, sizeof(c));
	c.pconf = &pc;
	cr_assert_eq(join_timer_start(&t, &c, err, sizeof(err)), -1);
	cr_assert_null(t);
	cr_assert(strstr(err, "joiner") != NULL, "%s", err);
	join_timer_stop(NULL);
	join_timer_kick(NULL);
}
