/*
 * scan.h - the find pipeline: walk, size classes, prefix hashes, full
 * hashes, groups.
 *
 * scan_run() takes an operation from wherever it stands (a new one, or
 * one being resumed) to completed or interrupted.  Every phase reads its
 * work from the database in size order and records results through the
 * tracker, so stopping at any point loses at most the results not yet
 * checkpointed.
 */
#ifndef SCAN_H
#define SCAN_H

#include <signal.h>
#include <stdint.h>

#include "walk.h"

struct roo_op;

struct scan_opts {
	struct walk_opts	 walk;
	int			 jobs;
	const char		*skip_dir;	/* never walked (backups) */
	/* Set by the signal handler; the scan stops soon after. */
	volatile sig_atomic_t	*stop;
	/* Test hooks: behave as if interrupted, or stop the process with
	 * SIGSTOP, after this many results. */
	uint64_t		 stop_after;
	uint64_t		 pause_after;
	uint64_t		 pause_bytes;	/* ... after this much read */
};

enum scan_rc {
	SCAN_DONE = 0,
	SCAN_FAILED = -1,
	SCAN_INTERRUPTED = 1
};

int	scan_run(struct roo_op *, const struct scan_opts *);

#endif /* SCAN_H */
