/* transport_relp.c -- RELP (rsyslog's acknowledged protocol) through librelp,
 * plain or over TLS: sessions, the wait for every acknowledgement of a batch,
 * and what is sent again after a session broke.
 *
 * librelp sends asynchronously: relpCltSendSyslog() returns once a frame is
 * written and the window (windowSize frames unacknowledged at most) had room.
 * Its public interface neither tells how many frames are unacknowledged nor
 * reads responses without sending something. The one call that waits for
 * every response is the session's close: the receiver answers "close" after
 * the responses to every frame before it (a session is processed in order).
 * So each batch is one session: open, every message, close; the batch is
 * delivered when, during the close, every frame before it was answered
 * (see on_debug for how that is observed).
 *
 * A session that breaks in the middle of a batch is kept: librelp holds its
 * unacknowledged frames and relpCltReconnect() sends exactly those again.
 * The messages handed to that session are remembered (hash and length), and
 * when rsyslog retries the batch (whole, in parts, or re-joined) a message
 * remembered is not sent again. A close that fails (the receiver went away
 * while we waited for the last responses) destroys librelp's list; of that
 * batch the messages answered are remembered, and those still unanswered
 * are sent again by rsyslog's retry.
 *
 * Duplicates remain possible where RELP itself cannot tell: a receiver that
 * took a frame into its queue but died before its response reached us (or
 * whose response our kernel discarded with the connection's reset) gets
 * that frame again.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <librelp.h>

#include "transport_stream.h"

#define RELP_DEFAULT_PORT        514   /* omrelp's (RELP_DFLT_PT) */
#define RELP_REMEMBER_MAX        (1024 * 1024) /* messages remembered at most */
#define RELP_ERR_MAX             256
#define RELP_TRACE_ENV           "OMAUDITFWD_RELP_TRACE" /* see trace_open */

typedef enum seen_state {
	SEEN_ACKED = 1,      /* the receiver acknowledged it */
	SEEN_HANDED          /* in the broken session's unacknowledged list:
	                      * librelp sends it again when it reconnects */
} seen_state_t;

typedef struct seen {
	uint64_t hash;
	size_t len;
	seen_state_t state;
} seen_t;

struct transport {
	transport_conf_t conf;
	stream_target_t targets[STREAM_MAX_TARGETS];
	size_t ntargets;
	size_t cur;                  /* the target of the last session */
	int ever_connected;
	long long failback_at;       /* on a later target: when to try the first */
	relpEngine_t *engine;        /* one per transport: no shared state */
	relpClt_t *clt;              /* NULL: no session */
	int broken;                  /* clt's session broke; librelp holds frames */
	seen_t *seen;                /* messages of failed batches, see above */
	size_t nseen, capseen;
	int err_seen;                /* librelp reported an error since reset */
	int auth_err;                /* ... an authentication error */
	int unacked;                 /* frames the session has unanswered */
	int hook_seen;               /* librelp reported them (see on_debug) */
	int in_close;                /* closing the session: */
	int all_answered;            /* ... every frame before the close answered */
	int close_queued;            /* ... the close's own frame sent */
	char lasterr[RELP_ERR_MAX];
	transport_relp_stats_t own;  /* when conf.stats is NULL */
	transport_relp_stats_t *st;
	/* this batch: what was sent and what was skipped (index, former state) */
	size_t *sent, nsent, capsent;
	size_t nconfirmed;           /* sent[0..nconfirmed): answered in full by a
	                              * session closed for rebindInterval */
	unsigned sess_msgs;          /* messages handed to this session */
	seen_t *skipped;
	size_t nskipped, capskipped;
	/* the trace (OMAUDITFWD_RELP_TRACE), NULL: off */
	FILE *trace;
	unsigned long long trace_sess;   /* sessions opened so far */
	uint64_t cur_hash;               /* the message being handed to librelp */
	const char *cur_msg;
	size_t cur_len;
	int opening;                     /* in librelp's connect: its "open" */
	uint64_t *fifo;                  /* mirror of librelp's unanswered list */
	size_t fifo_head, fifo_n, fifo_cap;
};

#define RSTAT(t, field, n) __atomic_fetch_add(&(t)->st->field, (n), __ATOMIC_RELAXED)
#define SSTAT(t, field) \
	do { if ((t)->conf.stream_stats) \
		__atomic_fetch_add(&(t)->conf.stream_stats->field, 1, __ATOMIC_RELAXED); \
	} while (0)

static uint64_t msg_hash(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ULL;      /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* --- the remembered messages --- */

static int seen_add(transport_t *t, uint64_t hash, size_t len, seen_state_t state)
{
	seen_t *n;
	size_t cap;

	if (t->nseen == t->capseen) {
		if (t->capseen >= RELP_REMEMBER_MAX)
			return -1;      /* not remembered: sent again (at-least-once) */
		cap = t->capseen ? t->capseen * 2 : 256;
		if ((n = realloc(t->seen, cap * sizeof(*n))) == NULL)
			return -1;
		t->seen = n;
		t->capseen = cap;
	}
	t->seen[t->nseen].hash = hash;
	t->seen[t->nseen].len = len;
	t->seen[t->nseen].state = state;
	t->nseen++;
	return 0;
}

/* Take a remembered message equal to (HASH, LEN) out; its state, or 0. */
static seen_state_t seen_take(transport_t *t, uint64_t hash, size_t len)
{
	seen_state_t st;
	size_t i;

	for (i = 0; i < t->nseen; i++)
		if (t->seen[i].hash == hash && t->seen[i].len == len) {
			st = t->seen[i].state;
			t->seen[i] = t->seen[--t->nseen];
			return st;
		}
	return 0;
}

/* Keep only the remembered messages in STATE */
static size_t seen_keep(transport_t *t, seen_state_t state)
{
	size_t i, j, dropped = 0;

	for (i = j = 0; i < t->nseen; i++) {
		if (t->seen[i].state == state)
			t->seen[j++] = t->seen[i];
		else
			dropped++;
	}
	t->nseen = j;
	return dropped;
}

static void seen_set_all(transport_t *t, seen_state_t state)
{
	size_t i;

	for (i = 0; i < t->nseen; i++)
		t->seen[i].state = state;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	void *n;
	size_t c = *cap ? *cap : 64;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if ((n = realloc(*p, c * size)) == NULL)
		return -1;
	*p = n;
	*cap = c;
	return 0;
}

/* --- the trace ---
 * OMAUDITFWD_RELP_TRACE=FILE appends to FILE, per message, what happened to
 * it, for tests that attribute duplicates (tests/integration/relp_outage.sh):
 *   O s          session s opened
 *   S s h msg    message (FNV-1a h) handed to librelp in session s
 *   C s          the close handed to librelp
 *   A s h        the receiver answered h (librelp took it off its list)
 *   R s h rc     librelp's reconnect sent h again (rc: its result)
 *   U s h        session s ended with h unanswered
 *   K h state    a retried message not sent (state 1: answered, 2: held)
 * Answers come in order within a session, so a mirror of librelp's list
 * of unanswered frames, fed by its debug hook (on_debug), names them; the
 * "open" of a (re)connect, added at the end and answered first, is left out
 * of it. */

static void trace_open(transport_t *t)
{
	const char *path = getenv(RELP_TRACE_ENV);

	if (path != NULL && path[0] != '\0' && (t->trace = fopen(path, "a")) != NULL)
		setvbuf(t->trace, NULL, _IOLBF, 0);
}

static void fifo_push(transport_t *t, uint64_t h)
{
	uint64_t *n;
	size_t i, cap;

	if (t->fifo_n == t->fifo_cap) {
		cap = t->fifo_cap ? t->fifo_cap * 2 : 256;
		if ((n = malloc(cap * sizeof(*n))) == NULL)
			return;
		for (i = 0; i < t->fifo_n; i++)
			n[i] = t->fifo[(t->fifo_head + i) % t->fifo_cap];
		free(t->fifo);
		t->fifo = n;
		t->fifo_cap = cap;
		t->fifo_head = 0;
	}
	t->fifo[(t->fifo_head + t->fifo_n++) % t->fifo_cap] = h;
}

static uint64_t fifo_pop(transport_t *t)
{
	uint64_t h;

	if (t->fifo_n == 0)
		return 0;
	h = t->fifo[t->fifo_head];
	t->fifo_head = (t->fifo_head + 1) % t->fifo_cap;
	t->fifo_n--;
	return h;
}

static void trace_send(transport_t *t, const char *p, size_t len)
{
	size_t i;

	fprintf(t->trace, "S %llu %016llx ", t->trace_sess, (unsigned long long)t->cur_hash);
	for (i = 0; i < len; i++)
		fputc(p[i] == '\n' || p[i] == '\r' ? ' ' : p[i], t->trace);
	fputc('\n', t->trace);
}

/* the session ended: what librelp still held was not answered */
static void trace_session_end(transport_t *t)
{
	uint64_t h;

	if (t->trace == NULL)
		return;
	while (t->fifo_n > 0)
		if ((h = fifo_pop(t)) != 0)
			fprintf(t->trace, "U %llu %016llx\n", t->trace_sess, (unsigned long long)h);
}

static void trace_reconnect(transport_t *t, int rc)
{
	size_t i;

	if (t->trace == NULL)
		return;
	for (i = 0; i < t->fifo_n; i++)
		if (t->fifo[(t->fifo_head + i) % t->fifo_cap] != 0)
			fprintf(t->trace, "R %llu %016llx %d\n", t->trace_sess,
			        (unsigned long long)t->fifo[(t->fifo_head + i) % t->fifo_cap], rc);
}

/* --- librelp's callbacks: the session's user pointer is the transport --- */

static void on_err(void *usr, char *objinfo, char *errmsg, relpRetVal code)
{
	transport_t *t = usr;

	if (t == NULL)
		return;
	t->err_seen = 1;
	if (t->auth_err)
		return;         /* the reason was given, this is its consequence */
	snprintf(t->lasterr, sizeof(t->lasterr), "%s (librelp %d, %s)", errmsg, (int)code,
	         objinfo);
}

static void on_auth_err(void *usr, char *authinfo, char *errmsg, relpRetVal code)
{
	transport_t *t = usr;

	if (t == NULL)
		return;
	t->err_seen = t->auth_err = 1;
	snprintf(t->lasterr, sizeof(t->lasterr), "TLS authentication failed: %s, peer %s "
	         "(librelp %d)", errmsg, authinfo, (int)code);
}

static void on_generic_err(char *objinfo, char *errmsg, relpRetVal code)
{
	(void)objinfo; (void)errmsg; (void)code;   /* no transport to tell */
}

/* How many frames the session has unanswered. librelp gives no return
 * code or callback for it: it ends the wait for the close's response with
 * the same error whether the receiver answered everything (librelp 1.11
 * even fails to parse the close's own empty response) or said
 * "serverclose" first because it is shutting down. What tells is the
 * length of the session's list of unanswered frames, which librelp reports
 * (only) through its debug hook when a frame goes on it ("ADD") or a
 * response takes one off ("DEL"). During the close, the syslog frames are
 * all answered when the list is empty before the close goes on it, or
 * holds the close alone after; and when the close fails, the frames still
 * on it are the newest ones (a session is answered in order): exactly
 * those are sent again. The hook has no user pointer: the transport
 * calling into librelp is named here, for the length of the call, in its
 * thread. A librelp that does not say it is refused at the first session
 * (relp_connect), rather than trusted blindly. */
static __thread transport_t *calling;
#define RELP_DBG_UNACKED_ADD "ADD sess %p unacked %d, sessState %d\n"
#define RELP_DBG_UNACKED_DEL "DEL sess %p unacked %d, sessState %d\n"

static void on_debug(char *fmt, ...)
{
	transport_t *t = calling;
	va_list ap;
	int add;

	if (t == NULL)
		return;
	add = strcmp(fmt, RELP_DBG_UNACKED_ADD) == 0;
	if (!add && strcmp(fmt, RELP_DBG_UNACKED_DEL) != 0)
		return;
	va_start(ap, fmt);
	(void)va_arg(ap, void *);
	t->unacked = va_arg(ap, int);
	va_end(ap);
	t->hook_seen = 1;
	if (t->trace != NULL && !t->opening) {
		if (!add)
			fprintf(t->trace, "A %llu %016llx\n", t->trace_sess,
			        (unsigned long long)fifo_pop(t));
		else if (t->in_close)
			fprintf(t->trace, "C %llu\n", t->trace_sess);
		else if (t->cur_msg != NULL)
			trace_send(t, t->cur_msg, t->cur_len);
		if (add)
			fifo_push(t, t->in_close ? 0 : t->cur_hash);
	}
	if (!t->in_close)
		return;
	if (add)
		t->close_queued = 1;
	if (t->unacked <= t->close_queued)
		t->all_answered = 1;
}

/* --- configuration --- */

static const char *relp_authmode(tls_authmode_t m)
{
	switch (m) {
	case TLS_AUTH_X509_NAME: return "name";
	case TLS_AUTH_X509_FINGERPRINT: return "fingerprint";
	case TLS_AUTH_X509_CERTVALID: return "certvalid";
	default: return NULL;   /* anon: librelp's default, nothing checked */
	}
}

static transport_rc_t check_file(const char *param, const char *path, char *errstr,
                                 size_t errlen)
{
	if (path != NULL && access(path, R_OK) != 0) {
		snprintf(errstr, errlen, "relp: '%s' \"%s\": %s", param, path, strerror(errno));
		return TRANSPORT_CONFIG;
	}
	return TRANSPORT_OK;
}

static transport_rc_t check_conf(const transport_conf_t *c, char *errstr, size_t errlen)
{
	transport_rc_t rc;

	if (c->relp.window < 0 || c->relp.timeout_s <= 0 || c->relp.conn_timeout_s <= 0) {
		snprintf(errstr, errlen, "relp: 'windowSize', 'timeout' and 'conn.timeout' must "
		         "be positive");
		return TRANSPORT_CONFIG;
	}
	if (!c->relp.tls)
		return TRANSPORT_OK;
	if ((c->tls.mycert == NULL) != (c->tls.myprivkey == NULL)) {
		snprintf(errstr, errlen, "relp: 'tls.mycert' and 'tls.myprivkey' go together: "
		         "both or neither");
		return TRANSPORT_CONFIG;
	}
	if ((rc = check_file("tls.cacert", c->tls.cacert, errstr, errlen)) != TRANSPORT_OK ||
	    (rc = check_file("tls.mycert", c->tls.mycert, errstr, errlen)) != TRANSPORT_OK ||
	    (rc = check_file("tls.myprivkey", c->tls.myprivkey, errstr, errlen)) != TRANSPORT_OK)
		return rc;
	if (c->tls.authmode == TLS_AUTH_X509_FINGERPRINT && c->tls.n_permittedpeers == 0) {
		snprintf(errstr, errlen, "relp: 'tls.authmode' \"x509/fingerprint\" needs "
		         "'tls.permittedpeer' (the receiver's \"SHA1:...\" or \"SHA256:...\")");
		return TRANSPORT_CONFIG;
	}
	if (c->tls.minversion != NULL) {
		snprintf(errstr, errlen, "relp: 'tls.minversion' does not apply (librelp's TLS "
		         "library chooses the versions)");
		return TRANSPORT_CONFIG;
	}
	return TRANSPORT_OK;
}

static transport_rc_t relp_create(transport_t **out, const transport_conf_t *conf,
                                  char *errstr, size_t errlen)
{
	const char *const *names = conf->n_targets ? conf->targets : &conf->target;
	size_t n = conf->n_targets ? conf->n_targets : 1, i;
	transport_t *t;
	transport_rc_t rc;
	char host[256];
	int port;

	if ((rc = check_conf(conf, errstr, errlen)) != TRANSPORT_OK)
		return rc;
	if (n > STREAM_MAX_TARGETS) {
		snprintf(errstr, errlen, "%zu targets given, at most %d", n, STREAM_MAX_TARGETS);
		return TRANSPORT_CONFIG;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(errstr, errlen, "out of memory");
		return TRANSPORT_CONFIG;
	}
	transport_conf_keep(&t->conf, conf);
	t->conf.relp = conf->relp;
	t->conf.relp.tlslib = NULL;            /* read below, not kept */
	t->st = conf->stats ? (transport_relp_stats_t *)conf->stats : &t->own;
	rc = TRANSPORT_CONFIG;
	if (conf->relp.tls && transport_tls_conf_dup(&t->conf.tls, &conf->tls) != 0) {
		snprintf(errstr, errlen, "out of memory");
		goto fail;
	}
	trace_open(t);
	if (t->conf.failback_interval_ms <= 0)
		t->conf.failback_interval_ms = TRANSPORT_DEFAULT_FAILBACK_INTERVAL_MS;
	for (i = 0; i < n; i++) {
		if (names[i] == NULL || names[i][0] == '\0') {
			snprintf(errstr, errlen, "no target given");
			goto fail;
		}
		port = conf->port ? conf->port : RELP_DEFAULT_PORT;
		if (transport_target_parse(names[i], host, sizeof(host), &port, errstr, errlen) != 0)
			goto fail;
		if ((t->targets[i].host = strdup(host)) == NULL) {
			snprintf(errstr, errlen, "out of memory");
			goto fail;
		}
		t->targets[i].port = port;
		t->ntargets++;
	}
	if (relpEngineConstruct(&t->engine) != RELP_RET_OK) {
		snprintf(errstr, errlen, "relp: cannot create a librelp engine");
		goto fail;
	}
	if (relpEngineSetDbgprint(t->engine, on_debug) != RELP_RET_OK ||
	    relpEngineSetOnErr(t->engine, on_err) != RELP_RET_OK ||
	    relpEngineSetOnAuthErr(t->engine, on_auth_err) != RELP_RET_OK ||
	    relpEngineSetOnGenericErr(t->engine, on_generic_err) != RELP_RET_OK ||
	    relpEngineSetEnableCmd(t->engine, (unsigned char *)"syslog",
	                           eRelpCmdState_Required) != RELP_RET_OK) {
		snprintf(errstr, errlen, "relp: cannot set up the librelp engine");
		goto fail;
	}
	/* after the debug hook: librelp calls it while choosing the library */
	if (conf->relp.tlslib != NULL &&
	    relpEngineSetTLSLibByName(t->engine, conf->relp.tlslib) != RELP_RET_OK) {
		snprintf(errstr, errlen, "relp: 'tls.tlsLib' \"%s\" is not one librelp was "
		         "built with", conf->relp.tlslib);
		goto fail;
	}
	*out = t;
	return TRANSPORT_OK;
fail:
	t->conf.stats = NULL;
	transport_relp.destroy(t);
	return rc;
}

/* A client for target I, configured; NULL with the reason in ERRSTR */
static relpClt_t *new_client(transport_t *t, size_t i, char *errstr, size_t errlen)
{
	const transport_conf_t *c = &t->conf;
	relpClt_t *clt = NULL;
	const char *mode;
	size_t k;
	int ok;

	if (relpEngineCltConstruct(t->engine, &clt) != RELP_RET_OK) {
		snprintf(errstr, errlen, "relp: cannot create a librelp client");
		return NULL;
	}
	ok = relpCltSetUsrPtr(clt, t) == RELP_RET_OK &&
	     relpCltSetTimeout(clt, (unsigned)c->relp.timeout_s) == RELP_RET_OK &&
	     relpCltSetConnTimeout(clt, c->relp.conn_timeout_s) == RELP_RET_OK &&
	     relpCltSetWindowSize(clt, c->relp.window) == RELP_RET_OK;
	if (ok && c->relp.tls) {
		mode = relp_authmode(c->tls.authmode);
		ok = relpCltEnableTLS(clt) == RELP_RET_OK &&
		     (mode == NULL || relpCltSetAuthMode(clt, (char *)mode) == RELP_RET_OK) &&
		     (c->tls.cacert == NULL ||
		      relpCltSetCACert(clt, (char *)c->tls.cacert) == RELP_RET_OK) &&
		     (c->tls.mycert == NULL ||
		      relpCltSetOwnCert(clt, (char *)c->tls.mycert) == RELP_RET_OK) &&
		     (c->tls.myprivkey == NULL ||
		      relpCltSetPrivKey(clt, (char *)c->tls.myprivkey) == RELP_RET_OK);
		for (k = 0; ok && k < c->tls.n_permittedpeers; k++)
			ok = relpCltAddPermittedPeer(clt, (char *)c->tls.permittedpeers[k]) ==
			     RELP_RET_OK;
		/* x509/name without permitted peers: the name connected to */
		if (ok && mode != NULL && c->tls.authmode == TLS_AUTH_X509_NAME &&
		    c->tls.n_permittedpeers == 0)
			ok = relpCltAddPermittedPeer(clt, t->targets[i].host) == RELP_RET_OK;
	}
	if (!ok) {
		snprintf(errstr, errlen, "relp: librelp refused the session's settings");
		relpEngineCltDestruct(t->engine, &clt);
		return NULL;
	}
	return clt;
}

/* A new session: the targets in order, from the current one (or, when its
 * failback time has come, from the first) */
/* The broken session again: librelp sends the unacknowledged frames
 * again, then returns. */
static transport_rc_t relp_reconnect(transport_t *t, char *errstr, size_t errlen)
{
	relpRetVal r;

	t->err_seen = 0;
	t->lasterr[0] = '\0';
	calling = t;
	t->opening = 1;
	r = relpCltReconnect(t->clt);
	t->opening = 0;
	calling = NULL;
	trace_reconnect(t, (int)r);
	if (r != RELP_RET_OK) {
		SSTAT(t, connect_failures);
		snprintf(errstr, errlen, "relp: %s:%d: session not re-established "
		         "(librelp %d)%s%s", t->targets[t->cur].host, t->targets[t->cur].port,
		         (int)r, t->lasterr[0] ? ": " : "", t->lasterr);
		return TRANSPORT_RETRY;
	}
	t->broken = 0;
	SSTAT(t, connects);
	RSTAT(t, reestablished, 1);
	RSTAT(t, retransmitted, (unsigned long long)t->unacked);
	return TRANSPORT_OK;
}

/* A new session CLT with target I is open: failover bookkeeping, and a
 * session starts with nothing unanswered. */
static void session_opened(transport_t *t, size_t i, relpClt_t *clt)
{
	if ((t->ever_connected ? i != t->cur : i != 0))
		SSTAT(t, failovers);
	if (i != 0 && (i != t->cur || !t->ever_connected || t->cur == 0))
		t->failback_at = stream_now_ms() + t->conf.failback_interval_ms;
	t->cur = i;
	t->ever_connected = 1;
	t->clt = clt;
	t->unacked = 0;
	t->sess_msgs = 0;
	t->fifo_n = 0;
	if (t->trace != NULL)
		fprintf(t->trace, "O %llu\n", ++t->trace_sess);
	SSTAT(t, connects);
}

static transport_rc_t relp_connect(transport_t *t, char *errstr, size_t errlen)
{
	size_t k, i, start;
	relpClt_t *clt;
	relpRetVal r;
	char port[16];

	if (t->clt != NULL && !t->broken)
		return TRANSPORT_OK;
	if (t->clt != NULL)
		return relp_reconnect(t, errstr, errlen);
	start = t->cur != 0 && stream_now_ms() >= t->failback_at ? 0 : t->cur;
	for (k = 0; k < t->ntargets; k++) {
		i = (start + k) % t->ntargets;
		if ((clt = new_client(t, i, errstr, errlen)) == NULL)
			return TRANSPORT_RETRY;
		snprintf(port, sizeof(port), "%d", t->targets[i].port);
		t->err_seen = t->auth_err = 0;
		t->lasterr[0] = '\0';
		calling = t;
		t->opening = 1;
		r = relpCltConnect(clt, AF_UNSPEC, (unsigned char *)port,
		                   (unsigned char *)t->targets[i].host);
		t->opening = 0;
		calling = NULL;
		if (r == RELP_RET_OK && !t->hook_seen) {
			relpEngineCltDestruct(t->engine, &clt);
			snprintf(errstr, errlen, "relp: this librelp does not report the frames "
			         "a session has unanswered: delivery cannot be confirmed");
			return TRANSPORT_CONFIG;
		}
		if (r == RELP_RET_OK) {
			session_opened(t, i, clt);
			return TRANSPORT_OK;
		}
		relpEngineCltDestruct(t->engine, &clt);
		SSTAT(t, connect_failures);
		if (t->auth_err || r == RELP_RET_ERR_TLS_HANDS || r == RELP_RET_AUTH_ERR_NAME ||
		    r == RELP_RET_AUTH_ERR_FP || r == RELP_RET_AUTH_CERT_INVL ||
		    r == RELP_RET_AUTH_NO_CERT || r == RELP_RET_ERR_TLS_SETUP) {
			SSTAT(t, handshake_failures);
			RSTAT(t, auth_failures, 1);
		}
		snprintf(errstr, errlen, "relp: %s:%d: no session (librelp %d)%s%s",
		         t->targets[i].host, t->targets[i].port, (int)r,
		         t->lasterr[0] ? ": " : "", t->lasterr);
	}
	return TRANSPORT_RETRY;
}

/* Forget the session. Frames librelp still held are the sender's again:
 * the remembered messages it held are forgotten, so they are sent again. */
static void drop_session(transport_t *t)
{
	if (t->clt == NULL)
		return;
	calling = t;
	relpEngineCltDestruct(t->engine, &t->clt);
	calling = NULL;
	trace_session_end(t);
	t->clt = NULL;
	t->broken = 0;
	RSTAT(t, resent_unsure, seen_keep(t, SEEN_ACKED));
}

/* The session broke while sending this batch: what was sent is in librelp's
 * list; what was skipped stays remembered as it was */
static void keep_broken(transport_t *t, const msgbatch_t *mb)
{
	const char *p;
	size_t i, len;

	t->broken = 1;
	for (i = 0; i < t->nskipped; i++)
		seen_add(t, t->skipped[i].hash, t->skipped[i].len, t->skipped[i].state);
	for (i = 0; i < t->nsent; i++) {
		p = msgbatch_msg(mb, t->sent[i], &len);
		if (seen_add(t, msg_hash(p, len), len,
		             i < t->nconfirmed ? SEEN_ACKED : SEEN_HANDED) != 0)
			break;
	}
}

/* No session for the rest of the batch: what sessions closed for
 * rebindInterval had answered is remembered as such */
static void keep_confirmed(transport_t *t, const msgbatch_t *mb)
{
	const char *p;
	size_t i, len;

	for (i = 0; i < t->nskipped; i++)
		seen_add(t, t->skipped[i].hash, t->skipped[i].len, t->skipped[i].state);
	for (i = 0; i < t->nconfirmed; i++) {
		p = msgbatch_msg(mb, t->sent[i], &len);
		if (seen_add(t, msg_hash(p, len), len, SEEN_ACKED) != 0)
			break;
	}
	RSTAT(t, resent_unsure, seen_keep(t, SEEN_ACKED));
}

/* The close was not answered in full, and librelp's list is gone: the
 * frames it still had are the newest ones of the session; the others were
 * answered. Of this batch, the answered ones are remembered as such. */
static void close_failed(transport_t *t, const msgbatch_t *mb)
{
	size_t left = t->unacked > t->close_queued ? (size_t)(t->unacked - t->close_queued) : 0;
	size_t proven = t->nsent > left ? t->nsent - left : 0;
	int older_answered = left <= t->nsent;
	unsigned long long unsure = t->nsent - proven;
	const char *p;
	size_t i, len;

	/* what the session had before this batch's frames */
	if (older_answered)
		seen_set_all(t, SEEN_ACKED);
	else
		unsure += seen_keep(t, SEEN_ACKED);
	for (i = 0; i < t->nskipped; i++) {
		if (t->skipped[i].state == SEEN_ACKED || older_answered)
			seen_add(t, t->skipped[i].hash, t->skipped[i].len, SEEN_ACKED);
		else
			unsure++;
	}
	for (i = 0; i < proven; i++) {
		p = msgbatch_msg(mb, t->sent[i], &len);
		if (seen_add(t, msg_hash(p, len), len, SEEN_ACKED) != 0)
			break;
	}
	RSTAT(t, resent_unsure, unsure);
}

/* Close the session and wait for the answer to every frame before the
 * close (see on_debug); 1: all answered */
static int close_session(transport_t *t)
{
	t->err_seen = t->all_answered = t->close_queued = 0;
	t->lasterr[0] = '\0';
	t->in_close = 1;
	calling = t;
	relpEngineCltDestruct(t->engine, &t->clt);
	calling = NULL;
	trace_session_end(t);
	t->in_close = 0;
	t->clt = NULL;
	RSTAT(t, acks_awaited, 1);
	if (!t->all_answered)
		RSTAT(t, acks_failed, 1);
	return t->all_answered;
}

/* rebindInterval: the session had its messages; close it (every message
 * answered, or the batch is retried) and open another */
static transport_rc_t rebind(transport_t *t, const msgbatch_t *mb, char *errstr,
                             size_t errlen)
{
	transport_rc_t rc;
	size_t i;

	relpCltHintBurstEnd(t->clt);
	calling = NULL;
	if (!close_session(t)) {
		close_failed(t, mb);
		snprintf(errstr, errlen, "relp: %s:%d: not every message was acknowledged "
		         "before the session ended for rebindInterval%s%s",
		         t->targets[t->cur].host, t->targets[t->cur].port,
		         t->lasterr[0] ? ": " : "", t->lasterr);
		return TRANSPORT_RETRY;
	}
	/* everything this session held is answered: the older frames of a
	 * reconnected session, what was skipped, what was sent */
	seen_set_all(t, SEEN_ACKED);
	for (i = 0; i < t->nskipped; i++)
		t->skipped[i].state = SEEN_ACKED;
	t->nconfirmed = t->nsent;
	RSTAT(t, rebinds, 1);
	if ((rc = relp_connect(t, errstr, errlen)) != TRANSPORT_OK) {
		keep_confirmed(t, mb);
		return rc;
	}
	calling = t;
	relpCltHintBurstBegin(t->clt);
	return TRANSPORT_OK;
}

/* Hand every message of MB not remembered to the session */
static transport_rc_t hand_batch(transport_t *t, const msgbatch_t *mb, char *errstr,
                                 size_t errlen)
{
	const char *p;
	size_t i, len;
	uint64_t h;
	seen_state_t st;
	relpRetVal r;
	transport_rc_t rc;

	if (grow((void **)&t->sent, &t->capsent, mb->n, sizeof(*t->sent)) != 0 ||
	    grow((void **)&t->skipped, &t->capskipped, mb->n, sizeof(*t->skipped)) != 0) {
		snprintf(errstr, errlen, "out of memory");
		return TRANSPORT_RETRY;
	}
	t->nsent = t->nskipped = t->nconfirmed = 0;
	calling = t;
	relpCltHintBurstBegin(t->clt);
	for (i = 0; i < mb->n; i++) {
		p = msgbatch_msg(mb, i, &len);
		h = msg_hash(p, len);
		if (t->nseen > 0 && (st = seen_take(t, h, len)) != 0) {
			if (t->trace != NULL)
				fprintf(t->trace, "K %016llx %d\n", (unsigned long long)h, (int)st);
			t->skipped[t->nskipped].hash = h;
			t->skipped[t->nskipped].len = len;
			t->skipped[t->nskipped++].state = st;
			continue;
		}
		t->err_seen = 0;
		t->lasterr[0] = '\0';
		t->cur_hash = h;
		t->cur_msg = p;
		t->cur_len = len;
		r = relpCltSendSyslog(t->clt, (unsigned char *)p, len);
		if (r != RELP_RET_OK) {
			calling = NULL;
			keep_broken(t, mb);
			snprintf(errstr, errlen, "relp: %s:%d: session broken after %zu of %zu "
			         "messages (librelp %d)%s%s", t->targets[t->cur].host,
			         t->targets[t->cur].port, i, mb->n, (int)r,
			         t->lasterr[0] ? ": " : "", t->lasterr);
			return TRANSPORT_RETRY;
		}
		t->sent[t->nsent++] = i;
		if (t->conf.relp.rebind > 0 && ++t->sess_msgs >= t->conf.relp.rebind &&
		    i + 1 < mb->n && (rc = rebind(t, mb, errstr, errlen)) != TRANSPORT_OK)
			return rc;
	}
	relpCltHintBurstEnd(t->clt);
	calling = NULL;
	return TRANSPORT_OK;
}

static transport_rc_t relp_send(transport_t *t, const msgbatch_t *mb, size_t *delivered,
                                char *errstr, size_t errlen)
{
	transport_rc_t rc;

	*delivered = 0;
	if (mb->n == 0)
		return TRANSPORT_OK;
	if ((rc = relp_connect(t, errstr, errlen)) != TRANSPORT_OK)
		return rc;
	if ((rc = hand_batch(t, mb, errstr, errlen)) != TRANSPORT_OK)
		return rc;
	RSTAT(t, skipped, t->nskipped);
	/* a batch that retried nothing: what was remembered is settled */
	if (t->nskipped == 0)
		seen_keep(t, SEEN_HANDED);
	/* the close is answered after every frame before it */
	if (!close_session(t)) {
		close_failed(t, mb);
		snprintf(errstr, errlen, "relp: %s:%d: not every message of the batch was "
		         "acknowledged before the session ended%s%s", t->targets[t->cur].host,
		         t->targets[t->cur].port, t->lasterr[0] ? ": " : "", t->lasterr);
		return TRANSPORT_RETRY;
	}
	seen_set_all(t, SEEN_ACKED);
	*delivered = mb->n;
	return TRANSPORT_OK;
}

static void relp_disconnect(transport_t *t)
{
	drop_session(t);
}

static int relp_is_connected(const transport_t *t)
{
	/* a session lives for one batch; a broken one is re-established by
	 * relp_connect() before the next */
	return t->clt != NULL && !t->broken;
}

static void relp_destroy(transport_t *t)
{
	size_t i;

	if (t == NULL)
		return;
	drop_session(t);
	if (t->engine != NULL)
		relpEngineDestruct(&t->engine);
	for (i = 0; i < t->ntargets; i++)
		free(t->targets[i].host);
	free(t->seen);
	free(t->sent);
	free(t->skipped);
	free(t->fifo);
	transport_tls_conf_free(&t->conf.tls);
	if (t->trace != NULL)
		fclose(t->trace);
	free(t);
}

#define RCTR(name, field) { name, offsetof(transport_relp_stats_t, field) }
static const transport_counter_t relp_counters[] = {
	RCTR("relp.acks.awaited", acks_awaited), RCTR("relp.acks.failed", acks_failed),
	RCTR("relp.reestablished", reestablished),
	RCTR("relp.retransmitted", retransmitted), RCTR("relp.skipped", skipped),
	RCTR("relp.resent.unsure", resent_unsure), RCTR("relp.auth.failures", auth_failures),
	RCTR("relp.rebinds", rebinds),
};
#undef RCTR

const transport_ops_t transport_relp = {
	.name = "relp",
	.default_port = RELP_DEFAULT_PORT,
	.caps = TRANSPORT_CAP_NEEDS_TARGET | TRANSPORT_CAP_FAILOVER |
	        TRANSPORT_CAP_STREAM_STATS | TRANSPORT_CAP_FRAMED | TRANSPORT_CAP_TLS_SWITCH,
	.counters = relp_counters,
	.n_counters = sizeof(relp_counters) / sizeof(relp_counters[0]),
	.stats_size = sizeof(transport_relp_stats_t),
	.create = relp_create,
	.connect = relp_connect,
	.send = relp_send,
	.disconnect = relp_disconnect,
	.is_connected = relp_is_connected,
	.destroy = relp_destroy,
};
