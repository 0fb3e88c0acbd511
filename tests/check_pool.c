/*
 * check_pool.c - hashing one job (results, vanished, changed, refused
 * paths) and the worker pool: every job back exactly once with the right
 * digest, the bound on jobs in flight, and the stop flag.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "pool.h"
#include "testutil.h"
#include "util.h"

#define HEX_LEN		(2 * HASH_LEN + 1)
#define NFILES		7
#define NJOBS		300

static char		*tmp;
static struct hasher	*hasher;

static void
setup(void)
{
	tmp = tu_tmpdir();
	hasher = hasher_new();
}

static void
teardown(void)
{
	hasher_free(hasher);
	hasher = NULL;
	tu_rmrf(tmp);
	free(tmp);
	tmp = NULL;
}

static unsigned char *
pattern(size_t n, uint32_t seed)
{
	unsigned char	*p;
	uint32_t	 x;
	size_t		 i;

	p = xmalloc(n + 1);
	x = seed | 1;
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
	return p;
}

static void
hex_of(const unsigned char *md, char *hex)
{
	hex_encode(md, HASH_LEN, hex);
}

static void
hex_of_buffer(const void *p, size_t n, char *hex)
{
	unsigned char	 md[HASH_LEN];

	hash_buffer(p, n, md);
	hex_of(md, hex);
}

static int64_t
ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NS_PER_SEC + ts->tv_nsec;
}

/* A job for tmp/rel describing the file as it is now (lstat). */
static struct job *
job_for(const char *rel, enum job_kind kind)
{
	struct job	*j;
	struct stat	 sb;

	j = xcalloc(1, sizeof(*j));
	j->path = tu_path(tmp, rel);
	j->kind = kind;
	ck_assert_msg(lstat(j->path, &sb) == 0, "lstat %s: %s", j->path,
	    strerror(errno));
	j->dev = sb.st_dev;
	j->ino = sb.st_ino;
	j->size = (uint64_t)sb.st_size;
	j->mtime = ns(&sb.st_mtim);
	j->ctime = ns(&sb.st_ctim);
	j->status = (enum job_status)-1;
	return j;
}

static const char *
status_name(enum job_status s)
{
	switch (s) {
	case JOB_OK:
		return "ok";
	case JOB_ERROR:
		return "error";
	case JOB_VANISHED:
		return "vanished";
	case JOB_CHANGED:
		return "changed";
	case JOB_STOPPED:
		return "stopped";
	}
	return "unset";
}

/* By name, so that a failure says which status came back. */
#define ck_assert_status(j, want)					\
	ck_assert_str_eq(status_name((j)->status), status_name(want))

START_TEST(test_job_run_full_hashes_whole_file)
{
	struct job	*j;
	unsigned char	*p;
	char		 hex[HEX_LEN], want[HEX_LEN];
	size_t		 n;

	n = 3 * HASH_PREFIX_LEN + 300 * 1024 + 11;
	p = pattern(n, 7);
	tu_write(tmp, "f", p, n);
	hex_of_buffer(p, n, want);
	j = job_for("f", JOB_FULL);
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_OK);
	ck_assert_uint_eq(j->nread, n);
	hex_of(j->hash, hex);
	ck_assert_str_eq(hex, want);
	job_free(j);
	free(p);
}
END_TEST

START_TEST(test_job_run_full_matches_published_vector)
{
	struct job	*j;
	char		 hex[HEX_LEN];

	tu_writes(tmp, "abc", "abc");
	j = job_for("abc", JOB_FULL);
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_OK);
	hex_of(j->hash, hex);
	ck_assert_str_eq(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	job_free(j);
}
END_TEST

START_TEST(test_job_run_prefix_hashes_first_block_only)
{
	struct job	*j;
	unsigned char	*p;
	char		 hex[HEX_LEN], want[HEX_LEN], whole[HEX_LEN];
	size_t		 n;

	n = HASH_WHOLE_MAX + 5 * HASH_PREFIX_LEN + 123;
	p = pattern(n, 11);
	tu_write(tmp, "f", p, n);
	hex_of_buffer(p, HASH_PREFIX_LEN, want);
	hex_of_buffer(p, n, whole);
	j = job_for("f", JOB_PREFIX);
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_OK);
	ck_assert_uint_eq(j->nread, HASH_PREFIX_LEN);
	ck_assert_int_eq(j->whole, 0);
	hex_of(j->hash, hex);
	ck_assert_str_eq(hex, want);
	ck_assert_str_ne(hex, whole);
	job_free(j);
	free(p);
}
END_TEST

/* Sizes around the prefix length and the largest file read whole. */
static const size_t whole_len[] = {
	1, HASH_PREFIX_LEN - 1, HASH_PREFIX_LEN, HASH_PREFIX_LEN + 1,
	3 * HASH_PREFIX_LEN + 17, HASH_WHOLE_MAX - 1, HASH_WHOLE_MAX
};

START_TEST(test_job_run_prefix_of_small_file_gives_both_hashes)
{
	struct job	*j;
	unsigned char	*p;
	char		 hex[HEX_LEN], want[HEX_LEN], whole[HEX_LEN];
	size_t		 n;

	n = whole_len[_i];
	p = pattern(n, (uint32_t)(40 + _i));
	tu_write(tmp, "f", p, n);
	hex_of_buffer(p, n < HASH_PREFIX_LEN ? n : HASH_PREFIX_LEN, want);
	hex_of_buffer(p, n, whole);
	j = job_for("f", JOB_PREFIX);
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_OK);
	ck_assert_int_eq(j->whole, 1);
	ck_assert_uint_eq(j->nread, n);
	hex_of(j->hash, hex);
	ck_assert_str_eq(hex, want);
	hex_of(j->full, hex);
	ck_assert_str_eq(hex, whole);
	job_free(j);
	free(p);
}
END_TEST

START_TEST(test_job_run_prefix_of_short_file_is_whole_file)
{
	struct job	*j;
	unsigned char	*p;
	char		 hex[HEX_LEN], want[HEX_LEN];
	size_t		 n;

	n = HASH_PREFIX_LEN / 2 + 1;
	p = pattern(n, 13);
	tu_write(tmp, "f", p, n);
	hex_of_buffer(p, n, want);
	j = job_for("f", JOB_PREFIX);
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_OK);
	ck_assert_uint_eq(j->nread, n);
	hex_of(j->hash, hex);
	ck_assert_str_eq(hex, want);
	job_free(j);
	free(p);
}
END_TEST

START_TEST(test_job_run_removed_file_is_vanished)
{
	struct job	*j;

	tu_writes(tmp, "f", "here for now");
	j = job_for("f", JOB_FULL);
	ck_assert_int_eq(unlink(j->path), 0);
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_VANISHED);
	ck_assert_int_eq(j->err, ENOENT);
	job_free(j);
}
END_TEST

START_TEST(test_job_run_removed_parent_is_vanished)
{
	struct job	*j;
	char		*d;

	tu_writes(tmp, "d/f", "here for now");
	j = job_for("d/f", JOB_FULL);
	ck_assert_int_eq(unlink(j->path), 0);
	d = tu_path(tmp, "d");
	ck_assert_int_eq(rmdir(d), 0);
	free(d);

	/* d is now a file, so the path has a file as a directory. */
	tu_writes(tmp, "d", "not a directory");
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_VANISHED);
	ck_assert_int_eq(j->err, ENOTDIR);
	job_free(j);
}
END_TEST

/* Each row spoils one field the job recorded from the walk. */
enum spoil { SP_SIZE, SP_MTIME, SP_CTIME, SP_INO, SP_DEV };

static const struct {
	enum spoil	 what;
	enum job_kind	 kind;
} spoils[] = {
	{ SP_SIZE, JOB_FULL },
	{ SP_MTIME, JOB_FULL },
	{ SP_CTIME, JOB_FULL },
	{ SP_INO, JOB_FULL },
	{ SP_DEV, JOB_FULL },
	{ SP_SIZE, JOB_PREFIX },
	{ SP_MTIME, JOB_PREFIX },
	{ SP_CTIME, JOB_PREFIX },
	{ SP_INO, JOB_PREFIX },
	{ SP_DEV, JOB_PREFIX },
};

START_TEST(test_job_run_different_identity_is_changed)
{
	struct job	*j;
	unsigned char	*p;
	size_t		 n;

	/* Longer than a prefix, so a prefix read cannot see the size. */
	n = 2 * HASH_PREFIX_LEN + 1;
	p = pattern(n, 17);
	tu_write(tmp, "f", p, n);
	free(p);
	j = job_for("f", spoils[_i].kind);

	/* The untouched job hashes fine, so the spoiled field decides. */
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_OK);
	switch (spoils[_i].what) {
	case SP_SIZE:
		j->size++;
		break;
	case SP_MTIME:
		j->mtime++;
		break;
	case SP_CTIME:
		j->ctime--;
		break;
	case SP_INO:
		j->ino++;
		break;
	case SP_DEV:
		j->dev++;
		break;
	}
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_CHANGED);
	job_free(j);
}
END_TEST

START_TEST(test_job_run_rewritten_file_is_changed)
{
	struct job	*j;

	tu_writes(tmp, "f", "before");
	j = job_for("f", JOB_FULL);
	tu_writes(tmp, "f", "after, and longer");
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_CHANGED);
	job_free(j);
}
END_TEST

START_TEST(test_job_run_path_now_symlink_to_other_file_is_changed)
{
	struct job	*j;
	char		*moved;

	tu_writes(tmp, "f", "the real bytes");
	tu_writes(tmp, "other", "the real bytes");
	j = job_for("f", JOB_FULL);

	/* Same bytes, other inode behind the link: not the file walked. */
	moved = tu_path(tmp, "moved");
	ck_assert_int_eq(rename(j->path, moved), 0);
	free(moved);
	tu_symlink(tmp, "other", "f");
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_CHANGED);
	job_free(j);
}
END_TEST

START_TEST(test_job_run_path_now_symlink_to_same_file_reads_it)
{
	unsigned char	 want[HASH_LEN];
	struct job	*j;
	char		*moved;

	/* A followed symlink reaches the very inode the walk recorded. */
	tu_writes(tmp, "target", "the real bytes");
	moved = tu_path(tmp, "target");
	tu_symlink(tmp, moved, "f");
	free(moved);
	j = job_for("target", JOB_FULL);
	free(j->path);
	j->path = tu_path(tmp, "f");
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_OK);
	hash_buffer("the real bytes", 14, want);
	ck_assert_mem_eq(j->hash, want, HASH_LEN);
	job_free(j);
}
END_TEST

START_TEST(test_job_run_directory_is_changed)
{
	struct job	*j;

	/* The walker never submits a directory: one at a job's path means
	 * the file was replaced. */
	tu_mkdir(tmp, "d");
	tu_writes(tmp, "d/inside", "x");
	j = job_for("d", JOB_FULL);
	job_run(j, hasher, NULL);
	ck_assert_status(j, JOB_CHANGED);
	job_free(j);
}
END_TEST

START_TEST(test_job_run_file_replaced_by_directory_is_not_ok)
{
	struct job	*j;

	tu_writes(tmp, "f", "a file");
	j = job_for("f", JOB_FULL);
	ck_assert_int_eq(unlink(j->path), 0);
	tu_mkdir(tmp, "f");
	job_run(j, hasher, NULL);
	ck_assert_msg(j->status == JOB_CHANGED || j->status == JOB_ERROR,
	    "status %s", status_name(j->status));
	job_free(j);
}
END_TEST

START_TEST(test_job_run_unreadable_file_is_error)
{
	struct job	*j;
	char		 hex[HEX_LEN], want[HEX_LEN];

	tu_writes(tmp, "f", "secret");
	hex_of_buffer("secret", 6, want);
	j = job_for("f", JOB_FULL);
	ck_assert_int_eq(chmod(j->path, 0), 0);

	/* chmod changed ctime: record the file as it is now. */
	job_free(j);
	j = job_for("f", JOB_FULL);
	job_run(j, hasher, NULL);
	if (geteuid() == 0) {
		/* Root reads it anyway: then it must hash correctly. */
		ck_assert_status(j, JOB_OK);
		hex_of(j->hash, hex);
		ck_assert_str_eq(hex, want);
	} else {
		ck_assert_status(j, JOB_ERROR);
		ck_assert_int_eq(j->err, EACCES);
	}
	job_free(j);
}
END_TEST

START_TEST(test_job_run_with_stop_set_is_stopped)
{
	volatile sig_atomic_t	 stop;
	struct job		*j;

	tu_writes(tmp, "f", "not read");
	j = job_for("f", JOB_FULL);
	stop = 1;
	job_run(j, hasher, &stop);
	ck_assert_status(j, JOB_STOPPED);
	stop = 0;
	job_run(j, hasher, &stop);
	ck_assert_status(j, JOB_OK);
	job_free(j);
}
END_TEST

/* Files of different sizes and their expected prefix and full digests. */
static char	 want_full[NFILES][HEX_LEN];
static char	 want_prefix[NFILES][HEX_LEN];
static const size_t file_len[NFILES] = {
	1, HASH_PREFIX_LEN - 1, HASH_PREFIX_LEN, HASH_PREFIX_LEN + 1,
	100000, 256 * 1024 + 5, 700000
};

static void
make_files(void)
{
	unsigned char	*p;
	char		 name[16];
	size_t		 i, n;

	for (i = 0; i < NFILES; i++) {
		n = file_len[i];
		p = pattern(n, (uint32_t)(i + 100));
		snprintf(name, sizeof(name), "f%zu", i);
		tu_write(tmp, name, p, n);
		hex_of_buffer(p, n, want_full[i]);
		hex_of_buffer(p, n < HASH_PREFIX_LEN ? n : HASH_PREFIX_LEN,
		    want_prefix[i]);
		free(p);
	}
}

static struct job *
numbered_job(int id)
{
	struct job	*j;
	char		 name[16];

	snprintf(name, sizeof(name), "f%d", id % NFILES);
	j = job_for(name, id % 3 == 0 ? JOB_PREFIX : JOB_FULL);
	j->file_id = id;
	return j;
}

static void
check_done(struct job *j, int *back)
{
	const char	*want;
	char		 hex[HEX_LEN];
	int		 id;

	id = (int)j->file_id;
	ck_assert_msg(id >= 0 && id < NJOBS, "job id %d", id);
	back[id]++;
	ck_assert_msg(back[id] == 1, "job %d came back twice", id);
	ck_assert_status(j, JOB_OK);
	want = j->kind == JOB_PREFIX ? want_prefix[id % NFILES] :
	    want_full[id % NFILES];
	hex_of(j->hash, hex);
	ck_assert_msg(strcmp(hex, want) == 0, "job %d (%s): %s, want %s",
	    id, j->path, hex, want);
	job_free(j);
}

START_TEST(test_pool_returns_every_job_once_with_right_hash)
{
	volatile sig_atomic_t	 stop;
	struct pool		*p;
	struct job		*j, *held;
	int			 back[NJOBS], id, i;

	make_files();
	memset(back, 0, sizeof(back));
	stop = 0;
	p = pool_new(3, &stop);
	held = NULL;
	for (id = 0; id < NJOBS; id++) {
		j = numbered_job(id);
		while (pool_submit(p, j) != 0) {
			ck_assert(pool_full(p));
			held = pool_take(p, 1);
			ck_assert_ptr_nonnull(held);
			check_done(held, back);
		}
	}
	while ((j = pool_take(p, 1)) != NULL)
		check_done(j, back);
	ck_assert_int_eq(pool_in_flight(p), 0);
	ck_assert_ptr_null(pool_take(p, 0));
	for (i = 0; i < NJOBS; i++)
		ck_assert_msg(back[i] == 1, "job %d came back %d times", i,
		    back[i]);
	pool_free(p);
}
END_TEST

START_TEST(test_pool_submit_refuses_when_full)
{
	volatile sig_atomic_t	 stop;
	struct pool		*p;
	struct job		*j, *extra;
	int			 n;

	make_files();
	stop = 0;
	p = pool_new(3, &stop);
	ck_assert(!pool_full(p));
	for (n = 0; !pool_full(p); n++) {
		ck_assert_msg(n < 100000, "pool never full");
		ck_assert_int_eq(pool_submit(p, numbered_job(n % NJOBS)), 0);
	}
	ck_assert_int_ge(n, 3);
	ck_assert_int_eq(pool_in_flight(p), n);

	/* Refused, and still the caller's. */
	extra = numbered_job(0);
	ck_assert_int_eq(pool_submit(p, extra), -1);
	ck_assert_int_eq(pool_in_flight(p), n);

	/* Taking one back makes room for exactly one. */
	j = pool_take(p, 1);
	ck_assert_ptr_nonnull(j);
	job_free(j);
	ck_assert(!pool_full(p));
	ck_assert_int_eq(pool_submit(p, extra), 0);
	ck_assert(pool_full(p));
	while ((j = pool_take(p, 1)) != NULL) {
		ck_assert_status(j, JOB_OK);
		job_free(j);
		n--;
	}
	ck_assert_int_eq(n, 0);
	pool_free(p);
}
END_TEST

START_TEST(test_pool_with_stop_set_returns_jobs_stopped)
{
	volatile sig_atomic_t	 stop;
	struct pool		*p;
	struct job		*j;
	int			 id, n;

	make_files();
	stop = 0;
	p = pool_new(3, &stop);

	/* Set after the pool started: workers must read the flag live. */
	stop = 1;
	for (id = 0; id < 20; id++)
		ck_assert_int_eq(pool_submit(p, numbered_job(id)), 0);
	n = 0;
	while ((j = pool_take(p, 1)) != NULL) {
		ck_assert_status(j, JOB_STOPPED);
		job_free(j);
		n++;
	}
	ck_assert_int_eq(n, 20);
	pool_free(p);
}
END_TEST

START_TEST(test_pool_take_without_jobs_returns_null)
{
	struct pool	*p;

	p = pool_new(2, NULL);
	ck_assert_int_eq(pool_in_flight(p), 0);
	ck_assert_ptr_null(pool_take(p, 0));
	ck_assert_ptr_null(pool_take(p, 1));
	pool_free(p);
}
END_TEST

static Suite *
pool_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("pool");
	tc = tcase_create("job");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_job_run_full_hashes_whole_file);
	tcase_add_test(tc, test_job_run_full_matches_published_vector);
	tcase_add_test(tc, test_job_run_prefix_hashes_first_block_only);
	tcase_add_test(tc, test_job_run_prefix_of_short_file_is_whole_file);
	tcase_add_loop_test(tc,
	    test_job_run_prefix_of_small_file_gives_both_hashes, 0,
	    (int)(sizeof(whole_len) / sizeof(whole_len[0])));
	tcase_add_test(tc, test_job_run_with_stop_set_is_stopped);
	suite_add_tcase(s, tc);

	tc = tcase_create("trouble");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_job_run_removed_file_is_vanished);
	tcase_add_test(tc, test_job_run_removed_parent_is_vanished);
	tcase_add_loop_test(tc, test_job_run_different_identity_is_changed,
	    0, sizeof(spoils) / sizeof(spoils[0]));
	tcase_add_test(tc, test_job_run_rewritten_file_is_changed);
	tcase_add_test(tc,
	    test_job_run_path_now_symlink_to_other_file_is_changed);
	tcase_add_test(tc,
	    test_job_run_path_now_symlink_to_same_file_reads_it);
	tcase_add_test(tc, test_job_run_directory_is_changed);
	tcase_add_test(tc, test_job_run_file_replaced_by_directory_is_not_ok);
	tcase_add_test(tc, test_job_run_unreadable_file_is_error);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_pool_returns_every_job_once_with_right_hash);
	tcase_add_test(tc, test_pool_submit_refuses_when_full);
	tcase_add_test(tc, test_pool_with_stop_set_returns_jobs_stopped);
	tcase_add_test(tc, test_pool_take_without_jobs_returns_null);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(pool_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
