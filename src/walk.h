/*
 * walk.h - traversal of the roots: filters, symlink policy, and at most one
 * visit per directory (device + inode), so overlapping roots, a root given
 * twice and symlink loops never yield a file twice through a directory.
 * Files reached by several names (hard links, file roots, followed links)
 * may still come more than once; the caller keeps one entry per inode.
 *
 * Calling sequence: walk_new(), walk_next() until it returns 0, walk_free().
 * No SQL here.  Not thread-safe; one walk per thread.
 */
#ifndef WALK_H
#define WALK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct walk_skip {
	dev_t		 dev;
	ino_t		 ino;
};

struct walk_opts {
	int		 follow_symlinks;
	int		 one_file_system;
	int		 hidden;	/* include names starting with '.' */
	int		 empty;		/* include empty files */
	uint64_t	 min_size;
	uint64_t	 max_size;	/* UINT64_MAX: no limit */
	char *const	*exclude;	/* fnmatch(3) globs */
	size_t		 nexclude;
	const struct walk_skip *skip;	/* directories never entered */
	size_t		 nskip;
};

enum walk_kind {
	WALK_FILE,	/* a regular file that passed the filters */
	WALK_SPECIAL,	/* a FIFO, socket or device: cannot be compared */
	WALK_ERROR	/* an entry that could not be examined; see err */
};

struct walk_entry {
	enum walk_kind	 kind;
	const char	*path;		/* valid until the next walk_next() */
	size_t		 pathlen;
	int		 root_idx;
	int		 has_stat;	/* sb is valid */
	int		 is_dir;	/* for WALK_ERROR: a directory */
	int		 via_link;	/* reached through a symlink */
	struct stat	 sb;
	int		 err;		/* errno, for WALK_ERROR */
	const char	*what;		/* what failed, for WALK_ERROR */
};

struct walk_stats {
	uint64_t	 files;
	uint64_t	 dirs;
	uint64_t	 symlinks;	/* not followed, or dangling */
	uint64_t	 filtered;	/* excluded, hidden, size limits */
	uint64_t	 empty;		/* empty files left out */
	uint64_t	 errors;
	uint64_t	 special;
};

struct walk;

/* roots are copied.  Returns NULL (logged) only on bad options. */
struct walk	*walk_new(const struct walk_opts *, char *const *, size_t);
/* 1 with *e filled, 0 when done. */
int		 walk_next(struct walk *, struct walk_entry *);
const struct walk_stats *walk_stats(const struct walk *);
void		 walk_free(struct walk *);

/* Whether the walk would keep a name (hidden and exclude filters). */
int		 walk_name_passes(const struct walk_opts *, const char *,
		    const char *, int);

#endif /* WALK_H */
