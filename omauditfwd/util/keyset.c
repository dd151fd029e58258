/* keyset.c -- a hashed set of short strings with a payload each (see
 * keyset.h): lookups in O(1) expected, so that making unique keys and
 * counting repeated names never rescans what was written before. */
#include <stdlib.h>
#include <string.h>

#include "keyset.h"

#define KEYSET_MAX_SLOTS ((size_t)1 << 30)

void keyset_init(keyset_t *ks, unsigned long *work)
{
	ks->slots = ks->slots_inline;
	ks->e = ks->e_inline;
	ks->nslots = KEYSET_INLINE_SLOTS;
	ks->n = 0;
	/* the set's address: unknown to whoever wrote the names (ASLR) */
	ks->seed = (uint64_t)(uintptr_t)ks * 0x9E3779B97F4A7C15ull;
	buf_init(&ks->text);
	ks->work = work;
	ks->oom = 0;
	memset(ks->slots_inline, 0, sizeof(ks->slots_inline));
}

void keyset_free(keyset_t *ks)
{
	if (ks->slots != ks->slots_inline)
		free(ks->slots);
	if (ks->e != ks->e_inline)
		free(ks->e);
	buf_free(&ks->text);
}

static uint32_t hash_of(const keyset_t *ks, const char *k, size_t len)
{
	uint64_t h = ks->seed ^ 0xCBF29CE484222325ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * 0x100000001B3ull;
	h ^= h >> 33;      /* murmur3's finalizer: every input bit moves every output bit */
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	return (uint32_t)h;
}

const char *keyset_key(const keyset_t *ks, const keyset_entry_t *e)
{
	if (e->p != NULL)
		return e->p;
	return ks->text.p != NULL ? ks->text.p + e->off : "";   /* "" copied: no text */
}

/* The slot that holds K or the empty slot where it belongs */
static size_t slot_of(const keyset_t *ks, const char *k, size_t len, uint32_t h)
{
	size_t mask = ks->nslots - 1, i = h & mask;

	for (;;) {
		uint32_t s = ks->slots[i];
		const keyset_entry_t *e;

		if (ks->work != NULL)
			(*ks->work)++;
		if (s == 0)
			return i;
		e = &ks->e[s - 1];
		if (e->hash == h && e->len == len && memcmp(keyset_key(ks, e), k, len) == 0)
			return i;
		i = (i + 1) & mask;
	}
}

keyset_entry_t *keyset_find(keyset_t *ks, const char *k, size_t len)
{
	uint32_t h;

	if (k == NULL)
		k = "";   /* an empty buffer's NULL */
	h = hash_of(ks, k, len);
	uint32_t s = ks->slots[slot_of(ks, k, len, h)];

	return s ? &ks->e[s - 1] : NULL;
}

/* Twice the slots and room for their entries; 0 or -1 */
static int grow(keyset_t *ks)
{
	size_t nslots = ks->nslots * 2, i;
	uint32_t *slots;
	keyset_entry_t *e;

	if (nslots > KEYSET_MAX_SLOTS)
		return -1;
	slots = calloc(nslots, sizeof(*slots));
	e = ks->e == ks->e_inline ? malloc(nslots / 2 * sizeof(*e))
	                          : realloc(ks->e, nslots / 2 * sizeof(*e));
	if (slots == NULL || e == NULL) {
		free(slots);
		if (e != NULL && ks->e != ks->e_inline)
			ks->e = e;   /* realloc moved it; the old pointer is gone */
		else
			free(e);
		return -1;
	}
	if (ks->e == ks->e_inline)
		memcpy(e, ks->e_inline, ks->n * sizeof(*e));
	if (ks->slots != ks->slots_inline)
		free(ks->slots);
	ks->slots = slots;
	ks->e = e;
	ks->nslots = nslots;
	for (i = 0; i < ks->n; i++) {
		size_t j = e[i].hash & (nslots - 1);

		while (slots[j] != 0)
			j = (j + 1) & (nslots - 1);
		slots[j] = (uint32_t)(i + 1);
	}
	return 0;
}

keyset_entry_t *keyset_add(keyset_t *ks, const char *k, size_t len, int copy,
                           int *created)
{
	uint32_t h;
	size_t i;
	keyset_entry_t *e;

	*created = 0;
	if (k == NULL)
		k = "";   /* an empty buffer's NULL */
	h = hash_of(ks, k, len);
	i = slot_of(ks, k, len, h);
	if (ks->slots[i] != 0)
		return &ks->e[ks->slots[i] - 1];
	if ((ks->n + 1) * 2 > ks->nslots) {   /* load <= 1/2: short probe runs */
		if (grow(ks) != 0) {
			ks->oom = 1;
			return NULL;
		}
		i = slot_of(ks, k, len, h);
	}
	e = &ks->e[ks->n];
	memset(e, 0, sizeof(*e));
	e->len = (uint32_t)len;
	e->hash = h;
	if (copy && len == 0) {
		e->p = "";
	} else if (copy) {
		e->off = ks->text.len;
		buf_append(&ks->text, k, len);
		if (ks->text.oom) {
			ks->oom = 1;
			return NULL;
		}
	} else {
		e->p = k;
	}
	ks->slots[i] = (uint32_t)(++ks->n);
	*created = 1;
	return e;
}
