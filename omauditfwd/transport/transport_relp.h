/* transport_relp.h -- the settings of RELP (transport_relp.c) and its
 * counters. With "tls" on, relp also reads transport_conf_t.tls.
 *
 * Ownership: the strings are the caller's (transport_conf_t's rule);
 * relp_create reads tlslib and keeps nothing of it.
 */
#ifndef AUDITFWD_TRANSPORT_RELP_H
#define AUDITFWD_TRANSPORT_RELP_H

#define TRANSPORT_DEFAULT_RELP_TIMEOUT_S      90 /* omrelp's "timeout" */
#define TRANSPORT_DEFAULT_RELP_CONN_TIMEOUT_S 10 /* omrelp's "conn.timeout" */

typedef struct transport_relp_conf {
	int tls;                 /* "tls": RELP over TLS */
	int timeout_s;           /* wait for the window or a response */
	int conn_timeout_s;      /* connect */
	int window;              /* frames unacknowledged at most; 0: librelp's */
	unsigned rebind;         /* messages per session at most; 0: no limit */
	const char *tlslib;      /* "openssl" or "gnutls"; NULL: librelp's */
} transport_relp_conf_t;

/* Counters for impstats, shared by the transports of one action's
 * workers; updated atomically. */
typedef struct transport_relp_stats {
	unsigned long long acks_awaited;   /* batches whose every acknowledgement
	                                    * was awaited (the session's close) */
	unsigned long long acks_failed;    /* ... not all acknowledged in time */
	unsigned long long reestablished;  /* broken sessions librelp re-opened,
	                                    * sending its unacknowledged frames again */
	unsigned long long retransmitted;  /* messages handed to librelp again by
	                                    * librelp itself (at most: some of them may
	                                    * have been acknowledged already) */
	unsigned long long skipped;        /* retried messages not sent again: the
	                                    * receiver acknowledged them, or librelp
	                                    * holds them for its own retransmission */
	unsigned long long resent_unsure;  /* messages sent again whose
	                                    * acknowledgement was unknown: may duplicate */
	unsigned long long auth_failures;  /* TLS peers refused (either side) */
	unsigned long long rebinds;        /* sessions closed and opened again
	                                    * after rebindInterval messages */
} transport_relp_stats_t;

#endif
