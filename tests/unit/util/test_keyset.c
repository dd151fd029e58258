/* test_keyset.c -- the set of names behind unique JSON keys and repeated
 * name counts: what is added is found (views and copies), payloads survive
 * growth past the inline table, and lookups stay O(1) probes on average. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "keyset.h"

#define MANY 20000

Test(keyset, added_keys_are_found_and_others_not)
{
	keyset_t ks;
	keyset_entry_t *e;
	int created;

	keyset_init(&ks, NULL);
	e = keyset_add(&ks, "uid", 3, 0, &created);
	cr_assert(e != NULL && created);
	e->count = 7;
	e = keyset_add(&ks, "uid", 3, 1, &created);
	cr_assert(e != NULL && !created && e->count == 7);
	cr_assert_not_null(keyset_find(&ks, "uid", 3));
	cr_assert_null(keyset_find(&ks, "ui", 2));
	cr_assert_null(keyset_find(&ks, "uid_2", 5));
	e = keyset_add(&ks, NULL, 0, 1, &created);   /* the empty key, from an empty buffer */
	cr_assert(e != NULL && created);
	cr_assert_not_null(keyset_find(&ks, "", 0));
	keyset_free(&ks);
}

Test(keyset, copies_and_payloads_survive_growth)
{
	keyset_t ks;
	keyset_entry_t *e;
	unsigned long work = 0;
	char k[32];
	int i, n, created;

	keyset_init(&ks, &work);
	for (i = 0; i < MANY; i++) {
		n = snprintf(k, sizeof(k), "a_%d", i);
		e = keyset_add(&ks, k, (size_t)n, 1, &created);   /* K is reused: a copy */
		cr_assert(e != NULL && created, "%s", k);
		e->skip = (unsigned)i + 1;
	}
	cr_assert_eq(ks.n, MANY);
	work = 0;
	for (i = 0; i < MANY; i++) {
		n = snprintf(k, sizeof(k), "a_%d", i);
		e = keyset_find(&ks, k, (size_t)n);
		cr_assert(e != NULL && e->skip == (unsigned)i + 1, "%s", k);
		cr_assert(memcmp(keyset_key(&ks, e), k, (size_t)n) == 0);
	}
	/* load <= 1/2 and a seeded hash: a few probes per lookup */
	cr_assert_lt(work, 4UL * MANY, "%lu probes for %d lookups", work, MANY);
	cr_assert_eq(ks.oom, 0);
	keyset_free(&ks);
}
