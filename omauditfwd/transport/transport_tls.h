/* transport_tls.h -- the settings of TLS (transport_tls.c), also used by
 * relp when its "tls" is on (transport_relp.c).
 *
 * Ownership: a transport_tls_conf_t as the front ends fill it points to
 * their strings (transport_conf_t's rule); a transport that keeps one
 * after create makes its own with transport_tls_conf_dup and frees it with
 * transport_tls_conf_free.
 */
#ifndef AUDITFWD_TRANSPORT_TLS_H
#define AUDITFWD_TRANSPORT_TLS_H

#include <stddef.h>

/* How the collector's certificate is checked. */
typedef enum tls_authmode {
	TLS_AUTH_X509_NAME = 0,     /* "x509/name": chain + name (permitted peers,
	                             * else the target) */
	TLS_AUTH_X509_FINGERPRINT,  /* "x509/fingerprint": SHA-256 of the peer's
	                             * certificate is a permitted peer; no chain */
	TLS_AUTH_X509_CERTVALID,    /* "x509/certvalid": chain only */
	TLS_AUTH_ANON               /* "anon": no check at all */
} tls_authmode_t;

/* 0 and *OUT set, or -1 for an unknown mode */
int tls_authmode_parse(const char *s, tls_authmode_t *out);

/* all-zero is the default */
typedef struct transport_tls_conf {
	const char *cacert;      /* PEM CA file; NULL: the system's store */
	const char *mycert;      /* PEM client certificate (chain) for mutual */
	const char *myprivkey;   /* TLS and its key: both or neither */
	tls_authmode_t authmode;
	/* names (or IP addresses) the certificate must carry one of, or for
	 * x509/fingerprint "SHA256:AB:CD:..." fingerprints; none: the target */
	const char *const *permittedpeers;
	size_t n_permittedpeers;
	const char *minversion;  /* "1.2" (NULL) or "1.3" */
} transport_tls_conf_t;

/* DST: a copy of SRC whose strings and array are DST's own: 0, or -1 when
 * memory ran out (DST then holds nothing to free). */
int transport_tls_conf_dup(transport_tls_conf_t *dst, const transport_tls_conf_t *src);
/* frees what transport_tls_conf_dup allocated, and zeroes C */
void transport_tls_conf_free(transport_tls_conf_t *c);

#endif
