/* siphash.c -- SipHash-1-3 (Aumasson and Bernstein; one compression and
 * three finalization rounds, as Python and Rust use for their tables) and
 * its random key (see siphash.h). */
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "siphash.h"

#define SIP_C0 0x736f6d6570736575ULL   /* "somepseudorandomlygeneratedbytes" */
#define SIP_C1 0x646f72616e646f6dULL
#define SIP_C2 0x6c7967656e657261ULL
#define SIP_C3 0x7465646279746573ULL
#define SIP_FINAL 0xffU
#define SIP_BLOCK 8
#define SIP_LEN_SHIFT 56

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

static uint64_t load_le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

uint64_t siphash(const siphash_key_t *k, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t v0 = SIP_C0 ^ k->k0, v1 = SIP_C1 ^ k->k1;
	uint64_t v2 = SIP_C2 ^ k->k0, v3 = SIP_C3 ^ k->k1, m;
	size_t i, full = len - len % SIP_BLOCK;

	for (i = 0; i < full; i += SIP_BLOCK) {
		m = load_le(p + i, SIP_BLOCK);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	m = ((uint64_t)len << SIP_LEN_SHIFT) | load_le(p + full, len - full);
	v3 ^= m;
	SIPROUND;
	v0 ^= m;
	v2 ^= SIP_FINAL;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

void siphash_key_random(siphash_key_t *k)
{
	struct timespec ts;

	if (getrandom(k, sizeof(*k), GRND_NONBLOCK) == (ssize_t)sizeof(*k))
		return;
	/* no entropy yet (early boot): not secret, but not fixed either */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	k->k0 = (uint64_t)ts.tv_nsec * SIP_C0 ^ (uint64_t)(uintptr_t)k;
	clock_gettime(CLOCK_REALTIME, &ts);
	k->k1 = ((uint64_t)ts.tv_sec << 32 ^ (uint64_t)ts.tv_nsec) * SIP_C1 ^ (uint64_t)getpid();
}
