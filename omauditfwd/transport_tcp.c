/* transport_tcp.c -- plain TCP syslog (RFC 6587 octet counting or LF).
 *
 * Every blocking step has a deadline: connect (connect_timeout_ms) and each
 * write or wait for progress (io_timeout_ms), so a peer that accepts and
 * then stops reading suspends the action instead of hanging a worker.
 * A batch counts as delivered only once the peer's TCP stack has
 * acknowledged every byte of it (the socket's send queue is empty): a write
 * that merely reached our own kernel buffer is not a delivery.
 *
 * A TCP acknowledgement is not a syslog acknowledgement: a collector that
 * stops (or crashes) discards what its kernel accepted but it had not yet
 * read or stored. So the last TCP_REPLAY_MAX_BYTES or so of delivered
 * frames (whole batches) are kept, and when a connection ends other than by
 * our own disconnect, they are sent again first on the next connection.
 * Delivery is at-least-once: an outage may duplicate up to that window.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

#define TCP_DEFAULT_PORT      514
#define TCP_ACK_POLL_MIN_US   100    /* first wait for the peer's ACK */
#define TCP_ACK_POLL_MAX_US   20000  /* longest single wait */
#define TCP_REPLAY_MAX_BYTES  (256 * 1024) /* resent after a lost connection */
#define TCP_REPLAY_MAX_BATCHES 1024

struct transport {
	transport_conf_t conf;
	char *target;
	int port;
	int fd;
	buf_t out;                 /* framed bytes of the batch being sent */
	/* replay window: framed bytes of the last delivered batches, oldest
	 * first; batch_at[i] is where batch i starts in it */
	buf_t replay;
	size_t batch_at[TCP_REPLAY_MAX_BATCHES];
	size_t nbatches;
	int replay_pending;        /* the connection was lost: resend the window */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static transport_rc_t tcp_create(transport_t **out, const transport_conf_t *conf,
                                 char *errstr, size_t errlen)
{
	transport_t *t;

	if (conf->target == NULL || conf->target[0] == '\0') {
		snprintf(errstr, errlen, "no target given");
		return TRANSPORT_CONFIG;
	}
	if (conf->port < 0 || conf->port > 65535) {
		snprintf(errstr, errlen, "port %d is out of range 1..65535", conf->port);
		return TRANSPORT_CONFIG;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->target = strdup(conf->target)) == NULL) {
		free(t);
		snprintf(errstr, errlen, "out of memory");
		return TRANSPORT_CONFIG;
	}
	t->conf = *conf;
	t->conf.target = t->target;
	t->port = conf->port ? conf->port : TCP_DEFAULT_PORT;
	t->fd = -1;
	buf_init(&t->out);
	buf_init(&t->replay);
	*out = t;
	return TRANSPORT_OK;
}

/* The connection is gone, not by our choice: what the peer may have lost
 * is resent on the next one. */
static void connection_lost(transport_t *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->replay.len)
		t->replay_pending = 1;
}

/* Our own close (HUP, shutdown): everything was acknowledged and the peer
 * reads up to our FIN, so there is nothing to replay. */
static void tcp_disconnect(transport_t *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	buf_reset(&t->replay);
	t->nbatches = 0;
	t->replay_pending = 0;
}

/* Remember the delivered batch in t->out (after any replayed bytes at its
 * front, which are already in the window) and trim the window to about
 * TCP_REPLAY_MAX_BYTES, whole batches, oldest first. */
static void remember_batch(transport_t *t, size_t replayed)
{
	size_t drop = 0, i = 0, keep_from;

	if (t->nbatches == TCP_REPLAY_MAX_BATCHES)
		i = 1;
	else if (t->replay.len + t->out.len - replayed > 2 * TCP_REPLAY_MAX_BYTES)
		for (keep_from = t->replay.len + t->out.len - replayed - TCP_REPLAY_MAX_BYTES;
		     i < t->nbatches && t->batch_at[i] < keep_from; i++)
			;
	if (i > 0) {
		drop = i < t->nbatches ? t->batch_at[i] : t->replay.len;
		memmove(t->replay.p, t->replay.p + drop, t->replay.len - drop);
		t->replay.len -= drop;
		memmove(t->batch_at, t->batch_at + i, (t->nbatches - i) * sizeof(size_t));
		t->nbatches -= i;
		for (i = 0; i < t->nbatches; i++)
			t->batch_at[i] -= drop;
	}
	t->batch_at[t->nbatches++] = t->replay.len;
	buf_append(&t->replay, t->out.p + replayed, t->out.len - replayed);
	if (t->replay.oom) {            /* no window rather than a wrong one */
		buf_reset(&t->replay);
		t->nbatches = 0;
	}
}

static int tcp_is_connected(const transport_t *t)
{
	return t->fd >= 0;
}

static void tcp_destroy(transport_t *t)
{
	if (t == NULL)
		return;
	tcp_disconnect(t);
	buf_free(&t->out);
	buf_free(&t->replay);
	free(t->target);
	free(t);
}

/* connect one address with a deadline; returns the fd or -1 (errno set) */
static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd pfd;
	int fd, err = 0, one = 1;
	socklen_t elen = sizeof(err);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		switch (poll(&pfd, 1, timeout_ms)) {
		case 0:
			errno = ETIMEDOUT;
			goto fail;
		case -1:
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
			goto fail;
		if (err) {
			errno = err;
			goto fail;
		}
	}
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static transport_rc_t tcp_connect(transport_t *t, char *errstr, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	char port[8];
	int rc, err = 0;

	if (t->fd >= 0)
		connection_lost(t);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", t->port);
	rc = getaddrinfo(t->target, port, &hints, &res);
	if (rc != 0) {
		snprintf(errstr, errlen, "cannot resolve %s: %s", t->target, gai_strerror(rc));
		return TRANSPORT_RETRY;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		t->fd = connect_one(ai, t->conf.connect_timeout_ms);
		if (t->fd >= 0)
			break;
		err = errno;
	}
	freeaddrinfo(res);
	if (t->fd < 0) {
		snprintf(errstr, errlen, "cannot connect to %s:%d: %s", t->target, t->port,
		         strerror(err));
		return TRANSPORT_RETRY;
	}
	return TRANSPORT_OK;
}

/* 1 if the peer has closed or reset the connection (syslog receivers never
 * send, so readable means EOF or an error) */
static int peer_gone(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n == 0)
		return 1;
	if (n < 0)
		return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
	return 0;
}

/* t->out = the replay window (when pending) + the batch, framed */
static void frame_batch(transport_t *t, const msgbatch_t *mb)
{
	size_t i, len;
	const char *msg;

	buf_reset(&t->out);
	if (t->replay_pending)
		buf_append(&t->out, t->replay.p, t->replay.len);
	for (i = 0; i < mb->n; i++) {
		msg = msgbatch_msg(mb, i, &len);
		if (t->conf.framing == FRAMING_OCTET_COUNTED) {
			buf_put_uint(&t->out, len);
			buf_putc(&t->out, ' ');
			buf_append(&t->out, msg, len);
		} else {
			buf_append(&t->out, msg, len);
			buf_putc(&t->out, '\n');
		}
	}
}

static transport_rc_t write_all(transport_t *t, char *errstr, size_t errlen)
{
	size_t off = 0;
	struct pollfd pfd = { .fd = t->fd, .events = POLLOUT };

	while (off < t->out.len) {
		ssize_t n = send(t->fd, t->out.p + off, t->out.len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int pr = poll(&pfd, 1, t->conf.io_timeout_ms);
			if (pr > 0 || (pr < 0 && errno == EINTR))
				continue;
			snprintf(errstr, errlen, "%s:%d: no progress writing for %d ms",
			         t->target, t->port, t->conf.io_timeout_ms);
			return TRANSPORT_RETRY;
		}
		snprintf(errstr, errlen, "%s:%d: write failed: %s", t->target, t->port,
		         strerror(errno));
		return TRANSPORT_RETRY;
	}
	return TRANSPORT_OK;
}

/* Wait until the peer has acknowledged everything we wrote. Gives up when
 * the peer closes or when the queue has not shrunk for io_timeout_ms. */
static transport_rc_t wait_acked(transport_t *t, char *errstr, size_t errlen)
{
	long long progress_at = now_ms();
	int pending, last = -1;
	unsigned wait_us = TCP_ACK_POLL_MIN_US;

	for (;;) {
		if (ioctl(t->fd, SIOCOUTQ, &pending) != 0) {
			snprintf(errstr, errlen, "%s:%d: SIOCOUTQ: %s", t->target, t->port,
			         strerror(errno));
			return TRANSPORT_RETRY;
		}
		if (pending == 0)
			return TRANSPORT_OK;
		if (peer_gone(t->fd)) {
			snprintf(errstr, errlen, "%s:%d: connection closed by peer with %d bytes "
			         "unacknowledged", t->target, t->port, pending);
			return TRANSPORT_RETRY;
		}
		if (pending != last) {
			last = pending;
			progress_at = now_ms();
		} else if (now_ms() - progress_at > t->conf.io_timeout_ms) {
			snprintf(errstr, errlen, "%s:%d: peer acknowledged nothing for %d ms "
			         "(%d bytes pending)", t->target, t->port, t->conf.io_timeout_ms,
			         pending);
			return TRANSPORT_RETRY;
		}
		usleep(wait_us);
		if (wait_us < TCP_ACK_POLL_MAX_US)
			wait_us *= 2;
	}
}

static transport_rc_t tcp_send(transport_t *t, const msgbatch_t *mb,
                               size_t *delivered, char *errstr, size_t errlen)
{
	transport_rc_t rc;
	size_t replayed;

	*delivered = 0;
	if (mb->n == 0)
		return TRANSPORT_OK;
	/* A connection the peer closed while we were idle is replaced before
	 * anything is written to it: nothing of this batch is lost that way. */
	if (t->fd >= 0 && peer_gone(t->fd))
		connection_lost(t);
	if (t->fd < 0 && (rc = tcp_connect(t, errstr, errlen)) != TRANSPORT_OK)
		return rc;
	frame_batch(t, mb);
	replayed = t->replay_pending ? t->replay.len : 0;
	if (t->out.oom) {
		snprintf(errstr, errlen, "out of memory framing %zu messages", mb->n);
		return TRANSPORT_RETRY;
	}
	if ((rc = write_all(t, errstr, errlen)) != TRANSPORT_OK ||
	    (rc = wait_acked(t, errstr, errlen)) != TRANSPORT_OK) {
		connection_lost(t);
		return rc;
	}
	t->replay_pending = 0;
	remember_batch(t, replayed);
	*delivered = mb->n;
	return TRANSPORT_OK;
}

const transport_ops_t transport_tcp = {
	.name = "tcp",
	.default_port = TCP_DEFAULT_PORT,
	.create = tcp_create,
	.connect = tcp_connect,
	.send = tcp_send,
	.disconnect = tcp_disconnect,
	.is_connected = tcp_is_connected,
	.destroy = tcp_destroy,
};
