/* transport_tls.c -- syslog over TLS (RFC 5425) with OpenSSL.
 *
 * The connection, framing, acknowledgement wait and replay window are
 * transport_stream.c's; this file is the TLS session over that socket: the
 * configuration checked at create (files readable, key matching the
 * certificate), a non-blocking handshake within connect_timeout_ms, the
 * collector's certificate checked per tls_authmode, SSL_write, and a
 * peer_gone that reads what a collector sends (session tickets, alerts,
 * close_notify).
 *
 * A disconnect by the caller (HUP) makes the next connection read the
 * certificate and key files again into a new SSL_CTX (rotated
 * certificates); if they cannot be loaded, connecting fails with the reason
 * and is tried again, the old context is not used any more.
 *
 * TLS 1.3 moves the server's verdict on our certificate after the end of
 * the handshake on our side: a server refusing it sends its alert once it
 * has read our last flight, when SSL_connect has already returned. So when
 * the server asked for a certificate, connecting also waits (briefly) for the
 * server's first post-handshake record: a session ticket means accepted, an
 * alert or a close refused. Servers need not send tickets, so silence past
 * TLS_VERDICT_WAIT_MS counts as accepted.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "transport_stream.h"

#define TLS_DEFAULT_PORT   6514
#define TLS_VERDICT_WAIT_MS 1000  /* TLS 1.3: the server's verdict on our cert */
#define TLS_FP_LEN         32    /* SHA-256 */
#define TLS_FP_PREFIX      "SHA256:"
#define TLS_READ_SINK      512   /* what a collector says is read and dropped */

/* what the socket BIO reads and writes */
typedef struct tls_sock {
	int fd;
	int eof;
} tls_sock_t;

struct transport {
	stream_t s;
	SSL_CTX *ctx;
	int reload;               /* build ctx again before the next connection */
	char *cacert, *mycert, *myprivkey; /* the files, kept for reloads */
	int minversion;           /* TLS1_2_VERSION or TLS1_3_VERSION */
	BIO_METHOD *bio_meth;
	SSL *ssl;                 /* NULL: not connected */
	tls_sock_t sock;
	char **peers;             /* permitted names (x509/name) */
	size_t npeers;
	unsigned char (*fps)[TLS_FP_LEN]; /* permitted fingerprints */
	size_t nfps;
	/* per handshake */
	int cert_requested;       /* the server asked for our certificate */
	int leaf_ok;              /* the peer's certificate passed our check */
	char detail[256];         /* why the verify callback refused it */
};

int tls_authmode_parse(const char *s, tls_authmode_t *out)
{
	static const struct { const char *name; tls_authmode_t mode; } modes[] = {
		{ "x509/name", TLS_AUTH_X509_NAME },
		{ "x509/fingerprint", TLS_AUTH_X509_FINGERPRINT },
		{ "x509/certvalid", TLS_AUTH_X509_CERTVALID },
		{ "anon", TLS_AUTH_ANON },
		/* omrelp's (librelp's) names of the same modes */
		{ "name", TLS_AUTH_X509_NAME },
		{ "fingerprint", TLS_AUTH_X509_FINGERPRINT },
		{ "certvalid", TLS_AUTH_X509_CERTVALID },
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcasecmp(s, modes[i].name) == 0) {
			*out = modes[i].mode;
			return 0;
		}
	return -1;
}

static int is_ip_literal(const char *s)
{
	unsigned char a[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* ---- OpenSSL's errors as one line ---- */

static void append(char *why, size_t whylen, const char *s)
{
	size_t len = strlen(why);

	if (len + 1 < whylen)
		snprintf(why + len, whylen - len, "%s%s", len ? ": " : "", s);
}

/* Drain this thread's OpenSSL error queue into WHY. A failed certificate
 * verification says why (SSL may be NULL). */
static void drain_errors(SSL *ssl, const char *detail, char *why, size_t whylen)
{
	unsigned long e;
	long vr;
	char one[256];

	while ((e = ERR_get_error()) != 0) {
		if (ssl != NULL && ERR_GET_LIB(e) == ERR_LIB_SSL &&
		    ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED &&
		    (vr = SSL_get_verify_result(ssl)) != X509_V_OK) {
			snprintf(one, sizeof(one), "certificate verify failed: %s%s%s%s",
			         X509_verify_cert_error_string(vr), detail[0] ? " (" : "",
			         detail, detail[0] ? ")" : "");
		} else if (ERR_reason_error_string(e) != NULL) {
			snprintf(one, sizeof(one), "%s", ERR_reason_error_string(e));
		} else {
			ERR_error_string_n(e, one, sizeof(one));
		}
		if (strstr(why, one) == NULL)
			append(why, whylen, one);
	}
}

/* Why the SSL call that returned RET failed; SYS_ERRNO is errno right
 * after it. */
static void tls_why(transport_t *t, int ret, int sys_errno, char *why, size_t whylen)
{
	int err = SSL_get_error(t->ssl, ret);

	why[0] = '\0';
	drain_errors(t->ssl, t->detail, why, whylen);
	if (why[0])
		return;
	if (err == SSL_ERROR_ZERO_RETURN)
		snprintf(why, whylen, "closed by peer (close_notify)");
	else if (err == SSL_ERROR_SYSCALL)
		snprintf(why, whylen, "%s", sys_errno ? strerror(sys_errno)
		                                      : "connection closed by peer");
	else
		snprintf(why, whylen, "TLS error %d", err);
}

/* ---- a socket BIO that never raises SIGPIPE (send with MSG_NOSIGNAL) ---- */

static int bio_sock_write(BIO *b, const char *p, int n)
{
	tls_sock_t *k = BIO_get_data(b);
	ssize_t w;

	BIO_clear_retry_flags(b);
	do
		w = send(k->fd, p, (size_t)n, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_write(b);
	return (int)w;
}

static int bio_sock_read(BIO *b, char *p, int n)
{
	tls_sock_t *k = BIO_get_data(b);
	ssize_t r;

	BIO_clear_retry_flags(b);
	do
		r = recv(k->fd, p, (size_t)n, 0);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		k->eof = 1;
	else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_read(b);
	return (int)r;
}

static long bio_sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	tls_sock_t *k = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_EOF:
		return k != NULL && k->eof;
	default:
		return 0;
	}
}

static BIO_METHOD *bio_sock_method(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	                             "omauditfwd socket");

	if (m != NULL && (!BIO_meth_set_write(m, bio_sock_write) ||
	                  !BIO_meth_set_read(m, bio_sock_read) ||
	                  !BIO_meth_set_ctrl(m, bio_sock_ctrl))) {
		BIO_meth_free(m);
		m = NULL;
	}
	return m;
}

/* ---- the collector's certificate ---- */

static int cert_fingerprint(X509 *cert, unsigned char fp[TLS_FP_LEN])
{
	unsigned n = 0;

	return X509_digest(cert, EVP_sha256(), fp, &n) == 1 && n == TLS_FP_LEN;
}

static void fp_format(const unsigned char fp[TLS_FP_LEN], char *out, size_t outlen)
{
	size_t i, len;

	snprintf(out, outlen, TLS_FP_PREFIX);
	for (i = 0; i < TLS_FP_LEN && (len = strlen(out)) + 3 < outlen; i++)
		snprintf(out + len, outlen - len, "%s%02X", i ? ":" : "", fp[i]);
}

/* "SHA256:AB:CD:..." (colons optional, any case); 0 or -1 */
static int fp_parse(const char *s, unsigned char fp[TLS_FP_LEN])
{
	size_t i;
	unsigned v;

	if (strncasecmp(s, TLS_FP_PREFIX, strlen(TLS_FP_PREFIX)) != 0)
		return -1;
	s += strlen(TLS_FP_PREFIX);
	for (i = 0; i < TLS_FP_LEN; i++) {
		if (i > 0 && *s == ':')
			s++;
		if (sscanf(s, "%2x", &v) != 1 || !isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]))
			return -1;
		fp[i] = (unsigned char)v;
		s += 2;
	}
	return *s == '\0' ? 0 : -1;
}

static int fingerprint_permitted(transport_t *t, X509 *cert)
{
	unsigned char fp[TLS_FP_LEN];
	char shown[8 + 3 * TLS_FP_LEN];
	size_t i;

	if (!cert_fingerprint(cert, fp))
		return 0;
	for (i = 0; i < t->nfps; i++)
		if (memcmp(fp, t->fps[i], TLS_FP_LEN) == 0)
			return 1;
	fp_format(fp, shown, sizeof(shown));
	snprintf(t->detail, sizeof(t->detail), "fingerprint %s is not a permitted peer",
	         shown);
	return 0;
}

static int name_matches(X509 *cert, const char *name)
{
	if (is_ip_literal(name))
		return X509_check_ip_asc(cert, name, 0) == 1;
	return X509_check_host(cert, name, strlen(name), 0, NULL) == 1;
}

/* x509/name: the certificate names one of the permitted peers, or with
 * none given, the target */
static int name_permitted(transport_t *t, X509 *cert)
{
	size_t i;

	if (t->npeers == 0) {
		if (name_matches(cert, t->s.target))
			return 1;
		snprintf(t->detail, sizeof(t->detail), "the certificate is not for %s",
		         t->s.target);
		return 0;
	}
	for (i = 0; i < t->npeers; i++)
		if (name_matches(cert, t->peers[i]))
			return 1;
	snprintf(t->detail, sizeof(t->detail), "the certificate names none of the "
	         "permitted peers: %s%s", t->peers[0], t->npeers > 1 ? ", ..." : "");
	return 0;
}

/* Called by OpenSSL for each certificate of the chain, leaf last (depth 0).
 * x509/fingerprint ignores the chain and pins the leaf; x509/name adds the
 * name check to OpenSSL's chain verification; x509/certvalid is the chain. */
static int verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	transport_t *t = SSL_get_app_data(ssl);
	int depth = X509_STORE_CTX_get_error_depth(xs);
	X509 *cert = X509_STORE_CTX_get_current_cert(xs);

	if (t->s.conf.tls.authmode == TLS_AUTH_X509_FINGERPRINT) {
		if (depth > 0 || fingerprint_permitted(t, cert)) {
			X509_STORE_CTX_set_error(xs, X509_V_OK);
			if (depth == 0)
				t->leaf_ok = 1;
			return 1;
		}
		t->leaf_ok = 0;
		X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	if (!ok || depth > 0)
		return ok;
	if (t->s.conf.tls.authmode == TLS_AUTH_X509_NAME && !name_permitted(t, cert)) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_HOSTNAME_MISMATCH);
		return 0;
	}
	t->leaf_ok = 1;
	return 1;
}

/* the server sent a CertificateRequest */
static int cert_requested_cb(SSL *ssl, void *arg)
{
	transport_t *t = SSL_get_app_data(ssl);

	(void)arg;
	t->cert_requested = 1;
	return 1;
}

/* ---- configuration, checked once at create ---- */

static transport_rc_t config_error(char *errstr, size_t errlen, const char *what,
                                   const char *value, const char *problem)
{
	char why[512] = "";

	if (problem == NULL) {
		drain_errors(NULL, "", why, sizeof(why));
		problem = why[0] ? why : "unknown OpenSSL error";
	}
	snprintf(errstr, errlen, "'%s' \"%s\": %s", what, value, problem);
	ERR_clear_error();
	return TRANSPORT_CONFIG;
}

static transport_rc_t check_readable(const char *what, const char *path,
                                     char *errstr, size_t errlen)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return config_error(errstr, errlen, what, path, strerror(errno));
	fclose(f);
	return TRANSPORT_OK;
}

static transport_rc_t configure_peers(transport_t *t, const transport_tls_conf_t *c,
                                      char *errstr, size_t errlen)
{
	size_t i;

	if (c->authmode == TLS_AUTH_X509_FINGERPRINT) {
		if (c->n_permittedpeers == 0) {
			snprintf(errstr, errlen, "tls.authmode x509/fingerprint needs "
			         "tls.permittedpeer (\"" TLS_FP_PREFIX "AB:CD:...\")");
			return TRANSPORT_CONFIG;
		}
		if ((t->fps = calloc(c->n_permittedpeers, TLS_FP_LEN)) == NULL)
			goto oom;
		for (t->nfps = 0; t->nfps < c->n_permittedpeers; t->nfps++)
			if (fp_parse(c->permittedpeers[t->nfps], t->fps[t->nfps]) != 0)
				return config_error(errstr, errlen, "tls.permittedpeer",
				                    c->permittedpeers[t->nfps],
				                    "expected " TLS_FP_PREFIX "XX:XX:... (the 32 "
				                    "bytes of a SHA-256 fingerprint in hex) for "
				                    "x509/fingerprint");
		return TRANSPORT_OK;
	}
	if (c->n_permittedpeers == 0)
		return TRANSPORT_OK;
	if ((t->peers = calloc(c->n_permittedpeers, sizeof(char *))) == NULL)
		goto oom;
	for (i = 0; i < c->n_permittedpeers; i++) {
		if (c->permittedpeers[i] == NULL || c->permittedpeers[i][0] == '\0')
			return config_error(errstr, errlen, "tls.permittedpeer", "",
			                    "empty name");
		if ((t->peers[i] = strdup(c->permittedpeers[i])) == NULL)
			goto oom;
		t->npeers++;
	}
	return TRANSPORT_OK;
oom:
	snprintf(errstr, errlen, "out of memory");
	return TRANSPORT_CONFIG;
}

/* A new SSL_CTX from the files in T: into *OUT, or the reason */
static transport_rc_t build_ctx(transport_t *t, SSL_CTX **out, char *errstr, size_t errlen)
{
	tls_authmode_t mode = t->s.conf.tls.authmode;
	SSL_CTX *ctx;
	transport_rc_t rc;

	*out = NULL;
	if ((t->cacert && (rc = check_readable("tls.cacert", t->cacert, errstr, errlen))) ||
	    (t->mycert && (rc = check_readable("tls.mycert", t->mycert, errstr, errlen))) ||
	    (t->myprivkey &&
	     (rc = check_readable("tls.myprivkey", t->myprivkey, errstr, errlen))))
		return rc;
	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return config_error(errstr, errlen, "tls", "setup", NULL);
	if (!SSL_CTX_set_min_proto_version(ctx, t->minversion)) {
		rc = config_error(errstr, errlen, "tls.minversion",
		                  t->minversion == TLS1_3_VERSION ? "1.3" : "1.2", NULL);
		goto fail;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (t->cacert ? !SSL_CTX_load_verify_locations(ctx, t->cacert, NULL)
	    : mode != TLS_AUTH_ANON && !SSL_CTX_set_default_verify_paths(ctx)) {
		rc = config_error(errstr, errlen, "tls.cacert",
		                  t->cacert ? t->cacert : "(system default)", NULL);
		goto fail;
	}
	if (t->mycert) {
		if (!SSL_CTX_use_certificate_chain_file(ctx, t->mycert)) {
			rc = config_error(errstr, errlen, "tls.mycert", t->mycert, NULL);
			goto fail;
		}
		if (!SSL_CTX_use_PrivateKey_file(ctx, t->myprivkey, SSL_FILETYPE_PEM) &&
		    ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
			rc = config_error(errstr, errlen, "tls.myprivkey", t->myprivkey, NULL);
			goto fail;
		}
		if (!SSL_CTX_check_private_key(ctx)) {
			rc = config_error(errstr, errlen, "tls.myprivkey", t->myprivkey,
			                  "does not match tls.mycert");
			goto fail;
		}
	}
	if (mode == TLS_AUTH_ANON)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	SSL_CTX_set_cert_cb(ctx, cert_requested_cb, NULL);
	*out = ctx;
	return TRANSPORT_OK;
fail:
	SSL_CTX_free(ctx);
	return rc;
}

static int dup_opt(char **dst, const char *src)
{
	return src == NULL || (*dst = strdup(src)) != NULL;
}

static transport_rc_t configure(transport_t *t, const transport_tls_conf_t *c,
                                char *errstr, size_t errlen)
{
	transport_rc_t rc;

	if (c->minversion == NULL || strcmp(c->minversion, "1.2") == 0)
		t->minversion = TLS1_2_VERSION;
	else if (strcmp(c->minversion, "1.3") == 0)
		t->minversion = TLS1_3_VERSION;
	else
		return config_error(errstr, errlen, "tls.minversion", c->minversion,
		                    "expected 1.2 or 1.3");
	if ((unsigned)c->authmode > TLS_AUTH_ANON) {
		snprintf(errstr, errlen, "tls.authmode %d is unknown", (int)c->authmode);
		return TRANSPORT_CONFIG;
	}
	t->s.conf.tls.authmode = c->authmode;   /* of the tls settings, kept */
	if ((c->mycert == NULL) != (c->myprivkey == NULL)) {
		snprintf(errstr, errlen, "tls.mycert and tls.myprivkey go together: "
		         "%s is missing", c->mycert ? "tls.myprivkey" : "tls.mycert");
		return TRANSPORT_CONFIG;
	}
	if (!dup_opt(&t->cacert, c->cacert) || !dup_opt(&t->mycert, c->mycert) ||
	    !dup_opt(&t->myprivkey, c->myprivkey)) {
		snprintf(errstr, errlen, "out of memory");
		return TRANSPORT_CONFIG;
	}
	if ((rc = configure_peers(t, c, errstr, errlen)))
		return rc;
	ERR_clear_error();
	if ((t->bio_meth = bio_sock_method()) == NULL)
		return config_error(errstr, errlen, "tls", "setup", NULL);
	return build_ctx(t, &t->ctx, errstr, errlen);
}

/* after a HUP: the files again, into a new context */
static transport_rc_t reload_ctx(transport_t *t, stream_t *s, char *errstr, size_t errlen)
{
	SSL_CTX *ctx;
	char why[512];

	if (build_ctx(t, &ctx, why, sizeof(why)) != TRANSPORT_OK) {
		snprintf(errstr, errlen, "%s:%d: TLS: reloading the certificates after HUP "
		         "failed (tried again on the next connection): %s", s->target, s->port,
		         why);
		return TRANSPORT_RETRY;
	}
	SSL_CTX_free(t->ctx);
	t->ctx = ctx;
	t->reload = 0;
	return TRANSPORT_OK;
}

/* ---- the byte layer ---- */

/* 1 if the peer closed, reset or refused the session; reads (and drops)
 * whatever it sent: session tickets, alerts, close_notify */
static int tls_peer_gone(void *ctx, stream_t *s, char *why, size_t whylen)
{
	transport_t *t = ctx;
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	char sink[TLS_READ_SINK];
	int n, err;

	why[0] = '\0';
	if (t->ssl == NULL)
		return 1;
	for (;;) {
		if (SSL_pending(t->ssl) == 0 && poll(&pfd, 1, 0) <= 0)
			return 0;
		ERR_clear_error();
		errno = 0;
		n = SSL_read(t->ssl, sink, sizeof(sink));
		err = errno;
		if (n > 0)
			continue;
		switch (SSL_get_error(t->ssl, n)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			return 0;
		default:
			tls_why(t, n, err, why, whylen);
			return 1;
		}
	}
}

static ssize_t tls_write(void *ctx, stream_t *s, const char *p, size_t n, short *wait,
                         char *why, size_t whylen)
{
	transport_t *t = ctx;
	size_t w = 0;
	int r, err;

	(void)s;
	ERR_clear_error();
	errno = 0;
	r = SSL_write_ex(t->ssl, p, n, &w);
	err = errno;
	if (r == 1)
		return (ssize_t)w;
	switch (SSL_get_error(t->ssl, r)) {
	case SSL_ERROR_WANT_WRITE:
		*wait = POLLOUT;
		return 0;
	case SSL_ERROR_WANT_READ:
		*wait = POLLIN;
		return 0;
	default:
		tls_why(t, r, err, why, whylen);
		return -1;
	}
}

/* TLS 1.3 and the server asked for our certificate: its verdict comes
 * after the handshake (see the top of this file) */
static transport_rc_t await_verdict(transport_t *t, stream_t *s, char *errstr,
                                    size_t errlen)
{
	int wait_ms = s->conf.io_timeout_ms < TLS_VERDICT_WAIT_MS ? s->conf.io_timeout_ms
	                                                         : TLS_VERDICT_WAIT_MS;
	char why[512];

	if (stream_wait(s->fd, POLLIN, stream_now_ms() + wait_ms) <= 0)
		return TRANSPORT_OK;
	if (tls_peer_gone(t, s, why, sizeof(why))) {
		snprintf(errstr, errlen, "%s:%d: TLS: the server refused the connection after "
		         "the handshake: %s", s->target, s->port, why);
		return TRANSPORT_RETRY;
	}
	return TRANSPORT_OK;
}

static transport_rc_t tls_open(void *ctx, stream_t *s, char *errstr, size_t errlen)
{
	transport_t *t = ctx;
	long long deadline = stream_now_ms() + s->conf.connect_timeout_ms;
	char why[512];
	BIO *bio;
	int r, err, w;

	if (t->reload && reload_ctx(t, s, errstr, errlen) != TRANSPORT_OK)
		return TRANSPORT_RETRY;
	t->cert_requested = t->leaf_ok = 0;
	t->detail[0] = '\0';
	t->sock.fd = s->fd;
	t->sock.eof = 0;
	ERR_clear_error();
	if ((t->ssl = SSL_new(t->ctx)) == NULL || (bio = BIO_new(t->bio_meth)) == NULL) {
		why[0] = '\0';
		drain_errors(NULL, "", why, sizeof(why));
		snprintf(errstr, errlen, "%s:%d: TLS setup failed: %s", s->target, s->port,
		         why[0] ? why : "out of memory");
		return TRANSPORT_RETRY;
	}
	BIO_set_data(bio, &t->sock);
	BIO_set_init(bio, 1);
	SSL_set_bio(t->ssl, bio, bio);
	SSL_set_app_data(t->ssl, t);
	if (!is_ip_literal(s->target))
		SSL_set_tlsext_host_name(t->ssl, s->target);
	for (;;) {
		ERR_clear_error();
		errno = 0;
		r = SSL_connect(t->ssl);
		err = errno;
		if (r == 1)
			break;
		switch (SSL_get_error(t->ssl, r)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			w = stream_wait(s->fd, SSL_want_read(t->ssl) ? POLLIN : POLLOUT, deadline);
			if (w > 0)
				continue;
			snprintf(errstr, errlen, "%s:%d: TLS handshake: %s within %d ms",
			         s->target, s->port, w == 0 ? "no answer" : strerror(errno),
			         s->conf.connect_timeout_ms);
			return TRANSPORT_RETRY;
		}
		tls_why(t, r, err, why, sizeof(why));
		snprintf(errstr, errlen, "%s:%d: TLS handshake failed: %s", s->target, s->port,
		         why);
		return TRANSPORT_RETRY;
	}
	if (s->conf.tls.authmode != TLS_AUTH_ANON && !t->leaf_ok) {
		snprintf(errstr, errlen, "%s:%d: TLS handshake: the server's certificate "
		         "was not checked", s->target, s->port);
		return TRANSPORT_RETRY;
	}
	if (SSL_version(t->ssl) == TLS1_3_VERSION && t->cert_requested)
		return await_verdict(t, s, errstr, errlen);
	return TRANSPORT_OK;
}

/* GRACEFUL: our own close, with a close_notify (RFC 5425 4.4) sent within
 * io_timeout_ms; the peer's answer is not awaited. */
static void tls_close(void *ctx, stream_t *s, int graceful)
{
	transport_t *t = ctx;
	long long deadline = stream_now_ms() + s->conf.io_timeout_ms;
	char why[256];
	int r;

	if (t->ssl == NULL)
		return;
	/* unread bytes (session tickets) would turn our FIN into a RST */
	if (graceful && SSL_is_init_finished(t->ssl) && !tls_peer_gone(t, s, why, sizeof(why)))
		for (;;) {
			ERR_clear_error();
			r = SSL_shutdown(t->ssl);
			if (r >= 0)
				break;
			r = SSL_get_error(t->ssl, r);
			if ((r != SSL_ERROR_WANT_WRITE && r != SSL_ERROR_WANT_READ) ||
			    stream_wait(s->fd, r == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
			                deadline) <= 0)
				break;
		}
	SSL_free(t->ssl);
	t->ssl = NULL;
	ERR_clear_error();
}

static const stream_io_t tls_io = {
	.open = tls_open,
	.write = tls_write,
	.peer_gone = tls_peer_gone,
	.close = tls_close,
};

/* ---- the transport ---- */

static void tls_destroy(transport_t *t)
{
	size_t i;

	if (t == NULL)
		return;
	stream_fini(&t->s);
	SSL_CTX_free(t->ctx);
	BIO_meth_free(t->bio_meth);
	for (i = 0; i < t->npeers; i++)
		free(t->peers[i]);
	free(t->peers);
	free(t->fps);
	free(t->cacert);
	free(t->mycert);
	free(t->myprivkey);
	free(t);
}

void transport_tls_conf_free(transport_tls_conf_t *c)
{
	size_t i;

	free((char *)c->cacert);
	free((char *)c->mycert);
	free((char *)c->myprivkey);
	free((char *)c->minversion);
	for (i = 0; i < c->n_permittedpeers; i++)
		free((char *)c->permittedpeers[i]);
	free((char **)c->permittedpeers);
	memset(c, 0, sizeof(*c));
}

int transport_tls_conf_dup(transport_tls_conf_t *dst, const transport_tls_conf_t *src)
{
	char **peers = NULL;
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->authmode = src->authmode;
	if (src->n_permittedpeers > 0 &&
	    (peers = calloc(src->n_permittedpeers, sizeof(*peers))) == NULL)
		return -1;
	dst->permittedpeers = (const char *const *)peers;
	for (i = 0; i < src->n_permittedpeers; i++, dst->n_permittedpeers++)
		if ((peers[i] = strdup(src->permittedpeers[i] ? src->permittedpeers[i] : ""))
		    == NULL)
			goto oom;
	if (!dup_opt((char **)&dst->cacert, src->cacert) ||
	    !dup_opt((char **)&dst->mycert, src->mycert) ||
	    !dup_opt((char **)&dst->myprivkey, src->myprivkey) ||
	    !dup_opt((char **)&dst->minversion, src->minversion))
		goto oom;
	return 0;
oom:
	transport_tls_conf_free(dst);
	return -1;
}

static transport_rc_t tls_create(transport_t **out, const transport_conf_t *conf,
                                 char *errstr, size_t errlen)
{
	transport_t *t;
	transport_rc_t rc;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(errstr, errlen, "out of memory");
		return TRANSPORT_CONFIG;
	}
	if ((rc = stream_init(&t->s, conf, TLS_DEFAULT_PORT, &tls_io, t, errstr, errlen)) ||
	    (rc = configure(t, &conf->tls, errstr, errlen))) {
		tls_destroy(t);
		return rc;
	}
	*out = t;
	return TRANSPORT_OK;
}

static transport_rc_t tls_connect(transport_t *t, char *errstr, size_t errlen)
{
	return stream_connect(&t->s, errstr, errlen);
}

static transport_rc_t tls_send(transport_t *t, const msgbatch_t *mb,
                               size_t *delivered, char *errstr, size_t errlen)
{
	return stream_send(&t->s, mb, delivered, errstr, errlen);
}

static void tls_disconnect(transport_t *t)
{
	stream_disconnect(&t->s);
	t->reload = 1;
}

static int tls_is_connected(const transport_t *t)
{
	return stream_is_connected(&t->s);
}

const transport_ops_t transport_tls = {
	.name = "tls",
	.default_port = TLS_DEFAULT_PORT,
	.caps = TRANSPORT_CAP_NEEDS_TARGET | TRANSPORT_CAP_FAILOVER |
	        TRANSPORT_CAP_STREAM_STATS | TRANSPORT_CAP_FRAMED | TRANSPORT_CAP_TLS,
	.create = tls_create,
	.connect = tls_connect,
	.send = tls_send,
	.disconnect = tls_disconnect,
	.is_connected = tls_is_connected,
	.destroy = tls_destroy,
};
