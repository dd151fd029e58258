/* transport_stream.h -- what the tcp and tls transports share (internal).
 *
 * A stream transport writes each batch, framed ("LEN SP MSG" or "MSG LF"),
 * to one connected non-blocking socket and counts it delivered only once
 * the peer's TCP stack has acknowledged every byte (the socket's send queue
 * is empty). Every blocking step has a deadline: connect and session setup
 * (connect_timeout_ms), each write or wait for progress (io_timeout_ms).
 *
 * A TCP acknowledgement is not a syslog acknowledgement: a collector that
 * stops discards what its kernel accepted but it had not read. So the last
 * conf.resend_window bytes or so of delivered frames (whole batches: from
 * that to twice that) are kept, and when a connection ends other than by
 * our own disconnect they are sent again first on the next one: at least
 * once up to that window, and an outage may duplicate up to it. 0: nothing
 * is kept (omfwd's behaviour).
 *
 * Several targets: every (re)connect tries them in the configured order
 * and takes the first that connects and completes the session setup.
 * While on a later target, the earlier ones are tried again between
 * batches, at most every failback_interval_ms: the current connection is
 * closed gracefully first (all of it was acknowledged and the collector
 * reads up to our FIN), then the targets are tried in order again.
 *
 * What differs between transports is the byte layer over the socket
 * (stream_io_t): plain send() for tcp, a TLS session for tls.
 */
#ifndef AUDITFWD_TRANSPORT_STREAM_H
#define AUDITFWD_TRANSPORT_STREAM_H

#include <sys/types.h>

#include "clock_ms.h"
#include "transport.h"

#define STREAM_REPLAY_MAX_BATCHES 1024
#define STREAM_KEEP_BYTES (4 * 1024 * 1024) /* buffers larger than this shrink when idle */
#define STREAM_MAX_TARGETS        16

typedef struct stream_target {
	char *host;
	int port;
} stream_target_t;

typedef struct stream stream_t;

/* The byte layer over a connected non-blocking socket (s->fd). Every hook
 * gets the CTX given to stream_init(). */
typedef struct stream_io {
	/* The socket just connected: set up the session before anything is
	 * sent (the TLS handshake), within connect_timeout_ms. NULL: nothing. */
	transport_rc_t (*open)(void *ctx, stream_t *s, char *errstr, size_t errlen);
	/* Write up to N bytes. Returns how many (> 0); or 0 and *WAIT set to the
	 * poll events to wait for before calling again with the same bytes; or
	 * -1 with the reason in WHY. */
	ssize_t (*write)(void *ctx, stream_t *s, const char *p, size_t n, short *wait,
	                 char *why, size_t whylen);
	/* 1 if the peer has closed, reset or refused the connection, with the
	 * reason in WHY ("" when there is nothing to add); never blocks. */
	int (*peer_gone)(void *ctx, stream_t *s, char *why, size_t whylen);
	/* The socket is about to be closed: by our choice (GRACEFUL: say
	 * goodbye, within io_timeout_ms) or because it failed. NULL: nothing. */
	void (*close)(void *ctx, stream_t *s, int graceful);
} stream_io_t;

struct stream {
	transport_conf_t conf;     /* transport_conf_keep's; conf.target is
	                            * targets[0]'s host */
	stream_target_t targets[STREAM_MAX_TARGETS];
	size_t ntargets;
	size_t cur;                /* the target connected to (or last one) */
	int ever_connected;
	long long failback_at;     /* mono_now_ms() when, on a later target,
	                            * the earlier ones are tried again */
	const char *target;        /* targets[cur]: host and port, for the */
	int port;                  /* byte layer and for messages */
	int fd;                    /* -1: not connected */
	const stream_io_t *io;
	void *io_ctx;
	buf_t out;                 /* framed bytes of the batch being sent */
	/* replay window: framed bytes of the last delivered batches, oldest
	 * first; batch_at[i] is where batch i starts in it */
	buf_t replay;
	size_t batch_at[STREAM_REPLAY_MAX_BATCHES];
	size_t nbatches;
	int replay_pending;        /* the connection was lost: resend the window */
};

/* Check the target(s) and port of CONF (0: DEFAULT_PORT) and set S up; no
 * I/O. A target "host:port" has its own port; "[v6]:port" for IPv6. */
transport_rc_t stream_init(stream_t *s, const transport_conf_t *conf, int default_port,
                           const stream_io_t *io, void *io_ctx,
                           char *errstr, size_t errlen);
/* Disconnect and free what stream_init() allocated. */
void stream_fini(stream_t *s);

transport_rc_t stream_connect(stream_t *s, char *errstr, size_t errlen);
transport_rc_t stream_send(stream_t *s, const msgbatch_t *mb, size_t *delivered,
                           char *errstr, size_t errlen);
/* Our own close (HUP, shutdown): nothing is left to replay. */
void stream_disconnect(stream_t *s);
static inline int stream_is_connected(const stream_t *s) { return s->fd >= 0; }

/* Helpers for the byte layers. */
/* The byte layers' clock is mono_now_ms() (clock_ms.h); this name stays
 * for transport_tls.c and transport_relp.c. */
static inline long long stream_now_ms(void)
{
	return mono_now_ms();
}
/* Wait for EVENTS on FD until DEADLINE_MS (mono_now_ms() clock): > 0 ready,
 * 0 timed out, -1 error (errno). */
int stream_wait(int fd, short events, long long deadline_ms);

#endif
