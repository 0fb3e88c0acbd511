/*
 * tracker.h - operations, checkpoints, file results and the operation log,
 * on top of store.  The public subset is roocode.h.
 *
 * Calling sequence for a run:
 *	tracker_open(dir, &db)
 *	tracker_op_start(db, &start, &op)  or  tracker_op_take(db, id, &op)
 *	tracker_stage_begin(op); tracker_stage_add(op, e)...;
 *	    tracker_stage_apply(op, ...)	the walk, one checkpoint
 *	tracker_set_phase(op, p); tracker_result(op, &r)...; tracker_page()
 *	    ...				results, a checkpoint every interval
 *	tracker_build_groups(op)
 *	tracker_finish(op, "completed")
 *	roo_op_free(op); roo_close(db)
 *
 * A checkpoint is one transaction: the buffered results, their log rows,
 * the operation's counters and the checkpoint row with its chained digest
 * commit together or not at all.  Nothing here is thread-safe: only the
 * writer thread calls it.
 */
#ifndef TRACKER_H
#define TRACKER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hash.h"
#include "roocode.h"
#include "util.h"

struct store;
struct walk_entry;

enum phase {
	PHASE_WALK,
	PHASE_SIZE,
	PHASE_PREFIX,
	PHASE_FULL,
	PHASE_GROUP,
	PHASE_DONE,
	PHASE_APPLY,
	PHASE_UNDO
};

const char	*phase_name(enum phase);
int		 phase_parse(const char *, enum phase *);
const char	*file_status_name(enum roo_file_status);

struct roo_db {
	char		*dir;		/* the state directory, absolute */
	char		*dot;		/* dir/.roocode */
	char		*db_path;
	struct store	*st;
	struct hasher	*h;		/* for digests */
	char		*quarantined;	/* where a damaged database went */
};

struct op_counters {
	uint64_t	 total_files;
	uint64_t	 total_bytes;
	uint64_t	 processed_files;
	uint64_t	 processed_bytes;
	uint64_t	 bytes_read;
	uint64_t	 errors;
};

enum result_kind {
	RESULT_PREFIX,		/* a prefix hash, the file stays pending */
	RESULT_SETTLE		/* the file's final result */
};

struct result {
	enum result_kind	 kind;
	int64_t			 file_id;
	uint64_t		 size;
	enum roo_file_status	 status;	/* RESULT_SETTLE */
	const char		*operation;	/* log: "analyzed", "hashed" */
	int			 has_prefix;
	int			 has_full;
	unsigned char		 prefix[HASH_LEN];
	unsigned char		 full[HASH_LEN];
	const char		*error;		/* copied */
	uint64_t		 bytes_read;
	int64_t			 time;		/* set by tracker_result */
};

/* The first value of every log digest (see log_digest()). */
#define LOG_DIGEST_TAG	"roocode-log-1"

struct roo_op {
	struct roo_db	*db;
	int64_t		 key;
	char		 id[64];
	int		 lockfd;
	char		 state[16];
	enum phase	 phase;
	char		 apply_state[16];
	char		*apply_options;	/* JSON, or NULL */
	char		*cwd;
	char		**roots;
	size_t		 nroots;
	char		*options;	/* JSON */
	int		 interval;
	int		 detailed;
	int		 reuse;		/* hashes of earlier operations */
	int		 runs;
	int		 archived;
	int64_t		 start_time;

	int64_t		 seq;		/* last committed checkpoint */
	unsigned char	 digest[HASH_LEN];
	struct op_counters c;
	uint64_t	 run_bytes_read;	/* by this process */

	/* The checkpoint being built. */
	int		 in_txn;
	int64_t		 txn_seq;
	struct op_counters txn_saved;
	struct result	*res;
	size_t		 nres;
	size_t		 nsettled;	/* of nres, final results */
	size_t		 capres;
	int64_t		 bulk_results;
	uint64_t	 pending_bytes;	/* read for results not committed */
	/* The digest of the log rows of the checkpoint being built, kept
	 * as they are inserted one by one; a statement that inserts many
	 * sets log_bulk and the digest is then read back from the rows. */
	struct hasher	*logh;
	int64_t		 log_n;
	int		 log_bulk;
};

struct tracker_start {
	char *const	*roots;
	size_t		 nroots;
	const char	*cwd;
	const char	*options;	/* JSON object */
	int		 interval;
	int		 detailed;
	int		 reuse;
};

/*
 * Open the state directory's database.  With create unset, a directory
 * without one is left alone and 1 is returned.  0 on success, -1 on
 * error.
 */
int		 tracker_open(const char *, int, struct roo_db **);
struct store	*tracker_store(struct roo_db *);

int		 tracker_op_start(struct roo_db *, const struct tracker_start *,
		    struct roo_op **);
/*
 * Load an operation.  With lock set, take its lock too, failing when
 * another process holds it.  Returns 1 with *op, 0 when there is no such
 * operation, -1 on error (logged; *busy set when it is locked).
 */
int		 tracker_op_load(struct roo_db *, const char *, int,
		    struct roo_op **, int *);
/* Mark a loaded, locked operation as running again (a resume). */
int		 tracker_op_claim(struct roo_op *);
/* Whether a live process holds the operation's lock. */
int		 tracker_lock_held(struct roo_db *, const char *);

/* The options of a find as the JSON object stored with it. */
struct walk_opts;
int		 tracker_options_json(struct roo_db *, const struct walk_opts *,
		    int, int, int, char **);
/* Options stored with the operation (JSON paths like "$.minSize"). */
int		 tracker_opt_int(struct roo_op *, const char *, int64_t *);
int		 tracker_opt_list(struct roo_op *, const char *, char ***,
		    size_t *);

int		 tracker_result(struct roo_op *, const struct result *);
int		 tracker_commit(struct roo_op *);
int		 tracker_set_phase(struct roo_op *, enum phase);
/* Log a STATE entry (details: JSON or NULL) in the next checkpoint. */
int		 tracker_state_log(struct roo_op *, const char *,
		    const char *);
/* The last checkpoint: state becomes completed, interrupted, failed. */
int		 tracker_finish(struct roo_op *, const char *);

/* The walk: rows are staged, then applied in one checkpoint. */
struct stage_stats {
	int64_t		 changed;	/* files whose results were dropped */
	int64_t		 vanished;
	int64_t		 added;
	int64_t		 reopened;	/* settled files looked at again */
	int64_t		 reused;	/* files given earlier hashes */
};
int		 tracker_stage_begin(struct roo_op *);
int		 tracker_stage_add(struct roo_op *, const struct walk_entry *);
void		 tracker_stage_abort(struct roo_op *);
int		 tracker_stage_apply(struct roo_op *, int,
		    struct stage_stats *);

/* Pages of file rows, read by the phases in size order. */
enum page_kind {
	PAGE_SIZE,		/* live files, id, size, status */
	PAGE_PREFIX,		/* pending without a prefix hash */
	PAGE_FULL,		/* pending and hashed */
	PAGE_FULL_CLASS		/* PAGE_FULL of one size (after_size) */
};

struct frow {
	int64_t		 id;
	uint64_t	 size;
	enum roo_file_status status;
	int		 pending;
	char		*path;
	size_t		 pathlen;
	dev_t		 dev;
	ino_t		 ino;
	int64_t		 mtime;
	int64_t		 ctime;
	int		 has_prefix;
	int		 has_full;
	unsigned char	 prefix[HASH_LEN];
	unsigned char	 full[HASH_LEN];
};

struct fpage {
	struct frow	*rows;
	size_t		 n;
	size_t		 cap;
};

int		 tracker_page(struct roo_op *, enum page_kind, uint64_t,
		    int64_t, size_t, struct fpage *);
void		 fpage_reset(struct fpage *);
void		 fpage_release(struct fpage *);
/* Files (and bytes to read) still to be done by a phase. */
int		 tracker_todo(struct roo_op *, enum phase, uint64_t *,
		    uint64_t *);

int		 tracker_build_groups(struct roo_op *);

/*
 * A checkpoint around another module's writes (apply): tracker_begin()
 * opens its transaction (after committing pending results),
 * tracker_ckpt() is the seq rows should carry, tracker_end() commits it
 * with its digest, tracker_abort() rolls it back.
 */
int		 tracker_begin(struct roo_op *);
int64_t		 tracker_ckpt(const struct roo_op *);
int		 tracker_end(struct roo_op *);
void		 tracker_abort(struct roo_op *);
/* An OPERATION entry about a path (an apply step), in the open
 * checkpoint. */
int		 tracker_log_path(struct roo_op *, const char *, const char *,
		    size_t, int64_t, const char *);
/* Make every commit reach the disk before returning (apply), or not. */
int		 tracker_durable(struct roo_op *, int);

/*
 * Integrity (verify.c).  tracker_verify() checks one operation: its
 * checkpoint chain, counters and groups.  Returns 0 when sound, 1 when
 * damaged (problems appended to *msgs, one per line; *from gets the first
 * damaged checkpoint, or 0 when the chain is sound), 2 when there is no
 * such operation, -1 on error.
 */
int		 tracker_verify(struct roo_db *, const char *, struct buf *,
		    int64_t *);
/* Move checkpoints from seq on aside as JSON and roll the operation back
 * to the one before.  *saved gets the JSON file's path. */
int		 tracker_repair(struct roo_op *, int64_t, char **);
int		 tracker_recount(struct roo_op *);
/* Rewrite the operation row's counters from the rows. */
int		 tracker_recount_fix(struct roo_op *);
/* Every operation id, oldest first (caller frees). */
int		 tracker_op_ids(struct roo_db *, char ***, size_t *);

/* Backfilling (backfill.c). */
int		 tracker_backfill(struct roo_db *, int64_t, uint64_t *);
int		 tracker_log_sync(struct roo_db *, int64_t, const char *,
		    uint64_t *);

/* Serialize one typed value into a digest (shared with verify.c). */
enum dval { DV_NULL, DV_INT, DV_TEXT, DV_BLOB };
void		 digest_value(struct hasher *, enum dval, int64_t,
		    const void *, size_t);
void		 checkpoint_digest(struct hasher *, const char *,
		    const unsigned char *, int64_t, int64_t, const char *,
		    int64_t, int64_t, int64_t, int64_t,
		    const unsigned char *, unsigned char *);
/* Digest and count of a checkpoint's non-backfilled log rows. */
int		 log_digest(struct roo_db *, int64_t, int64_t,
		    unsigned char *, int64_t *);

#endif /* TRACKER_H */
