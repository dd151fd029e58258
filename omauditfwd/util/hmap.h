/* hmap.h -- the small hash map of the core: chained, with its nodes inside
 * the caller's structs (intrusive), so the map itself is one bucket array
 * and a node costs no allocation of its own.
 *
 * The caller hashes, compares keys while it walks a chain (hmap_chain),
 * and decides when to resize (a failed resize only costs speed). Where
 * keys come from the monitored hosts, the hash must be keyed (siphash.h):
 * then nobody can make every key fall in one chain. Buckets are a power of
 * two; a chain is in the order of insertion, newest first. Not
 * thread-safe. keyset.h is the one other table (ordered entries, inline
 * storage, probe counts for the linearity test).
 */
#ifndef AUDITFWD_HMAP_H
#define AUDITFWD_HMAP_H

#include <stddef.h>
#include <stdint.h>

#define HMAP_MAX_BUCKETS ((size_t)1 << 30)

typedef struct hmap_node {
	struct hmap_node *next;
	uint64_t hash;
} hmap_node_t;

typedef struct hmap {
	hmap_node_t **b;
	size_t nbuckets;   /* a power of two */
	size_t n;          /* nodes in the map */
} hmap_t;

/* The struct TYPE whose member MEMBER is NODE. */
#define HMAP_ENTRY(node, type, member) \
	((type *)(void *)((char *)(node) - offsetof(type, member)))

/* NBUCKETS rounded up to a power of two (at most HMAP_MAX_BUCKETS): 0, or
 * -1 when memory runs out (the map is then empty and may be freed). */
int hmap_init(hmap_t *m, size_t nbuckets);
/* The buckets; the nodes are the caller's (see hmap_clear). */
void hmap_free(hmap_t *m);

/* The first node of the chain HASH falls in (any hash of that chain). */
static inline hmap_node_t *hmap_chain(const hmap_t *m, uint64_t hash)
{
	return m->b[hash & (m->nbuckets - 1)];
}
/* NODE (not in the map) added under HASH, first of its chain. */
void hmap_insert(hmap_t *m, hmap_node_t *node, uint64_t hash);
/* NODE (in the map) taken out. */
void hmap_remove(hmap_t *m, hmap_node_t *node);
/* Rehash into NBUCKETS (a power of two, >= 1): 0, or -1 (the map as it
 * was) when memory runs out or NBUCKETS is out of range. */
int hmap_resize(hmap_t *m, size_t nbuckets);
/* Every node taken out and given to FN (which may free it). */
void hmap_clear(hmap_t *m, void (*fn)(hmap_node_t *node, void *ud), void *ud);

#endif
