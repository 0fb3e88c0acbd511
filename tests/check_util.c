/*
 * check_util.c - size and number parsing, time formatting and the
 * escaping of names.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
	const char	*in;
	int		 ok;
	uint64_t	 out;
} sizes[] = {
	{ "0", 1, 0 },
	{ "17", 1, 17 },
	{ "1k", 1, 1024 },
	{ "1K", 1, 1024 },
	{ "2KiB", 1, 2048 },
	{ "3M", 1, 3ULL << 20 },
	{ "1G", 1, 1ULL << 30 },
	{ "1g", 1, 1ULL << 30 },
	{ "2T", 1, 2ULL << 40 },
	{ "10B", 1, 10 },
	{ "", 0, 0 },
	{ "k", 0, 0 },
	{ "-1", 0, 0 },
	{ " 5", 0, 0 },
	{ "5 ", 0, 0 },
	{ "1X", 0, 0 },
	{ "1kk", 0, 0 },
	{ "1.5G", 0, 0 },
	{ "99999999999999999999", 1, 9223372036854775807ULL },
	{ "99999999999999999999k", 1, 9223372036854775807ULL & ~1023ULL },
	{ "18446744073709551615", 1, 9223372036854775807ULL },
	{ "9000000000T", 1, 9223372036854775807ULL & ~((1ULL << 40) - 1) },
};

START_TEST(test_util_parse_size_table)
{
	uint64_t	 v;
	int		 rc;

	v = 12345;
	rc = parse_size(sizes[_i].in, &v);
	ck_assert_msg((rc == 0) == sizes[_i].ok, "'%s': rc %d", sizes[_i].in,
	    rc);
	if (sizes[_i].ok)
		ck_assert_uint_eq(v, sizes[_i].out);
}
END_TEST

START_TEST(test_util_parse_uint_bounds)
{
	uint64_t	 v;

	ck_assert_int_eq(parse_uint("10", 1, 10, &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(parse_uint("11", 1, 10, &v), -1);
	ck_assert_int_eq(parse_uint("0", 1, 10, &v), -1);
	ck_assert_int_eq(parse_uint("1x", 1, 10, &v), -1);
	ck_assert_int_eq(parse_uint("", 1, 10, &v), -1);
	ck_assert_int_eq(parse_uint("+3", 1, 10, &v), -1);
}
END_TEST

static const struct {
	const char	*in;
	size_t		 len;
	const char	*out;
} escapes[] = {
	{ "plain/name.txt", 14, "plain/name.txt" },
	{ "a\nb", 3, "a\\nb" },
	{ "tab\tx", 5, "tab\\tx" },
	{ "cr\r", 3, "cr\\r" },
	{ "\033[31mred", 8, "\\x1b[31mred" },
	{ "back\\slash", 10, "back\\\\slash" },
	{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
	{ "bad\xff", 4, "bad\\xff" },
	{ "trunc\xc3", 6, "trunc\\xc3" },
	{ "del\x7f", 4, "del\\x7f" },
	{ "c1\xc2\x85", 4, "c1\\xc2\\x85" },
	{ "nul\0x", 5, "nul\\x00x" },
	{ "\xed\xa0\x80", 3, "\\xed\\xa0\\x80" },
};

START_TEST(test_util_path_escape_table)
{
	struct buf	 b;

	buf_init(&b);
	buf_addstr(&b, "");
	path_escape(&b, (const unsigned char *)escapes[_i].in,
	    escapes[_i].len);
	ck_assert_str_eq(b.p, escapes[_i].out);
	buf_release(&b);
}
END_TEST

START_TEST(test_util_utf8_lossy_replaces_invalid)
{
	struct buf	 b;

	buf_init(&b);
	buf_addstr(&b, "");
	utf8_lossy(&b, (const unsigned char *)"a\xffz\xc3\xa9", 5);
	ck_assert_str_eq(b.p, "a\xef\xbf\xbdz\xc3\xa9");
	ck_assert(utf8_valid((const unsigned char *)b.p, b.len));
	ck_assert(!utf8_valid((const unsigned char *)"\xc0\x80", 2));
	buf_release(&b);
}
END_TEST

START_TEST(test_util_time_iso8601)
{
	char	 t[TIME_ISO_LEN];

	time_iso8601(0, t);
	ck_assert_str_eq(t, "1970-01-01T00:00:00.000Z");
	time_iso8601(1733233338123456789LL, t);
	ck_assert_str_eq(t, "2024-12-03T13:42:18.123Z");
}
END_TEST

START_TEST(test_util_path_extension)
{
	const char	*e;
	size_t		 n;

	e = path_extension((const unsigned char *)"dir.d/file.tar.gz", 17,
	    &n);
	ck_assert_int_eq((int)n, 2);
	ck_assert(strncmp(e, "gz", n) == 0);
	(void)path_extension((const unsigned char *)"dir.d/.bashrc", 13, &n);
	ck_assert_int_eq((int)n, 0);
	(void)path_extension((const unsigned char *)"dir.d/README", 12, &n);
	ck_assert_int_eq((int)n, 0);
}
END_TEST

static Suite *
util_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("util");
	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_util_parse_size_table, 0,
	    sizeof(sizes) / sizeof(sizes[0]));
	tcase_add_test(tc, test_util_parse_uint_bounds);
	suite_add_tcase(s, tc);
	tc = tcase_create("names");
	tcase_add_loop_test(tc, test_util_path_escape_table, 0,
	    sizeof(escapes) / sizeof(escapes[0]));
	tcase_add_test(tc, test_util_utf8_lossy_replaces_invalid);
	tcase_add_test(tc, test_util_path_extension);
	suite_add_tcase(s, tc);
	tc = tcase_create("time");
	tcase_add_test(tc, test_util_time_iso8601);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(util_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
