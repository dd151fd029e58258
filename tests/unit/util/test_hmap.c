/* test_hmap.c -- the intrusive hash map: find after insert, remove,
 * resize both ways (a refused resize leaves the map as it was), chains
 * newest first, colliding hashes, and clear handing every node back. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "hmap.h"

#define N 5000

typedef struct item {
	int key;
	hmap_node_t node;
	int cleared;
} item_t;

static uint64_t hash_of(int key)
{
	return (uint64_t)key * 0x9E3779B97F4A7C15ull;
}

static item_t *find(const hmap_t *m, int key, uint64_t h)
{
	hmap_node_t *n;

	for (n = hmap_chain(m, h); n != NULL; n = n->next) {
		item_t *it = HMAP_ENTRY(n, item_t, node);

		if (n->hash == h && it->key == key)
			return it;
	}
	return NULL;
}

static void check_all(const hmap_t *m, item_t *items, int step)
{
	int i;

	for (i = 0; i < N; i++) {
		item_t *it = find(m, i, hash_of(i));

		if (i % step == 0)
			cr_assert_eq(it, &items[i], "key %d", i);
		else
			cr_assert_null(it, "key %d", i);
	}
}

static void mark(hmap_node_t *n, void *ud)
{
	HMAP_ENTRY(n, item_t, node)->cleared++;
	(*(int *)ud)++;
}

Test(hmap, insert_find_remove_resize_clear)
{
	static item_t items[N];
	hmap_t m;
	int i, seen = 0;

	cr_assert_eq(hmap_init(&m, 100), 0);
	cr_assert_eq(m.nbuckets, 128);
	for (i = 0; i < N; i++) {
		items[i].key = i;
		hmap_insert(&m, &items[i].node, hash_of(i));
	}
	cr_assert_eq(m.n, N);
	check_all(&m, items, 1);
	cr_assert_eq(hmap_resize(&m, 8192), 0);
	check_all(&m, items, 1);
	for (i = 0; i < N; i++)
		if (i % 2)
			hmap_remove(&m, &items[i].node);
	cr_assert_eq(m.n, N / 2);
	check_all(&m, items, 2);
	cr_assert_eq(hmap_resize(&m, 4), 0);
	check_all(&m, items, 2);
	cr_assert_eq(hmap_resize(&m, 6), -1);     /* not a power of two */
	cr_assert_eq(hmap_resize(&m, 0), -1);
	cr_assert_eq(m.nbuckets, 4);
	check_all(&m, items, 2);
	hmap_clear(&m, mark, &seen);
	cr_assert_eq(seen, N / 2);
	cr_assert_eq(m.n, 0);
	for (i = 0; i < N; i++)
		cr_assert_eq(items[i].cleared, i % 2 == 0, "key %d", i);
	cr_assert_null(find(&m, 0, hash_of(0)));
	hmap_free(&m);
}

Test(hmap, one_chain_newest_first)
{
	item_t a = { .key = 1 }, b = { .key = 2 }, c = { .key = 3 };
	hmap_t m;

	cr_assert_eq(hmap_init(&m, 16), 0);
	/* three keys with one hash: the chain holds them all, newest first */
	hmap_insert(&m, &a.node, 42);
	hmap_insert(&m, &b.node, 42);
	hmap_insert(&m, &c.node, 42);
	cr_assert_eq(hmap_chain(&m, 42), &c.node);
	cr_assert_eq(c.node.next, &b.node);
	cr_assert_eq(b.node.next, &a.node);
	cr_assert_eq(find(&m, 2, 42), &b);
	hmap_remove(&m, &b.node);
	cr_assert_null(find(&m, 2, 42));
	cr_assert_eq(find(&m, 1, 42), &a);
	cr_assert_eq(find(&m, 3, 42), &c);
	cr_assert_null(hmap_chain(&m, 43));
	hmap_free(&m);
}
