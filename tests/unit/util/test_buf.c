/* test_buf.c -- the buffer's number writers against printf, which they
 * replace on the hot path: the same text for every value tried. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"

static const unsigned long long values[] = {
	0, 1, 7, 8, 9, 10, 63, 64, 99, 100, 511, 512, 0755, 04755, 0170000, 999, 1000,
	65535, 4294967295ULL, 4294967296ULL, 1700000000123ULL, LLONG_MAX, ULLONG_MAX,
};

Test(buf, octal_is_printf_zero_padded_octal)
{
	buf_t b;
	char want[64];
	unsigned digits;
	size_t i;

	buf_init(&b);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		for (digits = 0; digits <= 4; digits++) {
			int n = snprintf(want, sizeof(want), "%0*llo", (int)digits, values[i]);

			buf_reset(&b);
			buf_put_octal(&b, values[i], digits);
			cr_assert_eq(b.len, (size_t)n, "%llu, %u digits", values[i], digits);
			cr_assert_eq(memcmp(b.p, want, b.len), 0, "%llu: %.*s, not %s", values[i],
			             (int)b.len, b.p, want);
		}
	buf_free(&b);
}

Test(buf, hex_is_printf_lower_case_hex)
{
	buf_t b;
	char want[64];
	size_t i;
	unsigned s;

	buf_init(&b);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		for (s = 0; s < 64; s += 4) {   /* and every digit place */
			unsigned long long v = values[i] ^ (0xfULL << s);

			snprintf(want, sizeof(want), "%llx", v);
			buf_reset(&b);
			buf_put_hex(&b, v);
			cr_assert_eq(b.len, strlen(want), "%llx", v);
			cr_assert_eq(memcmp(b.p, want, b.len), 0, "%.*s, not %s", (int)b.len, b.p,
			             want);
		}
	buf_free(&b);
}

/* buf_uint_text(V) is what printf's %llu writes */
static void expect_uint_text(unsigned long long v)
{
	char got[BUF_UINT_TEXT_MAX], want[32];
	size_t n;

	snprintf(want, sizeof(want), "%llu", v);
	n = buf_uint_text(got, v);
	cr_assert_eq(n, strlen(want), "%llu", v);
	cr_assert_eq(memcmp(got, want, n), 0, "%llu", v);
}

Test(buf, uint_text_is_printf_decimal)
{
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		expect_uint_text(values[i]);
}

/* Two digits at a time: every length, the edges of each (10^k - 1, 10^k,
 * 10^k + 1) and pseudo-random values, against printf */
Test(buf, uint_text_is_printf_decimal_for_every_length)
{
	unsigned long long p = 1, x = 88172645463325252ULL;
	int k, d, i;

	for (k = 0; k < 20; k++, p *= 10)
		for (d = -1; d <= 1; d++)
			expect_uint_text(p + (unsigned long long)d);   /* 10^0 - 1 is 0 */
	for (i = 0; i < 100000; i++) {
		x ^= x << 13;   /* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		expect_uint_text(x >> (x % 64));   /* every magnitude */
	}
}

/* buf_copy's short cases (overlapping words) copy exactly N bytes: every
 * length from 0 to 40, at every offset of 8, with the bytes around the
 * copy untouched */
Test(buf, short_copies_copy_exactly_their_bytes)
{
	char src[64], dst[80], want[80];
	size_t n, at, i;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (char)('A' + i % 26);
	for (n = 0; n <= 40; n++) {
		for (at = 0; at < 8; at++) {
			memset(dst, '.', sizeof(dst));
			memset(want, '.', sizeof(want));
			memcpy(want + 8 + at, src + at, n);
			buf_copy(dst + 8 + at, src + at, n);
			cr_assert_eq(memcmp(dst, want, sizeof(dst)), 0, "n=%zu at=%zu", n, at);
		}
	}
}
