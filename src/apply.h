/*
 * apply.h - act on duplicate groups: keep one copy (or the protected
 * ones) and move the others into a backup directory or replace them by
 * links; undo all of it.
 *
 * Calling sequence: apply_plan() records one action per redundant name
 * (or prints the plan with dry_run); apply_run() carries the recorded
 * actions out, also those an interrupted run left half done; apply_undo()
 * takes them back.  Every step is journaled in its action row, committed
 * to disk before and after the file system is touched.  Only the writer
 * thread calls these.
 */
#ifndef APPLY_H
#define APPLY_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

struct roo_op;

enum apply_kind {
	APPLY_REMOVE,		/* move into the backup dir (or delete) */
	APPLY_HARDLINK,
	APPLY_SYMLINK,
	APPLY_REFLINK		/* share extents (FIDEDUPERANGE) */
};

enum keep_rule {
	KEEP_FIRST,		/* the root given first, then path order */
	KEEP_OLDEST,
	KEEP_NEWEST,
	KEEP_SHORTEST		/* the shortest path */
};

struct apply_opts {
	enum apply_kind	 kind;
	enum keep_rule	 keep;
	char		**keep_paths;	/* absolute, resolved */
	size_t		 nkeep_paths;
	char		*backup_dir;	/* absolute, resolved; NULL: none */
	int		 dry_run;
	volatile sig_atomic_t *stop;
};

struct apply_stats {
	uint64_t	 done;
	uint64_t	 skipped;
	uint64_t	 failed;
	uint64_t	 reclaimed;	/* bytes */
	uint64_t	 restored;	/* undo */
	uint64_t	 refused;	/* undo: the path holds other content */
};

enum apply_rc {
	APPLY_DONE = 0,
	APPLY_FAILED = -1,
	APPLY_INTERRUPTED = 1
};

int		 apply_kind_parse(const char *, enum apply_kind *);
const char	*apply_kind_name(enum apply_kind);
int		 keep_rule_parse(const char *, enum keep_rule *);
const char	*keep_rule_name(enum keep_rule);

/* The options as the JSON stored with the operation, and back. */
int		 apply_opts_json(struct roo_op *, const struct apply_opts *,
		    char **);
int		 apply_opts_load(struct roo_op *, struct apply_opts *);
void		 apply_opts_release(struct apply_opts *);

/*
 * Choose what to keep in every group and record an action for each other
 * name, in one checkpoint; with dry_run print the plan on fp instead
 * ("keep PATH" or "<action> PATH" lines, groups separated by a blank
 * line) and change nothing.  Returns 0 or -1.
 */
int		 apply_plan(struct roo_op *, const struct apply_opts *, FILE *);
/* Returns an enum apply_rc. */
int		 apply_run(struct roo_op *, const struct apply_opts *,
		    struct apply_stats *);
int		 apply_undo(struct roo_op *, volatile sig_atomic_t *,
		    struct apply_stats *);

#endif /* APPLY_H */
