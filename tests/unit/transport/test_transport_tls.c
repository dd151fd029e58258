/* test_transport_tls.c -- the tls transport against a real OpenSSL server
 * thread on loopback, with the PKI of tests/pki.sh: exact frames inside the
 * session, every certificate check accepting what it should and refusing
 * what it should with the reason, errors instead of hangs, replay. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

#define PEER_IO_TIMEOUT_S 10   /* the server thread never waits longer */

/* ---- the PKI: made once for the whole run, in the runner process ---- */

static char pki_tmp[PATH_MAX];   /* ours to remove afterwards */

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	const char *srcdir = getenv("top_srcdir");
	char cmd[2 * PATH_MAX + 32];

	(void)set;
	if (getenv("TEST_PKI_DIR") != NULL)
		return;
	snprintf(pki_tmp, sizeof(pki_tmp), "%s/omauditfwd-tls-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(pki_tmp) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(cmd, sizeof(cmd), "'%s/tests/pki.sh' '%s/pki'", srcdir ? srcdir : ".", pki_tmp);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s failed\n", cmd);
		exit(2);
	}
	strncat(pki_tmp, "/pki", sizeof(pki_tmp) - strlen(pki_tmp) - 1);
	setenv("TEST_PKI_DIR", pki_tmp, 1);
	pki_tmp[strlen(pki_tmp) - 4] = '\0';
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	char cmd[PATH_MAX + 16];

	(void)stats;
	if (pki_tmp[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki_tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "%s failed\n", cmd);
}

/* PKI file NAME (e.g. "ca.pem"); a static buffer per call site is enough */
static const char *pki(const char *name)
{
	static char paths[16][PATH_MAX];
	static int next;
	char *p = paths[next++ % 16];
	const char *dir = getenv("TEST_PKI_DIR");

	cr_assert_not_null(dir, "TEST_PKI_DIR is not set");
	snprintf(p, PATH_MAX, "%s/%s", dir, name);
	return p;
}

/* "SHA256:AB:..." of the certificate in PEM file PATH */
static void fingerprint_of(const char *path, char *out, size_t outlen)
{
	FILE *f = fopen(path, "r");
	X509 *x;
	unsigned char md[32];
	unsigned n = 0, i;

	cr_assert_not_null(f, "%s", path);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	cr_assert_not_null(x);
	cr_assert_eq(X509_digest(x, EVP_sha256(), md, &n), 1);
	X509_free(x);
	snprintf(out, outlen, "SHA256");
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), outlen - strlen(out), ":%02X", md[i]);
}

/* ---- an OpenSSL server thread ----
 * Accepts ACCEPTS connections one after another. The first close_first
 * sessions are dropped (no close_notify) after reading first_read bytes,
 * like a collector that stops; others are read to the end and what they
 * carried is appended to got. silent: accept TCP and never answer. */
typedef struct server {
	const char *cert, *key;    /* pki() file names */
	int require_cert;          /* demand a client certificate from ca.pem */
	int min_version, max_version; /* 0: OpenSSL's */
	int accepts, close_first, silent;
	size_t first_read;

	SSL_CTX *ctx;
	int lfd, port;
	pthread_t th;
	char got[1 << 22];
	size_t got_len;
	int conns, sessions, clean_closes;
	int dropped;               /* sessions dropped early and closed (atomic) */
	int hold_drop;             /* drop only once may_drop is set (atomic) */
	int may_drop;
	char sni[256], client_cn[256], accept_err[256];
} server_t;

static void set_timeout(int fd)
{
	struct timeval tv = { .tv_sec = PEER_IO_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void serve_session(server_t *p, int fd, int drop_early)
{
	SSL *ssl = SSL_new(p->ctx);
	X509 *peer;
	const char *sni;
	size_t got = 0;
	char sink[4096];
	int n = 0;

	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1) {
		ERR_error_string_n(ERR_peek_last_error(), p->accept_err, sizeof(p->accept_err));
		goto out;
	}
	p->sessions++;
	if ((sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) != NULL)
		snprintf(p->sni, sizeof(p->sni), "%s", sni);
	if ((peer = SSL_get_peer_certificate(ssl)) != NULL) {
		X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName,
		                          p->client_cn, sizeof(p->client_cn));
		X509_free(peer);
	}
	if (drop_early) {
		while (got < p->first_read && (n = SSL_read(ssl, sink, sizeof(sink))) > 0)
			got += (size_t)n;
		for (n = 0; p->hold_drop && n < 1000 &&
		     !__atomic_load_n(&p->may_drop, __ATOMIC_ACQUIRE); n++)
			usleep(10000);
		goto out;
	}
	while (p->got_len < sizeof(p->got) &&
	       (n = SSL_read(ssl, p->got + p->got_len, (int)(sizeof(p->got) - p->got_len))) > 0)
		p->got_len += (size_t)n;
	if (SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN)
		p->clean_closes++;
out:
	SSL_free(ssl);
	ERR_clear_error();
}

static void *server_main(void *arg)
{
	server_t *p = arg;
	sigset_t pipe_sig;
	int i;

	/* a client that hung up makes the server's write raise SIGPIPE (seen
	 * under valgrind, where the handshake is slow); blocked in this thread
	 * only, the write fails with EPIPE instead, and the client's side --
	 * the code under test -- still has to avoid SIGPIPE itself */
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);

	for (i = 0; i < p->accepts; i++) {
		int fd = accept(p->lfd, NULL, NULL);
		char sink[4096];

		if (fd < 0)
			break;
		p->conns++;
		set_timeout(fd);
		if (p->silent)
			while (read(fd, sink, sizeof(sink)) > 0)
				;
		else
			serve_session(p, fd, i < p->close_first);
		close(fd);
		if (!p->silent && i < p->close_first)
			__atomic_fetch_add(&p->dropped, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void server_start(server_t *p)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1;

	if (p->cert == NULL) {
		p->cert = pki("server.pem");
		p->key = pki("server.key");
	}
	p->ctx = SSL_CTX_new(TLS_server_method());
	cr_assert_not_null(p->ctx);
	cr_assert_eq(SSL_CTX_use_certificate_chain_file(p->ctx, p->cert), 1, "%s", p->cert);
	cr_assert_eq(SSL_CTX_use_PrivateKey_file(p->ctx, p->key, SSL_FILETYPE_PEM), 1);
	if (p->min_version) {
		/* TLS < 1.2 needs security level 0 in OpenSSL 3 */
		SSL_CTX_set_security_level(p->ctx, 0);
		cr_assert_eq(SSL_CTX_set_min_proto_version(p->ctx, p->min_version), 1);
	}
	if (p->max_version)
		cr_assert_eq(SSL_CTX_set_max_proto_version(p->ctx, p->max_version), 1);
	if (p->require_cert) {
		cr_assert_eq(SSL_CTX_load_verify_locations(p->ctx, pki("ca.pem"), NULL), 1);
		SSL_CTX_set_client_CA_list(p->ctx, SSL_load_client_CA_file(pki("ca.pem")));
		SSL_CTX_set_verify(p->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(p->lfd, 0);
	setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	set_timeout(p->lfd);   /* accept() gives up too */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(p->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(p->lfd, 4), 0);
	getsockname(p->lfd, (struct sockaddr *)&sa, &sl);
	p->port = ntohs(sa.sin_port);
	if (p->accepts == 0)
		p->accepts = 1;
	pthread_create(&p->th, NULL, server_main, p);
}

static void server_join(server_t *p)
{
	pthread_join(p->th, NULL);
	close(p->lfd);
	SSL_CTX_free(p->ctx);
}

static server_t *server_new(void)
{
	server_t *p = calloc(1, sizeof(*p));

	cr_assert_not_null(p);
	return p;
}

/* ---- the client side ---- */

static void add(msgbatch_t *mb, const char *s)
{
	msgbatch_begin(mb);
	buf_puts(&mb->data, s);
	cr_assert_eq(msgbatch_end(mb), 0);
}

/* a conf for PORT on 127.0.0.1 that trusts the test CA */
static transport_conf_t conf_for(int port)
{
	transport_conf_t c;

	memset(&c, 0, sizeof(c));
	transport_conf_default(&c);
	c.target = "127.0.0.1";
	c.port = port;
	c.io_timeout_ms = 5000;
	c.tls.cacert = pki("ca.pem");
	return c;
}

static transport_t *make(const transport_conf_t *c)
{
	transport_t *t = NULL;
	char err[512];

	cr_assert_eq(transport_tls.create(&t, c, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	return t;
}

static size_t send_ok(transport_t *t, const msgbatch_t *mb)
{
	size_t done = 0;
	char err[512] = "";

	cr_assert_eq(transport_tls.send(t, mb, &done, err, sizeof(err)), TRANSPORT_OK, "%s", err);
	return done;
}

/* send a one-message batch, require it to fail; the reason is in ERR */
static void send_fails(transport_t *t, char *err, size_t errlen)
{
	msgbatch_t mb;
	size_t done = 99;

	msgbatch_init(&mb);
	add(&mb, "x");
	err[0] = '\0';
	cr_assert_eq(transport_tls.send(t, &mb, &done, err, errlen), TRANSPORT_RETRY,
	             "sent: %s", err);
	cr_assert_eq(done, 0);
	cr_assert_not(transport_tls.is_connected(t), "a failed connection is dropped");
	msgbatch_free(&mb);
}

static void send_one_ok(transport_t *t)
{
	msgbatch_t mb;

	msgbatch_init(&mb);
	add(&mb, "x");
	cr_assert_eq(send_ok(t, &mb), 1);
	msgbatch_free(&mb);
}

/* ---- the specification ---- */

Test(transport_tls, octet_counted_frames_inside_the_session)
{
	server_t *p = server_new();
	transport_conf_t c;
	msgbatch_t mb;
	transport_t *t;

	server_start(p);
	c = conf_for(p->port);
	msgbatch_init(&mb);
	add(&mb, "hello");
	add(&mb, "{\"a\":1}");
	add(&mb, "");
	t = make(&c);
	cr_assert_eq(send_ok(t, &mb), 3);
	transport_tls.destroy(t);
	server_join(p);
	cr_assert_eq(p->got_len, 18, "got %zu: %.*s", p->got_len, (int)p->got_len, p->got);
	cr_assert_eq(memcmp(p->got, "5 hello7 {\"a\":1}0 ", 18), 0);
	cr_assert_eq(p->clean_closes, 1, "our close sends close_notify");
	cr_assert_str_empty(p->sni, "no SNI for an address");
	msgbatch_free(&mb);
	free(p);
}

/* a big batch goes out in many records and partial writes */
Test(transport_tls, large_batch_lf_framed, .timeout = 30)
{
	server_t *p = server_new();
	transport_conf_t c;
	msgbatch_t mb;
	transport_t *t;
	static char big[10000];
	size_t i;

	memset(big, 'y', sizeof(big) - 1);
	server_start(p);
	c = conf_for(p->port);
	c.framing = FRAMING_LF;
	msgbatch_init(&mb);
	for (i = 0; i < 300; i++)
		add(&mb, big);
	t = make(&c);
	cr_assert_eq(send_ok(t, &mb), 300);
	transport_tls.destroy(t);
	server_join(p);
	cr_assert_eq(p->got_len, 300 * sizeof(big));
	for (i = 0; i < 300; i++)
		cr_assert_eq(p->got[(i + 1) * sizeof(big) - 1], '\n');
	msgbatch_free(&mb);
	free(p);
}

Test(transport_tls, dns_name_is_checked_and_sent_as_sni)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;

	server_start(p);
	c = conf_for(p->port);
	c.target = "localhost";
	t = make(&c);
	send_one_ok(t);
	transport_tls.destroy(t);
	server_join(p);
	cr_assert_str_eq(p->sni, "localhost");
	free(p);
}

Test(transport_tls, mutual_tls)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;

	p->require_cert = 1;
	server_start(p);
	c = conf_for(p->port);
	c.tls.mycert = pki("client.pem");
	c.tls.myprivkey = pki("client.key");
	t = make(&c);
	send_one_ok(t);
	transport_tls.destroy(t);
	server_join(p);
	cr_assert_str_eq(p->client_cn, "client.test");
	cr_assert_eq(p->got_len, 3);
	free(p);
}

/* TLS 1.3: the server's refusal of our (missing) certificate arrives after
 * our side of the handshake is complete; the batch must still fail. */
Test(transport_tls, server_requiring_a_client_cert_refuses_us_tls13, .timeout = 20)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;
	char err[512];

	p->require_cert = 1;
	server_start(p);
	c = conf_for(p->port);
	t = make(&c);
	send_fails(t, err, sizeof(err));
	cr_assert(strstr(err, "certificate required") != NULL, "%s", err);
	transport_tls.destroy(t);
	server_join(p);
	cr_assert_eq(p->sessions, 0);
	cr_assert_eq(p->got_len, 0);
	free(p);
}

Test(transport_tls, server_requiring_a_client_cert_refuses_us_tls12, .timeout = 20)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;
	char err[512];

	p->require_cert = 1;
	p->max_version = TLS1_2_VERSION;
	server_start(p);
	c = conf_for(p->port);
	t = make(&c);
	send_fails(t, err, sizeof(err));
	cr_assert(strstr(err, "TLS handshake failed") != NULL, "%s", err);
	cr_assert(strstr(err, "handshake failure") != NULL, "%s", err);
	transport_tls.destroy(t);
	server_join(p);
	free(p);
}

/* a client certificate from a CA the server does not trust */
Test(transport_tls, server_refuses_an_untrusted_client_cert, .timeout = 20)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;
	char err[512];

	p->require_cert = 1;
	server_start(p);
	c = conf_for(p->port);
	c.tls.mycert = pki("untrusted.pem");
	c.tls.myprivkey = pki("untrusted.key");
	t = make(&c);
	send_fails(t, err, sizeof(err));
	cr_assert(strstr(err, "refused the connection after the handshake") != NULL, "%s", err);
	cr_assert(strstr(err, "unknown ca") != NULL, "%s", err);
	transport_tls.destroy(t);
	server_join(p);
	free(p);
}

Test(transport_tls, server_cert_from_another_ca_is_refused)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;
	char err[512];

	p->cert = pki("untrusted.pem");
	p->key = pki("untrusted.key");
	server_start(p);
	c = conf_for(p->port);
	t = make(&c);
	send_fails(t, err, sizeof(err));
	cr_assert(strstr(err, "certificate verify failed: unable to get local issuer "
	                      "certificate") != NULL, "%s", err);
	transport_tls.destroy(t);
	server_join(p);
	free(p);
}

Test(transport_tls, wrong_name_is_refused_under_x509_name)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;
	char err[512];

	p->cert = pki("wrongname.pem");
	p->key = pki("wrongname.key");
	server_start(p);
	c = conf_for(p->port);
	t = make(&c);
	send_fails(t, err, sizeof(err));
	cr_assert(strstr(err, "certificate verify failed: hostname mismatch") != NULL, "%s", err);
	cr_assert(strstr(err, "not for 127.0.0.1") != NULL, "%s", err);
	transport_tls.destroy(t);
	server_join(p);
	free(p);
}

Test(transport_tls, wrong_name_is_accepted_under_x509_certvalid)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;

	p->cert = pki("wrongname.pem");
	p->key = pki("wrongname.key");
	server_start(p);
	c = conf_for(p->port);
	c.tls.authmode = TLS_AUTH_X509_CERTVALID;
	t = make(&c);
	send_one_ok(t);
	transport_tls.destroy(t);
	server_join(p);
	free(p);
}

/* a string of the caller's, on the heap, to spoil once create returned */
static char *heap(const char *s)
{
	char *d = strdup(s);

	cr_assert_not_null(d);
	return d;
}

static void spoil(char *s)
{
	memset(s, 'X', strlen(s));
	free(s);
}

/* create reads the caller's conf, writes nothing to it, and keeps none of
 * its strings: spoiled and freed afterwards, they change nothing, even for
 * the reload after our own disconnect */
Test(transport_tls, create_keeps_nothing_of_the_callers_conf)
{
	server_t *p = server_new();
	transport_conf_t c, before;
	transport_t *t;
	char *target = heap("127.0.0.1"), *ca = heap(pki("ca.pem")),
	     *cert = heap(pki("client.pem")), *key = heap(pki("client.key")),
	     *min = heap("1.2");

	p->require_cert = 1;
	p->accepts = 2;
	server_start(p);
	c = conf_for(p->port);
	c.target = target;
	c.tls.cacert = ca;
	c.tls.mycert = cert;
	c.tls.myprivkey = key;
	c.tls.minversion = min;
	before = c;
	t = make(&c);
	cr_assert(memcmp(&c, &before, sizeof(c)) == 0, "create wrote to the caller's conf");
	spoil(target);
	spoil(ca);
	spoil(cert);
	spoil(key);
	spoil(min);
	send_one_ok(t);
	transport_tls.disconnect(t);       /* the next connection reads the files again */
	send_one_ok(t);
	transport_tls.destroy(t);
	server_join(p);
	cr_assert_str_eq(p->client_cn, "client.test");
	free(p);
}

/* transport_tls_conf_dup: every string and the array the copy's own */
Test(transport_tls, conf_dup_owns_its_copy)
{
	char *peer = heap("a.example");
	const char *peers[] = { peer, "b.example" };
	transport_tls_conf_t src = { NULL, NULL, NULL, TLS_AUTH_X509_CERTVALID, peers, 2, NULL };
	transport_tls_conf_t d;

	src.cacert = heap("/ca.pem");
	cr_assert_eq(transport_tls_conf_dup(&d, &src), 0);
	cr_assert_neq(d.cacert, src.cacert);
	cr_assert_neq((const void *)d.permittedpeers, (const void *)src.permittedpeers);
	spoil((char *)src.cacert);
	spoil(peer);
	cr_assert_str_eq(d.cacert, "/ca.pem");
	cr_assert_null(d.mycert);
	cr_assert_eq(d.authmode, TLS_AUTH_X509_CERTVALID);
	cr_assert_eq(d.n_permittedpeers, 2);
	cr_assert_str_eq(d.permittedpeers[0], "a.example");
	cr_assert_str_eq(d.permittedpeers[1], "b.example");
	transport_tls_conf_free(&d);
	cr_assert_null(d.cacert);
	cr_assert_eq(d.n_permittedpeers, 0);
}

Test(transport_tls, permitted_peers_replace_the_target_name)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;
	const char *peers[] = { "other.example", "wrong.example" };
	char err[512];

	p->cert = pki("wrongname.pem");
	p->key = pki("wrongname.key");
	p->accepts = 2;
	server_start(p);
	c = conf_for(p->port);
	c.tls.permittedpeers = peers;
	c.tls.n_permittedpeers = 2;
	t = make(&c);
	send_one_ok(t);
	transport_tls.destroy(t);
	/* and the target's own name is then no longer enough */
	c.tls.n_permittedpeers = 1;
	t = make(&c);
	send_fails(t, err, sizeof(err));
	cr_assert(strstr(err, "none of the permitted peers: other.example") != NULL, "%s", err);
	transport_tls.destroy(t);
	server_join(p);
	free(p);
}

/* fingerprint pinning ignores the chain: a cert from the untrusted CA */
Test(transport_tls, fingerprint_match_is_accepted)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;
	char fp[128];
	const char *peers[] = { "SHA256:00:11", fp };

	fingerprint_of(pki("untrusted.pem"), fp, sizeof(fp));
	peers[0] = "SHA256:0000000000000000000000000000000000000000000000000000000000000000";
	p->cert = pki("untrusted.pem");
	p->key = pki("untrusted.key");
	server_start(p);
	c = conf_for(p->port);
	c.tls.authmode = TLS_AUTH_X509_FINGERPRINT;
	c.tls.permittedpeers = peers;
	c.tls.n_permittedpeers = 2;
	t = make(&c);
	send_one_ok(t);
	transport_tls.destroy(t);
	server_join(p);
	cr_assert_eq(p->got_len, 3);
	free(p);
}

Test(transport_tls, fingerprint_mismatch_is_refused)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;
	char fp[128], served[128], err[512];
	const char *peers[] = { fp };

	fingerprint_of(pki("client.pem"), fp, sizeof(fp));
	fingerprint_of(pki("server.pem"), served, sizeof(served));
	server_start(p);
	c = conf_for(p->port);
	c.tls.authmode = TLS_AUTH_X509_FINGERPRINT;
	c.tls.permittedpeers = peers;
	c.tls.n_permittedpeers = 1;
	t = make(&c);
	send_fails(t, err, sizeof(err));
	cr_assert(strstr(err, "certificate verify failed: certificate rejected") != NULL, "%s", err);
	cr_assert(strstr(err, served) != NULL, "the served fingerprint is named: %s", err);
	transport_tls.destroy(t);
	server_join(p);
	free(p);
}

Test(transport_tls, anon_checks_nothing)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;

	p->cert = pki("untrusted.pem");
	p->key = pki("untrusted.key");
	server_start(p);
	c = conf_for(p->port);
	c.tls.authmode = TLS_AUTH_ANON;
	c.tls.cacert = NULL;
	t = make(&c);
	send_one_ok(t);
	transport_tls.destroy(t);
	server_join(p);
	free(p);
}

/* 1 if a bare OpenSSL client limited to VERSION completes a handshake */
static int handshake_at(int port, int version)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	struct sockaddr_in sa;
	SSL *ssl;
	int fd, ok;

	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, version);
	SSL_CTX_set_max_proto_version(ctx, version);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)port);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	ok = SSL_connect(ssl) == 1 && SSL_version(ssl) == version;
	if (ok)
		SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* OpenSSL 3 still speaks TLS 1.1 at security level 0 (checked first with
 * a bare client); our minimum of 1.2 refuses it. */
Test(transport_tls, tls11_server_is_refused)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;
	char err[512];

	p->min_version = TLS1_1_VERSION;
	p->max_version = TLS1_1_VERSION;
	p->accepts = 2;
	server_start(p);
	cr_assert(handshake_at(p->port, TLS1_1_VERSION), "the server does not speak TLS 1.1");
	c = conf_for(p->port);
	t = make(&c);
	send_fails(t, err, sizeof(err));
	cr_assert(strstr(err, "TLS handshake failed: unsupported protocol") != NULL ||
	          strstr(err, "protocol version") != NULL, "%s", err);
	transport_tls.destroy(t);
	server_join(p);
	cr_assert_eq(p->sessions, 1, "only the bare client's");
	free(p);
}

Test(transport_tls, minversion_13_refuses_a_tls12_server)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;
	char err[512];

	p->max_version = TLS1_2_VERSION;
	p->accepts = 2;
	server_start(p);
	c = conf_for(p->port);
	c.tls.minversion = "1.3";
	t = make(&c);
	send_fails(t, err, sizeof(err));
	cr_assert(strstr(err, "protocol version") != NULL ||
	          strstr(err, "unsupported protocol") != NULL, "%s", err);
	transport_tls.destroy(t);
	c.tls.minversion = "1.2";
	t = make(&c);
	send_one_ok(t);
	transport_tls.destroy(t);
	server_join(p);
	free(p);
}

/* accepts TCP, never answers the ClientHello: fails within connect timeout */
Test(transport_tls, silent_peer_fails_within_the_timeout, .timeout = 20)
{
	server_t *p = server_new();
	transport_conf_t c;
	transport_t *t;
	char err[512];
	struct timespec a, b;
	long ms;

	p->silent = 1;
	server_start(p);
	c = conf_for(p->port);
	c.connect_timeout_ms = 500;
	t = make(&c);
	clock_gettime(CLOCK_MONOTONIC, &a);
	send_fails(t, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	cr_assert(strstr(err, "TLS handshake: no answer within 500 ms") != NULL, "%s", err);
	cr_assert_geq(ms, 450);
	cr_assert_lt(ms, 2000, "took %ld ms", ms);
	transport_tls.destroy(t);
	server_join(p);
	free(p);
}

/* The collector read the first batch, then went away without a word: the
 * next session carries that batch again, then the new one. */
Test(transport_tls, window_is_replayed_after_the_peer_dropped_the_session)
{
	server_t *p = server_new();
	transport_conf_t c;
	msgbatch_t mb;
	transport_t *t;
	char err[512];
	size_t done = 0;
	int i;

	p->accepts = 2;
	p->close_first = 1;
	p->first_read = 14;  /* "5 first5 again" */
	/* the session is dropped after the first batch was acknowledged (a
	 * drop while the client waits for that is another test's case) */
	p->hold_drop = 1;
	server_start(p);
	c = conf_for(p->port);
	t = make(&c);
	msgbatch_init(&mb);
	add(&mb, "first");
	add(&mb, "again");
	send_ok(t, &mb);
	__atomic_store_n(&p->may_drop, 1, __ATOMIC_RELEASE);
	/* until the server has read it and dropped the session (a fixed wait
	 * was too short on a loaded machine) */
	for (i = 0; i < 1000 && __atomic_load_n(&p->dropped, __ATOMIC_ACQUIRE) == 0; i++)
		usleep(10000);
	cr_assert_eq(__atomic_load_n(&p->dropped, __ATOMIC_ACQUIRE), 1, "the session was not dropped");
	msgbatch_reset(&mb);
	add(&mb, "new");
	/* the server's FIN may reach us only after the check before writing
	 * (a loaded machine): then this send fails, as one to a collector
	 * that goes away at that moment does, and rsyslog's retry is what
	 * carries the window and the batch on the next session */
	if (transport_tls.send(t, &mb, &done, err, sizeof(err)) != TRANSPORT_OK)
		cr_assert_eq(send_ok(t, &mb), 1);
	else
		cr_assert_eq(done, 1);
	transport_tls.destroy(t);
	server_join(p);
	cr_assert_eq(p->conns, 2);
	cr_assert_eq(p->got_len, 19, "got %zu: %.*s", p->got_len, (int)p->got_len, p->got);
	cr_assert_eq(memcmp(p->got, "5 first5 again3 new", 19), 0);
	msgbatch_free(&mb);
	free(p);
}

Test(transport_tls, own_disconnect_replays_nothing)
{
	server_t *p = server_new();
	transport_conf_t c;
	msgbatch_t mb;
	transport_t *t;

	p->accepts = 2;
	server_start(p);
	c = conf_for(p->port);
	c.framing = FRAMING_LF;
	t = make(&c);
	msgbatch_init(&mb);
	add(&mb, "one");
	send_ok(t, &mb);
	transport_tls.disconnect(t);
	cr_assert_not(transport_tls.is_connected(t));
	msgbatch_reset(&mb);
	add(&mb, "two");
	send_ok(t, &mb);
	transport_tls.destroy(t);
	server_join(p);
	cr_assert_eq(p->got_len, 8);
	cr_assert_eq(memcmp(p->got, "one\ntwo\n", 8), 0);
	cr_assert_eq(p->clean_closes, 2);
	msgbatch_free(&mb);
	free(p);
}

static void create_refused(const transport_conf_t *c, const char *want)
{
	transport_t *t = NULL;
	char err[512] = "";

	cr_assert_eq(transport_tls.create(&t, c, err, sizeof(err)), TRANSPORT_CONFIG,
	             "accepted, wanted: %s", want);
	cr_assert(strstr(err, want) != NULL, "got \"%s\", wanted \"%s\"", err, want);
	cr_assert_null(t);
}

Test(transport_tls, bad_configuration_is_refused_at_create)
{
	transport_conf_t c = conf_for(1);
	const char *bad_fp[] = { "SHA1:00:11:22" };
	const char *empty[] = { "" };

	c.target = NULL;
	create_refused(&c, "no target given");
	c = conf_for(1);
	c.tls.cacert = "/nonexistent/ca.pem";
	create_refused(&c, "'tls.cacert' \"/nonexistent/ca.pem\": No such file or directory");
	c = conf_for(1);
	c.tls.cacert = pki("ca.key");
	create_refused(&c, "'tls.cacert' \"");
	c = conf_for(1);
	c.tls.mycert = pki("client.pem");
	create_refused(&c, "tls.mycert and tls.myprivkey go together: tls.myprivkey is missing");
	c.tls.myprivkey = pki("server.key");
	create_refused(&c, "does not match tls.mycert");
	c = conf_for(1);
	c.tls.mycert = pki("ca.key");
	c.tls.myprivkey = pki("client.key");
	create_refused(&c, "'tls.mycert' \"");
	c = conf_for(1);
	c.tls.minversion = "1.1";
	create_refused(&c, "'tls.minversion' \"1.1\": expected 1.2 or 1.3");
	c = conf_for(1);
	c.tls.authmode = TLS_AUTH_X509_FINGERPRINT;
	create_refused(&c, "x509/fingerprint needs tls.permittedpeer");
	c.tls.permittedpeers = bad_fp;
	c.tls.n_permittedpeers = 1;
	create_refused(&c, "'tls.permittedpeer' \"SHA1:00:11:22\": expected SHA256:");
	c.tls.authmode = TLS_AUTH_X509_NAME;
	c.tls.permittedpeers = empty;
	create_refused(&c, "empty name");
}

Test(transport_tls, names_and_defaults)
{
	tls_authmode_t m = TLS_AUTH_ANON;
	transport_conf_t c;
	transport_t *t;

	cr_assert_eq(transport_tls.default_port, 6514);
	cr_assert_eq(tls_authmode_parse("x509/name", &m), 0);
	cr_assert_eq(m, TLS_AUTH_X509_NAME);
	cr_assert_eq(tls_authmode_parse("x509/fingerprint", &m), 0);
	cr_assert_eq(m, TLS_AUTH_X509_FINGERPRINT);
	cr_assert_eq(tls_authmode_parse("x509/certvalid", &m), 0);
	cr_assert_eq(m, TLS_AUTH_X509_CERTVALID);
	cr_assert_eq(tls_authmode_parse("anon", &m), 0);
	cr_assert_eq(m, TLS_AUTH_ANON);
	cr_assert_eq(tls_authmode_parse("x509", &m), -1);
	/* no CA file: the system's store */
	memset(&c, 0, sizeof(c));
	transport_conf_default(&c);
	c.target = "collector.example";
	t = make(&c);
	cr_assert_not(transport_tls.is_connected(t));
	transport_tls.destroy(t);
}
