/*
 * roocode.h - track a long file operation in a SQLite state database so
 * that it can be stopped at any instant and resumed without losing work.
 *
 * The state lives in DIR/.roocode/state.db.  An operation records files
 * and their results; every `checkpoint_interval` results (or on
 * roo_op_checkpoint()) the results, their log entries and a checkpoint row,
 * whose SHA-256 digest chains to the previous one, commit in one
 * transaction.  roo-duplicates itself is built on these calls.
 *
 * Calling sequence:
 *	roo_open(dir, &db);
 *	roo_op_start(db, &params, &op);	   or roo_op_resume(db, id, &op)
 *	roo_op_set_total(op, files, bytes);
 *	roo_op_file_result(op, &r);	   any number of times
 *	roo_op_group_result(op, ...);	   any number of times
 *	roo_op_complete(op, ROO_COMPLETED);
 *	roo_op_free(op);
 *	roo_close(db);
 *
 * Functions return 0 on success and -1 on failure, after writing one
 * message to stderr.  A struct roo_db and its operations belong to one
 * thread.  Strings returned are owned by the library and live as long as
 * the object they came from.
 */
#ifndef ROOCODE_H
#define ROOCODE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ROO_HASH_LEN	32

struct roo_db;
struct roo_op;

enum roo_state {
	ROO_RUNNING,
	ROO_INTERRUPTED,
	ROO_COMPLETED,
	ROO_FAILED,
	ROO_CANCELLED
};

/* What became of one file. */
enum roo_file_status {
	ROO_FILE_UNIQUE,	/* settled; no other file can equal it */
	ROO_FILE_HASHED,	/* settled with a full SHA-256 */
	ROO_FILE_ERROR,		/* could not be read */
	ROO_FILE_VANISHED,	/* disappeared */
	ROO_FILE_CHANGED,	/* changed while being read */
	ROO_FILE_SPECIAL	/* not a regular file */
};

struct roo_op_params {
	const char *const *roots;	/* recorded with the operation */
	size_t		 nroots;
	const char	*options_json;	/* any JSON object, or NULL */
	int		 checkpoint_interval;	/* results per checkpoint */
	int		 detailed_log;	/* one log entry per file result */
};

struct roo_file_result {
	const char	*path;		/* the file; it is stat'ed */
	enum roo_file_status status;
	const unsigned char *hash;	/* ROO_HASH_LEN bytes, or NULL */
	const char	*error;		/* for the trouble statuses */
	uint64_t	 bytes_read;
};

struct roo_status {
	char		 id[64];
	char		 state[16];	/* as list shows it: a dead running
					 * operation is "interrupted" */
	char		 phase[16];
	int64_t		 start_time_ns;
	int64_t		 update_time_ns;
	int64_t		 end_time_ns;	/* 0 while unfinished */
	uint64_t	 total_files;
	uint64_t	 processed_files;
	uint64_t	 total_bytes;
	uint64_t	 processed_bytes;
	uint64_t	 bytes_read;
	uint64_t	 checkpoints;
	uint64_t	 errors;
	int		 runs;		/* 1 + number of resumes */
};

struct roo_summary {
	uint64_t	 files;
	uint64_t	 bytes;
	uint64_t	 groups;
	uint64_t	 redundant_files;
	uint64_t	 reclaimable_bytes;
	uint64_t	 errors;
	uint64_t	 bytes_read;
	uint64_t	 reused;
	uint64_t	 applied_files;	/* by an apply */
	uint64_t	 skipped_files;
	uint64_t	 reclaimed_bytes;
};

int	 roo_open(const char *, struct roo_db **);
void	 roo_close(struct roo_db *);

int	 roo_op_start(struct roo_db *, const struct roo_op_params *,
	    struct roo_op **);
/* Take over an interrupted operation; refuses a running one. */
int	 roo_op_resume(struct roo_db *, const char *, struct roo_op **);
const char *roo_op_id(const struct roo_op *);
int	 roo_op_set_total(struct roo_op *, uint64_t, uint64_t);
int	 roo_op_file_result(struct roo_op *, const struct roo_file_result *);
/* A group of n files (paths recorded by roo_op_file_result) of one
 * size and hash. */
int	 roo_op_group_result(struct roo_op *, uint64_t, const unsigned char *,
	    const char *const *, size_t);
int	 roo_op_checkpoint(struct roo_op *);
int	 roo_op_complete(struct roo_op *, enum roo_state);
/* Release the operation (and its lock) without changing its state. */
void	 roo_op_free(struct roo_op *);

/* Return 1 and fill *s, 0 when there is no such operation, -1 on error. */
int	 roo_op_status(struct roo_db *, const char *, struct roo_status *);
int	 roo_op_summary(struct roo_db *, const char *, struct roo_summary *);

#ifdef __cplusplus
}
#endif

#endif /* ROOCODE_H */
