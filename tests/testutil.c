/*
 * testutil.c - temporary trees and scratch databases for the Check tests.
 */
#include "config.h"

#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracker.h"
#include "util.h"

char *
tu_tmpdir(void)
{
	const char	*base;
	char		*t;

	base = getenv("TMPDIR");
	t = xasprintf("%s/roo-test.XXXXXX", base != NULL && *base != '\0' ?
	    base : "/tmp");
	if (mkdtemp(t) == NULL)
		ck_abort_msg("mkdtemp %s: %s", t, strerror(errno));
	if (chmod(t, 0755) != 0)
		ck_abort_msg("chmod %s: %s", t, strerror(errno));
	return t;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(path) != 0 && errno != ENOENT;
	return unlink(path) != 0 && errno != ENOENT;
}

static int
chmod_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR || flag == FTW_DP)
		(void)chmod(path, (sb->st_mode & 07777) | 0700);
	return 0;
}

void
tu_rmrf(const char *dir)
{
	(void)nftw(dir, chmod_one, 16, FTW_PHYS);
	(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
tu_path(const char *dir, const char *rel)
{
	return xasprintf("%s/%s", dir, rel);
}

static void
mkparents(char *path)
{
	char	*s;

	for (s = path + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			ck_abort_msg("mkdir %s: %s", path, strerror(errno));
		*s = '/';
	}
}

void
tu_write(const char *dir, const char *rel, const void *data, size_t n)
{
	char	*p;
	int	 fd;

	p = tu_path(dir, rel);
	mkparents(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (n > 0 && write(fd, data, n) != (ssize_t)n) ||
	    close(fd) != 0)
		ck_abort_msg("write %s: %s", p, strerror(errno));
	free(p);
}

void
tu_writes(const char *dir, const char *rel, const char *s)
{
	tu_write(dir, rel, s, strlen(s));
}

void
tu_mkdir(const char *dir, const char *rel)
{
	char	*p;

	p = xasprintf("%s/%s/", dir, rel);
	mkparents(p);
	free(p);
}

void
tu_symlink(const char *dir, const char *target, const char *rel)
{
	char	*p;

	p = tu_path(dir, rel);
	mkparents(p);
	if (symlink(target, p) != 0)
		ck_abort_msg("symlink %s: %s", p, strerror(errno));
	free(p);
}

void
tu_hardlink(const char *dir, const char *from, const char *to)
{
	char	*a, *b;

	a = tu_path(dir, from);
	b = tu_path(dir, to);
	mkparents(b);
	if (link(a, b) != 0)
		ck_abort_msg("link %s: %s", b, strerror(errno));
	free(a);
	free(b);
}

char *
tu_read(const char *path, size_t *len)
{
	struct buf	 b;
	char		 chunk[4096];
	ssize_t		 n;
	int		 fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		ck_abort_msg("open %s: %s", path, strerror(errno));
	buf_init(&b);
	buf_addstr(&b, "");
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (len != NULL)
		*len = b.len;
	return b.p;
}

struct roo_db *
tu_db(const char *dir)
{
	struct roo_db	*db;

	if (tracker_open(dir, 1, &db) != 0)
		ck_abort_msg("cannot open a state database in %s", dir);
	return db;
}
