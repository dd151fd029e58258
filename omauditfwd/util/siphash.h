/* siphash.h -- SipHash-1-3, a keyed hash for tables whose keys an attacker
 * writes (node= names, serials): without the key nobody can choose keys
 * that share a bucket, so a hash table stays O(1) per look-up.
 */
#ifndef AUDITFWD_SIPHASH_H
#define AUDITFWD_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct siphash_key {
	uint64_t k0, k1;
} siphash_key_t;

/* A fresh random key (getrandom; the clock and addresses if that fails). */
void siphash_key_random(siphash_key_t *k);
uint64_t siphash(const siphash_key_t *k, const void *p, size_t len);

#endif
