/* spool.h -- events held at shutdown that could not be delivered, kept in
 * a file for the next start.
 *
 * The records of incomplete events live in the joiner, not in rsyslog's
 * queue: rsyslog has already been told their batches were delivered. When
 * the collector is down at shutdown, they are written to a spool file in
 * rsyslog's work directory (like imfile's state files) and fed to the
 * joiner again by the first batch after the next start, which removes the
 * file once that batch is delivered.
 *
 * The file holds the identity of the action that wrote it, then the lines
 * exactly as the module received them, each with its route when it has one
 * (the Kafka topic and key of its message):
 *
 *   omauditfwd-spool 3 SP IDENTITY LF   (printable, see spool_identity())
 *   LEN SP BYTES LF                  (a record line, LEN its decimal size)
 *   LEN/TLEN SP BYTES ROUTEBYTES LF    (the same with a route of TLEN bytes)
 *
 * Files that start "omauditfwd-spool 2" (no identity) and
 * "omauditfwd-spool 1" (no identity, no routes) are read the same way.
 * Appending keeps an earlier start's lines that were never delivered.
 */
#ifndef AUDITFWD_SPOOL_H
#define AUDITFWD_SPOOL_H

#include <stddef.h>

#include "audit_event.h"

#define SPOOL_IDENTITY_MAX 512   /* bytes of an identity, NUL included */

typedef struct spool {
	char *buf;               /* the file's contents */
	const char *identity;    /* in buf; NULL: format 1 or 2 (none) */
	audit_line_t *lines;     /* views into buf (p NUL-terminated) */
	size_t nlines;
} spool_t;

/* The identity of an action, written at the top of the spool files it
 * creates: "statsname=NAME transport=T format=F" in OUT (at most OUTLEN
 * bytes, cut there), characters outside printable ASCII as '_'. */
void spool_identity(char *out, size_t outlen, const char *statsname,
                    const char *transport, const char *format);

/* The identity at the top of the spool file PATH into OUT ("" for a file
 * of format 1 or 2, which has none): 1; 0 when there is no such file; -1
 * when it cannot be read or is not a spool file (ERR says why). */
int spool_identity_of(const char *path, char *out, size_t outlen,
                      char *err, size_t errlen);

/* Append the lines of every event completed in the joiner's current batch
 * (a flush) to PATH, created 0600 when missing with IDENTITY at its top
 * (NULL: none, format 2), and fsync it. *NLINES is set to the lines
 * written, *NEVENTS to the events. 0, or -1 with ERR set. */
int spool_append_completed(const char *path, const char *identity, const audit_joiner_t *j,
                           size_t *nevents, size_t *nlines,
                           char *err, size_t errlen);

/* Append N lines to PATH (created 0600 when missing, with IDENTITY as
 * above) and fsync it: the lines of a batch that could not be delivered
 * during shutdown. 0, or -1 with ERR set. */
int spool_append(const char *path, const char *identity, const audit_line_t *lines, size_t n,
                 char *err, size_t errlen);

/* Read PATH into S: 1 read, 0 no such file, -1 unreadable or malformed
 * (ERR says where). S is empty unless 1 is returned. */
int spool_load(const char *path, spool_t *s, char *err, size_t errlen);
void spool_free(spool_t *s);

/* The messages of batches a worker returned to rsyslog as not delivered,
 * until rsyslog hands them in again and they are delivered or spooled.
 * What is left when the worker is freed is what rsyslog dropped when it
 * cancelled the worker at shutdown: those go to the spool file too.
 * Copies, each message once (by content). */
typedef struct spool_held {
	audit_line_t *v;
	size_t n, cap;
} spool_held_t;

/* 0, or -1 when memory ran out (nothing added). ROUTE may be NULL. */
int spool_held_add(spool_held_t *h, const char *p, size_t len, const char *route,
                   size_t route_len);
void spool_held_remove(spool_held_t *h, const char *p, size_t len, const char *route,
                       size_t route_len);
void spool_held_free(spool_held_t *h);

/* The spool of the action named NAME in DIR: DIR/omauditfwd-NAME.spool
 * (no second prefix when NAME starts with "omauditfwd-"); characters other
 * than [A-Za-z0-9._-] in NAME become '_'. 0, or -1 when it does not fit. */
int spool_path(char *out, size_t outlen, const char *dir, const char *name);

#endif
