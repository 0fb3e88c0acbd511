/*
 * check_walk.c - traversal of generated trees: which entries come out and
 * as what kind, the filters (empty, size, hidden, exclude), the symlink
 * policy, one visit per directory, special files and trouble as data.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "util.h"
#include "walk.h"

/* More entries than any tree here has: the walk does not terminate. */
#define MAX_ENTRIES	1000

struct got {
	char		*rel;		/* path relative to tmp */
	enum walk_kind	 kind;
	int		 is_dir;
	int		 err;
	int		 root_idx;
	ino_t		 ino;
};

struct result {
	struct got		 v[MAX_ENTRIES];
	size_t			 n;
	struct walk_stats	 st;
	char			*listing;	/* sorted "K rel" lines */
};

static char		*tmp;
static struct result	 res;

static void
res_clear(void)
{
	size_t	 i;

	for (i = 0; i < res.n; i++)
		free(res.v[i].rel);
	free(res.listing);
	memset(&res, 0, sizeof(res));
}

static void
setup(void)
{
	tmp = tu_tmpdir();
	memset(&res, 0, sizeof(res));
}

static void
teardown(void)
{
	res_clear();
	tu_rmrf(tmp);
	free(tmp);
	tmp = NULL;
}

static void
opts_init(struct walk_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_size = UINT64_MAX;
}

static int
kind_char(enum walk_kind k)
{
	switch (k) {
	case WALK_FILE:
		return 'F';
	case WALK_SPECIAL:
		return 'S';
	case WALK_ERROR:
		return 'E';
	}
	return '?';
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
make_listing(void)
{
	struct buf	 b;
	char		**lines;
	size_t		 i;

	lines = xcalloc(res.n + 1, sizeof(*lines));
	for (i = 0; i < res.n; i++)
		lines[i] = xasprintf("%c %s\n", kind_char(res.v[i].kind),
		    res.v[i].rel);
	qsort(lines, res.n, sizeof(*lines), cmp_str);
	buf_init(&b);
	buf_addstr(&b, "");
	for (i = 0; i < res.n; i++) {
		buf_addstr(&b, lines[i]);
		free(lines[i]);
	}
	free(lines);
	res.listing = b.p;
}

/*
 * Walk roots (relative to tmp) and record every entry in res, with its
 * path made relative to tmp.  Returns the sorted listing.
 */
static const char *
walk_rel(const struct walk_opts *o, const char *const *rels, size_t n)
{
	struct walk		*w;
	struct walk_entry	 e;
	struct got		*g;
	char			**roots;
	size_t			 i, pre;

	res_clear();
	roots = xcalloc(n, sizeof(*roots));
	for (i = 0; i < n; i++)
		roots[i] = tu_path(tmp, rels[i]);
	w = walk_new(o, roots, n);
	ck_assert_ptr_nonnull(w);
	pre = strlen(tmp) + 1;
	while (walk_next(w, &e) == 1) {
		ck_assert_msg(res.n < MAX_ENTRIES, "walk does not end");
		ck_assert_uint_eq(e.pathlen, strlen(e.path));
		ck_assert_msg(strncmp(e.path, tmp, pre - 1) == 0 &&
		    e.path[pre - 1] == '/', "path '%s' outside", e.path);
		g = &res.v[res.n++];
		g->rel = xstrdup(e.path + pre);
		g->kind = e.kind;
		g->is_dir = e.is_dir;
		g->err = e.err;
		g->root_idx = e.root_idx;
		g->ino = e.has_stat ? e.sb.st_ino : 0;
		if (e.kind != WALK_ERROR)
			ck_assert(e.has_stat);
	}
	res.st = *walk_stats(w);
	walk_free(w);
	for (i = 0; i < n; i++)
		free(roots[i]);
	free(roots);
	make_listing();
	return res.listing;
}

static const char *
walk_one(const struct walk_opts *o, const char *rel)
{
	return walk_rel(o, &rel, 1);
}

static const struct got *
find(const char *rel)
{
	size_t	 i;

	for (i = 0; i < res.n; i++)
		if (strcmp(res.v[i].rel, rel) == 0)
			return &res.v[i];
	ck_abort_msg("no entry '%s' in:\n%s", rel, res.listing);
	return NULL;
}

START_TEST(test_walk_lists_regular_files_as_files)
{
	struct walk_opts	 o;

	opts_init(&o);
	tu_writes(tmp, "r/a.txt", "a");
	tu_writes(tmp, "r/d/b.txt", "bb");
	tu_writes(tmp, "r/d/e/c.txt", "ccc");
	tu_mkdir(tmp, "r/empty-dir");
	ck_assert_str_eq(walk_one(&o, "r"),
	    "F r/a.txt\n"
	    "F r/d/b.txt\n"
	    "F r/d/e/c.txt\n");
	ck_assert_uint_eq(res.st.files, 3);
	ck_assert_uint_eq(res.st.dirs, 4);
	ck_assert_uint_eq(res.st.errors, 0);
	ck_assert_int_eq(find("r/d/e/c.txt")->root_idx, 0);
}
END_TEST

START_TEST(test_walk_leaves_out_empty_files_unless_asked)
{
	struct walk_opts	 o;

	opts_init(&o);
	tu_writes(tmp, "r/full", "x");
	tu_writes(tmp, "r/empty", "");
	tu_writes(tmp, "r/d/empty2", "");
	ck_assert_str_eq(walk_one(&o, "r"), "F r/full\n");
	ck_assert_uint_eq(res.st.empty, 2);
	ck_assert_uint_eq(res.st.files, 1);
}
END_TEST

START_TEST(test_walk_includes_empty_files_with_empty_option)
{
	struct walk_opts	 o;

	opts_init(&o);
	o.empty = 1;
	tu_writes(tmp, "r/full", "x");
	tu_writes(tmp, "r/empty", "");
	tu_writes(tmp, "r/d/empty2", "");
	ck_assert_str_eq(walk_one(&o, "r"),
	    "F r/d/empty2\n"
	    "F r/empty\n"
	    "F r/full\n");
	ck_assert_uint_eq(res.st.empty, 0);
	ck_assert_uint_eq(res.st.files, 3);
}
END_TEST

/* Files of 1, 10, 100 and 1000 bytes; the limits are inclusive. */
static const struct {
	uint64_t	 min;
	uint64_t	 max;
	const char	*want;
	uint64_t	 filtered;
} size_limits[] = {
	{ 0, UINT64_MAX, "F r/s1\nF r/s10\nF r/s100\nF r/s1000\n", 0 },
	{ 10, UINT64_MAX, "F r/s10\nF r/s100\nF r/s1000\n", 1 },
	{ 11, UINT64_MAX, "F r/s100\nF r/s1000\n", 2 },
	{ 0, 100, "F r/s1\nF r/s10\nF r/s100\n", 1 },
	{ 0, 99, "F r/s1\nF r/s10\n", 2 },
	{ 10, 100, "F r/s10\nF r/s100\n", 2 },
	{ 100, 100, "F r/s100\n", 3 },
	{ 1001, UINT64_MAX, "", 4 },
};

START_TEST(test_walk_size_limits_are_inclusive)
{
	struct walk_opts	 o;
	char			 data[1000];

	memset(data, 'z', sizeof(data));
	tu_write(tmp, "r/s1", data, 1);
	tu_write(tmp, "r/s10", data, 10);
	tu_write(tmp, "r/s100", data, 100);
	tu_write(tmp, "r/s1000", data, 1000);
	opts_init(&o);
	o.min_size = size_limits[_i].min;
	o.max_size = size_limits[_i].max;
	ck_assert_str_eq(walk_one(&o, "r"), size_limits[_i].want);
	ck_assert_uint_eq(res.st.filtered, size_limits[_i].filtered);
}
END_TEST

static void
hidden_tree(void)
{
	tu_writes(tmp, "r/visible", "v");
	tu_writes(tmp, "r/.hidden", "h");
	tu_writes(tmp, "r/.git/config", "c");
	tu_writes(tmp, "r/d/.profile", "p");
}

START_TEST(test_walk_leaves_out_hidden_names_by_default)
{
	struct walk_opts	 o;

	opts_init(&o);
	hidden_tree();
	ck_assert_str_eq(walk_one(&o, "r"), "F r/visible\n");

	/* .hidden, .git (whole subtree, not entered) and d/.profile */
	ck_assert_uint_eq(res.st.filtered, 3);
	ck_assert_uint_eq(res.st.dirs, 2);
}
END_TEST

START_TEST(test_walk_includes_hidden_names_with_hidden_option)
{
	struct walk_opts	 o;

	opts_init(&o);
	o.hidden = 1;
	hidden_tree();
	ck_assert_str_eq(walk_one(&o, "r"),
	    "F r/.git/config\n"
	    "F r/.hidden\n"
	    "F r/d/.profile\n"
	    "F r/visible\n");
	ck_assert_uint_eq(res.st.filtered, 0);
}
END_TEST

START_TEST(test_walk_hidden_root_is_still_walked)
{
	struct walk_opts	 o;

	opts_init(&o);
	tu_writes(tmp, ".root/a", "a");
	tu_writes(tmp, ".root/sub/b", "b");
	tu_writes(tmp, ".root/.inner", "i");
	tu_writes(tmp, ".file-root", "f");
	ck_assert_str_eq(walk_one(&o, ".root"),
	    "F .root/a\n"
	    "F .root/sub/b\n");
	ck_assert_str_eq(walk_one(&o, ".file-root"), "F .file-root\n");
}
END_TEST

/* All entries of exclude_tree() come out but those listed as gone. */
static const struct {
	const char	*pat[2];
	size_t		 npat;
	const char	*want;
	uint64_t	 filtered;
} excludes[] = {
	{ { "*.tmp", NULL }, 1,
	    "F r/a.txt\nF r/build/out.o\nF r/build/sub/deep.o\n"
	    "F r/d/b.txt\nF r/node_modules/pkg/index.js\nF r/src/build.c\n",
	    2 },
	{ { "*/node_modules/*", NULL }, 1,
	    "F r/a.txt\nF r/build/out.o\nF r/build/sub/deep.o\n"
	    "F r/d/b.txt\nF r/d/y.tmp\nF r/src/build.c\nF r/x.tmp\n",
	    1 },
	{ { "build", NULL }, 1,
	    "F r/a.txt\n"
	    "F r/d/b.txt\nF r/d/y.tmp\nF r/node_modules/pkg/index.js\n"
	    "F r/src/build.c\nF r/x.tmp\n",
	    1 },
	{ { "*.o", NULL }, 1,
	    "F r/a.txt\n"
	    "F r/d/b.txt\nF r/d/y.tmp\nF r/node_modules/pkg/index.js\n"
	    "F r/src/build.c\nF r/x.tmp\n",
	    2 },
	{ { "*/d/*", NULL }, 1,
	    "F r/a.txt\nF r/build/out.o\nF r/build/sub/deep.o\n"
	    "F r/node_modules/pkg/index.js\nF r/src/build.c\nF r/x.tmp\n",
	    2 },
	{ { "*.tmp", "build" }, 2,
	    "F r/a.txt\n"
	    "F r/d/b.txt\nF r/node_modules/pkg/index.js\n"
	    "F r/src/build.c\n",
	    3 },
	{ { "nothing-matches", NULL }, 1,
	    "F r/a.txt\nF r/build/out.o\nF r/build/sub/deep.o\n"
	    "F r/d/b.txt\nF r/d/y.tmp\nF r/node_modules/pkg/index.js\n"
	    "F r/src/build.c\nF r/x.tmp\n",
	    0 },
};

START_TEST(test_walk_exclude_matches_path_and_name)
{
	struct walk_opts	 o;

	tu_writes(tmp, "r/a.txt", "a");
	tu_writes(tmp, "r/x.tmp", "x");
	tu_writes(tmp, "r/d/y.tmp", "y");
	tu_writes(tmp, "r/d/b.txt", "b");
	tu_writes(tmp, "r/node_modules/pkg/index.js", "i");
	tu_writes(tmp, "r/build/out.o", "o");
	tu_writes(tmp, "r/build/sub/deep.o", "d");
	tu_writes(tmp, "r/src/build.c", "c");
	opts_init(&o);
	o.exclude = (char *const *)excludes[_i].pat;
	o.nexclude = excludes[_i].npat;
	ck_assert_str_eq(walk_one(&o, "r"), excludes[_i].want);
	ck_assert_uint_eq(res.st.filtered, excludes[_i].filtered);
}
END_TEST

START_TEST(test_walk_excluded_directory_is_not_entered)
{
	struct walk_opts	 o;
	const char		*pat[] = { "skip" };

	tu_writes(tmp, "r/keep/a", "a");
	tu_writes(tmp, "r/skip/b", "b");
	tu_writes(tmp, "r/skip/c/d/e", "e");
	opts_init(&o);
	o.exclude = (char *const *)pat;
	o.nexclude = 1;
	ck_assert_str_eq(walk_one(&o, "r"), "F r/keep/a\n");
	ck_assert_uint_eq(res.st.dirs, 2);
	ck_assert_uint_eq(res.st.filtered, 1);
}
END_TEST

/* r/f, r/lf -> ext-file, r/ld -> ext-dir (with o), r/dangling -> nowhere */
static void
link_tree(void)
{
	char	*t;

	tu_writes(tmp, "r/f", "f");
	tu_writes(tmp, "ext-file", "ef");
	tu_writes(tmp, "ext-dir/o", "o");
	t = tu_path(tmp, "ext-file");
	tu_symlink(tmp, t, "r/lf");
	free(t);
	tu_symlink(tmp, "../ext-dir", "r/ld");
	tu_symlink(tmp, "no-such-target", "r/dangling");
}

START_TEST(test_walk_symlinks_not_followed_by_default)
{
	struct walk_opts	 o;

	opts_init(&o);
	link_tree();
	ck_assert_str_eq(walk_one(&o, "r"), "F r/f\n");
	ck_assert_uint_eq(res.st.symlinks, 3);
	ck_assert_uint_eq(res.st.dirs, 1);
}
END_TEST

START_TEST(test_walk_symlinks_followed_with_follow_option)
{
	struct walk_opts	 o;
	struct stat		 sb;
	char			*p;

	opts_init(&o);
	o.follow_symlinks = 1;
	link_tree();
	ck_assert_str_eq(walk_one(&o, "r"),
	    "F r/f\n"
	    "F r/ld/o\n"
	    "F r/lf\n");

	/* The entry describes the target, not the link. */
	p = tu_path(tmp, "ext-file");
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert(find("r/lf")->ino == sb.st_ino);
	free(p);

	/* Only the dangling link is left, counted as a symlink. */
	ck_assert_uint_eq(res.st.symlinks, 1);
	ck_assert_uint_eq(res.st.dirs, 2);
}
END_TEST

START_TEST(test_walk_symlink_root_is_followed)
{
	struct walk_opts	 o;

	opts_init(&o);
	tu_writes(tmp, "real/a", "a");
	tu_symlink(tmp, "real", "link");
	ck_assert_str_eq(walk_one(&o, "link"), "F link/a\n");
}
END_TEST

START_TEST(test_walk_symlink_loop_terminates_and_yields_each_file_once)
{
	struct walk_opts	 o;

	opts_init(&o);
	o.follow_symlinks = 1;
	tu_writes(tmp, "r/g", "g");
	tu_writes(tmp, "r/a/f", "f");
	tu_writes(tmp, "r/a/b/h", "h");
	tu_symlink(tmp, "..", "r/a/up");
	tu_symlink(tmp, "../..", "r/a/b/top");
	tu_symlink(tmp, ".", "r/self");
	ck_assert_str_eq(walk_one(&o, "r"),
	    "F r/a/b/h\n"
	    "F r/a/f\n"
	    "F r/g\n");
	ck_assert_uint_eq(res.st.dirs, 3);
	ck_assert_uint_eq(res.st.errors, 0);
}
END_TEST

START_TEST(test_walk_same_root_twice_yields_each_file_once)
{
	struct walk_opts	 o;
	const char		*roots[] = { "r", "r", "r/" };

	opts_init(&o);
	tu_writes(tmp, "r/a", "a");
	tu_writes(tmp, "r/sub/b", "b");
	ck_assert_str_eq(walk_rel(&o, roots, 3),
	    "F r/a\n"
	    "F r/sub/b\n");
	ck_assert_uint_eq(res.st.files, 2);
	ck_assert_uint_eq(res.st.dirs, 2);
}
END_TEST

START_TEST(test_walk_root_and_its_subdirectory_yield_each_file_once)
{
	struct walk_opts	 o;
	const char		*outer_first[] = { "r", "r/sub" };
	const char		*inner_first[] = { "r/sub", "r" };

	opts_init(&o);
	tu_writes(tmp, "r/a", "a");
	tu_writes(tmp, "r/sub/b", "b");
	tu_writes(tmp, "r/sub/deeper/c", "c");
	ck_assert_str_eq(walk_rel(&o, outer_first, 2),
	    "F r/a\n"
	    "F r/sub/b\n"
	    "F r/sub/deeper/c\n");
	ck_assert_int_eq(find("r/sub/b")->root_idx, 0);
	ck_assert_str_eq(walk_rel(&o, inner_first, 2),
	    "F r/a\n"
	    "F r/sub/b\n"
	    "F r/sub/deeper/c\n");
	ck_assert_int_eq(find("r/sub/b")->root_idx, 0);
	ck_assert_int_eq(find("r/a")->root_idx, 1);
}
END_TEST

START_TEST(test_walk_hard_links_come_out_as_two_entries)
{
	struct walk_opts	 o;

	opts_init(&o);
	tu_writes(tmp, "r/one", "same bytes");
	tu_hardlink(tmp, "r/one", "r/sub/two");
	ck_assert_str_eq(walk_one(&o, "r"),
	    "F r/one\n"
	    "F r/sub/two\n");
	ck_assert(find("r/one")->ino == find("r/sub/two")->ino);
	ck_assert_uint_eq(res.st.files, 2);
}
END_TEST

START_TEST(test_walk_fifo_is_special)
{
	struct walk_opts	 o;
	char			*p;

	opts_init(&o);
	tu_writes(tmp, "r/a", "a");
	p = tu_path(tmp, "r/pipe");
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	free(p);
	ck_assert_str_eq(walk_one(&o, "r"),
	    "F r/a\n"
	    "S r/pipe\n");
	ck_assert_uint_eq(res.st.special, 1);
	ck_assert_uint_eq(res.st.files, 1);
}
END_TEST

START_TEST(test_walk_unreadable_directory_is_error)
{
	struct walk_opts	 o;
	const struct got	*g;
	char			*p;

	opts_init(&o);
	tu_writes(tmp, "r/a", "a");
	tu_writes(tmp, "r/locked/secret", "s");
	p = tu_path(tmp, "r/locked");
	ck_assert_int_eq(chmod(p, 0), 0);
	free(p);
	walk_one(&o, "r");
	if (geteuid() == 0) {
		/* Root reads it anyway: then its files must be listed. */
		ck_assert_str_eq(res.listing,
		    "F r/a\n"
		    "F r/locked/secret\n");
		ck_assert_uint_eq(res.st.errors, 0);
		return;
	}
	ck_assert_str_eq(res.listing,
	    "E r/locked\n"
	    "F r/a\n");
	g = find("r/locked");
	ck_assert_int_eq(g->is_dir, 1);
	ck_assert_int_eq(g->err, EACCES);
	ck_assert_uint_eq(res.st.errors, 1);
}
END_TEST

START_TEST(test_walk_nonexistent_root_is_error_and_walk_goes_on)
{
	struct walk_opts	 o;
	const struct got	*g;
	const char		*roots[] = { "nope", "r" };

	opts_init(&o);
	tu_writes(tmp, "r/a", "a");
	ck_assert_str_eq(walk_rel(&o, roots, 2),
	    "E nope\n"
	    "F r/a\n");
	g = find("nope");
	ck_assert_int_eq(g->err, ENOENT);
	ck_assert_int_eq(g->is_dir, 0);
	ck_assert_int_eq(g->root_idx, 0);
	ck_assert_int_eq(find("r/a")->root_idx, 1);
	ck_assert_uint_eq(res.st.errors, 1);
	ck_assert_uint_eq(res.st.files, 1);
}
END_TEST

START_TEST(test_walk_file_root_is_listed)
{
	struct walk_opts	 o;
	const char		*roots[] = { "f", "empty" };

	opts_init(&o);
	tu_writes(tmp, "f", "data");
	tu_writes(tmp, "empty", "");
	ck_assert_str_eq(walk_rel(&o, roots, 2), "F f\n");
	ck_assert_uint_eq(res.st.empty, 1);
}
END_TEST

static const struct {
	int		 hidden;
	const char	*pat;
	const char	*path;
	const char	*name;
	int		 is_root;
	int		 pass;
} names[] = {
	{ 0, NULL, "/x/a", "a", 0, 1 },
	{ 0, NULL, "/x/.a", ".a", 0, 0 },
	{ 1, NULL, "/x/.a", ".a", 0, 1 },
	{ 0, NULL, "/x/.a", ".a", 1, 1 },
	{ 0, "*.tmp", "/x/a.tmp", "a.tmp", 0, 0 },
	{ 0, "*.tmp", "/x/a.tmp", "a.tmp", 1, 1 },
	{ 0, "a.tmp", "/x/a.tmp", "a.tmp", 0, 0 },
	{ 0, "/x/*", "/x/a", "a", 0, 0 },
	{ 0, "/y/*", "/x/a", "a", 0, 1 },
	{ 0, "*.tmp", "/x/a.txt", "a.txt", 0, 1 },
};

START_TEST(test_walk_name_passes_table)
{
	struct walk_opts	 o;
	const char		*pat[1];

	opts_init(&o);
	o.hidden = names[_i].hidden;
	if (names[_i].pat != NULL) {
		pat[0] = names[_i].pat;
		o.exclude = (char *const *)pat;
		o.nexclude = 1;
	}
	ck_assert_int_eq(!!walk_name_passes(&o, names[_i].path,
	    names[_i].name, names[_i].is_root), names[_i].pass);
}
END_TEST

static Suite *
walk_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("walk");
	tc = tcase_create("filters");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_walk_lists_regular_files_as_files);
	tcase_add_test(tc, test_walk_leaves_out_empty_files_unless_asked);
	tcase_add_test(tc, test_walk_includes_empty_files_with_empty_option);
	tcase_add_loop_test(tc, test_walk_size_limits_are_inclusive, 0,
	    sizeof(size_limits) / sizeof(size_limits[0]));
	tcase_add_test(tc, test_walk_leaves_out_hidden_names_by_default);
	tcase_add_test(tc,
	    test_walk_includes_hidden_names_with_hidden_option);
	tcase_add_test(tc, test_walk_hidden_root_is_still_walked);
	tcase_add_loop_test(tc, test_walk_exclude_matches_path_and_name, 0,
	    sizeof(excludes) / sizeof(excludes[0]));
	tcase_add_test(tc, test_walk_excluded_directory_is_not_entered);
	tcase_add_loop_test(tc, test_walk_name_passes_table, 0,
	    sizeof(names) / sizeof(names[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("links");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_walk_symlinks_not_followed_by_default);
	tcase_add_test(tc, test_walk_symlinks_followed_with_follow_option);
	tcase_add_test(tc, test_walk_symlink_root_is_followed);
	tcase_add_test(tc,
	    test_walk_symlink_loop_terminates_and_yields_each_file_once);
	tcase_add_test(tc, test_walk_hard_links_come_out_as_two_entries);
	suite_add_tcase(s, tc);

	tc = tcase_create("roots");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_walk_same_root_twice_yields_each_file_once);
	tcase_add_test(tc,
	    test_walk_root_and_its_subdirectory_yield_each_file_once);
	tcase_add_test(tc, test_walk_file_root_is_listed);
	tcase_add_test(tc,
	    test_walk_nonexistent_root_is_error_and_walk_goes_on);
	suite_add_tcase(s, tc);

	tc = tcase_create("odd");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_walk_fifo_is_special);
	tcase_add_test(tc, test_walk_unreadable_directory_is_error);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(walk_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
