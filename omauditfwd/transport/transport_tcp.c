/* transport_tcp.c -- plain TCP syslog (RFC 6587 octet counting or LF).
 *
 * The connection, deadlines, acknowledgement wait and replay window are
 * transport_stream.c's; this file is the byte layer, send() and recv() on
 * the socket.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "transport_stream.h"

#define TCP_DEFAULT_PORT 514

struct transport {
	stream_t s;
};

static ssize_t tcp_write(void *ctx, stream_t *s, const char *p, size_t n, short *wait,
                         char *why, size_t whylen)
{
	ssize_t w;

	(void)ctx;
	for (;;) {
		w = send(s->fd, p, n, MSG_NOSIGNAL);
		if (w >= 0 || errno != EINTR)
			break;
	}
	if (w > 0)
		return w;
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		*wait = POLLOUT;
		return 0;
	}
	snprintf(why, whylen, "%s", w < 0 ? strerror(errno) : "nothing written");
	return -1;
}

/* syslog receivers never send, so readable means EOF or an error */
static int tcp_peer_gone(void *ctx, stream_t *s, char *why, size_t whylen)
{
	char c;
	ssize_t n = recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	(void)ctx;
	if (whylen)
		why[0] = '\0';
	if (n == 0)
		return 1;
	if (n < 0)
		return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
	return 0;
}

static const stream_io_t tcp_io = {
	.write = tcp_write,
	.peer_gone = tcp_peer_gone,
};

static transport_rc_t tcp_create(transport_t **out, const transport_conf_t *conf,
                                 char *errstr, size_t errlen)
{
	transport_t *t;
	transport_rc_t rc;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(errstr, errlen, "out of memory");
		return TRANSPORT_CONFIG;
	}
	rc = stream_init(&t->s, conf, TCP_DEFAULT_PORT, &tcp_io, t, errstr, errlen);
	if (rc != TRANSPORT_OK) {
		stream_fini(&t->s);
		free(t);
		return rc;
	}
	*out = t;
	return TRANSPORT_OK;
}

static transport_rc_t tcp_connect(transport_t *t, char *errstr, size_t errlen)
{
	return stream_connect(&t->s, errstr, errlen);
}

static transport_rc_t tcp_send(transport_t *t, const msgbatch_t *mb,
                               size_t *delivered, char *errstr, size_t errlen)
{
	return stream_send(&t->s, mb, delivered, errstr, errlen);
}

static void tcp_disconnect(transport_t *t)
{
	stream_disconnect(&t->s);
}

static int tcp_is_connected(const transport_t *t)
{
	return stream_is_connected(&t->s);
}

static void tcp_destroy(transport_t *t)
{
	if (t == NULL)
		return;
	stream_fini(&t->s);
	free(t);
}

const transport_ops_t transport_tcp = {
	.name = "tcp",
	.default_port = TCP_DEFAULT_PORT,
	.caps = TRANSPORT_CAP_NEEDS_TARGET | TRANSPORT_CAP_FAILOVER |
	        TRANSPORT_CAP_STREAM_STATS | TRANSPORT_CAP_FRAMED,
	.create = tcp_create,
	.connect = tcp_connect,
	.send = tcp_send,
	.disconnect = tcp_disconnect,
	.is_connected = tcp_is_connected,
	.destroy = tcp_destroy,
};
