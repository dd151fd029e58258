/* delivery.c -- an action's shutdown spool: where it is, feeding it ahead
 * of the first batches after a start, and saving to it at shutdown what
 * cannot be delivered (see delivery.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delivery_int.h"

void delivery_say(delivery_log_fn log, delivery_level_t level, delivery_code_t code,
                  int errnum, const char *fmt, ...)
{
	char text[DELIVERY_LOG_MAX];
	va_list ap;

	if (log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log(level, code, errnum, text);
}

void delivery_init(delivery_t *d, delivery_log_fn log)
{
	memset(d, 0, sizeof(*d));
	d->log = log;
	d->name = "";
	d->where = "";
	pthread_mutex_init(&d->setup_mu, NULL);
	pthread_mutex_init(&d->feed_mu, NULL);
}

void delivery_free(delivery_t *d)
{
	free(d->spool_path);
	d->spool_path = NULL;
	spool_free(&d->spool);
	pthread_mutex_destroy(&d->setup_mu);
	pthread_mutex_destroy(&d->feed_mu);
}

void delivery_identify(delivery_t *d, const char *name, const char *where,
                       const char *transport, const char *format)
{
	d->name = name;
	d->where = where;
	spool_identity(d->ident, sizeof(d->ident), name, transport, format);
}

const char *delivery_spool_path(const delivery_t *d)
{
	return d->spool_path;
}

/* PATH holds the identity FOUND of another action (renamed since, or its
 * parameters changed): never fed to this one, never appended to. 0 when it
 * was set aside, -1 when it could not be (this action then spools nothing). */
static int set_aside_foreign(const delivery_t *d, const char *path, const char *found,
                             time_t now)
{
	char aside[PATH_MAX + 32];

	snprintf(aside, sizeof(aside), "%s.foreign-%lld", path, (long long)now);
	if (rename(path, aside) != 0) {
		delivery_say(d->log, DELIVERY_ERROR, DELIVERY_CODE_ERR, errno, "omauditfwd[%s]: "
		             "spool file %s was written by another action (%s), not this one (%s), "
		             "and cannot be set aside: this action saves nothing at shutdown",
		             d->name, path, found, d->ident);
		return -1;
	}
	delivery_say(d->log, DELIVERY_ERROR, DELIVERY_CODE_ERR, 0, "omauditfwd[%s]: spool file "
	             "%s was written by another action (%s), not this one (%s): renamed to %s "
	             "and not sent; rename it to the spool file of the action that wrote it to "
	             "have it sent", d->name, path, found, d->ident, aside);
	return 0;
}

/* the spool file PATH of this action: is it to be fed? 0, or -1 (no memory) */
static int take_spool(delivery_t *d, const char *path, time_t now)
{
	char found[SPOOL_IDENTITY_MAX], err[DELIVERY_LOG_MAX];
	int rc;

	rc = spool_identity_of(path, found, sizeof(found), err, sizeof(err));
	if (rc == 1 && found[0] != '\0' && strcmp(found, d->ident) != 0) {
		if (set_aside_foreign(d, path, found, now) != 0)
			return 0;
		rc = 0;
	}
	if ((d->spool_path = strdup(path)) == NULL)
		return -1;
	if (rc != 0) {   /* -1: delivery_feed_begin sets it aside as .bad */
		d->pending = 1;
		delivery_say(d->log, DELIVERY_INFO, DELIVERY_CODE_OK, 0, "omauditfwd[%s]: %s holds "
		             "events saved at the last shutdown%s; they are sent with the first "
		             "batch", d->name, path, rc == 1 && found[0] == '\0' ? " (by a version "
		             "that did not record the action)" : "");
	}
	return 0;
}

int delivery_setup_spool(delivery_t *d, const char *workdir, time_t now)
{
	char path[PATH_MAX];
	int rc = 0;

	pthread_mutex_lock(&d->setup_mu);
	if (d->checked)
		goto out;
	d->checked = 1;
	if (workdir == NULL || *workdir == '\0') {
		delivery_say(d->log, DELIVERY_DEBUG, DELIVERY_CODE_OK, 0, "omauditfwd[%s]: no "
		             "workDirectory: no spool", d->name);
		goto out;
	}
	if (spool_path(path, sizeof(path), workdir, d->name) != 0) {
		delivery_say(d->log, DELIVERY_ERROR, DELIVERY_CODE_ERR, 0, "omauditfwd[%s]: spool "
		             "file name too long (workDirectory '%s'): events held at shutdown "
		             "cannot be saved", d->name, workdir);
		goto out;
	}
	rc = take_spool(d, path, now);
out:
	pthread_mutex_unlock(&d->setup_mu);
	return rc;
}

/* the spool file is pending but cannot be read: set it aside so that it is
 * not tried again and again */
static void load_failed(delivery_t *d, int rc, const char *err)
{
	char bad[PATH_MAX + 16];

	__atomic_store_n(&d->pending, 0, __ATOMIC_RELEASE);
	if (rc < 0) {
		snprintf(bad, sizeof(bad), "%s.bad", d->spool_path);
		delivery_say(d->log, DELIVERY_ERROR, DELIVERY_CODE_ERR, 0, "omauditfwd[%s]: %s; "
		             "renamed to %s", d->name, err, rename(d->spool_path, bad) == 0 ?
		             bad : "(rename failed, left in place)");
	}
}

/* One batch at a time feeds the spool (it holds feed_mu until delivery_feed_end);
 * a restart in the middle feeds it again from the start: at-least-once. */
size_t delivery_feed_begin(delivery_t *d, const audit_line_t **lines, size_t *n)
{
	char err[DELIVERY_LOG_MAX];
	size_t end;
	int rc;

	*lines = NULL;
	*n = 0;
	if (d->spool_path == NULL || !__atomic_load_n(&d->pending, __ATOMIC_ACQUIRE) ||
	    pthread_mutex_trylock(&d->feed_mu) != 0)
		return 0;
	if (d->spool.buf == NULL) {
		if ((rc = spool_load(d->spool_path, &d->spool, err, sizeof(err))) <= 0) {
			load_failed(d, rc, err);
			pthread_mutex_unlock(&d->feed_mu);
			return 0;
		}
		d->next = 0;
	}
	end = d->next + DELIVERY_FEED_MAX;
	if (end > d->spool.nlines)
		end = d->spool.nlines;
	*lines = d->spool.lines + d->next;
	*n = end - d->next;
	return end > 0 ? end : (size_t)-1;   /* an empty file: just remove it */
}

/* every line of the spool file was delivered */
static void feed_complete(delivery_t *d)
{
	if (unlink(d->spool_path) != 0 && errno != ENOENT)
		delivery_say(d->log, DELIVERY_ERROR, DELIVERY_CODE_ERR, errno, "omauditfwd[%s]: "
		             "cannot remove spool file %s (its events were delivered; remove it "
		             "by hand, or they are sent again at the next start)", d->name,
		             d->spool_path);
	else
		delivery_say(d->log, DELIVERY_INFO, DELIVERY_CODE_OK, 0, "omauditfwd[%s]: %s: the "
		             "%zu records saved at the last shutdown are delivered; %s removed",
		             d->name, d->where, d->spool.nlines, d->spool_path);
	spool_free(&d->spool);
	__atomic_store_n(&d->pending, 0, __ATOMIC_RELEASE);
}

void delivery_feed_end(delivery_t *d, size_t token, int delivered)
{
	if (token == 0)
		return;
	if (delivered) {
		d->next = token == (size_t)-1 ? d->spool.nlines : token;
		if (d->next >= d->spool.nlines)
			feed_complete(d);
	}
	pthread_mutex_unlock(&d->feed_mu);
}

void delivery_held_nomem(delivery_t *d, unsigned long long pending)
{
	delivery_say(d->log, DELIVERY_ERROR, DELIVERY_CODE_NOMEM, 0, "omauditfwd[%s]: %s: %llu "
	             "incomplete audit events held at shutdown are lost: out of memory",
	             d->name, d->where, pending);
}

void delivery_held_unsent(delivery_t *d, const audit_joiner_t *j,
                          unsigned long long pending, const char *why)
{
	char err[DELIVERY_LOG_MAX];
	size_t nev, nlines;

	if (d->spool_path == NULL)
		delivery_say(d->log, DELIVERY_ERROR, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: "
		             "%s: %llu incomplete audit events held at shutdown could not be "
		             "delivered and are lost (set global(workDirectory) to keep them for "
		             "the next start): %s", d->name, d->where, pending, why);
	else if (spool_append_completed(d->spool_path, d->ident, j, &nev, &nlines, err,
	                                sizeof(err)) == 0)
		delivery_say(d->log, DELIVERY_WARNING, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: "
		             "%s: %zu incomplete audit events (%zu records) held at shutdown could "
		             "not be delivered (%s); saved to %s, sent after the next start",
		             d->name, d->where, nev, nlines, why, d->spool_path);
	else
		delivery_say(d->log, DELIVERY_ERROR, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: "
		             "%s: %llu incomplete audit events held at shutdown could not be "
		             "delivered (%s) nor saved, and are lost: %s", d->name, d->where,
		             pending, why, err);
}

int delivery_save_batch(delivery_t *d, const audit_joiner_t *j, const audit_line_t *lines,
                        size_t n, const char *why)
{
	char err[DELIVERY_LOG_MAX] = "no spool file";
	size_t nev = 0, nheld = 0;

	if (d->spool_path == NULL ||
	    (j != NULL && spool_append_completed(d->spool_path, d->ident, j, &nev, &nheld, err,
	                                         sizeof(err)) != 0) ||
	    spool_append(d->spool_path, d->ident, lines, n, err, sizeof(err)) != 0) {
		delivery_say(d->log, DELIVERY_ERROR, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: "
		             "%s: shutting down with the collector unreachable, and the batch "
		             "cannot be saved: %s", d->name, d->where, err);
		return -1;
	}
	if (!__atomic_exchange_n(&d->warned, 1, __ATOMIC_ACQ_REL))
		delivery_say(d->log, DELIVERY_WARNING, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: "
		             "%s: shutting down with the collector unreachable (%s): the batches "
		             "rsyslog would drop and the events held are saved to %s and sent "
		             "after the next start (first: %zu records and %zu held events)",
		             d->name, d->where, why, d->spool_path, n, nev);
	else
		delivery_say(d->log, DELIVERY_DEBUG, DELIVERY_CODE_SUSPENDED, 0, "omauditfwd[%s]: "
		             "%zu records and %zu held events (%zu records) saved to %s", d->name,
		             n, nev, nheld, d->spool_path);
	return 0;
}
