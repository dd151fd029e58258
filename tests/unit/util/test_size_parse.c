/* test_size_parse.c -- rsyslog's size syntax (maxMessageSize and the
 * CLI's sizes): suffixes, bases, and what is refused. */
#include <criterion/criterion.h>

#include "size_parse.h"

Test(size_parse, suffixes_bases_and_refusals)
{
	size_t v;

	cr_assert_eq(size_parse("8096", &v), 0);
	cr_assert_eq(v, 8096);
	cr_assert_eq(size_parse("64k", &v), 0);
	cr_assert_eq(v, 65536);
	cr_assert_eq(size_parse("1m", &v), 0);
	cr_assert_eq(v, 1048576);
	cr_assert_eq(size_parse("2K", &v), 0);
	cr_assert_eq(v, 2000);
	cr_assert_eq(size_parse("1M", &v), 0);
	cr_assert_eq(v, 1000000);
	cr_assert_eq(size_parse("0", &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(size_parse("", &v), -1);
	cr_assert_eq(size_parse("-1", &v), -1);
	cr_assert_eq(size_parse("2kb", &v), -1);
	cr_assert_eq(size_parse("x", &v), -1);
	cr_assert_eq(size_parse("99999999999999999999", &v), -1);
	v = 7;
	cr_assert_eq(size_parse("1x", &v), -1);
	cr_assert_eq(size_parse(NULL, &v), -1);
	cr_assert_eq(v, 7);
	cr_assert_eq(size_parse("3g", &v), 0);
	cr_assert_eq(v, 3ULL << 30);
	cr_assert_eq(size_parse("18446744073709551615k", &v), -1);
}
