/*
 * pool.h - worker threads that hash files, and the queues between them and
 * the single thread that writes the database.
 *
 * Calling sequence (all from one thread, the writer): pool_new(); any mix
 * of pool_submit() and pool_take(); pool_free().  A job belongs to the pool
 * from pool_submit() until pool_take() hands it back done.  Workers never
 * touch SQLite; they only open, check and read files.
 */
#ifndef POOL_H
#define POOL_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "hash.h"

enum job_kind {
	JOB_PREFIX,		/* the first HASH_PREFIX_LEN bytes (all of a
				   file up to HASH_WHOLE_MAX) */
	JOB_FULL		/* the whole file */
};

enum job_status {
	JOB_OK,
	JOB_ERROR,		/* cannot open or read; err says why */
	JOB_VANISHED,		/* no longer there */
	JOB_CHANGED,		/* not the file walked, or changed as read */
	JOB_STOPPED		/* interrupted before it finished */
};

struct job {
	/* Filled by the submitter. */
	int64_t		 file_id;
	char		*path;		/* freed by job_free() */
	enum job_kind	 kind;
	dev_t		 dev;
	ino_t		 ino;
	uint64_t	 size;
	int64_t		 mtime;		/* nanoseconds */
	int64_t		 ctime;
	void		*data;		/* for the submitter */

	/* Filled by the worker. */
	enum job_status	 status;
	int		 err;
	unsigned char	 hash[HASH_LEN];	/* JOB_PREFIX: of the prefix */
	unsigned char	 full[HASH_LEN];	/* JOB_PREFIX when whole */
	int		 whole;		/* a JOB_PREFIX read the whole file */
	uint64_t	 nread;

	struct job	*next;
};

struct pool;

/* Start n workers; they stop reading files once *stop is nonzero. */
struct pool	*pool_new(int, const volatile sig_atomic_t *);
/* Join the workers.  Jobs still queued are freed. */
void		 pool_free(struct pool *);

/* Queue a job; returns -1 when the pool is full (take results first). */
int		 pool_submit(struct pool *, struct job *);
/*
 * A finished job, or NULL when none is in flight.  Waits for one when
 * wait is set and some are in flight; otherwise returns NULL at once.
 */
struct job	*pool_take(struct pool *, int);
/* Jobs submitted and not yet taken back. */
int		 pool_in_flight(const struct pool *);
int		 pool_full(const struct pool *);

void		 job_free(struct job *);

/* Hash one job in the calling thread (for tests and single-thread use). */
void		 job_run(struct job *, struct hasher *,
		    const volatile sig_atomic_t *);

/* Number of online processors, at least 1. */
int		 pool_cores(void);

#endif /* POOL_H */
