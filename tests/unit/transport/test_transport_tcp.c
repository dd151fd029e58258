/* test_transport_tcp.c -- the tcp transport against a real loopback peer:
 * exact framing on the wire, errors instead of hangs, reconnect when the
 * peer went away between batches. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport.h"

/* A peer that accepts ACCEPTS connections one after another. The first
 * close_first connections are closed after reading first_read bytes (0: at
 * once), like a collector that stops and loses what it had accepted;
 * others are read until EOF and what they carried is appended to got.
 * With silent set, the peer accepts and never reads. */
typedef struct peer {
	int lfd, port, accepts, close_first, silent;
	size_t first_read;
	pthread_t th;
	char got[1 << 20];
	size_t got_len;
	int conns;
} peer_t;

static void *peer_main(void *arg)
{
	peer_t *p = arg;
	int i;

	for (i = 0; i < p->accepts; i++) {
		int fd = accept(p->lfd, NULL, NULL);
		ssize_t n;

		if (fd < 0)
			break;
		p->conns++;
		if (i < p->close_first) {
			char sink[4096];
			size_t got = 0;

			while (got < p->first_read && (n = read(fd, sink, sizeof(sink))) > 0)
				got += (size_t)n;
			close(fd);
			continue;
		}
		if (p->silent) {
			sleep(1);
			close(fd);
			continue;
		}
		while ((n = read(fd, p->got + p->got_len, sizeof(p->got) - p->got_len)) > 0)
			p->got_len += (size_t)n;
		close(fd);
	}
	return NULL;
}

static void peer_start(peer_t *p, int accepts, int close_first, int silent, int rcvbuf)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1;

	memset(p, 0, sizeof(*p));
	p->accepts = accepts;
	p->close_first = close_first;
	p->silent = silent;
	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(p->lfd, 0);
	setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf)
		setsockopt(p->lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(p->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(p->lfd, 4), 0);
	getsockname(p->lfd, (struct sockaddr *)&sa, &sl);
	p->port = ntohs(sa.sin_port);
	pthread_create(&p->th, NULL, peer_main, p);
}

static void peer_join(peer_t *p)
{
	pthread_join(p->th, NULL);
	close(p->lfd);
}

static void add(msgbatch_t *mb, const char *s)
{
	msgbatch_begin(mb);
	buf_puts(&mb->data, s);
	cr_assert_eq(msgbatch_end(mb), 0);
}

static transport_stream_stats_t window_stats;   /* make_window()'s counters */

static transport_t *make_window(int port, framing_t framing, int io_ms, size_t window)
{
	transport_conf_t c;
	transport_t *t = NULL;
	char err[256];

	transport_conf_default(&c);
	c.target = "127.0.0.1";
	c.port = port;
	c.framing = framing;
	c.io_timeout_ms = io_ms;
	c.resend_window = window;
	c.stream_stats = &window_stats;
	cr_assert_eq(transport_tcp.create(&t, &c, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	return t;
}

static transport_t *make(int port, framing_t framing, int io_ms)
{
	return make_window(port, framing, io_ms, TRANSPORT_DEFAULT_RESEND_WINDOW);
}

/* send MB and require success; returns how many messages were delivered */
static size_t send_ok(transport_t *t, const msgbatch_t *mb)
{
	size_t done = 0;
	char err[256] = "";

	cr_assert_eq(transport_tcp.send(t, mb, &done, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	return done;
}

Test(transport_tcp, octet_counted_frames_on_the_wire)
{
	peer_t p;
	msgbatch_t mb;
	transport_t *t;

	peer_start(&p, 1, 0, 0, 0);
	msgbatch_init(&mb);
	add(&mb, "hello");
	add(&mb, "{\"a\":1}");
	add(&mb, "");
	t = make(p.port, FRAMING_OCTET_COUNTED, 5000);
	cr_assert_eq(send_ok(t, &mb), 3);
	transport_tcp.destroy(t);
	peer_join(&p);
	cr_assert_eq(p.got_len, 18);
	cr_assert_eq(memcmp(p.got, "5 hello7 {\"a\":1}0 ", 18), 0);
	msgbatch_free(&mb);
}

Test(transport_tcp, lf_framing_on_the_wire)
{
	peer_t p;
	msgbatch_t mb;
	transport_t *t;

	peer_start(&p, 1, 0, 0, 0);
	msgbatch_init(&mb);
	add(&mb, "one");
	add(&mb, "two");
	t = make(p.port, FRAMING_LF, 5000);
	send_ok(t, &mb);
	transport_tcp.destroy(t);
	peer_join(&p);
	cr_assert_eq(p.got_len, 8);
	cr_assert_eq(memcmp(p.got, "one\ntwo\n", 8), 0);
	msgbatch_free(&mb);
}

Test(transport_tcp, connection_refused_is_a_retry_with_a_reason)
{
	peer_t p;
	msgbatch_t mb;
	transport_t *t;
	size_t done = 99;
	char err[256] = "";
	int port;

	/* a port that was just free: nobody listens there any more */
	peer_start(&p, 0, 0, 0, 0);
	port = p.port;
	peer_join(&p);
	msgbatch_init(&mb);
	add(&mb, "x");
	t = make(port, FRAMING_OCTET_COUNTED, 1000);
	cr_assert_eq(transport_tcp.send(t, &mb, &done, err, sizeof(err)), TRANSPORT_RETRY);
	cr_assert_eq(done, 0);
	cr_assert(strstr(err, "cannot connect to 127.0.0.1") != NULL, "%s", err);
	cr_assert_not(transport_tcp.is_connected(t));
	transport_tcp.destroy(t);
	msgbatch_free(&mb);
}

/* A peer that accepts and never reads must not hang the sender: the batch
 * fails within the io timeout (the criterion timeout catches a hang). */
Test(transport_tcp, silent_peer_fails_within_the_timeout, .timeout = 20)
{
	peer_t p;
	msgbatch_t mb;
	transport_t *t;
	size_t done, i;
	char err[256] = "";
	static char big[60000];

	memset(big, 'x', sizeof(big) - 1);
	peer_start(&p, 1, 0, 1, 4096);
	msgbatch_init(&mb);
	for (i = 0; i < 200; i++)
		add(&mb, big);
	t = make(p.port, FRAMING_OCTET_COUNTED, 300);
	cr_assert_eq(transport_tcp.send(t, &mb, &done, err, sizeof(err)), TRANSPORT_RETRY);
	cr_assert_eq(done, 0);
	cr_assert(strstr(err, "no progress") != NULL || strstr(err, "acknowledged nothing") != NULL,
	          "%s", err);
	cr_assert_not(transport_tcp.is_connected(t), "a failed connection is dropped");
	transport_tcp.destroy(t);
	peer_join(&p);
	msgbatch_free(&mb);
}

Test(transport_tcp, peer_closed_while_idle_is_replaced_before_sending)
{
	peer_t p;
	msgbatch_t mb;
	transport_t *t;
	char err[256];

	peer_start(&p, 2, 1, 0, 0);
	t = make(p.port, FRAMING_OCTET_COUNTED, 5000);
	cr_assert_eq(transport_tcp.connect(t, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	usleep(200000); /* let the peer's close arrive */
	msgbatch_init(&mb);
	add(&mb, "after");
	send_ok(t, &mb);
	transport_tcp.destroy(t);
	peer_join(&p);
	cr_assert_eq(p.conns, 2);
	cr_assert_eq(p.got_len, 7);
	cr_assert_eq(memcmp(p.got, "5 after", 7), 0);
	msgbatch_free(&mb);
}

Test(transport_tcp, bad_configuration_is_refused_at_create)
{
	transport_conf_t c;
	transport_t *t = NULL;
	char err[256];

	transport_conf_default(&c);
	cr_assert_eq(transport_tcp.create(&t, &c, err, sizeof(err)), TRANSPORT_CONFIG);
	cr_assert_str_eq(err, "no target given");
	c.target = "h";
	c.port = 70000;
	cr_assert_eq(transport_tcp.create(&t, &c, err, sizeof(err)), TRANSPORT_CONFIG);
	cr_assert(strstr(err, "70000") != NULL);
	cr_assert_eq(transport_find("tcp"), &transport_tcp);
	cr_assert_null(transport_find("udp"));
}

/* The collector read the first batch, then went away (as a stopping
 * rsyslogd may, discarding what it had not stored): the next connection
 * carries that batch again, then the new one. */
Test(transport_tcp, window_is_replayed_after_the_peer_dropped_the_connection)
{
	peer_t p;
	msgbatch_t mb;
	transport_t *t;

	peer_start(&p, 2, 1, 0, 0);
	p.first_read = 14;  /* "6 first6 again" */
	t = make(p.port, FRAMING_OCTET_COUNTED, 5000);
	msgbatch_init(&mb);
	add(&mb, "first");
	add(&mb, "again");
	send_ok(t, &mb);
	usleep(200000); /* the peer reads and closes */
	msgbatch_reset(&mb);
	add(&mb, "new");
	cr_assert_eq(send_ok(t, &mb), 1);
	transport_tcp.destroy(t);
	peer_join(&p);
	cr_assert_eq(p.conns, 2);
	cr_assert_eq(p.got_len, 19, "got %zu: %.*s", p.got_len, (int)p.got_len, p.got);
	cr_assert_eq(memcmp(p.got, "5 first5 again3 new", 19), 0);
	msgbatch_free(&mb);
}

/* Our own disconnect (HUP) leaves nothing to replay: the peer reads up to
 * our FIN. */
Test(transport_tcp, own_disconnect_replays_nothing)
{
	peer_t p;
	msgbatch_t mb;
	transport_t *t;

	peer_start(&p, 2, 0, 0, 0);
	t = make(p.port, FRAMING_LF, 5000);
	msgbatch_init(&mb);
	add(&mb, "one");
	send_ok(t, &mb);
	transport_tcp.disconnect(t);
	msgbatch_reset(&mb);
	add(&mb, "two");
	send_ok(t, &mb);
	transport_tcp.destroy(t);
	peer_join(&p);
	cr_assert_eq(p.got_len, 8);
	cr_assert_eq(memcmp(p.got, "one\ntwo\n", 8), 0);
	msgbatch_free(&mb);
}

/* The window stays bounded however much is sent: after 2 MB in 200
 * batches, the peer drops the connection; what is resent is whole batches,
 * between 256 KiB (the documented window) and twice that. */
#define DOCUMENTED_REPLAY_BYTES (256 * 1024)
Test(transport_tcp, replay_window_is_bounded_and_whole_batches, .timeout = 30)
{
	peer_t p;
	msgbatch_t mb;
	transport_t *t;
	size_t i, replayed;
	static char big[10000];

	memset(big, 'y', sizeof(big) - 1);
	peer_start(&p, 2, 1, 0, 0);
	p.first_read = 200 * sizeof(big);   /* 9999 bytes + LF per batch */
	t = make(p.port, FRAMING_LF, 5000);
	msgbatch_init(&mb);
	for (i = 0; i < 200; i++) {
		msgbatch_reset(&mb);
		add(&mb, big);
		send_ok(t, &mb);
	}
	usleep(200000); /* the peer has read it all and closes */
	msgbatch_reset(&mb);
	add(&mb, "end");
	send_ok(t, &mb);
	transport_tcp.destroy(t);
	peer_join(&p);
	cr_assert_eq(p.conns, 2);
	cr_assert_geq(p.got_len, 4);
	cr_assert_eq(memcmp(p.got + p.got_len - 4, "end\n", 4), 0);
	replayed = p.got_len - 4;
	cr_assert_eq(replayed % sizeof(big), 0, "whole batches: %zu", replayed);
	cr_assert_geq(replayed, DOCUMENTED_REPLAY_BYTES);
	cr_assert_leq(replayed, 2 * DOCUMENTED_REPLAY_BYTES);
	msgbatch_free(&mb);
}

/* The peer read N_BATCHES batches of 10000 bytes and dropped the
 * connection; "end" follows. Returns how many bytes were resent before it. */
static size_t resent_after_drop(size_t window, size_t n_batches)
{
	peer_t p;
	msgbatch_t mb;
	transport_t *t;
	size_t i, replayed;
	static char big[10000];

	memset(big, 'y', sizeof(big) - 1);
	memset(&window_stats, 0, sizeof(window_stats));
	peer_start(&p, 2, 1, 0, 0);
	p.first_read = n_batches * sizeof(big);   /* 9999 bytes + LF per batch */
	t = make_window(p.port, FRAMING_LF, 5000, window);
	msgbatch_init(&mb);
	for (i = 0; i < n_batches; i++) {
		msgbatch_reset(&mb);
		add(&mb, big);
		send_ok(t, &mb);
	}
	usleep(200000); /* the peer has read it all and closes */
	msgbatch_reset(&mb);
	add(&mb, "end");
	send_ok(t, &mb);
	transport_tcp.destroy(t);
	peer_join(&p);
	cr_assert_eq(p.conns, 2);
	cr_assert_geq(p.got_len, 4);
	cr_assert_eq(memcmp(p.got + p.got_len - 4, "end\n", 4), 0);
	replayed = p.got_len - 4;
	cr_assert_eq(replayed % sizeof(big), 0, "whole batches: %zu", replayed);
	cr_assert_eq(window_stats.resends, replayed > 0, "resends counted");
	cr_assert_eq(window_stats.resent_bytes, replayed, "resent.bytes counted");
	msgbatch_free(&mb);
	return replayed;
}

/* resendWindow: 0 resends nothing (omfwd's behaviour); a window of W
 * resends whole batches, from W to 2 W */
Test(transport_tcp, resend_window_is_the_configured_size, .timeout = 30)
{
	size_t r;

	cr_assert_eq(resent_after_drop(0, 20), 0, "resendWindow 0 resends nothing");
	r = resent_after_drop(30000, 20);
	cr_assert_geq(r, 30000, "resent %zu", r);
	cr_assert_leq(r, 60000, "resent %zu", r);
	r = resent_after_drop(TRANSPORT_RESEND_WINDOW_MAX, 20);
	cr_assert_eq(r, 200000, "a window larger than what was sent resends it all: %zu", r);
}

Test(transport_tcp, resend_window_over_the_maximum_is_refused)
{
	transport_conf_t c;
	transport_t *t = NULL;
	char err[256];

	transport_conf_default(&c);
	c.target = "127.0.0.1";
	c.resend_window = TRANSPORT_RESEND_WINDOW_MAX + 1;
	cr_assert_eq(transport_tcp.create(&t, &c, err, sizeof(err)), TRANSPORT_CONFIG);
	cr_assert(strstr(err, "resend window") != NULL, "%s", err);
}

Test(transport_tcp, target_entries_parse)
{
	char host[64], err[256];
	int port = 514;

	cr_assert_eq(transport_target_parse("collector.example", host, sizeof(host), &port,
	                                    err, sizeof(err)), 0);
	cr_assert_str_eq(host, "collector.example");
	cr_assert_eq(port, 514);
	cr_assert_eq(transport_target_parse("10.0.0.1:6514", host, sizeof(host), &port,
	                                    err, sizeof(err)), 0);
	cr_assert_str_eq(host, "10.0.0.1");
	cr_assert_eq(port, 6514);
	port = 1;
	cr_assert_eq(transport_target_parse("[2001:db8::1]:10514", host, sizeof(host), &port,
	                                    err, sizeof(err)), 0);
	cr_assert_str_eq(host, "2001:db8::1");
	cr_assert_eq(port, 10514);
	port = 7;
	cr_assert_eq(transport_target_parse("::1", host, sizeof(host), &port,
	                                    err, sizeof(err)), 0);
	cr_assert_str_eq(host, "::1");
	cr_assert_eq(port, 7);
	cr_assert_eq(transport_target_parse("[::1]", host, sizeof(host), &port,
	                                    err, sizeof(err)), 0);
	cr_assert_str_eq(host, "::1");
	cr_assert_eq(transport_target_parse("host:70000", host, sizeof(host), &port,
	                                    err, sizeof(err)), -1);
	cr_assert(strstr(err, "70000") != NULL, "%s", err);
	cr_assert_eq(transport_target_parse("host:", host, sizeof(host), &port,
	                                    err, sizeof(err)), -1);
	cr_assert_eq(transport_target_parse(":514", host, sizeof(host), &port,
	                                    err, sizeof(err)), -1);
	cr_assert_eq(transport_target_parse("[::1", host, sizeof(host), &port,
	                                    err, sizeof(err)), -1);
}

/* a port nothing listens on (bound and closed again) */
static int dead_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	close(fd);
	return ntohs(sa.sin_port);
}

/* peer_start on a given port (the primary coming back) */
static void peer_start_on(peer_t *p, int port, int accepts)
{
	struct sockaddr_in sa;
	int one = 1;

	memset(p, 0, sizeof(*p));
	p->accepts = accepts;
	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	cr_assert_eq(bind(p->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(p->lfd, 4), 0);
	p->port = port;
	pthread_create(&p->th, NULL, peer_main, p);
}

Test(transport_tcp, fails_over_in_order_and_back_to_the_first)
{
	peer_t second, first;
	transport_stream_stats_t st;
	transport_conf_t c;
	transport_t *t = NULL;
	msgbatch_t mb;
	char err[256], a[32], b[32];
	const char *targets[2] = { a, b };
	int port1 = dead_port();

	memset(&st, 0, sizeof(st));
	peer_start(&second, 1, 0, 0, 0);
	snprintf(a, sizeof(a), "127.0.0.1:%d", port1);
	snprintf(b, sizeof(b), "127.0.0.1:%d", second.port);
	transport_conf_default(&c);
	c.targets = targets;
	c.n_targets = 2;
	c.port = 9;                      /* each entry has its own */
	c.failback_interval_ms = 200;
	c.stream_stats = &st;
	cr_assert_eq(transport_tcp.create(&t, &c, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	msgbatch_init(&mb);
	add(&mb, "to-second");
	cr_assert_eq(send_ok(t, &mb), 1);
	cr_assert_eq(st.connects, 1);
	cr_assert_eq(st.connect_failures, 1);
	cr_assert_eq(st.failovers, 1);   /* the first session is not with the first */

	/* the first comes back: used once the interval is over, not before */
	peer_start_on(&first, port1, 1);
	msgbatch_reset(&mb);
	add(&mb, "still-second");
	cr_assert_eq(send_ok(t, &mb), 1);
	usleep(300 * 1000);
	msgbatch_reset(&mb);
	add(&mb, "to-first");
	cr_assert_eq(send_ok(t, &mb), 1);
	cr_assert_eq(st.connects, 2);
	cr_assert_eq(st.failovers, 2);
	peer_join(&second);              /* closed gracefully: read to EOF */
	cr_assert_eq(second.got_len, strlen("9 to-second12 still-second"));
	cr_assert_eq(memcmp(second.got, "9 to-second12 still-second", second.got_len), 0);
	transport_tcp.destroy(t);
	peer_join(&first);
	cr_assert_eq(first.got_len, strlen("8 to-first"), "%.*s", (int)first.got_len, first.got);
	cr_assert_eq(memcmp(first.got, "8 to-first", first.got_len), 0);
	msgbatch_free(&mb);
}

Test(transport_tcp, every_target_down_names_each)
{
	transport_stream_stats_t st;
	transport_conf_t c;
	transport_t *t = NULL;
	msgbatch_t mb;
	char err[512], a[32], b[32];
	const char *targets[2] = { a, b };
	size_t done = 9;

	memset(&st, 0, sizeof(st));
	snprintf(a, sizeof(a), "127.0.0.1:%d", dead_port());
	snprintf(b, sizeof(b), "127.0.0.1:%d", dead_port());
	transport_conf_default(&c);
	c.targets = targets;
	c.n_targets = 2;
	c.stream_stats = &st;
	cr_assert_eq(transport_tcp.create(&t, &c, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	msgbatch_init(&mb);
	add(&mb, "x");
	cr_assert_eq(transport_tcp.send(t, &mb, &done, err, sizeof(err)), TRANSPORT_RETRY);
	cr_assert_eq(done, 0);
	cr_assert(strstr(err, a) != NULL && strstr(err, b) != NULL, "%s", err);
	cr_assert(strstr(err, "all 2 targets failed") != NULL, "%s", err);
	cr_assert_eq(st.connect_failures, 2);
	cr_assert_eq(st.connects, 0);
	transport_tcp.destroy(t);
	msgbatch_free(&mb);
}
