/* delivery_claims.c -- one spool file per action: the registry of the
 * spool file names the module's actions claimed at load (see delivery.h);
 * the caller owns the registry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery_int.h"

static const delivery_claim_t *claim_of(const delivery_claims_t *r, const char *name)
{
	const delivery_claim_t *c;

	for (c = r->head; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* the statsname tried the Nth time (from 1) */
static void candidate(char *out, size_t outlen, const char *statsname, const char *where,
                      const char *format, int n)
{
	if (statsname != NULL)
		snprintf(out, outlen, "%s", statsname);
	else if (n == 1)
		snprintf(out, outlen, "omauditfwd-%s", where);
	else if (n == 2)
		snprintf(out, outlen, "omauditfwd-%s-%s", where, format);
	else
		snprintf(out, outlen, "omauditfwd-%s-%s-%d", where, format, n - 1);
}

/* a free name into C (its statsname, its spool file name), or REFUSED */
static delivery_claim_rc_t find_name(const delivery_claims_t *r, delivery_claim_t *c,
                                     const char *statsname, const char *where,
                                     const char *format, char *err, size_t errlen)
{
	const delivery_claim_t *other;
	int n;

	for (n = 1; n <= DELIVERY_NAME_TRIES; n++) {
		candidate(c->statsname, sizeof(c->statsname), statsname, where, format, n);
		if (spool_path(c->name, sizeof(c->name), "", c->statsname) != 0) {
			snprintf(err, errlen, "omauditfwd: parameter 'statsname': '%s' is too long "
			         "for a spool file name", c->statsname);
			return DELIVERY_CLAIM_REFUSED;
		}
		if ((other = claim_of(r, c->name)) == NULL)
			return DELIVERY_CLAIM_OK;
		if (statsname != NULL) {
			snprintf(err, errlen, "omauditfwd: parameter 'statsname': '%s' would share the "
			         "spool file %s with another omauditfwd action (statsname '%s'); give "
			         "each action a statsname of its own", statsname, c->name + 1,
			         other->statsname);
			return DELIVERY_CLAIM_REFUSED;
		}
	}
	snprintf(err, errlen, "omauditfwd: parameter 'statsname': more than %d actions to %s "
	         "with the default statsname; give them statsnames of their own",
	         DELIVERY_NAME_TRIES, where);
	return DELIVERY_CLAIM_REFUSED;
}

delivery_claim_rc_t delivery_claim(delivery_claims_t *r, const void *owner,
                                   const char *statsname, const char *where,
                                   const char *format, char **chosen,
                                   char *err, size_t errlen)
{
	delivery_claim_t *c;
	delivery_claim_rc_t rc;

	*chosen = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return DELIVERY_CLAIM_NOMEM;
	c->owner = owner;
	pthread_mutex_lock(&r->mu);
	rc = find_name(r, c, statsname, where, format, err, errlen);
	if (rc == DELIVERY_CLAIM_OK && statsname == NULL &&
	    (*chosen = strdup(c->statsname)) == NULL)
		rc = DELIVERY_CLAIM_NOMEM;
	if (rc == DELIVERY_CLAIM_OK) {
		c->next = r->head;
		r->head = c;
		c = NULL;
	}
	pthread_mutex_unlock(&r->mu);
	free(c);
	return rc;
}

void delivery_unclaim(delivery_claims_t *r, const void *owner)
{
	delivery_claim_t **pp, *c;

	pthread_mutex_lock(&r->mu);
	for (pp = &r->head; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->owner == owner) {
			c = *pp;
			*pp = c->next;
			free(c);
			break;
		}
	pthread_mutex_unlock(&r->mu);
}
