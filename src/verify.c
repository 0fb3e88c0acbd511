/*
 * verify.c - find damage in an operation and roll it back to its last
 * good checkpoint.
 *
 * The checkpoint chain is checked from the first row: each digest is
 * recomputed from the previous one, the row's fields and the log rows it
 * covers.  The first checkpoint that is missing or does not match, and
 * everything after it, is damaged.  Repair never deletes without keeping
 * a copy: the damaged checkpoints, their log rows and the file rows whose
 * results they held are written as JSON into checkpoints/corrupted/ before
 * they are dropped, and the results are marked to be computed again.
 */
#include "config.h"

#include "tracker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "util.h"

static void problem(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
problem(struct buf *msgs, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vprintf(msgs, fmt, ap);
	va_end(ap);
	buf_addch(msgs, '\n');
}

struct chain {
	int64_t		 last;		/* last sound checkpoint */
	unsigned char	 digest[HASH_LEN];
	int64_t		 from;		/* first damaged, or 0 */
};

/* Check the digest chain row by row. */
static int
check_chain(struct roo_db *db, int64_t key, const char *id, struct buf *msgs,
    struct chain *ch)
{
	struct store_cur c;
	unsigned char	 logdig[HASH_LEN], dig[HASH_LEN];
	const void	*p;
	size_t		 n;
	int64_t		 seq, nlog;
	int		 rc;

	memset(ch, 0, sizeof(*ch));
	if (store_query(db->st, &c, SQL_TRACKER_CHECKPOINTS_OF, "i", key) != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		seq = store_int(&c, 0);
		if (seq != ch->last + 1) {
			problem(msgs, "checkpoint %lld is missing",
			    (long long)ch->last + 1);
			ch->from = ch->last + 1;
			break;
		}
		if (log_digest(db, key, seq, logdig, &nlog) != 0) {
			rc = -1;
			break;
		}
		p = store_blob(&c, 7, &n);
		if (nlog != store_int(&c, 6) || n != HASH_LEN ||
		    memcmp(p, logdig, HASH_LEN) != 0) {
			problem(msgs, "checkpoint %lld: its log rows were "
			    "altered, added or removed (%lld rows)",
			    (long long)seq, (long long)nlog);
			ch->from = seq;
			break;
		}
		checkpoint_digest(db->h, id, seq > 1 ? ch->digest : NULL, seq,
		    store_int(&c, 1), store_text(&c, 2), store_int(&c, 3),
		    store_int(&c, 4), store_int(&c, 5), nlog, logdig, dig);
		p = store_blob(&c, 8, &n);
		if (n != HASH_LEN || memcmp(p, dig, HASH_LEN) != 0) {
			problem(msgs, "checkpoint %lld: its digest does not "
			    "match its contents", (long long)seq);
			ch->from = seq;
			break;
		}
		ch->last = seq;
		memcpy(ch->digest, dig, HASH_LEN);
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

/* The operation row must end where the chain ends. */
static int
check_head(struct roo_db *db, struct roo_op *op, struct buf *msgs,
    struct chain *ch)
{
	struct store_cur c;
	int64_t		 nlog, first;
	int		 rc;

	if (ch->from == 0 && op->seq != ch->last) {
		problem(msgs, "the operation records %lld checkpoints, %lld "
		    "are sound", (long long)op->seq, (long long)ch->last);
		ch->from = ch->last + 1;
	} else if (ch->from == 0 && ch->last > 0 &&
	    memcmp(op->digest, ch->digest, HASH_LEN) != 0) {
		problem(msgs, "checkpoint %lld is not the one the operation "
		    "recorded", (long long)ch->last);
		ch->from = ch->last;
	}
	if (store_query(db->st, &c, SQL_VERIFY_LOG_BEYOND, "ii", op->key,
	    ch->from > 0 ? ch->from - 1 : ch->last) != 0)
		return -1;
	rc = store_next(&c);
	nlog = rc == 1 ? store_int(&c, 0) : 0;
	first = rc == 1 ? store_int(&c, 1) : 0;
	store_done(&c);
	if (rc < 0)
		return -1;
	if (nlog > 0 && ch->from == 0) {
		problem(msgs, "%lld log rows belong to no checkpoint (from "
		    "checkpoint %lld)", (long long)nlog, (long long)first);
		ch->from = first;
	}
	return 0;
}

/* Counters, groups, states and file rows against the log. */
static int
check_rows(struct roo_db *db, struct roo_op *op, struct buf *msgs,
    struct chain *ch)
{
	struct store_cur c;
	int64_t		 n, v[4], w[4];
	int		 rc, i;

	if (store_query(db->st, &c, SQL_TRACKER_COUNTERS, "i", op->key) != 0)
		return -1;
	if ((rc = store_next(&c)) == 1)
		for (i = 0; i < 4; i++)
			v[i] = store_int(&c, i);
	store_done(&c);
	if (rc != 1 || store_query(db->st, &c, SQL_VERIFY_COUNTERS_OF, "i",
	    op->key) != 0)
		return -1;
	if ((rc = store_next(&c)) == 1)
		for (i = 0; i < 4; i++)
			w[i] = store_int(&c, i);
	store_done(&c);
	if (rc != 1)
		return -1;
	if (v[0] != w[0] || v[2] != w[2] || v[1] != w[1] || v[3] != w[3])
		problem(msgs, "counters disagree with the rows: %lld of %lld "
		    "files processed recorded, %lld of %lld found",
		    (long long)w[2], (long long)w[0], (long long)v[2],
		    (long long)v[0]);

	if (store_get_int(db->st, &n, SQL_VERIFY_BAD_MEMBERS, "i",
	    op->key) != 1)
		return -1;
	if (n > 0)
		problem(msgs, "%lld group members lack a hashed file row of "
		    "the group's content", (long long)n);
	if (store_get_int(db->st, &n, SQL_VERIFY_BAD_GROUP_COUNTS, "i",
	    op->key) != 1)
		return -1;
	if (n > 0)
		problem(msgs, "%lld groups count members they do not have",
		    (long long)n);
	if (store_get_int(db->st, &n, SQL_VERIFY_BAD_STATES, "i",
	    op->key) != 1)
		return -1;
	if (n > 0)
		problem(msgs, "%lld rows hold a state no constraint allows",
		    (long long)n);

	if (store_query(db->st, &c, SQL_VERIFY_BAD_SEALS, "i", op->key) != 0)
		return -1;
	rc = store_next(&c);
	n = rc == 1 ? store_int(&c, 0) : 0;
	if (n > 0) {
		problem(msgs, "%lld file rows were changed outside the "
		    "program (from checkpoint %lld)", (long long)n,
		    (long long)store_int(&c, 1));
		if (ch->from == 0 || store_int(&c, 1) < ch->from)
			ch->from = store_int(&c, 1);
	}
	store_done(&c);
	if (rc < 0)
		return -1;

	if (store_query(db->st, &c, SQL_VERIFY_FILE_LOG_MISMATCH, "i",
	    op->key) != 0)
		return -1;
	rc = store_next(&c);
	n = rc == 1 ? store_int(&c, 0) : 0;
	if (n > 0) {
		problem(msgs, "%lld file rows disagree with the log entries "
		    "that settled them (from checkpoint %lld)", (long long)n,
		    (long long)store_int(&c, 1));
		if (ch->from == 0 || store_int(&c, 1) < ch->from)
			ch->from = store_int(&c, 1);
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

/* An archived operation: its document exists and its groups are sound. */
static int
check_archived(struct roo_db *db, struct roo_op *op, struct buf *msgs)
{
	struct stat	 sb;
	char		*path;
	int64_t		 n;

	path = xasprintf("%s/checkpoints/completed/%s.json", db->dot, op->id);
	if (stat(path, &sb) != 0)
		problem(msgs, "archived, but '%s' is missing", path);
	free(path);
	if (store_get_int(db->st, &n, SQL_VERIFY_BAD_MEMBERS, "i",
	    op->key) != 1)
		return -1;
	if (n > 0)
		problem(msgs, "%lld group members lack a hashed file row of "
		    "the group's content", (long long)n);
	return 0;
}

int
tracker_verify(struct roo_db *db, const char *id, struct buf *msgs,
    int64_t *from)
{
	struct roo_op	*op;
	struct chain	 ch;
	size_t		 before;
	int		 busy, rc;

	*from = 0;
	before = msgs->len;
	/* One snapshot: a find may be committing meanwhile. */
	if (store_begin_read(db->st) != 0)
		return -1;
	rc = tracker_op_load(db, id, 0, &op, &busy);
	if (rc <= 0) {
		store_rollback(db->st);
		return rc == 0 ? 2 : -1;
	}
	rc = -1;
	/* Its checkpoints and log went to the archive; the groups stay. */
	if (op->archived) {
		memset(&ch, 0, sizeof(ch));
		if (check_archived(db, op, msgs) != 0)
			goto out;
		rc = msgs->len > before ? 1 : 0;
		goto out;
	}
	if (check_chain(db, op->key, op->id, msgs, &ch) != 0 ||
	    check_head(db, op, msgs, &ch) != 0 ||
	    check_rows(db, op, msgs, &ch) != 0)
		goto out;
	*from = ch.from;
	rc = msgs->len > before ? 1 : 0;
out:
	store_rollback(db->st);
	roo_op_free(op);
	return rc;
}

/* Write text to path through a temporary file, fsync and rename. */
static int
write_atomic(const char *path, const char *text, size_t len)
{
	struct atomic_file	 af;

	if (atomic_open(&af, path) != 0)
		return -1;
	if (fwrite(text, 1, len, af.fp) != len) {
		atomic_abort(&af);
		return error("cannot write '%s': %s", path, strerror(errno));
	}
	return atomic_commit(&af);
}

static int
export_part(struct roo_db *db, enum sql_id id, int64_t key, int64_t from,
    const char *name, struct buf *b)
{
	struct store_cur c;
	int		 rc;

	if (store_query(db->st, &c, id, "ii", key, from) != 0)
		return -1;
	rc = store_next(&c);
	if (rc == 1)
		buf_printf(b, ",\"%s\":%s", name, store_text(&c, 0));
	store_done(&c);
	return rc == 1 ? 0 : -1;
}

/* Save the damaged material as one JSON document; *path gets its name. */
static int
export_damage(struct roo_op *op, int64_t from, const char *reason,
    char **path)
{
	struct store_cur c;
	struct roo_db	*db;
	struct buf	 b;
	char		 stamp[TIME_ISO_LEN];
	int		 rc;

	db = op->db;
	buf_init(&b);
	rc = -1;
	if (store_query(db->st, &c, SQL_VERIFY_EXPORT_HEAD, "iiti", op->key,
	    from, reason, time_now_ns()) != 0)
		goto out;
	if (store_next(&c) == 1) {
		const char *h = store_text(&c, 0);

		buf_add(&b, h, strlen(h) - 1);
	}
	store_done(&c);
	if (b.len == 0 ||
	    export_part(db, SQL_VERIFY_EXPORT_CHECKPOINTS, op->key, from,
	    "checkpoints", &b) != 0 ||
	    export_part(db, SQL_VERIFY_EXPORT_LOG, op->key, from, "log",
	    &b) != 0 ||
	    export_part(db, SQL_VERIFY_EXPORT_FILES, op->key, from, "files",
	    &b) != 0)
		goto out;
	buf_addstr(&b, "}\n");
	time_iso8601(time_now_ns(), stamp);
	*path = xasprintf("%s/checkpoints/corrupted/%s.from-%lld.%s.json",
	    db->dot, op->id, (long long)from, stamp);
	rc = write_atomic(*path, b.p, b.len);
out:
	buf_release(&b);
	return rc;
}

int
tracker_repair(struct roo_op *op, int64_t from, char **saved)
{
	static const enum sql_id drops[] = {
		SQL_VERIFY_DROP_CHECKPOINTS, SQL_VERIFY_DROP_LOG,
		SQL_VERIFY_DROP_GROUPS, SQL_VERIFY_DROP_FILES,
		SQL_VERIFY_REVERT_SETTLED, SQL_VERIFY_REVERT_PREFIX
	};
	struct store	*st;
	struct roo_op	*fresh;
	char		*details;
	size_t		 i;
	int		 busy, rc;

	st = op->db->st;
	*saved = NULL;
	if (export_damage(op, from, "checkpoint chain broken", saved) != 0)
		return -1;
	if (store_begin(st) != 0)
		return -1;
	for (i = 0; i < sizeof(drops) / sizeof(drops[0]); i++)
		if (store_exec(st, drops[i], "ii", op->key, from) != 0)
			goto fail;
	if (store_exec(st, SQL_TRACKER_RESEAL, "i", op->key) != 0 ||
	    store_exec(st, SQL_VERIFY_DROP_SUMMARY, "i", op->key) != 0 ||
	    store_exec(st, SQL_VERIFY_REWIND_OP, "ii", op->key,
	    from - 1) != 0 ||
	    store_exec(st, SQL_VERIFY_RECOUNT_OP, "i", op->key) != 0 ||
	    store_commit(st) != 0)
		goto fail;

	/* Take the rewound state, keep the lock and the run's identity. */
	rc = tracker_op_load(op->db, op->id, 0, &fresh, &busy);
	if (rc != 1)
		return -1;
	op->seq = fresh->seq;
	memcpy(op->digest, fresh->digest, HASH_LEN);
	op->phase = fresh->phase;
	op->c = fresh->c;
	roo_op_free(fresh);

	details = xasprintf("{\"damagedFrom\":%lld}", (long long)from);
	rc = tracker_state_log(op, "repaired", details);
	free(details);
	if (rc != 0 || tracker_commit(op) != 0)
		return -1;
	return 0;
fail:
	store_rollback(st);
	return -1;
}
