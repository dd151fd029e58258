/* transport_stream.c -- the connection, framing, acknowledgement wait and
 * replay window that the tcp and tls transports share (see
 * transport_stream.h); the byte layer is theirs.
 */
#include <errno.h>
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

#include "transport_stream.h"
#include "clock_ms.h"

/* The wait for the peer's ACK looks at SIOCOUTQ between sleeps: Linux
 * wakes nobody when the queue of unacknowledged bytes empties (POLLOUT means
 * buffer space, not an empty queue). Each sleep is a share of the time
 * waited since the queue last shrank, so a look comes soon after the queue
 * empties (oversleeping at most that share of the wait) while a stalled peer
 * is looked at less and less often. The queue drains in bursts (the peer
 * reads, the window opens, the rest goes out and is acknowledged at once),
 * so a drain rate measured between two looks predicts the next burst badly;
 * the doubling sleep this replaces (100 us to 20 ms, never reset) overslept
 * up to as long again as it had waited. See tests/bench/RESULTS.md. */
#define STREAM_ACK_POLL_MIN_US 50     /* shortest sleep: a look costs a few us of CPU */
#define STREAM_ACK_POLL_MAX_US 20000  /* longest single sleep (a stalled peer) */
#define STREAM_ACK_POLL_SHARE  4      /* sleep = 1/4 of the wait since the queue shrank */
#define US_PER_MS              1000

int stream_wait(int fd, short events, long long deadline_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long long left;
	int rc;

	for (;;) {
		left = deadline_ms - mono_now_ms();
		if (left < 0)
			left = 0;
		rc = poll(&pfd, 1, (int)left);
		if (rc >= 0 || errno != EINTR)
			return rc;
	}
}

int transport_target_parse(const char *s, char *host, size_t hostlen, int *port,
                           char *errstr, size_t errlen)
{
	const char *end, *colon = NULL, *entry = s;
	size_t len;
	char *e;
	long v;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			snprintf(errstr, errlen, "target \"%s\": missing ']'", s);
			return -1;
		}
		len = (size_t)(end - s - 1);
		s++;
		if (end[1] == ':')
			colon = end + 1;
		else if (end[1] != '\0') {
			snprintf(errstr, errlen, "target \"%s\": expected ':PORT' after ']'", entry);
			return -1;
		}
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL;           /* a bare IPv6 address */
		len = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (len == 0 || len >= hostlen) {
		snprintf(errstr, errlen, "target \"%s\": %s host name", entry,
		         len ? "too long a" : "empty");
		return -1;
	}
	memcpy(host, s, len);
	host[len] = '\0';
	if (colon != NULL) {
		v = strtol(colon + 1, &e, 10);
		if (colon[1] == '\0' || *e != '\0' || v < 1 || v > 65535) {
			snprintf(errstr, errlen, "target \"%s\": port \"%s\" is not a number "
			         "from 1 to 65535", entry, colon + 1);
			return -1;
		}
		*port = (int)v;
	}
	return 0;
}

transport_rc_t stream_init(stream_t *s, const transport_conf_t *conf, int default_port,
                           const stream_io_t *io, void *io_ctx,
                           char *errstr, size_t errlen)
{
	const char *const *names = conf->n_targets ? conf->targets : &conf->target;
	size_t n = conf->n_targets ? conf->n_targets : 1, i;
	char host[NI_MAXHOST];
	int port;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	buf_init(&s->out);
	buf_init(&s->replay);
	if (conf->port < 0 || conf->port > 65535) {
		snprintf(errstr, errlen, "port %d is out of range 1..65535", conf->port);
		return TRANSPORT_CONFIG;
	}
	if (n > STREAM_MAX_TARGETS) {
		snprintf(errstr, errlen, "%zu targets given, at most %d", n, STREAM_MAX_TARGETS);
		return TRANSPORT_CONFIG;
	}
	for (i = 0; i < n; i++) {
		if (names[i] == NULL || names[i][0] == '\0') {
			snprintf(errstr, errlen, "no target given");
			return TRANSPORT_CONFIG;
		}
		port = conf->port ? conf->port : default_port;
		if (transport_target_parse(names[i], host, sizeof(host), &port, errstr, errlen) != 0)
			return TRANSPORT_CONFIG;
		if ((s->targets[i].host = strdup(host)) == NULL) {
			snprintf(errstr, errlen, "out of memory");
			return TRANSPORT_CONFIG;
		}
		s->targets[i].port = port;
		s->ntargets++;
	}
	transport_conf_keep(&s->conf, conf);
	s->conf.target = s->targets[0].host;
	if (s->conf.resend_window > TRANSPORT_RESEND_WINDOW_MAX) {
		snprintf(errstr, errlen, "resend window of %zu bytes, at most %zu",
		         s->conf.resend_window, TRANSPORT_RESEND_WINDOW_MAX);
		return TRANSPORT_CONFIG;
	}
	if (s->conf.failback_interval_ms <= 0)
		s->conf.failback_interval_ms = TRANSPORT_DEFAULT_FAILBACK_INTERVAL_MS;
	s->target = s->targets[0].host;
	s->port = s->targets[0].port;
	s->io = io;
	s->io_ctx = io_ctx;
	return TRANSPORT_OK;
}

#define STAT_INC(s, field) \
	do { if ((s)->conf.stream_stats) \
		__atomic_fetch_add(&(s)->conf.stream_stats->field, 1, __ATOMIC_RELAXED); \
	} while (0)

/* close the socket, after the byte layer had its say */
static void drop(stream_t *s, int graceful)
{
	if (s->fd < 0)
		return;
	if (s->io->close)
		s->io->close(s->io_ctx, s, graceful);
	close(s->fd);
	s->fd = -1;
}

/* The connection is gone, not by our choice: what the peer may have lost
 * is resent on the next one. */
static void connection_lost(stream_t *s)
{
	drop(s, 0);
	if (s->replay.len)
		s->replay_pending = 1;
}

/* Everything was acknowledged and the peer reads up to our FIN, so there is
 * nothing to replay. */
void stream_disconnect(stream_t *s)
{
	drop(s, 1);
	buf_reset(&s->replay);
	s->nbatches = 0;
	s->replay_pending = 0;
}

void stream_fini(stream_t *s)
{
	stream_disconnect(s);
	buf_free(&s->out);
	buf_free(&s->replay);
	while (s->ntargets > 0)
		free(s->targets[--s->ntargets].host);
	s->target = NULL;
}

/* Remember the delivered batch in s->out (after any replayed bytes at its
 * front, which are already in the window) and trim the window to about
 * conf.resend_window (W) bytes, whole batches, oldest first: it is trimmed
 * when it holds more than 2 W, down to the newest batches that hold W. */
static void remember_batch(stream_t *s, size_t replayed)
{
	size_t drop_bytes = 0, i = 0, keep_from, w = s->conf.resend_window;

	if (w == 0) {                   /* no window */
		buf_reset(&s->replay);
		s->nbatches = 0;
		return;
	}
	if (s->nbatches == STREAM_REPLAY_MAX_BATCHES)
		i = 1;
	else if (s->replay.len + s->out.len - replayed > 2 * w)
		for (keep_from = s->replay.len + s->out.len - replayed - w;
		     i < s->nbatches && s->batch_at[i] < keep_from; i++)
			;
	if (i > 0) {
		drop_bytes = i < s->nbatches ? s->batch_at[i] : s->replay.len;
		memmove(s->replay.p, s->replay.p + drop_bytes, s->replay.len - drop_bytes);
		s->replay.len -= drop_bytes;
		memmove(s->batch_at, s->batch_at + i, (s->nbatches - i) * sizeof(size_t));
		s->nbatches -= i;
		for (i = 0; i < s->nbatches; i++)
			s->batch_at[i] -= drop_bytes;
	}
	s->batch_at[s->nbatches++] = s->replay.len;
	buf_append(&s->replay, s->out.p + replayed, s->out.len - replayed);
	if (s->replay.oom) {            /* no window rather than a wrong one */
		buf_reset(&s->replay);
		s->nbatches = 0;
	}
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
	/* A batch is written at once and committed when all of it is
	 * acknowledged: Nagle's algorithm would hold its last, short segment
	 * back until the peer acknowledged the rest, which a receiver that
	 * delays its ACKs does late (tests/bench/RESULTS.md). */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* Connect to target I and set the session up: TRANSPORT_OK with s->fd
 * open, or the reason in WHY. */
static transport_rc_t connect_target(stream_t *s, size_t i, char *why, size_t whylen)
{
	struct addrinfo hints, *res, *ai;
	char port[8];
	int rc, err = 0;

	s->target = s->targets[i].host;
	s->port = s->targets[i].port;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", s->port);
	rc = getaddrinfo(s->target, port, &hints, &res);
	if (rc != 0) {
		snprintf(why, whylen, "cannot resolve %s: %s", s->target, gai_strerror(rc));
		STAT_INC(s, connect_failures);
		return TRANSPORT_RETRY;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		s->fd = connect_one(ai, s->conf.connect_timeout_ms);
		if (s->fd >= 0)
			break;
		err = errno;
	}
	freeaddrinfo(res);
	if (s->fd < 0) {
		snprintf(why, whylen, "cannot connect to %s:%d: %s", s->target, s->port,
		         strerror(err));
		STAT_INC(s, connect_failures);
		return TRANSPORT_RETRY;
	}
	if (s->io->open && (rc = s->io->open(s->io_ctx, s, why, whylen)) != TRANSPORT_OK) {
		drop(s, 0);
		STAT_INC(s, handshake_failures);
		return rc;
	}
	STAT_INC(s, connects);
	if (i != (s->ever_connected ? s->cur : 0))
		STAT_INC(s, failovers);
	s->ever_connected = 1;
	s->cur = i;
	s->failback_at = mono_now_ms() + s->conf.failback_interval_ms;
	return TRANSPORT_OK;
}

/* Try the targets in order; the first that works is kept. With several,
 * ERRSTR lists why each failed. */
transport_rc_t stream_connect(stream_t *s, char *errstr, size_t errlen)
{
	transport_rc_t rc, worst = TRANSPORT_RETRY;
	size_t i, len;
	char why[512];

	if (s->fd >= 0)
		connection_lost(s);
	errstr[0] = '\0';
	for (i = 0; i < s->ntargets; i++) {
		why[0] = '\0';
		rc = connect_target(s, i, why, sizeof(why));
		if (rc == TRANSPORT_OK)
			return TRANSPORT_OK;
		if (rc == TRANSPORT_CONFIG)
			worst = rc;
		len = strlen(errstr);
		if (len + 1 < errlen)
			snprintf(errstr + len, errlen - len, "%s%s", len ? "; " : "", why);
	}
	if (s->ntargets > 1 && (len = strlen(errstr)) + 1 < errlen)
		snprintf(errstr + len, errlen - len, " (all %zu targets failed)", s->ntargets);
	return worst;
}

/* On a later target and the interval is over: go back to the earliest
 * that works. The current connection is closed gracefully (everything on it
 * was acknowledged, and the collector reads up to our FIN), so nothing is
 * replayed; if no earlier target works, the later ones are tried again. */
static void maybe_fail_back(stream_t *s)
{
	char why[1024];

	if (s->fd < 0 || s->cur == 0 || mono_now_ms() < s->failback_at)
		return;
	drop(s, 1);
	if (!s->replay_pending) {
		buf_reset(&s->replay);
		s->nbatches = 0;
	}
	(void)stream_connect(s, why, sizeof(why));
	/* on failure the next send connects again and reports why */
}

/* s->out = the replay window (when pending) + the batch, framed */
static void frame_batch(stream_t *s, const msgbatch_t *mb)
{
	size_t i, len;
	const char *msg;

	buf_reset(&s->out);
	if (s->replay_pending)
		buf_append(&s->out, s->replay.p, s->replay.len);
	for (i = 0; i < mb->n; i++) {
		msg = msgbatch_msg(mb, i, &len);
		if (s->conf.framing == FRAMING_OCTET_COUNTED) {
			buf_put_uint(&s->out, len);
			buf_putc(&s->out, ' ');
			buf_append(&s->out, msg, len);
		} else {
			buf_append(&s->out, msg, len);
			buf_putc(&s->out, '\n');
		}
	}
}

static transport_rc_t write_all(stream_t *s, char *errstr, size_t errlen)
{
	size_t off = 0;
	char why[256];

	while (off < s->out.len) {
		short wait = 0;
		ssize_t n = s->io->write(s->io_ctx, s, s->out.p + off, s->out.len - off, &wait,
		                         why, sizeof(why));
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0) {
			snprintf(errstr, errlen, "%s:%d: write failed: %s", s->target, s->port, why);
			return TRANSPORT_RETRY;
		}
		if (stream_wait(s->fd, wait, mono_now_ms() + s->conf.io_timeout_ms) <= 0) {
			snprintf(errstr, errlen, "%s:%d: no progress writing for %d ms",
			         s->target, s->port, s->conf.io_timeout_ms);
			return TRANSPORT_RETRY;
		}
	}
	return TRANSPORT_OK;
}

/* How long to sleep before the next look, STALLED_US after the queue of
 * unacknowledged bytes last shrank. */
static long long ack_sleep_us(long long stalled_us)
{
	long long us = stalled_us / STREAM_ACK_POLL_SHARE;

	if (us < STREAM_ACK_POLL_MIN_US)
		return STREAM_ACK_POLL_MIN_US;
	return us > STREAM_ACK_POLL_MAX_US ? STREAM_ACK_POLL_MAX_US : us;
}

/* Wait until the peer has acknowledged everything we wrote. Gives up when
 * the peer closes or when the queue has not shrunk for io_timeout_ms. */
static transport_rc_t wait_acked(stream_t *s, char *errstr, size_t errlen)
{
	long long progress_at = mono_now_us(), now;
	int pending, last = -1;
	char why[256] = "";

	for (;;) {
		if (ioctl(s->fd, SIOCOUTQ, &pending) != 0) {
			snprintf(errstr, errlen, "%s:%d: SIOCOUTQ: %s", s->target, s->port,
			         strerror(errno));
			return TRANSPORT_RETRY;
		}
		if (pending == 0)
			return TRANSPORT_OK;
		if (s->io->peer_gone(s->io_ctx, s, why, sizeof(why))) {
			/* the acknowledgement of our last bytes may come with the
			 * peer's FIN, after the queue was read: read it again */
			if (ioctl(s->fd, SIOCOUTQ, &pending) == 0 && pending == 0)
				return TRANSPORT_OK;
			snprintf(errstr, errlen, "%s:%d: connection closed by peer with %d bytes "
			         "unacknowledged%s%s", s->target, s->port, pending,
			         why[0] ? ": " : "", why);
			return TRANSPORT_RETRY;
		}
		now = mono_now_us();
		if (pending != last) {
			last = pending;
			progress_at = now;
		} else if (now - progress_at > (long long)s->conf.io_timeout_ms * US_PER_MS) {
			snprintf(errstr, errlen, "%s:%d: peer acknowledged nothing for %d ms "
			         "(%d bytes pending)", s->target, s->port, s->conf.io_timeout_ms,
			         pending);
			return TRANSPORT_RETRY;
		}
		usleep((useconds_t)ack_sleep_us(now - progress_at));
	}
}

transport_rc_t stream_send(stream_t *s, const msgbatch_t *mb, size_t *delivered,
                           char *errstr, size_t errlen)
{
	transport_rc_t rc;
	size_t replayed;
	char why[256];

	*delivered = 0;
	if (mb->n == 0)
		return TRANSPORT_OK;
	/* A connection the peer closed while we were idle is replaced before
	 * anything is written to it: nothing of this batch is lost that way. */
	if (s->fd >= 0 && s->io->peer_gone(s->io_ctx, s, why, sizeof(why)))
		connection_lost(s);
	maybe_fail_back(s);
	if (s->fd < 0 && (rc = stream_connect(s, errstr, errlen)) != TRANSPORT_OK)
		return rc;
	frame_batch(s, mb);
	replayed = s->replay_pending ? s->replay.len : 0;
	if (s->out.oom) {
		snprintf(errstr, errlen, "out of memory framing %zu messages", mb->n);
		return TRANSPORT_RETRY;
	}
	if ((rc = write_all(s, errstr, errlen)) != TRANSPORT_OK ||
	    (rc = wait_acked(s, errstr, errlen)) != TRANSPORT_OK) {
		connection_lost(s);
		return rc;
	}
	if (replayed > 0) {
		STAT_INC(s, resends);
		if (s->conf.stream_stats)
			__atomic_fetch_add(&s->conf.stream_stats->resent_bytes, replayed,
			                   __ATOMIC_RELAXED);
	}
	s->replay_pending = 0;
	remember_batch(s, replayed);
	/* a flood's batch (an event capped at join.maxbytes) leaves no
	 * lasting footprint: the window lets it go with the next batch */
	buf_reset(&s->out);
	buf_shrink(&s->out, STREAM_KEEP_BYTES);
	buf_shrink(&s->replay, STREAM_KEEP_BYTES);
	*delivered = mb->n;
	return TRANSPORT_OK;
}
