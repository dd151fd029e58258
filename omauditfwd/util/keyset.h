/* keyset.h -- a set of short strings, each with a small payload: the keys of
 * one object being written and the names of one record's fields, so that
 * "is this key taken?" and "how many fields of this name so far?" cost O(1)
 * whatever the record holds (a formatter stays linear in its input).
 *
 * Open addressing over a table of entry numbers; entries are kept in the
 * order they were added. A key is a view into memory that outlives the set
 * (a field name in its line) or a copy kept in the set's own text. The hash
 * is seeded from the set's address, so names crafted offline to collide do
 * not collide here. An ordinary record needs no allocation (KEYSET_INLINE
 * entries live in the struct). Not thread-safe; one set per object written.
 * Not on util/hmap.h, on purpose: a set lives for one object on the hot
 * path, so its entries are inline and in order (no node to allocate per
 * key) and its probes are counted (WORK) for test_format_linear.
 */
#ifndef AUDITFWD_KEYSET_H
#define AUDITFWD_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define KEYSET_INLINE       64   /* entries without allocation */
#define KEYSET_INLINE_SLOTS 128  /* table slots for them (load <= 1/2) */

typedef struct keyset_entry {
	const char *p;          /* the key, or NULL: at OFF in the set's text */
	size_t off;
	uint32_t len, hash;
	/* the caller's, zero when the entry is added: */
	unsigned flags, count, skip;
	size_t first;
} keyset_entry_t;

typedef struct keyset {
	uint32_t *slots;        /* entry number + 1, 0 for an empty slot */
	keyset_entry_t *e;
	size_t nslots, n;
	uint64_t seed;
	buf_t text;
	unsigned long *work;    /* test hook: slots probed are added here */
	int oom;                /* an entry could not be added */
	uint32_t slots_inline[KEYSET_INLINE_SLOTS];
	keyset_entry_t e_inline[KEYSET_INLINE];
} keyset_t;

/* WORK may be NULL. */
void keyset_init(keyset_t *ks, unsigned long *work);
void keyset_free(keyset_t *ks);

/* The entry of key K (LEN bytes), or NULL. */
keyset_entry_t *keyset_find(keyset_t *ks, const char *k, size_t len);
/* The entry of K, added when absent (*CREATED 1, payload zero), with a
 * copy of K when COPY, else pointing at K. NULL (and oom set) when memory
 * runs out. Entry pointers are valid until the next add. */
keyset_entry_t *keyset_add(keyset_t *ks, const char *k, size_t len, int copy,
                           int *created);
/* The bytes of E's key. */
const char *keyset_key(const keyset_t *ks, const keyset_entry_t *e);

#endif
