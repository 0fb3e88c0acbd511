/*
 * check_hash.c - SHA-256 of buffers against the published test vectors,
 * of files through hasher_fd with and without a limit, the stop flag, and
 * incremental hashing fed in pieces.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "testutil.h"
#include "util.h"

#define HEX_LEN		(2 * HASH_LEN + 1)
#define MILLION		1000000

/* FIPS 180-2 appendix B and the NIST example values for SHA-256. */
static const struct {
	const char	*unit;		/* repeated count times */
	size_t		 count;
	const char	*hex;
} vectors[] = {
	{ "", 1,
	    "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855" },
	{ "abc", 1,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	    "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 1,
	    "cf5b16a778af8380036ce59e7b049237"
	    "0b249b11e8f07a51afac45037afee9d1" },
	{ "a", MILLION,
	    "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0" },
};

#define NVECTORS	(sizeof(vectors) / sizeof(vectors[0]))

static char	*tmp;

static void
setup(void)
{
	tmp = tu_tmpdir();
}

static void
teardown(void)
{
	tu_rmrf(tmp);
	free(tmp);
	tmp = NULL;
}

/* The message of vector i, newly allocated; *n gets its length. */
static unsigned char *
vector_data(size_t i, size_t *n)
{
	unsigned char	*p;
	size_t		 ulen, k;

	ulen = strlen(vectors[i].unit);
	*n = ulen * vectors[i].count;
	p = xmalloc(*n + 1);
	for (k = 0; k < vectors[i].count; k++)
		memcpy(p + k * ulen, vectors[i].unit, ulen);
	return p;
}

/* Bytes that do not repeat with any period a reader could hide behind. */
static unsigned char *
pattern(size_t n)
{
	unsigned char	*p;
	uint32_t	 x;
	size_t		 i;

	p = xmalloc(n + 1);
	x = 2463534242U;
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
	return p;
}

static void
hex_of_buffer(const void *p, size_t n, char *hex)
{
	unsigned char	 md[HASH_LEN];

	hash_buffer(p, n, md);
	hex_encode(md, sizeof(md), hex);
}

static int
open_file(const char *rel)
{
	char	*path;
	int	 fd;

	path = tu_path(tmp, rel);
	fd = open(path, O_RDONLY);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	free(path);
	return fd;
}

START_TEST(test_hash_buffer_matches_published_vectors)
{
	unsigned char	*p;
	char		 hex[HEX_LEN];
	size_t		 n;

	p = vector_data(_i, &n);
	hex_of_buffer(p, n, hex);
	ck_assert_str_eq(hex, vectors[_i].hex);
	free(p);
}
END_TEST

START_TEST(test_hash_incremental_in_pieces_matches_vectors)
{
	static const size_t	 steps[] = { 1, 7, 63, 64, 65, 1000, 4096 };
	struct hasher		*h;
	unsigned char		*p, md[HASH_LEN];
	char			 hex[HEX_LEN];
	size_t			 n, off, len, k;

	p = vector_data(_i, &n);
	h = hasher_new();
	hasher_begin(h);
	for (off = 0, k = 0; off < n; off += len, k++) {
		len = steps[k % (sizeof(steps) / sizeof(steps[0]))];
		if (len > n - off)
			len = n - off;
		hasher_update(h, p + off, len);
	}
	hasher_end(h, md);
	hex_encode(md, sizeof(md), hex);
	ck_assert_str_eq(hex, vectors[_i].hex);
	hasher_free(h);
	free(p);
}
END_TEST

START_TEST(test_hash_incremental_equals_hash_buffer)
{
	struct hasher	*h;
	unsigned char	*p, md[HASH_LEN];
	char		 hex[HEX_LEN], want[HEX_LEN];
	size_t		 n, off, len;

	n = 3 * 256 * 1024 + 17;
	p = pattern(n);
	hex_of_buffer(p, n, want);
	h = hasher_new();

	/* Several rounds with one hasher: begin must start afresh. */
	for (len = 5; len < n; len = len * 61 + 1) {
		hasher_begin(h);
		hasher_update(h, "", 0);
		for (off = 0; off < n; off += len)
			hasher_update(h, p + off, len < n - off ? len :
			    n - off);
		hasher_end(h, md);
		hex_encode(md, sizeof(md), hex);
		ck_assert_msg(strcmp(hex, want) == 0,
		    "pieces of %zu bytes: %s, want %s", len, hex, want);
	}
	hasher_free(h);
	free(p);
}
END_TEST

START_TEST(test_hash_incremental_record_order_matters)
{
	struct hasher	*h;
	unsigned char	 ab[HASH_LEN], ba[HASH_LEN];

	h = hasher_new();
	hasher_begin(h);
	hasher_update(h, "first", 5);
	hasher_update(h, "second", 6);
	hasher_end(h, ab);
	hasher_begin(h);
	hasher_update(h, "second", 6);
	hasher_update(h, "first", 5);
	hasher_end(h, ba);
	ck_assert(memcmp(ab, ba, HASH_LEN) != 0);
	hasher_free(h);
}
END_TEST

START_TEST(test_hash_fd_whole_file_matches_vectors)
{
	struct hasher	*h;
	unsigned char	*p, md[HASH_LEN];
	char		 hex[HEX_LEN];
	uint64_t	 nread;
	size_t		 n;
	int		 fd;

	p = vector_data(_i, &n);
	tu_write(tmp, "v", p, n);
	fd = open_file("v");
	h = hasher_new();
	nread = 12345;
	ck_assert_int_eq(hasher_fd(h, fd, UINT64_MAX, md, &nread, NULL),
	    HASH_OK);
	ck_assert_uint_eq(nread, n);
	hex_encode(md, sizeof(md), hex);
	ck_assert_str_eq(hex, vectors[_i].hex);
	hasher_free(h);
	close(fd);
	free(p);
}
END_TEST

#define FILE_LEN	(600 * 1024 + 3)

/* Limits against a file of FILE_LEN bytes, and the bytes to be hashed. */
static const struct {
	uint64_t	 limit;
	uint64_t	 want;
} limits[] = {
	{ 0, 0 },
	{ 1, 1 },
	{ HASH_PREFIX_LEN, HASH_PREFIX_LEN },
	{ 256 * 1024, 256 * 1024 },
	{ 256 * 1024 + 1, 256 * 1024 + 1 },
	{ 300000, 300000 },
	{ FILE_LEN - 1, FILE_LEN - 1 },
	{ FILE_LEN, FILE_LEN },
	{ FILE_LEN + 1, FILE_LEN },
	{ 10 * FILE_LEN, FILE_LEN },
	{ UINT64_MAX, FILE_LEN },
};

START_TEST(test_hash_fd_limit_hashes_leading_bytes)
{
	struct hasher	*h;
	unsigned char	*p, md[HASH_LEN];
	char		 hex[HEX_LEN], want[HEX_LEN];
	uint64_t	 nread;
	int		 fd;

	p = pattern(FILE_LEN);
	tu_write(tmp, "f", p, FILE_LEN);
	hex_of_buffer(p, (size_t)limits[_i].want, want);
	fd = open_file("f");
	h = hasher_new();
	nread = 12345;
	ck_assert_int_eq(hasher_fd(h, fd, limits[_i].limit, md, &nread,
	    NULL), HASH_OK);
	ck_assert_uint_eq(nread, limits[_i].want);
	hex_encode(md, sizeof(md), hex);
	ck_assert_str_eq(hex, want);
	hasher_free(h);
	close(fd);
	free(p);
}
END_TEST

/* Splits against a file of FILE_LEN bytes, and the bytes of the first
 * digest: the split, or the whole file when it is shorter. */
static const struct {
	uint64_t	 split;
	uint64_t	 want;
} splits[] = {
	{ 1, 1 },
	{ HASH_PREFIX_LEN, HASH_PREFIX_LEN },
	{ 256 * 1024, 256 * 1024 },
	{ 256 * 1024 + 1, 256 * 1024 + 1 },
	{ FILE_LEN - 1, FILE_LEN - 1 },
	{ FILE_LEN, FILE_LEN },
	{ FILE_LEN + 1, FILE_LEN },
	{ UINT64_MAX, FILE_LEN },
};

START_TEST(test_hash_fd_split_gives_leading_and_whole_digests)
{
	struct hasher	*h;
	unsigned char	*p, md[HASH_LEN], first[HASH_LEN];
	char		 hex[HEX_LEN], want[HEX_LEN], whole[HEX_LEN];
	uint64_t	 nread;
	int		 fd;

	p = pattern(FILE_LEN);
	tu_write(tmp, "f", p, FILE_LEN);
	hex_of_buffer(p, (size_t)splits[_i].want, want);
	hex_of_buffer(p, FILE_LEN, whole);
	fd = open_file("f");
	h = hasher_new();
	nread = 12345;
	memset(first, 0, sizeof(first));
	ck_assert_int_eq(hasher_fd_split(h, fd, UINT64_MAX, splits[_i].split,
	    first, md, &nread, NULL), HASH_OK);
	ck_assert_uint_eq(nread, FILE_LEN);
	hex_encode(first, sizeof(first), hex);
	ck_assert_str_eq(hex, want);
	hex_encode(md, sizeof(md), hex);
	ck_assert_str_eq(hex, whole);
	hasher_free(h);
	close(fd);
	free(p);
}
END_TEST

START_TEST(test_hash_fd_empty_file_is_empty_digest)
{
	struct hasher	*h;
	unsigned char	 md[HASH_LEN];
	char		 hex[HEX_LEN];
	uint64_t	 nread;
	int		 fd;

	tu_write(tmp, "empty", "", 0);
	fd = open_file("empty");
	h = hasher_new();
	nread = 12345;
	ck_assert_int_eq(hasher_fd(h, fd, UINT64_MAX, md, &nread, NULL),
	    HASH_OK);
	ck_assert_uint_eq(nread, 0);
	hex_encode(md, sizeof(md), hex);
	ck_assert_str_eq(hex, vectors[0].hex);
	ck_assert_int_eq(hasher_fd(h, fd, HASH_PREFIX_LEN, md, &nread, NULL),
	    HASH_OK);
	ck_assert_uint_eq(nread, 0);
	hex_encode(md, sizeof(md), hex);
	ck_assert_str_eq(hex, vectors[0].hex);
	hasher_free(h);
	close(fd);
}
END_TEST

START_TEST(test_hash_fd_reads_from_current_offset)
{
	struct hasher	*h;
	unsigned char	*p, md[HASH_LEN];
	char		 hex[HEX_LEN], want[HEX_LEN];
	uint64_t	 nread;
	size_t		 n;
	int		 fd;

	n = 10000;
	p = pattern(n);
	tu_write(tmp, "f", p, n);
	hex_of_buffer(p + 1000, n - 1000, want);
	fd = open_file("f");
	ck_assert_int_eq((int)lseek(fd, 1000, SEEK_SET), 1000);
	h = hasher_new();
	ck_assert_int_eq(hasher_fd(h, fd, UINT64_MAX, md, &nread, NULL),
	    HASH_OK);
	ck_assert_uint_eq(nread, n - 1000);
	hex_encode(md, sizeof(md), hex);
	ck_assert_str_eq(hex, want);
	hasher_free(h);
	close(fd);
	free(p);
}
END_TEST

START_TEST(test_hash_fd_stop_set_before_reading_returns_stopped)
{
	volatile sig_atomic_t	 stop;
	struct hasher		*h;
	unsigned char		*p, md[HASH_LEN];
	uint64_t		 nread;
	int			 fd;

	p = pattern(FILE_LEN);
	tu_write(tmp, "f", p, FILE_LEN);
	fd = open_file("f");
	h = hasher_new();
	stop = 1;
	ck_assert_int_eq(hasher_fd(h, fd, UINT64_MAX, md, &nread, &stop),
	    HASH_STOPPED);

	/* Nothing was consumed: the offset is still at the start. */
	ck_assert_int_eq((int)lseek(fd, 0, SEEK_CUR), 0);

	/* A clear flag lets the same hasher finish the file. */
	stop = 0;
	ck_assert_int_eq(hasher_fd(h, fd, UINT64_MAX, md, &nread, &stop),
	    HASH_OK);
	ck_assert_uint_eq(nread, FILE_LEN);
	hasher_free(h);
	close(fd);
	free(p);
}
END_TEST

START_TEST(test_hash_fd_stopped_reports_bytes_read)
{
	volatile sig_atomic_t	 stop;
	struct hasher		*h;
	unsigned char		 md[HASH_LEN];
	uint64_t		 nread;
	int			 fd;

	tu_writes(tmp, "f", "some bytes");
	fd = open_file("f");
	h = hasher_new();
	stop = 1;
	nread = 12345;
	ck_assert_int_eq(hasher_fd(h, fd, UINT64_MAX, md, &nread, &stop),
	    HASH_STOPPED);
	/* hash.h: "*nread gets the bytes read", and none were. */
	ck_assert_uint_eq(nread, 0);
	hasher_free(h);
	close(fd);
}
END_TEST

START_TEST(test_hash_fd_read_error_returns_err_with_errno)
{
	struct hasher	*h;
	unsigned char	 md[HASH_LEN];
	uint64_t	 nread;
	int		 fd;

	fd = open(tmp, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	h = hasher_new();
	errno = 0;
	ck_assert_int_eq(hasher_fd(h, fd, UINT64_MAX, md, &nread, NULL),
	    HASH_ERR);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_uint_eq(nread, 0);
	close(fd);
	hasher_free(h);
}
END_TEST

static Suite *
hash_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("hash");
	tc = tcase_create("vectors");
	tcase_add_loop_test(tc, test_hash_buffer_matches_published_vectors,
	    0, NVECTORS);
	tcase_add_loop_test(tc,
	    test_hash_incremental_in_pieces_matches_vectors, 0, NVECTORS);
	tcase_add_test(tc, test_hash_incremental_equals_hash_buffer);
	tcase_add_test(tc, test_hash_incremental_record_order_matters);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_hash_fd_whole_file_matches_vectors, 0,
	    NVECTORS);
	tcase_add_loop_test(tc, test_hash_fd_limit_hashes_leading_bytes, 0,
	    sizeof(limits) / sizeof(limits[0]));
	tcase_add_loop_test(tc,
	    test_hash_fd_split_gives_leading_and_whole_digests, 0,
	    (int)(sizeof(splits) / sizeof(splits[0])));
	tcase_add_test(tc, test_hash_fd_empty_file_is_empty_digest);
	tcase_add_test(tc, test_hash_fd_reads_from_current_offset);
	tcase_add_test(tc, test_hash_fd_read_error_returns_err_with_errno);
	suite_add_tcase(s, tc);

	tc = tcase_create("stop");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc,
	    test_hash_fd_stop_set_before_reading_returns_stopped);
	tcase_add_test(tc, test_hash_fd_stopped_reports_bytes_read);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(hash_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
