/*
 * tracker.c - operations, their checkpoints and results.
 *
 * Invariants:
 * - Every write of an operation's data happens inside a checkpoint
 *   transaction (txn_begin ... txn_end).  Rows it writes carry the
 *   checkpoint's seq, so a damaged checkpoint can be rolled back.
 * - Checkpoint seq n's digest is SHA-256 over digest n-1, the checkpoint's
 *   fields and the digest of its non-backfilled log rows, read back from
 *   the database before the row is written, so it covers what is stored.
 * - The operation row's counters change only in the transaction of a
 *   checkpoint, so they always match the committed rows.
 * - A process works on an operation only while it holds the operation's
 *   lock file (flock), which the kernel drops when the process dies: that
 *   is how a dead "running" operation is told from a live one.
 */
#include "config.h"

#include "tracker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "walk.h"

/* Bytes read for results not yet committed that force a checkpoint. */
#define CHECKPOINT_BYTES	(64ULL << 20)

static const char *const phase_names[] = {
	"walk", "size", "prefix", "full", "group", "done", "apply", "undo"
};

static const char *const status_names[] = {
	"unique", "hashed", "error", "vanished", "changed", "special"
};

const char *
phase_name(enum phase p)
{
	return phase_names[p];
}

int
phase_parse(const char *s, enum phase *p)
{
	size_t	 i;

	for (i = 0; i < sizeof(phase_names) / sizeof(phase_names[0]); i++)
		if (s != NULL && strcmp(s, phase_names[i]) == 0) {
			*p = (enum phase)i;
			return 0;
		}
	return -1;
}

const char *
file_status_name(enum roo_file_status s)
{
	return status_names[s];
}

static int
status_parse(const char *s, enum roo_file_status *out, int *pending)
{
	size_t	 i;

	*pending = s != NULL && strcmp(s, "pending") == 0;
	if (*pending) {
		*out = ROO_FILE_UNIQUE;
		return 0;
	}
	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (s != NULL && strcmp(s, status_names[i]) == 0) {
			*out = (enum roo_file_status)i;
			return 0;
		}
	return -1;
}

static int
mkdir_p(const char *path)
{
	char	*p, *s;
	int	 rc;

	p = xstrdup(path);
	rc = 0;
	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		int last = *s == '\0';
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			rc = error("cannot create directory '%s': %s", p,
			    strerror(errno));
		if (last)
			break;
		*s = '/';
	}
	free(p);
	return rc;
}

/*
 * When an earlier command saw SQLite report damage, check the whole
 * database now.  Returns 1 when it is damaged, 0 when not (the mark is
 * then removed), -1 on error.
 */
static int
damage_marked(struct roo_db *db)
{
	struct stat	 sb;
	char		*mark, *msg;
	int		 rc;

	mark = xasprintf("%s/DAMAGED", db->dot);
	rc = 0;
	if (stat(mark, &sb) == 0) {
		rc = store_quick_check(db->st, &msg);
		if (rc > 0)
			log_error("the state database is damaged: %s", msg);
		free(msg);
		(void)unlink(mark);
	}
	free(mark);
	return rc;
}

int
tracker_open(const char *dir, int create, struct roo_db **out)
{
	static const char *const subdirs[] = {
		"logs", "locks", "checkpoints/corrupted",
		"checkpoints/completed"
	};
	struct roo_db	*db;
	char		*sub, *moved, *corrupted;
	size_t		 i;
	int		 rc;

	db = xcalloc(1, sizeof(*db));
	if (!create) {
		struct stat	 sb;
		char		*p = xasprintf("%s/.roocode/state.db", dir);

		rc = stat(p, &sb);
		free(p);
		if (rc != 0) {
			roo_close(db);
			return 1;
		}
	}
	if (mkdir_p(dir) != 0) {
		rc = -1;
		goto out;
	}
	db->dir = realpath(dir, NULL);
	if (db->dir == NULL) {
		rc = error("cannot resolve state directory '%s': %s", dir,
		    strerror(errno));
		goto out;
	}
	db->dot = xasprintf("%s/.roocode", db->dir);
	for (i = 0, rc = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		sub = xasprintf("%s/%s", db->dot, subdirs[i]);
		if (rc == 0)
			rc = mkdir_p(sub);
		free(sub);
	}
	if (rc != 0)
		goto out;
	db->db_path = xasprintf("%s/state.db", db->dot);
	db->h = hasher_new();

	rc = store_open(db->db_path, &db->st);
	if (rc == 0 && damage_marked(db) > 0) {
		store_close(db->st);
		db->st = NULL;
		rc = STORE_CORRUPT;
	}
	if (rc == STORE_CORRUPT) {
		/* Never delete damaged state: move it aside and start anew. */
		corrupted = xasprintf("%s/checkpoints/corrupted", db->dot);
		rc = store_quarantine(db->db_path, corrupted, &moved);
		if (rc == 0) {
			log_error("the state database '%s' is not readable; "
			    "moved it to '%s' and started a fresh one",
			    db->db_path, moved);
			rc = store_open(db->db_path, &db->st);
			db->quarantined = moved;
			moved = NULL;
		}
		free(moved);
		free(corrupted);
	}
out:
	if (rc != 0) {
		roo_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

int
roo_open(const char *dir, struct roo_db **out)
{
	return tracker_open(dir, 1, out);
}

void
roo_close(struct roo_db *db)
{
	char	*mark;
	int	 fd;

	if (db == NULL)
		return;
	/* SQLite saw damage: the next open checks the whole database. */
	if (db->st != NULL && store_corrupt(db->st)) {
		mark = xasprintf("%s/DAMAGED", db->dot);
		fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
		free(mark);
	}
	store_close(db->st);
	hasher_free(db->h);
	free(db->quarantined);
	free(db->dir);
	free(db->dot);
	free(db->db_path);
	free(db);
}

struct store *
tracker_store(struct roo_db *db)
{
	return db->st;
}

static char *
lock_path(struct roo_db *db, const char *id)
{
	return xasprintf("%s/locks/%s.lock", db->dot, id);
}

/*
 * Take the operation's lock.  Returns the fd, -1 on error, -2 when held.
 * The lock file is removed when the operation ends; a process that locked
 * a file unlinked meanwhile sees that the path names another inode (or
 * none) and tries again, so two processes never both hold the lock.
 */
static int
lock_take(struct roo_db *db, const char *id)
{
	struct stat	 a, b;
	char		*path;
	char		 pid[32];
	int		 fd, tries;

	path = lock_path(db, id);
	fd = -1;
	for (tries = 0; tries < 100; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			error("cannot open lock file '%s': %s", path,
			    strerror(errno));
			break;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int held = errno == EWOULDBLOCK;

			if (!held)
				error("cannot lock '%s': %s", path,
				    strerror(errno));
			close(fd);
			free(path);
			return held ? -2 : -1;
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			break;
		close(fd);
		fd = -1;
	}
	if (fd >= 0) {
		snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		if (ftruncate(fd, 0) == 0 && write(fd, pid, strlen(pid)) < 0)
			log_debug("cannot write pid to '%s'", path);
	}
	free(path);
	return fd;
}

/* Remove the lock file of an operation that ended, while holding it. */
static void
lock_drop(struct roo_op *op)
{
	char	*path;

	if (op->lockfd < 0)
		return;
	path = lock_path(op->db, op->id);
	if (unlink(path) != 0 && errno != ENOENT)
		log_debug("cannot remove '%s': %s", path, strerror(errno));
	free(path);
}

int
tracker_lock_held(struct roo_db *db, const char *id)
{
	char	*path;
	int	 fd, held;

	path = lock_path(db, id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

static struct roo_op *
op_new(struct roo_db *db)
{
	struct roo_op	*op;

	op = xcalloc(1, sizeof(*op));
	op->db = db;
	op->lockfd = -1;
	op->interval = 10;
	op->detailed = 1;
	return op;
}

void
roo_op_free(struct roo_op *op)
{
	size_t	 i;

	if (op == NULL)
		return;
	if (op->in_txn)
		store_rollback(op->db->st);
	/* An operation that ended needs no lock file any more. */
	if (strcmp(op->state, "completed") == 0 ||
	    strcmp(op->state, "failed") == 0 ||
	    strcmp(op->state, "cancelled") == 0)
		lock_drop(op);
	if (op->lockfd >= 0)
		close(op->lockfd);
	for (i = 0; i < op->nroots; i++)
		free(op->roots[i]);
	free(op->roots);
	free(op->cwd);
	free(op->options);
	free(op->apply_options);
	for (i = 0; i < op->nres; i++)
		free((char *)op->res[i].error);
	free(op->res);
	if (op->logh != NULL)
		hasher_free(op->logh);
	free(op);
}

const char *
roo_op_id(const struct roo_op *op)
{
	return op->id;
}

void
digest_value(struct hasher *h, enum dval t, int64_t i, const void *p,
    size_t n)
{
	unsigned char	 b[9];
	uint64_t	 v;
	int		 k;

	b[0] = (unsigned char)t;
	v = t == DV_INT ? (uint64_t)i : (uint64_t)n;
	for (k = 0; k < 8; k++)
		b[1 + k] = (unsigned char)(v >> (56 - 8 * k));
	hasher_update(h, b, t == DV_NULL ? 1 : 9);
	if ((t == DV_TEXT || t == DV_BLOB) && n > 0)
		hasher_update(h, p, n);
}

void
checkpoint_digest(struct hasher *h, const char *opid,
    const unsigned char *prev, int64_t seq, int64_t time, const char *phase,
    int64_t files, int64_t bytes, int64_t results, int64_t log_count,
    const unsigned char *log_dig, unsigned char *out)
{
	hasher_begin(h);
	digest_value(h, DV_TEXT, 0, "roocode-checkpoint-1", 20);
	digest_value(h, DV_TEXT, 0, opid, strlen(opid));
	if (prev != NULL)
		digest_value(h, DV_BLOB, 0, prev, HASH_LEN);
	else
		digest_value(h, DV_NULL, 0, NULL, 0);
	digest_value(h, DV_INT, seq, NULL, 0);
	digest_value(h, DV_INT, time, NULL, 0);
	digest_value(h, DV_TEXT, 0, phase, strlen(phase));
	digest_value(h, DV_INT, files, NULL, 0);
	digest_value(h, DV_INT, bytes, NULL, 0);
	digest_value(h, DV_INT, results, NULL, 0);
	digest_value(h, DV_INT, log_count, NULL, 0);
	digest_value(h, DV_BLOB, 0, log_dig, HASH_LEN);
	hasher_end(h, out);
}

/* Feed column i of the current row into the digest, with its type. */
static void
digest_column(struct hasher *h, struct store_cur *c, int i, int is_text)
{
	const void	*p;
	size_t		 n;

	if (store_isnull(c, i)) {
		digest_value(h, DV_NULL, 0, NULL, 0);
		return;
	}
	if (is_text < 0) {
		digest_value(h, DV_INT, store_int(c, i), NULL, 0);
		return;
	}
	p = store_blob(c, i, &n);
	digest_value(h, is_text ? DV_TEXT : DV_BLOB, 0, p, n);
}

int
log_digest(struct roo_db *db, int64_t key, int64_t seq, unsigned char *out,
    int64_t *count)
{
	/* id ckpt time type operation file_id group_seq path size hash
	 * details: -1 integer, 1 text, 0 blob. */
	static const int kinds[] = { -1, -1, -1, 1, 1, -1, -1, 0, -1, 0, 1 };
	struct store_cur c;
	struct hasher	*h;
	int		 rc, i;

	h = db->h;
	*count = 0;
	if (store_query(db->st, &c, SQL_TRACKER_LOG_OF_CKPT, "ii", key,
	    seq) != 0)
		return -1;
	hasher_begin(h);
	digest_value(h, DV_TEXT, 0, LOG_DIGEST_TAG, strlen(LOG_DIGEST_TAG));
	while ((rc = store_next(&c)) == 1) {
		for (i = 0; i < 11; i++)
			digest_column(h, &c, i, kinds[i]);
		(*count)++;
	}
	store_done(&c);
	hasher_end(h, out);
	return rc < 0 ? -1 : 0;
}

/* Start building the next checkpoint in the open transaction. */
static void
txn_open(struct roo_op *op)
{
	op->in_txn = 1;
	op->txn_seq = op->seq + 1;
	op->txn_saved = op->c;
	op->bulk_results = 0;
	if (op->logh == NULL)
		op->logh = hasher_new();
	hasher_begin(op->logh);
	digest_value(op->logh, DV_TEXT, 0, LOG_DIGEST_TAG,
	    strlen(LOG_DIGEST_TAG));
	op->log_n = 0;
	op->log_bulk = 0;
}

static int
txn_begin(struct roo_op *op)
{
	if (op->in_txn)
		return 0;
	if (store_begin(op->db->st) != 0)
		return -1;
	txn_open(op);
	return 0;
}

static void
txn_abort(struct roo_op *op)
{
	store_rollback(op->db->st);
	op->in_txn = 0;
	op->c = op->txn_saved;
}

static void
digest_int_or_null(struct hasher *h, int has, int64_t v)
{
	if (has)
		digest_value(h, DV_INT, v, NULL, 0);
	else
		digest_value(h, DV_NULL, 0, NULL, 0);
}

static void
digest_bytes_or_null(struct hasher *h, enum dval t, const void *p,
    size_t n)
{
	if (p != NULL)
		digest_value(h, t, 0, p, n);
	else
		digest_value(h, DV_NULL, 0, NULL, 0);
}

/*
 * Insert one log row of the checkpoint being built (file_id and group 0,
 * size -1: none) and feed it to the checkpoint's log digest as
 * log_digest() would read it back: the columns of log_of_ckpt, in order.
 */
static int
log_row(struct roo_op *op, int64_t time, const char *type,
    const char *operation, int64_t file_id, int64_t group, const void *path,
    size_t pathlen, int64_t size, const unsigned char *hash,
    const char *details)
{
	struct hasher	*h;

	if (store_exec(op->db->st, SQL_TRACKER_LOG_INSERT, "iiittiibiht",
	    op->key, op->txn_seq, time, type, operation, file_id, group,
	    path, pathlen, size, hash, details) != 0)
		return -1;
	h = op->logh;
	digest_value(h, DV_INT, store_last_rowid(op->db->st), NULL, 0);
	digest_value(h, DV_INT, op->txn_seq, NULL, 0);
	digest_value(h, DV_INT, time, NULL, 0);
	digest_value(h, DV_TEXT, 0, type, strlen(type));
	digest_value(h, DV_TEXT, 0, operation, strlen(operation));
	digest_int_or_null(h, file_id != 0, file_id);
	digest_int_or_null(h, group != 0, group);
	digest_bytes_or_null(h, DV_BLOB, path, pathlen);
	digest_int_or_null(h, size >= 0, size);
	digest_bytes_or_null(h, DV_BLOB, hash, HASH_LEN);
	digest_bytes_or_null(h, DV_TEXT, details,
	    details != NULL ? strlen(details) : 0);
	op->log_n++;
	return 0;
}

static int
log_insert(struct roo_op *op, int64_t time, const char *type,
    const char *operation, int64_t file_id, int64_t group, int64_t size,
    const unsigned char *hash, const char *details)
{
	return log_row(op, time, type, operation, file_id, group, NULL, 0,
	    size, hash, details);
}

/*
 * Write one buffered result: its file row and its log entry.
 * XXX(#6): two statements per file on the one writing thread bound the
 * speed on trees of small files (about 10 us a file here).
 */
static int
result_write(struct roo_op *op, const struct result *r)
{
	struct store	*st;
	char		 hex[2 * HASH_LEN + 1];
	char		*details;
	int		 trouble, rc;

	st = op->db->st;
	if (r->kind == RESULT_PREFIX)
		return store_exec(st, SQL_TRACKER_FILE_PREFIX, "ihhi",
		    r->file_id, r->prefix, r->has_full ? r->full : NULL,
		    op->txn_seq);

	if (store_exec(st, SQL_TRACKER_FILE_SETTLE, "ithhtii", r->file_id,
	    file_status_name(r->status), r->has_prefix ? r->prefix : NULL,
	    r->has_full ? r->full : NULL, r->error, op->txn_seq,
	    (int64_t)(r->bytes_read > 0)) != 0)
		return -1;
	op->c.processed_files++;
	op->c.processed_bytes += r->size;
	trouble = r->status != ROO_FILE_UNIQUE && r->status != ROO_FILE_HASHED;
	if (trouble)
		op->c.errors++;
	if (!op->detailed)
		return 0;

	details = NULL;
	if (trouble)
		details = xasprintf("{\"error\":\"%s\",\"status\":\"%s\"}",
		    r->error != NULL ? r->error : "",
		    file_status_name(r->status));
	else if (!r->has_full && r->has_prefix) {
		hex_encode(r->prefix, HASH_LEN, hex);
		details = xasprintf("{\"partialHash\":\"%s\"}", hex);
	}
	rc = log_insert(op, r->time, trouble ? "ERROR" : "OPERATION",
	    r->operation, r->file_id, 0, (int64_t)r->size,
	    r->has_full ? r->full : NULL, details);
	free(details);
	return rc;
}

/* Write the buffered results, the checkpoint row and commit. */
static int
txn_end(struct roo_op *op)
{
	struct store	*st;
	unsigned char	 logdig[HASH_LEN], dig[HASH_LEN];
	int64_t		 now, nlog, results;
	size_t		 i;

	st = op->db->st;
	for (i = 0; i < op->nres; i++)
		if (result_write(op, &op->res[i]) != 0)
			goto fail;
	results = (int64_t)op->nres + op->bulk_results;
	now = time_now_ns();
	if (op->log_bulk) {
		if (log_digest(op->db, op->key, op->txn_seq, logdig,
		    &nlog) != 0)
			goto fail;
	} else {
		hasher_end(op->logh, logdig);
		nlog = op->log_n;
	}
	checkpoint_digest(op->db->h, op->id, op->seq > 0 ? op->digest : NULL,
	    op->txn_seq, now, phase_name(op->phase),
	    (int64_t)op->c.processed_files, (int64_t)op->c.processed_bytes,
	    results, nlog, logdig, dig);
	if (store_exec(st, SQL_TRACKER_CHECKPOINT_INSERT, "iiitiiiihh",
	    op->key, op->txn_seq, now, phase_name(op->phase),
	    (int64_t)op->c.processed_files, (int64_t)op->c.processed_bytes,
	    results, nlog, logdig, dig) != 0)
		goto fail;
	if (store_exec(st, SQL_TRACKER_OP_UPDATE, "ittiiiiiiihii", op->key,
	    op->state, phase_name(op->phase), (int64_t)op->c.total_files,
	    (int64_t)op->c.total_bytes, (int64_t)op->c.processed_files,
	    (int64_t)op->c.processed_bytes, (int64_t)op->c.bytes_read,
	    (int64_t)op->c.errors, op->txn_seq, dig, now,
	    strcmp(op->state, "running") == 0 ||
	    strcmp(op->state, "interrupted") == 0 ? (int64_t)0 : now) != 0)
		goto fail;
	if (store_commit(st) != 0)
		goto fail_committed;

	op->in_txn = 0;
	op->seq = op->txn_seq;
	op->pending_bytes = 0;
	memcpy(op->digest, dig, HASH_LEN);
	for (i = 0; i < op->nres; i++)
		free((char *)op->res[i].error);
	op->nres = 0;
	op->nsettled = 0;
	log_trace("checkpoint %lld of %s committed", (long long)op->seq,
	    op->id);
	return 0;
fail:
	txn_abort(op);
	return -1;
fail_committed:
	op->in_txn = 0;
	op->c = op->txn_saved;
	return -1;
}

int
tracker_commit(struct roo_op *op)
{
	if (!op->in_txn && op->nres == 0)
		return 0;
	if (txn_begin(op) != 0)
		return -1;
	return txn_end(op);
}

int
roo_op_checkpoint(struct roo_op *op)
{
	if (txn_begin(op) != 0)
		return -1;
	return txn_end(op);
}

int
tracker_result(struct roo_op *op, const struct result *r)
{
	struct result	*d;

	if (op->nres == op->capres) {
		op->capres = op->capres == 0 ? 64 : op->capres * 2;
		op->res = xrealloc(op->res, op->capres * sizeof(*op->res));
	}
	d = &op->res[op->nres++];
	*d = *r;
	d->error = r->error != NULL ? xstrdup(r->error) : NULL;
	d->time = time_now_ns();
	op->c.bytes_read += r->bytes_read;
	op->run_bytes_read += r->bytes_read;
	op->pending_bytes += r->bytes_read;
	if (r->kind == RESULT_SETTLE)
		op->nsettled++;
	/* Every interval processed files (final results; a prefix hash of
	 * a file that goes on to be hashed whole is not one, though it is
	 * committed with them, up to four times as many in all), or sooner
	 * when they took much reading: a crash never costs more than
	 * CHECKPOINT_BYTES of it. */
	if ((int)op->nsettled >= op->interval ||
	    op->nres >= 4 * (size_t)op->interval ||
	    op->pending_bytes >= CHECKPOINT_BYTES)
		return tracker_commit(op);
	return 0;
}

int
tracker_state_log(struct roo_op *op, const char *what, const char *details)
{
	if (txn_begin(op) != 0)
		return -1;
	if (log_insert(op, time_now_ns(), "STATE", what, 0, 0, -1, NULL,
	    details) != 0) {
		txn_abort(op);
		return -1;
	}
	return 0;
}

int
tracker_set_phase(struct roo_op *op, enum phase p)
{
	char	*details;
	int	 rc;

	if (txn_begin(op) != 0)
		return -1;
	op->phase = p;
	details = xasprintf("{\"phase\":\"%s\"}", phase_name(p));
	rc = tracker_state_log(op, "phase", details);
	free(details);
	if (rc != 0)
		return -1;
	log_verbose("phase %s", phase_name(p));
	return txn_end(op);
}

static int
set_id(struct roo_op *op)
{
	unsigned char	 r[2];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return error("cannot get random bytes: %s", strerror(errno));
	snprintf(op->id, sizeof(op->id), "duplicate-detection-%lld-%02x%02x",
	    (long long)(time_now_ns() / NS_PER_SEC), r[0], r[1]);
	return 0;
}

static int
op_insert(struct roo_op *op, const struct tracker_start *s)
{
	struct store	*st;
	char		 host[256];
	char		*real;
	size_t		 i;
	int		 rc, tries;

	st = op->db->st;
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	for (tries = 0; tries < 100; tries++) {
		if (set_id(op) != 0)
			return -1;
		op->lockfd = lock_take(op->db, op->id);
		if (op->lockfd == -1)
			return -1;
		if (op->lockfd == -2)
			continue;
		if (store_begin(st) != 0)
			return -1;
		store_expect_constraint(st);
		rc = store_exec(st, SQL_TRACKER_OP_INSERT, "tttbtiit", op->id,
		    "running", "walk", s->cwd, strlen(s->cwd), s->options,
		    op->start_time, (int64_t)getpid(), host);
		if (rc == 0)
			break;
		store_rollback(st);
		close(op->lockfd);
		op->lockfd = -1;
		if (rc != STORE_CONSTRAINT)
			return -1;
	}
	if (op->lockfd < 0)
		return error("cannot find a free operation id");
	op->key = store_last_rowid(st);
	for (i = 0; i < s->nroots; i++) {
		real = realpath(s->roots[i], NULL);
		rc = store_exec(st, SQL_TRACKER_ROOT_INSERT, "iibb", op->key,
		    (int64_t)i, s->roots[i], strlen(s->roots[i]), real,
		    real != NULL ? strlen(real) : 0);
		free(real);
		if (rc != 0) {
			store_rollback(st);
			return -1;
		}
	}
	return 0;
}

int
tracker_op_start(struct roo_db *db, const struct tracker_start *s,
    struct roo_op **out)
{
	struct roo_op	*op;
	size_t		 i;

	op = op_new(db);
	snprintf(op->state, sizeof(op->state), "running");
	snprintf(op->apply_state, sizeof(op->apply_state), "none");
	op->phase = PHASE_WALK;
	op->cwd = xstrdup(s->cwd);
	op->options = xstrdup(s->options);
	op->interval = s->interval > 0 ? s->interval : 10;
	op->detailed = s->detailed;
	op->reuse = s->reuse;
	op->runs = 1;
	op->start_time = time_now_ns();
	op->roots = xcalloc(s->nroots, sizeof(*op->roots));
	for (i = 0; i < s->nroots; i++)
		op->roots[i] = xstrdup(s->roots[i]);
	op->nroots = s->nroots;
	if (op_insert(op, s) != 0)
		goto fail;

	/* The operation's first checkpoint commits its creation. */
	txn_open(op);
	if (tracker_state_log(op, "started", NULL) != 0 || txn_end(op) != 0)
		goto fail;
	*out = op;
	return 0;
fail:
	roo_op_free(op);
	return -1;
}

int
roo_op_start(struct roo_db *db, const struct roo_op_params *p,
    struct roo_op **out)
{
	struct tracker_start	 s;
	char			 cwd[4096];

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return error("cannot get the working directory: %s",
		    strerror(errno));
	memset(&s, 0, sizeof(s));
	s.roots = (char *const *)p->roots;
	s.nroots = p->nroots;
	s.cwd = cwd;
	s.options = p->options_json != NULL ? p->options_json : "{}";
	s.interval = p->checkpoint_interval;
	s.detailed = p->detailed_log;
	return tracker_op_start(db, &s, out);
}

static int
op_read(struct roo_op *op, struct store_cur *c)
{
	const void	*p;
	size_t		 n;

	op->key = store_int(c, 0);
	snprintf(op->id, sizeof(op->id), "%s", store_text(c, 1));
	snprintf(op->state, sizeof(op->state), "%s", store_text(c, 2));
	if (phase_parse(store_text(c, 3), &op->phase) != 0)
		return error("operation '%s' has an unknown phase '%s'",
		    op->id, store_text(c, 3));
	p = store_blob(c, 4, &n);
	op->cwd = xmalloc(n + 1);
	memcpy(op->cwd, p, n);
	op->cwd[n] = '\0';
	op->options = xstrdup(store_text(c, 5));
	op->c.total_files = (uint64_t)store_int(c, 6);
	op->c.total_bytes = (uint64_t)store_int(c, 7);
	op->c.processed_files = (uint64_t)store_int(c, 8);
	op->c.processed_bytes = (uint64_t)store_int(c, 9);
	op->c.bytes_read = (uint64_t)store_int(c, 10);
	op->c.errors = (uint64_t)store_int(c, 11);
	op->seq = store_int(c, 12);
	p = store_blob(c, 13, &n);
	if (n == HASH_LEN)
		memcpy(op->digest, p, HASH_LEN);
	op->start_time = store_int(c, 14);
	op->runs = (int)store_int(c, 19);
	op->archived = (int)store_int(c, 20);
	snprintf(op->apply_state, sizeof(op->apply_state), "%s",
	    store_text(c, 21));
	if (!store_isnull(c, 22))
		op->apply_options = xstrdup(store_text(c, 22));
	return 0;
}

static int
roots_read(struct roo_op *op)
{
	struct store_cur c;
	const void	*p;
	size_t		 n;
	int		 rc;

	if (store_query(op->db->st, &c, SQL_TRACKER_ROOTS_OF, "i",
	    op->key) != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		p = store_blob(&c, 0, &n);
		op->roots = xrealloc(op->roots,
		    (op->nroots + 1) * sizeof(*op->roots));
		op->roots[op->nroots] = xmalloc(n + 1);
		memcpy(op->roots[op->nroots], p, n);
		op->roots[op->nroots][n] = '\0';
		op->nroots++;
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

int
tracker_op_load(struct roo_db *db, const char *id, int lock,
    struct roo_op **out, int *busy)
{
	struct roo_op	*op;
	struct store_cur c;
	int64_t		 v;
	int		 rc;

	*busy = 0;
	op = op_new(db);
	/* Lock first: the row read next must not change under us. */
	if (lock) {
		op->lockfd = lock_take(db, id);
		if (op->lockfd < 0) {
			*busy = op->lockfd == -2;
			op->lockfd = -1;
			goto fail;
		}
	}
	if (store_query(db->st, &c, SQL_TRACKER_OP_BY_ID, "t", id) != 0)
		goto fail;
	rc = store_next(&c);
	if (rc == 1)
		rc = op_read(op, &c) == 0 ? 1 : -1;
	store_done(&c);
	if (rc <= 0) {
		/* No such operation: no lock file for it either. */
		if (rc == 0 && lock) {
			snprintf(op->id, sizeof(op->id), "%s", id);
			snprintf(op->state, sizeof(op->state), "completed");
		}
		roo_op_free(op);
		return rc;
	}
	if (roots_read(op) != 0)
		goto fail;
	if (tracker_opt_int(op, "$.checkpointInterval", &v) == 1 && v > 0)
		op->interval = (int)v;
	if (tracker_opt_int(op, "$.detailedLogging", &v) == 1)
		op->detailed = v != 0;
	/* Operations recorded before the option existed reuse hashes. */
	op->reuse = tracker_opt_int(op, "$.reuse", &v) == 1 ? v != 0 : 1;
	*out = op;
	return 1;
fail:
	roo_op_free(op);
	return -1;
}

int
tracker_op_claim(struct roo_op *op)
{
	char	 host[256];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	if (store_exec(op->db->st, SQL_TRACKER_OP_CLAIM, "iiti", op->key,
	    (int64_t)getpid(), host, time_now_ns()) != 0)
		return -1;
	snprintf(op->state, sizeof(op->state), "running");
	op->runs++;
	return 0;
}

int
roo_op_resume(struct roo_db *db, const char *id, struct roo_op **out)
{
	struct roo_op	*op;
	int		 busy, rc;

	rc = tracker_op_load(db, id, 1, &op, &busy);
	if (rc == 0)
		return error("no operation '%s'", id);
	if (rc < 0)
		return busy ? error("operation '%s' is running in another "
		    "process", id) : -1;
	if (strcmp(op->state, "completed") == 0) {
		roo_op_free(op);
		return error("operation '%s' is already completed", id);
	}
	if (tracker_op_claim(op) != 0 ||
	    tracker_state_log(op, "resumed", NULL) != 0 ||
	    tracker_commit(op) != 0) {
		roo_op_free(op);
		return -1;
	}
	*out = op;
	return 0;
}

int
tracker_opt_int(struct roo_op *op, const char *path, int64_t *out)
{
	return store_get_int(op->db->st, out, SQL_TRACKER_JSON_GET, "tt",
	    op->options, path);
}

int
tracker_opt_list(struct roo_op *op, const char *path, char ***out,
    size_t *n)
{
	struct store_cur c;
	const char	*s;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (store_query(op->db->st, &c, SQL_TRACKER_JSON_LIST, "tt",
	    op->options, path) != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		s = store_text(&c, 0);
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = xstrdup(s != NULL ? s : "");
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

int
tracker_recount(struct roo_op *op)
{
	struct store_cur c;
	int		 rc;

	if (store_query(op->db->st, &c, SQL_TRACKER_COUNTERS, "i",
	    op->key) != 0)
		return -1;
	rc = store_next(&c);
	if (rc == 1) {
		op->c.total_files = (uint64_t)store_int(&c, 0);
		op->c.total_bytes = (uint64_t)store_int(&c, 1);
		op->c.processed_files = (uint64_t)store_int(&c, 2);
		op->c.processed_bytes = (uint64_t)store_int(&c, 3);
	}
	store_done(&c);
	return rc == 1 ? 0 : -1;
}

int
roo_op_set_total(struct roo_op *op, uint64_t files, uint64_t bytes)
{
	if (txn_begin(op) != 0)
		return -1;
	op->c.total_files = files;
	op->c.total_bytes = bytes;
	return 0;
}

int
tracker_finish(struct roo_op *op, const char *state)
{
	char	*details;
	int	 rc;

	if (txn_begin(op) != 0)
		return -1;
	snprintf(op->state, sizeof(op->state), "%s", state);
	if (strcmp(state, "completed") == 0) {
		op->phase = PHASE_DONE;
		if (store_exec(op->db->st, SQL_TRACKER_SUMMARY_WRITE, "iiii",
		    op->key, (int64_t)op->c.errors,
		    (int64_t)op->c.bytes_read, time_now_ns()) != 0) {
			txn_abort(op);
			return -1;
		}
	}
	details = xasprintf("{\"phase\":\"%s\",\"bytesRead\":%llu,"
	    "\"processedFiles\":%llu}", phase_name(op->phase),
	    (unsigned long long)op->run_bytes_read,
	    (unsigned long long)op->c.processed_files);
	rc = tracker_state_log(op, state, details);
	free(details);
	if (rc != 0 || txn_end(op) != 0)
		return -1;
	return 0;
}

int
roo_op_complete(struct roo_op *op, enum roo_state s)
{
	static const char *const names[] = { "running", "interrupted",
	    "completed", "failed", "cancelled" };

	return tracker_finish(op, names[s]);
}

int
tracker_stage_begin(struct roo_op *op)
{
	struct store	*st;

	st = op->db->st;
	if (store_exec(st, SQL_TRACKER_STAGE_CREATE, "") != 0 ||
	    store_exec(st, SQL_TRACKER_STAGE_CLEAR, "") != 0)
		return -1;
	/* The staging table is private to this connection: one long
	 * transaction keeps its inserts cheap and locks nothing shared. */
	return store_begin_read(st);
}

int
tracker_stage_add(struct roo_op *op, const struct walk_entry *e)
{
	const struct stat *sb;
	const char	*kind, *status, *err;

	sb = &e->sb;
	kind = "file";
	status = "pending";
	err = NULL;
	if (e->kind == WALK_SPECIAL) {
		kind = "other";
		status = "special";
		err = "not a regular file";
	} else if (e->kind == WALK_ERROR) {
		kind = e->is_dir ? "dir" : S_ISREG(sb->st_mode) || !e->has_stat
		    ? "file" : "other";
		status = e->err == ENOENT ? "vanished" : "error";
		err = strerror(e->err);
	}
	if (!e->has_stat)
		return store_exec(op->db->st, SQL_TRACKER_STAGE_INSERT,
		    "dbtnnnnnnntttd", e->root_idx, e->path, e->pathlen, kind,
		    status, err, e->what, e->via_link);
	return store_exec(op->db->st, SQL_TRACKER_STAGE_INSERT,
	    "dbtiiiiiiitttd", e->root_idx, e->path, e->pathlen, kind,
	    (int64_t)sb->st_dev, (int64_t)sb->st_ino, (int64_t)sb->st_size,
	    (int64_t)sb->st_mtim.tv_sec * NS_PER_SEC + sb->st_mtim.tv_nsec,
	    (int64_t)sb->st_ctim.tv_sec * NS_PER_SEC + sb->st_ctim.tv_nsec,
	    (int64_t)sb->st_nlink, (int64_t)sb->st_mode, status, err,
	    e->what, e->via_link);
}

void
tracker_stage_abort(struct roo_op *op)
{
	store_rollback(op->db->st);
}

/* Reconcile the operation's rows with a new walk (a resume). */
static int
stage_reconcile(struct roo_op *op, struct stage_stats *s)
{
	struct store	*st;
	int64_t		 k;

	st = op->db->st;
	k = op->txn_seq;
	if (store_exec(st, SQL_TRACKER_STAGE_AFFECTED_CREATE, "") != 0 ||
	    store_exec(st, SQL_TRACKER_STAGE_AFFECTED_CLEAR, "") != 0 ||
	    store_exec(st, SQL_TRACKER_OLD_FILL, "i", op->key) != 0 ||
	    store_exec(st, SQL_TRACKER_OLD_INDEX, "") != 0)
		return -1;
	if (store_exec(st, SQL_TRACKER_STAGE_VANISHED, "ii", op->key, k) != 0)
		return -1;
	s->vanished = store_changes(st);
	if (store_exec(st, SQL_TRACKER_STAGE_AFFECTED_GONE, "ii", op->key,
	    k) != 0 ||
	    store_exec(st, SQL_TRACKER_STAGE_AFFECTED_CHANGED, "i",
	    op->key) != 0)
		return -1;
	if (store_exec(st, SQL_TRACKER_STAGE_CHANGED, "ii", op->key, k) != 0)
		return -1;
	s->changed = store_changes(st);
	if (store_exec(st, SQL_TRACKER_STAGE_RENAMED, "i", op->key) != 0)
		return -1;
	if (store_exec(st, SQL_TRACKER_STAGE_REOPEN, "i", op->key) != 0)
		return -1;
	s->reopened = store_changes(st);
	return store_exec(st, SQL_TRACKER_RESEAL, "i", op->key);
}

/* How many earlier operations a find takes hashes from. */
/* XXX(#6): older operations are not searched for hashes to reuse. */
#define REUSE_SOURCES	4

/*
 * Take the hashes earlier operations recorded for files unchanged since
 * (SQL reuse_find says which); a file whose full hash is known is settled
 * in this checkpoint, with its log entry.
 */
static int
stage_reuse(struct roo_op *op, struct stage_stats *s)
{
	struct store	*st;
	int64_t		 k;

	struct store_cur c;
	int64_t		 src[REUSE_SOURCES];
	size_t		 i, n;
	int		 rc;

	st = op->db->st;
	k = op->txn_seq;
	n = 0;
	if (store_query(st, &c, SQL_TRACKER_REUSE_SOURCES, "ii", op->key,
	    (int64_t)REUSE_SOURCES) != 0)
		return -1;
	while ((rc = store_next(&c)) == 1 && n < REUSE_SOURCES)
		src[n++] = store_int(&c, 0);
	store_done(&c);
	if (rc < 0)
		return -1;
	if (n == 0)
		return 0;
	if (store_exec(st, SQL_TRACKER_REUSE_CREATE, "") != 0 ||
	    store_exec(st, SQL_TRACKER_REUSE_CLEAR, "") != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (store_exec(st, SQL_TRACKER_REUSE_FIND, "ii", op->key,
		    src[i]) != 0)
			return -1;
		s->reused += store_changes(st);
	}
	if (s->reused == 0)
		return 0;
	if (store_exec(st, SQL_TRACKER_REUSE_APPLY, "ii", op->key, k) != 0)
		return -1;
	op->log_bulk = 1;
	if (op->detailed && store_exec(st, SQL_TRACKER_REUSE_LOG, "iii",
	    op->key, k, time_now_ns()) != 0)
		return -1;
	return store_exec(st, SQL_TRACKER_REUSE_CLEAR, "");
}

int
tracker_stage_apply(struct roo_op *op, int all_aliases,
    struct stage_stats *s)
{
	struct store	*st;
	char		*details;
	int64_t		 k, unstat, trouble;
	int		 first, rc;

	st = op->db->st;
	memset(s, 0, sizeof(*s));
	/* End the staging transaction; the checkpoint's begins now. */
	if (store_commit(st) != 0 || txn_begin(op) != 0)
		return -1;
	k = op->txn_seq;
	first = op->c.total_files == 0 && op->phase == PHASE_WALK;
	if (store_exec(st, SQL_TRACKER_STAGE_INDEX, "") != 0 ||
	    store_exec(st, SQL_TRACKER_OLD_CREATE, "") != 0 ||
	    store_exec(st, SQL_TRACKER_OLD_CLEAR, "") != 0)
		goto fail;
	if (!first && stage_reconcile(op, s) != 0)
		goto fail;
	if (store_exec(st, SQL_TRACKER_STAGE_COPY, "iid", op->key, k,
	    all_aliases) != 0)
		goto fail;
	s->added = store_changes(st);
	if (op->reuse && stage_reuse(op, s) != 0)
		goto fail;
	if ((!first && store_exec(st, SQL_TRACKER_ALIAS_CLEAR, "i",
	    op->key) != 0) ||
	    store_exec(st, SQL_TRACKER_ALIAS_COPY, "id", op->key,
	    all_aliases) != 0)
		goto fail;
	op->log_bulk = 1;
	if (store_exec(st, SQL_TRACKER_STAGE_ERRORS_LOG, "iiid", op->key, k,
	    time_now_ns(), op->detailed) != 0)
		goto fail;
	if (store_get_int(st, &unstat, SQL_TRACKER_STAGE_UNSTAT_ERRORS,
	    "") != 1 ||
	    store_get_int(st, &trouble, SQL_TRACKER_TROUBLE_COUNT, "i",
	    op->key) != 1 || tracker_recount(op) != 0)
		goto fail;
	op->c.errors = (uint64_t)(unstat + trouble);
	op->bulk_results = s->added + s->changed + s->vanished + s->reused;
	if (!first && (s->changed > 0 || s->vanished > 0 || s->added > 0 ||
	    s->reopened > 0) && op->phase > PHASE_SIZE)
		op->phase = PHASE_SIZE;
	if (op->phase == PHASE_WALK)
		op->phase = PHASE_SIZE;
	if (!first) {
		details = xasprintf("{\"changed\":%lld,\"vanished\":%lld,"
		    "\"added\":%lld,\"reopened\":%lld}", (long long)s->changed,
		    (long long)s->vanished, (long long)s->added,
		    (long long)s->reopened);
		rc = tracker_state_log(op, "reconciled", details);
		free(details);
		if (rc != 0)
			return -1;
	}
	/* The walk ends here; the timeline of report starts from this. */
	details = xasprintf("{\"files\":%llu,\"bytes\":%llu,\"phase\":\"%s\","
	    "\"reusedFiles\":%lld}", (unsigned long long)op->c.total_files,
	    (unsigned long long)op->c.total_bytes, phase_name(op->phase),
	    (long long)s->reused);
	rc = tracker_state_log(op, "walked", details);
	free(details);
	if (rc != 0)
		return -1;
	/* The staging rows are left for the connection's end to drop with
	 * its temporary file: emptying them costs a pass over them all. */
	if (store_exec(st, SQL_TRACKER_OLD_CLEAR, "") != 0)
		goto fail;
	return txn_end(op);
fail:
	txn_abort(op);
	return -1;
}

static void
frow_read(struct frow *r, struct store_cur *c, int full)
{
	const void	*p;
	size_t		 n;

	memset(r, 0, sizeof(*r));
	r->id = store_int(c, 0);
	r->size = (uint64_t)store_int(c, 1);
	if (status_parse(store_text(c, 2), &r->status, &r->pending) != 0)
		r->status = ROO_FILE_ERROR;
	if (!full)
		return;
	p = store_blob(c, 3, &n);
	r->path = xmalloc(n + 1);
	memcpy(r->path, p, n);
	r->path[n] = '\0';
	r->pathlen = n;
	r->dev = (dev_t)store_int(c, 4);
	r->ino = (ino_t)store_int(c, 5);
	r->mtime = store_int(c, 6);
	r->ctime = store_int(c, 7);
	p = store_blob(c, 8, &n);
	if ((r->has_prefix = n == HASH_LEN))
		memcpy(r->prefix, p, HASH_LEN);
	p = store_blob(c, 9, &n);
	if ((r->has_full = n == HASH_LEN))
		memcpy(r->full, p, HASH_LEN);
}

void
fpage_reset(struct fpage *pg)
{
	size_t	 i;

	for (i = 0; i < pg->n; i++)
		free(pg->rows[i].path);
	pg->n = 0;
}

void
fpage_release(struct fpage *pg)
{
	fpage_reset(pg);
	free(pg->rows);
	pg->rows = NULL;
	pg->cap = 0;
}

int
tracker_page(struct roo_op *op, enum page_kind kind, uint64_t after_size,
    int64_t after_id, size_t limit, struct fpage *pg)
{
	struct store_cur c;
	struct store	*st;
	int		 rc;

	st = op->db->st;
	fpage_reset(pg);
	switch (kind) {
	case PAGE_SIZE:
		rc = store_query(st, &c, SQL_TRACKER_PAGE_SIZE, "iii", op->key,
		    (int64_t)after_size, (int64_t)limit);
		break;
	case PAGE_PREFIX:
		rc = store_query(st, &c, SQL_TRACKER_PAGE_PREFIX, "iiii",
		    op->key, (int64_t)after_size, after_id, (int64_t)limit);
		break;
	case PAGE_FULL:
		rc = store_query(st, &c, SQL_TRACKER_PAGE_FULL, "iii", op->key,
		    (int64_t)after_size, (int64_t)limit);
		break;
	default:
		rc = store_query(st, &c, SQL_TRACKER_PAGE_FULL_CLASS, "ii",
		    op->key, (int64_t)after_size);
		break;
	}
	if (rc != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		if (pg->n == pg->cap) {
			pg->cap = pg->cap == 0 ? 256 : pg->cap * 2;
			pg->rows = xrealloc(pg->rows,
			    pg->cap * sizeof(*pg->rows));
		}
		frow_read(&pg->rows[pg->n++], &c, kind != PAGE_SIZE);
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

int
tracker_todo(struct roo_op *op, enum phase p, uint64_t *files,
    uint64_t *bytes)
{
	struct store_cur c;
	int		 rc;

	if (store_query(op->db->st, &c, p == PHASE_PREFIX ?
	    SQL_TRACKER_TODO_PREFIX : p == PHASE_SIZE ?
	    SQL_TRACKER_TODO_LIVE : SQL_TRACKER_TODO_PENDING, "i",
	    op->key) != 0)
		return -1;
	rc = store_next(&c);
	*files = *bytes = 0;
	if (rc == 1) {
		*files = (uint64_t)store_int(&c, 0);
		*bytes = (uint64_t)store_int(&c, 1);
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

int
tracker_build_groups(struct roo_op *op)
{
	struct store	*st;
	int64_t		 k;

	st = op->db->st;
	if (tracker_commit(op) != 0 || txn_begin(op) != 0)
		return -1;
	k = op->txn_seq;
	if (store_exec(st, SQL_TRACKER_GROUP_CLEAR, "i", op->key) != 0 ||
	    store_exec(st, SQL_TRACKER_GROUP_BUILD, "ii", op->key, k) != 0)
		goto fail;
	op->bulk_results = store_changes(st);
	op->log_bulk = 1;
	if (store_exec(st, SQL_TRACKER_MEMBER_BUILD, "i", op->key) != 0 ||
	    store_exec(st, SQL_TRACKER_GROUP_LOG, "iii", op->key, k,
	    time_now_ns()) != 0)
		goto fail;
	return txn_end(op);
fail:
	txn_abort(op);
	return -1;
}

int
tracker_options_json(struct roo_db *db, const struct walk_opts *w,
    int interval, int detailed, int reuse, char **out)
{
	struct store_cur c;
	char		*arr, *next;
	size_t		 i;
	int		 rc;

	*out = NULL;
	arr = xstrdup("[]");
	for (i = 0; i < w->nexclude; i++) {
		if (store_query(db->st, &c, SQL_TRACKER_JSON_APPEND, "tt", arr,
		    w->exclude[i]) != 0 || store_next(&c) != 1) {
			store_done(&c);
			free(arr);
			return -1;
		}
		next = xstrdup(store_text(&c, 0));
		store_done(&c);
		free(arr);
		arr = next;
	}
	rc = store_query(db->st, &c, SQL_TRACKER_OPTIONS_JSON, "iitddddddd",
	    (int64_t)w->min_size, w->max_size == UINT64_MAX ? (int64_t)-1 :
	    (int64_t)w->max_size, arr, w->hidden, w->empty,
	    w->one_file_system, w->follow_symlinks, interval, detailed,
	    reuse);
	if (rc == 0 && store_next(&c) == 1)
		*out = xstrdup(store_text(&c, 0));
	store_done(&c);
	free(arr);
	return *out != NULL ? 0 : -1;
}

int
roo_op_status(struct roo_db *db, const char *id, struct roo_status *s)
{
	struct roo_op	*op;
	int		 busy, rc;

	rc = tracker_op_load(db, id, 0, &op, &busy);
	if (rc <= 0)
		return rc;
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", op->id);
	snprintf(s->state, sizeof(s->state), "%s",
	    strcmp(op->state, "running") == 0 &&
	    !tracker_lock_held(db, op->id) ? "interrupted" : op->state);
	snprintf(s->phase, sizeof(s->phase), "%s", phase_name(op->phase));
	s->start_time_ns = op->start_time;
	s->total_files = op->c.total_files;
	s->processed_files = op->c.processed_files;
	s->total_bytes = op->c.total_bytes;
	s->processed_bytes = op->c.processed_bytes;
	s->bytes_read = op->c.bytes_read;
	s->checkpoints = (uint64_t)op->seq;
	s->errors = op->c.errors;
	s->runs = op->runs;
	roo_op_free(op);
	return 1;
}

int
roo_op_summary(struct roo_db *db, const char *id, struct roo_summary *s)
{
	struct store_cur c;
	struct roo_op	*op;
	int		 busy, rc;

	rc = tracker_op_load(db, id, 0, &op, &busy);
	if (rc <= 0)
		return rc;
	memset(s, 0, sizeof(*s));
	rc = store_query(db->st, &c, SQL_TRACKER_SUMMARY_OF, "i", op->key);
	if (rc == 0)
		rc = store_next(&c);
	if (rc == 1) {
		s->files = (uint64_t)store_int(&c, 0);
		s->bytes = (uint64_t)store_int(&c, 1);
		s->groups = (uint64_t)store_int(&c, 2);
		s->redundant_files = (uint64_t)store_int(&c, 3);
		s->reclaimable_bytes = (uint64_t)store_int(&c, 4);
		s->errors = (uint64_t)store_int(&c, 5);
		s->bytes_read = (uint64_t)store_int(&c, 6);
		s->reused = (uint64_t)store_int(&c, 7);
		s->applied_files = (uint64_t)store_int(&c, 9);
		s->skipped_files = (uint64_t)store_int(&c, 10);
		s->reclaimed_bytes = (uint64_t)store_int(&c, 11);
	}
	store_done(&c);
	roo_op_free(op);
	return rc;
}

int
tracker_recount_fix(struct roo_op *op)
{
	if (store_exec(op->db->st, SQL_VERIFY_RECOUNT_OP, "i", op->key) != 0)
		return -1;
	return tracker_recount(op);
}

int
tracker_op_ids(struct roo_db *db, char ***out, size_t *n)
{
	struct store_cur c;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (store_query(db->st, &c, SQL_TRACKER_OPS_ALL, "") != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = xstrdup(store_text(&c, 0));
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

int
tracker_begin(struct roo_op *op)
{
	if (op->nres > 0 && tracker_commit(op) != 0)
		return -1;
	return txn_begin(op);
}

int64_t
tracker_ckpt(const struct roo_op *op)
{
	return op->in_txn ? op->txn_seq : op->seq + 1;
}

int
tracker_end(struct roo_op *op)
{
	if (!op->in_txn)
		return 0;
	return txn_end(op);
}

void
tracker_abort(struct roo_op *op)
{
	if (op->in_txn)
		txn_abort(op);
}

int
tracker_log_path(struct roo_op *op, const char *operation, const char *path,
    size_t len, int64_t size, const char *details)
{
	if (txn_begin(op) != 0)
		return -1;
	return log_row(op, time_now_ns(), "OPERATION", operation, 0, 0, path,
	    len, size, NULL, details);
}

int
tracker_durable(struct roo_op *op, int on)
{
	return store_synchronous(op->db->st, on);
}
