/* hmap.c -- the chained, intrusive hash map (see hmap.h): the bucket
 * array, insertion at the head of a chain, removal, rehashing. */
#include <stdlib.h>

#include "hmap.h"

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n && p < HMAP_MAX_BUCKETS)
		p *= 2;
	return p;
}

int hmap_init(hmap_t *m, size_t nbuckets)
{
	m->n = 0;
	m->nbuckets = pow2_at_least(nbuckets);
	m->b = calloc(m->nbuckets, sizeof(*m->b));
	if (m->b == NULL) {
		m->nbuckets = 0;
		return -1;
	}
	return 0;
}

void hmap_free(hmap_t *m)
{
	free(m->b);
	m->b = NULL;
	m->nbuckets = 0;
	m->n = 0;
}

void hmap_insert(hmap_t *m, hmap_node_t *node, uint64_t hash)
{
	hmap_node_t **head = &m->b[hash & (m->nbuckets - 1)];

	node->hash = hash;
	node->next = *head;
	*head = node;
	m->n++;
}

void hmap_remove(hmap_t *m, hmap_node_t *node)
{
	hmap_node_t **pp = &m->b[node->hash & (m->nbuckets - 1)];

	while (*pp != node)
		pp = &(*pp)->next;
	*pp = node->next;
	node->next = NULL;
	m->n--;
}

int hmap_resize(hmap_t *m, size_t nbuckets)
{
	hmap_node_t **nb, *node, *next;
	size_t i;

	if (nbuckets == 0 || nbuckets > HMAP_MAX_BUCKETS || (nbuckets & (nbuckets - 1)) != 0)
		return -1;
	if ((nb = calloc(nbuckets, sizeof(*nb))) == NULL)
		return -1;
	for (i = 0; i < m->nbuckets; i++)
		for (node = m->b[i]; node != NULL; node = next) {
			next = node->next;
			node->next = nb[node->hash & (nbuckets - 1)];
			nb[node->hash & (nbuckets - 1)] = node;
		}
	free(m->b);
	m->b = nb;
	m->nbuckets = nbuckets;
	return 0;
}

void hmap_clear(hmap_t *m, void (*fn)(hmap_node_t *node, void *ud), void *ud)
{
	hmap_node_t *node, *next;
	size_t i;

	for (i = 0; i < m->nbuckets; i++) {
		for (node = m->b[i]; node != NULL; node = next) {
			next = node->next;
			fn(node, ud);
		}
		m->b[i] = NULL;
	}
	m->n = 0;
}
