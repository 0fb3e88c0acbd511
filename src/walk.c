/*
 * walk.c - depth-first traversal with one directory open at a time.
 *
 * Directories are remembered by device and inode in an open-addressing
 * set, so each is read once whatever the roots and links; this also stops
 * symlink loops when links are followed.  Pending directories are kept as
 * paths on a stack; entries are reported in readdir order.  Memory grows
 * with the number of directories, not files.
 */
#include "config.h"

#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

struct dir_key {
	dev_t	 dev;
	ino_t	 ino;
};

struct pending {
	char	*path;
	int	 root_idx;
	int	 is_root;
	int	 via_link;
	dev_t	 root_dev;
};

struct walk {
	struct walk_opts	 opts;
	char			**roots;
	size_t			 nroots;
	size_t			 next_root;
	size_t			*order;		/* roots, links last */

	struct pending		*stack;
	size_t			 nstack, capstack;

	DIR			*dir;		/* being read */
	struct buf		 dirpath;
	int			 dir_root;
	int			 dir_via_link;
	dev_t			 dir_root_dev;

	struct buf		 path;		/* of the entry returned */
	struct dir_key		*seen;
	size_t			 nseen, capseen;
	struct walk_stats	 stats;
};

static size_t
key_hash(dev_t dev, ino_t ino)
{
	uint64_t	 h;

	h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;
	return (size_t)(h ^ (h >> 29));
}

static void
seen_grow(struct walk *w)
{
	struct dir_key	*old;
	size_t		 oldcap, i, j;

	old = w->seen;
	oldcap = w->capseen;
	w->capseen = oldcap == 0 ? 1024 : oldcap * 2;
	w->seen = xcalloc(w->capseen, sizeof(*w->seen));
	for (i = 0; i < oldcap; i++) {
		if (old[i].ino == 0 && old[i].dev == 0)
			continue;
		j = key_hash(old[i].dev, old[i].ino) & (w->capseen - 1);
		while (w->seen[j].ino != 0 || w->seen[j].dev != 0)
			j = (j + 1) & (w->capseen - 1);
		w->seen[j] = old[i];
	}
	free(old);
}

/* Add a directory; returns 0 when it was already there. */
static int
seen_add(struct walk *w, dev_t dev, ino_t ino)
{
	size_t	 j;

	if (dev == 0 && ino == 0)
		ino = (ino_t)-1;
	if ((w->nseen + 1) * 2 > w->capseen)
		seen_grow(w);
	j = key_hash(dev, ino) & (w->capseen - 1);
	while (w->seen[j].ino != 0 || w->seen[j].dev != 0) {
		if (w->seen[j].dev == dev && w->seen[j].ino == ino)
			return 0;
		j = (j + 1) & (w->capseen - 1);
	}
	w->seen[j].dev = dev;
	w->seen[j].ino = ino;
	w->nseen++;
	return 1;
}

static void
push(struct walk *w, const char *path, int root_idx, dev_t root_dev,
    int is_root, int via_link)
{
	if (w->nstack == w->capstack) {
		w->capstack = w->capstack == 0 ? 64 : w->capstack * 2;
		w->stack = xrealloc(w->stack, w->capstack * sizeof(*w->stack));
	}
	w->stack[w->nstack].path = xstrdup(path);
	w->stack[w->nstack].root_idx = root_idx;
	w->stack[w->nstack].root_dev = root_dev;
	w->stack[w->nstack].is_root = is_root;
	w->stack[w->nstack].via_link = via_link;
	w->nstack++;
}

int
walk_name_passes(const struct walk_opts *o, const char *path,
    const char *name, int is_root)
{
	size_t	 i;

	if (is_root)
		return 1;
	if (!o->hidden && name[0] == '.')
		return 0;
	for (i = 0; i < o->nexclude; i++)
		if (fnmatch(o->exclude[i], path, 0) == 0 ||
		    fnmatch(o->exclude[i], name, 0) == 0)
			return 0;
	return 1;
}

struct walk *
walk_new(const struct walk_opts *opts, char *const *roots, size_t nroots)
{
	struct walk	*w;
	struct stat	 sb;
	size_t		 i, k;
	int		 pass;

	w = xcalloc(1, sizeof(*w));
	w->opts = *opts;
	w->roots = xcalloc(nroots, sizeof(*w->roots));
	w->order = xcalloc(nroots, sizeof(*w->order));
	for (i = 0; i < nroots; i++)
		w->roots[i] = xstrdup(roots[i]);
	w->nroots = nroots;
	/*
	 * Roots given as symlinks are walked after the others, so that a
	 * directory reached both ways is named by its real path.
	 */
	for (k = 0, pass = 0; pass < 2; pass++)
		for (i = 0; i < nroots; i++)
			if ((lstat(roots[i], &sb) == 0 &&
			    S_ISLNK(sb.st_mode)) == pass)
				w->order[k++] = i;
	/* Directories never to enter, such as the state directory. */
	for (i = 0; i < opts->nskip; i++)
		(void)seen_add(w, opts->skip[i].dev, opts->skip[i].ino);
	buf_init(&w->dirpath);
	buf_init(&w->path);
	return w;
}

void
walk_free(struct walk *w)
{
	size_t	 i;

	if (w == NULL)
		return;
	if (w->dir != NULL)
		closedir(w->dir);
	for (i = 0; i < w->nstack; i++)
		free(w->stack[i].path);
	free(w->stack);
	for (i = 0; i < w->nroots; i++)
		free(w->roots[i]);
	free(w->roots);
	free(w->order);
	free(w->seen);
	buf_release(&w->dirpath);
	buf_release(&w->path);
	free(w);
}

const struct walk_stats *
walk_stats(const struct walk *w)
{
	return &w->stats;
}

static int
trouble(struct walk *w, struct walk_entry *e, const char *what, int err,
    const struct stat *sb, int is_dir)
{
	e->kind = WALK_ERROR;
	e->what = what;
	e->err = err;
	e->is_dir = is_dir;
	e->has_stat = sb != NULL;
	if (sb != NULL)
		e->sb = *sb;
	w->stats.errors++;
	return 1;
}

/*
 * Decide what a non-directory with stat sb becomes.  Returns 1 when *e
 * should be reported, 0 when it is left out.
 */
static int
classify(struct walk *w, struct walk_entry *e, const struct stat *sb)
{
	const struct walk_opts *o;

	o = &w->opts;
	e->sb = *sb;
	e->has_stat = 1;
	if (!S_ISREG(sb->st_mode)) {
		e->kind = WALK_SPECIAL;
		e->what = "special file";
		w->stats.special++;
		return 1;
	}
	if (sb->st_size == 0 && !o->empty) {
		w->stats.empty++;
		return 0;
	}
	if ((uint64_t)sb->st_size < o->min_size ||
	    (uint64_t)sb->st_size > o->max_size) {
		w->stats.filtered++;
		return 0;
	}
	e->kind = WALK_FILE;
	w->stats.files++;
	return 1;
}

/* Start reading the directory at w->dirpath. */
static int
open_dir(struct walk *w, struct walk_entry *e, int is_root)
{
	struct stat	 sb;
	int		 fd, flags;

	flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK;
	if (!is_root && !w->opts.follow_symlinks)
		flags |= O_NOFOLLOW;
	fd = open(w->dirpath.p, flags);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		int	 err = errno;
		int	 has;

		if (fd >= 0)
			close(fd);
		has = lstat(w->dirpath.p, &sb) == 0;
		e->path = w->dirpath.p;
		e->pathlen = w->dirpath.len;
		e->root_idx = w->dir_root;
		return trouble(w, e, "cannot open directory", err,
		    has ? &sb : NULL, 1);
	}
	if (w->opts.one_file_system && sb.st_dev != w->dir_root_dev) {
		close(fd);
		return 0;
	}
	if (!seen_add(w, sb.st_dev, sb.st_ino)) {
		log_debug("directory '%s' seen before", w->dirpath.p);
		close(fd);
		return 0;
	}
	w->dir = fdopendir(fd);
	if (w->dir == NULL) {
		int	 err = errno;

		close(fd);
		e->path = w->dirpath.p;
		e->pathlen = w->dirpath.len;
		e->root_idx = w->dir_root;
		return trouble(w, e, "cannot read directory", err, &sb, 1);
	}
	w->stats.dirs++;
	return 0;
}

/* Begin the next root; returns 1 with *e for a file root or trouble. */
static int
next_root(struct walk *w, struct walk_entry *e)
{
	struct stat	 sb;
	const char	*root;
	int		 idx;

	idx = (int)w->order[w->next_root++];
	root = w->roots[idx];
	buf_reset(&w->path);
	buf_addstr(&w->path, root);
	e->path = w->path.p;
	e->pathlen = w->path.len;
	e->root_idx = idx;
	/* A symlink given on the command line is followed. */
	e->via_link = lstat(root, &sb) == 0 && S_ISLNK(sb.st_mode);
	if (stat(root, &sb) != 0)
		return trouble(w, e, "cannot examine root", errno, NULL, 0);
	if (S_ISDIR(sb.st_mode)) {
		push(w, root, idx, sb.st_dev, 1, e->via_link);
		return 0;
	}
	return classify(w, e, &sb);
}

/* Join the directory being read and name into w->path. */
static void
join(struct walk *w, const char *name)
{
	buf_reset(&w->path);
	buf_add(&w->path, w->dirpath.p, w->dirpath.len);
	if (w->dirpath.len == 0 || w->dirpath.p[w->dirpath.len - 1] != '/')
		buf_addch(&w->path, '/');
	buf_addstr(&w->path, name);
}

/* Examine one directory entry.  Returns 1 when *e is to be reported. */
static int
entry(struct walk *w, struct walk_entry *e, const char *name)
{
	struct stat	 sb;
	int		 fd;

	join(w, name);
	e->path = w->path.p;
	e->pathlen = w->path.len;
	e->root_idx = w->dir_root;
	e->via_link = w->dir_via_link;
	if (!walk_name_passes(&w->opts, w->path.p, name, 0)) {
		w->stats.filtered++;
		return 0;
	}
	fd = dirfd(w->dir);
	if (fstatat(fd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return trouble(w, e, "vanished", errno, NULL, 0);
		return trouble(w, e, "cannot examine", errno, NULL, 0);
	}
	if (S_ISLNK(sb.st_mode)) {
		if (!w->opts.follow_symlinks) {
			w->stats.symlinks++;
			return 0;
		}
		if (fstatat(fd, name, &sb, 0) != 0) {
			/* A dangling link is no file; any other failure
			 * hides one. */
			if (errno != ENOENT)
				return trouble(w, e, "cannot follow symlink",
				    errno, NULL, 0);
			log_verbose("skipping dangling symlink '%s'",
			    w->path.p);
			w->stats.symlinks++;
			return 0;
		}
		e->via_link = 1;
	}
	if (w->opts.one_file_system && sb.st_dev != w->dir_root_dev) {
		w->stats.filtered++;
		return 0;
	}
	if (S_ISDIR(sb.st_mode)) {
		push(w, w->path.p, w->dir_root, w->dir_root_dev, 0,
		    e->via_link);
		return 0;
	}
	return classify(w, e, &sb);
}

int
walk_next(struct walk *w, struct walk_entry *e)
{
	struct dirent	*de;
	struct pending	 p;

	memset(e, 0, sizeof(*e));
	for (;;) {
		if (w->dir != NULL) {
			errno = 0;
			de = readdir(w->dir);
			if (de == NULL) {
				int	 err = errno;

				closedir(w->dir);
				w->dir = NULL;
				if (err != 0) {
					e->path = w->dirpath.p;
					e->pathlen = w->dirpath.len;
					e->root_idx = w->dir_root;
					return trouble(w, e,
					    "cannot read directory", err,
					    NULL, 1);
				}
				continue;
			}
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (entry(w, e, de->d_name))
				return 1;
			continue;
		}
		if (w->nstack > 0) {
			p = w->stack[--w->nstack];
			buf_reset(&w->dirpath);
			buf_addstr(&w->dirpath, p.path);
			w->dir_root = p.root_idx;
			w->dir_root_dev = p.root_dev;
			w->dir_via_link = p.via_link;
			free(p.path);
			if (open_dir(w, e, p.is_root))
				return 1;
			continue;
		}
		if (w->next_root < w->nroots) {
			if (next_root(w, e))
				return 1;
			continue;
		}
		return 0;
	}
}
